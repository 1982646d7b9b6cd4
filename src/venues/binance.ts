/**
 * Binance USD-M futures (fapi) plus Binance spot for 24 h volume.
 * Docs: https://developers.binance.com/docs/derivatives/usds-margined-futures
 */
import { z } from 'zod';
import { VenueDataError, normaliseAsset, type Liquidation, type MarketUpdate } from '../core/model';
import { DECIMAL_TEXT, JSON_INTEGER, decimal, emptyOutput, epochMs, epochMsOrNaN, isObject, liquidationsOnly, memoAsset, nonNegative, parseJsonFrame, parseWith, positive, positiveOrNaN, requireAsset } from './parse';
import type { StreamOutput, StreamSession, VenueAdapter } from './types';

/**
 * Binance routes fstream.binance.com by path: @forceOrder belongs to the /market tier.
 * The legacy unrouted /ws path stopped delivering /market streams (2026-04), silently.
 * Docs: "USD-M Futures routes streams by path" (developers.binance.com, market data streams).
 */
export const BINANCE_LIQUIDATION_STREAM_URL = 'wss://fstream.binance.com/market/ws/!forceOrder@arr';
export const BINANCE_FAPI = 'https://fapi.binance.com';
export const BINANCE_SPOT_API = 'https://api.binance.com';

/** Binance disconnects every connection at 24 h; reconnect a little before (docs: "valid for 24 hours"). */
const MAX_CONNECTION_MS = 23.5 * 60 * 60 * 1000;

/**
 * Binance answers JSON requests on the stream socket. LIST_SUBSCRIPTIONS is harmless and its
 * reply counts as socket activity, which keeps the service worker alive (Chrome 116+).
 * The server's own ping frames are answered by the browser automatically.
 */
const HEARTBEAT = { intervalMs: 20_000, message: JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 1 }) };

const forceOrderEvent = z.object({
  e: z.literal('forceOrder'),
  E: epochMs,
  o: z.object({
    s: z.string().min(1),
    S: z.enum(['BUY', 'SELL']),
    ap: positive,
    z: positive,
    T: epochMs,
  }),
});

const requestReply = z.object({ id: z.union([z.number(), z.string(), z.null()]) });

const premiumIndexRow = z.object({
  symbol: z.string().min(1),
  markPrice: positive,
  indexPrice: nonNegative,
  lastFundingRate: z.union([decimal, z.literal('')]),
  nextFundingTime: z.number(),
  time: epochMs,
});

const openInterest = z.object({ symbol: z.string().min(1), openInterest: nonNegative, time: epochMs });

const ticker24h = z.object({ symbol: z.string().min(1), lastPrice: positive, quoteVolume: nonNegative, closeTime: epochMs });

const openInterestHistRow = z.object({
  symbol: z.string().min(1),
  sumOpenInterestValue: nonNegative,
  // The docs show a string, live responses a number: accept both.
  timestamp: epochMs,
});

const fundingInfoRow = z.object({ symbol: z.string().min(1), fundingIntervalHours: z.number().int().positive() });

const QUOTES = ['USDT', 'USDC', 'BUSD', 'FDUSD'];

/** 'BTCUSDT' → 'BTC'; '1000PEPEUSDT' stays '1000PEPE' (Binance's own base asset). */
function assetOfSymbol(symbol: string): string {
  const quote = QUOTES.find((q) => symbol.endsWith(q));
  return requireAsset('binance', normaliseAsset(quote ? symbol.slice(0, -quote.length) : symbol), symbol);
}

function symbolFor(asset: string): string {
  return `${asset.toUpperCase()}USDT`;
}

function parseLiquidations(message: unknown): Liquidation[] {
  // Combined streams wrap every event as { stream, data }.
  const payload = isObject(message) && 'stream' in message && 'data' in message ? message.data : message;
  if (isObject(payload) && 'id' in payload && !('e' in payload)) {
    parseWith('binance', 'request reply', requestReply, payload);
    return [];
  }
  const { o: order } = parseWith('binance', 'forceOrder event', forceOrderEvent, payload);
  return [forceOrderLiquidation(order.s, assetOfSymbol(order.s), order.S, order.ap, order.z, order.T)];
}

/** One liquidation from a forceOrder's fields, on either path. */
function forceOrderLiquidation(symbol: string, asset: string, orderSide: 'BUY' | 'SELL', averagePrice: number, filled: number, time: number): Liquidation {
  return {
    venue: 'binance',
    symbol,
    asset,
    // The liquidation order closes the position: a SELL order means a long was liquidated (docs: Liquidation Order Streams).
    side: orderSide === 'SELL' ? 'long' : 'short',
    price: averagePrice,
    // `z` is the accumulated filled quantity, in base units for USD-M contracts.
    quantity: filled,
    notionalUsd: filled * averagePrice,
    time,
  };
}

/**
 * A forceOrder event exactly as the stream sends it (docs example and live captures: this key
 * order, no spaces). Captures E, s, S, ap, z, T; the fields the zod schema ignores are only
 * checked for their shape.
 */
const FORCE_ORDER_FRAME = new RegExp(
  String.raw`^\{"e":"forceOrder","E":(${JSON_INTEGER}),"o":\{"s":"([A-Z0-9]{1,40})","S":"(BUY|SELL)","o":"[A-Z_]{1,24}","f":"[A-Z_]{1,8}",` +
    String.raw`"q":"${DECIMAL_TEXT}","p":"${DECIMAL_TEXT}","ap":"(${DECIMAL_TEXT})","X":"[A-Z_]{1,24}","l":"${DECIMAL_TEXT}","z":"(${DECIMAL_TEXT})","T":(${JSON_INTEGER})\}\}$`,
);

const cachedAssetOfSymbol = memoAsset(assetOfSymbol);

/** The fast path of `parseLiquidations` for a forceOrder frame (see venues/parse.ts); null: take the zod path. Never throws. */
function fastLiquidations(text: string): Liquidation[] | null {
  const match = FORCE_ORDER_FRAME.exec(text);
  if (match === null) return null;
  const price = positiveOrNaN(Number(match[4]));
  const quantity = positiveOrNaN(Number(match[5]));
  const time = epochMsOrNaN(Number(match[6]));
  if (Number.isNaN(epochMsOrNaN(Number(match[1]))) || Number.isNaN(price + quantity + time)) return null;
  const symbol = match[2]!;
  const asset = cachedAssetOfSymbol(symbol);
  if (asset === null) return null;
  return [forceOrderLiquidation(symbol, asset, match[3] as 'BUY' | 'SELL', price, quantity, time)];
}

function openStream(): StreamSession {
  return {
    url: BINANCE_LIQUIDATION_STREAM_URL,
    // The URL itself subscribes; nothing to send.
    onOpen: () => [],
    onMessage(text: string): StreamOutput {
      const liquidations = fastLiquidations(text) ?? parseLiquidations(parseJsonFrame('binance', text));
      return liquidationsOnly(liquidations);
    },
    heartbeat: HEARTBEAT,
    maxConnectionMs: MAX_CONNECTION_MS,
  };
}

function pollRequests(watched: readonly string[]) {
  const symbols = watched.map(symbolFor);
  return [
    // Weight 10 without a symbol: every symbol's mark, index and funding in one call.
    { key: 'premiumIndex', url: `${BINANCE_FAPI}/fapi/v1/premiumIndex` },
    // Lists only symbols whose funding interval was adjusted from the default 8 h.
    { key: 'fundingInfo', url: `${BINANCE_FAPI}/fapi/v1/fundingInfo` },
    ...symbols.map((symbol) => ({ key: `openInterest:${symbol}`, url: `${BINANCE_FAPI}/fapi/v1/openInterest?symbol=${symbol}` })),
    ...symbols.map((symbol) => ({ key: `ticker24h:${symbol}`, url: `${BINANCE_FAPI}/fapi/v1/ticker/24hr?symbol=${symbol}` })),
    {
      key: 'spotTicker24h',
      url: `${BINANCE_SPOT_API}/api/v3/ticker/24hr?symbols=${encodeURIComponent(JSON.stringify(symbols))}`,
    },
  ];
}

/** Open interest (USD) every 5 minutes for the last day, once on install: 1 h / 24 h OI change from the start. */
function backfillRequests(watched: readonly string[]) {
  return watched.map(symbolFor).map((symbol) => ({
    key: `openInterestHist:${symbol}`,
    url: `${BINANCE_FAPI}/futures/data/openInterestHist?symbol=${symbol}&period=5m&limit=288`,
  }));
}

function parsePoll(key: string, body: unknown, watched: readonly string[]): StreamOutput {
  if (key.startsWith('openInterestHist:')) {
    const rows = parseWith('binance', 'openInterestHist', z.array(openInterestHistRow), body);
    const history = rows.map((row) => ({ venue: 'binance' as const, symbol: row.symbol, asset: assetOfSymbol(row.symbol), time: row.timestamp, openInterestUsd: row.sumOpenInterestValue }));
    return { ...emptyOutput(), history };
  }
  const wanted = new Set(watched.map(symbolFor));
  const markets: MarketUpdate[] = [];
  const base = (symbol: string, time: number) => ({ venue: 'binance' as const, symbol, asset: assetOfSymbol(symbol), time });
  if (key === 'premiumIndex') {
    for (const row of parseWith('binance', 'premiumIndex', z.array(premiumIndexRow), body)) {
      if (!wanted.has(row.symbol)) continue;
      markets.push({
        ...base(row.symbol, row.time),
        markPrice: row.markPrice,
        // An index of 0 means none (e.g. a settling symbol), not a price.
        ...(row.indexPrice > 0 ? { indexPrice: row.indexPrice } : {}),
        ...(row.lastFundingRate === '' ? {} : { fundingRate: row.lastFundingRate }),
        ...(row.nextFundingTime > 0 ? { nextFundingTime: row.nextFundingTime } : {}),
      });
    }
  } else if (key === 'fundingInfo') {
    for (const row of parseWith('binance', 'fundingInfo', z.array(fundingInfoRow.passthrough()), body)) {
      if (wanted.has(row.symbol)) markets.push({ ...base(row.symbol, 0), fundingIntervalHours: row.fundingIntervalHours });
    }
  } else if (key.startsWith('openInterest:')) {
    const row = parseWith('binance', 'openInterest', openInterest, body);
    // USD-M open interest is in base units (contracts of 1 coin); USD = base × mark.
    markets.push({ ...base(row.symbol, row.time), openInterestBase: row.openInterest });
  } else if (key.startsWith('ticker24h:')) {
    const row = parseWith('binance', '24h ticker', ticker24h, body);
    markets.push({ ...base(row.symbol, row.closeTime), lastPrice: row.lastPrice, perpVolume24hUsd: row.quoteVolume });
  } else if (key === 'spotTicker24h') {
    for (const row of parseWith('binance', 'spot 24h ticker', z.array(ticker24h), body)) {
      markets.push({ ...base(row.symbol, row.closeTime), spotVolume24hUsd: row.quoteVolume });
    }
  } else {
    throw new VenueDataError('binance', `unknown poll key ${key}`);
  }
  return { ...emptyOutput(), markets };
}

export const binance: VenueAdapter = {
  id: 'binance',
  label: 'Binance USD-M',
  // Docs: "only the latest one liquidation order within 1000ms will be pushed as the snapshot" per symbol.
  completeness: 'sampled',
  completenessNote: 'Binance pushes at most one liquidation per symbol per second',
  symbolFor,
  parseLiquidations,
  fastLiquidations,
  openStream,
  pollRequests,
  backfillRequests,
  parsePoll,
  rateBudget: {
    // Per 30 s poll at 3 watched assets: premiumIndex 10 + fundingInfo 1 + 3 OI × 1 + 3 tickers × 1 (fapi weight),
    // ×2 per minute = 34 weight/min; spot ticker (symbols=3) weight 2 ×2 = 4 on the spot limit.
    requestsPerMinute: 34,
    limitPerMinute: 2400,
    limitSource: 'fapi REQUEST_WEIGHT 2400/min per IP (GET /fapi/v1/exchangeInfo rateLimits)',
  },
};
