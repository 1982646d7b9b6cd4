/**
 * Deribit futures: inverse ("reversed") BTC-PERPETUAL / ETH-PERPETUAL and dated BTC-26DEC25 (amounts in USD),
 * linear <COIN>_USDC-PERPETUAL (amounts in the coin). JSON-RPC 2.0 over WebSocket and HTTP GET.
 * Docs: https://docs.deribit.com (market-data/public-get_instruments, public-get_book_summary_by_currency,
 * subscriptions/trades, session-management/public-set_heartbeat).
 */
import { z } from '../core/zod';
import { VenueDataError, canonicalBase, type InstrumentSpec, type Liquidation, type MarketUpdate, type PositionSide } from '../core/model';
import { everyListedInstrument, findInstrument, liquidationOf, mainPerpetuals, valueFill } from './instruments';
import { decimal, emptyOutput, epochMs, isObject, liquidationOutput, nonNegative, parseJsonFrame, parseWith, positive } from './parse';
import type { HttpFailure, RestRequest, StreamOutput, StreamSession, VenueAdapter } from './types';

export const DERIBIT_WS_URL = 'wss://www.deribit.com/ws/api/v2';
export const DERIBIT_API = 'https://www.deribit.com/api/v2';

/** Deribit documents no connection lifetime cap; reconnect daily anyway. */
const MAX_CONNECTION_MS = 24 * 60 * 60 * 1000;

/** Server heartbeat period we ask for; the docs require ≥ 10 s. */
const SERVER_HEARTBEAT_SECONDS = 30;

/**
 * public/test is the documented keep-alive and the answer to a test_request (docs: public/set_heartbeat:
 * "respond to test_request messages by sending a /api/v2/public/test request").
 */
const PUBLIC_TEST = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'public/test', params: {} });
const HEARTBEAT = { intervalMs: 20_000, message: PUBLIC_TEST };

/**
 * Docs "trades.(kind).(currency).(interval)": "Trade notifications across all instruments for a given kind and
 * currency"; currency may be `any`, interval raw (authorised users only), 100ms or agg2. One channel carries
 * every perpetual and dated future, listed now or later.
 */
const ALL_FUTURES_TRADES = 'trades.future.any.100ms';

/**
 * Funding: Deribit "Funding Specifications": "the funding rate is expressed as an 8-hour interest rate, however
 * funding is actually calculated and paid/received continuously". The book summary's `current_funding` is that
 * rate now; `funding_8h` is what was paid over the trailing 8 h (get_funding_rate_history: interest_8h), so we
 * take `current_funding`, quoted per 8 h.
 */
const FUNDING_INTERVAL_HOURS = 8;

/** Deribit's main perpetual of a coin is the coin-settled (inverse) BTC-PERPETUAL; USDC-settled ones are smaller. */
function inverseFirst(spec: InstrumentSpec): number {
  return spec.contract.type === 'inverse' ? 0 : 1;
}

/** Docs "Error Codes": 10028 too_many_requests, 10066 too_many_concurrent_requests. Credits refill within seconds. */
const RATE_LIMIT_PAUSE_MS = 30_000;

const rpcError = z.object({ error: z.object({ code: z.number(), message: z.string() }) });
const rpcResult = z.object({ result: z.unknown() });

/** Docs "public/get_instruments" (kind=future). */
const instrumentRow = z.object({
  instrument_name: z.string().min(1),
  kind: z.string(),
  is_active: z.boolean(),
  base_currency: z.string().min(1),
  // "Optional (not added for spot). The settlement period": perpetual, month, week, day.
  settlement_period: z.string().optional(),
  // "Type of the instrument. linear or reversed".
  instrument_type: z.enum(['linear', 'reversed']).optional(),
  // Deprecated twin of instrument_type ("future_type … instrument_type should be used instead").
  future_type: z.enum(['linear', 'reversed']).optional(),
  max_leverage: positive.optional(),
});
const instrumentsResponse = z.object({ result: z.array(instrumentRow) });

const trade = z.object({
  instrument_name: z.string().min(1),
  // "Direction of the trade": the taker's side.
  direction: z.enum(['buy', 'sell']),
  price: positive,
  // "For perpetual and inverse futures the amount is in USD units. For options and linear futures it is the underlying base currency coin."
  amount: positive,
  timestamp: epochMs,
  // "M" maker side under liquidation, "T" taker side, "MT" both (docs: trades, field liquidation).
  liquidation: z.enum(['M', 'T', 'MT']).optional(),
});

const notification = z.object({
  method: z.literal('subscription'),
  params: z.object({ channel: z.string(), data: z.unknown() }),
});

const heartbeatNotice = z.object({
  method: z.literal('heartbeat'),
  params: z.object({ type: z.enum(['heartbeat', 'test_request']) }),
});

const summaryResponse = z.object({ result: z.array(z.looseObject({ instrument_name: z.string() })) });

/** Docs "public/get_book_summary_by_currency". */
const summaryRow = z.object({
  instrument_name: z.string(),
  mark_price: positive,
  last: positive.nullable().optional(),
  // "Estimated delivery price for the market": for a perpetual, the index it is funded against.
  estimated_delivery_price: positive.optional(),
  // "For perpetual and inverse futures the amount is in USD units. For options and linear futures … base currency coin."
  open_interest: nonNegative.optional(),
  current_funding: decimal.optional(),
  volume: nonNegative.optional(),
  volume_usd: nonNegative.optional(),
  creation_timestamp: epochMs,
});

function instrumentRequests(): RestRequest[] {
  // Docs "public/get_instruments": currency "any" for all; kind=future holds perpetuals and dated futures.
  // Its own rate limit is 1 request per 10 s (burst 5): one request a day is far below it.
  return [{ key: 'instruments', url: `${DERIBIT_API}/public/get_instruments?currency=any&kind=future` }];
}

function parseInstruments(key: string, body: unknown): InstrumentSpec[] {
  if (key !== 'instruments') throw new VenueDataError('deribit', `unknown instrument key ${key}`);
  rejectRpcError('instruments', body);
  const { result } = parseWith('deribit', 'instruments', instrumentsResponse, body);
  const out: InstrumentSpec[] = [];
  for (const row of result) {
    // "is_active: Indicates if the instrument can currently be traded."
    if (row.kind !== 'future' || !row.is_active) continue;
    const type = row.instrument_type ?? row.future_type;
    if (!type) throw new VenueDataError('deribit', `instrument ${row.instrument_name.slice(0, 40)} has no instrument_type`);
    const base = canonicalBase(row.base_currency);
    // A currency code that names no asset (markup, punctuation) is skipped.
    if (base === null) continue;
    const { asset, priceScale } = base;
    const spec: InstrumentSpec = {
      venue: 'deribit',
      symbol: row.instrument_name,
      asset,
      kind: row.settlement_period === 'perpetual' ? 'perp' : 'dated',
      priceScale,
      // Trade `amount`: USD for reversed (inverse) contracts, whatever their contract_size (10 USD for BTC);
      // the base coin for linear ones (SOL_USDC-PERPETUAL).
      contract: type === 'reversed' ? { type: 'inverse', usd: 1 } : { type: 'linear', size: 1 },
    };
    if (row.max_leverage !== undefined) spec.maxLeverage = row.max_leverage;
    out.push(spec);
  }
  return out;
}

/** `direction` is the taker's; the maker took the opposite side. A liquidated party that buys is closing a short. */
function liquidatedSide(takerDirection: 'buy' | 'sell', party: 'M' | 'T'): PositionSide {
  const liquidatedPartyBuys = party === 'T' ? takerDirection === 'buy' : takerDirection === 'sell';
  return liquidatedPartyBuys ? 'short' : 'long';
}

function rejectRpcError(what: string, message: unknown): void {
  if (isObject(message) && 'error' in message) {
    const { error } = parseWith('deribit', `${what} error reply`, rpcError, message);
    throw new VenueDataError('deribit', `${what} failed: ${error.message} (${error.code})`);
  }
}

/** Liquidations of catalogued instruments; instruments the catalogue lacks go to `unknown`. */
/** Built once: a stream frame is read many times a second, and building a schema costs more than using it. */
const trades = z.array(trade);

function readLiquidations(message: unknown, instruments: readonly InstrumentSpec[], unknown: string[]): Liquidation[] {
  if (!isObject(message)) throw new VenueDataError('deribit', 'message is not a JSON-RPC object');
  rejectRpcError('request', message);
  if ('result' in message) {
    // Replies to subscribe, set_heartbeat, public/test, and REST responses.
    parseWith('deribit', 'reply', rpcResult, message);
    return [];
  }
  if (message.method === 'heartbeat') {
    parseWith('deribit', 'heartbeat', heartbeatNotice, message);
    return [];
  }
  const { params } = parseWith('deribit', 'notification', notification, message);
  if (!params.channel.startsWith('trades.')) return [];
  const out: Liquidation[] = [];
  for (const fill of parseWith('deribit', 'trades', trades, params.data)) {
    if (!fill.liquidation) continue;
    const spec = findInstrument(instruments, fill.instrument_name);
    if (!spec || spec.kind === 'spot') {
      if (!unknown.includes(fill.instrument_name)) unknown.push(fill.instrument_name);
      continue;
    }
    const value = valueFill(spec, fill.amount, fill.price);
    // "MT": both parties were liquidated, one long and one short, each for the full fill.
    for (const party of fill.liquidation === 'MT' ? (['M', 'T'] as const) : [fill.liquidation]) {
      out.push(liquidationOf(spec, liquidatedSide(fill.direction, party), value, fill.timestamp));
    }
  }
  return out;
}

function parseLiquidations(message: unknown, instruments: readonly InstrumentSpec[]): Liquidation[] {
  return readLiquidations(message, instruments, []);
}

/** One connection, one channel for every future: the catalogue only values what arrives. */
function openStreams(_tracked: readonly string[], instruments: readonly InstrumentSpec[]): StreamSession[] {
  return [
    {
      url: DERIBIT_WS_URL,
      onOpen: () => [
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'public/set_heartbeat', params: { interval: SERVER_HEARTBEAT_SECONDS } }),
        JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'public/subscribe', params: { channels: [ALL_FUTURES_TRADES] } }),
      ],
      onMessage(text: string): StreamOutput {
        const message = parseJsonFrame('deribit', text);
        const unknown: string[] = [];
        const liquidations = readLiquidations(message, instruments, unknown);
        // A test_request left unanswered makes the server close the connection.
        const replies = isObject(message) && message.method === 'heartbeat' && isObject(message.params) && message.params.type === 'test_request' ? [PUBLIC_TEST] : [];
        return liquidationOutput(liquidations, unknown, replies);
      },
      heartbeat: HEARTBEAT,
      maxConnectionMs: MAX_CONNECTION_MS,
    },
  ];
}

/**
 * The `currency` of get_book_summary_by_currency that lists a perpetual: its settlement currency, written
 * after the underscore of linear names (SOL_USDC-PERPETUAL → USDC); inverse perpetuals settle in the coin.
 */
function summaryCurrency(spec: InstrumentSpec): string {
  const settle = /^[A-Z0-9]+_([A-Z]+)-/.exec(spec.symbol)?.[1];
  return settle ?? spec.asset;
}

/** Docs "get_book_summary_by_currency": one request answers every future of a currency; one per settlement currency. */
function pollRequests(_tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[] {
  const currencies = [...new Set(instruments.filter((spec) => spec.kind === 'perp').map(summaryCurrency))].sort();
  return currencies.map((currency) => ({
    key: `bookSummary:${currency}`,
    url: `${DERIBIT_API}/public/get_book_summary_by_currency?currency=${currency}&kind=future`,
  }));
}

function summaryUpdate(spec: InstrumentSpec, raw: unknown): MarketUpdate {
  const row = parseWith('deribit', `book summary ${spec.symbol}`, summaryRow, raw);
  const scale = spec.priceScale;
  const inverse = spec.contract.type === 'inverse';
  // Open interest is one-sided (outstanding contracts): USD for inverse contracts, coins for linear ones.
  const openInterestUsd = row.open_interest === undefined ? undefined : inverse ? row.open_interest : row.open_interest * row.mark_price;
  // volume_usd: "Volume in USD"; `volume` is in the base coin.
  const volumeUsd = row.volume_usd ?? (row.volume !== undefined ? row.volume * row.mark_price : undefined);
  return {
    venue: 'deribit',
    symbol: spec.symbol,
    asset: spec.asset,
    kind: 'perp',
    time: row.creation_timestamp,
    markPrice: row.mark_price / scale,
    ...(row.last ? { lastPrice: row.last / scale } : {}),
    ...(row.estimated_delivery_price !== undefined ? { indexPrice: row.estimated_delivery_price / scale } : {}),
    // See FUNDING_INTERVAL_HOURS: the current rate, quoted per 8 h; funding accrues continuously (no settlement time).
    ...(row.current_funding !== undefined ? { fundingRate: row.current_funding, fundingIntervalHours: FUNDING_INTERVAL_HOURS } : {}),
    ...(openInterestUsd !== undefined ? { openInterestUsd } : {}),
    ...(volumeUsd !== undefined ? { perpVolume24hUsd: volumeUsd } : {}),
  };
}

function parsePoll(key: string, body: unknown, instruments: readonly InstrumentSpec[]): StreamOutput {
  if (!key.startsWith('bookSummary:')) throw new VenueDataError('deribit', `unknown poll key ${key}`);
  rejectRpcError('book summary', body);
  const { result } = parseWith('deribit', 'book summary', summaryResponse, body);
  const markets: MarketUpdate[] = [];
  const perps = mainPerpetuals(instruments, inverseFirst);
  for (const row of result) {
    const spec = findInstrument(instruments, row.instrument_name);
    // Dated futures and options never feed perpetual funding, OI or basis; of BTC-PERPETUAL and
    // BTC_USDC-PERPETUAL the coin-settled one is BTC's figure.
    if (spec !== undefined && perps.get(spec.asset) === spec) markets.push(summaryUpdate(spec, row));
  }
  return { ...emptyOutput(), markets };
}

/** Docs "Error Codes": 10028 "too_many_requests" and 10066 "too_many_concurrent_requests" are rate limits. */
function classifyFailure(_status: number, body: string): HttpFailure | null {
  const code = /"error"\s*:\s*\{[^}]*"code"\s*:\s*(\d+)/.exec(body)?.[1];
  if (code === '10028') return { kind: 'rateLimited', reason: 'rate limited: too_many_requests (Deribit error 10028)', pauseMs: RATE_LIMIT_PAUSE_MS };
  if (code === '10066') return { kind: 'rateLimited', reason: 'rate limited: too_many_concurrent_requests (Deribit error 10066)', pauseMs: RATE_LIMIT_PAUSE_MS };
  return null;
}

export const deribit: VenueAdapter = {
  id: 'deribit',
  label: 'Deribit',
  // Liquidations execute on the public book: every liquidation fill is a public trade flagged `liquidation`.
  completeness: 'complete',
  instrumentRequests,
  parseInstruments,
  parseLiquidations,
  openStreams,
  // trades.future.any carries every listed perpetual and dated future.
  coverage: everyListedInstrument,
  pollRequests,
  parsePoll,
  classifyFailure,
  rateBudget: {
    // Per 30 s poll: book summaries for BTC, ETH and USDC = 3 requests, ×2 per minute, whatever is tracked.
    requestsPerMinute: 6,
    limitPerMinute: 1200,
    limitSource: 'Deribit Rate Limits (support.deribit.com): non-matching-engine requests 20/s sustained (500 of 10,000 credits/s), burst 100',
  },
};
