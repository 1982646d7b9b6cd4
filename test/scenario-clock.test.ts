/**
 * The demo's scenario clock: its arithmetic (src/background/clock.ts), and the mock exchange
 * stamping live liquidations, market answers and history endpoints on it, one scenario minute
 * to one clock minute, however fast the replay runs.
 */
import { request } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { clockOf, parseScenarioClock, readingsNow, sameClock, samplingPeriodMs, scenarioTime, wallClock } from '../src/background/clock';
import type { Scenario } from '../tools/replay/scenario';
import { longFlushHour } from './e2e/scenarios';
import { MockExchange } from './mock/server';

const MINUTE = 60_000;

describe('the scenario clock', () => {
  it('runs speed× from clockAt at wallAt', () => {
    const clock = { wallAt: 1_000_000, clockAt: 5_000_000_000, speed: 50 };
    expect(scenarioTime(clock, 1_000_000)).toBe(5_000_000_000);
    // 1.2 s of wall time is one minute of scenario.
    expect(scenarioTime(clock, 1_001_200)).toBe(5_000_000_000 + MINUTE);
    expect(readingsNow(clock, 1_001_200)).toBe(5_000_000_000 + MINUTE);
    expect(readingsNow(undefined, 1_001_200)).toBe(1_001_200);
    const now = clockOf(clock).now();
    expect(now).toBeCloseTo(scenarioTime(clock, Date.now()), -3);
    expect(clockOf(null)).toBe(wallClock);
  });

  it('takes only a well-formed setting; anything else is the wall clock', () => {
    expect(parseScenarioClock({ wallAt: 1, clockAt: 2, speed: 50 })).toEqual({ wallAt: 1, clockAt: 2, speed: 50 });
    for (const bad of [undefined, null, 'x', {}, { wallAt: 1, clockAt: 2 }, { wallAt: 1, clockAt: 2, speed: 0 }, { wallAt: 1, clockAt: 2, speed: -5 }, { wallAt: Number.NaN, clockAt: 2, speed: 5 }, { wallAt: 1, clockAt: '2', speed: 5 }, { wallAt: 1, clockAt: 2, speed: 1e9 }]) {
      expect(parseScenarioClock(bad)).toBeNull();
    }
    expect(sameClock(null, null)).toBe(true);
    expect(sameClock({ wallAt: 1, clockAt: 2, speed: 3 }, { wallAt: 1, clockAt: 2, speed: 3 })).toBe(true);
    expect(sameClock({ wallAt: 1, clockAt: 2, speed: 3 }, { wallAt: 1, clockAt: 2, speed: 4 })).toBe(false);
    expect(sameClock({ wallAt: 1, clockAt: 2, speed: 3 }, null)).toBe(false);
  });

  it('polls about once per scenario minute, never more than twice a second, and not at all on the wall clock', () => {
    expect(samplingPeriodMs(null)).toBeNull();
    expect(samplingPeriodMs({ wallAt: 1, clockAt: 1, speed: 1 })).toBeNull();
    expect(samplingPeriodMs({ wallAt: 1, clockAt: 1, speed: 50 })).toBe(1_200);
    expect(samplingPeriodMs({ wallAt: 1, clockAt: 1, speed: 10 })).toBe(6_000);
    expect(samplingPeriodMs({ wallAt: 1, clockAt: 1, speed: 160 })).toBe(500);
  });
});

/** GET from the mock as the venue's host. */
function get(port: number, host: string, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the mock exchange on a scenario clock', () => {
  let mock: MockExchange | null = null;
  afterEach(async () => {
    await mock?.stop();
    mock = null;
  });

  // A year before the wall clock (nothing stamped on the wall clock can pass for it), on a 5-minute boundary.
  const ANCHOR = Math.floor((Date.now() - 365 * 24 * 60 * MINUTE) / (5 * MINUTE)) * 5 * MINUTE;
  const START_AT = 45 * MINUTE;
  const SPEED = 600;

  async function started(scenario: Scenario = longFlushHour(['binance'])): Promise<MockExchange> {
    mock = new MockExchange({ scenario, startAt: START_AT, speed: SPEED, scenarioClock: { anchor: ANCHOR }, paused: true });
    await mock.start();
    return mock;
  }

  it('holds at startAt until play, then runs speed× on anchor + t', async () => {
    const m = await started();
    expect(m.now()).toBe(ANCHOR + START_AT);
    await sleep(50);
    expect(m.scenarioNow()).toBe(START_AT);
    const before = Date.now();
    const clock = m.play();
    expect(clock.clockAt).toBe(ANCHOR + START_AT);
    expect(clock.speed).toBe(SPEED);
    expect(clock.wallAt).toBeGreaterThanOrEqual(before);
    await sleep(100);
    // The extension's clock and the mock's agree: both are this mapping.
    expect(Math.abs(m.now() - scenarioTime(clock, Date.now()))).toBeLessThan(SPEED * 5);
    expect(m.scenarioNow()).toBeGreaterThan(START_AT + 100 * SPEED * 0.9);
    expect(m.timeOf(10 * MINUTE)).toBe(ANCHOR + 10 * MINUTE);
  });

  it('stamps market answers with the clock now, and history rows with the scenario instants they come from', async () => {
    const m = await started();
    m.play();
    const premium = (await get(m.port, 'fapi.binance.com', '/fapi/v1/premiumIndex?symbol=BTCUSDT')) as { time: number };
    const now = m.now();
    expect(now - premium.time).toBeGreaterThanOrEqual(0);
    expect(now - premium.time).toBeLessThan(SPEED * 1_000);
    const history = (await get(m.port, 'fapi.binance.com', '/futures/data/openInterestHist?symbol=BTCUSDT&period=5m&limit=12')) as Array<{ timestamp: number; sumOpenInterestValue: string }>;
    // Minutes 0, 5, … 40 of the scenario: the periods already closed at minute 45.
    expect(history.map((row) => (row.timestamp - ANCHOR) / MINUTE)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40]);
    const scenario = longFlushHour(['binance']);
    for (const row of history) {
      expect(row.timestamp % (5 * MINUTE)).toBe(0);
      const t = row.timestamp - ANCHOR;
      expect(t).toBeLessThanOrEqual(m.scenarioNow());
      // The open interest of the scenario's row at that instant: history is the scenario's past, one to one.
      const expected = scenario.events.filter((e) => e.type === 'market' && e.asset === 'BTC' && e.t <= t).at(-1) as { openInterestUsd: number };
      expect(Number(row.sumOpenInterestValue)).toBeCloseTo(expected.openInterestUsd, 0);
    }
  });

  it('streams each live liquidation stamped anchor + t, and nothing from before startAt', async () => {
    const scenario = longFlushHour(['binance']);
    const m = await started(scenario);
    const frames: Array<{ o: { T: number; q: string } }> = [];
    const socket = new WebSocket(`wss://127.0.0.1:${m.port}/market/ws/!forceOrder@arr`, { headers: { host: 'fstream.binance.com' }, rejectUnauthorized: false });
    socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
    await new Promise((resolve, reject) => (socket.on('open', resolve), socket.on('error', reject)));
    await sleep(200);
    // Installed at startAt: the 5 minutes of liquidations before it are history, not stream.
    expect(frames).toHaveLength(0);
    m.play();
    // 0.4 s at 600× is four scenario minutes: forty liquidations.
    await sleep(400);
    socket.close();
    const live = scenario.events.filter((e) => e.type === 'liquidation' && e.t > START_AT);
    expect(frames.length).toBeGreaterThan(20);
    frames.forEach((frame, i) => expect(frame.o.T).toBe(ANCHOR + live[i]!.t));
    // REST liquidation histories still have the earlier ones, on the same clock.
    const past = m.playedLiquidations().filter((e) => e.t <= START_AT);
    expect(past.length).toBeGreaterThan(0);
    for (const event of past) expect(event.time).toBe(ANCHOR + event.t);
  });
});
