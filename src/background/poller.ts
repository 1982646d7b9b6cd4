/**
 * REST polling for one venue: every request has a deadline, HTTP errors become readable
 * reasons, rate limits pause the venue for as long as it asks, and a bad payload degrades
 * the venue without touching the others.
 */
import type { DegradedKind } from '../core/bus';
import { VenueDataError, type InstrumentSpec, type VenueId } from '../core/model';
import { retryAfterMs } from '../venues/parse';
import type { RestRequest, StreamOutput, VenueAdapter } from '../venues/types';

const REQUEST_DEADLINE_MS = 10_000;
/** Requests in flight per venue at once. */
const MAX_PARALLEL_REQUESTS = 4;
/**
 * At most this many requests per venue per poll, whatever the number of tracked assets. A venue's
 * all-symbol endpoints cost the same for 3 assets or 300; where it needs a request per symbol
 * (Binance open interest) the tracked assets take turns (PollRotation). 24 is Binance at 20 assets:
 * 3 all-symbol requests + 20 open interest + 1 spot batch, 140 weight a minute, 5.8 % of its limit.
 */
export const MAX_POLL_REQUESTS = 24;
/** Without a Retry-After header, a rate-limited venue rests this long. */
const DEFAULT_RATE_LIMIT_PAUSE_MS = 60_000;
/** Never trust a Retry-After longer than this (a broken header must not silence a venue for days). */
const MAX_RATE_LIMIT_PAUSE_MS = 15 * 60_000;

export class HttpError extends Error {
  constructor(
    message: string,
    readonly kind: DegradedKind,
    /** How long the venue asked us to wait (429/418), in ms. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** Reasons a trader can act on, by status. */
export function describeHttpStatus(status: number): string {
  if (status === 429 || status === 418) return `rate limited (HTTP ${status})`;
  if (status === 451) return `blocked in your region (HTTP ${status}); other venues carry on`;
  // A bare 403 is a firewall's refusal: a region block or an IP ban (a venue that says which reads it in classifyFailure).
  if (status === 403) return `access refused (HTTP ${status}); other venues carry on`;
  if (status >= 500) return `exchange error (HTTP ${status})`;
  return `request rejected (HTTP ${status})`;
}

/** Retry-After in seconds or as an HTTP date, bounded; the default when absent. */
export function defaultRetryAfterMs(header: string | null, now: number): number {
  return retryAfterMs({ get: () => header }, now, DEFAULT_RATE_LIMIT_PAUSE_MS, MAX_RATE_LIMIT_PAUSE_MS);
}

/**
 * One request's JSON body. A failure is read the venue's way first (its rate-limit and ban
 * answers, sometimes in a 2xx body), then by the HTTP status.
 */
async function fetchJson(adapter: VenueAdapter, request: RestRequest): Promise<unknown> {
  const response = await fetch(request.url, {
    method: request.method ?? 'GET',
    signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  const venueFailure = adapter.classifyFailure?.(response.status, text, response.headers) ?? null;
  if (venueFailure) throw new HttpError(venueFailure.reason, venueFailure.kind, venueFailure.pauseMs);
  if (!response.ok) {
    const limited = response.status === 429 || response.status === 418;
    throw new HttpError(describeHttpStatus(response.status), kindOfStatus(response.status), limited ? defaultRetryAfterMs(response.headers.get('retry-after'), Date.now()) : null);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(`truncated or non-JSON response (${text.length} bytes)`, 'badData');
  }
}

export interface FetchResult<T> {
  outputs: T[];
  /** First failure's reason, or null when every request succeeded. */
  error: string | null;
  errorKind: DegradedKind | null;
  /** The venue rate-limited us: wait this long before its next request. */
  retryAfterMs: number | null;
}

export type PollResult = FetchResult<StreamOutput>;

/** Runs `requests` against the venue, each answer through `parse`; keeps what succeeded, reports the first failure. */
export async function fetchEach<T>(adapter: VenueAdapter, requests: readonly RestRequest[], parse: (key: string, body: unknown) => T): Promise<FetchResult<T>> {
  const outputs: T[] = [];
  let error: string | null = null;
  let errorKind: DegradedKind | null = null;
  let retryAfter: number | null = null;
  const queue = [...requests];
  const worker = async () => {
    for (let request = queue.shift(); request !== undefined; request = queue.shift()) {
      // A rate limit stops the rest: asking again would prolong it.
      if (retryAfter !== null) return;
      try {
        outputs.push(parse(request.key, await fetchJson(adapter, request)));
      } catch (failure) {
        if (error === null) [error, errorKind] = reasonOf(request, failure);
        if (failure instanceof HttpError && failure.retryAfterMs !== null) retryAfter = Math.max(retryAfter ?? 0, failure.retryAfterMs);
      }
    }
  };
  // A few at a time: a backfill of many families must not burst past a per-endpoint limit (OKX: 40 per 2 s).
  await Promise.all(Array.from({ length: Math.min(MAX_PARALLEL_REQUESTS, requests.length) }, worker));
  return { outputs, error, errorKind, retryAfterMs: retryAfter };
}

/** Poll (or backfill, or gap) requests answered through the adapter's `parsePoll`. */
export function pollVenue(adapter: VenueAdapter, requests: readonly RestRequest[], instruments: readonly InstrumentSpec[]): Promise<PollResult> {
  return fetchEach(adapter, requests, (key, body) => adapter.parsePoll(key, body, instruments));
}

/** One poll's requests for a venue, the tracked assets they cover, and where the next window starts. */
export interface PollWindow {
  requests: RestRequest[];
  assets: string[];
  /** Index in the tracked list after the last rotating asset taken (`start` when none was). */
  next: number;
}

/**
 * The longest run of `tracked` whose poll fits `cap` requests: all of them when the venue's requests do
 * not grow with the tracked set. The run takes `first` (assets open on trading pages: fresh at every
 * poll) before the rest, which it takes from `start`, wrapping round. The all-symbol requests go
 * whatever the cap (they carry every asset's other figures).
 */
export function pollWindow(
  adapter: VenueAdapter,
  tracked: readonly string[],
  instruments: readonly InstrumentSpec[],
  start: number,
  first: readonly string[] = [],
  cap = MAX_POLL_REQUESTS,
): PollWindow {
  const all = adapter.pollRequests(tracked, instruments);
  if (all.length <= cap) return { requests: all, assets: [...tracked], next: start };
  const from = tracked.length ? start % tracked.length : 0;
  const pinned = tracked.filter((asset) => first.includes(asset));
  const order = [...pinned, ...[...tracked.slice(from), ...tracked.slice(0, from)].filter((asset) => !pinned.includes(asset))];
  let window: PollWindow = { requests: adapter.pollRequests([], instruments), assets: [], next: from };
  for (let size = 1; size < order.length; size++) {
    const requests = adapter.pollRequests(order.slice(0, size), instruments);
    if (requests.length > cap) break;
    const last = order[size - 1]!;
    window = { requests, assets: order.slice(0, size), next: pinned.includes(last) ? from : (tracked.indexOf(last) + 1) % tracked.length };
  }
  return window;
}

/**
 * Round-robin over the tracked assets, per venue: each poll asks for the window after the last one, so
 * with n tracked assets and w in a window every asset is asked for at least once in ceil(n / w) polls
 * (Binance: w is at least 20, so 3 polls at 50 assets; assets open on pages are asked every poll, the
 * rest share what is left). Between its turns an asset keeps the figure its per-symbol request last
 * gave (mergeMarket); its all-symbol figures are fresh at every poll.
 */
export class PollRotation {
  /** Venue → where its next window starts in the tracked list. */
  private readonly next = new Map<VenueId, number>();

  /** This poll's window for the venue; the next call starts after the rotating assets it covers. */
  window(adapter: VenueAdapter, tracked: readonly string[], instruments: readonly InstrumentSpec[], first: readonly string[] = []): PollWindow {
    const window = pollWindow(adapter, tracked, instruments, this.next.get(adapter.id) ?? 0, first);
    this.next.set(adapter.id, window.next);
    return window;
  }
}

function reasonOf(request: RestRequest, failure: unknown): [string, DegradedKind] {
  if (failure instanceof HttpError) return [`${request.key}: ${failure.message}`, failure.kind];
  if (failure instanceof VenueDataError) return [`${request.key}: ${failure.message}`, 'badData'];
  if (failure instanceof DOMException && failure.name === 'TimeoutError') return [`${request.key}: no answer within ${REQUEST_DEADLINE_MS / 1000} s`, 'timeout'];
  return [`${request.key}: network error (${String(failure)})`, 'network'];
}

function kindOfStatus(status: number): DegradedKind {
  if (status === 429 || status === 418) return 'rateLimited';
  if (status === 451 || status === 403) return 'blocked';
  return status >= 500 ? 'exchangeError' : 'rejected';
}
