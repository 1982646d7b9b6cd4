/**
 * Maintenance-margin tiers and the liquidation price of an isolated position: the venue-neutral
 * arithmetic the liquidation-level model (src/core/levels.ts) builds on. Pure: no clock, no state.
 * Each venue file turns its own tier endpoint into a `MarginTable` and cites its docs there; the
 * formulas here are checked against the venues' documented examples in test/levels-formulas.test.ts.
 */
import type { PositionSide, VenueId } from './model';

/**
 * One tier of a venue's tiered ("tax bracket") maintenance margin: positions up to `maxNotional`
 * (in the table's `unit`) need `maintenanceMarginRate` × notional − `maintenanceAmount` of
 * maintenance margin and may use at most `maxLeverage`.
 */
export interface MarginTier {
  /** Upper bound of the tier's position size, in the table's unit; Infinity for the last tier. */
  maxNotional: number;
  /** Fraction of the position's notional (0.004 = 0.4 %). */
  maintenanceMarginRate: number;
  maxLeverage: number;
  /** The tier's maintenance deduction ("cum" on Binance, mmDeduction on Bybit), in the table's unit; 0 where a venue has none. */
  maintenanceAmount: number;
}

/**
 * One instrument's tiers, lowest first. `unit` says what `maxNotional` and `maintenanceAmount`
 * count: 'usd' (USDT/USDC taken as USD, as the venues quote linear contracts) or 'base' (canonical
 * coins: OKX counts tiers in contracts, Bybit's inverse risk limits in coin), which the model values
 * at the current price, so a tier keeps its size in coins as the price moves, as the venue's does.
 */
export interface MarginTable {
  venue: VenueId;
  symbol: string;
  asset: string;
  unit: 'usd' | 'base';
  tiers: MarginTier[];
}

/**
 * Liquidation price of an isolated position opened at `entry` with `leverage` (initial margin =
 * notional / leverage) and maintenance margin rate `mmr`, the maintenance margin taken on the notional
 * at the liquidation price (Binance, OKX, Hyperliquid; Bybit takes it at entry, which moves the price by
 * E·mmr·(1/lev − mmr)/(1 ∓ mmr): 0.008 % of it at 50× and 0.5 %, never more than mmr × the distance to
 * liquidation; see test/levels-formulas.test.ts):
 *   long:  E · (1 − 1/lev − d) / (1 − mmr)
 *   short: E · (1 + 1/lev + d) / (1 + mmr)
 * where d is the tier's maintenance deduction as a fraction of the position's notional at entry (0 in the
 * first tier, and on venues without deductions: then these are issue 17's E·(1 − 1/lev)/(1 − mmr) and
 * E·(1 + 1/lev)/(1 + mmr)). A long's equity at price P is E/lev + P − E per coin; it is liquidated when
 * that falls to mmr · P − d · E.
 * NaN for inputs no position has (entry ≤ 0, leverage < 1, mmr outside [0, 1), d < 0): callers skip those.
 */
export function liquidationPrice(side: PositionSide, entry: number, leverage: number, mmr: number, deduction = 0): number {
  if (!(entry > 0) || !(leverage >= 1) || !(mmr >= 0) || !(mmr < 1) || !(deduction >= 0) || !Number.isFinite(entry) || !Number.isFinite(leverage) || !Number.isFinite(deduction)) return Number.NaN;
  return side === 'long' ? (entry * (1 - 1 / leverage - deduction)) / (1 - mmr) : (entry * (1 + 1 / leverage + deduction)) / (1 + mmr);
}

/**
 * Hyperliquid's tier rule (docs, trading/margin-tiers): maintenance_margin_rate(tier n) = initial margin
 * rate at the tier's max leverage / 2 = 1 / (2 · maxLeverage).
 */
export function halfInitialMarginRate(maxLeverage: number): number {
  return 1 / (2 * maxLeverage);
}

/**
 * The maintenance deductions of tax-bracket tiers, continuous in position size (the rule Binance's
 * "Maintenance Amount formula" and Hyperliquid's margin-tiers page both state):
 *   amount(0) = 0; amount(n) = amount(n − 1) + floor(n) · (mmr(n) − mmr(n − 1)),
 * where floor(n) is the previous tier's maxNotional.
 */
export function withMaintenanceAmounts(tiers: ReadonlyArray<Omit<MarginTier, 'maintenanceAmount'>>): MarginTier[] {
  const out: MarginTier[] = [];
  for (const [i, tier] of tiers.entries()) {
    const previous = out[i - 1];
    const amount = previous ? previous.maintenanceAmount + previous.maxNotional * (tier.maintenanceMarginRate - previous.maintenanceMarginRate) : 0;
    out.push({ ...tier, maintenanceAmount: amount });
  }
  return out;
}

/**
 * A venue's tiers as a table, or null when they cannot be one: every rate in [0, 1) and below the
 * initial margin rate of its own max leverage (else a position at that leverage would be liquidated on
 * opening), leverages ≥ 1, sizes positive and rising. Tiers are sorted by size; the last one is made
 * unbounded (a venue's last tier is its ceiling, not a gap above it).
 */
export function marginTable(venue: VenueId, symbol: string, asset: string, unit: MarginTable['unit'], tiers: readonly MarginTier[]): MarginTable | null {
  if (tiers.length === 0) return null;
  const sorted = [...tiers].sort((a, b) => a.maxNotional - b.maxNotional);
  for (const [i, tier] of sorted.entries()) {
    const { maxNotional, maintenanceMarginRate: rate, maxLeverage, maintenanceAmount } = tier;
    if (!(maxNotional > 0) || !(rate >= 0) || !(rate < 1) || !(maxLeverage >= 1) || !Number.isFinite(maxLeverage)) return null;
    if (rate * maxLeverage >= 1 || !Number.isFinite(maintenanceAmount) || maintenanceAmount < 0) return null;
    if (i > 0 && maxNotional <= sorted[i - 1]!.maxNotional) return null;
  }
  const last = sorted.length - 1;
  return { venue, symbol, asset, unit, tiers: sorted.map((tier, i) => (i === last ? { ...tier, maxNotional: Number.POSITIVE_INFINITY } : { ...tier })) };
}

/** The highest leverage the table allows at any size (its first tier's). */
export function tableMaxLeverage(table: MarginTable): number {
  return Math.max(...table.tiers.map((tier) => tier.maxLeverage));
}

/** What a position pays for maintenance: `rate` of its notional less `deduction` × its notional at entry. */
export interface Maintenance {
  rate: number;
  deduction: number;
}

/**
 * The maintenance terms of a position of `notionalUsd` at `leverage`, with the coin tiers of a 'base'
 * table valued at `price`. The position sits in the tier its size falls in; where that tier does not allow
 * `leverage` (the position could not exist at that size), in the largest tier that does. Null without a
 * table or a usable answer.
 */
export function maintenanceFor(table: MarginTable | undefined, leverage: number, notionalUsd: number, price: number): Maintenance | null {
  if (!table || !(notionalUsd > 0) || !(price > 0) || !Number.isFinite(price) || !Number.isFinite(notionalUsd)) return null;
  const scale = table.unit === 'usd' ? 1 : price;
  const bySize = table.tiers.find((tier) => notionalUsd <= tier.maxNotional * scale) ?? table.tiers[table.tiers.length - 1];
  const allowed = table.tiers.filter((tier) => tier.maxLeverage >= leverage);
  const tier = bySize && bySize.maxLeverage >= leverage ? bySize : allowed[allowed.length - 1];
  if (!tier) return null;
  // The deduction never takes the maintenance margin below zero at this size.
  const deduction = Math.min((tier.maintenanceAmount * scale) / notionalUsd, tier.maintenanceMarginRate);
  return Number.isFinite(deduction) && deduction >= 0 ? { rate: tier.maintenanceMarginRate, deduction } : null;
}
