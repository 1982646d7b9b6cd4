/**
 * Bitget USDT-M perpetuals: liquidations from the UTA (v3) public WebSocket, market data from the v2 mix REST API.
 * Docs: https://www.bitget.com/api-doc/uta/websocket/public/Liquidation-Channel,
 *       https://www.bitget.com/api-doc/contract/market/Get-All-Symbol-Ticker (v2 mix market endpoints)
 */
import { z } from 'zod';
import { VenueDataError, normaliseAsset, type Liquidation, type MarketUpdate } from '../core/model';
import { DECIMAL_TEXT, JSON_INTEGER, decimal, emptyOutput, epochMs, epochMsOrNaN, isObject, liquidationsOnly, matchHead, memoAsset, nonNegative, parseJsonFrame, parseWith, positive, positiveOrNaN, readRows, requireAsset } from './parse';
import type { StreamOutput, StreamSession, VenueAdapter } from './types';

/** The liquidation topic exists only on the UTA (v3) public socket, not on /v2/ws/public. */
export const BITGET_WS_URL = 'wss://ws.bitget.com/v3/ws/public';
export const BITGET_API = 'https://api.bitget.com';
const PRODUCT_TYPE = 'USDT-FUTURES';

/** Websocket intro: "Websocket will be forcibly disconnected every 24 hours"; reconnect a little before. */
const MAX_CONNECTION_MS = 23.5 * 60 * 60 * 1000;

/**
 * Websocket intro: send the string 'ping' (recommended every 30 s, the server drops sockets silent
 * for 2 min) and expect 'pong'. 20 s also keeps a Chrome service worker alive.
 */
const HEARTBEAT = { intervalMs: 20_000, message: 'ping' };

/** The liquidation topic is per product type, not per symbol (Liquidation Channel request parameters). */
const SUBSCRIBE_FRAME = JSON.stringify({ op: 'subscribe', args: [{ instType: 'usdt-futures', topic: 'liquidation' }] });

const liquidationRow = z.object({
  symbol: z.string().min(1),
  side: z.enum(['buy', 'sell']),
  price: positive,
  amount: positive,
  ts: epochMs,
});

const push = z.object({
  arg: z.object({ instType: z.string(), topic: z.string() }),
  action: z.enum(['snapshot', 'update']),
  data: z.array(z.unknown()),
});

/** Every REST answer is wrapped as {code, msg, requestTime, data}; code "00000" is success. */
const envelope = z.object({ code: z.string(), msg: z.string().optional(), data: z.unknown() });

const tickerRow = z.object({
  symbol: z.string().min(1),
  lastPr: positive,
  // Added to the v2 ticker docs in 2025; older answers lack it.
  markPrice: positive.optional(),
  indexPrice: nonNegative,
  fundingRate: decimal,
  usdtVolume: nonNegative.optional(),
  quoteVolume: nonNegative,
  ts: epochMs,
});

const fundingTimeRow = z.object({
  symbol: z.string().min(1),
  nextFundingTime: epochMs,
  ratePeriod: positive,
});

const openInterestData = z.object({
  openInterestList: z.array(z.object({ symbol: z.string().min(1), size: nonNegative })),
  ts: epochMs,
});

const QUOTES = ['USDT', 'USDC', 'USD'];

/** 'BTCUSDT' → 'BTC'; dated contracts ('ETHUSD_231229') lose their expiry suffix first. */
function assetOfSymbol(symbol: string): string {
  const root = symbol.replace(/_.*$/, '');
  const quote = QUOTES.find((q) => root.endsWith(q));
  return requireAsset('bitget', normaliseAsset(quote ? root.slice(0, -quote.length) : root), symbol);
}

function symbolFor(asset: string): string {
  return `${asset.toUpperCase()}USDT`;
}

/** One liquidation from a row, on either path. */
function toLiquidation(row: z.output<typeof liquidationRow>, asset = assetOfSymbol(row.symbol)): Liquidation {
  return {
    venue: 'bitget',
    symbol: row.symbol,
    asset,
    // Liquidation Channel: side is the POSITION side, "buy: Long position liquidation, sell: Short position liquidation".
    side: row.side === 'buy' ? 'long' : 'short',
    price: row.price,
    // Liquidation Channel: amount is in the quote coin (USDT ≈ USD), so base = amount / price.
    quantity: row.amount / row.price,
    notionalUsd: row.amount,
    time: row.ts,
  };
}

function parseLiquidations(message: unknown): Liquidation[] {
  if (message === 'pong') return [];
  if (!isObject(message)) throw new VenueDataError('bitget', `unexpected message: ${JSON.stringify(message)?.slice(0, 60)}`);
  if (message.event === 'error') {
    throw new VenueDataError('bitget', `request rejected: ${String(message.code ?? '')} ${String(message.msg ?? '').slice(0, 120)}`.trim());
  }
  // Subscription acks: {event: 'subscribe' | 'unsubscribe', arg, connId}.
  if ('event' in message) return [];
  const frame = parseWith('bitget', 'push', push, message);
  if (frame.arg.topic !== 'liquidation') return [];
  // Both snapshot and update pushes carry the previous second's liquidations, each exactly once.
  return frame.data.map((raw) => toLiquidation(parseWith('bitget', 'liquidation row', liquidationRow, raw)));
}

/** A liquidation push as Bitget sends it (live capture: this key order, no spaces). */
const PUSH_HEAD = /\{"action":"(?:snapshot|update)","arg":\{"instType":"[a-z-]{1,24}","topic":"liquidation"\},"data":\[/y;
const PUSH_ROW = new RegExp(
  String.raw`\{"symbol":"([A-Z0-9_]{1,40})","side":"(buy|sell)","price":"(${DECIMAL_TEXT})","amount":"(${DECIMAL_TEXT})","ts":"(\d{1,15})"\}`,
  'y',
);
const PUSH_TAIL = new RegExp(String.raw`\],"ts":${JSON_INTEGER}\}$`, 'y');

const cachedAssetOfSymbol = memoAsset(assetOfSymbol);

/** The fast path of `parseLiquidations` for a liquidation push (see venues/parse.ts); null: take the zod path. Never throws. */
function fastLiquidations(text: string): Liquidation[] | null {
  if (matchHead(text, PUSH_HEAD) === null) return null;
  const out: Liquidation[] = [];
  const read = readRows(text, PUSH_HEAD.lastIndex, PUSH_ROW, PUSH_TAIL, (row) => {
    const price = positiveOrNaN(Number(row[3]));
    const amount = positiveOrNaN(Number(row[4]));
    const time = epochMsOrNaN(Number(row[5]));
    const symbol = row[1]!;
    const asset = cachedAssetOfSymbol(symbol);
    if (asset === null || Number.isNaN(price + amount + time)) return false;
    out.push(toLiquidation({ symbol, side: row[2] as 'buy' | 'sell', price, amount, ts: time }, asset));
    return true;
  });
  return read ? out : null;
}

function openStream(): StreamSession {
  return {
    url: BITGET_WS_URL,
    onOpen: () => [SUBSCRIBE_FRAME],
    onMessage(text: string): StreamOutput {
      // The heartbeat answer is the bare text 'pong', not JSON.
      if (text === 'pong') return emptyOutput();
      const liquidations = fastLiquidations(text) ?? parseLiquidations(parseJsonFrame('bitget', text));
      return liquidationsOnly(liquidations);
    },
    heartbeat: HEARTBEAT,
    maxConnectionMs: MAX_CONNECTION_MS,
  };
}

function pollRequests(watched: readonly string[]) {
  const mix = `${BITGET_API}/api/v2/mix/market`;
  const symbols = watched.map(symbolFor);
  return [
    // One call for every USDT-M symbol: last, mark, index, funding rate, 24 h volume.
    { key: 'tickers', url: `${mix}/tickers?productType=${PRODUCT_TYPE}` },
    // Funding interval (ratePeriod, hours) and next funding time; symbol is required.
    ...symbols.map((symbol) => ({ key: `fundingTime:${symbol}`, url: `${mix}/funding-time?symbol=${symbol}&productType=${PRODUCT_TYPE}` })),
    ...symbols.map((symbol) => ({ key: `openInterest:${symbol}`, url: `${mix}/open-interest?symbol=${symbol}&productType=${PRODUCT_TYPE}` })),
  ];
}

/** Unwrap {code, msg, data}; a non-"00000" code is Bitget refusing the request. */
function dataOf(what: string, body: unknown): unknown {
  const wrapped = parseWith('bitget', what, envelope, body);
  if (wrapped.code !== '00000') throw new VenueDataError('bitget', `${what} failed: ${wrapped.code} ${wrapped.msg ?? ''}`.trim());
  return wrapped.data;
}

function parsePoll(key: string, body: unknown, watched: readonly string[]): StreamOutput {
  const wanted = new Set(watched.map(symbolFor));
  const markets: MarketUpdate[] = [];
  const base = (symbol: string, time: number) => ({ venue: 'bitget' as const, symbol, asset: assetOfSymbol(symbol), time });
  if (key === 'tickers') {
    for (const row of parseWith('bitget', 'tickers', z.array(tickerRow), dataOf('tickers', body))) {
      if (!wanted.has(row.symbol)) continue;
      markets.push({
        ...base(row.symbol, row.ts),
        lastPrice: row.lastPr,
        ...(row.markPrice !== undefined ? { markPrice: row.markPrice } : {}),
        ...(row.indexPrice > 0 ? { indexPrice: row.indexPrice } : {}),
        // The rate for one ratePeriod (see fundingTime), as Bitget quotes it.
        fundingRate: row.fundingRate,
        // USDT-M volumes are in USDT, taken as USD.
        perpVolume24hUsd: row.usdtVolume ?? row.quoteVolume,
      });
    }
  } else if (key.startsWith('fundingTime:')) {
    for (const row of parseWith('bitget', 'funding-time', z.array(fundingTimeRow), dataOf('funding-time', body))) {
      // ratePeriod is the funding interval in hours (Get Next Funding Time).
      markets.push({ ...base(row.symbol, 0), fundingIntervalHours: row.ratePeriod, nextFundingTime: row.nextFundingTime });
    }
  } else if (key.startsWith('openInterest:')) {
    const data = parseWith('bitget', 'open-interest', openInterestData, dataOf('open-interest', body));
    // Get Open Interest: size is in the base coin ("ETH in ETHUSDT"); USD = size × mark in mergeMarket.
    for (const row of data.openInterestList) markets.push({ ...base(row.symbol, data.ts), openInterestBase: row.size });
  } else {
    throw new VenueDataError('bitget', `unknown poll key ${key}`);
  }
  return { ...emptyOutput(), markets };
}

export const bitget: VenueAdapter = {
  id: 'bitget',
  label: 'Bitget USDT-M',
  // Liquidation Channel: pushed once per second, "only the record with the highest liquidation quantity for
  // long and short positions respectively per trading pair is included" (at most 2 per pair per second).
  completeness: 'sampled',
  completenessNote: 'Bitget pushes only the largest long and largest short liquidation per symbol each second',
  symbolFor,
  parseLiquidations,
  fastLiquidations,
  openStream,
  pollRequests,
  parsePoll,
  rateBudget: {
    // Per 30 s poll with 3 assets: 1 tickers + 3 funding-time + 3 open-interest = 7, ×2 per minute.
    requestsPerMinute: 14,
    limitPerMinute: 1200,
    limitSource: 'Bitget v2 mix market endpoints: "Frequency limit: 20 times/1s (IP)" each (Get All Tickers, Get Next Funding Time, Get Open Interest)',
  },
};
