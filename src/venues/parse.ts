/**
 * Shared zod helpers for venue adapters: the network edge, where every payload is validated.
 * Only the background worker and tests import this (never the content script).
 */
import { z } from '../core/zod';
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
 * What a liquidation message yields: its liquidations, the stream's replies, and the symbols it
 * named that the catalogue does not list (the worker then fetches the list again).
 */
export function liquidationOutput(liquidations: Liquidation[], unknownSymbols: readonly string[], replies: string[] = []): StreamOutput {
  const output: StreamOutput = { liquidations, markets: [], replies };
  return unknownSymbols.length ? { ...output, unknownSymbols: [...new Set(unknownSymbols)] } : output;
}

/** Response headers, as fetch gives them. */
export interface Headers {
  get(name: string): string | null;
}

/**
 * How long a Retry-After header (RFC 9110: seconds, or an HTTP date) asks us to wait, within
 * [0, maxMs]; `fallbackMs` when it is absent or unreadable (a broken header must not silence a
 * venue for days, nor stop it pausing).
 */
export function retryAfterMs(headers: Headers, now: number, fallbackMs: number, maxMs: number): number {
  const header = headers.get('retry-after');
  if (header === null || header.trim() === '') return fallbackMs;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms) || ms < 0) return fallbackMs;
  return Math.min(ms, maxMs);
}

/**
 * A response body read for a venue's error envelope: parsed only when short (error answers are a
 * few hundred bytes; a full ticker list is megabytes and is parsed once, by the parser), else undefined.
 */
export function shortJson(body: string): unknown {
  if (body.length > 4096) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** A JSON object (not an array, not null): the shape most venue envelopes take. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
