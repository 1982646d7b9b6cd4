/**
 * The risk box (first article: "size so a sudden 1–2 % move cannot liquidate the book"):
 * how far price can move before an isolated linear position is liquidated, against the
 * largest 1 h move of the last day. Pure; fees and funding ignored.
 */

export interface RiskInput {
  leverage: number;
  /** Maintenance margin rate, e.g. 0.004 for 0.4 %. */
  maintenanceMargin: number;
  /** Largest absolute 1 h price move over the last 24 h (fraction), or null when unknown. */
  largestMove1h: number | null;
}

export interface RiskOutput {
  /** Fractional fall that liquidates a long. */
  longMoveToLiquidation: number;
  /** Fractional rise that liquidates a short. */
  shortMoveToLiquidation: number;
  /** True when the day's largest 1 h move would liquidate a position at this leverage. */
  longAtRisk: boolean | null;
  shortAtRisk: boolean | null;
}

export const MAX_LEVERAGE = 200;

/** Validates the trader's input: null when it cannot describe a position. */
export function riskInput(leverage: number, maintenanceMarginPercent: number, largestMove1h: number | null): RiskInput | null {
  if (!Number.isFinite(leverage) || leverage < 1 || leverage > MAX_LEVERAGE) return null;
  const maintenanceMargin = maintenanceMarginPercent / 100;
  if (!Number.isFinite(maintenanceMargin) || maintenanceMargin < 0 || maintenanceMargin >= 1 / leverage) return null;
  return { leverage, maintenanceMargin, largestMove1h };
}

/**
 * Isolated, linear (USD-margined) contract, liquidation when equity falls to maintenance:
 * long: liq = entry × (1 − 1/L) / (1 − m); short: liq = entry × (1 + 1/L) / (1 + m).
 */
export function assessRisk({ leverage, maintenanceMargin: m, largestMove1h }: RiskInput): RiskOutput {
  const longMove = 1 - (1 - 1 / leverage) / (1 - m);
  const shortMove = (1 + 1 / leverage) / (1 + m) - 1;
  return {
    longMoveToLiquidation: longMove,
    shortMoveToLiquidation: shortMove,
    longAtRisk: largestMove1h === null ? null : largestMove1h >= longMove,
    shortAtRisk: largestMove1h === null ? null : largestMove1h >= shortMove,
  };
}
