/**
 * BitMEX REST (www.bitmex.com/api/v1) and realtime WebSocket (ws.bitmex.com/realtime) in their wire formats.
 * Lists the main perpetual of every asset (XBTUSD inverse for BTC: 1 contract = 1 USD; <ASSET>USDT linear
 * for the rest) plus BITMEX_EXTRA_INSTRUMENTS: XBTUSDT (linear), ETHUSD (quanto, 100 XBt per 1 USD of price)
 * and XBTH26 (inverse dated future), and one spot pair that is not a derivative. Rejects what BitMEX
 * rejects: unknown paths, bad `filter`/`columns` JSON, unknown WS ops/tables/symbols, and a symbol on the
 * `liquidation` topic (it takes none).
 */
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../../tools/replay/scenario';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

const HOUR = 3_600_000;
const SATOSHI = 1e-8;
const XBT_INDEX = '.BXBT';

/** Contracts per unit of the base asset for the mock's linear contracts (BitMEX's underlyingToPositionMultiplier). */
const LINEAR_CONTRACTS_PER_UNIT: Record<string, number> = { BTC: 1_000_000, ETH: 100_000, SOL: 10_000 };
const DEFAULT_CONTRACTS_PER_UNIT = 10_000;
/** ETHUSD quanto: 100 XBt per 1 USD of ETH price per contract (futuresGuide: "0.000001 XBT"). */
const QUANTO_MULTIPLIER = 100;

type Payout = 'inverse' | 'linear' | 'quanto';
interface MockInstrument {
  symbol: string;
  asset: string;
  payout: Payout;
  typ: 'FFWCSX' | 'FFCCSX';
  expiry?: string;
}

/** Instruments the mock lists besides each asset's main perpetual (e2e and tests use them by name). */
export const BITMEX_EXTRA_INSTRUMENTS: readonly MockInstrument[] = [
  { symbol: 'XBTUSDT', asset: 'BTC', payout: 'linear', typ: 'FFWCSX' },
  { symbol: 'ETHUSD', asset: 'ETH', payout: 'quanto', typ: 'FFWCSX' },
  { symbol: 'XBTH26', asset: 'BTC', payout: 'inverse', typ: 'FFCCSX', expiry: '2026-03-27T12:00:00.000Z' },
];
export const BITMEX_EXTRA_SYMBOLS = BITMEX_EXTRA_INSTRUMENTS.map((i) => i.symbol);

const bitmexCode = (asset: string) => (asset === 'BTC' ? 'XBT' : asset);
const mainPerpetual = (asset: string): MockInstrument =>
  asset === 'BTC' ? { symbol: 'XBTUSD', asset, payout: 'inverse', typ: 'FFWCSX' } : { symbol: `${asset}USDT`, asset, payout: 'linear', typ: 'FFWCSX' };
const contractsPerUnit = (asset: string) => LINEAR_CONTRACTS_PER_UNIT[asset] ?? DEFAULT_CONTRACTS_PER_UNIT;

/** Every listed derivative whose asset the scenario prices. */
function listed(view: MockMarketView): MockInstrument[] {
  const priced = view.assets().filter((asset) => view.market(asset));
  // A quanto contract is valued in XBT, so it needs BTC priced too.
  const listable = (i: MockInstrument) => priced.includes(i.asset) && (i.payout !== 'quanto' || priced.includes('BTC'));
  return [...priced.map(mainPerpetual), ...BITMEX_EXTRA_INSTRUMENTS.filter(listable)];
}

const httpError = (status: number, message: string): MockHttpResponse => ({ status, body: { error: { message, name: 'HTTPError' } } });
const wsError = (error: string, request: unknown) => JSON.stringify({ status: 400, error, meta: {}, request });

/** BitMEX funds at 04:00, 12:00 and 20:00 UTC. */
function nextFunding(now: number): number {
  return Math.ceil((now - 4 * HOUR) / (8 * HOUR)) * 8 * HOUR + 4 * HOUR;
}

/** USD value of one quanto contract at `price`, with XBT at `xbtUsd`. */
const quantoUsd = (price: number, xbtUsd: number) => QUANTO_MULTIPLIER * price * SATOSHI * xbtUsd;

function instrumentRow(instrument: MockInstrument, m: ScenarioMarketEvent, view: MockMarketView) {
  const now = view.now;
  const code = bitmexCode(instrument.asset);
  const perpetual = instrument.typ === 'FFWCSX';
  const common = {
    symbol: instrument.symbol,
    rootSymbol: code,
    state: 'Open',
    typ: instrument.typ,
    ...(instrument.expiry ? { expiry: instrument.expiry, settle: instrument.expiry } : {}),
    underlying: code,
    fundingTimestamp: perpetual ? new Date(nextFunding(now)).toISOString() : null,
    fundingInterval: perpetual ? '2000-01-01T08:00:00.000Z' : null,
    // Every interval is 8 h, so the 8 h rate is the interval's rate.
    fundingRate: perpetual ? m.fundingRate8h : null,
    indicativeFundingRate: perpetual ? m.fundingRate8h : null,
    lastPrice: m.price,
    markPrice: m.markPrice,
    indicativeSettlePrice: m.indexPrice,
    homeNotional24h: m.perpVolume24hUsd / m.price,
    foreignNotional24h: m.perpVolume24hUsd,
    timestamp: new Date(now).toISOString(),
  };
  if (instrument.payout === 'inverse') {
    return {
      ...common,
      positionCurrency: 'USD',
      quoteCurrency: 'USD',
      settlCurrency: 'XBt',
      isInverse: true,
      isQuanto: false,
      multiplier: -100_000_000,
      underlyingToSettleMultiplier: -100_000_000,
      lotSize: 100,
      // Inverse: contracts are USD; values are in satoshis.
      openInterest: Math.round(m.openInterestUsd),
      openValue: Math.round((m.openInterestUsd / m.markPrice) * 1e8),
      volume24h: Math.round(m.perpVolume24hUsd),
      turnover24h: Math.round((m.perpVolume24hUsd / m.price) * 1e8),
    };
  }
  if (instrument.payout === 'quanto') {
    // Quanto: contracts are worth multiplier × price satoshi; values are in satoshis, valued at XBTUSD's mark.
    const xbtUsd = view.market('BTC')!.markPrice;
    return {
      ...common,
      positionCurrency: 'USD',
      quoteCurrency: 'USD',
      settlCurrency: 'XBt',
      isInverse: false,
      isQuanto: true,
      multiplier: QUANTO_MULTIPLIER,
      underlyingToSettleMultiplier: null,
      underlyingToPositionMultiplier: null,
      lotSize: 1,
      openInterest: Math.round(m.openInterestUsd / quantoUsd(m.markPrice, xbtUsd)),
      openValue: Math.round((m.openInterestUsd / xbtUsd) * 1e8),
      volume24h: Math.round(m.perpVolume24hUsd / quantoUsd(m.price, xbtUsd)),
      turnover24h: Math.round((m.perpVolume24hUsd / xbtUsd) * 1e8),
    };
  }
  const perUnit = contractsPerUnit(instrument.asset);
  return {
    ...common,
    positionCurrency: code,
    quoteCurrency: 'USDT',
    settlCurrency: 'USDt',
    isInverse: false,
    isQuanto: false,
    multiplier: instrument.asset === 'BTC' ? 1 : 100,
    underlyingToPositionMultiplier: perUnit,
    underlyingToSettleMultiplier: null,
    quoteToSettleMultiplier: 1_000_000,
    lotSize: 1000,
    // Linear: contracts = base × underlyingToPositionMultiplier; values are in USDt (1e-6 USDT).
    openInterest: Math.round((m.openInterestUsd / m.markPrice) * perUnit),
    openValue: Math.round(m.openInterestUsd * 1e6),
    volume24h: Math.round((m.perpVolume24hUsd / m.price) * perUnit),
    turnover24h: Math.round(m.perpVolume24hUsd * 1e6),
  };
}

/** A spot pair, as /instrument/active lists them next to the derivatives (typ IFXXXP). */
function spotRow(m: ScenarioMarketEvent, now: number) {
  return { symbol: 'XBT_USDT', rootSymbol: 'XBT', state: 'Open', typ: 'IFXXXP', underlying: 'XBT', quoteCurrency: 'USDT', isInverse: false, isQuanto: false, multiplier: 1, lastPrice: m.price, timestamp: new Date(now).toISOString() };
}

function allRows(view: MockMarketView): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = listed(view).map((instrument) => instrumentRow(instrument, view.market(instrument.asset)!, view));
  const btc = view.market('BTC');
  if (btc) rows.push(spotRow(btc, view.now));
  return rows;
}

const FILTER_KEYS = ['symbol', 'state', 'typ', 'rootSymbol'];

/** GET /instrument: `symbol`, `filter` (column → value or values), `columns` (JSON array), `count`. */
function instrumentQuery(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  let filter: Record<string, unknown> = {};
  const rawFilter = req.query.get('filter');
  if (rawFilter !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawFilter);
    } catch {
      return httpError(400, 'Invalid filter: could not parse JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return httpError(400, 'Invalid filter: expected a JSON object');
    filter = parsed as Record<string, unknown>;
    const unknown = Object.keys(filter).filter((key) => !FILTER_KEYS.includes(key));
    if (unknown.length) return httpError(400, `Invalid column name: ${unknown[0]}`);
    for (const value of Object.values(filter)) {
      if (!(typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string')))) {
        return httpError(400, 'Invalid filter: values must be strings or arrays of strings');
      }
    }
  }
  const symbol = req.query.get('symbol');
  if (symbol) filter = { ...filter, symbol };
  let columns: string[] | null = null;
  const rawColumns = req.query.get('columns');
  if (rawColumns !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawColumns);
    } catch {
      return httpError(400, 'Invalid columns: could not parse JSON');
    }
    if (!Array.isArray(parsed) || !parsed.every((c) => typeof c === 'string')) return httpError(400, 'Invalid columns: expected an array of column names');
    columns = parsed as string[];
  }
  const rawCount = req.query.get('count');
  const count = rawCount === null ? 100 : Number(rawCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000) return httpError(400, 'count must be a positive integer');
  const rows = allRows(view)
    // Unknown values simply match no rows, as a table filter does.
    .filter((row) => Object.entries(filter).every(([key, value]) => [value].flat().includes(row[key] as string)))
    .slice(0, count)
    // The key (symbol) and timestamp are always returned.
    .map((row) => (columns ? Object.fromEntries(Object.entries(row).filter(([key]) => key === 'symbol' || key === 'timestamp' || columns.includes(key))) : row));
  return { status: 200, body: rows };
}

function http(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.host !== 'www.bitmex.com') return httpError(404, 'Not Found');
  if (req.method !== 'GET') return httpError(405, 'Method Not Allowed');
  if (req.path === '/api/v1/instrument/active') return { status: 200, body: allRows(view) };
  if (req.path === '/api/v1/instrument') return instrumentQuery(req, view);
  return httpError(404, 'Not Found');
}

const PUBLIC_TABLES = new Set([
  'announcement', 'chat', 'connected', 'funding', 'instrument', 'insurance', 'liquidation', 'orderBookL2',
  'orderBookL2_25', 'orderBook10', 'publicNotifications', 'quote', 'quoteBin1m', 'quoteBin5m', 'quoteBin1h',
  'quoteBin1d', 'settlement', 'trade', 'tradeBin1m', 'tradeBin5m', 'tradeBin1h', 'tradeBin1d',
]);
/** Topics that never take a `:SYMBOL` suffix. */
const NO_SYMBOL = new Set(['announcement', 'chat', 'connected', 'insurance', 'liquidation', 'publicNotifications']);

/** Validate one subscription topic; returns an error text for what BitMEX would refuse. */
function topicError(topic: unknown, view: MockMarketView): string | null {
  if (typeof topic !== 'string' || topic === '') return 'Subscription topics must be strings';
  const [table, symbol, ...rest] = topic.split(':');
  if (!table || !PUBLIC_TABLES.has(table) || rest.length) return `Unknown table: ${table}`;
  if (symbol === undefined) return null;
  if (NO_SYMBOL.has(table)) return `Table ${table} does not take a symbol filter`;
  // .BXBT is an index BitMEX always publishes, whatever the scenario prices.
  if (table === 'instrument' && symbol === XBT_INDEX) return null;
  return listed(view).some((i) => i.symbol === symbol) ? null : `Unknown or expired symbol ${symbol}`;
}

function liquidationPartial(): string {
  return JSON.stringify({
    table: 'liquidation',
    action: 'partial',
    keys: ['orderID'],
    types: { orderID: 'guid', symbol: 'symbol', side: 'symbol', price: 'float', leavesQty: 'long' },
    filter: {},
    data: [],
  });
}

/**
 * The .BXBT index row, as an `instrument` partial delivers it (indices carry their value as lastPrice);
 * a scenario without BTC prices gives an empty partial, as a subscription before the first value would.
 */
function indexPartial(view: MockMarketView): string {
  const btc = view.market('BTC');
  const data = btc ? [{ symbol: XBT_INDEX, rootSymbol: 'XBT', state: 'Unlisted', typ: 'MRCXXX', lastPrice: btc.indexPrice, markPrice: btc.indexPrice, timestamp: new Date(view.now).toISOString() }] : [];
  return JSON.stringify({ table: 'instrument', action: 'partial', keys: ['symbol'], filter: { symbol: XBT_INDEX }, data });
}

/** The event's size in the instrument's contracts. */
function contractsOf(instrument: MockInstrument, event: ScenarioLiquidationEvent, view: MockMarketView): number {
  // Inverse contracts are USD face value.
  if (instrument.payout === 'inverse') return Math.round(event.notionalUsd);
  // Quanto contracts are worth multiplier × price satoshi, at the .BXBT index.
  if (instrument.payout === 'quanto') return Math.round(event.notionalUsd / quantoUsd(event.price, view.market('BTC')!.indexPrice));
  // Linear contracts are base units × underlyingToPositionMultiplier.
  return Math.round((event.notionalUsd / event.price) * contractsPerUnit(instrument.asset));
}

function connect(host: string, pathAndQuery: string): MockWsConnection {
  if (host !== 'ws.bitmex.com') throw new MockReject(`no WebSocket on ${host}`, undefined, 404);
  const url = new URL(pathAndQuery, 'wss://ws.bitmex.com');
  if (url.pathname !== '/realtime') throw new MockReject(`${url.pathname} is not a BitMEX realtime endpoint`, undefined, 404);
  const subscribed = new Set<string>((url.searchParams.get('subscribe') ?? '').split(',').filter(Boolean));
  for (const topic of subscribed) {
    const [table, symbol] = topic.split(':');
    if (!table || !PUBLIC_TABLES.has(table) || (symbol !== undefined && NO_SYMBOL.has(table))) {
      throw new MockReject(`bad subscribe topic ${topic} in the connection string`, undefined, 400);
    }
  }
  return {
    onMessage(text, view) {
      if (text === 'ping') return ['pong'];
      let request: { op?: unknown; args?: unknown };
      try {
        request = JSON.parse(text);
      } catch {
        throw new MockReject('not JSON', wsError("Unrecognized request. See the docs or send 'help' for more details.", text));
      }
      if (request.op !== 'subscribe' && request.op !== 'unsubscribe') {
        throw new MockReject('unknown op', wsError(`Unknown or unsupported operation: ${String(request.op)}`, request));
      }
      // A single topic may be sent bare; several go in an array.
      const topics = Array.isArray(request.args) ? request.args : [request.args];
      if (!topics.length) throw new MockReject('no topics', wsError('No subscription topics given', request));
      const replies: string[] = [];
      for (const topic of topics) {
        const error = topicError(topic, view);
        if (error) throw new MockReject(error, wsError(error, request));
        const name = topic as string;
        if (request.op === 'unsubscribe') {
          subscribed.delete(name);
          replies.push(JSON.stringify({ success: true, unsubscribe: name, request }));
          continue;
        }
        subscribed.add(name);
        replies.push(JSON.stringify({ success: true, subscribe: name, request }));
        if (name === 'liquidation') replies.push(liquidationPartial());
        if (name === `instrument:${XBT_INDEX}`) replies.push(indexPartial(view));
      }
      return replies;
    },
    liquidationFrames(event: ScenarioLiquidationEvent & { time: number }, view: MockMarketView) {
      if (!subscribed.has('liquidation')) return [];
      const symbol = event.symbol ?? mainPerpetual(event.asset).symbol;
      const instrument = listed(view).find((i) => i.symbol === symbol && i.asset === event.asset);
      if (!instrument) throw new Error(`bitmex mock lists no ${symbol} for ${event.asset}`);
      const leavesQty = contractsOf(instrument, event, view);
      orderCounter += 1;
      const orderID = `00000000-0000-0000-0000-${String(orderCounter).padStart(12, '0')}`;
      const row = {
        orderID,
        symbol,
        // The liquidation ORDER's side: a long is closed by a Sell.
        side: event.side === 'long' ? 'Sell' : 'Buy',
        price: event.price,
        leavesQty,
      };
      // BitMEX inserts the order, updates it as it fills, then deletes it; only the insert is the liquidation.
      return [
        JSON.stringify({ table: 'liquidation', action: 'insert', data: [row] }),
        JSON.stringify({ table: 'liquidation', action: 'update', data: [{ orderID, symbol, leavesQty: Math.floor(leavesQty / 2) }] }),
        JSON.stringify({ table: 'liquidation', action: 'delete', data: [{ orderID, symbol }] }),
      ];
    },
  };
}

/** BitMEX order ids are unique GUIDs; a counter keeps them unique in the mock. */
let orderCounter = 0;

export const bitmexMock: MockVenue = {
  id: 'bitmex',
  hosts: ['www.bitmex.com', 'ws.bitmex.com'],
  http,
  connect,
};
