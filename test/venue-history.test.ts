/**
 * Cold-start evidence from venue history endpoints (issue 14, part 1, venue side): Binance and Bybit
 * 5-minute price bars and settled funding as history points, what the mock serves for them, and
 * what MarketHistory reads from them.
 */
import { describe, expect, it } from 'vitest';
import { MarketHistory } from '../src/core/history';
import { VenueDataError, mergeMarket, type InstrumentSpec, type MarketUpdate } from '../src/core/model';
import { oiChange, priceChange } from '../src/core/signals';
import { minuteOf } from '../src/core/windows';
import { binance } from '../src/venues/binance';
import { bybit } from '../src/venues/bybit';
import { closedCandles, settlementsWithInterval } from '../src/venues/history';
import { mockAnswer, mockCatalogue } from './catalogue';
import { fixture } from './fixtures';
import { marketRow, staticView } from './mock/view';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** 2026-11-21 12:02 UTC: the 12:00 bar is open, the 11:55 one closed. */
const NOW = Date.UTC(2026, 10, 21, 12, 2, 0);
const at = (hh: number, mm: number) => Date.UTC(2026, 10, 21, hh, mm, 0);

/** A Binance bar shaped like the documented one (12 places), at `start` with close `close`. */
function binanceBar(start: number, close: string): unknown[] {
  const [docs] = fixture('binance-usdm-klines-rest.json') as unknown[][];
  const bar = [...docs!];
  bar[0] = start;
  bar[4] = close;
  bar[6] = start + 5 * MIN - 1;
  return bar;
}

/** A Bybit kline answer shaped like the documented one: candles newest first, seven strings each. */
function bybitKlines(symbol: string, category: 'linear' | 'inverse', bars: Array<[number, string]>) {
  const docs = fixture('bybit-kline-rest.json') as { result: { list: string[][] } };
  const list = [...bars].sort(([a], [b]) => b - a).map(([start, close]) => {
    const row = [...docs.result.list[0]!];
    row[0] = String(start);
    row[4] = close;
    return row;
  });
  return { ...docs, result: { symbol, category, list } };
}

const binanceCatalogue = mockCatalogue('binance', staticView([marketRow('binance', 'BTC', 72_000), marketRow('binance', 'PEPE', 0.00001)], NOW));

describe('venue history helpers', () => {
  it('a closed candle counts at its end, the newest (open) one not at all, in any listed order', () => {
    const candles = [{ start: at(11, 55), close: 2 }, { start: at(12, 0), close: 3 }, { start: at(11, 50), close: 1 }];
    expect(closedCandles(candles, 5 * MIN)).toEqual([{ time: at(11, 55), close: 1 }, { time: at(12, 0), close: 2 }]);
    expect(closedCandles(candles.slice(0, 1), 5 * MIN)).toEqual([]);
  });

  it('dates each settlement with the spacing from the one before: 1, 2, 4 or 8 h, millisecond jitter allowed, gaps left out', () => {
    const rows = [
      { time: at(0, 0), rate: 0.0001 },
      { time: at(8, 0) + 3, rate: 0.0002 },
      // Binance moved the symbol to 4 h.
      { time: at(12, 0), rate: 0.0004 },
      // A settlement is missing: 16 h is no interval.
      { time: at(12, 0) + 16 * HOUR, rate: 0.0005 },
    ];
    expect(settlementsWithInterval(rows)).toEqual([
      { time: at(8, 0) + 3, rate: 0.0002, intervalHours: 8 },
      { time: at(12, 0), rate: 0.0004, intervalHours: 4 },
    ]);
  });
});

describe('binance history backfill: 5-minute klines and funding history', () => {
  it('asks per main USDT perpetual for OI history, 289 five-minute klines (weight 2: limit in [100, 500)) and 25 settlements', () => {
    expect(binance.backfillRequests!(['BTC', 'PEPE'], binanceCatalogue)).toEqual([
      { key: 'openInterestHist:BTCUSDT', url: 'https://fapi.binance.com/futures/data/openInterestHist?symbol=BTCUSDT&period=5m&limit=288' },
      { key: 'klines:BTCUSDT', url: 'https://fapi.binance.com/fapi/v1/klines?symbol=BTCUSDT&interval=5m&limit=289' },
      { key: 'fundingRate:BTCUSDT', url: 'https://fapi.binance.com/fapi/v1/fundingRate?symbol=BTCUSDT&limit=25' },
      { key: 'openInterestHist:1000PEPEUSDT', url: 'https://fapi.binance.com/futures/data/openInterestHist?symbol=1000PEPEUSDT&period=5m&limit=288' },
      { key: 'klines:1000PEPEUSDT', url: 'https://fapi.binance.com/fapi/v1/klines?symbol=1000PEPEUSDT&interval=5m&limit=289' },
      { key: 'fundingRate:1000PEPEUSDT', url: 'https://fapi.binance.com/fapi/v1/fundingRate?symbol=1000PEPEUSDT&limit=25' },
    ]);
  });

  it('a closed bar\'s close lands as lastPrice at the bar\'s end minute (closeTime + 1 ms, where OI history is stamped); the open bar is left out', () => {
    const body = [binanceBar(at(11, 50), '72100.5'), binanceBar(at(11, 55), '71980.0'), binanceBar(at(12, 0), '71000.0')];
    const { history, markets } = binance.parsePoll('klines:BTCUSDT', body, binanceCatalogue);
    expect(markets).toEqual([]);
    expect(history).toEqual([
      { venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: at(11, 55), lastPrice: 72100.5 },
      { venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: at(12, 0), lastPrice: 71980 },
    ]);
    // The 11:50–11:55 bar closes in the minute row 11:55, the one openInterestHist's 11:55 point fills.
    expect(history!.map((p) => minuteOf(p.time))).toEqual([minuteOf(at(11, 55)), minuteOf(at(12, 0))]);
  });

  it('prices 1000PEPEUSDT bars per PEPE (÷ 1000)', () => {
    const { history } = binance.parsePoll('klines:1000PEPEUSDT', [binanceBar(at(11, 55), '0.0123000'), binanceBar(at(12, 0), '0.0124')], binanceCatalogue);
    expect(history).toHaveLength(1);
    expect(history![0]).toMatchObject({ symbol: '1000PEPEUSDT', asset: 'PEPE' });
    expect(history![0]!.lastPrice).toBeCloseTo(0.0000123, 12);
  });

  it('reads the documented bar, and rejects a bar with a place missing or a bad close, naming the path', () => {
    // The documented answer is one bar: the newest, still open for a "most recent" request.
    expect(binance.parsePoll('klines:BTCUSDT', fixture('binance-usdm-klines-rest.json'), binanceCatalogue).history).toEqual([]);
    const short = binanceBar(at(11, 55), '1').slice(0, 11);
    expect(() => binance.parsePoll('klines:BTCUSDT', [short, binanceBar(at(12, 0), '1')], binanceCatalogue)).toThrow(/malformed klines at 0: a kline has 12 places/);
    expect(() => binance.parsePoll('klines:BTCUSDT', [binanceBar(at(11, 55), 'abc')], binanceCatalogue)).toThrow(/malformed klines at 0\.4/);
    expect(() => binance.parsePoll('klines:BTCUSDT', { code: -1121, msg: 'Invalid symbol.' }, binanceCatalogue)).toThrow(VenueDataError);
    // Bars of a symbol the catalogue lacks are not valued.
    expect(binance.parsePoll('klines:NEWUSDT', [binanceBar(at(11, 55), '1'), binanceBar(at(12, 0), '1')], binanceCatalogue).history).toEqual([]);
  });

  it('normalises settled funding per 8 h like live funding: the documented rows give 0.01 % per 8 h at the 8 h settlement', () => {
    const { history } = binance.parsePoll('fundingRate:BTCUSDT', fixture('binance-usdm-fundingRate-history-rest.json'), binanceCatalogue);
    // The older row only dates the newer one (8 h apart); the rate stands for every 5 minutes of the 8 h it was paid for.
    const settled = { venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', fundingRate: 0.0001, fundingIntervalHours: 8, fundingRate8h: 0.0001 };
    expect(history).toHaveLength(96);
    expect(history![95]).toEqual({ ...settled, time: 1570636800000 });
    expect(history![0]).toEqual({ ...settled, time: 1570636800000 - 8 * HOUR + 5 * MIN });
  });

  it('a symbol on 4 h funding: history gives the same 8 h rate as the live poll (premiumIndex + fundingInfo 4 h)', () => {
    const rows = [0, 4, 8].map((h) => ({ symbol: 'BTCUSDT', fundingRate: '0.00020000', fundingTime: at(0, 0) + h * HOUR, markPrice: '72000.0' }));
    const { history } = binance.parsePoll('fundingRate:BTCUSDT', rows, binanceCatalogue);
    // Two dated 4 h intervals, 48 five-minute instants each, ending at their settlements.
    expect(history).toHaveLength(96);
    expect(history!.every((p) => p.fundingIntervalHours === 4 && p.fundingRate8h === 0.0004)).toBe(true);
    expect([history![0]!.time, history![47]!.time, history![95]!.time]).toEqual([at(0, 5), at(4, 0), at(8, 0)]);
    const info = binance.parsePoll('fundingInfo', [{ symbol: 'BTCUSDT', adjustedFundingRateCap: '0.02', adjustedFundingRateFloor: '-0.02', fundingIntervalHours: 4, disclaimer: false }], binanceCatalogue);
    const premium = binance.parsePoll('premiumIndex', [{ symbol: 'BTCUSDT', markPrice: '72000', indexPrice: '71990', estimatedSettlePrice: '0', lastFundingRate: '0.00020000', interestRate: '0.0001', nextFundingTime: at(12, 0), time: at(8, 0) }], binanceCatalogue);
    const live = [...info.markets, ...premium.markets].reduce<MarketUpdate | undefined>((snap, update) => mergeMarket(snap, update), undefined);
    expect(live!.fundingRate8h).toBeCloseTo(history![1]!.fundingRate8h!, 12);
  });

  it('rejects a malformed settlement with its path; skips symbols the catalogue lacks', () => {
    expect(() => binance.parsePoll('fundingRate:BTCUSDT', [{ symbol: 'BTCUSDT', fundingRate: 'x', fundingTime: 1 }], binanceCatalogue)).toThrow(/malformed fundingRate at 0\.fundingRate/);
    const rows = [0, 8].map((h) => ({ symbol: 'NEWUSDT', fundingRate: '0.0001', fundingTime: at(0, 0) + h * HOUR }));
    expect(binance.parsePoll('fundingRate:NEWUSDT', rows, binanceCatalogue).history).toEqual([]);
  });
});

describe('bybit history backfill: 5-minute klines and funding history', () => {
  const linear = (symbol: string, asset: string, priceScale = 1): InstrumentSpec => ({ venue: 'bybit', symbol, asset, kind: 'perp', priceScale, contract: { type: 'linear', size: 1 } });
  const inverse = (symbol: string, asset: string): InstrumentSpec => ({ venue: 'bybit', symbol, asset, kind: 'perp', priceScale: 1, contract: { type: 'inverse', usd: 1 } });
  const catalogue = [linear('BTCUSDT', 'BTC'), inverse('BTCUSD', 'BTC'), linear('1000PEPEUSDT', 'PEPE', 1000), inverse('XRPUSD', 'XRP')];

  it('asks per main perpetual (the USDT one, else the inverse one) for 200 five-minute candles and 25 settlements; no OI history', () => {
    expect(bybit.backfillRequests!(['BTC', 'PEPE', 'XRP', 'DOGE'], catalogue).map((r) => [r.key, r.url])).toEqual([
      ['kline:BTCUSDT', 'https://api.bybit.com/v5/market/kline?category=linear&symbol=BTCUSDT&interval=5&limit=200'],
      ['fundingHistory:BTCUSDT', 'https://api.bybit.com/v5/market/funding/history?category=linear&symbol=BTCUSDT&limit=25'],
      ['kline:1000PEPEUSDT', 'https://api.bybit.com/v5/market/kline?category=linear&symbol=1000PEPEUSDT&interval=5&limit=200'],
      ['fundingHistory:1000PEPEUSDT', 'https://api.bybit.com/v5/market/funding/history?category=linear&symbol=1000PEPEUSDT&limit=25'],
      ['kline:XRPUSD', 'https://api.bybit.com/v5/market/kline?category=inverse&symbol=XRPUSD&interval=5&limit=200'],
      ['fundingHistory:XRPUSD', 'https://api.bybit.com/v5/market/funding/history?category=inverse&symbol=XRPUSD&limit=25'],
    ]);
  });

  it('a closed candle\'s close lands as lastPrice at its end minute; the newest (listed first, still open) is left out', () => {
    const body = bybitKlines('BTCUSDT', 'linear', [[at(11, 50), '72100.5'], [at(11, 55), '71980'], [at(12, 0), '71000']]);
    expect(bybit.parsePoll('kline:BTCUSDT', body, catalogue).history).toEqual([
      { venue: 'bybit', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: at(11, 55), lastPrice: 72100.5 },
      { venue: 'bybit', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: at(12, 0), lastPrice: 71980 },
    ]);
    const pepe = bybit.parsePoll('kline:1000PEPEUSDT', bybitKlines('1000PEPEUSDT', 'linear', [[at(11, 55), '0.0123'], [at(12, 0), '0.0124']]), catalogue).history!;
    expect(pepe[0]!.lastPrice).toBeCloseTo(0.0000123, 12);
  });

  it('reads the documented candles; a contract that is not the asset\'s main perpetual is skipped', () => {
    // The docs example is BTCUSD (inverse): BTC's figures come from BTCUSDT where both are listed.
    expect(bybit.parsePoll('kline:BTCUSD', fixture('bybit-kline-rest.json'), catalogue).history).toEqual([]);
    const inverseOnly = catalogue.filter((spec) => spec.symbol !== 'BTCUSDT');
    // Newest first in the docs: 17055.5 is the open candle's last trade, left out.
    expect(bybit.parsePoll('kline:BTCUSD', fixture('bybit-kline-rest.json'), inverseOnly).history!.map((p) => p.lastPrice)).toEqual([17071.5, 17071]);
  });

  it('turns a retCode error or a short candle into a VenueDataError', () => {
    expect(() => bybit.parsePoll('kline:BTCUSDT', { retCode: 10001, retMsg: 'Not supported symbols', result: {}, retExtInfo: {}, time: NOW }, catalogue)).toThrow(/kline failed: retCode 10001/);
    const body = bybitKlines('BTCUSDT', 'linear', [[at(11, 55), '1'], [at(12, 0), '1']]);
    body.result.list[1] = body.result.list[1]!.slice(0, 6);
    expect(() => bybit.parsePoll('kline:BTCUSDT', body, catalogue)).toThrow(/malformed kline at result\.list\.1: a candle has 7 places/);
  });

  it('normalises settled funding per 8 h from the settlement spacing, as the live ticker (fundingIntervalHour) is', () => {
    // One documented row: nothing before it to date its interval.
    expect(bybit.parsePoll('fundingHistory:ETHPERP', fixture('bybit-funding-history-rest.json'), catalogue).history).toEqual([]);
    const hourly = {
      retCode: 0, retMsg: 'OK', retExtInfo: {}, time: NOW,
      result: { category: 'linear', list: [2, 1, 0].map((h) => ({ symbol: 'BTCUSDT', fundingRate: '-0.00005', fundingRateTimestamp: String(at(10 + h, 0)) })) },
    };
    const history = bybit.parsePoll('fundingHistory:BTCUSDT', hourly, catalogue).history!;
    expect(history).toHaveLength(24);
    expect([history[0]!.time, history[11]!.time, history[23]!.time]).toEqual([at(10, 5), at(11, 0), at(12, 0)]);
    expect(history.every((p) => p.fundingIntervalHours === 1)).toBe(true);
    expect(history[0]!.fundingRate8h).toBeCloseTo(-0.0004, 12);
    const live = mergeMarket(undefined, { venue: 'bybit', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: NOW, fundingRate: -0.00005, fundingIntervalHours: 1 });
    expect(live.fundingRate8h).toBeCloseTo(history[0]!.fundingRate8h!, 12);
  });
});

describe('the mock serves the history endpoints from the scenario', () => {
  const view = staticView([{ ...marketRow('binance', 'BTC', 72_000), fundingRate8h: -0.0002 }, marketRow('binance', 'PEPE', 0.00001)], NOW);

  it.each([
    ['binance', binance],
    ['bybit', bybit],
  ] as const)('%s: every backfill request is answered and parsed; bars close at the scenario price, funding at its 8 h rate, none in the future', (venue, adapter) => {
    const catalogue = mockCatalogue(venue, view);
    const history: MarketUpdate[] = [];
    for (const request of adapter.backfillRequests!(['BTC', 'PEPE'], catalogue)) {
      const res = mockAnswer(venue, request, view);
      expect(res.status, request.url).toBe(200);
      history.push(...(adapter.parsePoll(request.key, res.body, catalogue).history ?? []));
    }
    const btc = history.filter((p) => p.asset === 'BTC');
    const bars = btc.filter((p) => p.lastPrice !== undefined);
    expect(bars.length).toBeGreaterThan(150);
    for (const bar of bars) expect(bar.lastPrice).toBe(72_000);
    expect(Math.max(...btc.map((p) => p.time))).toBeLessThanOrEqual(NOW);
    const funding = btc.filter((p) => p.fundingRate8h !== undefined);
    expect(funding.length).toBeGreaterThan(3);
    for (const point of funding) expect([point.fundingIntervalHours, point.fundingRate8h]).toEqual([8, -0.0002]);
    expect(history.find((p) => p.asset === 'PEPE' && p.lastPrice !== undefined)!.lastPrice).toBeCloseTo(0.00001, 12);
  });

  it('rejects what the venues reject', () => {
    const binanceGet = (path: string, query: string) => mockAnswer('binance', { key: 'x', url: `https://fapi.binance.com${path}?${query}` }, view);
    expect(binanceGet('/fapi/v1/klines', 'symbol=BTCUSDT&interval=7m')).toMatchObject({ status: 400, body: { code: -1120 } });
    expect(binanceGet('/fapi/v1/klines', 'symbol=BTCUSDT&interval=5m&limit=2000')).toMatchObject({ status: 400, body: { code: -1130 } });
    expect(binanceGet('/fapi/v1/klines', 'interval=5m')).toMatchObject({ status: 400, body: { code: -1102 } });
    expect(binanceGet('/fapi/v1/klines', 'symbol=DOGEUSDT&interval=5m')).toMatchObject({ status: 400, body: { code: -1121 } });
    expect(binanceGet('/fapi/v1/fundingRate', 'symbol=BTCUSDT_260626')).toMatchObject({ status: 400, body: { code: -1121 } });
    expect(binanceGet('/fapi/v1/fundingRate', 'symbol=BTCUSDT&limit=1001')).toMatchObject({ status: 400, body: { code: -1130 } });
    const bybitGet = (path: string, query: string) => mockAnswer('bybit', { key: 'x', url: `https://api.bybit.com${path}?${query}` }, view).body;
    expect(bybitGet('/v5/market/kline', 'category=linear&symbol=BTCUSDT&interval=7')).toMatchObject({ retCode: 10001 });
    expect(bybitGet('/v5/market/kline', 'symbol=BTCUSDT&interval=5')).toMatchObject({ retCode: 10001, retMsg: 'Illegal category' });
    expect(bybitGet('/v5/market/kline', 'category=inverse&symbol=BTCUSDT&interval=5')).toMatchObject({ retCode: 10001 });
    expect(bybitGet('/v5/market/funding/history', 'category=linear&symbol=BTCUSDT&limit=201')).toMatchObject({ retCode: 10001 });
    expect(bybitGet('/v5/market/funding/history', 'category=linear&symbol=BTCUSDT&startTime=1')).toMatchObject({ retCode: 10001 });
    expect(bybitGet('/v5/market/funding/history', 'category=linear&symbol=BTCUSDT-26DEC25')).toMatchObject({ retCode: 10001 });
  });
});

describe('MarketHistory after a backfill of these points', () => {
  /** The last day at NOW: price 72,000 → 66,000 and OI $4.0B → $3.6B over the last hour, flat before; funding +0.01 % per 8 h. */
  function answers() {
    const boundary = Math.floor(NOW / (5 * MIN)) * 5 * MIN;
    // The fall ends at the last 5-minute boundary, the newest closed bar's end and OI stamp (12:00, read at 12:02).
    const fall = (t: number) => Math.min(1, Math.max(0, (t - (boundary - HOUR)) / HOUR));
    const oi = Array.from({ length: 288 }, (_, i) => {
      const t = boundary - (287 - i) * 5 * MIN;
      return { symbol: 'BTCUSDT', sumOpenInterest: '1', sumOpenInterestValue: String(4e9 - 0.4e9 * fall(t)), timestamp: t };
    });
    const bars = Array.from({ length: 289 }, (_, i) => {
      const start = boundary - (288 - i) * 5 * MIN;
      return binanceBar(start, String(72_000 - 6_000 * fall(start + 5 * MIN)));
    });
    const funding = [24, 16, 8, 0].map((h) => ({ symbol: 'BTCUSDT', fundingRate: '0.00010000', fundingTime: at(8, 0) - h * HOUR }));
    return [
      binance.parsePoll('openInterestHist:BTCUSDT', oi, binanceCatalogue).history!,
      binance.parsePoll('klines:BTCUSDT', bars, binanceCatalogue).history!,
      binance.parsePoll('fundingRate:BTCUSDT', funding, binanceCatalogue).history!,
    ];
  }
  const KEYS = ['binance|BTC'];
  const now = minuteOf(NOW);

  it('each endpoint alone gives its figure: the last hour\'s price change from the bars, OI change from OI history, funding at its settlement minute', () => {
    const [oi, bars, funding] = answers();
    const fromBars = new MarketHistory();
    fromBars.backfill(bars!, NOW);
    expect(priceChange(fromBars, KEYS, now - 60, now)).toBeCloseTo(66_000 / 72_000 - 1, 3);
    const fromOi = new MarketHistory();
    fromOi.backfill(oi!, NOW);
    expect(oiChange(fromOi, KEYS, now - 60, now)).toBeCloseTo(3.6 / 4.0 - 1, 2);
    const fromFunding = new MarketHistory();
    fromFunding.backfill(funding!, NOW);
    expect(fromFunding.value('binance|BTC', minuteOf(at(8, 0)), 'funding8h')).toBeCloseTo(0.0001, 8);
    // Between settlements a read finds the rate of the interval it lies in, as a live poll then showed it.
    expect(fromFunding.value('binance|BTC', minuteOf(at(4, 2)), 'funding8h')).toBeCloseTo(0.0001, 8);
  });

  // The worker ingests each answer as it arrives: MarketHistory.backfill merges them minute by minute, whatever the order.
  it('all three answers, ingested one at a time as the worker does, give both the price and the OI change of the last hour', () => {
    for (const order of [[0, 1, 2], [1, 0, 2], [2, 1, 0]]) {
      const history = new MarketHistory();
      const parts = answers();
      for (const i of order) history.backfill(parts[i]!, NOW);
      expect(priceChange(history, KEYS, now - 60, now), `order ${order}`).toBeCloseTo(66_000 / 72_000 - 1, 3);
      expect(oiChange(history, KEYS, now - 60, now), `order ${order}`).toBeCloseTo(3.6 / 4.0 - 1, 2);
    }
  });
});
