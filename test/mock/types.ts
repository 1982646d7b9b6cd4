/**
 * The mock exchange's view of one venue: how the venue's real REST and WebSocket wire
 * formats look, and which requests the real venue would reject. One file per venue in
 * test/mock/venues/<id>.ts; the server (test/mock/server.ts) routes by Host header.
 */
import type { VenueId } from '../../src/core/model';
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../tools/replay/scenario';

export interface MockHttpRequest {
  method: string;
  host: string;
  path: string;
  query: URLSearchParams;
  body: string;
}

export interface MockHttpResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The scenario's latest market row per asset for this venue, and the mock's clock (the wall clock, or the scenario clock: MockOptions.scenarioClock). */
export interface MockMarketView {
  now: number;
  /** Latest market row per asset (e.g. 'BTC'), if the scenario has one yet. */
  market(asset: string): ScenarioMarketEvent | undefined;
  /** Assets the scenario knows for this venue. */
  assets(): string[];
  /**
   * Past market rows for an asset every `periodMs`, oldest first, at most `limit`, stamped on the mock's clock
   * (see `now`): what open-interest, candle and funding-history endpoints answer from.
   */
  marketHistory(asset: string, periodMs: number, limit: number): MockHistoryRow[];
  /** Liquidations already played, newest last (for REST liquidation history endpoints). */
  playedLiquidations(): ReadonlyArray<ScenarioLiquidationEvent & { time: number }>;
}

/** One past market row of an asset, stamped on the mock's clock: the scenario's figures as of `time`. */
export interface MockHistoryRow {
  time: number;
  price: number;
  markPrice: number;
  /** 8 h-equivalent funding, as the scenario gives it. */
  fundingRate8h: number;
  openInterestUsd: number;
}

/** One client WebSocket connection to this venue. */
export interface MockWsConnection {
  /**
   * A client text frame. Return frames to send back (acks, pongs), or throw MockReject
   * when the real venue would reject it (the server then sends the venue's error and/or closes).
   */
  onMessage(text: string, view: MockMarketView): string[];
  /** Frames announcing a liquidation, in the venue's format; [] when this client did not subscribe to it. */
  liquidationFrames(event: ScenarioLiquidationEvent & { time: number }, view: MockMarketView): string[];
  /** Frames announcing a market update on a stream that carries one (Bitfinex's derivatives status); [] when not subscribed. */
  marketFrames?(event: ScenarioMarketEvent, view: MockMarketView): string[];
}

export interface MockVenue {
  id: VenueId;
  /** Hostnames of the real API (REST and WS) this mock answers for. */
  hosts: string[];
  /** Answer a REST request in the venue's real format; status 4xx with the venue's error body for bad requests. */
  http(request: MockHttpRequest, view: MockMarketView): MockHttpResponse;
  /** Accept a WebSocket upgrade at host+path(+query), or throw MockReject (→ HTTP 404/400). */
  connect(host: string, pathAndQuery: string): MockWsConnection;
}

/** The request does not follow the venue's documented format. */
export class MockReject extends Error {
  constructor(
    message: string,
    /** Frame the real venue sends before/instead of closing, if any. */
    readonly frame?: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
