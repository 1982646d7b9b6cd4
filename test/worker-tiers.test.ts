/**
 * The worker and the level model's inputs: on boot it fetches every enabled venue's margin tiers for the
 * tracked perpetuals (answered by the mock exchange in each venue's format, without a failure), not again
 * on a tick nor after a restart (they are stored), and a saved leverage mix reaches the engine's level model.
 */
import { fakeBrowser } from '@webext-core/fake-browser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FlushEngine } from '../src/core/engine';
import { defaultSettings } from '../src/core/settings';
import type { MockMarketView } from './mock/types';
import { marketRow, staticView } from './mock/view';
import { mockFetch, stubWorkerGlobals } from './worker-env';

vi.mock('webextension-polyfill', () => ({ default: fakeBrowser }));

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const view: MockMarketView = { ...staticView(['BTC', 'ETH', 'SOL'].map((asset, i) => marketRow('okx', asset, [72_000, 2_100, 90][i]!)), T0), get now() { return Date.now(); } };
const TIER_REQUEST = /\/v5\/market\/risk-limit|\/api\/v5\/public\/position-tiers|\/query-position-lever|"type":"meta"}/;

type Worker = InstanceType<typeof import('../src/background/worker').BackgroundWorker>;
let worker: Worker;
const asked: string[] = [];
let warn: { mock: { calls: unknown[][] } };

beforeAll(async () => {
  stubWorkerGlobals(view, T0);
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const answer = mockFetch(view);
  vi.stubGlobal('fetch', (input: string | URL, init?: RequestInit) => {
    asked.push(`${String(input)} ${typeof init?.body === 'string' ? init.body : ''}`);
    return answer(input, init);
  });
  const { BackgroundWorker } = await import('../src/background/worker');
  worker = new BackgroundWorker();
  await worker.boot();
});

afterAll(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const engineOf = (w: Worker) => (w as unknown as { engine: FlushEngine }).engine;

describe('the worker: margin tiers and the leverage mix', () => {
  it('fetches each tier venue\'s tiers for the tracked perpetuals on boot, without a failure', () => {
    const tiers = asked.filter((line) => TIER_REQUEST.test(line));
    expect(tiers.filter((line) => line.includes('risk-limit'))).toHaveLength(3);
    expect(tiers.filter((line) => line.includes('query-position-lever'))).toHaveLength(3);
    expect(tiers.filter((line) => line.includes('position-tiers'))).toHaveLength(1);
    // Hyperliquid's meta: once for the instrument list, once for the tiers (its marginTables).
    expect(tiers.filter((line) => line.includes('"type":"meta"'))).toHaveLength(2);
    expect(warn.mock.calls.filter((call: unknown[]) => String(call[0]).includes('margin tiers'))).toEqual([]);
  });

  it('does not ask again on a tick', async () => {
    const before = asked.filter((line) => TIER_REQUEST.test(line)).length;
    await worker.tick();
    expect(asked.filter((line) => TIER_REQUEST.test(line)).length).toBe(before);
  });

  it('a restarted worker takes the tiers it stored, without asking again, and the model has them', async () => {
    const before = asked.filter((line) => TIER_REQUEST.test(line) && !line.includes('"type":"meta"')).length;
    const { BackgroundWorker } = await import('../src/background/worker');
    const restarted = new BackgroundWorker();
    await restarted.boot();
    expect(asked.filter((line) => TIER_REQUEST.test(line) && !line.includes('"type":"meta"')).length).toBe(before);
    const tiered = (w: Worker) => (w as unknown as { tiers: { tablesOf(venue: string): ReadonlyMap<string, unknown> } }).tiers.tablesOf('bybit').size;
    expect(tiered(restarted)).toBe(tiered(worker));
    expect(tiered(restarted)).toBeGreaterThan(0);
  });

  it('a saved leverage mix reaches the engine\'s level model', async () => {
    const weights = () => engineOf(worker).levels.assumptions.leverageMix.map((slice) => [slice.leverage, Number(slice.weight.toFixed(9))]);
    expect(weights()).toEqual(defaultSettings().levels.leverageMix.map((slice) => [slice.leverage, slice.weight]));
    const next = defaultSettings();
    next.levels.leverageMix = [
      { leverage: 3, weight: 0.5 },
      { leverage: 20, weight: 0.5 },
    ];
    await worker.applySettingsQueued(next);
    expect(weights()).toEqual([
      [3, 0.5],
      [20, 0.5],
    ]);
  });
});
