/**
 * OKX v5 perpetual swaps and dated futures (linear USDT/USDC-margined and inverse coin-margined).
 * Docs: https://www.okx.com/docs-v5/en/
 */
import { z } from '../core/zod';
import { marginTable, type MarginTable, type MarginTier } from '../core/margin';
import { VenueDataError, canonicalBase, type InstrumentSpec, type Liquidation, type MarketUpdate } from '../core/model';
import { derivatives, everyListedInstrument, findInstrument, instrumentsOf, liquidationOf, mainPerpetuals, valueFill } from './instruments';
import { decimal, emptyOutput, epochMs, isObject, liquidationOutput, nonNegative, parseJsonFrame, parseWith, positive, shortJson } from './parse';
import type { PastBarPart } from '../core/levels';
import type { HttpFailure, RestRequest, StreamOutput, StreamSession, VenueAdapter } from './types';

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

/** Docs "Get instruments": instType SWAP (perpetual swaps) and FUTURES (expiry futures) list every derivative contract. */
const INSTRUMENT_TYPES = { SWAP: 'perp', FUTURES: 'dated' } as const;
type InstrumentType = keyof typeof INSTRUMENT_TYPES;

/** Docs "Get index tickers": indices are quoted in USD, USDT, USDC (and BTC); one request per quote covers every index. */
const INDEX_QUOTES = ['USDT', 'USD', 'USDC'] as const;

/** Docs "Get liquidation orders": at most 100 records per request (the default); history covers the last day. */
const LIQUIDATION_PAGE = 100;

/** Docs "Rate Limits": a refused request answers code 50011; public limits are per IP over 2 s windows. Rest well beyond one window. */
const RATE_LIMIT_PAUSE_MS = 10_000;

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

/**
 * Docs "Get instruments": ctVal is the contract value in ctValCcy (the base coin for linear contracts,
 * USD for inverse ones), ctMult its multiplier; state is live | suspend | preopen | test
 * (pre-listing instruments send "" for ctVal until they go live).
 */
const instrumentRow = z.object({
  instId: z.string().min(1),
  instType: z.string(),
  instFamily: z.string().optional(),
  uly: z.string().optional(),
  ctType: z.string(),
  ctVal: z.union([z.literal(''), positive]),
  ctMult: z.union([z.literal(''), positive]).optional(),
  ctValCcy: z.string(),
  lever: z.string().optional(),
  state: z.string(),
});

const HOUR_MS = 60 * 60 * 1000;

/** 'BTC-USDT-SWAP' → BTC-USDT; 'BTC-USD-251226' → BTC-USD (docs: instId = family + '-SWAP' or family + '-' + expiry). */
function familyOf(instId: string): string {
  return instId.split('-').slice(0, 2).join('-');
}

function instrumentFrom(type: InstrumentType, row: z.output<typeof instrumentRow>): InstrumentSpec | null {
  // Only instruments trading now: pre-listing (preopen), suspended and test contracts are left out.
  if (row.state !== 'live' || row.ctVal === '') return null;
  const family = row.instFamily || row.uly || familyOf(row.instId);
  const baseCode = family.split('-')[0] ?? '';
  const base = canonicalBase(baseCode);
  // A family that names no asset code: the instrument is skipped.
  if (!base) return null;
  const { asset, priceScale } = base;
  const value = row.ctVal * (row.ctMult === '' || row.ctMult === undefined ? 1 : row.ctMult);
  let contract: InstrumentSpec['contract'];
  // Docs "Get instruments", ctValCcy: linear contracts are worth ctVal × ctMult of the base coin, inverse ones that many USD.
  if (row.ctType === 'linear' && row.ctValCcy.toUpperCase() === baseCode.toUpperCase()) contract = { type: 'linear', size: value };
  else if (row.ctType === 'inverse' && row.ctValCcy === 'USD') contract = { type: 'inverse', usd: value };
  // Any other combination cannot be valued in USD from the list alone; it is left out rather than guessed.
  else return null;
  const spec: InstrumentSpec = { venue: 'okx', symbol: row.instId, asset, kind: INSTRUMENT_TYPES[type], priceScale, contract };
  const leverage = row.lever ? Number(row.lever) : Number.NaN;
  if (Number.isFinite(leverage) && leverage > 0) spec.maxLeverage = leverage;
  return spec;
}

function instrumentRequests(): RestRequest[] {
  return (Object.keys(INSTRUMENT_TYPES) as InstrumentType[]).map((type) => ({ key: `instruments:${type}`, url: `${OKX_API}/api/v5/public/instruments?instType=${type}` }));
}

function parseInstruments(key: string, body: unknown): InstrumentSpec[] {
  const type = key.split(':')[1];
  if (type !== 'SWAP' && type !== 'FUTURES') throw new VenueDataError('okx', `unknown instruments key ${key}`);
  const rows = parseWith('okx', 'instruments', z.array(instrumentRow), restRows('instruments', body));
  return rows.flatMap((row) => instrumentFrom(type, row) ?? []);
}

/** The REST rows may leave instId empty when asked by family; a swap's id is then `${family}-SWAP`. */
function instrumentOf(row: z.output<typeof liquidationRow>): string | null {
  if (row.instId) return row.instId;
  const family = row.instFamily || row.uly;
  if (family && row.instType === 'SWAP') return `${family}-SWAP`;
  // A futures row without instId cannot say which expiry it was.
  if (family && row.instType === 'FUTURES') return null;
  throw new VenueDataError('okx', 'liquidation row names no instrument');
}

interface Valued {
  liquidations: Liquidation[];
  unknown: string[];
  /** Liquidation details read, valued or not (a history page holds at most LIQUIDATION_PAGE). */
  rows: number;
}

function toLiquidations(rows: ReadonlyArray<z.output<typeof liquidationRow>>, instruments: readonly InstrumentSpec[]): Valued {
  const out: Valued = { liquidations: [], unknown: [], rows: rows.reduce((n, row) => n + row.details.length, 0) };
  for (const row of rows) {
    const symbol = instrumentOf(row);
    if (symbol === null) continue;
    const spec = findInstrument(instruments, symbol);
    // Without the catalogue's contract value a size in contracts cannot be valued: skipped and reported.
    if (!spec) {
      if (!out.unknown.includes(symbol)) out.unknown.push(symbol);
      continue;
    }
    for (const detail of row.details) {
      // sz is in contracts; OKX publishes only the bankruptcy price of the liquidation, not an average fill price.
      out.liquidations.push(liquidationOf(spec, positionSide(detail.posSide, detail.side), valueFill(spec, detail.sz, detail.bkPx), detail.ts));
    }
  }
  return out;
}

/**
 * posSide long/short names the liquidated position (hedge mode). In net mode posSide is "net" and
 * the closing order side decides: a sell closes (liquidates) a long, a buy a short.
 */
function positionSide(posSide: string | undefined, side: 'buy' | 'sell'): 'long' | 'short' {
  if (posSide === 'long' || posSide === 'short') return posSide;
  return side === 'sell' ? 'long' : 'short';
}

function readLiquidations(message: unknown, instruments: readonly InstrumentSpec[]): Valued {
  // The server's answer to our text 'ping'.
  if (message === 'pong') return { liquidations: [], unknown: [], rows: 0 };
  if (!isObject(message)) throw new VenueDataError('okx', `frame is not an object: ${JSON.stringify(message)?.slice(0, 60)}`);
  if ('event' in message) {
    parseEvent(message);
    return { liquidations: [], unknown: [], rows: 0 };
  }
  if ('arg' in message) {
    const channel = isObject(message.arg) ? message.arg.channel : undefined;
    // Other channels (tickers, mark-price) carry no liquidation.
    if (channel !== 'liquidation-orders') return { liquidations: [], unknown: [], rows: 0 };
    return toLiquidations(parseWith('okx', 'liquidation-orders push', liquidationPush, message).data, instruments);
  }
  // A REST /api/v5/public/liquidation-orders response.
  const rows = restRows('liquidation-orders', message);
  return toLiquidations(parseWith('okx', 'liquidation-orders', z.array(liquidationRow), rows), instruments);
}

function parseLiquidations(message: unknown, instruments: readonly InstrumentSpec[]): Liquidation[] {
  return readLiquidations(message, instruments).liquidations;
}

/** Acks, connection counts and upgrade notices carry nothing; an error event is surfaced. */
function parseEvent(message: Record<string, unknown>): void {
  const event = parseWith('okx', 'event', eventFrame, message);
  if (event.event === 'error') throw new VenueDataError('okx', `stream error ${event.code ?? ''}: ${event.msg ?? 'no message'}`);
}

function restRows(what: string, body: unknown): unknown[] {
  const envelope = parseWith('okx', what, restEnvelope, body);
  if (envelope.code !== '0') throw new VenueDataError('okx', `${what} failed: code ${envelope.code} ${envelope.msg ?? ''}`.trim());
  return envelope.data;
}


function openStreams(_tracked: readonly string[], instruments: readonly InstrumentSpec[]): StreamSession[] {
  return [
    {
      url: OKX_PUBLIC_STREAM_URL,
      // Docs "Liquidation orders channel": one subscription per instType pushes every contract of that type;
      // SWAP and FUTURES are both derivatives whose liquidations count.
      onOpen: () => [JSON.stringify({ op: 'subscribe', args: (Object.keys(INSTRUMENT_TYPES) as InstrumentType[]).map((instType) => ({ channel: 'liquidation-orders', instType })) })],
      onMessage(text: string): StreamOutput {
        const { liquidations, unknown } = readLiquidations(text === 'pong' ? text : parseJsonFrame('okx', text), instruments);
        return liquidationOutput(liquidations, unknown);
      },
      heartbeat: HEARTBEAT,
      maxConnectionMs: MAX_CONNECTION_MS,
    },
  ];
}

function pollRequests(): RestRequest[] {
  return [
    // Docs "Get funding rate": instId ANY returns the funding rate of every swap.
    { key: 'funding', url: `${OKX_API}/api/v5/public/funding-rate?instId=ANY` },
    // Docs "Get mark price", "Get open interest", "Get tickers": without instId, every instrument of the instType.
    { key: 'mark', url: `${OKX_API}/api/v5/public/mark-price?instType=SWAP` },
    { key: 'openInterest', url: `${OKX_API}/api/v5/public/open-interest?instType=SWAP` },
    { key: 'tickers', url: `${OKX_API}/api/v5/market/tickers?instType=SWAP` },
    ...INDEX_QUOTES.map((quote) => ({ key: `index:${quote}`, url: `${OKX_API}/api/v5/market/index-tickers?quoteCcy=${quote}` })),
  ];
}

/**
 * The families of the tracked assets' swaps: the liquidation history is asked per family (docs "Get
 * liquidation orders": instFamily or uly required for SWAP). Futures are left to the stream: their
 * history also requires `alias` and answers rows without an instId, which cannot name the expiry.
 */
function trackedSwapFamilies(tracked: readonly string[], instruments: readonly InstrumentSpec[]): string[] {
  return [...new Set(instrumentsOf(instruments, tracked, 'perp').map((spec) => familyOf(spec.symbol)))];
}

function liquidationRequests(tracked: readonly string[], instruments: readonly InstrumentSpec[], window = ''): RestRequest[] {
  return trackedSwapFamilies(tracked, instruments).map((family) => ({
    key: `liquidations:SWAP:${family}`,
    url: `${OKX_API}/api/v5/public/liquidation-orders?instType=SWAP&instFamily=${family}&state=filled&limit=${LIQUIDATION_PAGE}${window}`,
  }));
}

/**
 * The level model's days 2–7 (issue 17) in 2 h bars, 84 of them, 7 days: "Get contract open interest history" gives
 * at most 100 rows a request (1 h bars would take two pages). Docs "Get candlesticks": bar `2H`, limit max 300
 * (85: the open candle and 84 closed), 40 requests / 2 s / IP. "Get contract open interest history": period `2H`,
 * limit max 100, 10 requests / 2 s / IP + instrument ID.
 */
const PAST_BAR = '2H';
const PAST_BAR_MS = 2 * 3_600_000;
const PAST_BARS = 84;

/**
 * Docs "Get candlesticks": each row [ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm], newest first; ts is the
 * candle's start, confirm "0" an uncompleted candle, "1" a completed one.
 */
const candleRow = z.tuple([epochMs, positive, positive, positive, positive, z.unknown(), z.unknown(), z.unknown(), z.enum(['0', '1'])]).rest(z.unknown());

/** Docs "Get contract open interest history": each row [ts, oi (contracts), oiCcy (coin), oiUsd (USD)]. */
const openInterestHistoryRow = z.tuple([epochMs, nonNegative, nonNegative, nonNegative]).rest(z.unknown());

/** The level model's deep backfill per tracked asset's main swap: 7 days of 2 h candles and of open interest, 2 requests. */
function levelHistoryRequests(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[] {
  const main = mainPerpetuals(instruments, usdtFirst);
  return tracked.flatMap((asset) => {
    const spec = main.get(asset);
    if (!spec) return [];
    return [
      { key: `pastCandles:${spec.symbol}`, url: `${OKX_API}/api/v5/market/candles?instId=${spec.symbol}&bar=${PAST_BAR}&limit=${PAST_BARS + 1}` },
      { key: `pastOpenInterest:${spec.symbol}`, url: `${OKX_API}/api/v5/rubik/stat/contracts/open-interest-history?instId=${spec.symbol}&period=${PAST_BAR}&limit=${PAST_BARS}` },
    ];
  });
}

/**
 * 2 h bars of one main swap for the level model, each completed candle at its end (where the open-interest history
 * stamps the OI: the engine joins them there), prices per coin (÷ priceScale). The candles carry no taker-buy
 * volume: the model splits new positions evenly. The answer names no instrument: the key does.
 */
function pastBarsOf(key: string, kind: string, body: unknown, instruments: readonly InstrumentSpec[]): PastBarPart[] {
  const symbol = key.slice(kind.length + 1);
  const listed = findInstrument(instruments, symbol);
  const spec = listed && mainPerpetuals(instruments, usdtFirst).get(listed.asset) === listed ? listed : undefined;
  const rows = restRows(kind, body);
  if (kind === 'pastOpenInterest') {
    const parsed = parseWith('okx', 'open interest history', z.array(openInterestHistoryRow), rows);
    // oiUsd in USD, one side of the book as "Get open interest" (the live poll) gives it.
    return spec ? parsed.map((row) => ({ venue: 'okx', symbol, asset: spec.asset, time: row[0], openInterestUsd: row[3] })) : [];
  }
  const candles = parseWith('okx', 'candles', z.array(candleRow), rows);
  if (!spec) return [];
  const scale = spec.priceScale;
  return candles
    .filter((row) => row[8] === '1')
    .map((row) => ({ venue: 'okx', symbol, asset: spec.asset, time: row[0] + PAST_BAR_MS, open: row[1] / scale, high: row[2] / scale, low: row[3] / scale, close: row[4] / scale }));
}

/** Docs "Get liquidation orders": the filled liquidations of the last day, newest first, 100 at most per family. */
function backfillRequests(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[] {
  return liquidationRequests(tracked, instruments);
}

/**
 * A stream gap: docs "Get liquidation orders", `before` returns records newer than a ts and `after`
 * records older than one. One page per family; a busier gap is only partly back-filled.
 */
function gapRequests(from: number, to: number, tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[] {
  return liquidationRequests(tracked, instruments, `&before=${Math.floor(from) - 1}&after=${Math.ceil(to) + 1}`);
}

function parsePoll(key: string, body: unknown, instruments: readonly InstrumentSpec[]): StreamOutput {
  const kind = key.split(':')[0] ?? key;
  if (kind === 'liquidations') {
    const { liquidations, unknown, rows } = readLiquidations(body, instruments);
    // A full page (the docs' limit) may leave older rows of the asked span out.
    return { ...liquidationOutput(liquidations, unknown), ...(rows >= LIQUIDATION_PAGE ? { truncated: true } : {}) };
  }
  if (kind === 'pastCandles' || kind === 'pastOpenInterest') return { ...emptyOutput(), pastBars: pastBarsOf(key, kind, body, instruments) };
  return { ...emptyOutput(), markets: marketUpdates(key, kind, restRows(kind, body), instruments) };
}

/** One market update per row of a market-data response whose instrument is a catalogued perpetual. */
function marketUpdates(key: string, kind: string, rows: unknown[], instruments: readonly InstrumentSpec[]): MarketUpdate[] {
  const out: MarketUpdate[] = [];
  // Dated futures never feed perpetual funding, OI or basis; rows of unlisted instruments are left out;
  // of BTC-USDT-SWAP, BTC-USD-SWAP and BTC-USDC-SWAP the USDT swap is BTC's figure.
  const main = mainPerpetuals(instruments, usdtFirst);
  const perp = (symbol: string) => {
    const spec = findInstrument(instruments, symbol);
    return spec !== undefined && main.get(spec.asset) === spec ? spec : undefined;
  };
  const base = (spec: InstrumentSpec, time: number): MarketUpdate => ({ venue: 'okx', symbol: spec.symbol, asset: spec.asset, kind: 'perp', time });
  switch (kind) {
    case 'funding':
      for (const row of parseWith('okx', kind, z.array(fundingRow), rows)) {
        const spec = perp(row.instId);
        if (spec) out.push({ ...base(spec, row.ts), ...fundingFigures(row) });
      }
      return out;
    case 'mark':
      for (const row of parseWith('okx', kind, z.array(markRow), rows)) {
        const spec = perp(row.instId);
        if (spec) out.push({ ...base(spec, row.ts), markPrice: row.markPx / spec.priceScale });
      }
      return out;
    case 'index':
      // The index of family BTC-USDT prices the BTC-USDT-SWAP perpetual.
      for (const row of parseWith('okx', kind, z.array(indexRow), rows)) {
        const spec = perp(`${row.instId}-SWAP`);
        if (spec) out.push({ ...base(spec, row.ts), indexPrice: row.idxPx / spec.priceScale });
      }
      return out;
    case 'openInterest':
      for (const row of parseWith('okx', kind, z.array(openInterestRow), rows)) {
        const spec = perp(row.instId);
        if (spec) out.push({ ...base(spec, row.ts), ...openInterestFigures(row, spec) });
      }
      return out;
    case 'tickers':
      // Docs "Get tickers": for derivatives volCcy24h is in the base coin, so USD volume = volCcy24h × last.
      for (const row of parseWith('okx', kind, z.array(tickerRow), rows)) {
        const spec = perp(row.instId);
        if (spec) out.push({ ...base(spec, row.ts), lastPrice: row.last / spec.priceScale, perpVolume24hUsd: row.volCcy24h * row.last });
      }
      return out;
    default:
      throw new VenueDataError('okx', `unknown poll key ${key}`);
  }
}

/** OKX's most traded swap of a coin is its USDT-margined one; the others follow. */
function usdtFirst(spec: InstrumentSpec): number {
  return spec.symbol.endsWith('-USDT-SWAP') ? 0 : 1;
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

/** Docs "Get open interest": oi in contracts, oiCcy in coin, oiUsd in USD (older responses lack oiUsd); one side of the book. */
function openInterestFigures(row: z.output<typeof openInterestRow>, spec: InstrumentSpec): Partial<MarketUpdate> {
  return row.oiUsd !== undefined ? { openInterestUsd: row.oiUsd } : { openInterestBase: row.oiCcy * spec.priceScale };
}

/**
 * Docs "Get position tiers" (GET /api/v5/public/position-tiers): per tier `maxSz` ("the maximum ... number of
 * positions held": contracts for SWAP), `mmr` ("Position maintenance margin requirement rate"), `maxLever`;
 * rows of a SWAP family name it in `instFamily`/`uly` and may leave `instId` empty.
 */
const positionTierRow = z.object({
  instId: z.string().optional(),
  instFamily: z.string().optional(),
  uly: z.string().optional(),
  tier: z.string(),
  maxSz: positive,
  mmr: nonNegative,
  maxLever: positive,
});

/** Docs "Get position tiers": `instFamily` takes "no more than 5" families, comma-separated. */
const TIER_FAMILIES_PER_REQUEST = 5;

/**
 * Docs "Get position tiers": instType SWAP requires `instFamily` and `tdMode` (cross or isolated). Cross is asked,
 * the mode most accounts trade in (whether isolated tiers ever differ is not documented; see docs/levels.md).
 * Once a day, ceil(tracked / 5) requests against "10 requests per 2 seconds" (IP).
 */
function marginTierRequests(tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[] {
  const main = mainPerpetuals(instruments, usdtFirst);
  const families = tracked.flatMap((asset) => {
    const spec = main.get(asset);
    return spec ? [familyOf(spec.symbol)] : [];
  });
  const requests: RestRequest[] = [];
  for (let i = 0; i < families.length; i += TIER_FAMILIES_PER_REQUEST) {
    const batch = families.slice(i, i + TIER_FAMILIES_PER_REQUEST).join(',');
    requests.push({ key: `positionTiers:${batch}`, url: `${OKX_API}/api/v5/public/position-tiers?instType=SWAP&tdMode=cross&instFamily=${batch}` });
  }
  return requests;
}

/**
 * One position-tiers answer → a table per catalogued swap. Sizes are contracts: a linear contract is ctVal × ctMult
 * coins (the catalogue's contract size, × priceScale for canonical coins), an inverse one that many USD. OKX charges
 * a tier's rate on the whole position (no deduction).
 */
function parseMarginTiers(key: string, body: unknown, instruments: readonly InstrumentSpec[]): MarginTable[] {
  if (!key.startsWith('positionTiers:')) throw new VenueDataError('okx', `unknown margin tier key ${key}`);
  const rows = parseWith('okx', 'position-tiers', z.array(positionTierRow), restRows('position-tiers', body));
  const bySymbol = new Map<string, MarginTier[]>();
  for (const row of rows) {
    const family = row.instFamily || row.uly;
    const symbol = row.instId || (family ? `${family}-SWAP` : '');
    const spec = findInstrument(instruments, symbol);
    if (!spec || spec.kind !== 'perp') continue;
    const contract = spec.contract;
    const size = contract.type === 'linear' ? contract.size * spec.priceScale : contract.type === 'inverse' ? contract.usd : null;
    if (size === null) continue;
    bySymbol.set(symbol, [...(bySymbol.get(symbol) ?? []), { maxNotional: row.maxSz * size, maintenanceMarginRate: row.mmr, maxLeverage: row.maxLever, maintenanceAmount: 0 }]);
  }
  return [...bySymbol].map(([symbol, tiers]) => {
    const spec = findInstrument(instruments, symbol)!;
    const table = marginTable('okx', symbol, spec.asset, spec.contract.type === 'inverse' ? 'usd' : 'base', tiers);
    if (!table) throw new VenueDataError('okx', `position tiers of ${symbol} are not a margin table`);
    return table;
  });
}

/** OKX's own refusals, read from the error envelope (docs "Error Codes", REST API, General Class). */
function classifyFailure(status: number, body: string): HttpFailure | null {
  const envelope = shortJson(body);
  const code = isObject(envelope) ? envelope.code : undefined;
  // Docs "Rate Limits": "the system returns error code 50011 (Rate limit reached…)", as HTTP 429 or 200.
  if (code === '50011') return { kind: 'rateLimited', reason: `rate limited: code 50011 (HTTP ${status})`, pauseMs: RATE_LIMIT_PAUSE_MS };
  // Docs "Error Codes": 50013 (HTTP 429) "Systems are busy. Please try again later."
  if (code === '50013') return { kind: 'rateLimited', reason: `systems busy: code 50013 (HTTP ${status})`, pauseMs: RATE_LIMIT_PAUSE_MS };
  // Docs "Error Codes": 50051 "Due to compliance restrictions in your country or region…", 50121 "You can't access our services through the IP address".
  if (code === '50051' || code === '50121') return { kind: 'blocked', reason: `blocked in your region: code ${code} (HTTP ${status}); other venues carry on`, pauseMs: null };
  return null;
}

export const okx: VenueAdapter = {
  id: 'okx',
  label: 'OKX swaps & futures',
  // Docs "Liquidation orders channel": "each contract will only show a maximum of one order per one-second
  // period. This data doesn't represent the total number of liquidations on OKX."
  completeness: 'sampled',
  completenessNote: 'OKX publishes at most one liquidation per contract per second, so totals are lower bounds',
  instrumentRequests,
  parseInstruments,
  parseLiquidations,
  openStreams,
  // The two instType channels cover every listed swap and future.
  coverage: everyListedInstrument,
  pollRequests,
  backfillRequests,
  levelHistoryRequests,
  gapRequests,
  // The history is asked per family of the tracked assets' swaps: a gap counts for those assets only.
  gapCoverage: 'tracked',
  parsePoll,
  classifyFailure,
  marginTierRequests,
  parseMarginTiers,
  rateBudget: {
    // Per 30 s poll: funding, mark, OI, tickers and 3 index requests, whatever the number of assets: 14/min,
    // compared against the tightest single endpoint limit (conservative: each endpoint has its own bucket).
    requestsPerMinute: 14,
    limitPerMinute: 300,
    limitSource:
      'OKX v5 docs, "Get funding rate" / "Get mark price": 10 requests per 2 s (rule IP + instrument ID; counted here per IP). ' +
      'Others: open-interest, index-tickers, tickers, instruments 20/2 s; liquidation-orders 40/2 s. ' +
      'One-off per tracked asset on install (levelHistoryRequests): candles 40/2 s, open-interest-history 10/2 s.',
  },
};
