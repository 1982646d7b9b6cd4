/**
 * Bitfinex perpetuals ("tBTCF0:USTF0", USDt-margined, 1 contract = 1 coin) plus Bitfinex spot
 * tickers for 24 h volume.
 * Docs: https://docs.bitfinex.com/docs/ws-general, https://docs.bitfinex.com/reference/ws-public-status,
 * https://docs.bitfinex.com/reference/rest-public-derivatives-status, …/rest-public-tickers.
 * Bitfinex sends arrays; the docs warn that fields get appended, so never rely on an array's length.
 */
import { z } from '../core/zod';
import { VenueDataError, canonicalBase, type InstrumentSpec, type Liquidation, type MarketUpdate } from '../core/model';
import { derivatives, everyListedInstrument, findInstrument, instrumentsOf, liquidationOf, valueFill } from './instruments';
import { decimal, emptyOutput, epochMs, isObject, liquidationOutput, nonNegative, parseJsonFrame, parseWith, positive, shortJson } from './parse';
import type { HttpFailure, RestRequest, StreamOutput, StreamSession, VenueAdapter } from './types';

export const BITFINEX_WS_URL = 'wss://api-pub.bitfinex.com/ws/2';
export const BITFINEX_REST = 'https://api-pub.bitfinex.com';
export const BITFINEX_LIQUIDATION_KEY = 'liq:global';

/** Bitfinex documents no connection lifetime cap; reconnect daily anyway. */
const MAX_CONNECTION_MS = 24 * 60 * 60 * 1000;

/** App-level ping {"event":"ping","cid":…} answered by {"event":"pong"} (docs: ws-general, Ping/Pong). */
const HEARTBEAT = { intervalMs: 20_000, message: JSON.stringify({ event: 'ping', cid: 1 }) };

/** Perpetual funding settles every 8 h (docs, Derivatives Status: "Funding applied in the current 8h period"). */
const FUNDING_INTERVAL_HOURS = 8;

/**
 * Perpetual symbols: t + base + "F0:" + margin currency + "F0" (e.g. tBTCF0:USTF0; paper trading
 * tTESTBTCF0:TESTUSDTF0). Docs "Derivatives Status": keys=ALL lists every derivative.
 */
const PERPETUAL = /^t([A-Z0-9]+)F0:([A-Z0-9]+)F0$/;
/** Spot pairs: tBTCUSD, or with a colon when the base code is longer than 3 letters (tDOGE:USD). */
const SPOT_USD = /^t(?:([A-Z0-9]{3})|([A-Z0-9]+):)USD$/;
/** USDt (UST) is the only margin currency valued as USD; EURt (EUT) perpetuals would need an FX rate. */
const USD_MARGIN = 'UST';
/** Paper-trading currencies start with TEST (docs "Paper Trading"); they are not a market. */
const PAPER = /^TEST/;

/** Docs "Requirements and limitations": a rate-limited IP is blocked for 60 s; wait a little longer. */
const RATE_LIMIT_PAUSE_MS = 90_000;
/** Docs "Liquidations": limit up to 500 rows a request. */
const LIQUIDATIONS_LIMIT = 500;
/** Docs "Subscribe to channels": at most 25 channels per connection (one is liq:global). */
const MAX_DERIV_CHANNELS = 24;

function spotAsset(symbol: string): string | null {
  const match = SPOT_USD.exec(symbol);
  const code = match?.[1] ?? match?.[2];
  return code ? (canonicalBase(code)?.asset ?? null) : null;
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

/** Docs "Derivatives Status": each row starts with its KEY (the perpetual's symbol). */
const statusKeyRow = z.tuple([z.string()], z.unknown());

/**
 * The catalogue: every USDt-margined perpetual the derivatives status list names. Docs
 * ("Derivatives Status", "Derivatives" trading guide): one contract of a perpetual is one unit of
 * the base currency. A perpetual that is listed has a status row; delisted ones drop out of ALL.
 */
function instrumentFrom(symbol: string): InstrumentSpec | null {
  const match = PERPETUAL.exec(symbol);
  if (!match) return null;
  const [, baseCode, margin] = match;
  if (margin !== USD_MARGIN || PAPER.test(baseCode!)) return null;
  const base = canonicalBase(baseCode!);
  if (!base) return null;
  const { asset, priceScale } = base;
  return { venue: 'bitfinex', symbol, asset, kind: 'perp', priceScale, contract: { type: 'linear', size: 1 } };
}

function instrumentRequests(): RestRequest[] {
  return [{ key: 'instruments', url: `${BITFINEX_REST}/v2/status/deriv?keys=ALL` }];
}

function parseInstruments(key: string, body: unknown): InstrumentSpec[] {
  if (key !== 'instruments') throw new VenueDataError('bitfinex', `unknown instruments key ${key}`);
  return parseWith('bitfinex', 'derivatives status list', z.array(statusKeyRow), body).flatMap((row) => instrumentFrom(row[0]) ?? []);
}

/**
 * Derivatives status as an array. The WS update omits the leading KEY the REST row has, so `offset`
 * is 0 for WS and 1 for REST. Indices from docs (ws-public-status): MTS 0, SPOT_PRICE 3,
 * NEXT_FUNDING_EVT_MTS 7, CURRENT_FUNDING 11, MARK_PRICE 14, OPEN_INTEREST 17.
 */
function statusUpdate(spec: InstrumentSpec, row: readonly unknown[], offset: 0 | 1): MarketUpdate {
  const at = (index: number) => row[index + offset];
  const fields = parseWith('bitfinex', `derivatives status ${spec.symbol}`, statusFields, {
    time: at(0),
    spotPrice: at(3),
    nextFundingTime: at(7),
    currentFunding: at(11),
    markPrice: at(14),
    openInterest: at(17),
  });
  return {
    venue: 'bitfinex',
    symbol: spec.symbol,
    asset: spec.asset,
    kind: 'perp',
    time: Math.round(fields.time),
    markPrice: fields.markPrice / spec.priceScale,
    // SPOT_PRICE is the book mid of the underlying Bitfinex spot pair: the closest to an index the API gives.
    ...(fields.spotPrice !== null ? { indexPrice: fields.spotPrice / spec.priceScale } : {}),
    ...(fields.currentFunding !== null ? { fundingRate: fields.currentFunding, fundingIntervalHours: FUNDING_INTERVAL_HOURS } : {}),
    ...(fields.nextFundingTime !== null ? { nextFundingTime: fields.nextFundingTime } : {}),
    // OPEN_INTEREST counts contracts of one coin each, i.e. base units (docs: "outstanding derivative contracts"); one side.
    ...(fields.openInterest !== null ? { openInterestBase: fields.openInterest * spec.priceScale } : {}),
  };
}

/** A row whose IS_MATCH (index 8) says it is an initial liquidation trigger; triggerRow then checks the rest. */
function isTrigger(raw: unknown): boolean {
  return Array.isArray(raw) && raw[8] === 0;
}

interface Valued {
  liquidations: Liquidation[];
  unknown: string[];
}

function liquidationsFromRows(rows: readonly unknown[], instruments: readonly InstrumentSpec[]): Valued {
  const out: Valued = { liquidations: [], unknown: [] };
  for (const raw of rows) {
    // IS_MATCH 1 rows are the market fills of a liquidation already announced by its IS_MATCH 0 trigger
    // (docs, rest-public-liquidations: "0: initial liquidation trigger | 1: market execution").
    // A trigger is read once, by its own schema (which checks what positionRow does): rows are many a second in a cascade.
    if (!isTrigger(raw)) {
      parseWith('bitfinex', 'liquidation row', positionRow, raw);
      continue;
    }
    const [, posId, time, , symbol, amount, , , , , , price] = parseWith('bitfinex', 'liquidation trigger', triggerRow, raw);
    const spec = findInstrument(instruments, symbol);
    if (!spec) {
      const perp = PERPETUAL.exec(symbol);
      // liq:global also carries margin positions on spot pairs (tBSVUSD): perpetuals only count. A USDt
      // perpetual missing from the catalogue is newer than it: reported. EURt and paper ones are never valued.
      if (perp && perp[2] === USD_MARGIN && !PAPER.test(perp[1]!) && !out.unknown.includes(symbol)) out.unknown.push(symbol);
      continue;
    }
    // AMOUNT is the liquidated position: "Positive values means a long position, negative values means a short position" (docs: rest-public-liquidations).
    // PRICE_ACQUIRED: "the price at which the position has been acquired" by the liquidation engine (BASE_PRICE is the entry).
    const fill = valueFill(spec, Math.abs(amount), price);
    out.liquidations.push(liquidationOf(spec, amount > 0 ? 'long' : 'short', fill, Math.round(time), `${posId}`));
  }
  return out;
}

/** Built once: a stream frame is read many times a second, and building a schema costs more than using it. */
const anyArray = z.array(z.unknown());
const historyEntries = z.array(z.array(z.array(z.unknown())));

function readLiquidations(message: unknown, instruments: readonly InstrumentSpec[]): Valued {
  if (isObject(message)) {
    // Events: info, subscribed, pong, conf, error.
    const event = parseWith('bitfinex', 'event', eventMessage, message);
    if (event.event === 'error') throw new VenueDataError('bitfinex', `error ${event.code ?? '?'}: ${event.msg ?? 'unknown'}`);
    return { liquidations: [], unknown: [] };
  }
  const frame = parseWith('bitfinex', 'message', anyArray, message);
  if (typeof frame[0] === 'number') {
    // A channel frame [CHANNEL_ID, payload]: "hb" heartbeats, status rows (numbers) or liquidation rows (arrays).
    const payload = frame[1];
    if (typeof payload === 'string') return { liquidations: [], unknown: [] };
    const items = parseWith('bitfinex', 'channel payload', anyArray, payload);
    const rows = items.filter((item) => Array.isArray(item) && item[0] === 'pos');
    return liquidationsFromRows(rows, instruments);
  }
  // REST /v2/liquidations/hist: every entry wraps one "pos" row: [[["pos", …]], …].
  const entries = parseWith('bitfinex', 'liquidations history', historyEntries, message);
  return liquidationsFromRows(entries.flat(), instruments);
}

function parseLiquidations(message: unknown, instruments: readonly InstrumentSpec[]): Liquidation[] {
  return readLiquidations(message, instruments).liquidations;
}

function output(valued: Valued, markets: MarketUpdate[] = []): StreamOutput {
  return { ...liquidationOutput(valued.liquidations, valued.unknown, []), markets };
}

function openStreams(tracked: readonly string[], instruments: readonly InstrumentSpec[]): StreamSession[] {
  /** Channel ids are assigned per connection in the "subscribed" event. */
  const channelKeys = new Map<number, string>();
  // liq:global carries every liquidation; live status for the tracked perpetuals rides along (polls cover the rest).
  const derivKeys = instrumentsOf(instruments, tracked).slice(0, MAX_DERIV_CHANNELS).map((spec) => `deriv:${spec.symbol}`);
  const keys = [BITFINEX_LIQUIDATION_KEY, ...derivKeys];
  return [
    {
      url: BITFINEX_WS_URL,
      // Docs, ws-public-status: {"event":"subscribe","channel":"status","key":"liq:global" | "deriv:tBTCF0:USTF0"}.
      onOpen: () => keys.map((key) => JSON.stringify({ event: 'subscribe', channel: 'status', key })),
      onMessage(text: string): StreamOutput {
        const message = parseJsonFrame('bitfinex', text);
        if (isObject(message)) {
          const event = parseWith('bitfinex', 'event', eventMessage, message);
          if (event.event === 'subscribed' && event.chanId !== undefined && event.key) channelKeys.set(event.chanId, event.key);
          return output(readLiquidations(message, instruments));
        }
        const key = Array.isArray(message) && typeof message[0] === 'number' ? channelKeys.get(message[0]) : undefined;
        if (key?.startsWith('deriv:') && Array.isArray(message) && Array.isArray(message[1])) {
          const spec = findInstrument(instruments, key.slice('deriv:'.length));
          return spec ? { ...emptyOutput(), markets: [statusUpdate(spec, message[1], 0)] } : emptyOutput();
        }
        return output(readLiquidations(message, instruments));
      },
      heartbeat: HEARTBEAT,
      maxConnectionMs: MAX_CONNECTION_MS,
    },
  ];
}

function pollRequests(): RestRequest[] {
  return [
    // Docs "Derivatives Status": keys=ALL gives mark, spot mid, funding and open interest of every perpetual in one request.
    { key: 'status', url: `${BITFINEX_REST}/v2/status/deriv?keys=ALL` },
    // Docs "Tickers": symbols=ALL gives last price and 24 h volume of every pair and perpetual in one request.
    { key: 'tickers', url: `${BITFINEX_REST}/v2/tickers?symbols=ALL` },
  ];
}

/** Docs: liquidations/hist allows 3 requests a minute, so it is asked once, on install, never polled. */
function backfillRequests(): RestRequest[] {
  return [{ key: 'liquidationsHist', url: `${BITFINEX_REST}/v2/liquidations/hist?limit=${LIQUIDATIONS_LIMIT}&sort=-1` }];
}

/** A stream gap: docs "Liquidations", start/end in ms bound the rows (one global history covers every symbol). */
function gapRequests(from: number, to: number): RestRequest[] {
  return [{ key: 'liquidationsHist', url: `${BITFINEX_REST}/v2/liquidations/hist?start=${Math.floor(from)}&end=${Math.ceil(to)}&limit=${LIQUIDATIONS_LIMIT}&sort=-1` }];
}

function parsePoll(key: string, body: unknown, instruments: readonly InstrumentSpec[]): StreamOutput {
  const markets: MarketUpdate[] = [];
  if (key === 'liquidationsHist') {
    // A full page (LIQUIDATIONS_LIMIT rows) may leave older rows of the asked span out.
    const truncated = Array.isArray(body) && body.length >= LIQUIDATIONS_LIMIT;
    return { ...output(readLiquidations(body, instruments)), ...(truncated ? { truncated } : {}) };
  }
  if (key === 'status') {
    for (const row of parseWith('bitfinex', 'derivatives status', z.array(statusKeyRow), body)) {
      const spec = findInstrument(instruments, row[0]);
      if (spec?.kind === 'perp') markets.push(statusUpdate(spec, row, 1));
    }
  } else if (key === 'tickers') {
    // The response carries no timestamp: the values are as of receipt.
    const time = Date.now();
    const perpOf = new Map(instruments.filter((spec) => spec.kind === 'perp').map((spec) => [spec.asset, spec]));
    const rows = parseWith('bitfinex', 'tickers', z.array(z.array(z.unknown())), body);
    // Funding tickers (fUSD …) have another layout; only trading pairs (t…) are read.
    // Only rows read are validated: a dead pair elsewhere in ALL must not fail the whole poll.
    for (const raw of rows.filter((row) => typeof row[0] === 'string' && row[0].startsWith('t'))) {
      const symbol = raw[0] as string;
      const spec = findInstrument(instruments, symbol);
      const pairAsset = spec ? null : spotAsset(symbol);
      const perp = spec?.kind === 'perp' ? spec : pairAsset ? perpOf.get(pairAsset) : undefined;
      if (!perp) continue;
      const [, , , , , , , lastPrice, volume] = parseWith('bitfinex', `ticker ${symbol}`, tickerRow, raw);
      // VOLUME is in base coins (quoted units) for both kinds; × last price gives USD (USDt for perpetuals).
      if (spec) markets.push({ venue: 'bitfinex', symbol, asset: perp.asset, kind: 'perp', time, lastPrice: lastPrice / perp.priceScale, perpVolume24hUsd: volume * lastPrice });
      else markets.push({ venue: 'bitfinex', symbol: perp.symbol, asset: perp.asset, kind: 'spot', time, spotVolume24hUsd: volume * lastPrice });
    }
  } else {
    throw new VenueDataError('bitfinex', `unknown poll key ${key}`);
  }
  return { ...emptyOutput(), markets };
}

/**
 * Docs "Requirements and limitations": too many requests answer HTTP 429 or the error array
 * ["error", 11010, "ratelimit: error"], and the IP is blocked for 60 s.
 */
function classifyFailure(status: number, body: string): HttpFailure | null {
  const envelope = shortJson(body);
  const code = Array.isArray(envelope) && envelope[0] === 'error' ? envelope[1] : undefined;
  if (code === 11010 || status === 429) return { kind: 'rateLimited', reason: `rate limited: ${code === 11010 ? 'error 11010' : 'too many requests'} (HTTP ${status})`, pauseMs: RATE_LIMIT_PAUSE_MS };
  return null;
}

export const bitfinex: VenueAdapter = {
  id: 'bitfinex',
  label: 'Bitfinex Perpetuals',
  // liq:global pushes every liquidation trigger; the docs describe no sampling or throttling.
  completeness: 'complete',
  instrumentRequests,
  parseInstruments,
  parseLiquidations,
  openStreams,
  // liq:global is one channel for every symbol: it covers every listed perpetual.
  coverage: everyListedInstrument,
  pollRequests,
  backfillRequests,
  gapRequests,
  // liquidations/hist is one global history: a back-filled gap counts for every symbol.
  gapCoverage: 'all',
  parsePoll,
  classifyFailure,
  rateBudget: {
    // Per 30 s poll: 1 status/deriv + 1 tickers request whatever the number of assets, ×2 per minute.
    requestsPerMinute: 4,
    limitPerMinute: 90,
    limitSource:
      'docs.bitfinex.com REST Derivatives Status and Tickers: 90 reqs/min per IP each (liquidations/hist, 3 reqs/min, is not polled)',
  },
};
