import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type InstrumentSpec, type MarketSnapshot } from '../src/core/model';
import { deribit } from '../src/venues/deribit';
import { mockAnswer, mockCatalogue } from './catalogue';
import { fixture } from './fixtures';
import { MockReject } from './mock/types';
import { DERIBIT_MOCK_EXTRA_INSTRUMENTS, deribitMock } from './mock/venues/deribit';
import { marketRow, staticView } from './mock/view';

type Notification = { jsonrpc: string; method: string; params: { channel: string; data: Array<Record<string, unknown>> } };
const tradesFixture = (which: 'M' | 'T') => fixture(`deribit-trades-ws-liquidation-${which}-tardis.json`) as Notification;

const spec = (symbol: string, asset: string, inverse: boolean, kind: InstrumentSpec['kind'] = 'perp'): InstrumentSpec => ({
  venue: 'deribit',
  symbol,
  asset,
  kind,
  priceScale: 1,
  contract: inverse ? { type: 'inverse', usd: 1 } : { type: 'linear', size: 1 },
});
const CATALOGUE: InstrumentSpec[] = [spec('BTC-PERPETUAL', 'BTC', true), spec('ETH-PERPETUAL', 'ETH', true), spec('SOL_USDC-PERPETUAL', 'SOL', false), spec('BTC-26DEC25', 'BTC', true, 'dated')];

/** The fixture with its single trade changed. */
function withTrade(which: 'M' | 'T', changes: Record<string, unknown>): Notification {
  const message = tradesFixture(which);
  return { ...message, params: { ...message.params, data: [{ ...message.params.data[0], ...changes }] } };
}

describe('deribit.parseLiquidations', () => {
  it('"M" with taker buy: the maker sold, so a long was liquidated; inverse amount is USD', () => {
    expect(deribit.parseLiquidations(tradesFixture('M'), CATALOGUE)).toEqual([
      {
        venue: 'deribit',
        symbol: 'BTC-PERPETUAL',
        asset: 'BTC',
        kind: 'perp',
        side: 'long',
        price: 4458.5,
        quantity: 2500 / 4458.5,
        notionalUsd: 2500,
        time: 1584058067675,
      },
    ]);
  });

  it('"T" with taker sell: the liquidated taker sold, so a long was liquidated', () => {
    const [liq] = deribit.parseLiquidations(tradesFixture('T'), CATALOGUE);
    expect(liq).toMatchObject({ side: 'long', price: 4469.5, notionalUsd: 1120, time: 1584058044032 });
    expect(liq!.quantity).toBeCloseTo(1120 / 4469.5, 12);
  });

  it.each([
    ['T', 'buy', ['short']],
    ['M', 'sell', ['short']],
    ['MT', 'buy', ['long', 'short']],
  ])('liquidation %s with taker %s → %j', (flag, direction, sides) => {
    const liqs = deribit.parseLiquidations(withTrade('T', { liquidation: flag, direction }), CATALOGUE);
    expect(liqs.map((l) => l.side).sort()).toEqual(sides);
    for (const liq of liqs) expect(liq.notionalUsd).toBe(1120);
  });

  it('linear USDC perpetual: amount is coins, notional = amount × price', () => {
    const [liq] = deribit.parseLiquidations(withTrade('T', { instrument_name: 'SOL_USDC-PERPETUAL', price: 150, amount: 12.5 }), CATALOGUE);
    expect(liq).toMatchObject({ symbol: 'SOL_USDC-PERPETUAL', asset: 'SOL', quantity: 12.5, notionalUsd: 1875 });
  });

  it('a dated future counts as a liquidation of its asset, kind "dated"', () => {
    const [liq] = deribit.parseLiquidations(withTrade('T', { instrument_name: 'BTC-26DEC25' }), CATALOGUE);
    expect(liq).toMatchObject({ symbol: 'BTC-26DEC25', asset: 'BTC', kind: 'dated', notionalUsd: 1120 });
  });

  it('skips an instrument the catalogue lacks, and the stream session reports it', () => {
    const message = withTrade('T', { instrument_name: 'XRP_USDC-PERPETUAL' });
    expect(deribit.parseLiquidations(message, CATALOGUE)).toEqual([]);
    const [session] = deribit.openStreams([], CATALOGUE);
    const out = session!.onMessage(JSON.stringify(message));
    expect(out.liquidations).toEqual([]);
    expect(out.unknownSymbols).toEqual(['XRP_USDC-PERPETUAL']);
  });

  it.each([
    ['a trade without liquidation flag', withTrade('T', { liquidation: undefined })],
    ['a subscribe reply', { jsonrpc: '2.0', id: 2, result: ['trades.BTC-PERPETUAL.100ms'], usIn: 1, usOut: 2, usDiff: 1, testnet: false }],
    ['a heartbeat', { jsonrpc: '2.0', method: 'heartbeat', params: { type: 'heartbeat' } }],
    ['a test_request', { jsonrpc: '2.0', method: 'heartbeat', params: { type: 'test_request' } }],
    ['a ticker notification', fixture('deribit-ticker-ws-perpetual.json')],
    ['a book summary response', fixture('deribit-get_book_summary_by_currency-rest-docs.json')],
  ])('returns [] for %s', (_name, message) => {
    expect(deribit.parseLiquidations(message, CATALOGUE)).toEqual([]);
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
    expect(() => deribit.parseLiquidations(message, CATALOGUE)).toThrow(VenueDataError);
  });
});

describe('deribit catalogue', () => {
  it('asks for every future of every currency in one request', () => {
    expect(deribit.instrumentRequests().map((r) => r.url)).toEqual(['https://www.deribit.com/api/v2/public/get_instruments?currency=any&kind=future']);
  });

  it('reads the documented list: a dated and a perpetual inverse ("reversed") future, amounts in USD', () => {
    expect(deribit.parseInstruments('instruments', fixture('deribit-get_instruments-rest-docs.json'))).toEqual([
      { venue: 'deribit', symbol: 'BTC-29SEP23', asset: 'BTC', kind: 'dated', priceScale: 1, contract: { type: 'inverse', usd: 1 }, maxLeverage: 50 },
      { venue: 'deribit', symbol: 'BTC-PERPETUAL', asset: 'BTC', kind: 'perp', priceScale: 1, contract: { type: 'inverse', usd: 1 }, maxLeverage: 50 },
    ]);
  });

  it('includes USDC-settled linear perpetuals and skips inactive instruments', () => {
    const catalogue = mockCatalogue('deribit');
    const bySymbol = new Map(catalogue.map((s) => [s.symbol, s]));
    expect(bySymbol.get('BTC_USDC-PERPETUAL')).toMatchObject({ asset: 'BTC', kind: 'perp', contract: { type: 'linear', size: 1 } });
    expect(bySymbol.get('SOL_USDC-PERPETUAL')).toMatchObject({ asset: 'SOL', kind: 'perp', contract: { type: 'linear', size: 1 } });
    expect(bySymbol.get('BTC-26DEC25')).toMatchObject({ asset: 'BTC', kind: 'dated', contract: { type: 'inverse', usd: 1 } });
    for (const extra of DERIBIT_MOCK_EXTRA_INSTRUMENTS) expect(bySymbol.has(extra.instrument_name), extra.instrument_name).toBe(true);
    const body = structuredClone(fixture('deribit-get_instruments-rest-docs.json')) as { result: Array<Record<string, unknown>> };
    body.result[0]!.is_active = false;
    expect(deribit.parseInstruments('instruments', body).map((s) => s.symbol)).toEqual(['BTC-PERPETUAL']);
  });

  it('turns a JSON-RPC error into a VenueDataError', () => {
    expect(() => deribit.parseInstruments('instruments', { jsonrpc: '2.0', id: 8163, error: { code: 11050, message: 'bad_request' } })).toThrow(/bad_request \(11050\)/);
  });
});

describe('deribit.parsePoll', () => {
  const docsRow = (fixture('deribit-get_book_summary_by_currency-rest-docs.json') as { result: Array<Record<string, unknown>> }).result[0]!;
  const perpRow = { ...docsRow, instrument_name: 'BTC-PERPETUAL', base_currency: 'BTC', quote_currency: 'USD', mark_price: 92281.78, last: 92283.5, estimated_delivery_price: 92263.55, open_interest: 1132329370, current_funding: 0.00002, funding_8h: 0.00001742, volume_usd: 1092371540, creation_timestamp: 1765541474086 };

  it('polls one book summary per settlement currency of the listed perpetuals, whatever is tracked', () => {
    const urls = (tracked: string[]) => deribit.pollRequests(tracked, CATALOGUE).map((r) => r.url);
    expect(urls(['BTC'])).toEqual(['BTC', 'ETH', 'USDC'].map((c) => `https://www.deribit.com/api/v2/public/get_book_summary_by_currency?currency=${c}&kind=future`));
    expect(urls(['BTC', 'ETH', 'SOL', 'DOGE'])).toEqual(urls(['BTC']));
  });

  it('reads the perpetual row: inverse OI in USD, current_funding (not the trailing funding_8h) as an 8 h rate', () => {
    const out = deribit.parsePoll('bookSummary:BTC', { jsonrpc: '2.0', result: [docsRow, perpRow] }, CATALOGUE);
    expect(out.markets).toHaveLength(1);
    const snap = mergeMarket(undefined, out.markets[0]!);
    expect(snap).toMatchObject({ symbol: 'BTC-PERPETUAL', asset: 'BTC', kind: 'perp', markPrice: 92281.78, lastPrice: 92283.5, indexPrice: 92263.55, openInterestUsd: 1132329370, perpVolume24hUsd: 1092371540, fundingIntervalHours: 8 });
    expect(snap.fundingRate8h).toBeCloseTo(0.00002, 12);
  });

  it('ignores the documented option row and dated futures', () => {
    expect(deribit.parsePoll('bookSummary:ETH', fixture('deribit-get_book_summary_by_currency-rest-docs.json'), CATALOGUE).markets).toEqual([]);
    expect(deribit.parsePoll('bookSummary:BTC', { result: [{ ...perpRow, instrument_name: 'BTC-26DEC25' }] }, CATALOGUE).markets).toEqual([]);
  });

  it('linear USDC perpetual: OI in coins × mark = USD', () => {
    const out = deribit.parsePoll('bookSummary:USDC', { result: [{ ...perpRow, instrument_name: 'SOL_USDC-PERPETUAL', mark_price: 150, open_interest: 1000 }] }, CATALOGUE);
    expect(out.markets[0]).toMatchObject({ symbol: 'SOL_USDC-PERPETUAL', asset: 'SOL', openInterestUsd: 150000 });
  });

  it('names the bad field of a malformed row', () => {
    expect(() => deribit.parsePoll('bookSummary:BTC', { result: [{ ...perpRow, mark_price: 'x' }] }, CATALOGUE)).toThrow(/BTC-PERPETUAL at mark_price/);
    expect(() => deribit.parsePoll('bookSummary:BTC', { error: { code: 1, message: 'x' } }, CATALOGUE)).toThrow(VenueDataError);
  });
});

describe('deribit.classifyFailure', () => {
  const none = { get: () => null };
  it('error 10028 too_many_requests and 10066 are rate limits; other errors use the defaults', () => {
    const body = '{"jsonrpc":"2.0","id":1,"error":{"message":"too_many_requests","code":10028},"testnet":false}';
    expect(deribit.classifyFailure!(429, body, none)).toMatchObject({ kind: 'rateLimited', reason: expect.stringMatching(/too_many_requests/) });
    expect(deribit.classifyFailure!(400, body, none)!.pauseMs).toBeGreaterThan(0);
    expect(deribit.classifyFailure!(400, '{"error":{"message":"too_many_concurrent_requests","code":10066}}', none)).toMatchObject({ kind: 'rateLimited' });
    expect(deribit.classifyFailure!(400, '{"jsonrpc":"2.0","error":{"code":11050,"message":"bad_request"}}', none)).toBeNull();
    expect(deribit.classifyFailure!(200, '{"jsonrpc":"2.0","result":[]}', none)).toBeNull();
  });
});

describe('deribit stream session', () => {
  it('sets the server heartbeat and subscribes to 100ms trades of every future of every currency', () => {
    const sessions = deribit.openStreams(['BTC'], CATALOGUE);
    expect(sessions).toHaveLength(1);
    const session = sessions[0]!;
    expect(session.url).toBe('wss://www.deribit.com/ws/api/v2');
    const [heartbeat, subscribe] = session.onOpen().map((f) => JSON.parse(f));
    expect(heartbeat).toEqual({ jsonrpc: '2.0', id: 1, method: 'public/set_heartbeat', params: { interval: 30 } });
    expect(subscribe).toEqual({ jsonrpc: '2.0', id: 2, method: 'public/subscribe', params: { channels: ['trades.future.any.100ms'] } });
    expect(session.heartbeat.intervalMs).toBeLessThanOrEqual(25_000);
    expect(deribit.coverage(['BTC'], CATALOGUE)).toEqual({ covered: 4, listed: 4 });
  });

  it('answers a test_request with public/test, and not a plain heartbeat', () => {
    const [session] = deribit.openStreams(['BTC'], CATALOGUE);
    const [reply] = session!.onMessage('{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}').replies;
    expect(JSON.parse(reply!)).toMatchObject({ jsonrpc: '2.0', method: 'public/test' });
    expect(session!.onMessage('{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"heartbeat"}}').replies).toEqual([]);
  });
});

const view = staticView([marketRow('deribit', 'BTC', 72000), marketRow('deribit', 'ETH', 2600), marketRow('deribit', 'SOL', 150)]);

describe('deribit mock ↔ adapter', () => {
  const catalogue = mockCatalogue('deribit', view);

  function subscribedSocket() {
    const socket = deribitMock.connect('www.deribit.com', '/ws/api/v2');
    const [session] = deribit.openStreams([], catalogue);
    for (const frame of session!.onOpen()) for (const reply of socket.onMessage(frame, view)) session!.onMessage(reply);
    return { socket, session: session! };
  }

  it.each([
    [undefined, 'BTC', 'long', 71950, 125000, 'perp'],
    [undefined, 'SOL', 'short', 151.2, 30240, 'perp'],
    ['BTC_USDC-PERPETUAL', 'BTC', 'short', 72010, 50000, 'perp'],
    ['BTC-26DEC25', 'BTC', 'long', 73000, 20000, 'dated'],
  ] as const)('round-trips a %s %s %s liquidation through the wire format, unwatched or not', (symbol, asset, side, price, notionalUsd, kind) => {
    const { socket, session } = subscribedSocket();
    const event = { t: 0, type: 'liquidation' as const, venue: 'deribit' as const, asset, side, price, notionalUsd, time: 1763600000000, ...(symbol ? { symbol } : {}) };
    const [liq, ...rest] = socket.liquidationFrames(event, view).flatMap((f) => session.onMessage(f).liquidations);
    expect(rest).toEqual([]);
    expect(liq).toMatchObject({ venue: 'deribit', asset, side, price, kind, time: event.time });
    // Amounts are rounded to the instrument's step (10 USD inverse, 0.0001 coin linear).
    expect(Math.abs(liq!.notionalUsd / notionalUsd - 1)).toBeLessThan(1e-3);
  });

  it('sends liquidation frames only to clients subscribed to that instrument or its kind and currency', () => {
    const socket = deribitMock.connect('www.deribit.com', '/ws/api/v2');
    socket.onMessage(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'public/subscribe', params: { channels: ['trades.ETH-PERPETUAL.100ms'] } }), view);
    const event = { t: 0, type: 'liquidation' as const, venue: 'deribit' as const, asset: 'BTC', side: 'long' as const, price: 1, notionalUsd: 100, time: 1 };
    expect(socket.liquidationFrames(event, view)).toEqual([]);
  });

  it('serves every poll request the adapter makes, and the adapter parses it', () => {
    const snaps = new Map<string, MarketSnapshot>();
    for (const request of deribit.pollRequests(['BTC'], catalogue)) {
      const res = mockAnswer('deribit', request, view);
      expect(res.status, request.url).toBe(200);
      for (const update of deribit.parsePoll(request.key, res.body, catalogue).markets) snaps.set(update.symbol, mergeMarket(snaps.get(update.symbol), update));
    }
    // One perpetual per asset gives its figures: the coin-settled one where listed (BTC_USDC-PERPETUAL does not).
    expect([...snaps.keys()].sort()).toEqual(['BTC-PERPETUAL', 'ETH-PERPETUAL', 'SOL_USDC-PERPETUAL']);
    for (const snap of snaps.values()) {
      expect(snap.kind).toBe('perp');
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
    expect(() => send('public/subscribe', { channels: ['trades.future.any.raw'] })).toThrow(MockReject);
    expect(() => send('public/subscribe', { channels: ['trades.future.XRP.100ms'] })).toThrow(MockReject);
    expect(() => send('public/subscribe', { channels: ['trades.BTCUSD.100ms'] })).toThrow(MockReject);
    expect(() => send('public/subscribe', { channel: 'trades.BTC-PERPETUAL.100ms' })).toThrow(MockReject);
    expect(() => send('public/set_heartbeat', { interval: 5 })).toThrow(MockReject);
    expect(() => socket.onMessage('{"method":"public/test"}', view)).toThrow(MockReject);
    expect(() => deribitMock.connect('www.deribit.com', '/ws/api/v1')).toThrow(MockReject);
    expect(socket.onMessage(deribit.openStreams(['BTC'], catalogue)[0]!.heartbeat.message, view)).toHaveLength(1);
  });

  it('answers a book summary or instrument list without currency with a JSON-RPC invalid-params error', () => {
    for (const path of ['/api/v2/public/get_book_summary_by_currency', '/api/v2/public/get_instruments']) {
      const res = deribitMock.http({ method: 'GET', host: 'www.deribit.com', path, query: new URLSearchParams('kind=future'), body: '' }, view);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: -32602 } });
    }
  });
});
