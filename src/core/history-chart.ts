/**
 * The history chart's data: one scope (an asset, or the market 'ALL') over the last 24 h as
 * HISTORY_BARS wall-clock 5-minute bars (:00, :05, …), oldest first, the last one under way.
 * Liquidations come from the one liquidation store (windows.ts), market data from the market
 * history (history.ts). Numbers only: the UI puts them into words. Where the stores do not know a
 * value the chart says so (null, or a split marked as not kept): it never fills one in.
 * Pure: no browser APIs. Asked for on demand (bus.ts HistoryRequest), not part of the published
 * reading: 288 bars of five series would be most of a reading's size, for a view few open.
 */
import type { MarketHistory, SeriesKey } from './history';
import type { VenueId } from './model';
import { FINE_MINUTES, MARKET_SCOPE, minuteOf, MINUTE_MS, type LiquidationWindows, type ScopeView } from './windows';

/** 24 h of 5-minute bars. */
export const HISTORY_BARS = 288;
export const BAR_MINUTES = 5;
/** The bars whose per-venue split the store still keeps (its per-venue buckets: the last FINE_MINUTES). */
export const SPLIT_BARS = FINE_MINUTES / BAR_MINUTES;

export interface HistoryChart {
  scope: string;
  /** Start of the first bar (ms); bar i starts at start + i × barMs. */
  start: number;
  barMs: number;
  /** The time the chart was read at (ms): the last bar is under way until then. */
  now: number;
  /** From when liquidations are counted (install, return from an absence), ms, or null: earlier bars read 0 but were not watched. */
  countedFrom: number | null;
  /** USD of long and of short positions liquidated per bar (HISTORY_BARS each). */
  long: number[];
  short: number[];
  /**
   * The venues of the per-venue split, and per bar either their [long, short] USD pairs in that
   * order (venue i at 2i, 2i + 1) or null where the store no longer keeps the split (bars older
   * than FINE_MINUTES: buckets merged across venues).
   */
  venues: VenueId[];
  split: Array<number[] | null>;
  /**
   * Per bar, whether its USD is a lower bound: a sampled feed (at most one liquidation per symbol
   * per interval) filled it. Where the split is kept, exactly that; on older bars, whenever a
   * sampled feed contributed to the scope that day (the buckets no longer say which venue
   * filled them), as the reading's 24 h total says.
   */
  lowerBound: boolean[];
  /** Of `venues`, those whose feeds are sampled: their part of a bar is a lower bound. */
  sampledVenues: VenueId[];
  /**
   * Price per bar (the mark, else the last price, at the bar's last minute, weighted by open
   * interest across venues), or null where no venue's price is known. Always null for the
   * market: a price across assets means nothing.
   */
  price: Array<number | null>;
  /** Open interest in USD summed over the series with a value at the bar's last minute, or null when none has one. */
  oi: Array<number | null>;
  /** How many series that sum counts per bar, of `oiSeries`: fewer is a partial sum (a venue's OI unknown then). */
  oiCount: number[];
  /** Series (venue × asset) with an open interest anywhere in the 24 h. */
  oiSeries: number;
  /** 8 h-equivalent funding weighted by open interest (plain mean where no OI), or null where unknown. */
  funding8h: Array<number | null>;
}

export interface HistoryChartInput {
  windows: LiquidationWindows;
  history: MarketHistory;
  /** The scope's market history series (every series for the market). */
  keys: readonly SeriesKey[];
  scope: string;
  now: number;
  countedFrom: number | null;
  /** Venues whose feeds are sampled. */
  sampledVenues: readonly VenueId[];
  /** Whether a sampled feed contributed to this scope in the last 24 h (the reading's sampledVenues24h is not empty). */
  sampledInDay: boolean;
}

/** The chart for one scope at `now` (see HistoryChart). */
export function historyChart({ windows, history, keys, scope, now, countedFrom, sampledVenues, sampledInDay }: HistoryChartInput): HistoryChart {
  const nowMinute = minuteOf(now);
  const firstMinute = firstBarMinute(nowMinute);
  const isMarket = scope === MARKET_SCOPE;
  const { long, short } = liquidationBars(windows.scope(scope), nowMinute);
  const { venues, split } = venueSplit(windows, isMarket ? undefined : scope, firstMinute, nowMinute);
  return {
    scope,
    start: firstMinute * MINUTE_MS,
    barMs: BAR_MINUTES * MINUTE_MS,
    now,
    countedFrom: countedFrom !== null && Number.isFinite(countedFrom) ? countedFrom : null,
    long,
    short,
    venues,
    split,
    lowerBound: lowerBounds(long, short, venues, split, sampledVenues, sampledInDay),
    sampledVenues: venues.filter((venue) => sampledVenues.includes(venue)),
    ...marketLines(history, keys, firstMinute, isMarket),
  };
}

/**
 * Long and short USD per wall-clock 5-minute bar over the last 24 h, oldest first, the last the
 * bar under way, from a scope's minute sums (the same sums every window reads): the store merges
 * buckets older than two hours into these same slots, so a bar holds the same sum before and
 * after, and after a restart.
 */
export function liquidationBars(view: ScopeView, nowMinute: number): { long: number[]; short: number[] } {
  const firstMinute = firstBarMinute(nowMinute);
  const long: number[] = [];
  const short: number[] = [];
  for (let i = 0; i < HISTORY_BARS; i++) {
    const from = firstMinute + i * BAR_MINUTES;
    const totals = view.totals(from, from + BAR_MINUTES - 1);
    long.push(totals.longUsd);
    short.push(totals.shortUsd);
  }
  return { long, short };
}

/** The first minute of the oldest bar at `nowMinute`. */
function firstBarMinute(nowMinute: number): number {
  return Math.floor(nowMinute / BAR_MINUTES) * BAR_MINUTES - (HISTORY_BARS - 1) * BAR_MINUTES;
}

/**
 * The per-venue split of the bars that lie wholly in the store's per-venue window; null for the
 * older bars (their buckets were merged across venues when they aged past FINE_MINUTES).
 */
function venueSplit(windows: LiquidationWindows, asset: string | undefined, firstMinute: number, nowMinute: number): { venues: VenueId[]; split: Array<number[] | null> } {
  // A bar keeps its split when its first minute is inside the per-venue window at `now` (prune runs at or before now).
  const firstSplit = Math.max(0, Math.ceil((nowMinute - FINE_MINUTES - firstMinute) / BAR_MINUTES));
  const bars = HISTORY_BARS - firstSplit;
  const byVenue = windows.venueBars(firstMinute + firstSplit * BAR_MINUTES, BAR_MINUTES, bars, asset);
  const venues = [...byVenue.keys()].sort();
  const split: Array<number[] | null> = new Array<number[] | null>(firstSplit).fill(null);
  for (let b = 0; b < bars; b++) {
    const pairs: number[] = [];
    for (const venue of venues) {
      const sides = byVenue.get(venue)!;
      pairs.push(sides[b * 2]!, sides[b * 2 + 1]!);
    }
    split.push(pairs);
  }
  return { venues, split };
}

/** Which bars a sampled feed filled (see HistoryChart.lowerBound). */
function lowerBounds(long: number[], short: number[], venues: VenueId[], split: Array<number[] | null>, sampledVenues: readonly VenueId[], sampledInDay: boolean): boolean[] {
  const sampled = venues.map((venue) => sampledVenues.includes(venue));
  return split.map((pairs, i) => {
    if (pairs === null) return sampledInDay && long[i]! + short[i]! > 0;
    return sampled.some((isSampled, v) => isSampled && pairs[v * 2]! + pairs[v * 2 + 1]! > 0);
  });
}

/** Price, open interest and funding per bar, read at each bar's last minute. */
function marketLines(history: MarketHistory, keys: readonly SeriesKey[], firstMinute: number, isMarket: boolean): Pick<HistoryChart, 'price' | 'oi' | 'oiCount' | 'oiSeries' | 'funding8h'> {
  const oiSum = new Float64Array(HISTORY_BARS);
  const oiCount = new Array<number>(HISTORY_BARS).fill(0);
  const price = new BarMeans();
  const funding = new BarMeans();
  let oiSeries = 0;
  for (const { key } of keys) {
    const sampled = history.sampledWithFunding(key, firstMinute + BAR_MINUTES - 1, BAR_MINUTES, HISTORY_BARS);
    let hasOi = false;
    for (let i = 0; i < HISTORY_BARS; i++) {
      const oi = sampled.oi[i]!;
      if (!Number.isNaN(oi)) ((oiSum[i] = oiSum[i]! + oi), (oiCount[i] = oiCount[i]! + 1), (hasOi = true));
      const weight = oi > 0 ? oi : 0;
      if (!isMarket) price.add(i, sampled.price[i]!, weight);
      funding.add(i, sampled.funding[i]!, weight);
    }
    if (hasOi) oiSeries += 1;
  }
  const oi = Array.from(oiSum, (sum, i) => (oiCount[i]! > 0 ? sum : null));
  return { price: price.values(), oi, oiCount, oiSeries, funding8h: funding.values() };
}

/**
 * Per bar, a mean weighted by open interest where any value has one, else the plain mean, null
 * without values: as engine.ts oiWeighted does for the live snapshots.
 */
class BarMeans {
  private readonly weighted = new Float64Array(HISTORY_BARS);
  private readonly weights = new Float64Array(HISTORY_BARS);
  private readonly plain = new Float64Array(HISTORY_BARS);
  private readonly counts = new Float64Array(HISTORY_BARS);

  /** One series' value at bar i (NaN: unknown, skipped) and its open interest (0 when unknown). */
  add(i: number, value: number, weight: number): void {
    if (Number.isNaN(value)) return;
    this.weighted[i] = this.weighted[i]! + value * weight;
    this.weights[i] = this.weights[i]! + weight;
    this.plain[i] = this.plain[i]! + value;
    this.counts[i] = this.counts[i]! + 1;
  }

  values(): Array<number | null> {
    return Array.from(this.counts, (count, i) => (this.weights[i]! > 0 ? this.weighted[i]! / this.weights[i]! : count > 0 ? this.plain[i]! / count : null));
  }
}
