/**
 * The level model wired into the engine and the replay: 5-minute bars read from the market history
 * feed it, asset readings carry `levels` (the seam), the market scope does not, and the replay rows
 * of every asset carry it (issue 17's contract for tools).
 */
import { describe, expect, it } from 'vitest';
import { FlushEngine, MARKET_SCOPE } from '../src/core/engine';
import type { MarketUpdate } from '../src/core/model';
import { replayScenario } from '../tools/replay/replay';
import { readFileSync } from 'node:fs';
import type { Scenario } from '../tools/replay/scenario';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 1, 12, 0);

function update(minute: number, price: number, oiUsd: number): MarketUpdate {
  return { venue: 'binance', asset: 'BTC', symbol: 'BTCUSDT', kind: 'perp', time: T0 + minute * MINUTE, lastPrice: price, markPrice: price, indexPrice: price, openInterestUsd: oiUsd };
}

describe('liquidation levels in the engine', () => {
  it('builds levels from rising open interest: longs below the price, shorts above, none for the market scope', () => {
    const engine = new FlushEngine({ binance: 'sampled' }, T0);
    // Two hours of a steady price while open interest grows by $2M a minute.
    for (let m = 0; m <= 120; m++) engine.ingestMarket(update(m, 70_000 + (m % 2) * 20, 500e6 + m * 2e6));
    const readings = engine.readings(T0 + 121 * MINUTE, ['BTC']);
    const btc = readings.scopes.BTC!;
    expect(readings.scopes[MARKET_SCOPE]!.levels).toBeNull();
    expect(btc.levels).not.toBeNull();
    const { long, short, bandsUsd } = btc.levels!;
    expect(long).not.toBeNull();
    expect(short).not.toBeNull();
    expect(long!.price).toBeLessThan(70_020);
    expect(short!.price).toBeGreaterThan(70_000);
    expect(long!.distancePct).toBeGreaterThan(0);
    expect(short!.distancePct).toBeGreaterThan(0);
    expect(bandsUsd.long5).toBeGreaterThanOrEqual(bandsUsd.long1);
    expect(bandsUsd.short5).toBeGreaterThanOrEqual(bandsUsd.short1);
    // Every figure a number, never NaN.
    expect(JSON.stringify(btc.levels)).not.toMatch(/NaN|null,"short":null/);
  });

  it('a changed leverage mix (the options page) changes the levels of the bars after, keeping the books', () => {
    const feed = (engine: FlushEngine, from: number, to: number) => {
      for (let m = from; m <= to; m++) engine.ingestMarket(update(m, 70_000 + (m % 2) * 20, 500e6 + m * 2e6));
    };
    const steady = new FlushEngine({ binance: 'sampled' }, T0);
    const changed = new FlushEngine({ binance: 'sampled' }, T0, undefined, {}, undefined, { leverageMix: [{ leverage: 100, weight: 1 }] });
    expect(changed.levels.assumptions.leverageMix).toEqual([{ leverage: 100, weight: 1 }]);
    feed(steady, 0, 60);
    feed(changed, 0, 60);
    const before = steady.readings(T0 + 61 * MINUTE, ['BTC']).scopes.BTC!.levels!;
    // All at 100×: every level within about 1 % of the price, where the default mix spreads them out to 20 %.
    const near = changed.readings(T0 + 61 * MINUTE, ['BTC']).scopes.BTC!.levels!;
    expect(near.bandsUsd.long1).toBeGreaterThan(before.bandsUsd.long1);
    expect(near.long!.distancePct).toBeLessThan(1.1);
    // Switched on a running engine: its books stay, new positions spread by the new mix.
    const books = steady.levels.booksOf('BTC').length;
    steady.setLevelAssumptions({ leverageMix: [{ leverage: 100, weight: 1 }] });
    expect(steady.levels.assumptions.leverageMix).toEqual([{ leverage: 100, weight: 1 }]);
    expect(steady.levels.booksOf('BTC').length).toBe(books);
    expect(steady.readings(T0 + 61 * MINUTE + 1_000, ['BTC']).scopes.BTC!.levels!.bandsUsd.long5).toBeCloseTo(before.bandsUsd.long5, 0);
    const control = new FlushEngine({ binance: 'sampled' }, T0);
    feed(control, 0, 120);
    feed(steady, 61, 120);
    const after = steady.readings(T0 + 121 * MINUTE, ['BTC']).scopes.BTC!.levels!;
    const unchanged = control.readings(T0 + 121 * MINUTE, ['BTC']).scopes.BTC!.levels!;
    expect(after.bandsUsd.long1).toBeGreaterThan(unchanged.bandsUsd.long1);
    // A mix the model cannot use keeps the default.
    steady.setLevelAssumptions({ leverageMix: [] });
    expect(steady.levels.assumptions.leverageMix).toEqual(control.levels.assumptions.leverageMix);
  });

  it('a fall through the long levels consumes them', () => {
    const engine = new FlushEngine({ binance: 'sampled' }, T0);
    for (let m = 0; m <= 120; m++) engine.ingestMarket(update(m, 70_000, 500e6 + m * 2e6));
    const before = engine.readings(T0 + 121 * MINUTE, ['BTC']).scopes.BTC!.levels!.bandsUsd.long5;
    // An 8 % drop over ten minutes, open interest flushed.
    for (let m = 121; m <= 131; m++) engine.ingestMarket(update(m, 70_000 * (1 - 0.008 * (m - 120)), 740e6 - (m - 120) * 15e6));
    const after = engine.readings(T0 + 136 * MINUTE, ['BTC']).scopes.BTC!.levels!;
    expect(before).toBeGreaterThan(0);
    // What was within 5 % below 70,000 has been traded through: far less is left below the new price.
    expect(after.bandsUsd.long5).toBeLessThan(before * 0.5);
  });

  it('keeps its books across a restore', () => {
    const engine = new FlushEngine({ binance: 'sampled' }, T0);
    for (let m = 0; m <= 60; m++) engine.ingestMarket(update(m, 70_000, 500e6 + m * 2e6));
    const levels = engine.readings(T0 + 61 * MINUTE, ['BTC']).scopes.BTC!.levels;
    const restored = new FlushEngine({ binance: 'sampled' }, T0 + 61 * MINUTE, JSON.parse(JSON.stringify(engine.toJSON())));
    restored.ingestMarket(update(61, 70_000, 622e6));
    const after = restored.readings(T0 + 61 * MINUTE + 1_000, ['BTC']).scopes.BTC!.levels!;
    // The stored form keeps prices and sizes to a few significant digits.
    for (const side of ['long', 'short'] as const) {
      expect(after[side]!.price).toBeCloseTo(levels![side]!.price, -1);
      expect(after[side]!.usd / levels![side]!.usd).toBeCloseTo(1, 2);
    }
    expect(after.bandsUsd.long5 / levels!.bandsUsd.long5).toBeCloseTo(1, 2);
  });

  it('every per-asset replay row carries levels in the seam shape; ALL rows do not', () => {
    const scenario = JSON.parse(readFileSync(new URL('../scenarios/long-flush-99m.json', import.meta.url), 'utf8')) as Scenario;
    const rows = replayScenario(scenario);
    const assetRows = rows.filter((row) => row.scope !== MARKET_SCOPE);
    expect(assetRows.length).toBeGreaterThan(0);
    for (const row of assetRows) {
      expect(Object.keys(row.levels!).sort()).toEqual(['bandsUsd', 'long', 'short']);
      expect(Object.keys(row.levels!.bandsUsd).sort()).toEqual(['long1', 'long3', 'long5', 'short1', 'short3', 'short5']);
      for (const cluster of [row.levels!.long, row.levels!.short]) if (cluster) expect(Object.keys(cluster).sort()).toEqual(['distancePct', 'price', 'usd']);
    }
    expect(rows.filter((row) => row.scope === MARKET_SCOPE).every((row) => row.levels === undefined)).toBe(true);
    // Once the history has bars, the estimate names clusters on both sides for BTC.
    const late = assetRows.filter((row) => row.scope === 'BTC').at(-1)!;
    expect(late.levels!.long?.distancePct).toBeGreaterThan(0);
  });
});
