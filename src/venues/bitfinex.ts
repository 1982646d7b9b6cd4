/**
 * Bitfinex perpetuals ("tBTCF0:USTF0", USDt-margined, 1 contract = 1 coin) plus Bitfinex spot
 * tickers for 24 h volume.
 * Docs: https://docs.bitfinex.com/docs/ws-general, https://docs.bitfinex.com/reference/ws-public-status,
 * https://docs.bitfinex.com/reference/rest-public-derivatives-status, …/rest-public-tickers.
 * Bitfinex sends arrays; the docs warn that fields get appended, so never rely on an array's length.
 */
import { z } from 'zod';
import { VenueDataError, normaliseAsset, type Liquidation, type MarketUpdate } from '../core/model';
import { JSON_INTEGER, JSON_NUMBER, decimal, emptyOutput, epochMs, epochMsOrNaN, isObject, liquidationsOnly, matchHead, nonNegative, nonZeroOrNaN, parseJsonFrame, parseWith, positive, positiveOrNaN, readRows } from './parse';
import type { RestRequest, StreamOutput, StreamSession, VenueAdapter } from './types';

export const BITFINEX_WS_URL = 'wss://api-pub.bitfinex.com/ws/2';
export const BITFINEX_REST = 'https://api-pub.bitfinex.com';
export const BITFINEX_LIQUIDATION_KEY = 'liq:global';

/** Bitfinex documents no connection lifetime cap; reconnect daily anyway. */
const MAX_CONNECTION_MS = 24 * 60 * 60 * 1000;

/** App-level ping {"event":"ping","cid":…} answered by {"event":"pong"} (docs: ws-general, Ping/Pong). */
const HEARTBEAT = { intervalMs: 20_000, message: JSON.stringify({ event: 'ping', cid: 1 }) };

/** Perpetual funding settles every 8 h (docs, Derivatives Status: "Funding applied in the current 8h period"). */
const FUNDING_INTERVAL_HOURS = 8;

/** Perpetual symbols: t + base + "F0:" + margin currency + "F0" (e.g. tBTCF0:USTF0, tTESTBTCF0:TESTUSDTF0). */
const PERPETUAL = /^t([A-Z0-9]+)F0:([A-Z0-9]+)F0$/;
/** Spot pairs: tBTCUSD, or with a colon when the base code is longer than 3 letters (tDOGE:USD). */
const SPOT_USD = /^t(?:([A-Z0-9]{3})|([A-Z0-9]+):)USD$/;

function symbolFor(asset: string): string {
  return `t${asset.toUpperCase()}F0:USTF0`;
}

function spotSymbolFor(asset: string): string {
  const code = asset.toUpperCase();
  return code.length === 3 ? `t${code}USD` : `t${code}:USD`;
}

function perpetualAsset(symbol: string): string | null {
  const match = PERPETUAL.exec(symbol);
  return match?.[1] ? normaliseAsset(match[1]) : null;
}

function spotAsset(symbol: string): string | null {
  const match = SPOT_USD.exec(symbol);
  const code = match?.[1] ?? match?.[2];
  return code ? normaliseAsset(code) : null;
}

const eventMessage = z.object({
  event: z.string(),
  msg: z.string().optional(),
  code: z.number().optional(),
  chanId: z.number().optional(),
  key: z.string().optional(),
});

/** Every "pos" row; IS_MATCH (index 8) tells a new liquidation (0) from its later market fills (1). */
const positionRow = z.tuple(
  [z.literal('pos'), z.number(), z.unknown(), z.unknown(), z.unknown(), z.unknown(), z.unknown(), z.unknown(), z.union([z.literal(0), z.literal(1)])],
  z.unknown(),
);

/** An initial liquidation trigger: [ "pos", POS_ID, MTS, _, SYMBOL, AMOUNT, BASE_PRICE, _, IS_MATCH=0, IS_MARKET_SOLD, _, PRICE_ACQUIRED ]. */
const triggerRow = z.tuple(
  [
    z.literal('pos'),
    z.number(),
    // The WS feed sends fractional milliseconds (1574697680828.2002).
    epochMs,
    z.unknown(),
    z.string().min(1),
    decimal.refine((n) => n !== 0, 'position amount must not be zero'),
    z.unknown(),
    z.unknown(),
    z.literal(0),
    z.unknown(),
    z.unknown(),
    positive,
  ],
  z.unknown(),
);

/** The derivatives status fields we read, picked by index from the array. */
const statusFields = z.object({
  time: epochMs,
  spotPrice: positive.nullable(),
  nextFundingTime: epochMs.nullable(),
  currentFunding: decimal.nullable(),
  markPrice: positive,
  openInterest: nonNegative.nullable(),
});

/** Tickers row: [SYMBOL, BID, BID_SIZE, ASK, ASK_SIZE, DAILY_CHANGE, DAILY_CHANGE_RELATIVE, LAST_PRICE, VOLUME, HIGH, LOW]. */
const tickerRow = z.tuple(
  [z.string(), z.unknown(), z.unknown(), z.unknown(), z.unknown(), z.unknown(), z.unknown(), positive, nonNegative],
  z.unknown(),
);

/**
 * Derivatives status as an array. The WS update omits the leading KEY the REST row has, so `offset`
 * is 0 for WS and 1 for REST. Indices from docs (ws-public-status): MTS 0, SPOT_PRICE 3,
 * NEXT_FUNDING_EVT_MTS 7, CURRENT_FUNDING 11, MARK_PRICE 14, OPEN_INTEREST 17.
 */
function statusUpdate(symbol: string, row: readonly unknown[], offset: 0 | 1): MarketUpdate {
  const at = (index: number) => row[index + offset];
  const asset = perpetualAsset(symbol);
  if (!asset) throw new VenueDataError('bitfinex', `derivatives status for a non-perpetual key ${symbol}`);
  const fields = parseWith('bitfinex', `derivatives status ${symbol}`, statusFields, {
    time: at(0),
    spotPrice: at(3),
    nextFundingTime: at(7),
    currentFunding: at(11),
    markPrice: at(14),
    openInterest: at(17),
  });
  return {
    venue: 'bitfinex',
    symbol,
    asset,
    time: Math.round(fields.time),
    markPrice: fields.markPrice,
    // SPOT_PRICE is the book mid of the underlying Bitfinex spot pair: the closest to an index the API gives.
    ...(fields.spotPrice !== null ? { indexPrice: fields.spotPrice } : {}),
    ...(fields.currentFunding !== null ? { fundingRate: fields.currentFunding, fundingIntervalHours: FUNDING_INTERVAL_HOURS } : {}),
    ...(fields.nextFundingTime !== null ? { nextFundingTime: fields.nextFundingTime } : {}),
    // OPEN_INTEREST counts contracts of one coin each, i.e. base units (docs: "outstanding derivative contracts").
    ...(fields.openInterest !== null ? { openInterestBase: fields.openInterest } : {}),
  };
}

/** One liquidation from a trigger row's fields, on either path. */
function triggerLiquidation(symbol: string, asset: string, amount: number, price: number, time: number): Liquidation {
  const quantity = Math.abs(amount);
  return {
    venue: 'bitfinex',
    symbol,
    asset,
    // AMOUNT is the liquidated position: "Positive values means a long position, negative values means a short position" (docs: rest-public-liquidations).
    side: amount > 0 ? 'long' : 'short',
    // PRICE_ACQUIRED: "the price at which the position has been acquired" by the liquidation engine (BASE_PRICE is the entry).
    price,
    // Perpetual amounts are in coins (1 contract = 1 base unit).
    quantity,
    notionalUsd: quantity * price,
    time: Math.round(time),
  };
}

function liquidationsFromRows(rows: readonly unknown[]): Liquidation[] {
  const out: Liquidation[] = [];
  for (const raw of rows) {
    const row = parseWith('bitfinex', 'liquidation row', positionRow, raw);
    // IS_MATCH 1 rows are the market fills of a liquidation already announced by its IS_MATCH 0 trigger
    // (docs, rest-public-liquidations: "0: initial liquidation trigger | 1: market execution").
    if (row[8] === 1) continue;
    const [, , time, , symbol, amount, , , , , , price] = parseWith('bitfinex', 'liquidation trigger', triggerRow, raw);
    const asset = perpetualAsset(symbol);
    // liq:global also carries margin positions on spot pairs (tBSVUSD); like the other venues, count perpetuals only.
    if (!asset) continue;
    out.push(triggerLiquidation(symbol, asset, amount, price, time));
  }
  return out;
}

function parseLiquidations(message: unknown): Liquidation[] {
  if (isObject(message)) {
    // Events: info, subscribed, pong, conf, error.
    const event = parseWith('bitfinex', 'event', eventMessage, message);
    if (event.event === 'error') throw new VenueDataError('bitfinex', `error ${event.code ?? '?'}: ${event.msg ?? 'unknown'}`);
    return [];
  }
  const frame = parseWith('bitfinex', 'message', z.array(z.unknown()), message);
  if (typeof frame[0] === 'number') {
    // A channel frame [CHANNEL_ID, payload]: "hb" heartbeats, status rows (numbers) or liquidation rows (arrays).
    const payload = frame[1];
    if (typeof payload === 'string') return [];
    const items = parseWith('bitfinex', 'channel payload', z.array(z.unknown()), payload);
    const rows = items.filter((item) => Array.isArray(item) && item[0] === 'pos');
    return liquidationsFromRows(rows);
  }
  // REST /v2/liquidations/hist: every entry wraps one "pos" row: [[["pos", …]], …].
  const entries = parseWith('bitfinex', 'liquidations history', z.array(z.array(z.array(z.unknown()))), message);
  return liquidationsFromRows(entries.flat());
}

/**
 * A liq:global channel frame as Bitfinex sends it (live capture): [CHANNEL_ID,[["pos", …12 fields]]].
 * Captured: the fields the zod path checks: POS_ID, MTS, SYMBOL, AMOUNT, IS_MATCH, PRICE_ACQUIRED.
 */
const CHANNEL_HEAD = new RegExp(String.raw`\[(${JSON_INTEGER}),\[`, 'y');
const OR_NULL = `(?:${JSON_NUMBER}|null)`;
const POSITION_ROW = new RegExp(
  String.raw`\["pos",(${JSON_NUMBER}),(${OR_NULL}),${OR_NULL},"([A-Za-z0-9:]{1,40})",(${OR_NULL}),${OR_NULL},${OR_NULL},([01]),${OR_NULL},${OR_NULL},(${OR_NULL})\]`,
  'y',
);
const CHANNEL_TAIL = /\]\]$/y;

/**
 * The fast path of `parseLiquidations` for liquidation frames (see venues/parse.ts), on channels
 * `isLiquidationChannel` accepts; null: take the zod path. Never throws.
 */
function readLiquidationFrame(text: string, isLiquidationChannel: (channelId: number) => boolean): Liquidation[] | null {
  const head = matchHead(text, CHANNEL_HEAD);
  if (head === null || !isLiquidationChannel(Number(head[1]))) return null;
  const out: Liquidation[] = [];
  const read = readRows(text, CHANNEL_HEAD.lastIndex, POSITION_ROW, CHANNEL_TAIL, (row) => {
    // POS_ID must be a finite number on either kind of row (1e400 parses to Infinity).
    if (!Number.isFinite(Number(row[1]))) return false;
    // IS_MATCH 1: a market fill of a liquidation already counted (see liquidationsFromRows).
    if (row[5] === '1') return true;
    const time = epochMsOrNaN(row[2] === 'null' ? Number.NaN : Number(row[2]));
    const amount = nonZeroOrNaN(row[4] === 'null' ? Number.NaN : Number(row[4]));
    const price = positiveOrNaN(row[6] === 'null' ? Number.NaN : Number(row[6]));
    if (Number.isNaN(time + amount + price)) return false;
    const symbol = row[3]!;
    const asset = perpetualAsset(symbol);
    if (!asset) return true;
    out.push(triggerLiquidation(symbol, asset, amount, price, time));
    return true;
  });
  return read ? out : null;
}

function fastLiquidations(text: string): Liquidation[] | null {
  return readLiquidationFrame(text, () => true);
}

function openStream(watched: readonly string[]): StreamSession {
  /** Channel ids are assigned per connection in the "subscribed" event. */
  const channelKeys = new Map<number, string>();
  const keys = [BITFINEX_LIQUIDATION_KEY, ...watched.map((asset) => `deriv:${symbolFor(asset)}`)];
  return {
    url: BITFINEX_WS_URL,
    // Docs, ws-public-status: {"event":"subscribe","channel":"status","key":"liq:global" | "deriv:tBTCF0:USTF0"}.
    onOpen: () => keys.map((key) => JSON.stringify({ event: 'subscribe', channel: 'status', key })),
    onMessage(text: string): StreamOutput {
      const fast = readLiquidationFrame(text, (channelId) => !channelKeys.get(channelId)?.startsWith('deriv:'));
      if (fast !== null) return liquidationsOnly(fast);
      const message = parseJsonFrame('bitfinex', text);
      if (isObject(message)) {
        const event = parseWith('bitfinex', 'event', eventMessage, message);
        if (event.event === 'subscribed' && event.chanId !== undefined && event.key) channelKeys.set(event.chanId, event.key);
        return { ...emptyOutput(), liquidations: parseLiquidations(message) };
      }
      const key = Array.isArray(message) && typeof message[0] === 'number' ? channelKeys.get(message[0]) : undefined;
      if (key?.startsWith('deriv:') && Array.isArray(message) && Array.isArray(message[1])) {
        return { ...emptyOutput(), markets: [statusUpdate(key.slice('deriv:'.length), message[1], 0)] };
      }
      return { ...emptyOutput(), liquidations: parseLiquidations(message) };
    },
    heartbeat: HEARTBEAT,
    maxConnectionMs: MAX_CONNECTION_MS,
  };
}

function pollRequests(watched: readonly string[]): RestRequest[] {
  const perps = watched.map(symbolFor);
  const spots = watched.map(spotSymbolFor);
  return [
    // One request for every watched perpetual's mark, spot mid, funding and open interest.
    { key: 'status', url: `${BITFINEX_REST}/v2/status/deriv?keys=${encodeURIComponent(perps.join(','))}` },
    // Last price and 24 h volume (in coins) of the perpetuals and their USD spot pairs, in one request.
    { key: 'tickers', url: `${BITFINEX_REST}/v2/tickers?symbols=${encodeURIComponent([...perps, ...spots].join(','))}` },
  ];
}

/** Docs: liquidations/hist allows 3 requests a minute, so it is asked once, on install, never polled. */
function backfillRequests(): RestRequest[] {
  return [{ key: 'liquidationsHist', url: `${BITFINEX_REST}/v2/liquidations/hist?limit=500&sort=-1` }];
}

function parsePoll(key: string, body: unknown, watched: readonly string[]): StreamOutput {
  const markets: MarketUpdate[] = [];
  if (key === 'liquidationsHist') return { ...emptyOutput(), liquidations: parseLiquidations(body) };
  if (key === 'status') {
    const wanted = new Set(watched.map(symbolFor));
    for (const row of parseWith('bitfinex', 'derivatives status', z.array(z.tuple([z.string()], z.unknown())), body)) {
      if (wanted.has(row[0])) markets.push(statusUpdate(row[0], row, 1));
    }
  } else if (key === 'tickers') {
    // The response carries no timestamp: the values are as of receipt.
    const time = Date.now();
    for (const [symbol, , , , , , , lastPrice, volume] of parseWith('bitfinex', 'tickers', z.array(tickerRow), body)) {
      const perpAsset = perpetualAsset(symbol);
      // VOLUME is in base coins for both kinds; × last price gives USD (USDt for perpetuals).
      if (perpAsset) markets.push({ venue: 'bitfinex', symbol, asset: perpAsset, time, lastPrice, perpVolume24hUsd: volume * lastPrice });
      const pairAsset = spotAsset(symbol);
      if (pairAsset) markets.push({ venue: 'bitfinex', symbol: symbolFor(pairAsset), asset: pairAsset, time, spotVolume24hUsd: volume * lastPrice });
    }
  } else {
    throw new VenueDataError('bitfinex', `unknown poll key ${key}`);
  }
  return { ...emptyOutput(), markets };
}

export const bitfinex: VenueAdapter = {
  id: 'bitfinex',
  label: 'Bitfinex Perpetuals',
  // liq:global pushes every liquidation trigger; the docs describe no sampling or throttling.
  completeness: 'complete',
  symbolFor,
  parseLiquidations,
  fastLiquidations,
  openStream,
  pollRequests,
  backfillRequests,
  parsePoll,
  rateBudget: {
    // Per 30 s poll: 1 status/deriv + 1 tickers request whatever the number of assets, ×2 per minute.
    requestsPerMinute: 4,
    limitPerMinute: 90,
    limitSource:
      'docs.bitfinex.com REST Derivatives Status and Tickers: 90 reqs/min per IP each (liquidations/hist, 3 reqs/min, is not polled)',
  },
};
