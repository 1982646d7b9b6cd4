/** AlertService (src/background/alert-service.ts): a waiting event notifies when due, even with no publish after it. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertService, type AlertStore } from '../src/background/alert-service';
import { MARKET_CONFIRM_MS, type Alert } from '../src/core/alerts';
import { DEFAULT_SETTINGS } from '../src/core/settings';
import { readings } from './alert-fixtures';

const T0 = Date.UTC(2026, 10, 20, 12);

function service() {
  const stored: Record<string, unknown> = {};
  const store: AlertStore = { get: async () => ({ ...stored }), set: async (items) => void Object.assign(stored, items) };
  const shown: Alert[] = [];
  const alerts = new AlertService(store, { show: async (alert) => (shown.push(alert), true) });
  return { alerts, shown };
}

beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => vi.useRealTimers());

describe('AlertService', () => {
  it('notifies a market event once it is due, evaluating the last readings again when no publish came', async () => {
    const { alerts, shown } = service();
    await alerts.evaluate(readings({ ALL: { liq1h: 99.1e6, funding8h: 0.0001 } }), DEFAULT_SETTINGS, T0);
    expect(shown).toEqual([]);
    await vi.advanceTimersByTimeAsync(MARKET_CONFIRM_MS - 1);
    expect(shown).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(shown.map((alert) => alert.events.map((event) => event.kind))).toEqual([['threshold']]);
    await vi.advanceTimersByTimeAsync(10 * MARKET_CONFIRM_MS);
    expect(shown).toHaveLength(1);
  });

  it('does not notify what a later publish no longer shows', async () => {
    const { alerts, shown } = service();
    await alerts.evaluate(readings({ ALL: { liq1h: 99.1e6, funding8h: 0.0001 } }), DEFAULT_SETTINGS, T0);
    await vi.advanceTimersByTimeAsync(1_000);
    await alerts.evaluate(readings({ ALL: { liq1h: 10e6, funding8h: 0.0001 } }), DEFAULT_SETTINGS, T0 + 1_000);
    await vi.advanceTimersByTimeAsync(10 * MARKET_CONFIRM_MS);
    expect(shown).toEqual([]);
  });
});
