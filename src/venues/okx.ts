/**
 * OKX v5 perpetual swaps (USDT-margined main symbols).
 * Docs: https://www.okx.com/docs-v5/en/
 */
import { z } from 'zod';
import { VenueDataError, normaliseAsset, type Liquidation, type MarketUpdate } from '../core/model';
import { DECIMAL_TEXT, TEXT_END, decimal, emptyOutput, epochMs, epochMsOrNaN, isObject, liquidationsOnly, matchHead, memoAsset, nonNegative, parseJsonFrame, parseWith, positive, positiveOrNaN, readRows, requireAsset } from './parse';
import type { RestRequest, StreamOutput, StreamSession, VenueAdapter } from './types';

/** Docs "Public Market Data WebSocket": liquidation-orders lives on /ws/v5/public. */
export const OKX_PUBLIC_STREAM_URL = 'wss://ws.okx.com:8443/ws/v5/public';
export const OKX_API = 'https://www.okx.com';

/**
 * Docs "Connect": the server drops a connection with no data for 30 s; clients send the text
 * 'ping' (answered 'pong') at an interval below 30 s. Liquidations can be quiet for longer.
 */
const HEARTBEAT = { intervalMs: 20_000, message: 'ping' };

/** OKX documents no lifetime cap (it sends event "notice" 64008 before upgrades); reconnect daily anyway. */
const MAX_CONNECTION_MS = 24 * 60 * 60 * 1000;

/** Contract value per contract: base coin for linear swaps, USD for inverse (coin-margined) swaps. */
interface ContractSpec {
  value: number;
  inverse: boolean;
}

/**
 * Docs "Get instruments" (ctVal): BTC-USDT-SWAP 0.01 BTC, ETH-USDT-SWAP 0.1 ETH, SOL-USDT-SWAP 1 SOL,
 * BTC-USD-SWAP 100 USD. Instruments responses refresh and extend this table at run time.
 */
const contractSpecs = new Map<string, ContractSpec>([
  ['BTC-USDT-SWAP', { value: 0.01, inverse: false }],
  ['ETH-USDT-SWAP', { value: 0.1, inverse: false }],
  ['SOL-USDT-SWAP', { value: 1, inverse: false }],
  ['BTC-USD-SWAP', { value: 100, inverse: true }],
]);

/** A decimal OKX leaves as "" when it does not apply. */
const optionalDecimal = z
  .union([z.literal(''), decimal])
  .optional()
  .transform((value) => (value === '' ? undefined : value));

// Docs "Liquidation orders channel": side is the ORDER side, posSide the position (long/short in hedge mode, net in net mode),
// sz is in contracts for FUTURES/SWAP, bkPx is the bankruptcy price.
const liquidationDetail = z.object({
  side: z.enum(['buy', 'sell']),
  posSide: z.string().optional(),
  bkPx: positive,
  sz: positive,
  ts: epochMs,
});
const liquidationRow = z.object({
  instId: z.string().optional(),
  instFamily: z.string().optional(),
  uly: z.string().optional(),
  instType: z.string(),
  details: z.array(liquidationDetail),
});
const liquidationPush = z.object({ arg: z.object({ channel: z.literal('liquidation-orders') }), data: z.array(liquidationRow) });

/** Subscribe acks, errors and notices: {"event":"subscribe"|"error"|"notice"|"channel-conn-count", …}. */
const eventFrame = z.object({ event: z.string(), code: z.string().optional(), msg: z.string().optional() });

/** Every REST answer: code "0" on success, else an error code with msg (docs "Error Codes"). */
const restEnvelope = z.object({ code: z.string(), msg: z.string().optional(), data: z.array(z.unknown()) });

const fundingRow = z.object({
  instId: z.string(),
  fundingRate: decimal,
  fundingTime: epochMs,
  nextFundingTime: optionalDecimal,
  ts: epochMs,
});
const markRow = z.object({ instId: z.string(), markPx: positive, ts: epochMs });
const indexRow = z.object({ instId: z.string(), idxPx: positive, ts: epochMs });
const openInterestRow = z.object({
  instId: z.string(),
  oi: nonNegative,
  oiCcy: nonNegative,
  oiUsd: z.union([z.literal(''), nonNegative]).optional().transform((value) => (value === '' ? undefined : value)),
  ts: epochMs,
});
const tickerRow = z.object({ instId: z.string(), last: positive, volCcy24h: nonNegative, ts: epochMs });
const instrumentRow = z.object({
  instId: z.string(),
  ctType: z.string().optional(),
  // Pre-listing instruments send "" here until they go live (docs "Get instruments").
  ctVal: z.union([z.literal(''), positive]),
  ctMult: z.union([z.literal(''), positive]).optional(),
});

const HOUR_MS = 60 * 60 * 1000;

/** 'BTC-USDT-SWAP' → BTC, 'BTC-USDT' (index or family) → BTC. */
function assetOfInstrument(instId: string): string {
  return requireAsset('okx', normaliseAsset(instId.split('-')[0] ?? instId), instId);
}

function symbolFor(asset: string): string {
  return `${asset.toUpperCase()}-USDT-SWAP`;
}

function familyFor(asset: string): string {
  return `${asset.toUpperCase()}-USDT`;
}

/** Remember contract values from an instruments response; sz in liquidations is in contracts. */
function learnContracts(rows: ReadonlyArray<z.output<typeof instrumentRow>>): void {
  for (const row of rows) {
    if (row.ctVal === '') continue;
    const multiplier = row.ctMult === '' || row.ctMult === undefined ? 1 : row.ctMult;
    contractSpecs.set(row.instId, { value: row.ctVal * multiplier, inverse: row.ctType === 'inverse' });
  }
}

/** The REST rows may leave instId empty when asked by family; a swap's id is then `${family}-SWAP`. */
function instrumentOf(row: z.output<typeof liquidationRow>): string {
  if (row.instId) return row.instId;
  const family = row.instFamily || row.uly;
  if (family && row.instType === 'SWAP') return `${family}-SWAP`;
  throw new VenueDataError('okx', 'liquidation row names no instrument');
}

function toLiquidations(rows: ReadonlyArray<z.output<typeof liquidationRow>>): Liquidation[] {
  const out: Liquidation[] = [];
  for (const row of rows) {
    const symbol = instrumentOf(row);
    const spec = contractSpecs.get(symbol);
    // Without the contract value a size in contracts cannot be turned into coins; those rows are
    // skipped until an instruments response names the instrument (watched assets always have one).
    if (!spec) continue;
    for (const detail of row.details) out.push(detailLiquidation(symbol, assetOfInstrument(symbol), spec, detail));
  }
  return out;
}

/** One liquidation from a detail of a row, on either path; sizes are in contracts of `spec`. */
function detailLiquidation(symbol: string, asset: string, spec: ContractSpec, detail: z.output<typeof liquidationDetail>): Liquidation {
  // Linear: ctVal is in the base coin. Inverse: ctVal is USD face value (docs "Get instruments", ctValCcy).
  const notionalUsd = spec.inverse ? detail.sz * spec.value : detail.sz * spec.value * detail.bkPx;
  return {
    venue: 'okx',
    symbol,
    asset,
    side: positionSide(detail.posSide, detail.side),
    // OKX publishes only the bankruptcy price of the liquidation, not an average fill price.
    price: detail.bkPx,
    quantity: spec.inverse ? notionalUsd / detail.bkPx : detail.sz * spec.value,
    notionalUsd,
    time: detail.ts,
  };
}

/**
 * posSide long/short names the liquidated position (hedge mode). In net mode posSide is "net" and
 * the closing order side decides: a sell closes (liquidates) a long, a buy a short.
 */
function positionSide(posSide: string | undefined, side: 'buy' | 'sell'): 'long' | 'short' {
  if (posSide === 'long' || posSide === 'short') return posSide;
  return side === 'sell' ? 'long' : 'short';
}

function parseLiquidations(message: unknown): Liquidation[] {
  // The server's answer to our text 'ping'.
  if (message === 'pong') return [];
  if (!isObject(message)) throw new VenueDataError('okx', `frame is not an object: ${JSON.stringify(message)?.slice(0, 60)}`);
  if ('event' in message) return parseEvent(message);
  if ('arg' in message) {
    const channel = isObject(message.arg) ? message.arg.channel : undefined;
    // Other channels (tickers, mark-price) carry no liquidation.
    if (channel !== 'liquidation-orders') return [];
    return toLiquidations(parseWith('okx', 'liquidation-orders push', liquidationPush, message).data);
  }
  // A REST /api/v5/public/liquidation-orders response.
  const rows = restRows('liquidation-orders', message);
  return toLiquidations(parseWith('okx', 'liquidation-orders', z.array(liquidationRow), rows));
}

/** Acks, connection counts and upgrade notices carry nothing; an error event is surfaced. */
function parseEvent(message: Record<string, unknown>): Liquidation[] {
  const event = parseWith('okx', 'event', eventFrame, message);
  if (event.event === 'error') throw new VenueDataError('okx', `stream error ${event.code ?? ''}: ${event.msg ?? 'no message'}`);
  return [];
}

function restRows(what: string, body: unknown): unknown[] {
  const envelope = parseWith('okx', what, restEnvelope, body);
  if (envelope.code !== '0') throw new VenueDataError('okx', `${what} failed: code ${envelope.code} ${envelope.msg ?? ''}`.trim());
  return envelope.data;
}

/**
 * A liquidation-orders push as OKX sends it (live capture and docs: this key order, no spaces; `id`
 * echoes a subscribe request's id, in the docs example).
 * A row's instrument comes after its details, so details are captured whole and read second.
 */
const PUSH_HEAD = /\{(?:"id":"\w{1,32}",)?"arg":\{"channel":"liquidation-orders","instType":"[A-Z]{1,12}"\},"data":\[/y;
const PUSH_ROW = /\{"details":\[([^[\]]{1,65536})\],"instFamily":"[A-Z0-9-]{0,40}","instId":"([A-Z0-9-]{1,40})","instType":"[A-Z]{1,12}","uly":"[A-Z0-9-]{0,40}"\}/y;
const PUSH_DETAIL = new RegExp(
  String.raw`\{"bkLoss":"${DECIMAL_TEXT}","bkPx":"(${DECIMAL_TEXT})","ccy":"[A-Z0-9]{0,16}","posSide":"(long|short|net)","side":"(buy|sell)","sz":"(${DECIMAL_TEXT})","ts":"(\d{1,15})"\}`,
  'y',
);
const PUSH_TAIL = /\]\}$/y;

const cachedAssetOfInstrument = memoAsset(assetOfInstrument);

/** The fast path of `parseLiquidations` for a liquidation-orders push (see venues/parse.ts); null: take the zod path. Never throws. */
function fastLiquidations(text: string): Liquidation[] | null {
  if (matchHead(text, PUSH_HEAD) === null) return null;
  const out: Liquidation[] = [];
  const read = readRows(text, PUSH_HEAD.lastIndex, PUSH_ROW, PUSH_TAIL, (row) => {
    const symbol = row[2]!;
    const details = row[1]!;
    return readRows(details, 0, PUSH_DETAIL, TEXT_END, (detail) => {
      const price = positiveOrNaN(Number(detail[1]));
      const size = positiveOrNaN(Number(detail[4]));
      const time = epochMsOrNaN(Number(detail[5]));
      if (Number.isNaN(price + size + time)) return false;
      const spec = contractSpecs.get(symbol);
      // As on the zod path: no contract value, no conversion; the row is skipped.
      if (!spec) return true;
      const asset = cachedAssetOfInstrument(symbol);
      if (asset === null) return false;
      out.push(detailLiquidation(symbol, asset, spec, { bkPx: price, sz: size, ts: time, posSide: detail[2], side: detail[3] as 'buy' | 'sell' }));
      return true;
    });
  });
  return read ? out : null;
}

function openStream(): StreamSession {
  return {
    url: OKX_PUBLIC_STREAM_URL,
    // Docs "Liquidation orders channel": one subscription per instType; it pushes every SWAP contract.
    onOpen: () => [JSON.stringify({ op: 'subscribe', args: [{ channel: 'liquidation-orders', instType: 'SWAP' }] })],
    onMessage(text: string): StreamOutput {
      const liquidations = fastLiquidations(text) ?? parseLiquidations(text === 'pong' ? text : parseJsonFrame('okx', text));
      return liquidationsOnly(liquidations);
    },
    heartbeat: HEARTBEAT,
    maxConnectionMs: MAX_CONNECTION_MS,
  };
}

function pollRequests(watched: readonly string[]): RestRequest[] {
  return watched.flatMap((asset) => {
    const instId = symbolFor(asset);
    const family = familyFor(asset);
    return [
      { key: `funding:${instId}`, url: `${OKX_API}/api/v5/public/funding-rate?instId=${instId}` },
      { key: `mark:${instId}`, url: `${OKX_API}/api/v5/public/mark-price?instType=SWAP&instId=${instId}` },
      { key: `openInterest:${instId}`, url: `${OKX_API}/api/v5/public/open-interest?instType=SWAP&instId=${instId}` },
      { key: `index:${family}`, url: `${OKX_API}/api/v5/market/index-tickers?instId=${family}` },
      { key: `ticker:${instId}`, url: `${OKX_API}/api/v5/market/ticker?instId=${instId}` },
      { key: `instruments:${family}`, url: `${OKX_API}/api/v5/public/instruments?instType=SWAP&instFamily=${family}` },
      // Backfill: the most recent filled liquidations (last day, max 100). Overlaps the stream and earlier polls.
      { key: `liquidations:${family}`, url: `${OKX_API}/api/v5/public/liquidation-orders?instType=SWAP&instFamily=${family}&state=filled` },
    ];
  });
}

function parsePoll(key: string, body: unknown, watched: readonly string[]): StreamOutput {
  const kind = key.split(':')[0] ?? key;
  if (kind === 'liquidations') return { ...emptyOutput(), liquidations: parseLiquidations(body) };
  const rows = restRows(kind, body);
  if (kind === 'instruments') {
    learnContracts(parseWith('okx', 'instruments', z.array(instrumentRow), rows));
    return emptyOutput();
  }
  const wanted = new Set(watched.map(symbolFor));
  return { ...emptyOutput(), markets: marketUpdates(key, kind, rows).filter((update) => wanted.has(update.symbol)) };
}

/** One market update per row of a market-data response, keyed to the perpetual's instId. */
function marketUpdates(key: string, kind: string, rows: unknown[]): MarketUpdate[] {
  const base = (symbol: string, time: number) => ({ venue: 'okx' as const, symbol, asset: assetOfInstrument(symbol), time });
  switch (kind) {
    case 'funding':
      return parseWith('okx', kind, z.array(fundingRow), rows).map((row) => ({ ...base(row.instId, row.ts), ...fundingFigures(row) }));
    case 'mark':
      return parseWith('okx', kind, z.array(markRow), rows).map((row) => ({ ...base(row.instId, row.ts), markPrice: row.markPx }));
    case 'index':
      // The index of family BTC-USDT prices the BTC-USDT-SWAP perpetual.
      return parseWith('okx', kind, z.array(indexRow), rows).map((row) => ({ ...base(`${row.instId}-SWAP`, row.ts), indexPrice: row.idxPx }));
    case 'openInterest':
      return parseWith('okx', kind, z.array(openInterestRow), rows).map((row) => ({ ...base(row.instId, row.ts), ...openInterestFigures(row) }));
    case 'ticker':
      // Docs "Get ticker": for derivatives volCcy24h is in the base coin, so USD volume = volCcy24h × last.
      return parseWith('okx', kind, z.array(tickerRow), rows).map((row) => ({
        ...base(row.instId, row.ts),
        lastPrice: row.last,
        perpVolume24hUsd: row.volCcy24h * row.last,
      }));
    default:
      throw new VenueDataError('okx', `unknown poll key ${key}`);
  }
}

/**
 * fundingTime is the settlement of the current rate (the next funding), nextFundingTime the one
 * after. Docs "Get funding rate": the interval (8 h, or 6/4/2/1 h for volatile coins) is their difference.
 */
function fundingFigures(row: z.output<typeof fundingRow>): Partial<MarketUpdate> {
  const hours = row.nextFundingTime ? (row.nextFundingTime - row.fundingTime) / HOUR_MS : undefined;
  return {
    fundingRate: row.fundingRate,
    nextFundingTime: row.fundingTime,
    ...(hours !== undefined && hours >= 1 && hours <= 24 ? { fundingIntervalHours: Math.round(hours) } : {}),
  };
}

/** Docs "Get open interest": oi in contracts, oiCcy in coin, oiUsd in USD (older responses lack oiUsd). */
function openInterestFigures(row: z.output<typeof openInterestRow>): Partial<MarketUpdate> {
  return row.oiUsd !== undefined ? { openInterestUsd: row.oiUsd } : { openInterestBase: row.oiCcy };
}

export const okx: VenueAdapter = {
  id: 'okx',
  label: 'OKX swaps',
  // Docs "Liquidation orders channel": "each contract will only show a maximum of one order per one-second
  // period. This data doesn't represent the total number of liquidations on OKX."
  completeness: 'sampled',
  completenessNote: 'OKX publishes at most one liquidation per contract per second, so totals are lower bounds',
  symbolFor,
  parseLiquidations,
  fastLiquidations,
  openStream,
  pollRequests,
  parsePoll,
  rateBudget: {
    // OKX limits each endpoint separately. Per 30 s poll with 3 assets every endpoint gets 3 requests (6/min);
    // 42 requests/min in all over 7 endpoints. The tightest buckets are funding-rate and mark-price.
    requestsPerMinute: 6,
    limitPerMinute: 300,
    limitSource:
      'OKX v5 docs, "Get funding rate" / "Get mark price": 10 requests per 2 s (rule IP + instrument ID; counted here per IP). ' +
      'Others: open-interest, index-tickers, ticker, instruments 20/2 s; liquidation-orders 40/2 s.',
  },
};
