/**
 * BitMEX REST (www.bitmex.com/api/v1) and realtime WebSocket (ws.bitmex.com/realtime) in their wire formats.
 * XBTUSD is inverse (1 contract = 1 USD); other assets trade as linear <ASSET>USDT contracts whose size
 * the /instrument rows announce. Rejects what BitMEX rejects: unknown paths, bad `filter` JSON, unknown
 * WS ops/tables/symbols, and a symbol on the `liquidation` topic (it takes none).
 */
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../../src/core/scenario';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

const HOUR = 3_600_000;

/** Contracts per unit of the base asset for the mock's linear contracts (BitMEX's underlyingToPositionMultiplier). */
const LINEAR_CONTRACTS_PER_UNIT: Record<string, number> = { ETH: 100_000, SOL: 10_000 };
const DEFAULT_CONTRACTS_PER_UNIT = 10_000;

const symbolOf = (asset: string) => (asset === 'BTC' ? 'XBTUSD' : `${asset}USDT`);
const contractsPerUnit = (asset: string) => LINEAR_CONTRACTS_PER_UNIT[asset] ?? DEFAULT_CONTRACTS_PER_UNIT;

function assetOf(symbol: string, view: MockMarketView): string | undefined {
  return view.assets().find((asset) => symbolOf(asset) === symbol);
}

const httpError = (status: number, message: string): MockHttpResponse => ({ status, body: { error: { message, name: 'HTTPError' } } });
const wsError = (error: string, request: unknown) => JSON.stringify({ status: 400, error, meta: {}, request });

/** BitMEX funds at 04:00, 12:00 and 20:00 UTC. */
function nextFunding(now: number): number {
  return Math.ceil((now - 4 * HOUR) / (8 * HOUR)) * 8 * HOUR + 4 * HOUR;
}

function instrumentRow(asset: string, m: ScenarioMarketEvent, now: number) {
  const common = {
    symbol: symbolOf(asset),
    rootSymbol: asset === 'BTC' ? 'XBT' : asset,
    state: 'Open',
    typ: 'FFWCSX',
    underlying: asset === 'BTC' ? 'XBT' : asset,
    fundingTimestamp: new Date(nextFunding(now)).toISOString(),
    fundingInterval: '2000-01-01T08:00:00.000Z',
    // Every interval is 8 h, so the 8 h rate is the interval's rate.
    fundingRate: m.fundingRate8h,
    indicativeFundingRate: m.fundingRate8h,
    lastPrice: m.price,
    markPrice: m.markPrice,
    indicativeSettlePrice: m.indexPrice,
    homeNotional24h: m.perpVolume24hUsd / m.price,
    foreignNotional24h: m.perpVolume24hUsd,
    timestamp: new Date(now).toISOString(),
  };
  if (asset === 'BTC') {
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
  const perUnit = contractsPerUnit(asset);
  return {
    ...common,
    positionCurrency: asset,
    quoteCurrency: 'USDT',
    settlCurrency: 'USDt',
    isInverse: false,
    isQuanto: false,
    multiplier: 100,
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

/** Symbols named by `symbol=` or by the `filter` JSON ({"symbol": "X"} or {"symbol": ["X", "Y"]}); null = all. */
function requestedSymbols(req: MockHttpRequest): string[] | null | MockHttpResponse {
  const symbol = req.query.get('symbol');
  const rawFilter = req.query.get('filter');
  let filter: unknown = {};
  if (rawFilter !== null) {
    try {
      filter = JSON.parse(rawFilter);
    } catch {
      return httpError(400, 'Invalid filter: could not parse JSON');
    }
    if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return httpError(400, 'Invalid filter: expected a JSON object');
    const unknown = Object.keys(filter).filter((key) => !['symbol', 'state', 'typ', 'rootSymbol'].includes(key));
    if (unknown.length) return httpError(400, `Invalid column name: ${unknown[0]}`);
  }
  const fromFilter = (filter as { symbol?: unknown }).symbol;
  if (fromFilter !== undefined && !(typeof fromFilter === 'string' || (Array.isArray(fromFilter) && fromFilter.every((s) => typeof s === 'string')))) {
    return httpError(400, 'Invalid filter: symbol must be a string or an array of strings');
  }
  const names = [...(symbol ? [symbol] : []), ...(fromFilter === undefined ? [] : [fromFilter].flat())];
  return names.length ? names : null;
}

function http(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.host !== 'www.bitmex.com') return httpError(404, 'Not Found');
  if (req.path !== '/api/v1/instrument') return httpError(404, 'Not Found');
  if (req.method !== 'GET') return httpError(405, 'Method Not Allowed');
  const symbols = requestedSymbols(req);
  if (symbols !== null && !Array.isArray(symbols)) return symbols;
  const rows = view.assets().flatMap((asset) => {
    const m = view.market(asset);
    // Unknown symbols simply match no rows, as a table filter does.
    return m && (symbols === null || symbols.includes(symbolOf(asset))) ? [instrumentRow(asset, m, view.now)] : [];
  });
  return { status: 200, body: rows };
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
  return assetOf(symbol, view) ? null : `Unknown or expired symbol ${symbol}`;
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
      }
      return replies;
    },
    liquidationFrames(event: ScenarioLiquidationEvent & { time: number }) {
      if (!subscribed.has('liquidation')) return [];
      const symbol = symbolOf(event.asset);
      // Inverse XBTUSD contracts are USD; linear contracts are base units × underlyingToPositionMultiplier.
      const leavesQty =
        event.asset === 'BTC' ? Math.round(event.notionalUsd) : Math.round((event.notionalUsd / event.price) * contractsPerUnit(event.asset));
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
