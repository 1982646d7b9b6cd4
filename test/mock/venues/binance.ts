/**
 * Binance USD-M (fapi, fstream), COIN-M (dapi, dstream) and spot (api) in their real wire formats.
 * Rejects what the real venue rejects: unknown paths, missing/unknown symbols, streams on the
 * wrong routed path, malformed JSON requests on the socket.
 *
 * Instruments: the USDT perpetual of every asset the view knows, plus BINANCE_MOCK_EXTRA_INSTRUMENTS;
 * on COIN-M the inverse <ASSET>USD_PERP of every asset plus BINANCE_MOCK_COINM_DATED.
 * Prices and sizes of an instrument are in its own units: a 1000PEPEUSDT price is 1000 × the PEPE price;
 * COIN-M sizes are contracts of contractSize USD.
 */
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../../tools/replay/scenario';
import { mockCandles, mockSettlements } from '../history';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

export interface BinanceMockInstrument {
  symbol: string;
  /** Binance's own base asset ('1000PEPE'). */
  baseAsset: string;
  quoteAsset: 'USDT' | 'USDC';
  /** The scenario asset whose market rows price it ('PEPE'). */
  asset: string;
  /** Canonical units per quoted unit. */
  scale: number;
  contractType: 'PERPETUAL' | 'CURRENT_QUARTER' | 'NEXT_QUARTER';
  /** For dated contracts: delivery, ms. */
  deliveryDate?: number;
}

/**
 * Listed whatever the scenario holds: a 1000-scaled perpetual (PEPE's main perpetual), a quarterly
 * BTC future and a USDC-margined BTC perpetual. Priced from the view's rows of their asset.
 */
export const BINANCE_MOCK_EXTRA_INSTRUMENTS: readonly BinanceMockInstrument[] = [
  { symbol: '1000PEPEUSDT', baseAsset: '1000PEPE', quoteAsset: 'USDT', asset: 'PEPE', scale: 1000, contractType: 'PERPETUAL' },
  { symbol: 'BTCUSDT_260626', baseAsset: 'BTC', quoteAsset: 'USDT', asset: 'BTC', scale: 1, contractType: 'CURRENT_QUARTER', deliveryDate: Date.UTC(2026, 5, 26, 8) },
  { symbol: 'BTCUSDC', baseAsset: 'BTC', quoteAsset: 'USDC', asset: 'BTC', scale: 1, contractType: 'PERPETUAL' },
];

/** A COIN-M inverse contract: sizes in contracts of `contractSize` USD, prices in USD per coin. */
export interface BinanceMockCoinmInstrument {
  symbol: string;
  baseAsset: string;
  asset: string;
  contractType: 'PERPETUAL' | 'CURRENT_QUARTER' | 'NEXT_QUARTER';
  /** USD per contract: 100 for BTC, 10 for the others (COIN-M Exchange Information `contractSize`). */
  contractSize: number;
  deliveryDate?: number;
}

/** The quarterly BTC COIN-M future, listed whatever the scenario holds. */
export const BINANCE_MOCK_COINM_DATED: BinanceMockCoinmInstrument = {
  symbol: 'BTCUSD_260626', baseAsset: 'BTC', asset: 'BTC', contractType: 'CURRENT_QUARTER', contractSize: 100, deliveryDate: Date.UTC(2026, 5, 26, 8),
};

/** A COIN-M symbol: <PAIR>_PERP or <PAIR>_<YYMMDD> (USD-M names have no USD_ in them). */
const COINM_SYMBOL = /^[A-Z0-9]+USD_(PERP|\d{6})$/;

/** deliveryDate Binance gives perpetuals (Exchange Information example: 4133404800000 = 2100-12-25). */
const PERPETUAL_DELIVERY = 4133404800000;

const err = (status: number, code: number, msg: string): MockHttpResponse => ({ status, body: { code, msg } });
const fixed = (n: number, digits = 8) => n.toFixed(digits);

/** Every futures instrument listed for this view. */
function futuresInstruments(view: MockMarketView): BinanceMockInstrument[] {
  const extras = BINANCE_MOCK_EXTRA_INSTRUMENTS;
  const mains = view
    .assets()
    // An asset whose USDT perpetual is an extra (PEPE → 1000PEPEUSDT) is not listed twice.
    .filter((asset) => !extras.some((extra) => extra.asset === asset && extra.contractType === 'PERPETUAL' && extra.quoteAsset === 'USDT'))
    .map((asset): BinanceMockInstrument => ({ symbol: `${asset}USDT`, baseAsset: asset, quoteAsset: 'USDT', asset, scale: 1, contractType: 'PERPETUAL' }));
  return [...mains, ...extras];
}

function futuresInstrument(symbol: string, view: MockMarketView): BinanceMockInstrument | undefined {
  return futuresInstruments(view).find((instrument) => instrument.symbol === symbol);
}

/** Spot lists the unscaled USDT pair of every asset (PEPEUSDT, not 1000PEPEUSDT). */
/** Every COIN-M instrument listed for this view. */
function coinmInstruments(view: MockMarketView): BinanceMockCoinmInstrument[] {
  const perps = view.assets().map((asset): BinanceMockCoinmInstrument => ({
    symbol: `${asset}USD_PERP`, baseAsset: asset, asset, contractType: 'PERPETUAL', contractSize: asset === 'BTC' ? 100 : 10,
  }));
  return [...perps, BINANCE_MOCK_COINM_DATED];
}

function coinmExchangeInfoSymbol(instrument: BinanceMockCoinmInstrument, now: number) {
  return {
    filters: [],
    OrderType: ['LIMIT', 'MARKET', 'STOP', 'TAKE_PROFIT', 'TRAILING_STOP_MARKET'],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
    liquidationFee: '0.010000',
    marketTakeBound: '0.30',
    symbol: instrument.symbol,
    pair: `${instrument.baseAsset}USD`,
    contractType: instrument.contractType,
    deliveryDate: instrument.deliveryDate ?? PERPETUAL_DELIVERY,
    onboardDate: now - 365 * 86_400_000,
    contractStatus: 'TRADING',
    contractSize: instrument.contractSize,
    quoteAsset: 'USD',
    baseAsset: instrument.baseAsset,
    marginAsset: instrument.baseAsset,
    pricePrecision: 1,
    quantityPrecision: 0,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    equalQtyPrecision: 4,
    triggerProtect: '0.0500',
    maintMarginPercent: '2.5000',
    requiredMarginPercent: '5.0000',
    underlyingType: 'COIN',
    underlyingSubType: [],
  };
}

/** COIN-M REST: only what the adapter asks, exchangeInfo; everything else is unknown to the mock. */
function coinmHttp(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.path === '/dapi/v1/exchangeInfo') {
    return {
      status: 200,
      body: {
        exchangeFilters: [],
        rateLimits: [
          { interval: 'MINUTE', intervalNum: 1, limit: 2400, rateLimitType: 'REQUEST_WEIGHT' },
          { interval: 'MINUTE', intervalNum: 1, limit: 1200, rateLimitType: 'ORDERS' },
        ],
        serverTime: view.now,
        symbols: coinmInstruments(view).map((instrument) => coinmExchangeInfoSymbol(instrument, view.now)),
        timezone: 'UTC',
      },
    };
  }
  return err(404, -1, `Unknown path ${req.host}${req.path}`);
}

function spotAsset(symbol: string, view: MockMarketView): string | undefined {
  return view.assets().find((asset) => `${asset}USDT` === symbol);
}

function exchangeInfoSymbol(instrument: BinanceMockInstrument, now: number) {
  return {
    symbol: instrument.symbol,
    pair: instrument.symbol.replace(/_\d+$/, ''),
    contractType: instrument.contractType,
    deliveryDate: instrument.deliveryDate ?? PERPETUAL_DELIVERY,
    onboardDate: now - 365 * 86_400_000,
    status: 'TRADING',
    maintMarginPercent: '2.5000',
    requiredMarginPercent: '5.0000',
    baseAsset: instrument.baseAsset,
    quoteAsset: instrument.quoteAsset,
    marginAsset: instrument.quoteAsset,
    pricePrecision: 2,
    quantityPrecision: 3,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    underlyingSubType: [],
    settlePlan: 0,
    triggerProtect: '0.0500',
    filters: [],
    OrderType: ['LIMIT', 'MARKET'],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
    liquidationFee: '0.012500',
    marketTakeBound: '0.05',
  };
}

function premiumIndexRow(instrument: BinanceMockInstrument, m: ScenarioMarketEvent, now: number) {
  const perpetual = instrument.contractType === 'PERPETUAL';
  return {
    symbol: instrument.symbol,
    markPrice: fixed(m.markPrice * instrument.scale),
    indexPrice: fixed(m.indexPrice * instrument.scale),
    estimatedSettlePrice: fixed(m.indexPrice * instrument.scale),
    // Delivery contracts have no funding: an empty rate and no next funding time.
    lastFundingRate: perpetual ? fixed(m.fundingRate8h) : '',
    interestRate: perpetual ? '0.00010000' : '',
    nextFundingTime: perpetual ? Math.ceil(now / 28_800_000) * 28_800_000 : 0,
    time: now,
  };
}

function tickerRow(symbol: string, price: number, quoteVolume: number, now: number) {
  return {
    symbol,
    priceChange: '0',
    priceChangePercent: '0',
    weightedAvgPrice: fixed(price),
    lastPrice: fixed(price),
    lastQty: '0.001',
    openPrice: fixed(price),
    highPrice: fixed(price),
    lowPrice: fixed(price),
    volume: fixed(quoteVolume / price, 3),
    quoteVolume: fixed(quoteVolume, 2),
    openTime: now - 86_400_000,
    closeTime: now,
    firstId: 1,
    lastId: 2,
    count: 2,
  };
}

/** Kline/Candlestick Data intervals (docs enum "Kline/Candlestick chart intervals"), in ms; months are not served. */
const KLINE_INTERVALS: Record<string, number> = Object.fromEntries(
  [['1m', 1], ['3m', 3], ['5m', 5], ['15m', 15], ['30m', 30], ['1h', 60], ['2h', 120], ['4h', 240], ['6h', 360], ['8h', 480], ['12h', 720], ['1d', 1440], ['3d', 4320], ['1w', 10080]].map(
    ([name, minutes]) => [name, (minutes as number) * 60_000],
  ),
);

/** One bar as Kline/Candlestick Data lists it; only the close is the scenario's, the other prices repeat it. */
function klineRow(start: number, periodMs: number, close: number, scale: number) {
  const price = fixed(close * scale);
  return [start, price, price, price, price, '0', start + periodMs - 1, '0', 0, '0', '0', '0'];
}

/** The funding interval of every mock symbol: fundingInfo lists none, so each settles every 8 h. */
const FUNDING_HOURS = 8;

function futuresHttp(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  const symbolParam = req.query.get('symbol');
  /** The instrument and its asset's market row; undefined for unknown symbols or assets without a row yet. */
  const marketFor = (symbol: string) => {
    const instrument = futuresInstrument(symbol, view);
    const m = instrument ? view.market(instrument.asset) : undefined;
    return instrument && m ? { instrument, m } : undefined;
  };
  const all = () => futuresInstruments(view).flatMap((instrument) => {
    const m = view.market(instrument.asset);
    return m ? [{ instrument, m }] : [];
  });
  switch (req.path) {
    case '/fapi/v1/exchangeInfo':
      return {
        status: 200,
        body: {
          timezone: 'UTC',
          serverTime: view.now,
          futuresType: 'U_MARGINED',
          rateLimits: [
            { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
            { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
          ],
          exchangeFilters: [],
          assets: [],
          symbols: futuresInstruments(view).map((instrument) => exchangeInfoSymbol(instrument, view.now)),
        },
      };
    case '/fapi/v1/premiumIndex': {
      if (symbolParam) {
        const found = marketFor(symbolParam);
        return found ? { status: 200, body: premiumIndexRow(found.instrument, found.m, view.now) } : err(400, -1121, 'Invalid symbol.');
      }
      return { status: 200, body: all().map(({ instrument, m }) => premiumIndexRow(instrument, m, view.now)) };
    }
    case '/futures/data/openInterestHist': {
      const period = req.query.get('period');
      if (!symbolParam || !period) return err(400, -1102, "Mandatory parameter 'symbol' or 'period' was not sent.");
      if (!['5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d'].includes(period)) return err(400, -1120, 'Invalid period.');
      // Open Interest Statistics: the periods are kline intervals' names; each row is the OI at a period boundary.
      const periodMs = KLINE_INTERVALS[period]!;
      const limit = Number(req.query.get('limit') ?? 30);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) return err(400, -1130, 'Invalid limit.');
      const found = marketFor(symbolParam);
      if (!found) return err(400, -1121, 'Invalid symbol.');
      const scale = found.instrument.scale;
      return { status: 200, body: view.marketHistory(found.instrument.asset, periodMs, limit).map((p) => ({
        symbol: symbolParam, sumOpenInterest: fixed(p.openInterestUsd / (p.markPrice * scale), 8), sumOpenInterestValue: fixed(p.openInterestUsd, 8), timestamp: p.time,
      })) };
    }
    case '/fapi/v1/fundingInfo':
      return { status: 200, body: [] };
    case '/fapi/v1/klines': {
      const interval = req.query.get('interval');
      if (!symbolParam || !interval) return err(400, -1102, "Mandatory parameter 'symbol' or 'interval' was not sent, was empty/null, or malformed.");
      const periodMs = KLINE_INTERVALS[interval];
      if (periodMs === undefined) return err(400, -1120, 'Invalid interval.');
      // Kline/Candlestick Data: limit default 500, max 1500.
      const limit = Number(req.query.get('limit') ?? 500);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1500) return err(400, -1130, "Data sent for parameter 'limit' is not valid.");
      const found = marketFor(symbolParam);
      if (!found) return err(400, -1121, 'Invalid symbol.');
      return { status: 200, body: mockCandles(view, found.instrument.asset, periodMs, limit).map((c) => klineRow(c.start, periodMs, c.close, found.instrument.scale)) };
    }
    case '/fapi/v1/fundingRate': {
      // Get Funding Rate History: symbol optional, limit default 100, max 1000; rows ascending.
      const limit = Number(req.query.get('limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return err(400, -1130, "Data sent for parameter 'limit' is not valid.");
      let perps = all().filter(({ instrument }) => instrument.contractType === 'PERPETUAL');
      if (symbolParam) {
        const found = marketFor(symbolParam);
        if (!found || found.instrument.contractType !== 'PERPETUAL') return err(400, -1121, 'Invalid symbol.');
        perps = [found];
      }
      const rows = perps.flatMap(({ instrument }) => mockSettlements(view, instrument.asset, FUNDING_HOURS, limit).map((s) => ({
        symbol: instrument.symbol, fundingRate: fixed(s.rate), fundingTime: s.time, markPrice: fixed(s.markPrice * instrument.scale),
      })));
      return { status: 200, body: rows.sort((a, b) => a.fundingTime - b.fundingTime).slice(-limit) };
    }
    case '/fapi/v1/openInterest': {
      if (!symbolParam) return err(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
      const found = marketFor(symbolParam);
      if (!found) return err(400, -1121, 'Invalid symbol.');
      // In base units of the symbol (1000PEPE for 1000PEPEUSDT).
      return { status: 200, body: { openInterest: fixed(found.m.openInterestUsd / (found.m.markPrice * found.instrument.scale), 3), symbol: symbolParam, time: view.now } };
    }
    case '/fapi/v1/ticker/24hr': {
      const row = ({ instrument, m }: { instrument: BinanceMockInstrument; m: ScenarioMarketEvent }) => tickerRow(instrument.symbol, m.price * instrument.scale, m.perpVolume24hUsd, view.now);
      if (!symbolParam) return { status: 200, body: all().map(row) };
      const found = marketFor(symbolParam);
      return found ? { status: 200, body: row(found) } : err(400, -1121, 'Invalid symbol.');
    }
  }
  return err(404, -1, `Unknown path ${req.host}${req.path}`);
}

const SPOT_STATUSES = ['TRADING', 'HALT', 'BREAK'];

function spotHttp(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.path === '/api/v3/exchangeInfo') {
    const permissions = req.query.get('permissions');
    const status = req.query.get('symbolStatus');
    if (status !== null && !SPOT_STATUSES.includes(status)) return err(400, -1122, 'Invalid symbolStatus.');
    // Spot docs: symbolStatus "cannot be used in combination with symbols or symbol".
    if (status !== null && (req.query.has('symbol') || req.query.has('symbols'))) return err(400, -1128, 'Combination of optional parameters invalid.');
    if (permissions !== null && !['SPOT', 'MARGIN', 'LEVERAGED'].includes(permissions) && !permissions.startsWith('[')) return err(400, -1100, "Illegal characters found in parameter 'permissions'.");
    const showSets = req.query.get('showPermissionSets') !== 'false';
    return {
      status: 200,
      body: {
        timezone: 'UTC',
        serverTime: view.now,
        rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }],
        exchangeFilters: [],
        symbols: view.assets().map((asset) => ({
          symbol: `${asset}USDT`,
          status: 'TRADING',
          baseAsset: asset,
          baseAssetPrecision: 8,
          quoteAsset: 'USDT',
          quotePrecision: 8,
          quoteAssetPrecision: 8,
          orderTypes: ['LIMIT', 'MARKET'],
          isSpotTradingAllowed: true,
          isMarginTradingAllowed: true,
          filters: [],
          permissions: [],
          permissionSets: showSets ? [['SPOT', 'MARGIN']] : [],
          defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
          allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
        })),
      },
    };
  }
  if (req.path === '/api/v3/ticker/24hr') {
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
      const asset = spotAsset(symbol, view);
      const m = asset ? view.market(asset) : undefined;
      if (!m) return err(400, -1121, 'Invalid symbol.');
      rows.push(tickerRow(symbol, m.price, m.spotVolume24hUsd, view.now));
    }
    return { status: 200, body: rows };
  }
  return err(404, -1, `Unknown path ${req.host}${req.path}`);
}

function http(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.method !== 'GET') return err(405, -1000, 'Method not allowed');
  if (req.host === 'fapi.binance.com') return futuresHttp(req, view);
  if (req.host === 'api.binance.com') return spotHttp(req, view);
  if (req.host === 'dapi.binance.com') return coinmHttp(req, view);
  return err(404, -1, `Unknown path ${req.host}${req.path}`);
}

/**
 * Streams of the /market tier (the liquidation stream lives there, not on /public or legacy /ws), on fstream (USD-M)
 * and dstream (COIN-M). Each host carries only its own market's liquidations.
 */
function connect(host: string, pathAndQuery: string): MockWsConnection {
  if (host !== 'fstream.binance.com' && host !== 'dstream.binance.com') throw new MockReject(`no WebSocket on ${host}`, undefined, 404);
  const coinm = host === 'dstream.binance.com';
  const url = new URL(pathAndQuery, `wss://${host}`);
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
    liquidationFrames(event: ScenarioLiquidationEvent & { time: number }, view: MockMarketView) {
      // A COIN-M symbol is liquidated on dstream only, every other event on fstream only.
      if (coinm !== (event.symbol !== undefined && COINM_SYMBOL.test(event.symbol))) return [];
      const stream = (symbol: string) => subscribed.has('!forceOrder@arr') ? '!forceOrder@arr' : subscribed.has(`${symbol.toLowerCase()}@forceOrder`) ? `${symbol.toLowerCase()}@forceOrder` : null;
      if (coinm) {
        const symbol = event.symbol!;
        const name = stream(symbol);
        if (!name) return [];
        // A symbol the mock does not list is still sent (newer than the client's catalogue), as a 10 USD contract.
        const contractSize = coinmInstruments(view).find((i) => i.symbol === symbol)?.contractSize ?? 10;
        // COIN-M sizes are whole contracts (LOT_SIZE stepSize 1), at least one; price in USD per coin.
        const contracts = String(Math.max(1, Math.round(event.notionalUsd / contractSize)));
        const data = {
          e: 'forceOrder',
          E: event.time,
          o: {
            s: symbol,
            ps: symbol.replace(/_.*$/, ''),
            S: event.side === 'long' ? 'SELL' : 'BUY',
            o: 'LIMIT',
            f: 'IOC',
            q: contracts,
            p: fixed(event.price),
            ap: fixed(event.price),
            X: 'FILLED',
            l: contracts,
            z: contracts,
            T: event.time,
          },
        };
        return [JSON.stringify(combined ? { stream: name, data } : data)];
      }
      const listed = event.symbol === undefined
        ? futuresInstruments(view).find((i) => i.asset === event.asset && i.contractType === 'PERPETUAL' && i.quoteAsset === 'USDT')
        : futuresInstrument(event.symbol, view);
      // A symbol the mock does not list is still sent (a listing newer than the client's catalogue), unscaled.
      const symbol = event.symbol ?? listed?.symbol ?? `${event.asset}USDT`;
      const scale = listed?.scale ?? 1;
      const name = stream(symbol);
      if (!name) return [];
      // Quantity in the symbol's base units (1000PEPE), price per base unit.
      const price = event.price * scale;
      const qty = event.notionalUsd / price;
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
          p: fixed(price),
          ap: fixed(price),
          X: 'FILLED',
          l: qty.toFixed(8),
          z: qty.toFixed(8),
          T: event.time,
        },
      };
      return [JSON.stringify(combined ? { stream: name, data } : data)];
    },
  };
}

export const binanceMock: MockVenue = {
  id: 'binance',
  hosts: ['fapi.binance.com', 'fstream.binance.com', 'api.binance.com', 'dapi.binance.com', 'dstream.binance.com'],
  http,
  connect,
};
