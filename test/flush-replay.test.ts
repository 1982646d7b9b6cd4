/** The replay loop and the scenario validator (the `npm run replay` command: replay-cli.test.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replayScenario, toLiquidation, toMarketUpdate } from '../tools/replay/replay';
import { parseScenario, ScenarioError } from '../tools/replay/scenario-validate';
import { START, tiny } from './tiny-scenario';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('replayScenario', () => {
  it('gives one row per simulated minute for ALL then each asset, in the documented shape', () => {
    const rows = replayScenario(tiny());
    expect(rows.map((r) => `${r.t}:${r.scope}`)).toEqual(['60000:ALL', '60000:BTC', '60000:ETH', '120000:ALL', '120000:BTC', '120000:ETH', '180000:ALL', '180000:BTC', '180000:ETH']);
    expect(rows[0]).toEqual({ t: 60_000, scope: 'ALL', phase: 'warming', side: null, pressure: expect.any(Number), liq1hUsd: 50_000, longShare1h: 1, oiChange1h: null, funding8h: 0.0001, coverage: { liqFrom: 0 } });
    // Replayed from the start, every window is complete from the start.
    expect(rows.every((r) => r.coverage.liqFrom === 0)).toBe(true);
    // The reading at t only includes events before t.
    expect(rows.find((r) => r.t === 120_000 && r.scope === 'ETH')?.liq1hUsd).toBe(0);
    expect(rows.find((r) => r.t === 180_000 && r.scope === 'ALL')).toMatchObject({ liq1hUsd: 75_000, longShare1h: 0.6667 });
  });

  it('replays a fresh install at a minute: before it only what history endpoints give, rows from the install on', () => {
    const scenario = tiny();
    // Installed at minute 2: Binance's liquidation at 30 s has no REST history; OKX's would (none before 2 min).
    const rows = replayScenario(scenario, { installAt: 120_000, liquidationHistory: ['okx', 'bitfinex'] });
    expect([...new Set(rows.map((r) => r.t))]).toEqual([180_000]);
    expect(rows.every((r) => r.coverage.liqFrom === 120_000)).toBe(true);
    const all = rows.find((r) => r.scope === 'ALL')!;
    // The OKX short at 150 s is live; the Binance long at 30 s was before the install and is not counted.
    expect(all).toMatchObject({ liq1hUsd: 25_000, longShare1h: 0 });
    // The market rows before the install came as history: the market figures equal a replay from the start.
    const fromStart = replayScenario(scenario).find((r) => r.t === 180_000 && r.scope === 'BTC')!;
    expect(rows.find((r) => r.scope === 'BTC')).toMatchObject({ oiChange1h: fromStart.oiChange1h, funding8h: fromStart.funding8h });
  });

  it('counts what a venue with a liquidation history kept before the install, and says since when windows are complete', () => {
    const scenario = tiny();
    scenario.events = scenario.events.filter((e) => e.type !== 'liquidation' || e.venue === 'okx');
    scenario.events.splice(2, 0, { t: 40_000, type: 'liquidation', venue: 'okx', asset: 'ETH', side: 'long', price: 100, notionalUsd: 10_000 });
    const rows = replayScenario(scenario, { installAt: 120_000, liquidationHistory: ['okx'] });
    expect(rows.find((r) => r.scope === 'ALL')).toMatchObject({ liq1hUsd: 35_000, coverage: { liqFrom: 0 } });
    // Without that history the same liquidation is missing and the windows start at the install.
    expect(replayScenario(scenario, { installAt: 120_000 }).find((r) => r.scope === 'ALL')).toMatchObject({ liq1hUsd: 25_000, coverage: { liqFrom: 120_000 } });
  });

  it('maps rows to the engine model: 8 h funding, quantity = notional / price, <asset>USDT', () => {
    const [m, , l] = tiny().events;
    expect(toMarketUpdate(m as never, START)).toMatchObject({ symbol: 'BTCUSDT', time: START + 1000, fundingRate: 0.0001, fundingIntervalHours: 8, lastPrice: 100, openInterestUsd: 1e9 });
    expect(toLiquidation(l as never, START)).toMatchObject({ symbol: 'BTCUSDT', quantity: 500, notionalUsd: 50_000, time: START + 30_000, side: 'long' });
  });

  // Speed is not asserted here (a shared 2-core machine makes timed unit tests flaky); the
  // generous timeout only bounds a run that hangs.
  it('replays a full day of minute data (3 venues × 3 assets): one row per minute for each asset and the market', () => {
    const scenario = parseScenario(JSON.parse(readFileSync(join(ROOT, 'scenarios/calm-day.json'), 'utf8')));
    const rows = replayScenario(scenario);
    expect(rows.length).toBe(1440 * 4);
  });
});


describe('parseScenario', () => {
  it('accepts the committed scenarios', () => {
    for (const f of ['long-flush-99m', 'short-squeeze']) {
      expect(parseScenario(JSON.parse(readFileSync(join(ROOT, `scenarios/${f}.json`), 'utf8'))).events.length).toBeGreaterThan(1000);
    }
  });

  it('lists every problem with its path', () => {
    const bad = tiny() as unknown as { events: Array<Record<string, unknown>>; start: unknown };
    bad.start = -5;
    bad.events[0]!.openInterestUsd = -1;
    bad.events[1]!.venue = 'ftx';
    bad.events[2]!.side = 'sell';
    bad.events[3]!.t = 10;
    bad.events[4]!.notionalUsd = Number.NaN;
    let error: ScenarioError | null = null;
    try {
      parseScenario(bad);
    } catch (e) {
      error = e as ScenarioError;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error!.problems).toEqual([
      'start: must be epoch milliseconds (a non-negative integer)',
      'events[0].openInterestUsd: must be ≥ 0, got -1',
      expect.stringContaining('events[1].venue: "ftx" is not one of binance'),
      'events[2].side: must be "long" or "short" (the position liquidated)',
      "events[3].t: 10 comes before the previous event's 30000; events must be sorted by t",
      'events[4].notionalUsd: must be a finite number, got null',
    ]);
  });

  it.each([
    ['not an object', [1, 2]],
    ['no events', { name: 'x', start: 0 }],
    ['unknown type', { name: 'x', start: 0, events: [{ t: 0, type: 'trade', venue: 'okx', asset: 'BTC' }] }],
    ['lower-case asset', { name: 'x', start: 0, events: [{ t: 0, type: 'liquidation', venue: 'okx', asset: 'btc', side: 'long', price: 1, notionalUsd: 1 }] }],
  ])('rejects %s', (_name, data) => {
    expect(() => parseScenario(data)).toThrow(ScenarioError);
  });
});

