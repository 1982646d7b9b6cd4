import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type MarketSnapshot } from '../src/core/model';
import { bitget } from '../src/venues/bitget';
import { fixture } from './fixtures';
import { bitgetMock } from './mock/venues/bitget';
import { MockReject } from './mock/types';
import { marketRow, staticView } from './mock/view';

const docs = fixture('bitget-liquidation-ws-uta-docs.json') as { data: Array<Record<string, unknown>> };
const withRow = (row: Record<string, unknown>) => ({ ...docs, data: [row] });

describe('bitget.parseLiquidations', () => {
  it('normalises the documented push: side is the position (buy = long), amount is USDT', () => {
    expect(bitget.parseLiquidations(fixture('bitget-liquidation-ws-uta-docs.json'))).toEqual([
      {
        venue: 'bitget',
        symbol: 'BTCUSDT',
        asset: 'BTC',
        side: 'long',
        price: 89000,
        quantity: 37.722858 / 89000,
        notionalUsd: 37.722858,
        time: 1736371332162,
      },
    ]);
  });

  it('reads every row of a captured batch; amount / price gives whole base sizes', () => {
    const liqs = bitget.parseLiquidations(fixture('bitget-liquidation-ws-v3-tardis.json'));
    expect(liqs.map((l) => [l.asset, l.side, l.time])).toEqual([
      ['APE', 'long', 1777358886549],
      ['IP', 'long', 1777358876983],
    ]);
    // The amounts are quote values of round base sizes, which confirms the documented unit.
    expect(liqs[0]!.quantity).toBeCloseTo(83.1, 9);
    expect(liqs[1]!.quantity).toBeCloseTo(286.5, 9);
    expect(liqs[1]!.notionalUsd).toBeCloseTo(143.330431857868, 12);
  });

  it('maps sell to a short liquidation', () => {
    expect(bitget.parseLiquidations(withRow({ ...docs.data[0], side: 'sell' }))[0]?.side).toBe('short');
  });

  it('returns [] for acks, pong, other topics and an empty batch', () => {
    expect(bitget.parseLiquidations({ event: 'subscribe', arg: { instType: 'usdt-futures', topic: 'liquidation' }, connId: 'abc' })).toEqual([]);
    expect(bitget.parseLiquidations('pong')).toEqual([]);
    expect(bitget.parseLiquidations({ action: 'snapshot', arg: { instType: 'usdt-futures', topic: 'ticker', symbol: 'BTCUSDT' }, data: [{ lastPrice: '1' }], ts: 1 })).toEqual([]);
    expect(bitget.parseLiquidations({ ...docs, data: [] })).toEqual([]);
  });

  it('reports a Bitget error event readably', () => {
    expect(() => bitget.parseLiquidations({ event: 'error', code: '30001', msg: "topic:liquidations doesn't exist" })).toThrow(/bitget: request rejected: 30001 topic:liquidations/);
  });

  it.each([
    ['a negative amount', withRow({ ...docs.data[0], amount: '-1' })],
    ['a zero price', withRow({ ...docs.data[0], price: '0' })],
    ['a NaN price', withRow({ ...docs.data[0], price: 'NaN' })],
    ['an empty amount', withRow({ ...docs.data[0], amount: '' })],
    ['a position word instead of buy/sell', withRow({ ...docs.data[0], side: 'long' })],
    ['a missing ts', withRow({ ...docs.data[0], ts: undefined })],
    ['data that is not an array', { ...docs, data: docs.data[0] }],
    ['a missing arg', { action: 'update', data: docs.data }],
    ['text that is not pong', 'hello'],
  ])('throws VenueDataError for %s', (_name, message) => {
    expect(() => bitget.parseLiquidations(message)).toThrow(VenueDataError);
  });
});

describe('bitget.parsePoll', () => {
  const tickers = fixture('bitget-mix-tickers-rest.json') as { data: Array<Record<string, unknown>> };
  /** The docs' tickers example lists coin-M symbols only; rename one row to the USDT-M symbol we watch. */
  const usdtTickers = { ...tickers, data: [...tickers.data, { ...tickers.data[0], symbol: 'BTCUSDT', markPrice: '29905.1', usdtVolume: '1250000' }] };

  it('merges ticker, funding-time and open-interest into one sane snapshot', () => {
    let snap: MarketSnapshot | undefined;
    for (const [key, body] of [
      ['tickers', usdtTickers],
      ['fundingTime:BTCUSDT', fixture('bitget-mix-funding-time-rest.json')],
      ['openInterest:BTCUSDT', fixture('bitget-mix-open-interest-rest.json')],
    ] as const) {
      for (const update of bitget.parsePoll(key, body, ['BTC']).markets) snap = mergeMarket(snap, update);
    }
    expect(snap).toMatchObject({
      venue: 'bitget',
      symbol: 'BTCUSDT',
      asset: 'BTC',
      lastPrice: 29904.5,
      markPrice: 29905.1,
      indexPrice: 29132.353333,
      fundingRate: -0.0007,
      fundingIntervalHours: 8,
      nextFundingTime: 1695801600000,
      openInterestBase: 34278.06,
      perpVolume24hUsd: 1250000,
    });
    expect(snap?.fundingRate8h).toBeCloseTo(-0.0007, 12);
    // Open interest is in BTC, valued at the mark.
    expect(snap?.openInterestUsd).toBeCloseTo(34278.06 * 29905.1, 2);
  });

  it('normalises a 4 h funding period to 8 h', () => {
    const funding = fixture('bitget-mix-funding-time-rest.json') as { data: Array<Record<string, unknown>> };
    let snap: MarketSnapshot | undefined;
    for (const update of [
      ...bitget.parsePoll('fundingTime:BTCUSDT', { ...funding, data: [{ ...funding.data[0], ratePeriod: '4' }] }, ['BTC']).markets,
      ...bitget.parsePoll('tickers', usdtTickers, ['BTC']).markets,
    ]) snap = mergeMarket(snap, update);
    expect(snap?.fundingRate8h).toBeCloseTo(-0.0014, 12);
  });

  it('ignores unwatched symbols and tolerates the older ticker without markPrice', () => {
    expect(bitget.parsePoll('tickers', fixture('bitget-mix-tickers-rest.json'), ['BTC']).markets).toEqual([]);
    const old = { ...tickers, data: [{ ...tickers.data[1], symbol: 'ETHUSDT' }] };
    const [update] = bitget.parsePoll('tickers', old, ['ETH']).markets;
    expect(update).toMatchObject({ asset: 'ETH', lastPrice: 1829.3, indexPrice: 1822.15 });
    expect(update?.markPrice).toBeUndefined();
  });

  it('marks malformed or refused bodies with a readable error', () => {
    expect(() => bitget.parsePoll('tickers', { ...usdtTickers, data: [{ ...usdtTickers.data[0], lastPr: 'abc' }] }, ['BTC'])).toThrow(/tickers at 0\.lastPr/);
    expect(() => bitget.parsePoll('openInterest:BTCUSDT', { code: '40034', msg: 'Parameter BTCUSD does not exist', requestTime: 1, data: null }, ['BTC'])).toThrow(/40034 Parameter BTCUSD does not exist/);
    expect(() => bitget.parsePoll('fundingTime:BTCUSDT', { code: '00000', msg: 'success', data: [{ symbol: 'BTCUSDT', nextFundingTime: '1695801600000', ratePeriod: '0' }] }, ['BTC'])).toThrow(VenueDataError);
    expect(() => bitget.parsePoll('contracts', fixture('bitget-mix-contracts-rest.json'), ['BTC'])).toThrow(VenueDataError);
  });

  it('stays within 10 % of the documented per-IP limit', () => {
    const requests = bitget.pollRequests(['BTC', 'ETH', 'SOL']);
    expect(requests.length * 2).toBe(bitget.rateBudget.requestsPerMinute);
    expect(bitget.rateBudget.requestsPerMinute * 10).toBeLessThanOrEqual(bitget.rateBudget.limitPerMinute);
  });
});

describe('bitget.openStream', () => {
  it('subscribes to the UTA liquidation topic and pings with the string ping', () => {
    const session = bitget.openStream(['BTC'])!;
    expect(session.url).toBe('wss://ws.bitget.com/v3/ws/public');
    expect(session.onOpen().map((f) => JSON.parse(f))).toEqual([{ op: 'subscribe', args: [{ instType: 'usdt-futures', topic: 'liquidation' }] }]);
    expect(session.heartbeat).toEqual({ intervalMs: 20_000, message: 'ping' });
    expect(session.maxConnectionMs).toBeLessThan(24 * 60 * 60 * 1000);
    expect(session.onMessage('pong')).toEqual({ liquidations: [], markets: [], replies: [] });
    expect(session.onMessage(JSON.stringify(fixture('bitget-liquidation-ws-v3-tardis.json'))).liquidations).toHaveLength(2);
  });
});

const view = staticView([marketRow('bitget', 'BTC', 72000), marketRow('bitget', 'ETH', 2600), marketRow('bitget', 'SOL', 150)]);

function serve(url: string) {
  const u = new URL(url);
  return bitgetMock.http({ method: 'GET', host: u.host, path: u.pathname, query: u.searchParams, body: '' }, view);
}

describe('bitget mock ↔ adapter', () => {
  it.each([
    ['long', 71950, 125000],
    ['short', 72050, 8000],
  ] as const)('round-trips a %s liquidation through the wire format', (side, price, notionalUsd) => {
    const socket = bitgetMock.connect('ws.bitget.com', '/v3/ws/public');
    const session = bitget.openStream(['BTC'])!;
    for (const frame of session.onOpen()) for (const reply of socket.onMessage(frame, view)) expect(session.onMessage(reply).liquidations).toEqual([]);
    const event = { t: 0, type: 'liquidation' as const, venue: 'bitget' as const, asset: 'BTC', side, price, notionalUsd, time: 1763600000000 };
    const [liq, ...rest] = socket.liquidationFrames(event, view).flatMap((f) => session.onMessage(f).liquidations);
    expect(rest).toEqual([]);
    expect(liq).toMatchObject({ venue: 'bitget', asset: 'BTC', side, price, time: event.time });
    expect(liq!.notionalUsd).toBeCloseTo(notionalUsd, 4);
  });

  it('serves every poll request with 200, and the adapter parses sane figures', () => {
    const snaps = new Map<string, MarketSnapshot>();
    for (const request of bitget.pollRequests(['BTC', 'ETH', 'SOL'])) {
      const res = serve(request.url);
      expect(res.status, request.url).toBe(200);
      for (const update of bitget.parsePoll(request.key, res.body, ['BTC', 'ETH', 'SOL']).markets) snaps.set(update.asset, mergeMarket(snaps.get(update.asset), update));
    }
    expect([...snaps.keys()].sort()).toEqual(['BTC', 'ETH', 'SOL']);
    for (const snap of snaps.values()) {
      expect(snap.openInterestUsd).toBeCloseTo(3.6e9, -3);
      expect(snap.fundingRate8h).toBeCloseTo(0.0001);
      expect(snap.fundingIntervalHours).toBe(8);
      expect(snap.perpVolume24hUsd).toBeCloseTo(9e9, -2);
      expect(snap.nextFundingTime).toBeGreaterThan(view.now);
    }
  });

  it('answers ping and sends nothing to a client that did not subscribe', () => {
    const socket = bitgetMock.connect('ws.bitget.com', '/v3/ws/public');
    expect(socket.onMessage(bitget.openStream(['BTC'])!.heartbeat.message, view)).toEqual(['pong']);
    const event = { t: 0, type: 'liquidation' as const, venue: 'bitget' as const, asset: 'BTC', side: 'long' as const, price: 72000, notionalUsd: 1000, time: 1 };
    expect(socket.liquidationFrames(event, view)).toEqual([]);
  });

  it.each([
    ['the v2 channel shape', { op: 'subscribe', args: [{ instType: 'USDT-FUTURES', channel: 'liquidation' }] }],
    ['args that are not a list', { op: 'subscribe', args: { instType: 'usdt-futures', topic: 'liquidation' } }],
    ['an unknown topic', { op: 'subscribe', args: [{ instType: 'usdt-futures', topic: 'liquidations' }] }],
    ['a spot liquidation topic', { op: 'subscribe', args: [{ instType: 'spot', topic: 'liquidation' }] }],
    ['an unknown symbol', { op: 'subscribe', args: [{ instType: 'usdt-futures', topic: 'ticker', symbol: 'FOOUSDT' }] }],
    ['a missing op', { args: [{ instType: 'usdt-futures', topic: 'liquidation' }] }],
  ])('rejects a subscribe with %s', (_name, request) => {
    const socket = bitgetMock.connect('ws.bitget.com', '/v3/ws/public');
    expect(() => socket.onMessage(JSON.stringify(request), view)).toThrow(MockReject);
  });

  it('rejects the v2 socket path and REST requests missing a required parameter or naming an unknown symbol', () => {
    expect(() => bitgetMock.connect('ws.bitget.com', '/v2/ws/public')).toThrow(MockReject);
    expect(serve('https://api.bitget.com/api/v2/mix/market/tickers').status).toBe(400);
    expect(serve('https://api.bitget.com/api/v2/mix/market/open-interest?productType=USDT-FUTURES').status).toBe(400);
    expect(serve('https://api.bitget.com/api/v2/mix/market/funding-time?symbol=FOOUSDT&productType=USDT-FUTURES').status).toBe(400);
    expect(serve('https://api.bitget.com/api/v2/mix/market/ticker-all?productType=USDT-FUTURES').status).toBe(404);
  });
});
