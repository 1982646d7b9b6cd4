/**
 * The level model's deep backfill (issue 17: "up to 7 days of bars from kline and OI-history endpoints on
 * install, live after"): Binance's and Bybit's 1 h (OKX's 2 h) kline and open-interest requests and parsers on payloads
 * shaped like the documented ones, the join of the two, and the engine feeding days 2–7 before the market
 * history's 5-minute bars, once, and keeping them across a restart.
 */
import { describe, expect, it, vi } from 'vitest';
import { FlushEngine, type EngineState } from '../src/core/engine';
import { joinPastBars, LiquidationLevels, type PastBarPart } from '../src/core/levels';
import type { InstrumentSpec, MarketUpdate } from '../src/core/model';
import { binance } from '../src/venues/binance';
import { bybit } from '../src/venues/bybit';
import { okx } from '../src/venues/okx';
import { venues } from '../src/venues';
import { mockAnswer, mockCatalogue } from './catalogue';
import { fixture } from './fixtures';
import { marketRow, staticView } from './mock/view';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** 2026-11-21 12:00 UTC, on the hour: the 11:00 bar has just closed. */
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

/** A Binance kline shaped like the documented one (12 places) at `start`, 1 h long. */
function binanceBar(start: number, [open, high, low, close]: string[], volume = '148976.11427815', takerBuy = '1756.87402397'): unknown[] {
  const [docs] = fixture('binance-usdm-klines-rest.json') as unknown[][];
  const bar = [...docs!];
  [bar[0], bar[1], bar[2], bar[3], bar[4], bar[5], bar[6], bar[9]] = [start, open, high, low, close, volume, start + HOUR - 1, takerBuy];
  return bar;
}

const binanceCatalogue = mockCatalogue('binance', staticView([marketRow('binance', 'BTC', 72_000), marketRow('binance', 'PEPE', 0.00001)], NOW));

describe('binance: 7 days of 1 h klines and open interest for the level model', () => {
  it('asks per main USDT perpetual for 169 one-hour klines (weight 2) and 168 hours of open interest', () => {
    expect(binance.levelHistoryRequests!(['BTC', 'PEPE'], binanceCatalogue)).toEqual([
      { key: 'pastKlines:BTCUSDT', url: 'https://fapi.binance.com/fapi/v1/klines?symbol=BTCUSDT&interval=1h&limit=169' },
      { key: 'pastOpenInterest:BTCUSDT', url: 'https://fapi.binance.com/futures/data/openInterestHist?symbol=BTCUSDT&period=1h&limit=168' },
      { key: 'pastKlines:1000PEPEUSDT', url: 'https://fapi.binance.com/fapi/v1/klines?symbol=1000PEPEUSDT&interval=1h&limit=169' },
      { key: 'pastOpenInterest:1000PEPEUSDT', url: 'https://fapi.binance.com/futures/data/openInterestHist?symbol=1000PEPEUSDT&period=1h&limit=168' },
    ]);
  });

  it('reads each closed bar at its end with open, high, low, close per coin and the taker-buy share; the open bar is left out', () => {
    const body = [binanceBar(NOW - 2 * HOUR, ['72000', '72500', '71800', '72100']), binanceBar(NOW - HOUR, ['72100', '72200', '71000', '71500']), binanceBar(NOW, ['71500', '71600', '71400', '71550'])];
    const { pastBars, history, markets } = binance.parsePoll('pastKlines:BTCUSDT', body, binanceCatalogue);
    expect(history).toBeUndefined();
    expect(markets).toEqual([]);
    const takerBuyShare = 1756.87402397 / 148976.11427815;
    expect(pastBars).toEqual([
      { venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', time: NOW - HOUR, open: 72000, high: 72500, low: 71800, close: 72100, takerBuyShare },
      { venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', time: NOW, open: 72100, high: 72200, low: 71000, close: 71500, takerBuyShare },
    ]);
    // 1000PEPEUSDT quotes 1000 PEPE: prices per coin; a bar without volume has no share (the model splits evenly).
    const pepe = binance.parsePoll('pastKlines:1000PEPEUSDT', [binanceBar(NOW - HOUR, ['0.0123', '0.0125', '0.0120', '0.0124'], '0', '0'), binanceBar(NOW, ['0.0124', '0.0124', '0.0124', '0.0124'])], binanceCatalogue).pastBars!;
    expect(pepe).toHaveLength(1);
    expect(pepe[0]!.close).toBeCloseTo(0.0000124, 12);
    expect(pepe[0]).not.toHaveProperty('takerBuyShare');
    // The documented single bar is the open one.
    expect(binance.parsePoll('pastKlines:BTCUSDT', fixture('binance-usdm-klines-rest.json'), binanceCatalogue).pastBars).toEqual([]);
  });

  it('reads the documented open-interest statistics as USD at each timestamp', () => {
    expect(binance.parsePoll('pastOpenInterest:BTCUSDT', fixture('binance-usdm-openInterestHist-rest.json'), binanceCatalogue).pastBars).toEqual([
      { venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', time: 1583127900000, openInterestUsd: 150570784.07809979 },
      { venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', time: 1583128200000, openInterestUsd: 149940752.14464448 },
    ]);
  });

  it('refuses a malformed kline', () => {
    const short = binanceBar(NOW - HOUR, ['1', '1', '1', '1']).slice(0, 10);
    expect(() => binance.parsePoll('pastKlines:BTCUSDT', [short], binanceCatalogue)).toThrow(/a kline has 12 places/);
  });
});

describe('bybit: 7 days of 1 h klines and open interest for the level model', () => {
  const linear = (symbol: string, asset: string, priceScale = 1): InstrumentSpec => ({ venue: 'bybit', symbol, asset, kind: 'perp', priceScale, contract: { type: 'linear', size: 1 } });
  const inverse = (symbol: string, asset: string): InstrumentSpec => ({ venue: 'bybit', symbol, asset, kind: 'perp', priceScale: 1, contract: { type: 'inverse', usd: 1 } });
  const catalogue = [linear('BTCUSDT', 'BTC'), inverse('BTCUSD', 'BTC'), linear('1000PEPEUSDT', 'PEPE', 1000), inverse('XRPUSD', 'XRP')];
  /** The documented kline answer (inverse BTCUSD, interval 60) for XRPUSD, the main perpetual of its asset here. */
  const documentedKlines = () => {
    const docs = fixture('bybit-kline-rest.json') as { result: { symbol: string; list: string[][] } };
    return { ...docs, result: { ...docs.result, symbol: 'XRPUSD' } };
  };

  it('asks per main perpetual for 169 one-hour candles and 168 hours of open interest, one page each', () => {
    expect(bybit.levelHistoryRequests!(['BTC', 'PEPE', 'XRP', 'DOGE'], catalogue).map((r) => [r.key, r.url])).toEqual([
      ['pastKline:BTCUSDT', 'https://api.bybit.com/v5/market/kline?category=linear&symbol=BTCUSDT&interval=60&limit=169'],
      ['pastOpenInterest:BTCUSDT', 'https://api.bybit.com/v5/market/open-interest?category=linear&symbol=BTCUSDT&intervalTime=1h&limit=168'],
      ['pastKline:1000PEPEUSDT', 'https://api.bybit.com/v5/market/kline?category=linear&symbol=1000PEPEUSDT&interval=60&limit=169'],
      ['pastOpenInterest:1000PEPEUSDT', 'https://api.bybit.com/v5/market/open-interest?category=linear&symbol=1000PEPEUSDT&intervalTime=1h&limit=168'],
      ['pastKline:XRPUSD', 'https://api.bybit.com/v5/market/kline?category=inverse&symbol=XRPUSD&interval=60&limit=169'],
      ['pastOpenInterest:XRPUSD', 'https://api.bybit.com/v5/market/open-interest?category=inverse&symbol=XRPUSD&intervalTime=1h&limit=168'],
    ]);
  });

  it('reads the documented candles (newest first) as closed bars at their ends, the newest left out, no taker-buy share', () => {
    expect(bybit.parsePoll('pastKline:XRPUSD', documentedKlines(), catalogue).pastBars).toEqual([
      { venue: 'bybit', symbol: 'XRPUSD', asset: 'XRP', time: 1670601600000 + HOUR, open: 17086.5, high: 17088, low: 16978, close: 17071.5 },
      { venue: 'bybit', symbol: 'XRPUSD', asset: 'XRP', time: 1670605200000 + HOUR, open: 17071.5, high: 17071.5, low: 17061, close: 17071 },
    ]);
    // BTCUSD is not BTC's main perpetual (BTCUSDT is): its bars stand for nothing.
    expect(bybit.parsePoll('pastKline:BTCUSD', fixture('bybit-kline-rest.json'), catalogue).pastBars).toEqual([]);
  });

  it('reads one side of the open interest: singleOpenInterest in USD for an inverse contract, else half of openInterest in coins', () => {
    const docs = fixture('bybit-open-interest-rest.json') as { result: { symbol: string; list: Array<Record<string, string>> } };
    const xrp = bybit.parsePoll('pastOpenInterest:XRPUSD', { ...docs, result: { ...docs.result, symbol: 'XRPUSD' } }, catalogue).pastBars!;
    expect(xrp[0]).toEqual({ venue: 'bybit', symbol: 'XRPUSD', asset: 'XRP', time: 1780963200000, openInterestUsd: 31955346 });
    expect(xrp).toHaveLength(5);
    // A linear answer without singleOpenInterest (older docs): both sides ÷ 2, in 1000PEPE units × 1000.
    const pepe = { ...docs, result: { symbol: '1000PEPEUSDT', category: 'linear', list: [{ openInterest: '4000000.00000000', timestamp: String(NOW) }], nextPageCursor: '' } };
    expect(bybit.parsePoll('pastOpenInterest:1000PEPEUSDT', pepe, catalogue).pastBars).toEqual([
      { venue: 'bybit', symbol: '1000PEPEUSDT', asset: 'PEPE', time: NOW, openInterestBase: 2_000_000_000 },
    ]);
  });

  it('answers a retCode error as the venue\'s error', () => {
    expect(() => bybit.parsePoll('pastOpenInterest:BTCUSDT', { retCode: 10001, retMsg: 'params error', result: {} }, catalogue)).toThrow(/retCode 10001/);
  });
});

describe('okx: 7 days of 2 h candles and open interest for the level model', () => {
  const okxCatalogue = mockCatalogue('okx', staticView([marketRow('okx', 'BTC', 72_000)], NOW));
  const candle = (start: number, [open, high, low, close]: string[], confirm: '0' | '1') => [String(start), open, high, low, close, '8422410', '84.2241', '6096186.2164', confirm];

  it('asks per main swap for 85 two-hour candles and 84 two-hour open-interest rows (the history gives 100 at most)', () => {
    expect(okx.levelHistoryRequests!(['BTC'], okxCatalogue)).toEqual([
      { key: 'pastCandles:BTC-USDT-SWAP', url: 'https://www.okx.com/api/v5/market/candles?instId=BTC-USDT-SWAP&bar=2H&limit=85' },
      { key: 'pastOpenInterest:BTC-USDT-SWAP', url: 'https://www.okx.com/api/v5/rubik/stat/contracts/open-interest-history?instId=BTC-USDT-SWAP&period=2H&limit=84' },
    ]);
  });

  it('reads completed candles (newest first) at their ends and the open-interest rows in USD; the uncompleted candle is left out', () => {
    const candles = { code: '0', msg: '', data: [candle(NOW, ['71500', '71600', '71400', '71550'], '0'), candle(NOW - 2 * HOUR, ['72100', '72200', '71000', '71500'], '1')] };
    expect(okx.parsePoll('pastCandles:BTC-USDT-SWAP', candles, okxCatalogue).pastBars).toEqual([
      { venue: 'okx', symbol: 'BTC-USDT-SWAP', asset: 'BTC', time: NOW, open: 72100, high: 72200, low: 71000, close: 71500 },
    ]);
    const history = { code: '0', msg: '', data: [[String(NOW), '2940000', '29400', '2116800000']] };
    expect(okx.parsePoll('pastOpenInterest:BTC-USDT-SWAP', history, okxCatalogue).pastBars).toEqual([{ venue: 'okx', symbol: 'BTC-USDT-SWAP', asset: 'BTC', time: NOW, openInterestUsd: 2116800000 }]);
    expect(() => okx.parsePoll('pastOpenInterest:BTC-USDT-SWAP', { code: '51001', msg: "Instrument ID doesn't exist.", data: [] }, okxCatalogue)).toThrow(/code 51001/);
  });
});

describe('the stored book remembers how far back it reaches', () => {
  it('stores `from` as a tenth field; a book of another shape, or with a from after its last bar, is skipped', () => {
    const model = new LiquidationLevels();
    model.ingestBar('binance', 'BTCUSDT', 'BTC', { time: NOW - 2 * HOUR, open: 100, high: 101, low: 99, close: 100, openInterestBase: 10 });
    model.ingestBar('binance', 'BTCUSDT', 'BTC', { time: NOW - HOUR, open: 100, high: 101, low: 99, close: 100.5, openInterestBase: 12 });
    const [stored] = model.toJSON().books;
    expect(stored).toHaveLength(10);
    expect(stored![9]).toBe(NOW - 2 * HOUR);
    expect(LiquidationLevels.fromJSON(model.toJSON()).firstBarEnd('binance', 'BTCUSDT')).toBe(NOW - 2 * HOUR);
    expect(LiquidationLevels.fromJSON({ v: 1, books: [stored!.slice(0, 9)] }).firstBarEnd('binance', 'BTCUSDT')).toBeNull();
    expect(LiquidationLevels.fromJSON({ v: 1, books: [[...stored!.slice(0, 9), NOW]] }).firstBarEnd('binance', 'BTCUSDT')).toBeNull();
  });
});

describe('joining price bars and open interest', () => {
  it('makes a bar of each instant both name, per venue × symbol, oldest first; an instant only one names is left out', () => {
    const base = { venue: 'binance' as const, symbol: 'BTCUSDT', asset: 'BTC' };
    const price = (time: number, close: number): PastBarPart => ({ ...base, time, open: close, high: close, low: close, close });
    const joined = joinPastBars([price(NOW, 101), price(NOW - HOUR, 100), { ...base, time: NOW - HOUR, openInterestUsd: 5e8 }, { ...base, time: NOW - 2 * HOUR, openInterestUsd: 4e8 }, { ...base, time: NOW, openInterestUsd: 6e8 }]);
    expect(joined).toEqual([{ ...base, bars: [{ time: NOW - HOUR, open: 100, high: 100, low: 100, close: 100, openInterestUsd: 5e8 }, { time: NOW, open: 101, high: 101, low: 101, close: 101, openInterestUsd: 6e8 }] }]);
  });
});

describe('every level-history request is served by the mock in the venue format', () => {
  it.each(Object.values(venues).filter((v) => v.levelHistoryRequests).map((v) => [v.id, v] as const))('%s', (_id, adapter) => {
    const view = staticView([marketRow(adapter.id, 'BTC', 72000), marketRow(adapter.id, 'ETH', 2100)], NOW);
    const instruments = mockCatalogue(adapter.id, view);
    const parts: PastBarPart[] = [];
    for (const request of adapter.levelHistoryRequests!(['BTC', 'ETH'], instruments)) {
      const res = mockAnswer(adapter.id, request, view);
      expect(res.status, request.url).toBe(200);
      parts.push(...(adapter.parsePoll(request.key, res.body, instruments).pastBars ?? []));
    }
    // 7 days of closed bars a symbol (1 h; OKX's 2 h), each joined with its open interest: the first ends a week
    // ago, the last a period before now (the mock's rows stop there).
    const spans = joinPastBars(parts).map(({ asset, bars }) => [asset, NOW - bars[0]!.time, NOW - bars.at(-1)!.time === bars[1]!.time - bars[0]!.time]);
    expect(spans).toEqual([['BTC', 7 * 24 * HOUR, true], ['ETH', 7 * 24 * HOUR, true]]);
  });
});

// ---------------------------------------------------------------------------------------------
// The engine

/**
 * A week of BTC on Binance: OI climbs from 10k to 20k coins at 100,000 from 7 to 3 days ago (positions whose long
 * liquidations sit ~1–4 % below 100,000), the price then rises to 104,000 over a day and stays, OI flat.
 */
function priceAt(t: number): number {
  const hoursAgo = (NOW - t) / HOUR;
  if (hoursAgo >= 72) return 100_000;
  if (hoursAgo >= 48) return 100_000 + (4_000 * (72 - hoursAgo)) / 24;
  return 104_000;
}
const coinsAt = (t: number) => 10_000 + 10_000 * Math.min(1, Math.max(0, (168 - (NOW - t) / HOUR) / 96));

/** The 1 h bars the venue serves (168 closed ones ending at NOW), as kline and open-interest parts. */
function weekOfParts(): PastBarPart[] {
  const base = { venue: 'binance' as const, symbol: 'BTCUSDT', asset: 'BTC' };
  return Array.from({ length: 168 }, (_, i) => NOW - (167 - i) * HOUR).flatMap((end): PastBarPart[] => {
    const close = priceAt(end);
    const open = priceAt(end - HOUR);
    return [
      { ...base, time: end, open, high: Math.max(open, close) + 50, low: Math.min(open, close) - 50, close, takerBuyShare: 0.5 },
      { ...base, time: end, openInterestUsd: coinsAt(end) * close },
    ];
  });
}

/** The last day as the 24 h history backfill gives it: a price and an OI every 5 minutes. */
function dayOfHistory(): MarketUpdate[] {
  return Array.from({ length: 288 }, (_, i) => {
    const time = NOW - (288 - i) * 5 * MIN;
    return { venue: 'binance' as const, symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp' as const, time, lastPrice: priceAt(time) + (i % 2) * 20, openInterestUsd: coinsAt(time) * priceAt(time) };
  });
}

const live: MarketUpdate = { venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: NOW, markPrice: 104_000, indexPrice: 104_000, openInterestUsd: 20_000 * 104_000 };

/** An engine just installed: the day of history and a live poll in, optionally the week of 1 h bars. */
function installed(deep: 'none' | 'before readings' | 'after readings'): FlushEngine {
  const engine = new FlushEngine({ binance: 'sampled' }, NOW);
  engine.backfillHistory(dayOfHistory(), NOW);
  engine.ingestMarket(live);
  if (deep === 'before readings') engine.backfillLevels(weekOfParts(), NOW);
  engine.readings(NOW, ['BTC']);
  if (deep === 'after readings') {
    engine.backfillLevels(weekOfParts(), NOW);
    engine.readings(NOW, ['BTC']);
  }
  return engine;
}

/** USD of the long levels between 95,000 and 99,800: positions opened at ~100,000 three to six days ago. */
function oldLongsUsd(engine: FlushEngine): number {
  return engine.levels.booksOf('BTC').flatMap((book) => book.long).filter((level) => level.price >= 95_000 && level.price <= 99_800).reduce((sum, level) => sum + level.usd, 0);
}

describe('the engine: days 2–7 for the level model', () => {
  it('a 7-day backfill shows the longs opened 3–6 days ago, which the 24 h backfill cannot know of', () => {
    const shallow = installed('none');
    const deep = installed('before readings');
    expect(oldLongsUsd(shallow)).toBe(0);
    // Half-life 24 h: what 10k coins opened 3–7 days ago left, some $100M's.
    expect(oldLongsUsd(deep)).toBeGreaterThan(50e6);
    const reading = deep.readings(NOW + 1_000, ['BTC']).scopes.BTC!.levels!;
    expect(reading.bandsUsd.long5).toBeGreaterThan(shallow.readings(NOW + 1_000, ['BTC']).scopes.BTC!.levels!.bandsUsd.long5);
    expect(deep.levels.booksOf('BTC')[0]!.from).toBe(NOW - 167 * HOUR);
  });

  it('feeds the 1 h bars up to where the day of 5-minute bars begins, then those: every bar once, in time order', () => {
    const engine = new FlushEngine({ binance: 'sampled' }, NOW);
    engine.backfillHistory(dayOfHistory(), NOW);
    engine.ingestMarket(live);
    const applied: number[] = [];
    const ingest = engine.levels.ingestBar.bind(engine.levels);
    vi.spyOn(engine.levels, 'ingestBar').mockImplementation((venue, symbol, asset, bar) => {
      const ok = ingest(venue, symbol, asset, bar);
      if (ok) applied.push(bar.time);
      return ok;
    });
    // The day's history starts at NOW − 24 h: the hourly bars ending by then, 144 of them (the first only sets the book's start).
    expect(engine.backfillLevels(weekOfParts(), NOW)).toBe(144);
    engine.readings(NOW, ['BTC']);
    const hourly = applied.filter((time) => time <= NOW - 24 * HOUR);
    expect(hourly).toHaveLength(144);
    expect(applied.slice(144).every((time) => time > NOW - 24 * HOUR && (time - (NOW - 24 * HOUR)) % (5 * MIN) === 0)).toBe(true);
    expect(applied.length).toBeGreaterThan(144 + 280);
    for (let i = 1; i < applied.length; i++) expect(applied[i]!).toBeGreaterThan(applied[i - 1]!);
    // Asked again (an absence, a re-tracked asset): the book already reaches that far back.
    expect(engine.backfillLevels(weekOfParts(), NOW)).toBe(0);
    expect(engine.wantsLevelHistory('binance', 'BTC', NOW)).toBe(false);
    expect(engine.wantsLevelHistory('bybit', 'BTC', NOW)).toBe(true);
  });

  it('days that arrive after the first readings rebuild the book: the same levels as when they came first', () => {
    const first = installed('before readings');
    const late = installed('after readings');
    expect(late.levels.toJSON()).toEqual(first.levels.toJSON());
  });

  it('without open interest in the history (Bybit\'s day), the 1 h bars reach up to now', () => {
    const engine = new FlushEngine({ bybit: 'complete' }, NOW);
    engine.ingestMarket({ ...live, venue: 'bybit' });
    const parts = weekOfParts().map((part) => ({ ...part, venue: 'bybit' as const }));
    expect(engine.backfillLevels(parts, NOW)).toBe(168);
    expect(engine.levels.lastBarEnd('bybit', 'BTCUSDT')).toBe(NOW);
  });

  it('keeps the deep books across a worker restart: no bar fed again, nothing asked again', () => {
    const before = installed('before readings');
    const stored = JSON.parse(JSON.stringify(before.toJSON())) as EngineState;
    const restarted = new FlushEngine({ binance: 'sampled' }, NOW + MIN, stored);
    expect(restarted.wantsLevelHistory('binance', 'BTC', NOW + MIN)).toBe(false);
    expect(restarted.levels.booksOf('BTC')[0]!.from).toBe(NOW - 167 * HOUR);
    const ingest = vi.spyOn(restarted.levels, 'ingestBar');
    restarted.readings(NOW + MIN, ['BTC']);
    expect(ingest.mock.results.filter((result) => result.value === true)).toEqual([]);
    expect(oldLongsUsd(restarted)).toBeCloseTo(oldLongsUsd(before), -5);
  });

  it('back after more than a day away, the stored deep book is too old to carry on: the days are wanted again', () => {
    const stored = JSON.parse(JSON.stringify(installed('before readings').toJSON())) as EngineState;
    const later = NOW + 25 * HOUR;
    const back = new FlushEngine({ binance: 'sampled' }, later, stored);
    expect(back.wantsLevelHistory('binance', 'BTC', NOW + 23 * HOUR)).toBe(false);
    expect(back.wantsLevelHistory('binance', 'BTC', later)).toBe(true);
  });
});
