/** A MockMarketView over fixed market rows, for unit tests of mock venues. */
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../tools/replay/scenario';
import type { MockMarketView } from './types';

export function staticView(rows: ScenarioMarketEvent[], now = 1763600000000, played: Array<ScenarioLiquidationEvent & { time: number }> = []): MockMarketView {
  return {
    now,
    market: (asset) => rows.find((r) => r.asset === asset),
    assets: () => [...new Set(rows.map((r) => r.asset))],
    marketHistory: (asset, periodMs, limit) => {
      const row = rows.find((r) => r.asset === asset);
      if (!row) return [];
      const { price, markPrice, fundingRate8h, openInterestUsd } = row;
      return Array.from({ length: limit }, (_, i) => ({ time: now - (limit - i) * periodMs, price, markPrice, fundingRate8h, openInterestUsd }));
    },
    playedLiquidations: () => played,
  };
}

export function marketRow(venue: ScenarioMarketEvent['venue'], asset: string, price: number): ScenarioMarketEvent {
  return {
    t: 0,
    type: 'market',
    venue,
    asset,
    price,
    markPrice: price * 1.0003,
    indexPrice: price,
    fundingRate8h: 0.0001,
    openInterestUsd: 3.6e9,
    perpVolume24hUsd: 9e9,
    spotVolume24hUsd: 2.25e9,
  };
}
