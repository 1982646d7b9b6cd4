/**
 * Deribit API v2 (JSON-RPC 2.0) over HTTP GET and WebSocket, in its real wire format.
 * Rejects what the real venue rejects: unknown methods, bad or missing params (currency, kind,
 * channels, heartbeat interval < 10 s), unknown instruments and `raw` subscriptions without auth.
 */
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../../src/core/scenario';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

const HOST = 'www.deribit.com';
const INVERSE = new Set(['BTC', 'ETH']);
const CURRENCIES = ['BTC', 'ETH', 'USDC', 'USDT', 'EURR'];
const KINDS = ['future', 'option', 'spot', 'future_combo', 'option_combo'];
/** Inverse perpetuals trade in multiples of 10 USD. */
const INVERSE_CONTRACT_USD = 10;

const instrumentFor = (asset: string) => (INVERSE.has(asset) ? `${asset}-PERPETUAL` : `${asset}_USDC-PERPETUAL`);

function assetOfInstrument(instrument: string): string | null {
  const match = /^([A-Z0-9]+)(?:_USDC)?-PERPETUAL$/.exec(instrument);
  if (!match?.[1]) return null;
  const inverse = !instrument.includes('_');
  return inverse === INVERSE.has(match[1]) ? match[1] : null;
}

/** JSON-RPC envelope with Deribit's timing fields. */
function envelope(now: number, payload: object, id?: unknown) {
  return { jsonrpc: '2.0', ...(id !== undefined ? { id } : {}), ...payload, usIn: now * 1000, usOut: now * 1000 + 150, usDiff: 150, testnet: false };
}

const invalidParams = (param: string, reason: string) => ({ error: { message: 'Invalid params', data: { reason, param }, code: -32602 } });

function summaryRow(instrument: string, asset: string, m: ScenarioMarketEvent, now: number) {
  const inverse = INVERSE.has(asset);
  return {
    instrument_name: instrument,
    base_currency: asset,
    quote_currency: inverse ? 'USD' : 'USDC',
    mark_price: m.markPrice,
    last: m.price,
    mid_price: m.price,
    bid_price: m.price - 0.5,
    ask_price: m.price + 0.5,
    high: m.price * 1.02,
    low: m.price * 0.97,
    price_change: 1.2,
    estimated_delivery_price: m.indexPrice,
    // Inverse: USD; linear: coins.
    open_interest: inverse ? m.openInterestUsd : m.openInterestUsd / m.markPrice,
    current_funding: m.fundingRate8h / 10,
    funding_8h: m.fundingRate8h,
    volume: m.perpVolume24hUsd / m.price,
    volume_usd: m.perpVolume24hUsd,
    volume_notional: m.perpVolume24hUsd,
    creation_timestamp: now,
  };
}

function bookSummary(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  const currency = req.query.get('currency');
  const kind = req.query.get('kind');
  if (!currency || !CURRENCIES.includes(currency)) return { status: 400, body: envelope(view.now, invalidParams('currency', 'must be one of the supported currencies')) };
  if (kind !== null && !KINDS.includes(kind)) return { status: 400, body: envelope(view.now, invalidParams('kind', 'wrong format')) };
  if (kind !== null && kind !== 'future') return { status: 200, body: envelope(view.now, { result: [] }) };
  const rows = view.assets().flatMap((asset) => {
    const m = view.market(asset);
    const listedUnder = INVERSE.has(asset) ? asset : 'USDC';
    if (!m || listedUnder !== currency) return [];
    const perpetual = summaryRow(instrumentFor(asset), asset, m, view.now);
    // A dated future shares the currency; the adapter must pick the perpetual.
    const dated = INVERSE.has(asset) ? [{ ...summaryRow(`${asset}-26JUN26`, asset, m, view.now), mark_price: m.markPrice * 1.01, funding_8h: undefined }] : [];
    return [perpetual, ...dated];
  });
  return { status: 200, body: envelope(view.now, { result: rows }) };
}

function http(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.host !== HOST) return { status: 404, body: 'Not Found' };
  if (req.method !== 'GET' && req.method !== 'POST') return { status: 405, body: 'Method Not Allowed' };
  if (req.path === '/api/v2/public/get_book_summary_by_currency') return bookSummary(req, view);
  return { status: 400, body: envelope(view.now, { error: { message: 'Method not found', code: -32601 } }) };
}

function tradeFrame(event: ScenarioLiquidationEvent & { time: number }, instrument: string, channel: string, m: ScenarioMarketEvent | undefined) {
  const inverse = !instrument.includes('_');
  const amount = inverse
    ? Math.max(INVERSE_CONTRACT_USD, Math.round(event.notionalUsd / INVERSE_CONTRACT_USD) * INVERSE_CONTRACT_USD)
    : Number((event.notionalUsd / event.price).toFixed(4));
  return {
    jsonrpc: '2.0',
    method: 'subscription',
    params: {
      channel,
      data: [
        {
          trade_seq: 1 + (event.time % 1_000_000),
          trade_id: String(event.time),
          timestamp: event.time,
          tick_direction: event.side === 'long' ? 3 : 1,
          price: event.price,
          mark_price: m?.markPrice ?? event.price,
          index_price: m?.indexPrice ?? event.price,
          instrument_name: instrument,
          // The liquidated taker closes its position: a long sells, a short buys.
          direction: event.side === 'long' ? 'sell' : 'buy',
          liquidation: 'T',
          amount,
          contracts: inverse ? amount / INVERSE_CONTRACT_USD : amount,
        },
      ],
    },
  };
}

function connect(host: string, pathAndQuery: string): MockWsConnection {
  if (host !== HOST) throw new MockReject(`no WebSocket on ${host}`, undefined, 404);
  if (new URL(pathAndQuery, `wss://${HOST}`).pathname !== '/ws/api/v2') throw new MockReject(`no WebSocket at ${pathAndQuery}`, undefined, 404);
  const subscribed = new Set<string>();
  const reject = (message: string, id: unknown, error: object, now: number): never => {
    throw new MockReject(message, JSON.stringify(envelope(now, error, id)));
  };
  return {
    onMessage(text, view) {
      let request: { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
      try {
        request = JSON.parse(text);
      } catch {
        return reject('invalid JSON', undefined, { error: { message: 'Parse error', code: -32700 } }, view.now);
      }
      const { id, method } = request;
      const params = (typeof request.params === 'object' && request.params !== null ? request.params : {}) as Record<string, unknown>;
      if (request.jsonrpc !== '2.0' || typeof method !== 'string') {
        return reject('not a JSON-RPC 2.0 request', id, { error: { message: 'Invalid Request', code: -32600 } }, view.now);
      }
      const ok = (result: unknown) => [JSON.stringify(envelope(view.now, { result }, id))];
      switch (method) {
        case 'public/test':
          return ok({ version: '1.2.26' });
        case 'public/set_heartbeat': {
          const interval = params.interval;
          if (typeof interval !== 'number' || interval < 10) return reject('heartbeat interval must be ≥ 10 s', id, invalidParams('interval', 'must be at least 10'), view.now);
          return ok('ok');
        }
        case 'public/subscribe': {
          const channels = params.channels;
          if (!Array.isArray(channels) || channels.length === 0 || !channels.every((c) => typeof c === 'string')) {
            return reject('channels must be a non-empty string array', id, invalidParams('channels', 'must be a list of strings'), view.now);
          }
          for (const channel of channels as string[]) {
            const match = /^trades\.([A-Z0-9_]+-PERPETUAL)\.(raw|100ms|agg2)$/.exec(channel);
            const asset = match?.[1] ? assetOfInstrument(match[1]) : null;
            if (!match || !asset || !view.market(asset)) return reject(`unknown channel ${channel}`, id, invalidParams('channels', `invalid channel ${channel}`), view.now);
            if (match[2] === 'raw') return reject('raw needs auth', id, { error: { message: 'raw_subscriptions_not_available_for_unauthorized', code: 13778 } }, view.now);
          }
          for (const channel of channels as string[]) subscribed.add(channel);
          return ok(channels);
        }
      }
      return reject(`unknown method ${method}`, id, { error: { message: 'Method not found', code: -32601 } }, view.now);
    },
    liquidationFrames(event, view) {
      const instrument = instrumentFor(event.asset);
      const channel = [`trades.${instrument}.100ms`, `trades.${instrument}.agg2`].find((c) => subscribed.has(c));
      return channel ? [JSON.stringify(tradeFrame(event, instrument, channel, view.market(event.asset)))] : [];
    },
  };
}

export const deribitMock: MockVenue = {
  id: 'deribit',
  hosts: [HOST],
  http,
  connect,
};
