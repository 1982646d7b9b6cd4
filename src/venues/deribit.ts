/**
 * Deribit perpetuals: inverse BTC-PERPETUAL / ETH-PERPETUAL (amounts in USD) and linear
 * <COIN>_USDC-PERPETUAL (amounts in the coin). JSON-RPC 2.0 over WebSocket and HTTP GET.
 * Docs: https://docs.deribit.com (subscriptions/trades, market-data/public-get_book_summary_by_currency,
 * session-management/public-set_heartbeat).
 */
import { z } from 'zod';
import { VenueDataError, normaliseAsset, type Liquidation, type MarketUpdate, type PositionSide } from '../core/model';
import { decimal, emptyOutput, epochMs, epochMsOrNaN, isObject, liquidationsOnly, memoAsset, nonNegative, parseJsonFrame, parseWith, positive, positiveOrNaN, requireAsset } from './parse';
import type { RestRequest, StreamOutput, StreamSession, VenueAdapter } from './types';

export const DERIBIT_WS_URL = 'wss://www.deribit.com/ws/api/v2';
export const DERIBIT_API = 'https://www.deribit.com/api/v2';

/** Coins with an inverse (USD-amount) perpetual; every other coin trades as <COIN>_USDC-PERPETUAL. */
const INVERSE_COINS = new Set(['BTC', 'ETH']);

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

/** `raw` needs an authorised session; 100ms batches every trade (docs: trades.(instrument_name).(interval)). */
const TRADES_INTERVAL = '100ms';

/** Funding: Deribit quotes `funding_8h`, already an 8 h rate (docs: book summary "Funding 8h (perpetual only)"). */
const FUNDING_INTERVAL_HOURS = 8;

function symbolFor(asset: string): string {
  const coin = asset.toUpperCase();
  return INVERSE_COINS.has(coin) ? `${coin}-PERPETUAL` : `${coin}_USDC-PERPETUAL`;
}

/** Linear instruments carry the settlement currency after an underscore: SOL_USDC-PERPETUAL. */
function isLinear(instrument: string): boolean {
  return /^[A-Z0-9]+_[A-Z]+-/.test(instrument);
}

function assetOf(instrument: string): string {
  return requireAsset('deribit', normaliseAsset(instrument.split(/[-_]/)[0] ?? instrument), instrument);
}

/** The currency parameter of get_book_summary_by_currency that lists this coin's perpetual. */
function summaryCurrency(asset: string): string {
  const coin = asset.toUpperCase();
  return INVERSE_COINS.has(coin) ? coin : 'USDC';
}

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

const rpcError = z.object({ error: z.object({ code: z.number(), message: z.string() }) });
const rpcResult = z.object({ result: z.unknown() });

const summaryResponse = z.object({ result: z.array(z.looseObject({ instrument_name: z.string() })) });

const summaryRow = z.object({
  instrument_name: z.string(),
  mark_price: positive,
  last: positive.nullable().optional(),
  estimated_delivery_price: positive.optional(),
  open_interest: nonNegative.optional(),
  funding_8h: decimal.optional(),
  volume: nonNegative.optional(),
  volume_usd: nonNegative.optional(),
  creation_timestamp: epochMs,
});

/** `direction` is the taker's; the maker took the opposite side. A liquidated party that buys is closing a short. */
function liquidatedSide(takerDirection: 'buy' | 'sell', party: 'M' | 'T'): PositionSide {
  const liquidatedPartyBuys = party === 'T' ? takerDirection === 'buy' : takerDirection === 'sell';
  return liquidatedPartyBuys ? 'short' : 'long';
}

/** Appends the liquidations one trade reports (none, one, or two for "MT") to `out`. */
function appendTradeLiquidations(out: Liquidation[], fill: z.output<typeof trade>, asset = assetOf(fill.instrument_name)): void {
  if (!fill.liquidation) return;
  // Inverse amounts are USD face value; linear amounts are coins.
  const linear = isLinear(fill.instrument_name);
  const quantity = linear ? fill.amount : fill.amount / fill.price;
  const notionalUsd = linear ? fill.amount * fill.price : fill.amount;
  // "MT": both parties were liquidated, one long and one short, each for the full fill.
  for (const party of fill.liquidation === 'MT' ? (['M', 'T'] as const) : [fill.liquidation]) {
    out.push({ venue: 'deribit', symbol: fill.instrument_name, asset, side: liquidatedSide(fill.direction, party), price: fill.price, quantity, notionalUsd, time: fill.timestamp });
  }
}

function parseLiquidations(message: unknown): Liquidation[] {
  if (!isObject(message)) throw new VenueDataError('deribit', 'message is not a JSON-RPC object');
  if ('error' in message) {
    const { error } = parseWith('deribit', 'error reply', rpcError, message);
    throw new VenueDataError('deribit', `request failed: ${error.message} (${error.code})`);
  }
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
  for (const fill of parseWith('deribit', 'trades', z.array(trade), params.data)) appendTradeLiquidations(out, fill);
  return out;
}

const TRADES_PUSH_START = '{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.';
const LIQUIDATION_PARTIES = new Set(['M', 'T', 'MT']);
const cachedAssetOf = memoAsset(assetOf);

/** The `trade` schema's checks by hand, for the fast path: true where the schema would accept `raw` as it is. */
function isCheckedTrade(raw: unknown): raw is z.output<typeof trade> {
  if (!isObject(raw)) return false;
  const { instrument_name, direction, price, amount, timestamp, liquidation } = raw;
  if (typeof instrument_name !== 'string' || instrument_name.length === 0 || (direction !== 'buy' && direction !== 'sell')) return false;
  if (typeof price !== 'number' || typeof amount !== 'number' || typeof timestamp !== 'number') return false;
  if (liquidation !== undefined && !LIQUIDATION_PARTIES.has(liquidation as string)) return false;
  return !Number.isNaN(positiveOrNaN(price) + positiveOrNaN(amount) + epochMsOrNaN(timestamp));
}

/**
 * The fast path of `parseLiquidations` for trades pushes (see venues/parse.ts). Deribit's trade
 * objects vary in their fields and order between instruments and API versions, so this one
 * parses JSON and checks by hand what the zod schema checks; null: take the zod path. Never throws.
 */
function fastLiquidations(text: string): Liquidation[] | null {
  if (!text.startsWith(TRADES_PUSH_START)) return null;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  // The prefix is not proof: with a repeated key, JSON.parse keeps the last value.
  if (!isObject(message) || 'error' in message || 'result' in message || message.method !== 'subscription' || !isObject(message.params)) return null;
  const { channel, data } = message.params;
  if (typeof channel !== 'string' || !channel.startsWith('trades.') || !Array.isArray(data)) return null;
  const out: Liquidation[] = [];
  for (const fill of data) {
    if (!isCheckedTrade(fill)) return null;
    if (!fill.liquidation) continue;
    const asset = cachedAssetOf(fill.instrument_name);
    if (asset === null) return null;
    appendTradeLiquidations(out, fill, asset);
  }
  return out;
}

function openStream(watched: readonly string[]): StreamSession {
  const channels = watched.map((asset) => `trades.${symbolFor(asset)}.${TRADES_INTERVAL}`);
  return {
    url: DERIBIT_WS_URL,
    onOpen: () => [
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'public/set_heartbeat', params: { interval: SERVER_HEARTBEAT_SECONDS } }),
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'public/subscribe', params: { channels } }),
    ],
    onMessage(text: string): StreamOutput {
      const fast = fastLiquidations(text);
      if (fast !== null) return liquidationsOnly(fast);
      const message = parseJsonFrame('deribit', text);
      const liquidations = parseLiquidations(message);
      // A test_request left unanswered makes the server close the connection.
      const replies = isObject(message) && message.method === 'heartbeat' && isObject(message.params) && message.params.type === 'test_request' ? [PUBLIC_TEST] : [];
      return { ...emptyOutput(), liquidations, replies };
    },
    heartbeat: HEARTBEAT,
    maxConnectionMs: MAX_CONNECTION_MS,
  };
}

function pollRequests(watched: readonly string[]): RestRequest[] {
  const currencies = [...new Set(watched.map(summaryCurrency))];
  // kind=future lists the perpetual(s) and dated futures of one currency, in one request.
  return currencies.map((currency) => ({
    key: `bookSummary:${currency}`,
    url: `${DERIBIT_API}/public/get_book_summary_by_currency?currency=${currency}&kind=future`,
  }));
}

function summaryUpdate(raw: unknown, instrument: string): MarketUpdate {
  const row = parseWith('deribit', `book summary ${instrument}`, summaryRow, raw);
  const linear = isLinear(instrument);
  const openInterest =
    row.open_interest === undefined ? {} : linear ? { openInterestBase: row.open_interest } : { openInterestUsd: row.open_interest };
  // volume_usd is given for perpetuals; `volume` is in the base coin.
  const volumeUsd = row.volume_usd ?? (row.volume !== undefined ? row.volume * row.mark_price : undefined);
  return {
    venue: 'deribit',
    symbol: instrument,
    asset: assetOf(instrument),
    time: row.creation_timestamp,
    markPrice: row.mark_price,
    ...(row.last ? { lastPrice: row.last } : {}),
    // For a perpetual the estimated delivery price is the index.
    ...(row.estimated_delivery_price !== undefined ? { indexPrice: row.estimated_delivery_price } : {}),
    // Funding accrues continuously (no discrete settlement time to report): only the 8 h rate.
    ...(row.funding_8h !== undefined ? { fundingRate: row.funding_8h, fundingIntervalHours: FUNDING_INTERVAL_HOURS } : {}),
    // Open interest: USD for inverse perpetuals, coins for linear ones (docs, book summary open_interest).
    ...openInterest,
    ...(volumeUsd !== undefined ? { perpVolume24hUsd: volumeUsd } : {}),
  };
}

function parsePoll(key: string, body: unknown, watched: readonly string[]): StreamOutput {
  if (!key.startsWith('bookSummary:')) throw new VenueDataError('deribit', `unknown poll key ${key}`);
  const wanted = new Set(watched.map(symbolFor));
  const { result } = parseWith('deribit', 'book summary', summaryResponse, body);
  const markets = result.filter((row) => wanted.has(row.instrument_name)).map((row) => summaryUpdate(row, row.instrument_name));
  return { ...emptyOutput(), markets };
}

export const deribit: VenueAdapter = {
  id: 'deribit',
  label: 'Deribit Perpetuals',
  // Liquidations execute on the public book: every liquidation fill is a public trade flagged `liquidation`.
  completeness: 'complete',
  symbolFor,
  parseLiquidations,
  fastLiquidations,
  openStream,
  pollRequests,
  parsePoll,
  rateBudget: {
    // Per 30 s poll at BTC, ETH, SOL: book summaries for BTC, ETH and USDC = 3 requests, ×2 per minute.
    requestsPerMinute: 6,
    limitPerMinute: 1200,
    limitSource: 'Deribit Rate Limits (support.deribit.com): non-matching-engine requests 20/s sustained (500 of 10,000 credits/s), burst 100',
  },
};
