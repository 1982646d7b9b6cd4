/**
 * OKX v5 (www.okx.com REST, ws.okx.com:8443 public WS) in its real wire formats, with sizes in
 * contracts (ctVal) as OKX sends them. Rejects what OKX rejects: missing required parameters
 * (HTTP 400, code 50014/50015), unknown instruments (HTTP 200, code 51001), unknown paths, and
 * malformed or unknown subscriptions on the socket (event "error", 60012/60018/60019).
 */
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../../tools/replay/scenario';
import { mockCandles } from '../history';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

const CONN_ID = 'a4d3ae55';
const EIGHT_HOURS = 8 * 60 * 60 * 1000;
const fixed = (n: number, digits = 8) => n.toFixed(digits);

/** Contract values of the USDT swaps (docs "Get instruments"); other mock assets use 1 coin. */
const CT_VAL: Record<string, number> = { BTC: 0.01, ETH: 0.1, SOL: 1 };
const ctValOf = (asset: string) => CT_VAL[asset] ?? 1;

/** One instrument of the mock's list, in the fields OKX's instruments endpoint has. */
export interface OkxMockInstrument {
  instId: string;
  instType: 'SWAP' | 'FUTURES';
  /** Canonical asset. */
  asset: string;
  ctType: 'linear' | 'inverse';
  ctVal: number;
  /** Futures only: expiry, ms. */
  expTime?: number;
}

/**
 * Instruments the mock lists besides each view asset's USDT swap (e2e uses them): the docs' own
 * liquidation example IOST-USDT-SWAP (ctVal 1000 IOST), the inverse BTC-USD-SWAP (100 USD) and the
 * inverse quarterly BTC-USD-251226 (100 USD).
 */
export const OKX_EXTRA_INSTRUMENTS: readonly OkxMockInstrument[] = [
  { instId: 'IOST-USDT-SWAP', instType: 'SWAP', asset: 'IOST', ctType: 'linear', ctVal: 1000 },
  { instId: 'BTC-USD-SWAP', instType: 'SWAP', asset: 'BTC', ctType: 'inverse', ctVal: 100 },
  { instId: 'BTC-USD-251226', instType: 'FUTURES', asset: 'BTC', ctType: 'inverse', ctVal: 100, expTime: Date.UTC(2025, 11, 26, 8) },
];

/** A pre-listing swap (state preopen, ctVal "" until it goes live): listed by OKX, never counted. */
const PREOPEN = { instId: 'NEWCOIN-USDT-SWAP', instType: 'SWAP' as const, asset: 'NEWCOIN' };

function mainSwap(asset: string): OkxMockInstrument {
  return { instId: `${asset}-USDT-SWAP`, instType: 'SWAP', asset, ctType: 'linear', ctVal: ctValOf(asset) };
}

/** Every instrument the mock lists for `view`. */
function instrumentsOf(view: MockMarketView): OkxMockInstrument[] {
  const main = view.assets().map(mainSwap);
  return [...main, ...OKX_EXTRA_INSTRUMENTS.filter((extra) => !main.some((m) => m.instId === extra.instId))];
}

/** The instrument a scenario liquidation names (its main USDT swap when it names none). */
function instrumentOfEvent(event: ScenarioLiquidationEvent, view: MockMarketView): OkxMockInstrument {
  const symbol = event.symbol ?? `${event.asset}-USDT-SWAP`;
  return instrumentsOf(view).find((i) => i.instId === symbol) ?? mainSwap(event.asset);
}

const familyOf = (instId: string) => instId.split('-').slice(0, 2).join('-');

/** Bar sizes of "Get candlesticks" and "Get contract open interest history" up to 4H (longer ones open at UTC+8). */
const OKX_BARS: Record<string, number> = Object.fromEntries(
  Object.entries({ '1m': 1, '3m': 3, '5m': 5, '15m': 15, '30m': 30, '1H': 60, '2H': 120, '4H': 240 }).map(([bar, minutes]) => [bar, minutes * 60_000]),
);

const ok = (data: unknown[]): MockHttpResponse => ({ status: 200, body: { code: '0', msg: '', data } });
const fail = (status: number, code: string, msg: string): MockHttpResponse => ({ status, body: { code, msg, data: [] } });
const missing = (param: string) => fail(400, '50014', `Parameter ${param} can not be empty.`);
const unknownInstrument = () => fail(200, '51001', "Instrument ID or Spread ID doesn't exist.");

/** 'BTC-USDT-SWAP' → BTC; 'BTC-USDT' (family/index) → BTC when `suffix` is ''. */
function assetOf(id: string | null, suffix: string): string | null {
  const match = id ? new RegExp(`^([A-Z0-9]+)-USDT${suffix}$`).exec(id) : null;
  return match?.[1] ?? null;
}

function marketFor(view: MockMarketView, asset: string | null): ScenarioMarketEvent | undefined {
  return asset ? view.market(asset) : undefined;
}

function fundingRow(instId: string, m: ScenarioMarketEvent, now: number) {
  const fundingTime = Math.ceil(now / EIGHT_HOURS) * EIGHT_HOURS;
  return {
    instType: 'SWAP',
    instId,
    method: 'current_period',
    formulaType: 'withRate',
    fundingRate: fixed(m.fundingRate8h, 12),
    nextFundingRate: '',
    fundingTime: String(fundingTime),
    nextFundingTime: String(fundingTime + EIGHT_HOURS),
    minFundingRate: '-0.0075',
    maxFundingRate: '0.0075',
    interestRate: '0.0001',
    impactValue: '20000',
    settState: 'settled',
    settFundingRate: fixed(m.fundingRate8h, 12),
    premium: '0.0001',
    ts: String(now),
  };
}

function instrumentRow(instrument: OkxMockInstrument) {
  const family = familyOf(instrument.instId);
  return {
    alias: instrument.instType === 'FUTURES' ? 'quarter' : '',
    instType: instrument.instType,
    instId: instrument.instId,
    instFamily: family,
    uly: family,
    ctType: instrument.ctType,
    ctVal: String(instrument.ctVal),
    ctMult: '1',
    ctValCcy: instrument.ctType === 'inverse' ? 'USD' : instrument.asset,
    settleCcy: instrument.ctType === 'inverse' ? instrument.asset : 'USDT',
    expTime: instrument.expTime ? String(instrument.expTime) : '',
    lever: '100',
    lotSz: instrument.ctType === 'inverse' ? '1' : '0.01',
    minSz: instrument.ctType === 'inverse' ? '1' : '0.01',
    tickSz: '0.1',
    state: 'live',
    listTime: '1573557408000',
  };
}

function preopenRow() {
  return { ...instrumentRow({ ...PREOPEN, ctType: 'linear', ctVal: 1 }), ctVal: '', ctMult: '', state: 'preopen' };
}

/**
 * One liquidation in OKX's row shape, in the instrument's units: sz in contracts (coins ÷ ctVal for
 * linear contracts, USD ÷ ctVal for inverse ones), bkPx as price, posSide as in hedge mode.
 */
function liquidationRow(event: ScenarioLiquidationEvent & { time: number }, instrument: OkxMockInstrument) {
  const contracts = instrument.ctType === 'inverse' ? event.notionalUsd / instrument.ctVal : event.notionalUsd / event.price / instrument.ctVal;
  const family = familyOf(instrument.instId);
  return {
    details: [
      {
        bkLoss: '0',
        bkPx: fixed(event.price, 8),
        ccy: '',
        posSide: event.side,
        // The closing order: a long is liquidated by a sell.
        side: event.side === 'long' ? 'sell' : 'buy',
        sz: fixed(contracts),
        ts: String(event.time),
      },
    ],
    instFamily: family,
    instId: instrument.instId,
    instType: instrument.instType,
    uly: family,
  };
}

/** Rows for one swap (instId given) or, like OKX without instId, for every USDT swap of the view. */
function swapRows(view: MockMarketView, instId: string | null, row: (instId: string, m: ScenarioMarketEvent, asset: string) => unknown): MockHttpResponse {
  const assets = instId ? [assetOf(instId, '-SWAP')] : view.assets();
  const rows = [];
  for (const asset of assets) {
    const m = marketFor(view, asset);
    if (!m || !asset) return unknownInstrument();
    rows.push(row(`${asset}-USDT-SWAP`, m, asset));
  }
  return ok(rows);
}

/** Position tiers in contracts, as test/fixtures/okx-position-tiers-swap-rest.json lists BTC-USDT's; the same for every family. */
const POSITION_TIERS: ReadonlyArray<[maxSz: number, mmr: string, imr: string, maxLever: string]> = [
  [5000, '0.004', '0.008', '125'],
  [20000, '0.005', '0.01', '100'],
  [60000, '0.01', '0.02', '50'],
];

function positionTierRows(family: string) {
  return POSITION_TIERS.map(([maxSz, mmr, imr, maxLever], i) => ({
    baseMaxLoan: '',
    imr,
    instFamily: family,
    instId: '',
    maxLever,
    maxSz: String(maxSz),
    minSz: i === 0 ? '0' : String(POSITION_TIERS[i - 1]![0] + 1),
    mmr,
    optMgnFactor: '0',
    quoteMaxLoan: '',
    tier: String(i + 1),
    uly: family,
  }));
}

function http(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.host !== 'www.okx.com') return { status: 404, body: 'Not Found' };
  if (req.method !== 'GET') return fail(405, '50115', 'Invalid request method.');
  const q = (name: string) => req.query.get(name);
  const needSwap = () => (q('instType') ? (q('instType') === 'SWAP' ? null : fail(400, '51000', 'Parameter instType error')) : missing('instType'));
  const derivativeType = () => (q('instType') ? (q('instType') === 'SWAP' || q('instType') === 'FUTURES' ? null : fail(400, '51000', 'Parameter instType error')) : missing('instType'));
  switch (req.path) {
    case '/api/v5/public/funding-rate': {
      if (!q('instId')) return missing('instId');
      // Docs "Get funding rate": instId ANY returns every swap's funding rate.
      if (q('instId') === 'ANY') return ok(view.assets().flatMap((asset) => (view.market(asset) ? [fundingRow(`${asset}-USDT-SWAP`, view.market(asset)!, view.now)] : [])));
      const m = marketFor(view, assetOf(q('instId'), '-SWAP'));
      return m ? ok([fundingRow(q('instId')!, m, view.now)]) : unknownInstrument();
    }
    case '/api/v5/public/mark-price': {
      const bad = needSwap();
      if (bad) return bad;
      return swapRows(view, q('instId'), (instId, m) => ({ instType: 'SWAP', instId, markPx: fixed(m.markPrice, 2), ts: String(view.now) }));
    }
    case '/api/v5/public/open-interest': {
      const bad = needSwap();
      if (bad) return bad;
      return swapRows(view, q('instId'), (instId, m, asset) => {
        const coins = m.openInterestUsd / m.markPrice;
        return { instType: 'SWAP', instId, oi: fixed(coins / ctValOf(asset), 2), oiCcy: fixed(coins, 4), oiUsd: fixed(m.openInterestUsd, 2), ts: String(view.now) };
      });
    }
    case '/api/v5/market/candles': {
      // Docs "Get candlesticks": instId required; bar default 1m; limit max 300, default 100; newest first,
      // [ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm], the open candle confirm "0".
      if (!q('instId')) return missing('instId');
      const asset = assetOf(q('instId'), '-SWAP');
      if (!marketFor(view, asset)) return unknownInstrument();
      const periodMs = OKX_BARS[q('bar') ?? '1m'];
      const limit = Number(q('limit') ?? 100);
      if (periodMs === undefined || !Number.isInteger(limit) || limit < 1 || limit > 300) return fail(400, '51000', 'Parameter bar or limit error');
      const openStart = Math.floor(view.now / periodMs) * periodMs;
      return ok(mockCandles(view, asset!, periodMs, limit).reverse().map((c) => {
        const px = fixed(c.close, 2);
        return [String(c.start), px, px, px, px, '0', '0', '0', c.start === openStart ? '0' : '1'];
      }));
    }
    case '/api/v5/rubik/stat/contracts/open-interest-history': {
      // Docs "Get contract open interest history": instId required; period default 5m; limit max 100; [ts, oi, oiCcy, oiUsd].
      if (!q('instId')) return missing('instId');
      const asset = assetOf(q('instId'), '-SWAP');
      if (!marketFor(view, asset)) return unknownInstrument();
      const periodMs = OKX_BARS[q('period') ?? '5m'];
      const limit = Number(q('limit') ?? 100);
      if (periodMs === undefined || !Number.isInteger(limit) || limit < 1 || limit > 100) return fail(400, '51000', 'Parameter period or limit error');
      return ok(view.marketHistory(asset!, periodMs, limit).reverse().map((p) => {
        const coins = p.openInterestUsd / p.markPrice;
        return [String(p.time), fixed(coins / ctValOf(asset!), 2), fixed(coins, 4), fixed(p.openInterestUsd, 2)];
      }));
    }
    case '/api/v5/market/index-tickers': {
      const quote = q('quoteCcy');
      if (!q('instId') && !quote) return fail(400, '50015', 'Either parameter instId or quoteCcy is required.');
      const indexRow = (instId: string, m: ScenarioMarketEvent) => {
        const px = fixed(m.indexPrice, 2);
        return { instId, idxPx: px, high24h: px, low24h: px, open24h: px, sodUtc0: px, sodUtc8: px, ts: String(view.now) };
      };
      if (!q('instId')) {
        if (!['USD', 'USDT', 'USDC', 'BTC'].includes(quote!)) return fail(400, '51000', 'Parameter quoteCcy error');
        // Every index quoted in that currency (USDC and BTC indices: none in the mock).
        if (quote !== 'USD' && quote !== 'USDT') return ok([]);
        return ok(view.assets().flatMap((asset) => (view.market(asset) ? [indexRow(`${asset}-${quote}`, view.market(asset)!)] : [])));
      }
      const m = marketFor(view, assetOf(q('instId'), ''));
      if (!m) return unknownInstrument();
      return ok([indexRow(q('instId')!, m)]);
    }
    case '/api/v5/market/tickers':
    case '/api/v5/market/ticker': {
      const all = req.path === '/api/v5/market/tickers';
      if (all ? !q('instType') : !q('instId')) return missing(all ? 'instType' : 'instId');
      if (all && !['SPOT', 'SWAP', 'FUTURES', 'OPTION'].includes(q('instType')!)) return fail(400, '51000', 'Parameter instType error');
      const tickerRow = (asset: string, m: ScenarioMarketEvent) => {
        const coins = m.perpVolume24hUsd / m.price;
        const px = fixed(m.price, 2);
        return { instType: 'SWAP', instId: `${asset}-USDT-SWAP`, last: px, lastSz: '1', askPx: px, askSz: '1', bidPx: px, bidSz: '1', open24h: px, high24h: px, low24h: px, volCcy24h: fixed(coins, 4), vol24h: fixed(coins / ctValOf(asset), 2), sodUtc0: px, sodUtc8: px, ts: String(view.now) };
      };
      if (all) return ok(q('instType') === 'SWAP' ? view.assets().flatMap((asset) => (view.market(asset) ? [tickerRow(asset, view.market(asset)!)] : [])) : []);
      const asset = assetOf(q('instId'), '-SWAP');
      const m = marketFor(view, asset);
      if (!m || !asset) return unknownInstrument();
      return ok([tickerRow(asset, m)]);
    }
    case '/api/v5/public/position-tiers': {
      // Docs "Get position tiers": instType and tdMode required; SWAP/FUTURES need instFamily (or uly), at most 5 families.
      const bad = derivativeType();
      if (bad) return bad;
      if (!q('tdMode')) return missing('tdMode');
      if (q('tdMode') !== 'cross' && q('tdMode') !== 'isolated') return fail(400, '51000', 'Parameter tdMode error');
      const families = (q('instFamily') ?? q('uly'))?.split(',').filter(Boolean) ?? [];
      if (!families.length) return fail(400, '50015', 'Either parameter uly or instFamily is required.');
      if (families.length > 5) return fail(400, '51000', 'Parameter instFamily error');
      const listedFamilies = new Set(instrumentsOf(view).filter((i) => i.instType === q('instType')).map((i) => familyOf(i.instId)));
      if (families.some((family) => !listedFamilies.has(family))) return fail(400, '51000', 'Parameter instFamily error');
      return ok(families.flatMap(positionTierRows));
    }
    case '/api/v5/public/instruments': {
      if (!q('instType')) return missing('instType');
      const type = q('instType');
      if (type !== 'SWAP' && type !== 'FUTURES') return fail(400, '51000', 'Parameter instType error (this mock serves SWAP and FUTURES)');
      const family = q('instFamily');
      const rows = instrumentsOf(view).filter((i) => i.instType === type && (!family || familyOf(i.instId) === family)).map(instrumentRow);
      return ok(type === 'SWAP' && !family ? [...rows, preopenRow()] : rows);
    }
    case '/api/v5/public/liquidation-orders': {
      const bad = derivativeType();
      if (bad) return bad;
      const family = q('instFamily') ?? q('uly');
      if (!family) return fail(400, '50015', 'Either parameter uly or instFamily is required.');
      const limit = Number(q('limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return fail(400, '51000', 'Parameter limit error');
      if (!instrumentsOf(view).some((i) => i.instType === q('instType') && familyOf(i.instId) === family)) return unknownInstrument();
      // Docs: filled liquidations of the last day, newest first; `before` = newer than, `after` = older than a ts.
      const before = q('before') ? Number(q('before')) : -Infinity;
      const after = q('after') ? Number(q('after')) : Infinity;
      const rows = view
        .playedLiquidations()
        .map((l) => ({ event: l, instrument: instrumentOfEvent(l, view) }))
        .filter(({ event, instrument }) => instrument.instType === q('instType') && familyOf(instrument.instId) === family && event.time > view.now - 24 * 60 * 60 * 1000 && event.time > before && event.time < after);
      return ok(rows.slice(-limit).reverse().map(({ event, instrument }) => liquidationRow(event, instrument)));
    }
  }
  return { status: 404, body: { code: '404', msg: 'Not Found' } };
}

interface Arg {
  channel?: unknown;
  instType?: unknown;
  instId?: unknown;
}

/** /ws/v5/public only: liquidation-orders is a public channel, not on /business or /private. */
function connect(host: string, pathAndQuery: string): MockWsConnection {
  if (host.replace(/:\d+$/, '') !== 'ws.okx.com') throw new MockReject(`no WebSocket on ${host}`, undefined, 404);
  const path = new URL(pathAndQuery, 'wss://ws.okx.com').pathname;
  if (path !== '/ws/v5/public') throw new MockReject(`${path} does not carry the liquidation-orders channel`, undefined, 404);
  const subscribedTypes = new Set<string>();
  const error = (code: string, msg: string) => JSON.stringify({ event: 'error', code, msg, connId: CONN_ID });

  function checkArg(arg: Arg, view: MockMarketView, text: string): void {
    if (typeof arg !== 'object' || arg === null || typeof arg.channel !== 'string') throw new MockReject('arg without channel', error('60012', `Invalid request: ${text}`));
    if (arg.channel === 'liquidation-orders') {
      if (!['SWAP', 'FUTURES', 'MARGIN', 'OPTION'].includes(String(arg.instType))) {
        throw new MockReject('liquidation-orders needs instType', error('60018', `Wrong URL or channel:liquidation-orders,instType:${String(arg.instType)} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`));
      }
      return;
    }
    const tickerChannels = ['tickers', 'mark-price', 'funding-rate', 'open-interest'];
    if (!tickerChannels.includes(arg.channel) || !view.assets().includes(assetOf(String(arg.instId), '-SWAP') ?? '')) {
      throw new MockReject(`unknown channel or instrument`, error('60018', `Wrong URL or channel:${arg.channel},instId:${String(arg.instId)} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`));
    }
  }

  return {
    onMessage(text, view) {
      if (text === 'ping') return ['pong'];
      let request: { op?: unknown; args?: unknown };
      try {
        request = JSON.parse(text);
      } catch {
        throw new MockReject('invalid JSON', error('60012', `Invalid request: ${text}`));
      }
      if (request.op !== 'subscribe' && request.op !== 'unsubscribe') throw new MockReject('invalid op', error('60019', `Invalid op: ${String(request.op)}`));
      if (!Array.isArray(request.args) || request.args.length === 0) throw new MockReject('args must be a non-empty array', error('60012', `Invalid request: ${text}`));
      const args = request.args as Arg[];
      for (const arg of args) checkArg(arg, view, text);
      for (const arg of args) {
        if (arg.channel !== 'liquidation-orders') continue;
        if (request.op === 'subscribe') subscribedTypes.add(String(arg.instType));
        else subscribedTypes.delete(String(arg.instType));
      }
      return args.map((arg) => JSON.stringify({ event: request.op, arg, connId: CONN_ID }));
    },
    liquidationFrames(event: ScenarioLiquidationEvent & { time: number }, view: MockMarketView) {
      const instrument = instrumentOfEvent(event, view);
      if (!subscribedTypes.has(instrument.instType)) return [];
      return [JSON.stringify({ arg: { channel: 'liquidation-orders', instType: instrument.instType }, data: [liquidationRow(event, instrument)] })];
    },
  };
}

export const okxMock: MockVenue = {
  id: 'okx',
  hosts: ['www.okx.com', 'ws.okx.com'],
  http,
  connect,
};
