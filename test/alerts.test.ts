import { describe, expect, it } from 'vitest';
import { EMPTY_ALERT_STATE, evaluateAlerts, liquidationMessage } from '../src/core/alerts';
import type { Readings, ScopeReading } from '../src/core/engine';
import { DEFAULT_SETTINGS } from '../src/core/settings';
import { toTotals } from '../src/core/windows';

function readings(totalUsd: number, longShare = 0.9, sampled = false): Readings {
  const market = { scope: 'ALL', liq1h: toTotals(totalUsd * longShare, totalUsd * (1 - longShare), 10), sampledVenues: sampled ? ['binance'] : [] } as unknown as ScopeReading;
  return { computedAt: 0, collectingSince: 0, scopes: { ALL: market } };
}

describe('market-wide 1 h liquidation alert', () => {
  it('fires once when the threshold is crossed, with the trader-readable text', () => {
    const { alerts } = evaluateAlerts(readings(99_100_000), DEFAULT_SETTINGS, EMPTY_ALERT_STATE, 1_000);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.message).toBe('$99.1M liquidated in 1h — 90% longs');
  });

  it('does not fire below the threshold', () => {
    expect(evaluateAlerts(readings(49_000_000), DEFAULT_SETTINGS, EMPTY_ALERT_STATE, 1_000).alerts).toEqual([]);
  });

  it('does not repeat while the flush stays above the threshold', () => {
    const first = evaluateAlerts(readings(60e6), DEFAULT_SETTINGS, EMPTY_ALERT_STATE, 1_000);
    const second = evaluateAlerts(readings(80e6), DEFAULT_SETTINGS, first.state, 61_000);
    expect(second.alerts).toEqual([]);
  });

  it('respects the cooldown when the total dips and re-crosses, then fires again after it', () => {
    const t0 = 1_000;
    const fired = evaluateAlerts(readings(60e6), DEFAULT_SETTINGS, EMPTY_ALERT_STATE, t0);
    const dipped = evaluateAlerts(readings(40e6), DEFAULT_SETTINGS, fired.state, t0 + 60_000);
    const recrossed = evaluateAlerts(readings(60e6), DEFAULT_SETTINGS, dipped.state, t0 + 120_000);
    expect(recrossed.alerts).toEqual([]);
    const dippedAgain = evaluateAlerts(readings(40e6), DEFAULT_SETTINGS, recrossed.state, t0 + DEFAULT_SETTINGS.alerts.cooldownMs);
    const later = evaluateAlerts(readings(60e6), DEFAULT_SETTINGS, dippedAgain.state, t0 + DEFAULT_SETTINGS.alerts.cooldownMs + 1);
    expect(later.alerts).toHaveLength(1);
  });

  it('survives a restart: state restored from JSON still suppresses the repeat', () => {
    const fired = evaluateAlerts(readings(60e6), DEFAULT_SETTINGS, EMPTY_ALERT_STATE, 1_000);
    const restored = JSON.parse(JSON.stringify(fired.state));
    expect(evaluateAlerts(readings(70e6), DEFAULT_SETTINGS, restored, 2_000).alerts).toEqual([]);
  });

  it('names the dominant side and marks sampled totals', () => {
    expect(liquidationMessage(12e6, 0.2, true)).toBe('≥ $12.0M liquidated in 1h — 80% shorts');
    expect(liquidationMessage(12e6, null, false)).toBe('$12.0M liquidated in 1h');
  });
});
