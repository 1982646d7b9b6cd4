/**
 * Bitget USDT-M futures: liquidations from the UTA (v3) public WebSocket, instruments and market
 * data from the v2 mix REST API.
 * Docs: https://www.bitget.com/api-doc/uta/websocket/public/Liquidation-Channel,
 *       https://www.bitget.com/api-doc/contract/market/Get-All-Symbols-Contracts,
 *       https://www.bitget.com/api-doc/contract/market/Get-All-Symbol-Ticker,
 *       https://www.bitget.com/api-doc/contract/market/Get-Current-Funding-Rate,
 *       https://www.bitget.com/api-doc/contract/position/Get-Query-Position-Lever
 */
import { z } from '../core/zod';
import { marginTable, type MarginTable, type MarginTier } from '../core/margin';
import { VenueDataError, canonicalBase, type InstrumentSpec, type Liquidation, type MarketUpdate } from '../core/model';
import { everyListedInstrument, findInstrument, instrumentsOf, liquidationOf, valueFill } from './instruments';
import { decimal, emptyOutput, epochMs, isObject, liquidationOutput, nonNegative, parseJsonFrame, parseWith, positive, retryAfterMs, shortJson, type Headers } from './parse';
import type { HttpFailure, RestRequest, StreamOutput, StreamSession, VenueAdapter } from './types';

/** The liquidation topic exists only on the UTA (v3) public socket, not on /v2/ws/public. */
export const BITGET_WS_URL = 'wss://ws.bitget.com/v3/ws/public';
export const BITGET_API = 'https://api.bitget.com';
const MIX = `${BITGET_API}/api/v2/mix/market`;
const PRODUCT_TYPE = 'USDT-FUTURES';

/** Websocket intro: "Websocket will be forcibly disconnected every 24 hours"; reconnect a little before. */
const MAX_CONNECTION_MS = 23.5 * 60 * 60 * 1000;

/**
 * Websocket intro: send the string 'ping' (recommended every 30 s, the server drops sockets silent
 * for 2 min) and expect 'pong'. 20 s also keeps a Chrome service worker alive.
 */
const HEARTBEAT = { intervalMs: 20_000, message: 'ping' };

/**
 * The liquidation topic is per product type, not per symbol (Liquidation Channel request parameters).
 * The topic also takes 'coin-futures' and 'usdc-futures' (same table), but its only documented push and the
 * captures we have are usdt-futures: the unit of `amount` for those two is unknown, so they are neither listed
 * nor subscribed (valuing them would be guesswork). Add them only with a documented or captured push.
 */
const SUBSCRIBE_FRAME = JSON.stringify({ op: 'subscribe', args: [{ instType: 'usdt-futures', topic: 'liquidation' }] });

/**
 * Get Contract Config `symbolStatus`: listed (pre-listing), normal, maintain (no open/close), limit_open
 * (close only), restrictedAPI (no API orders), off (offline). Positions exist, and can be liquidated, in these:
 */
const LIVE_STATUSES = new Set(['normal', 'limit_open', 'restrictedAPI']);

/** Get Contract Config `symbolType`: "perpetual; delivery". */
const KIND_OF_TYPE: Record<string, InstrumentSpec['kind']> = { perpetual: 'perp', delivery: 'dated' };

const contractRow = z.object({
  symbol: z.string().min(1),
  baseCoin: z.string().min(1),
  quoteCoin: z.string().min(1),
  symbolType: z.string(),
  symbolStatus: z.string(),
  maxLever: positive.optional(),
});

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
  // Get All Tickers: "Current positions in the unit of number of coins traded" (base coin).
  holdingAmount: nonNegative.optional(),
  usdtVolume: nonNegative.optional(),
  quoteVolume: nonNegative,
  ts: epochMs,
});

const fundRateRow = z.object({
  symbol: z.string().min(1),
  fundingRate: decimal,
  // Get Current Funding Rate: "Unit: hour. Enumeration values include 1, 2, 4, 8"; absent in older answers.
  fundingRateInterval: positive.optional(),
  nextUpdate: epochMs.optional(),
});

/** Unwrap {code, msg, data}; a non-"00000" code is Bitget refusing the request. */
function dataOf(what: string, body: unknown): unknown {
  const wrapped = parseWith('bitget', what, envelope, body);
  if (wrapped.code !== '00000') throw new VenueDataError('bitget', `${what} failed: ${wrapped.code} ${wrapped.msg ?? ''}`.trim());
  return wrapped.data;
}

function instrumentRequests(): RestRequest[] {
  // Get Contract Config: every contract of the product type when `symbol` is omitted (20 req/s/IP).
  return [{ key: 'contracts', url: `${MIX}/contracts?productType=${PRODUCT_TYPE}` }];
}

function parseInstruments(key: string, body: unknown): InstrumentSpec[] {
  if (key !== 'contracts') throw new VenueDataError('bitget', `unknown instrument list ${key}`);
  const specs: InstrumentSpec[] = [];
  for (const row of parseWith('bitget', 'contracts', z.array(contractRow), dataOf('contracts', body))) {
    const kind = KIND_OF_TYPE[row.symbolType];
    const base = canonicalBase(row.baseCoin);
    // A coin code that names no asset (markup, punctuation) is skipped like an unlisted contract.
    if (kind === undefined || !LIVE_STATUSES.has(row.symbolStatus) || base === null) continue;
    const { asset, priceScale } = base;
    specs.push({
      venue: 'bitget',
      symbol: row.symbol,
      asset,
      kind,
      priceScale,
      // USDT-M sizes are in the base coin ("minTradeNum: Minimum opening amount (base currency)"); sizeMultiplier is
      // only the order step, not a contract value.
      contract: { type: 'linear', size: 1 },
      ...(row.maxLever !== undefined ? { maxLeverage: row.maxLever } : {}),
    });
  }
  return specs;
}

/** One frame's liquidations, and the symbols the catalogue lacks. */
function readMessage(message: unknown, instruments: readonly InstrumentSpec[]): { liquidations: Liquidation[]; unknown: string[] } {
  const none = { liquidations: [], unknown: [] };
  if (message === 'pong') return none;
  if (!isObject(message)) throw new VenueDataError('bitget', `unexpected message: ${JSON.stringify(message)?.slice(0, 60)}`);
  if (message.event === 'error') {
    throw new VenueDataError('bitget', `request rejected: ${String(message.code ?? '')} ${String(message.msg ?? '').slice(0, 120)}`.trim());
  }
  // Subscription acks: {event: 'subscribe' | 'unsubscribe', arg, connId}.
  if ('event' in message) return none;
  const frame = parseWith('bitget', 'push', push, message);
  if (frame.arg.topic !== 'liquidation') return none;
  const liquidations: Liquidation[] = [];
  const unknown: string[] = [];
  // Both snapshot and update pushes carry the previous second's liquidations, each exactly once.
  for (const raw of frame.data) {
    const row = parseWith('bitget', 'liquidation row', liquidationRow, raw);
    const spec = findInstrument(instruments, row.symbol);
    // A listing newer than the catalogue: not valued by guesswork.
    if (spec === undefined || spec.kind === 'spot') {
      unknown.push(row.symbol);
      continue;
    }
    // Liquidation Channel: amount is in the quote coin (USDT ≈ USD), so the size in base units is amount / price.
    const fill = valueFill(spec, row.amount / row.price, row.price);
    // Liquidation Channel: side is the POSITION side, "buy: Long position liquidation, sell: Short position liquidation".
    liquidations.push(liquidationOf(spec, row.side === 'buy' ? 'long' : 'short', { ...fill, notionalUsd: row.amount }, row.ts));
  }
  return { liquidations, unknown };
}

function parseLiquidations(message: unknown, instruments: readonly InstrumentSpec[]): Liquidation[] {
  return readMessage(message, instruments).liquidations;
}

function openStreams(_tracked: readonly string[], instruments: readonly InstrumentSpec[]): StreamSession[] {
  return [
    {
      url: BITGET_WS_URL,
      onOpen: () => [SUBSCRIBE_FRAME],
      onMessage(text: string): StreamOutput {
        // The heartbeat answer is the bare text 'pong', not JSON.
        if (text === 'pong') return emptyOutput();
        const { liquidations, unknown } = readMessage(parseJsonFrame('bitget', text), instruments);
        return liquidationOutput(liquidations, unknown);
      },
      heartbeat: HEARTBEAT,
      maxConnectionMs: MAX_CONNECTION_MS,
    },
  ];
}

function pollRequests(): RestRequest[] {
  return [
    // Get All Tickers: every USDT-M contract's last, mark, index, funding rate, holdings and 24 h volume.
    { key: 'tickers', url: `${MIX}/tickers?productType=${PRODUCT_TYPE}` },
    // Get Current Funding Rate without `symbol`: every contract's funding interval and next settlement.
    { key: 'currentFundRate', url: `${MIX}/current-fund-rate?productType=${PRODUCT_TYPE}` },
  ];
}

function parsePoll(key: string, body: unknown, instruments: readonly InstrumentSpec[]): StreamOutput {
  const markets: MarketUpdate[] = [];
  /** Perpetuals only: delivery contracts never mix into funding, OI or basis. */
  const perpOf = (symbol: string) => {
    const spec = findInstrument(instruments, symbol);
    return spec?.kind === 'perp' ? spec : undefined;
  };
  const base = (spec: InstrumentSpec, time: number) => ({ venue: 'bitget' as const, symbol: spec.symbol, asset: spec.asset, kind: spec.kind, time });
  if (key === 'tickers') {
    for (const row of parseWith('bitget', 'tickers', z.array(tickerRow), dataOf('tickers', body))) {
      const spec = perpOf(row.symbol);
      if (!spec) continue;
      const scale = spec.priceScale;
      markets.push({
        ...base(spec, row.ts),
        lastPrice: row.lastPr / scale,
        ...(row.markPrice !== undefined ? { markPrice: row.markPrice / scale } : {}),
        ...(row.indexPrice > 0 ? { indexPrice: row.indexPrice / scale } : {}),
        // The rate for one funding interval (see currentFundRate), as Bitget quotes it.
        fundingRate: row.fundingRate,
        // Base coins (one side of the book), × scale for canonical units; USD = × mark in mergeMarket.
        ...(row.holdingAmount !== undefined ? { openInterestBase: row.holdingAmount * scale } : {}),
        // USDT-M volumes are in USDT, taken as USD.
        perpVolume24hUsd: row.usdtVolume ?? row.quoteVolume,
      });
    }
  } else if (key === 'currentFundRate') {
    for (const row of parseWith('bitget', 'current-fund-rate', z.array(fundRateRow), dataOf('current-fund-rate', body))) {
      const spec = perpOf(row.symbol);
      if (!spec) continue;
      markets.push({
        ...base(spec, 0),
        fundingRate: row.fundingRate,
        ...(row.fundingRateInterval !== undefined ? { fundingIntervalHours: row.fundingRateInterval } : {}),
        ...(row.nextUpdate !== undefined ? { nextFundingTime: row.nextUpdate } : {}),
      });
    }
  } else {
    throw new VenueDataError('bitget', `unknown poll key ${key}`);
  }
  return { ...emptyOutput(), markets };
}

/**
 * Get Position Tier (GET /api/v2/mix/market/query-position-lever): per `level`, `startUnit`/`endUnit` ("Minimum
 * value"/"Maximum value" of the tier: the position value in USDT, as the docs' BTCUSDT example 0–50,000 at 125×
 * reads), `leverage` (the tier's max) and `keepMarginRate` ("Maintenance margin rate").
 */
const positionTierRow = z.object({
  symbol: z.string().min(1),
  level: z.union([z.string(), z.number()]),
  startUnit: nonNegative,
  endUnit: positive,
  leverage: positive,
  keepMarginRate: nonNegative,
});

/**
 * Get Position Tier: `symbol` and `productType` are both required, one symbol a request, "Frequency limit:
 * 10 times/1s (IP)". One request per tracked asset's USDT-M perpetual, once a day.
 */
function marginTierRequests(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[] {
  return instrumentsOf(instruments, tracked, 'perp').map((spec) => ({
    key: `positionTier:${spec.symbol}`,
    url: `${MIX}/query-position-lever?symbol=${spec.symbol}&productType=${PRODUCT_TYPE}`,
  }));
}

/** One tier answer → its symbol's table: tiers up to `endUnit` USDT, no deduction (Bitget states none). */
function parseMarginTiers(key: string, body: unknown, instruments: readonly InstrumentSpec[]): MarginTable[] {
  if (!key.startsWith('positionTier:')) throw new VenueDataError('bitget', `unknown margin tier key ${key}`);
  const rows = parseWith('bitget', 'query-position-lever', z.array(positionTierRow), dataOf('query-position-lever', body));
  const bySymbol = new Map<string, MarginTier[]>();
  for (const row of rows) {
    const spec = findInstrument(instruments, row.symbol);
    if (!spec || spec.kind !== 'perp') continue;
    bySymbol.set(row.symbol, [...(bySymbol.get(row.symbol) ?? []), { maxNotional: row.endUnit, maintenanceMarginRate: row.keepMarginRate, maxLeverage: row.leverage, maintenanceAmount: 0 }]);
  }
  return [...bySymbol].map(([symbol, tiers]) => {
    const table = marginTable('bitget', symbol, findInstrument(instruments, symbol)!.asset, 'usd', tiers);
    if (!table) throw new VenueDataError('bitget', `position tiers of ${symbol} are not a margin table`);
    return table;
  });
}

function classifyFailure(status: number, body: string, headers: Headers): HttpFailure | null {
  // API intro, rate limits: a request over an endpoint's frequency limit is answered HTTP 429 with
  // {"code":"429","msg":"Too Many Requests"}; the limits are per second, so a minute's rest is ample.
  const envelope = shortJson(body);
  const code = isObject(envelope) ? String(envelope.code) : undefined;
  if (status === 429 || code === '429') return { kind: 'rateLimited', reason: 'rate limited: too many requests (HTTP 429)', pauseMs: retryAfterMs(headers, Date.now(), 60_000, 30 * 60_000) };
  return null;
}

export const bitget: VenueAdapter = {
  id: 'bitget',
  label: 'Bitget USDT-M',
  // Liquidation Channel: pushed once per second, "only the record with the highest liquidation quantity for
  // long and short positions respectively per trading pair is included" (at most 2 per pair per second).
  completeness: 'sampled',
  completenessNote: 'Bitget pushes only the largest long and largest short liquidation per symbol each second',
  instrumentRequests,
  parseInstruments,
  parseLiquidations,
  openStreams,
  // One subscription carries every USDT-M contract's liquidations (the topic takes no symbol).
  coverage: everyListedInstrument,
  pollRequests,
  parsePoll,
  classifyFailure,
  marginTierRequests,
  parseMarginTiers,
  rateBudget: {
    // Per 30 s poll, whatever is tracked: 1 tickers + 1 current-fund-rate = 2, ×2 per minute.
    requestsPerMinute: 4,
    limitPerMinute: 1200,
    limitSource: 'Bitget v2 mix market endpoints: "Frequency limit: 20 times/1s (IP)" each (Get All Tickers, Get Current Funding Rate)',
  },
};
