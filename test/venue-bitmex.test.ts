import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type MarketSnapshot } from '../src/core/model';
import { bitmex, bitmexContractSpec, parseBitmexLiquidations } from '../src/venues/bitmex';
import { fixture } from './fixtures';
import { bitmexMock } from './mock/venues/bitmex';
import { MockReject } from './mock/types';
import { marketRow, staticView } from './mock/view';

const RECEIVED = 1763600000000;
const insert = fixture('bitmex-liquidation-ws-insert-tardis.json') as { data: Array<Record<string, unknown>> };
const instrument = fixture('bitmex-instrument-xbtusd-rest-element.json') as Record<string, unknown>;
const withRow = (row: Record<string, unknown>) => ({ table: 'liquidation', action: 'insert', data: [row] });

/** A linear USDT instrument row, as /instrument sends it (fields as in the XBTUSD capture). */
function linearRow(symbol: string, underlying: string, perUnit: number) {
  return {
    ...instrument,
    symbol,
    underlying,
    rootSymbol: underlying,
    quoteCurrency: 'USDT',
    positionCurrency: underlying,
    settlCurrency: 'USDt',
    isInverse: false,
    isQuanto: false,
    multiplier: 100,
    underlyingToPositionMultiplier: perUnit,
    underlyingToSettleMultiplier: null,
    quoteToSettleMultiplier: 1000000,
  };
}

describe('bitmex.parseLiquidations', () => {
  it('normalises an XBTUSD insert: Buy order = short liquidated, leavesQty is USD face value', () => {
    const [liq, ...rest] = parseBitmexLiquidations(fixture('bitmex-liquidation-ws-insert-tardis.json'), RECEIVED);
    expect(rest).toEqual([]);
    expect(liq).toEqual({
      venue: 'bitmex',
      symbol: 'XBTUSD',
      asset: 'BTC',
      side: 'short',
      price: 10106,
      quantity: 9214 / 10106,
      notionalUsd: 9214,
      time: RECEIVED,
      id: 'dd9cea25-207c-0dab-15b5-b88da776f500',
    });
  });

  it('maps a Sell order to a long liquidation', () => {
    const [liq] = parseBitmexLiquidations(withRow({ ...insert.data[0], side: 'Sell' }), RECEIVED);
    expect(liq?.side).toBe('long');
  });

  it('stamps the receive time, since BitMEX rows carry none', () => {
    const before = Date.now();
    const [liq] = bitmex.parseLiquidations(fixture('bitmex-liquidation-ws-insert-tardis.json'));
    expect(liq!.time).toBeGreaterThanOrEqual(before);
    expect(liq!.time).toBeLessThanOrEqual(Date.now());
  });

  it('returns [] for delete, update and partial actions, acks, the welcome banner and pong', () => {
    expect(bitmex.parseLiquidations(fixture('bitmex-liquidation-ws-delete-tardis.json'))).toEqual([]);
    expect(bitmex.parseLiquidations({ table: 'liquidation', action: 'update', data: [{ orderID: 'x', symbol: 'XBTUSD', leavesQty: 100 }] })).toEqual([]);
    expect(bitmex.parseLiquidations({ table: 'liquidation', action: 'partial', keys: ['orderID'], data: [insert.data[0]] })).toEqual([]);
    expect(bitmex.parseLiquidations({ success: true, subscribe: 'liquidation', request: { op: 'subscribe', args: ['liquidation'] } })).toEqual([]);
    expect(bitmex.parseLiquidations({ info: 'Welcome to the BitMEX Realtime API.', version: '2.0.0', timestamp: '2025-01-01T00:00:00.000Z' })).toEqual([]);
    expect(bitmex.parseLiquidations({ table: 'instrument', action: 'update', data: [{ symbol: 'XBTUSD', markPrice: 1 }] })).toEqual([]);
    expect(bitmex.parseLiquidations('pong')).toEqual([]);
  });

  it('converts linear contracts with the size learned from /instrument, and skips sizes it does not know', () => {
    const row = { orderID: 'a', symbol: 'SOLUSDT', side: 'Sell', price: 150, leavesQty: 25_000 };
    expect(parseBitmexLiquidations(withRow(row), RECEIVED)).toEqual([]);
    bitmex.parsePoll('instrument', [linearRow('SOLUSDT', 'SOL', 10_000)], ['SOL']);
    expect(bitmexContractSpec('SOLUSDT')).toEqual({ kind: 'linear', basePerContract: 1 / 10_000 });
    const [liq] = parseBitmexLiquidations(withRow(row), RECEIVED);
    expect(liq).toMatchObject({ asset: 'SOL', side: 'long', price: 150 });
    expect(liq!.quantity).toBeCloseTo(2.5, 12);
    expect(liq!.notionalUsd).toBeCloseTo(375, 9);
    // Quanto ETHUSD is worth a fixed XBT amount per point: no USD size without the XBT price.
    bitmex.parsePoll('instrument', [{ ...instrument, symbol: 'ETHUSD', underlying: 'ETH', isInverse: false, isQuanto: true, multiplier: 100 }], ['ETH']);
    expect(parseBitmexLiquidations(withRow({ ...row, symbol: 'ETHUSD' }), RECEIVED)).toEqual([]);
  });

  it('reports a BitMEX error frame readably', () => {
    expect(() => bitmex.parseLiquidations({ status: 400, error: 'Unknown table: liquidations', meta: {}, request: {} })).toThrow(/bitmex: request rejected: Unknown table/);
  });

  it.each([
    ['the REST placeholder row (price 0, symbol "string")', withRow((fixture('bitmex-liquidation-rest-schema-placeholder.json') as object[])[0] as Record<string, unknown>)],
    ['a missing leavesQty', withRow({ ...insert.data[0], leavesQty: undefined })],
    ['a negative leavesQty', withRow({ ...insert.data[0], leavesQty: -5 })],
    ['a zero price', withRow({ ...insert.data[0], price: 0 })],
    ['a NaN price', withRow({ ...insert.data[0], price: 'NaN' })],
    ['an unknown side', withRow({ ...insert.data[0], side: 'Hold' })],
    ['an unknown action', { table: 'liquidation', action: 'upsert', data: [] }],
    ['data that is not an array', { table: 'liquidation', action: 'insert', data: {} }],
    ['a bare array', [insert.data[0]]],
    ['text that is not pong', 'hello'],
  ])('throws VenueDataError for %s', (_name, message) => {
    expect(() => parseBitmexLiquidations(message, RECEIVED)).toThrow(VenueDataError);
  });
});

describe('bitmex.parsePoll', () => {
  it('reads XBTUSD: mark, index, 8 h funding, OI in USD contracts, quote volume', () => {
    const { markets } = bitmex.parsePoll('instrument', [instrument], ['BTC']);
    let snap: MarketSnapshot | undefined;
    for (const update of markets) snap = mergeMarket(snap, update);
    expect(snap).toMatchObject({
      venue: 'bitmex',
      symbol: 'XBTUSD',
      asset: 'BTC',
      lastPrice: 97893.7,
      markPrice: 97849.76,
      indexPrice: 97843.77,
      fundingRate: 0.00011,
      fundingIntervalHours: 8,
      nextFundingTime: Date.parse('2024-11-25T04:00:00.000Z'),
      openInterestUsd: 411647400,
      perpVolume24hUsd: 419742700,
      time: Date.parse('2024-11-24T23:33:19.034Z'),
    });
    expect(snap?.fundingRate8h).toBeCloseTo(0.00011, 12);
    expect(Object.values(snap!).some((v) => typeof v === 'number' && Number.isNaN(v))).toBe(false);
  });

  it('gives linear OI in base units (contracts / underlyingToPositionMultiplier) and ignores unwatched rows', () => {
    const { markets } = bitmex.parsePoll('instrument', [instrument, { ...linearRow('ETHUSDT', 'ETH', 100_000), openInterest: 250_000_000 }], ['ETH']);
    expect(markets).toHaveLength(1);
    expect(markets[0]).toMatchObject({ symbol: 'ETHUSDT', asset: 'ETH', openInterestBase: 2500 });
    expect(markets[0]?.openInterestUsd).toBeUndefined();
  });

  it('asks for every watched symbol in one filtered /instrument request', () => {
    const requests = bitmex.pollRequests(['BTC', 'ETH', 'SOL']);
    expect(requests).toHaveLength(1);
    const url = new URL(requests[0]!.url);
    expect(url.origin + url.pathname).toBe('https://www.bitmex.com/api/v1/instrument');
    expect(JSON.parse(url.searchParams.get('filter')!)).toEqual({ symbol: ['XBTUSD', 'ETHUSDT', 'SOLUSDT'] });
    expect(bitmex.rateBudget.requestsPerMinute * 10).toBeLessThanOrEqual(bitmex.rateBudget.limitPerMinute);
  });

  it('marks malformed or refused bodies with a readable error', () => {
    expect(() => bitmex.parsePoll('instrument', [{ ...instrument, markPrice: -1 }], ['BTC'])).toThrow(/instrument at 0\.markPrice/);
    expect(() => bitmex.parsePoll('instrument', { error: { message: 'Rate limit exceeded', name: 'HTTPError' } }, ['BTC'])).toThrow(/Rate limit exceeded/);
    expect(() => bitmex.parsePoll('instrument', [{ ...instrument, timestamp: 'yesterday' }], ['BTC'])).toThrow(VenueDataError);
    expect(() => bitmex.parsePoll('funding', [], ['BTC'])).toThrow(VenueDataError);
  });
});

describe('bitmex.openStream', () => {
  it('subscribes to the symbol-less liquidation topic and pings with the literal string', () => {
    const session = bitmex.openStream(['BTC'])!;
    expect(session.url).toBe('wss://ws.bitmex.com/realtime');
    expect(session.onOpen().map((f) => JSON.parse(f))).toEqual([{ op: 'subscribe', args: ['liquidation'] }]);
    expect(session.heartbeat).toEqual({ intervalMs: 20_000, message: 'ping' });
    expect(session.heartbeat.intervalMs).toBeLessThanOrEqual(25_000);
    expect(session.onMessage('pong')).toEqual({ liquidations: [], markets: [], replies: [] });
    expect(() => session.onMessage('{"table":')).toThrow(VenueDataError);
  });
});

const view = staticView([marketRow('bitmex', 'BTC', 72000), marketRow('bitmex', 'ETH', 2600), marketRow('bitmex', 'SOL', 150)]);

function serve(url: string) {
  const u = new URL(url);
  return bitmexMock.http({ method: 'GET', host: u.host, path: u.pathname, query: u.searchParams, body: '' }, view);
}

describe('bitmex mock ↔ adapter', () => {
  it('serves every poll request, and the adapter parses sane figures for each asset', () => {
    const snaps = new Map<string, MarketSnapshot>();
    for (const request of bitmex.pollRequests(['BTC', 'ETH', 'SOL'])) {
      const res = serve(request.url);
      expect(res.status, request.url).toBe(200);
      for (const update of bitmex.parsePoll(request.key, res.body, ['BTC', 'ETH', 'SOL']).markets) snaps.set(update.asset, mergeMarket(snaps.get(update.asset), update));
    }
    expect([...snaps.keys()].sort()).toEqual(['BTC', 'ETH', 'SOL']);
    for (const snap of snaps.values()) {
      expect(snap.openInterestUsd).toBeCloseTo(3.6e9, -4);
      expect(snap.fundingRate8h).toBeCloseTo(0.0001);
      expect(snap.perpVolume24hUsd).toBeCloseTo(9e9, -2);
      expect(snap.markPrice! / snap.indexPrice!).toBeCloseTo(1.0003, 6);
    }
  });

  it.each([
    ['BTC', 'short', 72010, 125000],
    ['ETH', 'long', 2590, 48000],
  ] as const)('round-trips a %s liquidation; only the insert counts, not its update and delete', (asset, side, price, notionalUsd) => {
    // Learn the linear contract sizes the way the worker does: from a poll.
    for (const request of bitmex.pollRequests(['BTC', 'ETH'])) bitmex.parsePoll(request.key, serve(request.url).body, ['BTC', 'ETH']);
    const socket = bitmexMock.connect('ws.bitmex.com', '/realtime');
    const session = bitmex.openStream([asset])!;
    for (const frame of session.onOpen()) for (const reply of socket.onMessage(frame, view)) expect(session.onMessage(reply).liquidations).toEqual([]);
    const event = { t: 0, type: 'liquidation' as const, venue: 'bitmex' as const, asset, side, price, notionalUsd, time: 1763600000000 };
    const frames = socket.liquidationFrames(event, view);
    expect(frames).toHaveLength(3);
    const liqs = frames.flatMap((f) => session.onMessage(f).liquidations);
    expect(liqs).toHaveLength(1);
    expect(liqs[0]).toMatchObject({ venue: 'bitmex', asset, side, price });
    // Contracts are whole numbers: XBTUSD is exact to $1, linear to one contract.
    expect(liqs[0]!.notionalUsd).toBeCloseTo(notionalUsd, -1);
  });

  it('answers the heartbeat and sends nothing to a client that did not subscribe', () => {
    const socket = bitmexMock.connect('ws.bitmex.com', '/realtime');
    expect(socket.onMessage(bitmex.openStream(['BTC'])!.heartbeat.message, view)).toEqual(['pong']);
    const event = { t: 0, type: 'liquidation' as const, venue: 'bitmex' as const, asset: 'BTC', side: 'long' as const, price: 72000, notionalUsd: 1000, time: 1 };
    expect(socket.liquidationFrames(event, view)).toEqual([]);
  });

  it.each([
    ['a symbol on the liquidation topic', { op: 'subscribe', args: ['liquidation:XBTUSD'] }],
    ['an unknown table', { op: 'subscribe', args: ['liquidations'] }],
    ['an unknown symbol', { op: 'subscribe', args: ['trade:FOOUSD'] }],
    ['an unknown op', { op: 'sub', args: ['liquidation'] }],
  ])('rejects a subscribe with %s', (_name, request) => {
    const socket = bitmexMock.connect('ws.bitmex.com', '/realtime');
    expect(() => socket.onMessage(JSON.stringify(request), view)).toThrow(MockReject);
  });

  it('rejects a wrong WebSocket path, an unknown REST path and a malformed filter', () => {
    expect(() => bitmexMock.connect('ws.bitmex.com', '/realtimePlatform')).toThrow(MockReject);
    expect(() => bitmexMock.connect('ws.bitmex.com', '/realtime?subscribe=liquidation:XBTUSD')).toThrow(MockReject);
    expect(serve('https://www.bitmex.com/api/v1/instruments').status).toBe(404);
    expect(serve('https://www.bitmex.com/api/v1/instrument?filter=%7Bsymbol').status).toBe(400);
  });
});
