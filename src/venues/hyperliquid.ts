/**
 * Hyperliquid perpetuals (USDC-margined, on-chain order book). Market data only: Hyperliquid has no
 * public feed of all users' liquidations (its WS fills carry liquidation details only per user address).
 * Docs: https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api (info-endpoint/perpetuals,
 * websocket/subscriptions, rate-limits), …/trading/funding and …/trading/margin-tiers.
 */
import { z } from '../core/zod';
import { halfInitialMarginRate, marginTable, withMaintenanceAmounts, type MarginTable } from '../core/margin';
import { VenueDataError, canonicalBase, type InstrumentSpec, type Liquidation, type MarketUpdate } from '../core/model';
import { derivatives, findInstrument } from './instruments';
import { decimal, emptyOutput, nonNegative, parseWith, positive, retryAfterMs, type Headers } from './parse';
import type { Coverage, HttpFailure, RestRequest, StreamOutput, StreamSession, VenueAdapter } from './types';

export const HYPERLIQUID_INFO_URL = 'https://api.hyperliquid.xyz/info';

/** Funding is paid every hour and `funding` is that hourly rate (docs: trading/funding). */
const FUNDING_INTERVAL_HOURS = 1;
const HOUR_MS = 60 * 60 * 1000;

/**
 * One perpetual of `meta.universe` (docs: info-endpoint/perpetuals, "Retrieve perpetuals metadata"):
 * sizes are in units of `name` (kPEPE: thousands of PEPE), `isDelisted` marks ones that no longer trade.
 */
const universeEntry = z.object({
  name: z.string().min(1),
  maxLeverage: positive.optional(),
  isDelisted: z.boolean().optional(),
});
const meta = z.object({ universe: z.array(universeEntry) });

/** [meta, assetCtxs]: assetCtxs[i] belongs to meta.universe[i] (docs: info-endpoint/perpetuals, metaAndAssetCtxs). */
const metaAndAssetCtxs = z
  .tuple([meta, z.array(z.looseObject({}))])
  .refine(([m, ctxs]) => m.universe.length === ctxs.length, 'universe and asset contexts differ in length');

const assetCtx = z.object({
  // Hourly funding rate.
  funding: decimal,
  // In units of the listed name (docs example: BTC openInterest "688.11"; kPEPE: thousands of PEPE).
  openInterest: nonNegative,
  markPx: positive,
  // The oracle (spot index) price funding is measured against.
  oraclePx: positive,
  // 24 h notional volume in USDC.
  dayNtlVlm: nonNegative,
  // Book mid; null when one side of the book is empty.
  midPx: positive.nullable().optional(),
});

/** WS messages are { channel, data } (pong, subscriptionResponse, activeAssetCtx, trades, …). */
const wsMessage = z.object({ channel: z.string().min(1) });

/** List answers such as fundingHistory are arrays of objects. */
const listResponse = z.array(z.looseObject({}));

function instrumentRequests(): RestRequest[] {
  // Weight 20 (docs: rate-limits, "All other documented info requests have weight 20"); the main perp dex.
  return [{ key: 'meta', url: HYPERLIQUID_INFO_URL, method: 'POST', body: { type: 'meta' } }];
}

/**
 * The universe → one linear perpetual per listed coin. `k`-prefixed names (kPEPE, kSHIB) are quoted
 * per 1000 coins (canonicalBase: priceScale 1000); a size of 1 is one unit of the name.
 */
function parseInstruments(key: string, body: unknown): InstrumentSpec[] {
  if (key !== 'meta') throw new VenueDataError('hyperliquid', `unknown instrument list ${key}`);
  const { universe } = parseWith('hyperliquid', 'meta', meta, body);
  const out: InstrumentSpec[] = [];
  for (const entry of universe) {
    const base = canonicalBase(entry.name);
    // Delisted coins no longer trade; a name that is no asset code (markup, punctuation) is skipped.
    if (entry.isDelisted || base === null) continue;
    const { asset, priceScale } = base;
    const spec: InstrumentSpec = { venue: 'hyperliquid', symbol: entry.name, asset, kind: 'perp', priceScale, contract: { type: 'linear', size: 1 } };
    if (entry.maxLeverage !== undefined) spec.maxLeverage = entry.maxLeverage;
    out.push(spec);
  }
  return out;
}

function looksLikeMetaAndAssetCtxs(message: unknown): boolean {
  return Array.isArray(message) && message.length === 2 && typeof message[0] === 'object' && message[0] !== null && 'universe' in message[0];
}

/**
 * No message from Hyperliquid's public API announces other users' liquidations, so a well-formed
 * response yields []; anything else is malformed.
 */
function parseLiquidations(message: unknown): Liquidation[] {
  if (looksLikeMetaAndAssetCtxs(message)) parseWith('hyperliquid', 'metaAndAssetCtxs', metaAndAssetCtxs, message);
  else if (Array.isArray(message)) parseWith('hyperliquid', 'info list', listResponse, message);
  else parseWith('hyperliquid', 'message', wsMessage, message);
  return [];
}

/** The public WebSocket only reports liquidations to the liquidated user's own subscriptions. */
function openStreams(): StreamSession[] {
  return [];
}

function coverage(_tracked: readonly string[], instruments: readonly InstrumentSpec[]): Coverage {
  return { covered: 0, listed: derivatives(instruments).length };
}

function pollRequests(): RestRequest[] {
  // Weight 20: every perpetual's mark, oracle price, funding, open interest and 24 h volume at once.
  return [{ key: 'metaAndAssetCtxs', url: HYPERLIQUID_INFO_URL, method: 'POST', body: { type: 'metaAndAssetCtxs' } }];
}

function parsePoll(key: string, body: unknown, instruments: readonly InstrumentSpec[]): StreamOutput {
  if (key !== 'metaAndAssetCtxs') throw new VenueDataError('hyperliquid', `unknown poll key ${key}`);
  const [{ universe }, ctxs] = parseWith('hyperliquid', 'metaAndAssetCtxs', metaAndAssetCtxs, body);
  // The response has no timestamp: the values are as of receipt; funding settles on the hour.
  const time = Date.now();
  const nextFundingTime = Math.ceil(time / HOUR_MS) * HOUR_MS;
  const markets: MarketUpdate[] = [];
  universe.forEach(({ name }, index) => {
    // Delisted coins are not in the catalogue; a listing newer than it waits for its refresh.
    const spec = findInstrument(instruments, name);
    if (!spec) return;
    const ctx = parseWith('hyperliquid', `asset context ${name}`, assetCtx, ctxs[index]);
    const scale = spec.priceScale;
    markets.push({
      venue: 'hyperliquid',
      symbol: name,
      asset: spec.asset,
      kind: spec.kind,
      time,
      // Prices are per unit of the name (kPEPE: per 1000 PEPE); per coin is ÷ priceScale.
      markPrice: ctx.markPx / scale,
      indexPrice: ctx.oraclePx / scale,
      // No last-trade price in the context; the book mid stands in for it.
      ...(ctx.midPx ? { lastPrice: ctx.midPx / scale } : {}),
      fundingRate: ctx.funding,
      fundingIntervalHours: FUNDING_INTERVAL_HOURS,
      nextFundingTime,
      // openInterest is in units of the name: coins × priceScale, USD at the mark.
      openInterestBase: ctx.openInterest * scale,
      openInterestUsd: ctx.openInterest * ctx.markPx,
      perpVolume24hUsd: ctx.dayNtlVlm,
    });
  });
  return { ...emptyOutput(), markets };
}

/**
 * Docs, trading/margin-tiers: "Margin tables have unique IDs and the tiers can be found in the meta Info response.
 * For IDs less than 50, there is a single tier with max leverage equal to the ID." A universe entry names its table
 * by `marginTableId`; `meta.marginTables` lists [id, {description, marginTiers: [{lowerBound, maxLeverage}]}], a
 * tier applying from `lowerBound` of notional (USDC) up to the next tier's.
 */
const marginTier = z.object({ lowerBound: nonNegative, maxLeverage: positive });
const metaWithTables = z.object({
  universe: z.array(z.object({ name: z.string().min(1), maxLeverage: positive.optional(), marginTableId: z.number().int().nonnegative().optional() })),
  marginTables: z.array(z.tuple([z.number().int().nonnegative(), z.object({ marginTiers: z.array(marginTier).min(1) })])).optional(),
});
const FLAT_TABLES_BELOW = 50;

/** The margin tables come with the perpetuals' metadata: one `meta` request (weight 20), once a day. */
function marginTierRequests(): RestRequest[] {
  return [{ key: 'marginTables', url: HYPERLIQUID_INFO_URL, method: 'POST', body: { type: 'meta' } }];
}

/**
 * `meta` → a table per catalogued perpetual. Docs, trading/margin-tiers: "maintenance_margin_rate(tier = n) =
 * (Initial Margin Rate at Maximum leverage at tier n) / 2" and the deduction "maintenance_deduction(tier = n) =
 * maintenance_deduction(tier = n - 1) + notional_position_lower_bound(tier = n) * (maintenance_margin_rate(tier =
 * n) - maintenance_margin_rate(tier = n - 1))" (withMaintenanceAmounts). An entry without a listed table has one
 * tier at its own maxLeverage (docs, info-endpoint/perpetuals: the universe's maxLeverage).
 */
function parseMarginTiers(key: string, body: unknown, instruments: readonly InstrumentSpec[]): MarginTable[] {
  if (key !== 'marginTables') throw new VenueDataError('hyperliquid', `unknown margin tier key ${key}`);
  const { universe, marginTables = [] } = parseWith('hyperliquid', 'meta', metaWithTables, body);
  const listed = new Map(marginTables.map(([id, table]) => [id, table.marginTiers]));
  const tables: MarginTable[] = [];
  for (const entry of universe) {
    const spec = findInstrument(instruments, entry.name);
    if (!spec) continue;
    const id = entry.marginTableId;
    const tiers = id !== undefined && id > 0 && id < FLAT_TABLES_BELOW ? [{ lowerBound: 0, maxLeverage: id }] : ((id !== undefined ? listed.get(id) : undefined) ?? (entry.maxLeverage ? [{ lowerBound: 0, maxLeverage: entry.maxLeverage }] : []));
    const sorted = [...tiers].sort((a, b) => a.lowerBound - b.lowerBound);
    const table = marginTable(
      'hyperliquid',
      entry.name,
      spec.asset,
      'usd',
      withMaintenanceAmounts(sorted.map((tier, i) => ({ maxNotional: sorted[i + 1]?.lowerBound ?? Number.POSITIVE_INFINITY, maintenanceMarginRate: halfInitialMarginRate(tier.maxLeverage), maxLeverage: tier.maxLeverage }))),
    );
    if (!table) throw new VenueDataError('hyperliquid', `margin table of ${entry.name} is not a margin table`);
    tables.push(table);
  }
  return tables;
}

/**
 * Docs, rate-limits: "REST requests share an aggregated weight limit of 1200 per minute" per IP; the
 * window is a minute, so without a Retry-After the weight is back after one.
 */
const WEIGHT_WINDOW_MS = 60_000;

function classifyFailure(status: number, _body: string, headers: Headers): HttpFailure | null {
  if (status !== 429) return null;
  return {
    kind: 'rateLimited',
    reason: 'rate limited: over 1200 request weight per minute per IP (HTTP 429)',
    pauseMs: retryAfterMs(headers, Date.now(), WEIGHT_WINDOW_MS, 30 * WEIGHT_WINDOW_MS),
  };
}

export const hyperliquid: VenueAdapter = {
  id: 'hyperliquid',
  label: 'Hyperliquid',
  completeness: 'none',
  completenessNote: 'Hyperliquid publishes no public liquidation feed: funding, open interest and basis only',
  instrumentRequests,
  parseInstruments,
  parseLiquidations,
  openStreams,
  coverage,
  pollRequests,
  parsePoll,
  classifyFailure,
  marginTierRequests,
  parseMarginTiers,
  rateBudget: {
    // One metaAndAssetCtxs (weight 20) per 30 s poll whatever the number of assets: 40 weight/min.
    requestsPerMinute: 40,
    limitPerMinute: 1200,
    limitSource: 'Hyperliquid API docs, Rate limits: REST weight 1200/min per IP; metaAndAssetCtxs is an info request of weight 20',
  },
};
