/**
 * The signals behind the verdict, each a small pure function over the liquidation minute sums
 * (the liquidation store's scope view, windows.ts) and the market history. Unknown is null, never NaN.
 *
 * Cross-venue rules:
 *  - OI changes compare only venues present at BOTH times, so a venue joining or dropping out
 *    is not mistaken for positions opening or closing;
 *  - funding and basis are weighted by each venue's open interest (where the leverage is);
 *  - price changes are per-venue ratios averaged by OI, so venue price offsets cancel.
 */
import type { HistoryPoint, MarketHistory } from './history';
import type { ScopeView, WindowTotals } from './windows';
import type { PositionSide } from './model';
import { amountFor, type FlushThresholds } from './thresholds';

export type BaselineSource = 'median' | 'floor' | 'short-history-floor';
export type FundingFlip = 'to-negative' | 'to-positive' | null;

export interface FlushSignals {
  liq5m: WindowTotals;
  liq4h: WindowTotals;
  /** Last 15 minutes, scaled to USD per hour: the "current" rate. */
  rate15mUsdPerHour: number;
  /** The usual hourly rate: median of the last day's full hours, never below a floor. */
  baselineUsdPerHour: number;
  baselineSource: BaselineSource;
  /** Full hours behind the median. */
  baselineHours: number;
  /** Last hour's liquidations ÷ baseline. */
  intensity: number;
  /** 15 min rate ÷ baseline. */
  intensityNow: number;
  /** (15 min rate − the 15 min before) ÷ baseline: > 0 accelerating, < 0 decaying. */
  acceleration: number;
  /** Peak 15 min rate (USD/h) since the tracked flush began, null without a flush. */
  peakRateUsdPerHour: number | null;
  /** 15 min rate ÷ that peak (1 = at the peak). */
  decayFromPeak: number | null;
  /** When the tracked flush began (ms), or null. */
  flushStartedAt: number | null;

  oiUsd: number | null;
  oiChange1h: number | null;
  /** OI change over the last 15 minutes: a fall still under way (judges a flush seen only in history). */
  oiChange15m: number | null;
  /** OI now versus its highest point in the last hour (≤ 0): a fall the 1 h change can hide when OI rose first. */
  oiDrawdown1h: number | null;
  oiChange24h: number | null;
  oiChangeSinceFlush: number | null;
  /** OI now versus its lowest point since the flush (fraction), null without a flush. */
  oiRebuildFromTrough: number | null;

  funding8h: number | null;
  fundingChange1h: number | null;
  /** What the flip is measured against: funding before the flush, else 8 h ago. */
  fundingRef: number | null;
  fundingFlip: FundingFlip;

  basis: number | null;
  /** Basis now minus basis 1 h ago (difference of fractions). */
  basisChange1h: number | null;
  /** Perp 24 h volume ÷ spot 24 h volume. */
  perpSpotRatio: number | null;
  perpSpotRatioChange1h: number | null;

  priceChange1h: number | null;
  /** The last hour's high − low over the last price (fraction), averaged over venues by open interest; the risk box's "the last hour ranged". */
  priceRange1h: number | null;
  priceChange24h: number | null;
  priceChangeSinceFlush: number | null;
}

// ---------------------------------------------------------------------------------------------
// Small numeric helpers

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** a / b − 1, or null when either is unknown or b is not positive. */
export function ratioChange(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !(b > 0) || !Number.isFinite(a)) return null;
  return a / b - 1;
}

function diff(now: number | null, before: number | null): number | null {
  return now === null || before === null ? null : now - before;
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

// ---------------------------------------------------------------------------------------------
// Liquidation signals

/** USD per hour over the last `minutes` minutes ending at `nowMinute`. */
export function ratePerHour(view: ScopeView, nowMinute: number, minutes: number): number {
  return (view.sum(nowMinute - minutes + 1, nowMinute) * 60) / minutes;
}

export interface Baseline {
  usdPerHour: number;
  source: BaselineSource;
  hours: number;
}

/**
 * The usual hourly rate: the median of the last day's full hours before the current one, only
 * hours that lie after collection started (an uncollected hour is not a calm hour). The current
 * hour is left out so a running flush does not raise its own bar. With fewer than
 * `minBaselineHours` hours the short-history floor stands in, so a fresh install never calls a
 * modest burst a flush.
 */
export function hourlyBaseline(
  view: ScopeView,
  nowMinute: number,
  collectingSinceMinute: number,
  isMarket: boolean,
  th: FlushThresholds,
): Baseline {
  const hours: number[] = [];
  for (let k = 2; k <= 24; k++) {
    const to = nowMinute - 60 * (k - 1);
    const from = to - 59;
    if (from < collectingSinceMinute) break;
    hours.push(view.sum(from, to));
  }
  if (hours.length < th.minBaselineHours) {
    // A median of one or two hours is whatever those hours were, a flush included: not a baseline.
    return { usdPerHour: amountFor(th.shortHistoryFloorUsdPerHour, isMarket), source: 'short-history-floor', hours: hours.length };
  }
  const med = median(hours) ?? 0;
  const floor = amountFor(th.baselineFloorUsdPerHour, isMarket);
  return med > floor ? { usdPerHour: med, source: 'median', hours: hours.length } : { usdPerHour: floor, source: 'floor', hours: hours.length };
}

/**
 * Where the cascade began: walking back from the latest hot 5-minute window of the last
 * 15 minutes, the start of the earliest window in that unbroken run of hot windows (rate ≥
 * `onsetIntensity` × baseline), at most an hour back. Null when nothing was hot lately.
 * Contiguity matters: one noisy minute an hour earlier is not where this cascade began.
 */
export function onsetMinute(view: ScopeView, nowMinute: number, baselineUsdPerHour: number, th: FlushThresholds): number | null {
  const needed = (th.onsetIntensity * baselineUsdPerHour) / 12; // per 5 minutes
  const hot = (end: number) => view.sum(end - 4, end) >= needed;
  let end = nowMinute;
  while (end > nowMinute - 15 && !hot(end)) end--;
  if (!hot(end)) return null;
  while (end - 1 >= nowMinute - 59 && hot(end - 1)) end--;
  // Within that first hot window, the cascade began at its first minute that is hot on its own.
  const perMinute = needed / 5;
  for (let m = end - 4; m < end; m++) if (view.usd(m) >= perMinute) return m;
  return end;
}

// ---------------------------------------------------------------------------------------------
// Market signals over a set of venue × asset series

/** Sum of OI over series at a minute, or null when none has it. */
export function oiSum(history: MarketHistory, keys: readonly string[], minute: number): number | null {
  let sum = 0;
  let any = false;
  for (const key of keys) {
    const oi = history.value(key, minute, 'oi');
    if (oi !== null) ((sum += oi), (any = true));
  }
  return any ? sum : null;
}

/** OI change between two minutes over the venues known at both (fraction), or null. */
export function oiChange(history: MarketHistory, keys: readonly string[], fromMinute: number, toMinute: number): number | null {
  let before = 0;
  let after = 0;
  for (const key of keys) {
    const a = history.value(key, fromMinute, 'oi');
    const b = history.value(key, toMinute, 'oi');
    if (a !== null && b !== null) ((before += a), (after += b));
  }
  return before > 0 ? after / before - 1 : null;
}

/**
 * OI now versus the highest OI in the last `minutes` (per-minute, over the venues known now and
 * then): how far positions have been closed from their recent peak. Null without OI.
 */
export function oiDrawdown(history: MarketHistory, keys: readonly string[], nowMinute: number, minutes: number): number | null {
  // oiChange(m, now) for every minute m, from one walk per series (history.sampled).
  const oi = keys.map((key) => history.sampled(key, nowMinute - minutes, 1, minutes + 1).oi);
  let worst: number | null = null;
  for (let m = 0; m < minutes; m++) {
    let before = 0;
    let after = 0;
    for (const series of oi) {
      // NaN stands for unknown: a series counts only when known at both minutes.
      if (!Number.isNaN(series[m]!) && !Number.isNaN(series[minutes]!)) ((before += series[m]!), (after += series[minutes]!));
    }
    const change = before > 0 ? after / before - 1 : null;
    if (change !== null && (worst === null || change < worst)) worst = change;
  }
  return worst === null ? null : Math.min(0, worst);
}

/** A flush seen in price and open interest history: what the liquidation windows were too young to see. */
export interface FlushEvidence {
  /** The side forced out: longs when the price fell. */
  side: PositionSide;
  /** The minute open interest peaked before it fell: the flush's "before". */
  peakMinute: number;
  /** Open interest change from that peak to the end of the hour it fell in (fraction, < 0). */
  oiDrop: number;
  /** Price change over the same stretch (fraction). */
  priceMove: number;
  /** The lowest open interest since the peak, as a change from it (what a live model would have tracked). */
  troughOiChange: number;
  /** The end of the hour the fall was found in. */
  endMinute: number;
  /** Open interest still falling over the last 15 minutes at a quarter of a flush's hourly pace: the cascade goes on. */
  stillFalling: boolean;
  /** Funding (8 h) at the end minute, OI-weighted: neutral there means the flush had exhausted the crowd. */
  fundingAtEnd: number | null;
}

/** An earlier open interest at least this much higher moves a flush's start back: its fall began there. */
const PEAK_TOLERANCE = 0.0025;

/**
 * The most recent flush in the market history whose hour ends on the minutes `latestEnd`,
 * `latestEnd − 5`, … down to `earliestEnd`: an hour in which open interest fell at least
 * `evidenceOiDrop` from its peak while the price moved at least `evidencePriceMove`. Forced
 * selling of longs pushes the price down and closes positions; short squeezes push it up. The
 * peak is followed back while open interest was still higher before it (a fall longer than an
 * hour began at its top). Open interest compares only the venues known at both minutes (as
 * oiChange does). Null when none.
 */
export function flushEvidence(
  history: MarketHistory,
  keys: readonly string[],
  earliestEnd: number,
  latestEnd: number,
  nowMinute: number,
  th: FlushThresholds,
): FlushEvidence | null {
  if (latestEnd < earliestEnd || keys.length === 0) return null;
  const first = earliestEnd - 60;
  const series = keys.map((key) => history.sampled(key, first, 1, nowMinute - first + 1));
  /** OI at `m` over OI at `ref` − 1, over the series known at both (indexes into the samples). */
  const oiChangeAt = (ref: number, m: number): number | null => {
    let before = 0;
    let after = 0;
    for (const { oi } of series) if (!Number.isNaN(oi[ref]!) && !Number.isNaN(oi[m]!)) ((before += oi[ref]!), (after += oi[m]!));
    return before > 0 ? after / before - 1 : null;
  };
  /** The minute in [from, to) whose OI is highest relative to `m`'s. */
  const highestBefore = (from: number, to: number, m: number): { minute: number; change: number } | null => {
    let best: { minute: number; change: number } | null = null;
    for (let ref = gridAtOrAfter(first + Math.max(0, from)) - first; ref < to; ref += REF_GRID_MINUTES) {
      const change = oiChangeAt(ref, m);
      if (change !== null && (best === null || change < best.change)) best = { minute: ref, change };
    }
    return best;
  };
  for (let end = latestEnd; end >= earliestEnd; end -= 5) {
    const e = end - first;
    const found = highestBefore(e - 60, e, e);
    if (found === null || found.change > -th.evidenceOiDrop) continue;
    const priceMove = meanPriceChange(
      series.length,
      (i) => knownOrNull(series[i]!.price[found.minute]!),
      (i) => knownOrNull(series[i]!.price[e]!),
      (i) => knownOrNull(series[i]!.oi[e]!),
    );
    if (priceMove === null || Math.abs(priceMove) < th.evidencePriceMove) continue;
    let peak = found.minute;
    for (let earlier = highestBefore(peak - 60, peak, peak); earlier && earlier.change < -PEAK_TOLERANCE; earlier = highestBefore(peak - 60, peak, peak)) peak = earlier.minute;
    const last = series[0]!.oi.length - 1;
    let trough = 0;
    for (let m = peak + 1; m <= last; m++) trough = Math.min(trough, oiChangeAt(peak, m) ?? 0);
    const recent = oiChangeAt(last - 15, last);
    return {
      side: priceMove < 0 ? 'long' : 'short',
      peakMinute: first + peak,
      oiDrop: oiChangeAt(peak, e) ?? found.change,
      priceMove,
      troughOiChange: trough,
      endMinute: end,
      stillFalling: recent !== null && recent <= -th.oiDropFlush1h / 4,
      fundingAtEnd: weightedAt(history, keys, end, pickFunding),
    };
  }
  return null;
}

function knownOrNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/**
 * OI-weighted average of `pick` at a minute; equal weights when no series has OI. Null when no
 * series has the value.
 */
export function weightedAt(
  history: MarketHistory,
  keys: readonly string[],
  minute: number,
  pick: (p: HistoryPoint) => number | null,
): number | null {
  let weighted = 0;
  let weights = 0;
  let plain = 0;
  let n = 0;
  for (const key of keys) {
    const point = history.point(key, minute);
    if (!point) continue;
    const v = pick(point);
    if (v === null || !Number.isFinite(v)) continue;
    plain += v;
    n += 1;
    if (point.oi !== null && point.oi > 0) ((weighted += v * point.oi), (weights += point.oi));
  }
  if (weights > 0) return weighted / weights;
  return n > 0 ? plain / n : null;
}

export const pickFunding = (p: HistoryPoint): number | null => p.funding8h;
export const pickBasis = (p: HistoryPoint): number | null =>
  p.mark !== null && p.index !== null && p.index > 0 ? (p.mark - p.index) / p.index : null;

/** Perp ÷ spot 24 h volume over series that report both. */
export function perpSpotRatioAt(history: MarketHistory, keys: readonly string[], minute: number): number | null {
  let perp = 0;
  let spot = 0;
  for (const key of keys) {
    const p = history.point(key, minute);
    if (p && p.perpVolume !== null && p.spotVolume !== null && p.spotVolume > 0) ((perp += p.perpVolume), (spot += p.spotVolume));
  }
  return spot > 0 ? perp / spot : null;
}

/** Price change between two minutes: per-series ratios averaged by OI at the later minute. */
export function priceChange(history: MarketHistory, keys: readonly string[], fromMinute: number, toMinute: number): number | null {
  return meanPriceChange(
    keys.length,
    (i) => history.priceAt(keys[i]!, fromMinute),
    (i) => history.priceAt(keys[i]!, toMinute),
    (i) => history.value(keys[i]!, toMinute, 'oi'),
  );
}

/**
 * Per-series price ratios (from → to) averaged by OI at `to`; a plain mean when no series has OI.
 * Series i's values come from the accessors (null: unknown), so a caller comparing many minute
 * pairs allocates nothing per pair.
 */
function meanPriceChange(count: number, from: (i: number) => number | null, to: (i: number) => number | null, oiAtTo: (i: number) => number | null): number | null {
  let weighted = 0;
  let weights = 0;
  let plain = 0;
  let n = 0;
  for (let i = 0; i < count; i++) {
    const change = ratioChange(to(i), from(i));
    if (change === null) continue;
    plain += change;
    n += 1;
    const oi = oiAtTo(i);
    if (oi !== null && oi > 0) ((weighted += change * oi), (weights += oi));
  }
  if (weights > 0) return weighted / weights;
  return n > 0 ? plain / n : null;
}

/**
 * Largest absolute 1 h price move within the last 24 h, as a fraction, sampled every 5 minutes
 * (the history is 5-minute grained beyond its fine window anyway, and 15-minute grained beyond
 * 6 h, where this compares the 15-minute rows an hour apart). Null without two prices an hour apart.
 */
export function largestMove1h(history: MarketHistory, keys: readonly string[], nowMinute: number): number | null {
  // Every minute read lies on one 5-minute grid back from now (an hour is 12 steps): read each
  // series along it once, then compare grid points 12 apart.
  const step = 5;
  const hour = 60 / step;
  const count = (24 * 60) / step + 1;
  const samples = keys.map((key) => history.sampled(key, nowMinute - 24 * 60, step, count));
  let to = count - 1;
  const before = (i: number) => knownOrNull(samples[i]!.price[to - hour]!);
  const after = (i: number) => knownOrNull(samples[i]!.price[to]!);
  const oiAfter = (i: number) => knownOrNull(samples[i]!.oi[to]!);
  let largest: number | null = null;
  for (; to >= hour; to--) {
    const move = meanPriceChange(samples.length, before, after, oiAfter);
    if (move !== null && (largest === null || Math.abs(move) > largest)) largest = Math.abs(move);
  }
  return largest;
}

/** Sign flip of funding from `ref` to `now`; both must sit clearly off zero. */
export function fundingFlipOf(ref: number | null, now: number | null, minAbs: number): FundingFlip {
  if (ref === null || now === null) return null;
  if (ref >= minAbs && now <= -minAbs) return 'to-negative';
  if (ref <= -minAbs && now >= minAbs) return 'to-positive';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Everything for one scope

export interface SignalContext {
  view: ScopeView;
  history: MarketHistory;
  /** History series keys (venue|asset) in this scope. */
  keys: readonly string[];
  nowMinute: number;
  collectingSinceMinute: number;
  isMarket: boolean;
  th: FlushThresholds;
  /** preFlushMinute over this context's history and keys, remembered by the caller (the default computes it). */
  preFlush?: (onset: number) => number;
}

/** What the model tracks about a flush that the signals are measured against. */
export interface FlushAnchor {
  /** The pre-flush minute: OI, price and funding "before" are read here. */
  refMinute: number;
  startedAt: number;
  peakRateUsdPerHour: number;
  /** Lowest OI change since the flush began, as seen so far. */
  troughOiChange: number | null;
}

export interface ComputedSignals {
  signals: FlushSignals;
  liq1h: WindowTotals;
  /** Start of the current cascade if the last hour had one, for a new flush's anchor. */
  onsetMinute: number | null;
  /** Where a flush from that onset measures "before" from: open interest's top before it (preFlushMinute). */
  refMinute: number | null;
}

/** The signals read from the market history alone (open interest, price, funding, basis, volumes) at one minute. */
export type HistorySignals = Pick<
  FlushSignals,
  | 'oiUsd'
  | 'oiChange1h'
  | 'oiChange15m'
  | 'oiDrawdown1h'
  | 'oiChange24h'
  | 'funding8h'
  | 'fundingChange1h'
  | 'basis'
  | 'basisChange1h'
  | 'perpSpotRatio'
  | 'perpSpotRatioChange1h'
  | 'priceChange1h'
  | 'priceRange1h'
  | 'priceChange24h'
>;

/** What the market history says at the context's minute; the costly part of a reading for the market scope (every venue × asset). */
export function historySignals(ctx: SignalContext): HistorySignals {
  const { history, keys, nowMinute: now } = ctx;
  const funding8h = weightedAt(history, keys, now, pickFunding);
  const basis = weightedAt(history, keys, now, pickBasis);
  const perpSpot = perpSpotRatioAt(history, keys, now);
  return {
    oiUsd: oiSum(history, keys, now),
    oiChange1h: oiChange(history, keys, now - 60, now),
    oiChange15m: oiChange(history, keys, now - 15, now),
    oiDrawdown1h: oiDrawdown(history, keys, now, 60),
    oiChange24h: oiChange(history, keys, now - 24 * 60, now),
    funding8h,
    fundingChange1h: diff(funding8h, weightedAt(history, keys, now - 60, pickFunding)),
    basis,
    basisChange1h: diff(basis, weightedAt(history, keys, now - 60, pickBasis)),
    perpSpotRatio: perpSpot,
    perpSpotRatioChange1h: ratioChange(perpSpot, perpSpotRatioAt(history, keys, now - 60)),
    priceChange1h: priceChange(history, keys, now - 60, now),
    priceRange1h: priceRange(history, keys, now - 60, now),
    priceChange24h: priceChange(history, keys, now - 24 * 60, now),
  };
}

/** High − low of each series' minute prices in [from, to] over its last price, averaged by OI at `to`; null without two prices. */
export function priceRange(history: MarketHistory, keys: readonly string[], from: number, to: number): number | null {
  let weighted = 0;
  let weights = 0;
  let plain = 0;
  let n = 0;
  for (const key of keys) {
    const { price, oi } = history.sampled(key, from, 1, to - from + 1);
    let high = -Infinity;
    let low = Infinity;
    let known = 0;
    for (const p of price) if (!Number.isNaN(p)) ((high = Math.max(high, p)), (low = Math.min(low, p)), (known += 1));
    const last = price[price.length - 1]!;
    if (known < 2 || Number.isNaN(last) || !(last > 0)) continue;
    const range = (high - low) / last;
    plain += range;
    n += 1;
    const weight = oi[oi.length - 1]!;
    if (!Number.isNaN(weight) && weight > 0) ((weighted += range * weight), (weights += weight));
  }
  if (weights > 0) return weighted / weights;
  return n > 0 ? plain / n : null;
}

/** Every signal for one scope: the liquidation windows', `fromHistory` (historySignals, maybe remembered), and those measured against the flush. */
export function computeSignals(ctx: SignalContext, anchor: FlushAnchor | null, fromHistory: HistorySignals = historySignals(ctx)): ComputedSignals {
  const { view, history, keys, nowMinute: now, th } = ctx;
  const baseline = hourlyBaseline(view, now, ctx.collectingSinceMinute, ctx.isMarket, th);
  const liq1h = view.totals(now - 59, now);
  const rate15 = ratePerHour(view, now, 15);
  const ratePrev15 = (view.sum(now - 29, now - 15) * 60) / 15;
  const signals: FlushSignals = {
    liq5m: view.totals(now - 4, now),
    liq4h: view.totals(now - 239, now),
    rate15mUsdPerHour: rate15,
    baselineUsdPerHour: baseline.usdPerHour,
    baselineSource: baseline.source,
    baselineHours: baseline.hours,
    intensity: liq1h.totalUsd / baseline.usdPerHour,
    intensityNow: rate15 / baseline.usdPerHour,
    acceleration: (rate15 - ratePrev15) / baseline.usdPerHour,
    peakRateUsdPerHour: null,
    decayFromPeak: null,
    flushStartedAt: null,
    oiChangeSinceFlush: null,
    oiRebuildFromTrough: null,
    fundingRef: null,
    fundingFlip: null,
    priceChangeSinceFlush: null,
    ...fromHistory,
  };
  applyAnchor(signals, ctx, anchor);
  const onset = onsetMinute(view, now, baseline.usdPerHour, th);
  const preFlush = ctx.preFlush ?? ((minute: number) => preFlushMinute(history, keys, minute));
  return { signals, liq1h, onsetMinute: onset, refMinute: onset === null ? null : preFlush(onset) };
}

/** Multiples of this many minutes are where "before the flush" can sit (the history's COARSE_MINUTES). */
const REF_GRID_MINUTES = 5;

function gridAtOrAfter(minute: number): number {
  return Math.ceil(minute / REF_GRID_MINUTES) * REF_GRID_MINUTES;
}

/** How far before a cascade's first hot minute open interest's top is looked for. */
const PRE_FLUSH_LOOKBACK_MINUTES = 30;

/**
 * The minute "before the flush": where open interest topped in the half hour up to the cascade's
 * onset (positions start closing before liquidations run hot), else the minute before the onset.
 * The same top a flush found only in history is measured from (flushEvidence). Only minutes on
 * the REF_GRID_MINUTES grid are candidates: the history keeps those rows as it thins older ones,
 * so the "before" a flush was anchored to reads the same hours later, and the same from history.
 */
export function preFlushMinute(history: MarketHistory, keys: readonly string[], onset: number): number {
  let best = onset - 1;
  let lowest = 0;
  for (let m = gridAtOrAfter(onset - PRE_FLUSH_LOOKBACK_MINUTES); m <= onset; m += REF_GRID_MINUTES) {
    const change = oiChange(history, keys, m, onset + 1);
    if (change !== null && change < lowest) ((lowest = change), (best = m));
  }
  return best;
}

/**
 * Fills the signals measured against the tracked flush (or, without one, funding 8 h ago for
 * the flip). Called again after the model step when the step started a new flush.
 */
export function applyAnchor(signals: FlushSignals, ctx: SignalContext, anchor: FlushAnchor | null): void {
  const { history, keys, nowMinute: now, th } = ctx;
  const refMinute = anchor ? anchor.refMinute : now - 8 * 60;
  signals.fundingRef = weightedAt(history, keys, refMinute, pickFunding);
  signals.fundingFlip = fundingFlipOf(signals.fundingRef, signals.funding8h, th.fundingFlipMin);
  if (!anchor) {
    signals.flushStartedAt = null;
    signals.peakRateUsdPerHour = null;
    signals.decayFromPeak = null;
    signals.oiChangeSinceFlush = null;
    signals.oiRebuildFromTrough = null;
    signals.priceChangeSinceFlush = null;
    return;
  }
  const peak = Math.max(anchor.peakRateUsdPerHour, signals.rate15mUsdPerHour);
  signals.flushStartedAt = anchor.startedAt;
  signals.peakRateUsdPerHour = peak;
  signals.decayFromPeak = peak > 0 ? signals.rate15mUsdPerHour / peak : null;
  signals.oiChangeSinceFlush = oiChange(history, keys, anchor.refMinute, now);
  signals.priceChangeSinceFlush = priceChange(history, keys, anchor.refMinute, now);
  const trough = minOrNull(anchor.troughOiChange, signals.oiChangeSinceFlush);
  signals.oiRebuildFromTrough =
    trough !== null && signals.oiChangeSinceFlush !== null && 1 + trough > 0 ? (1 + signals.oiChangeSinceFlush) / (1 + trough) - 1 : null;
}

export function minOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
