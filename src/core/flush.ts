/**
 * The flush model: one small state machine per scope (market 'ALL' and each asset) that turns
 * the signals into a verdict — phase, side, pressure 0–100, reasons, since.
 *
 *   calm ──► crowded ──► flushing ──► exhaustion ──► releveraging / continuation ──► calm …
 *
 * `warming` stands in for calm while the liquidation hour is not yet complete (a fresh install,
 * a night away): "no liquidations" must never be read as "calm". A flush from before the
 * liquidations were counted is found in price and open interest history (FlushEvidence) and
 * enters the story as any flush does.
 *
 * Its memory (ModelState: phase, entry time, the tracked flush with its anchor minute, peak and
 * OI trough) is plain JSON and goes into EngineState, so a service-worker restart resumes it.
 * Stepping twice at the same time gives the same result, so the worker may take readings as
 * often as it likes. Every threshold comes from FlushThresholds.
 */
import type { MessageKey } from './i18n';
import type { PositionSide } from './model';
import { clamp01, minOrNull, type FlushAnchor, type FlushEvidence, type FlushSignals } from './signals';
import { amountFor, type FlushThresholds } from './thresholds';
import type { WindowTotals } from './windows';

export const PHASES = ['calm', 'warming', 'crowded', 'flushing', 'exhaustion', 'releveraging', 'continuation'] as const;
export type Phase = (typeof PHASES)[number];

export type ReasonCode =
  | 'intensity'
  | 'intensity-now'
  | 'min-size'
  | 'side-share'
  | 'oi-drop-1h'
  | 'oi-unknown'
  | 'decay'
  | 'oi-reset'
  | 'funding-neutral'
  | 'funding-flip'
  | 'funding-elevated'
  | 'funding-extreme'
  | 'funding-same-side'
  | 'funding-other-side'
  | 'oi-rise-1h'
  | 'oi-rise-24h'
  | 'oi-rebuild'
  | 'oi-near-pre-flush'
  | 'price-failing'
  | 'liquidations-leaning'
  | 'flush-age'
  | 'perp-led'
  | 'spot-heavy'
  | 'baseline'
  | 'liq-coverage'
  | 'flush-evidence'
  | 'oi-falling-15m';

/**
 * One number in a reason's sentence, tagged with what it measures so the page can write it in
 * the trader's locale (core never formats: "$99.1M" inside a Chinese sentence is wrong).
 */
export type ReasonArg =
  /** Dollars. */
  | { usd: number | null }
  /** An unsigned fraction of a whole: 0.9 = 90 % of the hour's liquidations. */
  | { share: number | null }
  /** A signed fractional change (OI, price, perp/spot ratio) or a threshold on one. */
  | { change: number | null }
  /** A funding rate per 8 h, signed. */
  | { rate: number | null }
  /** A multiple: liquidations ÷ the usual rate, the perp/spot volume ratio. */
  | { times: number | null }
  /** A moment, ms since the epoch (the page shows it on its wall clock). */
  | { clock: number }
  /** A whole number of hours; the message carries the unit. */
  | { hours: number }
  /** A whole number of minutes; the message carries the unit. */
  | { minutes: number };

/** One condition behind a verdict: machine-readable value and threshold plus the message that says it. */
export interface Reason {
  code: ReasonCode;
  value: number | null;
  threshold: number | null;
  /** Whether the condition held; context-only reasons are always true. */
  met: boolean;
  /** The sentence as a message of _locales with its arguments, for the page to show in the trader's language. */
  key: MessageKey;
  args: ReasonArg[];
  /** Exhaustion still holds although this condition no longer does (adds `reasonHolds`). */
  holds?: true;
}

export interface Verdict {
  phase: Phase;
  /** flushing: the side being liquidated; crowded/releveraging: the side piling in; exhaustion/continuation: the flushed side. */
  side: PositionSide | null;
  /** 0–100: how much leverage stress the phase carries right now. */
  pressure: number;
  reasons: Reason[];
  /** When this phase (and side) began, ms. For flushing: when the cascade began. */
  since: number;
}

export interface FlushRecord extends FlushAnchor {
  side: PositionSide;
  peakAt: number;
  /** When the cascade stopped running, or null while it runs. */
  endedAt: number | null;
  /** Releveraging or continuation was seen: the flush is no longer "exhausted". */
  relocated: boolean;
  /** Set when the flush was found in price and OI history rather than in counted liquidations. */
  evidence?: { oiDrop: number; priceMove: number };
}

export interface ModelState {
  phase: Phase;
  side: PositionSide | null;
  since: number;
  flush: FlushRecord | null;
  updatedAt: number;
}

export interface StepInput {
  now: number;
  nowMinute: number;
  liq1h: WindowTotals;
  signals: FlushSignals;
  /** Start of the current cascade (from the signals), used to anchor a new flush. */
  onsetMinute: number | null;
  /** Its "before" minute (open interest's top before the onset), if known. */
  refMinute?: number | null;
  isMarket: boolean;
  /** Minutes of complete liquidation windows up to now (≥ 60: the hour is complete). */
  liqCountedMinutes: number;
}

export interface StepResult {
  state: ModelState;
  verdict: Verdict;
}

const HOUR_MS = 3_600_000;
/** The liquidation window every phase but warming needs complete. */
const WINDOW_MINUTES = 60;
const MINUTE_MS = 60_000;
/** A cascade that resumes within this long after it stopped is the same flush. */
const SAME_FLUSH_GAP_MS = 30 * MINUTE_MS;

interface Check {
  met: boolean;
  reasons: Reason[];
}

// ---------------------------------------------------------------------------------------------
// The step

export function stepModel(prev: ModelState | null, input: StepInput, th: FlushThresholds): StepResult {
  const { now, signals: s } = input;
  const prevPhase = prev?.phase ?? 'calm';
  const counting = input.liqCountedMinutes < WINDOW_MINUTES;
  let flush = prev?.flush && now - prev.flush.startedAt <= th.postFlushHours * HOUR_MS ? { ...prev.flush } : null;
  if (flush) trackExtremes(flush, s, now);

  const entry = flushEntry(input, th);
  const running = flush !== null && flush.endedAt === null ? stillRunning(s, flush, th, counting) : null;

  // 1. Flushing: a new cascade, or the tracked one still running. Both show the same reasons
  // (entry conditions, met or not, plus how far the rate is from its peak).
  if (entry.met && entry.side && !(flush && running?.met && flush.side === entry.side)) {
    const resumes = flush && flush.side === entry.side && (flush.endedAt === null || now - flush.endedAt <= SAME_FLUSH_GAP_MS);
    if (!resumes) flush = newFlush(entry.side, input, s);
    else flush!.endedAt = null;
    const reasons = [...entry.reasons, ...stillRunning(s, flush!, th, counting).reasons];
    return finish(prev, flush, 'flushing', flush!.side, flushingPressure(s, input.liq1h, th), reasons, now, s, input);
  }
  if (flush && running?.met) {
    const reasons = [...(flush.evidence ? [evidenceReason(flush)] : entry.reasons), ...running.reasons];
    return finish(prev, flush, 'flushing', flush.side, flushingPressure(s, input.liq1h, th), reasons, now, s, input);
  }
  if (flush && flush.endedAt === null) flush.endedAt = now;
  // A flush the minutes never caught running (it cooled before every condition held at once): the
  // hour shows it, so its story goes on from here rather than reading calm beside it.
  if (!flush && entry.side && hourShowsFlush(entry)) flush = { ...newFlush(entry.side, input, s), endedAt: now };

  // 2. After a flush: where did the risk go?
  if (flush) {
    const continuation = continuationCheck(s, input.liq1h, flush, th, prevPhase === 'continuation');
    if (continuation.met) {
      flush.relocated = true;
      return finish(prev, flush, 'continuation', flush.side, continuationPressure(s, input.liq1h, flush, th), continuation.reasons, now, s, input);
    }
    const relev = releveragingCheck(s, flush, th, prevPhase === 'releveraging');
    if (relev.met) {
      flush.relocated = true;
      return finish(prev, flush, 'releveraging', releveragingSide(s, flush, th), releveragingPressure(s, th), relev.reasons, now, s, input);
    }
    const young = now - flush.startedAt <= th.exhaustionMaxHours * HOUR_MS;
    if (young && !flush.relocated) {
      // Exhaustion is sticky: it stays until a new flush, a rebuild, or the flush is hours old.
      const exhaustion = prevPhase === 'exhaustion' ? stayExhausted(s, flush, th) : exhaustionCheck(s, flush, th);
      if (exhaustion.met) return finish(prev, flush, 'exhaustion', flush.side, exhaustionPressure(s, th), exhaustion.reasons, now, s, input);
    }
  }

  // 3. Calm, crowded or warming never stand beside an hour that shows a flush: the cascade ended
  // without exhaustion or relocation confirmed yet.
  if (entry.side && hourShowsFlush(entry)) {
    if (!flush || flush.side !== entry.side) flush = { ...newFlush(entry.side, input, s), endedAt: now };
    return finish(prev, flush, 'flushing', flush.side, flushingPressure(s, input.liq1h, th), [...entry.reasons, ...stillRunning(s, flush, th, counting).reasons], now, s, input);
  }

  // 4. No flush story: crowded, or calm once a whole hour of liquidations says so.
  const crowded = crowdedCheck(s, th, prevPhase === 'crowded');
  if (crowded.met) return finish(prev, flush, 'crowded', fundingSide(s.funding8h), crowdedPressure(s, th), crowded.reasons, now, s, input);
  if (counting) return finish(prev, flush, 'warming', null, calmPressure(s, th), calmReasons(s, entry, crowded), now, s, input);
  return finish(prev, flush, 'calm', null, calmPressure(s, th), calmReasons(s, entry, crowded), now, s, input);
}

function finish(
  prev: ModelState | null,
  flush: FlushRecord | null,
  phase: Phase,
  side: PositionSide | null,
  pressure: number,
  reasons: Reason[],
  now: number,
  s: FlushSignals,
  input: StepInput,
): StepResult {
  const unchanged = prev && prev.phase === phase && prev.side === side;
  const since = phase === 'flushing' && flush ? flush.startedAt : unchanged ? prev.since : now;
  // A flush found in history says so beside every phase of its story (it was never seen flushing).
  const evidence = flush?.evidence && phase !== 'flushing' && phase !== 'calm' && phase !== 'warming' && phase !== 'crowded' ? [evidenceReason(flush)] : [];
  const allReasons = [...evidence, ...reasons, ...contextReasons(phase, s), ...coverageReasons(input.liqCountedMinutes)];
  const state: ModelState = { phase, side, since, flush, updatedAt: now };
  return { state, verdict: { phase, side, pressure: Math.round(clamp01(pressure / 100) * 100), reasons: allReasons, since } };
}

function trackExtremes(flush: FlushRecord, s: FlushSignals, now: number): void {
  // Peak and trough only move while the flush story is live; reading twice changes nothing.
  if (flush.endedAt === null && s.rate15mUsdPerHour > flush.peakRateUsdPerHour) {
    flush.peakRateUsdPerHour = s.rate15mUsdPerHour;
    flush.peakAt = now;
  }
  flush.troughOiChange = minOrNull(flush.troughOiChange, s.oiChangeSinceFlush);
}

/**
 * The memory a model would have if it had watched the flush that `evidence` found in history (a
 * fresh install, a night away): the flush, still running while open interest falls, else over;
 * exhausted when funding at its end was no longer on the flushed side (exhaustion then holds as
 * it would have, until a rebuild, a continuation or its age ends it). Its liquidation peak was
 * never seen: the rate it is measured against is what a flush needs on a short history.
 */
export function seedFromEvidence(evidence: FlushEvidence, now: number, isMarket: boolean, th: FlushThresholds): ModelState {
  const startedAt = (evidence.peakMinute + 1) * MINUTE_MS;
  const endedAt = evidence.stillFalling ? null : evidence.endMinute * MINUTE_MS;
  const flush: FlushRecord = {
    side: evidence.side,
    startedAt,
    refMinute: evidence.peakMinute,
    peakRateUsdPerHour: th.flushIntensity * amountFor(th.shortHistoryFloorUsdPerHour, isMarket),
    peakAt: startedAt,
    troughOiChange: evidence.troughOiChange,
    endedAt,
    relocated: false,
    evidence: { oiDrop: evidence.oiDrop, priceMove: evidence.priceMove },
  };
  const f = evidence.fundingAtEnd;
  const exhausted = endedAt !== null && (f === null || sideSign(evidence.side) * f <= th.fundingNeutral);
  const phase: Phase = endedAt === null ? 'flushing' : exhausted ? 'exhaustion' : 'calm';
  return { phase, side: phase === 'calm' ? null : evidence.side, since: endedAt ?? startedAt, flush, updatedAt: Math.min(now, endedAt ?? now) };
}

/** Open interest still falling at a quarter of a flush's hourly pace: the cascade goes on. */
function oiStillFalling(s: FlushSignals, th: FlushThresholds): boolean {
  return s.oiChange15m !== null && s.oiChange15m <= -th.oiDropFlush1h / 4;
}

function evidenceReason(flush: FlushRecord): Reason {
  const e = flush.evidence!;
  return reason('flush-evidence', e.oiDrop, null, true, say(flush.side === 'long' ? 'reasonEvidenceLongs' : 'reasonEvidenceShorts', change(e.oiDrop), change(e.priceMove), { clock: flush.startedAt }));
}

function newFlush(side: PositionSide, input: StepInput, s: FlushSignals): FlushRecord {
  const onset = input.onsetMinute ?? input.nowMinute - 15;
  return {
    side,
    startedAt: onset * MINUTE_MS,
    // OI, price, funding "before the flush": OI's top before the first hot minute (preFlushMinute).
    refMinute: input.refMinute ?? onset - 1,
    peakRateUsdPerHour: s.rate15mUsdPerHour,
    peakAt: input.now,
    troughOiChange: null,
    endedAt: null,
    relocated: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Conditions

/** Flushing: far above baseline now and over the hour, big enough, one-sided, OI falling. */
export function flushEntry(input: StepInput, th: FlushThresholds): Check & { side: PositionSide | null } {
  const s = input.signals;
  const liq1h = input.liq1h;
  const longShare = liq1h.longShare;
  const side: PositionSide | null = longShare === null ? null : longShare >= th.dominantShare ? 'long' : 1 - longShare >= th.dominantShare ? 'short' : null;
  const sideShare = longShare === null ? null : side === 'short' ? 1 - longShare : side === 'long' ? longShare : Math.max(longShare, 1 - longShare);
  const drop = s.oiDrawdown1h;
  const oiKnown = drop !== null;
  const needed = oiKnown ? th.flushIntensity : th.flushIntensityWithoutOi;
  const minUsd = input.isMarket ? th.minFlushUsd1h.market : th.minFlushUsd1h.asset;
  // The hour lags a sudden cascade; a 15 min rate twice the bar confirms it sooner.
  const fast = s.intensityNow >= 2 * needed;
  const intensity = reason(
    'intensity',
    s.intensity,
    needed,
    s.intensity >= needed || fast,
    s.intensity >= needed || !fast
      ? say('reasonIntensity', usd(liq1h.totalUsd), times(s.intensity), usd(s.baselineUsdPerHour), times(needed))
      : say('reasonIntensityFast', usd(liq1h.totalUsd), times(s.intensity), times(2 * needed)),
  );
  const now = reason('intensity-now', s.intensityNow, needed, s.intensityNow >= needed, say('reasonIntensityNow', usd(s.rate15mUsdPerHour), times(s.intensityNow), times(needed)));
  const size = reason('min-size', liq1h.totalUsd, minUsd, liq1h.totalUsd >= minUsd, say('reasonMinSize', usd(liq1h.totalUsd), usd(minUsd)));
  const oneSided = reason('side-share', sideShare, th.dominantShare, side !== null, side ? say(side === 'long' ? 'reasonLongsTook' : 'reasonShortsTook', share(sideShare), share(th.dominantShare)) : say('reasonTwoSided', share(th.dominantShare)));
  const falling = drop !== null && drop <= -th.oiDropFlush1h;
  const extreme = s.intensity >= th.extremeIntensity;
  const oi = oiKnown
    ? reason('oi-drop-1h', drop, -th.oiDropFlush1h, falling || extreme, falling ? say('reasonOiDrop', change(drop), change(-th.oiDropFlush1h)) : extreme ? say('reasonOiDropExtreme', change(drop), times(th.extremeIntensity)) : say('reasonOiNotFalling', change(drop), change(-th.oiDropFlush1h)))
    : reason('oi-unknown', null, null, true, say('reasonNoOiNeeds', times(needed)));
  const all = [intensity, now, size, oneSided, oi];
  return { met: all.every((r) => r.met), side, reasons: all };
}

/** Every condition of a flush over the last hour holds, whatever the last 15 minutes did. */
function hourShowsFlush(entry: Check): boolean {
  return entry.reasons.every((r) => r.met || r.code === 'intensity-now');
}

/**
 * The cascade still runs while the 15 min rate stays near its peak or far above baseline; while
 * the liquidation hour is still being counted, also while open interest keeps falling.
 */
function stillRunning(s: FlushSignals, flush: FlushRecord, th: FlushThresholds, counting: boolean): Check {
  const peak = Math.max(flush.peakRateUsdPerHour, s.rate15mUsdPerHour);
  const decay = peak > 0 ? s.rate15mUsdPerHour / peak : null;
  const nearPeak = decay !== null && decay >= th.decayFraction;
  const hot = s.intensityNow >= th.flushIntensity;
  const r = reason('decay', decay, th.decayFraction, nearPeak || hot, say('reasonRunning', usd(s.rate15mUsdPerHour), share(decay), usd(peak), times(s.intensityNow), share(th.decayFraction), times(th.flushIntensity)));
  // A flush found in history has no liquidation peak to decay from until the hour is counted.
  if (!counting || !flush.evidence) return { met: r.met, reasons: [r] };
  const falling = oiStillFalling(s, th);
  const oi = reason('oi-falling-15m', s.oiChange15m, -th.oiDropFlush1h / 4, falling, say('reasonOiFalling15m', change(s.oiChange15m), change(-th.oiDropFlush1h / 4)));
  return { met: r.met || falling, reasons: [r, oi] };
}

/** +1 when longs were flushed (their funding is positive), −1 for shorts. */
function sideSign(side: PositionSide): 1 | -1 {
  return side === 'long' ? 1 : -1;
}

function exhaustionCheck(s: FlushSignals, flush: FlushRecord, th: FlushThresholds): Check {
  const sign = sideSign(flush.side);
  const decayed = reason('decay', s.decayFromPeak, th.decayFraction, true, say('reasonDecayed', share(s.decayFromPeak), usd(s.peakRateUsdPerHour)));
  const oiReset =
    s.oiChangeSinceFlush === null
      ? reason('oi-unknown', null, null, true, say('reasonNoOiReset'))
      : reason('oi-reset', s.oiChangeSinceFlush, -th.oiReset, s.oiChangeSinceFlush <= -th.oiReset, say('reasonOiReset', change(s.oiChangeSinceFlush), change(-th.oiReset)));
  const f = s.funding8h;
  const fundingOk = f === null || sign * f <= th.fundingNeutral;
  const funding =
    s.fundingFlip !== null
      ? reason('funding-flip', f, 0, fundingOk, say(s.fundingFlip === 'to-negative' ? 'reasonFundingFlippedNegative' : 'reasonFundingFlippedPositive', rate(s.fundingRef), rate(f)))
      : reason('funding-neutral', f, sign * th.fundingNeutral, fundingOk, say(flush.side === 'long' ? 'reasonFundingNeutralLong' : 'reasonFundingNeutralShort', rate(f), rate(sign * th.fundingNeutral)));
  const age = flushAge(flush, th);
  return { met: oiReset.met && funding.met, reasons: [decayed, oiReset, funding, age] };
}

function stayExhausted(s: FlushSignals, flush: FlushRecord, th: FlushThresholds): Check {
  const first = exhaustionCheck(s, flush, th);
  return { met: true, reasons: first.reasons.map((r) => (r.code === 'flush-age' || r.met ? r : { ...r, holds: true as const })) };
}

function flushAge(flush: FlushRecord, th: FlushThresholds): Reason {
  return reason('flush-age', flush.startedAt, th.exhaustionMaxHours, true, say(flush.side === 'long' ? 'reasonFlushAgeLongs' : 'reasonFlushAgeShorts', { clock: flush.startedAt }, { hours: th.exhaustionMaxHours }));
}

function continuationCheck(s: FlushSignals, liq1h: WindowTotals, flush: FlushRecord, th: FlushThresholds, staying: boolean): Check {
  const k = staying ? th.hysteresis : 1;
  const sign = sideSign(flush.side);
  const oiNear = reason(
    'oi-near-pre-flush',
    s.oiChangeSinceFlush,
    -th.oiNearPreFlush / k,
    s.oiChangeSinceFlush !== null && s.oiChangeSinceFlush >= -th.oiNearPreFlush / k,
    say('reasonOiNearPreFlush', change(s.oiChangeSinceFlush), change(-th.oiNearPreFlush / k)),
  );
  const pc = s.priceChangeSinceFlush;
  const failing = reason(
    'price-failing',
    pc,
    -sign * th.priceFail * k,
    pc !== null && sign * pc <= -th.priceFail * k,
    say(flush.side === 'long' ? 'reasonPriceFailsToReclaim' : 'reasonPriceKeepsSqueezing', change(pc), change(-sign * th.priceFail * k)),
  );
  const f = s.funding8h;
  const funding = reason('funding-same-side', f, sign * th.fundingElevated * k, f !== null && sign * f >= th.fundingElevated * k, say(flush.side === 'long' ? 'reasonFundingStillLongs' : 'reasonFundingStillShorts', rate(f), rate(sign * th.fundingElevated * k)));
  const flushed = liq1h.longShare === null ? null : flush.side === 'long' ? liq1h.longShare : 1 - liq1h.longShare;
  const lean = reason('liquidations-leaning', flushed, th.leanShare, flushed !== null && flushed >= th.leanShare * (staying ? 0.9 : 1), say(flush.side === 'long' ? 'reasonLeaningLongs' : 'reasonLeaningShorts', share(flushed), usd(liq1h.totalUsd), share(th.leanShare)));
  const all = [oiNear, failing, funding, lean];
  return { met: all.every((r) => r.met), reasons: all };
}

function releveragingCheck(s: FlushSignals, flush: FlushRecord, th: FlushThresholds, staying: boolean): Check {
  const k = staying ? th.hysteresis : 1;
  const sign = sideSign(flush.side);
  const rebuild = s.oiRebuildFromTrough;
  const rebuilt = reason('oi-rebuild', rebuild, th.oiRebuild * k, rebuild !== null && rebuild >= th.oiRebuild * k, say('reasonOiRebuilt', change(rebuild), change(th.oiRebuild * k)));
  const f = s.funding8h;
  const flipped = f !== null && -sign * f >= th.fundingHardFlip * k;
  const veryFast = rebuild !== null && rebuild >= 2 * th.oiRebuild * k;
  const funding = reason(
    'funding-other-side',
    f,
    -sign * th.fundingHardFlip * k,
    flipped || veryFast,
    flipped
      ? say(flush.side === 'long' ? 'reasonFlippedHardShortsIn' : 'reasonFlippedHardLongsIn', rate(f))
      : veryFast
        ? say('reasonFundingButRebuilt', rate(f), change(2 * th.oiRebuild * k))
        : say(flush.side === 'long' ? 'reasonNotFlippedHardLong' : 'reasonNotFlippedHardShort', rate(f), rate(-sign * th.fundingHardFlip * k)),
  );
  return { met: rebuilt.met && funding.met, reasons: [rebuilt, funding] };
}

function releveragingSide(s: FlushSignals, flush: FlushRecord, th: FlushThresholds): PositionSide | null {
  const f = s.funding8h;
  if (f === null) return null;
  if (-sideSign(flush.side) * f >= th.fundingHardFlip * th.hysteresis) return flush.side === 'long' ? 'short' : 'long';
  return Math.abs(f) >= th.fundingElevated ? fundingSide(f) : null;
}

function crowdedCheck(s: FlushSignals, th: FlushThresholds, staying: boolean): Check {
  const k = staying ? th.hysteresis : 1;
  const f = s.funding8h;
  const abs = f === null ? null : Math.abs(f);
  const elevated = reason('funding-elevated', f, th.fundingElevated * k, abs !== null && abs >= th.fundingElevated * k, say('reasonFundingElevated', rate(f), rate(-th.fundingElevated * k), rate(th.fundingElevated * k)));
  const rise1h = reason('oi-rise-1h', s.oiChange1h, th.oiRise1h * k, s.oiChange1h !== null && s.oiChange1h >= th.oiRise1h * k, say('reasonOiRise1h', change(s.oiChange1h), change(th.oiRise1h * k)));
  const rise24h = reason('oi-rise-24h', s.oiChange24h, th.oiRise24h * k, s.oiChange24h !== null && s.oiChange24h >= th.oiRise24h * k, say('reasonOiRise24h', change(s.oiChange24h), change(th.oiRise24h * k)));
  const extreme = reason('funding-extreme', f, th.fundingExtreme, abs !== null && abs >= th.fundingExtreme, say('reasonFundingExtreme', rate(f), rate(-th.fundingExtreme), rate(th.fundingExtreme)));
  // Once crowded, the crowd is still there until OI actually falls: a cascade's first minutes
  // stop OI rising before they confirm a flush, and the meter should not blink "calm" between.
  const holding =
    staying && s.oiDrawdown1h !== null && s.oiDrawdown1h > -th.oiDropFlush1h
      ? reason('oi-rise-1h', s.oiDrawdown1h, -th.oiDropFlush1h, true, say('reasonCrowdStays', change(s.oiDrawdown1h)))
      : null;
  const rising = rise1h.met || rise24h.met || extreme.met || holding !== null;
  const reasons = [elevated, ...[rise1h, rise24h, extreme].filter((r) => r.met)];
  if (holding && !(rise1h.met || rise24h.met || extreme.met)) reasons.push(holding);
  if (!rising) reasons.push(rise1h, rise24h);
  return { met: elevated.met && rising, reasons };
}

/** While the liquidation hour is incomplete, every verdict says for how long it has been counted. */
function coverageReasons(countedMinutes: number): Reason[] {
  if (countedMinutes >= WINDOW_MINUTES) return [];
  const counted = Math.max(0, Math.floor(countedMinutes));
  return [reason('liq-coverage', counted, WINDOW_MINUTES, false, say('reasonLiqCoverage', { minutes: counted }, { minutes: WINDOW_MINUTES - counted }))];
}

function calmReasons(s: FlushSignals, entry: Check, crowded: Check): Reason[] {
  // A calm reading says what it would take to be otherwise: the nearest unmet conditions.
  const unmetEntry = entry.reasons.filter((r) => !r.met).slice(0, 2);
  const unmetCrowd = crowded.reasons.filter((r) => !r.met).slice(0, 1);
  return [...unmetEntry, ...unmetCrowd, reason('baseline', s.baselineUsdPerHour, null, true, baselineText(s))];
}

function baselineText(s: FlushSignals): Said {
  switch (s.baselineSource) {
    case 'median':
      return say('reasonBaselineMedian', usd(s.baselineUsdPerHour), { hours: s.baselineHours });
    case 'floor':
      return say('reasonBaselineFloor', usd(s.baselineUsdPerHour), { hours: s.baselineHours });
    default:
      return say(s.baselineHours < 1 ? 'reasonBaselineShortFew' : 'reasonBaselineShortMore', usd(s.baselineUsdPerHour));
  }
}

/** Context from the articles that does not change the phase but changes its reading. */
function contextReasons(phase: Phase, s: FlushSignals): Reason[] {
  const out: Reason[] = [];
  if (phase !== 'flushing' && phase !== 'exhaustion') return out;
  const ratioChange = s.perpSpotRatioChange1h;
  if (ratioChange !== null && ratioChange >= 0.02) {
    out.push(reason('perp-led', s.perpSpotRatio, null, true, say('reasonPerpLed', times(s.perpSpotRatio), change(ratioChange))));
  } else if (ratioChange !== null && ratioChange <= -0.02) {
    out.push(reason('spot-heavy', s.perpSpotRatio, null, true, say('reasonSpotHeavy', times(s.perpSpotRatio), change(ratioChange))));
  }
  if (phase === 'flushing' && s.fundingFlip !== null) {
    out.push(reason('funding-flip', s.funding8h, 0, true, say(s.fundingFlip === 'to-negative' ? 'reasonFundingFlippedNegative' : 'reasonFundingFlippedPositive', rate(s.fundingRef), rate(s.funding8h))));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pressure: 0–100 within a band per phase

function flushingPressure(s: FlushSignals, liq1h: WindowTotals, th: FlushThresholds): number {
  const share = liq1h.longShare === null ? 0.5 : Math.max(liq1h.longShare, 1 - liq1h.longShare);
  const intensity = clamp01((s.intensity - th.flushIntensity) / (3 * th.flushIntensity));
  const oneSided = clamp01((share - th.dominantShare) / (1 - th.dominantShare));
  const oi = s.oiDrawdown1h === null ? 0.5 : clamp01(-s.oiDrawdown1h / (4 * th.oiDropFlush1h));
  return 60 + 40 * ((intensity + oneSided + oi) / 3);
}

function exhaustionPressure(s: FlushSignals, th: FlushThresholds): number {
  return 15 + 25 * clamp01(s.intensityNow / th.flushIntensity);
}

function crowdedPressure(s: FlushSignals, th: FlushThresholds): number {
  const funding = clamp01(Math.abs(s.funding8h ?? 0) / (3 * th.fundingElevated));
  const oi = Math.max(clamp01((s.oiChange1h ?? 0) / (3 * th.oiRise1h)), clamp01((s.oiChange24h ?? 0) / (3 * th.oiRise24h)));
  return 40 + 30 * ((funding + oi) / 2);
}

function releveragingPressure(s: FlushSignals, th: FlushThresholds): number {
  const rebuild = clamp01((s.oiRebuildFromTrough ?? 0) / (3 * th.oiRebuild));
  const funding = clamp01(Math.abs(s.funding8h ?? 0) / (3 * th.fundingHardFlip));
  return 45 + 35 * ((rebuild + funding) / 2);
}

function continuationPressure(s: FlushSignals, liq1h: WindowTotals, flush: FlushRecord, th: FlushThresholds): number {
  const sign = sideSign(flush.side);
  const price = clamp01((-sign * (s.priceChangeSinceFlush ?? 0)) / (4 * th.priceFail));
  const funding = clamp01((sign * (s.funding8h ?? 0)) / (3 * th.fundingElevated));
  const share = liq1h.longShare === null ? 0 : flush.side === 'long' ? liq1h.longShare : 1 - liq1h.longShare;
  const lean = clamp01((share - th.leanShare) / (1 - th.leanShare));
  return 55 + 35 * ((price + funding + lean) / 3);
}

function calmPressure(s: FlushSignals, th: FlushThresholds): number {
  const liq = clamp01((s.intensity - 1) / (th.flushIntensity - 1));
  const funding = clamp01(Math.abs(s.funding8h ?? 0) / th.fundingElevated) * 0.7;
  return 30 * Math.max(liq, funding);
}

function fundingSide(f: number | null): PositionSide | null {
  return f === null || f === 0 ? null : f > 0 ? 'long' : 'short';
}

// ---------------------------------------------------------------------------------------------
// The reasons' messages: a key and typed numbers, worded by the page

function reason(code: ReasonCode, value: number | null, threshold: number | null, met: boolean, said: Said): Reason {
  return { code, key: said.key, args: said.args, value: finiteOrNull(value), threshold: finiteOrNull(threshold), met };
}

/** A message of _locales and the numbers it needs. */
interface Said {
  key: MessageKey;
  args: ReasonArg[];
}

function say(key: MessageKey, ...args: ReasonArg[]): Said {
  return { key, args };
}

function finiteOrNull(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}

// Tags for say(): short, because a reason line reads better with the numbers it names.
const usd = (v: number | null): ReasonArg => ({ usd: v });
const share = (v: number | null): ReasonArg => ({ share: v });
const change = (v: number | null): ReasonArg => ({ change: v });
const rate = (v: number | null): ReasonArg => ({ rate: v });
const times = (v: number | null): ReasonArg => ({ times: v });

/** Restores model state from storage; anything malformed yields null (start fresh). */
export function parseModelState(data: unknown): ModelState | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  if (!PHASES.includes(d.phase as Phase)) return null;
  if (!(d.side === null || d.side === 'long' || d.side === 'short')) return null;
  if (!isNum(d.since) || !isNum(d.updatedAt)) return null;
  let flush: FlushRecord | null = null;
  if (d.flush && typeof d.flush === 'object') {
    const f = d.flush as Record<string, unknown>;
    if (
      (f.side === 'long' || f.side === 'short') &&
      isNum(f.startedAt) &&
      isNum(f.refMinute) &&
      isNum(f.peakRateUsdPerHour) &&
      isNum(f.peakAt) &&
      (f.troughOiChange === null || isNum(f.troughOiChange)) &&
      (f.endedAt === null || isNum(f.endedAt)) &&
      typeof f.relocated === 'boolean'
    ) {
      flush = {
        side: f.side,
        startedAt: f.startedAt,
        refMinute: f.refMinute,
        peakRateUsdPerHour: f.peakRateUsdPerHour,
        peakAt: f.peakAt,
        troughOiChange: f.troughOiChange as number | null,
        endedAt: f.endedAt as number | null,
        relocated: f.relocated,
        ...(isEvidence(f.evidence) ? { evidence: f.evidence } : {}),
      };
    }
  }
  return { phase: d.phase as Phase, side: d.side as PositionSide | null, since: d.since, flush, updatedAt: d.updatedAt };
}

function isEvidence(v: unknown): v is { oiDrop: number; priceMove: number } {
  return typeof v === 'object' && v !== null && isNum((v as { oiDrop?: unknown }).oiDrop) && isNum((v as { priceMove?: unknown }).priceMove);
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
