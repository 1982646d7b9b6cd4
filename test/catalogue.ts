/**
 * Instrument catalogues for tests, obtained the way the worker obtains them: the adapter's
 * `instrumentRequests()` answered by the mock exchange and read by `parseInstruments`.
 */
import type { InstrumentSpec, VenueId } from '../src/core/model';
import { venues } from '../src/venues';
import type { RestRequest } from '../src/venues/types';
import type { MockHttpResponse, MockMarketView, MockVenue } from './mock/types';
import { mockVenues } from './mock/venues';
import { marketRow, staticView } from './mock/view';

export function mockVenue(venue: VenueId): MockVenue {
  return mockVenues.find((m) => m.id === venue)!;
}

/** One adapter request answered by a mock venue, without a server. */
export function mockAnswer(venue: VenueId, request: RestRequest, view: MockMarketView): MockHttpResponse {
  const url = new URL(request.url);
  const body = request.body === undefined ? '' : JSON.stringify(request.body);
  return mockVenue(venue).http({ method: request.method ?? 'GET', host: url.host, path: url.pathname, query: url.searchParams, body }, view);
}

/** BTC, ETH and SOL at round prices: the view most venue tests use. */
export function defaultView(now = 1_763_600_000_000): MockMarketView {
  return staticView([marketRow('binance', 'BTC', 72_000), marketRow('binance', 'ETH', 2_100), marketRow('binance', 'SOL', 90)], now);
}

/** The venue's catalogue as the mock lists it for `view` (its assets plus the mock's extra instruments). */
export function mockCatalogue(venue: VenueId, view: MockMarketView = defaultView()): InstrumentSpec[] {
  const adapter = venues[venue];
  return adapter.instrumentRequests().flatMap((request) => {
    const response = mockAnswer(venue, request, view);
    if (response.status !== 200) throw new Error(`mock ${venue} answered ${response.status} to ${request.url}`);
    return adapter.parseInstruments(request.key, response.body);
  });
}

