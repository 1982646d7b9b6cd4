import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type InstrumentSpec, type MarketSnapshot } from '../src/core/model';
import { bitfinex } from '../src/venues/bitfinex';
import { mockAnswer, mockCatalogue } from './catalogue';
import { fixture } from './fixtures';
import { MockReject } from './mock/types';
import { BITFINEX_EXTRA_PERPETUALS, bitfinexMock } from './mock/venues/bitfinex';

/** The mock's catalogue: BTC, ETH, SOL perpetuals plus tXAUTF0:USTF0 (paper tTESTBTCF0 left out). */
const CATALOGUE = mockCatalogue('bitfinex');
/** The docs status example as a catalogue (tAMPF0:USTF0), plus BTC. */
const FIXTURE_CATALOGUE: InstrumentSpec[] = [
  ...bitfinex.parseInstruments('instruments', fixture('bitfinex-status-deriv-rest.json')),
  { venue: 'bitfinex', symbol: 'tBTCF0:USTF0', asset: 'BTC', kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1 } },
];
import { marketRow, staticView } from './mock/view';

type Row = unknown[];
const wsFixture = () => fixture('bitfinex-liquidations-ws.json') as [number, Row[]];
/** The WS fixture's row (a margin position on tBSVUSD, IS_MATCH 1) moved to a perpetual trigger. */
function perpTrigger(amount: number): [number, Row[]] {
  const [chanId, [row]] = wsFixture();
  const copy = [...row!];
  copy[4] = 'tBTCF0:USTF0';
  copy[5] = amount;
  copy[8] = 0;
  return [chanId, [copy]];
}

describe('bitfinex.parseLiquidations', () => {
  it('reads the REST history trigger (IS_MATCH 0): positive AMOUNT = long, price = PRICE_ACQUIRED', () => {
    expect(bitfinex.parseLiquidations(fixture('bitfinex-liquidations-hist-rest.json'), FIXTURE_CATALOGUE)).toEqual([
      {
        venue: 'bitfinex',
        symbol: 'tAMPF0:USTF0',
        asset: 'AMP',
        kind: 'perp',
        side: 'long',
        price: 1.0098,
        quantity: 1e-8,
        notionalUsd: 1e-8 * 1.0098,
        time: 1678465351520,
        id: '158793100',
      },
    ]);
  });

  it('skips the market execution row (IS_MATCH 1) of the WS fixture: its trigger was already counted', () => {
    expect(bitfinex.parseLiquidations(fixture('bitfinex-liquidations-ws.json'), CATALOGUE)).toEqual([]);
  });

  it('negative AMOUNT = short; rounds the fractional WS timestamp; quantity in coins', () => {
    const [liq] = bitfinex.parseLiquidations(perpTrigger(-2.62932), CATALOGUE);
    expect(liq).toMatchObject({ symbol: 'tBTCF0:USTF0', asset: 'BTC', kind: 'perp', side: 'short', price: 112.27, quantity: 2.62932, time: 1574697680828 });
    expect(liq!.notionalUsd).toBeCloseTo(2.62932 * 112.27, 9);
  });

  it('ignores margin positions on spot pairs (tBSVUSD): perpetuals only', () => {
    const [chanId, [row]] = wsFixture();
    const trigger = [...row!];
    trigger[8] = 0;
    expect(bitfinex.parseLiquidations([chanId, [trigger]], CATALOGUE)).toEqual([]);
  });

  it.each([
    ['heartbeat', [17, 'hb']],
    ['info event', { event: 'info', version: 2, serverId: 'x', platform: { status: 1 } }],
    ['subscribed event', { event: 'subscribed', channel: 'status', chanId: 91684, key: 'liq:global' }],
    ['pong', { event: 'pong', ts: 1511545528111, cid: 1 }],
    ['derivatives status update', fixture('bitfinex-status-deriv-ws.json')],
    ['empty history', []],
  ])('returns [] for %s', (_name, message) => {
    expect(bitfinex.parseLiquidations(message, CATALOGUE)).toEqual([]);
  });

  it.each([
    ['an error event', { event: 'error', msg: 'subscribe: invalid', code: 10300 }],
    ['zero amount', perpTrigger(0)],
    ['NaN amount', perpTrigger(Number.NaN)],
    ['IS_MATCH neither 0 nor 1', (() => { const f = perpTrigger(1); f[1][0]![8] = 2; return f; })()],
    ['missing PRICE_ACQUIRED', (() => { const f = perpTrigger(1); f[1][0] = f[1][0]!.slice(0, 11); return f; })()],
    ['zero price', (() => { const f = perpTrigger(1); f[1][0]![11] = 0; return f; })()],
    ['history entry not wrapped', [['pos', 1, 1678465351520]]],
    ['not an array', 'hello'],
    ['null', null],
  ])('throws VenueDataError for %s', (_name, message) => {
    expect(() => bitfinex.parseLiquidations(message, CATALOGUE)).toThrow(VenueDataError);
  });
});

describe('bitfinex catalogue', () => {
  it('lists every USDt perpetual of status/deriv?keys=ALL as a linear contract of one coin', () => {
    expect(bitfinex.instrumentRequests().map((r) => r.url)).toEqual(['https://api-pub.bitfinex.com/v2/status/deriv?keys=ALL']);
    expect(bitfinex.parseInstruments('instruments', fixture('bitfinex-status-deriv-rest.json'))).toEqual([
      { venue: 'bitfinex', symbol: 'tAMPF0:USTF0', asset: 'AMP', kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1 } },
    ]);
    expect(CATALOGUE.map((s) => s.symbol).sort()).toEqual(['tBTCF0:USTF0', 'tETHF0:USTF0', 'tSOLF0:USTF0', 'tXAUTF0:USTF0']);
    expect(BITFINEX_EXTRA_PERPETUALS.map((e) => e.symbol)).toEqual(['tXAUTF0:USTF0']);
  });

  it('leaves out paper-trading and EURt-margined perpetuals; a malformed list is a VenueDataError', () => {
    expect(bitfinex.parseInstruments('instruments', [['tTESTBTCF0:TESTUSDTF0', 1], ['tBTCF0:EUTF0', 1], ['tBTCUSD', 1]])).toEqual([]);
    expect(() => bitfinex.parseInstruments('instruments', { error: 1 })).toThrow(VenueDataError);
  });

  it('counts the liquidation of an unwatched listed perpetual (liq:global covers every symbol)', () => {
    const [session] = bitfinex.openStreams(['BTC'], CATALOGUE);
    const frame = perpTrigger(3);
    frame[1][0]![4] = 'tXAUTF0:USTF0';
    const [liq] = session!.onMessage(JSON.stringify(frame)).liquidations;
    expect(liq).toMatchObject({ symbol: 'tXAUTF0:USTF0', asset: 'XAUT', kind: 'perp', side: 'long', quantity: 3 });
    expect(bitfinex.coverage(['BTC'], CATALOGUE)).toEqual({ covered: 4, listed: 4 });
  });

  it('skips a perpetual missing from the catalogue and the session reports it', () => {
    const [session] = bitfinex.openStreams(['BTC'], CATALOGUE);
    const frame = perpTrigger(1);
    frame[1][0]![4] = 'tNEWF0:USTF0';
    const out = session!.onMessage(JSON.stringify(frame));
    expect(out.liquidations).toEqual([]);
    expect(out.unknownSymbols).toEqual(['tNEWF0:USTF0']);
  });
});

describe('bitfinex.parsePoll', () => {
  it('asks all-symbol endpoints: the request count does not grow with tracked assets', () => {
    expect(bitfinex.pollRequests(['BTC'], CATALOGUE)).toEqual(bitfinex.pollRequests(['BTC', 'ETH', 'DOGE', 'XAUT'], CATALOGUE));
    expect(bitfinex.pollRequests(['BTC'], CATALOGUE).map((r) => r.url)).toEqual([
      'https://api-pub.bitfinex.com/v2/status/deriv?keys=ALL',
      'https://api-pub.bitfinex.com/v2/tickers?symbols=ALL',
    ]);
  });

  it('reads mark, spot mid, 8 h funding, next funding and OI in coins from status/deriv (REST has KEY first)', () => {
    const out = bitfinex.parsePoll('status', fixture('bitfinex-status-deriv-rest.json'), FIXTURE_CATALOGUE);
    expect(out.markets).toEqual([
      {
        venue: 'bitfinex',
        symbol: 'tAMPF0:USTF0',
        asset: 'AMP',
        kind: 'perp',
        time: 1596124822000,
        markPrice: 0.7664,
        indexPrice: 0.771995,
        fundingRate: -0.01381344,
        fundingIntervalHours: 8,
        nextFundingTime: 1596153600000,
        openInterestBase: 246502.09001551,
      },
    ]);
    const snap = mergeMarket(undefined, out.markets[0]!);
    expect(snap.openInterestUsd).toBeCloseTo(246502.09001551 * 0.7664, 4);
    expect(snap.fundingRate8h).toBeCloseTo(-0.01381344);
  });

  it('leaves out keys the catalogue does not list', () => {
    expect(bitfinex.parsePoll('status', fixture('bitfinex-status-deriv-rest.json'), CATALOGUE).markets).toEqual([]);
  });

  it('turns ticker VOLUME (coins) × LAST_PRICE into USD: spot pair → spot volume of the perpetual\'s asset', () => {
    const [update] = bitfinex.parsePoll('tickers', fixture('bitfinex-tickers-rest.json'), FIXTURE_CATALOGUE).markets;
    expect(update).toMatchObject({ asset: 'BTC', symbol: 'tBTCF0:USTF0', kind: 'spot' });
    expect(update!.spotVolume24hUsd).toBeCloseTo(14480.89849423 * 10644.00645389, 2);
    expect(update!.perpVolume24hUsd).toBeUndefined();
  });

  it('names the bad field of a malformed status row', () => {
    const row = [...(fixture('bitfinex-status-deriv-rest.json') as Row[])[0]!];
    row[15] = 'x';
    expect(() => bitfinex.parsePoll('status', [row], FIXTURE_CATALOGUE)).toThrow(/markPrice/);
    expect(() => bitfinex.parsePoll('tickers', [['tBTCUSD', 1, 2]], FIXTURE_CATALOGUE)).toThrow(VenueDataError);
    expect(() => bitfinex.parsePoll('nope', [], FIXTURE_CATALOGUE)).toThrow(/unknown poll key/);
  });
});

describe('bitfinex.classifyFailure', () => {
  const headers = { get: () => null };
  it('reads HTTP 429 and the 11010 error array (also in a 200) as a rate limit of at least 60 s', () => {
    for (const [status, body] of [[429, '["error",11010,"ratelimit: error"]'], [200, '["error", 11010, "ratelimit: error"]'], [429, '']] as const) {
      const failure = bitfinex.classifyFailure!(status, body, headers);
      expect(failure?.kind).toBe('rateLimited');
      expect(failure!.pauseMs).toBeGreaterThanOrEqual(60_000);
    }
    expect(bitfinex.classifyFailure!(400, '["error",10020,"keys: invalid"]', headers)).toBeNull();
    expect(bitfinex.classifyFailure!(500, 'oops', headers)).toBeNull();
  });
});

describe('bitfinex stream session', () => {
  it('subscribes to liq:global and each tracked perpetual\'s deriv status in the documented format', () => {
    const sessions = bitfinex.openStreams(['BTC', 'ETH', 'DOGE'], CATALOGUE);
    expect(sessions).toHaveLength(1);
    const session = sessions[0]!;
    expect(session.url).toBe('wss://api-pub.bitfinex.com/ws/2');
    expect(session.onOpen().map((f) => JSON.parse(f))).toEqual([
      { event: 'subscribe', channel: 'status', key: 'liq:global' },
      { event: 'subscribe', channel: 'status', key: 'deriv:tBTCF0:USTF0' },
      { event: 'subscribe', channel: 'status', key: 'deriv:tETHF0:USTF0' },
    ]);
    expect(JSON.parse(session.heartbeat.message)).toMatchObject({ event: 'ping' });
    expect(session.heartbeat.intervalMs).toBeLessThanOrEqual(25_000);
  });

  it('maps a deriv status channel id to its symbol and reads the WS row (no KEY)', () => {
    const [session] = bitfinex.openStreams(['BTC'], CATALOGUE);
    session!.onMessage(JSON.stringify({ event: 'subscribed', channel: 'status', chanId: 1, key: 'deriv:tBTCF0:USTF0' }));
    const out = session!.onMessage(JSON.stringify(fixture('bitfinex-status-deriv-ws.json')));
    expect(out.liquidations).toEqual([]);
    expect(out.markets[0]).toMatchObject({ asset: 'BTC', kind: 'perp', markPrice: 0.7664, indexPrice: 0.771995, openInterestBase: 246502.09001551, fundingRate: -0.01381344 });
  });

  it('raises the venue error event', () => {
    const [session] = bitfinex.openStreams(['BTC'], CATALOGUE);
    expect(() => session!.onMessage('{"event":"error","msg":"subscribe: limit","code":10305}')).toThrow(/10305/);
    expect(() => session!.onMessage('not json')).toThrow(VenueDataError);
  });
});

const view = staticView([marketRow('bitfinex', 'BTC', 72000), marketRow('bitfinex', 'ETH', 2600), marketRow('bitfinex', 'SOL', 150)]);

describe('bitfinex mock ↔ adapter', () => {
  it('round-trips liquidations of a main and an extra perpetual: trigger counted once, the market fill is not', () => {
    const socket = bitfinexMock.connect('api-pub.bitfinex.com', '/ws/2');
    const [session] = bitfinex.openStreams(['BTC'], CATALOGUE);
    for (const frame of session!.onOpen()) for (const reply of socket.onMessage(frame, view)) session!.onMessage(reply);
    for (const extra of [{ asset: 'BTC', price: 72100 }, { asset: 'XAUT', price: 2410, symbol: 'tXAUTF0:USTF0' }]) {
      const event = { t: 0, type: 'liquidation' as const, venue: 'bitfinex' as const, side: 'short' as const, notionalUsd: 250000, time: 1763600000000, ...extra };
      const liquidations = socket.liquidationFrames(event, view).flatMap((f) => session!.onMessage(f).liquidations);
      expect(liquidations).toHaveLength(1);
      expect(liquidations[0]).toMatchObject({ venue: 'bitfinex', asset: extra.asset, kind: 'perp', side: 'short', price: extra.price, time: event.time });
      expect(liquidations[0]!.notionalUsd).toBeCloseTo(250000, 6);
    }
  });

  it('sends no liquidation frames to a client that did not subscribe to liq:global', () => {
    const socket = bitfinexMock.connect('api-pub.bitfinex.com', '/ws/2');
    socket.onMessage(JSON.stringify({ event: 'subscribe', channel: 'status', key: 'deriv:tBTCF0:USTF0' }), view);
    const event = { t: 0, type: 'liquidation' as const, venue: 'bitfinex' as const, asset: 'BTC', side: 'long' as const, price: 1, notionalUsd: 1, time: 1 };
    expect(socket.liquidationFrames(event, view)).toEqual([]);
  });

  it('serves every poll request the adapter makes, and the adapter parses it', () => {
    const snaps = new Map<string, MarketSnapshot>();
    for (const request of bitfinex.pollRequests(['BTC'], CATALOGUE)) {
      const res = mockAnswer('bitfinex', request, view);
      expect(res.status, request.url).toBe(200);
      for (const update of bitfinex.parsePoll(request.key, res.body, CATALOGUE).markets) snaps.set(update.asset, mergeMarket(snaps.get(update.asset), update));
    }
    expect([...snaps.keys()].sort()).toEqual(['BTC', 'ETH', 'SOL', 'XAUT']);
    const btc = snaps.get('BTC')!;
    expect(btc.markPrice).toBeCloseTo(72000 * 1.0003);
    expect(btc.lastPrice).toBe(72000);
    expect(btc.fundingRate8h).toBeCloseTo(0.0001);
    expect(btc.openInterestUsd).toBeCloseTo(3.6e9, -3);
    expect(btc.perpVolume24hUsd).toBeCloseTo(9e9, -3);
    expect(btc.spotVolume24hUsd).toBeCloseTo(2.25e9, -3);
    expect(bitfinex.rateBudget.requestsPerMinute / bitfinex.rateBudget.limitPerMinute).toBeLessThan(0.1);
  });

  it('rejects malformed subscriptions, unknown events and a second connection path', () => {
    const socket = bitfinexMock.connect('api-pub.bitfinex.com', '/ws/2');
    expect(() => socket.onMessage(JSON.stringify({ event: 'subscribe', channel: 'liquidations' }), view)).toThrow(MockReject);
    expect(() => socket.onMessage(JSON.stringify({ event: 'subscribe', channel: 'status', key: 'liq:BTC' }), view)).toThrow(MockReject);
    expect(() => socket.onMessage(JSON.stringify({ event: 'sub', channel: 'status', key: 'liq:global' }), view)).toThrow(MockReject);
    expect(() => bitfinexMock.connect('api-pub.bitfinex.com', '/ws/1')).toThrow(MockReject);
    const [pong] = socket.onMessage(bitfinex.openStreams(['BTC'], CATALOGUE)[0]!.heartbeat.message, view);
    expect(JSON.parse(pong!)).toMatchObject({ event: 'pong', cid: 1 });
  });

  it('answers a status request without keys with the venue error array', () => {
    const res = bitfinexMock.http({ method: 'GET', host: 'api-pub.bitfinex.com', path: '/v2/status/deriv', query: new URLSearchParams(), body: '' }, view);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(['error', 10020, 'keys: invalid']);
  });

  it('back-fills the REST liquidation history, and a stream gap between start and end', () => {
    const played = [
      { t: 0, type: 'liquidation' as const, venue: 'bitfinex' as const, asset: 'ETH', side: 'long' as const, price: 2500, notionalUsd: 50000, time: 1763600000000 },
      { t: 0, type: 'liquidation' as const, venue: 'bitfinex' as const, asset: 'XAUT', side: 'short' as const, price: 2400, notionalUsd: 24000, time: 1763600000500, symbol: 'tXAUTF0:USTF0' },
    ];
    const histView = staticView([marketRow('bitfinex', 'ETH', 2500)], 1763600001000, played);
    const catalogue = mockCatalogue('bitfinex', histView);
    const [backfill] = bitfinex.backfillRequests!(['ETH'], catalogue);
    const [liq] = bitfinex.parsePoll(backfill!.key, mockAnswer('bitfinex', backfill!, histView).body, catalogue).liquidations.slice(-1);
    expect(liq).toMatchObject({ asset: 'ETH', side: 'long', price: 2500 });
    expect(liq!.notionalUsd).toBeCloseTo(50000, 6);
    const [gap] = bitfinex.gapRequests!(1763600000100, 1763600000900, ['ETH'], catalogue);
    expect(gap!.url).toBe('https://api-pub.bitfinex.com/v2/liquidations/hist?start=1763600000100&end=1763600000900&limit=500&sort=-1');
    const res = mockAnswer('bitfinex', gap!, histView);
    expect(res.status).toBe(200);
    expect(bitfinex.parsePoll(gap!.key, res.body, catalogue).liquidations.map((l) => [l.symbol, l.side, l.notionalUsd])).toEqual([['tXAUTF0:USTF0', 'short', 24000]]);
    expect(bitfinex.parsePoll(gap!.key, res.body, catalogue).truncated).toBeUndefined();
  });

  it('says a full history page (500 rows) may have left older rows of the span out', () => {
    const rows = fixture('bitfinex-liquidations-hist-rest.json') as unknown[];
    const full = Array.from({ length: 500 }, (_, i) => rows[i % rows.length]);
    expect(bitfinex.parsePoll('liquidationsHist', full, FIXTURE_CATALOGUE).truncated).toBe(true);
    expect(bitfinex.parsePoll('liquidationsHist', full.slice(1), FIXTURE_CATALOGUE).truncated).toBeUndefined();
  });
});
