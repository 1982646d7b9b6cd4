/**
 * Bybit v5: linear (USDT/USDC) and inverse perpetuals and dated futures; spot tickers for 24 h spot volume.
 * Docs: https://bybit-exchange.github.io/docs/v5/intro
 */
import { z } from '../core/zod';
import { marginTable, type MarginTable, type MarginTier } from '../core/margin';
import { VenueDataError, canonicalBase, normaliseAsset, toFunding8h, type InstrumentKind, type InstrumentSpec, type Liquidation, type MarketUpdate, type PositionSide } from '../core/model';
import { closedCandles, closedRows, fundingInstants, settlementsWithInterval } from './history';
import { derivatives, everyListedInstrument, findInstrument, liquidationOf, mainPerpetuals, valueFill } from './instruments';
import { decimal, emptyOutput, epochMs, type Headers, isObject, liquidationOutput, nonNegative, parseJsonFrame, parseWith, positive } from './parse';
import type { PastBarPart } from '../core/levels';
import type { HttpFailure, RestRequest, StreamOutput, StreamSession, VenueAdapter } from './types';

/** Docs "WebSocket Connect": USDT, USDC perpetual & USDT Futures public stream. */
export const BYBIT_LINEAR_STREAM_URL = 'wss://stream.bybit.com/v5/public/linear';
/** Docs "WebSocket Connect": inverse contract public stream. */
export const BYBIT_INVERSE_STREAM_URL = 'wss://stream.bybit.com/v5/public/inverse';
export const BYBIT_API = 'https://api.bybit.com';

/** Docs "WebSocket Connect → How to Send the Heartbeat Packet": send {"op":"ping"} every 20 seconds. */
const HEARTBEAT = { intervalMs: 20_000, message: JSON.stringify({ op: 'ping' }) };

/** Bybit documents no lifetime cap for public connections; reconnect daily anyway so a stale socket cannot linger. */
const MAX_CONNECTION_MS = 24 * 60 * 60 * 1000;

/**
 * Docs "WebSocket Connect → Public channel - Args limits": "for one public connection, you cannot have length
 * of "args" array over 21,000 characters"; no per-request args limit for futures. We count the JSON text of
 * every args array sent on a connection and keep a margin.
 */
const MAX_ARGS_CHARS_PER_CONNECTION = 20_000;
/** Topics per subscribe request: a refused topic (a symbol delisted since the catalogue) fails only its own batch. */
const TOPICS_PER_REQUEST = 100;

/**
 * Docs "Get Instruments Info": limit is [1, 1000], default 500, and "there are now more than 500 linear
 * symbols"; the next page is asked with the answer's `nextPageCursor`.
 */
const INSTRUMENTS_PAGE_LIMIT = 1000;

/** Docs "Rate Limit Rules → HTTP IP limit": after "403, access too frequent" "wait for at least 10 minutes". */
const IP_BAN_PAUSE_MS = 10 * 60_000;
/** Docs "Rate Limit Rules → API Rate Limit": 10006 is a per-second window; one minute clears it. */
const API_LIMIT_PAUSE_MS = 60_000;

/** A decimal field Bybit leaves as "" when it does not apply (e.g. fundingRate on futures). */
const optionalDecimal = z
  .union([z.literal(''), decimal])
  .optional()
  .transform((value) => (value === '' ? undefined : value));

/** The same for prices, times, open interest and intervals, which are never negative. */
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

/** Docs "Get Instruments Info" (linear/inverse). `priceScale` there is the count of price decimals, not our scale. */
const instrumentRow = z.object({
  symbol: z.string().min(1),
  contractType: z.string(),
  status: z.string(),
  baseCoin: z.string().min(1),
  quoteCoin: z.string(),
  settleCoin: z.string().optional(),
  leverageFilter: z.object({ maxLeverage: positive }).partial().optional(),
});
const instrumentsResponse = z.object({
  result: z.object({ category: z.enum(['linear', 'inverse']), list: z.array(instrumentRow), nextPageCursor: z.string().optional() }),
});

/**
 * Docs "Get Tickers" (linear/inverse): openInterest/openInterestValue are "(both sides)",
 * singleOpenInterest/singleOpenInterestValue "(single side)" — the figure Bybit's page and aggregators show.
 */
const derivTickerRow = z.object({
  symbol: z.string(),
  lastPrice: positive,
  markPrice: positive,
  indexPrice: optionalNonNegative,
  singleOpenInterest: optionalNonNegative,
  singleOpenInterestValue: optionalNonNegative,
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

/**
 * Docs "Get Kline": `list` is "an string array of individual candle", "sort in reverse by startTime":
 * [startTime, openPrice, highPrice, lowPrice, closePrice, volume, turnover]. Only startTime and closePrice are read;
 * the seven places must all be there.
 */
const klineResponse = z.object({
  result: z.object({
    symbol: z.string().min(1),
    list: z.array(z.tuple([epochMs, z.unknown(), z.unknown(), z.unknown(), positive]).rest(z.unknown()).refine((row) => row.length >= 7, 'a candle has 7 places')),
  }),
});

/** Docs "Get Kline" for the level model's past bars: [startTime, openPrice, highPrice, lowPrice, closePrice, volume, turnover]. */
const klineBarResponse = z.object({
  result: z.object({
    symbol: z.string().min(1),
    list: z.array(z.tuple([epochMs, positive, positive, positive, positive]).rest(z.unknown()).refine((row) => row.length >= 7, 'a candle has 7 places')),
  }),
});

/**
 * Docs "Get Open Interest": `openInterest` "is the sum of both sides", `singleOpenInterest` "the single side" (the
 * figure the ticker poll reads), each in "BTCUSD(inverse) USD, BTCUSDT(linear) BTC"; `timestamp` (ms).
 */
const openInterestResponse = z.object({
  result: z.object({
    symbol: z.string().min(1),
    list: z.array(z.object({ openInterest: nonNegative, singleOpenInterest: optionalNonNegative, timestamp: epochMs })),
  }),
});

/** Docs "Get Funding Rate History": fundingRate per the symbol's own interval, fundingRateTimestamp (ms) the settlement. */
const fundingHistoryResponse = z.object({
  result: z.object({ list: z.array(z.object({ symbol: z.string().min(1), fundingRate: decimal, fundingRateTimestamp: epochMs })) }),
});

/**
 * Docs "Get Kline": interval `5` (minutes); limit [1, 200], default 200 (the API explorer says at most 1000): one page
 * of 200 bars, valid either way, is 16 h 40 min (199 of them closed).
 */
const KLINE_INTERVAL = '5';
const KLINE_MS = 5 * 60_000;
const KLINE_LIMIT = 200;
/**
 * The level model's days 2–7 (issue 17): 1 h bars, 168 of them, 7 days, one page each. Docs "Get Kline": interval
 * `60` (minutes), limit [1, 200] (169: the open candle and 168 closed). Docs "Get Open Interest": intervalTime `1h`,
 * limit [1, 200], default 50 (168 rows fit one page: no `cursor`).
 */
const PAST_KLINE_INTERVAL = '60';
const PAST_OI_INTERVAL = '1h';
const PAST_BAR_MS = 3_600_000;
const PAST_BARS = 168;
/** Docs "Get Funding Rate History": limit [1, 200]; 25 rows span 24 h at a 1 h interval plus the settlement before. */
const FUNDING_HISTORY_LIMIT = 25;

/** Docs "Get Instruments Info" / enum "contractType". */
const CONTRACT_KINDS: Record<string, { kind: InstrumentKind; inverse: boolean }> = {
  LinearPerpetual: { kind: 'perp', inverse: false },
  LinearFutures: { kind: 'dated', inverse: false },
  InversePerpetual: { kind: 'perp', inverse: true },
  InverseFutures: { kind: 'dated', inverse: true },
};

/**
 * Bybit's base coin of a scaled contract: '1000PEPE' (canonicalBase), and a multiple written after the
 * coin, as in SHIB1000USDT (baseCoin 'SHIB1000': 1000 SHIB per unit).
 */
function bybitBase(baseCoin: string): { asset: string; priceScale: number } | null {
  const suffixed = /^([A-Z][A-Z0-9]*?)(1000000|10000|1000)$/.exec(baseCoin.trim().toUpperCase());
  if (suffixed && !/\d$/.test(suffixed[1]!)) return { asset: normaliseAsset(suffixed[1]!), priceScale: Number(suffixed[2]) };
  return canonicalBase(baseCoin);
}

function instrumentRequests(): RestRequest[] {
  return (['linear', 'inverse'] as const).map((category) => ({
    key: `instruments:${category}`,
    // Docs "Get Instruments Info": linear & inverse return only `Trading` symbols by default.
    url: `${BYBIT_API}/v5/market/instruments-info?category=${category}&limit=${INSTRUMENTS_PAGE_LIMIT}`,
  }));
}

/**
 * Docs "Get Instruments Info": `cursor` takes the previous answer's `nextPageCursor`. The docs'
 * own one-row example carries a cursor, so only a full page (the limit) is followed by another.
 */
function nextInstrumentRequest(request: RestRequest, body: unknown): RestRequest | null {
  const { result } = parseWith('bybit', 'instruments-info', instrumentsResponse, body);
  if (!result.nextPageCursor || result.list.length < INSTRUMENTS_PAGE_LIMIT) return null;
  const url = new URL(request.url);
  url.searchParams.set('cursor', result.nextPageCursor);
  return { key: request.key, url: url.toString() };
}

function parseInstruments(key: string, body: unknown): InstrumentSpec[] {
  if (!key.startsWith('instruments:')) throw new VenueDataError('bybit', `unknown instrument key ${key}`);
  checkRetCode(key, body);
  const { result } = parseWith('bybit', 'instruments-info', instrumentsResponse, body);
  const out: InstrumentSpec[] = [];
  for (const row of result.list) {
    const type = CONTRACT_KINDS[row.contractType];
    // Docs enum "status": PreLaunch, Trading, Delivering, Closed; only Trading instruments trade (and liquidate).
    const base = bybitBase(row.baseCoin);
    // A base coin that names no asset (markup, punctuation) is skipped like an instrument not trading.
    if (!type || row.status !== 'Trading' || base === null) continue;
    const { asset, priceScale } = base;
    const spec: InstrumentSpec = {
      venue: 'bybit',
      symbol: row.symbol,
      asset,
      kind: type.kind,
      priceScale,
      // Docs "Get Tickers": inverse sizes are counts of 1-USD contracts; linear sizes are in the (quoted) base coin.
      contract: type.inverse ? { type: 'inverse', usd: 1 } : { type: 'linear', size: 1 },
    };
    if (row.leverageFilter?.maxLeverage !== undefined) spec.maxLeverage = row.leverageFilter.maxLeverage;
    out.push(spec);
  }
  return out;
}

/** Liquidations of catalogued instruments; symbols the catalogue lacks go to `unknown` (their size cannot be valued). */
function readLiquidations(message: unknown, instruments: readonly InstrumentSpec[], unknown: string[]): Liquidation[] {
  if (!isObject(message)) throw new VenueDataError('bybit', `frame is not an object: ${JSON.stringify(message)?.slice(0, 60)}`);
  const topic = message.topic;
  if (typeof topic !== 'string') return parseControl(message);
  const out: Liquidation[] = [];
  const add = (symbol: string, side: 'Buy' | 'Sell', size: number, price: number, time: number) => {
    const spec = findInstrument(instruments, symbol);
    if (!spec || spec.kind === 'spot') {
      if (!unknown.includes(symbol)) unknown.push(symbol);
      return;
    }
    // Docs "All Liquidation": "When you receive a Buy update, this means that a long position has been liquidated".
    const position: PositionSide = side === 'Buy' ? 'long' : 'short';
    out.push(liquidationOf(spec, position, valueFill(spec, size, price), time));
  };
  if (topic.startsWith('allLiquidation.')) {
    const frame = parseWith('bybit', 'allLiquidation frame', allLiquidationFrame, message);
    for (const row of frame.data) add(row.s, row.S, row.v, row.p, row.T);
    return out;
  }
  if (topic.startsWith('liquidation.')) {
    // Deprecated topic, since removed from the docs. An early page called `side` the order side; Bybit later told
    // users Buy = long liquidated (quoted in tardis-node's mapper), the rule allLiquidation documents. We use that rule.
    const { data, ts } = parseWith('bybit', 'liquidation frame', legacyLiquidationFrame, message);
    add(data.symbol, data.side, data.size, data.price, data.updatedTime ?? data.updateTime ?? ts);
    return out;
  }
  // Other topics (tickers, trades) carry no liquidation.
  return out;
}

function parseLiquidations(message: unknown, instruments: readonly InstrumentSpec[]): Liquidation[] {
  return readLiquidations(message, instruments, []);
}

/** Subscribe acks and pongs carry nothing; a refused subscription is surfaced, not swallowed. */
function parseControl(message: Record<string, unknown>): Liquidation[] {
  const frame = parseWith('bybit', 'control frame', controlFrame, message);
  if (frame.success === false) throw new VenueDataError('bybit', `${frame.op} rejected: ${frame.ret_msg ?? 'no reason given'}`);
  return [];
}

/** Topics split into connections under the args-length limit, each connection's topics in subscribe batches. */
function connectionsFor(topics: readonly string[]): string[][] {
  const connections: string[][] = [];
  let current: string[] = [];
  let chars = 2; // the brackets of the args array
  for (const topic of topics) {
    const cost = JSON.stringify(topic).length + 1;
    if (current.length > 0 && chars + cost > MAX_ARGS_CHARS_PER_CONNECTION) {
      connections.push(current);
      current = [];
      chars = 2;
    }
    current.push(topic);
    chars += cost;
  }
  if (current.length > 0) connections.push(current);
  return connections;
}

function session(url: string, topics: readonly string[], instruments: readonly InstrumentSpec[]): StreamSession {
  const requests: string[] = [];
  for (let i = 0; i < topics.length; i += TOPICS_PER_REQUEST) {
    // Docs "How to Subscribe to Topics": {"op":"subscribe","args":[topic…]}, several topics per request.
    requests.push(JSON.stringify({ op: 'subscribe', args: topics.slice(i, i + TOPICS_PER_REQUEST) }));
  }
  return {
    url,
    onOpen: () => requests,
    onMessage(text: string): StreamOutput {
      const unknown: string[] = [];
      const liquidations = readLiquidations(parseJsonFrame('bybit', text), instruments, unknown);
      return liquidationOutput(liquidations, unknown);
    },
    heartbeat: HEARTBEAT,
    maxConnectionMs: MAX_CONNECTION_MS,
  };
}

/**
 * Docs "All Liquidation": `allLiquidation.{symbol}` covers USDT, USDC and inverse contracts, one symbol per topic,
 * so every listed derivative is subscribed (not only the tracked assets): linear ones on the linear stream,
 * inverse ones on the inverse stream, over as many connections as the args limit needs.
 */
function openStreams(_tracked: readonly string[], instruments: readonly InstrumentSpec[]): StreamSession[] {
  const listed = derivatives(instruments);
  const sessions: StreamSession[] = [];
  for (const [url, inverse] of [
    [BYBIT_LINEAR_STREAM_URL, false],
    [BYBIT_INVERSE_STREAM_URL, true],
  ] as const) {
    const topics = listed.filter((spec) => (spec.contract.type === 'inverse') === inverse).map((spec) => `allLiquidation.${spec.symbol}`);
    for (const group of connectionsFor(topics)) sessions.push(session(url, group, instruments));
  }
  return sessions;
}

/** Docs "Get Tickers": without `symbol`, one request answers every symbol of the category. */
function pollRequests(): RestRequest[] {
  return [
    { key: 'tickers:linear', url: `${BYBIT_API}/v5/market/tickers?category=linear` },
    { key: 'tickers:inverse', url: `${BYBIT_API}/v5/market/tickers?category=inverse` },
    { key: 'spotTickers', url: `${BYBIT_API}/v5/market/tickers?category=spot` },
  ];
}

/**
 * Once on install (and for a newly tracked asset), per main perpetual: 5-minute price bars and settled funding.
 * Every request counts once against the IP limit (600 per 5 s). Open-interest history is not asked: "Get Open
 * Interest" gives linear OI in base coin, whose USD value needs the price at each of its timestamps from another
 * answer, and a history point is recorded as it comes (MarketHistory.backfill values no openInterestBase).
 */
function backfillRequests(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[] {
  const perps = mainPerpetuals(instruments, usdtFirst);
  return tracked.flatMap((asset) => {
    const spec = perps.get(asset);
    if (!spec) return [];
    // Docs "Get Kline" and "Get Funding Rate History": category `linear` (USDT, USDC) or `inverse`.
    const category = spec.contract.type === 'inverse' ? 'inverse' : 'linear';
    const query = `category=${category}&symbol=${spec.symbol}`;
    return [
      { key: `kline:${spec.symbol}`, url: `${BYBIT_API}/v5/market/kline?${query}&interval=${KLINE_INTERVAL}&limit=${KLINE_LIMIT}` },
      { key: `fundingHistory:${spec.symbol}`, url: `${BYBIT_API}/v5/market/funding/history?${query}&limit=${FUNDING_HISTORY_LIMIT}` },
    ];
  });
}

/**
 * The level model's deep backfill per tracked main perpetual: 7 days of 1 h price bars and of open interest,
 * 2 requests (each counts once against the IP limit of 600 per 5 s).
 */
function levelHistoryRequests(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[] {
  const perps = mainPerpetuals(instruments, usdtFirst);
  return tracked.flatMap((asset) => {
    const spec = perps.get(asset);
    if (!spec) return [];
    // Docs "Get Kline" and "Get Open Interest": category `linear` (USDT, USDC) or `inverse`.
    const query = `category=${spec.contract.type === 'inverse' ? 'inverse' : 'linear'}&symbol=${spec.symbol}`;
    return [
      { key: `pastKline:${spec.symbol}`, url: `${BYBIT_API}/v5/market/kline?${query}&interval=${PAST_KLINE_INTERVAL}&limit=${PAST_BARS + 1}` },
      { key: `pastOpenInterest:${spec.symbol}`, url: `${BYBIT_API}/v5/market/open-interest?${query}&intervalTime=${PAST_OI_INTERVAL}&limit=${PAST_BARS}` },
    ];
  });
}

/** The asset's main perpetual a history answer names, or undefined (another contract, or one the catalogue lacks). */
function mainPerpNamed(symbol: string, instruments: readonly InstrumentSpec[]): InstrumentSpec | undefined {
  const listed = findInstrument(instruments, symbol);
  return listed && mainPerpetuals(instruments, usdtFirst).get(listed.asset) === listed ? listed : undefined;
}

/**
 * 1 h bars for the level model, each at its end (where "Get Open Interest" stamps the OI: the engine joins them
 * there), the open candle left out (closedRows), prices per coin (÷ priceScale). Bybit gives no taker-buy volume:
 * the model splits new positions evenly.
 */
function pastKlineBars(body: unknown, instruments: readonly InstrumentSpec[]): PastBarPart[] {
  const { result } = parseWith('bybit', 'kline', klineBarResponse, body);
  const spec = mainPerpNamed(result.symbol, instruments);
  if (!spec) return [];
  const scale = spec.priceScale;
  return closedRows(result.list.map((row) => ({ start: row[0], row })), PAST_BAR_MS).map(({ time, row }) => ({
    venue: 'bybit',
    symbol: spec.symbol,
    asset: spec.asset,
    time,
    open: row[1] / scale,
    high: row[2] / scale,
    low: row[3] / scale,
    close: row[4] / scale,
  }));
}

/**
 * Open interest for the level model, one side as the ticker poll reads it: `singleOpenInterest`, else half the
 * both-sides `openInterest`. Linear in the symbol's base units (× priceScale: coins), inverse in USD.
 */
function pastOpenInterest(body: unknown, instruments: readonly InstrumentSpec[]): PastBarPart[] {
  const { result } = parseWith('bybit', 'open interest', openInterestResponse, body);
  const spec = mainPerpNamed(result.symbol, instruments);
  if (!spec) return [];
  const inverse = spec.contract.type === 'inverse';
  return result.list.map((row) => {
    const single = row.singleOpenInterest ?? row.openInterest / 2;
    const base = { venue: 'bybit' as const, symbol: spec.symbol, asset: spec.asset, time: row.timestamp };
    return inverse ? { ...base, openInterestUsd: single } : { ...base, openInterestBase: single * spec.priceScale };
  });
}

/**
 * Docs "Get Kline": closePrice "is the last traded price when the candle is not closed", so the newest candle is
 * left out (closedCandles); each closed candle's close becomes `lastPrice` (a trade price, not the mark) at its end.
 */
function klineHistory(body: unknown, instruments: readonly InstrumentSpec[]): MarketUpdate[] {
  const { result } = parseWith('bybit', 'kline', klineResponse, body);
  // Only the asset's main perpetual stands for it (as in the ticker poll); a symbol the catalogue lacks is skipped.
  const spec = mainPerpNamed(result.symbol, instruments);
  if (!spec) return [];
  const bars = closedCandles(result.list.map((row) => ({ start: row[0], close: row[4] })), KLINE_MS);
  // Prices are per quoted unit (per 1000 PEPE for 1000PEPEUSDT), inverse ones in USD per coin: ÷ priceScale gives per coin.
  return bars.map((bar) => ({ venue: 'bybit', symbol: spec.symbol, asset: spec.asset, kind: 'perp', time: bar.time, lastPrice: bar.close / spec.priceScale }));
}

/**
 * Settled funding over the interval each was paid for (fundingInstants), normalised to 8 h as live funding is (mergeMarket with the ticker's
 * fundingIntervalHour): the interval is the spacing of the settlements (settlementsWithInterval), which is the
 * symbol's fundingInterval (docs "Get Funding Rate History": "each symbol has a different funding interval").
 */
function fundingHistory(body: unknown, instruments: readonly InstrumentSpec[]): MarketUpdate[] {
  const { result } = parseWith('bybit', 'funding history', fundingHistoryResponse, body);
  const perps = mainPerpetuals(instruments, usdtFirst);
  const bySymbol = new Map<string, Array<{ time: number; rate: number }>>();
  for (const row of result.list) bySymbol.set(row.symbol, [...(bySymbol.get(row.symbol) ?? []), { time: row.fundingRateTimestamp, rate: row.fundingRate }]);
  const history: MarketUpdate[] = [];
  for (const [symbol, settlements] of bySymbol) {
    const spec = findInstrument(instruments, symbol);
    // Only the asset's main perpetual stands for it (as in the ticker poll).
    if (!spec || perps.get(spec.asset) !== spec) continue;
    for (const settlement of settlementsWithInterval(settlements)) {
      const { rate, intervalHours } = settlement;
      for (const time of fundingInstants(settlement)) {
        const base = { venue: 'bybit' as const, symbol, asset: spec.asset, kind: 'perp' as const, time };
        history.push({ ...base, fundingRate: rate, fundingIntervalHours: intervalHours, fundingRate8h: toFunding8h(rate, intervalHours) });
      }
    }
  }
  return history;
}

/**
 * Docs "Get Risk Limit" (GET /v5/market/risk-limit): per tier `riskLimitValue` ("Position limit": the tier's
 * largest position value, in the settle coin: USDT/USDC for linear, the coin for inverse), `maintenanceMargin`
 * and `initialMargin` (rates), `maxLeverage`, `mmDeduction` ("The maintenance margin deduction value when risk
 * limit tier changed", "" where none).
 */
const riskLimitRow = z.object({
  symbol: z.string().min(1),
  riskLimitValue: positive,
  maintenanceMargin: nonNegative,
  initialMargin: positive,
  maxLeverage: positive,
  mmDeduction: optionalNonNegative,
});
const riskLimitResponse = z.object({
  result: z.object({ category: z.enum(['linear', 'inverse']), list: z.array(riskLimitRow), nextPageCursor: z.string().optional() }),
});

/**
 * Docs "Get Risk Limit": `category` linear or inverse, `symbol` one symbol (without it, linear answers 15 symbols a
 * page). One request per tracked asset's main perpetual, once a day: a few requests against 600 per 5 s.
 */
function marginTierRequests(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[] {
  const perps = mainPerpetuals(instruments, usdtFirst);
  return tracked.flatMap((asset) => {
    const spec = perps.get(asset);
    if (!spec) return [];
    const category = spec.contract.type === 'inverse' ? 'inverse' : 'linear';
    return [{ key: `riskLimit:${spec.symbol}`, url: `${BYBIT_API}/v5/market/risk-limit?category=${category}&symbol=${spec.symbol}` }];
  });
}

/**
 * The rates as fractions. Live answers give fractions ("0.005" with maxLeverage "100": initial margin × max
 * leverage = 1); the docs' own example gives percent ("0.5" and "1" with maxLeverage "100.00": the product is 100).
 * The product tells them apart; a row where it is neither cannot be read.
 */
function riskRates(row: z.output<typeof riskLimitRow>): { maintenance: number; initial: number } {
  const product = row.initialMargin * row.maxLeverage;
  if (Math.abs(product - 1) <= 0.05) return { maintenance: row.maintenanceMargin, initial: row.initialMargin };
  if (Math.abs(product - 100) <= 5) return { maintenance: row.maintenanceMargin / 100, initial: row.initialMargin / 100 };
  throw new VenueDataError('bybit', `risk limit of ${row.symbol}: initialMargin ${row.initialMargin} does not match maxLeverage ${row.maxLeverage}`);
}

/** One risk-limit answer → a table per catalogued symbol it lists (tiers by riskLimitValue, lowest first). */
function parseMarginTiers(key: string, body: unknown, instruments: readonly InstrumentSpec[]): MarginTable[] {
  if (!key.startsWith('riskLimit:')) throw new VenueDataError('bybit', `unknown margin tier key ${key}`);
  checkRetCode('risk-limit', body);
  const { result } = parseWith('bybit', 'risk-limit', riskLimitResponse, body);
  const bySymbol = new Map<string, MarginTier[]>();
  for (const row of result.list) {
    const spec = findInstrument(instruments, row.symbol);
    if (!spec || spec.kind === 'spot') continue;
    // Inverse limits and deductions are in coin (of the quoted unit): × priceScale gives canonical coins.
    const scale = spec.contract.type === 'inverse' ? spec.priceScale : 1;
    const { maintenance } = riskRates(row);
    const tier: MarginTier = { maxNotional: row.riskLimitValue * scale, maintenanceMarginRate: maintenance, maxLeverage: row.maxLeverage, maintenanceAmount: (row.mmDeduction ?? 0) * scale };
    bySymbol.set(row.symbol, [...(bySymbol.get(row.symbol) ?? []), tier]);
  }
  return [...bySymbol].flatMap(([symbol, tiers]) => {
    const spec = findInstrument(instruments, symbol)!;
    const table = marginTable('bybit', symbol, spec.asset, spec.contract.type === 'inverse' ? 'base' : 'usd', tiers);
    if (!table) throw new VenueDataError('bybit', `risk limit of ${symbol}: tiers are not a margin table`);
    return [table];
  });
}

/** Bybit answers business errors with HTTP 200 and a non-zero retCode (e.g. 10001 "Not supported symbols"). */
function checkRetCode(what: string, body: unknown): void {
  const status = parseWith('bybit', `${what} response`, retStatus, body);
  if (status.retCode !== 0) throw new VenueDataError('bybit', `${what} failed: retCode ${status.retCode} ${status.retMsg ?? ''}`.trim());
}

function parsePoll(key: string, body: unknown, instruments: readonly InstrumentSpec[]): StreamOutput {
  const kind = key.split(':')[0];
  if (kind === 'pastKline' || kind === 'pastOpenInterest') {
    checkRetCode(kind, body);
    return { ...emptyOutput(), pastBars: kind === 'pastKline' ? pastKlineBars(body, instruments) : pastOpenInterest(body, instruments) };
  }
  if (kind === 'kline' || kind === 'fundingHistory') {
    checkRetCode(kind, body);
    return { ...emptyOutput(), history: kind === 'kline' ? klineHistory(body, instruments) : fundingHistory(body, instruments) };
  }
  if (kind !== 'tickers' && kind !== 'spotTickers') throw new VenueDataError('bybit', `unknown poll key ${key}`);
  checkRetCode(kind, body);
  const markets: MarketUpdate[] = [];
  const perps = mainPerpetuals(instruments, usdtFirst);
  if (kind === 'tickers') {
    const { result, time } = parseWith('bybit', 'tickers', derivTickers, body);
    for (const row of result.list) {
      const spec = findInstrument(instruments, row.symbol);
      // Dated futures never feed perpetual funding, OI or basis; unlisted symbols are not ours to value;
      // of BTCUSDT, BTCUSD and BTCPERP the USDT contract is BTC's figure.
      if (spec === undefined || perps.get(spec.asset) !== spec) continue;
      markets.push({ venue: 'bybit', asset: spec.asset, symbol: spec.symbol, kind: 'perp', time, ...tickerFigures(spec, row) });
    }
  } else {
    const { result, time } = parseWith('bybit', 'spot tickers', spotTickers, body);
    for (const row of result.list) {
      // Spot pairs quoted in USDT (turnover24h is in the quote coin, taken as USD): BTCUSDT, PEPEUSDT.
      if (!row.symbol.endsWith('USDT')) continue;
      const perp = perps.get(normaliseAsset(row.symbol.slice(0, -4)));
      if (perp) markets.push({ venue: 'bybit', asset: perp.asset, symbol: perp.symbol, kind: 'spot', time, spotVolume24hUsd: row.turnover24h });
    }
  }
  return { ...emptyOutput(), markets };
}

/** Each asset's figures come from its USDT perpetual where listed (Bybit's most traded), else the first listed. */
function usdtFirst(spec: InstrumentSpec): number {
  return spec.symbol.endsWith('USDT') ? 0 : 1;
}

/**
 * Docs "Get Tickers". Linear: singleOpenInterestValue and turnover24h are in the quote coin (USDT/USDC ≈ USD).
 * Inverse: singleOpenInterest and volume24h are counts of 1-USD contracts (the *Value/turnover fields are in coin).
 * Without the single-side fields no OI is reported (the both-sides figure is twice what Bybit's page shows).
 */
function tickerFigures(spec: InstrumentSpec, row: z.output<typeof derivTickerRow>): Partial<MarketUpdate> {
  const inverse = spec.contract.type === 'inverse';
  const scale = spec.priceScale;
  const openInterestUsd = inverse ? row.singleOpenInterest : row.singleOpenInterestValue;
  return {
    lastPrice: row.lastPrice / scale,
    markPrice: row.markPrice / scale,
    ...(row.indexPrice ? { indexPrice: row.indexPrice / scale } : {}),
    ...(row.fundingRate !== undefined ? { fundingRate: row.fundingRate } : {}),
    // Docs "Get Tickers": fundingIntervalHour, whole hours (instruments-info has the same in minutes).
    ...(row.fundingIntervalHour ? { fundingIntervalHours: row.fundingIntervalHour } : {}),
    ...(row.nextFundingTime ? { nextFundingTime: row.nextFundingTime } : {}),
    ...(openInterestUsd !== undefined ? { openInterestUsd } : {}),
    perpVolume24hUsd: inverse ? row.volume24h : row.turnover24h,
  };
}

/**
 * Docs "Rate Limit Rules" and "Error Codes": what Bybit's refusals mean.
 * - HTTP 403 "access too frequent": the IP limit (600 requests / 5 s) was breached; "wait for at least 10 minutes".
 * - HTTP 403 from CloudFront (an HTML page): error codes table, 403 "You are using U.S IP" — a region block.
 * - retCode 10006 "Too many visits": the per-second API rate limit; 10018 (deprecated) "Exceeded the IP Rate Limit".
 * - retCode 10009 "Access is currently unavailable for your region"; 10024 "Compliance rules triggered".
 */
function classifyFailure(status: number, body: string, headers: Headers): HttpFailure | null {
  if (status === 403) {
    if (/access too frequent/i.test(body)) {
      return { kind: 'rateLimited', reason: 'rate limited: Bybit IP ban, access too frequent (HTTP 403); lifts after 10 min', pauseMs: IP_BAN_PAUSE_MS };
    }
    if (/cloudfront|request could not be satisfied/i.test(body)) {
      return { kind: 'blocked', reason: 'blocked in your region (HTTP 403 from Bybit\'s CDN); other venues carry on', pauseMs: null };
    }
    return null;
  }
  const retCode = /"retCode"\s*:\s*(\d+)/.exec(body)?.[1];
  switch (retCode) {
    case '10006': {
      // Docs "API Rate Limit": X-Bapi-Limit-Reset-Timestamp says when the window resets.
      const reset = Number(headers.get('x-bapi-limit-reset-timestamp'));
      const pauseMs = Number.isFinite(reset) && reset > Date.now() ? Math.min(reset - Date.now(), IP_BAN_PAUSE_MS) : API_LIMIT_PAUSE_MS;
      return { kind: 'rateLimited', reason: 'rate limited: too many visits (retCode 10006)', pauseMs };
    }
    case '10018':
      return { kind: 'rateLimited', reason: 'rate limited: IP rate limit exceeded (retCode 10018)', pauseMs: IP_BAN_PAUSE_MS };
    case '10009':
      return { kind: 'blocked', reason: 'blocked in your region (retCode 10009); other venues carry on', pauseMs: null };
    case '10024':
      return { kind: 'blocked', reason: 'refused by Bybit compliance rules (retCode 10024); other venues carry on', pauseMs: null };
  }
  return null;
}

export const bybit: VenueAdapter = {
  id: 'bybit',
  label: 'Bybit',
  // Docs "All Liquidation": "push all liquidations that occur on Bybit", batched every 500 ms.
  completeness: 'complete',
  instrumentRequests,
  parseInstruments,
  nextInstrumentRequest,
  parseLiquidations,
  openStreams,
  // Every listed perpetual and dated future is subscribed (see openStreams).
  coverage: everyListedInstrument,
  pollRequests,
  backfillRequests,
  levelHistoryRequests,
  parsePoll,
  classifyFailure,
  marginTierRequests,
  parseMarginTiers,
  rateBudget: {
    // Per 30 s poll: linear tickers + inverse tickers + spot tickers, all symbols each = 3, ×2 per minute, whatever is tracked.
    // One-off per tracked asset on install (backfillRequests): kline + funding history, 2 requests; the level model's
    // 7 days (levelHistoryRequests): kline + open interest, 2 more.
    requestsPerMinute: 6,
    limitPerMinute: 7200,
    limitSource: 'Bybit v5 "Rate Limit": IP limit, no more than 600 requests in any 5-second window (GET/POST shared)',
  },
};
