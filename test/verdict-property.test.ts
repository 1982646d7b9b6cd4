/**
 * The verdict never contradicts the numbers beside it (issue 14, part 2): property tests over
 * generated markets (fast-check). Each case is a few hours of two venues × two assets with calm
 * noise, one-sided liquidation bursts, open interest and price moves and funding drift, replayed
 * from the start or from a fresh install at a random minute. Every reading of every scope is held
 * against what the meter shows beside it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScopeReading } from '../src/core/engine';
import { replayReadings } from '../tools/replay/replay';
import type { Scenario, ScenarioEvent } from '../tools/replay/scenario';
import { DEFAULT_FLUSH_THRESHOLDS as TH, amountFor } from '../src/core/thresholds';

const MIN = 60_000;
const START = Date.UTC(2026, 0, 5, 0, 0);
const MINUTES = 240;
const VENUES = ['binance', 'bybit'] as const;
const ASSETS = { BTC: { price: 70_000, oi: 8e9 }, ETH: { price: 2_000, oi: 4e9 } } as const;
type Asset = keyof typeof ASSETS;

interface Burst {
  asset: Asset;
  start: number;
  minutes: number;
  usdPerMinute: number;
  longShare: number;
  /** OI change over the burst (fraction), price change over it. */
  oiMove: number;
  priceMove: number;
}

interface Market {
  noiseUsd: number;
  bursts: Burst[];
  funding: number;
  fundingDrift: number;
  installAt: number;
}

const burst: fc.Arbitrary<Burst> = fc.record({
  asset: fc.constantFrom<Asset>('BTC', 'ETH'),
  start: fc.integer({ min: 20, max: 240 }),
  minutes: fc.integer({ min: 3, max: 50 }),
  usdPerMinute: fc.oneof(fc.integer({ min: 10_000, max: 300_000 }), fc.integer({ min: 300_000, max: 6_000_000 })),
  longShare: fc.oneof(fc.constantFrom(0, 0.05, 0.95, 1), fc.double({ min: 0, max: 1, noNaN: true })),
  oiMove: fc.double({ min: -0.12, max: 0.06, noNaN: true }),
  priceMove: fc.double({ min: -0.08, max: 0.08, noNaN: true }),
});

const market: fc.Arbitrary<Market> = fc.record({
  noiseUsd: fc.integer({ min: 0, max: 40_000 }),
  bursts: fc.array(burst, { maxLength: 3 }),
  funding: fc.double({ min: -0.0008, max: 0.0012, noNaN: true }),
  fundingDrift: fc.double({ min: -0.000005, max: 0.000005, noNaN: true }),
  installAt: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 200 })),
});

/** The market as scenario events: a market row per venue × asset each minute, liquidations spread over each minute. */
function scenarioOf(m: Market): Scenario {
  const events: ScenarioEvent[] = [];
  for (let minute = 0; minute < MINUTES; minute++) {
    for (const [asset, base] of Object.entries(ASSETS) as Array<[Asset, (typeof ASSETS)[Asset]]>) {
      let oi = base.oi;
      let price = base.price;
      for (const b of m.bursts.filter((x) => x.asset === asset)) {
        const done = Math.min(1, Math.max(0, (minute - b.start) / b.minutes));
        oi *= 1 + b.oiMove * done;
        price *= 1 + b.priceMove * done;
      }
      const funding = m.funding + m.fundingDrift * minute;
      for (const [i, venue] of VENUES.entries()) {
        events.push({
          t: minute * MIN + 1_000 + i * 500,
          type: 'market',
          venue,
          asset,
          price,
          markPrice: price,
          indexPrice: price,
          fundingRate8h: funding,
          openInterestUsd: oi / VENUES.length,
          perpVolume24hUsd: 4 * oi,
          spotVolume24hUsd: oi,
        });
      }
      const hot = m.bursts.filter((b) => b.asset === asset && minute >= b.start && minute < b.start + b.minutes);
      const longUsd = m.noiseUsd / 2 + hot.reduce((sum, b) => sum + b.usdPerMinute * b.longShare, 0);
      const shortUsd = m.noiseUsd / 2 + hot.reduce((sum, b) => sum + b.usdPerMinute * (1 - b.longShare), 0);
      for (const [side, usd] of [['long', longUsd], ['short', shortUsd]] as const) {
        if (usd < 1) continue;
        const venue = VENUES[minute % 2]!;
        events.push({ t: minute * MIN + 20_000 + (side === 'long' ? 0 : 10_000), type: 'liquidation', venue, asset, side, price, notionalUsd: usd });
      }
    }
  }
  events.sort((a, b) => a.t - b.t);
  return { name: 'generated', start: START, events };
}

/** Every flush condition over the last hour holds in the numbers the meter shows beside the verdict. */
function hourShowsFlush(r: ScopeReading): boolean {
  const { liq1h, signals: s } = r;
  const isMarket = r.scope === 'ALL';
  const share = liq1h.longShare === null ? 0 : Math.max(liq1h.longShare, 1 - liq1h.longShare);
  const oiKnown = s.oiDrawdown1h !== null;
  const needed = oiKnown ? TH.flushIntensity : TH.flushIntensityWithoutOi;
  const oiFalls = !oiKnown || s.oiDrawdown1h! <= -TH.oiDropFlush1h || s.intensity >= TH.extremeIntensity;
  return liq1h.totalUsd >= amountFor(TH.minFlushUsd1h, isMarket) && share >= TH.dominantShare && s.intensity >= needed && oiFalls;
}

const FLUSH_STORY = new Set(['flushing', 'exhaustion', 'releveraging', 'continuation']);

describe('the verdict never contradicts the numbers beside it', () => {
  it('holds over generated markets, replayed from the start or from a fresh install', () => {
    let flushes = 0;
    let exhaustions = 0;
    let installs = 0;
    fc.assert(
      fc.property(market, (m) => {
        const flushedSide = new Map<string, Set<string>>();
        if (m.installAt > 0) installs += 1;
        for (const step of replayReadings(scenarioOf(m), { installAt: m.installAt * MIN, liquidationHistory: [] })) {
          const counted = step.t - step.liqFrom;
          for (const r of Object.values(step.readings.scopes)) {
            const { verdict } = r;
            const where = `${r.scope} at minute ${step.t / MIN}: ${verdict.phase}`;
            // Warming exactly while the liquidation hour is incomplete; calm never before it is.
            if (verdict.phase === 'warming') expect(counted, where).toBeLessThan(60 * MIN);
            if (verdict.phase === 'calm') expect(counted, where).toBeGreaterThanOrEqual(60 * MIN);
            // A one-sided hour at the flush threshold is never calm, crowded or warming.
            if (hourShowsFlush(r)) expect(FLUSH_STORY.has(verdict.phase), where).toBe(true);
            // Exhaustion only after a flush: seen flushing in this scope, or found in the history before the install.
            if (verdict.phase === 'flushing') flushedSide.set(r.scope, (flushedSide.get(r.scope) ?? new Set()).add(verdict.side!));
            if (verdict.phase === 'exhaustion') {
              const seen = flushedSide.get(r.scope)?.has(verdict.side!) ?? false;
              expect(seen || verdict.reasons.some((x) => x.code === 'flush-evidence'), where).toBe(true);
              exhaustions += 1;
            }
            if (verdict.phase === 'flushing') flushes += 1;
            // The reasons name the numbers shown: the hour's total and its one-sided share as the meter shows them.
            for (const reason of verdict.reasons) {
              if (reason.code === 'min-size') expect(reason.value, where).toBe(r.liq1h.totalUsd);
              if (reason.code === 'intensity') expect(reason.args[0], where).toEqual({ usd: r.liq1h.totalUsd });
              if (reason.code === 'side-share' && reason.met) {
                // "Longs took 90 %" is the long share shown; "shorts took" its complement.
                const shown = reason.key === 'reasonShortsTook' ? 1 - r.liq1h.longShare! : r.liq1h.longShare!;
                expect(reason.value, where).toBeCloseTo(shown, 12);
              }
              for (const arg of reason.args) for (const v of Object.values(arg)) if (v !== null) expect(Number.isFinite(v), `${where} ${reason.code}`).toBe(true);
            }
          }
        }
      }),
      { numRuns: 40, seed: 20261202 },
    );
    // The generator reaches the phases the properties are about (not a vacuous pass).
    expect(flushes).toBeGreaterThan(0);
    expect(exhaustions).toBeGreaterThan(0);
    expect(installs).toBeGreaterThan(0);
  }, 120_000);
});
