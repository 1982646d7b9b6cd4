/** Each signal on small hand-built data: the numbers a trader would compute by hand. */
import { liquidationBars } from '../src/core/history-chart';
import { describe, expect, it } from 'vitest';
import { MarketHistory } from '../src/core/history';
import type { Liquidation, MarketSnapshot, VenueId } from '../src/core/model';
import {
  fundingFlipOf,
  hourlyBaseline,
  largestMove1h,
  median,
  oiChange,
  oiDrawdown,
  oiSum,
  onsetMinute,
  perpSpotRatioAt,
  pickBasis,
  pickFunding,
  priceChange,
  ratePerHour,
  ratioChange,
  weightedAt,
} from '../src/core/signals';
import { DEFAULT_FLUSH_THRESHOLDS as TH, resolveThresholds } from '../src/core/thresholds';
import { LiquidationWindows, MINUTE_MS, type ScopeView } from '../src/core/windows';

/** Long plus short USD per bar. */
function barTotals(view: ScopeView, nowMinute: number): number[] {
  const { long, short } = liquidationBars(view, nowMinute);
  return long.map((usd, i) => usd + short[i]!);
}

const T0 = Date.UTC(2025, 0, 1); // minute-aligned
const M0 = T0 / MINUTE_MS;

/** A store with `perMinute(m)` USD of BTC longs at minute m (one venue). */
function indexWith(perMinute: (m: number) => number, minutes: number): LiquidationWindows {
  const store = new LiquidationWindows();
  const now = T0 + minutes * MINUTE_MS;
  for (let m = 0; m < minutes; m++) {
    const usd = perMinute(m);
    if (usd > 0) store.add({ venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', side: 'long', price: 1, quantity: usd, notionalUsd: usd, time: T0 + m * MINUTE_MS }, now);
  }
  return store;
}

function snap(venue: VenueId, asset: string, minute: number, values: Partial<MarketSnapshot>): MarketSnapshot {
  return { venue, asset, kind: 'perp', symbol: `${asset}USDT`, time: T0 + minute * MINUTE_MS + 1000, ...values };
}

describe('median, ratioChange', () => {
  it('median of odd/even/empty lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
  it('ratioChange is null for unknown or non-positive bases, never NaN', () => {
    expect(ratioChange(110, 100)).toBeCloseTo(0.1);
    expect(ratioChange(1, 0)).toBeNull();
    expect(ratioChange(null, 1)).toBeNull();
    expect(ratioChange(1, null)).toBeNull();
  });
});

describe('liquidation rates and baseline', () => {
  it('ratePerHour scales a 15 minute sum to an hour', () => {
    const view = indexWith(() => 10_000, 60).scope('ALL');
    expect(ratePerHour(view, M0 + 59, 15)).toBeCloseTo(600_000);
    expect(ratePerHour(view, M0 + 59, 60)).toBeCloseTo(600_000);
  });

  it('uses the short-history floor until minBaselineHours full hours are collected', () => {
    const view = indexWith(() => 50_000, 3 * 60).scope('ALL'); // $3M/h, 3 hours
    const b = hourlyBaseline(view, M0 + 179, M0, true, TH);
    expect(b.source).toBe('short-history-floor');
    expect(b.usdPerHour).toBe(TH.shortHistoryFloorUsdPerHour.market);
    expect(b.hours).toBe(2); // the current hour never counts
    expect(hourlyBaseline(view, M0 + 179, M0, false, TH).usdPerHour).toBe(TH.shortHistoryFloorUsdPerHour.asset);
  });

  it('is the median of past full hours: one flush hour does not move it, the current hour is left out', () => {
    // 8 hours at $3M/h, hour 6 a $90M flush, and the current hour another $200M.
    const view = indexWith((m) => (m >= 360 && m < 420 ? 1_500_000 : m >= 480 ? 3_000_000 : 50_000), 540).scope('ALL');
    const b = hourlyBaseline(view, M0 + 539, M0, true, TH);
    expect(b.source).toBe('median');
    expect(b.hours).toBe(8);
    expect(b.usdPerHour).toBeCloseTo(3_000_000);
  });

  it('never drops below the floor on a near-silent day', () => {
    const view = indexWith(() => 100, 600).scope('ALL');
    const b = hourlyBaseline(view, M0 + 599, M0, true, TH);
    expect(b.source).toBe('floor');
    expect(b.usdPerHour).toBe(TH.baselineFloorUsdPerHour.market);
  });

  it('does not count hours before collection started as calm hours', () => {
    const view = indexWith((m) => (m >= 300 ? 50_000 : 0), 600).scope('ALL');
    expect(hourlyBaseline(view, M0 + 599, M0 + 300, true, TH).hours).toBe(4);
    expect(hourlyBaseline(view, M0 + 599, M0, true, TH).hours).toBe(9);
  });

  it('finds the onset of the current cascade, not an isolated noisy minute earlier', () => {
    const baseline = 3_000_000; // $50k per minute
    // A lone $1M minute at 10, then a cascade from minute 40 on.
    const view = indexWith((m) => (m === 10 ? 1_000_000 : m >= 40 ? 800_000 : 40_000), 60).scope('ALL');
    expect(onsetMinute(view, M0 + 59, baseline, TH)).toBe(M0 + 40);
    const quiet = indexWith(() => 40_000, 60).scope('ALL');
    expect(onsetMinute(quiet, M0 + 59, baseline, TH)).toBeNull();
  });

  it('liquidationBars: 288 wall-clock five-minute sums, oldest first, the slot under way last', () => {
    const view = indexWith((m) => (m >= 55 ? 1000 : 0), 60).scope('ALL');
    const line = barTotals(view, M0 + 59);
    expect(line).toHaveLength(288);
    expect(line[287]).toBe(5000);
    expect(line[286]).toBe(0);
    expect(line.reduce((a, b) => a + b, 0)).toBe(5000);
    // Two minutes into the next slot: the bar of :55–:59 is complete, the new one holds what came since.
    const later = indexWith((m) => (m >= 55 ? 1000 : 0), 62).scope('ALL');
    expect(barTotals(later, M0 + 61).slice(-2)).toEqual([5000, 2000]);
  });

  it('the store reads the same live, after its old minutes are merged, and restored: windows, verdict and bars agree', () => {
    const live = new LiquidationWindows();
    const now = T0 + 300 * MINUTE_MS;
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 2000; i++) {
      live.add(
        {
          venue: rand() < 0.5 ? 'binance' : 'okx',
          symbol: 'X',
          asset: rand() < 0.5 ? 'BTC' : 'ETH',
          kind: 'perp',
          side: rand() < 0.7 ? 'long' : 'short',
          price: 1,
          quantity: 1,
          notionalUsd: Math.round(rand() * 100_000),
          time: T0 + Math.floor(rand() * 300 * MINUTE_MS),
        },
        now,
      );
    }
    const nowMinute = Math.floor(now / MINUTE_MS);
    const read = (w: LiquidationWindows) =>
      ['ALL', 'BTC', 'ETH'].map((scope) => ({
        windows: [5, 60, 240, 1440].map((minutes) => w.totals(now, minutes, scope === 'ALL' ? {} : { asset: scope })),
        verdict: w.scope(scope).totals(nowMinute - 59, nowMinute),
        bars: barTotals(w.scope(scope), nowMinute),
      }));
    const before = read(live);
    // The meter's 1 h window and the verdict's are one sum.
    for (const scope of before) expect(scope.verdict).toEqual(scope.windows[1]);
    live.prune(now);
    const pruned = read(live);
    const restored = read(LiquidationWindows.fromJSON(JSON.parse(JSON.stringify(live.toJSON()))));
    for (const [i, scope] of pruned.entries()) {
      // Merging minutes older than 2 h into their wall-clock 5-minute slots changes no bar and no recent window.
      expect(scope.bars.map(Math.round)).toEqual(before[i]!.bars.map(Math.round));
      expect(scope.windows[1]).toEqual(before[i]!.windows[1]);
      expect(scope.windows[3]!.count).toBe(before[i]!.windows[3]!.count);
      // Restored from storage (whole dollars), it reads as the live store does.
      expect(restored[i]!.bars).toEqual(scope.bars.map(Math.round));
      for (const [k, w] of scope.windows.entries()) expect(restored[i]!.windows[k]!.count).toBe(w.count);
    }
  });
});

describe('market signals across venues', () => {
  function history(rows: MarketSnapshot[]): MarketHistory {
    const h = new MarketHistory();
    for (const r of rows) h.record(r);
    return h;
  }
  const keys = ['binance|BTC', 'okx|BTC'];

  it('oiChange compares only venues known at both times: a venue joining is not OI rising', () => {
    const h = history([
      snap('binance', 'BTC', 0, { openInterestUsd: 1e9 }),
      snap('binance', 'BTC', 60, { openInterestUsd: 0.9e9 }),
      snap('okx', 'BTC', 60, { openInterestUsd: 5e9 }), // okx appears only now
    ]);
    expect(oiChange(h, keys, M0, M0 + 60)).toBeCloseTo(-0.1);
    expect(oiSum(h, keys, M0 + 60)).toBeCloseTo(5.9e9);
    expect(oiChange(h, keys, M0 - 100, M0 + 60)).toBeNull();
  });

  it('oiDrawdown1h sees a fall from the hour high even when the 1 h change is flat', () => {
    const rows: MarketSnapshot[] = [];
    for (let m = 0; m <= 60; m++) rows.push(snap('binance', 'BTC', m, { openInterestUsd: m <= 40 ? 1e9 * (1 + 0.001 * m) : 1.04e9 * (1 - 0.002 * (m - 40)) }));
    const h = history(rows);
    expect(oiChange(h, keys, M0, M0 + 60)).toBeCloseTo(1.04 * 0.96 - 1, 4);
    expect(oiDrawdown(h, keys, M0 + 60, 60)).toBeCloseTo(-0.04, 3);
  });

  it('oiDrawdown is the worst oiChange to now over the window, with venues joining, leaving and going stale', () => {
    const rows: MarketSnapshot[] = [];
    for (let m = 0; m <= 90; m++) {
      rows.push(snap('binance', 'BTC', m, { openInterestUsd: 1e9 * (1 + 0.01 * Math.sin(m / 7)) }));
      // OKX reports only now and then, and not at all between minutes 20 and 50 (stale after 15).
      if (m % 4 === 0 && (m < 20 || m > 50)) rows.push(snap('okx', 'BTC', m, { openInterestUsd: 2e9 * (1 - 0.003 * m) }));
    }
    const h = history(rows);
    for (const now of [M0 + 60, M0 + 75, M0 + 90]) {
      let worst: number | null = null;
      for (let m = now - 60; m < now; m++) {
        const change = oiChange(h, keys, m, now);
        if (change !== null && (worst === null || change < worst)) worst = change;
      }
      expect(oiDrawdown(h, keys, now, 60)).toBe(worst === null ? null : Math.min(0, worst));
    }
  });

  it('funding and basis are weighted by open interest; equal weights without OI', () => {
    const h = history([
      snap('binance', 'BTC', 0, { openInterestUsd: 3e9, fundingRate8h: 0.0004, markPrice: 101, indexPrice: 100 }),
      snap('okx', 'BTC', 0, { openInterestUsd: 1e9, fundingRate8h: 0, markPrice: 100, indexPrice: 100 }),
      snap('binance', 'ETH', 0, { fundingRate8h: 0.0002 }),
      snap('okx', 'ETH', 0, { fundingRate8h: 0.0004 }),
    ]);
    expect(weightedAt(h, keys, M0, pickFunding)).toBeCloseTo(0.0003, 9);
    expect(weightedAt(h, keys, M0, pickBasis)).toBeCloseTo(0.0075, 6);
    expect(weightedAt(h, ['binance|ETH', 'okx|ETH'], M0, pickFunding)).toBeCloseTo(0.0003, 9);
    expect(weightedAt(h, ['nobody|BTC'], M0, pickFunding)).toBeNull();
  });

  it('values go stale after 15 minutes instead of being carried forever', () => {
    const h = history([snap('binance', 'BTC', 0, { fundingRate8h: 0.0001 })]);
    expect(weightedAt(h, keys, M0 + 15, pickFunding)).toBeCloseTo(0.0001);
    expect(weightedAt(h, keys, M0 + 16, pickFunding)).toBeNull();
  });

  it('perp/spot volume ratio over venues with both volumes', () => {
    const h = history([
      snap('binance', 'BTC', 0, { perpVolume24hUsd: 40e9, spotVolume24hUsd: 10e9 }),
      snap('okx', 'BTC', 0, { perpVolume24hUsd: 20e9 }), // no spot: left out
    ]);
    expect(perpSpotRatioAt(h, keys, M0)).toBeCloseTo(4);
  });

  it('priceChange averages per-venue ratios, so a venue price offset cancels', () => {
    const h = history([
      snap('binance', 'BTC', 0, { markPrice: 100, openInterestUsd: 1e9 }),
      snap('okx', 'BTC', 0, { markPrice: 101, openInterestUsd: 1e9 }),
      snap('binance', 'BTC', 60, { markPrice: 97, openInterestUsd: 1e9 }),
      snap('okx', 'BTC', 60, { markPrice: 97.97, openInterestUsd: 1e9 }),
    ]);
    expect(priceChange(h, keys, M0, M0 + 60)).toBeCloseTo(-0.03, 6);
  });

  it('largestMove1h finds the biggest 1 h move of the day in either direction', () => {
    const rows: MarketSnapshot[] = [];
    for (let m = 0; m <= 600; m += 5) {
      // Flat at 100, a +2% hour around minute 200, a −5% hour from 400 to 460, then flat.
      const price = m < 200 ? 100 : m < 260 ? 100 + (2 * (m - 200)) / 60 : m < 400 ? 102 : m < 460 ? 102 * (1 - (0.05 * (m - 400)) / 60) : 96.9;
      rows.push(snap('binance', 'BTC', m, { markPrice: price }));
    }
    const h = history(rows);
    expect(largestMove1h(h, keys, M0 + 600)).toBeCloseTo(0.05, 3);
    expect(largestMove1h(h, ['none|BTC'], M0 + 600)).toBeNull();
  });

  it('fundingFlipOf: a real sign change only, jitter around zero is no flip', () => {
    expect(fundingFlipOf(0.0003, -0.0001, TH.fundingFlipMin)).toBe('to-negative');
    expect(fundingFlipOf(-0.0004, 0.00005, TH.fundingFlipMin)).toBe('to-positive');
    expect(fundingFlipOf(0.0003, -0.00001, TH.fundingFlipMin)).toBeNull();
    expect(fundingFlipOf(0.0003, 0.0001, TH.fundingFlipMin)).toBeNull();
    expect(fundingFlipOf(null, -0.001, TH.fundingFlipMin)).toBeNull();
  });
});

describe('thresholds', () => {
  it('resolveThresholds overlays overrides and ignores junk', () => {
    const th = resolveThresholds({ flushIntensity: 7, minFlushUsd1h: { market: 1 } as never, dominantShare: Number.NaN });
    expect(th.flushIntensity).toBe(7);
    expect(th.minFlushUsd1h).toEqual({ market: 1, asset: TH.minFlushUsd1h.asset });
    expect(th.dominantShare).toBe(TH.dominantShare);
    expect(TH.flushIntensity).toBe(5); // defaults untouched
  });
});
