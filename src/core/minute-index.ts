/**
 * A per-scope (market 'ALL' and each asset) ring of 1-minute liquidation sums.
 *
 * Why a second structure next to LiquidationWindows: the verdict needs many window sums per
 * reading (5 m, 15 m, 1 h, 4 h, 24 h, 23 hourly buckets for the baseline, a 288-step sparkline),
 * and the replay takes a reading every simulated minute. Summing the per-venue Map buckets for
 * each of those is too slow for a day of replay; a flat ring per scope answers in plain array
 * reads. It is an in-memory cache only: it is rebuilt from the restored windows and fed only the
 * liquidations the windows accepted, so both always agree.
 */
import type { PositionSide } from './model';
import { minuteOf, toTotals, type LiquidationWindows, type WindowTotals } from './windows';

/** A little more than 24 h, so a slot is never reused while it is still inside a window. */
const RING_MINUTES = 1500;

class ScopeRing {
  readonly stamp = new Float64Array(RING_MINUTES).fill(-1);
  /** [longUsd, shortUsd, longCount, shortCount] per slot. */
  readonly values = new Float64Array(RING_MINUTES * 4);

  add(minute: number, side: PositionSide, usd: number, count: number): void {
    const slot = slotOf(minute);
    const current = this.stamp[slot]!;
    if (current > minute) return; // the slot already holds a newer minute: this one is long gone
    if (current < minute) {
      this.stamp[slot] = minute;
      this.values.fill(0, slot * 4, slot * 4 + 4);
    }
    const base = slot * 4 + (side === 'long' ? 0 : 1);
    this.values[base] = this.values[base]! + usd;
    this.values[base + 2] = this.values[base + 2]! + count;
  }

  /** USD liquidated in one minute (both sides), 0 when nothing is known for it. */
  usd(minute: number): number {
    const slot = slotOf(minute);
    if (this.stamp[slot] !== minute) return 0;
    return this.values[slot * 4]! + this.values[slot * 4 + 1]!;
  }

  totals(fromMinute: number, toMinute: number): WindowTotals {
    let longUsd = 0;
    let shortUsd = 0;
    let count = 0;
    for (let m = fromMinute; m <= toMinute; m++) {
      const slot = slotOf(m);
      if (this.stamp[slot] !== m) continue;
      const base = slot * 4;
      longUsd += this.values[base]!;
      shortUsd += this.values[base + 1]!;
      count += this.values[base + 2]! + this.values[base + 3]!;
    }
    return toTotals(longUsd, shortUsd, count);
  }

  sum(fromMinute: number, toMinute: number): number {
    let total = 0;
    for (let m = fromMinute; m <= toMinute; m++) total += this.usd(m);
    return total;
  }
}

function slotOf(minute: number): number {
  return ((minute % RING_MINUTES) + RING_MINUTES) % RING_MINUTES;
}

const EMPTY = new ScopeRing();

export class MinuteIndex {
  private readonly rings = new Map<string, ScopeRing>();

  /** Records one accepted liquidation under the market scope and under its asset. */
  add(marketScope: string, asset: string, time: number, side: PositionSide, usd: number): void {
    const minute = minuteOf(time);
    this.ring(marketScope).add(minute, side, usd, 1);
    this.ring(asset).add(minute, side, usd, 1);
  }

  /** Read-only view of one scope; an empty ring for a scope that has never seen a liquidation. */
  scope(scope: string): ScopeView {
    return this.rings.get(scope) ?? EMPTY;
  }

  private ring(scope: string): ScopeRing {
    let ring = this.rings.get(scope);
    if (!ring) {
      ring = new ScopeRing();
      this.rings.set(scope, ring);
    }
    return ring;
  }

  /** Rebuilds from the windows' buckets (the windows are the source of truth). */
  static fromWindows(marketScope: string, windows: Pick<LiquidationWindows, 'forEachBucket'>): MinuteIndex {
    const index = new MinuteIndex();
    windows.forEachBucket((asset, minute, [longUsd, shortUsd, nLong, nShort]) => {
      for (const scope of [marketScope, asset]) {
        const ring = index.ring(scope);
        if (longUsd > 0 || nLong > 0) ring.add(minute, 'long', longUsd, nLong);
        if (shortUsd > 0 || nShort > 0) ring.add(minute, 'short', shortUsd, nShort);
      }
    });
    return index;
  }
}

/** What the signals read from one scope's minute sums. */
export interface ScopeView {
  usd(minute: number): number;
  sum(fromMinute: number, toMinute: number): number;
  totals(fromMinute: number, toMinute: number): WindowTotals;
}
