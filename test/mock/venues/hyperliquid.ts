/**
 * Hyperliquid public API: POST /info (JSON body {"type": …}) and the /ws WebSocket.
 * Lists one perpetual per scenario asset, named as Hyperliquid names it (PEPE trades as kPEPE, quoted per
 * 1000 coins), plus HYPERLIQUID_EXTRA_INSTRUMENTS: kPEPE always, and LOOM, delisted (still in the
 * universe with `isDelisted`, as the live API keeps it). Rejects what the real venue rejects: other paths,
 * GET on /info, bodies that are not JSON or name an unknown type, and malformed or unknown WS
 * subscriptions. It never emits liquidation frames: the real venue has no public all-users liquidation feed.
 */
import type { ScenarioMarketEvent } from '../../../tools/replay/scenario';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

const HOST = 'api.hyperliquid.xyz';
/** Public subscriptions that need a coin, and those that do not (docs: websocket/subscriptions). */
const COIN_SUBSCRIPTIONS = new Set(['trades', 'l2Book', 'bbo', 'activeAssetCtx', 'candle']);
const GLOBAL_SUBSCRIPTIONS = new Set(['allMids']);

/** Coins Hyperliquid lists per 1000 (k prefix). */
const THOUSANDS = new Set(['PEPE', 'SHIB', 'BONK', 'FLOKI']);

/** A market for PEPE when the scenario has none, so kPEPE is always listed. */
const PEPE_DEFAULT: ScenarioMarketEvent = {
  t: 0,
  type: 'market',
  venue: 'hyperliquid',
  asset: 'PEPE',
  price: 0.00001,
  markPrice: 0.000010003,
  indexPrice: 0.00001,
  fundingRate8h: 0.0001,
  openInterestUsd: 5e7,
  perpVolume24hUsd: 2e8,
  spotVolume24hUsd: 5e7,
};

interface MockInstrument {
  name: string;
  asset: string;
  isDelisted?: boolean;
}

/** Instruments the mock lists besides each scenario asset's perpetual (e2e and tests use them by name). */
export const HYPERLIQUID_EXTRA_INSTRUMENTS: readonly MockInstrument[] = [
  { name: 'kPEPE', asset: 'PEPE' },
  { name: 'LOOM', asset: 'LOOM', isDelisted: true },
];

const nameOf = (asset: string) => (THOUSANDS.has(asset) ? `k${asset}` : asset);
const scaleOf = (name: string) => (name.startsWith('k') ? 1000 : 1);
const fixed = (n: number, digits: number) => n.toFixed(digits);
/** Prices as decimal strings, as the live API sends them. */
const px = (n: number) => String(Number(n.toPrecision(10)));

/** Axum-style plain-text rejections, as the live endpoint answers. */
const unprocessable = (detail: string): MockHttpResponse => ({ status: 422, body: `Failed to deserialize the JSON body into the target type: ${detail}` });

function marketOf(instrument: MockInstrument, view: MockMarketView): ScenarioMarketEvent {
  return view.market(instrument.asset) ?? (instrument.asset === 'PEPE' ? PEPE_DEFAULT : { ...PEPE_DEFAULT, asset: instrument.asset, price: 0.05, markPrice: 0.05, indexPrice: 0.05 });
}

function listed(view: MockMarketView): MockInstrument[] {
  const main = view.assets().filter((asset) => view.market(asset)).map((asset) => ({ name: nameOf(asset), asset }));
  return [...main, ...HYPERLIQUID_EXTRA_INSTRUMENTS.filter((extra) => !main.some((m) => m.name === extra.name))];
}

/** One asset context; prices are per unit of the name (kPEPE: per 1000 PEPE), open interest in those units. */
function assetCtx(name: string, m: ScenarioMarketEvent) {
  const scale = scaleOf(name);
  return {
    // Hourly funding: the scenario gives an 8 h equivalent.
    funding: fixed(m.fundingRate8h / 8, 10),
    openInterest: fixed(m.openInterestUsd / (m.markPrice * scale), 5),
    prevDayPx: px(m.price * scale * 0.98),
    dayNtlVlm: fixed(m.perpVolume24hUsd, 2),
    premium: fixed(m.markPrice / m.indexPrice - 1, 8),
    oraclePx: px(m.indexPrice * scale),
    markPx: px(m.markPrice * scale),
    midPx: px(m.price * scale),
    impactPxs: [px(m.price * scale * 0.9999), px(m.price * scale * 1.0001)],
  };
}

function metaAndAssetCtxs(view: MockMarketView) {
  const instruments = listed(view);
  return [
    {
      universe: instruments.map(({ name, isDelisted }) => ({ name, szDecimals: name.startsWith('k') ? 0 : 4, maxLeverage: 40, marginTableId: 56, ...(isDelisted ? { isDelisted: true } : {}) })),
      // Table 56 as the live meta lists it (test/fixtures/hyperliquid-meta-margin-tables-rest.json).
      marginTables: [[56, { description: 'tiered 40x', marginTiers: [{ lowerBound: '0.0', maxLeverage: 40 }, { lowerBound: '150000000.0', maxLeverage: 20 }] }]],
    },
    instruments.map((instrument) => assetCtx(instrument.name, marketOf(instrument, view))),
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
        (GLOBAL_SUBSCRIPTIONS.has(type) || (COIN_SUBSCRIPTIONS.has(type) && typeof coin === 'string' && listed(view).some((i) => i.name === coin && !i.isDelisted)));
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
