/**
 * The engine: everything the worker knows about the market, in one pure object.
 * It ingests normalised liquidations and market updates, keeps the rolling windows and
 * latest snapshots, and derives the readings the meter and popup show.
 * The worker and the replay command both drive this same class.
 */
import { parseModelState, seedFromEvidence, stepModel, type ModelState, type Verdict } from './flush';
import { MarketHistory, type SerializedHistory } from './history';
import { historyChart, type HistoryChart } from './history-chart';
import { emptyLevels, joinPastBars, LiquidationLevels, type AssetLevels, type LevelAssumptions, type LevelBar, type LevelBook, type PastBarPart, type StoredLevels } from './levels';
import { mergeMarket, type Completeness, type Liquidation, type MarketSnapshot, type MarketUpdate, type VenueId } from './model';
import { applyAnchor, computeSignals, flushEvidence, historySignals, largestMove1h, preFlushMinute, type FlushEvidence, type FlushSignals, type HistorySignals, type SignalContext } from './signals';
import { resolveThresholds, type FlushThresholds } from './thresholds';
import { LiquidationWindows, MARKET_SCOPE, MINUTE_MS, minuteOf, parseKey, RETENTION_MINUTES, seriesKey, type SerializedWindows, type WindowTotals } from './windows';

export { MARKET_SCOPE };
/**
 * A worker away longer than this (browser closed, machine asleep) missed liquidations no stream
 * will repeat: the windows are complete again only from its return. A worker restart within the
 * browser session is back in seconds and its venues' gaps say what they missed.
 */
export const ABSENCE_MS = 5 * 60_000;
/** A purge for space never touches the last two hours: the 1 h window and its baseline context. */
export const PROTECTED_MINUTES = 120;

/** The level model's bars (levels.ts: 5-minute bars, as the venues' kline and OI-history endpoints give them). */
const LEVEL_BAR_MINUTES = 5;
/** How far back a first feed of the level model reaches: what the history keeps. */
const LEVEL_BACKFILL_MINUTES = 24 * 60;
/**
 * A book reaching back this far already holds more than the history could give it (a deep backfill, or days of
 * live bars): a deep backfill is not asked again for it (wantsLevelHistory).
 */
const LEVEL_DEEP_MS = 2 * 24 * 60 * MINUTE_MS;

/** One bar from minute samples (NaN unknown) at [start, start + LEVEL_BAR_MINUTES); null without a price. */
function barOf(price: Float64Array, oi: Float64Array, start: number, endMs: number): LevelBar | null {
  let open = Number.NaN;
  let close = Number.NaN;
  let high = -Infinity;
  let low = Infinity;
  let openInterestUsd = Number.NaN;
  for (let i = start; i < start + LEVEL_BAR_MINUTES && i < price.length; i++) {
    const p = price[i]!;
    if (!Number.isNaN(oi[i]!)) openInterestUsd = oi[i]!;
    if (Number.isNaN(p)) continue;
    if (Number.isNaN(open)) open = p;
    close = p;
    high = Math.max(high, p);
    low = Math.min(low, p);
  }
  if (Number.isNaN(close)) return null;
  return { time: endMs, open, high, low, close, ...(Number.isNaN(openInterestUsd) ? {} : { openInterestUsd }) };
}

/** How long a scope's history signals stand within a minute once its history changed (see fromHistory). */
export const HISTORY_REREAD_MS = 15_000;

interface HistoryMemo {
  minute: number;
  /** The history's change stamp for the scope when read (MarketHistory.stamp). */
  stamp: string;
  at: number;
  signals: HistorySignals;
  largestMove1h: number | null;
  /** preFlushMinute by onset minute, read from the same history. */
  preFlush: Map<number, number>;
}

export interface VenueReading {
  venue: VenueId;
  liq1hUsd: number;
  funding8h: number | null;
  basis: number | null;
  openInterestUsd: number | null;
}

/**
 * One scope's reading, as published: the storage key `reading:<scope>` (bus.ts) and a page's port
 * message carry exactly this record, and the popup and the page read it as is.
 */
export interface ScopeReading {
  /** 'ALL' for the market, else the asset ('BTC'). */
  scope: string;
  /** When this scope was last computed (ms): a scope nothing touched keeps its reading, and this time. */
  computedAt: number;
  /** From when the liquidation windows are complete (install, return from an absence), or null. */
  collectingSince: number | null;
  liq1h: WindowTotals;
  liq24h: WindowTotals;
  /** Venues with sampled feeds that contributed in the last hour: the 1 h totals are lower bounds. */
  sampledVenues: VenueId[];
  /** The same over the last 24 h: the 4 h and 24 h totals are lower bounds. */
  sampledVenues24h: VenueId[];
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
  /** The flush meter's verdict: phase, side, pressure 0–100, reasons, since. */
  verdict: Verdict;
  /** Everything the verdict was computed from (src/core/signals.ts). */
  signals: FlushSignals;
  /**
   * Estimated liquidation levels around the mark price (src/core/levels.ts, docs/levels.md): an
   * estimate from price and open-interest bars over an assumed leverage mix. Null for the market scope.
   */
  levels: AssetLevels | null;
  /**
   * Largest absolute 1 h price move over the last 24 h (fraction), for the risk box.
   * For 'ALL': the largest of any asset. Null until an hour of prices is known.
   */
  largestMove1h24h: number | null;
}

export interface ReadingSet {
  computedAt: number;
  /** From when the liquidation windows are complete (install or return from an absence; earlier where history covers every venue). */
  collectingSince: number | null;
  scopes: Record<string, ScopeReading>;
}

export interface EngineState {
  windows: SerializedWindows;
  markets: Record<string, MarketSnapshot>;
  /** From when the liquidation windows are complete (ms). */
  liqFrom: number;
  /** The latest time the engine was fed or read (ms): how long it was away when it comes back. */
  lastAt: number;
  /** Minute series of market data per venue × asset. */
  history: SerializedHistory;
  /** The flush model's memory per scope ('ALL', 'BTC', …). */
  model: Record<string, ModelState>;
  /** 'venue|asset' → time of the newest liquidation from a sampled feed: older buckets no longer say which venue filled them. */
  sampledAt: Record<string, number>;
  /** The liquidation-level model's books (levels.ts). */
  levels?: StoredLevels;
}

export class FlushEngine {
  readonly windows: LiquidationWindows;
  readonly history: MarketHistory;
  /** Estimated liquidation levels per venue × perpetual, fed 5-minute bars read from the history (feedLevels). */
  readonly levels: LiquidationLevels;
  private readonly markets = new Map<string, MarketSnapshot>();
  private readonly models = new Map<string, ModelState>();
  private thresholds: FlushThresholds;
  /** From when the liquidation windows are complete: the install, the return from an absence, or what the caller knows (replay). */
  private liqFrom: number;
  private lastAt: number;
  /** Per scope, the minute the history was last searched for a flush the liquidations missed, and what it found. */
  private readonly evidence = new Map<string, { minute: number; found: FlushEvidence | null }>();
  /** 'venue|asset' → newest liquidation time from a sampled feed (see EngineState.sampledAt). */
  private readonly sampledAt = new Map<string, number>();
  /** asset → venue → the latest snapshot (the same objects as `markets`): a scope's reading looks up its own. */
  private readonly marketsByAsset = new Map<string, Map<VenueId, MarketSnapshot>>();
  /** Each scope's latest reading; recomputed only when touched (`touched`) or in a new minute (see readings()). */
  private readonly computed = new Map<string, ScopeReading>();
  /** Scopes a liquidation or a market update touched since their reading was computed. */
  private readonly touched = new Set<string>();
  /** Per scope, the signals read from the market history, and when (see historySignals). */
  private readonly historyMemo = new Map<string, HistoryMemo>();
  /** The end (minute) of the last 5-minute bar given to the level model. */
  private levelsFedTo = -Infinity;
  /** Counts the feeds that changed the level model; with the price, what an asset's levels depend on (levelsOf). */
  private levelsVersion = 0;
  private readonly levelsMemo = new Map<string, { version: number; price: number; levels: AssetLevels }>();

  constructor(
    /** Completeness per venue, so readings can flag lower bounds. */
    private readonly completeness: Partial<Record<VenueId, Completeness>>,
    now: number,
    state?: EngineState,
    /** Overrides of DEFAULT_FLUSH_THRESHOLDS (e.g. from the options page). */
    thresholds: Partial<FlushThresholds> = {},
    /** A fresh engine's liquidations are complete from `now` unless the caller knows better (a replay with history). */
    liqFrom?: number,
    /** Overrides of the liquidation-level model's assumptions (the leverage mix from the options page). */
    levelAssumptions: Partial<LevelAssumptions> = {},
  ) {
    this.windows = LiquidationWindows.fromJSON(state?.windows);
    this.history = MarketHistory.fromJSON(state?.history);
    this.levels = LiquidationLevels.fromJSON(state?.levels, levelAssumptions);
    for (const snapshot of Object.values(state?.markets ?? {})) this.setMarket(snapshot);
    for (const [scope, model] of Object.entries(state?.model ?? {})) {
      const parsed = parseModelState(model);
      if (parsed) this.models.set(scope, parsed);
    }
    const away = state && isTime(state.lastAt) ? now - state.lastAt : Infinity;
    this.liqFrom = state && isTime(state.liqFrom) && away <= ABSENCE_MS ? state.liqFrom : (liqFrom ?? now);
    this.lastAt = state && isTime(state.lastAt) ? state.lastAt : now;
    this.thresholds = resolveThresholds(thresholds);
    this.restoreSampledAt(state?.sampledAt);
  }

  /**
   * Replaces the level model's assumptions (LEVEL_ASSUMPTIONS overlaid with `overrides`: the leverage mix
   * from the options page); its books are kept, new positions spread by the new mix from the next bar.
   */
  setLevelAssumptions(overrides: Partial<LevelAssumptions>): void {
    this.levels.setAssumptions(overrides);
    this.levelsVersion += 1;
    this.touchAll();
  }

  /** Replaces the thresholds (defaults overlaid with `overrides`); the model state is kept. */
  setThresholds(overrides: Partial<FlushThresholds>): void {
    this.thresholds = resolveThresholds(overrides);
    this.touchAll();
  }

  /** Every scope's reading is recomputed at the next readings() (thresholds, history back-fill, a purge). */
  private touchAll(): void {
    this.computed.clear();
    this.historyMemo.clear();
  }

  private touch(asset: string): void {
    this.touched.add(asset);
    this.touched.add(MARKET_SCOPE);
  }

  /** From when the liquidation windows are complete (ms). */
  get liquidationsCompleteFrom(): number {
    return this.liqFrom;
  }

  private noteTime(now: number): void {
    if (now > this.lastAt) this.lastAt = now;
  }

  ingestLiquidation(liquidation: Liquidation, now: number): boolean {
    this.noteTime(now);
    const accepted = this.windows.add(liquidation, now);
    if (!accepted) return false;
    this.touch(liquidation.asset);
    if (this.completeness[liquidation.venue] === 'sampled') this.noteSampled(seriesKey(liquidation.venue, liquidation.asset), liquidation.time);
    return true;
  }

  private noteSampled(key: string, time: number): void {
    if (time > (this.sampledAt.get(key) ?? -Infinity)) this.sampledAt.set(key, time);
  }

  /** From storage: malformed entries are skipped. */
  private restoreSampledAt(stored: unknown): void {
    if (typeof stored !== 'object' || stored === null) return;
    for (const [key, time] of Object.entries(stored)) if (typeof time === 'number' && Number.isFinite(time) && key.includes('|')) this.noteSampled(key, time);
  }

  /** Sampled venues with a liquidation in `scope` since `since`. */
  private sampledSince(scope: string, since: number): VenueId[] {
    const venues = new Set<VenueId>();
    for (const [key, time] of this.sampledAt) {
      if (time < since) continue;
      const { venue, asset } = parseKey(key);
      if (scope === MARKET_SCOPE || asset === scope) venues.add(venue);
    }
    return [...venues].sort();
  }

  ingestMarket(update: MarketUpdate): void {
    const merged = mergeMarket(this.markets.get(seriesKey(update.venue, update.asset)), update);
    this.setMarket(merged);
    this.history.record(merged);
    this.touch(update.asset);
  }

  private setMarket(snapshot: MarketSnapshot): void {
    this.markets.set(seriesKey(snapshot.venue, snapshot.asset), snapshot);
    let byVenue = this.marketsByAsset.get(snapshot.asset);
    if (!byVenue) this.marketsByAsset.set(snapshot.asset, (byVenue = new Map()));
    byVenue.set(snapshot.venue, snapshot);
  }

  /**
   * Storage is full: drop the oldest `hours` of liquidation buckets and market history, but
   * never the last PROTECTED_MINUTES (the windows the meter shows now). False when nothing is left to drop.
   */
  purgeOldest(now: number, hours = 6): boolean {
    const nowMinute = minuteOf(now);
    const earliest = Math.min(this.windows.earliestMinute() ?? Infinity, this.history.earliestMinute() ?? Infinity);
    const cut = Math.min(earliest + hours * 60, nowMinute - PROTECTED_MINUTES);
    if (!Number.isFinite(earliest) || cut <= earliest) return false;
    this.windows.dropBefore(cut);
    this.history.dropBefore(cut);
    this.touchAll();
    return true;
  }

  /** Past market points from history endpoints (see MarketHistory.backfill). */
  backfillHistory(points: MarketUpdate[], now: number): void {
    this.history.backfill(points, now);
    this.touchAll();
  }


  prune(now: number): void {
    this.noteTime(now);
    this.windows.prune(now);
    this.history.prune(now);
    for (const [key, time] of this.sampledAt) if (time < now - RETENTION_MINUTES * 60_000) this.sampledAt.delete(key);
  }

  /**
   * Readings for the market and for every asset in `assets` (plus any asset with data). Only the
   * scopes that changed are computed: those a liquidation or market update touched since, and
   * every scope once a minute (the windows roll and the model steps by the minute); the others
   * are the same objects as before, so a caller can tell what changed by identity.
   * Also steps each computed scope's flush model to `now` (idempotent for repeated calls at one
   * time; a call with an older `now` than the model's last step reads without changing the model).
   */
  readings(now: number, assets: readonly string[]): ReadingSet {
    this.noteTime(now);
    const minute = minuteOf(now);
    this.feedLevels(minute);
    const known = new Set([...assets, ...this.windows.assets(), ...this.marketsByAsset.keys()]);
    const scopes: Record<string, ScopeReading> = {};
    let assetChanged = false;
    for (const asset of known) {
      const reading = this.isCurrent(asset, minute) ? this.computed.get(asset)! : this.compute(asset, now, null);
      assetChanged ||= reading !== this.computed.get(asset);
      scopes[asset] = reading;
    }
    // The market's largest move is the largest of any asset's.
    const market = this.isCurrent(MARKET_SCOPE, minute) && !assetChanged ? this.computed.get(MARKET_SCOPE)! : this.compute(MARKET_SCOPE, now, largest(Object.values(scopes)));
    for (const [scope, reading] of Object.entries(scopes)) this.computed.set(scope, reading);
    for (const scope of this.computed.keys()) if (scope !== MARKET_SCOPE && !known.has(scope)) this.computed.delete(scope);
    return { computedAt: now, collectingSince: this.liqFrom, scopes: { [MARKET_SCOPE]: market, ...scopes } };
  }

  /**
   * Gives the level model every 5-minute bar that closed since it was last fed, per venue × asset
   * with a perpetual, built from the market history's minutes (open, high, low, close of the mark
   * price, else the last price; open interest at the bar's end): the same history the signals read,
   * live and back-filled alike. Bars older than the history reach back are not rebuilt.
   */
  private feedLevels(nowMinute: number): void {
    const lastClosed = Math.floor(nowMinute / LEVEL_BAR_MINUTES) * LEVEL_BAR_MINUTES;
    if (lastClosed <= this.levelsFedTo) return;
    this.levelsFedTo = lastClosed;
    for (const { key, venue, asset } of this.history.keys()) {
      const symbol = this.markets.get(key)?.symbol;
      if (!symbol || this.markets.get(key)?.kind !== 'perp') continue;
      const fedTo = this.levels.lastBarEnd(venue, symbol);
      const from = Math.max(fedTo === null ? -Infinity : minuteOf(fedTo), lastClosed - LEVEL_BACKFILL_MINUTES);
      const first = Math.ceil(from / LEVEL_BAR_MINUTES) * LEVEL_BAR_MINUTES;
      if (first >= lastClosed) continue;
      const { price, oi } = this.history.sampled(key, first, 1, lastClosed - first);
      for (let start = 0; start < lastClosed - first; start += LEVEL_BAR_MINUTES) {
        const bar = barOf(price, oi, start, (first + start + LEVEL_BAR_MINUTES) * MINUTE_MS);
        if (bar && this.levels.ingestBar(venue, symbol, asset, bar)) this.levelsVersion += 1;
      }
    }
    this.levels.prune(nowMinute * MINUTE_MS);
    this.levelsVersion += 1;
  }

  /**
   * Whether the level model would take a deep backfill (days of coarser bars: backfillLevels) for an asset on a
   * venue: unless one of its books there already reaches LEVEL_DEEP_MS back and the history can carry it on from
   * its last bar (a book without a bar for longer is pruned). A book survives a restart in the stored state, so a
   * restarted worker, or one back from a short absence, does not ask for the same days again.
   */
  wantsLevelHistory(venue: VenueId, asset: string, now: number): boolean {
    const carriesOn = (book: LevelBook) =>
      book.venue === venue && now - book.from >= LEVEL_DEEP_MS && now - book.time <= LEVEL_BACKFILL_MINUTES * MINUTE_MS;
    return !this.levels.booksOf(asset).some(carriesOn);
  }

  /**
   * Days of past bars for the level model (issue 17: up to 7 days of kline and OI history on install), as the
   * venues' history endpoints give them (1 h bars, joined by joinPastBars), fed BEFORE the 5-minute bars the
   * market history holds, in time order and once: only the bars that end by the first 5-minute bar the history
   * can rebuild are taken (firstRebuildableBar); the book is built again from them and feedLevels then feeds the
   * history's bars after them. A book that already reaches as far back is left alone. Returns the bars applied.
   */
  backfillLevels(parts: readonly PastBarPart[], now: number): number {
    let applied = 0;
    for (const { venue, symbol, asset, bars } of joinPastBars(parts)) {
      const reach = this.levels.firstBarEnd(venue, symbol);
      if (bars.length === 0 || (reach !== null && reach <= bars[0]!.time)) continue;
      const cut = this.firstRebuildableBar(seriesKey(venue, asset), minuteOf(now)) * MINUTE_MS;
      const before = bars.filter((bar) => bar.time <= cut);
      if (before.length === 0) continue;
      applied += this.levels.rebuild(venue, symbol, asset, before);
      this.touch(asset);
    }
    if (applied > 0) {
      // Every book is fed again from where it stands: the rebuilt ones from their last past bar.
      this.levelsFedTo = -Infinity;
      this.levelsVersion += 1;
    }
    return applied;
  }

  /**
   * The start (minute) of the first 5-minute bar within the history's reach that feedLevels would apply for a
   * series (a price and an open interest in it); the last closed bar's end when there is none (a venue whose
   * history endpoints give no open interest: its past bars then reach up to now).
   */
  private firstRebuildableBar(key: string, nowMinute: number): number {
    const lastClosed = Math.floor(nowMinute / LEVEL_BAR_MINUTES) * LEVEL_BAR_MINUTES;
    const first = lastClosed - LEVEL_BACKFILL_MINUTES;
    const { price, oi } = this.history.sampled(key, first, 1, LEVEL_BACKFILL_MINUTES);
    for (let start = 0; start < LEVEL_BACKFILL_MINUTES; start += LEVEL_BAR_MINUTES) {
      if (barOf(price, oi, start, 0)?.openInterestUsd !== undefined) return first + start;
    }
    return lastClosed;
  }

  /** An asset's levels at `price`: read again only after a new bar or at another price. */
  private levelsOf(asset: string, price: number, now: number): AssetLevels {
    const memo = this.levelsMemo.get(asset);
    if (memo && memo.version === this.levelsVersion && memo.price === price) return memo.levels;
    const levels = this.levels.reading(asset, price, now);
    this.levelsMemo.set(asset, { version: this.levelsVersion, price, levels });
    return levels;
  }

  /** Whether a scope's reading still holds: computed this minute, and untouched since. */
  private isCurrent(scope: string, minute: number): boolean {
    const reading = this.computed.get(scope);
    return reading !== undefined && !this.touched.has(scope) && minuteOf(reading.computedAt) === minute;
  }

  private compute(scope: string, now: number, marketMove: number | null): ScopeReading {
    this.touched.delete(scope);
    const reading = this.scopeReading(scope, now, this.liqFrom, marketMove);
    if (scope === MARKET_SCOPE) this.computed.set(scope, reading);
    return reading;
  }

  /**
   * One scope's 24 h history chart (history-chart.ts), asked for on demand by a page that shows it:
   * not part of the published reading. Empty bars and unknown lines for a scope without data.
   */
  historyChart(scope: string, now: number): HistoryChart {
    const isMarket = scope === MARKET_SCOPE;
    return historyChart({
      windows: this.windows,
      history: this.history,
      keys: this.history.keys(isMarket ? undefined : scope),
      scope,
      now,
      countedFrom: this.liqFrom,
      sampledVenues: (Object.keys(this.completeness) as VenueId[]).filter((venue) => this.completeness[venue] === 'sampled'),
      sampledInDay: this.sampledSince(scope, now - 24 * 60 * 60_000).length > 0,
    });
  }

  /** The flush model's memory for one scope (for diagnostics and tests). */
  modelState(scope: string): ModelState | null {
    return this.models.get(scope) ?? null;
  }

  private scopeReading(scope: string, now: number, collectingSince: number, marketMove: number | null): ScopeReading {
    const isMarket = scope === MARKET_SCOPE;
    const snapshots = isMarket ? [...this.markets.values()] : [...(this.marketsByAsset.get(scope)?.values() ?? [])];
    const venueUsd = this.windows.venueTotalsUsd(now, 60, isMarket ? undefined : scope);
    const byVenue = new Map<VenueId, MarketSnapshot[]>();
    for (const snapshot of snapshots) {
      const own = byVenue.get(snapshot.venue);
      if (own) own.push(snapshot);
      else byVenue.set(snapshot.venue, [snapshot]);
    }
    const venueIds = new Set<VenueId>([...byVenue.keys(), ...venueUsd.keys()]);
    const venues: VenueReading[] = [...venueIds].sort().map((venue) => {
      const own = byVenue.get(venue) ?? [];
      return {
        venue,
        liq1hUsd: venueUsd.get(venue) ?? 0,
        funding8h: oiWeighted(own, (s) => s.fundingRate8h),
        basis: oiWeighted(own, basisOf),
        openInterestUsd: sumOrNull(own.map((s) => s.openInterestUsd)),
      };
    });
    const view = this.windows.scope(scope);
    const nowMinute = minuteOf(now);
    const liq1h = view.totals(nowMinute - 59, nowMinute);
    const liq24h = view.totals(nowMinute - 24 * 60 + 1, nowMinute);
    const single = isMarket ? [] : snapshots;
    // Liquidations trigger on the mark price; where a venue gives none, its last price stands in.
    const levelPrice = oiWeighted(single, (s) => s.markPrice ?? s.lastPrice);
    return {
      scope,
      computedAt: now,
      collectingSince: Number.isFinite(collectingSince) ? collectingSince : null,
      liq1h,
      liq24h,
      sampledVenues: venues.filter((v) => v.liq1hUsd > 0 && this.completeness[v.venue] === 'sampled').map((v) => v.venue),
      sampledVenues24h: this.sampledSince(scope, now - 24 * 60 * 60_000),
      funding8h: oiWeighted(snapshots, (s) => s.fundingRate8h),
      basis: oiWeighted(snapshots, basisOf),
      openInterestUsd: sumOrNull(snapshots.map((s) => s.openInterestUsd)),
      // Prices only make sense for one asset; the market scope has none.
      markPrice: oiWeighted(single, (s) => s.markPrice),
      indexPrice: oiWeighted(single, (s) => s.indexPrice),
      dataTime: newest(snapshots),
      venues,
      levels: isMarket ? null : levelPrice === null ? emptyLevels() : this.levelsOf(scope, levelPrice, now),
      ...this.flushReading(scope, now, collectingSince, marketMove),
    };
  }

  /** Signals, verdict (stepping the scope's model) and largest move for one scope. */
  private flushReading(
    scope: string,
    now: number,
    collectingSince: number,
    marketMove: number | null,
  ): Pick<ScopeReading, 'verdict' | 'signals' | 'largestMove1h24h'> {
    const isMarket = scope === MARKET_SCOPE;
    const nowMinute = minuteOf(now);
    const ctx: SignalContext = {
      view: this.windows.scope(scope),
      history: this.history,
      keys: this.history.keys(isMarket ? undefined : scope).map((k) => k.key),
      nowMinute,
      collectingSinceMinute: Number.isFinite(collectingSince) ? minuteOf(collectingSince) : nowMinute,
      isMarket,
      th: this.thresholds,
    };
    const prev = this.remembered(scope, now, ctx);
    const fromHistory = this.fromHistory(scope, now, ctx);
    ctx.preFlush = (onset) => remember(fromHistory.preFlush, onset, () => preFlushMinute(ctx.history, ctx.keys, onset));
    const computed = computeSignals(ctx, prev?.flush ?? null, fromHistory.signals);
    const { state, verdict } = stepModel(
      prev,
      {
        now,
        nowMinute,
        liq1h: computed.liq1h,
        signals: computed.signals,
        onsetMinute: computed.onsetMinute,
        refMinute: computed.refMinute,
        isMarket,
        liqCountedMinutes: nowMinute - Math.ceil(collectingSince / 60_000) + 1,
      },
      this.thresholds,
    );
    // A step that began a new flush (or dropped an old one) re-anchors the "since flush" signals.
    if (state.flush?.startedAt !== prev?.flush?.startedAt || state.flush?.refMinute !== prev?.flush?.refMinute) {
      applyAnchor(computed.signals, ctx, state.flush);
    } else if (state.flush) {
      const peak = state.flush.peakRateUsdPerHour;
      computed.signals.peakRateUsdPerHour = peak;
      computed.signals.decayFromPeak = peak > 0 ? computed.signals.rate15mUsdPerHour / peak : null;
    }
    if (!prev || now >= prev.updatedAt) this.models.set(scope, state);
    return {
      verdict,
      signals: computed.signals,
      largestMove1h24h: isMarket ? marketMove : fromHistory.largestMove1h,
    };
  }

  /**
   * What the market history says for a scope at this minute (historySignals, the day's largest
   * 1 h move): read again in a new minute, or when the scope's history changed and what was read
   * is HISTORY_REREAD_MS old. The history is kept by the minute, and a venue's snapshot changes
   * every second on a stream: the market scope reads every venue × asset, so reading it on every
   * publish would cost most of a publish for figures that move by the minute.
   */
  private fromHistory(scope: string, now: number, ctx: SignalContext): HistoryMemo {
    const stamp = this.history.stamp(ctx.isMarket ? undefined : scope);
    const memo = this.historyMemo.get(scope);
    if (memo && memo.minute === ctx.nowMinute && (memo.stamp === stamp || (now >= memo.at && now - memo.at < HISTORY_REREAD_MS))) return memo;
    const next: HistoryMemo = {
      minute: ctx.nowMinute,
      stamp,
      at: now,
      signals: historySignals(ctx),
      largestMove1h: ctx.isMarket ? null : largestMove1h(this.history, ctx.keys, ctx.nowMinute),
      preFlush: new Map(),
    };
    this.historyMemo.set(scope, next);
    return next;
  }

  /**
   * The scope's model memory; without a flush in it, what watching a flush found in the history
   * would have left there (seedFromEvidence).
   */
  private remembered(scope: string, now: number, ctx: SignalContext): ModelState | null {
    const prev = this.models.get(scope) ?? null;
    if (prev?.flush) return prev;
    const evidence = this.evidenceFor(scope, ctx);
    return evidence ? seedFromEvidence(evidence, now, ctx.isMarket, this.thresholds) : prev;
  }

  /**
   * A flush the liquidation windows could not see: searched in the price and OI history over the
   * hours a flush is remembered as exhausted, up to an hour after the liquidations became complete
   * (the first hour's windows are partial). Once per scope and minute: the history changes slowly.
   */
  private evidenceFor(scope: string, ctx: SignalContext): FlushEvidence | null {
    const completeMinute = ctx.collectingSinceMinute;
    const earliestEnd = ctx.nowMinute - this.thresholds.exhaustionMaxHours * 60 + 60;
    const latestEnd = Math.min(ctx.nowMinute, completeMinute + 60);
    if (latestEnd < earliestEnd) return null;
    const cached = this.evidence.get(scope);
    if (cached?.minute === ctx.nowMinute) return cached.found;
    const found = flushEvidence(ctx.history, ctx.keys, earliestEnd, latestEnd, ctx.nowMinute, this.thresholds);
    this.evidence.set(scope, { minute: ctx.nowMinute, found });
    return found;
  }

  toJSON(): EngineState {
    return {
      windows: this.windows.toJSON(),
      markets: Object.fromEntries(this.markets),
      liqFrom: this.liqFrom,
      lastAt: this.lastAt,
      history: this.history.toJSON(),
      model: Object.fromEntries(this.models),
      sampledAt: Object.fromEntries(this.sampledAt),
      levels: this.levels.toJSON(),
    };
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

/** The newest snapshot's time, or null. */
function newest(snapshots: readonly MarketSnapshot[]): number | null {
  let time: number | null = null;
  for (const snapshot of snapshots) if (time === null || snapshot.time > time) time = snapshot.time;
  return time;
}

function remember<K, V>(memo: Map<K, V>, key: K, compute: () => V): V {
  if (memo.has(key)) return memo.get(key)!;
  const value = compute();
  memo.set(key, value);
  return value;
}

/** The largest of the readings' largest 1 h moves, or null. */
function largest(readings: readonly ScopeReading[]): number | null {
  let max: number | null = null;
  for (const { largestMove1h24h: move } of readings) if (move !== null && (max === null || move > max)) max = move;
  return max;
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function sumOrNull(values: Array<number | undefined>): number | null {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return present.length ? present.reduce((a, b) => a + b, 0) : null;
}
