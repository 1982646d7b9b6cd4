import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type InstrumentSpec, type MarketSnapshot } from '../src/core/model';
import { bitget } from '../src/venues/bitget';
import { mockCatalogue } from './catalogue';
import { fixture } from './fixtures';
import { BITGET_MOCK_EXTRA_INSTRUMENTS, bitgetMock } from './mock/venues/bitget';
import { MockReject } from './mock/types';
import { marketRow, staticView } from './mock/view';

const docs = fixture('bitget-liquidation-ws-uta-docs.json') as { data: Array<Record<string, unknown>> };
const withRow = (row: Record<string, unknown>) => ({ ...docs, data: [row] });
const catalogue = mockCatalogue('bitget');
const contractsDocs = fixture('bitget-mix-contracts-rest.json') as { data: Array<Record<string, unknown>> };
const contracts = (rows: Array<Record<string, unknown>>) => ({ ...contractsDocs, data: rows.map((row) => ({ ...contractsDocs.data[0], ...row })) });

describe('bitget.parseInstruments', () => {
  it('reads the documented contract list: a normal perpetual in base coins, with its leverage', () => {
    expect(bitget.parseInstruments('contracts', fixture('bitget-mix-contracts-rest.json'))).toEqual([
      { venue: 'bitget', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1 }, maxLeverage: 125 },
    ]);
  });

  it('keeps close-only contracts, maps delivery to dated and 1000-prefixed coins to their asset, skips listing/maintained/offline ones', () => {
    const specs = bitget.parseInstruments('contracts', contracts([
      { symbol: 'ETHUSDT', baseCoin: 'ETH', symbolStatus: 'limit_open' },
      { symbol: 'BTCUSDT_260626', baseCoin: 'BTC', symbolType: 'delivery', deliveryTime: '1782460800000' },
      { symbol: '1000BONKUSDT', baseCoin: '1000BONK' },
      { symbol: 'NEWUSDT', baseCoin: 'NEW', symbolStatus: 'listed' },
      { symbol: 'FIXUSDT', baseCoin: 'FIX', symbolStatus: 'maintain' },
      { symbol: 'OLDUSDT', baseCoin: 'OLD', symbolStatus: 'off' },
    ]));
    expect(specs.map((s) => [s.symbol, s.asset, s.kind, s.priceScale])).toEqual([
      ['ETHUSDT', 'ETH', 'perp', 1],
      ['BTCUSDT_260626', 'BTC', 'dated', 1],
      ['1000BONKUSDT', 'BONK', 'perp', 1000],
    ]);
  });

  it('rejects a refused or malformed list and an unknown key', () => {
    expect(() => bitget.parseInstruments('contracts', { code: '40020', msg: 'Parameter productType error', data: null })).toThrow(/40020/);
    expect(() => bitget.parseInstruments('contracts', contracts([{ symbol: '' }]))).toThrow(VenueDataError);
    expect(() => bitget.parseInstruments('tickers', fixture('bitget-mix-contracts-rest.json'))).toThrow(VenueDataError);
  });

  it('the mock lists each asset\'s perpetual plus the extra instruments', () => {
    expect(catalogue.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', ...BITGET_MOCK_EXTRA_INSTRUMENTS.map((i) => i.symbol)]);
  });
});

describe('bitget.parseLiquidations', () => {
  it('normalises the documented push: side is the position (buy = long), amount is USDT', () => {
    expect(bitget.parseLiquidations(fixture('bitget-liquidation-ws-uta-docs.json'), catalogue)).toEqual([
      {
        venue: 'bitget',
        symbol: 'BTCUSDT',
        asset: 'BTC',
        kind: 'perp',
        side: 'long',
        price: 89000,
        quantity: 37.722858 / 89000,
        notionalUsd: 37.722858,
        time: 1736371332162,
      },
    ]);
  });

  it('counts every row of a captured batch, of symbols nobody tracks; amount / price gives whole base sizes', () => {
    const liqs = bitget.parseLiquidations(fixture('bitget-liquidation-ws-v3-tardis.json'), catalogue);
    expect(liqs.map((l) => [l.asset, l.side, l.time])).toEqual([
      ['APE', 'long', 1777358886549],
      ['IP', 'long', 1777358876983],
    ]);
    // The amounts are quote values of round base sizes, which confirms the documented unit.
    expect(liqs[0]!.quantity).toBeCloseTo(83.1, 9);
    expect(liqs[1]!.quantity).toBeCloseTo(286.5, 9);
    expect(liqs[1]!.notionalUsd).toBeCloseTo(143.330431857868, 12);
  });

  it('values a 1000-scaled contract per coin and a delivery contract as dated', () => {
    const specs = bitget.parseInstruments('contracts', contracts([
      { symbol: '1000BONKUSDT', baseCoin: '1000BONK' },
      { symbol: 'BTCUSDT_260626', baseCoin: 'BTC', symbolType: 'delivery' },
    ]));
    const [bonk, dated] = bitget.parseLiquidations({ ...docs, data: [
      { symbol: '1000BONKUSDT', side: 'sell', price: '0.02', amount: '500', ts: '1736371332162' },
      { symbol: 'BTCUSDT_260626', side: 'buy', price: '90000', amount: '45000', ts: '1736371332162' },
    ] }, specs);
    expect(bonk).toMatchObject({ asset: 'BONK', kind: 'perp', side: 'short', notionalUsd: 500 });
    expect(bonk!.price).toBeCloseTo(0.00002, 15);
    expect(bonk!.quantity).toBeCloseTo(25_000_000, 4);
    expect(dated).toMatchObject({ asset: 'BTC', kind: 'dated', side: 'long', price: 90000, quantity: 0.5, notionalUsd: 45000 });
  });

  it('skips a symbol the catalogue lacks and the stream reports it, keeping the rest of the batch', () => {
    const frame = { ...docs, data: [docs.data[0], { ...docs.data[0], symbol: 'NEWCOINUSDT' }] };
    expect(bitget.parseLiquidations(frame, catalogue)).toHaveLength(1);
    const [session] = bitget.openStreams(['BTC'], catalogue);
    const output = session!.onMessage(JSON.stringify(frame));
    expect(output.liquidations.map((l) => l.symbol)).toEqual(['BTCUSDT']);
    expect(output.unknownSymbols).toEqual(['NEWCOINUSDT']);
  });

  it('maps sell to a short liquidation', () => {
    expect(bitget.parseLiquidations(withRow({ ...docs.data[0], side: 'sell' }), catalogue)[0]?.side).toBe('short');
  });

  it('returns [] for acks, pong, other topics and an empty batch', () => {
    expect(bitget.parseLiquidations({ event: 'subscribe', arg: { instType: 'usdt-futures', topic: 'liquidation' }, connId: 'abc' }, catalogue)).toEqual([]);
    expect(bitget.parseLiquidations('pong', catalogue)).toEqual([]);
    expect(bitget.parseLiquidations({ action: 'snapshot', arg: { instType: 'usdt-futures', topic: 'ticker', symbol: 'BTCUSDT' }, data: [{ lastPrice: '1' }], ts: 1 }, catalogue)).toEqual([]);
    expect(bitget.parseLiquidations({ ...docs, data: [] }, catalogue)).toEqual([]);
  });

  it('reports a Bitget error event readably', () => {
    expect(() => bitget.parseLiquidations({ event: 'error', code: '30001', msg: "topic:liquidations doesn't exist" }, catalogue)).toThrow(/bitget: request rejected: 30001 topic:liquidations/);
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
    expect(() => bitget.parseLiquidations(message, catalogue)).toThrow(VenueDataError);
  });
});

describe('bitget.parsePoll', () => {
  const tickers = fixture('bitget-mix-tickers-rest.json') as { data: Array<Record<string, unknown>> };
  /** The docs' tickers example lists coin-M symbols only; rename one row to the USDT-M symbol we list. */
  const usdtTickers = { ...tickers, data: [...tickers.data, { ...tickers.data[0], symbol: 'BTCUSDT', markPrice: '29905.1', usdtVolume: '1250000' }] };

  it('merges tickers and current funding into one sane snapshot; holdingAmount is OI in coins', () => {
    let snap: MarketSnapshot | undefined;
    for (const [key, body] of [
      ['tickers', usdtTickers],
      ['currentFundRate', fixture('bitget-mix-current-fund-rate-docs2025-rest.json')],
    ] as const) {
      for (const update of bitget.parsePoll(key, body, catalogue).markets) snap = mergeMarket(snap, update);
    }
    expect(snap).toMatchObject({
      venue: 'bitget',
      symbol: 'BTCUSDT',
      asset: 'BTC',
      kind: 'perp',
      lastPrice: 29904.5,
      markPrice: 29905.1,
      indexPrice: 29132.353333,
      fundingRate: 0.000068,
      fundingIntervalHours: 8,
      nextFundingTime: 1743062400000,
      openInterestBase: 125.6844,
      perpVolume24hUsd: 1250000,
    });
    expect(snap?.openInterestUsd).toBeCloseTo(125.6844 * 29905.1, 2);
  });

  it('normalises a 4 h funding interval to 8 h', () => {
    const funding = fixture('bitget-mix-current-fund-rate-docs2025-rest.json') as { data: Array<Record<string, unknown>> };
    let snap: MarketSnapshot | undefined;
    for (const update of [
      ...bitget.parsePoll('tickers', usdtTickers, catalogue).markets,
      ...bitget.parsePoll('currentFundRate', { ...funding, data: [{ ...funding.data[0], fundingRateInterval: '4' }] }, catalogue).markets,
    ]) snap = mergeMarket(snap, update);
    expect(snap?.fundingRate8h).toBeCloseTo(0.000068 * 2, 12);
  });

  it('tolerates the older funding answer without an interval', () => {
    expect(bitget.parsePoll('currentFundRate', fixture('bitget-mix-current-fund-rate-rest.json'), catalogue).markets).toEqual([
      { venue: 'bitget', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: 0, fundingRate: 0.0005 },
    ]);
  });

  it('skips symbols the catalogue lacks and delivery contracts; divides 1000-scaled prices', () => {
    expect(bitget.parsePoll('tickers', fixture('bitget-mix-tickers-rest.json'), catalogue).markets).toEqual([]);
    const specs = bitget.parseInstruments('contracts', contracts([
      { symbol: '1000BONKUSDT', baseCoin: '1000BONK' },
      { symbol: 'BTCUSDT_260626', baseCoin: 'BTC', symbolType: 'delivery' },
    ]));
    const body = { ...tickers, data: [
      { ...tickers.data[0], symbol: '1000BONKUSDT', lastPr: '0.02', markPrice: '0.02', indexPrice: '0.02', holdingAmount: '1000' },
      { ...tickers.data[1], symbol: 'BTCUSDT_260626' },
    ] };
    const markets = bitget.parsePoll('tickers', body, specs).markets;
    expect(markets).toHaveLength(1);
    expect(markets[0]).toMatchObject({ asset: 'BONK', openInterestBase: 1_000_000 });
    expect(markets[0]!.markPrice).toBeCloseTo(0.00002, 15);
  });

  it('marks malformed or refused bodies with a readable error', () => {
    expect(() => bitget.parsePoll('tickers', { ...usdtTickers, data: [{ ...usdtTickers.data[0], lastPr: 'abc' }] }, catalogue)).toThrow(/tickers at 0\.lastPr/);
    expect(() => bitget.parsePoll('currentFundRate', { code: '40034', msg: 'Parameter BTCUSD does not exist', requestTime: 1, data: null }, catalogue)).toThrow(/40034 Parameter BTCUSD does not exist/);
    expect(() => bitget.parsePoll('currentFundRate', { code: '00000', msg: 'success', data: [{ symbol: 'BTCUSDT', fundingRate: '0', fundingRateInterval: '0' }] }, catalogue)).toThrow(VenueDataError);
    expect(() => bitget.parsePoll('contracts', fixture('bitget-mix-contracts-rest.json'), catalogue)).toThrow(VenueDataError);
  });

  it('polls two all-symbol endpoints whatever is tracked, within 10 % of the per-IP limit', () => {
    const many = Array.from({ length: 20 }, (_, i) => `A${i}`);
    expect(bitget.pollRequests(many, catalogue)).toEqual(bitget.pollRequests(['BTC'], catalogue));
    expect(bitget.pollRequests(many, catalogue).length * 2).toBe(bitget.rateBudget.requestsPerMinute);
    expect(bitget.rateBudget.requestsPerMinute * 10).toBeLessThanOrEqual(bitget.rateBudget.limitPerMinute);
  });
});

describe('bitget.classifyFailure', () => {
  const headers = { get: () => null };
  it('reads 429 and the body code 429 as a rate limit', () => {
    expect(bitget.classifyFailure!(429, '{"code":"429","msg":"Too Many Requests","requestTime":1,"data":null}', headers)).toEqual({ kind: 'rateLimited', reason: 'rate limited: too many requests (HTTP 429)', pauseMs: 60_000 });
    expect(bitget.classifyFailure!(200, '{"code":"429","msg":"Too Many Requests"}', headers)?.kind).toBe('rateLimited');
    expect(bitget.classifyFailure!(400, '{"code":"40034","msg":"Parameter X does not exist"}', headers)).toBeNull();
  });
});

describe('bitget.openStreams', () => {
  it('subscribes to the UTA liquidation topic once, covering every listed contract, and pings with the string ping', () => {
    const sessions = bitget.openStreams(['BTC'], catalogue);
    expect(sessions).toHaveLength(1);
    const session = sessions[0]!;
    expect(session.url).toBe('wss://ws.bitget.com/v3/ws/public');
    expect(session.onOpen().map((f) => JSON.parse(f))).toEqual([{ op: 'subscribe', args: [{ instType: 'usdt-futures', topic: 'liquidation' }] }]);
    expect(session.heartbeat).toEqual({ intervalMs: 20_000, message: 'ping' });
    expect(session.maxConnectionMs).toBeLessThan(24 * 60 * 60 * 1000);
    expect(session.onMessage('pong')).toEqual({ liquidations: [], markets: [], replies: [] });
    expect(session.onMessage(JSON.stringify(fixture('bitget-liquidation-ws-v3-tardis.json'))).liquidations).toHaveLength(2);
    expect(bitget.coverage(['BTC'], catalogue)).toEqual({ covered: catalogue.length, listed: catalogue.length });
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
    const session = bitget.openStreams(['BTC'], catalogue)[0]!;
    for (const frame of session.onOpen()) for (const reply of socket.onMessage(frame, view)) expect(session.onMessage(reply).liquidations).toEqual([]);
    const event = { t: 0, type: 'liquidation' as const, venue: 'bitget' as const, asset: 'BTC', side, price, notionalUsd, time: 1763600000000 };
    const [liq, ...rest] = socket.liquidationFrames(event, view).flatMap((f) => session.onMessage(f).liquidations);
    expect(rest).toEqual([]);
    expect(liq).toMatchObject({ venue: 'bitget', asset: 'BTC', side, price, time: event.time });
    expect(liq!.notionalUsd).toBeCloseTo(notionalUsd, 4);
  });

  it('round-trips a liquidation of an untracked extra instrument', () => {
    const socket = bitgetMock.connect('ws.bitget.com', '/v3/ws/public');
    const session = bitget.openStreams(['BTC'], catalogue)[0]!;
    for (const frame of session.onOpen()) socket.onMessage(frame, view);
    const event = { t: 0, type: 'liquidation' as const, venue: 'bitget' as const, asset: 'IP', symbol: 'IPUSDT', side: 'short' as const, price: 0.5, notionalUsd: 1234, time: 1763600000000 };
    const [liq] = socket.liquidationFrames(event, view).flatMap((f) => session.onMessage(f).liquidations);
    expect(liq).toMatchObject({ symbol: 'IPUSDT', asset: 'IP', kind: 'perp', side: 'short', price: 0.5 });
    expect(liq!.notionalUsd).toBeCloseTo(1234, 6);
  });

  it('serves every poll request with 200, and the adapter parses sane figures', () => {
    const snaps = new Map<string, MarketSnapshot>();
    for (const request of [...bitget.instrumentRequests(), ...bitget.pollRequests(['BTC', 'ETH', 'SOL'], catalogue)]) {
      const res = serve(request.url);
      expect(res.status, request.url).toBe(200);
      if (request.key === 'contracts') continue;
      for (const update of bitget.parsePoll(request.key, res.body, catalogue).markets) snaps.set(update.asset, mergeMarket(snaps.get(update.asset), update));
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
    expect(socket.onMessage(bitget.openStreams(['BTC'], catalogue)[0]!.heartbeat.message, view)).toEqual(['pong']);
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
