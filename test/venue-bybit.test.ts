import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type MarketSnapshot } from '../src/core/model';
import { bybit } from '../src/venues/bybit';
import { MockReject } from './mock/types';
import { bybitMock } from './mock/venues/bybit';
import { marketRow, staticView } from './mock/view';
import { fixture } from './fixtures';

function merged(updates: ReturnType<typeof bybit.parsePoll>['markets']): MarketSnapshot | undefined {
  let snap: MarketSnapshot | undefined;
  for (const update of updates) snap = mergeMarket(snap, update);
  return snap;
}

describe('bybit.parseLiquidations', () => {
  it('normalises the documented allLiquidation frame: S "Sell" = short position liquidated, v in base coin', () => {
    expect(bybit.parseLiquidations(fixture('bybit-allLiquidation-ws.json'))).toEqual([
      {
        venue: 'bybit',
        symbol: 'ROSEUSDT',
        asset: 'ROSE',
        side: 'short',
        price: 0.04499,
        quantity: 20000,
        notionalUsd: 20000 * 0.04499,
        time: 1739502302929,
      },
    ]);
  });

  it('reads the captured frame and maps S "Buy" to a long liquidation', () => {
    const [captured] = bybit.parseLiquidations(fixture('bybit-allLiquidation-ws-tardis.json'));
    expect(captured).toMatchObject({ symbol: 'PIPPINUSDT', asset: 'PIPPIN', side: 'short', quantity: 2846, time: 1740480207110 });
    expect(captured!.notionalUsd).toBeCloseTo(2846 * 0.02456, 9);
    const buy = structuredClone(fixture('bybit-allLiquidation-ws.json')) as { data: Array<{ S: string }> };
    buy.data[0]!.S = 'Buy';
    expect(bybit.parseLiquidations(buy)[0]?.side).toBe('long');
  });

  it('keeps every row of a batched push (500 ms batches)', () => {
    const frame = structuredClone(fixture('bybit-allLiquidation-ws.json')) as { data: unknown[] };
    frame.data.push({ T: 1739502303000, s: 'ROSEUSDT', S: 'Buy', v: '100', p: '0.045' });
    expect(bybit.parseLiquidations(frame).map((l) => l.side)).toEqual(['short', 'long']);
  });

  it('reads the deprecated liquidation.{symbol} topic; inverse size is USD contracts', () => {
    const [linear] = bybit.parseLiquidations(fixture('bybit-liquidation-deprecated-ws.json'));
    expect(linear).toMatchObject({ symbol: 'BTCUSDT', asset: 'BTC', side: 'short', quantity: 0.003, time: 1703485237953 });
    const [inverse] = bybit.parseLiquidations(fixture('bybit-liquidation-deprecated-ws-tardis.json'));
    expect(inverse).toMatchObject({ symbol: 'XRPUSD', asset: 'XRP', notionalUsd: 6949 });
    expect(inverse!.quantity).toBeCloseTo(6949 / 0.5149, 6);
  });

  it('returns [] for subscribe acks, pongs and other topics', () => {
    expect(bybit.parseLiquidations({ success: true, ret_msg: 'subscribe', conn_id: 'x', req_id: '', op: 'subscribe' })).toEqual([]);
    expect(bybit.parseLiquidations({ success: true, ret_msg: 'pong', conn_id: 'x', req_id: '', op: 'ping' })).toEqual([]);
    expect(bybit.parseLiquidations({ args: ['1672916271846'], op: 'pong' })).toEqual([]);
    expect(bybit.parseLiquidations(fixture('bybit-tickers-linear-perp-ws.json'))).toEqual([]);
  });

  it('surfaces a refused subscription as a VenueDataError', () => {
    expect(() => bybit.parseLiquidations({ success: false, ret_msg: 'Invalid symbol :[allLiquidation.FOO]', op: 'subscribe' })).toThrow(/subscribe rejected: Invalid symbol/);
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
    expect(() => bybit.parseLiquidations(message)).toThrow(VenueDataError);
  });

  it('never yields NaN or negative figures from the fixtures', () => {
    for (const name of ['bybit-allLiquidation-ws.json', 'bybit-allLiquidation-ws-tardis.json', 'bybit-liquidation-deprecated-ws.json', 'bybit-liquidation-deprecated-ws-tardis.json']) {
      for (const l of bybit.parseLiquidations(fixture(name))) {
        for (const n of [l.price, l.quantity, l.notionalUsd, l.time]) expect(Number.isFinite(n) && n > 0, name).toBe(true);
      }
    }
  });
});

describe('bybit stream session', () => {
  it('subscribes allLiquidation.{symbol} per watched asset on the linear stream with the documented ping', () => {
    const session = bybit.openStream(['BTC', 'ETH', 'SOL'])!;
    expect(session.url).toBe('wss://stream.bybit.com/v5/public/linear');
    expect(session.onOpen().map((f) => JSON.parse(f))).toEqual([
      { op: 'subscribe', args: ['allLiquidation.BTCUSDT', 'allLiquidation.ETHUSDT', 'allLiquidation.SOLUSDT'] },
    ]);
    expect(JSON.parse(session.heartbeat.message)).toEqual({ op: 'ping' });
    expect(session.heartbeat.intervalMs).toBeLessThanOrEqual(25_000);
  });

  it('throws VenueDataError for a non-JSON frame', () => {
    expect(() => bybit.openStream(['BTC'])!.onMessage('pong')).toThrow(VenueDataError);
  });
});

describe('bybit.parsePoll', () => {
  it('ignores rows for symbols that are not watched', () => {
    const out = bybit.parsePoll('tickers:BTCUSD', fixture('bybit-tickers-inverse-rest.json'), ['BTC']);
    // The watched symbol is BTCUSDT, so the inverse row is not one of ours.
    expect(out.markets).toEqual([]);
  });

  it('reads an inverse ticker: OI and volume are counts of 1-USD contracts', () => {
    const body = structuredClone(fixture('bybit-tickers-inverse-rest.json')) as { result: { list: Array<{ symbol: string }> } };
    body.result.list[0]!.symbol = 'BTCUSDT';
    const snap = merged(bybit.parsePoll('tickers:BTCUSDT', body, ['BTC']).markets);
    expect(snap?.openInterestUsd).toBe(240113967);
    expect(snap?.perpVolume24hUsd).toBe(13713832);
    expect(snap?.markPrice).toBeCloseTo(114898.43);
    expect(snap?.fundingRate8h).toBeCloseTo(0.0001);
    expect(snap?.nextFundingTime).toBe(1760371200000);
  });

  it('reads a linear ticker: OI value and turnover in USDT', () => {
    const ws = fixture('bybit-tickers-linear-ws-nautilus.json') as { data: unknown; ts: number };
    const body = { retCode: 0, retMsg: 'OK', result: { category: 'linear', list: [ws.data] }, retExtInfo: {}, time: ws.ts };
    const snap = merged(bybit.parsePoll('tickers:BTCUSDT', body, ['BTC']).markets);
    expect(snap?.openInterestUsd).toBeCloseTo(1183601235.91);
    expect(snap?.perpVolume24hUsd).toBeCloseTo(1570383121.943499);
    expect(snap?.indexPrice).toBeCloseTo(17227.36);
    expect(snap?.fundingRate8h).toBeCloseTo(-0.000212);
  });

  it('converts instruments-info fundingInterval from minutes to hours and normalises funding to 8 h', () => {
    const instruments = structuredClone(fixture('bybit-instruments-linear-rest.json')) as { result: { list: Array<{ fundingInterval: number }> } };
    instruments.result.list[0]!.fundingInterval = 240;
    const ws = fixture('bybit-tickers-linear-ws-nautilus.json') as { data: Record<string, unknown>; ts: number };
    const { fundingIntervalHour: _dropped, ...row } = ws.data;
    const ticker = { retCode: 0, retMsg: 'OK', result: { category: 'linear', list: [row] }, time: ws.ts };
    const snap = merged([...bybit.parsePoll('instruments:BTCUSDT', instruments, ['BTC']).markets, ...bybit.parsePoll('tickers:BTCUSDT', ticker, ['BTC']).markets]);
    expect(snap?.fundingIntervalHours).toBe(4);
    expect(snap?.fundingRate8h).toBeCloseTo(-0.000212 * 2);
    expect(bybit.parsePoll('instruments:BTCUSDT', fixture('bybit-instruments-linear-rest.json'), ['BTC']).markets[0]?.fundingIntervalHours).toBe(8);
  });

  it('takes spot turnover24h as spot volume', () => {
    const [spot] = bybit.parsePoll('spotTickers:BTCUSDT', fixture('bybit-tickers-spot-rest.json'), ['BTC']).markets;
    expect(spot?.spotVolume24hUsd).toBeCloseTo(243765620.65899866);
  });

  it('turns a retCode error (HTTP 200) into a readable VenueDataError', () => {
    const body = { retCode: 10001, retMsg: 'Not supported symbols', result: {}, retExtInfo: {}, time: 1726147060461 };
    expect(() => bybit.parsePoll('tickers:BTCUSDT', body, ['BTC'])).toThrow(/tickers failed: retCode 10001 Not supported symbols/);
  });

  it('marks a malformed ticker with the field path', () => {
    const body = { retCode: 0, retMsg: 'OK', result: { category: 'linear', list: [{ symbol: 'BTCUSDT', markPrice: 'x' }] }, time: 1 };
    expect(() => bybit.parsePoll('tickers:BTCUSDT', body, ['BTC'])).toThrow(/tickers at result\.list\.0\./);
  });
});

const view = staticView([marketRow('bybit', 'BTC', 72000), marketRow('bybit', 'ETH', 3500), marketRow('bybit', 'SOL', 180)]);
const ASSETS = ['BTC', 'ETH', 'SOL'];

describe('bybit mock ↔ adapter', () => {
  it('round-trips a liquidation through the wire format, only to subscribed clients', () => {
    const session = bybit.openStream(ASSETS)!;
    const socket = bybitMock.connect('stream.bybit.com', new URL(session.url).pathname);
    for (const frame of session.onOpen()) expect(JSON.parse(socket.onMessage(frame, view)[0]!)).toMatchObject({ success: true, op: 'subscribe' });
    for (const side of ['long', 'short'] as const) {
      const event = { t: 0, type: 'liquidation' as const, venue: 'bybit' as const, asset: 'BTC', side, price: 71950, notionalUsd: 125000, time: 1763600000000 };
      const [liq] = socket.liquidationFrames(event, view).flatMap((f) => session.onMessage(f).liquidations);
      expect(liq).toMatchObject({ venue: 'bybit', asset: 'BTC', side, time: event.time });
      expect(liq!.notionalUsd).toBeCloseTo(125000, 0);
    }
    const unsubscribed = bybitMock.connect('stream.bybit.com', '/v5/public/linear');
    expect(unsubscribed.liquidationFrames({ t: 0, type: 'liquidation', venue: 'bybit', asset: 'BTC', side: 'long', price: 1, notionalUsd: 1, time: 1 }, view)).toEqual([]);
  });

  it('answers the adapter heartbeat with a pong the adapter ignores', () => {
    const session = bybit.openStream(['BTC'])!;
    const socket = bybitMock.connect('stream.bybit.com', '/v5/public/linear');
    const [pong] = socket.onMessage(session.heartbeat.message, view);
    expect(session.onMessage(pong!)).toEqual({ liquidations: [], markets: [], replies: [] });
  });

  it('serves every poll request the adapter makes, and the adapter parses it', () => {
    const snaps = new Map<string, MarketSnapshot>();
    for (const request of bybit.pollRequests(ASSETS)) {
      const url = new URL(request.url);
      const res = bybitMock.http({ method: 'GET', host: url.host, path: url.pathname, query: url.searchParams, body: '' }, view);
      expect(res.status, request.url).toBe(200);
      for (const update of bybit.parsePoll(request.key, res.body, ASSETS).markets) snaps.set(update.asset, mergeMarket(snaps.get(update.asset), update));
    }
    expect([...snaps.keys()].sort()).toEqual(ASSETS);
    for (const [asset, snap] of snaps) {
      expect(snap.openInterestUsd, asset).toBeCloseTo(3.6e9, -3);
      expect(snap.fundingRate8h, asset).toBeCloseTo(0.0001);
      expect(snap.fundingIntervalHours, asset).toBe(8);
      expect(snap.perpVolume24hUsd, asset).toBeCloseTo(9e9, -2);
      expect(snap.spotVolume24hUsd, asset).toBeCloseTo(2.25e9, -2);
      expect(snap.markPrice! / snap.indexPrice!, asset).toBeCloseTo(1.0003, 4);
    }
  });

  it('rejects malformed subscriptions, unknown symbols and non-liquidation streams', () => {
    const socket = bybitMock.connect('stream.bybit.com', '/v5/public/linear');
    expect(() => socket.onMessage('{"op":"subscribe","args":"allLiquidation.BTCUSDT"}', view)).toThrow(MockReject);
    expect(() => socket.onMessage('{"op":"subscribe","args":[{"channel":"allLiquidation","instId":"BTCUSDT"}]}', view)).toThrow(MockReject);
    expect(() => socket.onMessage('{"op":"subscribe","args":["allLiquidation.DOGEUSDT"]}', view)).toThrow(MockReject);
    expect(() => socket.onMessage('{"op":"subscribe","args":["liquidations.BTCUSDT"]}', view)).toThrow(MockReject);
    expect(() => socket.onMessage('ping', view)).toThrow(MockReject);
    expect(() => bybitMock.connect('stream.bybit.com', '/v5/public/spot')).toThrow(MockReject);
  });

  it('answers bad REST requests like Bybit: retCode 10001 with HTTP 200, unknown paths 404', () => {
    const get = (path: string, query: string) => bybitMock.http({ method: 'GET', host: 'api.bybit.com', path, query: new URLSearchParams(query), body: '' }, view);
    const noCategory = get('/v5/market/tickers', 'symbol=BTCUSDT');
    expect(noCategory.body).toMatchObject({ retCode: 10001, retMsg: 'Illegal category' });
    expect(() => bybit.parsePoll('tickers:BTCUSDT', noCategory.body, ['BTC'])).toThrow(VenueDataError);
    expect(get('/v5/market/tickers', 'category=linear&symbol=DOGEUSDT').body).toMatchObject({ retCode: 10001 });
    expect(get('/v5/market/ticker', 'category=linear&symbol=BTCUSDT').status).toBe(404);
  });
});
