/**
 * REST polling for one venue: every request has a deadline, HTTP errors become readable
 * reasons, and a bad payload degrades the venue without touching the others.
 */
import { VenueDataError } from '../core/model';
import type { RestRequest, StreamOutput, VenueAdapter } from '../venues/types';

const REQUEST_DEADLINE_MS = 10_000;

export class HttpError extends Error {}

/** Reasons a trader can act on, by status. */
export function describeHttpStatus(status: number): string {
  if (status === 429 || status === 418) return `rate limited (HTTP ${status})`;
  if (status === 451 || status === 403) return `blocked in your region (HTTP ${status})`;
  if (status >= 500) return `exchange error (HTTP ${status})`;
  return `request rejected (HTTP ${status})`;
}

async function fetchJson(request: RestRequest): Promise<unknown> {
  const response = await fetch(request.url, {
    method: request.method ?? 'GET',
    signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body), headers: { 'content-type': 'application/json' } }),
  });
  if (!response.ok) throw new HttpError(describeHttpStatus(response.status));
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(`truncated or non-JSON response (${text.length} bytes)`);
  }
}

export interface PollResult {
  outputs: StreamOutput[];
  /** First failure's reason, or null when every request succeeded. */
  error: string | null;
}

/** Runs the venue's poll (or the given) requests; keeps what succeeded, reports the first failure. */
export async function pollVenue(adapter: VenueAdapter, watched: readonly string[], requests = adapter.pollRequests(watched)): Promise<PollResult> {
  const outputs: StreamOutput[] = [];
  let error: string | null = null;
  await Promise.all(
    requests.map(async (request) => {
      try {
        outputs.push(adapter.parsePoll(request.key, await fetchJson(request), watched));
      } catch (failure) {
        error ??= reasonOf(request, failure);
      }
    }),
  );
  return { outputs, error };
}

function reasonOf(request: RestRequest, failure: unknown): string {
  if (failure instanceof VenueDataError || failure instanceof HttpError) return `${request.key}: ${failure.message}`;
  if (failure instanceof DOMException && failure.name === 'TimeoutError') return `${request.key}: no answer within ${REQUEST_DEADLINE_MS / 1000} s`;
  return `${request.key}: network error (${String(failure)})`;
}
