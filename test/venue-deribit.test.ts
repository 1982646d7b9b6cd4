import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type MarketSnapshot } from '../src/core/model';
import { deribit } from '../src/venues/deribit';
import { fixture } from './fixtures';
import { MockReject } from './mock/types';
import { deribitMock } from './mock/venues/deribit';
import { marketRow, staticView } from './mock/view';

type Notification = { jsonrpc: string; method: string; params: { channel: string; data: Array<Record<string, unknown>> } };
const tradesFixture = (which: 'M' | 'T') => fixture(`deribit-trades-ws-liquidation-${which}-tardis.json`) as Notification;

/** The fixture with its single trade changed. */
function withTrade(which: 'M' | 'T', changes: Record<string, unknown>): Notification {
  const message = tradesFixture(which);
  return { ...message, params: { ...message.params, data: [{ ...message.params.data[0], ...changes }] } };
}

describe('deribit.parseLiquidations', () => {
  it('"M" with taker buy: the maker sold, so a long was liquidated; inverse amount is USD', () => {
    expect(deribit.parseLiquidations(tradesFixture('M'))).toEqual([
      {
        venue: 'deribit',
        symbol: 'BTC-PERPETUAL',
        asset: 'BTC',
        side: 'long',
        price: 4458.5,
        quantity: 2500 / 4458.5,
        notionalUsd: 2500,
        time: 1584058067675,
      },
    ]);
  });

  it('"T" with taker sell: the liquidated taker sold, so a long was liquidated', () => {
    const [liq] = deribit.parseLiquidations(tradesFixture('T'));
    expect(liq).toMatchObject({ side: 'long', price: 4469.5, notionalUsd: 1120, time: 1584058044032 });
    expect(liq!.quantity).toBeCloseTo(1120 / 4469.5, 12);
  });

  it.each([
    ['T', 'buy', ['short']],
    ['M', 'sell', ['short']],
    ['MT', 'buy', ['long', 'short']],
  ])('liquidation %s with taker %s → %j', (flag, direction, sides) => {
    const liqs = deribit.parseLiquidations(withTrade('T', { liquidation: flag, direction }));
    expect(liqs.map((l) => l.side).sort()).toEqual(sides);
    for (const liq of liqs) expect(liq.notionalUsd).toBe(1120);
  });

  it('linear USDC perpetual: amount is coins, notional = amount × price', () => {
    const [liq] = deribit.parseLiquidations(withTrade('T', { instrument_name: 'SOL_USDC-PERPETUAL', price: 150, amount: 12.5 }));
    expect(liq).toMatchObject({ symbol: 'SOL_USDC-PERPETUAL', asset: 'SOL', quantity: 12.5, notionalUsd: 1875 });
  });

  it.each([
    ['a trade without liquidation flag', withTrade('T', { liquidation: undefined })],
    ['a subscribe reply', { jsonrpc: '2.0', id: 2, result: ['trades.BTC-PERPETUAL.100ms'], usIn: 1, usOut: 2, usDiff: 1, testnet: false }],
    ['a heartbeat', { jsonrpc: '2.0', method: 'heartbeat', params: { type: 'heartbeat' } }],
    ['a test_request', { jsonrpc: '2.0', method: 'heartbeat', params: { type: 'test_request' } }],
    ['a ticker notification', fixture('deribit-ticker-ws-perpetual.json')],
    ['a book summary response', fixture('deribit-get_book_summary_by_currency-rest-docs.json')],
  ])('returns [] for %s', (_name, message) => {
    expect(deribit.parseLiquidations(message)).toEqual([]);
  });

  it.each([
    ['unknown liquidation flag', withTrade('T', { liquidation: 'X' })],
    ['unknown direction', withTrade('T', { direction: 'up' })],
    ['zero price', withTrade('T', { price: 0 })],
    ['negative amount', withTrade('T', { amount: -10 })],
    ['NaN amount', withTrade('T', { amount: Number.NaN })],
    ['data not an array', { jsonrpc: '2.0', method: 'subscription', params: { channel: 'trades.BTC-PERPETUAL.100ms', data: {} } }],
    ['an error reply', { jsonrpc: '2.0', id: 2, error: { message: 'Invalid params', code: -32602 } }],
    ['not an object', 'hello'],
  ])('throws VenueDataError for %s', (_name, message) => {
    expect(() => deribit.parseLiquidations(message)).toThrow(VenueDataError);
  });
});

describe('deribit.parsePoll', () => {
  const docsRow = (fixture('deribit-get_book_summary_by_currency-rest-docs.json') as { result: Array<Record<string, unknown>> }).result[0]!;
  const perpRow = { ...docsRow, instrument_name: 'BTC-PERPETUAL', base_currency: 'BTC', quote_currency: 'USD', mark_price: 92281.78, last: 92283.5, estimated_delivery_price: 92263.55, open_interest: 1132329370, funding_8h: 0.00001742, volume_usd: 1092371540, creation_timestamp: 1765541474086 };

  it('reads the perpetual row: inverse OI in USD, funding_8h as an 8 h rate, index = estimated delivery price', () => {
    const out = deribit.parsePoll('bookSummary:BTC', { jsonrpc: '2.0', result: [docsRow, perpRow] }, ['BTC']);
    expect(out.markets).toHaveLength(1);
    const snap = mergeMarket(undefined, out.markets[0]!);
    expect(snap).toMatchObject({ symbol: 'BTC-PERPETUAL', asset: 'BTC', markPrice: 92281.78, lastPrice: 92283.5, indexPrice: 92263.55, openInterestUsd: 1132329370, perpVolume24hUsd: 1092371540 });
    expect(snap.fundingRate8h).toBeCloseTo(0.00001742, 12);
  });

  it('ignores the documented option row (not a watched perpetual)', () => {
    expect(deribit.parsePoll('bookSummary:ETH', fixture('deribit-get_book_summary_by_currency-rest-docs.json'), ['ETH']).markets).toEqual([]);
  });

  it('linear USDC perpetual: OI is in coins', () => {
    const out = deribit.parsePoll('bookSummary:USDC', { result: [{ ...perpRow, instrument_name: 'SOL_USDC-PERPETUAL', mark_price: 150, open_interest: 1000 }] }, ['SOL']);
    const snap = mergeMarket(undefined, out.markets[0]!);
    expect(snap.openInterestBase).toBe(1000);
    expect(snap.openInterestUsd).toBeCloseTo(150000);
  });

  it('names the bad field of a malformed row', () => {
    expect(() => deribit.parsePoll('bookSummary:BTC', { result: [{ ...perpRow, mark_price: 'x' }] }, ['BTC'])).toThrow(/BTC-PERPETUAL at mark_price/);
    expect(() => deribit.parsePoll('bookSummary:BTC', { error: { code: 1, message: 'x' } }, ['BTC'])).toThrow(VenueDataError);
  });
});

describe('deribit stream session', () => {
  it('sets the server heartbeat and subscribes to 100ms trades of each perpetual in JSON-RPC form', () => {
    const session = deribit.openStream(['BTC', 'ETH', 'SOL'])!;
    expect(session.url).toBe('wss://www.deribit.com/ws/api/v2');
    const [heartbeat, subscribe] = session.onOpen().map((f) => JSON.parse(f));
    expect(heartbeat).toEqual({ jsonrpc: '2.0', id: 1, method: 'public/set_heartbeat', params: { interval: 30 } });
    expect(subscribe).toEqual({
      jsonrpc: '2.0',
      id: 2,
      method: 'public/subscribe',
      params: { channels: ['trades.BTC-PERPETUAL.100ms', 'trades.ETH-PERPETUAL.100ms', 'trades.SOL_USDC-PERPETUAL.100ms'] },
    });
    expect(session.heartbeat.intervalMs).toBeLessThanOrEqual(25_000);
  });

  it('answers a test_request with public/test, and not a plain heartbeat', () => {
    const session = deribit.openStream(['BTC'])!;
    const [reply] = session.onMessage('{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}').replies;
    expect(JSON.parse(reply!)).toMatchObject({ jsonrpc: '2.0', method: 'public/test' });
    expect(session.onMessage('{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"heartbeat"}}').replies).toEqual([]);
  });
});

const view = staticView([marketRow('deribit', 'BTC', 72000), marketRow('deribit', 'ETH', 2600), marketRow('deribit', 'SOL', 150)]);

describe('deribit mock ↔ adapter', () => {
  function subscribedSocket(watched: string[]) {
    const socket = deribitMock.connect('www.deribit.com', '/ws/api/v2');
    const session = deribit.openStream(watched)!;
    for (const frame of session.onOpen()) for (const reply of socket.onMessage(frame, view)) session.onMessage(reply);
    return { socket, session };
  }

  it.each([
    ['BTC', 'long', 71950, 125000],
    ['SOL', 'short', 151.2, 30240],
  ] as const)('round-trips a %s %s liquidation through the wire format', (asset, side, price, notionalUsd) => {
    const { socket, session } = subscribedSocket(['BTC', 'SOL']);
    const event = { t: 0, type: 'liquidation' as const, venue: 'deribit' as const, asset, side, price, notionalUsd, time: 1763600000000 };
    const [liq, ...rest] = socket.liquidationFrames(event, view).flatMap((f) => session.onMessage(f).liquidations);
    expect(rest).toEqual([]);
    expect(liq).toMatchObject({ venue: 'deribit', asset, side, price, time: event.time });
    expect(liq!.notionalUsd).toBeCloseTo(notionalUsd, 6);
  });

  it('sends liquidation frames only to clients subscribed to that instrument', () => {
    const { socket } = subscribedSocket(['ETH']);
    const event = { t: 0, type: 'liquidation' as const, venue: 'deribit' as const, asset: 'BTC', side: 'long' as const, price: 1, notionalUsd: 100, time: 1 };
    expect(socket.liquidationFrames(event, view)).toEqual([]);
  });

  it('serves every poll request the adapter makes, and the adapter parses it', () => {
    const watched = ['BTC', 'ETH', 'SOL'];
    const snaps = new Map<string, MarketSnapshot>();
    for (const request of deribit.pollRequests(watched)) {
      const url = new URL(request.url);
      const res = deribitMock.http({ method: 'GET', host: url.host, path: url.pathname, query: url.searchParams, body: '' }, view);
      expect(res.status, request.url).toBe(200);
      for (const update of deribit.parsePoll(request.key, res.body, watched).markets) snaps.set(update.asset, mergeMarket(snaps.get(update.asset), update));
    }
    expect([...snaps.keys()].sort()).toEqual(['BTC', 'ETH', 'SOL']);
    for (const snap of snaps.values()) {
      expect(snap.openInterestUsd).toBeCloseTo(3.6e9, -3);
      expect(snap.fundingRate8h).toBeCloseTo(0.0001);
      expect(snap.perpVolume24hUsd).toBeCloseTo(9e9, -3);
      expect(snap.markPrice! / snap.indexPrice! - 1).toBeCloseTo(0.0003, 6);
    }
    expect(deribit.rateBudget.requestsPerMinute / deribit.rateBudget.limitPerMinute).toBeLessThan(0.1);
  });

  it('rejects raw (unauthorised), unknown instruments, malformed subscribe params and short heartbeats', () => {
    const socket = deribitMock.connect('www.deribit.com', '/ws/api/v2');
    const send = (method: string, params: unknown) => socket.onMessage(JSON.stringify({ jsonrpc: '2.0', id: 9, method, params }), view);
    expect(() => send('public/subscribe', { channels: ['trades.BTC-PERPETUAL.raw'] })).toThrow(MockReject);
    expect(() => send('public/subscribe', { channels: ['trades.BTCUSD.100ms'] })).toThrow(MockReject);
    expect(() => send('public/subscribe', { channel: 'trades.BTC-PERPETUAL.100ms' })).toThrow(MockReject);
    expect(() => send('public/set_heartbeat', { interval: 5 })).toThrow(MockReject);
    expect(() => socket.onMessage('{"method":"public/test"}', view)).toThrow(MockReject);
    expect(() => deribitMock.connect('www.deribit.com', '/ws/api/v1')).toThrow(MockReject);
    expect(socket.onMessage(deribit.openStream(['BTC'])!.heartbeat.message, view)).toHaveLength(1);
  });

  it('answers a book summary without currency with a JSON-RPC invalid-params error', () => {
    const res = deribitMock.http({ method: 'GET', host: 'www.deribit.com', path: '/api/v2/public/get_book_summary_by_currency', query: new URLSearchParams('kind=future'), body: '' }, view);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: -32602 } });
  });
});
