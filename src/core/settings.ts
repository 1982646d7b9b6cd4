/** User settings with their defaults. The options page (and storage validation) build on this. */
import { VENUE_IDS, type VenueId } from './model';

export interface Settings {
  /** Assets the worker polls open interest and per-asset readings for. */
  watchlist: string[];
  venues: Record<VenueId, boolean>;
  alerts: {
    /** Market-wide 1 h liquidations that trigger a notification, USD. */
    market1hUsd: number;
    /** One notification per flush: no repeat of the same rule within this time. */
    cooldownMs: number;
  };
}

export const DEFAULT_SETTINGS: Settings = {
  watchlist: ['BTC', 'ETH', 'SOL'],
  venues: Object.fromEntries(VENUE_IDS.map((id) => [id, true])) as Record<VenueId, boolean>,
  alerts: {
    market1hUsd: 50_000_000,
    cooldownMs: 2 * 60 * 60 * 1000,
  },
};
