/** The flush state machine on hand-set signals: each phase rule, its thresholds and its memory. */
import { describe, expect, it } from 'vitest';
import { flushEntry, stepModel, type ModelState, type StepInput, type StepResult } from '../src/core/flush';
import type { FlushSignals } from '../src/core/signals';
import { DEFAULT_FLUSH_THRESHOLDS, resolveThresholds } from '../src/core/thresholds';
import { toTotals, type WindowTotals } from '../src/core/windows';
import { reasonSentence } from '../src/ui/reason-text';
import { EN, ZH } from './alert-fixtures';

const TH = resolveThresholds();
const T0 = Date.UTC(2025, 0, 1, 12);
const MIN = 60_000;
const BASE = 3_000_000;

function calmSignals(over: Partial<FlushSignals> = {}): FlushSignals {
  return {
    liq5m: toTotals(100_000, 100_000, 10),
    liq4h: toTotals(6e6, 6e6, 400),
    rate15mUsdPerHour: BASE,
    baselineUsdPerHour: BASE,
    baselineSource: 'median',
    baselineHours: 23,
    intensity: 1,
    intensityNow: 1,
    acceleration: 0,
    peakRateUsdPerHour: null,
    decayFromPeak: null,
    flushStartedAt: null,
    oiUsd: 28e9,
    oiChange1h: 0.001,
    oiChange15m: 0,
    oiDrawdown1h: -0.001,
    oiChange24h: 0.01,
    oiChangeSinceFlush: null,
    oiRebuildFromTrough: null,
    funding8h: 0.0001,
    fundingChange1h: 0,
    fundingRef: 0.0001,
    fundingFlip: null,
    basis: 0.0002,
    basisChange1h: 0,
    perpSpotRatio: 4,
    perpSpotRatioChange1h: 0,
    priceChange1h: 0.001,
    priceRange1h: 0.004,
    priceChange24h: 0.01,
    priceChangeSinceFlush: null,
    ...over,
  };
}

/** A long flush in full swing: $60M in the hour, 90% longs, OI −4% from its high. */
function flushSignals(over: Partial<FlushSignals> = {}): FlushSignals {
  return calmSignals({ intensity: 20, intensityNow: 40, rate15mUsdPerHour: 40 * BASE, oiChange1h: -0.03, oiDrawdown1h: -0.04, funding8h: 0.0002, ...over });
}

function input(minute: number, signals: FlushSignals, liq1h: WindowTotals = toTotals(1.5e6, 1.5e6, 100)): StepInput {
  const now = T0 + minute * MIN;
  return { now, nowMinute: now / MIN, liq1h, signals, onsetMinute: T0 / MIN + minute - 20, isMarket: true, liqCountedMinutes: Infinity };
}

const LONG_FLUSH_1H = toTotals(54e6, 6e6, 900);

/** Steps through a sequence of (minute, signals, liq1h), returning the last result. */
function run(steps: Array<[number, FlushSignals, WindowTotals?]>, start: ModelState | null = null): StepResult {
  let state = start;
  let result: StepResult | null = null;
  for (const [minute, s, liq] of steps) {
    result = stepModel(state, input(minute, s, liq), TH);
    state = result.state;
  }
  return result!;
}

/** A flush that ran from minute 0 to 30 and then decayed, OI −8%, funding flipped negative. */
function afterFlush(): StepResult {
  return run([
    [0, flushSignals(), LONG_FLUSH_1H],
    [30, flushSignals({ rate15mUsdPerHour: 30 * BASE, intensityNow: 30, oiChangeSinceFlush: -0.08 }), LONG_FLUSH_1H],
    [
      60,
      calmSignals({ intensity: 15, intensityNow: 0.5, rate15mUsdPerHour: 0.5 * BASE, oiChangeSinceFlush: -0.08, funding8h: -0.0001, fundingFlip: 'to-negative', fundingRef: 0.0004 }),
      LONG_FLUSH_1H,
    ],
  ]);
}

describe('calm and crowded', () => {
  it('is calm on an ordinary reading, with low pressure and reasons saying what is missing', () => {
    const { verdict } = run([[0, calmSignals()]]);
    expect(verdict.phase).toBe('calm');
    expect(verdict.side).toBeNull();
    expect(verdict.pressure).toBeLessThan(30);
    expect(verdict.reasons.some((r) => !r.met)).toBe(true);
    expect(verdict.reasons.find((r) => r.code === 'baseline')?.value).toBe(BASE);
  });

  it('is crowded (long) with elevated funding and rising OI; side follows the funding sign', () => {
    const long = run([[0, calmSignals({ funding8h: 0.0004, oiChange1h: 0.02 })]]).verdict;
    expect(long).toMatchObject({ phase: 'crowded', side: 'long' });
    expect(long.pressure).toBeGreaterThanOrEqual(40);
    const short = run([[0, calmSignals({ funding8h: -0.0004, oiChange24h: 0.06 })]]).verdict;
    expect(short).toMatchObject({ phase: 'crowded', side: 'short' });
  });

  it('is not crowded on elevated funding alone (OI flat), unless funding is extreme', () => {
    expect(run([[0, calmSignals({ funding8h: 0.0004, oiChange1h: 0, oiChange24h: 0 })]]).verdict.phase).toBe('calm');
    expect(run([[0, calmSignals({ funding8h: 0.0012, oiChange1h: 0, oiChange24h: 0 })]]).verdict.phase).toBe('crowded');
  });

  it('stays crowded with hysteresis, and while OI has not yet fallen from its high', () => {
    const first = run([[0, calmSignals({ funding8h: 0.0004, oiChange1h: 0.02 })]]);
    // Funding eases to 0.00025 (below 0.0003 but above 0.75 × 0.0003) and OI stops rising.
    const next = stepModel(first.state, input(1, calmSignals({ funding8h: 0.00025, oiChange1h: 0.005, oiDrawdown1h: -0.005 })), TH);
    expect(next.verdict.phase).toBe('crowded');
    expect(next.verdict.since).toBe(first.verdict.since);
    // A fresh reading with the same numbers would not enter crowded.
    expect(run([[1, calmSignals({ funding8h: 0.00025, oiChange1h: 0.005 })]]).verdict.phase).toBe('calm');
  });
});

describe('flushing', () => {
  it('enters on intensity, size, one side and falling OI; side = side liquidated; pressure high', () => {
    const { verdict, state } = run([[0, flushSignals(), LONG_FLUSH_1H]]);
    expect(verdict).toMatchObject({ phase: 'flushing', side: 'long' });
    expect(verdict.pressure).toBeGreaterThanOrEqual(80);
    expect(verdict.since).toBe(T0 - 20 * MIN); // the cascade's onset, not the reading time
    expect(state.flush).toMatchObject({ side: 'long', startedAt: T0 - 20 * MIN, refMinute: T0 / MIN - 21 });
    for (const code of ['intensity', 'intensity-now', 'min-size', 'side-share', 'oi-drop-1h']) {
      const r = verdict.reasons.find((x) => x.code === code)!;
      expect(r.met).toBe(true);
      expect(reasonSentence(r, EN).length).toBeGreaterThan(10);
    }
  });

  it('flags a short squeeze with side short', () => {
    expect(run([[0, flushSignals(), toTotals(5e6, 55e6, 900)]]).verdict).toMatchObject({ phase: 'flushing', side: 'short' });
  });

  it.each([
    ['below the intensity bar', flushSignals({ intensity: 4, intensityNow: 6 }), LONG_FLUSH_1H],
    ['too small in dollars', flushSignals(), toTotals(8e6, 1e6, 90)],
    ['two-sided', flushSignals(), toTotals(30e6, 30e6, 900)],
    ['OI not falling', flushSignals({ intensity: 8, oiDrawdown1h: -0.005 }), LONG_FLUSH_1H],
  ])('does not call a flush when %s', (_name, s, liq) => {
    expect(run([[0, s, liq]]).verdict.phase).not.toBe('flushing');
  });

  it('never reads calm beside a flush hour whose cascade cooled before it was caught running', () => {
    const cooled = { intensityNow: 2, rate15mUsdPerHour: 2 * BASE };
    // Funding still on the longs' side: the flush is over but not exhausted, and the hour still shows it.
    const still = run([[0, flushSignals(cooled), LONG_FLUSH_1H]]);
    expect(still.verdict).toMatchObject({ phase: 'flushing', side: 'long' });
    expect(still.state.flush?.endedAt).toBe(T0);
    // Funding back to neutral: exhaustion, with the flush it exhausted.
    const reset = run([[0, flushSignals({ ...cooled, funding8h: 0.0001 }), LONG_FLUSH_1H]]);
    expect(reset.verdict).toMatchObject({ phase: 'exhaustion', side: 'long' });
  });

  it('accepts extreme liquidations without an OI fall yet (OI feeds lag)', () => {
    expect(run([[0, flushSignals({ intensity: 13, oiDrawdown1h: -0.002 }), LONG_FLUSH_1H]]).verdict.phase).toBe('flushing');
  });

  it('without any OI data demands 8× instead of 5×', () => {
    const noOi = { oiChange1h: null, oiDrawdown1h: null, oiUsd: null };
    expect(run([[0, flushSignals({ ...noOi, intensity: 6, intensityNow: 7 }), LONG_FLUSH_1H]]).verdict.phase).toBe('calm');
    const { verdict } = run([[0, flushSignals({ ...noOi, intensity: 9, intensityNow: 9 }), LONG_FLUSH_1H]]);
    expect(verdict.phase).toBe('flushing');
    expect(verdict.reasons.find((r) => r.code === 'oi-unknown')?.threshold).toBeNull();
  });

  it('keeps running while the 15 min rate is near its peak, tracks the peak, ends below 30 % of it', () => {
    const at = (rate: number) => flushSignals({ rate15mUsdPerHour: rate * BASE, intensityNow: rate });
    const r = run([
      [0, at(10), LONG_FLUSH_1H],
      [10, at(12), LONG_FLUSH_1H],
      [20, at(4), LONG_FLUSH_1H], // 33 % of the peak, below 5× usual: still running
    ]);
    expect(r.verdict.phase).toBe('flushing');
    expect(r.state.flush?.peakRateUsdPerHour).toBe(12 * BASE);
    expect(r.state.flush?.peakAt).toBe(T0 + 10 * MIN);
    expect(r.verdict.reasons.find((x) => x.code === 'decay')?.value).toBeCloseTo(1 / 3);
    // 25 % of the peak: the cascade is over. With funding back to neutral that is exhaustion.
    const over = stepModel(r.state, input(30, { ...at(3), funding8h: 0.0001 }, LONG_FLUSH_1H), TH);
    expect(over.verdict.phase).toBe('exhaustion');
    expect(over.state.flush?.endedAt).toBe(T0 + 30 * MIN);
    // Funding still on the longs' side: over, but the hour still shows the flush (never calm beside it).
    const cooling = stepModel(r.state, input(30, at(3), LONG_FLUSH_1H), TH);
    expect(cooling.verdict.phase).toBe('flushing');
    expect(cooling.state.flush?.endedAt).toBe(T0 + 30 * MIN);
  });

  it('is idempotent: reading twice at the same time changes nothing', () => {
    const once = run([[0, flushSignals(), LONG_FLUSH_1H]]);
    const twice = stepModel(once.state, input(0, flushSignals(), LONG_FLUSH_1H), TH);
    expect(twice.state).toEqual(once.state);
    expect(twice.verdict).toEqual(once.verdict);
  });
});

describe('after a flush', () => {
  it('exhaustion: rate decayed, OI reset, funding flipped; side = flushed side; low pressure', () => {
    const { verdict, state } = afterFlush();
    expect(verdict).toMatchObject({ phase: 'exhaustion', side: 'long' });
    expect(verdict.pressure).toBeLessThan(40);
    expect(verdict.since).toBe(T0 + 60 * MIN);
    expect(state.flush?.endedAt).toBe(T0 + 60 * MIN);
    expect(verdict.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['decay', 'oi-reset', 'funding-flip', 'flush-age']));
  });

  it('no exhaustion while funding is still elevated for the flushed side or OI has not reset', () => {
    const stillPaying = run([
      [0, flushSignals(), LONG_FLUSH_1H],
      [60, calmSignals({ intensity: 10, intensityNow: 0.5, oiChangeSinceFlush: -0.08, funding8h: 0.00025 }), LONG_FLUSH_1H],
    ]);
    expect(stillPaying.verdict.phase).not.toBe('exhaustion');
    const noReset = run([
      [0, flushSignals(), LONG_FLUSH_1H],
      [60, calmSignals({ intensity: 10, intensityNow: 0.5, oiChangeSinceFlush: -0.01, funding8h: 0 }), LONG_FLUSH_1H],
    ]);
    expect(noReset.verdict.phase).not.toBe('exhaustion');
  });

  it('exhaustion is sticky, then lapses once the flush is hours old', () => {
    const first = afterFlush();
    const drift = calmSignals({ oiChangeSinceFlush: -0.06, funding8h: 0.0002 }); // funding drifted back up
    const later = stepModel(first.state, input(120, drift), TH);
    expect(later.verdict.phase).toBe('exhaustion');
    expect(later.verdict.since).toBe(first.verdict.since);
    const old = stepModel(later.state, input(6 * 60 + 1, drift), TH);
    expect(old.verdict.phase).toBe('calm');
  });

  it('releveraging: OI rebuilds fast with funding flipped hard; side = the side piling in', () => {
    const first = afterFlush();
    const rebuild = calmSignals({ oiChangeSinceFlush: -0.03, oiRebuildFromTrough: 0.055, funding8h: -0.0005, priceChangeSinceFlush: -0.04 });
    const r = stepModel(first.state, input(150, rebuild), TH);
    expect(r.verdict).toMatchObject({ phase: 'releveraging', side: 'short' });
    expect(r.verdict.pressure).toBeGreaterThanOrEqual(45);
    expect(r.state.flush?.relocated).toBe(true);
    // Once relocated, the flush is not "exhausted" again.
    const quiet = stepModel(r.state, input(200, calmSignals({ oiChangeSinceFlush: -0.08, oiRebuildFromTrough: 0, funding8h: 0 })), TH);
    expect(quiet.verdict.phase).toBe('calm');
  });

  it('a slow rebuild with neutral funding is not releveraging', () => {
    const r = stepModel(afterFlush().state, input(150, calmSignals({ oiChangeSinceFlush: -0.06, oiRebuildFromTrough: 0.02, funding8h: 0.00005 })), TH);
    expect(r.verdict.phase).toBe('exhaustion');
  });

  it('continuation: OI back near pre-flush, price failing, funding elevated, liquidations still longs', () => {
    const s = calmSignals({ oiChangeSinceFlush: -0.005, oiRebuildFromTrough: 0.08, funding8h: 0.0004, priceChangeSinceFlush: -0.05 });
    const r = stepModel(afterFlush().state, input(240, s, toTotals(4e6, 1e6, 100)), TH);
    expect(r.verdict).toMatchObject({ phase: 'continuation', side: 'long' });
    expect(r.verdict.pressure).toBeGreaterThanOrEqual(55);
    // Price reclaimed → not continuation (it is longs reloading: releveraging, side long).
    const reclaimed = stepModel(afterFlush().state, input(240, { ...s, priceChangeSinceFlush: 0.002 }, toTotals(4e6, 1e6, 100)), TH);
    expect(reclaimed.verdict).toMatchObject({ phase: 'releveraging', side: 'long' });
    // Liquidations now mostly shorts → not continuation.
    expect(stepModel(afterFlush().state, input(240, s, toTotals(1e6, 4e6, 100)), TH).verdict.phase).not.toBe('continuation');
  });

  it('a new cascade on the other side starts a new flush', () => {
    const r = stepModel(afterFlush().state, input(90, flushSignals({ funding8h: -0.0002 }), toTotals(5e6, 55e6, 900)), TH);
    expect(r.verdict).toMatchObject({ phase: 'flushing', side: 'short' });
    expect(r.state.flush?.startedAt).toBe(T0 + 70 * MIN);
  });

  it('forgets the flush after postFlushHours', () => {
    const r = stepModel(afterFlush().state, input(13 * 60, calmSignals()), TH);
    expect(r.state.flush).toBeNull();
  });
});

describe('thresholds are honoured', () => {
  it('a higher flush bar from the options page keeps the same reading calm', () => {
    const strict = resolveThresholds({ flushIntensity: 25 });
    const i = input(0, flushSignals(), LONG_FLUSH_1H);
    expect(flushEntry(i, TH).met).toBe(true);
    expect(flushEntry(i, strict).met).toBe(false);
    expect(stepModel(null, i, strict).verdict.phase).not.toBe('flushing');
    expect(DEFAULT_FLUSH_THRESHOLDS.flushIntensity).toBe(5);
  });

  it('pressure is an integer 0–100 and reasons carry no NaN in every phase', () => {
    const results = [run([[0, calmSignals()]]), run([[0, flushSignals(), LONG_FLUSH_1H]]), afterFlush()];
    for (const { verdict } of results) {
      expect(Number.isInteger(verdict.pressure)).toBe(true);
      expect(verdict.pressure).toBeGreaterThanOrEqual(0);
      expect(verdict.pressure).toBeLessThanOrEqual(100);
      for (const r of verdict.reasons) {
        for (const v of [r.value, r.threshold]) expect(v === null || Number.isFinite(v)).toBe(true);
        for (const wording of [EN, ZH]) expect(reasonSentence(r, wording)).not.toMatch(/NaN|undefined|Infinity/);
      }
    }
  });
});
