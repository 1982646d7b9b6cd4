/**
 * A synthetic market for the benches: `hours` of data for every venue × `assets` assets, fed to an
 * engine (and dedupe) the way the worker feeds them: a market update per venue × asset every
 * 30 s poll with drifting prices, one liquidation per liquidation venue × asset every minute at a
 * random second (worst case on purpose: every 1-minute bucket of the 24 h windows exists), prune
 * every poll. Deterministic (seeded).
 */
import { Deduper } from '../src/core/dedupe';
import type { FlushEngine } from '../src/core/engine';
import { VENUE_IDS, type Liquidation, type MarketUpdate, type VenueId } from '../src/core/model';
import { venues } from '../src/venues';

export const POLL_MS = 30_000;
export const WATCHLIST = ['BTC', 'ETH', 'SOL'];
export const LIQUIDATION_VENUES = VENUE_IDS.filter((v) => venues[v].completeness !== 'none');
export const COMPLETENESS = Object.fromEntries(Object.values(venues).map((a) => [a.id, a.completeness]));

/** 'BTC', 'ETH', 'SOL', then 'A03' …: `count` assets. */
export function assetNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => WATCHLIST[i] ?? `A${String(i).padStart(2, '0')}`);
}

/** Deterministic pseudo-random numbers in [0, 1). */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** One venue × asset's market update at `now` (prices drift with time, OI jitters). */
export function marketUpdate(venue: VenueId, asset: string, i: number, now: number, rand: () => number): MarketUpdate {
  const price = (100 + i) * (1 + 0.02 * Math.sin(now / 3_600_000 + i));
  return {
    venue, asset, symbol: `${asset}USDT`, kind: 'perp', time: now, lastPrice: price, markPrice: price * 1.0002, indexPrice: price,
    fundingRate: 0.0001 * Math.cos(i + now / 7_200_000), openInterestUsd: 1e8 * (1 + i) * (1 + 0.1 * rand()),
    perpVolume24hUsd: 5e8 * (1 + i), spotVolume24hUsd: 1e8 * (1 + i),
  };
}

/** One liquidation of `asset` on `venue` at `time`, $1k–$201k, 60 % longs. */
export function liquidation(venue: VenueId, asset: string, i: number, time: number, rand: () => number): Liquidation {
  const price = 100 + i;
  const notionalUsd = 1_000 + Math.floor(rand() * 200_000);
  return { venue, symbol: `${asset}USDT`, asset, kind: 'perp', side: rand() < 0.6 ? 'long' : 'short', price, quantity: notionalUsd / price, notionalUsd, time };
}

export interface DayCounts {
  marketUpdates: number;
  liquidations: number;
  readingsCalls: number;
}

/**
 * Feeds [start, end) to `engine` and `deduper`; `onPoll` runs after every poll (e.g. a readings
 * call now and then).
 */
export function feedDay(engine: FlushEngine, deduper: Deduper, assets: readonly string[], start: number, end: number, rand: () => number, onPoll: (now: number) => void = () => {}): DayCounts {
  const counts: DayCounts = { marketUpdates: 0, liquidations: 0, readingsCalls: 0 };
  for (let now = start; now < end; now += POLL_MS) {
    for (const venue of VENUE_IDS) {
      for (const [i, asset] of assets.entries()) {
        engine.ingestMarket(marketUpdate(venue, asset, i, now, rand));
        counts.marketUpdates += 1;
      }
    }
    // Every other poll is a new minute: one liquidation per venue × asset at a random second of it.
    if ((now - start) % 60_000 === 0) {
      for (const venue of LIQUIDATION_VENUES) {
        for (const [i, asset] of assets.entries()) {
          const event = liquidation(venue, asset, i, now + Math.floor(rand() * 59_000), rand);
          if (deduper.admitStreamed(event, event.time) && engine.ingestLiquidation(event, event.time + 1_000)) counts.liquidations += 1;
        }
      }
    }
    engine.prune(now);
    deduper.prune(now);
    onPoll(now);
  }
  return counts;
}
