/**
 * BitMEX perpetuals: XBTUSD (inverse) for BTC, linear USDT perpetuals (ETHUSDT, SOLUSDT, …) for the rest.
 * Docs: https://www.bitmex.com/app/wsAPI, https://www.bitmex.com/app/restAPI, https://www.bitmex.com/api/explorer/
 */
import { z } from 'zod';
import { VenueDataError, normaliseAsset, type Liquidation, type MarketUpdate } from '../core/model';
import { JSON_NUMBER, decimal, emptyOutput, isObject, liquidationsOnly, matchHead, memoAsset, nonNegative, parseJsonFrame, parseWith, positive, positiveOrNaN, readRows, requireAsset } from './parse';
import type { StreamOutput, StreamSession, VenueAdapter } from './types';

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
 * subscription delivers nothing), so we take every symbol and convert the ones whose contract we know.
 */
const SUBSCRIBE_FRAME = JSON.stringify({ op: 'subscribe', args: ['liquidation'] });

/** How to turn a number of contracts into base units and USD. */
export type ContractSpec =
  /** Inverse, quoted in USD: each contract is worth a fixed number of USD. */
  | { kind: 'inverse'; usdPerContract: number }
  /** Linear (USDT-margined): each contract is a fixed amount of the base asset. */
  | { kind: 'linear'; basePerContract: number };

/**
 * Contract sizes by symbol. XBTUSD is fixed by the docs ("Inverse Perpetuals Guide": USD contract
 * value 1 USD). Linear sizes are learned from every /instrument poll (see `specOf`): BitMEX gives no
 * table of them, and a wrong default would misstate every ETH/SOL liquidation by a power of ten.
 * Until the first poll has answered, liquidations on unlearned symbols are skipped, not guessed.
 */
const contractSpecs = new Map<string, ContractSpec>([['XBTUSD', { kind: 'inverse', usdPerContract: 1 }]]);

export function bitmexContractSpec(symbol: string): ContractSpec | undefined {
  return contractSpecs.get(symbol);
}

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

const instrumentRow = z.object({
  symbol: z.string().min(1),
  underlying: maybe(z.string()),
  quoteCurrency: maybe(z.string()),
  isInverse: maybe(z.boolean()),
  isQuanto: maybe(z.boolean()),
  // `decimal` (not z.number()) bounds their magnitude: a contract size derived from them stays finite.
  multiplier: maybe(decimal),
  underlyingToPositionMultiplier: maybe(decimal),
  underlyingToSettleMultiplier: maybe(decimal),
  lastPrice: maybe(positive),
  markPrice: maybe(positive),
  indicativeSettlePrice: maybe(positive),
  fundingRate: maybe(decimal),
  fundingTimestamp: maybe(z.iso.datetime()),
  fundingInterval: maybe(z.iso.datetime()),
  openInterest: maybe(nonNegative),
  foreignNotional24h: maybe(nonNegative),
  timestamp: z.iso.datetime(),
});
type InstrumentRow = z.output<typeof instrumentRow>;

const QUOTES = ['USDT', 'USDC', 'USD'];

/** 'XBTUSD' → 'BTC', 'ETHUSDT' → 'ETH', 'XBTUSDTZ25' is never watched (perpetuals only). */
function assetOfSymbol(symbol: string): string {
  const root = symbol.replace(/_.*$/, '');
  const quote = QUOTES.find((q) => root.endsWith(q));
  return requireAsset('bitmex', normaliseAsset(quote ? root.slice(0, -quote.length) : root), symbol);
}

/** XBTUSD is BitMEX's main BTC perpetual (inverse); other assets use the linear USDT perpetual. */
function symbolFor(asset: string): string {
  const upper = asset.toUpperCase();
  return upper === 'BTC' || upper === 'XBT' ? 'XBTUSD' : `${upper}USDT`;
}

/**
 * Contract size from an /instrument row, per BitMEX support "How do I calculate contract size …
 * using the /instrument endpoint": inverse = multiplier / underlyingToSettleMultiplier (in the quote
 * currency), linear = 1 / underlyingToPositionMultiplier (in the base). Quanto contracts are worth a
 * fixed amount of XBT per point, so their USD size needs the XBT price: not supported.
 */
function specOf(row: InstrumentRow): ContractSpec | undefined {
  if (row.isQuanto) return undefined;
  if (row.isInverse) {
    const ratio = row.multiplier && row.underlyingToSettleMultiplier ? Math.abs(row.multiplier / row.underlyingToSettleMultiplier) : 0;
    return row.quoteCurrency === 'USD' && ratio > 0 && Number.isFinite(ratio) ? { kind: 'inverse', usdPerContract: ratio } : undefined;
  }
  const perUnderlying = row.underlyingToPositionMultiplier ?? 0;
  return perUnderlying > 0 ? { kind: 'linear', basePerContract: 1 / perUnderlying } : undefined;
}

function toLiquidation(row: z.output<typeof liquidationRow>, spec: ContractSpec, time: number, asset = assetOfSymbol(row.symbol)): Liquidation {
  // Inverse contracts are USD face value; linear contracts are base units (contracts × size).
  const notionalUsd = spec.kind === 'inverse' ? row.leavesQty * spec.usdPerContract : row.leavesQty * spec.basePerContract * row.price;
  const quantity = spec.kind === 'inverse' ? notionalUsd / row.price : row.leavesQty * spec.basePerContract;
  return {
    venue: 'bitmex',
    symbol: row.symbol,
    asset,
    // `side` is the liquidation ORDER's side (support: "/liquidation field definitions"); a Buy closes a short.
    side: row.side === 'Buy' ? 'short' : 'long',
    // The order's price is the bankruptcy price it is entered at.
    price: row.price,
    quantity,
    notionalUsd,
    time,
    // Rows carry no timestamp, so the order id is what tells two liquidations apart.
    id: row.orderID,
  };
}

/**
 * Liquidations in one raw BitMEX message. Liquidation rows carry no timestamp, so `receivedAt` stamps them.
 * Only `insert` is a new liquidation: BitMEX enters each liquidation order for its FULL size at the
 * bankruptcy price and shows it even when it fills at once (BitMEX support, quoted in
 * BitMEX/api-connectors issue #241); `update` (partial fill), `delete` (done) and `partial`
 * (orders already resting when we subscribed) are not new ones.
 */
export function parseBitmexLiquidations(message: unknown, receivedAt: number): Liquidation[] {
  if (message === 'pong') return [];
  if (!isObject(message)) throw new VenueDataError('bitmex', `unexpected message: ${JSON.stringify(message)?.slice(0, 60)}`);
  if ('error' in message) throw new VenueDataError('bitmex', `request rejected: ${String(message.error).slice(0, 120)}`);
  // The welcome banner ({info, version, …}) and subscription acks ({success, subscribe, request}).
  if (!('table' in message) && ('info' in message || 'success' in message)) return [];
  const table = parseWith('bitmex', 'table message', tableMessage, message);
  if (table.table !== 'liquidation' || table.action !== 'insert') return [];
  const out: Liquidation[] = [];
  for (const raw of table.data) {
    const row = parseWith('bitmex', 'liquidation row', liquidationRow, raw);
    const spec = contractSpecs.get(row.symbol);
    // Unknown contract size (quanto, or not yet learned from /instrument): skip rather than guess.
    if (spec) out.push(toLiquidation(row, spec, receivedAt));
  }
  return out;
}

function parseLiquidations(message: unknown): Liquidation[] {
  return parseBitmexLiquidations(message, Date.now());
}

/** A liquidation table message as BitMEX sends it (live captures: this key order, no spaces). */
const TABLE_HEAD = /\{"table":"liquidation","action":"(insert|update|delete)","data":\[/y;
const INSERT_ROW = new RegExp(String.raw`\{"orderID":"([0-9a-f-]{1,64})","symbol":"([A-Z0-9_]{1,40})","side":"(Buy|Sell)","price":(${JSON_NUMBER}),"leavesQty":(${JSON_NUMBER})\}`, 'y');
/** Update and delete rows are not new liquidations; the zod path only checks they are a list, so any flat row will do. */
const LATER_ROW = new RegExp(String.raw`\{"orderID":"[0-9a-f-]{1,64}"(?:,"[A-Za-z]{1,32}":(?:"[A-Za-z0-9_.:-]{0,64}"|${JSON_NUMBER}|null|true|false))*\}`, 'y');
const TABLE_TAIL = /\]\}$/y;

const cachedAssetOfSymbol = memoAsset(assetOfSymbol);

/** The fast path of `parseBitmexLiquidations` for liquidation table messages (see venues/parse.ts); null: take the zod path. Never throws. */
function fastLiquidations(text: string, receivedAt: number): Liquidation[] | null {
  const head = matchHead(text, TABLE_HEAD);
  if (head === null) return null;
  const out: Liquidation[] = [];
  const inserts = head[1] === 'insert';
  const read = readRows(text, TABLE_HEAD.lastIndex, inserts ? INSERT_ROW : LATER_ROW, TABLE_TAIL, (row) => {
    if (!inserts) return true;
    const price = positiveOrNaN(Number(row[4]));
    const leavesQty = positiveOrNaN(Number(row[5]));
    if (Number.isNaN(price + leavesQty)) return false;
    const symbol = row[2]!;
    const spec = contractSpecs.get(symbol);
    // As on the zod path: unknown contract size, skipped.
    if (!spec) return true;
    const asset = cachedAssetOfSymbol(symbol);
    if (asset === null) return false;
    out.push(toLiquidation({ orderID: row[1]!, symbol, side: row[3] as 'Buy' | 'Sell', price, leavesQty }, spec, receivedAt, asset));
    return true;
  });
  return read ? out : null;
}

function openStream(): StreamSession {
  return {
    url: BITMEX_WS_URL,
    onOpen: () => [SUBSCRIBE_FRAME],
    onMessage(text: string): StreamOutput {
      // The heartbeat answer is the bare text 'pong', not JSON.
      if (text === 'pong') return emptyOutput();
      const receivedAt = Date.now();
      const liquidations = fastLiquidations(text, receivedAt) ?? parseBitmexLiquidations(parseJsonFrame('bitmex', text), receivedAt);
      return liquidationsOnly(liquidations);
    },
    heartbeat: HEARTBEAT,
    maxConnectionMs: MAX_CONNECTION_MS,
  };
}

/**
 * One request for every watched symbol: unauthenticated clients get 30 requests/min, so per-symbol
 * requests would not fit the 10 % budget. `filter` takes an array to match several values
 * (API explorer, Instrument_get: `{"execType": ["Settlement", "Trade"]}`).
 */
function pollRequests(watched: readonly string[]) {
  const filter = JSON.stringify({ symbol: watched.map(symbolFor) });
  return [{ key: 'instrument', url: `${BITMEX_API}/instrument?filter=${encodeURIComponent(filter)}` }];
}

/** fundingInterval is a timespan encoded as a date after 2000-01-01 ("2000-01-01T08:00:00.000Z" = 8 h). */
function intervalHours(timespan: string): number | undefined {
  const hours = (Date.parse(timespan) - Date.UTC(2000, 0, 1)) / 3_600_000;
  return hours > 0 ? hours : undefined;
}

function marketOf(row: InstrumentRow, spec: ContractSpec | undefined): MarketUpdate {
  // An empty `underlying` names no asset: fall back to the symbol's.
  const update: MarketUpdate = { venue: 'bitmex', symbol: row.symbol, asset: requireAsset('bitmex', normaliseAsset(row.underlying || assetOfSymbol(row.symbol)), row.symbol), time: Date.parse(row.timestamp) };
  if (row.lastPrice != null) update.lastPrice = row.lastPrice;
  if (row.markPrice != null) update.markPrice = row.markPrice;
  // For perpetuals indicativeSettlePrice is the underlying index (e.g. .BXBT).
  if (row.indicativeSettlePrice != null) update.indexPrice = row.indicativeSettlePrice;
  // fundingRate is the rate for the interval ending at fundingTimestamp.
  if (row.fundingRate != null) update.fundingRate = row.fundingRate;
  const hours = row.fundingInterval ? intervalHours(row.fundingInterval) : undefined;
  if (hours !== undefined) update.fundingIntervalHours = hours;
  if (row.fundingTimestamp) update.nextFundingTime = Date.parse(row.fundingTimestamp);
  // openInterest is in contracts: USD face value for inverse, base units × size for linear.
  if (row.openInterest != null && spec?.kind === 'inverse') update.openInterestUsd = row.openInterest * spec.usdPerContract;
  if (row.openInterest != null && spec?.kind === 'linear') update.openInterestBase = row.openInterest * spec.basePerContract;
  // foreignNotional24h is 24 h volume in the quote currency: USD for XBTUSD, USDT (≈ USD) for linear.
  if (row.foreignNotional24h != null && QUOTES.includes(row.quoteCurrency ?? '')) update.perpVolume24hUsd = row.foreignNotional24h;
  return update;
}

function parsePoll(key: string, body: unknown, watched: readonly string[]): StreamOutput {
  if (key !== 'instrument') throw new VenueDataError('bitmex', `unknown poll key ${key}`);
  if (isObject(body) && 'error' in body) throw new VenueDataError('bitmex', `request rejected: ${JSON.stringify(body.error).slice(0, 120)}`);
  const wanted = new Set(watched.map(symbolFor));
  const markets: MarketUpdate[] = [];
  for (const row of parseWith('bitmex', 'instrument', z.array(instrumentRow), body)) {
    const spec = specOf(row);
    if (spec) contractSpecs.set(row.symbol, spec);
    if (wanted.has(row.symbol)) markets.push(marketOf(row, spec));
  }
  return { ...emptyOutput(), markets };
}

export const bitmex: VenueAdapter = {
  id: 'bitmex',
  label: 'BitMEX',
  // BitMEX support: "If you listen to liquidation channel via WebSocket, you will see all of the liquidation
  // orders - even if they are immediately filled" (BitMEX/api-connectors issue #241).
  completeness: 'complete',
  symbolFor,
  parseLiquidations,
  fastLiquidations,
  openStream,
  pollRequests,
  parsePoll,
  rateBudget: {
    // One /instrument request per 30 s poll, whatever the number of watched assets.
    requestsPerMinute: 2,
    limitPerMinute: 30,
    limitSource: 'BitMEX REST API "Limits": 120 requests/min on all routes, reduced to 30 when unauthenticated (bitmex.com/app/restAPI)',
  },
};
