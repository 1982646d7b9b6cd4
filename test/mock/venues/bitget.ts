/**
 * Bitget v2 mix REST (api.bitget.com) and the UTA v3 public WebSocket (ws.bitget.com/v3/ws/public)
 * in their wire formats. Rejects what Bitget rejects: unknown paths, missing symbol/productType,
 * unknown symbols, and subscribe requests that do not follow {op, args: [{instType, topic, symbol?}]}.
 */
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../../tools/replay/scenario';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

const PRODUCT_TYPES = ['USDT-FUTURES', 'COIN-FUTURES', 'USDC-FUTURES'];
const INST_TYPES = ['spot', 'usdt-futures', 'coin-futures', 'usdc-futures'];
/** v3 public topics; all but `liquidation` are per symbol. */
const TOPICS = ['ticker', 'kline', 'books', 'books1', 'books5', 'books50', 'publicTrade', 'liquidation'];

const ok = (data: unknown, now: number): MockHttpResponse => ({ status: 200, body: { code: '00000', msg: 'success', requestTime: now, data } });
const err = (status: number, code: string, msg: string, now: number): MockHttpResponse => ({ status, body: { code, msg, requestTime: now, data: null } });
const fixed = (n: number, digits = 8) => n.toFixed(digits);
/** Prices with enough decimals that OI × mark reproduces the scenario's USD figure. */
const px = (n: number) => fixed(n, 6);

/**
 * USDT-M perpetuals listed whatever the scenario holds (both appear in the live liquidation capture
 * bitget-liquidation-ws-v3-tardis.json); liquidations of them count though nobody tracks them.
 */
export const BITGET_MOCK_EXTRA_INSTRUMENTS: ReadonlyArray<{ symbol: string; baseCoin: string; asset: string }> = [
  { symbol: 'APEUSDT', baseCoin: 'APE', asset: 'APE' },
  { symbol: 'IPUSDT', baseCoin: 'IP', asset: 'IP' },
];

/** Every USDT-M perpetual listed for this view: each asset's `<asset>USDT` plus the extras. */
function instruments(view: MockMarketView): Array<{ symbol: string; baseCoin: string; asset: string }> {
  const mains = view.assets().map((asset) => ({ symbol: `${asset}USDT`, baseCoin: asset, asset }));
  return [...mains, ...BITGET_MOCK_EXTRA_INSTRUMENTS.filter((extra) => !mains.some((main) => main.symbol === extra.symbol))];
}

function assetOf(symbol: string, view: MockMarketView): string | undefined {
  return instruments(view).find((instrument) => instrument.symbol === symbol)?.asset;
}

function contractRow(instrument: { symbol: string; baseCoin: string }) {
  return {
    symbol: instrument.symbol,
    baseCoin: instrument.baseCoin,
    quoteCoin: 'USDT',
    buyLimitPriceRatio: '0.05',
    sellLimitPriceRatio: '0.05',
    feeRateUpRatio: '0.005',
    makerFeeRate: '0.0002',
    takerFeeRate: '0.0006',
    openCostUpRatio: '0.01',
    supportMarginCoins: ['USDT'],
    minTradeNum: '0.001',
    priceEndStep: '1',
    volumePlace: '3',
    pricePlace: '6',
    sizeMultiplier: '0.001',
    symbolType: 'perpetual',
    minTradeUSDT: '5',
    maxSymbolOrderNum: '200',
    maxProductOrderNum: '400',
    maxPositionNum: '150',
    symbolStatus: 'normal',
    offTime: '-1',
    limitOpenTime: '-1',
    deliveryTime: '',
    deliveryStartTime: '',
    deliveryPeriod: '',
    launchTime: '',
    fundInterval: '8',
    minLever: '1',
    maxLever: '125',
    posLimit: '0.1',
    maintainTime: '',
    maxMarketOrderQty: '1000',
    maxOrderQty: '10000',
    isRwa: 'NO',
  };
}

function tickerRow(asset: string, m: ScenarioMarketEvent, now: number) {
  return {
    symbol: `${asset}USDT`,
    lastPr: px(m.price),
    askPr: px(m.price),
    bidPr: px(m.price),
    bidSz: '1.5',
    askSz: '2.5',
    high24h: px(m.price),
    low24h: px(m.price),
    ts: String(now),
    change24h: '0',
    baseVolume: fixed(m.perpVolume24hUsd / m.price, 4),
    quoteVolume: fixed(m.perpVolume24hUsd, 2),
    usdtVolume: fixed(m.perpVolume24hUsd, 2),
    openUtc: px(m.price),
    changeUtc24h: '0',
    indexPrice: px(m.indexPrice),
    // Every USDT-M perpetual here funds every 8 h, so the 8 h rate is the period's rate.
    fundingRate: fixed(m.fundingRate8h),
    holdingAmount: fixed(m.openInterestUsd / m.markPrice, 4),
    deliveryStartTime: null,
    deliveryTime: null,
    deliveryStatus: '',
    open24h: px(m.price),
    markPrice: px(m.markPrice),
  };
}

/** Position tiers in USDT, as the docs' example lists BTCUSDT's; the same for every symbol. */
const POSITION_TIERS: ReadonlyArray<[startUnit: string, endUnit: string, leverage: string, keepMarginRate: string]> = [
  ['0', '50000', '125', '0.004'],
  ['50000', '200000', '100', '0.005'],
  ['200000', '1000000', '50', '0.01'],
];

function http(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  const now = view.now;
  if (req.host !== 'api.bitget.com' || !req.path.startsWith('/api/v2/mix/market/')) return err(404, '40404', 'Request URL NOT FOUND', now);
  if (req.method !== 'GET') return err(405, '40404', 'Request method not supported', now);
  const productType = req.query.get('productType');
  if (!productType) return err(400, '400172', 'productType cannot be empty', now);
  // Bitget accepts the product type in either case ('usdt-futures' in its own examples).
  if (!PRODUCT_TYPES.includes(productType.toUpperCase())) return err(400, '40020', 'Parameter productType error', now);
  const usdtM = productType.toUpperCase() === 'USDT-FUTURES';
  const endpoint = req.path.slice('/api/v2/mix/market/'.length);
  if (endpoint === 'tickers') {
    const rows = usdtM ? view.assets().flatMap((asset) => { const m = view.market(asset); return m ? [tickerRow(asset, m, now)] : []; }) : [];
    return ok(rows, now);
  }
  if (endpoint === 'contracts') {
    const symbol = req.query.get('symbol');
    const rows = usdtM ? instruments(view).filter((i) => symbol === null || i.symbol === symbol) : [];
    if (symbol !== null && rows.length === 0) return err(400, '40034', `Parameter ${symbol} does not exist`, now);
    return ok(rows.map(contractRow), now);
  }
  if (endpoint === 'current-fund-rate') {
    const symbol = req.query.get('symbol');
    // Every USDT-M perpetual here funds every 8 h, so the 8 h rate is the period's rate.
    const rows = usdtM ? view.assets().flatMap((asset) => {
      const m = view.market(asset);
      return m && (symbol === null || symbol === `${asset}USDT`)
        ? [{ symbol: `${asset}USDT`, fundingRate: fixed(m.fundingRate8h), fundingRateInterval: '8', nextUpdate: String(Math.ceil(now / 28_800_000) * 28_800_000), minFundingRate: '-0.003', maxFundingRate: '0.003' }]
        : [];
    }) : [];
    if (symbol !== null && rows.length === 0) return err(400, '40034', `Parameter ${symbol} does not exist`, now);
    return ok(rows, now);
  }
  if (endpoint === 'query-position-lever') {
    // Get Position Tier: symbol and productType both required (test/fixtures/bitget-mix-query-position-lever-rest-docs.json).
    const symbol = req.query.get('symbol');
    if (!symbol) return err(400, '400172', 'symbol cannot be empty', now);
    if (!usdtM || !assetOf(symbol, view)) return err(400, '40034', `Parameter ${symbol} does not exist`, now);
    return ok(POSITION_TIERS.map(([startUnit, endUnit, leverage, keepMarginRate], i) => ({ symbol, level: String(i + 1), startUnit, endUnit, leverage, keepMarginRate })), now);
  }
  if (endpoint !== 'funding-time' && endpoint !== 'open-interest') return err(404, '40404', 'Request URL NOT FOUND', now);
  const symbol = req.query.get('symbol');
  if (!symbol) return err(400, '400172', 'symbol cannot be empty', now);
  const asset = usdtM ? assetOf(symbol, view) : undefined;
  const m = asset ? view.market(asset) : undefined;
  if (!m) return err(400, '40034', `Parameter ${symbol} does not exist`, now);
  if (endpoint === 'funding-time') {
    return ok([{ symbol, nextFundingTime: String(Math.ceil(now / 28_800_000) * 28_800_000), ratePeriod: '8' }], now);
  }
  // Open interest in the base coin.
  return ok({ openInterestList: [{ symbol, size: fixed(m.openInterestUsd / m.markPrice, 4) }], ts: String(now) }, now);
}

interface SubscribeArg {
  instType?: unknown;
  topic?: unknown;
  symbol?: unknown;
}

/** What Bitget would refuse in one subscribe arg, or null. */
function argError(arg: SubscribeArg, view: MockMarketView): string | null {
  if (typeof arg !== 'object' || arg === null) return 'args must be objects';
  if (typeof arg.instType !== 'string' || !INST_TYPES.includes(arg.instType)) return `instType:${String(arg.instType)} doesn't exist`;
  if (typeof arg.topic !== 'string' || !TOPICS.includes(arg.topic)) return `topic:${String(arg.topic)} doesn't exist`;
  if (arg.topic === 'liquidation') return arg.instType === 'spot' ? 'liquidation is only for futures' : null;
  if (typeof arg.symbol !== 'string' || !assetOf(arg.symbol, view)) return `symbol:${String(arg.symbol)} doesn't exist`;
  return null;
}

function connect(host: string, pathAndQuery: string): MockWsConnection {
  if (host !== 'ws.bitget.com') throw new MockReject(`no WebSocket on ${host}`, undefined, 404);
  const path = new URL(pathAndQuery, 'wss://ws.bitget.com').pathname;
  if (path !== '/v3/ws/public') throw new MockReject(`${path}: the liquidation topic is only on /v3/ws/public`, undefined, 404);
  const subscribed = new Set<string>();
  const key = (arg: SubscribeArg) => `${String(arg.instType)}|${String(arg.topic)}|${String(arg.symbol ?? '')}`;
  return {
    onMessage(text, view) {
      if (text === 'ping') return ['pong'];
      let request: { op?: unknown; args?: unknown };
      try {
        request = JSON.parse(text);
      } catch {
        throw new MockReject('not JSON', JSON.stringify({ event: 'error', code: '30012', msg: 'Invalid request' }));
      }
      if (request.op !== 'subscribe' && request.op !== 'unsubscribe') {
        throw new MockReject('unknown op', JSON.stringify({ event: 'error', code: '30002', msg: `Illegal request: op ${String(request.op)}` }));
      }
      if (!Array.isArray(request.args) || request.args.length === 0) {
        throw new MockReject('args must be a non-empty array', JSON.stringify({ event: 'error', code: '30001', msg: 'args must be a non-empty list' }));
      }
      return (request.args as SubscribeArg[]).map((arg) => {
        const error = argError(arg, view);
        if (error) throw new MockReject(error, JSON.stringify({ event: 'error', arg, code: '30001', msg: error }));
        if (request.op === 'subscribe') subscribed.add(key(arg));
        else subscribed.delete(key(arg));
        return JSON.stringify({ event: request.op, arg, connId: 'mock-conn' });
      });
    },
    liquidationFrames(event: ScenarioLiquidationEvent & { time: number }) {
      if (!subscribed.has(key({ instType: 'usdt-futures', topic: 'liquidation' }))) return [];
      const row = {
        // Every USDT-M perpetual here is unscaled: the price is per coin, the amount in USDT either way.
        symbol: event.symbol ?? `${event.asset}USDT`,
        // Bitget's side is the POSITION side: 'buy' = a long was liquidated.
        side: event.side === 'long' ? 'buy' : 'sell',
        price: px(event.price),
        // Amount in the quote coin (USDT).
        amount: fixed(event.notionalUsd, 6),
        ts: String(event.time),
      };
      // Key order as the live feed sends it (tardis capture, bitget-liquidation-ws-v3-tardis.json).
      return [JSON.stringify({ action: 'update', arg: { instType: 'usdt-futures', topic: 'liquidation' }, data: [row], ts: event.time })];
    },
  };
}

export const bitgetMock: MockVenue = {
  id: 'bitget',
  hosts: ['api.bitget.com', 'ws.bitget.com'],
  http,
  connect,
};
