/**
 * The venues' public maintenance-margin tiers for the liquidation-level model (src/core/levels.ts):
 * fetched for the tracked assets' perpetuals when a venue's instrument list is (re)loaded, at most once
 * a day per venue (tiers change rarely), and for an asset when it becomes tracked. The tables are kept
 * here and in storage (TIERS_KEY: a restarted worker does not ask again within the day; the model does
 * not store them), and handed to the model with each perpetual's max leverage from the catalogue.
 * Binance publishes no public tier endpoint: its documented table (binanceMarginTables) is taken
 * instead, without a request, and is not stored.
 *
 * A failed or malformed answer degrades nothing else: it is logged, the venue is tried again after
 * RETRY_MS, and the model keeps the tables it had, or its fallback rate where it has none.
 */
import type { DegradedKind } from '../core/bus';
import type { LevelInstrument } from '../core/levels';
import { marginTable, type MarginTable, type MarginTier } from '../core/margin';
import { VENUE_IDS, type InstrumentSpec, type VenueId } from '../core/model';
import { binanceMarginTables } from '../venues/binance';
import type { RestRequest, VenueAdapter } from '../venues/types';
import { RETRY_MS } from './catalogue';
import { fetchEach, type FetchResult } from './poller';

/** storage.local key of the fetched tables (StoredTiers). */
export const TIERS_KEY = 'marginTiers';

/** Tiers change a few times a year: once a day is plenty. */
export const TIERS_MAX_AGE_MS = 24 * 60 * 60_000;
/**
 * Tier requests go out this many at a time, a second apart: the strictest tier endpoint (Bitget's Get
 * Position Tier, 10 requests/s per IP) never sees a burst, whatever the number of tracked assets.
 */
export const TIER_BATCH = 4;
export const TIER_BATCH_GAP_MS = 1_000;

/** What a refresh reports: the first failure (null: none, or nothing asked) and a rate limit's pause. */
export interface TierOutcome {
  error: string | null;
  errorKind: DegradedKind | null;
  retryAfterMs: number | null;
}

const NOTHING: TierOutcome = { error: null, errorKind: null, retryAfterMs: null };

/** Tables a venue documents instead of serving (no request). */
export const DOCUMENTED_TABLES: Partial<Record<VenueId, (instruments: readonly InstrumentSpec[]) => MarginTable[]>> = { binance: binanceMarginTables };

/** What the tiers are handed to: the engine's level model. */
export interface LevelsSink {
  setInstrument(instrument: LevelInstrument): void;
}

/** fetchEach's shape, injectable for tests. */
export type TierFetcher = <T>(adapter: VenueAdapter, requests: readonly RestRequest[], parse: (key: string, body: unknown) => T) => Promise<FetchResult<T>>;

/** Where the tables are kept between lives of the worker (storage.local in the extension). */
export interface TierStorage {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

/**
 * What TIERS_KEY holds, per venue that serves its tiers: when every request of its last full fetch
 * succeeded, the assets asked for, and each table as [symbol, asset, unit, rows], a row being
 * [maxNotional (null: unbounded, the last tier), maintenance margin rate, max leverage, maintenance amount].
 */
type StoredTier = [number | null, number, number, number];
type StoredTable = [string, string, MarginTable['unit'], StoredTier[]];
type StoredTiers = Partial<Record<VenueId, { fetchedAt: number; assets: string[]; tables: StoredTable[] }>>;

interface VenueTiers {
  /** Symbol → table, as last fetched (a failed refresh keeps them). */
  tables: Map<string, MarginTable>;
  /** When every request of the last full fetch succeeded; -Infinity before. */
  fetchedAt: number;
  /** The catalogue version the last fetch was asked for. */
  catalogue: number;
  /** Assets whose tiers were asked for. */
  assets: Set<string>;
}

export class MarginTiers {
  private readonly venues = new Map<VenueId, VenueTiers>();
  private readonly lastAttempt = new Map<VenueId, number>();

  private readonly fetcher: TierFetcher;
  private readonly documented: typeof DOCUMENTED_TABLES;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Where fetched tables are kept across restarts; none in tests that do not ask. */
  private readonly storage: TierStorage | null;

  constructor(options: { fetcher?: TierFetcher; documented?: typeof DOCUMENTED_TABLES; sleep?: (ms: number) => Promise<void>; storage?: TierStorage } = {}) {
    this.fetcher = options.fetcher ?? fetchEach;
    this.documented = options.documented ?? DOCUMENTED_TABLES;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.storage = options.storage ?? null;
  }

  /** The tables an earlier life of the worker fetched; a malformed entry or table is left out (and fetched again). */
  async load(): Promise<void> {
    const stored = this.storage ? (await this.storage.get(TIERS_KEY))[TIERS_KEY] : undefined;
    if (typeof stored !== 'object' || stored === null) return;
    for (const venue of VENUE_IDS) {
      const entry = (stored as Record<string, unknown>)[venue] as { fetchedAt?: unknown; assets?: unknown; tables?: unknown } | undefined;
      if (!entry || typeof entry.fetchedAt !== 'number' || !Array.isArray(entry.assets) || !Array.isArray(entry.tables)) continue;
      const tables = new Map<string, MarginTable>();
      for (const table of entry.tables.map((row) => restoredTable(venue, row))) if (table) tables.set(table.symbol, table);
      const assets = new Set(entry.assets.filter((asset): asset is string => typeof asset === 'string'));
      this.venues.set(venue, { tables, fetchedAt: entry.fetchedAt, catalogue: -1, assets });
    }
  }

  /** The venue's tables (symbol → table). */
  tablesOf(venue: VenueId): ReadonlyMap<string, MarginTable> {
    return this.venues.get(venue)?.tables ?? new Map();
  }

  /**
   * Brings the venue's tiers up to date for `tracked` and hands them to `levels`: a fetch when the venue
   * has none yet, its list was reloaded and the tables are a day old, or an asset is newly tracked (that
   * asset's only); never twice within RETRY_MS after a failure. Returns the fetch's first failure and a
   * rate limit's pause (the worker pauses the venue: the limit is the IP's). Never throws.
   */
  async refresh(adapter: VenueAdapter, instruments: readonly InstrumentSpec[], catalogueVersion: number, tracked: readonly string[], levels: LevelsSink, now: number): Promise<TierOutcome> {
    if (!instruments.length) return NOTHING;
    const state = this.venues.get(adapter.id) ?? { tables: new Map<string, MarginTable>(), fetchedAt: Number.NEGATIVE_INFINITY, catalogue: -1, assets: new Set<string>() };
    this.venues.set(adapter.id, state);
    let outcome = NOTHING;
    const documented = this.documented[adapter.id];
    if (documented) {
      if (state.catalogue !== catalogueVersion) for (const table of documented(instruments)) state.tables.set(table.symbol, table);
      state.catalogue = catalogueVersion;
      state.fetchedAt = now;
      for (const asset of tracked) state.assets.add(asset);
    } else if (adapter.marginTierRequests && adapter.parseMarginTiers) {
      const stale = state.catalogue !== catalogueVersion && now - state.fetchedAt >= TIERS_MAX_AGE_MS;
      const assets = stale ? [...tracked] : tracked.filter((asset) => !state.assets.has(asset));
      const requests = assets.length ? adapter.marginTierRequests(assets, instruments) : [];
      if (requests.length && now - (this.lastAttempt.get(adapter.id) ?? Number.NEGATIVE_INFINITY) >= RETRY_MS) {
        this.lastAttempt.set(adapter.id, now);
        outcome = await this.fetchTables(adapter, requests, instruments, state.tables);
        if (outcome.error === null) {
          for (const asset of assets) state.assets.add(asset);
          if (stale) {
            state.fetchedAt = now;
            state.catalogue = catalogueVersion;
          }
        } else console.warn(`flush-meter: ${adapter.id} margin tiers: ${outcome.error}; the level model keeps what it had, or its fallback rate`);
        await this.save();
      } else if (!requests.length) {
        // Nothing to ask (no tracked perpetual listed): the list is as good as fetched.
        for (const asset of assets) state.assets.add(asset);
        if (stale) state.catalogue = catalogueVersion;
      }
    }
    this.apply(adapter.id, instruments, tracked, levels);
    return outcome;
  }

  /** Every fetched venue's tables to storage (a failed write costs the next life a fetch, nothing else). */
  private async save(): Promise<void> {
    if (!this.storage) return;
    const stored: StoredTiers = {};
    for (const [venue, state] of this.venues) {
      if (this.documented[venue]) continue;
      stored[venue] = { fetchedAt: state.fetchedAt, assets: [...state.assets], tables: [...state.tables.values()].map(storedTable) };
    }
    try {
      await this.storage.set({ [TIERS_KEY]: stored });
    } catch (error) {
      console.warn('flush-meter: could not store the margin tiers', error);
    }
  }

  /** The requests in batches of TIER_BATCH a second apart, each table into `tables`; a failure stops nothing but a rate limit. */
  private async fetchTables(adapter: VenueAdapter, requests: readonly RestRequest[], instruments: readonly InstrumentSpec[], tables: Map<string, MarginTable>): Promise<TierOutcome> {
    const parse = adapter.parseMarginTiers!.bind(adapter);
    let outcome = NOTHING;
    for (let i = 0; i < requests.length; i += TIER_BATCH) {
      if (i > 0) await this.sleep(TIER_BATCH_GAP_MS);
      const result = await this.fetcher(adapter, requests.slice(i, i + TIER_BATCH), (key, body) => parse(key, body, instruments));
      for (const table of result.outputs.flat()) tables.set(table.symbol, table);
      if (outcome.error === null && result.error !== null) outcome = { error: result.error, errorKind: result.errorKind, retryAfterMs: result.retryAfterMs };
      if (result.retryAfterMs !== null) return { ...outcome, retryAfterMs: result.retryAfterMs };
    }
    return outcome;
  }

  /** Every tracked perpetual of the venue to the model: its table (when known) and its max leverage from the list. */
  private apply(venue: VenueId, instruments: readonly InstrumentSpec[], tracked: readonly string[], levels: LevelsSink): void {
    const tables = this.venues.get(venue)?.tables ?? new Map<string, MarginTable>();
    const wanted = new Set(tracked);
    for (const spec of instruments) {
      if (spec.kind !== 'perp' || !wanted.has(spec.asset)) continue;
      const table = tables.get(spec.symbol);
      if (!table && spec.maxLeverage === undefined) continue;
      levels.setInstrument({ venue, symbol: spec.symbol, asset: spec.asset, ...(table ? { table } : {}), ...(spec.maxLeverage !== undefined ? { maxLeverage: spec.maxLeverage } : {}) });
    }
  }
}

function storedTable(table: MarginTable): StoredTable {
  return [table.symbol, table.asset, table.unit, table.tiers.map((tier) => [Number.isFinite(tier.maxNotional) ? tier.maxNotional : null, tier.maintenanceMarginRate, tier.maxLeverage, tier.maintenanceAmount])];
}

/** A stored table through the same checks as a fetched one (marginTable), or null. */
function restoredTable(venue: VenueId, stored: unknown): MarginTable | null {
  if (!Array.isArray(stored) || stored.length !== 4) return null;
  const [symbol, asset, unit, rows] = stored as unknown[];
  if (typeof symbol !== 'string' || typeof asset !== 'string' || (unit !== 'usd' && unit !== 'base') || !Array.isArray(rows)) return null;
  const tiers: MarginTier[] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== 4 || !row.every((n, i) => typeof n === 'number' || (i === 0 && n === null))) return null;
    const [maxNotional, maintenanceMarginRate, maxLeverage, maintenanceAmount] = row as StoredTier;
    // The unbounded last tier: any size above the others (marginTable makes the last tier unbounded again).
    tiers.push({ maxNotional: maxNotional ?? Number.MAX_VALUE, maintenanceMarginRate, maxLeverage, maintenanceAmount });
  }
  return marginTable(venue, symbol, asset, unit, tiers);
}
