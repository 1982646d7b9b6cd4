/** The mock speaks what the adapter parses, and rejects what the real venue rejects. */
import { describe, expect, it } from 'vitest';
import { mergeMarket, type MarketSnapshot } from '../src/core/model';
import { binance } from '../src/venues/binance';
import { mockCatalogue } from './catalogue';
import { binanceMock } from './mock/venues/binance';
import { MockReject } from './mock/types';
import { marketRow, staticView } from './mock/view';

const view = staticView([marketRow('binance', 'BTC', 72000), marketRow('binance', 'PEPE', 0.00001)]);
const catalogue = mockCatalogue('binance', view);
const liquidation = (extra: { symbol?: string; asset?: string; price?: number }) => ({
  t: 0, type: 'liquidation' as const, venue: 'binance' as const, asset: 'BTC', side: 'long' as const, price: 71950, notionalUsd: 125000, time: 1763600000000, ...extra,
});

describe('binance mock ↔ adapter', () => {
  it('round-trips a liquidation through the wire format', () => {
    const socket = binanceMock.connect('fstream.binance.com', '/market/ws/!forceOrder@arr');
    const event = liquidation({});
    const [session] = binance.openStreams(['BTC'], catalogue);
    const [liq] = socket.liquidationFrames(event, view).flatMap((f) => session!.onMessage(f).liquidations);
    expect(liq).toMatchObject({ venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', side: 'long', time: event.time });
    expect(liq!.notionalUsd).toBeCloseTo(125000, 0);
  });

  it('round-trips 1000PEPEUSDT (price per PEPE) and a dated BTC future', () => {
    const socket = binanceMock.connect('fstream.binance.com', '/market/ws/!forceOrder@arr');
    const [session] = binance.openStreams([], catalogue);
    const [pepe] = socket.liquidationFrames(liquidation({ asset: 'PEPE', price: 0.0000123 }), view).flatMap((f) => session!.onMessage(f).liquidations);
    expect(pepe).toMatchObject({ symbol: '1000PEPEUSDT', asset: 'PEPE', kind: 'perp' });
    expect(pepe!.price).toBeCloseTo(0.0000123, 12);
    expect(pepe!.notionalUsd).toBeCloseTo(125000, 0);
    const [dated] = socket.liquidationFrames(liquidation({ symbol: 'BTCUSDT_260626' }), view).flatMap((f) => session!.onMessage(f).liquidations);
    expect(dated).toMatchObject({ symbol: 'BTCUSDT_260626', asset: 'BTC', kind: 'dated', price: 71950 });
  });

  it('serves every instrument, poll and backfill request the adapter makes, and the adapter parses it', () => {
    const snaps = new Map<string, MarketSnapshot>();
    const requests = [...binance.pollRequests(['BTC', 'PEPE'], catalogue), ...binance.backfillRequests!(['BTC', 'PEPE'], catalogue)];
    for (const request of requests) {
      const url = new URL(request.url);
      const res = binanceMock.http({ method: 'GET', host: url.host, path: url.pathname, query: url.searchParams, body: '' }, view);
      expect(res.status, request.url).toBe(200);
      for (const update of binance.parsePoll(request.key, res.body, catalogue).markets) snaps.set(update.asset, mergeMarket(snaps.get(update.asset), update));
    }
    expect([...snaps.keys()].sort()).toEqual(['BTC', 'PEPE']);
    for (const [asset, snap] of snaps) {
      expect(snap.openInterestUsd, asset).toBeCloseTo(3.6e9, -3);
      expect(snap.fundingRate8h).toBeCloseTo(0.0001);
      expect(snap.perpVolume24hUsd).toBeCloseTo(9e9, -2);
      expect(snap.spotVolume24hUsd).toBeCloseTo(2.25e9, -2);
    }
    expect(snaps.get('PEPE')!.markPrice).toBeCloseTo(0.00001 * 1.0003, 12);
    expect(snaps.get('BTC')!.symbol).toBe('BTCUSDT');
  });

  it('rejects the legacy unrouted path and malformed socket requests', () => {
    expect(() => binanceMock.connect('fstream.binance.com', '/ws/!forceOrder@arr')).toThrow(MockReject);
    const socket = binanceMock.connect('fstream.binance.com', '/market/ws/!forceOrder@arr');
    expect(() => socket.onMessage('{"method":"LIST_SUBSCRIPTIONS"}', view)).toThrow(MockReject);
    expect(socket.onMessage(binance.openStreams(['BTC'], catalogue)[0]!.heartbeat.message, view)).toHaveLength(1);
  });

  it('serves COIN-M exchangeInfo on dapi and liquidations on dstream /market only', () => {
    const get = (path: string) => binanceMock.http({ method: 'GET', host: 'dapi.binance.com', path, query: new URLSearchParams(), body: '' }, view);
    expect(get('/dapi/v1/exchangeInfo').status).toBe(200);
    expect(get('/dapi/v1/premiumIndex').status).toBe(404);
    expect(catalogue.filter((s) => s.contract.type === 'inverse').map((s) => s.symbol)).toEqual(['BTCUSD_PERP', 'PEPEUSD_PERP', 'BTCUSD_260626']);
    expect(() => binanceMock.connect('dstream.binance.com', '/ws/!forceOrder@arr')).toThrow(MockReject);
    const socket = binanceMock.connect('dstream.binance.com', '/market/ws/!forceOrder@arr');
    const session = binance.openStreams([], catalogue)[1]!;
    const [dated] = socket.liquidationFrames(liquidation({ symbol: 'BTCUSD_260626' }), view).flatMap((f) => session.onMessage(f).liquidations);
    expect(dated).toMatchObject({ symbol: 'BTCUSD_260626', asset: 'BTC', kind: 'dated', side: 'long', price: 71950, notionalUsd: 125000 });
  });

  it('rejects an openInterest request without a symbol, an unknown spot symbol and symbolStatus with symbols', () => {
    const get = (host: string, path: string, query: string) => binanceMock.http({ method: 'GET', host, path, query: new URLSearchParams(query), body: '' }, view);
    expect(get('fapi.binance.com', '/fapi/v1/openInterest', '').status).toBe(400);
    expect(get('api.binance.com', '/api/v3/ticker/24hr', `symbols=${encodeURIComponent('["1000PEPEUSDT"]')}`).status).toBe(400);
    expect(get('api.binance.com', '/api/v3/exchangeInfo', `symbolStatus=TRADING&symbols=${encodeURIComponent('["BTCUSDT"]')}`).status).toBe(400);
  });
});
