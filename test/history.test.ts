/** The market history: retention, thinning, compact exact JSON round trip, storage size. */
import { describe, expect, it } from 'vitest';
import { FINE_MINUTES, MarketHistory } from '../src/core/history';
import { VENUE_IDS, type MarketSnapshot, type VenueId } from '../src/core/model';
import { MINUTE_MS } from '../src/core/windows';

const T0 = Date.UTC(2025, 0, 1);
const M0 = T0 / MINUTE_MS;

function row(venue: VenueId, asset: string, minute: number, k = 1): MarketSnapshot {
  return {
    venue,
    asset,
    symbol: `${asset}USDT`,
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
    h.record({ venue: 'bitmex', asset: 'BTC', symbol: 'XBTUSD', time: T0, markPrice: 100, fundingRate8h: Number.NaN });
    const p = h.point('bitmex|BTC', M0)!;
    expect(p.oi).toBeNull();
    expect(p.funding8h).toBeNull();
    expect(p.mark).toBe(100);
  });

  it('keeps every minute of the last two hours and one row per 5 minutes before, for 24 h', () => {
    const h = day(['binance'], ['BTC']);
    const rows = h.rowCount();
    expect(rows).toBeGreaterThanOrEqual(FINE_MINUTES + (1440 - FINE_MINUTES) / 5 - 5);
    expect(rows).toBeLessThanOrEqual(FINE_MINUTES + (1440 - FINE_MINUTES) / 5 + 15);
    const now = M0 + 1439;
    // Fine zone: exact minute values.
    expect(h.value('binance|BTC', now - 30, 'oi')! / (8_123_456_789 + 1409 * 1_000_003) - 1).toBeLessThan(1e-5);
    // Coarse zone: a value at most 5 minutes old, still there 24 h back.
    const old = h.value('binance|BTC', now - 1430, 'oi')!;
    expect(old).toBeGreaterThan(8_123_456_789 + 4 * 1_000_003);
    expect(old).toBeLessThanOrEqual(8_123_456_789 + 10 * 1_000_003 + 1e5);
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
  });

  it('skips malformed stored rows instead of producing NaN', () => {
    const restored = MarketHistory.fromJSON({
      'binance|BTC': [[M0, 1, 2, 3, 4, 5, 6, 7], ['x', 1, 2, 3, 4, 5, 6, 7], [1, 'NaN', 2, 3, 4, 5, 6, 7], [1, 1, 2]],
      nokey: [[M0, 1, 2, 3, 4, 5, 6, 7]],
    });
    expect(restored.rowCount()).toBe(1);
    expect(restored.keys().map((k) => k.key)).toEqual(['binance|BTC']);
    expect(MarketHistory.fromJSON('garbage').rowCount()).toBe(0);
  });

  it('stays under ~1.5 MB of JSON for all 8 venues × 5 assets over a full day', () => {
    const h = day(VENUE_IDS, ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE']);
    const bytes = JSON.stringify(h.toJSON()).length;
    expect(bytes).toBeLessThan(1_500_000);
    // And the typical 8 venues × 3 assets well under 1 MB.
    expect(JSON.stringify(day(VENUE_IDS, ['BTC', 'ETH', 'SOL']).toJSON()).length).toBeLessThan(900_000);
  });
});
