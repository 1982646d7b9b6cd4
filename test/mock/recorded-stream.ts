/**
 * A recorded multi-venue liquidation stream for the ingest benchmark: every frame is produced
 * by the mock exchange's venue (test/mock/venues), i.e. each venue's real wire format, and
 * includes the handshake replies (subscribe acks, channel ids) the adapters need to parse it.
 * Built once in memory; nothing here opens a socket or a network connection.
 */
import type { VenueId } from '../../src/core/model';
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../src/core/scenario';
import { venues } from '../../src/venues';
import type { StreamSession, VenueAdapter } from '../../src/venues/types';
import { mockVenues } from './venues';
import type { MockMarketView, MockVenue } from './types';

export const WATCHED = ['BTC', 'ETH', 'SOL'] as const;
const PRICES: Record<string, number> = { BTC: 72_000, ETH: 2_100, SOL: 90 };

/** Every venue with a public liquidation stream (Hyperliquid has none). */
export const STREAM_VENUES: VenueId[] = ['binance', 'bybit', 'okx', 'bitmex', 'bitget', 'bitfinex', 'deribit'];

export interface RecordedMessage {
  venue: VenueId;
  text: string;
}

export interface RecordedStream {
  /** Wall clock the stream was recorded at; every event lies in the hour before it. */
  now: number;
  messages: RecordedMessage[];
  /** Poll responses per venue, replayed into the adapters before the stream (contract sizes). */
  polls: Array<{ venue: VenueId; key: string; body: unknown }>;
  /** Liquidation events behind the frames. */
  events: number;
}

function marketRow(venue: VenueId, asset: string): ScenarioMarketEvent {
  const price = PRICES[asset]!;
  return {
    t: 0, type: 'market', venue, asset, price, markPrice: price * 1.0002, indexPrice: price,
    fundingRate8h: 0.0001, openInterestUsd: 3.6e9, perpVolume24hUsd: 9e9, spotVolume24hUsd: 2.25e9,
  };
}

function viewFor(venue: VenueId, now: number): MockMarketView {
  return {
    now,
    market: (asset) => (asset in PRICES ? marketRow(venue, asset) : undefined),
    assets: () => Object.keys(PRICES),
    openInterestHistory: () => [],
    playedLiquidations: () => [],
  };
}

function mockFor(venue: VenueId): MockVenue {
  const mock = mockVenues.find((m) => m.id === venue);
  if (!mock) throw new Error(`no mock venue ${venue}`);
  return mock;
}

/** Answers the adapter's poll requests from the mock, as the worker's first poll would. */
function recordPolls(adapter: VenueAdapter, view: MockMarketView): RecordedStream['polls'] {
  return adapter.pollRequests(WATCHED).map((request) => {
    const url = new URL(request.url);
    const answer = mockFor(adapter.id).http(
      {
        method: request.method ?? 'GET',
        host: url.host,
        path: url.pathname,
        query: url.searchParams,
        body: request.body === undefined ? '' : JSON.stringify(request.body),
      },
      view,
    );
    if (answer.status !== 200) throw new Error(`${adapter.id} mock refused ${request.key}: ${JSON.stringify(answer.body)}`);
    return { venue: adapter.id, key: request.key, body: answer.body };
  });
}

/**
 * At least `minMessages` frames: liquidations spread over the last hour, one every few ms,
 * round-robin over the venues and the three watched assets, 75 % longs.
 */
export function recordStream(minMessages = 100_000, now = Date.now()): RecordedStream {
  const polls: RecordedStream['polls'] = [];
  const connections = new Map<VenueId, ReturnType<MockVenue['connect']>>();
  const handshakes: RecordedMessage[] = [];
  for (const venue of STREAM_VENUES) {
    const adapter = venues[venue];
    const view = viewFor(venue, now);
    polls.push(...recordPolls(adapter, view));
    const session = adapter.openStream(WATCHED)!;
    const url = new URL(session.url);
    const connection = mockFor(venue).connect(url.host.replace(/:\d+$/, ''), url.pathname + url.search);
    for (const frame of session.onOpen()) for (const reply of connection.onMessage(frame, view)) handshakes.push({ venue, text: reply });
    connections.set(venue, connection);
  }
  const messages: RecordedMessage[] = [...handshakes];
  const assets = Object.keys(PRICES);
  const span = 55 * 60_000;
  let events = 0;
  // Space events evenly over the span (an upper bound of the count: some events take several frames).
  const estimated = minMessages;
  for (let i = 0; messages.length < minMessages + handshakes.length; i++) {
    const venue = STREAM_VENUES[i % STREAM_VENUES.length]!;
    const asset = assets[Math.floor(i / STREAM_VENUES.length) % assets.length]!;
    // Distinct, increasing times: no two events share an identity, so dedupe admits each once.
    const time = now - span + Math.floor((i * span) / estimated);
    const event: ScenarioLiquidationEvent & { time: number } = {
      t: 0,
      type: 'liquidation',
      venue,
      asset,
      side: i % 4 === 3 ? 'short' : 'long',
      price: PRICES[asset]! * (1 - (i % 100) / 10_000),
      notionalUsd: 5_000 + ((i * 7_919) % 250_000),
      time,
    };
    for (const text of connections.get(venue)!.liquidationFrames(event, viewFor(venue, time))) messages.push({ venue, text });
    events += 1;
  }
  return { now, messages, polls, events };
}

/** Fresh stream sessions per venue with the poll responses applied (contract sizes learned). */
export function openSessions(stream: RecordedStream): Map<VenueId, StreamSession> {
  for (const poll of stream.polls) venues[poll.venue].parsePoll(poll.key, poll.body, WATCHED);
  return new Map(STREAM_VENUES.map((venue) => [venue, venues[venue].openStream(WATCHED)!]));
}
