/** The smallest scenario worth replaying: two venues, two assets, two liquidations (flush-replay and replay-cli tests). */
import type { Scenario } from '../tools/replay/scenario';

export const START = Date.UTC(2025, 0, 1);

export function tiny(): Scenario {
  const market = (t: number, venue: 'binance' | 'okx', asset: string, oi: number) => ({
    t,
    type: 'market' as const,
    venue,
    asset,
    price: 100,
    markPrice: 100.1,
    indexPrice: 100,
    fundingRate8h: 0.0001,
    openInterestUsd: oi,
    perpVolume24hUsd: 4e9,
    spotVolume24hUsd: 1e9,
  });
  return {
    name: 'tiny',
    start: START,
    events: [
      market(1000, 'binance', 'BTC', 1e9),
      market(1500, 'okx', 'ETH', 5e8),
      { t: 30_000, type: 'liquidation', venue: 'binance', asset: 'BTC', side: 'long', price: 100, notionalUsd: 50_000 },
      market(61_000, 'binance', 'BTC', 0.99e9),
      { t: 150_000, type: 'liquidation', venue: 'okx', asset: 'ETH', side: 'short', price: 100, notionalUsd: 25_000 },
    ],
  };
}
