/**
 * A scenario: a timeline of market rows and liquidations (docs/scenario-format.md).
 * The replay command, the mock exchange and `npm run demo` all read this one format.
 */
import type { PositionSide, VenueId } from '../../src/core/model';

export interface ScenarioMarketEvent {
  t: number;
  type: 'market';
  venue: VenueId;
  asset: string;
  price: number;
  markPrice: number;
  indexPrice: number;
  fundingRate8h: number;
  openInterestUsd: number;
  perpVolume24hUsd: number;
  spotVolume24hUsd: number;
}

export interface ScenarioLiquidationEvent {
  t: number;
  type: 'liquidation';
  venue: VenueId;
  asset: string;
  side: PositionSide;
  /** Per one unit of the asset. */
  price: number;
  notionalUsd: number;
  /** The venue-native instrument; absent: the venue's main perpetual of the asset. */
  symbol?: string;
}

export type ScenarioEvent = ScenarioMarketEvent | ScenarioLiquidationEvent;

export interface Scenario {
  name: string;
  /** Epoch ms of t = 0. */
  start: number;
  /** Sorted by t (ms since start). */
  events: ScenarioEvent[];
}
