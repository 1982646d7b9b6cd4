import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type InstrumentSpec, type MarketSnapshot, type MarketUpdate } from '../src/core/model';
import { okx } from '../src/venues/okx';
import { mockAnswer, mockCatalogue } from './catalogue';
import { MockReject } from './mock/types';
import { OKX_EXTRA_INSTRUMENTS, okxMock } from './mock/venues/okx';
import { marketRow, staticView } from './mock/view';
import { fixture } from './fixtures';

function merged(updates: MarketUpdate[]): MarketSnapshot | undefined {
  let snap: MarketSnapshot | undefined;
  for (const update of updates) snap = mergeMarket(snap, update);
  return snap;
}

/** The documented instruments captures (SWAP: BTC-USD-SWAP, ETH-USDT-SWAP, BTC-USDT-SWAP; FUTURES: six BTC-USD expiries). */
const FIXTURE_CATALOGUE: InstrumentSpec[] = [
  ...okx.parseInstruments('instruments:SWAP', fixture('okx-instruments-swap-rest.json')),
  ...okx.parseInstruments('instruments:FUTURES', fixture('okx-instruments-futures-rest.json')),
];
/** The mock's catalogue: BTC, ETH, SOL USDT swaps plus IOST-USDT-SWAP, BTC-USD-SWAP and BTC-USD-251226. */
const CATALOGUE = mockCatalogue('okx');

/** The documented push, moved onto BTC-USDT-SWAP (0.01 BTC a contract). */
function btcPush(detail: Record<string, string>) {
  return {
    arg: { channel: 'liquidation-orders', instType: 'SWAP' },
    data: [{ details: [{ bkLoss: '0', bkPx: '60000', ccy: '', posSide: 'long', side: 'sell', sz: '5', ts: '1692266434010', ...detail }], instFamily: 'BTC-USDT', instId: 'BTC-USDT-SWAP', instType: 'SWAP', uly: 'BTC-USDT' }],
  };
}

describe('okx.parseInstruments', () => {
  it('reads the SWAP capture: linear ctVal in coins, inverse ctVal in USD, all perpetuals', () => {
    const swaps = okx.parseInstruments('instruments:SWAP', fixture('okx-instruments-swap-rest.json'));
    expect(swaps.find((s) => s.symbol === 'BTC-USD-SWAP')).toEqual({ venue: 'okx', symbol: 'BTC-USD-SWAP', asset: 'BTC', kind: 'perp', priceScale: 1, contract: { type: 'inverse', usd: 100 }, maxLeverage: 100 });
    expect(swaps.find((s) => s.symbol === 'ETH-USDT-SWAP')).toMatchObject({ asset: 'ETH', kind: 'perp', contract: { type: 'linear', size: 0.1 } });
    expect(swaps.find((s) => s.symbol === 'BTC-USDT-SWAP')).toMatchObject({ asset: 'BTC', kind: 'perp', contract: { type: 'linear', size: 0.01 } });
  });

  it('reads the FUTURES capture as dated inverse contracts of BTC', () => {
    const futures = okx.parseInstruments('instruments:FUTURES', fixture('okx-instruments-futures-rest.json'));
    expect(futures).toHaveLength(6);
    for (const spec of futures) expect(spec).toMatchObject({ asset: 'BTC', kind: 'dated', priceScale: 1, contract: { type: 'inverse', usd: 100 } });
    expect(futures.map((s) => s.symbol)).toContain('BTC-USD-250627');
  });

  it('skips instruments that are not live (pre-listing ctVal "", suspended) and multiplies ctVal by ctMult', () => {
    const body = structuredClone(fixture('okx-instruments-swap-rest.json')) as { data: Array<Record<string, unknown>> };
    body.data[0]!.state = 'preopen';
    body.data[0]!.ctVal = '';
    body.data[1]!.state = 'suspend';
    body.data[2]!.ctMult = '10';
    expect(okx.parseInstruments('instruments:SWAP', body).map((s) => [s.symbol, s.contract])).toEqual([['BTC-USDT-SWAP', { type: 'linear', size: 0.1 }]]);
  });

  it('lists both instrument types and the mock serves them (pre-listing swap left out)', () => {
    expect(okx.instrumentRequests().map((r) => r.url)).toEqual([
      'https://www.okx.com/api/v5/public/instruments?instType=SWAP',
      'https://www.okx.com/api/v5/public/instruments?instType=FUTURES',
    ]);
    expect(CATALOGUE.map((s) => `${s.symbol}:${s.kind}`).sort()).toEqual(
      ['BTC-USDT-SWAP:perp', 'ETH-USDT-SWAP:perp', 'SOL-USDT-SWAP:perp', 'IOST-USDT-SWAP:perp', 'BTC-USD-SWAP:perp', 'BTC-USD-251226:dated'].sort(),
    );
    expect(OKX_EXTRA_INSTRUMENTS.map((i) => i.instId)).toEqual(['IOST-USDT-SWAP', 'BTC-USD-SWAP', 'BTC-USD-251226']);
  });

  it('throws VenueDataError for a malformed list or an error code', () => {
    expect(() => okx.parseInstruments('instruments:SWAP', { code: '0', msg: '', data: [{ instId: 'X-USDT-SWAP' }] })).toThrow(VenueDataError);
    expect(() => okx.parseInstruments('instruments:SWAP', { code: '50011', msg: 'Too Many Requests', data: [] })).toThrow(/50011/);
  });
});

describe('okx.parseLiquidations', () => {
  it('values the documentation frame (IOST-USDT-SWAP, unwatched) with the catalogue: 13 contracts × 1000 IOST', () => {
    const [liq] = okx.parseLiquidations(fixture('okx-liquidation-orders-ws-swap-docs.json'), CATALOGUE);
    expect(liq).toMatchObject({ venue: 'okx', symbol: 'IOST-USDT-SWAP', asset: 'IOST', kind: 'perp', side: 'short', price: 0.007831, time: 1692266434010 });
    expect(liq!.quantity).toBeCloseTo(13_000, 9);
    expect(liq!.notionalUsd).toBeCloseTo(13 * 1000 * 0.007831, 9);
  });

  it('skips a symbol missing from the catalogue and the session reports it', () => {
    const docs = fixture('okx-liquidation-orders-ws-swap-docs.json');
    expect(okx.parseLiquidations(docs, FIXTURE_CATALOGUE)).toEqual([]);
    const [session] = okx.openStreams(['BTC'], FIXTURE_CATALOGUE);
    const out = session!.onMessage(JSON.stringify(docs));
    expect(out.liquidations).toEqual([]);
    expect(out.unknownSymbols).toEqual(['IOST-USDT-SWAP']);
  });

  it('converts contracts with the catalogue ctVal (BTC-USDT-SWAP 0.01 BTC)', () => {
    const [liq] = okx.parseLiquidations(btcPush({}), FIXTURE_CATALOGUE);
    expect(liq).toMatchObject({ symbol: 'BTC-USDT-SWAP', asset: 'BTC', kind: 'perp', side: 'long', price: 60000, time: 1692266434010 });
    expect(liq!.quantity).toBeCloseTo(0.05, 12);
    expect(liq!.notionalUsd).toBeCloseTo(3000, 6);
  });

  it('takes posSide in hedge mode and the closing order side in net mode', () => {
    const side = (over: Record<string, string>) => okx.parseLiquidations(btcPush(over), FIXTURE_CATALOGUE)[0]?.side;
    expect(side({ posSide: 'short', side: 'buy' })).toBe('short');
    expect(side({ posSide: 'net', side: 'sell' })).toBe('long');
    expect(side({ posSide: 'net', side: 'buy' })).toBe('short');
    expect(side({ posSide: '', side: 'buy' })).toBe('short');
  });

  it('sizes inverse (coin-margined) contracts as USD face value: BTC-USD-SWAP is 100 USD', () => {
    const push = btcPush({ sz: '30', bkPx: '50000', posSide: 'short', side: 'buy' });
    push.data[0]!.instId = 'BTC-USD-SWAP';
    const [liq] = okx.parseLiquidations(push, FIXTURE_CATALOGUE);
    expect(liq?.notionalUsd).toBe(3000);
    expect(liq?.quantity).toBeCloseTo(0.06, 12);
  });

  it('counts a dated future (FUTURES channel) as a liquidation of its asset, kind dated', () => {
    const push = fixture('okx-liquidation-orders-ws-futures-tardis.json') as { data: Array<{ instId: string }> };
    // The captured XRP-USD-230929 has expired; its catalogue entry is the docs' inverse XRP future (10 USD).
    const xrp: InstrumentSpec = { venue: 'okx', symbol: 'XRP-USD-230929', asset: 'XRP', kind: 'dated', priceScale: 1, contract: { type: 'inverse', usd: 10 } };
    const [liq] = okx.parseLiquidations(push, [xrp]);
    expect(liq).toMatchObject({ symbol: 'XRP-USD-230929', asset: 'XRP', kind: 'dated', side: 'short', notionalUsd: 390, time: 1680173247614 });
    expect(liq!.quantity).toBeCloseTo(390 / 0.55205, 9);
  });

  it('reads a REST liquidation-orders response, naming the swap from its family when instId is empty', () => {
    const rest = { code: '0', msg: '', data: [{ ...btcPush({}).data[0], instId: '', totalLoss: '0' }] };
    const [liq] = okx.parseLiquidations(rest, FIXTURE_CATALOGUE);
    expect(liq).toMatchObject({ symbol: 'BTC-USDT-SWAP', side: 'long' });
    expect(okx.parsePoll('liquidations:SWAP:BTC-USDT', rest, FIXTURE_CATALOGUE).liquidations).toHaveLength(1);
  });

  it('returns [] for pong, subscribe acks, connection counts, notices and other channels', () => {
    expect(okx.parseLiquidations('pong', CATALOGUE)).toEqual([]);
    expect(okx.parseLiquidations({ event: 'subscribe', arg: { channel: 'liquidation-orders', instType: 'SWAP' }, connId: 'a4d3ae55' }, CATALOGUE)).toEqual([]);
    expect(okx.parseLiquidations({ event: 'channel-conn-count', channel: 'orders', connCount: '2', connId: 'abcd1234' }, CATALOGUE)).toEqual([]);
    expect(okx.parseLiquidations({ event: 'notice', code: '64008', msg: 'The connection will soon be closed for a service upgrade. Please reconnect.', connId: 'a4d3ae55' }, CATALOGUE)).toEqual([]);
    expect(okx.parseLiquidations(fixture('okx-tickers-ws-swap-tardis.json'), CATALOGUE)).toEqual([]);
  });

  it('surfaces an error event and a failed REST code as VenueDataError', () => {
    expect(() => okx.parseLiquidations({ event: 'error', code: '60012', msg: 'Invalid request', connId: 'x' }, CATALOGUE)).toThrow(/stream error 60012: Invalid request/);
    expect(() => okx.parseLiquidations({ code: '50011', msg: 'Too Many Requests', data: [] }, CATALOGUE)).toThrow(/code 50011 Too Many Requests/);
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
    expect(() => okx.parseLiquidations(message, FIXTURE_CATALOGUE)).toThrow(VenueDataError);
  });

  it('never yields NaN or non-positive figures', () => {
    for (const liq of [...okx.parseLiquidations(btcPush({}), CATALOGUE), ...okx.parseLiquidations(fixture('okx-liquidation-orders-ws-swap-docs.json'), CATALOGUE)]) {
      for (const n of [liq.price, liq.quantity, liq.notionalUsd, liq.time]) expect(Number.isFinite(n) && n > 0).toBe(true);
    }
  });
});

describe('okx stream session', () => {
  it('subscribes liquidation-orders for SWAP and FUTURES on one public connection and pings with text "ping"', () => {
    const sessions = okx.openStreams(['BTC'], CATALOGUE);
    expect(sessions).toHaveLength(1);
    const session = sessions[0]!;
    expect(session.url).toBe('wss://ws.okx.com:8443/ws/v5/public');
    expect(session.onOpen().map((f) => JSON.parse(f))).toEqual([
      { op: 'subscribe', args: [{ channel: 'liquidation-orders', instType: 'SWAP' }, { channel: 'liquidation-orders', instType: 'FUTURES' }] },
    ]);
    expect(session.heartbeat.message).toBe('ping');
    expect(session.heartbeat.intervalMs).toBeLessThan(25_001);
    expect(session.onMessage('pong')).toEqual({ liquidations: [], markets: [], replies: [] });
    expect(() => session.onMessage('{"arg":')).toThrow(VenueDataError);
  });

  it('covers every listed swap and future, tracked or not', () => {
    expect(okx.coverage(['BTC'], CATALOGUE)).toEqual({ covered: 6, listed: 6 });
    expect(okx.coverage([], FIXTURE_CATALOGUE)).toEqual({ covered: 9, listed: 9 });
  });
});

describe('okx.parsePoll', () => {
  it('asks all-symbol endpoints: the request count does not grow with tracked assets', () => {
    const few = okx.pollRequests(['BTC'], CATALOGUE);
    expect(okx.pollRequests(['BTC', 'ETH', 'SOL', 'IOST', 'DOGE'], CATALOGUE)).toEqual(few);
    expect(few.map((r) => r.url)).toEqual([
      'https://www.okx.com/api/v5/public/funding-rate?instId=ANY',
      'https://www.okx.com/api/v5/public/mark-price?instType=SWAP',
      'https://www.okx.com/api/v5/public/open-interest?instType=SWAP',
      'https://www.okx.com/api/v5/market/tickers?instType=SWAP',
      'https://www.okx.com/api/v5/market/index-tickers?quoteCcy=USDT',
      'https://www.okx.com/api/v5/market/index-tickers?quoteCcy=USD',
      'https://www.okx.com/api/v5/market/index-tickers?quoteCcy=USDC',
    ]);
  });

  it('reads funding and derives the interval from fundingTime → nextFundingTime', () => {
    const snap = merged(okx.parsePoll('funding', fixture('okx-funding-rate-rest.json'), FIXTURE_CATALOGUE).markets);
    expect(snap).toMatchObject({ symbol: 'BTC-USDT-SWAP', asset: 'BTC', kind: 'perp' });
    expect(snap?.fundingRate).toBeCloseTo(0.000079238688534);
    expect(snap?.fundingIntervalHours).toBe(8);
    expect(snap?.fundingRate8h).toBeCloseTo(0.000079238688534);
    expect(snap?.nextFundingTime).toBe(1703088000000);
  });

  it('normalises a 4 h funding interval to 8 h', () => {
    const body = structuredClone(fixture('okx-funding-rate-rest.json')) as { data: Array<{ nextFundingTime: string }> };
    body.data[0]!.nextFundingTime = String(1703088000000 + 4 * 3600_000);
    const snap = merged(okx.parsePoll('funding', body, FIXTURE_CATALOGUE).markets);
    expect(snap?.fundingIntervalHours).toBe(4);
    expect(snap?.fundingRate8h).toBeCloseTo(0.000079238688534 * 2);
  });

  it('combines mark, index and OI in coin (no oiUsd in the old docs example) into OI USD', () => {
    const snap = merged([
      ...okx.parsePoll('mark', fixture('okx-mark-price-rest.json'), FIXTURE_CATALOGUE).markets,
      ...okx.parsePoll('index:USDT', fixture('okx-index-tickers-rest.json'), FIXTURE_CATALOGUE).markets,
      ...okx.parsePoll('openInterest', fixture('okx-open-interest-rest.json'), FIXTURE_CATALOGUE).markets,
    ]);
    expect(snap).toMatchObject({ symbol: 'BTC-USDT-SWAP', asset: 'BTC', kind: 'perp', markPrice: 200, indexPrice: 43350 });
    expect(snap?.openInterestUsd).toBeCloseTo(555.55 * 200, 6);
  });

  it('prefers oiUsd when OKX sends it', () => {
    const body = structuredClone(fixture('okx-open-interest-rest.json')) as { data: Array<Record<string, string>> };
    body.data[0]!.oiUsd = '123456.7';
    expect(okx.parsePoll('openInterest', body, FIXTURE_CATALOGUE).markets[0]?.openInterestUsd).toBe(123456.7);
  });

  it('reads every catalogued swap of the all-symbol tickers: perp volume = volCcy24h (coins) × last; unlisted rows left out', () => {
    // BTC's figures come from BTC-USDT-SWAP where OKX lists it; without it the inverse swap is BTC's perpetual.
    expect(okx.parsePoll('tickers', fixture('okx-tickers-swap-rest.json'), FIXTURE_CATALOGUE).markets).toEqual([]);
    const inverseOnly = FIXTURE_CATALOGUE.filter((spec) => spec.symbol !== 'BTC-USDT-SWAP');
    const markets = okx.parsePoll('tickers', fixture('okx-tickers-swap-rest.json'), inverseOnly).markets;
    // LTC-USD-SWAP is not in the fixture catalogue.
    expect(markets).toHaveLength(1);
    expect(markets[0]).toMatchObject({ symbol: 'BTC-USD-SWAP', asset: 'BTC', kind: 'perp', lastPrice: 9999.99 });
    expect(markets[0]!.perpVolume24hUsd).toBeCloseTo(2222 * 9999.99, 4);
  });

  it('never turns a dated future into perpetual funding, OI or basis', () => {
    const body = structuredClone(fixture('okx-mark-price-rest.json')) as { data: Array<Record<string, string>> };
    body.data[0]!.instId = 'BTC-USD-250627';
    body.data[0]!.instType = 'FUTURES';
    expect(okx.parsePoll('mark', body, FIXTURE_CATALOGUE).markets).toEqual([]);
  });

  it('turns an error code into a readable VenueDataError and a malformed row into its field path', () => {
    expect(() => okx.parsePoll('mark', { code: '51001', msg: "Instrument ID or Spread ID doesn't exist.", data: [] }, CATALOGUE)).toThrow(/mark failed: code 51001/);
    expect(() => okx.parsePoll('mark', { code: '0', msg: '', data: [{ instId: 'BTC-USDT-SWAP', markPx: '', ts: '1' }] }, CATALOGUE)).toThrow(/mark at 0\.markPx/);
    expect(() => okx.parsePoll('nope', { code: '0', msg: '', data: [] }, CATALOGUE)).toThrow(/unknown poll key/);
  });
});

describe('okx.classifyFailure', () => {
  const headers = { get: () => null };
  it('reads code 50011 (HTTP 429 or 200) as a rate limit with a pause of at least 10 s', () => {
    const failure = okx.classifyFailure!(429, JSON.stringify(fixture('okx-error-rate-limit-rest.json')), headers);
    expect(failure).toMatchObject({ kind: 'rateLimited' });
    expect(failure!.pauseMs).toBeGreaterThanOrEqual(10_000);
    expect(okx.classifyFailure!(200, '{"code":"50011","msg":"Rate limit reached. Please refer to API documentation and throttle requests accordingly.","data":[]}', headers)?.kind).toBe('rateLimited');
  });

  it('reads the compliance refusals as a region block, and leaves other answers to the defaults', () => {
    expect(okx.classifyFailure!(200, '{"code":"50051","msg":"Due to compliance restrictions in your country or region, you cannot use this feature.","data":[]}', headers)?.kind).toBe('blocked');
    expect(okx.classifyFailure!(400, '{"code":"50014","msg":"Parameter instId can not be empty.","data":[]}', headers)).toBeNull();
    expect(okx.classifyFailure!(403, '<html>Forbidden</html>', headers)).toBeNull();
  });
});

describe('okx liquidation history (backfill and stream gaps)', () => {
  it('asks per tracked swap family (futures history needs an alias and names no expiry: the stream counts them); a gap bounds the window with before/after', () => {
    expect(okx.backfillRequests!(['BTC'], CATALOGUE).map((r) => r.url)).toEqual([
      'https://www.okx.com/api/v5/public/liquidation-orders?instType=SWAP&instFamily=BTC-USDT&state=filled&limit=100',
      'https://www.okx.com/api/v5/public/liquidation-orders?instType=SWAP&instFamily=BTC-USD&state=filled&limit=100',
    ]);
    const [gap] = okx.gapRequests!(1763590000000, 1763599000000, ['ETH'], CATALOGUE);
    expect(gap!.url).toBe('https://www.okx.com/api/v5/public/liquidation-orders?instType=SWAP&instFamily=ETH-USDT&state=filled&limit=100&before=1763589999999&after=1763599000001');
  });

  it('back-fills a gap from the mock, in contracts of each swap (linear, inverse); a full page says it may be truncated', () => {
    const played = [
      { t: 0, type: 'liquidation' as const, venue: 'okx' as const, asset: 'BTC', side: 'long' as const, price: 71000, notionalUsd: 71000, time: 1763599100000 },
      { t: 0, type: 'liquidation' as const, venue: 'okx' as const, asset: 'BTC', side: 'short' as const, price: 72000, notionalUsd: 36000, time: 1763599200000, symbol: 'BTC-USD-SWAP' },
      { t: 0, type: 'liquidation' as const, venue: 'okx' as const, asset: 'BTC', side: 'long' as const, price: 73000, notionalUsd: 5000, time: 1763599300000, symbol: 'BTC-USD-251226' },
      // Outside the gap.
      { t: 0, type: 'liquidation' as const, venue: 'okx' as const, asset: 'BTC', side: 'long' as const, price: 70000, notionalUsd: 1e6, time: 1763580000000 },
    ];
    const gapView = staticView([marketRow('okx', 'BTC', 72000)], 1763600000000, played);
    const catalogue = mockCatalogue('okx', gapView);
    const liquidations = okx.gapRequests!(1763590000000, 1763599500000, ['BTC'], catalogue).flatMap((request) => {
      const res = mockAnswer('okx', request, gapView);
      expect(res.status, request.url).toBe(200);
      return okx.parsePoll(request.key, res.body, catalogue).liquidations;
    });
    expect(liquidations.map((l) => [l.symbol, l.kind, l.side, Math.round(l.notionalUsd), l.price])).toEqual([
      ['BTC-USDT-SWAP', 'perp', 'long', 71000, 71000],
      ['BTC-USD-SWAP', 'perp', 'short', 36000, 72000],
    ]);
    const page = (n: number) => ({ code: '0', msg: '', data: [{ instId: 'BTC-USDT-SWAP', instFamily: 'BTC-USDT', instType: 'SWAP', uly: 'BTC-USDT', details: Array.from({ length: n }, (_, i) => ({ bkLoss: '0', bkPx: '70000', ccy: '', posSide: 'long', side: 'sell', sz: '1', ts: String(1763590000000 + i) })) }] });
    expect(okx.parsePoll('liquidations:SWAP:BTC-USDT', page(99), catalogue).truncated).toBeUndefined();
    expect(okx.parsePoll('liquidations:SWAP:BTC-USDT', page(100), catalogue).truncated).toBe(true);
  });
});

const view = staticView(
  [marketRow('okx', 'BTC', 72000), marketRow('okx', 'ETH', 3500), marketRow('okx', 'SOL', 180)],
  1763600000000,
  [{ t: 0, type: 'liquidation', venue: 'okx', asset: 'ETH', side: 'short', price: 3510, notionalUsd: 42000, time: 1763599990000 }],
);
const ASSETS = ['BTC', 'ETH', 'SOL'];
const VIEW_CATALOGUE = mockCatalogue('okx', view);

describe('okx mock ↔ adapter', () => {
  it('round-trips liquidations of main swaps and unwatched extras (IOST, inverse, dated), only to subscribed clients', () => {
    const [session] = okx.openStreams(['BTC'], VIEW_CATALOGUE);
    const url = new URL(session!.url);
    const socket = okxMock.connect(url.host, url.pathname);
    const unsubscribed = okxMock.connect(url.host, url.pathname);
    for (const frame of session!.onOpen()) for (const reply of socket.onMessage(frame, view)) expect(session!.onMessage(reply).liquidations).toEqual([]);
    const cases = [
      { asset: 'BTC', side: 'long', price: 72000, kind: 'perp' },
      { asset: 'ETH', side: 'short', price: 3500, kind: 'perp' },
      { asset: 'IOST', side: 'short', price: 0.007831, kind: 'perp', symbol: 'IOST-USDT-SWAP' },
      { asset: 'BTC', side: 'long', price: 71500, kind: 'perp', symbol: 'BTC-USD-SWAP' },
      { asset: 'BTC', side: 'short', price: 73100, kind: 'dated', symbol: 'BTC-USD-251226' },
    ] as const;
    for (const c of cases) {
      const event = { t: 0, type: 'liquidation' as const, venue: 'okx' as const, asset: c.asset, side: c.side, price: c.price, notionalUsd: 125000, time: 1763600000000, ...('symbol' in c ? { symbol: c.symbol } : {}) };
      const liquidations = socket.liquidationFrames(event, view).flatMap((f) => session!.onMessage(f).liquidations);
      expect(liquidations).toHaveLength(1);
      expect(liquidations[0]).toMatchObject({ venue: 'okx', asset: c.asset, side: c.side, kind: c.kind, time: event.time });
      expect(liquidations[0]!.price).toBeCloseTo(c.price, 9);
      expect(liquidations[0]!.notionalUsd).toBeCloseTo(125000, 0);
      expect(unsubscribed.liquidationFrames(event, view)).toEqual([]);
    }
  });

  it('answers the text ping with pong', () => {
    const socket = okxMock.connect('ws.okx.com:8443', '/ws/v5/public');
    const [session] = okx.openStreams(['BTC'], VIEW_CATALOGUE);
    expect(socket.onMessage(session!.heartbeat.message, view)).toEqual(['pong']);
  });

  it('serves every poll and backfill request the adapter makes, and the adapter parses it', () => {
    const snaps = new Map<string, MarketSnapshot>();
    const liquidations = [];
    for (const request of [...okx.pollRequests(ASSETS, VIEW_CATALOGUE), ...okx.backfillRequests!(ASSETS, VIEW_CATALOGUE)]) {
      const res = mockAnswer('okx', request, view);
      expect(res.status, request.url).toBe(200);
      const out = okx.parsePoll(request.key, res.body, VIEW_CATALOGUE);
      liquidations.push(...out.liquidations);
      for (const update of out.markets) snaps.set(update.symbol, mergeMarket(snaps.get(update.symbol), update));
    }
    // One swap per asset gives its figures: the USDT one (BTC-USD-SWAP's rows are left out).
    expect([...snaps.keys()].sort()).toEqual(['BTC-USDT-SWAP', 'ETH-USDT-SWAP', 'SOL-USDT-SWAP']);
    for (const asset of ASSETS) {
      const snap = snaps.get(`${asset}-USDT-SWAP`)!;
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
      expect(() => okx.openStreams(['BTC'], VIEW_CATALOGUE)[0]!.onMessage((error as MockReject).frame!)).toThrow(/stream error 60018/);
    }
    expect(() => okxMock.connect('ws.okx.com:8443', '/ws/v5/business')).toThrow(MockReject);
  });

  it('rejects REST requests missing required parameters or naming unknown instruments', () => {
    const get = (path: string, query: string) => okxMock.http({ method: 'GET', host: 'www.okx.com', path, query: new URLSearchParams(query), body: '' }, view);
    expect(get('/api/v5/public/funding-rate', '').status).toBe(400);
    expect(get('/api/v5/public/open-interest', 'instId=BTC-USDT-SWAP').status).toBe(400);
    expect(get('/api/v5/public/liquidation-orders', 'instType=SWAP&state=filled').status).toBe(400);
    expect(get('/api/v5/public/liquidation-orders', 'instType=SWAP&instFamily=BTC-USDT&limit=500').status).toBe(400);
    expect(get('/api/v5/public/instruments', 'instType=OPTIONS').status).toBe(400);
    expect(get('/api/v5/market/tickers', '').status).toBe(400);
    expect(get('/api/v5/market/index-tickers', '').status).toBe(400);
    const unknown = get('/api/v5/market/ticker', 'instId=DOGE-USDT-SWAP');
    expect(unknown.body).toMatchObject({ code: '51001' });
    expect(() => okx.parsePoll('tickers', unknown.body, VIEW_CATALOGUE)).toThrow(VenueDataError);
    expect(get('/api/v5/public/fundingrate', 'instId=BTC-USDT-SWAP').status).toBe(404);
  });
});
