/** Breadth: every asset with liquidations in the hour, most liquidated first, small enough for the popup. */
import { describe, expect, it } from 'vitest';
import { breadthOf, BREADTH_SIZE, UntrackedMarkets } from '../src/core/breadth';
import { STALE_AFTER_MS } from '../src/core/bus';
import { FlushEngine } from '../src/core/engine';
import type { MarketUpdate } from '../src/core/model';

const NOW = Date.UTC(2026, 11, 2, 12, 0);

function engineWith(usdByAsset: Record<string, number>): FlushEngine {
  const engine = new FlushEngine({ bybit: 'complete', binance: 'sampled' }, NOW - 3_600_000);
  let i = 0;
  for (const [asset, usd] of Object.entries(usdByAsset)) {
    engine.ingestLiquidation({ venue: i % 2 ? 'binance' : 'bybit', symbol: `${asset}USDT`, asset, kind: 'perp', side: i % 3 ? 'long' : 'short', price: 1, quantity: usd, notionalUsd: usd, time: NOW - 60_000 * (1 + i) }, NOW);
    i += 1;
  }
  return engine;
}

describe('breadth', () => {
  it('ranks every liquidated asset by its hour, not just the watched ones, with side, long share, lower bounds and phase', () => {
    const engine = engineWith({ DOGE: 5e6, PEPE: 9e6, BTC: 1e6, WIF: 2e5 });
    const breadth = breadthOf(engine.readings(NOW, ['BTC']));
    expect(breadth.rows.map((r) => r.asset)).toEqual(['PEPE', 'DOGE', 'BTC', 'WIF']);
    expect(breadth.assets).toBe(4);
    const pepe = breadth.rows[0]!;
    expect(pepe.liq1hUsd).toBe(9e6);
    expect(pepe.longShare).toBe(1);
    expect(pepe.sampled).toBe(true); // binance
    expect(breadth.rows[1]!.sampled).toBe(false); // bybit
    expect(typeof pepe.phase).toBe('string');
    expect(JSON.stringify(breadth)).not.toMatch(/NaN/);
  });

  it(`keeps the top ${BREADTH_SIZE} and counts the rest; an asset with nothing in the hour is not listed`, () => {
    const usd = Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`A${String(i).padStart(2, '0')}`, 1e5 * (i + 1)]));
    const engine = engineWith(usd);
    const breadth = breadthOf(engine.readings(NOW, []));
    expect(breadth.rows).toHaveLength(BREADTH_SIZE);
    expect(breadth.assets).toBe(45);
    expect(breadth.rows[0]!.asset).toBe('A44');
    expect(breadth.rows.every((row, i) => i === 0 || breadth.rows[i - 1]!.liq1hUsd >= row.liq1hUsd)).toBe(true);
    expect(breadthOf(engine.readings(NOW + 2 * 3_600_000, [])).rows).toEqual([]);
  });

  it("takes an untracked asset's funding and OI change from the all-symbol polls, a tracked one's from its reading", () => {
    const engine = engineWith({ DOGE: 5e6, BTC: 1e6 });
    engine.ingestMarket(market('bybit', 'BTC', 0.0001, 1e9));
    const untracked = new UntrackedMarkets();
    untracked.record(market('bybit', 'DOGE', 0.0003, 1e8), NOW - 60 * 60_000);
    untracked.record(market('bybit', 'DOGE', 0.0003, 0.9e8), NOW);
    // Without it DOGE's figures are unknown: the engine holds no market of an untracked asset.
    expect(breadthOf(engine.readings(NOW, ['BTC'])).rows.find((r) => r.asset === 'DOGE')).toMatchObject({ funding8h: null, oiChange1h: null });
    const rows = breadthOf(engine.readings(NOW, ['BTC']), untracked.at(NOW)).rows;
    expect(rows.find((r) => r.asset === 'DOGE')!.funding8h).toBe(0.0003);
    expect(rows.find((r) => r.asset === 'DOGE')!.oiChange1h).toBeCloseTo(-0.1, 9);
    expect(rows.find((r) => r.asset === 'BTC')!.funding8h).toBe(0.0001);
  });
});

describe('UntrackedMarkets', () => {
  it('gives the 1 h OI change over the venues known now and an hour ago, none before an hour of polls', () => {
    const oi = new UntrackedMarkets();
    // Polls every 30 s for 61 minutes: Bybit's OI from 100M to 110M, OKX's 50M throughout but only for the last 20 minutes.
    for (let t = NOW - 61 * 60_000; t <= NOW; t += 30_000) {
      const done = (t - (NOW - 61 * 60_000)) / (61 * 60_000);
      oi.record(market('bybit', 'WIF', 0.0001, 1e8 * (1 + 0.1 * done)), t);
      if (t >= NOW - 20 * 60_000) oi.record(market('okx', 'WIF', 0.0001, 5e7), t);
      if (t < NOW - 50 * 60_000) expect(oi.oiChange1h('WIF', t)).toBeNull();
    }
    // OKX was not known an hour ago: Bybit's alone, from the sample nearest an hour before (at most 10 minutes off).
    expect(oi.oiChange1h('WIF', NOW)).toBeGreaterThan(0.09);
    expect(oi.oiChange1h('WIF', NOW)).toBeLessThan(0.105);
    // A venue in coins: valued at the mark as merged.
    const coins = new UntrackedMarkets();
    coins.record({ venue: 'okx', symbol: 'ARB-USDT-SWAP', asset: 'ARB', kind: 'perp', time: NOW - 3_600_000, markPrice: 2, openInterestBase: 1e6 }, NOW - 3_600_000);
    coins.record({ venue: 'okx', symbol: 'ARB-USDT-SWAP', asset: 'ARB', kind: 'perp', time: NOW, markPrice: 2, openInterestBase: 1.5e6 }, NOW);
    expect(coins.oiChange1h('ARB', NOW)).toBeCloseTo(0.5, 9);
    // A quiet venue does not count: its figure is stale.
    expect(coins.oiChange1h('ARB', NOW + STALE_AFTER_MS + 1)).toBeNull();
  });

  it('weighs the venues by open interest, counts only recent polls, and forgets an asset once it is tracked', () => {
    const funding = new UntrackedMarkets();
    funding.record(market('bybit', 'WIF', 0.0004, 3e7), NOW);
    funding.record(market('okx', 'WIF', 0.0001, 1e7), NOW);
    // A venue's next answer may carry only part of the figures: merged as the engine merges them.
    funding.record({ venue: 'okx', symbol: 'WIF-USDT-SWAP', asset: 'WIF', kind: 'perp', time: NOW + 1_000, markPrice: 2 }, NOW + 1_000);
    expect(funding.funding8h('WIF', NOW + 1_000)).toBeCloseTo(0.000325, 9);
    // Bybit's poll went quiet: only OKX's still counts.
    funding.record(market('okx', 'WIF', 0.0002, 1e7), NOW + STALE_AFTER_MS + 1);
    expect(funding.funding8h('WIF', NOW + STALE_AFTER_MS + 1)).toBeCloseTo(0.0002, 9);
    expect(funding.funding8h('PEPE', NOW)).toBeNull();
    funding.forget(['WIF']);
    expect(funding.funding8h('WIF', NOW + STALE_AFTER_MS + 1)).toBeNull();
  });
});

/** A perpetual's market update with an 8 h funding rate and open interest in USD. */
function market(venue: MarketUpdate['venue'], asset: string, fundingRate: number, openInterestUsd: number): MarketUpdate {
  return { venue, symbol: `${asset}USDT`, asset, kind: 'perp', time: NOW, markPrice: 1, fundingRate, fundingIntervalHours: 8, openInterestUsd };
}
