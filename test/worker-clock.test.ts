/**
 * The background worker on a scenario clock (storage.local `scenarioClock`, src/background/clock.ts),
 * with fake browser APIs, a fake WebSocket and the mock venues answering every request: its
 * windows measure scenario time, not wall time, and a new clock makes it start over as a fresh
 * install, whether the key changes while it runs or while it was stopped.
 */
import { readPublished } from '../src/core/bus';
import { fakeBrowser } from '@webext-core/fake-browser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { scenarioTime, type ScenarioClock } from '../src/background/clock';
import type { ReadingSet } from '../src/core/engine';
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../tools/replay/scenario';
import { mockVenue } from './catalogue';
import { stubWorkerGlobals } from './worker-env';
import { FakeSocket } from './fake-socket';
import type { MockMarketView } from './mock/types';
import { marketRow, staticView } from './mock/view';

vi.mock('webextension-polyfill', () => ({ default: fakeBrowser }));

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
/** Ten days ahead of the wall clock, 4× real time (slow enough that the worker adds no polls of its own here). */
const CLOCK: ScenarioClock = { wallAt: T0, clockAt: T0 + 10 * DAY, speed: 4 };

/** The clock the mock venues stamp with: the one the worker was given last. */
let mockClock: ScenarioClock = CLOCK;
const clockNow = () => scenarioTime(mockClock, Date.now());
const rows: ScenarioMarketEvent[] = ['BTC', 'ETH', 'SOL'].map((asset, i) => marketRow('okx', asset, [72_000, 2_100, 90][i]!));
const view: MockMarketView = {
  ...staticView(rows),
  get now() {
    return clockNow();
  },
  marketHistory: (asset, periodMs, limit) => staticView(rows, clockNow()).marketHistory(asset, periodMs, limit),
};

const connections = new Map<FakeSocket, ReturnType<ReturnType<typeof mockVenue>['connect']>>();

/** Delivers a liquidation on the newest OKX socket (opened and subscribed first). */
function deliverOkx(event: ScenarioLiquidationEvent & { time: number }): void {
  const socket = FakeSocket.instances.filter((s) => s.url.includes('okx.com')).at(-1)!;
  let connection = connections.get(socket);
  if (!connection) {
    const url = new URL(socket.url);
    connections.set(socket, (connection = mockVenue('okx').connect(url.host, url.pathname)));
    socket.open();
    for (const frame of socket.sent) for (const reply of connection.onMessage(frame, view)) socket.receive(reply);
  }
  for (const frame of connection.liquidationFrames(event, view)) socket.receive(frame);
}

function btcLong(time: number, notionalUsd: number): ScenarioLiquidationEvent & { time: number } {
  return { t: 0, type: 'liquidation', venue: 'okx', asset: 'BTC', side: 'long', price: 72_000, notionalUsd, time };
}

async function stored<T>(area: 'local' | 'session', key: string): Promise<T | undefined> {
  return (await fakeBrowser.storage[area].get(key))[key] as T | undefined;
}

const published = async () => (await readPublished((keys) => fakeBrowser.storage.local.get(keys)))!;
const market = async () => (await published()).scopes.ALL!;

type Worker = InstanceType<typeof import('../src/background/worker').BackgroundWorker>;
let BackgroundWorker: typeof import('../src/background/worker').BackgroundWorker;

beforeAll(async () => {
  stubWorkerGlobals(view, T0);
  ({ BackgroundWorker } = await import('../src/background/worker'));
});

afterAll(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('the worker on a scenario clock', () => {
  let worker: Worker;

  it('reads on the clock it was given', async () => {
    await fakeBrowser.storage.local.set({ scenarioClock: CLOCK });
    worker = new BackgroundWorker();
    await worker.boot();
    await worker.persist();
    expect(await stored('local', 'scenarioClockApplied')).toEqual(CLOCK);
    expect((await published()).computedAt).toBe(CLOCK.clockAt);
    // Ten days ahead of the wall clock: counted in the hour, because the hour is the clock's.
    vi.setSystemTime(T0 + 15_000);
    deliverOkx(btcLong(CLOCK.clockAt + 30_000, 250_000));
    await worker.persist();
    expect((await market()).liq1h.totalUsd).toBeCloseTo(250_000, -1);
    expect((await published()).computedAt).toBe(CLOCK.clockAt + MINUTE);
  });

  it('measures its windows in scenario time: 16 minutes of wall time at 4× empty the hour', async () => {
    vi.setSystemTime(T0 + 16 * MINUTE);
    await worker.tick();
    await worker.persist();
    const reading = await market();
    // On the wall clock the liquidation would be 16 minutes old, well inside the hour.
    expect(reading.liq1h.totalUsd).toBe(0);
    expect(reading.liq24h.totalUsd).toBeCloseTo(250_000, -1);
    expect((await published()).computedAt).toBe(CLOCK.clockAt + 64 * MINUTE);
  });

  it('starts over as a fresh install when the clock changes', async () => {
    const next: ScenarioClock = { wallAt: T0 + 16 * MINUTE, clockAt: T0 + 20 * DAY, speed: 4 };
    mockClock = next;
    // What the worker's storage listener (src/background/index.ts) does when the key is written.
    await fakeBrowser.storage.local.set({ scenarioClock: next });
    await worker.clockChanged(next);
    await worker.persist();
    expect(await stored('local', 'scenarioClockApplied')).toEqual(next);
    const readings = (await published());
    expect(readings.computedAt).toBe(next.clockAt);
    expect(readings.scopes.ALL!.liq24h.totalUsd).toBe(0);
    // The same value again changes nothing.
    vi.setSystemTime(T0 + 16 * MINUTE + 15_000);
    deliverOkx(btcLong(next.clockAt + 30_000, 100_000));
    await worker.clockChanged({ ...next });
    await worker.persist();
    expect((await market()).liq24h.totalUsd).toBeCloseTo(100_000, -1);
  });

  it('keeps its state across a restart on the same clock, and drops it when the key changed meanwhile', async () => {
    await worker.tick();
    await worker.persist();
    // A restart (the browser stopped the worker) on the same clock: the state is kept.
    const restarted = new BackgroundWorker();
    await restarted.boot();
    await restarted.persist();
    expect((await market()).liq24h.totalUsd).toBeCloseTo(100_000, -1);
    // The key changed while no worker ran: the next boot is a fresh install on the new clock.
    const later: ScenarioClock = { wallAt: T0 + 17 * MINUTE, clockAt: T0 + 30 * DAY, speed: 4 };
    mockClock = later;
    vi.setSystemTime(T0 + 17 * MINUTE);
    await fakeBrowser.storage.local.set({ scenarioClock: later });
    const fresh = new BackgroundWorker();
    await fresh.boot();
    await fresh.persist();
    expect(await stored('local', 'scenarioClockApplied')).toEqual(later);
    const readings = (await published());
    expect(readings.computedAt).toBe(later.clockAt);
    expect(readings.scopes.ALL!.liq24h.totalUsd).toBe(0);
  });

  it('goes back to the wall clock, fresh, when the key is removed', async () => {
    await fakeBrowser.storage.local.remove('scenarioClock');
    const wall = new BackgroundWorker();
    await wall.boot();
    await wall.persist();
    expect(await stored('local', 'scenarioClockApplied')).toBeUndefined();
    const readings = (await published());
    expect(readings.computedAt).toBe(Date.now());
    expect(readings.scopes.ALL!.liq24h.totalUsd).toBe(0);
  });
});
