/**
 * OKX v5 (www.okx.com REST, ws.okx.com:8443 public WS) in its real wire formats, with sizes in
 * contracts (ctVal) as OKX sends them. Rejects what OKX rejects: missing required parameters
 * (HTTP 400, code 50014/50015), unknown instruments (HTTP 200, code 51001), unknown paths, and
 * malformed or unknown subscriptions on the socket (event "error", 60012/60018/60019).
 */
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../../src/core/scenario';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

const CONN_ID = 'a4d3ae55';
const EIGHT_HOURS = 8 * 60 * 60 * 1000;
const fixed = (n: number, digits = 8) => n.toFixed(digits);

/** Contract values of the USDT swaps (docs "Get instruments"); other mock assets use 1 coin. */
const CT_VAL: Record<string, number> = { BTC: 0.01, ETH: 0.1, SOL: 1 };
const ctValOf = (asset: string) => CT_VAL[asset] ?? 1;

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

function instrumentRow(asset: string) {
  return {
    instType: 'SWAP',
    instId: `${asset}-USDT-SWAP`,
    instFamily: `${asset}-USDT`,
    uly: `${asset}-USDT`,
    ctType: 'linear',
    ctVal: String(ctValOf(asset)),
    ctMult: '1',
    ctValCcy: asset,
    settleCcy: 'USDT',
    lotSz: '0.01',
    minSz: '0.01',
    tickSz: '0.1',
    state: 'live',
    listTime: '1573557408000',
  };
}

/** One liquidation in OKX's row shape: sz in contracts, bkPx as price, posSide as in hedge mode. */
function liquidationRow(event: ScenarioLiquidationEvent & { time: number }) {
  const contracts = event.notionalUsd / event.price / ctValOf(event.asset);
  return {
    details: [
      {
        bkLoss: '0',
        bkPx: fixed(event.price, 2),
        ccy: '',
        posSide: event.side,
        // The closing order: a long is liquidated by a sell.
        side: event.side === 'long' ? 'sell' : 'buy',
        sz: fixed(contracts),
        ts: String(event.time),
      },
    ],
    instFamily: `${event.asset}-USDT`,
    instId: `${event.asset}-USDT-SWAP`,
    instType: 'SWAP',
    uly: `${event.asset}-USDT`,
  };
}

/** Rows for one swap (instId given) or, like OKX without instId, for every swap. */
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

function http(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.host !== 'www.okx.com') return { status: 404, body: 'Not Found' };
  if (req.method !== 'GET') return fail(405, '50115', 'Invalid request method.');
  const q = (name: string) => req.query.get(name);
  const needSwap = () => (q('instType') ? (q('instType') === 'SWAP' ? null : fail(400, '51000', 'Parameter instType error')) : missing('instType'));
  switch (req.path) {
    case '/api/v5/public/funding-rate': {
      if (!q('instId')) return missing('instId');
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
    case '/api/v5/market/index-tickers': {
      if (!q('instId') && !q('quoteCcy')) return fail(400, '50015', 'Either parameter instId or quoteCcy is required.');
      const m = marketFor(view, assetOf(q('instId'), ''));
      if (!m) return unknownInstrument();
      const px = fixed(m.indexPrice, 2);
      return ok([{ instId: q('instId'), idxPx: px, high24h: px, low24h: px, open24h: px, sodUtc0: px, sodUtc8: px, ts: String(view.now) }]);
    }
    case '/api/v5/market/ticker': {
      if (!q('instId')) return missing('instId');
      const asset = assetOf(q('instId'), '-SWAP');
      const m = marketFor(view, asset);
      if (!m || !asset) return unknownInstrument();
      const coins = m.perpVolume24hUsd / m.price;
      const px = fixed(m.price, 2);
      return ok([{ instType: 'SWAP', instId: q('instId'), last: px, lastSz: '1', askPx: px, askSz: '1', bidPx: px, bidSz: '1', open24h: px, high24h: px, low24h: px, volCcy24h: fixed(coins, 4), vol24h: fixed(coins / ctValOf(asset), 2), sodUtc0: px, sodUtc8: px, ts: String(view.now) }]);
    }
    case '/api/v5/public/instruments': {
      if (!q('instType')) return missing('instType');
      if (q('instType') !== 'SWAP') return fail(400, '51000', 'Parameter instType error (this mock serves SWAP)');
      const family = q('instFamily');
      const asset = family ? assetOf(family, '') : null;
      if (family && !marketFor(view, asset)) return ok([]);
      return ok((asset ? [asset] : view.assets()).map(instrumentRow));
    }
    case '/api/v5/public/liquidation-orders': {
      const bad = needSwap();
      if (bad) return bad;
      const family = q('instFamily') ?? q('uly');
      if (!family) return fail(400, '50015', 'Either parameter uly or instFamily is required.');
      const asset = assetOf(family, '');
      if (!marketFor(view, asset)) return unknownInstrument();
      // Filled liquidations of the last day, newest first, at most 100.
      const recent = view.playedLiquidations().filter((l) => l.asset === asset && l.time > view.now - 24 * 60 * 60 * 1000);
      return ok(recent.slice(-100).reverse().map(liquidationRow));
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
    liquidationFrames(event: ScenarioLiquidationEvent & { time: number }) {
      if (!subscribedTypes.has('SWAP')) return [];
      return [JSON.stringify({ arg: { channel: 'liquidation-orders', instType: 'SWAP' }, data: [liquidationRow(event)] })];
    },
  };
}

export const okxMock: MockVenue = {
  id: 'okx',
  hosts: ['www.okx.com', 'ws.okx.com'],
  http,
  connect,
};
