/**
 * Rolling 1-minute liquidation buckets per venue × asset × side, kept for 24 h.
 * Every longer window (5 m, 1 h, 4 h, 24 h) is a sum over these buckets, so one
 * event is stored once and counted consistently everywhere.
 */
import type { Liquidation, PositionSide, VenueId } from './model';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const RETENTION_MINUTES = 24 * 60;
/** Minute buckets stay one minute wide this long; older ones are merged per COARSE_MINUTES. */
export const FINE_MINUTES = 120;
export const COARSE_MINUTES = 5;
/** Events stamped further ahead than this are clock skew or garbage, not liquidations. */
export const MAX_FUTURE_SKEW_MS = 2 * MINUTE_MS;

/** No real minute holds more than this (USD or count): larger stored values are corruption. */
const MAX_STORED_VALUE = 1e15;

/** [longUsd, shortUsd, longCount, shortCount] for one minute. */
export type Bucket = [number, number, number, number];

export interface WindowTotals {
  longUsd: number;
  shortUsd: number;
  totalUsd: number;
  count: number;
  /** Long share of the USD total, or null when nothing was liquidated (never NaN). */
  longShare: number | null;
}

export interface Scope {
  venue?: VenueId;
  asset?: string;
}

/** JSON form written to storage: `{ "binance|BTC": [[minute, long, short, nLong, nShort], …] }`. */
export type SerializedWindows = Record<string, Array<[number, ...Bucket]>>;

export function minuteOf(timeMs: number): number {
  return Math.floor(timeMs / MINUTE_MS);
}

/** venue → asset → 'venue|asset': the ingest path looks a key up per event instead of building a new string. */
const seriesKeys = new Map<string, Map<string, string>>();

export function seriesKey(venue: VenueId, asset: string): string {
  let byAsset = seriesKeys.get(venue);
  if (byAsset === undefined) seriesKeys.set(venue, (byAsset = new Map()));
  let key = byAsset.get(asset);
  if (key === undefined) {
    key = `${venue}|${asset}`;
    // Bounded like any cache fed by the network: a venue listing ever-new assets cannot grow it without end.
    if (byAsset.size >= 4096) byAsset.clear();
    byAsset.set(asset, key);
  }
  return key;
}

function parseKey(key: string): { venue: VenueId; asset: string } {
  const [venue, asset] = key.split('|') as [VenueId, string];
  return { venue, asset };
}

export class LiquidationWindows {
  private readonly series = new Map<string, Map<number, Bucket>>();

  /** Adds one liquidation; returns false when it falls outside the retained window. */
  add(liquidation: Liquidation, now: number): boolean {
    if (!(liquidation.notionalUsd > 0) || !Number.isFinite(liquidation.notionalUsd)) return false;
    if (liquidation.time > now + MAX_FUTURE_SKEW_MS) return false;
    const minute = minuteOf(liquidation.time);
    if (minute <= minuteOf(now) - RETENTION_MINUTES) return false;
    const key = seriesKey(liquidation.venue, liquidation.asset);
    let buckets = this.series.get(key);
    if (!buckets) {
      buckets = new Map();
      this.series.set(key, buckets);
    }
    let bucket = buckets.get(minute);
    if (!bucket) {
      bucket = [0, 0, 0, 0];
      buckets.set(minute, bucket);
    }
    addToBucket(bucket, liquidation.side, liquidation.notionalUsd);
    return true;
  }

  /** Drops buckets older than the retention window. */
  prune(now: number): void {
    const nowMinute = minuteOf(now);
    const oldest = nowMinute - RETENTION_MINUTES;
    for (const [key, buckets] of this.series) {
      for (const minute of buckets.keys()) if (minute <= oldest) buckets.delete(minute);
      thinOlderThan(buckets, nowMinute - FINE_MINUTES);
      if (buckets.size === 0) this.series.delete(key);
    }
  }

  /** Drops every bucket before `minute` (storage is full: the oldest history goes first). */
  dropBefore(minute: number): void {
    for (const [key, buckets] of this.series) {
      for (const m of buckets.keys()) if (m < minute) buckets.delete(m);
      if (buckets.size === 0) this.series.delete(key);
    }
  }

  /** Totals over the last `minutes` minutes up to and including the current one. */
  totals(now: number, minutes: number, scope: Scope = {}): WindowTotals {
    const last = minuteOf(now);
    return this.totalsBetween(last - minutes + 1, last, scope);
  }

  /** Totals over the inclusive minute range [fromMinute, toMinute]. */
  totalsBetween(fromMinute: number, toMinute: number, scope: Scope = {}): WindowTotals {
    let longUsd = 0;
    let shortUsd = 0;
    let count = 0;
    for (const [key, buckets] of this.series) {
      if (!matches(key, scope)) continue;
      // Iterate whichever is smaller: the range or the stored buckets.
      if (toMinute - fromMinute + 1 < buckets.size) {
        for (let m = fromMinute; m <= toMinute; m++) {
          const b = buckets.get(m);
          if (b) ((longUsd += b[0]), (shortUsd += b[1]), (count += b[2] + b[3]));
        }
      } else {
        for (const [m, b] of buckets) {
          if (m >= fromMinute && m <= toMinute) ((longUsd += b[0]), (shortUsd += b[1]), (count += b[2] + b[3]));
        }
      }
    }
    return toTotals(longUsd, shortUsd, count);
  }

  /** USD liquidated per step (e.g. 5 minutes) over the last `minutes`, oldest first. */
  sparkline(now: number, minutes: number, stepMinutes: number, scope: Scope = {}): number[] {
    const last = minuteOf(now);
    const steps = Math.ceil(minutes / stepMinutes);
    const out: number[] = [];
    for (let i = steps - 1; i >= 0; i--) {
      const to = last - i * stepMinutes;
      out.push(this.totalsBetween(to - stepMinutes + 1, to, scope).totalUsd);
    }
    return out;
  }

  /** Assets and venues that have any bucket. */
  keys(): Array<{ venue: VenueId; asset: string }> {
    return [...this.series.keys()].map(parseKey);
  }

  /** The first minute with data, or null. Used for "collecting since". */
  earliestMinute(): number | null {
    let earliest: number | null = null;
    for (const buckets of this.series.values()) {
      for (const minute of buckets.keys()) if (earliest === null || minute < earliest) earliest = minute;
    }
    return earliest;
  }

  toJSON(): SerializedWindows {
    const out: SerializedWindows = {};
    for (const [key, buckets] of this.series) {
      out[key] = [...buckets].map(([minute, b]) => [minute, ...b] as [number, ...Bucket]);
    }
    return out;
  }

  /** Restores from storage; rows that are not well-formed numbers are skipped, never turned into NaN. */
  static fromJSON(data: unknown): LiquidationWindows {
    const windows = new LiquidationWindows();
    if (!data || typeof data !== 'object') return windows;
    for (const [key, rows] of Object.entries(data as Record<string, unknown>)) {
      if (!key.includes('|') || !Array.isArray(rows)) continue;
      const buckets = new Map<number, Bucket>();
      for (const row of rows) {
        if (!Array.isArray(row) || row.length !== 5) continue;
        if (!row.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= MAX_STORED_VALUE)) continue;
        const [minute, ...bucket] = row as [number, ...Bucket];
        buckets.set(minute, bucket);
      }
      if (buckets.size) windows.series.set(key, buckets);
    }
    return windows;
  }
}

/**
 * Buckets older than `before` merge into one per COARSE_MINUTES slot, kept at the slot's last
 * minute. Sums are unchanged; only a window edge more than two hours back can be off by up to
 * four minutes. A day of 1-minute buckets for every symbol of an all-market stream would not fit
 * browser storage (bench/scale.bench.ts); a day of 5-minute ones does.
 */
function thinOlderThan(buckets: Map<number, Bucket>, before: number): void {
  for (const [minute, bucket] of buckets) {
    if (minute >= before) continue;
    const slotEnd = Math.floor(minute / COARSE_MINUTES) * COARSE_MINUTES + COARSE_MINUTES - 1;
    if (slotEnd === minute) continue;
    buckets.delete(minute);
    const target = buckets.get(slotEnd);
    if (target) for (let i = 0; i < 4; i++) target[i]! += bucket[i]!;
    else buckets.set(slotEnd, bucket);
  }
}

function addToBucket(bucket: Bucket, side: PositionSide, usd: number): void {
  if (side === 'long') {
    bucket[0] += usd;
    bucket[2] += 1;
  } else {
    bucket[1] += usd;
    bucket[3] += 1;
  }
}

function matches(key: string, scope: Scope): boolean {
  if (!scope.venue && !scope.asset) return true;
  const { venue, asset } = parseKey(key);
  return (!scope.venue || scope.venue === venue) && (!scope.asset || scope.asset === asset);
}

export function toTotals(longUsd: number, shortUsd: number, count: number): WindowTotals {
  const totalUsd = longUsd + shortUsd;
  return { longUsd, shortUsd, totalUsd, count, longShare: totalUsd > 0 ? longUsd / totalUsd : null };
}
