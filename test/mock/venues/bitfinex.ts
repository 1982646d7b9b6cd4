/**
 * Bitfinex public REST (api-pub) and WS v2 in their real array formats.
 * Rejects what the real venue rejects: unknown paths, missing keys/symbols, unknown events or status
 * keys, and more than 25 channels on one connection.
 */
import type { ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../../tools/replay/scenario';
import { MockReject, type MockHttpRequest, type MockHttpResponse, type MockMarketView, type MockVenue, type MockWsConnection } from '../types';

const HOST = 'api-pub.bitfinex.com';
const MAX_CHANNELS = 25;
const EIGHT_HOURS = 8 * 60 * 60 * 1000;

/** Bitfinex REST errors are arrays: ["error", code, "param: invalid"]. */
const err = (status: number, code: number, msg: string): MockHttpResponse => ({ status, body: ['error', code, msg] });

const perpSymbol = (asset: string) => `t${asset}F0:USTF0`;
const spotSymbol = (asset: string) => (asset.length === 3 ? `t${asset}USD` : `t${asset}:USD`);

/**
 * Perpetuals the mock lists besides each view asset's (e2e uses them): Tether Gold, an unwatched
 * USDt perpetual, at a fixed price. Liquidation events name it with `symbol`.
 */
export const BITFINEX_EXTRA_PERPETUALS: ReadonlyArray<{ symbol: string; asset: string; price: number }> = [{ symbol: 'tXAUTF0:USTF0', asset: 'XAUT', price: 2400 }];
/** A paper-trading perpetual, listed by status/deriv?keys=ALL as the live API does; never a market. */
const PAPER_PERPETUAL = 'tTESTBTCF0:TESTUSDTF0';

function extraMarket(extra: { asset: string; price: number }): ScenarioMarketEvent {
  return { t: 0, type: 'market', venue: 'bitfinex', asset: extra.asset, price: extra.price, markPrice: extra.price, indexPrice: extra.price, fundingRate8h: 0.0001, openInterestUsd: 1e6, perpVolume24hUsd: 1e6, spotVolume24hUsd: 1e6 };
}

function assetOfPerp(symbol: string): string | null {
  return /^t([A-Z0-9]+)F0:USTF0$/.exec(symbol)?.[1] ?? null;
}

function assetOfSpot(symbol: string): string | null {
  const match = /^t(?:([A-Z0-9]{3})|([A-Z0-9]+):)USD$/.exec(symbol);
  return match?.[1] ?? match?.[2] ?? null;
}

/** Derivatives status fields after KEY: MTS … CLAMP_MAX (REST prepends the key, WS does not). */
function statusFields(m: ScenarioMarketEvent, now: number): unknown[] {
  return [
    now, null, m.price, m.indexPrice, null, 5_000_000, null,
    Math.ceil(now / EIGHT_HOURS) * EIGHT_HOURS, m.fundingRate8h / 2, 240, null,
    // CURRENT_FUNDING is per 8 h period, the scenario's unit.
    m.fundingRate8h, null, null,
    m.markPrice, null, null,
    // OPEN_INTEREST in coins.
    m.openInterestUsd / m.markPrice, null, null, null, 0.0005, 0.0025,
  ];
}

function tickerRow(symbol: string, m: ScenarioMarketEvent, volumeUsd: number): unknown[] {
  return [symbol, m.price - 1, 12.5, m.price + 1, 11.2, m.price * 0.01, 0.01, m.price, volumeUsd / m.price, m.price * 1.02, m.price * 0.97];
}

/**
 * A POS_ID per liquidation, the same in the stream and the REST history (the adapter counts a
 * position once by it): the event's millisecond and three digits of a hash of what it is.
 */
function positionId(event: ScenarioLiquidationEvent & { time: number }): number {
  let hash = 2166136261;
  for (const char of `${event.asset}|${event.symbol ?? ''}|${event.side}|${event.price}|${event.notionalUsd}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return Math.floor(event.time) * 1000 + (hash % 1000);
}

function liquidationRow(event: ScenarioLiquidationEvent & { time: number }, isMatch: 0 | 1): unknown[] {
  const amount = event.notionalUsd / event.price;
  // Entry (BASE_PRICE) is where the position was opened: above the liquidation price for a long.
  const entry = event.side === 'long' ? event.price * 1.04 : event.price * 0.96;
  // One contract is one coin (linear, 1 base unit): AMOUNT is the position size in coins.
  return ['pos', positionId(event), event.time, null, event.symbol ?? perpSymbol(event.asset), event.side === 'long' ? amount : -amount, entry, null, isMatch, 1, null, event.price];
}

function listParam(req: MockHttpRequest, name: string): string[] | null {
  const raw = req.query.get(name);
  if (!raw) return null;
  return raw.split(',').filter(Boolean);
}

function http(req: MockHttpRequest, view: MockMarketView): MockHttpResponse {
  if (req.host !== HOST) return err(404, 10020, `unknown host ${req.host}`);
  if (req.method !== 'GET') return err(405, 10020, 'method: invalid');
  switch (req.path) {
    case '/v2/status/deriv': {
      const keys = listParam(req, 'keys');
      if (!keys) return err(400, 10020, 'keys: invalid');
      const all = keys.length === 1 && keys[0] === 'ALL';
      const rows = view.assets().flatMap((asset) => {
        const m = view.market(asset);
        const key = perpSymbol(asset);
        return m && (all || keys.includes(key)) ? [[key, ...statusFields(m, view.now)]] : [];
      });
      for (const extra of BITFINEX_EXTRA_PERPETUALS) if (all || keys.includes(extra.symbol)) rows.push([extra.symbol, ...statusFields(extraMarket(extra), view.now)]);
      if (all || keys.includes(PAPER_PERPETUAL)) rows.push([PAPER_PERPETUAL, ...statusFields(extraMarket({ asset: 'TESTBTC', price: 50000 }), view.now)]);
      return { status: 200, body: rows };
    }
    case '/v2/tickers': {
      const symbols = listParam(req, 'symbols');
      if (!symbols) return err(400, 10020, 'symbols: invalid');
      if (symbols.length === 1 && symbols[0] === 'ALL') {
        // Every trading pair and perpetual, plus funding tickers in their own (longer) layout.
        const rows: unknown[][] = view.assets().flatMap((asset) => {
          const m = view.market(asset);
          return m ? [tickerRow(perpSymbol(asset), m, m.perpVolume24hUsd), tickerRow(spotSymbol(asset), m, m.spotVolume24hUsd)] : [];
        });
        for (const extra of BITFINEX_EXTRA_PERPETUALS) rows.push(tickerRow(extra.symbol, extraMarket(extra), 1e6));
        rows.push(['fUSD', 0.0002, 0.0002, 30, 1_000_000, 0.00019, 2, 500_000, 0.00001, 0.05, 0.0002, 90_000_000, 0.0003, 0.0001, null, null, 4_000_000]);
        return { status: 200, body: rows };
      }
      // Unknown symbols are left out of the answer, as the live endpoint does.
      const rows = symbols.flatMap((symbol) => {
        const perpAsset = assetOfPerp(symbol);
        const spotAsset = assetOfSpot(symbol);
        const m = view.market(perpAsset ?? spotAsset ?? '');
        if (!m) return [];
        return [tickerRow(symbol, m, perpAsset ? m.perpVolume24hUsd : m.spotVolume24hUsd)];
      });
      return { status: 200, body: rows };
    }
    case '/v2/liquidations/hist': {
      const limit = Number(req.query.get('limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) return err(400, 10020, 'limit: invalid');
      const start = req.query.get('start') === null ? -Infinity : Number(req.query.get('start'));
      const end = req.query.get('end') === null ? Infinity : Number(req.query.get('end'));
      if (Number.isNaN(start) || Number.isNaN(end)) return err(400, 10020, 'start/end: invalid');
      const within = view.playedLiquidations().filter((event) => event.time >= start && event.time <= end);
      const rows = within.slice(-limit).reverse().map((event) => [liquidationRow(event, 0)]);
      return { status: 200, body: rows };
    }
  }
  return err(404, 10020, `path: invalid (${req.path})`);
}

function connect(host: string, pathAndQuery: string): MockWsConnection {
  if (host !== HOST) throw new MockReject(`no public WebSocket on ${host}`, undefined, 404);
  if (new URL(pathAndQuery, `wss://${HOST}`).pathname !== '/ws/2') throw new MockReject(`no WebSocket at ${pathAndQuery}`, undefined, 404);
  /** key → chanId */
  const channels = new Map<string, number>();
  let nextChannelId = 1000;
  const error = (msg: string, code: number, extra: object = {}) => JSON.stringify({ event: 'error', msg, code, ...extra });
  return {
    onMessage(text, view) {
      let request: { event?: unknown; channel?: unknown; key?: unknown; cid?: unknown };
      try {
        request = JSON.parse(text);
      } catch {
        throw new MockReject('invalid JSON', error('Unknown event', 10000));
      }
      if (request.event === 'ping') return [JSON.stringify({ event: 'pong', ts: view.now, ...(request.cid !== undefined ? { cid: request.cid } : {}) })];
      if (request.event !== 'subscribe') throw new MockReject(`unknown event ${String(request.event)}`, error('Unknown event', 10000));
      if (request.channel !== 'status') throw new MockReject(`channel ${String(request.channel)} is not the status channel`, error('subscribe: invalid channel', 10300, { channel: request.channel }));
      const key = request.key;
      const asset = typeof key === 'string' && key.startsWith('deriv:') ? assetOfPerp(key.slice('deriv:'.length)) : null;
      const extra = BITFINEX_EXTRA_PERPETUALS.find((e) => `deriv:${e.symbol}` === key);
      const known = key === 'liq:global' || extra !== undefined || (asset !== null && view.market(asset) !== undefined);
      if (typeof key !== 'string' || !known) throw new MockReject(`unknown status key ${String(key)}`, error('subscribe: invalid', 10300, { channel: 'status', key }));
      if (channels.has(key)) throw new MockReject(`already subscribed to ${key}`, error('subscribe: dup', 10301, { channel: 'status', key }));
      if (channels.size >= MAX_CHANNELS) throw new MockReject('too many channels', error('subscribe: limit', 10305, { channel: 'status', key }));
      const chanId = nextChannelId++;
      channels.set(key, chanId);
      const frames = [JSON.stringify({ event: 'subscribed', channel: 'status', chanId, key })];
      const m = extra ? extraMarket(extra) : asset ? view.market(asset) : undefined;
      if (m) frames.push(JSON.stringify([chanId, statusFields(m, view.now)]));
      return frames;
    },
    liquidationFrames(event) {
      const chanId = channels.get('liq:global');
      if (chanId === undefined) return [];
      // The trigger (IS_MATCH 0) announces the liquidation; the market fill (IS_MATCH 1) follows.
      return [JSON.stringify([chanId, [liquidationRow(event, 0)]]), JSON.stringify([chanId, [liquidationRow(event, 1)]])];
    },
    marketFrames(event, view) {
      const frames: string[] = [];
      for (const [key, chanId] of channels) if (key.startsWith('deriv:') && assetOfPerp(key.slice('deriv:'.length)) === event.asset) frames.push(JSON.stringify([chanId, statusFields(event, view.now)]));
      return frames;
    },
  };
}

export const bitfinexMock: MockVenue = {
  id: 'bitfinex',
  hosts: [HOST],
  http,
  connect,
};
