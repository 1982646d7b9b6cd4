/** The market history: retention, thinning, compact exact JSON round trip, malformed stored data, storage size. */
import { describe, expect, it } from 'vitest';
import { COARSER_AFTER_MINUTES, FINE_MINUTES, MarketHistory, MAX_STALE_MINUTES } from '../src/core/history';
import { VENUE_IDS, type MarketSnapshot, type VenueId } from '../src/core/model';
import { decodeMinutes } from '../src/core/stored-columns';
import { MINUTE_MS } from '../src/core/windows';

const T0 = Date.UTC(2025, 0, 1);
const M0 = T0 / MINUTE_MS;

function row(venue: VenueId, asset: string, minute: number, k = 1): MarketSnapshot {
  return {
    venue,
    asset,
    symbol: `${asset}USDT`,
    kind: 'perp',
    time: T0 + minute * MINUTE_MS + 1234,
    lastPrice: 72_226.51 * k + minute * 0.37,
    markPrice: 72_230.12 * k + minute * 0.37,
    indexPrice: 72_221.77 * k + minute * 0.37,
    fundingRate8h: 0.00012345 + minute * 1e-8,
    openInterestUsd: 8_123_456_789 + minute * 1_000_003,
    perpVolume24hUsd: 19_999_488_123 + minute * 7_000_001,
    spotVolume24hUsd: 5_000_093_456 + minute * 3_000_007,
  };
}

function day(venues: readonly VenueId[], assets: string[], minutes = 1440): MarketHistory {
  const h = new MarketHistory();
  for (let m = 0; m < minutes; m++) for (const v of venues) for (const [i, a] of assets.entries()) h.record(row(v, a, m, i + 1));
  h.prune(T0 + (minutes - 1) * MINUTE_MS);
  return h;
}

describe('MarketHistory', () => {
  it('writes what a history that never wrote would, however its writes and changes interleave', () => {
    // The stored form is re-encoded only for a series that changed since its last write: every kind
    // of change (a new minute, a newer row of a minute, a back-fill, thinning, retention, a purge) must show.
    const ops: Array<(h: MarketHistory) => void> = [];
    const written = new MarketHistory();
    const apply = (op: (h: MarketHistory) => void) => (ops.push(op), op(written));
    /** A history given the same changes, never written before: what the stored form must be. */
    const neverWritten = () => {
      const h = new MarketHistory();
      for (const op of ops) op(h);
      return JSON.stringify(h.toJSON());
    };
    for (let m = 0; m < 400; m++) {
      written.toJSON();
      for (const a of ['BTC', 'ETH']) apply((h) => h.record(row('binance', a, m)));
    }
    const changes: Array<(h: MarketHistory) => void> = [
      (h) => h.record({ ...row('binance', 'BTC', 399), openInterestUsd: 1e9 }),
      (h) => h.backfill([row('bybit', 'BTC', 10), { ...row('binance', 'ETH', 398), fundingRate8h: undefined }, row('binance', 'ETH', 100.5)], T0 + 399 * MINUTE_MS),
      (h) => h.prune(T0 + 399 * MINUTE_MS),
      (h) => h.dropBefore(M0 + 300),
      (h) => h.prune(T0 + 1_800 * MINUTE_MS),
    ];
    for (const change of changes) {
      apply(change);
      expect(JSON.stringify(written.toJSON())).toBe(neverWritten());
    }
  });

  it('decodes to the recorded values within the stored precision', () => {
    const h = new MarketHistory();
    h.record(row('binance', 'BTC', 0));
    const p = h.point('binance|BTC', M0)!;
    expect(p.oi! / 8_123_456_789 - 1).toBeLessThan(1e-5);
    expect(p.funding8h).toBeCloseTo(0.00012345, 7);
    expect(p.mark).toBeCloseTo(72_230.12, 1);
    expect(p.index).toBeCloseTo(72_221.77, 1);
    expect(p.price).toBeCloseTo(72_226.51, 1);
    expect(p.perpVolume! / 19_999_488_123 - 1).toBeLessThan(1e-4);
    expect(h.priceAt('binance|BTC', M0)).toBeCloseTo(72_230.12, 1);
  });

  it('keeps the latest snapshot of a minute and carries it forward for at most 15 minutes', () => {
    const h = new MarketHistory();
    h.record({ ...row('okx', 'ETH', 0), fundingRate8h: 0.0001 });
    h.record({ ...row('okx', 'ETH', 0), fundingRate8h: 0.0002 });
    expect(h.value('okx|ETH', M0 + 10, 'funding8h')).toBeCloseTo(0.0002);
    expect(h.value('okx|ETH', M0 + 16, 'funding8h')).toBeNull();
    expect(h.value('okx|ETH', M0 - 1, 'funding8h')).toBeNull();
  });

  it('keeps unknown fields unknown (null), never NaN or 0', () => {
    const h = new MarketHistory();
    h.record({ venue: 'bitmex', asset: 'BTC', kind: 'perp', symbol: 'XBTUSD', time: T0, markPrice: 100, fundingRate8h: Number.NaN });
    const p = h.point('bitmex|BTC', M0)!;
    expect(p.oi).toBeNull();
    expect(p.funding8h).toBeNull();
    expect(p.mark).toBe(100);
  });

  // Was "one row per 5 minutes before the last two hours": rows older than 6 h are now one per
  // 15 minutes and rows older than 2 h keep only what the 24 h signals read (bench/scale.bench.ts).
  it('keeps every minute of the last 2 h, then the first row of each 5 minutes to 6 h, then of each 15 minutes, for 24 h', () => {
    const h = day(['binance'], ['BTC']);
    const now = 1439;
    const minutes = decodeMinutes(h.toJSON()['binance|BTC']!.m)!.map((m) => m - M0);
    const fine = minutes.filter((m) => m >= now - FINE_MINUTES);
    const coarse = minutes.filter((m) => m < now - FINE_MINUTES && m >= now - COARSER_AFTER_MINUTES);
    const coarser = minutes.filter((m) => m < now - COARSER_AFTER_MINUTES);
    expect(fine).toEqual(Array.from({ length: FINE_MINUTES + 1 }, (_, i) => now - FINE_MINUTES + i));
    expect(coarse.every((m, i) => m % 5 === 0 && (i === 0 || m - coarse[i - 1]! === 5))).toBe(true);
    expect(coarse).toHaveLength((FINE_MINUTES * 2) / 5); // 1080 … 1315
    expect(coarser.every((m, i) => m % 15 === 0 && (i === 0 || m - coarser[i - 1]! === 15))).toBe(true);
    expect(coarser).toHaveLength((1440 - COARSER_AFTER_MINUTES) / 15); // 0 … 1065
    expect(h.rowCount()).toBe(minutes.length);
    // Fine zone: exact minute values.
    expect(h.value('binance|BTC', M0 + now - 30, 'oi')! / (8_123_456_789 + 1409 * 1_000_003) - 1).toBeLessThan(1e-5);
    // Every minute of the day still reads a value, from a row at most 14 minutes old.
    for (let m = 0; m <= now; m++) {
      const oi = h.value('binance|BTC', M0 + m, 'oi')!;
      const rowMinute = Math.round((oi - 8_123_456_789) / 1_000_003);
      expect(m - rowMinute).toBeGreaterThanOrEqual(0);
      expect(m - rowMinute).toBeLessThan(MAX_STALE_MINUTES);
    }
  });

  it('keeps OI, funding and the mark in rows older than 2 h (the last price only without a mark), nothing else', () => {
    const h = new MarketHistory();
    for (let m = 0; m < 300; m++) {
      h.record(row('binance', 'BTC', m));
      h.record({ ...row('okx', 'BTC', m), markPrice: undefined });
    }
    h.prune(T0 + 299 * MINUTE_MS);
    const old = M0 + 100;
    expect(h.point('binance|BTC', old)).toEqual({ ...h.point('binance|BTC', old), index: null, price: null, perpVolume: null, spotVolume: null });
    expect(h.point('binance|BTC', old)!.oi).not.toBeNull();
    expect(h.point('binance|BTC', old)!.funding8h).not.toBeNull();
    expect(h.priceAt('binance|BTC', old)).toBeCloseTo(72_230.12 + 100 * 0.37, 1);
    expect(h.priceAt('okx|BTC', old)).toBeCloseTo(72_226.51 + 100 * 0.37, 1);
    // The last two hours keep every column.
    expect(Object.values(h.point('binance|BTC', M0 + 250)!).every((v) => v !== null)).toBe(true);
  });

  it('drops rows past 24 h (plus a margin)', () => {
    const h = day(['binance'], ['BTC'], 3000);
    expect(h.value('binance|BTC', M0 + 2999 - 1440, 'oi')).not.toBeNull();
    expect(h.value('binance|BTC', M0 + 2999 - 1600, 'oi')).toBeNull();
  });

  it('round-trips through JSON exactly', () => {
    const h = day(['binance', 'okx'], ['BTC', 'ETH'], 400);
    const restored = MarketHistory.fromJSON(JSON.parse(JSON.stringify(h.toJSON())));
    expect(restored.toJSON()).toEqual(h.toJSON());
    for (const minute of [M0, M0 + 100, M0 + 399]) expect(restored.point('okx|ETH', minute)).toEqual(h.point('okx|ETH', minute));
    for (let minute = M0; minute < M0 + 400; minute += 7) expect(restored.priceAt('binance|BTC', minute)).toBe(h.priceAt('binance|BTC', minute));
  });

  it('stores each series column by column: minute steps, value differences, runs, and no column that is never known', () => {
    const h = new MarketHistory();
    for (const m of [0, 1, 2, 3, 4, 5, 6, 8]) {
      h.record({ venue: 'okx', asset: 'BTC', kind: 'perp', symbol: 'BTC-USDT-SWAP', time: T0 + m * MINUTE_MS, markPrice: 72_230.12 + (m >= 3 ? 0.37 : 0), openInterestUsd: 8_123_456_789 + m * 1e6 });
    }
    // Two equal values are written as 0, 0; a longer run as [count].
    expect(h.toJSON()).toEqual({
      'okx|BTC': {
        m: [M0, 1, 1, 1, 1, 1, 1, 2],
        oi: [0, 2, 812346, 100, 100, 100, 100, 100, 100, 200],
        mark: [0, 2, 7223012, 0, 0, 37, [4]],
        price: [0, 2, 7223012, 0, 0, 37, [4]],
      },
    });
  });

  it('skips malformed columns (their field unknown) and series without usable minutes or in another form, never producing NaN', () => {
    const restored = MarketHistory.fromJSON({
      'binance|BTC': { m: [M0, 1, 1], oi: [0, 2, 812346, 100, 100], mark: [0, 2, 'x', 1, 1], index: [0, 2, 5, [9]], price: [0, 2, 1e300, 1e300] },
      'okx|BTC': { m: [M0, 1.5], oi: [0, 0, 1, 1] },
      'bybit|BTC': { oi: [0, 0, 1] },
      // One array per row: not a form this version writes, so not read (storage-version.ts starts such a layout fresh).
      'bitget|BTC': [[M0, 1, 2, 3, 4, 5, 6, 7]],
      nokey: { m: [M0], oi: [0, 0, 1] },
    });
    expect(restored.keys().map((k) => k.key).sort()).toEqual(['binance|BTC']);
    expect(MarketHistory.fromJSON('garbage').rowCount()).toBe(0);
    const p = restored.point('binance|BTC', M0 + 2)!;
    expect(p.oi).toBeCloseTo(8125.46e6, -2);
    expect([p.mark, p.index, p.price]).toEqual([null, null, null]);
  });

  it('stays under 250 kB of JSON for all 8 venues × 5 assets over a full day', () => {
    // 164 kB when written.
    const h = day(VENUE_IDS, ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE']);
    const bytes = JSON.stringify(h.toJSON()).length;
    expect(bytes).toBeLessThan(250_000);
    // And the typical 8 venues × 3 assets (100 kB).
    expect(JSON.stringify(day(VENUE_IDS, ['BTC', 'ETH', 'SOL']).toJSON()).length).toBeLessThan(150_000);
  });
});

describe('MarketHistory.sampled', () => {
  it('reads along a grid exactly what priceAt and value read minute by minute (NaN for null), across thinned zones and gaps', () => {
    const h = new MarketHistory();
    // A day with a stretch without data (minutes 700–760) and a series without OI.
    for (let m = 0; m < 1440; m++) {
      if (m >= 700 && m < 760) continue;
      h.record(row('binance', 'BTC', m));
      h.record({ ...row('okx', 'BTC', m, 1.01), openInterestUsd: undefined });
    }
    h.prune(T0 + 1439 * MINUTE_MS);
    for (const key of ['binance|BTC', 'okx|BTC', 'bybit|BTC']) {
      for (const [first, step, count] of [[0, 5, 289], [M0 + 3, 5, 289], [M0 + 1379, 1, 61], [M0 + 600, 7, 40], [M0 + 1500, 1, 5]] as const) {
        const { price, oi } = h.sampled(key, first, step, count);
        for (let k = 0; k < count; k++) {
          const minute = first + k * step;
          expect(price[k], `${key} price at ${minute}`).toBe(h.priceAt(key, minute) ?? Number.NaN);
          expect(oi[k], `${key} oi at ${minute}`).toBe(h.value(key, minute, 'oi') ?? Number.NaN);
        }
      }
    }
  });
});
