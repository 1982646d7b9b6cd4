/** Every venue adapter, keyed by venue id. Adding a venue: one file here plus one line below. */
import type { InstrumentSpec, VenueId } from '../core/model';
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

/** A venue's catalogue, for the functions below. */
type Catalogues = (venue: VenueId) => readonly InstrumentSpec[];

/** REST hosts the worker fetches from (instrument lists, polls, backfills, gap fills): exactly the manifest's host permissions (a test pins this). */
export function apiHosts(tracked: readonly string[], catalogues: Catalogues): string[] {
  const hosts = Object.values(venues).flatMap((venue) => {
    const instruments = catalogues(venue.id);
    const requests = [
      ...venue.instrumentRequests(),
      ...venue.pollRequests(tracked, instruments),
      ...(venue.backfillRequests?.(tracked, instruments) ?? []),
      ...(venue.gapRequests?.(0, 60_000, tracked, instruments) ?? []),
    ];
    return requests.map((request) => new URL(request.url).host);
  });
  return [...new Set(hosts)].sort();
}

/** WebSocket origins the worker connects to (with a port where the venue uses one). */
export function streamOrigins(tracked: readonly string[], catalogues: Catalogues): string[] {
  const origins = Object.values(venues).flatMap((venue) => venue.openStreams(tracked, catalogues(venue.id)).map((session) => new URL(session.url).origin));
  return [...new Set(origins)].sort();
}
