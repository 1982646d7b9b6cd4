/**
 * REST polling for one venue: every request has a deadline, HTTP errors become readable
 * reasons, rate limits pause the venue for as long as it asks, and a bad payload degrades
 * the venue without touching the others.
 */
import type { DegradedKind } from '../core/bus';
import { VenueDataError } from '../core/model';
import type { RestRequest, StreamOutput, VenueAdapter } from '../venues/types';

const REQUEST_DEADLINE_MS = 10_000;
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
  if (status === 451 || status === 403) return `blocked in your region (HTTP ${status}); other venues carry on`;
  if (status >= 500) return `exchange error (HTTP ${status})`;
  return `request rejected (HTTP ${status})`;
}

/** Retry-After in seconds or as an HTTP date (RFC 9110), bounded; the default when absent. */
export function retryAfterMs(header: string | null, now: number): number {
  if (header === null || header.trim() === '') return DEFAULT_RATE_LIMIT_PAUSE_MS;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms) || ms < 0) return DEFAULT_RATE_LIMIT_PAUSE_MS;
  return Math.min(ms, MAX_RATE_LIMIT_PAUSE_MS);
}

async function fetchJson(request: RestRequest): Promise<unknown> {
  const response = await fetch(request.url, {
    method: request.method ?? 'GET',
    signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body), headers: { 'content-type': 'application/json' } }),
  });
  if (!response.ok) {
    const limited = response.status === 429 || response.status === 418;
    throw new HttpError(describeHttpStatus(response.status), kindOfStatus(response.status), limited ? retryAfterMs(response.headers.get('retry-after'), Date.now()) : null);
  }
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(`truncated or non-JSON response (${text.length} bytes)`, 'badData');
  }
}

export interface PollResult {
  outputs: StreamOutput[];
  /** First failure's reason, or null when every request succeeded. */
  error: string | null;
  errorKind: DegradedKind | null;
  /** The venue rate-limited us: wait this long before its next request. */
  retryAfterMs: number | null;
}

/** Runs the venue's poll (or the given) requests; keeps what succeeded, reports the first failure. */
export async function pollVenue(adapter: VenueAdapter, watched: readonly string[], requests = adapter.pollRequests(watched)): Promise<PollResult> {
  const outputs: StreamOutput[] = [];
  let error: string | null = null;
  let errorKind: DegradedKind | null = null;
  let retryAfter: number | null = null;
  await Promise.all(
    requests.map(async (request) => {
      try {
        outputs.push(adapter.parsePoll(request.key, await fetchJson(request), watched));
      } catch (failure) {
        if (error === null) [error, errorKind] = reasonOf(request, failure);
        if (failure instanceof HttpError && failure.retryAfterMs !== null) retryAfter = Math.max(retryAfter ?? 0, failure.retryAfterMs);
      }
    }),
  );
  return { outputs, error, errorKind, retryAfterMs: retryAfter };
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
