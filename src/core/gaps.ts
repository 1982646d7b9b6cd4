/**
 * Stream gaps: when a venue's liquidation stream was down. A gap is shown to the trader
 * ("12:03–12:05 not counted") and makes the windows it overlaps lower bounds: missing data is
 * never silently counted as zero.
 */

export interface Gap {
  from: number;
  /** null while the stream is still down. */
  to: number | null;
  /**
   * Back-filled from the venue's REST liquidation history, so what it missed is counted: for every
   * instrument ('all'), or for these assets' instruments (a history asked per asset).
   */
  filled?: 'all' | string[];
}

/** Gaps this short are reconnect blips with nothing plausibly missed. */
export const MIN_GAP_MS = 5_000;
const KEEP_MS = 24 * 60 * 60 * 1000;
const KEEP_MAX = 20;

/** Opens a gap (if none is open) at `at`. */
export function openGap(gaps: readonly Gap[], at: number): Gap[] {
  const last = gaps.at(-1);
  return last && last.to === null ? [...gaps] : [...gaps, { from: at, to: null }];
}

/** Closes the open gap at `at`; drops it when it was only a blip; keeps the last day. */
export function closeGap(gaps: readonly Gap[], at: number): Gap[] {
  const last = gaps.at(-1);
  if (!last || last.to !== null) return [...gaps];
  const closed = at - last.from < MIN_GAP_MS ? gaps.slice(0, -1) : [...gaps.slice(0, -1), { from: last.from, to: at }];
  return closed.filter((g) => (g.to ?? at) >= at - KEEP_MS).slice(-KEEP_MAX);
}

/** Marks the gap from `from` to `to` as back-filled for `scope`. */
export function fillGap(gaps: readonly Gap[], from: number, to: number, scope: 'all' | readonly string[]): Gap[] {
  return gaps.map((gap) => (gap.from === from && gap.to === to ? { ...gap, filled: scope === 'all' ? 'all' : [...scope] } : gap));
}

/** Whether the gap's liquidations are counted for `asset` (undefined: market-wide). */
export function isCounted(gap: Gap, asset?: string): boolean {
  return gap.filled === 'all' || (asset !== undefined && gap.filled !== undefined && gap.filled.includes(asset));
}

/**
 * Gaps overlapping [now − windowMs, now] that lasted (or have lasted) at least MIN_GAP_MS and
 * whose liquidations are not counted for `asset` (undefined: market-wide).
 */
export function gapsWithin<G extends Gap>(gaps: readonly G[], now: number, windowMs: number, asset?: string): G[] {
  return gaps.filter((g) => !isCounted(g, asset) && (g.to ?? now) >= now - windowMs && (g.to ?? now) - g.from >= MIN_GAP_MS);
}
