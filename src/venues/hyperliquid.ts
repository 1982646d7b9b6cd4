/**
 * Hyperliquid perpetuals (USDC-margined, on-chain order book). Market data only: Hyperliquid has no
 * public feed of all users' liquidations (its WS fills carry liquidation details only per user address).
 * Docs: https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api (info-endpoint/perpetuals,
 * websocket/subscriptions, rate-limits) and …/trading/funding.
 */
import { z } from 'zod';
import { VenueDataError, normaliseAsset, type Liquidation, type MarketUpdate } from '../core/model';
import { decimal, emptyOutput, nonNegative, parseWith, positive } from './parse';
import type { RestRequest, StreamOutput, VenueAdapter } from './types';

export const HYPERLIQUID_INFO_URL = 'https://api.hyperliquid.xyz/info';

/** Funding is paid every hour and `funding` is that hourly rate (docs: trading/funding). */
const FUNDING_INTERVAL_HOURS = 1;
const HOUR_MS = 60 * 60 * 1000;

const universeEntry = z.object({ name: z.string().min(1) });
const meta = z.object({ universe: z.array(universeEntry) });

/** [meta, assetCtxs]: assetCtxs[i] belongs to meta.universe[i] (docs: info-endpoint/perpetuals, metaAndAssetCtxs). */
const metaAndAssetCtxs = z
  .tuple([meta, z.array(z.looseObject({}))])
  .refine(([m, ctxs]) => m.universe.length === ctxs.length, 'universe and asset contexts differ in length');

const assetCtx = z.object({
  // Hourly funding rate.
  funding: decimal,
  // In coins (docs example: BTC openInterest "688.11").
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

function symbolFor(asset: string): string {
  return asset.toUpperCase();
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

function pollRequests(): RestRequest[] {
  // Weight 20: every perpetual's mark, oracle price, funding, open interest and 24 h volume at once.
  return [{ key: 'metaAndAssetCtxs', url: HYPERLIQUID_INFO_URL, method: 'POST', body: { type: 'metaAndAssetCtxs' } }];
}

function parsePoll(key: string, body: unknown, watched: readonly string[]): StreamOutput {
  if (key !== 'metaAndAssetCtxs') throw new VenueDataError('hyperliquid', `unknown poll key ${key}`);
  const [{ universe }, ctxs] = parseWith('hyperliquid', 'metaAndAssetCtxs', metaAndAssetCtxs, body);
  const wanted = new Set(watched.map(symbolFor));
  // The response has no timestamp: the values are as of receipt; funding settles on the hour.
  const time = Date.now();
  const nextFundingTime = Math.ceil(time / HOUR_MS) * HOUR_MS;
  const markets: MarketUpdate[] = [];
  universe.forEach(({ name }, index) => {
    if (!wanted.has(name)) return;
    const ctx = parseWith('hyperliquid', `asset context ${name}`, assetCtx, ctxs[index]);
    markets.push({
      venue: 'hyperliquid',
      symbol: name,
      asset: normaliseAsset(name),
      time,
      markPrice: ctx.markPx,
      indexPrice: ctx.oraclePx,
      // No last-trade price in the context; the book mid stands in for it.
      ...(ctx.midPx ? { lastPrice: ctx.midPx } : {}),
      fundingRate: ctx.funding,
      fundingIntervalHours: FUNDING_INTERVAL_HOURS,
      nextFundingTime,
      openInterestBase: ctx.openInterest,
      perpVolume24hUsd: ctx.dayNtlVlm,
    });
  });
  return { ...emptyOutput(), markets };
}

export const hyperliquid: VenueAdapter = {
  id: 'hyperliquid',
  label: 'Hyperliquid',
  completeness: 'none',
  completenessNote: 'Hyperliquid publishes no public liquidation feed: funding, open interest and basis only',
  symbolFor,
  parseLiquidations,
  // The public WebSocket only reports liquidations to the liquidated user's own subscriptions.
  openStream: () => null,
  pollRequests,
  parsePoll,
  rateBudget: {
    // One metaAndAssetCtxs (weight 20) per 30 s poll whatever the number of assets: 40 weight/min.
    requestsPerMinute: 40,
    limitPerMinute: 1200,
    limitSource: 'Hyperliquid API docs, Rate limits: REST weight 1200/min per IP; metaAndAssetCtxs is an info request of weight 20',
  },
};
