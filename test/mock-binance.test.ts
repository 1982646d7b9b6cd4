/** The mock speaks what the adapter parses, and rejects what the real venue rejects. */
import { describe, expect, it } from 'vitest';
import { mergeMarket, type MarketSnapshot } from '../src/core/model';
import { binance } from '../src/venues/binance';
import { binanceMock } from './mock/venues/binance';
import { MockReject } from './mock/types';
import { marketRow, staticView } from './mock/view';

const view = staticView([marketRow('binance', 'BTC', 72000)]);

describe('binance mock ↔ adapter', () => {
  it('round-trips a liquidation through the wire format', () => {
    const socket = binanceMock.connect('fstream.binance.com', '/market/ws/!forceOrder@arr');
    const event = { t: 0, type: 'liquidation' as const, venue: 'binance' as const, asset: 'BTC', side: 'long' as const, price: 71950, notionalUsd: 125000, time: 1763600000000 };
    const frames = socket.liquidationFrames(event, view);
    const session = binance.openStream(['BTC'])!;
    const [liq] = frames.flatMap((f) => session.onMessage(f).liquidations);
    expect(liq).toMatchObject({ venue: 'binance', asset: 'BTC', side: 'long', time: event.time });
    expect(liq!.notionalUsd).toBeCloseTo(125000, 0);
  });

  it('serves every poll request the adapter makes, and the adapter parses it', () => {
    let snap: MarketSnapshot | undefined;
    for (const request of binance.pollRequests(['BTC'])) {
      const url = new URL(request.url);
      const res = binanceMock.http({ method: 'GET', host: url.host, path: url.pathname, query: url.searchParams, body: '' }, view);
      expect(res.status, request.url).toBe(200);
      for (const update of binance.parsePoll(request.key, res.body, ['BTC']).markets) snap = mergeMarket(snap, update);
    }
    expect(snap?.openInterestUsd).toBeCloseTo(3.6e9, -3);
    expect(snap?.fundingRate8h).toBeCloseTo(0.0001);
    expect(snap?.perpVolume24hUsd).toBeCloseTo(9e9, -2);
    expect(snap?.spotVolume24hUsd).toBeCloseTo(2.25e9, -2);
  });

  it('rejects the legacy unrouted path and malformed socket requests', () => {
    expect(() => binanceMock.connect('fstream.binance.com', '/ws/!forceOrder@arr')).toThrow(MockReject);
    const socket = binanceMock.connect('fstream.binance.com', '/market/ws/!forceOrder@arr');
    expect(() => socket.onMessage('{"method":"LIST_SUBSCRIPTIONS"}', view)).toThrow(MockReject);
    expect(socket.onMessage(binance.openStream(['BTC'])!.heartbeat.message, view)).toHaveLength(1);
  });

  it('rejects an openInterest request without a symbol', () => {
    const res = binanceMock.http({ method: 'GET', host: 'fapi.binance.com', path: '/fapi/v1/openInterest', query: new URLSearchParams(), body: '' }, view);
    expect(res.status).toBe(400);
  });
});
