import { describe, expect, it } from 'vitest';
import { ASSET_GRACE_MS, describeAlert, EMPTY_ALERT_STATE, evaluateAlerts, MARKET_CONFIRM_MS, nextDue, normalizeAlertState, type Alert, type AlertState } from '../src/core/alerts';
import type { ReadingSet } from '../src/core/engine';
import { DEFAULT_SETTINGS, inQuietHours, type Settings } from '../src/core/settings';
import { EN, NOON, readings, settingsWith, ZH } from './alert-fixtures';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 10, 20, 12);

/**
 * Runs evaluations in order, carrying the state; returns every alert and the final state.
 * Evaluates each step's readings at its time, and again MARKET_CONFIRM_MS later when that comes
 * before the next step (the readings hold until then): the worker evaluates again when a waiting
 * market event is due (AlertService).
 */
function run(steps: Array<{ at: number; readings: ReadingSet; settings?: Settings; minuteOfDay?: number }>, start: AlertState = EMPTY_ALERT_STATE) {
  let state = start;
  const all: Array<{ at: number; alert: Alert; text: ReturnType<typeof describeAlert> }> = [];
  const evaluate = (step: (typeof steps)[number], at: number) => {
    const decision = evaluateAlerts(step.readings, step.settings ?? DEFAULT_SETTINGS, state, { now: at, minuteOfDay: step.minuteOfDay ?? NOON });
    all.push(...decision.alerts.map((alert) => ({ at, alert, text: describeAlert(alert, EN) })));
    state = decision.state;
  };
  steps.forEach((step, i) => {
    evaluate(step, step.at);
    const confirmAt = step.at + MARKET_CONFIRM_MS;
    if (confirmAt < (steps[i + 1]?.at ?? Infinity)) evaluate(step, confirmAt);
  });
  return { alerts: all, state };
}

const flush = (total: number, extra: Parameters<typeof readings>[0]['ALL'] = {}) => readings({ ALL: { liq1h: total, funding8h: 0.0001, ...extra } });

describe('threshold rule (market-wide and per asset 1 h liquidations)', () => {
  it('fires once on crossing, with the combined trader-readable text', () => {
    const { alerts } = run([{ at: T0, readings: flush(99_100_000) }]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text.title).toBe('Long flush — All markets');
    expect(alerts[0]!.text.message).toBe('$99.1M liquidated in 1h — 90% longs. Funding still +0.01%: flush may not be done.');
  });

  it('marks sampled totals as lower bounds and names the dominant side', () => {
    const { alerts } = run([{ at: T0, readings: readings({ ALL: { liq1h: 60e6, longShare: 0.2, sampled: true, funding8h: 0.0001 } }) }]);
    expect(alerts[0]!.text.title).toBe('Short flush — All markets');
    expect(alerts[0]!.text.message).toBe('≥ $60.0M liquidated in 1h — 80% shorts. Funding now +0.01%.');
  });

  it('stays silent below the threshold and when the rule is switched off', () => {
    expect(run([{ at: T0, readings: flush(49e6) }]).alerts).toEqual([]);
    const off = settingsWith((s) => (s.alerts.market1h.enabled = false));
    expect(run([{ at: T0, readings: flush(99e6), settings: off }]).alerts).toEqual([]);
  });

  it('follows the threshold the trader set', () => {
    const lower = settingsWith((s) => (s.alerts.market1h.usd = 20e6));
    expect(run([{ at: T0, readings: flush(25e6), settings: lower }]).alerts).toHaveLength(1);
    expect(run([{ at: T0, readings: flush(25e6) }]).alerts).toHaveLength(0);
  });

  it('uses a per-asset override before the asset default', () => {
    const settings = settingsWith((s) => (s.alerts.asset1h.perAsset.ETH = 5e6));
    const r = readings({ ALL: { liq1h: 8e6 }, BTC: { liq1h: 8e6 }, ETH: { liq1h: 8e6 } });
    const { alerts } = run([
      { at: T0, readings: r, settings },
      { at: T0 + ASSET_GRACE_MS, readings: r, settings },
    ]);
    expect(alerts.map((a) => a.alert.scope)).toEqual(['ETH']);
    expect(alerts[0]!.text.message).toBe('ETH: $8.0M liquidated in 1h — 90% longs.');
  });

  it('needs one side to take the minimum share when the trader asks for it', () => {
    const oneSided = settingsWith((s) => (s.alerts.minSideShare = 0.8));
    expect(run([{ at: T0, readings: readings({ ALL: { liq1h: 99e6, longShare: 0.6 } }), settings: oneSided }]).alerts).toEqual([]);
    expect(run([{ at: T0, readings: readings({ ALL: { liq1h: 99e6, longShare: 0.85 } }), settings: oneSided }]).alerts).toHaveLength(1);
    expect(run([{ at: T0, readings: readings({ ALL: { liq1h: 99e6, longShare: 0.15 } }), settings: oneSided }]).alerts).toHaveLength(1);
  });

  it('does not repeat while the flush stays above the threshold', () => {
    const { alerts } = run([
      { at: T0, readings: flush(60e6) },
      { at: T0 + MIN, readings: flush(80e6) },
      { at: T0 + 3 * HOUR, readings: flush(90e6) },
    ]);
    expect(alerts).toHaveLength(1);
  });
});

describe('cooldown', () => {
  it('keeps a dip and re-cross silent within the cooldown, then fires again after it', () => {
    const cooldown = DEFAULT_SETTINGS.alerts.cooldownMs;
    const { alerts } = run([
      { at: T0, readings: flush(60e6) },
      { at: T0 + MIN, readings: flush(40e6) },
      { at: T0 + 2 * MIN, readings: flush(60e6) },
      { at: T0 + cooldown, readings: flush(40e6) },
      { at: T0 + cooldown + 1, readings: flush(60e6) },
    ]);
    expect(alerts.map((a) => a.at)).toEqual([T0 + MARKET_CONFIRM_MS, T0 + cooldown + 1 + MARKET_CONFIRM_MS]);
  });

  it('follows the cooldown the trader set', () => {
    const short = settingsWith((s) => (s.alerts.cooldownMs = 10 * MIN));
    const { alerts } = run([
      { at: T0, readings: flush(60e6), settings: short },
      { at: T0 + MIN, readings: flush(40e6), settings: short },
      { at: T0 + 11 * MIN, readings: flush(60e6), settings: short },
    ]);
    expect(alerts).toHaveLength(2);
  });

  it('treats a flushing phase and a threshold crossing of the same scope as one story', () => {
    const { alerts } = run([
      { at: T0, readings: flush(30e6, { phase: 'flushing', side: 'long', since: T0 - 20 * MIN }) },
      { at: T0 + 10 * MIN, readings: flush(60e6, { phase: 'flushing', side: 'long', since: T0 - 20 * MIN }) },
    ]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text.message).toBe('long flush — $30.0M liquidated in 1h, 90% longs. Funding still +0.01%: flush may not be done.');
  });
});

describe('funding flip rule', () => {
  const flipped = (at: number, flip: 'to-negative' | 'to-positive' | null) =>
    ({ at, readings: readings({ ALL: { liq1h: 1e6, funding8h: flip === 'to-positive' ? 0.0002 : -0.00004, fundingRef: 0.0001, fundingFlip: flip } }) });

  it('fires when funding crosses zero, once while it stays flipped', () => {
    const { alerts } = run([flipped(T0, null), flipped(T0 + MIN, 'to-negative'), flipped(T0 + 2 * MIN, 'to-negative')]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text.title).toBe('Funding flip — All markets');
    expect(alerts[0]!.text.message).toBe('funding flipped negative — +0.01% → −0.004% per 8h.');
  });

  it('is silent when switched off', () => {
    const off = settingsWith((s) => (s.alerts.fundingFlip = false));
    expect(run([{ ...flipped(T0, 'to-negative'), settings: off }]).alerts).toEqual([]);
  });

  it('joins a flush that happens in the same evaluation: one notification, the flip in its text', () => {
    const r = readings({ ALL: { liq1h: 99.1e6, funding8h: -0.00004, fundingRef: 0.0001, fundingFlip: 'to-negative' } });
    const { alerts } = run([{ at: T0, readings: r }]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.alert.events.map((e) => e.kind)).toEqual(['threshold', 'funding-flip']);
    expect(alerts[0]!.text.message).toBe('$99.1M liquidated in 1h — 90% longs. Funding flipped negative.');
  });

  it('tells a flip that came with a phase change once: in its text, or as a sentence of its own', () => {
    const flip = { funding8h: -0.0003, fundingRef: 0.0001, fundingFlip: 'to-negative' as const };
    const relev = run([{ at: T0, readings: readings({ ALL: { liq1h: 1e6, phase: 'releveraging', side: 'short', since: T0, oiRebuildFromTrough: 0.05, ...flip } }) }]);
    expect(relev.alerts.map((a) => a.alert.events.length)).toEqual([2]);
    expect(relev.alerts[0]!.text.message).toBe('re-leveraging — OI +5% from the post-flush low, funding flipped negative.');
    const cont = run([{ at: T0, readings: readings({ ALL: { liq1h: 20e6, longShare: 0.3, phase: 'continuation', side: 'short', since: T0, ...flip } }) }]);
    expect(cont.alerts[0]!.text.message).toBe('continuation — 70% of liquidations still shorts, funding still −0.03%. Funding flipped negative.');
  });
});

describe('market events wait MARKET_CONFIRM_MS and must still hold', () => {
  it('drops a phase a reading showed for a moment: a back-filled hour arriving in a burst notifies once, as the flush', () => {
    // Seen in the skeleton e2e: a third of the hour in, the reading said exhaustion; 0.3 s later, the whole hour: flushing.
    const partial = flush(33.5e6, { phase: 'exhaustion', side: 'long', since: T0 });
    const whole = flush(99.1e6, { phase: 'flushing', side: 'long', since: T0 + 300 });
    const first = evaluateAlerts(partial, DEFAULT_SETTINGS, EMPTY_ALERT_STATE, { now: T0, minuteOfDay: NOON });
    expect(first.alerts).toEqual([]);
    expect(nextDue(first.state)).toBe(T0 + MARKET_CONFIRM_MS);
    const second = evaluateAlerts(whole, DEFAULT_SETTINGS, first.state, { now: T0 + 300, minuteOfDay: NOON });
    expect(second.alerts).toEqual([]);
    expect(second.suppressed.map((s) => [s.event.kind, s.reason])).toEqual([['exhaustion', 'unconfirmed']]);
    expect(evaluateAlerts(whole, DEFAULT_SETTINGS, second.state, { now: T0 + MARKET_CONFIRM_MS, minuteOfDay: NOON }).alerts).toEqual([]);
    const due = evaluateAlerts(whole, DEFAULT_SETTINGS, second.state, { now: T0 + 300 + MARKET_CONFIRM_MS, minuteOfDay: NOON });
    expect(due.alerts.map((a) => a.events.map((e) => e.kind))).toEqual([['threshold', 'flushing']]);
    expect(nextDue(due.state)).toBeNull();
  });

  it('drops a threshold crossing that does not hold, and notifies the next one that does', () => {
    const { alerts } = run([
      { at: T0, readings: flush(60e6) },
      { at: T0 + 1_000, readings: flush(40e6) },
      { at: T0 + 2_000, readings: flush(60e6) },
    ]);
    expect(alerts.map((a) => a.at)).toEqual([T0 + 2_000 + MARKET_CONFIRM_MS]);
  });
});

describe('phase change rule', () => {
  const exhausted = (since: number) => ({
    ALL: { liq1h: 2e6 },
    BTC: { liq1h: 2e6, phase: 'exhaustion' as const, side: 'long' as const, since, decayFromPeak: 0.15, oiChangeSinceFlush: -0.08, funding8h: -0.00003, fundingFlip: 'to-negative' as const },
  });

  it('says what exhaustion looks like, after the asset grace period', () => {
    const settings = settingsWith((s) => (s.alerts.fundingFlip = false));
    const first = run([{ at: T0, readings: readings(exhausted(T0)), settings }]);
    expect(first.alerts).toEqual([]);
    const { alerts } = run([{ at: T0 + ASSET_GRACE_MS, readings: readings(exhausted(T0)), settings }], first.state);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text.title).toBe('Exhaustion — BTC');
    expect(alerts[0]!.text.message).toBe('BTC: exhaustion — liquidations down 85% from peak, OI −8%, funding flipped negative.');
    expect(alerts[0]!.alert.asset).toBe('BTC');
  });

  it('notifies each phase entry once: the same phase and since never again', () => {
    const steps = [0, 1, 2, 30].map((m) => ({ at: T0 + m * MIN, readings: readings(exhausted(T0)) }));
    expect(run(steps).alerts).toHaveLength(1);
  });

  it('stays silent for a phase the trader switched off', () => {
    const off = settingsWith((s) => (s.alerts.phases.exhaustion = false));
    const steps = [0, 2].map((m) => ({ at: T0 + m * MIN, readings: readings(exhausted(T0)), settings: off }));
    expect(run(steps).alerts.filter((a) => a.alert.events.some((e) => e.kind === 'exhaustion'))).toEqual([]);
  });

  it('words re-leveraging and continuation', () => {
    const relev = run([
      { at: T0, readings: readings({ ALL: { liq1h: 1e6, phase: 'releveraging', side: 'short', since: T0, oiRebuildFromTrough: 0.05, funding8h: -0.0003 } }) },
    ]);
    expect(relev.alerts[0]!.text.message).toBe('re-leveraging — OI +5% from the post-flush low, funding −0.03%.');
    const cont = run([{ at: T0, readings: readings({ ALL: { liq1h: 20e6, longShare: 0.7, phase: 'continuation', side: 'long', since: T0, funding8h: 0.0004 } }) }]);
    expect(cont.alerts[0]!.text.message).toBe('continuation — 70% of liquidations still longs, funding still +0.04%.');
  });
});

describe('one event, one notification', () => {
  it('lets a market-wide flush cover the same flush seen per asset', () => {
    const r = readings({ ALL: { liq1h: 99e6, funding8h: 0.0001 }, BTC: { liq1h: 50e6 }, ETH: { liq1h: 30e6 }, SOL: { liq1h: 19e6 } });
    const { alerts, state } = run([
      { at: T0, readings: r },
      { at: T0 + ASSET_GRACE_MS, readings: r },
    ]);
    expect(alerts.map((a) => a.alert.scope)).toEqual(['ALL']);
    expect(alerts[0]!.text.context).toBe('Most in BTC $50.0M, ETH $30.0M, SOL $19.0M.');
    expect(Object.keys(state.pending)).toEqual([]);
  });

  it('covers an asset that crosses first when the market follows within the grace period', () => {
    const { alerts } = run([
      { at: T0, readings: readings({ ALL: { liq1h: 40e6 }, BTC: { liq1h: 30e6 } }) },
      { at: T0 + 20_000, readings: readings({ ALL: { liq1h: 55e6 }, BTC: { liq1h: 40e6 } }) },
      { at: T0 + 2 * ASSET_GRACE_MS, readings: readings({ ALL: { liq1h: 55e6 }, BTC: { liq1h: 40e6 } }) },
    ]);
    expect(alerts.map((a) => a.alert.scope)).toEqual(['ALL']);
  });

  it('still notifies an asset-only flush once the grace period has passed', () => {
    const r = readings({ ALL: { liq1h: 30e6 }, SOL: { liq1h: 28e6, longShare: 0.1 } });
    const { alerts } = run([
      { at: T0, readings: r },
      { at: T0 + ASSET_GRACE_MS - 1, readings: r },
      { at: T0 + ASSET_GRACE_MS, readings: r },
      { at: T0 + 2 * ASSET_GRACE_MS, readings: r },
    ]);
    expect(alerts.map((a) => [a.at, a.alert.scope])).toEqual([[T0 + ASSET_GRACE_MS, 'SOL']]);
    expect(alerts[0]!.text.message).toBe('SOL: $28.0M liquidated in 1h — 90% shorts.');
  });

  it('counts a flush once however many venues report it (readings merge the venues)', () => {
    // Binance's share arrives first, Bybit's a few seconds later: the merged total grows.
    const { alerts } = run([
      { at: T0, readings: flush(55e6) },
      { at: T0 + 3_000, readings: flush(99e6) },
    ]);
    expect(alerts).toHaveLength(1);
  });

  it('survives a restart: the state read back from storage suppresses every repeat', () => {
    const steps = [
      { at: T0, readings: readings({ ALL: { liq1h: 60e6, phase: 'flushing', side: 'long', since: T0 - 10 * MIN } }) },
    ];
    const before = run(steps);
    expect(before.alerts).toHaveLength(1);
    const restored = JSON.parse(JSON.stringify(before.state)) as AlertState;
    const after = run([{ at: T0 + 5 * MIN, readings: readings({ ALL: { liq1h: 70e6, phase: 'flushing', side: 'long', since: T0 - 10 * MIN } }) }], restored);
    expect(after.alerts).toEqual([]);
  });

  it('keeps a pending asset event across a restart and sends it once', () => {
    const r = readings({ ALL: { liq1h: 1e6 }, ETH: { liq1h: 30e6 } });
    const first = run([{ at: T0, readings: r }]);
    const restored = JSON.parse(JSON.stringify(first.state)) as AlertState;
    const second = run([
      { at: T0 + ASSET_GRACE_MS, readings: r },
      { at: T0 + 2 * ASSET_GRACE_MS, readings: r },
    ], restored);
    expect(second.alerts.map((a) => a.alert.scope)).toEqual(['ETH']);
  });

  it('reads a stored state part by part (a malformed part starts empty) and does not fire again for what it holds', () => {
    const stored = { lastFired: { 'liq:ALL': T0 }, active: { 'over:ALL': true }, seen: [1, 2], pending: 'x' };
    const state = normalizeAlertState(JSON.parse(JSON.stringify(stored)));
    expect(state).toEqual({ lastFired: { 'liq:ALL': T0 }, active: { 'over:ALL': true }, seen: {}, pending: {} });
    expect(normalizeAlertState(undefined)).toEqual(EMPTY_ALERT_STATE);
    // Over the threshold already (no rising edge) and the story's cooldown running: nothing new to send.
    expect(run([{ at: T0 + MIN, readings: flush(80e6) }], state).alerts).toEqual([]);
    // Without that memory the same reading notifies.
    expect(run([{ at: T0 + MIN, readings: flush(80e6) }]).alerts).toHaveLength(1);
  });
});

describe('quiet hours', () => {
  const quiet = settingsWith((s) => (s.alerts.quietHours = { enabled: true, start: '22:00', end: '07:00' }));

  it('holds notifications inside the window and does not deliver them late', () => {
    const { alerts } = run([
      { at: T0, readings: flush(99e6), settings: quiet, minuteOfDay: 23 * 60 },
      { at: T0 + 8 * HOUR, readings: flush(99e6), settings: quiet, minuteOfDay: 7 * 60 + 1 },
    ]);
    expect(alerts).toEqual([]);
  });

  it('notifies outside the window, and quiet time does not start a cooldown', () => {
    const { alerts } = run([
      { at: T0, readings: flush(99e6), settings: quiet, minuteOfDay: 6 * 60 + 59 },
      { at: T0 + MIN, readings: flush(10e6), settings: quiet, minuteOfDay: 7 * 60 },
      { at: T0 + 2 * MIN, readings: flush(99e6), settings: quiet, minuteOfDay: 7 * 60 + 1 },
    ]);
    expect(alerts.map((a) => a.at)).toEqual([T0 + 2 * MIN + MARKET_CONFIRM_MS]);
  });

  it('wraps midnight, treats start = end as no window, and is off when disabled', () => {
    const window = { enabled: true, start: '22:00', end: '07:00' };
    expect([21 * 60 + 59, 22 * 60, 0, 6 * 60 + 59, 7 * 60].map((m) => inQuietHours(window, m))).toEqual([false, true, true, true, false]);
    const day = { enabled: true, start: '09:00', end: '17:30' };
    expect([8 * 60 + 59, 9 * 60, 17 * 60 + 29, 17 * 60 + 30].map((m) => inQuietHours(day, m))).toEqual([false, true, true, false]);
    expect(inQuietHours({ enabled: true, start: '08:00', end: '08:00' }, 8 * 60)).toBe(false);
    expect(inQuietHours({ ...window, enabled: false }, 23 * 60)).toBe(false);
  });
});

describe('wording in Simplified Chinese', () => {
  it('uses the zh_CN sentences and Chinese number formats', () => {
    const text = describeAlert(run([{ at: T0, readings: flush(99_100_000) }]).alerts[0]!.alert, ZH);
    expect(text.title).toBe('多头清洗 — 全市场');
    expect(text.message).toBe(`1小时内爆仓 ${ZH.fmt.usd(99_100_000)} — 90% 为多头。资金费率仍为 +0.01%：清洗可能尚未结束。`);
    expect(ZH.fmt.usd(99_100_000)).toContain('万');
  });
});
