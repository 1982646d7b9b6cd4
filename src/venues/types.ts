/**
 * The contract between the background worker and one exchange's public API.
 * Everything venue-specific (endpoints, zod schemas, side semantics, units, ping rules)
 * lives in that venue's own file; the worker only drives this interface.
 * Pure: no browser APIs, so every adapter runs in plain Node tests.
 */
import type { Completeness, Liquidation, MarketUpdate, VenueId } from '../core/model';

/** One REST request the worker makes on each poll. */
export interface RestRequest {
  /** Stable name of the request, handed back to `parseMarket` with the body. */
  key: string;
  url: string;
  method?: 'GET' | 'POST';
  /** JSON body for POST requests (Hyperliquid's /info). */
  body?: unknown;
}

/** What one incoming stream message produced. */
export interface StreamOutput {
  liquidations: Liquidation[];
  markets: MarketUpdate[];
  /** Text frames to send back at once (application-level pong, e.g. Deribit test_request). */
  replies: string[];
  /** Past market points from a history endpoint (backfill), recorded before the live rows. */
  history?: MarketUpdate[];
}

/** A live WebSocket session; may keep state (channel ids, instrument sizes). */
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

export interface VenueAdapter {
  id: VenueId;
  label: string;
  completeness: Completeness;
  /** Why the venue is sampled or has no feed, shown to the trader. */
  completenessNote?: string;
  /** Venue-native perpetual symbol for a base asset ('BTC' → 'BTCUSDT'). */
  symbolFor(asset: string): string;
  /**
   * Pure and synchronous: one raw message or response exactly as the venue sends it.
   * Returns [] for messages without a new liquidation; throws VenueDataError when malformed.
   */
  parseLiquidations(message: unknown): Liquidation[];
  /**
   * The fast path for the venue's hot stream frames, straight from the text (see venues/parse.ts):
   * exactly what `parseLiquidations(JSON.parse(text))` returns, or null for any frame it does not
   * read, which then takes that path. `receivedAt` stamps venues whose rows carry no time (BitMEX).
   */
  fastLiquidations?(text: string, receivedAt: number): Liquidation[] | null;
  /** null for venues without a usable public liquidation stream. */
  openStream(watched: readonly string[]): StreamSession | null;
  /** REST requests for one poll of market data (and REST liquidations where that is the feed). */
  pollRequests(watched: readonly string[]): RestRequest[];
  /**
   * One-off requests on a fresh install (no stored state): what the venue's history endpoints
   * allow, so the meter is not empty. Answers go through `parsePoll` like poll answers.
   */
  backfillRequests?(watched: readonly string[]): RestRequest[];
  /** Parse one poll response. Throws VenueDataError when malformed. */
  parsePoll(key: string, body: unknown, watched: readonly string[]): StreamOutput;
  /** Requests worth a budget check: requests per minute at default settings vs the per-IP limit. */
  rateBudget: { requestsPerMinute: number; limitPerMinute: number; limitSource: string };
}
