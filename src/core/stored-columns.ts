/**
 * Column codecs for the engine state kept in browser storage. storage.local and storage.session
 * hold it as JSON and count every character against their quotas, so a series is stored column
 * by column: one array per field instead of one array per row, small differences instead of
 * repeated large numbers.
 *
 * - Minutes: the first one absolute (epoch minutes), then each one's difference to the one before.
 * - A value column: `[lead, scale, ...tokens]`.
 *   `lead` rows are unknown (null) before the first token, and every row after the last token is
 *   unknown. With `scale` ≥ 0 each value is a whole number of 10^−scale units and a number token is
 *   its difference to the last known value; with `scale` = RAW a number token is the value itself
 *   (the fallback for values no decimal scale holds exactly). A `null` token is one unknown row,
 *   `[k]` is k rows repeating the last known value.
 *   Encoding is exact: every value decodes to the very same double.
 *
 * Decoders never throw and never yield NaN or Infinity: anything malformed makes them return null,
 * and the caller skips what it describes. Pure TypeScript: no browser APIs.
 */

/** `scale` of a column stored as plain values (no decimal scale holds them exactly). */
export const RAW = -1;
/** 10^15 units still leave room below 2^53 for typical magnitudes; more digits go RAW. */
const MAX_SCALE = 15;
/** A run is written as `[k]` from this length on: `[3]` is shorter than `0,0,0`. */
const MIN_RUN = 3;

export type StoredColumn = Array<number | null | [number]>;

/** Minutes as stored: the first absolute, then differences. */
export function encodeMinutes(minutes: readonly number[]): number[] {
  return minutes.map((minute, i) => (i === 0 ? minute : minute - minutes[i - 1]!));
}

/** Minutes back from their stored form; null unless every entry is a whole number. */
export function decodeMinutes(stored: unknown): number[] | null {
  if (!Array.isArray(stored)) return null;
  const minutes: number[] = [];
  let minute = 0;
  for (const [i, step] of stored.entries()) {
    if (!Number.isSafeInteger(step)) return null;
    minute = i === 0 ? (step as number) : minute + (step as number);
    if (!Number.isSafeInteger(minute)) return null;
    minutes.push(minute);
  }
  return minutes;
}

/** One column of values (null = unknown); undefined when every value is unknown. */
export function encodeColumn(values: ReadonlyArray<number | null>): StoredColumn | undefined {
  const lead = values.findIndex((v) => v !== null);
  if (lead < 0) return undefined;
  let end = values.length;
  while (values[end - 1] === null) end--;
  const scale = commonScale(values, lead, end);
  const unit = scale === RAW ? 1 : 10 ** scale;
  const out: StoredColumn = [lead, scale];
  let last: number | null = null;
  let repeats = 0;
  for (let i = lead; i < end; i++) {
    const value = values[i] ?? null;
    const units = value === null ? null : scale === RAW ? value : Math.round(value * unit);
    if (units !== null && units === last) {
      repeats++;
      continue;
    }
    pushRepeats(out, repeats, scale === RAW ? last : 0);
    repeats = 0;
    if (units === null) {
      out.push(null);
    } else {
      out.push(scale === RAW ? units : units - (last ?? 0));
      last = units;
    }
  }
  pushRepeats(out, repeats, scale === RAW ? last : 0);
  return out;
}

/** `count` rows equal to the last value: one `[count]` token for a long run, else `token` each. */
function pushRepeats(out: StoredColumn, count: number, token: number | null): void {
  if (count >= MIN_RUN) out.push([count]);
  else for (let i = 0; i < count; i++) out.push(token);
}

/** The fewest decimals that hold every value in [from, to) exactly as a safe integer, or RAW. */
function commonScale(values: ReadonlyArray<number | null>, from: number, to: number): number {
  let scale = 0;
  for (let i = from; i < to; i++) {
    const value = values[i];
    if (value === null || value === undefined) continue;
    while (unitsAt(value, scale) === null) if (++scale > MAX_SCALE) return RAW;
  }
  // A scale raised by a later value must still hold the earlier ones within safe integers, and
  // the differences stored between them too (1e15 and −1e15 units each fit; 2e15 apart may not).
  let last: number | null = null;
  for (let i = from; i < to; i++) {
    const value = values[i];
    if (value === null || value === undefined) continue;
    const units = unitsAt(value, scale);
    if (units === null || (last !== null && !Number.isSafeInteger(units - last))) return RAW;
    last = units;
  }
  return scale;
}

/** `value` in units of 10^−scale when that holds it exactly as a safe integer, else null. */
function unitsAt(value: number, scale: number): number | null {
  const unit = 10 ** scale;
  const units = Math.round(value * unit);
  return Number.isSafeInteger(units) && units / unit === value ? units : null;
}

/** A column back from its stored form, `rows` long; null when malformed. */
export function decodeColumn(stored: unknown, rows: number): Array<number | null> | null {
  if (!Array.isArray(stored) || stored.length < 2) return null;
  const [lead, scale] = stored as unknown[];
  if (!isCount(lead) || lead > rows || !(scale === RAW || (isCount(scale) && scale <= MAX_SCALE))) return null;
  const unit = scale === RAW ? 1 : 10 ** scale;
  const out = new Array<number | null>(rows).fill(null);
  let row = lead;
  let last: number | null = null;
  for (let t = 2; t < stored.length; t++) {
    const token: unknown = stored[t];
    if (token === null) {
      row += 1;
    } else if (Array.isArray(token)) {
      const count: unknown = token[0];
      if (token.length !== 1 || !isCount(count) || count === 0 || last === null || row + count > rows) return null;
      for (let k = 0; k < count; k++) out[row++] = last / unit;
    } else if (typeof token === 'number') {
      const units: number = scale === RAW ? token : (last ?? 0) + token;
      const valid = scale === RAW ? Number.isFinite(units) : Number.isSafeInteger(token) && Number.isSafeInteger(units);
      if (!valid || row >= rows) return null;
      out[row++] = units / unit;
      last = units;
    } else {
      return null;
    }
    if (row > rows) return null;
  }
  return out;
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
