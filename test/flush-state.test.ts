/**
 * EngineState survives a service-worker restart: toJSON → JSON.stringify → new FlushEngine(…, state)
 * mid-flush gives the same verdicts from then on as an engine that never stopped.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FlushEngine, type EngineState, type ReadingSet } from '../src/core/engine';
import { toLiquidation, toMarketUpdate } from '../tools/replay/replay';
import type { Scenario } from '../tools/replay/scenario';
import { parseScenario } from '../tools/replay/scenario-validate';

const scenario: Scenario = parseScenario(JSON.parse(readFileSync(fileURLToPath(new URL('../scenarios/long-flush-99m.json', import.meta.url)), 'utf8')));
const ASSETS = ['BTC', 'ETH', 'SOL'];
const COMPLETE = { binance: 'complete', bybit: 'complete', okx: 'complete' } as const;

/** Plays minutes (from, to] into `engine`, reading after each; returns the readings by minute. */
function play(engine: FlushEngine, from: number, to: number): Map<number, ReadingSet> {
  const out = new Map<number, ReadingSet>();
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
      }
    }
    // The 24 h bars (the history chart) read the same from the restored store.
    const end = scenario.start + 185 * 60_000 - 1;
    for (const scope of ['ALL', ...ASSETS]) {
      const x = steady.historyChart(scope, end);
      const y = restored.historyChart(scope, end);
      for (let i = 0; i < x.long.length; i++) expect(y.long[i]! + y.short[i]!).toBeCloseTo(x.long[i]! + x.short[i]!, 0);
    }
    expect(before.get(95)!.scopes.ALL!.verdict.phase).toBe('flushing');
    expect(b.get(150)!.scopes.ALL!.verdict.phase).toBe('exhaustion');
  });

  it('a fresh engine without the model state would have lost the flush (the state matters)', () => {
    const engine = new FlushEngine(COMPLETE, scenario.start);
    play(engine, 0, 95);
    const state = JSON.parse(JSON.stringify(engine.toJSON())) as EngineState;
    state.model = {};
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
    // Half an hour of liquidations counted: warming up, never a guess of "calm".
    expect(restored.readings(scenario.start + 31 * 60_000, ASSETS).scopes.ALL!.verdict.phase).toBe('warming');
  });

  it('keeps a full day of state for 3 venues × 3 assets small enough for browser storage', () => {
    const engine = new FlushEngine(COMPLETE, scenario.start);
    play(engine, 0, 185);
    const bytes = JSON.stringify(engine.toJSON()).length;
    // 3 hours here; the history part is bounded by history.test.ts for a full day.
    // 55 kB when written.
    expect(bytes).toBeLessThan(100_000);
  });

});
