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

/** An asset's 8 h funding and 1 h OI change from elsewhere than its reading (UntrackedMarkets); null when unknown. */
export interface MarketFigures {
  funding8h(asset: string): number | null;
  oiChange1h(asset: string): number | null;
}

const NO_FIGURES: MarketFigures = { funding8h: () => null, oiChange1h: () => null };

/**
 * The ranking by 1 h liquidations of every asset scope in `readings`. An untracked asset's reading has
 * no market figures (the engine keeps them for the tracked assets only): its funding and 1 h OI change
 * come from `untracked`.
 */
export function breadthOf(readings: ReadingSet, untracked: MarketFigures = NO_FIGURES, size = BREADTH_SIZE): Breadth {
  const liquidated = Object.values(readings.scopes).filter((r) => r.scope !== MARKET_SCOPE && r.liq1h.totalUsd > 0);
  liquidated.sort((a, b) => b.liq1h.totalUsd - a.liq1h.totalUsd || a.scope.localeCompare(b.scope));
  return { computedAt: readings.computedAt, rows: liquidated.slice(0, size).map((reading) => rowOf(reading, untracked)), assets: liquidated.length };
}

function rowOf(reading: ScopeReading, untracked: MarketFigures): BreadthRow {
  return {
    asset: reading.scope,
    liq1hUsd: reading.liq1h.totalUsd,
    longShare: reading.liq1h.longShare,
    sampled: reading.sampledVenues.length > 0,
    oiChange1h: reading.signals.oiChange1h ?? untracked.oiChange1h(reading.scope),
    funding8h: reading.funding8h ?? reading.signals.funding8h ?? untracked.funding8h(reading.scope),
    phase: reading.verdict.phase,
    side: reading.verdict.side,
  };
}

/** Open interest samples of an untracked venue × asset are kept this far apart … */
const OI_SAMPLE_MS = 5 * 60_000;
/** … for this long: an hour ago, and the sample either side of it. */
const OI_KEEP_MS = 70 * 60_000;
/** A sample this close to an hour before `now` stands for "an hour ago" (the engine's history reads the row before, up to 15 minutes old). */
const HOUR_MS = 60 * 60_000;
const HOUR_SLACK_MS = 10 * 60_000;

interface VenueMarket {
  snapshot: MarketSnapshot;
  /** When the newest answer came. */
  at: number;
  /** Open interest in USD at ≥ OI_SAMPLE_MS intervals over the last OI_KEEP_MS, oldest first. */
  oi: Array<{ at: number; usd: number }>;
}

/**
 * The funding and the 1 h open-interest change of assets the engine does not track, from what the
 * venues' all-symbol endpoints bring at every poll anyway (no request is added for them). Kept apart
 * from the engine: its market scope sums every market it holds, so untracked assets there would shift
 * the market's funding, open interest and verdict as they come and go. A venue's figure counts while
 * its last poll is under STALE_AFTER_MS old. In memory only: after a worker start the OI change is
 * unknown for an hour.
 */
export class UntrackedMarkets {
  /** Asset → venue → its newest snapshot, when it came, and its recent open interest. */
  private readonly byAsset = new Map<string, Map<VenueId, VenueMarket>>();

  record(update: MarketUpdate, receivedAt: number): void {
    let venues = this.byAsset.get(update.asset);
    if (!venues) this.byAsset.set(update.asset, (venues = new Map()));
    const known = venues.get(update.venue);
    const snapshot = mergeMarket(known?.snapshot, update);
    const oi = known?.oi ?? [];
    const last = oi.at(-1);
    // In USD as merged (a venue may give it in coins, valued at the mark).
    const usd = update.openInterestUsd !== undefined || update.openInterestBase !== undefined ? snapshot.openInterestUsd : undefined;
    if (usd !== undefined && Number.isFinite(usd) && (!last || receivedAt - last.at >= OI_SAMPLE_MS)) {
      oi.push({ at: receivedAt, usd });
      while (oi.length && receivedAt - oi[0]!.at > OI_KEEP_MS) oi.shift();
    }
    venues.set(update.venue, { snapshot, at: receivedAt, oi });
  }

  /** Bound to `now`, as breadthOf reads them. */
  at(now: number): MarketFigures {
    return { funding8h: (asset) => this.funding8h(asset, now), oiChange1h: (asset) => this.oiChange1h(asset, now) };
  }

  /** OI-weighted across the venues heard from within STALE_AFTER_MS of `now`, as a reading weighs it; null when none. */
  funding8h(asset: string, now: number): number | null {
    return oiWeighted(this.fresh(asset, now).map((entry) => entry.snapshot), (snapshot) => snapshot.fundingRate8h);
  }

  /**
   * Open interest now over an hour ago, minus one, summed over the venues known at both (as the
   * engine's oiChange sums them); null when no venue has both.
   */
  oiChange1h(asset: string, now: number): number | null {
    let before = 0;
    let after = 0;
    for (const entry of this.fresh(asset, now)) {
      const then = entry.oi.filter((sample) => Math.abs(now - HOUR_MS - sample.at) <= HOUR_SLACK_MS).sort((a, b) => Math.abs(now - HOUR_MS - a.at) - Math.abs(now - HOUR_MS - b.at))[0];
      const current = entry.snapshot.openInterestUsd;
      if (!then || current === undefined || !Number.isFinite(current)) continue;
      before += then.usd;
      after += current;
    }
    return before > 0 ? after / before - 1 : null;
  }

  /** Assets that became tracked: their reading has their figures now. */
  forget(assets: Iterable<string>): void {
    for (const asset of assets) this.byAsset.delete(asset);
  }

  private fresh(asset: string, now: number): VenueMarket[] {
    return [...(this.byAsset.get(asset)?.values() ?? [])].filter((entry) => now - entry.at <= STALE_AFTER_MS);
  }
}
