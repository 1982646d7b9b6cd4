import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type InstrumentSpec, type MarketSnapshot } from '../src/core/model';
import { hyperliquid } from '../src/venues/hyperliquid';
import { mockCatalogue } from './catalogue';
import { fixture } from './fixtures';
import { MockReject } from './mock/types';
import { HYPERLIQUID_EXTRA_INSTRUMENTS, hyperliquidMock } from './mock/venues/hyperliquid';
import { marketRow, staticView } from './mock/view';

type MetaAndCtxs = [{ universe: Array<{ name: string }> }, Array<Record<string, unknown>>];
const metaFixture = () => fixture('hyperliquid-metaAndAssetCtxs-rest.json') as MetaAndCtxs;
/** The catalogue of the metaAndAssetCtxs fixture's universe (BTC, ETH, HPOS). */
const fixtureCatalogue: InstrumentSpec[] = hyperliquid.parseInstruments('meta', metaFixture()[0]);
const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name.toLowerCase()] ?? null });

describe('hyperliquid.parseInstruments', () => {
  it('reads the meta example: one linear perpetual per coin, max leverage, delisted coins skipped', () => {
    expect(hyperliquid.instrumentRequests()).toEqual([{ key: 'meta', url: 'https://api.hyperliquid.xyz/info', method: 'POST', body: { type: 'meta' } }]);
    expect(hyperliquid.parseInstruments('meta', fixture('hyperliquid-meta-rest.json'))).toEqual([
      { venue: 'hyperliquid', symbol: 'BTC', asset: 'BTC', kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1 }, maxLeverage: 50 },
      { venue: 'hyperliquid', symbol: 'ETH', asset: 'ETH', kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1 }, maxLeverage: 50 },
      { venue: 'hyperliquid', symbol: 'HPOS', asset: 'HPOS', kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1 }, maxLeverage: 3 },
    ]);
  });

  it('maps kPEPE to PEPE with a price scale of 1000', () => {
    const [spec] = hyperliquid.parseInstruments('meta', { universe: [{ name: 'kPEPE', szDecimals: 0, maxLeverage: 10 }] });
    expect(spec).toMatchObject({ symbol: 'kPEPE', asset: 'PEPE', priceScale: 1000 });
    expect(mockCatalogue('hyperliquid').map((s) => s.symbol)).toEqual(['BTC', 'ETH', 'SOL', 'kPEPE']);
  });

  it('rejects a malformed list and an unknown key', () => {
    expect(() => hyperliquid.parseInstruments('meta', { universe: 'BTC' })).toThrow(VenueDataError);
    expect(() => hyperliquid.parseInstruments('meta', { universe: [{ name: '' }] })).toThrow(VenueDataError);
    expect(() => hyperliquid.parseInstruments('spotMeta', { universe: [] })).toThrow(VenueDataError);
  });
});

describe('hyperliquid: no public liquidation feed', () => {
  it('declares completeness none with a note, opens no stream and covers nothing of what it lists', () => {
    expect(hyperliquid.completeness).toBe('none');
    expect(hyperliquid.completenessNote).toMatch(/no public liquidation feed/);
    expect(hyperliquid.openStreams(['BTC', 'ETH', 'SOL'], fixtureCatalogue)).toEqual([]);
    expect(hyperliquid.coverage(['BTC'], fixtureCatalogue)).toEqual({ covered: 0, listed: 3 });
  });

  it.each([
    ['metaAndAssetCtxs', 'hyperliquid-metaAndAssetCtxs-rest.json'],
    ['fundingHistory', 'hyperliquid-fundingHistory-rest.json'],
    ['fundingHistory without premium', 'hyperliquid-fundingHistory-rest-nautilus.json'],
    ['WS activeAssetCtx', 'hyperliquid-activeAssetCtx-ws-tardis.json'],
  ])('parseLiquidations returns [] for a well-formed %s response', (_name, file) => {
    expect(hyperliquid.parseLiquidations(fixture(file), fixtureCatalogue)).toEqual([]);
  });

  it('returns [] for WS pong and subscription acks', () => {
    expect(hyperliquid.parseLiquidations({ channel: 'pong' }, fixtureCatalogue)).toEqual([]);
    expect(hyperliquid.parseLiquidations({ channel: 'subscriptionResponse', data: { method: 'subscribe', subscription: { type: 'trades', coin: 'BTC' } } }, fixtureCatalogue)).toEqual([]);
  });

  it.each([
    ['a string', 'hello'],
    ['null', null],
    ['a number', 42],
    ['an object without channel', { data: 1 }],
    ['a list of numbers', [1, 2]],
    ['universe not an array', [{ universe: 'BTC' }, []]],
    ['contexts shorter than the universe', (() => { const [m, ctxs] = metaFixture(); return [m, ctxs.slice(1)]; })()],
  ])('parseLiquidations throws VenueDataError for %s', (_name, message) => {
    expect(() => hyperliquid.parseLiquidations(message, fixtureCatalogue)).toThrow(VenueDataError);
  });
});

describe('hyperliquid.parsePoll', () => {
  it('pairs universe[i] with ctxs[i]: hourly funding, OI in coins, mark, oracle as index, day notional volume', () => {
    const before = Date.now();
    const out = hyperliquid.parsePoll('metaAndAssetCtxs', metaFixture(), fixtureCatalogue);
    // Every perpetual of the body the catalogue knows, tracked or not.
    expect(out.markets.map((m) => m.symbol)).toEqual(['BTC', 'ETH', 'HPOS']);
    const update = out.markets[1]!;
    expect(update).toMatchObject({
      venue: 'hyperliquid',
      symbol: 'ETH',
      asset: 'ETH',
      kind: 'perp',
      markPrice: 6.0436,
      indexPrice: 6.0457,
      lastPrice: 6.0431,
      fundingRate: 0.0000125,
      fundingIntervalHours: 1,
      openInterestBase: 1882.55,
      perpVolume24hUsd: 1426126.295175,
    });
    expect(update.openInterestUsd).toBeCloseTo(1882.55 * 6.0436, 6);
    expect(update.nextFundingTime! % 3_600_000).toBe(0);
    expect(update.nextFundingTime!).toBeGreaterThanOrEqual(before);
    const snap = mergeMarket(undefined, update);
    expect(snap.fundingRate8h).toBeCloseTo(0.0001, 12);
    expect(snap.openInterestUsd).toBeCloseTo(1882.55 * 6.0436, 6);
  });

  it('gives kPEPE per PEPE: prices ÷ 1000, open interest × 1000 coins', () => {
    const body = [
      { universe: [{ name: 'kPEPE', szDecimals: 0, maxLeverage: 10 }] },
      [{ funding: '0.0000125', openInterest: '2500000', markPx: '0.012', oraclePx: '0.0119', dayNtlVlm: '1000000', midPx: '0.01201' }],
    ];
    const catalogue = hyperliquid.parseInstruments('meta', body[0]);
    const [update] = hyperliquid.parsePoll('metaAndAssetCtxs', body, catalogue).markets;
    expect(update).toMatchObject({ symbol: 'kPEPE', asset: 'PEPE', kind: 'perp' });
    expect(update!.markPrice).toBeCloseTo(0.000012, 15);
    expect(update!.indexPrice).toBeCloseTo(0.0000119, 15);
    expect(update!.lastPrice).toBeCloseTo(0.00001201, 15);
    expect(update!.openInterestBase).toBeCloseTo(2.5e9, 3);
    expect(update!.openInterestUsd).toBeCloseTo(30_000, 6);
  });

  it('skips coins the catalogue does not list (delisted, or newer than it)', () => {
    const catalogue = fixtureCatalogue.filter((spec) => spec.symbol !== 'HPOS');
    expect(hyperliquid.parsePoll('metaAndAssetCtxs', metaFixture(), catalogue).markets.map((m) => m.symbol)).toEqual(['BTC', 'ETH']);
  });

  it('names the coin and field of a malformed context, and rejects other keys', () => {
    const [m, ctxs] = metaFixture();
    const broken = [m, [{ ...ctxs[0], markPx: 'NaN' }, ...ctxs.slice(1)]];
    expect(() => hyperliquid.parsePoll('metaAndAssetCtxs', broken, fixtureCatalogue)).toThrow(/asset context BTC at markPx/);
    expect(() => hyperliquid.parsePoll('metaAndAssetCtxs', [m, [{ ...ctxs[0], openInterest: '-1' }, ...ctxs.slice(1)]], fixtureCatalogue)).toThrow(VenueDataError);
    expect(() => hyperliquid.parsePoll('allMids', {}, fixtureCatalogue)).toThrow(VenueDataError);
  });

  it('polls one POST /info request whatever is tracked: weight 20 twice a minute is under 10% of 1200', () => {
    const requests = hyperliquid.pollRequests(['BTC', 'ETH', 'SOL'], fixtureCatalogue);
    expect(requests).toEqual([{ key: 'metaAndAssetCtxs', url: 'https://api.hyperliquid.xyz/info', method: 'POST', body: { type: 'metaAndAssetCtxs' } }]);
    expect(hyperliquid.pollRequests(['DOGE', 'PEPE'], fixtureCatalogue)).toEqual(requests);
    expect(hyperliquid.rateBudget.requestsPerMinute / hyperliquid.rateBudget.limitPerMinute).toBeLessThan(0.1);
  });
});

describe('hyperliquid.classifyFailure', () => {
  it('pauses a 429 (weight limit) for a minute, or for Retry-After; leaves other statuses to the defaults', () => {
    expect(hyperliquid.classifyFailure!(429, 'null', headers({}))).toEqual({ kind: 'rateLimited', reason: expect.stringMatching(/1200/), pauseMs: 60_000 });
    expect(hyperliquid.classifyFailure!(429, '', headers({ 'retry-after': '5' }))!.pauseMs).toBe(5_000);
    expect(hyperliquid.classifyFailure!(422, '', headers({}))).toBeNull();
    expect(hyperliquid.classifyFailure!(500, '', headers({}))).toBeNull();
  });
});

const view = staticView([marketRow('hyperliquid', 'BTC', 72000), marketRow('hyperliquid', 'ETH', 2600), marketRow('hyperliquid', 'SOL', 150), marketRow('hyperliquid', 'PEPE', 0.00001)]);

describe('hyperliquid mock ↔ adapter', () => {
  const instruments = mockCatalogue('hyperliquid', view);

  it('lists kPEPE for PEPE and leaves out the delisted extra', () => {
    expect(instruments.map((s) => s.symbol)).toEqual(['BTC', 'ETH', 'SOL', 'kPEPE']);
    expect(HYPERLIQUID_EXTRA_INSTRUMENTS.map((i) => i.name)).toEqual(['kPEPE', 'LOOM']);
  });

  it('serves every poll request the adapter makes, and the adapter parses it', () => {
    const snaps = new Map<string, MarketSnapshot>();
    for (const request of hyperliquid.pollRequests(['BTC'], instruments)) {
      const url = new URL(request.url);
      const res = hyperliquidMock.http({ method: request.method ?? 'GET', host: url.host, path: url.pathname, query: url.searchParams, body: JSON.stringify(request.body) }, view);
      expect(res.status, request.url).toBe(200);
      expect(hyperliquid.parseLiquidations(res.body, instruments)).toEqual([]);
      for (const update of hyperliquid.parsePoll(request.key, res.body, instruments).markets) snaps.set(update.asset, mergeMarket(snaps.get(update.asset), update));
    }
    expect([...snaps.keys()].sort()).toEqual(['BTC', 'ETH', 'PEPE', 'SOL']);
    for (const snap of snaps.values()) {
      expect(snap.fundingRate8h).toBeCloseTo(0.0001, 9);
      expect(snap.openInterestUsd! / 3.6e9).toBeCloseTo(1, 4);
      expect(snap.perpVolume24hUsd).toBeCloseTo(9e9, -2);
      expect(snap.markPrice! / snap.indexPrice! - 1).toBeCloseTo(0.0003, 6);
    }
    expect(snaps.get('PEPE')!.markPrice).toBeCloseTo(0.00001 * 1.0003, 12);
  });

  it('never emits liquidation frames, even to a trades subscriber', () => {
    const socket = hyperliquidMock.connect('api.hyperliquid.xyz', '/ws');
    expect(socket.onMessage(JSON.stringify({ method: 'subscribe', subscription: { type: 'trades', coin: 'kPEPE' } }), view)).toHaveLength(1);
    const event = { t: 0, type: 'liquidation' as const, venue: 'hyperliquid' as const, asset: 'BTC', side: 'long' as const, price: 72000, notionalUsd: 1e6, time: 1763600000000 };
    expect(socket.liquidationFrames(event, view)).toEqual([]);
  });

  it('rejects GET, unknown info types, bad JSON and malformed subscriptions', () => {
    const post = (body: string, method = 'POST') => hyperliquidMock.http({ method, host: 'api.hyperliquid.xyz', path: '/info', query: new URLSearchParams(), body }, view);
    expect(post('{"type":"metaAndAssetCtxs"}', 'GET').status).toBe(405);
    expect(post('{"type":"liquidations"}').status).toBe(422);
    expect(post('{}').status).toBe(422);
    expect(post('type=metaAndAssetCtxs').status).toBe(400);
    const socket = hyperliquidMock.connect('api.hyperliquid.xyz', '/ws');
    expect(() => socket.onMessage(JSON.stringify({ method: 'subscribe', subscription: { type: 'trades' } }), view)).toThrow(MockReject);
    expect(() => socket.onMessage(JSON.stringify({ method: 'subscribe', subscription: { type: 'trades', coin: 'PEPE' } }), view)).toThrow(MockReject);
    expect(() => socket.onMessage(JSON.stringify({ method: 'subscribe', subscription: { type: 'liquidations' } }), view)).toThrow(MockReject);
    expect(() => socket.onMessage(JSON.stringify({ op: 'subscribe', args: ['trades'] }), view)).toThrow(MockReject);
    expect(JSON.parse(socket.onMessage('{"method":"ping"}', view)[0]!)).toEqual({ channel: 'pong' });
  });
});
