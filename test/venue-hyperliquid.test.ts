import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type MarketSnapshot } from '../src/core/model';
import { hyperliquid } from '../src/venues/hyperliquid';
import { fixture } from './fixtures';
import { MockReject } from './mock/types';
import { hyperliquidMock } from './mock/venues/hyperliquid';
import { marketRow, staticView } from './mock/view';

type MetaAndCtxs = [{ universe: Array<{ name: string }> }, Array<Record<string, unknown>>];
const metaFixture = () => fixture('hyperliquid-metaAndAssetCtxs-rest.json') as MetaAndCtxs;

describe('hyperliquid: no public liquidation feed', () => {
  it('declares completeness none with a note, and opens no stream', () => {
    expect(hyperliquid.completeness).toBe('none');
    expect(hyperliquid.completenessNote).toMatch(/no public liquidation feed/);
    expect(hyperliquid.openStream(['BTC', 'ETH', 'SOL'])).toBeNull();
  });

  it.each([
    ['metaAndAssetCtxs', 'hyperliquid-metaAndAssetCtxs-rest.json'],
    ['fundingHistory', 'hyperliquid-fundingHistory-rest.json'],
    ['fundingHistory without premium', 'hyperliquid-fundingHistory-rest-nautilus.json'],
    ['WS activeAssetCtx', 'hyperliquid-activeAssetCtx-ws-tardis.json'],
  ])('parseLiquidations returns [] for a well-formed %s response', (_name, file) => {
    expect(hyperliquid.parseLiquidations(fixture(file))).toEqual([]);
  });

  it('returns [] for WS pong and subscription acks', () => {
    expect(hyperliquid.parseLiquidations({ channel: 'pong' })).toEqual([]);
    expect(hyperliquid.parseLiquidations({ channel: 'subscriptionResponse', data: { method: 'subscribe', subscription: { type: 'trades', coin: 'BTC' } } })).toEqual([]);
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
    expect(() => hyperliquid.parseLiquidations(message)).toThrow(VenueDataError);
  });
});

describe('hyperliquid.parsePoll', () => {
  it('pairs universe[i] with ctxs[i]: hourly funding, OI in coins, mark, oracle as index, day notional volume', () => {
    const before = Date.now();
    const out = hyperliquid.parsePoll('metaAndAssetCtxs', metaFixture(), ['ETH']);
    expect(out.markets).toHaveLength(1);
    const update = out.markets[0]!;
    expect(update).toMatchObject({
      venue: 'hyperliquid',
      symbol: 'ETH',
      asset: 'ETH',
      markPrice: 6.0436,
      indexPrice: 6.0457,
      lastPrice: 6.0431,
      fundingRate: 0.0000125,
      fundingIntervalHours: 1,
      openInterestBase: 1882.55,
      perpVolume24hUsd: 1426126.295175,
    });
    expect(update.nextFundingTime! % 3_600_000).toBe(0);
    expect(update.nextFundingTime!).toBeGreaterThanOrEqual(before);
    const snap = mergeMarket(undefined, update);
    expect(snap.fundingRate8h).toBeCloseTo(0.0001, 12);
    expect(snap.openInterestUsd).toBeCloseTo(1882.55 * 6.0436, 6);
  });

  it('names the coin and field of a malformed context, and rejects other keys', () => {
    const [m, ctxs] = metaFixture();
    const broken = [m, [{ ...ctxs[0], markPx: 'NaN' }, ...ctxs.slice(1)]];
    expect(() => hyperliquid.parsePoll('metaAndAssetCtxs', broken, ['BTC'])).toThrow(/asset context BTC at markPx/);
    expect(() => hyperliquid.parsePoll('metaAndAssetCtxs', [m, [{ ...ctxs[0], openInterest: '-1' }, ...ctxs.slice(1)]], ['BTC'])).toThrow(VenueDataError);
    expect(() => hyperliquid.parsePoll('allMids', {}, ['BTC'])).toThrow(VenueDataError);
  });

  it('polls one POST /info request: weight 20 twice a minute is under 10% of 1200', () => {
    expect(hyperliquid.pollRequests(['BTC', 'ETH', 'SOL'])).toEqual([
      { key: 'metaAndAssetCtxs', url: 'https://api.hyperliquid.xyz/info', method: 'POST', body: { type: 'metaAndAssetCtxs' } },
    ]);
    expect(hyperliquid.rateBudget.requestsPerMinute / hyperliquid.rateBudget.limitPerMinute).toBeLessThan(0.1);
  });
});

const view = staticView([marketRow('hyperliquid', 'BTC', 72000), marketRow('hyperliquid', 'ETH', 2600), marketRow('hyperliquid', 'SOL', 150)]);

describe('hyperliquid mock ↔ adapter', () => {
  it('serves every poll request the adapter makes, and the adapter parses it', () => {
    const watched = ['BTC', 'ETH', 'SOL'];
    const snaps = new Map<string, MarketSnapshot>();
    for (const request of hyperliquid.pollRequests(watched)) {
      const url = new URL(request.url);
      const res = hyperliquidMock.http({ method: request.method ?? 'GET', host: url.host, path: url.pathname, query: url.searchParams, body: JSON.stringify(request.body) }, view);
      expect(res.status, request.url).toBe(200);
      expect(hyperliquid.parseLiquidations(res.body)).toEqual([]);
      for (const update of hyperliquid.parsePoll(request.key, res.body, watched).markets) snaps.set(update.asset, mergeMarket(snaps.get(update.asset), update));
    }
    expect([...snaps.keys()].sort()).toEqual(['BTC', 'ETH', 'SOL']);
    for (const snap of snaps.values()) {
      expect(snap.fundingRate8h).toBeCloseTo(0.0001, 9);
      expect(snap.openInterestUsd).toBeCloseTo(3.6e9, -3);
      expect(snap.perpVolume24hUsd).toBeCloseTo(9e9, -2);
      expect(snap.markPrice! / snap.indexPrice! - 1).toBeCloseTo(0.0003, 6);
    }
  });

  it('never emits liquidation frames, even to a trades subscriber', () => {
    const socket = hyperliquidMock.connect('api.hyperliquid.xyz', '/ws');
    expect(socket.onMessage(JSON.stringify({ method: 'subscribe', subscription: { type: 'trades', coin: 'BTC' } }), view)).toHaveLength(1);
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
    expect(() => socket.onMessage(JSON.stringify({ method: 'subscribe', subscription: { type: 'liquidations' } }), view)).toThrow(MockReject);
    expect(() => socket.onMessage(JSON.stringify({ op: 'subscribe', args: ['trades'] }), view)).toThrow(MockReject);
    expect(JSON.parse(socket.onMessage('{"method":"ping"}', view)[0]!)).toEqual({ channel: 'pong' });
  });
});
