/**
 * Notification rules: pure decisions over readings and what was already sent.
 * The worker persists AlertState so a restart never repeats a notification.
 */
import type { Readings } from './engine';
import { MARKET_SCOPE } from './engine';
import { formatShare, formatUsd } from './format';
import type { Settings } from './settings';

export interface AlertState {
  /** Rule key → when it last fired (ms). */
  lastFired: Record<string, number>;
  /** Rule key → whether its condition held at the last evaluation (fires on the rising edge). */
  active: Record<string, boolean>;
}

export interface Alert {
  /** Stable id of the rule and scope, e.g. 'liq1h:ALL'. Also the notification id prefix. */
  key: string;
  title: string;
  message: string;
  /** The asset the alert is about (for click-through), or null for the market. */
  asset: string | null;
}

export const EMPTY_ALERT_STATE: AlertState = { lastFired: {}, active: {} };

/**
 * Market-wide 1 h liquidations crossing the threshold. Fires on the rising edge and not again
 * within the cooldown, so one flush gives one notification even if it dips and re-crosses.
 */
export function evaluateAlerts(readings: Readings, settings: Settings, state: AlertState, now: number): { alerts: Alert[]; state: AlertState } {
  const next: AlertState = { lastFired: { ...state.lastFired }, active: { ...state.active } };
  const alerts: Alert[] = [];
  const market = readings.scopes[MARKET_SCOPE];
  const key = `liq1h:${MARKET_SCOPE}`;
  const over = market !== undefined && market.liq1h.totalUsd >= settings.alerts.market1hUsd;
  const cooledDown = now - (state.lastFired[key] ?? -Infinity) >= settings.alerts.cooldownMs;
  if (over && !state.active[key] && cooledDown) {
    alerts.push({ key, title: 'Leverage flush', message: liquidationMessage(market.liq1h.totalUsd, market.liq1h.longShare, market.sampledVenues.length > 0), asset: null });
    next.lastFired[key] = now;
  }
  next.active[key] = over;
  return { alerts, state: next };
}

/** "$99.1M liquidated in 1h — 90% longs" (or shorts, whichever dominates). */
export function liquidationMessage(totalUsd: number, longShare: number | null, lowerBound: boolean): string {
  const amount = `${lowerBound ? '≥ ' : ''}${formatUsd(totalUsd)}`;
  if (longShare === null) return `${amount} liquidated in 1h`;
  const longs = longShare >= 0.5;
  return `${amount} liquidated in 1h — ${formatShare(longs ? longShare : 1 - longShare)} ${longs ? 'longs' : 'shorts'}`;
}
