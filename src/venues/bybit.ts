/**
 * Bybit v5: linear (USDT) perpetuals, plus spot tickers for 24 h spot volume.
 * Docs: https://bybit-exchange.github.io/docs/v5/intro
 */
import { z } from 'zod';
import { VenueDataError, normaliseAsset, type Liquidation, type MarketUpdate } from '../core/model';
import { DECIMAL_TEXT, JSON_INTEGER, decimal, emptyOutput, epochMs, epochMsOrNaN, isObject, liquidationsOnly, matchHead, memoAsset, nonNegative, parseJsonFrame, parseWith, positive, positiveOrNaN, readRows, requireAsset } from './parse';
import type { RestRequest, StreamOutput, StreamSession, VenueAdapter } from './types';

/** Docs "Connect": USDT, USDC perpetual & USDT futures public stream. */
export const BYBIT_LINEAR_STREAM_URL = 'wss://stream.bybit.com/v5/public/linear';
export const BYBIT_API = 'https://api.bybit.com';

/** Docs "Connect → How to Send the Heartbeat Packet": send {"op":"ping"} every 20 seconds. */
const HEARTBEAT = { intervalMs: 20_000, message: JSON.stringify({ op: 'ping' }) };

/** Bybit documents no lifetime cap for public connections; reconnect daily anyway so a stale socket cannot linger. */
const MAX_CONNECTION_MS = 24 * 60 * 60 * 1000;

/** A decimal field Bybit leaves as "" when it does not apply (e.g. fundingRate on futures). */
const optionalDecimal = z
  .union([z.literal(''), decimal])
  .optional()
  .transform((value) => (value === '' ? undefined : value));

/** The same for prices, times and intervals, which are never negative. */
const optionalNonNegative = z
  .union([z.literal(''), nonNegative])
  .optional()
  .transform((value) => (value === '' ? undefined : value));

// Docs "All Liquidation": S is the POSITION side; "Buy" means a long position was liquidated.
const allLiquidationRow = z.object({ T: epochMs, s: z.string().min(1), S: z.enum(['Buy', 'Sell']), v: positive, p: positive });
const allLiquidationFrame = z.object({ topic: z.string(), ts: epochMs, data: z.array(allLiquidationRow) });

/** The deprecated `liquidation.{symbol}` topic: one object, `updatedTime` in the example, `updateTime` in the table. */
const legacyLiquidationFrame = z.object({
  topic: z.string(),
  ts: epochMs,
  data: z.object({
    updatedTime: epochMs.optional(),
    updateTime: epochMs.optional(),
    symbol: z.string().min(1),
    side: z.enum(['Buy', 'Sell']),
    size: positive,
    price: positive,
  }),
});

/** Acks and pongs: {"success":true,"ret_msg":"pong","op":"ping"}; options answer {"op":"pong","args":[…]}. */
const controlFrame = z.object({ op: z.string(), success: z.boolean().optional(), ret_msg: z.string().optional() });

const retStatus = z.object({ retCode: z.number(), retMsg: z.string().optional() });

const derivTickerRow = z.object({
  symbol: z.string(),
  lastPrice: positive,
  markPrice: positive,
  indexPrice: optionalNonNegative,
  openInterest: nonNegative,
  openInterestValue: nonNegative,
  turnover24h: nonNegative,
  volume24h: nonNegative,
  fundingRate: optionalDecimal,
  nextFundingTime: optionalNonNegative,
  fundingIntervalHour: optionalNonNegative,
});
const derivTickers = z.object({
  result: z.object({ category: z.enum(['linear', 'inverse']), list: z.array(derivTickerRow) }),
  time: epochMs,
});

const spotTickers = z.object({
  result: z.object({ category: z.literal('spot'), list: z.array(z.object({ symbol: z.string(), turnover24h: nonNegative })) }),
  time: epochMs,
});

const instruments = z.object({
  result: z.object({ list: z.array(z.object({ symbol: z.string(), fundingInterval: nonNegative.optional() })) }),
  time: epochMs,
});

/** Inverse contracts: BTCUSD (perpetual) and BTCUSDH25-style quarterlies. */
const INVERSE_SYMBOL = /^([A-Z0-9]+)USD(?:[FGHJKMNQUVXZ]\d{2})?$/;

/** 'BTCUSDT' → BTC, 'BTCPERP' (USDC perp) → BTC, 'BTC-26DEC25' → BTC, 'BTCUSD' → BTC. */
function assetOfSymbol(symbol: string): string {
  const inverse = INVERSE_SYMBOL.exec(symbol);
  if (inverse?.[1]) return normaliseAsset(inverse[1]);
  const head = symbol.split('-')[0] ?? symbol;
  return requireAsset('bybit', normaliseAsset(head.replace(/(USDT|USDC|PERP)$/, '')), symbol);
}

function symbolFor(asset: string): string {
  return `${asset.toUpperCase()}USDT`;
}

/**
 * Sizes in base units and USD. Linear contracts quote size in the base coin; inverse contracts
 * are 1 USD each, so size is the USD face value (docs "Get Tickers": inverse volume24h is in USD).
 */
function sized(symbol: string, size: number, price: number): { quantity: number; notionalUsd: number } {
  if (INVERSE_SYMBOL.test(symbol)) return { quantity: size / price, notionalUsd: size };
  return { quantity: size, notionalUsd: size * price };
}

/** One liquidation, on either path. Spelled out (no spread): all venues' liquidations share one object shape, which keeps dedupe and aggregation monomorphic. */
function liquidation(symbol: string, side: 'Buy' | 'Sell', size: number, price: number, time: number, asset = assetOfSymbol(symbol)): Liquidation {
  const { quantity, notionalUsd } = sized(symbol, size, price);
  // Docs "All Liquidation": "When you receive a Buy update, this means that a long position has been liquidated".
  return { venue: 'bybit', symbol, asset, side: side === 'Buy' ? 'long' : 'short', price, quantity, notionalUsd, time };
}

function parseLiquidations(message: unknown): Liquidation[] {
  if (!isObject(message)) throw new VenueDataError('bybit', `frame is not an object: ${JSON.stringify(message)?.slice(0, 60)}`);
  const topic = message.topic;
  if (typeof topic !== 'string') return parseControl(message);
  if (topic.startsWith('allLiquidation.')) {
    const frame = parseWith('bybit', 'allLiquidation frame', allLiquidationFrame, message);
    return frame.data.map((row) => liquidation(row.s, row.S, row.v, row.p, row.T));
  }
  if (topic.startsWith('liquidation.')) {
    // Deprecated topic, since removed from the docs. An early page called `side` the order side; Bybit later told
    // users Buy = long liquidated (quoted in tardis-node's mapper), the rule allLiquidation documents. We use that rule.
    const { data, ts } = parseWith('bybit', 'liquidation frame', legacyLiquidationFrame, message);
    return [liquidation(data.symbol, data.side, data.size, data.price, data.updatedTime ?? data.updateTime ?? ts)];
  }
  // Other topics (tickers, trades) carry no liquidation.
  return [];
}

/** Subscribe acks and pongs carry nothing; a refused subscription is surfaced, not swallowed. */
function parseControl(message: Record<string, unknown>): Liquidation[] {
  const frame = parseWith('bybit', 'control frame', controlFrame, message);
  if (frame.success === false) throw new VenueDataError('bybit', `${frame.op} rejected: ${frame.ret_msg ?? 'no reason given'}`);
  return [];
}

/** An allLiquidation push as Bybit sends it (docs example and live capture: this key order, no spaces). */
const ALL_LIQUIDATION_HEAD = new RegExp(String.raw`\{"topic":"allLiquidation\.[A-Z0-9]{1,40}","type":"snapshot","ts":(${JSON_INTEGER}),"data":\[`, 'y');
const ALL_LIQUIDATION_ROW = new RegExp(String.raw`\{"T":(${JSON_INTEGER}),"s":"([A-Z0-9]{1,40})","S":"(Buy|Sell)","v":"(${DECIMAL_TEXT})","p":"(${DECIMAL_TEXT})"\}`, 'y');
const FRAME_TAIL = /\]\}$/y;

const cachedAssetOfSymbol = memoAsset(assetOfSymbol);

/** The fast path of `parseLiquidations` for an allLiquidation push (see venues/parse.ts); null: take the zod path. Never throws. */
function fastLiquidations(text: string): Liquidation[] | null {
  const head = matchHead(text, ALL_LIQUIDATION_HEAD);
  if (head === null || Number.isNaN(epochMsOrNaN(Number(head[1])))) return null;
  const out: Liquidation[] = [];
  const read = readRows(text, ALL_LIQUIDATION_HEAD.lastIndex, ALL_LIQUIDATION_ROW, FRAME_TAIL, (row) => {
    const time = epochMsOrNaN(Number(row[1]));
    const size = positiveOrNaN(Number(row[4]));
    const price = positiveOrNaN(Number(row[5]));
    const symbol = row[2]!;
    const asset = cachedAssetOfSymbol(symbol);
    if (asset === null || Number.isNaN(time + size + price)) return false;
    out.push(liquidation(symbol, row[3] as 'Buy' | 'Sell', size, price, time, asset));
    return true;
  });
  return read ? out : null;
}

function openStream(watched: readonly string[]): StreamSession {
  const topics = watched.map((asset) => `allLiquidation.${symbolFor(asset)}`);
  return {
    url: BYBIT_LINEAR_STREAM_URL,
    // Docs "How to Subscribe to Topics": {"op":"subscribe","args":[topic…]}; futures have no args limit.
    onOpen: () => (topics.length ? [JSON.stringify({ op: 'subscribe', args: topics })] : []),
    onMessage(text: string): StreamOutput {
      const liquidations = fastLiquidations(text) ?? parseLiquidations(parseJsonFrame('bybit', text));
      return liquidationsOnly(liquidations);
    },
    heartbeat: HEARTBEAT,
    maxConnectionMs: MAX_CONNECTION_MS,
  };
}

function pollRequests(watched: readonly string[]): RestRequest[] {
  return watched.map(symbolFor).flatMap((symbol) => [
    { key: `tickers:${symbol}`, url: `${BYBIT_API}/v5/market/tickers?category=linear&symbol=${symbol}` },
    { key: `instruments:${symbol}`, url: `${BYBIT_API}/v5/market/instruments-info?category=linear&symbol=${symbol}` },
    { key: `spotTickers:${symbol}`, url: `${BYBIT_API}/v5/market/tickers?category=spot&symbol=${symbol}` },
  ]);
}

function parsePoll(key: string, body: unknown, watched: readonly string[]): StreamOutput {
  const wanted = new Set(watched.map(symbolFor));
  const kind = key.split(':')[0];
  // Bybit answers business errors with HTTP 200 and a non-zero retCode (e.g. 10001 "Not supported symbols").
  const status = parseWith('bybit', `${kind} response`, retStatus, body);
  if (status.retCode !== 0) throw new VenueDataError('bybit', `${kind} failed: retCode ${status.retCode} ${status.retMsg ?? ''}`.trim());
  const base = (symbol: string, time: number) => ({ venue: 'bybit' as const, symbol, asset: assetOfSymbol(symbol), time });
  const markets: MarketUpdate[] = [];
  if (kind === 'tickers') {
    const { result, time } = parseWith('bybit', 'tickers', derivTickers, body);
    for (const row of result.list) if (wanted.has(row.symbol)) markets.push({ ...base(row.symbol, time), ...tickerFigures(result.category, row) });
  } else if (kind === 'instruments') {
    const { result, time } = parseWith('bybit', 'instruments-info', instruments, body);
    for (const row of result.list) {
      // Docs "Get Instruments Info": fundingInterval is in MINUTES (480 = 8 h).
      if (wanted.has(row.symbol) && row.fundingInterval) markets.push({ ...base(row.symbol, time), fundingIntervalHours: row.fundingInterval / 60 });
    }
  } else if (kind === 'spotTickers') {
    const { result, time } = parseWith('bybit', 'spot tickers', spotTickers, body);
    // Spot turnover24h is in the quote coin (USDT), taken as USD.
    for (const row of result.list) if (wanted.has(row.symbol)) markets.push({ ...base(row.symbol, time), spotVolume24hUsd: row.turnover24h });
  } else {
    throw new VenueDataError('bybit', `unknown poll key ${key}`);
  }
  return { ...emptyOutput(), markets };
}

/**
 * Linear: openInterestValue and turnover24h are in the quote coin (USDT ≈ USD).
 * Inverse: openInterest and volume24h are counts of 1-USD contracts, the *Value/turnover fields are in coin.
 */
function tickerFigures(category: 'linear' | 'inverse', row: z.output<typeof derivTickerRow>): Partial<MarketUpdate> {
  const linear = category === 'linear';
  return {
    lastPrice: row.lastPrice,
    markPrice: row.markPrice,
    ...(row.indexPrice ? { indexPrice: row.indexPrice } : {}),
    ...(row.fundingRate !== undefined ? { fundingRate: row.fundingRate } : {}),
    ...(row.fundingIntervalHour ? { fundingIntervalHours: row.fundingIntervalHour } : {}),
    ...(row.nextFundingTime ? { nextFundingTime: row.nextFundingTime } : {}),
    openInterestUsd: linear ? row.openInterestValue : row.openInterest,
    perpVolume24hUsd: linear ? row.turnover24h : row.volume24h,
  };
}

export const bybit: VenueAdapter = {
  id: 'bybit',
  label: 'Bybit USDT perps',
  // Docs "All Liquidation": "push all liquidations that occur on Bybit", batched every 500 ms.
  completeness: 'complete',
  symbolFor,
  parseLiquidations,
  fastLiquidations,
  openStream,
  pollRequests,
  parsePoll,
  rateBudget: {
    // Per 30 s poll at 3 watched assets: 3 × (linear ticker + instruments-info + spot ticker) = 9, ×2 per minute.
    requestsPerMinute: 18,
    limitPerMinute: 7200,
    limitSource: 'Bybit v5 "Rate Limit": IP limit, no more than 600 requests in any 5-second window (GET/POST shared)',
  },
};
