/**
 * Binance USD-M futures (fapi), Binance COIN-M futures (dapi, liquidations only) plus Binance spot for 24 h volume.
 * Docs: https://developers.binance.com/docs/derivatives/usds-margined-futures
 * and https://developers.binance.com/docs/derivatives/coin-margined-futures
 */
import { z } from '../core/zod';
import { marginTable, type MarginTable, type MarginTier } from '../core/margin';
import { VenueDataError, canonicalBase, toFunding8h, type InstrumentSpec, type Liquidation, type MarketUpdate } from '../core/model';
import { closedCandles, closedRows, fundingInstants, settlementsWithInterval } from './history';
import { derivatives, everyListedInstrument, findInstrument, instrumentsOf, liquidationOf, valueFill } from './instruments';
import { decimal, emptyOutput, epochMs, isObject, liquidationOutput, nonNegative, parseJsonFrame, parseWith, positive, retryAfterMs, type Headers } from './parse';
import type { PastBarPart } from '../core/levels';
import type { HttpFailure, RestRequest, StreamOutput, StreamSession, VenueAdapter } from './types';

/**
 * Binance routes fstream.binance.com by path: @forceOrder belongs to the /market tier.
 * The legacy unrouted /ws path stopped delivering /market streams (2026-04), silently.
 * Docs: "USD-M Futures routes streams by path" (developers.binance.com, market data streams).
 */
export const BINANCE_LIQUIDATION_STREAM_URL = 'wss://fstream.binance.com/market/ws/!forceOrder@arr';
/**
 * COIN-M streams live on dstream.binance.com (COIN-M docs, Websocket Market Streams: base URL wss://dstream.binance.com).
 * dstream was split by path along with fstream in 2026: its legacy /ws path still opens and acks but no longer
 * forwards /market events such as forceOrder (Tucsky/aggr#444, 2026-05-03), so the /market tier is used here too.
 */
export const BINANCE_COINM_LIQUIDATION_STREAM_URL = 'wss://dstream.binance.com/market/ws/!forceOrder@arr';
export const BINANCE_FAPI = 'https://fapi.binance.com';
/** COIN-M REST base (COIN-M docs, General Info: "The base endpoint is: https://dapi.binance.com"). */
export const BINANCE_DAPI = 'https://dapi.binance.com';
export const BINANCE_SPOT_API = 'https://api.binance.com';

/** Binance disconnects every connection at 24 h; reconnect a little before (docs: "valid for 24 hours"). */
const MAX_CONNECTION_MS = 23.5 * 60 * 60 * 1000;

/**
 * Binance answers JSON requests on the stream socket. LIST_SUBSCRIPTIONS is harmless and its
 * reply counts as socket activity, which keeps the service worker alive (Chrome 116+).
 * The server's own ping frames are answered by the browser automatically.
 */
const HEARTBEAT = { intervalMs: 20_000, message: JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 1 }) };

/**
 * Spot 24 h ticker: `symbols` with 1–20 entries weighs 2, 21–100 weighs 40, none weighs 80
 * (spot docs, "24hr ticker price change statistics"); batches of 20 keep every call at weight 2.
 */
const SPOT_TICKER_BATCH = 20;

/** The quote of the perpetual whose figures stand for an asset (funding, OI, basis, volume): USDT-margined. */
const MAIN_QUOTE = 'USDT';

/**
 * Exchange Information `contractType`: PERPETUAL, CURRENT_MONTH, NEXT_MONTH, CURRENT_QUARTER, NEXT_QUARTER,
 * PERPETUAL_DELIVERING (docs enum); TRADIFI_PERPETUAL (stock and metal perpetuals) appears in live
 * exchangeInfo captures, not yet in the docs. PERPETUAL_DELIVERING is being delisted: skipped.
 */
const KIND_OF_CONTRACT: Record<string, InstrumentSpec['kind']> = {
  PERPETUAL: 'perp',
  TRADIFI_PERPETUAL: 'perp',
  CURRENT_MONTH: 'dated',
  NEXT_MONTH: 'dated',
  CURRENT_QUARTER: 'dated',
  NEXT_QUARTER: 'dated',
};

const futuresSymbol = z.object({
  symbol: z.string().min(1),
  contractType: z.string(),
  // Exchange Information: PENDING_TRADING, TRADING, PRE_DELIVERING, DELIVERING, DELIVERED, PRE_SETTLE, SETTLING, CLOSE.
  status: z.string(),
  baseAsset: z.string().min(1),
  quoteAsset: z.string().min(1),
});
const futuresExchangeInfo = z.object({ symbols: z.array(futuresSymbol) });

/**
 * COIN-M Exchange Information `contractType` (COIN-M docs, Public Endpoints Info, ENUM definitions): PERPETUAL,
 * CURRENT_QUARTER, NEXT_QUARTER; the *_DELIVERING types are "only used for DELIVERING status" and are skipped.
 */
const KIND_OF_COINM_CONTRACT: Record<string, InstrumentSpec['kind']> = {
  PERPETUAL: 'perp',
  CURRENT_QUARTER: 'dated',
  NEXT_QUARTER: 'dated',
};

const coinmSymbol = z.object({
  symbol: z.string().min(1),
  contractType: z.string(),
  // COIN-M Exchange Information: the status is `contractStatus` (PENDING_TRADING, TRADING, PRE_DELIVERING, DELIVERING, DELIVERED).
  contractStatus: z.string(),
  // COIN-M contracts are inverse: one contract is `contractSize` USD of face value (docs example: BTCUSD_200925, 100).
  // A whole number of USD in practice (10 for most, 100 for BTC); below a cent it is corruption, not a contract.
  contractSize: z.number().min(0.01),
  baseAsset: z.string().min(1),
  marginAsset: z.string().min(1),
});
const coinmExchangeInfo = z.object({ symbols: z.array(coinmSymbol) });

const spotSymbol = z.object({ symbol: z.string().min(1), status: z.string(), baseAsset: z.string().min(1), quoteAsset: z.string().min(1) });
const spotExchangeInfo = z.object({ symbols: z.array(spotSymbol) });

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

/**
 * Kline/Candlestick Data: each bar an array [open time, open, high, low, close, volume, close time, quote volume,
 * trades, taker buy base volume, taker buy quote volume, ignore]. Only the open time (the bar's id: "klines are uniquely
 * identified by their open time") and the close, per quoted unit, are read; the twelve places must all be there.
 */
const klineRow = z
  .tuple([epochMs, z.unknown(), z.unknown(), z.unknown(), positive])
  .rest(z.unknown())
  .refine((row) => row.length >= 12, 'a kline has 12 places');

/**
 * Kline/Candlestick Data for the level model's past bars: open, high, low, close, volume and taker buy base asset
 * volume (places 1–5 and 9, the last two in base units of the symbol) are read.
 */
const klineBarRow = z
  .tuple([epochMs, positive, positive, positive, positive, nonNegative, z.unknown(), z.unknown(), z.unknown(), nonNegative])
  .rest(z.unknown())
  .refine((row) => row.length >= 12, 'a kline has 12 places');

/** Get Funding Rate History: one settled rate per row, ascending; `markPrice` (absent in older rows) is not read. */
const fundingRateRow = z.object({ symbol: z.string().min(1), fundingRate: decimal, fundingTime: epochMs });

/** 5-minute price bars on install: 289 rows are the open bar and 288 closed ones, 24 h (Kline/Candlestick Data: limit max 1500). */
const KLINE_INTERVAL = '5m';
const KLINE_MS = 5 * 60_000;
const KLINE_LIMIT = 289;
/**
 * The level model's days 2–7 (issue 17): 1 h bars, 168 of them, 7 days. Kline/Candlestick Data: 169 rows are the
 * open bar and 168 closed ones (limit max 1500; [100, 500) weighs 2). Open Interest Statistics: period 1h, limit
 * 168 (max 500; "only the data of the latest 1 month is available").
 */
const PAST_BAR_INTERVAL = '1h';
const PAST_BAR_MS = 3_600_000;
const PAST_BARS = 168;
/** Settled funding on install: 25 rows span 24 h at the shortest (1 h) interval plus the settlement before, 8 days at 8 h. */
const FUNDING_HISTORY_LIMIT = 25;

function parseInstruments(key: string, body: unknown): InstrumentSpec[] {
  if (key === 'exchangeInfo') {
    const specs: InstrumentSpec[] = [];
    for (const row of parseWith('binance', 'exchangeInfo', futuresExchangeInfo, body).symbols) {
      const kind = KIND_OF_CONTRACT[row.contractType];
      // Only TRADING symbols trade; the others are not listed yet, settling or delisted.
      if (kind === undefined || row.status !== 'TRADING') continue;
      // '1000PEPE' is 1000 PEPE: prices per PEPE are the quoted price ÷ 1000.
      const base = canonicalBase(row.baseAsset);
      if (base === null) continue;
      const { asset, priceScale } = base;
      // USD-M contracts are linear: a quantity of 1 is 1 unit of the base asset ("1000PEPE"), margined in the quote.
      specs.push({ venue: 'binance', symbol: row.symbol, asset, kind, priceScale, contract: { type: 'linear', size: 1 } });
    }
    return specs;
  }
  if (key === 'coinmExchangeInfo') {
    const specs: InstrumentSpec[] = [];
    for (const row of parseWith('binance', 'COIN-M exchangeInfo', coinmExchangeInfo, body).symbols) {
      const kind = KIND_OF_COINM_CONTRACT[row.contractType];
      // Only TRADING contracts trade; the others are not listed yet or are being delivered.
      if (kind === undefined || row.contractStatus !== 'TRADING') continue;
      const base = canonicalBase(row.baseAsset);
      if (base === null) continue;
      const { asset, priceScale } = base;
      // Inverse (COIN-M docs, Exchange Information `contractSize`): a quantity of n contracts is n × contractSize USD, margined in the coin.
      specs.push({ venue: 'binance', symbol: row.symbol, asset, kind, priceScale, contract: { type: 'inverse', usd: row.contractSize } });
    }
    return specs;
  }
  if (key === 'spotExchangeInfo') {
    const specs: InstrumentSpec[] = [];
    for (const row of parseWith('binance', 'spot exchangeInfo', spotExchangeInfo, body).symbols) {
      // The spot volume poll reads USDT pairs only (their quote volume is taken as USD).
      const base = canonicalBase(row.baseAsset);
      if (row.status !== 'TRADING' || row.quoteAsset !== MAIN_QUOTE || base === null) continue;
      const { asset, priceScale } = base;
      specs.push({ venue: 'binance', symbol: row.symbol, asset, kind: 'spot', priceScale, contract: { type: 'linear', size: 1 } });
    }
    return specs;
  }
  throw new VenueDataError('binance', `unknown instrument list ${key}`);
}

function instrumentRequests(): RestRequest[] {
  return [
    // Exchange Information (weight 1): every USD-M symbol with contractType, status and baseAsset.
    { key: 'exchangeInfo', url: `${BINANCE_FAPI}/fapi/v1/exchangeInfo` },
    // COIN-M Exchange Information (weight 1): every COIN-M symbol with contractType, contractStatus, contractSize and baseAsset.
    { key: 'coinmExchangeInfo', url: `${BINANCE_DAPI}/dapi/v1/exchangeInfo` },
    // Spot Exchange information (weight 20); symbolStatus and permissions may be combined, showPermissionSets=false trims the body.
    { key: 'spotExchangeInfo', url: `${BINANCE_SPOT_API}/api/v3/exchangeInfo?permissions=SPOT&symbolStatus=TRADING&showPermissionSets=false` },
  ];
}

/**
 * The perpetual whose funding, OI and volume stand for its asset: the USDT-margined one (linear). COIN-M perpetuals
 * (BTCUSD_PERP, inverse) only add liquidations; their figures are never read.
 */
function isMainPerp(spec: InstrumentSpec | undefined): spec is InstrumentSpec {
  return spec !== undefined && spec.kind === 'perp' && spec.contract.type === 'linear' && spec.symbol.endsWith(MAIN_QUOTE);
}

function mainPerps(instruments: readonly InstrumentSpec[], tracked: readonly string[]): InstrumentSpec[] {
  return instrumentsOf(instruments, tracked).filter(isMainPerp);
}

/** One forceOrder event (or a request reply): its liquidation, or the symbol the catalogue lacks. */
function readMessage(message: unknown, instruments: readonly InstrumentSpec[]): { liquidations: Liquidation[]; unknown: string | null } {
  // Combined streams wrap every event as { stream, data }.
  const payload = isObject(message) && 'stream' in message && 'data' in message ? message.data : message;
  if (isObject(payload) && 'id' in payload && !('e' in payload)) {
    parseWith('binance', 'request reply', requestReply, payload);
    return { liquidations: [], unknown: null };
  }
  const { o: order } = parseWith('binance', 'forceOrder event', forceOrderEvent, payload);
  const spec = findInstrument(instruments, order.s);
  // A symbol newer than the catalogue: its units are unknown, so it is not guessed.
  if (spec === undefined || spec.kind === 'spot') return { liquidations: [], unknown: order.s };
  // Liquidation Order Streams: `z` is the order's accumulated filled quantity, `ap` its average price.
  // USD-M: `z` in base units (e.g. of 1000PEPE), `ap` per base unit. COIN-M: `z` in contracts (docs example
  // BTCUSD_200925 "z":"1"; LOT_SIZE stepSize 1; OI statistics "unit: cont"), `ap` in USD per coin; the inverse
  // spec values it as contracts × contractSize USD.
  const fill = valueFill(spec, order.z, order.ap);
  // The liquidation order closes the position: a SELL order means a long was liquidated (docs: Liquidation Order Streams).
  return { liquidations: [liquidationOf(spec, order.S === 'SELL' ? 'long' : 'short', fill, order.T)], unknown: null };
}

function parseLiquidations(message: unknown, instruments: readonly InstrumentSpec[]): Liquidation[] {
  return readMessage(message, instruments).liquidations;
}

/** One all-market `!forceOrder@arr` session: the URL itself subscribes, nothing to send. */
function liquidationSession(url: string, instruments: readonly InstrumentSpec[]): StreamSession {
  return {
    url,
    onOpen: () => [],
    onMessage(text: string): StreamOutput {
      const { liquidations, unknown } = readMessage(parseJsonFrame('binance', text), instruments);
      return liquidationOutput(liquidations, unknown === null ? [] : [unknown]);
    },
    // COIN-M Websocket Market Streams: LIST_SUBSCRIPTIONS is answered there too.
    heartbeat: HEARTBEAT,
    // COIN-M docs: "A single connection is only valid for 24 hours", as on USD-M.
    maxConnectionMs: MAX_CONNECTION_MS,
  };
}

/** USD-M and COIN-M each have their own all-market liquidation stream, on their own host. */
function openStreams(_tracked: readonly string[], instruments: readonly InstrumentSpec[]): StreamSession[] {
  return [liquidationSession(BINANCE_LIQUIDATION_STREAM_URL, instruments), liquidationSession(BINANCE_COINM_LIQUIDATION_STREAM_URL, instruments)];
}

function pollRequests(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[] {
  const perps = mainPerps(instruments, tracked);
  const spotSymbols = instrumentsOf(instruments, tracked, 'spot').map((spec) => spec.symbol);
  const spotBatches: string[][] = [];
  for (let i = 0; i < spotSymbols.length; i += SPOT_TICKER_BATCH) spotBatches.push(spotSymbols.slice(i, i + SPOT_TICKER_BATCH));
  return [
    // Mark Price: weight 10 without a symbol, every symbol's mark, index and funding in one call.
    { key: 'premiumIndex', url: `${BINANCE_FAPI}/fapi/v1/premiumIndex` },
    // 24hr Ticker: weight 40 without a symbol, every symbol in one array.
    { key: 'ticker24h', url: `${BINANCE_FAPI}/fapi/v1/ticker/24hr` },
    // Get Funding Rate Info: weight 0 (own 500/5 min/IP limit); lists only symbols whose interval was adjusted from 8 h.
    { key: 'fundingInfo', url: `${BINANCE_FAPI}/fapi/v1/fundingInfo` },
    // Open Interest (developers.binance.com …/market-data/rest-api/Open-Interest): weight 1, symbol mandatory, no
    // all-symbol form; so the one request per tracked perpetual, which the poller's MAX_POLL_REQUESTS takes in turns.
    ...perps.map((spec) => ({ key: `openInterest:${spec.symbol}`, url: `${BINANCE_FAPI}/fapi/v1/openInterest?symbol=${spec.symbol}` })),
    ...spotBatches.map((batch, i) => ({
      key: i === 0 ? 'spotTicker24h' : `spotTicker24h:${i}`,
      url: `${BINANCE_SPOT_API}/api/v3/ticker/24hr?symbols=${encodeURIComponent(JSON.stringify(batch))}`,
    })),
  ];
}

/**
 * Once on install (and for a newly tracked asset), per main perpetual: the last day of open interest (USD) and of
 * 5-minute price bars, and the last settled funding rates, so price, OI and funding changes read from the start.
 */
function backfillRequests(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[] {
  return mainPerps(instruments, tracked).flatMap((spec) => [
    // Open Interest Statistics: weight 0, its own limit of 1000 requests / 5 min / IP; period 5m, limit max 500 (latest month).
    { key: `openInterestHist:${spec.symbol}`, url: `${BINANCE_FAPI}/futures/data/openInterestHist?symbol=${spec.symbol}&period=5m&limit=288` },
    // Kline/Candlestick Data: weight by limit, [1,100) 1, [100,500) 2, [500,1000] 5, > 1000 10; 289 weighs 2.
    { key: `klines:${spec.symbol}`, url: `${BINANCE_FAPI}/fapi/v1/klines?symbol=${spec.symbol}&interval=${KLINE_INTERVAL}&limit=${KLINE_LIMIT}` },
    // Get Funding Rate History: no request weight, shares 500 requests / 5 min / IP with GET /fapi/v1/fundingInfo; limit max 1000.
    { key: `fundingRate:${spec.symbol}`, url: `${BINANCE_FAPI}/fapi/v1/fundingRate?symbol=${spec.symbol}&limit=${FUNDING_HISTORY_LIMIT}` },
  ]);
}

/**
 * The level model's deep backfill per tracked main perpetual: 7 days of 1 h price bars (with the taker-buy volume
 * the model splits new positions by) and of open interest, 2 requests.
 */
function levelHistoryRequests(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[] {
  return mainPerps(instruments, tracked).flatMap((spec) => [
    // Kline/Candlestick Data: weight by limit, [1,100) 1, [100,500) 2, [500,1000] 5, > 1000 10; 169 weighs 2.
    { key: `pastKlines:${spec.symbol}`, url: `${BINANCE_FAPI}/fapi/v1/klines?symbol=${spec.symbol}&interval=${PAST_BAR_INTERVAL}&limit=${PAST_BARS + 1}` },
    // Open Interest Statistics: weight 0, its own limit of 1000 requests / 5 min / IP; period 1h, limit max 500, latest month.
    { key: `pastOpenInterest:${spec.symbol}`, url: `${BINANCE_FAPI}/futures/data/openInterestHist?symbol=${spec.symbol}&period=${PAST_BAR_INTERVAL}&limit=${PAST_BARS}` },
  ]);
}

/**
 * 1 h bars of one symbol for the level model, each at its end (the instant Open Interest Statistics stamps the OI
 * of: the engine joins the two there); the open bar is left out (closedRows). Prices per coin (÷ priceScale); the
 * taker-buy share is taker buy base asset volume ÷ volume, both in the symbol's base units.
 */
function pastKlineBars(symbol: string, body: unknown, spec: InstrumentSpec | undefined): PastBarPart[] {
  const rows = parseWith('binance', 'klines', z.array(klineBarRow), body);
  if (!spec) return [];
  const scale = spec.priceScale;
  return closedRows(rows.map((row) => ({ start: row[0], row })), PAST_BAR_MS).map(({ time, row }) => ({
    venue: 'binance',
    symbol,
    asset: spec.asset,
    time,
    open: row[1] / scale,
    high: row[2] / scale,
    low: row[3] / scale,
    close: row[4] / scale,
    ...(row[5] > 0 ? { takerBuyShare: row[9] / row[5] } : {}),
  }));
}

/**
 * 5-minute bars of one symbol as history points: the close of each closed bar as `lastPrice` (klines are trade
 * prices, not the mark; MarketHistory reads the mark, else the last price) at the bar's end (see closedCandles).
 */
function klineHistory(symbol: string, body: unknown, spec: InstrumentSpec | undefined): MarketUpdate[] {
  const rows = parseWith('binance', 'klines', z.array(klineRow), body);
  if (!spec) return [];
  const bars = closedCandles(rows.map((row) => ({ start: row[0], close: row[4] })), KLINE_MS);
  // Prices are per quoted unit (per 1000 PEPE for 1000PEPEUSDT): ÷ priceScale gives the price per coin.
  return bars.map((bar) => ({ venue: 'binance', symbol, asset: spec.asset, kind: spec.kind, time: bar.time, lastPrice: bar.close / spec.priceScale }));
}

/**
 * Settled funding rates as history points over the intervals they were paid for (fundingInstants), normalised to 8 h as live funding is
 * (mergeMarket: rate × 8 ÷ interval hours). The interval is the spacing of the settlements, which is what
 * fundingInfo reports for the symbol live (and 8 h where it reports nothing): see settlementsWithInterval.
 */
function fundingHistory(body: unknown, perpOf: (symbol: string) => InstrumentSpec | undefined): MarketUpdate[] {
  const rows = parseWith('binance', 'fundingRate', z.array(fundingRateRow), body);
  const bySymbol = new Map<string, Array<{ time: number; rate: number }>>();
  for (const row of rows) bySymbol.set(row.symbol, [...(bySymbol.get(row.symbol) ?? []), { time: row.fundingTime, rate: row.fundingRate }]);
  const history: MarketUpdate[] = [];
  for (const [symbol, settlements] of bySymbol) {
    const spec = perpOf(symbol);
    if (!spec) continue;
    for (const settlement of settlementsWithInterval(settlements)) {
      const { rate, intervalHours } = settlement;
      for (const time of fundingInstants(settlement)) {
        const base = { venue: 'binance' as const, symbol, asset: spec.asset, kind: spec.kind, time };
        history.push({ ...base, fundingRate: rate, fundingIntervalHours: intervalHours, fundingRate8h: toFunding8h(rate, intervalHours) });
      }
    }
  }
  return history;
}

function parsePoll(key: string, body: unknown, instruments: readonly InstrumentSpec[]): StreamOutput {
  const markets: MarketUpdate[] = [];
  const base = (spec: InstrumentSpec, time: number) => ({ venue: 'binance' as const, symbol: spec.symbol, asset: spec.asset, kind: spec.kind, time });
  /** The asset's main perpetual, or undefined for dated futures, USDC perpetuals and symbols the catalogue lacks. */
  const perpOf = (symbol: string) => {
    const spec = findInstrument(instruments, symbol);
    return isMainPerp(spec) ? spec : undefined;
  };
  if (key.startsWith('openInterestHist:')) {
    const history: MarketUpdate[] = [];
    for (const row of parseWith('binance', 'openInterestHist', z.array(openInterestHistRow), body)) {
      const spec = perpOf(row.symbol);
      // sumOpenInterestValue is in USD(T) (Open Interest Statistics).
      if (spec) history.push({ ...base(spec, row.timestamp), openInterestUsd: row.sumOpenInterestValue });
    }
    return { ...emptyOutput(), history };
  }
  if (key.startsWith('pastOpenInterest:')) {
    const pastBars: PastBarPart[] = [];
    for (const row of parseWith('binance', 'openInterestHist', z.array(openInterestHistRow), body)) {
      const spec = perpOf(row.symbol);
      // sumOpenInterestValue is in USD(T) (Open Interest Statistics), at `timestamp`: the end of the bar it closes.
      if (spec) pastBars.push({ venue: 'binance', symbol: spec.symbol, asset: spec.asset, time: row.timestamp, openInterestUsd: row.sumOpenInterestValue });
    }
    return { ...emptyOutput(), pastBars };
  }
  if (key.startsWith('pastKlines:')) {
    const symbol = key.slice('pastKlines:'.length);
    return { ...emptyOutput(), pastBars: pastKlineBars(symbol, body, perpOf(symbol)) };
  }
  if (key.startsWith('klines:')) {
    // The bars name no symbol: the key does (the request asked for that one symbol).
    const symbol = key.slice('klines:'.length);
    return { ...emptyOutput(), history: klineHistory(symbol, body, perpOf(symbol)) };
  }
  if (key.startsWith('fundingRate:')) return { ...emptyOutput(), history: fundingHistory(body, perpOf) };
  if (key === 'premiumIndex') {
    for (const row of parseWith('binance', 'premiumIndex', z.array(premiumIndexRow), body)) {
      const spec = perpOf(row.symbol);
      if (!spec) continue;
      markets.push({
        ...base(spec, row.time),
        markPrice: row.markPrice / spec.priceScale,
        // An index of 0 means none (e.g. a settling symbol), not a price.
        ...(row.indexPrice > 0 ? { indexPrice: row.indexPrice / spec.priceScale } : {}),
        ...(row.lastFundingRate === '' ? {} : { fundingRate: row.lastFundingRate }),
        ...(row.nextFundingTime > 0 ? { nextFundingTime: row.nextFundingTime } : {}),
      });
    }
  } else if (key === 'fundingInfo') {
    for (const row of parseWith('binance', 'fundingInfo', z.array(fundingInfoRow.passthrough()), body)) {
      const spec = perpOf(row.symbol);
      if (spec) markets.push({ ...base(spec, 0), fundingIntervalHours: row.fundingIntervalHours });
    }
  } else if (key.startsWith('openInterest:')) {
    const row = parseWith('binance', 'openInterest', openInterest, body);
    const spec = perpOf(row.symbol);
    // Open Interest is in base units (of '1000PEPE' for 1000PEPEUSDT): × priceScale gives canonical units; USD = × mark.
    if (spec) markets.push({ ...base(spec, row.time), openInterestBase: row.openInterest * spec.priceScale });
  } else if (key === 'ticker24h' || key.startsWith('ticker24h:')) {
    // Without a symbol the ticker is an array, with one a single object (24hr Ticker Price Change Statistics).
    const rows = parseWith('binance', '24h ticker', z.union([z.array(ticker24h), ticker24h.transform((row) => [row])]), body);
    for (const row of rows) {
      const spec = perpOf(row.symbol);
      // quoteVolume is in USDT, taken as USD.
      if (spec) markets.push({ ...base(spec, row.closeTime), lastPrice: row.lastPrice / spec.priceScale, perpVolume24hUsd: row.quoteVolume });
    }
  } else if (key.startsWith('spotTicker24h')) {
    const perpByAsset = new Map<string, InstrumentSpec>();
    for (const spec of instruments) if (isMainPerp(spec) && !perpByAsset.has(spec.asset)) perpByAsset.set(spec.asset, spec);
    for (const row of parseWith('binance', 'spot 24h ticker', z.array(ticker24h), body)) {
      const spot = findInstrument(instruments, row.symbol, 'spot');
      const perp = spot?.kind === 'spot' ? perpByAsset.get(spot.asset) : undefined;
      // Spot volume belongs to the asset's row, which the perpetual names.
      if (perp) markets.push({ ...base(perp, row.closeTime), kind: 'spot', spotVolume24hUsd: row.quoteVolume });
    }
  } else {
    throw new VenueDataError('binance', `unknown poll key ${key}`);
  }
  return { ...emptyOutput(), markets };
}

/**
 * Binance publishes its leverage brackets (GET /fapi/v1/leverageBracket, "Notional and Leverage Brackets (USER_DATA)")
 * only to signed requests, so the public tiers of BTCUSDT are kept here, as Binance documents them in the FAQ "How to
 * Calculate Liquidation Price of USDⓈ-M Futures Contracts" (https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93):
 * a BTCUSDT position of 264,000 USDT pays a 1 % maintenance margin rate, at 500,000 USDT the maintenance amount is
 * 1,300 USDT, and "Maintenance Amount on Level 3 = 250,000 * (1% - 0.5%) + 50 USDT = 1,300 USDT": brackets 1–3 below
 * (their max leverages 125/100/50 as every published leverageBracket example for BTCUSDT shows them). The brackets
 * above 1,000,000 USDT have been revised several times and are not in the FAQ: positions that large are read at
 * bracket 3's rate here (the model sizes its slices at retail size, bracket 1). A dated table, not a live one.
 * Columns: bracket notional cap (USDT), max leverage, maintenance margin rate, maintenance amount ("cum", USDT).
 */
export const BINANCE_BTCUSDT_BRACKETS: ReadonlyArray<readonly [number, number, number, number]> = [
  [50_000, 125, 0.004, 0],
  [250_000, 100, 0.005, 50],
  [1_000_000, 50, 0.01, 1_300],
];

/** The documented tables of the catalogue's symbols (BTCUSDT only): what `parseMarginTiers` gives elsewhere. */
export function binanceMarginTables(instruments: readonly InstrumentSpec[]): MarginTable[] {
  const spec = findInstrument(instruments, 'BTCUSDT');
  if (!spec || spec.kind !== 'perp') return [];
  const tiers: MarginTier[] = BINANCE_BTCUSDT_BRACKETS.map(([maxNotional, maxLeverage, maintenanceMarginRate, maintenanceAmount]) => ({ maxNotional, maxLeverage, maintenanceMarginRate, maintenanceAmount }));
  const table = marginTable('binance', spec.symbol, spec.asset, 'usd', tiers);
  return table ? [table] : [];
}

/**
 * fapi, dapi and spot answer limits alike: the COIN-M General Info lists the same 429 ("breaking a request rate
 * limit") and 418 ("auto-banned ... after receiving 429 codes", "from 2 minutes to 3 days") codes, so one rule
 * serves every Binance host. dapi has its own REQUEST_WEIGHT limit; this adapter asks dapi only for exchangeInfo (weight 1).
 */
function classifyFailure(status: number, _body: string, headers: Headers): HttpFailure | null {
  const now = Date.now();
  // General Info, LIMITS: "HTTP 429 return code is used when breaking a request rate limit" (Retry-After sent with it).
  if (status === 429) return { kind: 'rateLimited', reason: 'rate limited: request weight exceeded (HTTP 429)', pauseMs: retryAfterMs(headers, now, 60_000, 30 * 60_000) };
  // LIMITS: "HTTP 418 ... IP has been auto-banned for continuing to send requests after receiving 429 codes";
  // "the duration of the ban scales from 2 minutes to 3 days".
  if (status === 418) return { kind: 'rateLimited', reason: 'IP banned for sending after a rate limit (HTTP 418)', pauseMs: retryAfterMs(headers, now, 2 * 60_000, 3 * 24 * 3_600_000) };
  // General Info: "HTTP 403 return code is used when the WAF Limit (Web Application Firewall) has been violated";
  // Binance's region block is 451. Asking again at once would prolong it.
  if (status === 403) return { kind: 'rateLimited', reason: 'refused by Binance’s firewall (WAF limit, HTTP 403)', pauseMs: 5 * 60_000 };
  return null;
}

export const binance: VenueAdapter = {
  id: 'binance',
  label: 'Binance futures',
  // Docs (USD-M and COIN-M alike): "only the latest one liquidation order within 1000ms will be pushed as the snapshot" per symbol.
  completeness: 'sampled',
  completenessNote: 'Binance pushes at most one liquidation per symbol per second',
  instrumentRequests,
  parseInstruments,
  parseLiquidations,
  openStreams,
  // `!forceOrder@arr` on fstream and on dstream carries every symbol's liquidations ("All Market Liquidation Order Streams"),
  // so every listed USD-M and COIN-M derivative counts.
  coverage: everyListedInstrument,
  pollRequests,
  backfillRequests,
  levelHistoryRequests,
  parsePoll,
  classifyFailure,
  rateBudget: {
    // Per 30 s poll at 20 tracked assets or more (fapi weight): premiumIndex 10 + ticker/24hr 40 + fundingInfo 0 + at most 20
    // openInterest × 1 (the poller's MAX_POLL_REQUESTS of 24 a poll; beyond 20 assets they take turns) = 70, ×2 per minute
    // = 140 weight/min (5.8 % of 2400). Spot ticker (symbols ≤ 20) weight 2 ×2 = 4 of the spot 6000/min.
    // One-off per tracked asset on install (backfillRequests): klines weight 2, openInterestHist and fundingRate in their own limits;
    // the level model's 7 days (levelHistoryRequests): klines weight 2, openInterestHist in its own limit.
    requestsPerMinute: 140,
    limitPerMinute: 2400,
    limitSource: 'fapi REQUEST_WEIGHT 2400/min per IP (GET /fapi/v1/exchangeInfo rateLimits)',
  },
};
