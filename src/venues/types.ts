/**
 * The contract between the background worker and one exchange's public API.
 * Everything venue-specific (endpoints, zod schemas, side semantics, units, ping rules, rate-limit
 * answers) lives in that venue's own file; the worker only drives this interface.
 * Pure and stateless: no browser APIs and no module-level mutable state, so every adapter runs in
 * plain Node tests. What a parser needs to know about instruments (contract sizes, scales, kinds)
 * comes in as the venue's instrument catalogue (`InstrumentSpec[]`), loaded by the worker from
 * `instrumentRequests` on start and refreshed daily.
 */
import type { DegradedKind } from '../core/bus';
import type { PastBarPart } from '../core/levels';
import type { MarginTable } from '../core/margin';
import type { Completeness, InstrumentSpec, Liquidation, MarketUpdate, VenueId } from '../core/model';
import type { Headers } from './parse';

/** One REST request. */
export interface RestRequest {
  /** Stable name of the request, handed back to the parser with the body. */
  key: string;
  url: string;
  method?: 'GET' | 'POST';
  /** JSON body for POST requests (Hyperliquid's /info). */
  body?: unknown;
}

/** What one incoming stream message or poll response produced. */
export interface StreamOutput {
  liquidations: Liquidation[];
  markets: MarketUpdate[];
  /** Text frames to send back at once (application-level pong, e.g. Deribit test_request). */
  replies: string[];
  /** Past market points from a history endpoint (backfill), recorded before the live rows. */
  history?: MarketUpdate[];
  /** Past price bars and open interest for the level model's deep backfill (levelHistoryRequests), joined by the engine. */
  pastBars?: PastBarPart[];
  /** A history page that came back full (at the venue's row limit): older rows of the span may be missing. */
  truncated?: boolean;
  /**
   * Symbols a liquidation named that the catalogue does not list (a listing newer than the
   * catalogue): their size cannot be valued, so the worker refreshes the venue's catalogue.
   */
  unknownSymbols?: string[];
}

/** A live WebSocket session; may keep per-connection state (channel ids, the latest XBT price). */
export interface StreamSession {
  url: string;
  /** Frames to send right after the socket opens (subscribe messages). */
  onOpen(): string[];
  /** Parse one text frame. Throws VenueDataError for malformed frames. */
  onMessage(text: string): StreamOutput;
  /**
   * A frame to send every `intervalMs`: the venue's application ping. It also keeps a
   * Chrome 116+ service worker alive, which needs socket activity at least every 30 s.
   */
  heartbeat: { intervalMs: number; message: string };
  /** The venue closes connections after this long; reconnect before it does. */
  maxConnectionMs: number;
}

/**
 * How a venue answered a request it would not serve, read from its status and body: a rate
 * limit pauses the venue (`pauseMs`), a region block does not retry soon, and so on.
 */
export interface HttpFailure {
  kind: DegradedKind;
  /** What the trader reads, e.g. 'rate limited: access too frequent (HTTP 403)'. */
  reason: string;
  /** Ask nothing of this venue for this long (a rate limit or ban); null: poll as usual. */
  pauseMs: number | null;
}

/** What a venue's liquidation total covers: `covered` of the `listed` derivative instruments. */
export interface Coverage {
  covered: number;
  listed: number;
}

export interface VenueAdapter {
  id: VenueId;
  label: string;
  completeness: Completeness;
  /** Why the venue is sampled or has no feed, shown to the trader. */
  completenessNote?: string;
  /** Requests for the venue's public instrument list (every page of it). */
  instrumentRequests(): RestRequest[];
  /** One instrument-list response → its instruments. Throws VenueDataError when malformed. */
  parseInstruments(key: string, body: unknown): InstrumentSpec[];
  /** A list the venue splits over pages: the request for the page after `body` (same key), or null on the last page. */
  nextInstrumentRequest?(request: RestRequest, body: unknown): RestRequest | null;
  /**
   * Pure and synchronous: one raw message or response exactly as the venue sends it.
   * Returns [] for messages without a new liquidation; throws VenueDataError when malformed.
   */
  parseLiquidations(message: unknown, instruments: readonly InstrumentSpec[]): Liquidation[];
  /** The venue's liquidation streams ([] for venues without a usable public one). */
  openStreams(tracked: readonly string[], instruments: readonly InstrumentSpec[]): StreamSession[];
  /** What the streams opened for `tracked` count, of the perpetuals and dated futures listed. */
  coverage(tracked: readonly string[], instruments: readonly InstrumentSpec[]): Coverage;
  /** REST requests for one poll of market data. */
  pollRequests(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[];
  /**
   * One-off requests on a fresh install or for a newly tracked asset: what the venue's history
   * endpoints allow, so the meter is not empty. Answers go through `parsePoll` like poll answers.
   */
  backfillRequests?(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[];
  /**
   * The level model's deep backfill (issue 17: up to 7 days of bars on install), for the venues whose public
   * endpoints give both price bars and open-interest history: per tracked asset's main perpetual, the last
   * 7 days of bars (1 h, or 2 h where a page holds no more) from each, one request apiece. The worker asks for the assets whose books do not reach
   * that far yet (FlushEngine.wantsLevelHistory); answers go through `parsePoll` and carry `pastBars`.
   */
  levelHistoryRequests?(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[];
  /**
   * Liquidation history for a stream gap (venues with a REST liquidation history only);
   * answers go through `parsePoll`.
   */
  gapRequests?(from: number, to: number, tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[];
  /** What `gapRequests` fetch: every instrument's liquidations ('all', a global history) or the tracked assets' only. */
  gapCoverage?: 'all' | 'tracked';
  /**
   * Parse one poll response. Market updates come for every instrument the body names (the worker
   * keeps the tracked assets). Throws VenueDataError when malformed.
   */
  parsePoll(key: string, body: unknown, instruments: readonly InstrumentSpec[]): StreamOutput;
  /**
   * A non-2xx answer, or a 2xx whose body is the venue's error envelope, read the venue's way;
   * null: not a failure this venue has special rules for (the poller's defaults apply).
   */
  classifyFailure?(status: number, body: string, headers: Headers): HttpFailure | null;
  /**
   * Requests for the public maintenance-margin tiers of the tracked assets' main perpetuals, which the
   * liquidation-level model (src/core/levels.ts) takes its rates and leverage caps from. Tiers change
   * rarely: once a day at most. Answers go through `parseMarginTiers`.
   */
  marginTierRequests?(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[];
  /** One tier answer → a table per catalogued instrument it names. Throws VenueDataError when malformed. */
  parseMarginTiers?(key: string, body: unknown, instruments: readonly InstrumentSpec[]): MarginTable[];
  /** Requests worth a budget check: requests per minute at default settings vs the per-IP limit. */
  rateBudget: { requestsPerMinute: number; limitPerMinute: number; limitSource: string };
}
