/**
 * Load: ten minutes of a cascade at 1,000 liquidations a second (600,000 events, stamped across
 * the last ten minutes) through the real BackgroundWorker with fake browser APIs and a fake WebSocket
 * speaking Bybit's wire format, as fast as the worker takes them. Totals shown equal totals
 * sent for a complete venue, memory stays bounded, storage writes stay batched.
 */
import { readPublished } from '../src/core/bus';
import { fakeBrowser } from '@webext-core/fake-browser';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReadingSet } from '../src/core/engine';
import { bybit as bybitAdapter } from '../src/venues/bybit';
import { defaultView, mockAnswer } from './catalogue';
import { FakeSocket } from './fake-socket';

vi.mock('webextension-polyfill', () => ({ default: fakeBrowser }));

const SECONDS = 600;
/** A live-heap reading every this many seconds of events: six over the run. */
const HEAP_EVERY = 100;
const PER_SECOND = 1_000;
const PER_FRAME = 100;


let writes = 0;
let elapsedSeconds = 0;
let sentUsd = 0;
let sentLongUsd = 0;
let readings: ReadingSet | undefined;
const heap: number[] = [];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// A full collection before each heap reading, so the figure is what the worker keeps, not garbage.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
function liveHeap(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

beforeAll(async () => {
  vi.stubGlobal('WebSocket', FakeSocket);
  // Bybit's instrument list (the mock's, SOL included) lets the worker value and subscribe; every other request fails.
  const lists = new Map(bybitAdapter.instrumentRequests().map((request) => [request.url, mockAnswer('bybit', request, defaultView())]));
  vi.stubGlobal('fetch', async (url: string) => {
    const list = lists.get(String(url));
    return list ? new Response(JSON.stringify(list.body), { status: list.status }) : new Response('{}', { status: 503 });
  });
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  // The fake browser has no i18n; the first notification of the cascade needs the UI language.
  fakeBrowser.i18n.getUILanguage = () => 'en';
  for (const area of ['local', 'session'] as const) {
    const set = fakeBrowser.storage[area].set.bind(fakeBrowser.storage[area]);
    fakeBrowser.storage[area].set = async (items) => {
      writes += 1;
      return set(items);
    };
  }
  const { BackgroundWorker } = await import('../src/background/worker');
  const worker = new BackgroundWorker();
  await worker.boot();
  const bybit = FakeSocket.instances.find((s) => s.url.includes('bybit') && s.url.endsWith('/linear'))!;
  bybit.open();
  writes = 0;
  const started = Date.now();
  const hourAgo = started - SECONDS * 1000;
  for (let second = 0; second < SECONDS; second++) {
    for (let frame = 0; frame < PER_SECOND / PER_FRAME; frame++) {
      const ts = hourAgo + second * 1000 + frame * 100;
      const data = Array.from({ length: PER_FRAME }, (_, i) => {
        const long = i % 10 !== 0; // 90 % longs
        const price = 100 + i * 1e-4;
        sentUsd += 10 * price;
        if (long) sentLongUsd += 10 * price;
        return { T: ts, s: 'SOLUSDT', S: long ? 'Buy' : 'Sell', v: '10', p: String(price) };
      });
      bybit.receive(JSON.stringify({ topic: 'allLiquidation.SOLUSDT', type: 'snapshot', ts, data }));
    }
    // Let the worker's batched writers run, as the event loop would between socket frames.
    if (second % 20 === 19) await pause(0);
    if (second % HEAP_EVERY === HEAP_EVERY - 1) heap.push(liveHeap());
  }
  await pause(2_600);
  elapsedSeconds = (Date.now() - started) / 1000;
  readings = (await readPublished((keys) => fakeBrowser.storage.local.get(keys)))!;
}, 300_000);

afterAll(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('ten minutes at 1,000 liquidations a second', () => {
  it('shows exactly the totals sent for a complete venue', () => {
    const sol = readings!.scopes.SOL!;
    expect(sol.liq24h.count).toBe(SECONDS * PER_SECOND);
    expect(sol.liq24h.totalUsd / sentUsd).toBeCloseTo(1, 9);
    expect(sol.liq24h.longShare).toBeCloseTo(sentLongUsd / sentUsd, 9);
    expect(sol.sampledVenues).toEqual([]);
  });

  it('keeps storage writes batched: a few a second at most, never one per event', () => {
    expect(writes / elapsedSeconds).toBeLessThan(5);
    expect(writes).toBeLessThan(1_000);
  });

  it('keeps memory flat: the live heap grows by less than 16 MB over the last 500,000 events', () => {
    expect(heap).toHaveLength(6);
    expect(heap.at(-1)! - heap[0]!).toBeLessThan(16 * 1024 * 1024);
  });
});
