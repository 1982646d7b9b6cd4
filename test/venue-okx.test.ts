import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type MarketSnapshot, type MarketUpdate } from '../src/core/model';
import { okx } from '../src/venues/okx';
import { MockReject } from './mock/types';
import { okxMock } from './mock/venues/okx';
import { marketRow, staticView } from './mock/view';
import { fixture } from './fixtures';

function merged(updates: MarketUpdate[]): MarketSnapshot | undefined {
  let snap: MarketSnapshot | undefined;
  for (const update of updates) snap = mergeMarket(snap, update);
  return snap;
}

/** The documented push, moved onto an instrument whose contract value is known by default. */
function btcPush(detail: Record<string, string>) {
  return {
    arg: { channel: 'liquidation-orders', instType: 'SWAP' },
    data: [{ details: [{ bkLoss: '0', bkPx: '60000', ccy: '', posSide: 'long', side: 'sell', sz: '5', ts: '1692266434010', ...detail }], instFamily: 'BTC-USDT', instId: 'BTC-USDT-SWAP', instType: 'SWAP', uly: 'BTC-USDT' }],
  };
}

describe('okx.parseLiquidations', () => {
  it('skips instruments whose contract value is unknown, then sizes them once instruments name them', () => {
    const docs = fixture('okx-liquidation-orders-ws-swap-docs.json');
    expect(okx.parseLiquidations(docs)).toEqual([]);
    const instruments = { code: '0', msg: '', data: [{ instId: 'IOST-USDT-SWAP', instType: 'SWAP', ctType: 'linear', ctVal: '1000', ctMult: '1', ctValCcy: 'IOST' }] };
    okx.parsePoll('instruments:IOST-USDT', instruments, ['IOST']);
    expect(okx.parseLiquidations(docs)).toEqual([
      {
        venue: 'okx',
        symbol: 'IOST-USDT-SWAP',
        asset: 'IOST',
        side: 'short',
        price: 0.007831,
        quantity: 13 * 1000,
        notionalUsd: 13 * 1000 * 0.007831,
        time: 1692266434010,
      },
    ]);
  });

  it('converts contracts with the documented default ctVal (BTC-USDT-SWAP 0.01 BTC)', () => {
    const [liq] = okx.parseLiquidations(btcPush({}));
    expect(liq).toMatchObject({ symbol: 'BTC-USDT-SWAP', asset: 'BTC', side: 'long', price: 60000, time: 1692266434010 });
    expect(liq!.quantity).toBeCloseTo(0.05, 12);
    expect(liq!.notionalUsd).toBeCloseTo(3000, 6);
  });

  it('takes posSide in hedge mode and the closing order side in net mode', () => {
    expect(okx.parseLiquidations(btcPush({ posSide: 'short', side: 'buy' }))[0]?.side).toBe('short');
    expect(okx.parseLiquidations(btcPush({ posSide: 'net', side: 'sell' }))[0]?.side).toBe('long');
    expect(okx.parseLiquidations(btcPush({ posSide: 'net', side: 'buy' }))[0]?.side).toBe('short');
    expect(okx.parseLiquidations(btcPush({ posSide: '', side: 'buy' }))[0]?.side).toBe('short');
  });

  it('sizes inverse (coin-margined) contracts as USD face value: BTC-USD-SWAP is 100 USD', () => {
    const push = btcPush({ sz: '30', bkPx: '50000', posSide: 'short', side: 'buy' });
    push.data[0]!.instId = 'BTC-USD-SWAP';
    const [liq] = okx.parseLiquidations(push);
    expect(liq?.notionalUsd).toBe(3000);
    expect(liq?.quantity).toBeCloseTo(0.06, 12);
  });

  it('sizes the captured FUTURES push once instruments give its contract value', () => {
    const push = fixture('okx-liquidation-orders-ws-futures-tardis.json');
    expect(okx.parseLiquidations(push)).toEqual([]);
    okx.parsePoll('instruments:XRP-USD', { code: '0', msg: '', data: [{ instId: 'XRP-USD-230929', instType: 'FUTURES', ctType: 'inverse', ctVal: '10', ctMult: '1', ctValCcy: 'USD' }] }, ['XRP']);
    const [liq] = okx.parseLiquidations(push);
    expect(liq).toMatchObject({ symbol: 'XRP-USD-230929', asset: 'XRP', side: 'short', notionalUsd: 390, time: 1680173247614 });
    expect(liq!.quantity).toBeCloseTo(390 / 0.55205, 9);
  });

  it('reads a REST liquidation-orders response, naming the swap from its family when instId is empty', () => {
    const rest = { code: '0', msg: '', data: [{ ...btcPush({}).data[0], instId: '', totalLoss: '0' }] };
    const [liq] = okx.parseLiquidations(rest);
    expect(liq).toMatchObject({ symbol: 'BTC-USDT-SWAP', side: 'long' });
    expect(okx.parsePoll('liquidations:BTC-USDT', rest, ['BTC']).liquidations).toHaveLength(1);
  });

  it('returns [] for pong, subscribe acks, connection counts, notices and other channels', () => {
    expect(okx.parseLiquidations('pong')).toEqual([]);
    expect(okx.parseLiquidations({ event: 'subscribe', arg: { channel: 'liquidation-orders', instType: 'SWAP' }, connId: 'a4d3ae55' })).toEqual([]);
    expect(okx.parseLiquidations({ event: 'channel-conn-count', channel: 'orders', connCount: '2', connId: 'abcd1234' })).toEqual([]);
    expect(okx.parseLiquidations({ event: 'notice', code: '64008', msg: 'The connection will soon be closed for a service upgrade. Please reconnect.', connId: 'a4d3ae55' })).toEqual([]);
    expect(okx.parseLiquidations(fixture('okx-tickers-ws-swap-tardis.json'))).toEqual([]);
  });

  it('surfaces an error event and a failed REST code as VenueDataError', () => {
    expect(() => okx.parseLiquidations({ event: 'error', code: '60012', msg: 'Invalid request', connId: 'x' })).toThrow(/stream error 60012: Invalid request/);
    expect(() => okx.parseLiquidations({ code: '50011', msg: 'Too Many Requests', data: [] })).toThrow(/code 50011 Too Many Requests/);
  });

  const detail = (over: Record<string, string>) => btcPush(over);
  it.each([
    ['unknown order side', detail({ side: 'close' })],
    ['NaN price', detail({ bkPx: 'NaN' })],
    ['zero price', detail({ bkPx: '0' })],
    ['negative size', detail({ sz: '-2' })],
    ['empty size', detail({ sz: '' })],
    ['missing ts', { ...btcPush({}), data: [{ ...btcPush({}).data[0], details: [{ side: 'sell', bkPx: '1', sz: '1' }] }] }],
    ['details not an array', { ...btcPush({}), data: [{ ...btcPush({}).data[0], details: {} }] }],
    ['row without instrument', { ...btcPush({}), data: [{ details: [], instType: 'MARGIN' }] }],
    ['other text', 'pang'],
    ['an array', [btcPush({})]],
  ])('throws VenueDataError for %s', (_name, message) => {
    expect(() => okx.parseLiquidations(message)).toThrow(VenueDataError);
  });

  it('never yields NaN or non-positive figures', () => {
    for (const liq of [...okx.parseLiquidations(btcPush({})), ...okx.parseLiquidations(fixture('okx-liquidation-orders-ws-swap-docs.json'))]) {
      for (const n of [liq.price, liq.quantity, liq.notionalUsd, liq.time]) expect(Number.isFinite(n) && n > 0).toBe(true);
    }
  });
});

describe('okx stream session', () => {
  it('subscribes liquidation-orders for SWAP on the public stream and pings with text "ping"', () => {
    const session = okx.openStream(['BTC'])!;
    expect(session.url).toBe('wss://ws.okx.com:8443/ws/v5/public');
    expect(session.onOpen().map((f) => JSON.parse(f))).toEqual([{ op: 'subscribe', args: [{ channel: 'liquidation-orders', instType: 'SWAP' }] }]);
    expect(session.heartbeat.message).toBe('ping');
    expect(session.heartbeat.intervalMs).toBeLessThan(25_001);
    expect(session.onMessage('pong')).toEqual({ liquidations: [], markets: [], replies: [] });
    expect(() => session.onMessage('{"arg":')).toThrow(VenueDataError);
  });
});

describe('okx.parsePoll', () => {
  it('reads funding and derives the interval from fundingTime → nextFundingTime', () => {
    const snap = merged(okx.parsePoll('funding:BTC-USDT-SWAP', fixture('okx-funding-rate-rest.json'), ['BTC']).markets);
    expect(snap?.fundingRate).toBeCloseTo(0.000079238688534);
    expect(snap?.fundingIntervalHours).toBe(8);
    expect(snap?.fundingRate8h).toBeCloseTo(0.000079238688534);
    expect(snap?.nextFundingTime).toBe(1703088000000);
  });

  it('normalises a 4 h funding interval to 8 h', () => {
    const body = structuredClone(fixture('okx-funding-rate-rest.json')) as { data: Array<{ nextFundingTime: string }> };
    body.data[0]!.nextFundingTime = String(1703088000000 + 4 * 3600_000);
    const snap = merged(okx.parsePoll('funding:BTC-USDT-SWAP', body, ['BTC']).markets);
    expect(snap?.fundingIntervalHours).toBe(4);
    expect(snap?.fundingRate8h).toBeCloseTo(0.000079238688534 * 2);
  });

  it('combines mark, index and OI in coin (no oiUsd in the old docs example) into OI USD', () => {
    const snap = merged([
      ...okx.parsePoll('mark:BTC-USDT-SWAP', fixture('okx-mark-price-rest.json'), ['BTC']).markets,
      ...okx.parsePoll('index:BTC-USDT', fixture('okx-index-tickers-rest.json'), ['BTC']).markets,
      ...okx.parsePoll('openInterest:BTC-USDT-SWAP', fixture('okx-open-interest-rest.json'), ['BTC']).markets,
    ]);
    expect(snap).toMatchObject({ symbol: 'BTC-USDT-SWAP', asset: 'BTC', markPrice: 200, indexPrice: 43350 });
    expect(snap?.openInterestUsd).toBeCloseTo(555.55 * 200, 6);
  });

  it('prefers oiUsd when OKX sends it', () => {
    const body = structuredClone(fixture('okx-open-interest-rest.json')) as { data: Array<Record<string, string>> };
    body.data[0]!.oiUsd = '123456.7';
    expect(okx.parsePoll('openInterest:BTC-USDT-SWAP', body, ['BTC']).markets[0]?.openInterestUsd).toBe(123456.7);
  });

  it('takes perp volume as volCcy24h (coins) × last', () => {
    const body = structuredClone(fixture('okx-ticker-swap-rest.json')) as { data: Array<Record<string, string>> };
    body.data[0]!.instId = 'BTC-USDT-SWAP';
    const [ticker] = okx.parsePoll('ticker:BTC-USDT-SWAP', body, ['BTC']).markets;
    expect(ticker).toMatchObject({ lastPrice: 9999.99 });
    expect(ticker?.perpVolume24hUsd).toBeCloseTo(2222 * 9999.99, 4);
  });

  it('learns ctVal from the captured instruments response without emitting market updates', () => {
    expect(okx.parsePoll('instruments:ETH-USDT', fixture('okx-instruments-swap-rest.json'), ['ETH'])).toEqual({ liquidations: [], markets: [], replies: [] });
    const push = btcPush({ sz: '10', bkPx: '3000' });
    push.data[0]!.instId = 'ETH-USDT-SWAP';
    expect(okx.parseLiquidations(push)[0]?.quantity).toBeCloseTo(1, 12);
  });

  it('ignores rows for instruments that are not watched', () => {
    expect(okx.parsePoll('ticker:BTC-USD-SWAP', fixture('okx-ticker-swap-rest.json'), ['BTC']).markets).toEqual([]);
  });

  it('turns an error code into a readable VenueDataError and a malformed row into its field path', () => {
    expect(() => okx.parsePoll('mark:BTC-USDT-SWAP', { code: '51001', msg: "Instrument ID or Spread ID doesn't exist.", data: [] }, ['BTC'])).toThrow(/mark failed: code 51001/);
    expect(() => okx.parsePoll('mark:BTC-USDT-SWAP', { code: '0', msg: '', data: [{ instId: 'BTC-USDT-SWAP', markPx: '', ts: '1' }] }, ['BTC'])).toThrow(/mark at 0\.markPx/);
  });
});

const view = staticView(
  [marketRow('okx', 'BTC', 72000), marketRow('okx', 'ETH', 3500), marketRow('okx', 'SOL', 180)],
  1763600000000,
  [{ t: 0, type: 'liquidation', venue: 'okx', asset: 'ETH', side: 'short', price: 3510, notionalUsd: 42000, time: 1763599990000 }],
);
const ASSETS = ['BTC', 'ETH', 'SOL'];

describe('okx mock ↔ adapter', () => {
  it('round-trips a liquidation through the wire format (contracts × ctVal), only to subscribed clients', () => {
    const session = okx.openStream(ASSETS)!;
    const url = new URL(session.url);
    const socket = okxMock.connect(url.host, url.pathname);
    const unsubscribed = okxMock.connect(url.host, url.pathname);
    for (const frame of session.onOpen()) expect(session.onMessage(socket.onMessage(frame, view)[0]!).liquidations).toEqual([]);
    for (const [asset, side] of [['BTC', 'long'], ['ETH', 'short'], ['SOL', 'long']] as const) {
      const event = { t: 0, type: 'liquidation' as const, venue: 'okx' as const, asset, side, price: 1234.5, notionalUsd: 125000, time: 1763600000000 };
      const [liq] = socket.liquidationFrames(event, view).flatMap((f) => session.onMessage(f).liquidations);
      expect(liq).toMatchObject({ venue: 'okx', asset, side, time: event.time });
      expect(liq!.notionalUsd).toBeCloseTo(125000, 0);
      expect(unsubscribed.liquidationFrames(event, view)).toEqual([]);
    }
  });

  it('answers the text ping with pong', () => {
    const socket = okxMock.connect('ws.okx.com:8443', '/ws/v5/public');
    const session = okx.openStream(['BTC'])!;
    expect(socket.onMessage(session.heartbeat.message, view)).toEqual(['pong']);
  });

  it('serves every poll request the adapter makes, and the adapter parses it', () => {
    const snaps = new Map<string, MarketSnapshot>();
    const liquidations = [];
    for (const request of okx.pollRequests(ASSETS)) {
      const url = new URL(request.url);
      const res = okxMock.http({ method: 'GET', host: url.host, path: url.pathname, query: url.searchParams, body: '' }, view);
      expect(res.status, request.url).toBe(200);
      const out = okx.parsePoll(request.key, res.body, ASSETS);
      liquidations.push(...out.liquidations);
      for (const update of out.markets) snaps.set(update.asset, mergeMarket(snaps.get(update.asset), update));
    }
    expect([...snaps.keys()].sort()).toEqual(ASSETS);
    for (const [asset, snap] of snaps) {
      expect(snap.openInterestUsd, asset).toBeCloseTo(3.6e9, -3);
      expect(snap.fundingRate8h, asset).toBeCloseTo(0.0001);
      expect(snap.fundingIntervalHours, asset).toBe(8);
      expect(snap.perpVolume24hUsd, asset).toBeCloseTo(9e9, -4);
      expect(snap.markPrice! / snap.indexPrice!, asset).toBeCloseTo(1.0003, 4);
    }
    expect(liquidations).toHaveLength(1);
    expect(liquidations[0]).toMatchObject({ asset: 'ETH', side: 'short', time: 1763599990000 });
    expect(liquidations[0]!.notionalUsd).toBeCloseTo(42000, 0);
  });

  it('rejects malformed and unknown subscriptions, and other stream paths', () => {
    const socket = okxMock.connect('ws.okx.com:8443', '/ws/v5/public');
    expect(() => socket.onMessage('{"op":"subscribe","args":["liquidation-orders"]}', view)).toThrow(MockReject);
    expect(() => socket.onMessage('{"op":"subscribe","args":[{"channel":"liquidation-orders"}]}', view)).toThrow(MockReject);
    expect(() => socket.onMessage('{"op":"subscribe","args":[{"channel":"liquidation-orders","instType":"swap"}]}', view)).toThrow(MockReject);
    expect(() => socket.onMessage('{"op":"sub","args":[{"channel":"liquidation-orders","instType":"SWAP"}]}', view)).toThrow(MockReject);
    expect(() => socket.onMessage('{"op":"subscribe","args":[{"channel":"tickers","instId":"DOGE-USDT-SWAP"}]}', view)).toThrow(MockReject);
    try {
      socket.onMessage('{"op":"subscribe","args":[{"channel":"liquidation-orders"}]}', view);
    } catch (error) {
      expect(() => okx.openStream(['BTC'])!.onMessage((error as MockReject).frame!)).toThrow(/stream error 60018/);
    }
    expect(() => okxMock.connect('ws.okx.com:8443', '/ws/v5/business')).toThrow(MockReject);
  });

  it('rejects REST requests missing required parameters or naming unknown instruments', () => {
    const get = (path: string, query: string) => okxMock.http({ method: 'GET', host: 'www.okx.com', path, query: new URLSearchParams(query), body: '' }, view);
    expect(get('/api/v5/public/funding-rate', '').status).toBe(400);
    expect(get('/api/v5/public/open-interest', 'instId=BTC-USDT-SWAP').status).toBe(400);
    expect(get('/api/v5/public/liquidation-orders', 'instType=SWAP&state=filled').status).toBe(400);
    const unknown = get('/api/v5/market/ticker', 'instId=DOGE-USDT-SWAP');
    expect(unknown.body).toMatchObject({ code: '51001' });
    expect(() => okx.parsePoll('ticker:DOGE-USDT-SWAP', unknown.body, ['DOGE'])).toThrow(VenueDataError);
    expect(get('/api/v5/public/fundingrate', 'instId=BTC-USDT-SWAP').status).toBe(404);
  });
});
