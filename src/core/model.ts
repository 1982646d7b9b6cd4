/**
 * The normalised model every venue adapter produces and every consumer reads.
 * Pure TypeScript: no browser APIs, runs in plain Node.
 */

export const VENUE_IDS = [
  'binance',
  'bybit',
  'okx',
  'bitmex',
  'bitget',
  'bitfinex',
  'deribit',
  'hyperliquid',
] as const;
export type VenueId = (typeof VENUE_IDS)[number];

/** The POSITION that was liquidated (not the side of the closing order). */
export type PositionSide = 'long' | 'short';

export interface Liquidation {
  venue: VenueId;
  /** Venue-native symbol, e.g. 'BTCUSDT', 'XBTUSD', 'BTC-USDT-SWAP'. */
  symbol: string;
  /** Base asset, upper case, XBT mapped to BTC. */
  asset: string;
  side: PositionSide;
  price: number;
  /** Filled size in base units (never contracts). */
  quantity: number;
  /** Filled quantity × average fill price, in USD. */
  notionalUsd: number;
  /** Event time, ms since epoch. */
  time: number;
  /** The venue's own id for the liquidation, where it has one (BitMEX orderID); used to count it once. */
  id?: string;
}

/**
 * 'complete': the feed reports every liquidation.
 * 'sampled': the venue pushes at most one per symbol per interval, so totals are lower bounds.
 * 'none': the venue has no public all-users liquidation feed.
 */
export type Completeness = 'complete' | 'sampled' | 'none';

/**
 * A partial market reading for one venue × asset. Each REST response or stream message
 * fills in what it carries; `mergeMarket` combines the pieces.
 */
export interface MarketUpdate {
  venue: VenueId;
  asset: string;
  symbol: string;
  /** When the venue says the values were true (or when we received them), ms. */
  time: number;
  lastPrice?: number;
  markPrice?: number;
  indexPrice?: number;
  /** Funding rate for one of the venue's own intervals, as the venue quotes it. */
  fundingRate?: number;
  /** The symbol's funding interval in hours (1, 2, 4 or 8 exist). */
  fundingIntervalHours?: number;
  /** Funding normalised to an 8 h equivalent; derived by `mergeMarket` from the two above. */
  fundingRate8h?: number;
  nextFundingTime?: number;
  openInterestUsd?: number;
  /** Open interest in base units, used when the venue does not give USD (× mark). */
  openInterestBase?: number;
  perpVolume24hUsd?: number;
  spotVolume24hUsd?: number;
}

/** The merged, latest market state for one venue × asset. */
export type MarketSnapshot = MarketUpdate;

/** Thrown by venue parsers for input that does not match the venue's documented format. */
export class VenueDataError extends Error {
  readonly venue: VenueId;
  constructor(venue: VenueId, message: string) {
    super(`${venue}: ${message}`);
    this.name = 'VenueDataError';
    this.venue = venue;
  }
}

/** Map a venue's base-asset code to the common one (BitMEX and Kraken say XBT for BTC). */
export function normaliseAsset(code: string): string {
  const upper = code.trim().toUpperCase();
  return upper === 'XBT' ? 'BTC' : upper;
}

/** Combine a new partial update into the previous snapshot; derives OI in USD from base × mark. */
export function mergeMarket(previous: MarketSnapshot | undefined, update: MarketUpdate): MarketSnapshot {
  const merged = { ...previous, ...stripUndefined(update) } as MarketSnapshot;
  merged.time = Math.max(previous?.time ?? 0, update.time);
  if (update.openInterestUsd === undefined && update.openInterestBase !== undefined) {
    const mark = merged.markPrice ?? merged.lastPrice;
    if (mark !== undefined) merged.openInterestUsd = update.openInterestBase * mark;
  }
  if (merged.fundingRate !== undefined) {
    merged.fundingRate8h = toFunding8h(merged.fundingRate, merged.fundingIntervalHours ?? DEFAULT_FUNDING_HOURS);
  }
  return merged;
}

/** Most perpetuals settle every 8 h; venues that differ say so per symbol. */
export const DEFAULT_FUNDING_HOURS = 8;

export function toFunding8h(rate: number, intervalHours: number): number {
  return (rate * 8) / intervalHours;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined) (out as Record<string, unknown>)[key] = v;
  }
  return out;
}
