/**
 * The live tape store (src/core/tape.ts): newest first, bounded, a floor, per-asset queries,
 * serialization round trips, and nothing non-finite in or out.
 */
import { describe, expect, it } from 'vitest';
import type { Liquidation } from '../src/core/model';
import { printKey, Tape, TAPE_FLOOR_USD, tapePrints } from '../src/core/tape';

let seq = 0;
const liq = (patch: Partial<Liquidation> = {}): Liquidation => ({
  venue: 'bybit',
  symbol: 'BTCUSDT',
  asset: 'BTC',
  kind: 'perp',
  side: 'long',
  price: 72_000 + seq++,
  quantity: 2,
  notionalUsd: 144_000,
  time: 1_700_000_000_000,
  ...patch,
});

describe('the live tape', () => {
  it('keeps prints newest first, whatever order they arrive in', () => {
    const tape = new Tape();
    for (const time of [5, 1, 9, 3, 7]) expect(tape.add(liq({ time: 1e12 + time * 1000 }), false)).toBe(true);
    expect(tape.list().map((p) => p.time - 1e12)).toEqual([9000, 7000, 5000, 3000, 1000]);
  });

  it('keeps a print as published: venue, side, USD size, price, time and whether it is a sample', () => {
    const tape = new Tape();
    tape.add(liq({ venue: 'binance', side: 'short', notionalUsd: 250_000, price: 3100, asset: 'ETH', symbol: 'ETHUSDT', time: 42 }), true);
    expect(tape.list()).toEqual([{ venue: 'binance', symbol: 'ETHUSDT', asset: 'ETH', side: 'short', price: 3100, usd: 250_000, time: 42, sampled: true }]);
  });

  it('is bounded: the oldest prints fall off, and a print older than a full tape is not kept', () => {
    const tape = new Tape(3);
    for (let i = 1; i <= 5; i++) tape.add(liq({ time: i }), false);
    expect(tape.size).toBe(3);
    expect(tape.list().map((p) => p.time)).toEqual([5, 4, 3]);
    expect(tape.add(liq({ time: 2 }), false)).toBe(false);
    expect(tape.add(liq({ time: 4 }), false)).toBe(true);
    expect(tape.list().map((p) => p.time)).toEqual([5, 4, 4]);
  });

  it('keeps nothing under its floor; queries filter by size, asset and count', () => {
    const tape = new Tape(100, 50_000);
    expect(tape.add(liq({ notionalUsd: 49_999 }), false)).toBe(false);
    tape.add(liq({ notionalUsd: 60_000, time: 1 }), false);
    tape.add(liq({ notionalUsd: 2_000_000, time: 2, asset: 'ETH', symbol: 'ETHUSDT' }), false);
    tape.add(liq({ notionalUsd: 150_000, time: 3 }), false);
    tape.add(liq({ notionalUsd: 900_000, time: 4, asset: 'ETH', symbol: 'ETHUSDT' }), false);
    expect(tape.list({ minUsd: 100_000 }).map((p) => p.usd)).toEqual([900_000, 150_000, 2_000_000]);
    expect(tape.list({ asset: 'ETH' }).map((p) => p.time)).toEqual([4, 2]);
    expect(tape.list({ asset: 'BTC', minUsd: 100_000 }).map((p) => p.time)).toEqual([3]);
    expect(tape.list({ limit: 2 }).map((p) => p.time)).toEqual([4, 3]);
    expect(new Tape().floorUsd).toBe(TAPE_FLOOR_USD);
  });

  it('refuses non-finite or non-positive sizes, prices and times: nothing NaN is ever published', () => {
    const tape = new Tape();
    for (const bad of [{ notionalUsd: Number.NaN }, { notionalUsd: Infinity }, { price: Number.NaN }, { price: 0 }, { time: Number.NaN }, { notionalUsd: -200_000 }]) expect(tape.add(liq(bad), false)).toBe(false);
    expect(tape.size).toBe(0);
    expect(tape.takeChanges()).toBeNull();
  });

  it('serializes to JSON and back, and reads stored junk as nothing', () => {
    const tape = new Tape();
    for (let i = 0; i < 5; i++) tape.add(liq({ time: i, side: i % 2 ? 'short' : 'long', venue: i % 2 ? 'okx' : 'bybit' }), i % 2 === 1);
    const stored = JSON.parse(JSON.stringify(tape.toJSON()));
    expect(stored.v).toBe(1);
    const back = new Tape(undefined, undefined, stored);
    expect(back.list()).toEqual(tape.list());
    expect(tapePrints(stored)).toEqual(tape.list());
    const mixed = { v: 1, prints: [...stored.prints, null, { ...stored.prints[0], usd: null }, { ...stored.prints[0], side: 'up' }, 'x'] };
    expect(tapePrints(mixed)).toEqual(tape.list());
    for (const junk of [undefined, null, 7, 'tape', { prints: 'no' }, []]) expect(tapePrints(junk)).toEqual([]);
    expect(new Tape(undefined, undefined, 'junk').size).toBe(0);
    // A stored tape larger than the bound, or under the floor, is cut to them.
    expect(new Tape(2, 145_000, stored).size).toBe(0);
    expect(new Tape(2, undefined, stored).list().map((p) => p.time)).toEqual([4, 3]);
  });

  it('says when it changed, once, for the publisher', () => {
    const tape = new Tape();
    expect(tape.takeChanges()).toBeNull();
    tape.add(liq(), false);
    expect(tape.takeChanges()?.prints).toHaveLength(1);
    expect(tape.takeChanges()).toBeNull();
  });

  it('gives each print a key that tells a new print from one seen', () => {
    const tape = new Tape();
    tape.add(liq({ time: 1, price: 100 }), false);
    tape.add(liq({ time: 1, price: 101 }), false);
    const keys = tape.list().map(printKey);
    expect(new Set(keys).size).toBe(2);
  });
});
