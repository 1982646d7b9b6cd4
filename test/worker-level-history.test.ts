/**
 * The worker and the level model's deep backfill (issue 17): on install it asks Binance, Bybit and OKX (answered by
 * the mock exchange) for 7 days of klines and open interest per tracked asset, two requests each, and the
 * books reach back that far; a restart asks nothing again, and neither does a return from an absence while the
 * stored books still reach that far. An asset added to the watchlist gets its week at once.
 */
import { fakeBrowser } from '@webext-core/fake-browser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FlushEngine } from '../src/core/engine';
import { defaultSettings } from '../src/core/settings';
import type { MockMarketView } from './mock/types';
import { marketRow, staticView } from './mock/view';
import { mockFetch, stubWorkerGlobals } from './worker-env';

vi.mock('webextension-polyfill', () => ({ default: fakeBrowser }));

/** On the hour, so the mock's hourly candles and open-interest rows meet at the same instants. */
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const HOUR = 3_600_000;
const view: MockMarketView = { ...staticView(['BTC', 'ETH', 'SOL', 'DOGE'].map((asset, i) => marketRow('binance', asset, [72_000, 2_100, 90, 0.35][i]!)), T0), get now() { return Date.now(); } };
const PAST_REQUEST = /interval=1h|interval=60|period=1h|intervalTime=1h|bar=2H|period=2H/;

type Worker = InstanceType<typeof import('../src/background/worker').BackgroundWorker>;
let worker: Worker;
const asked: string[] = [];
const pastRequests = () => asked.filter((url) => PAST_REQUEST.test(url));
const engineOf = (w: Worker) => (w as unknown as { engine: FlushEngine }).engine;

beforeAll(async () => {
  stubWorkerGlobals(view, T0);
  const answer = mockFetch(view);
  vi.stubGlobal('fetch', (input: string | URL, init?: RequestInit) => {
    asked.push(String(input));
    return answer(input, init);
  });
  const { BackgroundWorker } = await import('../src/background/worker');
  worker = new BackgroundWorker();
  await worker.boot();
  await worker.persist();
});

afterAll(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the worker: 7 days of bars for the level model', () => {
  it('asks Binance, Bybit (1 h) and OKX (2 h) for klines and open interest once per tracked asset on install, and the books reach 7 days back', () => {
    const watchlist = defaultSettings().watchlist;
    const past = pastRequests();
    expect(past.filter((url) => url.includes('binance.com'))).toHaveLength(2 * watchlist.length);
    expect(past.filter((url) => url.includes('bybit.com'))).toHaveLength(2 * watchlist.length);
    expect(past.filter((url) => url.includes('okx.com'))).toHaveLength(2 * watchlist.length);
    const engine = engineOf(worker);
    for (const venue of ['binance', 'bybit', 'okx'] as const) {
      for (const asset of watchlist) {
        const book = engine.levels.booksOf(asset).find((b) => b.venue === venue);
        expect(book, `${venue} ${asset}`).toBeDefined();
        expect(T0 - book!.from).toBeGreaterThanOrEqual(6 * 24 * HOUR);
        expect(engine.wantsLevelHistory(venue, asset, T0)).toBe(false);
      }
    }
  });

  it('a restart keeps the books and asks nothing again; nor does a return from an absence', async () => {
    const before = pastRequests().length;
    const { BackgroundWorker } = await import('../src/background/worker');
    const restarted = new BackgroundWorker();
    await restarted.boot();
    await restarted.persist();
    expect(engineOf(restarted).levels.booksOf('BTC').every((book) => T0 - book.from >= 6 * 24 * HOUR)).toBe(true);
    // Back after 20 minutes away: the history backfill runs again, the books still reach a week back.
    vi.setSystemTime(T0 + 20 * 60_000);
    const dayBars = () => asked.filter((url) => url.includes('interval=5m')).length;
    const dayBarsBefore = dayBars();
    const back = new BackgroundWorker();
    await back.boot();
    await back.persist();
    expect(dayBars() - dayBarsBefore).toBe(defaultSettings().watchlist.length);
    expect(pastRequests().length).toBe(before);
    expect(engineOf(back).levels.booksOf('ETH').filter((book) => T0 - book.from >= 6 * 24 * HOUR)).toHaveLength(3);
  });

  it('an asset added to the watchlist gets its 7 days at once, on every venue that has them', async () => {
    const { BackgroundWorker } = await import('../src/background/worker');
    const running = new BackgroundWorker();
    await running.boot();
    const before = pastRequests().length;
    const next = defaultSettings();
    next.watchlist = [...next.watchlist, 'DOGE'];
    await running.applySettingsQueued(next);
    const asked = pastRequests().slice(before);
    expect(asked.filter((url) => url.includes('DOGE'))).toHaveLength(6);
    expect(asked.every((url) => url.includes('DOGE'))).toBe(true);
    expect(engineOf(running).levels.booksOf('DOGE').filter((book) => Date.now() - book.from >= 6 * 24 * HOUR)).toHaveLength(3);
    await running.persist();
  });
});
