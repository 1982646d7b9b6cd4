/**
 * EngineState survives a service-worker restart: toJSON → JSON.stringify → new FlushEngine(…, state)
 * mid-flush gives the same verdicts from then on as an engine that never stopped.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FlushEngine, type EngineState, type Readings } from '../src/core/engine';
import { toLiquidation, toMarketUpdate } from '../src/core/replay';
import type { Scenario } from '../src/core/scenario';
import { parseScenario } from '../src/core/scenario-validate';
import { fixture } from './fixtures';

const scenario: Scenario = parseScenario(JSON.parse(readFileSync(fileURLToPath(new URL('../scenarios/long-flush-99m.json', import.meta.url)), 'utf8')));
const ASSETS = ['BTC', 'ETH', 'SOL'];
const COMPLETE = { binance: 'complete', bybit: 'complete', okx: 'complete' } as const;

/** Plays minutes (from, to] into `engine`, reading after each; returns the readings by minute. */
function play(engine: FlushEngine, from: number, to: number): Map<number, Readings> {
  const out = new Map<number, Readings>();
  for (let k = from + 1; k <= to; k++) {
    const now = scenario.start + k * 60_000 - 1;
    for (const e of scenario.events) {
      if (e.t < (k - 1) * 60_000 || e.t >= k * 60_000) continue;
      if (e.type === 'market') engine.ingestMarket(toMarketUpdate(e, scenario.start));
      else engine.ingestLiquidation(toLiquidation(e, scenario.start), now);
    }
    out.set(k, engine.readings(now, ASSETS));
  }
  return out;
}

describe('EngineState round trip', () => {
  it('restores mid-flush with the verdict state intact and the same verdicts afterwards', () => {
    const steady = new FlushEngine(COMPLETE, scenario.start);
    const before = play(steady, 0, 95);
    const restartedFrom = new FlushEngine(COMPLETE, scenario.start);
    play(restartedFrom, 0, 95);

    const stored = JSON.stringify(restartedFrom.toJSON());
    const state = JSON.parse(stored) as EngineState;
    expect(state.model?.ALL?.phase).toBe('flushing');
    expect(state.model?.ALL?.flush?.side).toBe('long');
    const restored = new FlushEngine(COMPLETE, scenario.start + 95 * 60_000, state);
    for (const scope of ['ALL', ...ASSETS]) expect(restored.modelState(scope)).toEqual(restartedFrom.modelState(scope));
    expect(JSON.stringify(restored.toJSON())).toBe(stored);

    const a = play(steady, 95, 185);
    const b = play(restored, 95, 185);
    for (let k = 96; k <= 185; k++) {
      for (const scope of ['ALL', ...ASSETS]) {
        const x = a.get(k)!.scopes[scope]!;
        const y = b.get(k)!.scopes[scope]!;
        expect(y.verdict).toEqual(x.verdict);
        expect(y.liq1h.totalUsd).toBeCloseTo(x.liq1h.totalUsd, 0);
        expect(y.signals.oiChangeSinceFlush).toBe(x.signals.oiChangeSinceFlush);
        expect(y.sparkline.reduce((s, v) => s + v, 0)).toBeCloseTo(x.sparkline.reduce((s, v) => s + v, 0), 0);
      }
    }
    expect(before.get(95)!.scopes.ALL!.verdict.phase).toBe('flushing');
    expect(b.get(150)!.scopes.ALL!.verdict.phase).toBe('exhaustion');
  });

  it('a fresh engine without the model state would have lost the flush (the state matters)', () => {
    const engine = new FlushEngine(COMPLETE, scenario.start);
    play(engine, 0, 95);
    const state = JSON.parse(JSON.stringify(engine.toJSON())) as EngineState;
    delete state.model;
    const amnesiac = new FlushEngine(COMPLETE, scenario.start + 95 * 60_000, state);
    play(amnesiac, 95, 100);
    // It re-detects the running cascade but cannot know the peak it passed before the restart.
    expect(amnesiac.modelState('ALL')?.flush?.peakRateUsdPerHour).toBeLessThan(engine.modelState('ALL')!.flush!.peakRateUsdPerHour);
  });

  it('ignores a malformed stored model instead of crashing', () => {
    const engine = new FlushEngine(COMPLETE, scenario.start);
    play(engine, 0, 30);
    const state = JSON.parse(JSON.stringify(engine.toJSON())) as EngineState;
    (state as unknown as { model: unknown }).model = { ALL: { phase: 'panic' }, BTC: 'x', ETH: null };
    const restored = new FlushEngine(COMPLETE, scenario.start + 30 * 60_000, state);
    expect(restored.modelState('ALL')).toBeNull();
    expect(restored.readings(scenario.start + 31 * 60_000, ASSETS).scopes.ALL!.verdict.phase).toBe('calm');
  });

  it('keeps a full day of state for 3 venues × 3 assets small enough for browser storage', () => {
    const engine = new FlushEngine(COMPLETE, scenario.start);
    play(engine, 0, 185);
    const bytes = JSON.stringify(engine.toJSON()).length;
    // 3 hours here; the history part is bounded by history.test.ts for a full day.
    // 55 kB in the column form (96 kB in the row form before it).
    expect(bytes).toBeLessThan(100_000);
  });

  it('restores a state stored in the row form (before the column form) to the readings the old code gave', () => {
    // Written by the engine at commit 226eed9: 2 venues × 2 assets, 5 h, with the readings it restored from it.
    type Expected = Record<'ALL' | 'BTC' | 'ETH', Record<string, unknown>>;
    const { now, state, expected } = fixture('engine-state-v1.json') as { now: number; state: EngineState; expected: Expected };
    expect(Array.isArray(state.windows['binance|BTC'])).toBe(true);
    const completeness = { binance: 'complete', okx: 'sampled' } as const;
    const engine = new FlushEngine(completeness, now, state);
    const pick = (r: Readings, scope: 'ALL' | 'BTC' | 'ETH') => {
      const s = r.scopes[scope]!;
      return {
        liq1h: s.liq1h, liq24h: s.liq24h, liq4h: s.signals.liq4h, sparklineSum: s.sparkline.reduce((a, b) => a + b, 0),
        funding8h: s.funding8h, basis: s.basis, oiChange1h: s.signals.oiChange1h, priceChange1h: s.signals.priceChange1h,
        perpSpotRatio: s.signals.perpSpotRatio, largestMove1h24h: s.largestMove1h24h, collectingSince: r.collectingSince,
      };
    };
    const first = engine.readings(now, ['BTC', 'ETH']);
    for (const scope of ['ALL', 'BTC', 'ETH'] as const) expect(pick(first, scope)).toEqual(expected[scope]);

    // Pruned and written in the column form, it restores to the same figures: exact counts, USD to the dollar.
    engine.prune(now);
    const rewritten = JSON.parse(JSON.stringify(engine.toJSON())) as EngineState;
    expect(Array.isArray(rewritten.windows['binance|BTC'])).toBe(false);
    expect(Object.values(rewritten.history ?? {}).some(Array.isArray)).toBe(false);
    const again = new FlushEngine(completeness, now, rewritten).readings(now, ['BTC', 'ETH']);
    for (const scope of ['ALL', 'BTC', 'ETH'] as const) {
      const [after, before] = [pick(again, scope), expected[scope] as ReturnType<typeof pick>];
      for (const window of ['liq1h', 'liq4h', 'liq24h'] as const) {
        expect(after[window].count).toBe(before[window].count);
        expect(Math.abs(after[window].longUsd - before[window].longUsd)).toBeLessThanOrEqual(0.5 * before[window].count);
        expect(Math.abs(after[window].shortUsd - before[window].shortUsd)).toBeLessThanOrEqual(0.5 * before[window].count);
      }
      expect(after.sparklineSum).toBeCloseTo(after.liq24h.totalUsd, 6);
      // The last two hours are kept minute by minute, so the 1 h signals are unchanged.
      for (const field of ['funding8h', 'basis', 'oiChange1h', 'priceChange1h', 'perpSpotRatio'] as const) expect(after[field]).toBe(before[field]);
      // Older rows were regridded to the first row of each 5 minutes: the day's largest move barely moves.
      expect(after.largestMove1h24h!).toBeCloseTo(before.largestMove1h24h!, 3);
      expect(after.collectingSince).toBe(before.collectingSince);
    }
  });

  it('accepts an older stored state without history or model (pre-issue-4 format)', () => {
    const legacy: EngineState = { windows: {}, markets: {}, startedAt: scenario.start };
    const engine = new FlushEngine(COMPLETE, scenario.start, legacy);
    const r = engine.readings(scenario.start + 60_000, ASSETS);
    expect(r.scopes.ALL!.verdict.phase).toBe('calm');
    expect(r.scopes.BTC!.largestMove1h24h).toBeNull();
    expect(r.scopes.ALL!.sparkline).toHaveLength(288);
  });
});
