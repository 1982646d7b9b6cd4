import { describe, expect, it } from 'vitest';
import type { Liquidation } from '../src/core/model';
import { liquidationBars } from '../src/core/history-chart';
import { FINE_MINUTES, HOUR_MS, LiquidationWindows, MINUTE_MS, minuteOf, type StoredBuckets } from '../src/core/windows';

const NOW = Date.UTC(2026, 10, 21, 12, 30, 15);
const liq = (minutesAgo: number, side: 'long' | 'short', usd: number, over: Partial<Liquidation> = {}): Liquidation => ({
  venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', side, price: 72000, quantity: usd / 72000, notionalUsd: usd, time: NOW - minutesAgo * MINUTE_MS, ...over,
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

  it('round-trips through JSON and skips corrupt buckets instead of producing NaN', () => {
    const w = new LiquidationWindows();
    w.add(liq(5, 'long', 3e6), NOW);
    w.add(liq(5, 'short', 1e6), NOW);
    const json = JSON.parse(JSON.stringify(w.toJSON()));
    const stored = json['binance|BTC'] as Required<StoredBuckets>;
    expect(stored).toEqual({ m: [minuteOf(NOW) - 5], long: [3e6], short: [1e6], nLong: [1], nShort: [1] });
    // Two more buckets: a text USD and a negative one.
    stored.m.push(1, 1);
    (stored.long as unknown[]).push('x', 5);
    stored.short.push(0, -1);
    stored.nLong.push(1, 1);
    stored.nShort.push(0, 0);
    json['okx|BTC'] = { m: [minuteOf(NOW) - 5], long: [Number.MAX_VALUE], nLong: [1] };
    json['bybit|BTC'] = { m: [minuteOf(NOW) - 5, 1], long: [1e6] }; // a column shorter than its minutes
    json['bitget|BTC'] = { m: [minuteOf(NOW) - 5, 'x'], long: [1e6, 1e6] };
    json['bad key'] = { m: [minuteOf(NOW) - 5], long: [1e6], nLong: [1] };
    const restored = LiquidationWindows.fromJSON(json);
    expect(restored.totals(NOW, 60)).toEqual(w.totals(NOW, 60));
    expect(restored.keys()).toEqual([{ venue: 'binance', asset: 'BTC' }]);
    expect(LiquidationWindows.fromJSON('garbage').keys()).toEqual([]);
  });

  it('stores whole dollars: restored totals keep every count and are off by under $0.50 per bucket', () => {
    const w = new LiquidationWindows();
    for (let m = 0; m < 300; m++) {
      w.add(liq(m, 'long', 1_000.4), NOW);
      w.add(liq(m, 'long', 2_000.45), NOW);
      if (m % 4 === 0) w.add(liq(m, 'short', 333.333, { venue: 'okx' }), NOW);
    }
    w.prune(NOW);
    const json = JSON.stringify(w.toJSON());
    expect(json).not.toMatch(/\d\.\d/);
    const restored = LiquidationWindows.fromJSON(JSON.parse(json));
    for (const minutes of [60, 240, 24 * 60]) {
      const [after, before] = [restored.totals(NOW, minutes), w.totals(NOW, minutes)];
      expect(after.count).toBe(before.count);
      const buckets = minutes; // at most one bucket per minute and side
      expect(Math.abs(after.longUsd - before.longUsd)).toBeLessThan(0.5 * buckets);
      expect(Math.abs(after.shortUsd - before.shortUsd)).toBeLessThan(0.5 * buckets);
    }
    // Here each 1-minute long bucket holds $3,000.85: stored as $3,001.
    expect(restored.totals(NOW, 1).longUsd).toBe(3_001);
    expect(restored.totals(NOW, 60).count).toBe(60 * 2 + 15);
  });

});

describe('thinning old buckets', () => {
  // Was "merges buckets older than 2 h into 5-minute ones" per venue: they are now merged across
  // venues too (one series per asset), because only the last hour is read per venue.
  it('merges buckets older than 2 h across venues into 5-minute ones per asset, keeping every sum and the recent minutes', () => {
    const w = new LiquidationWindows();
    for (let m = 0; m < 6 * 60; m++) {
      w.add(liq(m, m % 3 ? 'long' : 'short', 1_000), NOW);
      w.add(liq(m, 'long', 500, { venue: 'okx' }), NOW);
      w.add(liq(m, 'short', 10, { asset: 'ETH' }), NOW);
    }
    const before = { h1: w.totals(NOW, 60), h4: w.totals(NOW, 240), d: w.totals(NOW, 24 * 60), btc: w.totals(NOW, 24 * 60, { asset: 'BTC' }) };
    w.prune(NOW);
    const json = w.toJSON();
    const nowMinute = minuteOf(NOW);
    // Per venue: only the minutes of the fine window, one bucket each.
    const binance = json['binance|BTC'] as StoredBuckets;
    expect(binance.m.length).toBe(FINE_MINUTES + 1);
    expect(binance.m[0]).toBe(nowMinute - FINE_MINUTES);
    // Per asset: 5-minute buckets at the end of each slot, every venue in them.
    const merged = json['*|BTC'] as Required<StoredBuckets>;
    const minutes = merged.m.map((_, i) => merged.m.slice(0, i + 1).reduce((a, b) => a + b, 0));
    expect(minutes.every((m) => m % 5 === 4 && m < nowMinute - FINE_MINUTES + 4)).toBe(true);
    expect(minutes.length).toBeLessThanOrEqual(Math.ceil((6 * 60 - FINE_MINUTES) / 5) + 1);
    expect(merged.nLong.reduce((a, b) => a + b, 0) + merged.nShort.reduce((a, b) => a + b, 0)).toBe(2 * (6 * 60 - FINE_MINUTES - 1));
    expect(Object.keys(json).sort()).toEqual(['*|BTC', '*|ETH', 'binance|BTC', 'binance|ETH', 'okx|BTC']);
    expect(w.totals(NOW, 60)).toEqual(before.h1);
    expect(w.totals(NOW, 24 * 60).count).toBe(before.d.count);
    expect(w.totals(NOW, 24 * 60).totalUsd).toBeCloseTo(before.d.totalUsd, 6);
    expect(w.totals(NOW, 24 * 60, { asset: 'BTC' })).toEqual(before.btc);
    // A 4 h edge falls in the merged zone: off by at most one 5-minute slot of the three series.
    expect(Math.abs(w.totals(NOW, 240).totalUsd - before.h4.totalUsd)).toBeLessThanOrEqual(4 * 1_510);
    // A venue's own total now covers the fine window only.
    expect(w.totals(NOW, 24 * 60, { venue: 'okx' })).toEqual(w.totals(NOW, FINE_MINUTES + 1, { venue: 'okx' }));
    expect(w.assets().sort()).toEqual(['BTC', 'ETH']);
    // And all of it survives the JSON round trip (whole dollars here already).
    const restored = LiquidationWindows.fromJSON(JSON.parse(JSON.stringify(json)));
    expect(restored.totals(NOW, 24 * 60)).toEqual(w.totals(NOW, 24 * 60));
    expect(liquidationBars(restored.scope('ALL'), minuteOf(NOW))).toEqual(liquidationBars(w.scope('ALL'), minuteOf(NOW)));
    expect(restored.earliestMinute()).toBe(w.earliestMinute());
  });

  it('drops merged buckets past 24 h and keeps those inside', () => {
    const w = new LiquidationWindows();
    w.add(liq(23 * 60, 'long', 1_000), NOW);
    w.prune(NOW);
    expect(w.keys()).toEqual([]);
    expect(w.totals(NOW, 24 * 60).count).toBe(1);
    w.prune(NOW + 2 * HOUR_MS);
    expect(w.assets()).toEqual([]);
    expect(w.earliestMinute()).toBeNull();
  });
});
