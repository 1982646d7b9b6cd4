/**
 * Every number the flush model decides with. An options page can override any of them;
 * `resolveThresholds` fills the rest from the defaults.
 *
 * Rates and shares are plain fractions: 0.015 = 1.5 %. Funding is per 8 h: 0.0001 = 0.01 %
 * (the usual baseline interest component on most venues, i.e. "neutral").
 */

/** A USD amount that differs between the whole market and a single asset. */
export interface ScopeAmounts {
  market: number;
  asset: number;
}

export interface FlushThresholds {
  // Baseline: the usual hourly liquidation rate.
  /** Lowest baseline ever used, so a near-silent day cannot make a small burst look huge. */
  baselineFloorUsdPerHour: ScopeAmounts;
  /** Baseline while fewer than `minBaselineHours` full hours are known (fresh install, replay start). */
  shortHistoryFloorUsdPerHour: ScopeAmounts;
  minBaselineHours: number;

  // Flushing.
  /** Liquidations over the last hour ÷ baseline needed to call a flush. */
  flushIntensity: number;
  /** The same when no venue reports open interest (no OI confirmation possible). */
  flushIntensityWithoutOi: number;
  /** Intensity at which a falling OI is no longer required (OI feeds lag the cascade). */
  extremeIntensity: number;
  /** Absolute minimum liquidated in the last hour for a flush. */
  minFlushUsd1h: ScopeAmounts;
  /** Share of the hour's liquidations one side must take. */
  dominantShare: number;
  /** OI fall over 1 h that confirms positions are being closed (fraction). */
  oiDropFlush1h: number;
  /** Rolling 5 min rate ÷ baseline that marks where the cascade began. */
  onsetIntensity: number;
  /** The flush keeps running until the 15 min rate falls below this fraction of its peak … */
  decayFraction: number;

  // A flush seen only in history (before liquidations were counted: a fresh install, a night away).
  /** Open interest fall from its peak within an hour … */
  evidenceOiDrop: number;
  /** … while the price moved at least this far (down: longs flushed; up: shorts). */
  evidencePriceMove: number;

  // Exhaustion.
  /** OI fall since the flush began that counts as a reset. */
  oiReset: number;
  /** |funding 8 h| at or below this is neutral. */
  fundingNeutral: number;
  /** Funding must cross zero by at least this much to count as a flip (ignores jitter around 0). */
  fundingFlipMin: number;
  /** Exhaustion lapses this long after the flush began. */
  exhaustionMaxHours: number;

  // After a flush.
  /** How long a flush is remembered for releveraging / continuation. */
  postFlushHours: number;
  /** OI rebuild from the post-flush trough that counts as releveraging. */
  oiRebuild: number;
  /** Funding on the other side at least this far from zero = "flipped hard". */
  fundingHardFlip: number;
  /** OI within this fraction of the pre-flush level = "back near pre-flush". */
  oiNearPreFlush: number;
  /** Price still this far on the wrong side of the pre-flush price = "keeps failing". */
  priceFail: number;
  /** Share of liquidations still on the flushed side = "still leaning the same way". */
  leanShare: number;

  // Crowded.
  /** |funding 8 h| that counts as elevated (3× the usual 0.01 %). */
  fundingElevated: number;
  /** |funding 8 h| that counts as crowded even without rising OI. */
  fundingExtreme: number;
  oiRise1h: number;
  oiRise24h: number;

  /** Conditions to STAY in a phase are relaxed by this factor, so the meter does not flicker. */
  hysteresis: number;
}

export const DEFAULT_FLUSH_THRESHOLDS: Readonly<FlushThresholds> = Object.freeze({
  baselineFloorUsdPerHour: { market: 1_000_000, asset: 250_000 },
  shortHistoryFloorUsdPerHour: { market: 5_000_000, asset: 2_000_000 },
  minBaselineHours: 4,

  flushIntensity: 5,
  flushIntensityWithoutOi: 8,
  extremeIntensity: 12,
  minFlushUsd1h: { market: 10_000_000, asset: 3_000_000 },
  dominantShare: 0.65,
  oiDropFlush1h: 0.015,
  onsetIntensity: 2,
  decayFraction: 0.3,

  evidenceOiDrop: 0.03,
  evidencePriceMove: 0.015,

  oiReset: 0.03,
  fundingNeutral: 0.00015,
  fundingFlipMin: 0.00002,
  exhaustionMaxHours: 6,

  postFlushHours: 12,
  oiRebuild: 0.04,
  fundingHardFlip: 0.0002,
  oiNearPreFlush: 0.015,
  priceFail: 0.01,
  leanShare: 0.6,

  fundingElevated: 0.0003,
  fundingExtreme: 0.001,
  oiRise1h: 0.015,
  oiRise24h: 0.05,

  hysteresis: 0.75,
});

/** Defaults overlaid with whatever the caller provides (e.g. from the options page). */
export function resolveThresholds(overrides: Partial<FlushThresholds> = {}): FlushThresholds {
  const out: FlushThresholds = { ...DEFAULT_FLUSH_THRESHOLDS };
  for (const [key, value] of Object.entries(overrides) as Array<[keyof FlushThresholds, unknown]>) {
    const current = out[key];
    if (typeof current === 'number' && typeof value === 'number' && Number.isFinite(value)) {
      (out as unknown as Record<string, number>)[key] = value;
    } else if (typeof current === 'object' && value && typeof value === 'object') {
      const amounts = value as Partial<ScopeAmounts>;
      (out as unknown as Record<string, ScopeAmounts>)[key] = {
        market: Number.isFinite(amounts.market) ? amounts.market! : current.market,
        asset: Number.isFinite(amounts.asset) ? amounts.asset! : current.asset,
      };
    }
  }
  return out;
}

/** Picks the market or the asset amount. */
export function amountFor(amounts: ScopeAmounts, isMarket: boolean): number {
  return isMarket ? amounts.market : amounts.asset;
}
