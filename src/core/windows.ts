/**
 * The one liquidation store: 1-minute buckets per venue × asset × side on wall-clock minutes,
 * kept for 24 h. Every window the extension shows or decides with (5 m, 15 m, 1 h, 4 h, 24 h, the
 * hourly baseline, the 5-minute bars, alerts) is a sum over these buckets, so one event is stored
 * once and the meter, the verdict and the alerts count it the same way.
 *
 * Buckets older than FINE_MINUTES are merged across venues into one bucket per asset and
 * wall-clock COARSE_MINUTES slot (see prune): the per-venue split is read only for the last hour,
 * while the 24 h totals, the 5-minute bars and the hourly baseline are per asset or market.
 *
 * Reads go through a per-scope ring of minute sums (market 'ALL' and each asset: `scope()`), kept
 * by add, prune and restore from the same buckets, so a restored store reads exactly as the live
 * one did: a flat array per scope answers the many window sums of a reading in plain array reads.
 */
import { MARKET_SCOPE } from './bus';
import type { Liquidation, PositionSide, VenueId } from './model';
import { decodeMinutes, encodeMinutes } from './stored-columns';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const RETENTION_MINUTES = 24 * 60;
/** Minute buckets stay one minute wide and per venue this long; older ones are merged per asset and COARSE_MINUTES. */
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

/**
 * Which buckets a total covers. A venue scope sees only the per-venue buckets, i.e. the last
 * FINE_MINUTES: older buckets no longer know their venue.
 */
export interface Scope {
  venue?: VenueId;
  asset?: string;
}

/**
 * Stored form of one series' buckets, column by column (stored-columns.ts): `m` the minutes (the
 * first absolute, then differences), then USD per side in whole dollars and counts per side. A
 * column that is zero in every bucket is left out.
 */
export interface StoredBuckets {
  m: number[];
  long?: number[];
  short?: number[];
  nLong?: number[];
  nShort?: number[];
}

/**
 * JSON form written to storage: `{ "binance|BTC": StoredBuckets, …, "*|BTC": StoredBuckets }`,
 * "venue|asset" for the per-venue buckets and "*|asset" for the older ones merged across venues.
 */
export type SerializedWindows = Record<string, StoredBuckets>;

/** Venue part of the key of a series merged across venues. */
const ALL_VENUES = '*';
/** Stored bucket columns after `m`, in Bucket order. */
const BUCKET_COLUMNS = ['long', 'short', 'nLong', 'nShort'] as const;

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

/** 'venue|asset' → its parts, memoised: every window total matches each series key against its scope. */
const parsedKeys = new Map<string, { venue: VenueId; asset: string }>();

export function parseKey(key: string): { venue: VenueId; asset: string } {
  let parsed = parsedKeys.get(key);
  if (parsed === undefined) {
    const [venue, asset] = key.split('|') as [VenueId, string];
    parsed = { venue, asset };
    if (parsedKeys.size >= 4096) parsedKeys.clear();
    parsedKeys.set(key, parsed);
  }
  return parsed;
}

export { MARKET_SCOPE };

/** A little more than 24 h, so a slot is never reused while it is still inside a window. */
const RING_MINUTES = 1500;

/** What the signals read from one scope's minute sums (LiquidationWindows.scope). */
export interface ScopeView {
  usd(minute: number): number;
  sum(fromMinute: number, toMinute: number): number;
  totals(fromMinute: number, toMinute: number): WindowTotals;
}

/** The kept per-venue series keys of each asset, and the venues they belong to. */
interface SeriesIndex {
  byAsset: Map<string, string[]>;
  venues: Set<VenueId>;
}

/** One scope's minute sums: [longUsd, shortUsd, longCount, shortCount] per minute, RING_MINUTES back. */
class ScopeRing implements ScopeView {
  private readonly stamp = new Float64Array(RING_MINUTES).fill(-1);
  private readonly values = new Float64Array(RING_MINUTES * 4);

  /** Adds (sign 1) or takes away (sign −1) a bucket at `minute`. */
  add(minute: number, bucket: Readonly<Bucket>, sign: 1 | -1 = 1): void {
    const slot = ringSlot(minute);
    const current = this.stamp[slot]!;
    if (current > minute) return; // the slot already holds a newer minute: this one is long gone
    if (current < minute) {
      this.stamp[slot] = minute;
      this.values.fill(0, slot * 4, slot * 4 + 4);
    }
    for (let i = 0; i < 4; i++) this.values[slot * 4 + i] = this.values[slot * 4 + i]! + sign * bucket[i]!;
  }

  usd(minute: number): number {
    const slot = ringSlot(minute);
    if (this.stamp[slot] !== minute) return 0;
    return this.values[slot * 4]! + this.values[slot * 4 + 1]!;
  }

  sum(fromMinute: number, toMinute: number): number {
    let total = 0;
    for (let m = fromMinute; m <= toMinute; m++) total += this.usd(m);
    return total;
  }

  totals(fromMinute: number, toMinute: number): WindowTotals {
    let longUsd = 0;
    let shortUsd = 0;
    let count = 0;
    for (let m = fromMinute; m <= toMinute; m++) {
      const slot = ringSlot(m);
      if (this.stamp[slot] !== m) continue;
      longUsd += this.values[slot * 4]!;
      shortUsd += this.values[slot * 4 + 1]!;
      count += this.values[slot * 4 + 2]! + this.values[slot * 4 + 3]!;
    }
    return toTotals(longUsd, shortUsd, count);
  }
}

function ringSlot(minute: number): number {
  return ((minute % RING_MINUTES) + RING_MINUTES) % RING_MINUTES;
}

const EMPTY_SCOPE: ScopeView = new ScopeRing();

export class LiquidationWindows {
  /** Per venue × asset ("binance|BTC"): every bucket that add() writes. */
  private readonly series = new Map<string, Map<number, Bucket>>();
  /** Per asset: buckets older than FINE_MINUTES, all venues merged, one per COARSE_MINUTES slot. */
  private readonly merged = new Map<string, Map<number, Bucket>>();
  /** Per scope (MARKET_SCOPE and each asset): the minute sums every window reads (see the file comment). */
  private readonly rings = new Map<string, ScopeRing>();
  /** Per venue, every asset's per-venue buckets (the last FINE_MINUTES): the market's per-venue totals in array reads. */
  private readonly venueRings = new Map<VenueId, ScopeRing>();
  /** Which per-venue series are kept; rebuilt when a series comes or goes (seriesIndex). */
  private keyIndex: SeriesIndex | null = null;

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
      this.keyIndex = null;
    }
    let bucket = buckets.get(minute);
    if (!bucket) {
      bucket = [0, 0, 0, 0];
      buckets.set(minute, bucket);
    }
    const one: Bucket = liquidation.side === 'long' ? [liquidation.notionalUsd, 0, 1, 0] : [0, liquidation.notionalUsd, 0, 1];
    addBucket(bucket, one);
    this.addToScopes(liquidation.asset, minute, one, 1);
    this.venueRing(liquidation.venue).add(minute, one, 1);
    return true;
  }

  /** The minute sums of one scope (MARKET_SCOPE or an asset); empty for a scope without liquidations. */
  scope(scope: string): ScopeView {
    return this.rings.get(scope) ?? EMPTY_SCOPE;
  }

  private addToScopes(asset: string, minute: number, bucket: Readonly<Bucket>, sign: 1 | -1): void {
    for (const scope of [MARKET_SCOPE, asset]) {
      let ring = this.rings.get(scope);
      if (!ring) this.rings.set(scope, (ring = new ScopeRing()));
      ring.add(minute, bucket, sign);
    }
  }

  private venueRing(venue: VenueId): ScopeRing {
    let ring = this.venueRings.get(venue);
    if (!ring) this.venueRings.set(venue, (ring = new ScopeRing()));
    return ring;
  }

  /** The rings again from the buckets (after a restore or a purge). */
  private rebuildScopes(): void {
    this.rings.clear();
    this.forEachBucket((asset, minute, bucket) => this.addToScopes(asset, minute, bucket, 1));
    this.venueRings.clear();
    for (const [key, buckets] of this.series) {
      const ring = this.venueRing(parseKey(key).venue);
      for (const [minute, bucket] of buckets) ring.add(minute, bucket, 1);
    }
  }

  /**
   * Drops buckets older than the retention window and moves per-venue buckets older than
   * FINE_MINUTES into their asset's merged 5-minute buckets.
   */
  prune(now: number): void {
    const nowMinute = minuteOf(now);
    const oldest = nowMinute - RETENTION_MINUTES;
    const fineFrom = nowMinute - FINE_MINUTES;
    for (const [key, buckets] of this.series) {
      const { asset, venue } = parseKey(key);
      for (const [minute, bucket] of buckets) {
        if (minute >= fineFrom) continue;
        buckets.delete(minute);
        // The rings move the bucket as the store does, so they read as a restored store would.
        this.addToScopes(asset, minute, bucket, -1);
        this.venueRing(venue).add(minute, bucket, -1);
        if (minute <= oldest) continue;
        mergeAt(this.mergedFor(asset), slotEnd(minute), bucket);
        this.addToScopes(asset, slotEnd(minute), bucket, 1);
      }
      if (buckets.size === 0) (this.series.delete(key), (this.keyIndex = null));
    }
    for (const [asset, buckets] of this.merged) {
      for (const minute of buckets.keys()) if (minute <= oldest) buckets.delete(minute);
      if (buckets.size === 0) this.merged.delete(asset);
    }
  }

  private mergedFor(asset: string): Map<number, Bucket> {
    let buckets = this.merged.get(asset);
    if (!buckets) {
      buckets = new Map();
      this.merged.set(asset, buckets);
    }
    return buckets;
  }

  /** Drops every bucket before `minute` (storage is full: the oldest history goes first). */
  dropBefore(minute: number): void {
    for (const store of [this.series, this.merged]) {
      for (const [key, buckets] of store) {
        for (const m of buckets.keys()) if (m < minute) buckets.delete(m);
        if (buckets.size === 0) store.delete(key);
      }
    }
    this.keyIndex = null;
    this.rebuildScopes();
  }

  /** Totals over the last `minutes` minutes up to and including the current one. */
  totals(now: number, minutes: number, scope: Scope = {}): WindowTotals {
    const last = minuteOf(now);
    return this.totalsBetween(last - minutes + 1, last, scope);
  }

  /** Totals over the inclusive minute range [fromMinute, toMinute]; a venue's only over its last FINE_MINUTES. */
  totalsBetween(fromMinute: number, toMinute: number, scope: Scope = {}): WindowTotals {
    if (!scope.venue) return this.scope(scope.asset ?? MARKET_SCOPE).totals(fromMinute, toMinute);
    const sum: Bucket = [0, 0, 0, 0];
    for (const [key, buckets] of this.series) if (matches(key, scope)) addRange(sum, buckets, fromMinute, toMinute);
    return toTotals(sum[0], sum[1], sum[2] + sum[3]);
  }

  /** USD liquidated per venue over the last `minutes` (at most FINE_MINUTES: older buckets do not know their venue), for one asset or all. */
  venueTotalsUsd(now: number, minutes: number, asset?: string): Map<VenueId, number> {
    const last = minuteOf(now);
    const out = new Map<VenueId, number>();
    if (asset === undefined) {
      for (const [venue, ring] of this.venueRings) {
        const usd = ring.sum(Math.max(last - minutes + 1, last - FINE_MINUTES + 1), last);
        if (usd > 0 || this.hasVenue(venue)) out.set(venue, usd);
      }
      return out;
    }
    for (const key of this.seriesOf(asset)) {
      const sum: Bucket = [0, 0, 0, 0];
      addRange(sum, this.series.get(key)!, last - minutes + 1, last);
      const { venue } = parseKey(key);
      out.set(venue, (out.get(venue) ?? 0) + sum[0] + sum[1]);
    }
    return out;
  }

  /**
   * Per venue, long and short USD in `bars` consecutive slots of `barMinutes` from `fromMinute`
   * ([long, short] of slot i at 2i, 2i + 1), for one asset or all, from the per-venue buckets:
   * only the last FINE_MINUTES still know their venue, so older slots read empty here. One walk
   * over the kept buckets rather than a lookup per venue, slot and minute.
   */
  venueBars(fromMinute: number, barMinutes: number, bars: number, asset?: string): Map<VenueId, Float64Array> {
    const out = new Map<VenueId, Float64Array>();
    const keys = asset === undefined ? [...this.series.keys()] : this.seriesOf(asset);
    const end = fromMinute + barMinutes * bars;
    for (const key of keys) {
      const { venue } = parseKey(key);
      for (const [minute, bucket] of this.series.get(key)!) {
        if (minute < fromMinute || minute >= end) continue;
        let sides = out.get(venue);
        if (!sides) out.set(venue, (sides = new Float64Array(bars * 2)));
        const slot = Math.floor((minute - fromMinute) / barMinutes);
        sides[slot * 2] = sides[slot * 2]! + bucket[0];
        sides[slot * 2 + 1] = sides[slot * 2 + 1]! + bucket[1];
      }
    }
    return out;
  }

  /** Whether any per-venue bucket of `venue` is kept. */
  private hasVenue(venue: VenueId): boolean {
    return this.seriesIndex().venues.has(venue);
  }

  /** One asset's per-venue series keys. */
  private seriesOf(asset: string): readonly string[] {
    return this.seriesIndex().byAsset.get(asset) ?? [];
  }

  /** The kept series keys by asset, and their venues: every reading asks, a series comes or goes far more rarely. */
  private seriesIndex(): SeriesIndex {
    if (!this.keyIndex) {
      const index: SeriesIndex = { byAsset: new Map(), venues: new Set() };
      for (const key of this.series.keys()) {
        const { venue, asset } = parseKey(key);
        index.venues.add(venue);
        const keys = index.byAsset.get(asset);
        if (keys) keys.push(key);
        else index.byAsset.set(asset, [key]);
      }
      this.keyIndex = index;
    }
    return this.keyIndex;
  }

  /** Venue × asset pairs with a per-venue bucket (older buckets are per asset: see assets()). */
  keys(): Array<Readonly<{ venue: VenueId; asset: string }>> {
    return [...this.series.keys()].map(parseKey);
  }

  /** Assets with any bucket. */
  assets(): string[] {
    return [...new Set([...this.keys().map((k) => k.asset), ...this.merged.keys()])];
  }

  /** The first minute with data, or null. Used for "collecting since". */
  earliestMinute(): number | null {
    let earliest: number | null = null;
    for (const store of [this.series, this.merged]) {
      for (const buckets of store.values()) {
        for (const minute of buckets.keys()) if (earliest === null || minute < earliest) earliest = minute;
      }
    }
    return earliest;
  }

  /** Every bucket with its asset (the scope rings are rebuilt from these). */
  forEachBucket(visit: (asset: string, minute: number, bucket: Readonly<Bucket>) => void): void {
    for (const [key, buckets] of this.series) {
      const asset = parseKey(key).asset;
      for (const [minute, bucket] of buckets) visit(asset, minute, bucket);
    }
    for (const [asset, buckets] of this.merged) for (const [minute, bucket] of buckets) visit(asset, minute, bucket);
  }

  /** USD in whole dollars: a restored total may differ from the live one by up to $0.50 per bucket. */
  toJSON(): SerializedWindows {
    const out: SerializedWindows = {};
    for (const [key, buckets] of this.series) out[key] = encodeBuckets(buckets);
    for (const [asset, buckets] of this.merged) out[`${ALL_VENUES}|${asset}`] = encodeBuckets(buckets);
    return out;
  }

  /**
   * Restores from storage; buckets that are not
   * well-formed numbers are skipped, never turned into NaN.
   */
  static fromJSON(data: unknown): LiquidationWindows {
    const windows = new LiquidationWindows();
    if (!data || typeof data !== 'object') return windows;
    for (const [key, stored] of Object.entries(data as Record<string, unknown>)) {
      if (!key.includes('|')) continue;
      const buckets = bucketsFromColumns(stored);
      if (!buckets?.size) continue;
      if (key.startsWith(`${ALL_VENUES}|`)) windows.merged.set(parseKey(key).asset, buckets);
      else windows.series.set(key, buckets);
    }
    windows.rebuildScopes();
    return windows;
  }
}

function encodeBuckets(buckets: Map<number, Bucket>): StoredBuckets {
  const minutes = [...buckets.keys()].sort((a, b) => a - b);
  const out: StoredBuckets = { m: encodeMinutes(minutes) };
  for (const [i, name] of BUCKET_COLUMNS.entries()) {
    // USD sums of float notionals are long decimals; whole dollars are what the meter shows.
    const column = minutes.map((minute) => Math.round(buckets.get(minute)![i]!));
    if (column.some((v) => v !== 0)) out[name] = column;
  }
  return out;
}

/** Columns back to buckets; null when the minutes or a column's length are unusable. */
function bucketsFromColumns(stored: unknown): Map<number, Bucket> | null {
  if (!stored || typeof stored !== 'object') return null;
  const fields = stored as Record<string, unknown>;
  const minutes = decodeMinutes(fields.m);
  if (!minutes) return null;
  const columns = BUCKET_COLUMNS.map((name) => fields[name] ?? minutes.map(() => 0));
  if (!columns.every((column) => Array.isArray(column) && column.length === minutes.length)) return null;
  const buckets = new Map<number, Bucket>();
  for (const [i, minute] of minutes.entries()) {
    const row = [minute, ...columns.map((column) => (column as unknown[])[i])];
    if (isStoredRow(row)) buckets.set(minute, row.slice(1) as Bucket);
  }
  return buckets;
}

/** A whole minute and its bucket: five finite, non-negative numbers no larger than any real minute holds. */
function isStoredRow(row: unknown[]): row is [number, ...Bucket] {
  return row.length === 5 && Number.isSafeInteger(row[0]) && row.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= MAX_STORED_VALUE);
}

/** Adds the buckets of [from, to] to `sum`, iterating whichever is smaller: the range or the map. */
function addRange(sum: Bucket, buckets: Map<number, Bucket>, from: number, to: number): void {
  if (to - from + 1 < buckets.size) {
    for (let m = from; m <= to; m++) {
      const b = buckets.get(m);
      if (b) addBucket(sum, b);
    }
  } else {
    for (const [m, b] of buckets) if (m >= from && m <= to) addBucket(sum, b);
  }
}

/**
 * Last minute of the COARSE_MINUTES slot holding `minute`: where merged buckets are kept. Sums are
 * unchanged; only a window edge more than two hours back can be off by up to four minutes. A day of
 * 1-minute buckets for every symbol of an all-market stream would not fit browser storage
 * (bench/scale.bench.ts); a day of 5-minute ones per asset does.
 */
function slotEnd(minute: number): number {
  return Math.floor(minute / COARSE_MINUTES) * COARSE_MINUTES + COARSE_MINUTES - 1;
}

/** Adds `bucket` to the one at `minute` in `buckets`, or puts a copy there when there is none yet. */
function mergeAt(buckets: Map<number, Bucket>, minute: number, bucket: Readonly<Bucket>): void {
  const target = buckets.get(minute);
  if (target) addBucket(target, bucket);
  else buckets.set(minute, [...bucket]);
}

function addBucket(target: Bucket, bucket: Readonly<Bucket>): void {
  for (let i = 0; i < 4; i++) target[i]! += bucket[i]!;
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
