/** Every venue adapter, keyed by venue id. Adding a venue: one file here plus one line below. */
import type { VenueId } from '../core/model';
import { binance } from './binance';
import type { VenueAdapter } from './types';

export const venues: Partial<Record<VenueId, VenueAdapter>> = {
  binance,
};
