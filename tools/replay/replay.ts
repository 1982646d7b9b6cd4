/**
 * Replays a scenario through the same FlushEngine the extension runs, one reading per
 * simulated minute. Used by `npm run replay`, the tests and the demo.
 */
import { FlushEngine, MARKET_SCOPE, type ReadingSet } from '../../src/core/engine';
import type { Phase } from '../../src/core/flush';
import type { AssetLevels } from '../../src/core/levels';
import type { Completeness, Liquidation, MarketUpdate, PositionSide, VenueId } from '../../src/core/model';
import type { Scenario, ScenarioEvent, ScenarioLiquidationEvent, ScenarioMarketEvent } from './scenario';
import type { FlushThresholds } from '../../src/core/thresholds';
import { MINUTE_MS } from '../../src/core/windows';

export interface ReplayRow {
  /** ms since the scenario start; the reading is taken at the end of the minute before t. */
  t: number;
  scope: string;
  phase: Phase;
  side: PositionSide | null;
  pressure: number;
  liq1hUsd: number;
  longShare1h: number | null;
  oiChange1h: number | null;
  funding8h: number | null;
  /** liqFrom: the t from which the row's liquidation windows are complete (0: from the scenario start). */
  coverage: { liqFrom: number };
  /** Per asset (not ALL): the estimated liquidation levels (src/core/levels.ts AssetLevels, rounded). */
  levels?: AssetLevels;
}

export interface ReplayStep {
  t: number;
  readings: ReadingSet;
  /** The t from which the liquidation windows are complete. */
  liqFrom: number;
}

export interface ReplayOptions {
  thresholds?: Partial<FlushThresholds>;
  /** Every venue in a scenario reports all liquidations unless told otherwise. */
  completeness?: Partial<Record<VenueId, Completeness>>;
  /**
   * A fresh install at this t (ms since the scenario start, a whole minute): before it the engine
   * gets only what history endpoints give (market history; liquidations from `liquidationHistory`
   * venues), live events after it; rows start at the install.
   */
  installAt?: number;
  /** Venues with a public REST liquidation history (OKX, Bitfinex: the adapters with gapRequests). */
  liquidationHistory?: readonly VenueId[];
}

/** How far back the venues' liquidation histories reach (OKX: the last day). */
const HISTORY_REACH_MS = 24 * 60 * MINUTE_MS;

export function toMarketUpdate(event: ScenarioMarketEvent, start: number): MarketUpdate {
  return {
    venue: event.venue,
    asset: event.asset,
    symbol: symbolOf(event.asset),
    kind: 'perp',
    time: start + event.t,
    lastPrice: event.price,
    markPrice: event.markPrice,
    indexPrice: event.indexPrice,
    fundingRate: event.fundingRate8h,
    fundingIntervalHours: 8,
    openInterestUsd: event.openInterestUsd,
    perpVolume24hUsd: event.perpVolume24hUsd,
    spotVolume24hUsd: event.spotVolume24hUsd,
  };
}

export function toLiquidation(event: ScenarioLiquidationEvent, start: number): Liquidation {
  return {
    venue: event.venue,
    symbol: event.symbol ?? symbolOf(event.asset),
    asset: event.asset,
    kind: 'perp',
    side: event.side,
    price: event.price,
    quantity: event.notionalUsd / event.price,
    notionalUsd: event.notionalUsd,
    time: start + event.t,
  };
}

function symbolOf(asset: string): string {
  return `${asset}USDT`;
}

/**
 * Feeds the events minute by minute and yields the engine's readings after each simulated
 * minute: at t = 60 000·k the engine has seen every event with t′ < t and reads at start + t − 1.
 */
export function* replayReadings(scenario: Scenario, options: ReplayOptions = {}): Generator<ReplayStep> {
  const { start, events } = scenario;
  const installAt = options.installAt ?? 0;
  const assets = [...new Set(events.map((e) => e.asset))].sort();
  const completeness = options.completeness ?? Object.fromEntries(events.map((e) => [e.venue, 'complete' as Completeness]));
  const historyVenues = new Set(options.liquidationHistory ?? []);
  const engine = new FlushEngine(completeness, start + installAt, undefined, options.thresholds, start + liquidationsCompleteFrom(scenario, installAt, historyVenues));
  let next = installHistory(engine, scenario, installAt, historyVenues);
  const lastT = events.length ? events[events.length - 1]!.t : 0;
  const minutes = Math.floor(lastT / MINUTE_MS) + 1;
  for (let k = installAt / MINUTE_MS + 1; k <= minutes; k++) {
    const t = k * MINUTE_MS;
    const now = start + t - 1;
    while (next < events.length && events[next]!.t < t) ingest(engine, events[next++]!, start, now);
    if (k % 60 === 0) engine.prune(now);
    const readings = engine.readings(now, assets);
    yield { t, readings, liqFrom: (readings.collectingSince ?? start) - start };
  }
}

/**
 * What a fresh install at `installAt` finds: every market row before it as history (open interest,
 * price and funding history endpoints), the latest one of each venue × asset as its first poll,
 * and the liquidations of venues with a REST history in its reach. Returns the index of the first live event.
 */
function installHistory(engine: FlushEngine, scenario: Scenario, installAt: number, historyVenues: ReadonlySet<VenueId>): number {
  const { start, events } = scenario;
  const now = start + installAt;
  const past = events.filter((e) => e.t < installAt);
  const markets = past.filter((e): e is ScenarioMarketEvent => e.type === 'market');
  engine.backfillHistory(markets.map((e) => toMarketUpdate(e, start)), now);
  // The first poll after the install: each venue × asset's latest figures.
  const latest = new Map(markets.map((e) => [`${e.venue}|${e.asset}`, e]));
  for (const event of latest.values()) engine.ingestMarket(toMarketUpdate(event, start));
  for (const event of past) {
    if (event.type === 'liquidation' && historyVenues.has(event.venue) && event.t >= installAt - HISTORY_REACH_MS) engine.ingestLiquidation(toLiquidation(event, start), now);
  }
  return past.length;
}

/** Liquidations are complete from the install, or from the start when every venue that has them keeps a history reaching it. */
function liquidationsCompleteFrom(scenario: Scenario, installAt: number, historyVenues: ReadonlySet<VenueId>): number {
  if (installAt === 0) return 0;
  const venues = new Set(scenario.events.filter((e) => e.type === 'liquidation' && e.t < installAt).map((e) => e.venue));
  const allKept = [...venues].every((venue) => historyVenues.has(venue));
  return allKept ? Math.max(0, installAt - HISTORY_REACH_MS) : installAt;
}

function ingest(engine: FlushEngine, event: ScenarioEvent, start: number, now: number): void {
  if (event.type === 'market') engine.ingestMarket(toMarketUpdate(event, start));
  else engine.ingestLiquidation(toLiquidation(event, start), now);
}

/** The compact per-minute rows `npm run replay` prints: ALL first, then each asset. */
export function replayScenario(scenario: Scenario, options: ReplayOptions = {}): ReplayRow[] {
  const rows: ReplayRow[] = [];
  for (const step of replayReadings(scenario, options)) rows.push(...rowsOf(step));
  return rows;
}

export function rowsOf(step: ReplayStep): ReplayRow[] {
  const scopes = Object.values(step.readings.scopes).sort((a, b) =>
    a.scope === MARKET_SCOPE ? -1 : b.scope === MARKET_SCOPE ? 1 : a.scope.localeCompare(b.scope),
  );
  return scopes.map((r) => ({
    t: step.t,
    scope: r.scope,
    phase: r.verdict.phase,
    side: r.verdict.side,
    pressure: r.verdict.pressure,
    liq1hUsd: Math.round(r.liq1h.totalUsd),
    longShare1h: round(r.liq1h.longShare, 4),
    oiChange1h: round(r.signals.oiChange1h, 5),
    funding8h: round(r.funding8h, 8),
    coverage: { liqFrom: step.liqFrom },
    ...(r.levels ? { levels: roundedLevels(r.levels) } : {}),
  }));
}

/** Prices to 6 significant digits, distances to 0.01 %, USD to the dollar. */
function roundedLevels(levels: AssetLevels): AssetLevels {
  const cluster = (c: AssetLevels['long']) => (c ? { price: Number(c.price.toPrecision(6)), distancePct: round(c.distancePct, 2)!, usd: Math.round(c.usd) } : null);
  const bands = Object.fromEntries(Object.entries(levels.bandsUsd).map(([band, usd]) => [band, Math.round(usd)])) as AssetLevels['bandsUsd'];
  return { long: cluster(levels.long), short: cluster(levels.short), bandsUsd: bands };
}

function round(v: number | null, digits: number): number | null {
  if (v === null || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
