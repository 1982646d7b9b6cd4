/**
 * Bybit v5 (api.bybit.com REST, stream.bybit.com public WS) in its real wire formats.
 * Like the real venue: business errors are HTTP 200 with a non-zero retCode, unknown paths 404,
 * subscriptions to unknown topics/symbols are refused with success:false.
 */
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../../src/core/scenario';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

const CONN_ID = 'd1e2a3b4-mock-4c5d-bybit-000000000001';
const fixed = (n: number, digits = 8) => n.toFixed(digits);
const EIGHT_HOURS = 8 * 60 * 60 * 1000;

function retError(code: number, msg: string, now: number): MockHttpResponse {
  return { status: 200, body: { retCode: code, retMsg: msg, result: {}, retExtInfo: {}, time: now } };
}

function ok(result: unknown, now: number): MockHttpResponse {
  return { status: 200, body: { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: now } };
}

/** 'BTCUSDT' → BTC (linear/spot), 'BTCUSD' → BTC (inverse). */
function assetOf(symbol: string, category: string): string | null {
  const quote = category === 'inverse' ? 'USD' : 'USDT';
  return symbol.endsWith(quote) && symbol.length > quote.length ? symbol.slice(0, -quote.length) : null;
}

function linearTicker(symbol: string, m: ScenarioMarketEvent, now: number) {
  return {
    symbol,
    lastPrice: fixed(m.price, 2),
    indexPrice: fixed(m.indexPrice, 2),
    markPrice: fixed(m.markPrice, 2),
    prevPrice24h: fixed(m.price, 2),
    price24hPcnt: '0',
    highPrice24h: fixed(m.price, 2),
    lowPrice24h: fixed(m.price, 2),
    prevPrice1h: fixed(m.price, 2),
    openInterest: fixed(m.openInterestUsd / m.markPrice, 3),
    openInterestValue: fixed(m.openInterestUsd, 2),
    turnover24h: fixed(m.perpVolume24hUsd, 4),
    volume24h: fixed(m.perpVolume24hUsd / m.price, 4),
    fundingRate: fixed(m.fundingRate8h, 6),
    nextFundingTime: String(Math.ceil(now / EIGHT_HOURS) * EIGHT_HOURS),
    predictedDeliveryPrice: '',
    basisRate: '',
    deliveryFeeRate: '',
    deliveryTime: '0',
    ask1Size: '1',
    bid1Price: fixed(m.price, 2),
    ask1Price: fixed(m.price, 2),
    bid1Size: '1',
    basis: '',
    fundingIntervalHour: '8',
    fundingCap: '0.005',
  };
}

function spotTicker(symbol: string, m: ScenarioMarketEvent) {
  return {
    symbol,
    bid1Price: fixed(m.price, 2),
    bid1Size: '1',
    ask1Price: fixed(m.price, 2),
    ask1Size: '1',
    lastPrice: fixed(m.price, 2),
    prevPrice24h: fixed(m.price, 2),
    price24hPcnt: '0',
    highPrice24h: fixed(m.price, 2),
    lowPrice24h: fixed(m.price, 2),
    turnover24h: fixed(m.spotVolume24hUsd, 8),
    volume24h: fixed(m.spotVolume24hUsd / m.price, 6),
    usdIndexPrice: fixed(m.indexPrice, 8),
  };
}

function instrument(symbol: string, asset: string) {
  return {
    symbol,
    contractType: 'LinearPerpetual',
    status: 'Trading',
    baseCoin: asset,
    quoteCoin: 'USDT',
    settleCoin: 'USDT',
    // Minutes, as the real endpoint sends it.
    fundingInterval: 480,
    priceScale: '2',
    lotSizeFilter: { minOrderQty: '0.001', qtyStep: '0.001', maxOrderQty: '1190.000' },
  };
}

function http(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.host !== 'api.bybit.com') return { status: 404, body: 'Not Found' };
  if (req.method !== 'GET') return { status: 404, body: 'Not Found' };
  const category = req.query.get('category');
  const symbol = req.query.get('symbol');
  const marketOf = (cat: string) => {
    const asset = symbol ? assetOf(symbol, cat) : null;
    return asset ? { asset, m: view.market(asset) } : null;
  };
  switch (req.path) {
    case '/v5/market/tickers': {
      if (category !== 'linear' && category !== 'spot' && category !== 'inverse') return retError(10001, 'Illegal category', view.now);
      // This mock serves only the per-symbol form, which is what the adapter asks for.
      if (!symbol) return retError(10001, 'params error: symbol is required by this mock', view.now);
      const found = marketOf(category);
      if (!found?.m || category === 'inverse') return retError(10001, 'Not supported symbols', view.now);
      const list = category === 'spot' ? [spotTicker(symbol, found.m)] : [linearTicker(symbol, found.m, view.now)];
      return ok({ category, list }, view.now);
    }
    case '/v5/market/instruments-info': {
      if (category !== 'linear' && category !== 'spot' && category !== 'inverse' && category !== 'option') return retError(10001, 'Illegal category', view.now);
      if (category !== 'linear') return retError(10001, 'params error: this mock serves category=linear only', view.now);
      const found = marketOf('linear');
      if (symbol && !found?.m) return retError(10001, 'Not supported symbols', view.now);
      const symbols = symbol ? [symbol] : view.assets().map((a) => `${a}USDT`);
      return ok({ category, list: symbols.map((s) => instrument(s, assetOf(s, 'linear') ?? s)), nextPageCursor: '' }, view.now);
    }
  }
  return { status: 404, body: 'Not Found' };
}

/** Public linear and inverse streams carry allLiquidation; spot and option do not. */
function connect(host: string, pathAndQuery: string): MockWsConnection {
  if (host !== 'stream.bybit.com') throw new MockReject(`no WebSocket on ${host}`, undefined, 404);
  const path = new URL(pathAndQuery, 'wss://stream.bybit.com').pathname;
  const category = path === '/v5/public/linear' ? 'linear' : path === '/v5/public/inverse' ? 'inverse' : null;
  if (!category) throw new MockReject(`${path} is not a Bybit public stream with liquidations`, undefined, 404);
  const subscribed = new Set<string>();

  const reply = (fields: Record<string, unknown>) => JSON.stringify({ conn_id: CONN_ID, req_id: '', ...fields });

  function subscribe(request: { args?: unknown; req_id?: unknown }, view: MockMarketView): string[] {
    const args = request.args;
    if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === 'string')) {
      throw new MockReject('args must be a non-empty array of topic strings', reply({ success: false, ret_msg: 'error:args is invalid', op: 'subscribe' }));
    }
    for (const topic of args as string[]) {
      const match = /^(allLiquidation|tickers|publicTrade)\.([A-Z0-9]+)$/.exec(topic);
      if (!match) throw new MockReject(`unknown topic ${topic}`, reply({ success: false, ret_msg: `error:handler not found,topic:${topic}`, op: 'subscribe' }));
      const asset = assetOf(match[2] ?? '', category!);
      if (!asset || !view.assets().includes(asset)) {
        throw new MockReject(`unknown symbol in ${topic}`, reply({ success: false, ret_msg: `Invalid symbol :[${topic}]`, op: 'subscribe' }));
      }
    }
    for (const topic of args as string[]) subscribed.add(topic);
    return [reply({ success: true, ret_msg: 'subscribe', op: 'subscribe', req_id: typeof request.req_id === 'string' ? request.req_id : '' })];
  }

  return {
    onMessage(text, view) {
      let request: { op?: unknown; args?: unknown; req_id?: unknown };
      try {
        request = JSON.parse(text);
      } catch {
        throw new MockReject('invalid JSON', reply({ success: false, ret_msg: 'error:request not in JSON format', op: '' }));
      }
      if (request.op === 'ping') return [reply({ success: true, ret_msg: 'pong', op: 'ping' })];
      if (request.op === 'subscribe') return subscribe(request, view);
      throw new MockReject(`unsupported op ${String(request.op)}`, reply({ success: false, ret_msg: `error:unsupported op ${String(request.op)}`, op: String(request.op ?? '') }));
    },
    liquidationFrames(event: ScenarioLiquidationEvent & { time: number }) {
      const symbol = category === 'inverse' ? `${event.asset}USD` : `${event.asset}USDT`;
      const topic = `allLiquidation.${symbol}`;
      if (!subscribed.has(topic)) return [];
      // Linear size is base coin; inverse size is the count of 1-USD contracts.
      const size = category === 'inverse' ? Math.round(event.notionalUsd) : event.notionalUsd / event.price;
      const row = {
        T: event.time,
        s: symbol,
        // Position side: "Buy" = a long position was liquidated.
        S: event.side === 'long' ? 'Buy' : 'Sell',
        v: category === 'inverse' ? String(size) : fixed(size),
        p: fixed(event.price, 2),
      };
      return [JSON.stringify({ topic, type: 'snapshot', ts: event.time, data: [row] })];
    },
  };
}

export const bybitMock: MockVenue = {
  id: 'bybit',
  hosts: ['api.bybit.com', 'stream.bybit.com'],
  http,
  connect,
};
