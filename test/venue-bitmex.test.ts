import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type InstrumentSpec, type MarketSnapshot } from '../src/core/model';
import { bitmex, parseBitmexLiquidations } from '../src/venues/bitmex';
import { defaultView, mockCatalogue } from './catalogue';
import { fixture } from './fixtures';
import { MockReject } from './mock/types';
import { BITMEX_EXTRA_SYMBOLS, bitmexMock } from './mock/venues/bitmex';
import { marketRow, staticView } from './mock/view';

const RECEIVED = 1763600000000;
const insert = fixture('bitmex-liquidation-ws-insert-tardis.json') as { data: Array<Record<string, unknown>> };
const instrument = fixture('bitmex-instrument-xbtusd-rest-element.json') as Record<string, unknown>;
const withRow = (row: Record<string, unknown>) => ({ table: 'liquidation', action: 'insert', data: [row] });
const liquidationRow = (symbol: string, side: 'Buy' | 'Sell', price: number, leavesQty: number) => ({ orderID: `id-${symbol}`, symbol, side, price, leavesQty });

/** BTC at 72 000 (XBTUSD mark 72 021.6), ETH at 2 100, SOL at 90. */
const catalogue = mockCatalogue('bitmex');
const XBT_MARK = 72_000 * 1.0003;
const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name.toLowerCase()] ?? null });

describe('bitmex.parseInstruments', () => {
  it('reads the /instrument/active capture: XBTUSD inverse, 1 USD a contract; the spread is not an instrument', () => {
    const specs = bitmex.parseInstruments('instruments', fixture('bitmex-instrument-active-rest.json'));
    expect(specs).toEqual([
      { venue: 'bitmex', symbol: 'XBTUSD', asset: 'BTC', kind: 'perp', priceScale: 1, contract: { type: 'inverse', usd: 1 }, referencePrice: 97849.76 },
    ]);
  });

  it('lists every open perpetual and future of the mock with its contract rule, and no spot pair', () => {
    const bySymbol = new Map(catalogue.map((spec) => [spec.symbol, spec]));
    expect([...bySymbol.keys()].sort()).toEqual(['ETHUSD', 'ETHUSDT', 'SOLUSDT', 'XBTH26', 'XBTUSD', 'XBTUSDT']);
    expect(bySymbol.get('XBTUSDT')).toMatchObject({ asset: 'BTC', kind: 'perp', contract: { type: 'linear', size: 1e-6 } });
    expect(bySymbol.get('ETHUSDT')).toMatchObject({ asset: 'ETH', kind: 'perp', contract: { type: 'linear', size: 1e-5 } });
    expect(bySymbol.get('ETHUSD')).toMatchObject({ asset: 'ETH', kind: 'perp', contract: { type: 'quanto', multiplier: 100, settle: 'XBt' } });
    expect(bySymbol.get('XBTH26')).toMatchObject({ asset: 'BTC', kind: 'dated', contract: { type: 'inverse', usd: 1 } });
    expect(bySymbol.get('XBTUSD')).toMatchObject({ referencePrice: XBT_MARK });
    for (const symbol of BITMEX_EXTRA_SYMBOLS) expect(bySymbol.has(symbol)).toBe(true);
  });

  it('skips instruments that do not trade, and contracts with no USD value (EUR- or XBT-quoted)', () => {
    const rows = [
      { ...instrument, symbol: 'XBTZ24', typ: 'FFCCSX', state: 'Settled' },
      { ...instrument, symbol: 'XBTEUR', quoteCurrency: 'EUR' },
      { ...instrument, symbol: 'ETHZ25', underlying: 'ETH', quoteCurrency: 'XBT', isInverse: false, underlyingToPositionMultiplier: 100 },
      { symbol: '.BXBT', typ: 'MRCXXX', state: 'Unlisted' },
    ];
    expect(bitmex.parseInstruments('instruments', rows)).toEqual([]);
  });

  it('rejects a malformed trading row, an error envelope and an unknown key', () => {
    expect(() => bitmex.parseInstruments('instruments', [{ ...instrument, multiplier: 'x' }])).toThrow(/instrument 0 \(XBTUSD\) at multiplier/);
    expect(() => bitmex.parseInstruments('instruments', { error: { message: 'Rate limit exceeded', name: 'HTTPError' } })).toThrow(/Rate limit exceeded/);
    expect(() => bitmex.parseInstruments('instrument', [])).toThrow(VenueDataError);
  });
});

describe('bitmex.parseLiquidations', () => {
  it('normalises an XBTUSD insert: Buy order = short liquidated, leavesQty is USD face value', () => {
    const [liq, ...rest] = parseBitmexLiquidations(fixture('bitmex-liquidation-ws-insert-tardis.json'), catalogue, RECEIVED);
    expect(rest).toEqual([]);
    expect(liq).toEqual({
      venue: 'bitmex',
      symbol: 'XBTUSD',
      asset: 'BTC',
      kind: 'perp',
      side: 'short',
      price: 10106,
      quantity: 9214 / 10106,
      notionalUsd: 9214,
      time: RECEIVED,
      id: 'dd9cea25-207c-0dab-15b5-b88da776f500',
    });
  });

  it('maps a Sell order to a long liquidation, and stamps the receive time (rows carry none)', () => {
    const before = Date.now();
    const [liq] = bitmex.parseLiquidations(withRow({ ...insert.data[0], side: 'Sell' }), catalogue);
    expect(liq?.side).toBe('long');
    expect(liq!.time).toBeGreaterThanOrEqual(before);
    expect(liq!.time).toBeLessThanOrEqual(Date.now());
  });

  it('values XBTUSDT (linear): contracts / underlyingToPositionMultiplier in XBT', () => {
    const [liq] = parseBitmexLiquidations(withRow(liquidationRow('XBTUSDT', 'Sell', 72_000, 2_000_000)), catalogue, RECEIVED);
    expect(liq).toMatchObject({ symbol: 'XBTUSDT', asset: 'BTC', kind: 'perp', side: 'long', price: 72_000 });
    expect(liq!.quantity).toBeCloseTo(2, 12);
    expect(liq!.notionalUsd).toBeCloseTo(144_000, 6);
  });

  it('values ETHUSD (quanto): contracts × 100 XBt × price, at the XBT price, in USD', () => {
    const [liq] = parseBitmexLiquidations(withRow(liquidationRow('ETHUSD', 'Buy', 2_100, 1_000)), catalogue, RECEIVED);
    const usd = 1_000 * 100 * 2_100 * 1e-8 * XBT_MARK;
    expect(liq).toMatchObject({ symbol: 'ETHUSD', asset: 'ETH', kind: 'perp', side: 'short', price: 2_100 });
    expect(liq!.notionalUsd).toBeCloseTo(usd, 6);
    expect(liq!.quantity).toBeCloseTo(usd / 2_100, 9);
  });

  it('counts a dated future as a liquidation of its asset, kind dated', () => {
    const [liq] = parseBitmexLiquidations(withRow(liquidationRow('XBTH26', 'Sell', 73_000, 50_000)), catalogue, RECEIVED);
    expect(liq).toMatchObject({ symbol: 'XBTH26', asset: 'BTC', kind: 'dated', notionalUsd: 50_000 });
  });

  it('skips a quanto liquidation while no XBT price is known', () => {
    const withoutReference = catalogue.map((spec) => ({ ...spec, referencePrice: undefined })) as InstrumentSpec[];
    expect(parseBitmexLiquidations(withRow(liquidationRow('ETHUSD', 'Buy', 2_100, 1_000)), withoutReference, RECEIVED)).toEqual([]);
  });

  it('skips a symbol the catalogue does not list, without throwing', () => {
    expect(parseBitmexLiquidations(withRow(liquidationRow('DOGEUSDT', 'Sell', 0.2, 1_000)), catalogue, RECEIVED)).toEqual([]);
  });

  it('returns [] for delete, update and partial actions, acks, the welcome banner and pong', () => {
    const none = (message: unknown) => expect(bitmex.parseLiquidations(message, catalogue)).toEqual([]);
    none(fixture('bitmex-liquidation-ws-delete-tardis.json'));
    none({ table: 'liquidation', action: 'update', data: [{ orderID: 'x', symbol: 'XBTUSD', leavesQty: 100 }] });
    none({ table: 'liquidation', action: 'partial', keys: ['orderID'], data: [insert.data[0]] });
    none({ success: true, subscribe: 'liquidation', request: { op: 'subscribe', args: ['liquidation'] } });
    none({ info: 'Welcome to the BitMEX Realtime API.', version: '2.0.0', timestamp: '2025-01-01T00:00:00.000Z' });
    none({ table: 'instrument', action: 'update', data: [{ symbol: '.BXBT', lastPrice: 1 }] });
    none('pong');
  });

  it('reports a BitMEX error frame readably', () => {
    expect(() => bitmex.parseLiquidations({ status: 400, error: 'Unknown table: liquidations', meta: {}, request: {} }, catalogue)).toThrow(/bitmex: request rejected: Unknown table/);
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
    ['an index row with a negative value', { table: 'instrument', action: 'update', data: [{ symbol: '.BXBT', lastPrice: -1 }] }],
    ['a bare array', [insert.data[0]]],
    ['text that is not pong', 'hello'],
  ])('throws VenueDataError for %s', (_name, message) => {
    expect(() => parseBitmexLiquidations(message, catalogue, RECEIVED)).toThrow(VenueDataError);
  });
});

describe('bitmex.openStreams', () => {
  it('opens one connection: the symbol-less liquidation topic and the .BXBT index; pings with the literal string', () => {
    const sessions = bitmex.openStreams(['BTC'], catalogue);
    expect(sessions).toHaveLength(1);
    const session = sessions[0]!;
    expect(session.url).toBe('wss://ws.bitmex.com/realtime');
    expect(session.onOpen().map((f) => JSON.parse(f))).toEqual([{ op: 'subscribe', args: ['liquidation', 'instrument:.BXBT'] }]);
    expect(session.heartbeat).toEqual({ intervalMs: 20_000, message: 'ping' });
    expect(session.onMessage('pong')).toEqual({ liquidations: [], markets: [], replies: [] });
    expect(() => session.onMessage('{"table":')).toThrow(VenueDataError);
  });

  it('counts a liquidation of an instrument nobody tracks', () => {
    const [session] = bitmex.openStreams(['BTC'], catalogue);
    const { liquidations } = session!.onMessage(JSON.stringify(withRow(liquidationRow('SOLUSDT', 'Sell', 90, 25_000))));
    expect(liquidations).toHaveLength(1);
    expect(liquidations[0]).toMatchObject({ asset: 'SOL', side: 'long', price: 90 });
    expect(liquidations[0]!.notionalUsd).toBeCloseTo(225, 9);
  });

  it('skips and reports a symbol newer than the catalogue', () => {
    const [session] = bitmex.openStreams([], catalogue);
    const frame = { table: 'liquidation', action: 'insert', data: [liquidationRow('DOGEUSDT', 'Sell', 0.2, 1_000), liquidationRow('DOGEUSDT', 'Buy', 0.2, 10), insert.data[0]] };
    const out = session!.onMessage(JSON.stringify(frame));
    expect(out.liquidations.map((l) => l.symbol)).toEqual(['XBTUSD']);
    expect(out.unknownSymbols).toEqual(['DOGEUSDT']);
  });

  it('values quanto contracts at the latest .BXBT the connection saw', () => {
    const [session] = bitmex.openStreams([], catalogue);
    session!.onMessage(JSON.stringify({ table: 'instrument', action: 'update', data: [{ symbol: '.BXBT', lastPrice: 80_000, timestamp: '2025-11-20T00:00:00.000Z' }] }));
    const [liq] = session!.onMessage(JSON.stringify(withRow(liquidationRow('ETHUSD', 'Buy', 2_000, 1_000)))).liquidations;
    expect(liq!.notionalUsd).toBeCloseTo(1_000 * 100 * 2_000 * 1e-8 * 80_000, 6);
  });

  it('covers every listed derivative', () => {
    expect(bitmex.coverage(['BTC'], catalogue)).toEqual({ covered: 6, listed: 6 });
  });
});

describe('bitmex.parsePoll', () => {
  it('reads XBTUSD: mark, index, 8 h funding, OI in USD contracts, quote volume', () => {
    const specs = bitmex.parseInstruments('instruments', [instrument]);
    const { markets } = bitmex.parsePoll('instrument', [instrument], specs);
    let snap: MarketSnapshot | undefined;
    for (const update of markets) snap = mergeMarket(snap, update);
    expect(snap).toMatchObject({
      venue: 'bitmex',
      symbol: 'XBTUSD',
      asset: 'BTC',
      kind: 'perp',
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

  it('gives linear OI in base units, quanto OI in USD at XBTUSD mark, and skips dated futures and unknown rows', () => {
    const eth = { ...instrument, symbol: 'ETHUSDT', openInterest: 250_000_000 };
    const quanto = { ...instrument, symbol: 'ETHUSD', markPrice: 2_000, openInterest: 10_000, turnover24h: 5e8 };
    const dated = { ...instrument, symbol: 'XBTH26' };
    const unknown = { ...instrument, symbol: 'DOGEUSDT' };
    const { markets } = bitmex.parsePoll('instrument', [instrument, eth, quanto, dated, unknown], catalogue);
    // Of ETHUSDT and ETHUSD, the quanto is BitMEX's main ETH perpetual: ETH's figures come from it alone.
    expect(markets.map((m) => m.symbol)).toEqual(['XBTUSD', 'ETHUSD']);
    // 10 000 contracts × 100 XBt × 2 000 = 20 XBT, at XBTUSD's mark in the same answer.
    expect(markets[1]!.openInterestUsd).toBeCloseTo(20 * 97849.76, 6);
    expect(markets[1]!.perpVolume24hUsd).toBeCloseTo(5 * 97849.76, 6);
    // Where the linear contract is the asset's only perpetual, its OI is in base units.
    const linearOnly = catalogue.filter((spec) => spec.symbol !== 'ETHUSD');
    const linear = bitmex.parsePoll('instrument', [instrument, eth], linearOnly).markets;
    expect(linear[1]).toMatchObject({ symbol: 'ETHUSDT', asset: 'ETH', kind: 'perp', openInterestBase: 2500 });
    expect(linear[1]?.openInterestUsd).toBeUndefined();
  });

  it('asks for every open perpetual in one filtered, column-limited /instrument request', () => {
    const requests = bitmex.pollRequests(['BTC', 'ETH', 'SOL'], catalogue);
    expect(requests).toHaveLength(1);
    expect(bitmex.pollRequests(['DOGE'], catalogue)).toEqual(requests);
    const url = new URL(requests[0]!.url);
    expect(url.origin + url.pathname).toBe('https://www.bitmex.com/api/v1/instrument');
    expect(JSON.parse(url.searchParams.get('filter')!)).toEqual({ typ: 'FFWCSX', state: 'Open' });
    expect(JSON.parse(url.searchParams.get('columns')!)).toContain('fundingRate');
    expect(bitmex.rateBudget.requestsPerMinute * 10).toBeLessThanOrEqual(bitmex.rateBudget.limitPerMinute);
  });

  it('marks malformed or refused bodies with a readable error', () => {
    expect(() => bitmex.parsePoll('instrument', [{ ...instrument, markPrice: -1 }], catalogue)).toThrow(/instrument at 0\.markPrice/);
    expect(() => bitmex.parsePoll('instrument', { error: { message: 'Rate limit exceeded', name: 'HTTPError' } }, catalogue)).toThrow(/Rate limit exceeded/);
    expect(() => bitmex.parsePoll('instrument', [{ ...instrument, timestamp: 'yesterday' }], catalogue)).toThrow(VenueDataError);
    expect(() => bitmex.parsePoll('funding', [], catalogue)).toThrow(VenueDataError);
  });
});

describe('bitmex.classifyFailure', () => {
  it('pauses a 429 for Retry-After, else until x-ratelimit-reset', () => {
    expect(bitmex.classifyFailure!(429, '', headers({ 'retry-after': '7' }))).toMatchObject({ kind: 'rateLimited', pauseMs: 7_000 });
    const reset = String(Math.floor(Date.now() / 1000) + 30);
    const pause = bitmex.classifyFailure!(429, '', headers({ 'x-ratelimit-reset': reset }))!.pauseMs!;
    expect(pause).toBeGreaterThan(28_000);
    expect(pause).toBeLessThanOrEqual(30_000);
    expect(bitmex.classifyFailure!(429, '', headers({}))!.pauseMs).toBe(60_000);
  });

  it('reads a 403 as the hour-long IP ban, and leaves other statuses to the defaults', () => {
    expect(bitmex.classifyFailure!(403, '', headers({}))).toMatchObject({ kind: 'rateLimited', pauseMs: 3_600_000 });
    expect(bitmex.classifyFailure!(503, '', headers({}))).toBeNull();
    expect(bitmex.classifyFailure!(200, '[]', headers({}))).toBeNull();
  });
});

const view = staticView([marketRow('bitmex', 'BTC', 72000), marketRow('bitmex', 'ETH', 2600), marketRow('bitmex', 'SOL', 150)]);

function serve(url: string) {
  const u = new URL(url);
  return bitmexMock.http({ method: 'GET', host: u.host, path: u.pathname, query: u.searchParams, body: '' }, view);
}

describe('bitmex mock ↔ adapter', () => {
  const instruments = mockCatalogue('bitmex', view);

  it('serves every poll request, and the adapter parses sane figures for each perpetual', () => {
    const snaps = new Map<string, MarketSnapshot>();
    for (const request of bitmex.pollRequests(['BTC', 'ETH', 'SOL'], instruments)) {
      const res = serve(request.url);
      expect(res.status, request.url).toBe(200);
      for (const update of bitmex.parsePoll(request.key, res.body, instruments).markets) snaps.set(update.symbol, mergeMarket(snaps.get(update.symbol), update));
    }
    // One perpetual per asset gives its figures: inverse XBTUSD, quanto ETHUSD, and SOLUSDT (SOL's only one).
    expect([...snaps.keys()].sort()).toEqual(['ETHUSD', 'SOLUSDT', 'XBTUSD']);
    for (const snap of snaps.values()) {
      expect(snap.kind).toBe('perp');
      expect(snap.openInterestUsd, snap.symbol).toBeCloseTo(3.6e9, -5);
      expect(snap.fundingRate8h).toBeCloseTo(0.0001);
      expect(snap.perpVolume24hUsd, snap.symbol).toBeCloseTo(9e9, -2);
      expect(snap.markPrice! / snap.indexPrice!).toBeCloseTo(1.0003, 6);
    }
  });

  it.each([
    ['BTC', undefined, 'short', 72010, 125000, 1],
    ['ETH', undefined, 'long', 2590, 48000, 1],
    ['BTC', 'XBTUSDT', 'long', 71990, 250000, 1],
    // One ETHUSD contract is worth 100 × 2 600 XBt ≈ $187: the frame is exact to one contract.
    ['ETH', 'ETHUSD', 'short', 2600, 500000, 200],
    ['BTC', 'XBTH26', 'long', 73000, 80000, 1],
  ] as const)('round-trips a %s %s liquidation; only the insert counts, not its update and delete', (asset, symbol, side, price, notionalUsd, tolerance) => {
    const socket = bitmexMock.connect('ws.bitmex.com', '/realtime');
    const [session] = bitmex.openStreams([], instruments);
    for (const frame of session!.onOpen()) for (const reply of socket.onMessage(frame, view)) expect(session!.onMessage(reply).liquidations).toEqual([]);
    const event = { t: 0, type: 'liquidation' as const, venue: 'bitmex' as const, asset, side, price, notionalUsd, time: 1763600000000, ...(symbol ? { symbol } : {}) };
    const frames = socket.liquidationFrames(event, view);
    expect(frames).toHaveLength(3);
    const liqs = frames.flatMap((f) => session!.onMessage(f).liquidations);
    expect(liqs).toHaveLength(1);
    expect(liqs[0]).toMatchObject({ venue: 'bitmex', asset, side, price, kind: symbol === 'XBTH26' ? 'dated' : 'perp' });
    // Contracts are whole numbers: XBTUSD is exact to $1, linear to one contract.
    expect(Math.abs(liqs[0]!.notionalUsd - notionalUsd)).toBeLessThanOrEqual(tolerance);
  });

  it('answers the heartbeat and sends nothing to a client that did not subscribe', () => {
    const socket = bitmexMock.connect('ws.bitmex.com', '/realtime');
    expect(socket.onMessage(bitmex.openStreams([], instruments)[0]!.heartbeat.message, view)).toEqual(['pong']);
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

  it('rejects a wrong WebSocket path, an unknown REST path and a malformed filter or columns', () => {
    expect(() => bitmexMock.connect('ws.bitmex.com', '/realtimePlatform')).toThrow(MockReject);
    expect(() => bitmexMock.connect('ws.bitmex.com', '/realtime?subscribe=liquidation:XBTUSD')).toThrow(MockReject);
    expect(serve('https://www.bitmex.com/api/v1/instruments').status).toBe(404);
    expect(serve('https://www.bitmex.com/api/v1/instrument?filter=%7Bsymbol').status).toBe(400);
    expect(serve('https://www.bitmex.com/api/v1/instrument?columns=symbol').status).toBe(400);
    expect(serve('https://www.bitmex.com/api/v1/instrument?count=0').status).toBe(400);
  });

  it('lists the extra instruments only for assets the scenario prices', () => {
    expect(mockCatalogue('bitmex', defaultView()).map((s) => s.symbol)).toContain('ETHUSD');
    const btcOnly = mockCatalogue('bitmex', staticView([marketRow('bitmex', 'BTC', 72000)]));
    expect(btcOnly.map((s) => s.symbol).sort()).toEqual(['XBTH26', 'XBTUSD', 'XBTUSDT']);
    const ethOnly = mockCatalogue('bitmex', staticView([marketRow('bitmex', 'ETH', 2100)]));
    expect(ethOnly.map((s) => s.symbol)).toEqual(['ETHUSDT']);
  });
});
