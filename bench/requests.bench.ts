/**
 * Requests per minute per venue, against each venue's per-IP limit, at the default watchlist
 * and at larger tracked sets (the watchlist plus assets opened on trading pages: 20 and 50 assets).
 * Counts what the worker really asks for (the poll scheduler's requests, src/background/poller.ts
 * PollRotation, over the mock's instrument lists, once per poll alarm; the busiest poll of a full
 * round of the rotation) and prices every request in the unit of the limit it counts against: Binance and
 * Hyperliquid limit request WEIGHT, OKX, Bitget and Bitfinex limit each endpoint separately,
 * the others limit all requests together. A request this table does not know fails the bench,
 * so a new endpoint cannot slip in without its cost being stated.
 * Also: one-off backfill (with the level model's 7 days of 1 h bars) and instrument-list requests on install, and
 * WebSocket frames sent per minute.
 * Margin tiers (src/background/tiers.ts, for the liquidation-level model): fetched when a list is (re)loaded,
 * at most daily, so their share of a minute's limit is taken as a burst in the same minute as a poll
 * (the worst case: a worker start or the daily refresh), and must stay under the same 10 %.
 */
import { readFileSync } from 'node:fs';
import { MAX_POLL_REQUESTS, PollRotation } from '../src/background/poller';
import { DEFAULT_SETTINGS } from '../src/core/settings';
import type { InstrumentSpec, VenueId } from '../src/core/model';
import { venues } from '../src/venues';
import type { RestRequest, VenueAdapter } from '../src/venues/types';
import { mockCatalogue } from '../test/catalogue';
import { marketRow, staticView } from '../test/mock/view';
import type { BenchReport } from './run';

/** Twenty assets: the default watchlist plus seventeen a trader might open pages for. */
const LARGER_SET = [...DEFAULT_SETTINGS.watchlist, 'DOGE', 'XRP', 'BNB', 'ADA', 'AVAX', 'LINK', 'LTC', 'DOT', 'TRX', 'SUI', 'APT', 'ARB', 'OP', 'NEAR', 'FIL', 'ATOM', 'PEPE'];

/** Fifty assets: a watchlist without a cap, and the largest set the bench holds every venue to. */
const FIFTY_SET = [
  ...LARGER_SET,
  ...['ETC', 'BCH', 'UNI', 'AAVE', 'INJ', 'TIA', 'SEI', 'WLD', 'JUP', 'ENA', 'WIF', 'BONK', 'SHIB', 'FET', 'RENDER'],
  ...['TAO', 'HBAR', 'XLM', 'ALGO', 'ICP', 'STX', 'IMX', 'MKR', 'LDO', 'CRV', 'GALA', 'SAND', 'ORDI', 'TON', 'KAS'],
];

/** The tracked sets the bench prices, by the label its figure names carry. */
const SETS = [
  ['default', DEFAULT_SETTINGS.watchlist],
  ['20 assets', LARGER_SET],
  ['50 assets', FIFTY_SET],
] as const;

/** A limit bucket: what a request counts against and how much. */
interface Cost {
  bucket: string;
  units: number;
  limitPerMinute: number;
}

/** The README promises every venue stays under this share of its limit at default settings. */
const MAX_SHARE = 0.1;

/**
 * The worker's poll period, read from its source: importing src/background/index.ts would start
 * a worker. A renamed constant fails the bench rather than silently using a stale period.
 */
function pollPeriodMinutes(): number {
  const source = readFileSync(new URL('../src/background/index.ts', import.meta.url), 'utf8');
  const match = /POLL_PERIOD_MINUTES\s*=\s*([\d.]+)/.exec(source);
  if (!match) throw new Error('POLL_PERIOD_MINUTES not found in src/background/index.ts');
  return Number(match[1]);
}

/** Per request, in the unit of the venue's limit. Sources are the venues' own docs. */
const COSTS: Record<VenueId, (url: URL, request: RestRequest) => Cost | null> = {
  binance: (url) => {
    // fapi REQUEST_WEIGHT 2400/min per IP (exchangeInfo rateLimits); weights from each endpoint's docs page.
    const fapi = (units: number): Cost => ({ bucket: 'fapi weight', units, limitPerMinute: 2400 });
    const symbol = url.searchParams.has('symbol');
    if (url.host === 'fapi.binance.com') {
      if (url.pathname === '/fapi/v1/exchangeInfo') return fapi(1);
      if (url.pathname === '/fapi/v1/premiumIndex') return fapi(symbol ? 1 : 10);
      // Get Funding Rate Info: weight 0; Get Funding Rate History: "share 500/5min/IP rate limit with GET /fapi/v1/fundingInfo".
      if (url.pathname === '/fapi/v1/fundingInfo' || url.pathname === '/fapi/v1/fundingRate') return { bucket: 'fundingRate + fundingInfo requests', units: 1, limitPerMinute: 100 };
      if (url.pathname === '/fapi/v1/openInterest') return fapi(1);
      if (url.pathname === '/fapi/v1/klines') {
        // Kline/Candlestick Data: weight by limit (default 500): [1,100) 1, [100,500) 2, [500,1000] 5, > 1000 10.
        const limit = Number(url.searchParams.get('limit') ?? 500);
        return fapi(limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10);
      }
      if (url.pathname === '/fapi/v1/ticker/24hr') return fapi(symbol ? 1 : 40);
      // "futures/data" statistics endpoints: their own limit, 1000 requests per 5 min per IP.
      if (url.pathname.startsWith('/futures/data/')) return { bucket: 'futures/data requests', units: 1, limitPerMinute: 200 };
    }
    // COIN-M Exchange Information weighs 1 (COIN-M docs, Exchange Information "Request Weight 1"), in dapi's own
    // REQUEST_WEIGHT limit, taken as 2400/min per IP like fapi's (the COIN-M docs example shows 6000; the lower is assumed).
    if (url.host === 'dapi.binance.com' && url.pathname === '/dapi/v1/exchangeInfo') return { bucket: 'dapi weight', units: 1, limitPerMinute: 2400 };
    // Spot exchangeInfo weighs 20 (spot docs "Exchange information").
    if (url.host === 'api.binance.com' && url.pathname === '/api/v3/exchangeInfo') return { bucket: 'spot weight', units: 20, limitPerMinute: 6000 };
    if (url.host === 'api.binance.com' && url.pathname === '/api/v3/ticker/24hr') {
      // Spot REQUEST_WEIGHT 6000/min; ticker/24hr with 1–20 symbols weighs 2.
      const count = (JSON.parse(url.searchParams.get('symbols') ?? '[]') as unknown[]).length;
      return { bucket: 'spot weight', units: count <= 20 ? 2 : count <= 100 ? 40 : 80, limitPerMinute: 6000 };
    }
    return null;
  },
  // Bybit v5 "Rate Limit": 600 requests per 5 s per IP, all endpoints together.
  bybit: () => ({ bucket: 'requests', units: 1, limitPerMinute: 7200 }),
  okx: (url) => {
    // OKX limits each endpoint (per IP): requests per 2 s from each endpoint's docs.
    const per2s: Record<string, number> = {
      '/api/v5/public/funding-rate': 10,
      '/api/v5/public/mark-price': 10,
      '/api/v5/public/open-interest': 20,
      '/api/v5/market/index-tickers': 20,
      '/api/v5/market/ticker': 20,
      '/api/v5/market/tickers': 20,
      '/api/v5/public/instruments': 20,
      '/api/v5/public/liquidation-orders': 40,
      // Get position tiers: "Rate Limit: 10 requests per 2 seconds", rule IP.
      '/api/v5/public/position-tiers': 10,
      // Get candlesticks: 40 requests per 2 s (IP); Get contract open interest history: 10 per 2 s (IP + instrument ID).
      '/api/v5/market/candles': 40,
      '/api/v5/rubik/stat/contracts/open-interest-history': 10,
    };
    const limit = per2s[url.pathname];
    return limit ? { bucket: url.pathname, units: 1, limitPerMinute: limit * 30 } : null;
  },
  // BitMEX: 30 requests/min unauthenticated, all routes.
  bitmex: () => ({ bucket: 'requests', units: 1, limitPerMinute: 30 }),
  // Bitget v2 mix market endpoints: 20 requests/s per IP, each endpoint; Get Position Tier: 10 times/1s (IP).
  bitget: (url) => ({ bucket: url.pathname, units: 1, limitPerMinute: url.pathname.endsWith('/query-position-lever') ? 600 : 1200 }),
  bitfinex: (url) => {
    // Bitfinex REST: per endpoint per IP; liquidations/hist is 3/min (docs "Liquidations").
    if (url.pathname === '/v2/liquidations/hist') return { bucket: url.pathname, units: 1, limitPerMinute: 3 };
    if (url.pathname === '/v2/status/deriv' || url.pathname === '/v2/tickers') return { bucket: url.pathname, units: 1, limitPerMinute: 90 };
    return null;
  },
  // Deribit: non-matching-engine requests 20/s sustained per account/IP; get_instruments has its own
  // limit of one request per 10 s (docs "public/get_instruments").
  deribit: (url) =>
    url.pathname.endsWith('/public/get_instruments') ? { bucket: 'get_instruments', units: 1, limitPerMinute: 6 } : { bucket: 'requests', units: 1, limitPerMinute: 1200 },
  hyperliquid: (_url, request) => {
    // Hyperliquid REST weight 1200/min per IP; info requests weigh 20, except a few light ones (2).
    const type = (request.body as { type?: string } | undefined)?.type;
    const light = ['l2Book', 'allMids', 'clearinghouseState', 'orderStatus', 'spotClearinghouseState', 'exchangeStatus'];
    return type ? { bucket: 'info weight', units: light.includes(type) ? 2 : 20, limitPerMinute: 1200 } : null;
  },
};

function costOf(venue: VenueId, request: RestRequest): Cost {
  const cost = COSTS[venue](new URL(request.url), request);
  if (!cost) throw new Error(`${venue}: no stated cost for ${request.url}; add it to bench/requests.bench.ts`);
  return cost;
}

interface BucketUse {
  units: number;
  limitPerMinute: number;
}

/** Units per minute in every bucket the requests touch, `times` per minute. */
function perMinute(venue: VenueId, requests: RestRequest[], times: number): Map<string, BucketUse> {
  const buckets = new Map<string, BucketUse>();
  for (const request of requests) {
    const cost = costOf(venue, request);
    const use = buckets.get(cost.bucket) ?? { units: 0, limitPerMinute: cost.limitPerMinute };
    use.units += cost.units * times;
    buckets.set(cost.bucket, use);
  }
  return buckets;
}

function busiest(buckets: Map<string, BucketUse>): { bucket: string; use: BucketUse; share: number } | null {
  let top: { bucket: string; use: BucketUse; share: number } | null = null;
  for (const [bucket, use] of buckets) {
    const share = use.units / use.limitPerMinute;
    if (!top || share > top.share) top = { bucket, use, share };
  }
  return top;
}

const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;

/**
 * One full round of the poll rotation over `tracked`: the requests of each poll, as the worker sends
 * them, until every tracked asset had its turn.
 */
function pollRound(adapter: VenueAdapter, tracked: readonly string[], instruments: readonly InstrumentSpec[]): RestRequest[][] {
  const rotation = new PollRotation();
  const polls: RestRequest[][] = [];
  const asked = new Set<string>();
  while (asked.size < tracked.length) {
    const window = rotation.window(adapter, tracked, instruments);
    // A window that covers nothing new would never finish the round: the bench fails rather than spin.
    if (window.assets.every((asset) => asked.has(asset))) throw new Error(`${adapter.id}: the poll rotation is stuck at ${asked.size} of ${tracked.length} assets`);
    polls.push(window.requests);
    for (const asset of window.assets) asked.add(asset);
  }
  return polls;
}

export async function run(): Promise<BenchReport> {
  const pollsPerMinute = 1 / pollPeriodMinutes();
  const figures: Record<string, number | string> = {
    'poll period s': pollPeriodMinutes() * 60,
    'watchlist': DEFAULT_SETTINGS.watchlist.join(' '),
    'larger tracked set': LARGER_SET.length,
    'largest tracked set': FIFTY_SET.length,
    'max requests per venue per poll': MAX_POLL_REQUESTS,
  };
  const targets: BenchReport['targets'] = [];
  const view = staticView(FIFTY_SET.map((asset, i) => marketRow('binance', asset, 10 + i)));
  for (const adapter of Object.values(venues)) {
    const instruments = mockCatalogue(adapter.id, view);
    /** Each set's busiest poll of a full rotation round: the one that uses most of the venue's limit. */
    const busiestPoll = new Map<string, RestRequest[]>();
    for (const [label, tracked] of SETS) {
      const polls = pollRound(adapter, tracked, instruments);
      const shareOf = (requests: RestRequest[]) => busiest(perMinute(adapter.id, requests, pollsPerMinute))?.share ?? 0;
      const requests = polls.reduce((worst, poll) => (shareOf(poll) > shareOf(worst) || (shareOf(poll) === shareOf(worst) && poll.length > worst.length) ? poll : worst));
      busiestPoll.set(label, requests);
      const top = busiest(perMinute(adapter.id, requests, pollsPerMinute));
      figures[`${adapter.id} requests/min (${label})`] = Math.max(...polls.map((poll) => poll.length)) * pollsPerMinute;
      if (polls.length > 1) figures[`${adapter.id} polls to ask for every asset (${label})`] = polls.length;
      targets.push({ what: `${adapter.id} at ${label} asks at most ${MAX_POLL_REQUESTS} requests a poll`, ok: polls.every((poll) => poll.length <= MAX_POLL_REQUESTS) });
      if (top) {
        figures[`${adapter.id} busiest limit (${label})`] = `${top.bucket}: ${top.use.units}/${top.use.limitPerMinute} per min (${pct(top.share)})`;
        targets.push({ what: `${adapter.id} at ${label} under ${pct(MAX_SHARE)} of its limit (${top.bucket} ${pct(top.share)})`, ok: top.share <= MAX_SHARE });
      }
    }
    for (const [label, tracked] of SETS) {
      const tiers = adapter.marginTierRequests?.(tracked, instruments) ?? [];
      if (!tiers.length) continue;
      // The tier fetch lands in one minute with that minute's polls (a start, or the daily list refresh).
      const burst = perMinute(adapter.id, [...tiers], 1);
      for (const [bucket, use] of perMinute(adapter.id, busiestPoll.get(label)!, pollsPerMinute)) {
        const sum = burst.get(bucket) ?? { units: 0, limitPerMinute: use.limitPerMinute };
        sum.units += use.units;
        burst.set(bucket, sum);
      }
      const top = busiest(burst)!;
      figures[`${adapter.id} margin tiers (${label})`] = `${tiers.length} requests once a day; with that minute's polls, ${top.bucket}: ${top.use.units}/${top.use.limitPerMinute} per min (${pct(top.share)})`;
      targets.push({ what: `${adapter.id} margin tiers + polls in one minute at ${label} under ${pct(MAX_SHARE)} of its limit (${top.bucket} ${pct(top.share)})`, ok: top.share <= MAX_SHARE });
    }
    figures[`${adapter.id} declared (rateBudget)`] = `${adapter.rateBudget.requestsPerMinute}/${adapter.rateBudget.limitPerMinute}`;
    // On install the level model's 7 days come with the history backfill (levelHistoryRequests): one-off, counted with it.
    const levelHistory = adapter.levelHistoryRequests?.(DEFAULT_SETTINGS.watchlist, instruments) ?? [];
    if (levelHistory.length) figures[`${adapter.id} level history (7 days of bars) on install, per tracked asset`] = levelHistory.length / DEFAULT_SETTINGS.watchlist.length;
    const oneOff = [...adapter.instrumentRequests(), ...(adapter.backfillRequests?.(DEFAULT_SETTINGS.watchlist, instruments) ?? []), ...levelHistory];
    const once = busiest(perMinute(adapter.id, oneOff, 1));
    if (once) {
      figures[`${adapter.id} instrument list + backfill on install`] = `${oneOff.length} requests once; ${once.bucket}: ${once.use.units}/${once.use.limitPerMinute} per min (${pct(once.share)})`;
      targets.push({ what: `${adapter.id} instrument list + backfill fit in one minute of its limit (${pct(once.share)})`, ok: once.share <= 1 });
    }
    // Twenty assets tracked at once (pages opened together): their history and 7 days of level bars in one minute.
    const larger = [...(adapter.backfillRequests?.(LARGER_SET, instruments) ?? []), ...(adapter.levelHistoryRequests?.(LARGER_SET, instruments) ?? [])];
    const burst = busiest(perMinute(adapter.id, larger, 1));
    if (burst && adapter.levelHistoryRequests) {
      figures[`${adapter.id} backfill with level history (20 assets)`] = `${larger.length} requests once; ${burst.bucket}: ${burst.use.units}/${burst.use.limitPerMinute} per min (${pct(burst.share)})`;
      targets.push({ what: `${adapter.id} backfill with level history for 20 assets fits in one minute of its limit (${pct(burst.share)})`, ok: burst.share <= 1 });
    }
    // Fifty assets added at once (a pasted watchlist): each newly tracked asset's history and 7 days of level bars, once.
    const added = [...(adapter.backfillRequests?.(FIFTY_SET, instruments) ?? []), ...(adapter.levelHistoryRequests?.(FIFTY_SET, instruments) ?? [])];
    const addedTop = busiest(perMinute(adapter.id, added, 1));
    if (addedTop) {
      figures[`${adapter.id} backfill of 50 newly tracked assets`] = `${added.length} requests once; ${addedTop.bucket}: ${addedTop.use.units}/${addedTop.use.limitPerMinute} per min (${pct(addedTop.share)})`;
      targets.push({ what: `${adapter.id} backfill of 50 newly tracked assets fits in one minute of its limit (${pct(addedTop.share)})`, ok: addedTop.share <= 1 });
    }
    const streams = adapter.openStreams(LARGER_SET, instruments);
    if (streams.length) {
      figures[`${adapter.id} ws connections`] = streams.length;
      figures[`${adapter.id} ws frames sent/min per connection`] = Math.round((60_000 / streams[0]!.heartbeat.intervalMs) * 10) / 10;
      figures[`${adapter.id} ws subscribe frames per connect`] = streams.reduce((sum, stream) => sum + stream.onOpen().length, 0);
    }
  }
  return { name: 'requests per minute per venue at the default watchlist and at 20 tracked assets vs each venue limit', figures, targets };
}
