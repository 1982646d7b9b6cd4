/**
 * Hyperliquid public API: POST /info (JSON body {"type": …}) and the /ws WebSocket.
 * Rejects what the real venue rejects: other paths, GET on /info, bodies that are not JSON or name an
 * unknown type, and malformed or unknown WS subscriptions. It never emits liquidation frames: the
 * real venue has no public all-users liquidation feed.
 */
import type { ScenarioMarketEvent } from '../../../src/core/scenario';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

const HOST = 'api.hyperliquid.xyz';
/** Public subscriptions that need a coin, and those that do not (docs: websocket/subscriptions). */
const COIN_SUBSCRIPTIONS = new Set(['trades', 'l2Book', 'bbo', 'activeAssetCtx', 'candle']);
const GLOBAL_SUBSCRIPTIONS = new Set(['allMids']);

const fixed = (n: number, digits: number) => n.toFixed(digits);

/** Axum-style plain-text rejections, as the live endpoint answers. */
const unprocessable = (detail: string): MockHttpResponse => ({ status: 422, body: `Failed to deserialize the JSON body into the target type: ${detail}` });

function assetCtx(m: ScenarioMarketEvent) {
  return {
    // Hourly funding: the scenario gives an 8 h equivalent.
    funding: fixed(m.fundingRate8h / 8, 10),
    // Open interest in coins.
    openInterest: fixed(m.openInterestUsd / m.markPrice, 5),
    prevDayPx: fixed(m.price * 0.98, 2),
    dayNtlVlm: fixed(m.perpVolume24hUsd, 2),
    premium: fixed(m.markPrice / m.indexPrice - 1, 8),
    oraclePx: fixed(m.indexPrice, 4),
    markPx: fixed(m.markPrice, 4),
    midPx: fixed(m.price, 4),
    impactPxs: [fixed(m.price - 1, 4), fixed(m.price + 1, 4)],
  };
}

function metaAndAssetCtxs(view: MockMarketView) {
  const assets = view.assets().filter((asset) => view.market(asset));
  return [
    { universe: assets.map((name) => ({ name, szDecimals: 4, maxLeverage: 40, marginTableId: 56 })), marginTables: [] },
    assets.map((asset) => assetCtx(view.market(asset)!)),
  ];
}

function http(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.host !== HOST || req.path !== '/info') return { status: 404, body: '' };
  if (req.method !== 'POST') return { status: 405, body: '' };
  let request: { type?: unknown };
  try {
    request = JSON.parse(req.body);
  } catch {
    return { status: 400, body: 'Failed to parse the request body as JSON' };
  }
  if (typeof request !== 'object' || request === null || typeof request.type !== 'string') return unprocessable('missing field `type`');
  if (request.type === 'metaAndAssetCtxs') return { status: 200, body: metaAndAssetCtxs(view) };
  if (request.type === 'meta') return { status: 200, body: metaAndAssetCtxs(view)[0] };
  return unprocessable(`unknown variant \`${request.type}\``);
}

function connect(host: string, pathAndQuery: string): MockWsConnection {
  if (host !== HOST || new URL(pathAndQuery, `wss://${HOST}`).pathname !== '/ws') throw new MockReject(`no WebSocket at ${host}${pathAndQuery}`, undefined, 404);
  const error = (data: string) => JSON.stringify({ channel: 'error', data });
  return {
    onMessage(text, view) {
      let request: { method?: unknown; subscription?: { type?: unknown; coin?: unknown } };
      try {
        request = JSON.parse(text);
      } catch {
        throw new MockReject('invalid JSON', error(`Invalid JSON: ${text.slice(0, 40)}`));
      }
      if (request.method === 'ping') return [JSON.stringify({ channel: 'pong' })];
      if (request.method !== 'subscribe' && request.method !== 'unsubscribe') throw new MockReject('unknown method', error(`Unknown method: ${text.slice(0, 60)}`));
      const type = request.subscription?.type;
      const coin = request.subscription?.coin;
      const valid =
        typeof type === 'string' &&
        (GLOBAL_SUBSCRIPTIONS.has(type) || (COIN_SUBSCRIPTIONS.has(type) && typeof coin === 'string' && view.market(coin) !== undefined));
      if (!valid) throw new MockReject('invalid subscription', error(`Invalid subscription ${JSON.stringify(request.subscription ?? null)}`));
      return [JSON.stringify({ channel: 'subscriptionResponse', data: { method: request.method, subscription: request.subscription } })];
    },
    // Hyperliquid publishes no all-users liquidation stream.
    liquidationFrames: () => [],
  };
}

export const hyperliquidMock: MockVenue = {
  id: 'hyperliquid',
  hosts: [HOST],
  http,
  connect,
};
