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

/** Perpetual swap, dated (delivery) future, or spot pair. */
export type InstrumentKind = 'perp' | 'dated' | 'spot';

/**
 * What one unit of a venue's size field is worth. Sizes are in the instrument's quoted units:
 * for 1000PEPEUSDT one unit is 1000 PEPE (see `priceScale`).
 * - linear: a size of n is n × `size` quoted units of the base; USD = units × price (USDT/USDC taken as USD);
 * - inverse: a size of n is n × `usd` US dollars of face value;
 * - quanto: a size of n is worth n × `multiplier` × price in the `settle` currency (BitMEX ETHUSD: 100 satoshi per $1).
 */
export type ContractValue =
  | { type: 'linear'; size: number }
  | { type: 'inverse'; usd: number }
  | { type: 'quanto'; multiplier: number; settle: string };

/**
 * One instrument of a venue's public instrument list (the catalogue), as the parsers need it.
 * Loaded on start and refreshed daily; passed to every parser, so venue files keep no state.
 */
export interface InstrumentSpec {
  venue: VenueId;
  /** Venue-native symbol: 'BTCUSDT', '1000PEPEUSDT', 'XBTUSDT', 'BTC-USD-251226', 'kPEPE'. */
  symbol: string;
  /** Canonical base asset: PEPE for 1000PEPEUSDT and kPEPE, BTC for XBTUSDT. */
  asset: string;
  kind: InstrumentKind;
  /** Canonical units per quoted unit: 1000 for 1000PEPEUSDT and kPEPE, else 1. */
  priceScale: number;
  contract: ContractValue;
  /** Highest leverage the venue allows on it, where the list says. */
  maxLeverage?: number;
  /** Its mark price when the list was fetched, where a venue values other contracts with it (BitMEX XBTUSD for quantos). */
  referencePrice?: number;
}

export interface Liquidation {
  venue: VenueId;
  /** Venue-native symbol, e.g. 'BTCUSDT', 'XBTUSD', 'BTC-USDT-SWAP'. */
  symbol: string;
  /** Canonical base asset (the instrument's `asset`). */
  asset: string;
  /** Dated futures count as liquidations of their asset too. */
  kind: InstrumentKind;
  side: PositionSide;
  /** Per one unit of the canonical asset (a 1000PEPEUSDT price ÷ 1000). */
  price: number;
  /** Filled size in canonical base units (never contracts, never thousands). */
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
  /** Perpetual figures (funding, OI, basis, perp volume) or spot volume; dated futures never mix into them. */
  kind: InstrumentKind;
  /** When the venue says the values were true (or when we received them), ms. */
  time: number;
  /** Prices per one unit of the canonical asset. */
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

/**
 * Venues quote tiny-priced coins in multiples: 1000PEPEUSDT (Binance, Bybit), 1000000MOGUSDT,
 * 1MBABYDOGEUSDT, kPEPE (Hyperliquid: k = 1000). The canonical asset is the coin itself with a
 * price scale of that multiple, so PEPE is PEPE on every venue (OKX lists PEPE-USDT-SWAP).
 * A digit that belongs to the coin's name (1INCH) has no power of ten after it and is kept.
 * null for a code that is no asset code (empty, punctuation, markup): such an instrument is skipped.
 */
export function canonicalBase(code: string): { asset: string; priceScale: number } | null {
  const trimmed = code.trim();
  const thousand = /^k([A-Z][A-Z0-9]*)$/.exec(trimmed);
  const upper = trimmed.toUpperCase();
  const million = /^1M([A-Z][A-Z0-9]*)$/.exec(upper);
  // Any power of ten from 1000 up: Bybit lists 10000000AIDOGEUSDT.
  const multiple = /^(10{3,9})([A-Z][A-Z0-9]*)$/.exec(upper);
  const [coin, priceScale] = thousand ? [thousand[1]!, 1000] : million ? [million[1]!, 1_000_000] : multiple ? [multiple[2]!, Number(multiple[1])] : [upper, 1];
  const asset = normaliseAsset(coin);
  return ASSET_CODE.test(asset) ? { asset, priceScale } : null;
}

/** What an asset code looks like everywhere (sites, the page port, storage keys). */
export const ASSET_CODE = /^[A-Z0-9]{1,20}$/;

/** Combine a new partial update into the previous snapshot; derives OI in USD from base × mark. */
export function mergeMarket(previous: MarketSnapshot | undefined, update: MarketUpdate): MarketSnapshot {
  const merged = { ...previous, ...stripUndefined(update) } as MarketSnapshot;
  merged.time = Math.max(previous?.time ?? 0, update.time);
  // A snapshot holds a perpetual's figures; the spot volume filed beside them does not make it spot.
  if (previous?.kind === 'perp') merged.kind = 'perp';
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
