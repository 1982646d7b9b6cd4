/** Every venue adapter, keyed by venue id. Adding a venue: one file here plus one line below. */
import type { VenueId } from '../core/model';
import { binance } from './binance';
import { bitfinex } from './bitfinex';
import { bitget } from './bitget';
import { bitmex } from './bitmex';
import { bybit } from './bybit';
import { deribit } from './deribit';
import { hyperliquid } from './hyperliquid';
import { okx } from './okx';
import type { VenueAdapter } from './types';

export const venues: Record<VenueId, VenueAdapter> = {
  binance,
  bybit,
  okx,
  bitmex,
  bitget,
  bitfinex,
  deribit,
  hyperliquid,
};

/** REST hosts the worker fetches from: exactly the manifest's host permissions (a test pins this). */
export function apiHosts(watched: readonly string[]): string[] {
  const hosts = Object.values(venues).flatMap((venue) => venue.pollRequests(watched).map((request) => new URL(request.url).host));
  return [...new Set(hosts)].sort();
}

/** WebSocket origins the worker connects to (with a port where the venue uses one). */
export function streamOrigins(watched: readonly string[]): string[] {
  const origins = Object.values(venues).flatMap((venue) => {
    const session = venue.openStream(watched);
    return session ? [new URL(session.url).origin] : [];
  });
  return [...new Set(origins)].sort();
}
