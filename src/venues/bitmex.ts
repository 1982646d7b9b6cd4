/**
 * BitMEX perpetuals and dated futures: inverse (XBTUSD: 1 contract = 1 USD), linear (XBTUSDT, ETHUSDT …:
 * a fixed amount of the base per contract) and quanto (ETHUSD …: a fixed number of satoshi per 1 USD of
 * price). Every instrument of the catalogue (GET /instrument/active) is valued by BitMEX's contract rules.
 * Docs: https://www.bitmex.com/app/wsAPI, https://www.bitmex.com/app/restAPI, https://www.bitmex.com/api/explorer/,
 * guides: https://www.bitmex.com/app/futuresGuide, …/inverseFuturesGuide, …/quantoPerpetualsGuide.
 */
import { z } from '../core/zod';
import { VenueDataError, canonicalBase, type InstrumentSpec, type Liquidation, type MarketUpdate } from '../core/model';
import { everyListedInstrument, findInstrument, liquidationOf, mainPerpetuals, valueFill } from './instruments';
import { decimal, emptyOutput, type Headers, isObject, liquidationOutput, nonNegative, parseJsonFrame, parseWith, positive } from './parse';
import type { HttpFailure, RestRequest, StreamOutput, StreamSession, VenueAdapter } from './types';

export const BITMEX_WS_URL = 'wss://ws.bitmex.com/realtime';
export const BITMEX_API = 'https://www.bitmex.com/api/v1';

/** BitMEX documents no connection lifetime cap; reconnect daily anyway so a stale socket cannot linger. */
const MAX_CONNECTION_MS = 24 * 60 * 60 * 1000;

/**
 * wsAPI "Heartbeats": send the literal string 'ping' and expect 'pong'. 20 s also keeps a Chrome
 * service worker alive (it needs socket activity at least every 30 s).
 */
const HEARTBEAT = { intervalMs: 20_000, message: 'ping' };

/**
 * The `liquidation` topic takes no symbol (BitMEX/api-connectors PR #469: a `liquidation:XBTUSD`
 * subscription delivers nothing): one subscription covers every instrument. `instrument:.BXBT` is the
 * XBT/USD index that values quanto contracts in USD (quantoPerpetualsGuide: "USD Value = XBT Value *
 * .BXBT Spot Price").
 */
const XBT_INDEX = '.BXBT';
const SUBSCRIBE_FRAME = JSON.stringify({ op: 'subscribe', args: ['liquidation', `instrument:${XBT_INDEX}`] });

/** The XBT/USD perpetual whose mark price the catalogue keeps as the XBT price until .BXBT arrives. */
const XBT_PERPETUAL = 'XBTUSD';

/**
 * Instrument `typ` codes (API explorer, Instrument model; CFI-style): FFWCSX = perpetual swap,
 * FFCCSX = dated future. Spot (IFXXXP), spreads (FFMCSX), indices (MRCXXX …) are not liquidated positions.
 */
const KIND_OF_TYP: Record<string, 'perp' | 'dated'> = { FFWCSX: 'perp', FFCCSX: 'dated' };

/** Quote currencies taken as USD (USDT/USDC at par, as every venue's USD figures do). */
const USD_QUOTES = new Set(['USD', 'USDT', 'USDC']);

/**
 * What one unit of a settlement currency is worth, in the currency's whole unit: BitMEX settles in
 * minor units (restAPI "Currencies": XBt = satoshi = 1e-8 XBT, USDt = 1e-6 USDT).
 */
const SETTLE_UNITS: Record<string, { currency: 'XBT' | 'USDT'; unit: number }> = {
  XBt: { currency: 'XBT', unit: 1e-8 },
  USDt: { currency: 'USDT', unit: 1e-6 },
};

const liquidationRow = z.object({
  orderID: z.string().min(1),
  symbol: z.string().min(1),
  side: z.enum(['Buy', 'Sell']),
  price: positive,
  leavesQty: positive,
});

const tableMessage = z.object({
  table: z.string().min(1),
  action: z.enum(['partial', 'insert', 'update', 'delete']),
  data: z.array(z.unknown()),
});

/** Fields BitMEX may send as null (e.g. lastPrice before the first trade, fundingRate on futures). */
const maybe = <S extends z.ZodType>(schema: S) => schema.nullable().optional();

/** Every row of /instrument: its type and state, read before anything else (spreads carry negative prices). */
const rowHead = z.looseObject({ symbol: z.string().min(1), typ: z.string(), state: z.string() });

/** What a perpetual or future row must carry to be valued (API explorer, Instrument model). */
const contractRow = z.object({
  symbol: z.string().min(1),
  underlying: z.string().min(1),
  quoteCurrency: z.string().min(1),
  settlCurrency: maybe(z.string()),
  isInverse: z.boolean(),
  isQuanto: z.boolean(),
  // `decimal` (not z.number()) bounds their magnitude: a contract size derived from them stays finite.
  multiplier: decimal,
  underlyingToPositionMultiplier: maybe(decimal),
  underlyingToSettleMultiplier: maybe(decimal),
  markPrice: maybe(positive),
});

/** The market fields of a perpetual's row. */
const marketRow = z.object({
  symbol: z.string().min(1),
  lastPrice: maybe(positive),
  markPrice: maybe(positive),
  indicativeSettlePrice: maybe(positive),
  fundingRate: maybe(decimal),
  fundingTimestamp: maybe(z.iso.datetime()),
  fundingInterval: maybe(z.iso.datetime()),
  openInterest: maybe(nonNegative),
  foreignNotional24h: maybe(nonNegative),
  turnover24h: maybe(nonNegative),
  timestamp: z.iso.datetime(),
});
type MarketRow = z.output<typeof marketRow>;

/** An `instrument` table row for the .BXBT index: its value is `lastPrice` (markPrice on some frames). */
const indexRow = z.object({ symbol: z.string(), lastPrice: maybe(positive), markPrice: maybe(positive) });

function rejected(body: Record<string, unknown>): never {
  throw new VenueDataError('bitmex', `request rejected: ${JSON.stringify(body.error).slice(0, 120)}`);
}

/**
 * What one contract is worth, per BitMEX's guides (futuresGuide "Contract Summary"):
 * - inverse: a fixed amount of the quote currency, multiplier / underlyingToSettleMultiplier (XBTUSD:
 *   -1e8 / -1e8 = 1 USD; inverseFuturesGuide "Multiplier 1 USD");
 * - linear: 1 / underlyingToPositionMultiplier of the base (XBTUSDT: 1e-6 XBT; futuresGuide "0.000001 USDT"
 *   multiplier per 1 of price);
 * - quanto: multiplier × price in the settlement currency's minor unit (ETHUSD: 100 XBt per 1 USD of price).
 * A contract quoted in another currency (XBTEUR, XBT-quoted alt futures) has no USD value without a
 * second rate: it is left out of the catalogue, so its liquidations are reported as unknown, not guessed.
 */
function contractOf(row: z.output<typeof contractRow>): InstrumentSpec['contract'] | null {
  if (!USD_QUOTES.has(row.quoteCurrency)) return null;
  if (row.isInverse) {
    const usd = row.underlyingToSettleMultiplier ? row.multiplier / row.underlyingToSettleMultiplier : 0;
    return usd > 0 && Number.isFinite(usd) ? { type: 'inverse', usd } : null;
  }
  if (row.isQuanto) {
    const settle = row.settlCurrency ?? '';
    return row.multiplier > 0 && settle in SETTLE_UNITS ? { type: 'quanto', multiplier: row.multiplier, settle } : null;
  }
  const perUnderlying = row.underlyingToPositionMultiplier ?? 0;
  return perUnderlying > 0 ? { type: 'linear', size: 1 / perUnderlying } : null;
}

function instrumentRequests(): RestRequest[] {
  // API explorer, Instrument_getActive: "Get all active instruments and instruments that have expired in <24hrs."
  return [{ key: 'instruments', url: `${BITMEX_API}/instrument/active` }];
}

function parseInstruments(key: string, body: unknown): InstrumentSpec[] {
  if (key !== 'instruments') throw new VenueDataError('bitmex', `unknown instrument list ${key}`);
  if (isObject(body) && 'error' in body) rejected(body);
  const out: InstrumentSpec[] = [];
  for (const [index, raw] of parseWith('bitmex', 'instrument list', z.array(rowHead), body).entries()) {
    const kind = KIND_OF_TYP[raw.typ];
    // Only 'Open' instruments trade; the list also holds ones expired or settled in the last 24 h.
    if (!kind || raw.state !== 'Open') continue;
    const row = parseWith('bitmex', `instrument ${index} (${raw.symbol})`, contractRow, raw);
    const contract = contractOf(row);
    const base = canonicalBase(row.underlying);
    // Contracts that cannot be valued in USD, or whose underlying names no asset, are skipped.
    if (!contract || base === null) continue;
    const { asset, priceScale } = base;
    const spec: InstrumentSpec = { venue: 'bitmex', symbol: row.symbol, asset, kind, priceScale, contract };
    if (row.symbol === XBT_PERPETUAL && row.markPrice != null) spec.referencePrice = row.markPrice;
    out.push(spec);
  }
  return out;
}

/** The catalogue's XBT/USD rate: XBTUSD's mark price when the list was fetched. */
function catalogueXbtUsd(instruments: readonly InstrumentSpec[]): number | undefined {
  return (findInstrument(instruments, XBT_PERPETUAL) as InstrumentSpec | undefined)?.referencePrice;
}

/** USD per one minor unit of a settlement currency; undefined when the XBT price is not known yet. */
function settleUsd(settle: string, xbtUsd: number | undefined): number | undefined {
  const currency = SETTLE_UNITS[settle];
  if (!currency) return undefined;
  if (currency.currency === 'USDT') return currency.unit;
  return xbtUsd === undefined ? undefined : currency.unit * xbtUsd;
}

/**
 * A fill of `size` contracts at `price` in canonical units and USD. Quanto (quantoPerpetualsGuide):
 * XBT value = price × multiplier, USD value = XBT value × .BXBT, coin value = USD value / price.
 */
function fillOf(spec: InstrumentSpec, size: number, price: number, xbtUsd: number | undefined) {
  if (spec.contract.type !== 'quanto') return valueFill(spec, size, price);
  const perMinorUnit = settleUsd(spec.contract.settle, xbtUsd);
  if (perMinorUnit === undefined) return null;
  const notionalUsd = size * spec.contract.multiplier * price * perMinorUnit;
  const canonicalPrice = price / spec.priceScale;
  return { price: canonicalPrice, quantity: notionalUsd / canonicalPrice, notionalUsd };
}

interface Parsed {
  liquidations: Liquidation[];
  unknownSymbols: string[];
  /** The .BXBT value an `instrument` frame carried, if any. */
  xbtIndex?: number;
}

/**
 * One raw BitMEX message. Liquidation rows carry no timestamp, so `receivedAt` stamps them.
 * Only `insert` is a new liquidation: BitMEX enters each liquidation order for its FULL size at the
 * bankruptcy price and shows it even when it fills at once (BitMEX support, quoted in
 * BitMEX/api-connectors issue #241); `update` (partial fill), `delete` (done) and `partial`
 * (orders already resting when we subscribed) are not new ones.
 */
function parseMessage(message: unknown, instruments: readonly InstrumentSpec[], receivedAt: number, xbtUsd: number | undefined): Parsed {
  const parsed: Parsed = { liquidations: [], unknownSymbols: [] };
  if (message === 'pong') return parsed;
  if (!isObject(message)) throw new VenueDataError('bitmex', `unexpected message: ${JSON.stringify(message)?.slice(0, 60)}`);
  if ('error' in message) throw new VenueDataError('bitmex', `request rejected: ${String(message.error).slice(0, 120)}`);
  // The welcome banner ({info, version, …}) and subscription acks ({success, subscribe, request}).
  if (!('table' in message) && ('info' in message || 'success' in message)) return parsed;
  const table = parseWith('bitmex', 'table message', tableMessage, message);
  if (table.table === 'instrument') {
    // wsAPI: `instrument` partial/update rows carry only the fields that changed; the index value is lastPrice.
    for (const raw of table.data) {
      const row = parseWith('bitmex', 'instrument row', indexRow, raw);
      const value = row.lastPrice ?? row.markPrice;
      if (row.symbol === XBT_INDEX && value != null) parsed.xbtIndex = value;
    }
    return parsed;
  }
  if (table.table !== 'liquidation' || table.action !== 'insert') return parsed;
  for (const raw of table.data) {
    const row = parseWith('bitmex', 'liquidation row', liquidationRow, raw);
    const spec = findInstrument(instruments, row.symbol);
    // A listing newer than the catalogue: its contract size is unknown, so skip it rather than guess.
    if (!spec) {
      parsed.unknownSymbols.push(row.symbol);
      continue;
    }
    const fill = fillOf(spec, row.leavesQty, row.price, xbtUsd);
    // A quanto contract before any XBT price is known has no USD value yet.
    if (!fill) continue;
    // `side` is the liquidation ORDER's side (support: "/liquidation field definitions"); a Buy closes a short.
    // The order's price is the bankruptcy price it is entered at; rows carry no timestamp, so the order id tells two apart.
    parsed.liquidations.push(liquidationOf(spec, row.side === 'Buy' ? 'short' : 'long', fill, receivedAt, row.orderID));
  }
  return parsed;
}

/** Liquidations in one raw message, stamped `receivedAt`; quanto contracts are valued at the catalogue's XBT price. */
export function parseBitmexLiquidations(message: unknown, instruments: readonly InstrumentSpec[], receivedAt: number): Liquidation[] {
  return parseMessage(message, instruments, receivedAt, catalogueXbtUsd(instruments)).liquidations;
}

function parseLiquidations(message: unknown, instruments: readonly InstrumentSpec[]): Liquidation[] {
  return parseBitmexLiquidations(message, instruments, Date.now());
}

function openStreams(_tracked: readonly string[], instruments: readonly InstrumentSpec[]): StreamSession[] {
  // The latest .BXBT value this connection has seen; until then, the catalogue's XBTUSD mark.
  let xbtIndex: number | undefined;
  return [
    {
      url: BITMEX_WS_URL,
      onOpen: () => [SUBSCRIBE_FRAME],
      onMessage(text: string): StreamOutput {
        // The heartbeat answer is the bare text 'pong', not JSON.
        if (text === 'pong') return emptyOutput();
        const parsed = parseMessage(parseJsonFrame('bitmex', text), instruments, Date.now(), xbtIndex ?? catalogueXbtUsd(instruments));
        if (parsed.xbtIndex !== undefined) xbtIndex = parsed.xbtIndex;
        return liquidationOutput(parsed.liquidations, parsed.unknownSymbols);
      },
      heartbeat: HEARTBEAT,
      maxConnectionMs: MAX_CONNECTION_MS,
    },
  ];
}

/**
 * Columns a poll needs (restAPI "Filtering": `columns` limits the fields returned; keys are always sent):
 * every open perpetual's row is ~3 KB in full, this keeps a poll of all of them small.
 */
const POLL_COLUMNS = [
  'symbol', 'typ', 'state', 'lastPrice', 'markPrice', 'indicativeSettlePrice', 'fundingRate', 'fundingTimestamp',
  'fundingInterval', 'openInterest', 'foreignNotional24h', 'turnover24h', 'timestamp',
];
/** API explorer, Instrument_get: `count` defaults to 100 rows; 500 is more than BitMEX lists open perpetuals. */
const POLL_COUNT = 500;

/**
 * One request for every open perpetual, whatever is tracked: unauthenticated clients get 30 requests/min,
 * so per-symbol requests would not fit the 10 % budget. `filter` matches column values (API explorer,
 * Instrument_get: `{"typ": "FFWCSX", "state": "Open"}`).
 */
function pollRequests(): RestRequest[] {
  const query = new URLSearchParams({
    filter: JSON.stringify({ typ: 'FFWCSX', state: 'Open' }),
    columns: JSON.stringify(POLL_COLUMNS),
    count: String(POLL_COUNT),
  });
  return [{ key: 'instrument', url: `${BITMEX_API}/instrument?${query}` }];
}

/** fundingInterval is a timespan encoded as a date after 2000-01-01 ("2000-01-01T08:00:00.000Z" = 8 h). */
function intervalHours(timespan: string): number | undefined {
  const hours = (Date.parse(timespan) - Date.UTC(2000, 0, 1)) / 3_600_000;
  return hours > 0 ? hours : undefined;
}

function marketOf(spec: InstrumentSpec, row: MarketRow, xbtUsd: number | undefined): MarketUpdate {
  const scale = spec.priceScale;
  const update: MarketUpdate = { venue: 'bitmex', symbol: row.symbol, asset: spec.asset, kind: spec.kind, time: Date.parse(row.timestamp) };
  if (row.lastPrice != null) update.lastPrice = row.lastPrice / scale;
  if (row.markPrice != null) update.markPrice = row.markPrice / scale;
  // For perpetuals indicativeSettlePrice is the underlying index (e.g. .BXBT).
  if (row.indicativeSettlePrice != null) update.indexPrice = row.indicativeSettlePrice / scale;
  // fundingRate is the rate for the interval ending at fundingTimestamp.
  if (row.fundingRate != null) update.fundingRate = row.fundingRate;
  const hours = row.fundingInterval ? intervalHours(row.fundingInterval) : undefined;
  if (hours !== undefined) update.fundingIntervalHours = hours;
  if (row.fundingTimestamp) update.nextFundingTime = Date.parse(row.fundingTimestamp);
  const contract = spec.contract;
  // openInterest is in contracts (one side): USD face value for inverse, base units for linear,
  // multiplier × mark in the settlement currency for quanto.
  if (row.openInterest != null) {
    if (contract.type === 'inverse') update.openInterestUsd = row.openInterest * contract.usd;
    else if (contract.type === 'linear') update.openInterestBase = row.openInterest * contract.size * scale;
    else {
      const perMinorUnit = settleUsd(contract.settle, xbtUsd);
      if (perMinorUnit !== undefined && row.markPrice != null) update.openInterestUsd = row.openInterest * contract.multiplier * row.markPrice * perMinorUnit;
    }
  }
  // foreignNotional24h is 24 h volume in the quote currency (USD, or USDT ≈ USD) for inverse and linear;
  // a quanto's volume is its turnover in the settlement currency's minor unit.
  if (contract.type !== 'quanto') {
    if (row.foreignNotional24h != null) update.perpVolume24hUsd = row.foreignNotional24h;
  } else if (row.turnover24h != null) {
    const perMinorUnit = settleUsd(contract.settle, xbtUsd);
    if (perMinorUnit !== undefined) update.perpVolume24hUsd = row.turnover24h * perMinorUnit;
  }
  return update;
}

function parsePoll(key: string, body: unknown, instruments: readonly InstrumentSpec[]): StreamOutput {
  if (key !== 'instrument') throw new VenueDataError('bitmex', `unknown poll key ${key}`);
  if (isObject(body) && 'error' in body) rejected(body);
  const rows = parseWith('bitmex', 'instrument', z.array(marketRow), body);
  // The same answer carries XBTUSD's mark: the XBT/USD rate for quanto figures, fresher than the catalogue's.
  const xbtUsd = rows.find((row) => row.symbol === XBT_PERPETUAL)?.markPrice ?? catalogueXbtUsd(instruments);
  const markets: MarketUpdate[] = [];
  const perps = mainPerpetuals(instruments, BY_CONTRACT_TYPE);
  for (const row of rows) {
    const spec = findInstrument(instruments, row.symbol);
    // Dated futures never feed perpetual funding, OI or basis; of XBTUSD and XBTUSDT the inverse one is BTC's figure.
    if (spec !== undefined && perps.get(spec.asset) === spec) markets.push(marketOf(spec, row, xbtUsd));
  }
  return { ...emptyOutput(), markets };
}

/** BitMEX's flagship perpetuals are the USD-quoted ones: inverse XBTUSD, then quanto ETHUSD/SOLUSD, then the USDT linears. */
const CONTRACT_RANK = { inverse: 0, quanto: 1, linear: 2 } as const;
const BY_CONTRACT_TYPE = (spec: InstrumentSpec) => CONTRACT_RANK[spec.contract.type];

/** restAPI "Limits": without Retry-After, the unauthenticated bucket refills one request every 2 s. */
const DEFAULT_LIMIT_PAUSE_MS = 60_000;
/** restAPI "Limits": "If a large number of 4xx or 5xx responses are delivered in a short period of time, your IP may be banned for an hour." */
const BAN_PAUSE_MS = 60 * 60_000;

function classifyFailure(status: number, _body: string, headers: Headers): HttpFailure | null {
  if (status === 429) {
    // restAPI "Limits": a 429 carries Retry-After (seconds to sleep); x-ratelimit-reset is the epoch second the bucket is full.
    const retryAfter = Number(headers.get('retry-after') ?? Number.NaN);
    const reset = Number(headers.get('x-ratelimit-reset') ?? Number.NaN) * 1000 - Date.now();
    const pauseMs = retryAfter > 0 ? retryAfter * 1000 : reset > 0 ? reset : DEFAULT_LIMIT_PAUSE_MS;
    return { kind: 'rateLimited', reason: 'rate limited: over 30 requests/min unauthenticated (HTTP 429)', pauseMs: Math.min(pauseMs, BAN_PAUSE_MS) };
  }
  // A 403 is BitMEX's IP ban after many errors (BitMEX/api-connectors issue #96, restAPI "Limits"), lasting an hour.
  if (status === 403) return { kind: 'rateLimited', reason: 'access refused: IP banned for up to an hour, or a region block (HTTP 403)', pauseMs: BAN_PAUSE_MS };
  return null;
}

export const bitmex: VenueAdapter = {
  id: 'bitmex',
  label: 'BitMEX',
  // BitMEX support: "If you listen to liquidation channel via WebSocket, you will see all of the liquidation
  // orders - even if they are immediately filled" (BitMEX/api-connectors issue #241).
  completeness: 'complete',
  instrumentRequests,
  parseInstruments,
  parseLiquidations,
  openStreams,
  // The symbol-less `liquidation` topic carries every instrument's liquidations: all listed ones count.
  coverage: everyListedInstrument,
  pollRequests,
  parsePoll,
  classifyFailure,
  rateBudget: {
    // One /instrument request per 30 s poll, whatever the number of tracked assets.
    requestsPerMinute: 2,
    limitPerMinute: 30,
    limitSource: 'BitMEX REST API "Limits": 120 requests/min on all routes, reduced to 30 when unauthenticated (bitmex.com/app/restAPI)',
  },
};
