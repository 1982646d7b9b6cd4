/**
 * Breadth: what is being flushed across every asset with liquidations in the last hour, not just
 * the watchlist (the liquidation streams of most venues carry every symbol). A small ranking the
 * popup reads as is, built from the per-asset readings at each publish.
 */
import { oiWeighted, type ReadingSet, type ScopeReading } from './engine';
import type { Phase } from './flush';
import { mergeMarket, type MarketSnapshot, type MarketUpdate, type PositionSide, type VenueId } from './model';
import { MARKET_SCOPE, STALE_AFTER_MS } from './bus';

/** The ranking keeps this many assets (the popup shows at least the top 20). */
export const BREADTH_SIZE = 30;

export interface BreadthRow {
  asset: string;
  liq1hUsd: number;
  /** Long share of the hour's liquidated USD. */
  longShare: number | null;
  /** A sampled venue contributed in the hour: the total is a lower bound. */
  sampled: boolean;
  oiChange1h: number | null;
  funding8h: number | null;
  phase: Phase;
  side: PositionSide | null;
}

export interface Breadth {
  computedAt: number;
  /** Assets with liquidations in the last hour, most liquidated first. */
  rows: BreadthRow[];
  /** How many assets had any liquidation in the hour (the ranking may show fewer). */
  assets: number;
}

/** An asset's 8 h funding from elsewhere than its reading (UntrackedFunding); null when unknown. */
export type FundingOf = (asset: string) => number | null;

/**
 * The ranking by 1 h liquidations of every asset scope in `readings`. An untracked asset's reading has
 * no market figures (the engine keeps them for the tracked assets only): its funding comes from
 * `fundingOf`, its 1 h OI change stays unknown (it needs an hour of that asset's history).
 */
export function breadthOf(readings: ReadingSet, fundingOf: FundingOf = () => null, size = BREADTH_SIZE): Breadth {
  const liquidated = Object.values(readings.scopes).filter((r) => r.scope !== MARKET_SCOPE && r.liq1h.totalUsd > 0);
  liquidated.sort((a, b) => b.liq1h.totalUsd - a.liq1h.totalUsd || a.scope.localeCompare(b.scope));
  return { computedAt: readings.computedAt, rows: liquidated.slice(0, size).map((reading) => rowOf(reading, fundingOf)), assets: liquidated.length };
}

function rowOf(reading: ScopeReading, fundingOf: FundingOf): BreadthRow {
  return {
    asset: reading.scope,
    liq1hUsd: reading.liq1h.totalUsd,
    longShare: reading.liq1h.longShare,
    sampled: reading.sampledVenues.length > 0,
    oiChange1h: reading.signals.oiChange1h,
    funding8h: reading.funding8h ?? reading.signals.funding8h ?? fundingOf(reading.scope),
    phase: reading.verdict.phase,
    side: reading.verdict.side,
  };
}

/**
 * The funding of assets the engine does not track, from what the venues' all-symbol endpoints bring at
 * every poll anyway (no request is added for it). Kept apart from the engine: its market scope sums
 * every market it holds, so untracked assets there would shift the market's funding, open interest and
 * verdict as they come and go. A venue's figure counts while its last poll is under STALE_AFTER_MS old.
 */
export class UntrackedFunding {
  /** Asset → venue → its newest snapshot and when it was received. */
  private readonly byAsset = new Map<string, Map<VenueId, { snapshot: MarketSnapshot; at: number }>>();

  record(update: MarketUpdate, receivedAt: number): void {
    let venues = this.byAsset.get(update.asset);
    if (!venues) this.byAsset.set(update.asset, (venues = new Map()));
    venues.set(update.venue, { snapshot: mergeMarket(venues.get(update.venue)?.snapshot, update), at: receivedAt });
  }

  /** OI-weighted across the venues heard from within STALE_AFTER_MS of `now`, as a reading weighs it; null when none. */
  funding8h(asset: string, now: number): number | null {
    const fresh = [...(this.byAsset.get(asset)?.values() ?? [])].filter((entry) => now - entry.at <= STALE_AFTER_MS).map((entry) => entry.snapshot);
    return oiWeighted(fresh, (snapshot) => snapshot.fundingRate8h);
  }

  /** Assets that became tracked: their reading has their funding now. */
  forget(assets: Iterable<string>): void {
    for (const asset of assets) this.byAsset.delete(asset);
  }
}
