/** The column codecs behind the stored engine state: exact round trips, compact forms, malformed input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeColumn, decodeMinutes, encodeColumn, encodeMinutes, RAW } from '../src/core/stored-columns';

/** Through JSON text, as storage keeps it. */
const viaJson = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));

describe('value columns', () => {
  it('writes differences in whole units of the fewest decimals, runs as [count], unknowns as null', () => {
    const values = [72_226.51, 72_226.88, null, 72_226.88, 72_226.88, 72_226.88, 72_226.88, 72_230, 72_230];
    const column = encodeColumn(values)!;
    expect(column).toEqual([0, 2, 7_222_651, 37, null, [4], 312, 0]);
    expect(decodeColumn(viaJson(column), values.length)).toEqual(values);
  });

  it('counts unknown rows before the first value and leaves those after the last one out', () => {
    const column = encodeColumn([null, null, 1, 2, null, null])!;
    expect(column).toEqual([2, 0, 1, 1]);
    expect(decodeColumn(column, 6)).toEqual([null, null, 1, 2, null, null]);
    expect(encodeColumn([null, null])).toBeUndefined();
    expect(encodeColumn([])).toBeUndefined();
  });

  it('falls back to plain values when no decimal scale holds them exactly', () => {
    const values = [1e-20, 5, 5, 5, 5, 0.1 + 0.2];
    const column = encodeColumn(values)!;
    expect(column[1]).toBe(RAW);
    expect(decodeColumn(viaJson(column), values.length)).toEqual(values);
  });

  it('stores values whose scaled differences pass 2^53 as plain values, and reads them back', () => {
    // Each fits 10^12 units as a safe integer; the difference between them does not (found by the property below).
    const values = [7444.85, -1562.355372444286];
    const column = encodeColumn(values)!;
    expect(column[1]).toBe(RAW);
    expect(decodeColumn(viaJson(column), values.length)).toEqual(values);
  });

  it('round-trips any finite values exactly through JSON text', () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => v + 0), // JSON has no −0
      fc.integer({ min: -1e6, max: 1e6 }).map((n) => n / 100), // quantised like the history
      fc.constantFrom(72_226.51, 0.000_012_34, -3.5),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 40 }), (values) => {
        const column = encodeColumn(values);
        const decoded = column === undefined ? values.map(() => null) : decodeColumn(viaJson(column), values.length);
        expect(decoded).toEqual(values);
      }),
      { numRuns: 300 },
    );
  });

  it('returns null for malformed columns and never throws, NaN or Infinity otherwise', () => {
    expect(decodeColumn([0, 0, 'x'], 3)).toBeNull();
    expect(decodeColumn([0, 0, 1.5], 3)).toBeNull(); // a difference must be whole units
    expect(decodeColumn([0, 0, [2]], 3)).toBeNull(); // a run needs a value before it
    expect(decodeColumn([0, 0, 1, [5]], 3)).toBeNull(); // longer than its rows
    expect(decodeColumn([4, 0, 1], 3)).toBeNull();
    expect(decodeColumn([0, 16, 1], 3)).toBeNull();
    expect(decodeColumn([0, 0, Number.MAX_SAFE_INTEGER, 1], 3)).toBeNull();
    expect(decodeColumn([0, RAW, 1e308, null, 2], 3)).toEqual([1e308, null, 2]);
    const token = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double(), fc.constantFrom(null, 'x', [2], [0], [-1], [1, 2], []), fc.jsonValue({ maxDepth: 1 }));
    const column = fc.oneof(fc.tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: -2, max: 16 })).chain((head) => fc.array(token, { maxLength: 8 }).map((tokens) => [...head, ...tokens])), fc.jsonValue());
    fc.assert(
      fc.property(column, fc.integer({ min: 0, max: 6 }), (stored, rows) => {
        const decoded = decodeColumn(stored, rows);
        if (decoded !== null) {
          expect(decoded).toHaveLength(rows);
          expect(decoded.every((v) => v === null || Number.isFinite(v))).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('minutes', () => {
  it('are stored as the first minute and then differences', () => {
    expect(encodeMinutes([29_000_000, 29_000_001, 29_000_006])).toEqual([29_000_000, 1, 5]);
    expect(decodeMinutes([29_000_000, 1, 5])).toEqual([29_000_000, 29_000_001, 29_000_006]);
    expect(decodeMinutes([])).toEqual([]);
  });

  it('are refused unless every entry is a whole number', () => {
    expect(decodeMinutes([29_000_000, 1.5])).toBeNull();
    expect(decodeMinutes([29_000_000, '1'])).toBeNull();
    expect(decodeMinutes([Number.MAX_SAFE_INTEGER, 1])).toBeNull();
    expect(decodeMinutes({ 0: 1 })).toBeNull();
  });
});
