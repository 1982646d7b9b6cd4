/**
 * The engine: everything the worker knows about the market, in one pure object.
 * It ingests normalised liquidations and market updates, keeps the rolling windows and
 * latest snapshots, and derives the readings the meter and popup show.
 * The worker and the replay command both drive this same class.
 */
import { mergeMarket, type Completeness, type Liquidation, type MarketSnapshot, type MarketUpdate, type VenueId } from './model';
import { LiquidationWindows, type SerializedWindows, type WindowTotals } from './windows';

export const MARKET_SCOPE = 'ALL';

export interface VenueReading {
  venue: VenueId;
  liq1hUsd: number;
  funding8h: number | null;
  basis: number | null;
  openInterestUsd: number | null;
}

export interface ScopeReading {
  /** 'ALL' for the market, else the asset ('BTC'). */
  scope: string;
  liq1h: WindowTotals;
  liq24h: WindowTotals;
  /** Venues with sampled feeds that contributed: the totals are lower bounds. */
  sampledVenues: VenueId[];
  /** 8 h-equivalent funding, weighted by open interest across venues. */
  funding8h: number | null;
  /** (mark − index) / index, weighted by open interest across venues. */
  basis: number | null;
  openInterestUsd: number | null;
  markPrice: number | null;
  indexPrice: number | null;
  /** Newest market data time behind this reading (ms), or null. */
  dataTime: number | null;
  venues: VenueReading[];
}

export interface Readings {
  computedAt: number;
  /** When the oldest retained bucket starts: the windows know nothing before it. */
  collectingSince: number | null;
  scopes: Record<string, ScopeReading>;
}

export interface EngineState {
  windows: SerializedWindows;
  markets: Record<string, MarketSnapshot>;
  startedAt: number;
}

export class FlushEngine {
  readonly windows: LiquidationWindows;
  private readonly markets = new Map<string, MarketSnapshot>();
  private startedAt: number;

  constructor(
    /** Completeness per venue, so readings can flag lower bounds. */
    private readonly completeness: Partial<Record<VenueId, Completeness>>,
    now: number,
    state?: EngineState,
  ) {
    this.windows = LiquidationWindows.fromJSON(state?.windows);
    for (const [key, snapshot] of Object.entries(state?.markets ?? {})) this.markets.set(key, snapshot);
    this.startedAt = state?.startedAt ?? now;
  }

  ingestLiquidation(liquidation: Liquidation, now: number): boolean {
    return this.windows.add(liquidation, now);
  }

  ingestMarket(update: MarketUpdate): void {
    const key = `${update.venue}|${update.asset}`;
    this.markets.set(key, mergeMarket(this.markets.get(key), update));
  }

  snapshots(): MarketSnapshot[] {
    return [...this.markets.values()];
  }

  prune(now: number): void {
    this.windows.prune(now);
  }

  /** Readings for the market and for every asset in `assets` (plus any asset with data). */
  readings(now: number, assets: readonly string[]): Readings {
    const scopes: Record<string, ScopeReading> = { [MARKET_SCOPE]: this.scopeReading(MARKET_SCOPE, now) };
    const known = new Set([...assets, ...this.windows.keys().map((k) => k.asset), ...this.snapshots().map((s) => s.asset)]);
    for (const asset of known) scopes[asset] = this.scopeReading(asset, now);
    const earliest = this.windows.earliestMinute();
    return {
      computedAt: now,
      collectingSince: Math.min(this.startedAt, earliest === null ? Infinity : earliest * 60_000),
      scopes,
    };
  }

  private scopeReading(scope: string, now: number): ScopeReading {
    const assetFilter = scope === MARKET_SCOPE ? {} : { asset: scope };
    const snapshots = this.snapshots().filter((s) => scope === MARKET_SCOPE || s.asset === scope);
    const venueIds = new Set<VenueId>([
      ...snapshots.map((s) => s.venue),
      ...this.windows.keys().filter((k) => scope === MARKET_SCOPE || k.asset === scope).map((k) => k.venue),
    ]);
    const venues: VenueReading[] = [...venueIds].sort().map((venue) => {
      const own = snapshots.filter((s) => s.venue === venue);
      return {
        venue,
        liq1hUsd: this.windows.totals(now, 60, { ...assetFilter, venue }).totalUsd,
        funding8h: oiWeighted(own, (s) => s.fundingRate8h),
        basis: oiWeighted(own, basisOf),
        openInterestUsd: sumOrNull(own.map((s) => s.openInterestUsd)),
      };
    });
    const liq1h = this.windows.totals(now, 60, assetFilter);
    const liq24h = this.windows.totals(now, 24 * 60, assetFilter);
    const single = scope === MARKET_SCOPE ? [] : snapshots;
    return {
      scope,
      liq1h,
      liq24h,
      sampledVenues: venues.filter((v) => v.liq1hUsd > 0 && this.completeness[v.venue] === 'sampled').map((v) => v.venue),
      funding8h: oiWeighted(snapshots, (s) => s.fundingRate8h),
      basis: oiWeighted(snapshots, basisOf),
      openInterestUsd: sumOrNull(snapshots.map((s) => s.openInterestUsd)),
      // Prices only make sense for one asset; the market scope has none.
      markPrice: oiWeighted(single, (s) => s.markPrice),
      indexPrice: oiWeighted(single, (s) => s.indexPrice),
      dataTime: snapshots.length ? Math.max(...snapshots.map((s) => s.time)) : null,
      venues,
    };
  }

  toJSON(): EngineState {
    return { windows: this.windows.toJSON(), markets: Object.fromEntries(this.markets), startedAt: this.startedAt };
  }
}

export function basisOf(snapshot: MarketSnapshot): number | undefined {
  const { markPrice, indexPrice } = snapshot;
  return markPrice !== undefined && indexPrice !== undefined && indexPrice > 0 ? (markPrice - indexPrice) / indexPrice : undefined;
}

/**
 * Average of `pick` over snapshots, weighted by open interest in USD; snapshots without OI
 * count with equal weight only when none has OI. Null when no snapshot has the value.
 */
export function oiWeighted(snapshots: MarketSnapshot[], pick: (s: MarketSnapshot) => number | undefined): number | null {
  let weighted = 0;
  let weights = 0;
  let plain = 0;
  let plainCount = 0;
  for (const snapshot of snapshots) {
    const value = pick(snapshot);
    if (value === undefined || !Number.isFinite(value)) continue;
    plain += value;
    plainCount += 1;
    const oi = snapshot.openInterestUsd;
    if (oi !== undefined && oi > 0) {
      weighted += value * oi;
      weights += oi;
    }
  }
  if (weights > 0) return weighted / weights;
  return plainCount > 0 ? plain / plainCount : null;
}

function sumOrNull(values: Array<number | undefined>): number | null {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return present.length ? present.reduce((a, b) => a + b, 0) : null;
}
