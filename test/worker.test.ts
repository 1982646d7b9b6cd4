/**
 * The background worker with fake browser APIs, a fake WebSocket and every REST request answered
 * by the mock exchange: what it does when a page opens an asset outside the watchlist, and when a
 * stream names a listing its instrument list lacks.
 */
import { fakeBrowser } from '@webext-core/fake-browser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type browser from 'webextension-polyfill';
import { BUS_KEYS, METER_PORT, readPublished } from '../src/core/bus';
import { tapePrints } from '../src/core/tape';
import type { Breadth } from '../src/core/breadth';
import type { ReadingSet } from '../src/core/engine';
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../tools/replay/scenario';
import { mockVenue } from './catalogue';
import { stubWorkerGlobals } from './worker-env';
import { FakeSocket } from './fake-socket';
import type { MockMarketView } from './mock/types';
import { marketRow, staticView } from './mock/view';

vi.mock('webextension-polyfill', () => ({ default: fakeBrowser }));


const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const MINUTE = 60_000;
const rows: ScenarioMarketEvent[] = ['BTC', 'ETH', 'SOL', 'DOGE'].map((asset, i) => marketRow('okx', asset, [72_000, 2_100, 90, 0.35][i]!));
const played: Array<ScenarioLiquidationEvent & { time: number }> = [];
/** The market the mock serves; `rows` and `played` grow as the test goes. */
const view: MockMarketView = { ...staticView(rows, T0, played), get now() { return Date.now(); } };

/** The mock's side of each socket: it knows what the socket subscribed to. */
const connections = new Map<FakeSocket, ReturnType<ReturnType<typeof mockVenue>['connect']>>();

/** The newest OKX socket, opened and subscribed, with the mock's side of it. */
function okxSocket() {
  const socket = FakeSocket.instances.filter((s) => s.url.includes('okx.com')).at(-1)!;
  const url = new URL(socket.url);
  let connection = connections.get(socket);
  if (!connection) {
    connections.set(socket, (connection = mockVenue('okx').connect(url.host, url.pathname)));
    socket.open();
    for (const frame of socket.sent) for (const reply of connection.onMessage(frame, view)) socket.receive(reply);
  }
  return {
    socket,
    deliver(event: ScenarioLiquidationEvent & { time: number }) {
      played.push(event);
      for (const frame of connection.liquidationFrames(event, view)) socket.receive(frame);
    },
  };
}

function liquidation(asset: string, minute: number, notionalUsd: number, symbol?: string): ScenarioLiquidationEvent & { time: number } {
  return { t: 0, type: 'liquidation', venue: 'okx', asset, side: 'long', price: asset === 'DOGE' ? 0.35 : 1, notionalUsd, time: T0 + minute * MINUTE, ...(symbol ? { symbol } : {}) };
}

function pagePort(url: string) {
  const listeners: Array<(m: unknown) => void> = [];
  const port = {
    name: METER_PORT,
    sender: { id: fakeBrowser.runtime.id, url },
    postMessage: () => undefined,
    disconnect: () => undefined,
    onMessage: { addListener: (fn: (m: unknown) => void) => listeners.push(fn) },
    onDisconnect: { addListener: () => undefined },
  } as unknown as browser.Runtime.Port;
  return { port, say: (m: unknown) => listeners.forEach((fn) => fn(m)) };
}

async function readings(): Promise<ReadingSet> {
  return (await readPublished((keys) => fakeBrowser.storage.local.get(keys)))!;
}

/** The published live tape's prints (src/core/tape.ts), newest first. */
const tape = async () => tapePrints((await fakeBrowser.storage.local.get(BUS_KEYS.tape))[BUS_KEYS.tape]);

const okxTotal = async () => (await readings()).scopes.ALL!.venues.find((v) => v.venue === 'okx')?.liq1hUsd ?? 0;

type Worker = InstanceType<typeof import('../src/background/worker').BackgroundWorker>;
let worker: Worker;

beforeAll(async () => {
  stubWorkerGlobals(view, T0);
  const { BackgroundWorker } = await import('../src/background/worker');
  worker = new BackgroundWorker();
  await worker.boot();
});

afterAll(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('the worker', () => {
  it('counts every listed instrument’s liquidations from the stream, watched or not', async () => {
    vi.setSystemTime(T0 + 2 * MINUTE);
    okxSocket().deliver(liquidation('DOGE', 1, 250_000));
    await worker.persist();
    expect(await okxTotal()).toBeCloseTo(250_000, -1);
    // The live print is on the tape, marked as a sample (OKX pushes at most one per symbol per second).
    expect((await tape()).map((p) => [p.venue, p.asset, p.side, Math.round(p.usd / 1000), p.sampled])).toEqual([['okx', 'DOGE', 'long', 250, true]]);
  });

  it("gives breadth an untracked asset's funding from the all-symbol polls, without tracking it", async () => {
    await worker.tick();
    await worker.persist();
    const breadth = (await fakeBrowser.storage.local.get(BUS_KEYS.breadth))[BUS_KEYS.breadth] as Breadth;
    const doge = breadth.rows.find((row) => row.asset === 'DOGE')!;
    expect(doge.funding8h).toEqual(expect.any(Number));
    // Its 1 h OI change needs an hour of its history, which only a tracked asset keeps; its reading has no market figures.
    expect(doge.oiChange1h).toBeNull();
    expect((await readings()).scopes.DOGE!.funding8h).toBeNull();
  });

  it('answers a history request with the scope\'s 24 h bars and its tape over the trader\'s threshold', async () => {
    const answer = worker.historyAnswer({ type: 'history', scope: 'DOGE' });
    expect(answer.scope).toBe('DOGE');
    expect(answer.chart.long).toHaveLength(288);
    // The print in its bar (minute 1 of the bar from 12:00), a sample from OKX: a lower bound.
    expect(answer.chart.long.reduce((a, b) => a + b, 0)).toBeCloseTo(250_000, -1);
    expect(answer.chart.lowerBound.at(-1)).toBe(true);
    expect(answer.chart.split.at(-1)).toEqual([expect.closeTo(250_000, -1), 0]);
    expect(answer.tape.map((p) => [p.venue, p.asset])).toEqual([['okx', 'DOGE']]);
    expect(answer.tapeMinUsd).toBe(100_000);
    // The market's tape holds it too; another asset's neither bars nor prints.
    expect(worker.historyAnswer({ type: 'history', scope: 'ALL' }).tape).toHaveLength(1);
    const btc = worker.historyAnswer({ type: 'history', scope: 'BTC' });
    expect([btc.chart.long.reduce((a, b) => a + b, 0), btc.tape.length]).toEqual([0, 0]);
  });

  it('tracks an asset a page opens, and its history does not count again what the stream counted', async () => {
    // Twenty minutes on: the stream's identities are past the dedupe horizon, the REST history still has the row.
    vi.setSystemTime(T0 + 20 * MINUTE);
    await worker.tick();
    const page = pagePort('https://www.okx.com/trade-swap/doge-usdt-swap');
    worker.ports.accept(page.port);
    page.say({ type: 'watch', asset: 'DOGE' });
    await worker.tick();
    await worker.persist();
    const doge = (await readings()).scopes.DOGE!;
    expect(doge.venues.find((v) => v.venue === 'okx')?.openInterestUsd).toBeGreaterThan(0);
    expect(await okxTotal()).toBeCloseTo(250_000, -1);
  });

  it('fetches the instrument list again when the stream names a new listing, and counts it from then on', async () => {
    const sockets = FakeSocket.instances.length;
    // OKX lists NEWC after the worker loaded its list: the first liquidation cannot be valued.
    rows.push(marketRow('okx', 'NEWC', 2));
    vi.setSystemTime(T0 + 22 * MINUTE);
    okxSocket().deliver({ ...liquidation('NEWC', 21, 40_000), price: 2 });
    await worker.tick();
    await worker.persist();
    expect(await okxTotal()).toBeCloseTo(250_000, -1);
    // The refreshed list reopened the stream (make before break); the new socket values NEWC.
    expect(FakeSocket.instances.length).toBeGreaterThan(sockets);
    vi.setSystemTime(T0 + 23 * MINUTE);
    okxSocket().deliver({ ...liquidation('NEWC', 22.5, 40_000), price: 2 });
    await worker.persist();
    expect(await okxTotal()).toBeCloseTo(290_000, -1);
  });

  it('back after a night away: the windows are complete again only from the return, and the history adds only the time away', async () => {
    await worker.tick();
    await worker.persist();
    // While the browser was closed, OKX liquidated $1M of BTC longs; its REST history keeps it (and the DOGE row counted before).
    played.push({ ...liquidation('BTC', 9 * 60 + 30, 1_000_000), price: 72_000 });
    const back = T0 + 10 * 60 * MINUTE;
    vi.setSystemTime(back);
    const { BackgroundWorker } = await import('../src/background/worker');
    const returned = new BackgroundWorker();
    await returned.boot();
    await returned.persist();
    const r = await readings();
    expect(r.collectingSince).toBe(back);
    // An hour of liquidations is not counted yet: warming up, never "calm".
    expect(r.scopes.ALL!.verdict.phase).toBe('warming');
    expect(r.scopes.ALL!.verdict.reasons.find((x) => x.code === 'liq-coverage')?.value).toBe(1); // the minute under way
    // (This test's mock view hands every venue's history the same played rows: OKX's own figure is the one to read.)
    expect(r.scopes.BTC!.venues.find((v) => v.venue === 'okx')?.liq1hUsd).toBeCloseTo(1_000_000, -1);
    // The DOGE liquidation from before the night is in the history answer too, but was counted already.
    expect(r.scopes.DOGE!.liq24h.totalUsd).toBeCloseTo(250_000, -1);
    // History back-fill never goes on the live tape: the $1M BTC print is counted, not printed; the tape carries on.
    expect((await tape()).some((p) => p.asset === 'BTC')).toBe(false);
    expect((await tape()).some((p) => p.asset === 'DOGE')).toBe(true);
  });
});
