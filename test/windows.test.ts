import { describe, expect, it } from 'vitest';
import type { Liquidation } from '../src/core/model';
import { HOUR_MS, LiquidationWindows, MINUTE_MS } from '../src/core/windows';

const NOW = Date.UTC(2026, 10, 21, 12, 30, 15);
const liq = (minutesAgo: number, side: 'long' | 'short', usd: number, over: Partial<Liquidation> = {}): Liquidation => ({
  venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', side, price: 72000, quantity: usd / 72000, notionalUsd: usd, time: NOW - minutesAgo * MINUTE_MS, ...over,
});

describe('LiquidationWindows', () => {
  it('sums the last hour and 24 h per side with the long share', () => {
    const w = new LiquidationWindows();
    w.add(liq(1, 'long', 9e6), NOW);
    w.add(liq(30, 'short', 1e6), NOW);
    w.add(liq(120, 'long', 5e6), NOW);
    expect(w.totals(NOW, 60)).toEqual({ longUsd: 9e6, shortUsd: 1e6, totalUsd: 10e6, count: 2, longShare: 0.9 });
    expect(w.totals(NOW, 24 * 60).totalUsd).toBe(15e6);
  });

  it('filters by asset and venue and gives a null long share (not NaN) when empty', () => {
    const w = new LiquidationWindows();
    w.add(liq(1, 'long', 1e6), NOW);
    w.add(liq(1, 'short', 2e6, { asset: 'ETH', venue: 'okx' }), NOW);
    expect(w.totals(NOW, 60, { asset: 'ETH' }).shortUsd).toBe(2e6);
    expect(w.totals(NOW, 60, { venue: 'binance' }).totalUsd).toBe(1e6);
    expect(w.totals(NOW, 60, { asset: 'SOL' }).longShare).toBeNull();
  });

  it('drops events older than 24 h, far in the future, or with a non-positive notional', () => {
    const w = new LiquidationWindows();
    expect(w.add(liq(24 * 60 + 1, 'long', 1e6), NOW)).toBe(false);
    expect(w.add(liq(-10, 'long', 1e6), NOW)).toBe(false);
    expect(w.add(liq(1, 'long', 0), NOW)).toBe(false);
    expect(w.add(liq(1, 'long', Number.NaN), NOW)).toBe(false);
    expect(w.totals(NOW, 24 * 60).count).toBe(0);
  });

  it('rolls: an event leaves the 1 h window an hour later and is pruned after a day', () => {
    const w = new LiquidationWindows();
    w.add(liq(0, 'long', 1e6), NOW);
    expect(w.totals(NOW + HOUR_MS, 60).totalUsd).toBe(0);
    expect(w.totals(NOW + HOUR_MS, 24 * 60).totalUsd).toBe(1e6);
    w.prune(NOW + 24 * HOUR_MS);
    expect(w.keys()).toEqual([]);
  });

  it('round-trips through JSON and skips corrupt rows instead of producing NaN', () => {
    const w = new LiquidationWindows();
    w.add(liq(5, 'long', 3e6), NOW);
    w.add(liq(5, 'short', 1e6), NOW);
    const json = JSON.parse(JSON.stringify(w.toJSON()));
    json['binance|BTC'].push([1, 'x', 0, 0, 0], [2, Number.MAX_VALUE, -1, 0, 0]);
    json['bad key'] = [[1, 1, 1, 1, 1]];
    const restored = LiquidationWindows.fromJSON(json);
    expect(restored.totals(NOW, 60)).toEqual(w.totals(NOW, 60));
    expect(LiquidationWindows.fromJSON('garbage').keys()).toEqual([]);
  });

  it('gives a 5-minute sparkline over 24 h, oldest first', () => {
    const w = new LiquidationWindows();
    w.add(liq(0, 'long', 2e6), NOW);
    w.add(liq(7, 'short', 1e6), NOW);
    const series = w.sparkline(NOW, 24 * 60, 5);
    expect(series).toHaveLength(288);
    expect(series.at(-1)).toBe(2e6);
    expect(series.reduce((a, b) => a + b, 0)).toBe(3e6);
  });
});

describe('thinning old buckets', () => {
  it('merges buckets older than 2 h into 5-minute ones, keeping every sum and the recent minutes', () => {
    const w = new LiquidationWindows();
    for (let m = 0; m < 6 * 60; m++) w.add(liq(m, m % 3 ? 'long' : 'short', 1_000), NOW);
    const before = { h1: w.totals(NOW, 60), h4: w.totals(NOW, 240), d: w.totals(NOW, 24 * 60) };
    const rowsBefore = w.toJSON()['binance|BTC']!.length;
    w.prune(NOW);
    const rows = w.toJSON()['binance|BTC']!;
    expect(rows.length).toBeLessThan(rowsBefore / 2);
    expect(w.totals(NOW, 60)).toEqual(before.h1);
    expect(w.totals(NOW, 24 * 60).count).toBe(before.d.count);
    expect(w.totals(NOW, 24 * 60).totalUsd).toBeCloseTo(before.d.totalUsd, 6);
    // A 4 h edge falls in the thinned zone: off by at most one 5-minute slot.
    expect(Math.abs(w.totals(NOW, 240).totalUsd - before.h4.totalUsd)).toBeLessThanOrEqual(4 * 1_000);
  });
});
