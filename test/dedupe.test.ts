import { describe, expect, it } from 'vitest';
import { admitPolledBatch, DEDUPE_HORIZON_MS, Deduper, identityOf } from '../src/core/dedupe';
import type { Liquidation } from '../src/core/model';

const NOW = 1_763_600_000_000;
const liq = (time: number, over: Partial<Liquidation> = {}): Liquidation => ({ venue: 'okx', symbol: 'BTC-USDT-SWAP', asset: 'BTC', kind: 'perp', side: 'long', price: 72000, quantity: 0.5, notionalUsd: 36000, time, ...over });

describe('Deduper', () => {
  it('counts a replayed stream event once, out-of-order events each once', () => {
    const d = new Deduper();
    expect(d.admitStreamed(liq(NOW - 2000), NOW)).toBe(true);
    expect(d.admitStreamed(liq(NOW - 5000), NOW)).toBe(true);
    expect(d.admitStreamed(liq(NOW - 2000), NOW + 1000)).toBe(false);
    expect(d.admitStreamed(liq(NOW - 2000, { side: 'short' }), NOW)).toBe(true);
  });

  it('admits a poll batch once, even when the next poll returns the same items plus one', () => {
    const d = new Deduper();
    const batch = [liq(NOW - 60_000), liq(NOW - 30_000), liq(NOW - 10_000)];
    expect(admitPolledBatch(d, batch, NOW)).toHaveLength(3);
    expect(admitPolledBatch(d, [...batch, liq(NOW + 5_000)], NOW + 30_000)).toEqual([liq(NOW + 5_000)]);
  });

  it('does not count a polled item the stream already delivered', () => {
    const d = new Deduper();
    d.admitStreamed(liq(NOW - 1000), NOW);
    expect(admitPolledBatch(d, [liq(NOW - 1000), liq(NOW - 500, { price: 71990 })], NOW)).toEqual([liq(NOW - 500, { price: 71990 })]);
  });

  it('survives a restart through JSON: recent identities and watermarks', () => {
    const d = new Deduper();
    d.admitStreamed(liq(NOW - 1000), NOW);
    admitPolledBatch(d, [liq(NOW - 90_000, { symbol: 'ETH-USDT-SWAP' })], NOW);
    const restored = new Deduper(JSON.parse(JSON.stringify(d.toJSON(NOW))));
    expect(restored.admitStreamed(liq(NOW - 1000), NOW + 10)).toBe(false);
    expect(admitPolledBatch(restored, [liq(NOW - 90_000, { symbol: 'ETH-USDT-SWAP' })], NOW + 30_000)).toEqual([]);
  });

  it('persists the newest 5,000 identities by event time, oldest first, equal times cut as a stable sort would', () => {
    const d = new Deduper();
    // Out of order, and 7 liquidations per millisecond: the 5,000th newest falls among equal times.
    const admitted = Array.from({ length: 6_001 }, (_, i) => liq(NOW - ((i * 7_919) % 857), { price: 72_000 + i }));
    admitted.forEach((l, i) => d.admitStreamed(l, NOW + i));
    const atLast = NOW + admitted.length - 1;
    const sorted = admitted.map((l) => ({ key: identityOf(l), time: l.time })).sort((a, b) => a.time - b.time);
    expect(d.toJSON(atLast).recent).toEqual(sorted.slice(-5_000).map(({ key }) => [key, atLast]));
  });

  it('forgets identities past the horizon', () => {
    const d = new Deduper();
    d.admitStreamed(liq(NOW), NOW);
    d.prune(NOW + DEDUPE_HORIZON_MS + 1);
    expect(d.size).toBe(0);
  });
});

describe('identity with a venue id', () => {
  it('tells apart same-millisecond rows by the venue id (BitMEX rows carry no timestamp)', () => {
    const d = new Deduper();
    expect(d.admitStreamed(liq(NOW, { venue: 'bitmex', id: 'a' }), NOW)).toBe(true);
    expect(d.admitStreamed(liq(NOW, { venue: 'bitmex', id: 'b' }), NOW)).toBe(true);
    expect(d.admitStreamed(liq(NOW, { venue: 'bitmex', id: 'a' }), NOW)).toBe(false);
  });
});

describe('restoring from corrupt storage', () => {
  it.each([{ recent: 5 }, { recent: [[1, 2], ['k']], watermarks: 'x' }, 'garbage', null, { watermarks: { a: 'NaN' } }])('never throws: %j', (state) => {
    const d = new Deduper(state);
    expect(d.admitStreamed(liq(NOW), NOW)).toBe(true);
  });
});

describe('many identities, in any order', () => {
  it('admits each of 5,000 shuffled events once, across same-millisecond rows, late events and repeats', () => {
    // Deterministic shuffle: events 0..4999 on 40 distinct milliseconds, each sent twice, out of order.
    const events = Array.from({ length: 5_000 }, (_, i) =>
      liq(NOW - 60_000 + (i % 40) * 7, { price: 72_000 + (i % 13), quantity: 0.001 * (1 + (i % 17)), side: i % 3 ? 'long' : 'short', symbol: i % 2 ? 'BTC-USDT-SWAP' : 'ETH-USDT-SWAP' }),
    );
    let seed = 7;
    const order = [...events, ...events].map((e) => ({ e, r: (seed = (seed * 48_271) % 2_147_483_647) })).sort((a, b) => a.r - b.r).map(({ e }) => e);
    const d = new Deduper();
    const admitted = order.filter((e) => d.admitStreamed(e, NOW));
    const distinct = new Set(events.map((e) => identityOf(e)));
    expect(admitted).toHaveLength(distinct.size);
    expect(new Set(admitted.map((e) => identityOf(e))).size).toBe(distinct.size);
    // And they all survive a restart.
    const restored = new Deduper(JSON.parse(JSON.stringify(d.toJSON(NOW))));
    expect(events.filter((e) => restored.admitStreamed(e, NOW + 1_000))).toEqual([]);
  });
});

