/**
 * Market history: per venue × asset, a minute series of the merged market snapshot over 24 h
 * (open interest, funding, mark, index, last price, perp and spot 24 h volume).
 *
 * It lives in browser storage inside EngineState, so it is kept compact:
 *  - values are quantised on the way in (6–7 significant digits, funding to 0.01 ppm) and kept
 *    in that encoded form, so a JSON round trip is exact and the stored numbers are short;
 *  - the last FINE_MINUTES keep one row per minute with every column: the 1 h changes, the
 *    1 h OI drawdown and the "now" values read them;
 *  - older rows are what only the longer signals read (OI 24 h change, funding 8 h ago, the
 *    largest 1 h move of the day, values at a flush's start), so they keep only OI, funding and
 *    the price (mark, else last) and are thinned to the first row of each COARSE_MINUTES slot,
 *    and after COARSER_AFTER_MINUTES to the first of each COARSER_MINUTES slot. A read between
 *    rows takes the row before, at most 14 minutes old, within MAX_STALE_MINUTES. A day then
 *    takes ~240 rows per series instead of 1440;
 *  - toJSON writes each series column by column with small differences (stored-columns.ts).
 * Pure TypeScript: no browser APIs.
 */
import type { MarketSnapshot, VenueId } from './model';
import { decodeColumn, decodeMinutes, encodeColumn, encodeMinutes, type StoredColumn } from './stored-columns';
import { minuteOf, seriesKey } from './windows';

export const FINE_MINUTES = 120;
export const COARSE_MINUTES = 5;
/** Rows older than this are kept one per COARSER_MINUTES. */
export const COARSER_AFTER_MINUTES = 6 * 60;
export const COARSER_MINUTES = 15;
/** A bit more than 24 h so "24 h ago" still has a row at or before it. */
export const HISTORY_MINUTES = 24 * 60 + 30;
/** A value older than this at the minute asked for is unknown, not carried forward. */
export const MAX_STALE_MINUTES = 15;

/** Column order of a row. */
const Col = { Oi: 0, Funding8h: 1, Mark: 2, Index: 3, Price: 4, PerpVolume: 5, SpotVolume: 6 } as const;
type Col = (typeof Col)[keyof typeof Col];
const COLUMNS = 7;

export type Field = 'oi' | 'funding8h' | 'mark' | 'index' | 'price' | 'perpVolume' | 'spotVolume';
/** Fields in column order; also the names of the stored columns. */
const FIELDS: readonly Field[] = ['oi', 'funding8h', 'mark', 'index', 'price', 'perpVolume', 'spotVolume'];
const FIELD_COL: Record<Field, Col> = {
  oi: Col.Oi,
  funding8h: Col.Funding8h,
  mark: Col.Mark,
  index: Col.Index,
  price: Col.Price,
  perpVolume: Col.PerpVolume,
  spotVolume: Col.SpotVolume,
};

type Row = Array<number | null>;

/**
 * One market reading at a minute, decoded to plain units (USD, rate per 8 h, price). Rows older
 * than FINE_MINUTES have no index or volumes, and a last price only where the mark is missing.
 */
export interface HistoryPoint {
  oi: number | null;
  funding8h: number | null;
  mark: number | null;
  index: number | null;
  price: number | null;
  perpVolume: number | null;
  spotVolume: number | null;
}

/**
 * Stored form of one series: `m` the row minutes (stored-columns.ts: the first absolute, then
 * differences) and one column per field that has any value, in encoded units (OI and volumes in
 * USD millions, funding in hundredths of a ppm per 8 h, prices as is). A missing column is unknown
 * in every row.
 */
export type StoredSeries = { m: number[] } & Partial<Record<Field, StoredColumn>>;

export type SerializedHistory = Record<string, StoredSeries>;

class Series {
  minutes: number[] = [];
  rows: Row[] = [];
  /** Counts the changes to minutes and rows: toJSON re-encodes only a series that changed since it last did. */
  version = 0;
  /** Rows before these minutes are thinned to their zone already; saves re-scanning them. */
  private coarseDone = -Infinity;
  private coarserDone = -Infinity;

  /** Row at or before `minute`, no older than MAX_STALE_MINUTES; null when none. */
  at(minute: number): Row | null {
    const i = lastIndexAtOrBefore(this.minutes, minute);
    if (i < 0 || minute - this.minutes[i]! > MAX_STALE_MINUTES) return null;
    return this.rows[i]!;
  }

  /** Records a minute's row; false when nothing changed (the same row again, or an older minute). */
  record(minute: number, row: Row): boolean {
    const last = this.minutes.length - 1;
    if (last >= 0 && this.minutes[last] === minute) {
      if (sameRow(this.rows[last]!, row)) return false;
      this.rows[last] = row; // the latest snapshot of a minute wins
      this.version += 1;
      return true;
    }
    if (last < 0 || this.minutes[last]! < minute) {
      this.minutes.push(minute);
      this.rows.push(row);
      this.version += 1;
      return true;
    }
    // An older minute than the newest row cannot happen (snapshot time never goes back); ignore it.
    return false;
  }

  /**
   * Merges rows from history endpoints (on install, after an absence): a minute with a row gets the
   * columns its row lacks (what was recorded live wins), a minute without one gets the row. Several
   * answers (open interest, price bars, funding) arrive separately, in any order, for the same minutes.
   */
  merge(minutes: readonly number[], rows: readonly Row[]): void {
    for (const [k, minute] of minutes.entries()) {
      const i = lastIndexAtOrBefore(this.minutes, minute);
      if (i >= 0 && this.minutes[i] === minute) {
        const row = this.rows[i]!;
        for (let c = 0; c < COLUMNS; c++) if (row[c] === null) row[c] = rows[k]![c]!;
      } else {
        this.minutes.splice(i + 1, 0, minute);
        this.rows.splice(i + 1, 0, [...rows[k]!]);
      }
    }
    this.version += 1;
    // The new rows have not been thinned.
    this.coarseDone = -Infinity;
    this.coarserDone = -Infinity;
  }

  /** Drops rows past retention and thins rows older than the fine window. */
  compact(nowMinute: number): void {
    const oldest = nowMinute - HISTORY_MINUTES;
    let start = 0;
    while (start < this.minutes.length - 1 && this.minutes[start]! < oldest) start++;
    if (start > 0) this.dropFirst(start);
    // Rows reach the 5-minute zone (and lose the columns only the last hour reads) before the 15-minute one.
    const coarseFrom = nowMinute - FINE_MINUTES;
    if (coarseFrom > this.coarseDone) {
      this.thin(this.coarseDone, coarseFrom, COARSE_MINUTES, true);
      this.coarseDone = coarseFrom;
      this.version += 1;
    }
    const coarserFrom = nowMinute - COARSER_AFTER_MINUTES;
    if (coarserFrom > this.coarserDone) {
      this.thin(this.coarserDone, coarserFrom, COARSER_MINUTES, false);
      this.coarserDone = coarserFrom;
      this.version += 1;
    }
  }

  /** Drops the first `count` rows. */
  dropFirst(count: number): void {
    this.minutes.splice(0, count);
    this.rows.splice(0, count);
    this.version += 1;
  }

  /**
   * Among the rows in [from, before), keeps the first row of each `step`-minute slot (rows before
   * `from` are thinned already; the last of them may open the first slot). The first row rather
   * than the last: a read at any minute then finds a row at most step − 1 minutes old.
   */
  private thin(from: number, before: number, step: number, trimColumns: boolean): void {
    const { minutes, rows } = this;
    const start = firstIndexAtOrAfter(minutes, from);
    let kept = start > 0 ? minutes[start - 1]! : null;
    let write = start;
    let read = start;
    for (; read < minutes.length && minutes[read]! < before; read++) {
      const minute = minutes[read]!;
      if (kept !== null && Math.floor(minute / step) === Math.floor(kept / step)) continue;
      if (trimColumns) keepLongSignalColumns(rows[read]!);
      minutes[write] = minute;
      rows[write] = rows[read]!;
      write++;
      kept = minute;
    }
    if (write < read) {
      minutes.splice(write, read - write);
      rows.splice(write, read - write);
    }
  }
}

/**
 * Beyond the fine window only OI, funding and the price are read (24 h and since-flush changes,
 * funding 8 h ago, the day's largest 1 h move). The price is the mark, else the last price
 * (MarketHistory.priceAt), so the last price stays only where there is no mark.
 */
function keepLongSignalColumns(row: Row): void {
  if (row[Col.Mark] !== null) row[Col.Price] = null;
  row[Col.Index] = null;
  row[Col.PerpVolume] = null;
  row[Col.SpotVolume] = null;
}

function sameRow(a: Row, b: Row): boolean {
  for (let c = 0; c < COLUMNS; c++) if (a[c] !== b[c]) return false;
  return true;
}

/** Index of the last element ≤ value in an ascending array, or −1. */
export function lastIndexAtOrBefore(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= value) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Index of the first element ≥ value in an ascending array (its length when none). */
function firstIndexAtOrAfter(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One series' key ('binance|BTC') and its parts. */
export interface SeriesKey {
  key: string;
  venue: VenueId;
  asset: string;
}

export class MarketHistory {
  private readonly series = new Map<string, Series>();
  private recordsSinceCompact = 0;
  /** Changes to any series, and per asset; `epoch` counts those that touch every series (thinning, a purge). See stamp(). */
  private changes = 0;
  private readonly assetChanges = new Map<string, number>();
  private epoch = 0;
  /** Each series' stored form as last encoded, with the series' version then (toJSON). */
  private readonly encodings = new WeakMap<Series, { version: number; stored: StoredSeries }>();
  /** asset → its series' keys, and every key's parts; rebuilt when a series comes or goes (keys()). */
  private keyIndex: { all: SeriesKey[]; byAsset: Map<string, SeriesKey[]> } | null = null;

  /**
   * A value that differs whenever what the history says about `asset` (or, without one, any
   * asset) may have changed: readers keep what they derived until it does.
   */
  stamp(asset?: string): string {
    return `${this.epoch}|${asset === undefined ? this.changes : (this.assetChanges.get(asset) ?? 0)}`;
  }

  private changed(asset: string): void {
    this.changes += 1;
    this.assetChanges.set(asset, (this.assetChanges.get(asset) ?? 0) + 1);
  }

  /** Records the merged snapshot of one venue × asset at its own minute. */
  record(snapshot: MarketSnapshot): void {
    const key = seriesKey(snapshot.venue, snapshot.asset);
    let series = this.series.get(key);
    if (!series) {
      series = new Series();
      this.series.set(key, series);
      this.keyIndex = null;
    }
    const minute = minuteOf(snapshot.time);
    if (series.record(minute, encodeSnapshot(snapshot))) this.changed(snapshot.asset);
    // Thin now and then rather than on every update: the fine window absorbs the lag.
    if (++this.recordsSinceCompact >= 64) {
      this.recordsSinceCompact = 0;
      this.compactAll(minute);
    }
  }

  prune(now: number): void {
    this.compactAll(minuteOf(now));
  }

  /**
   * History from a venue's history endpoints (open interest, price bars, funding over the last day),
   * merged minute by minute into what was recorded live (Series.merge: live values win), so 1 h / 24 h
   * changes work right after install and across an absence.
   */
  backfill(points: MarketSnapshot[], now: number): void {
    const byKey = new Map<string, MarketSnapshot[]>();
    for (const point of points) {
      const key = seriesKey(point.venue, point.asset);
      byKey.set(key, [...(byKey.get(key) ?? []), point]);
    }
    for (const [key, list] of byKey) {
      let series = this.series.get(key);
      if (!series) {
        series = new Series();
        this.series.set(key, series);
        this.keyIndex = null;
      }
      series.merge(
        list.map((p) => minuteOf(p.time)),
        list.map(encodeSnapshot),
      );
      this.changed(list[0]!.asset);
    }
    this.compactAll(minuteOf(now));
  }

  private compactAll(nowMinute: number): void {
    let changed = false;
    for (const [key, series] of this.series) {
      const rows = series.minutes.length;
      series.compact(nowMinute);
      changed ||= series.minutes.length !== rows;
      if (series.minutes.length === 0) (this.series.delete(key), (this.keyIndex = null));
    }
    if (changed) this.epoch += 1;
  }

  /** Drops every row before `minute` (storage is full: the oldest history goes first). */
  dropBefore(minute: number): void {
    this.epoch += 1;
    this.keyIndex = null;
    for (const [key, series] of this.series) {
      const keep = series.minutes.findIndex((m) => m >= minute);
      if (keep === -1) this.series.delete(key);
      else if (keep > 0) series.dropFirst(keep);
    }
  }

  /** The first minute with a row, or null. */
  earliestMinute(): number | null {
    let earliest: number | null = null;
    for (const series of this.series.values()) {
      const first = series.minutes[0];
      if (first !== undefined && (earliest === null || first < earliest)) earliest = first;
    }
    return earliest;
  }

  /** Venue × asset pairs with history, optionally for one asset only. */
  keys(asset?: string): readonly SeriesKey[] {
    if (!this.keyIndex) {
      const all: SeriesKey[] = [];
      const byAsset = new Map<string, SeriesKey[]>();
      for (const key of this.series.keys()) {
        const [venue, owner] = key.split('|') as [VenueId, string];
        const entry = { key, venue, asset: owner };
        all.push(entry);
        const own = byAsset.get(owner);
        if (own) own.push(entry);
        else byAsset.set(owner, [entry]);
      }
      this.keyIndex = { all, byAsset };
    }
    return asset === undefined ? this.keyIndex.all : (this.keyIndex.byAsset.get(asset) ?? []);
  }

  /** Decoded reading of one series at a minute (carried forward up to MAX_STALE_MINUTES). */
  point(key: string, minute: number): HistoryPoint | null {
    const row = this.series.get(key)?.at(minute);
    return row ? decodeRow(row) : null;
  }

  /** One decoded field of one series at a minute, or null. */
  value(key: string, minute: number, field: Field): number | null {
    const row = this.series.get(key)?.at(minute);
    if (!row) return null;
    return decodeCol(row, FIELD_COL[field]);
  }

  /** Mark price (what liquidates positions), else last price, of one series at a minute. */
  priceAt(key: string, minute: number): number | null {
    const row = this.series.get(key)?.at(minute);
    if (!row) return null;
    return decodeCol(row, Col.Mark) ?? decodeCol(row, Col.Price);
  }

  /**
   * Mark (else last) price and OI of one series at the minutes `first`, `first + step`, … (`count`
   * of them), by the same rules as `priceAt` and `value`, read in one walk over its rows instead of
   * a search per minute (the day's largest 1 h move reads hundreds of minutes per series). NaN
   * where those would give null: plain number arrays, no boxed values.
   */
  sampled(key: string, first: number, step: number, count: number): { price: Float64Array; oi: Float64Array } {
    return this.sampledColumns(key, first, step, count, false);
  }

  /** As `sampled`, with the 8 h funding rate too (the history chart: a column the signals do not walk). */
  sampledWithFunding(key: string, first: number, step: number, count: number): { price: Float64Array; oi: Float64Array; funding: Float64Array } {
    return this.sampledColumns(key, first, step, count, true) as { price: Float64Array; oi: Float64Array; funding: Float64Array };
  }

  private sampledColumns(key: string, first: number, step: number, count: number, withFunding: boolean): { price: Float64Array; oi: Float64Array; funding?: Float64Array } {
    const price = new Float64Array(count).fill(Number.NaN);
    const oi = new Float64Array(count).fill(Number.NaN);
    // Only the chart reads funding: the signals' many walks allocate no third array.
    const funding = withFunding ? new Float64Array(count).fill(Number.NaN) : undefined;
    const series = this.series.get(key);
    if (!series) return { price, oi, funding };
    const { minutes, rows } = series;
    let i = lastIndexAtOrBefore(minutes, first);
    for (let k = 0; k < count; k++) {
      const minute = first + k * step;
      while (i + 1 < minutes.length && minutes[i + 1]! <= minute) i += 1;
      if (i < 0 || minute - minutes[i]! > MAX_STALE_MINUTES) continue;
      const row = rows[i]!;
      price[k] = decodeCol(row, Col.Mark) ?? decodeCol(row, Col.Price) ?? Number.NaN;
      oi[k] = decodeCol(row, Col.Oi) ?? Number.NaN;
      if (funding) funding[k] = decodeCol(row, Col.Funding8h) ?? Number.NaN;
    }
    return { price, oi, funding };
  }

  /** Number of stored rows (for size tests and diagnostics). */
  rowCount(): number {
    let n = 0;
    for (const s of this.series.values()) n += s.rows.length;
    return n;
  }

  toJSON(): SerializedHistory {
    const out: SerializedHistory = {};
    for (const [key, series] of this.series) out[key] = this.encoded(series);
    return out;
  }

  /**
   * A series' stored form, encoded again only after it changed: the hot copy is written every few
   * seconds, and most series change once a poll (bench/scale.bench.ts times a write).
   */
  private encoded(series: Series): StoredSeries {
    const memo = this.encodings.get(series);
    if (memo && memo.version === series.version) return memo.stored;
    const stored = encodeSeries(series);
    this.encodings.set(series, { version: series.version, stored });
    return stored;
  }

  /**
   * Restores what toJSON wrote; malformed series or columns are skipped (their values unknown),
   * never turned into NaN.
   */
  static fromJSON(data: unknown): MarketHistory {
    const history = new MarketHistory();
    if (!data || typeof data !== 'object') return history;
    for (const [key, stored] of Object.entries(data as Record<string, unknown>)) {
      if (!key.includes('|')) continue;
      const series = seriesFromColumns(stored);
      if (series && series.minutes.length) history.series.set(key, series);
    }
    return history;
  }
}

function encodeSeries(series: Series): StoredSeries {
  const out: StoredSeries = { m: encodeMinutes(series.minutes) };
  for (const [col, field] of FIELDS.entries()) {
    const column = encodeColumn(series.rows.map((row) => row[col] ?? null));
    if (column) out[field] = column;
  }
  return out;
}

function seriesFromColumns(stored: unknown): Series | null {
  if (!stored || typeof stored !== 'object') return null;
  const fields = stored as Record<string, unknown>;
  const minutes = decodeMinutes(fields.m);
  if (!minutes) return null;
  // An absent or malformed column leaves that field unknown; the other columns still hold.
  const columns = FIELDS.map((field) => (fields[field] === undefined ? null : decodeColumn(fields[field], minutes.length)));
  const series = new Series();
  for (const [i, minute] of minutes.entries()) series.record(minute, columns.map((column) => column?.[i] ?? null));
  return series;
}

/** Significant digits kept per column: enough for 0.01 % moves on any price. */
function encodeSnapshot(s: MarketSnapshot): Row {
  const row: Row = new Array<number | null>(COLUMNS).fill(null);
  row[Col.Oi] = encode(s.openInterestUsd, (v) => sig(v / 1e6, 6));
  row[Col.Funding8h] = encode(s.fundingRate8h, (v) => Math.round(v * 1e8) / 100, true);
  row[Col.Mark] = encode(s.markPrice, (v) => sig(v, 7));
  row[Col.Index] = encode(s.indexPrice, (v) => sig(v, 7));
  row[Col.Price] = encode(s.lastPrice ?? s.markPrice, (v) => sig(v, 7));
  row[Col.PerpVolume] = encode(s.perpVolume24hUsd, (v) => sig(v / 1e6, 5));
  row[Col.SpotVolume] = encode(s.spotVolume24hUsd, (v) => sig(v / 1e6, 5));
  return row;
}

function encode(value: number | undefined, f: (v: number) => number, signed = false): number | null {
  if (value === undefined || !Number.isFinite(value) || (!signed && value < 0)) return null;
  const out = f(value);
  // + 0 turns −0 into 0: the stored JSON cannot tell them apart, so memory should not either.
  return Number.isFinite(out) ? out + 0 : null;
}

function sig(value: number, digits: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(digits));
}

function decodeCol(row: Row, col: Col): number | null {
  const v = row[col];
  if (v === null || v === undefined) return null;
  switch (col) {
    case Col.Oi:
    case Col.PerpVolume:
    case Col.SpotVolume:
      return v * 1e6;
    case Col.Funding8h:
      return v / 1e6;
    default:
      return v;
  }
}

function decodeRow(row: Row): HistoryPoint {
  return {
    oi: decodeCol(row, Col.Oi),
    funding8h: decodeCol(row, Col.Funding8h),
    mark: decodeCol(row, Col.Mark),
    index: decodeCol(row, Col.Index),
    price: decodeCol(row, Col.Price),
    perpVolume: decodeCol(row, Col.PerpVolume),
    spotVolume: decodeCol(row, Col.SpotVolume),
  };
}
