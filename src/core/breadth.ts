/**
 * Breadth: what is being flushed across every asset with liquidations in the last hour, not just
 * the watchlist (the liquidation streams of most venues carry every symbol). A small ranking the
 * popup reads as is, built from the per-asset readings at each publish.
 */
import type { ReadingSet, ScopeReading } from './engine';
import type { Phase } from './flush';
import type { PositionSide } from './model';
import { MARKET_SCOPE } from './bus';

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

/** The ranking by 1 h liquidations of every asset scope in `readings`. */
export function breadthOf(readings: ReadingSet, size = BREADTH_SIZE): Breadth {
  const liquidated = Object.values(readings.scopes).filter((r) => r.scope !== MARKET_SCOPE && r.liq1h.totalUsd > 0);
  liquidated.sort((a, b) => b.liq1h.totalUsd - a.liq1h.totalUsd || a.scope.localeCompare(b.scope));
  return { computedAt: readings.computedAt, rows: liquidated.slice(0, size).map(rowOf), assets: liquidated.length };
}

function rowOf(reading: ScopeReading): BreadthRow {
  return {
    asset: reading.scope,
    liq1hUsd: reading.liq1h.totalUsd,
    longShare: reading.liq1h.longShare,
    sampled: reading.sampledVenues.length > 0,
    oiChange1h: reading.signals.oiChange1h,
    funding8h: reading.funding8h ?? reading.signals.funding8h,
    phase: reading.verdict.phase,
    side: reading.verdict.side,
  };
}
