import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type InstrumentSpec, type MarketSnapshot } from '../src/core/model';
import { bybit } from '../src/venues/bybit';
import { mockAnswer, mockCatalogue } from './catalogue';
import { fixture } from './fixtures';
import { MockReject } from './mock/types';
import { BYBIT_MOCK_EXTRA_INSTRUMENTS, bybitMock } from './mock/venues/bybit';
import { marketRow, staticView } from './mock/view';

const linear = (symbol: string, asset: string, kind: InstrumentSpec['kind'] = 'perp', priceScale = 1): InstrumentSpec => ({ venue: 'bybit', symbol, asset, kind, priceScale, contract: { type: 'linear', size: 1 } });
const inverse = (symbol: string, asset: string, kind: InstrumentSpec['kind'] = 'perp'): InstrumentSpec => ({ venue: 'bybit', symbol, asset, kind, priceScale: 1, contract: { type: 'inverse', usd: 1 } });

/** A catalogue with the symbols the fixtures name. */
const CATALOGUE: InstrumentSpec[] = [linear('ROSEUSDT', 'ROSE'), linear('PIPPINUSDT', 'PIPPIN'), linear('BTCUSDT', 'BTC'), inverse('XRPUSD', 'XRP'), inverse('BTCUSD', 'BTC')];
/** Where the inverse contract is an asset's only perpetual, its figures are the asset's. */
const INVERSE_ONLY = CATALOGUE.filter((spec) => spec.symbol !== 'BTCUSDT');

function merged(updates: ReturnType<typeof bybit.parsePoll>['markets']): MarketSnapshot | undefined {
  let snap: MarketSnapshot | undefined;
  for (const update of updates) snap = mergeMarket(snap, update);
  return snap;
}

describe('bybit catalogue', () => {
  it('asks for linear and inverse instruments in pages of 1000', () => {
    expect(bybit.instrumentRequests().map((r) => r.url)).toEqual([
      'https://api.bybit.com/v5/market/instruments-info?category=linear&limit=1000',
      'https://api.bybit.com/v5/market/instruments-info?category=inverse&limit=1000',
    ]);
  });

  it('asks for the next page with the answer’s cursor after a full page, and stops after a short one', () => {
    const [linear] = bybit.instrumentRequests();
    const row = (fixture('bybit-instruments-linear-rest.json') as { result: { list: unknown[] } }).result.list[0];
    const answer = (rows: number, nextPageCursor: string) => ({ retCode: 0, retMsg: 'OK', result: { category: 'linear', list: Array.from({ length: rows }, () => row), nextPageCursor }, time: 1 });
    expect(bybit.nextInstrumentRequest!(linear!, answer(1000, 'first%3D100'))).toEqual({
      key: 'instruments:linear',
      url: 'https://api.bybit.com/v5/market/instruments-info?category=linear&limit=1000&cursor=first%253D100',
    });
    // The docs' own one-row example carries a cursor: a short page is the last one whatever it says.
    expect(bybit.nextInstrumentRequest!(linear!, answer(999, 'first%3D100'))).toBeNull();
    expect(bybit.nextInstrumentRequest!(linear!, answer(1000, ''))).toBeNull();
  });

  it('reads the documented instrument: a linear perpetual, Bybit priceScale (decimals) ignored', () => {
    expect(bybit.parseInstruments('instruments:linear', fixture('bybit-instruments-linear-rest.json'))).toEqual([
      { venue: 'bybit', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1 }, maxLeverage: 100 },
    ]);
  });

  it('skips the documented pre-market (PreLaunch) perpetual', () => {
    expect(bybit.parseInstruments('instruments:linear', fixture('bybit-instruments-linear-prelaunch-rest.json'))).toEqual([]);
  });

  it('maps contract types, inverse contracts and scaled base coins (mock catalogue)', () => {
    const catalogue = mockCatalogue('bybit');
    const bySymbol = new Map(catalogue.map((s) => [s.symbol, s]));
    expect(bySymbol.get('BTCUSD')).toMatchObject({ asset: 'BTC', kind: 'perp', contract: { type: 'inverse', usd: 1 } });
    expect(bySymbol.get('BTCUSDT-26DEC25')).toMatchObject({ asset: 'BTC', kind: 'dated', contract: { type: 'linear', size: 1 } });
    expect(bySymbol.get('1000PEPEUSDT')).toMatchObject({ asset: 'PEPE', kind: 'perp', priceScale: 1000 });
    expect(bySymbol.get('SOLUSDT')).toMatchObject({ asset: 'SOL', kind: 'perp', priceScale: 1 });
    for (const extra of BYBIT_MOCK_EXTRA_INSTRUMENTS) expect(bySymbol.has(extra.symbol), extra.symbol).toBe(true);
  });

  it('reads SHIB1000 (multiple after the coin) as SHIB × 1000', () => {
    const body = structuredClone(fixture('bybit-instruments-linear-rest.json')) as { result: { list: Array<Record<string, unknown>> } };
    body.result.list[0] = { ...body.result.list[0], symbol: 'SHIB1000USDT', baseCoin: 'SHIB1000' };
    expect(bybit.parseInstruments('instruments:linear', body)[0]).toMatchObject({ asset: 'SHIB', priceScale: 1000 });
  });

  it('turns a retCode error into a VenueDataError', () => {
    expect(() => bybit.parseInstruments('instruments:linear', { retCode: 10001, retMsg: 'Illegal category', result: {}, time: 1 })).toThrow(/retCode 10001/);
  });
});

describe('bybit.parseLiquidations', () => {
  it('normalises the documented allLiquidation frame: S "Sell" = short position liquidated, v in base coin', () => {
    expect(bybit.parseLiquidations(fixture('bybit-allLiquidation-ws.json'), CATALOGUE)).toEqual([
      { venue: 'bybit', symbol: 'ROSEUSDT', asset: 'ROSE', kind: 'perp', side: 'short', price: 0.04499, quantity: 20000, notionalUsd: 20000 * 0.04499, time: 1739502302929 },
    ]);
  });

  it('reads the captured frame and maps S "Buy" to a long liquidation', () => {
    const [captured] = bybit.parseLiquidations(fixture('bybit-allLiquidation-ws-tardis.json'), CATALOGUE);
    expect(captured).toMatchObject({ symbol: 'PIPPINUSDT', asset: 'PIPPIN', side: 'short', quantity: 2846, time: 1740480207110 });
    expect(captured!.notionalUsd).toBeCloseTo(2846 * 0.02456, 9);
    const buy = structuredClone(fixture('bybit-allLiquidation-ws.json')) as { data: Array<{ S: string }> };
    buy.data[0]!.S = 'Buy';
    expect(bybit.parseLiquidations(buy, CATALOGUE)[0]?.side).toBe('long');
  });

  it('keeps every row of a batched push (500 ms batches)', () => {
    const frame = structuredClone(fixture('bybit-allLiquidation-ws.json')) as { data: unknown[] };
    frame.data.push({ T: 1739502303000, s: 'ROSEUSDT', S: 'Buy', v: '100', p: '0.045' });
    expect(bybit.parseLiquidations(frame, CATALOGUE).map((l) => l.side)).toEqual(['short', 'long']);
  });

  it('reads the deprecated liquidation.{symbol} topic; inverse size is USD contracts', () => {
    const [lin] = bybit.parseLiquidations(fixture('bybit-liquidation-deprecated-ws.json'), CATALOGUE);
    expect(lin).toMatchObject({ symbol: 'BTCUSDT', asset: 'BTC', side: 'short', quantity: 0.003, time: 1703485237953 });
    const [inv] = bybit.parseLiquidations(fixture('bybit-liquidation-deprecated-ws-tardis.json'), CATALOGUE);
    expect(inv).toMatchObject({ symbol: 'XRPUSD', asset: 'XRP', notionalUsd: 6949 });
    expect(inv!.quantity).toBeCloseTo(6949 / 0.5149, 6);
  });

  it('values 1000PEPEUSDT per PEPE and a dated future as kind "dated"', () => {
    const catalogue = mockCatalogue('bybit');
    const frame = (s: string, v: string, p: string) => ({ topic: `allLiquidation.${s}`, type: 'snapshot', ts: 1, data: [{ T: 1763600000000, s, S: 'Buy', v, p }] });
    const [pepe] = bybit.parseLiquidations(frame('1000PEPEUSDT', '5000', '0.0120000'), catalogue);
    expect(pepe).toMatchObject({ asset: 'PEPE', kind: 'perp', side: 'long', quantity: 5_000_000 });
    expect(pepe!.price).toBeCloseTo(0.000012, 12);
    expect(pepe!.notionalUsd).toBeCloseTo(60, 9);
    const [dated] = bybit.parseLiquidations(frame('BTCUSDT-26DEC25', '0.5', '72000'), catalogue);
    expect(dated).toMatchObject({ asset: 'BTC', kind: 'dated', quantity: 0.5, notionalUsd: 36000 });
  });

  it('returns [] for subscribe acks, pongs and other topics', () => {
    expect(bybit.parseLiquidations({ success: true, ret_msg: 'subscribe', conn_id: 'x', req_id: '', op: 'subscribe' }, CATALOGUE)).toEqual([]);
    expect(bybit.parseLiquidations({ success: true, ret_msg: 'pong', conn_id: 'x', req_id: '', op: 'ping' }, CATALOGUE)).toEqual([]);
    expect(bybit.parseLiquidations({ args: ['1672916271846'], op: 'pong' }, CATALOGUE)).toEqual([]);
    expect(bybit.parseLiquidations(fixture('bybit-tickers-linear-perp-ws.json'), CATALOGUE)).toEqual([]);
  });

  it('surfaces a refused subscription as a VenueDataError', () => {
    expect(() => bybit.parseLiquidations({ success: false, ret_msg: 'Invalid symbol :[allLiquidation.FOO]', op: 'subscribe' }, CATALOGUE)).toThrow(/subscribe rejected: Invalid symbol/);
  });

  const valid = fixture('bybit-allLiquidation-ws.json') as Record<string, unknown>;
  const row = (over: Record<string, unknown>) => ({ ...valid, data: [{ T: 1739502302929, s: 'ROSEUSDT', S: 'Sell', v: '1', p: '1', ...over }] });
  it.each([
    ['data not an array', { ...valid, data: {} }],
    ['unknown side', row({ S: 'Long' })],
    ['NaN price', row({ p: 'NaN' })],
    ['zero price', row({ p: '0' })],
    ['negative size', row({ v: '-5' })],
    ['empty size', row({ v: '' })],
    ['seconds, not ms', row({ T: 1e15 })],
    ['not an object', 'hello'],
    ['an array', [valid]],
  ])('throws VenueDataError for %s', (_name, message) => {
    expect(() => bybit.parseLiquidations(message, CATALOGUE)).toThrow(VenueDataError);
  });

  it('never yields NaN or negative figures from the fixtures', () => {
    for (const name of ['bybit-allLiquidation-ws.json', 'bybit-allLiquidation-ws-tardis.json', 'bybit-liquidation-deprecated-ws.json', 'bybit-liquidation-deprecated-ws-tardis.json']) {
      const out = bybit.parseLiquidations(fixture(name), CATALOGUE);
      expect(out.length, name).toBe(1);
      for (const l of out) for (const n of [l.price, l.quantity, l.notionalUsd, l.time]) expect(Number.isFinite(n) && n > 0, name).toBe(true);
    }
  });

  it('skips a symbol the catalogue lacks, and the stream session reports it', () => {
    expect(bybit.parseLiquidations(fixture('bybit-allLiquidation-ws.json'), [linear('BTCUSDT', 'BTC')])).toEqual([]);
    const [session] = bybit.openStreams([], [linear('BTCUSDT', 'BTC')]);
    const out = session!.onMessage(JSON.stringify(fixture('bybit-allLiquidation-ws.json')));
    expect(out.liquidations).toEqual([]);
    expect(out.unknownSymbols).toEqual(['ROSEUSDT']);
  });
});

describe('bybit stream sessions', () => {
  it('subscribes allLiquidation for every listed derivative (tracked or not): linear and inverse streams', () => {
    const catalogue = mockCatalogue('bybit');
    const sessions = bybit.openStreams(['BTC'], catalogue);
    expect(sessions.map((s) => s.url)).toEqual(['wss://stream.bybit.com/v5/public/linear', 'wss://stream.bybit.com/v5/public/inverse']);
    const topics = sessions.map((s) => s.onOpen().flatMap((f) => (JSON.parse(f) as { op: string; args: string[] }).args));
    expect(topics[0]!.sort()).toEqual(['allLiquidation.1000PEPEUSDT', 'allLiquidation.BTCUSDT', 'allLiquidation.BTCUSDT-26DEC25', 'allLiquidation.ETHUSDT', 'allLiquidation.SOLUSDT']);
    expect(topics[1]).toEqual(['allLiquidation.BTCUSD']);
    for (const session of sessions) {
      expect(JSON.parse(session.heartbeat.message)).toEqual({ op: 'ping' });
      expect(session.heartbeat.intervalMs).toBeLessThanOrEqual(25_000);
    }
    expect(bybit.coverage(['BTC'], catalogue)).toEqual({ covered: catalogue.length, listed: catalogue.length });
  });

  it('splits 1,500 symbols over connections of at most 21,000 args characters', () => {
    const many = Array.from({ length: 1500 }, (_, i) => linear(`COIN${i}USDT`, `COIN${i}`));
    const sessions = bybit.openStreams([], many);
    expect(sessions.length).toBeGreaterThan(1);
    const all: string[] = [];
    for (const session of sessions) {
      const args = session.onOpen().flatMap((f) => (JSON.parse(f) as { args: string[] }).args);
      expect(JSON.stringify(args).length).toBeLessThanOrEqual(21_000);
      all.push(...args);
    }
    expect(new Set(all).size).toBe(1500);
    expect(bybit.coverage([], many)).toEqual({ covered: 1500, listed: 1500 });
  });

  it('throws VenueDataError for a non-JSON frame', () => {
    expect(() => bybit.openStreams([], CATALOGUE)[0]!.onMessage('pong')).toThrow(VenueDataError);
  });
});

describe('bybit.parsePoll', () => {
  it('polls all symbols: linear, inverse and spot tickers without a symbol', () => {
    expect(bybit.pollRequests(['BTC'], CATALOGUE).map((r) => r.url)).toEqual([
      'https://api.bybit.com/v5/market/tickers?category=linear',
      'https://api.bybit.com/v5/market/tickers?category=inverse',
      'https://api.bybit.com/v5/market/tickers?category=spot',
    ]);
    expect(bybit.pollRequests(['BTC', 'ETH', 'SOL', 'DOGE', 'PEPE'], CATALOGUE)).toHaveLength(3);
  });

  it('open interest is the single side: singleOpenInterestValue (linear USDT), not the doubled openInterestValue', () => {
    const ws = fixture('bybit-tickers-linear-ws-nautilus.json') as { data: Record<string, unknown>; ts: number };
    const row = { ...ws.data, singleOpenInterest: '34337.66', singleOpenInterestValue: '591800617.955' };
    const body = { retCode: 0, retMsg: 'OK', result: { category: 'linear', list: [row] }, retExtInfo: {}, time: ws.ts };
    const snap = merged(bybit.parsePoll('tickers:linear', body, CATALOGUE).markets);
    expect(snap).toMatchObject({ symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp' });
    expect(snap?.openInterestUsd).toBeCloseTo(591800617.955);
    expect(snap?.perpVolume24hUsd).toBeCloseTo(1570383121.943499);
    expect(snap?.indexPrice).toBeCloseTo(17227.36);
    expect(snap?.fundingRate8h).toBeCloseTo(-0.000212);
  });

  it('reports no OI rather than the both-sides figure when the single-side fields are missing', () => {
    const body = fixture('bybit-tickers-inverse-rest.json');
    const snap = merged(bybit.parsePoll('tickers:inverse', body, INVERSE_ONLY).markets);
    expect(snap?.openInterestUsd).toBeUndefined();
    expect(snap?.perpVolume24hUsd).toBe(13713832);
  });

  it('reads an inverse ticker: singleOpenInterest and volume are counts of 1-USD contracts', () => {
    const body = structuredClone(fixture('bybit-tickers-inverse-rest.json')) as { result: { list: Array<Record<string, unknown>> } };
    body.result.list[0] = { ...body.result.list[0], singleOpenInterest: '120056984', singleOpenInterestValue: '1044.9' };
    const snap = merged(bybit.parsePoll('tickers:inverse', body, INVERSE_ONLY).markets);
    expect(snap).toMatchObject({ symbol: 'BTCUSD', asset: 'BTC', openInterestUsd: 120056984, perpVolume24hUsd: 13713832, nextFundingTime: 1760371200000, fundingIntervalHours: 8 });
    expect(snap?.markPrice).toBeCloseTo(114898.43);
    expect(snap?.fundingRate8h).toBeCloseTo(0.0001);
  });

  it('takes an asset figures from its USDT perpetual when it also has an inverse one', () => {
    const body = fixture('bybit-tickers-inverse-rest.json');
    expect(bybit.parsePoll('tickers:inverse', body, CATALOGUE).markets.filter((m) => m.asset === 'BTC')).toEqual([]);
  });

  it('skips dated futures and symbols the catalogue lacks', () => {
    const futures = fixture('bybit-tickers-linear-futures-ws.json') as { data: Record<string, unknown>; ts: number };
    const symbol = String(futures.data.symbol);
    const body = { retCode: 0, retMsg: 'OK', result: { category: 'linear', list: [futures.data] }, time: futures.ts };
    expect(bybit.parsePoll('tickers:linear', body, [linear(symbol, 'BTC', 'dated')]).markets).toEqual([]);
    expect(bybit.parsePoll('tickers:linear', body, []).markets).toEqual([]);
  });

  it('files USDT spot turnover under the asset\'s perpetual with kind "spot"', () => {
    const [spot] = bybit.parsePoll('spotTickers', fixture('bybit-tickers-spot-rest.json'), CATALOGUE).markets;
    expect(spot).toMatchObject({ symbol: 'BTCUSDT', asset: 'BTC', kind: 'spot' });
    expect(spot?.spotVolume24hUsd).toBeCloseTo(243765620.65899866);
  });

  it('turns a retCode error (HTTP 200) into a readable VenueDataError', () => {
    const body = { retCode: 10001, retMsg: 'Not supported symbols', result: {}, retExtInfo: {}, time: 1726147060461 };
    expect(() => bybit.parsePoll('tickers:linear', body, CATALOGUE)).toThrow(/tickers failed: retCode 10001 Not supported symbols/);
  });

  it('marks a malformed ticker with the field path', () => {
    const body = { retCode: 0, retMsg: 'OK', result: { category: 'linear', list: [{ symbol: 'BTCUSDT', markPrice: 'x' }] }, time: 1 };
    expect(() => bybit.parsePoll('tickers:linear', body, CATALOGUE)).toThrow(/tickers at result\.list\.0\./);
  });
});

describe('bybit.classifyFailure', () => {
  const headers = (h: Record<string, string> = {}) => ({ get: (name: string) => h[name.toLowerCase()] ?? null });
  it('HTTP 403 "access too frequent" is the IP rate-limit ban: pause at least 10 minutes', () => {
    const failure = bybit.classifyFailure!(403, 'access too frequent', headers());
    expect(failure?.kind).toBe('rateLimited');
    expect(failure!.pauseMs).toBeGreaterThanOrEqual(10 * 60_000);
    expect(failure!.reason).toMatch(/access too frequent/);
  });

  it('a CloudFront 403 page is a region block', () => {
    const page = '<HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY>Generated by cloudfront (CloudFront)</BODY></HTML>';
    expect(bybit.classifyFailure!(403, page, headers())).toMatchObject({ kind: 'blocked', pauseMs: null });
  });

  it('retCodes 10006 and 10018 are rate limits, 10009 a region block; others use the defaults', () => {
    expect(bybit.classifyFailure!(200, '{"retCode":10006,"retMsg":"Too many visits!","result":{}}', headers())).toMatchObject({ kind: 'rateLimited' });
    expect(bybit.classifyFailure!(200, '{"retCode":10018,"retMsg":"x","result":{}}', headers())!.pauseMs).toBeGreaterThanOrEqual(10 * 60_000);
    expect(bybit.classifyFailure!(200, '{"retCode":10009,"retMsg":"Service Restricted","result":{}}', headers())).toMatchObject({ kind: 'blocked' });
    expect(bybit.classifyFailure!(200, '{"retCode":0,"retMsg":"OK","result":{}}', headers())).toBeNull();
    expect(bybit.classifyFailure!(500, 'oops', headers())).toBeNull();
  });
});

const view = staticView([marketRow('bybit', 'BTC', 72000), marketRow('bybit', 'ETH', 3500), marketRow('bybit', 'SOL', 180), marketRow('bybit', 'PEPE', 0.000012)]);
const ASSETS = ['BTC', 'ETH', 'SOL', 'PEPE'];

describe('bybit mock ↔ adapter', () => {
  const catalogue = mockCatalogue('bybit', view);

  function subscribed() {
    const sessions = bybit.openStreams(ASSETS, catalogue);
    return sessions.map((session) => {
      const socket = bybitMock.connect('stream.bybit.com', new URL(session.url).pathname);
      for (const frame of session.onOpen()) expect(JSON.parse(socket.onMessage(frame, view)[0]!)).toMatchObject({ success: true, op: 'subscribe' });
      return { session, socket };
    });
  }

  it.each([
    [undefined, 'BTC', 71950, 'perp'],
    ['BTCUSD', 'BTC', 71950, 'perp'],
    ['BTCUSDT-26DEC25', 'BTC', 72500, 'dated'],
    ['1000PEPEUSDT', 'PEPE', 0.0000121, 'perp'],
  ] as const)('round-trips a %s liquidation of %s in that instrument\'s units', (symbol, asset, price, kind) => {
    for (const side of ['long', 'short'] as const) {
      const event = { t: 0, type: 'liquidation' as const, venue: 'bybit' as const, asset, side, price, notionalUsd: 125000, time: 1763600000000, ...(symbol ? { symbol } : {}) };
      const liqs = subscribed().flatMap(({ session, socket }) => socket.liquidationFrames(event, view).flatMap((f) => session.onMessage(f).liquidations));
      expect(liqs).toHaveLength(1);
      expect(liqs[0]).toMatchObject({ venue: 'bybit', asset, side, kind, time: event.time });
      expect(liqs[0]!.notionalUsd).toBeCloseTo(125000, 0);
      expect(liqs[0]!.price / price).toBeCloseTo(1, 6);
    }
    const unsubscribed = bybitMock.connect('stream.bybit.com', '/v5/public/linear');
    expect(unsubscribed.liquidationFrames({ t: 0, type: 'liquidation', venue: 'bybit', asset: 'BTC', side: 'long', price: 1, notionalUsd: 1, time: 1 }, view)).toEqual([]);
  });

  it('answers the adapter heartbeat with a pong the adapter ignores', () => {
    const [session] = bybit.openStreams(['BTC'], catalogue);
    const socket = bybitMock.connect('stream.bybit.com', '/v5/public/linear');
    const [pong] = socket.onMessage(session!.heartbeat.message, view);
    expect(session!.onMessage(pong!)).toEqual({ liquidations: [], markets: [], replies: [] });
  });

  it('serves every poll request the adapter makes, and the adapter parses it', () => {
    const snaps = new Map<string, MarketSnapshot>();
    for (const request of bybit.pollRequests(ASSETS, catalogue)) {
      const res = mockAnswer('bybit', request, view);
      expect(res.status, request.url).toBe(200);
      for (const update of bybit.parsePoll(request.key, res.body, catalogue).markets) {
        const key = `${update.symbol}:${update.kind}`;
        snaps.set(key, mergeMarket(snaps.get(key), update));
      }
    }
    expect([...new Set([...snaps.values()].map((s) => s.asset))].sort()).toEqual([...ASSETS].sort());
    expect(snaps.has('BTCUSDT-26DEC25:perp')).toBe(false);
    for (const [key, snap] of snaps) {
      if (snap.kind === 'spot') {
        expect(snap.spotVolume24hUsd, key).toBeCloseTo(2.25e9, -2);
        continue;
      }
      expect(snap.openInterestUsd, key).toBeCloseTo(3.6e9, -4);
      expect(snap.fundingRate8h, key).toBeCloseTo(0.0001);
      expect(snap.fundingIntervalHours, key).toBe(8);
      expect(snap.perpVolume24hUsd, key).toBeCloseTo(9e9, -4);
      expect(snap.markPrice! / snap.indexPrice!, key).toBeCloseTo(1.0003, 4);
    }
    expect(snaps.get('1000PEPEUSDT:perp')?.markPrice).toBeCloseTo(0.000012 * 1.0003, 10);
    expect(snaps.get('1000PEPEUSDT:spot')?.asset).toBe('PEPE');
  });

  it('rejects malformed subscriptions, unknown symbols, over-long args and non-liquidation streams', () => {
    const socket = bybitMock.connect('stream.bybit.com', '/v5/public/linear');
    expect(() => socket.onMessage('{"op":"subscribe","args":"allLiquidation.BTCUSDT"}', view)).toThrow(MockReject);
    expect(() => socket.onMessage('{"op":"subscribe","args":[{"channel":"allLiquidation","instId":"BTCUSDT"}]}', view)).toThrow(MockReject);
    expect(() => socket.onMessage('{"op":"subscribe","args":["allLiquidation.DOGEUSDT"]}', view)).toThrow(MockReject);
    expect(() => socket.onMessage('{"op":"subscribe","args":["allLiquidation.BTCUSD"]}', view)).toThrow(MockReject);
    expect(() => socket.onMessage('{"op":"subscribe","args":["liquidations.BTCUSDT"]}', view)).toThrow(MockReject);
    expect(() => socket.onMessage('ping', view)).toThrow(MockReject);
    const long = Array.from({ length: 1000 }, () => 'allLiquidation.BTCUSDT');
    expect(() => socket.onMessage(JSON.stringify({ op: 'subscribe', args: long }), view)).toThrow(MockReject);
    expect(() => bybitMock.connect('stream.bybit.com', '/v5/public/spot')).toThrow(MockReject);
  });

  it('answers bad REST requests like Bybit: retCode 10001 with HTTP 200, unknown paths 404', () => {
    const get = (path: string, query: string) => bybitMock.http({ method: 'GET', host: 'api.bybit.com', path, query: new URLSearchParams(query), body: '' }, view);
    const noCategory = get('/v5/market/tickers', 'symbol=BTCUSDT');
    expect(noCategory.body).toMatchObject({ retCode: 10001, retMsg: 'Illegal category' });
    expect(() => bybit.parsePoll('tickers:linear', noCategory.body, catalogue)).toThrow(VenueDataError);
    expect(get('/v5/market/tickers', 'category=linear&symbol=DOGEUSDT').body).toMatchObject({ retCode: 10001 });
    expect(get('/v5/market/instruments-info', 'category=linear&limit=5000').body).toMatchObject({ retCode: 10001 });
    expect(get('/v5/market/ticker', 'category=linear&symbol=BTCUSDT').status).toBe(404);
  });
});
