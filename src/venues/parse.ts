/**
 * Shared zod helpers for venue adapters: the network edge, where every payload is validated.
 * Only the background worker and tests import this (never the content script).
 */
import { z } from 'zod';
import { VenueDataError, type Liquidation, type VenueId } from '../core/model';
import type { StreamOutput } from './types';

/**
 * No price, size, rate or amount a venue reports comes near 1e18 or, unless it is zero, 1e-18.
 * Values outside that range are garbage, and keeping them out means the products and quotients
 * adapters take (size × price, notional / price, OI × mark, funding × 8) stay finite and non-zero.
 */
export const MAX_MAGNITUDE = 1e18;
export const MIN_MAGNITUDE = 1e-18;

/** A decimal the venue sends as a string or a number; must be finite and of a plausible magnitude. */
export const decimal = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `not a finite number: ${JSON.stringify(value).slice(0, 40)}` });
      return z.NEVER;
    }
    const magnitude = Math.abs(n);
    if (magnitude > MAX_MAGNITUDE || (magnitude !== 0 && magnitude < MIN_MAGNITUDE)) {
      ctx.addIssue({ code: 'custom', message: `implausible magnitude: ${JSON.stringify(value).slice(0, 40)}` });
      return z.NEVER;
    }
    // '-0' is zero, not a negative number.
    return n === 0 ? 0 : n;
  });

/** A finite decimal ≥ 0 (prices, sizes, open interest). */
export const nonNegative = decimal.refine((n) => n >= 0, 'must not be negative');

/** A finite decimal > 0 (prices and sizes of a fill). */
export const positive = decimal.refine((n) => n > 0, 'must be positive');

/** Millisecond timestamp as number or numeric string; at least 1, so rounding a fractional one never gives 0. */
export const epochMs = decimal.refine((n) => n >= 1 && n < 1e14, 'not a millisecond timestamp');

/** The base asset derived from a venue symbol; a symbol that names none ('USDT' alone, '-SWAP') is malformed. */
export function requireAsset(venue: VenueId, asset: string, symbol: string): string {
  if (asset) return asset;
  throw new VenueDataError(venue, `no base asset in symbol ${JSON.stringify(symbol).slice(0, 60)}`);
}

/** Validate `data` or throw a VenueDataError naming what was wrong and where. */
export function parseWith<S extends z.ZodType>(venue: VenueId, what: string, schema: S, data: unknown): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new VenueDataError(venue, `malformed ${what}${where}: ${issue?.message ?? 'invalid'}`);
}

/** Parse a text frame as JSON or throw a VenueDataError. */
export function parseJsonFrame(venue: VenueId, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new VenueDataError(venue, `frame is not JSON: ${text.slice(0, 60)}`);
  }
}

export function emptyOutput() {
  return { liquidations: [], markets: [], replies: [] };
}

/**
 * What a liquidation frame yields: its liquidations and nothing else. The empty lists are shared
 * (two allocations less per frame on the hot path) and frozen, so a stray push fails loudly.
 */
const NOTHING: never[] = Object.freeze([]) as unknown as never[];
export function liquidationsOnly(liquidations: Liquidation[]): StreamOutput {
  return { liquidations, markets: NOTHING, replies: NOTHING };
}

/** A JSON object (not an array, not null): the shape most venue envelopes take. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/*
 * The fast path. A venue's hot stream frames (thousands a minute in a cascade) are read straight
 * from the text when it has exactly the layout the venue sends: its keys in its order, no
 * whitespace, no escapes. Anchored regular expressions check that layout and capture the fields;
 * the helpers below apply the same value rules as the zod schemas above. A frame that differs in
 * any way is not an error here: the fast path answers null and the frame goes through JSON.parse
 * and zod, which accept or reject it with a precise message. So the fast path may only ever accept
 * less than the zod path, and what it accepts it must read identically (test/venue-fast-path.test.ts).
 */

/** A JSON number token, as the regular expressions of the fast path capture it. */
export const JSON_NUMBER = String.raw`-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?`;
/** A JSON integer token (no leading zeros: JSON.parse rejects them, so the fast path must too). */
export const JSON_INTEGER = String.raw`(?:0|[1-9]\d{0,15})`;
/** A plain decimal inside a JSON string ("0.014"); anything fancier takes the zod path. */
export const DECIMAL_TEXT = String.raw`\d+(?:\.\d+)?`;

/** What the `decimal` schema accepts from a number: finite, of plausible magnitude ('-0' is 0). */
function plausible(n: number): boolean {
  const magnitude = Math.abs(n);
  return magnitude <= MAX_MAGNITUDE && (magnitude === 0 || magnitude >= MIN_MAGNITUDE);
}

/** `positive` for the fast path: the number, or NaN where the schema would reject it. */
export function positiveOrNaN(n: number): number {
  return n > 0 && plausible(n) ? n : Number.NaN;
}

/** A non-zero `decimal` for the fast path (signed sizes): the number, or NaN. */
export function nonZeroOrNaN(n: number): number {
  return n !== 0 && plausible(n) ? n : Number.NaN;
}

/** `epochMs` for the fast path: the number, or NaN. */
export function epochMsOrNaN(n: number): number {
  return n >= 1 && n < 1e14 ? n : Number.NaN;
}

const COMMA = 44;

/** The head of a frame: the sticky `head` expression matched from the start of `text`. */
export function matchHead(text: string, head: RegExp): RegExpExecArray | null {
  head.lastIndex = 0;
  return head.exec(text);
}

/** Nothing left: a tail for rows that run to the end of the text. */
export const TEXT_END = /$/y;

/**
 * Reads comma-separated rows with the sticky `row` expression from `at`, handing each match to
 * `visit` (which answers false to give up), then requires the sticky `tail` expression (ending
 * in `$`) to match the rest. True when all of the text was read.
 */
export function readRows(text: string, at: number, row: RegExp, tail: RegExp, visit: (match: RegExpExecArray) => boolean): boolean {
  for (let position = at; ; position += 1) {
    row.lastIndex = position;
    const match = row.exec(text);
    if (match === null || !visit(match)) return false;
    position = row.lastIndex;
    if (text.charCodeAt(position) !== COMMA) {
      tail.lastIndex = position;
      return tail.test(text);
    }
  }
}

/**
 * Per-symbol memo of a venue's symbol → asset mapping for the fast path: the stream repeats a
 * handful of symbols. Null where the mapping throws: the fast path never throws, it leaves the
 * frame to the zod path, which reports the fault in its own order.
 */
export function memoAsset(assetOf: (symbol: string) => string): (symbol: string) => string | null {
  const known = new Map<string, string>();
  return (symbol) => {
    let asset = known.get(symbol);
    if (asset !== undefined) return asset;
    try {
      asset = assetOf(symbol);
    } catch {
      return null;
    }
    // Bounded: a stream of ever-new symbols must not grow memory without end.
    if (known.size >= 4096) known.clear();
    known.set(symbol, asset);
    return asset;
  };
}
