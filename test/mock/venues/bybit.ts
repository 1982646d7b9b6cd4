/**
 * Bybit v5 (api.bybit.com REST, stream.bybit.com public WS) in its real wire formats.
 * Like the real venue: business errors are HTTP 200 with a non-zero retCode, unknown paths 404,
 * subscriptions to unknown topics/symbols are refused with success:false, and a connection's
 * args may not exceed 21,000 characters.
 */
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../../tools/replay/scenario';
import { mockCandles, mockSettlements } from '../history';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

const CONN_ID = 'd1e2a3b4-mock-4c5d-bybit-000000000001';
const fixed = (n: number, digits = 8) => n.toFixed(digits);
const EIGHT_HOURS = 8 * 60 * 60 * 1000;
/** Docs "WebSocket Connect → Public channel - Args limits". */
const MAX_ARGS_CHARS = 21_000;

type Category = 'linear' | 'inverse';
type ContractType = 'LinearPerpetual' | 'LinearFutures' | 'InversePerpetual' | 'InverseFutures';

export interface BybitMockInstrument {
  symbol: string;
  /** The scenario asset whose market prices it. */
  asset: string;
  category: Category;
  contractType: ContractType;
  /** Bybit's baseCoin: '1000PEPE' for 1000PEPEUSDT. */
  baseCoin: string;
  quoteCoin: string;
  /** Coins per quoted unit (1000 for 1000PEPEUSDT). */
  scale: number;
  /** Dated futures: delivery time (ms). */
  deliveryTime?: number;
}

/** Assets Bybit lists only in multiples: their main perpetual is 1000<COIN>USDT. */
const SCALED: Record<string, number> = { PEPE: 1000 };

/** Fixed instruments beside each asset's main perpetual (e2e can send liquidations for them by `symbol`). */
export const BYBIT_MOCK_EXTRA_INSTRUMENTS: readonly BybitMockInstrument[] = [
  { symbol: 'BTCUSD', asset: 'BTC', category: 'inverse', contractType: 'InversePerpetual', baseCoin: 'BTC', quoteCoin: 'USD', scale: 1 },
  { symbol: 'BTCUSDT-26DEC25', asset: 'BTC', category: 'linear', contractType: 'LinearFutures', baseCoin: 'BTC', quoteCoin: 'USDT', scale: 1, deliveryTime: 1766736000000 },
  { symbol: '1000PEPEUSDT', asset: 'PEPE', category: 'linear', contractType: 'LinearPerpetual', baseCoin: '1000PEPE', quoteCoin: 'USDT', scale: 1000 },
];

function mainPerpetual(asset: string): BybitMockInstrument {
  const scale = SCALED[asset] ?? 1;
  const baseCoin = scale === 1 ? asset : `${scale}${asset}`;
  return { symbol: `${baseCoin}USDT`, asset, category: 'linear', contractType: 'LinearPerpetual', baseCoin, quoteCoin: 'USDT', scale };
}

/** The mock's instrument list: every scenario asset's main perpetual plus the fixed extras. */
export function bybitMockInstruments(view: MockMarketView): BybitMockInstrument[] {
  const out = new Map<string, BybitMockInstrument>();
  for (const asset of view.assets()) out.set(mainPerpetual(asset).symbol, mainPerpetual(asset));
  for (const extra of BYBIT_MOCK_EXTRA_INSTRUMENTS) out.set(extra.symbol, extra);
  return [...out.values()];
}

function retError(code: number, msg: string, now: number): MockHttpResponse {
  return { status: 200, body: { retCode: code, retMsg: msg, result: {}, retExtInfo: {}, time: now } };
}

function ok(result: unknown, now: number): MockHttpResponse {
  return { status: 200, body: { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: now } };
}

/** Docs "Get Tickers" (linear/inverse); `m.openInterestUsd` is the one-sided open interest. */
function derivTicker(inst: BybitMockInstrument, m: ScenarioMarketEvent, now: number) {
  const q = (price: number) => fixed(price * inst.scale, inst.scale === 1 ? 2 : 7);
  const dated = inst.contractType.endsWith('Futures');
  const inverse = inst.category === 'inverse';
  const markQuoted = m.markPrice * inst.scale;
  // Linear: size in quoted units, value in USDT. Inverse: size in 1-USD contracts, value in coin.
  const singleSize = inverse ? Math.round(m.openInterestUsd) : m.openInterestUsd / markQuoted;
  const singleValue = inverse ? m.openInterestUsd / m.markPrice : m.openInterestUsd;
  return {
    symbol: inst.symbol,
    lastPrice: q(m.price),
    indexPrice: q(m.indexPrice),
    markPrice: q(m.markPrice),
    prevPrice24h: q(m.price),
    price24hPcnt: '0',
    highPrice24h: q(m.price),
    lowPrice24h: q(m.price),
    prevPrice1h: q(m.price),
    openInterest: fixed(singleSize * 2, 3),
    openInterestValue: fixed(singleValue * 2, 4),
    singleOpenInterest: fixed(singleSize, 3),
    singleOpenInterestValue: fixed(singleValue, 4),
    turnover24h: inverse ? fixed(m.perpVolume24hUsd / m.price, 4) : fixed(m.perpVolume24hUsd, 4),
    volume24h: inverse ? fixed(m.perpVolume24hUsd, 4) : fixed(m.perpVolume24hUsd / (m.price * inst.scale), 4),
    fundingRate: dated ? '' : fixed(m.fundingRate8h, 6),
    nextFundingTime: dated ? '0' : String(Math.ceil(now / EIGHT_HOURS) * EIGHT_HOURS),
    predictedDeliveryPrice: '',
    basisRate: dated ? '0.001' : '',
    deliveryFeeRate: dated ? '0.0005' : '',
    deliveryTime: String(inst.deliveryTime ?? 0),
    ask1Size: '1',
    bid1Price: q(m.price),
    ask1Price: q(m.price),
    bid1Size: '1',
    basis: dated ? '10' : '',
    preOpenPrice: '',
    preQty: '',
    curPreListingPhase: '',
    fundingIntervalHour: dated ? '' : '8',
    basisRateYear: dated ? '0.01' : '',
    fundingCap: dated ? '' : '0.005',
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

/** Docs "Get Instruments Info" (linear/inverse). */
function instrumentInfo(inst: BybitMockInstrument) {
  const dated = inst.contractType.endsWith('Futures');
  return {
    symbol: inst.symbol,
    contractType: inst.contractType,
    status: 'Trading',
    baseCoin: inst.baseCoin,
    quoteCoin: inst.quoteCoin,
    launchTime: '1585526400000',
    deliveryTime: String(inst.deliveryTime ?? 0),
    deliveryFeeRate: dated ? '0.0005' : '',
    // Decimal places of the price, not a multiple.
    priceScale: inst.scale === 1 ? '2' : '7',
    leverageFilter: { minLeverage: '1', maxLeverage: inst.category === 'inverse' ? '100.00' : '50.00', leverageStep: '0.01' },
    priceFilter: { minPrice: '0.10', maxPrice: '1999999.80', tickSize: '0.10' },
    lotSizeFilter: { maxOrderQty: '1190.000', minOrderQty: '0.001', qtyStep: '0.001', postOnlyMaxOrderQty: '1190.000', maxMktOrderQty: '500.000', minNotionalValue: '5' },
    unifiedMarginTrade: true,
    // Minutes, as the real endpoint sends it; 0 for dated futures.
    fundingInterval: dated ? 0 : 480,
    settleCoin: inst.category === 'inverse' ? inst.baseCoin : inst.quoteCoin,
    copyTrading: 'both',
    upperFundingRate: '0.00375',
    lowerFundingRate: '-0.00375',
    isPreListing: false,
    preListingInfo: null,
    riskParameters: { priceLimitRatioX: '0.01', priceLimitRatioY: '0.02' },
    symbolType: '',
  };
}

/** Docs "Get Kline": interval enum `1`,`3`,`5`,`15`,`30`,`60`,`120`,`240`,`360`,`720` (minutes), `D`, `W`; `M` is not served. */
const KLINE_MINUTES: Record<string, number> = { 1: 1, 3: 3, 5: 5, 15: 15, 30: 30, 60: 60, 120: 120, 240: 240, 360: 360, 720: 720, D: 1440, W: 10080 };
const OPEN_INTEREST_MINUTES: Record<string, number> = { '5min': 5, '15min': 15, '30min': 30, '1h': 60, '4h': 240, '1d': 1440 };
/** Every mock perpetual settles funding every 8 h (instruments-info fundingInterval 480). */
const FUNDING_HOURS = 8;

/** The listed derivative a history request names, in its category; a retCode answer when there is none. */
function historyInstrument(req: MockHttpRequest, view: MockMarketView, listed: BybitMockInstrument[]): BybitMockInstrument | MockHttpResponse {
  const category = req.query.get('category');
  const symbol = req.query.get('symbol');
  if (category !== 'linear' && category !== 'inverse') return retError(10001, 'Illegal category', view.now);
  if (!symbol) return retError(10001, 'params error: symbol is required', view.now);
  const inst = listed.find((i) => i.category === category && i.symbol === symbol);
  return inst && view.market(inst.asset) ? inst : retError(10001, 'Not supported symbols', view.now);
}

/**
 * Risk limits as Bybit lists them (test/fixtures/bybit-risk-limit-linear-rest.json, -inverse-rest-docs.json):
 * linear limits and deductions in USDT, inverse ones in coin; the same three tiers for every symbol of a category.
 */
const RISK_LIMITS: Record<Category, ReadonlyArray<[limit: string, mm: string, im: string, lev: string, deduction: string]>> = {
  linear: [
    ['2000000', '0.005', '0.01', '100.00', ''],
    ['2600000', '0.0056', '0.0111', '90.00', '1200'],
    ['3200000', '0.0062', '0.0122', '81.96', '2760'],
  ],
  inverse: [
    ['150', '0.005', '0.01', '100.00', ''],
    ['300', '0.01', '0.015', '66.67', '0.75'],
    ['450', '0.015', '0.02', '50.00', '2.25'],
  ],
};

function riskLimitRows(inst: BybitMockInstrument) {
  return RISK_LIMITS[inst.category].map(([riskLimitValue, maintenanceMargin, initialMargin, maxLeverage, mmDeduction], i) => ({
    id: i + 1,
    symbol: inst.symbol,
    riskLimitValue,
    maintenanceMargin,
    initialMargin,
    isLowestRisk: i === 0 ? 1 : 0,
    maxLeverage,
    mmDeduction,
  }));
}

/** A limit parameter within [1, max], `fallback` when absent; null when out of range. */
function limitParam(req: MockHttpRequest, max: number, fallback: number): number | null {
  const raw = req.query.get('limit');
  if (raw === null) return fallback;
  return /^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= max ? Number(raw) : null;
}

function http(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.host !== 'api.bybit.com') return { status: 404, body: 'Not Found' };
  if (req.method !== 'GET') return { status: 404, body: 'Not Found' };
  const category = req.query.get('category');
  const symbol = req.query.get('symbol');
  const listed = bybitMockInstruments(view);
  switch (req.path) {
    case '/v5/market/tickers': {
      if (category !== 'linear' && category !== 'spot' && category !== 'inverse') return retError(10001, 'Illegal category', view.now);
      if (category === 'spot') {
        const rows = view.assets().flatMap((asset) => {
          const m = view.market(asset);
          return m && (!symbol || symbol === `${asset}USDT`) ? [spotTicker(`${asset}USDT`, m)] : [];
        });
        if (symbol && rows.length === 0) return retError(10001, 'Not supported symbols', view.now);
        return ok({ category, list: rows }, view.now);
      }
      const instruments = listed.filter((i) => i.category === category && (!symbol || i.symbol === symbol));
      if (symbol && instruments.length === 0) return retError(10001, 'Not supported symbols', view.now);
      const rows = instruments.flatMap((inst) => {
        const m = view.market(inst.asset);
        return m ? [derivTicker(inst, m, view.now)] : [];
      });
      return ok({ category, list: rows }, view.now);
    }
    case '/v5/market/kline': {
      const inst = historyInstrument(req, view, listed);
      if ('status' in inst) return inst;
      const minutes = KLINE_MINUTES[req.query.get('interval') ?? ''];
      if (minutes === undefined) return retError(10001, 'params error: invalid interval', view.now);
      // Docs "Get Kline": limit [1, 200], default 200 (the API explorer says at most 1000; the mock takes the larger).
      const limit = limitParam(req, 1000, 200);
      if (limit === null) return retError(10001, 'params error: limit', view.now);
      const periodMs = minutes * 60_000;
      const q = (price: number) => fixed(price * inst.scale, inst.scale === 1 ? 2 : 7);
      // Newest first ("sort in reverse by startTime"); [startTime, open, high, low, close, volume, turnover], all strings.
      const rows = mockCandles(view, inst.asset, periodMs, limit).reverse().map((c) => [String(c.start), q(c.close), q(c.close), q(c.close), q(c.close), '0', '0']);
      return ok({ symbol: inst.symbol, category: inst.category, list: rows }, view.now);
    }
    case '/v5/market/open-interest': {
      const inst = historyInstrument(req, view, listed);
      if ('status' in inst) return inst;
      // Docs "Get Open Interest": intervalTime 5min, 15min, 30min, 1h, 4h, 1d; limit [1, 200], default 50; newest first.
      const minutes = OPEN_INTEREST_MINUTES[req.query.get('intervalTime') ?? ''];
      if (minutes === undefined) return retError(10001, 'params error: invalid intervalTime', view.now);
      const limit = limitParam(req, 200, 50);
      if (limit === null) return retError(10001, 'params error: limit', view.now);
      // openInterest both sides, singleOpenInterest one side: linear in the symbol's base units, inverse in USD.
      const rows = view.marketHistory(inst.asset, minutes * 60_000, limit).reverse().map((p) => {
        const single = inst.category === 'inverse' ? p.openInterestUsd : p.openInterestUsd / (p.markPrice * inst.scale);
        return { openInterest: fixed(2 * single, 8), singleOpenInterest: fixed(single, 8), timestamp: String(p.time) };
      });
      return ok({ symbol: inst.symbol, category: inst.category, list: rows, nextPageCursor: '' }, view.now);
    }
    case '/v5/market/funding/history': {
      const inst = historyInstrument(req, view, listed);
      if ('status' in inst) return inst;
      // Docs: covers perpetuals only; "passing only startTime returns an error"; limit [1, 200], default 200.
      if (!inst.contractType.endsWith('Perpetual')) return retError(10001, 'Not supported symbols', view.now);
      if (req.query.has('startTime') && !req.query.has('endTime')) return retError(10001, 'params error: endTime is required with startTime', view.now);
      const limit = limitParam(req, 200, 200);
      if (limit === null) return retError(10001, 'params error: limit', view.now);
      const rows = mockSettlements(view, inst.asset, FUNDING_HOURS, limit)
        .reverse()
        .map((s) => ({ symbol: inst.symbol, fundingRate: fixed(s.rate, 6), fundingRateTimestamp: String(s.time) }));
      return ok({ category: inst.category, list: rows }, view.now);
    }
    case '/v5/market/risk-limit': {
      // Docs "Get Risk Limit": category linear or inverse; without symbol, the first page of every symbol's limits.
      if (category !== 'linear' && category !== 'inverse') return retError(10001, 'Illegal category', view.now);
      const instruments = listed.filter((i) => i.category === category && (!symbol || i.symbol === symbol));
      if (symbol && instruments.length === 0) return retError(10001, 'Not supported symbols', view.now);
      return ok({ category, list: instruments.flatMap(riskLimitRows), nextPageCursor: '' }, view.now);
    }
    case '/v5/market/instruments-info': {
      if (category !== 'linear' && category !== 'spot' && category !== 'inverse' && category !== 'option') return retError(10001, 'Illegal category', view.now);
      if (category !== 'linear' && category !== 'inverse') return retError(10001, 'params error: this mock serves category=linear and inverse only', view.now);
      const limit = req.query.get('limit');
      // Docs "Get Instruments Info": limit [1, 1000], default 500.
      if (limit !== null && !(/^\d+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 1000)) return retError(10001, 'params error: limit', view.now);
      if (req.query.get('cursor')) return retError(10001, 'params error: cursor (this mock lists one page)', view.now);
      const instruments = listed.filter((i) => i.category === category && (!symbol || i.symbol === symbol));
      if (symbol && instruments.length === 0) return retError(10001, 'Not supported symbols', view.now);
      return ok({ category, list: instruments.map(instrumentInfo), nextPageCursor: '' }, view.now);
    }
  }
  return { status: 404, body: 'Not Found' };
}

/** Public linear and inverse streams carry allLiquidation; spot and option do not. */
function connect(host: string, pathAndQuery: string): MockWsConnection {
  if (host !== 'stream.bybit.com') throw new MockReject(`no WebSocket on ${host}`, undefined, 404);
  const path = new URL(pathAndQuery, 'wss://stream.bybit.com').pathname;
  const category: Category | null = path === '/v5/public/linear' ? 'linear' : path === '/v5/public/inverse' ? 'inverse' : null;
  if (!category) throw new MockReject(`${path} is not a Bybit public stream with liquidations`, undefined, 404);
  const subscribed = new Set<string>();
  let argsChars = 0;

  const reply = (fields: Record<string, unknown>) => JSON.stringify({ conn_id: CONN_ID, req_id: '', ...fields });

  function subscribe(request: { args?: unknown; req_id?: unknown }, view: MockMarketView): string[] {
    const args = request.args;
    if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === 'string')) {
      throw new MockReject('args must be a non-empty array of topic strings', reply({ success: false, ret_msg: 'error:args is invalid', op: 'subscribe' }));
    }
    const listed = new Set(bybitMockInstruments(view).filter((i) => i.category === category).map((i) => i.symbol));
    for (const topic of args as string[]) {
      const match = /^(allLiquidation|tickers|publicTrade)\.([A-Z0-9-]+)$/.exec(topic);
      if (!match) throw new MockReject(`unknown topic ${topic}`, reply({ success: false, ret_msg: `error:handler not found,topic:${topic}`, op: 'subscribe' }));
      if (!listed.has(match[2]!)) {
        throw new MockReject(`unknown symbol in ${topic}`, reply({ success: false, ret_msg: `Invalid symbol :[${topic}]`, op: 'subscribe' }));
      }
    }
    argsChars += JSON.stringify(args).length;
    if (argsChars > MAX_ARGS_CHARS) {
      throw new MockReject(`args over ${MAX_ARGS_CHARS} characters on one connection`, reply({ success: false, ret_msg: 'args length exceeds the limit', op: 'subscribe' }));
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
    liquidationFrames(event: ScenarioLiquidationEvent & { time: number }, view) {
      const instrument = event.symbol
        ? bybitMockInstruments(view).find((i) => i.symbol === event.symbol)
        : mainPerpetual(event.asset);
      if (!instrument || instrument.category !== category) return [];
      const topic = `allLiquidation.${instrument.symbol}`;
      if (!subscribed.has(topic)) return [];
      // Linear size is in quoted units (1000 PEPE for 1000PEPEUSDT) at the price per quoted unit;
      // inverse size is the count of 1-USD contracts. p is the bankruptcy price.
      const quotedPrice = event.price * instrument.scale;
      const row = {
        T: event.time,
        s: instrument.symbol,
        // Position side: "Buy" = a long position was liquidated.
        S: event.side === 'long' ? 'Buy' : 'Sell',
        v: category === 'inverse' ? String(Math.round(event.notionalUsd)) : fixed(event.notionalUsd / quotedPrice),
        p: instrument.scale === 1 ? fixed(quotedPrice, 2) : fixed(quotedPrice, 7),
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
