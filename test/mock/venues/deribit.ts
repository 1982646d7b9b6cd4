/**
 * Deribit API v2 (JSON-RPC 2.0) over HTTP GET and WebSocket, in its real wire format.
 * Rejects what the real venue rejects: unknown methods, bad or missing params (currency, kind,
 * channels, heartbeat interval < 10 s), unknown instruments and `raw` subscriptions without auth.
 */
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../../tools/replay/scenario';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

const HOST = 'www.deribit.com';
const INVERSE = new Set(['BTC', 'ETH']);
const CURRENCIES = ['BTC', 'ETH', 'USDC', 'USDT', 'EURR'];
const KINDS = ['future', 'option', 'spot', 'future_combo', 'option_combo'];
/** Inverse perpetuals trade in multiples of 10 USD. */
const INVERSE_CONTRACT_USD = 10;

export interface DeribitMockInstrument {
  instrument_name: string;
  /** The scenario asset whose market prices it. */
  asset: string;
  /** 'reversed' (inverse, amounts in USD) or 'linear' (amounts in the coin). */
  instrument_type: 'reversed' | 'linear';
  settlement_period: 'perpetual' | 'month';
  /** The book summary `currency` that lists it. */
  settlement_currency: string;
  expiration_timestamp: number;
}

const PERPETUAL_EXPIRY = 32503708800000;

function mainPerpetual(asset: string): DeribitMockInstrument {
  const inverse = INVERSE.has(asset);
  return {
    instrument_name: inverse ? `${asset}-PERPETUAL` : `${asset}_USDC-PERPETUAL`,
    asset,
    instrument_type: inverse ? 'reversed' : 'linear',
    settlement_period: 'perpetual',
    settlement_currency: inverse ? asset : 'USDC',
    expiration_timestamp: PERPETUAL_EXPIRY,
  };
}

/** Fixed instruments beside each asset's main perpetual (e2e can send liquidations for them by `symbol`). */
export const DERIBIT_MOCK_EXTRA_INSTRUMENTS: readonly DeribitMockInstrument[] = [
  { instrument_name: 'BTC_USDC-PERPETUAL', asset: 'BTC', instrument_type: 'linear', settlement_period: 'perpetual', settlement_currency: 'USDC', expiration_timestamp: PERPETUAL_EXPIRY },
  { instrument_name: 'BTC-26DEC25', asset: 'BTC', instrument_type: 'reversed', settlement_period: 'month', settlement_currency: 'BTC', expiration_timestamp: 1766736000000 },
];

/** The mock's futures: every scenario asset's main perpetual plus the fixed extras. */
export function deribitMockInstruments(view: MockMarketView): DeribitMockInstrument[] {
  const out = new Map<string, DeribitMockInstrument>();
  for (const asset of view.assets()) out.set(mainPerpetual(asset).instrument_name, mainPerpetual(asset));
  for (const extra of DERIBIT_MOCK_EXTRA_INSTRUMENTS) out.set(extra.instrument_name, extra);
  return [...out.values()];
}

/** Docs "public/get_instruments" response example fields. */
function instrumentRow(inst: DeribitMockInstrument, index: number) {
  const inverse = inst.instrument_type === 'reversed';
  return {
    tick_size: inverse ? 0.5 : 0.0001,
    tick_size_steps: [],
    taker_commission: 0.0005,
    settlement_period: inst.settlement_period,
    settlement_currency: inst.settlement_currency,
    quote_currency: inverse ? 'USD' : 'USDC',
    price_index: `${inst.asset.toLowerCase()}_usd${inverse ? '' : 'c'}`,
    min_trade_amount: inverse ? 10 : 0.1,
    max_liquidation_commission: 0.0075,
    max_leverage: 50,
    maker_commission: 0,
    kind: 'future',
    is_active: true,
    instrument_name: inst.instrument_name,
    instrument_id: 124972 + index,
    instrument_type: inst.instrument_type,
    expiration_timestamp: inst.expiration_timestamp,
    creation_timestamp: 1534167754000,
    counter_currency: inverse ? 'USD' : 'USDC',
    contract_size: inverse ? INVERSE_CONTRACT_USD : 1,
    block_trade_tick_size: 0.01,
    block_trade_min_trade_amount: 200000,
    block_trade_commission: 0.00025,
    base_currency: inst.asset,
  };
}

/** JSON-RPC envelope with Deribit's timing fields. */
function envelope(now: number, payload: object, id?: unknown) {
  return { jsonrpc: '2.0', ...(id !== undefined ? { id } : {}), ...payload, usIn: now * 1000, usOut: now * 1000 + 150, usDiff: 150, testnet: false };
}

const invalidParams = (param: string, reason: string) => ({ error: { message: 'Invalid params', data: { reason, param }, code: -32602 } });

function summaryRow(inst: DeribitMockInstrument, m: ScenarioMarketEvent, now: number) {
  const inverse = inst.instrument_type === 'reversed';
  const perpetual = inst.settlement_period === 'perpetual';
  return {
    instrument_name: inst.instrument_name,
    base_currency: inst.asset,
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
    // current_funding: the rate now, quoted per 8 h; funding_8h: what the trailing 8 h paid (here a different number).
    ...(perpetual ? { current_funding: m.fundingRate8h, funding_8h: m.fundingRate8h * 0.9 } : {}),
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
  // Dated futures share the currency (their mark a little above); the adapter must keep only perpetuals.
  const rows = deribitMockInstruments(view).flatMap((inst) => {
    const m = view.market(inst.asset);
    if (!m || inst.settlement_currency !== currency) return [];
    const row = summaryRow(inst, m, view.now);
    return [inst.settlement_period === 'perpetual' ? row : { ...row, mark_price: m.markPrice * 1.01 }];
  });
  return { status: 200, body: envelope(view.now, { result: rows }) };
}

function instruments(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  const currency = req.query.get('currency');
  const kind = req.query.get('kind');
  // Docs "public/get_instruments": currency is required, one of the currencies or "any".
  if (!currency || (currency !== 'any' && !CURRENCIES.includes(currency))) return { status: 400, body: envelope(view.now, invalidParams('currency', 'must be one of the supported currencies')) };
  if (kind !== null && !KINDS.includes(kind)) return { status: 400, body: envelope(view.now, invalidParams('kind', 'wrong format')) };
  if (kind !== null && kind !== 'future') return { status: 200, body: envelope(view.now, { result: [] }) };
  const rows = deribitMockInstruments(view)
    .map((inst, index) => ({ inst, index }))
    .filter(({ inst }) => currency === 'any' || inst.settlement_currency === currency)
    .map(({ inst, index }) => instrumentRow(inst, index));
  return { status: 200, body: envelope(view.now, { result: rows }) };
}

function http(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.host !== HOST) return { status: 404, body: 'Not Found' };
  if (req.method !== 'GET' && req.method !== 'POST') return { status: 405, body: 'Method Not Allowed' };
  if (req.path === '/api/v2/public/get_book_summary_by_currency') return bookSummary(req, view);
  if (req.path === '/api/v2/public/get_instruments') return instruments(req, view);
  return { status: 400, body: envelope(view.now, { error: { message: 'Method not found', code: -32601 } }) };
}

function tradeFrame(event: ScenarioLiquidationEvent & { time: number }, inst: DeribitMockInstrument, channel: string, m: ScenarioMarketEvent | undefined) {
  const instrument = inst.instrument_name;
  const inverse = inst.instrument_type === 'reversed';
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
          const listed = new Set(deribitMockInstruments(view).map((i) => i.instrument_name));
          for (const channel of channels as string[]) {
            // trades.(instrument_name).(interval) and trades.(kind).(currency).(interval) (currency may be "any").
            const byInstrument = /^trades\.([A-Z0-9_]+-[A-Z0-9]+)\.(raw|100ms|agg2)$/.exec(channel);
            const byKind = /^trades\.(future|option|spot|future_combo|option_combo)\.([A-Za-z]+)\.(raw|100ms|agg2)$/.exec(channel);
            const valid = byInstrument ? listed.has(byInstrument[1]!) : byKind ? byKind[2] === 'any' || CURRENCIES.includes(byKind[2]!) : false;
            if (!valid) return reject(`unknown channel ${channel}`, id, invalidParams('channels', `invalid channel ${channel}`), view.now);
            if ((byInstrument?.[2] ?? byKind?.[3]) === 'raw') return reject('raw needs auth', id, { error: { message: 'raw_subscriptions_not_available_for_unauthorized', code: 13778 } }, view.now);
          }
          for (const channel of channels as string[]) subscribed.add(channel);
          return ok(channels);
        }
      }
      return reject(`unknown method ${method}`, id, { error: { message: 'Method not found', code: -32601 } }, view.now);
    },
    liquidationFrames(event, view) {
      const inst = event.symbol ? deribitMockInstruments(view).find((i) => i.instrument_name === event.symbol) : mainPerpetual(event.asset);
      if (!inst) return [];
      const name = inst.instrument_name;
      const channel = [name, `future.${inst.settlement_currency}`, 'future.any']
        .flatMap((scope) => [`trades.${scope}.100ms`, `trades.${scope}.agg2`])
        .find((c) => subscribed.has(c));
      return channel ? [JSON.stringify(tradeFrame(event, inst, channel, view.market(inst.asset)))] : [];
    },
  };
}

export const deribitMock: MockVenue = {
  id: 'deribit',
  hosts: [HOST],
  http,
  connect,
};
