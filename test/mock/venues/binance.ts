/**
 * Binance USD-M (fapi, fstream) and spot (api) in their real wire formats.
 * Rejects what the real venue rejects: unknown paths, missing/unknown symbols, streams on the
 * wrong routed path, malformed JSON requests on the socket.
 */
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../../src/core/scenario';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

const err = (status: number, code: number, msg: string): MockHttpResponse => ({ status, body: { code, msg } });
const fixed = (n: number, digits = 8) => n.toFixed(digits);
const assetOf = (symbol: string) => (symbol.endsWith('USDT') ? symbol.slice(0, -4) : null);

function premiumIndexRow(symbol: string, m: ScenarioMarketEvent, now: number) {
  return {
    symbol,
    markPrice: fixed(m.markPrice),
    indexPrice: fixed(m.indexPrice),
    estimatedSettlePrice: fixed(m.indexPrice),
    lastFundingRate: fixed(m.fundingRate8h),
    interestRate: '0.00010000',
    nextFundingTime: Math.ceil(now / 28_800_000) * 28_800_000,
    time: now,
  };
}

function tickerRow(symbol: string, m: ScenarioMarketEvent, quoteVolume: number, now: number) {
  return {
    symbol,
    priceChange: '0',
    priceChangePercent: '0',
    weightedAvgPrice: fixed(m.price),
    lastPrice: fixed(m.price),
    lastQty: '0.001',
    openPrice: fixed(m.price),
    highPrice: fixed(m.price),
    lowPrice: fixed(m.price),
    volume: fixed(quoteVolume / m.price, 3),
    quoteVolume: fixed(quoteVolume, 2),
    openTime: now - 86_400_000,
    closeTime: now,
    firstId: 1,
    lastId: 2,
    count: 2,
  };
}

function http(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.method !== 'GET') return err(405, -1000, 'Method not allowed');
  const symbolParam = req.query.get('symbol');
  const marketFor = (symbol: string) => {
    const asset = assetOf(symbol);
    return asset ? view.market(asset) : undefined;
  };
  if (req.host === 'fapi.binance.com') {
    switch (req.path) {
      case '/fapi/v1/premiumIndex': {
        if (symbolParam) {
          const m = marketFor(symbolParam);
          return m ? { status: 200, body: premiumIndexRow(symbolParam, m, view.now) } : err(400, -1121, 'Invalid symbol.');
        }
        const rows = view.assets().flatMap((asset) => {
          const m = view.market(asset);
          return m ? [premiumIndexRow(`${asset}USDT`, m, view.now)] : [];
        });
        return { status: 200, body: rows };
      }
      case '/futures/data/openInterestHist': {
        const period = req.query.get('period');
        if (!symbolParam || !period) return err(400, -1102, "Mandatory parameter 'symbol' or 'period' was not sent.");
        if (!['5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d'].includes(period)) return err(400, -1120, 'Invalid period.');
        const limit = Number(req.query.get('limit') ?? 30);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) return err(400, -1130, 'Invalid limit.');
        const m = marketFor(symbolParam);
        if (!m) return err(400, -1121, 'Invalid symbol.');
        return { status: 200, body: view.openInterestHistory(assetOf(symbolParam)!, 5 * 60_000, limit).map((p) => ({
          symbol: symbolParam, sumOpenInterest: fixed(p.openInterestUsd / p.markPrice, 8), sumOpenInterestValue: fixed(p.openInterestUsd, 8), timestamp: p.time,
        })) };
      }
      case '/fapi/v1/fundingInfo':
        return { status: 200, body: [] };
      case '/fapi/v1/openInterest': {
        if (!symbolParam) return err(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
        const m = marketFor(symbolParam);
        if (!m) return err(400, -1121, 'Invalid symbol.');
        return { status: 200, body: { openInterest: fixed(m.openInterestUsd / m.markPrice, 3), symbol: symbolParam, time: view.now } };
      }
      case '/fapi/v1/ticker/24hr': {
        if (!symbolParam) return err(400, -1102, "Mandatory parameter 'symbol' was not sent (this mock does not serve the weight-40 all-symbols form).");
        const m = marketFor(symbolParam);
        return m ? { status: 200, body: tickerRow(symbolParam, m, m.perpVolume24hUsd, view.now) } : err(400, -1121, 'Invalid symbol.');
      }
    }
  }
  if (req.host === 'api.binance.com' && req.path === '/api/v3/ticker/24hr') {
    const raw = req.query.get('symbols');
    let symbols: unknown;
    try {
      symbols = raw ? JSON.parse(raw) : undefined;
    } catch {
      return err(400, -1100, "Illegal characters found in parameter 'symbols'.");
    }
    if (!Array.isArray(symbols) || !symbols.every((s) => typeof s === 'string')) return err(400, -1102, "Parameter 'symbols' malformed.");
    const rows = [];
    for (const symbol of symbols as string[]) {
      const m = marketFor(symbol);
      if (!m) return err(400, -1121, 'Invalid symbol.');
      rows.push(tickerRow(symbol, m, m.spotVolume24hUsd, view.now));
    }
    return { status: 200, body: rows };
  }
  return err(404, -1, `Unknown path ${req.host}${req.path}`);
}

/** Streams of the /market tier (the liquidation stream lives there, not on /public or legacy /ws). */
function connect(host: string, pathAndQuery: string): MockWsConnection {
  if (host !== 'fstream.binance.com') throw new MockReject(`no WebSocket on ${host}`, undefined, 404);
  const url = new URL(pathAndQuery, 'wss://fstream.binance.com');
  let streams: string[];
  if (url.pathname.startsWith('/market/ws/')) streams = [decodeURIComponent(url.pathname.slice('/market/ws/'.length))];
  else if (url.pathname === '/market/stream') streams = (url.searchParams.get('streams') ?? '').split('/').filter(Boolean);
  else throw new MockReject(`${url.pathname} does not carry /market streams such as !forceOrder@arr`, undefined, 404);
  const combined = url.pathname === '/market/stream';
  const subscribed = new Set(streams);
  return {
    onMessage(text) {
      let request: { method?: unknown; id?: unknown; params?: unknown };
      try {
        request = JSON.parse(text);
      } catch {
        throw new MockReject('invalid JSON', JSON.stringify({ error: { code: 3, msg: 'Invalid JSON: expected value' } }));
      }
      if (typeof request.id !== 'number' && typeof request.id !== 'string') {
        throw new MockReject('missing id', JSON.stringify({ error: { code: 2, msg: "Invalid request: request ID must be an unsigned integer" } }));
      }
      if (request.method === 'LIST_SUBSCRIPTIONS') return [JSON.stringify({ result: [...subscribed], id: request.id })];
      if (request.method === 'SUBSCRIBE' && Array.isArray(request.params)) {
        for (const p of request.params) subscribed.add(String(p));
        return [JSON.stringify({ result: null, id: request.id })];
      }
      throw new MockReject('unknown method', JSON.stringify({ error: { code: 2, msg: `Invalid request: unknown method` }, id: request.id }));
    },
    liquidationFrames(event: ScenarioLiquidationEvent & { time: number }) {
      const symbol = `${event.asset}USDT`;
      const stream = subscribed.has('!forceOrder@arr') ? '!forceOrder@arr' : subscribed.has(`${symbol.toLowerCase()}@forceOrder`) ? `${symbol.toLowerCase()}@forceOrder` : null;
      if (!stream) return [];
      const qty = event.notionalUsd / event.price;
      const data = {
        e: 'forceOrder',
        E: event.time,
        o: {
          s: symbol,
          // Closing order side: a long is closed by a SELL.
          S: event.side === 'long' ? 'SELL' : 'BUY',
          o: 'LIMIT',
          f: 'IOC',
          q: qty.toFixed(8),
          p: event.price.toFixed(2),
          ap: event.price.toFixed(2),
          X: 'FILLED',
          l: qty.toFixed(8),
          z: qty.toFixed(8),
          T: event.time,
        },
      };
      return [JSON.stringify(combined ? { stream, data } : data)];
    },
  };
}

export const binanceMock: MockVenue = {
  id: 'binance',
  hosts: ['fapi.binance.com', 'fstream.binance.com', 'api.binance.com'],
  http,
  connect,
};
