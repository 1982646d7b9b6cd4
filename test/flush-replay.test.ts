/** The replay loop, the scenario validator and the `npm run replay` command. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replayScenario, toLiquidation, toMarketUpdate } from '../tools/replay/replay';
import type { Scenario } from '../tools/replay/scenario';
import { parseScenario, ScenarioError } from '../tools/replay/scenario-validate';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START = Date.UTC(2025, 0, 1);

function tiny(): Scenario {
  const market = (t: number, venue: 'binance' | 'okx', asset: string, oi: number) => ({
    t,
    type: 'market' as const,
    venue,
    asset,
    price: 100,
    markPrice: 100.1,
    indexPrice: 100,
    fundingRate8h: 0.0001,
    openInterestUsd: oi,
    perpVolume24hUsd: 4e9,
    spotVolume24hUsd: 1e9,
  });
  return {
    name: 'tiny',
    start: START,
    events: [
      market(1000, 'binance', 'BTC', 1e9),
      market(1500, 'okx', 'ETH', 5e8),
      { t: 30_000, type: 'liquidation', venue: 'binance', asset: 'BTC', side: 'long', price: 100, notionalUsd: 50_000 },
      market(61_000, 'binance', 'BTC', 0.99e9),
      { t: 150_000, type: 'liquidation', venue: 'okx', asset: 'ETH', side: 'short', price: 100, notionalUsd: 25_000 },
    ],
  };
}

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
  }, 60_000);
});

describe('npm run replay', () => {
  it('--install-at MINUTE starts the rows at the install, each with coverage.liqFrom; a bad minute is a usage error', () => {
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    const run = spawnSync(tsx, ['scripts/replay.ts', 'scenarios/long-flush-99m.json', '--install-at', '90'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const rows = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { t: number; coverage: { liqFrom: number } });
    expect(rows[0]!.t).toBe(91 * 60_000);
    // The scenario has Binance liquidations before minute 90, and Binance keeps no public history of them.
    expect(rows.every((row) => row.coverage.liqFrom === 90 * 60_000)).toBe(true);
    const bad = spawnSync(tsx, ['scripts/replay.ts', 'scenarios/long-flush-99m.json', '--install-at', 'soon'], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--install-at MINUTE/);
  }, 60_000);

  it('ends quietly when its reader stops early (| head)', () => {
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    const run = spawnSync('bash', ['-c', `set -o pipefail; "${tsx}" scripts/replay.ts scenarios/calm-day.json | head -n 2`], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(2);
    expect(JSON.parse(run.stdout.split('\n')[0]!)).toHaveProperty('scope');
  }, 60_000);
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

describe('npm run replay (scripts/replay.ts)', () => {
  const tsx = join(ROOT, 'node_modules/.bin/tsx');

  it('prints one JSON line per minute per scope', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    const file = join(dir, 'tiny.json');
    writeFileSync(file, JSON.stringify(tiny()));
    const out = execFileSync(tsx, ['scripts/replay.ts', file], { cwd: ROOT, encoding: 'utf8' });
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(9);
    expect(Object.keys(lines[0])).toEqual(['t', 'scope', 'phase', 'side', 'pressure', 'liq1hUsd', 'longShare1h', 'oiChange1h', 'funding8h', 'coverage']);
    expect(lines[0].coverage).toEqual({ liqFrom: 0 });
  });

  it('fails with a clear message for an invalid file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'bad', start: 0, events: [{ t: 0, type: 'market', venue: 'okx', asset: 'BTC' }] }));
    const result = spawnSync(tsx, ['scripts/replay.ts', file], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('events[0].price: must be a finite number');
    const missing = spawnSync(tsx, ['scripts/replay.ts'], { cwd: ROOT, encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('usage');
  });
});
