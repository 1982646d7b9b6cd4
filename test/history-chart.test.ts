/** The history chart's data (src/core/history-chart.ts): bars, split, lines, and honesty about what is unknown. */
import { describe, expect, it } from 'vitest';
import { FlushEngine } from '../src/core/engine';
import { BAR_MINUTES, HISTORY_BARS, SPLIT_BARS, type HistoryChart } from '../src/core/history-chart';
import type { Liquidation, MarketUpdate, PositionSide, VenueId } from '../src/core/model';
import { MINUTE_MS } from '../src/core/windows';

const T0 = Date.UTC(2026, 0, 1); // midnight: minute- and bar-aligned
const NOW = T0 + 30 * 60 * MINUTE_MS + 2 * MINUTE_MS + 10_000; // 30 h on, two minutes into a bar

function liq(venue: VenueId, asset: string, side: PositionSide, usd: number, minutesAgo: number): Liquidation {
  return { venue, symbol: `${asset}USDT`, asset, kind: 'perp', side, price: 1, quantity: usd, notionalUsd: usd, time: NOW - minutesAgo * MINUTE_MS };
}

function market(venue: VenueId, asset: string, minutesAgo: number, fields: Partial<MarketUpdate>): MarketUpdate {
  return { venue, asset, symbol: `${asset}USDT`, kind: 'perp', time: NOW - minutesAgo * MINUTE_MS, ...fields };
}

function engineWith(liqs: Liquidation[], markets: MarketUpdate[] = []): FlushEngine {
  const engine = new FlushEngine({ binance: 'complete', bybit: 'complete', okx: 'sampled' }, NOW - 25 * 60 * MINUTE_MS, undefined, {}, NOW - 25 * 60 * MINUTE_MS);
  for (const m of markets.sort((a, b) => a.time - b.time)) engine.ingestMarket(m);
  for (const l of liqs) engine.ingestLiquidation(l, NOW);
  engine.prune(NOW);
  return engine;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** Every number in the chart is finite (no NaN, no Infinity), nulls aside. */
function expectFinite(chart: HistoryChart): void {
  const numbers = [chart.start, chart.barMs, chart.now, chart.oiSeries, ...chart.long, ...chart.short, ...chart.oiCount, ...chart.split.flatMap((s) => s ?? [])];
  for (const line of [chart.price, chart.oi, chart.funding8h]) for (const v of line) if (v !== null) numbers.push(v);
  for (const n of numbers) expect(Number.isFinite(n)).toBe(true);
}

describe('historyChart', () => {
  const liqs = [
    liq('binance', 'BTC', 'long', 100_000, 1), // the bar under way
    liq('bybit', 'BTC', 'short', 40_000, 3), // the bar before
    liq('okx', 'BTC', 'long', 25_000, 30),
    liq('binance', 'ETH', 'short', 70_000, 30),
    liq('binance', 'BTC', 'long', 500_000, 5 * 60), // 5 h ago: merged across venues
    liq('bybit', 'ETH', 'long', 9_000, 23 * 60),
  ];

  it('gives 288 wall-clock 5-minute bars, oldest first, the last under way, summing to the 24 h totals', () => {
    const engine = engineWith(liqs);
    for (const scope of ['ALL', 'BTC', 'ETH']) {
      const chart = engine.historyChart(scope, NOW);
      const reading = engine.readings(NOW, ['BTC', 'ETH']).scopes[scope]!;
      expect(chart.long).toHaveLength(HISTORY_BARS);
      expect(chart.short).toHaveLength(HISTORY_BARS);
      expect(chart.barMs).toBe(BAR_MINUTES * MINUTE_MS);
      // The last bar holds now; bars start on wall-clock 5-minute marks.
      expect(chart.start % chart.barMs).toBe(0);
      const lastStart = chart.start + (HISTORY_BARS - 1) * chart.barMs;
      expect(NOW >= lastStart && NOW < lastStart + chart.barMs).toBe(true);
      expect(sum(chart.long)).toBeCloseTo(reading.liq24h.longUsd, 6);
      expect(sum(chart.short)).toBeCloseTo(reading.liq24h.shortUsd, 6);
      expectFinite(chart);
    }
    const btc = engine.historyChart('BTC', NOW);
    expect(btc.long[HISTORY_BARS - 1]).toBe(100_000);
    expect(btc.short[HISTORY_BARS - 2]).toBe(40_000);
    const all = engine.historyChart('ALL', NOW);
    expect(all.long[HISTORY_BARS - 1]).toBe(100_000);
    // The market adds every asset: the bar 30 minutes back holds OKX's BTC longs and Binance's ETH shorts.
    const bar30 = HISTORY_BARS - 1 - Math.ceil((30 - 2) / BAR_MINUTES);
    expect([all.long[bar30], all.short[bar30]]).toEqual([25_000, 70_000]);
  });

  it('splits by venue where the store keeps venues (the last 2 h), and says so where it does not', () => {
    const chart = engineWith(liqs).historyChart('BTC', NOW);
    const kept = chart.split.filter((s) => s !== null);
    // The bars wholly inside the per-venue window have a split; older ones null, never a made-up one.
    expect(kept.length).toBeGreaterThanOrEqual(SPLIT_BARS);
    expect(kept.length).toBeLessThanOrEqual(SPLIT_BARS + 1);
    expect(chart.split.slice(0, HISTORY_BARS - kept.length).every((s) => s === null)).toBe(true);
    expect(chart.venues).toEqual(['binance', 'bybit', 'okx']);
    // Each kept split adds up to its bar.
    for (const [i, split] of chart.split.entries()) {
      if (split === null) continue;
      expect(split).toHaveLength(chart.venues.length * 2);
      expect(sum(split.filter((_, k) => k % 2 === 0))).toBeCloseTo(chart.long[i]!, 6);
      expect(sum(split.filter((_, k) => k % 2 === 1))).toBeCloseTo(chart.short[i]!, 6);
    }
    // OKX samples its feed: a bar it filled is a lower bound; Binance's alone is not. The 5 h-old bar no
    // longer knows its venues, and OKX contributed to BTC that day: a lower bound too.
    expect(chart.sampledVenues).toEqual(['okx']);
    expect(chart.lowerBound[HISTORY_BARS - 1]).toBe(false);
    expect(chart.lowerBound[HISTORY_BARS - 1 - Math.ceil((30 - 2) / BAR_MINUTES)]).toBe(true);
    expect(chart.lowerBound[HISTORY_BARS - 1 - Math.ceil((5 * 60 - 2) / BAR_MINUTES)]).toBe(true);
    // ETH never had an OKX print: none of its bars is.
    expect(engineWith(liqs).historyChart('ETH', NOW).lowerBound.some(Boolean)).toBe(false);
    const last = chart.split[HISTORY_BARS - 1]!;
    expect(last).toEqual([100_000, 0, 0, 0, 0, 0]);
    // The 5 h-old print is in its bar, without a split.
    const bar5h = HISTORY_BARS - 1 - Math.ceil((5 * 60 - 2) / BAR_MINUTES);
    expect(chart.long[bar5h]).toBe(500_000);
    expect(chart.split[bar5h]).toBeNull();
  });

  it('price is OI-weighted per bar, OI summed with how many series it counts, funding OI-weighted; null where unknown', () => {
    const markets = [
      // Binance: $3B OI at 100; Bybit: $1B OI at 104, only for the last hour.
      ...[180, 120, 60, 30, 10, 1].map((ago) => market('binance', 'BTC', ago, { markPrice: 100, openInterestUsd: 3e9, fundingRate: 0.0001, fundingIntervalHours: 8 })),
      ...[60, 30, 10, 1].map((ago) => market('bybit', 'BTC', ago, { markPrice: 104, openInterestUsd: 1e9, fundingRate: 0.0005, fundingIntervalHours: 8 })),
    ];
    const engine = engineWith(liqs, markets);
    const chart = engine.historyChart('BTC', NOW);
    const last = HISTORY_BARS - 1;
    expect(chart.price[last]).toBeCloseTo(101, 6);
    expect(chart.oi[last]).toBeCloseTo(4e9, 0);
    expect(chart.oiCount[last]).toBe(2);
    expect(chart.oiSeries).toBe(2);
    expect(chart.funding8h[last]).toBeCloseTo(0.0002, 9);
    // Two hours back only Binance is known: its price, a partial OI sum that says it counts 1 of 2.
    const bar2h = last - Math.ceil((120 - 2) / BAR_MINUTES);
    expect(chart.price[bar2h]).toBe(100);
    expect(chart.oi[bar2h]).toBeCloseTo(3e9, 0);
    expect(chart.oiCount[bar2h]).toBe(1);
    // Before any market data: null, not zero, not carried back.
    expect(chart.price[0]).toBeNull();
    expect(chart.oi[0]).toBeNull();
    expect(chart.oiCount[0]).toBe(0);
    expect(chart.funding8h[0]).toBeNull();
    expectFinite(chart);
    // The market has no price (a price across assets means nothing), but sums OI.
    const all = engine.historyChart('ALL', NOW);
    expect(all.price.every((p) => p === null)).toBe(true);
    expect(all.oi[last]).toBeCloseTo(4e9, 0);
  });

  it('an unknown scope reads empty bars and unknown lines, not NaN', () => {
    const chart = engineWith([]).historyChart('DOGE', NOW);
    expect(sum(chart.long) + sum(chart.short)).toBe(0);
    expect(chart.venues).toEqual([]);
    expect(chart.price.every((p) => p === null) && chart.oi.every((p) => p === null) && chart.funding8h.every((p) => p === null)).toBe(true);
    expect(chart.countedFrom).toBe(NOW - 25 * 60 * MINUTE_MS);
    expectFinite(chart);
    expect(JSON.stringify(chart)).not.toMatch(/NaN|Infinity/);
  });
});

describe('parseHistoryRequest (the one parser of the history message)', () => {
  it('takes the market or an asset code, nothing else', async () => {
    const { parseHistoryRequest } = await import('../src/core/bus');
    expect(parseHistoryRequest({ type: 'history', scope: 'ALL' })).toEqual({ type: 'history', scope: 'ALL' });
    expect(parseHistoryRequest({ type: 'history', scope: 'BTC', extra: 1 })).toEqual({ type: 'history', scope: 'BTC' });
    for (const bad of [null, 'history', [], { type: 'history' }, { type: 'history', scope: '<img>' }, { type: 'history', scope: 'btc' }, { type: 'refresh', scope: 'BTC' }]) {
      expect(parseHistoryRequest(bad)).toBeNull();
    }
  });
});
