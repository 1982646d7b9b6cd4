/**
 * AlertService: conditions → notifications. After each publish it evaluates the alert rules on the
 * readings (src/core/alerts.ts), persists what fired before notifying (a worker restart between
 * the two must not notify twice), and hands the alerts to the notifier off the publish path.
 * Events wait before they notify (alerts.ts MARKET_CONFIRM_MS, ASSET_GRACE_MS): when one is due
 * and no publish came since, it evaluates the last readings again then.
 */
import { evaluateAlerts, EMPTY_ALERT_STATE, localMinuteOfDay, nextDue, normalizeAlertState, type AlertState } from '../core/alerts';
import type { ReadingSet } from '../core/engine';
import type { Settings } from '../core/settings';
import type { Notifier } from './notifier';

/** storage.local key of the alert state (what fired, when, what is pending). */
export const ALERT_STATE_KEY = 'alertState';

/** Where the service keeps its state: storage.local in the extension, a map in tests. */
export interface AlertStore {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

export class AlertService {
  private state: AlertState = EMPTY_ALERT_STATE;
  /** The state as last stored, to write only a change. */
  private storedText = JSON.stringify(EMPTY_ALERT_STATE);
  /** The evaluation again when a waiting event is due; replaced by each evaluation. */
  private recheck: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: AlertStore,
    private readonly notifier: Pick<Notifier, 'show'>,
  ) {}

  /** Reads the stored state (malformed parts dropped: alerts.ts normalizeAlertState). */
  async load(): Promise<void> {
    const stored = await this.store.get(ALERT_STATE_KEY);
    this.state = normalizeAlertState(stored[ALERT_STATE_KEY]);
    this.storedText = JSON.stringify(this.state);
  }

  /** Forgets what fired (a fresh start on another clock: the demo); the caller removes the stored key. */
  forget(): void {
    clearTimeout(this.recheck);
    this.state = EMPTY_ALERT_STATE;
    this.storedText = JSON.stringify(EMPTY_ALERT_STATE);
  }

  /** Evaluates the rules on `readings` at `now`; resolves once the new state is stored (notifications follow on their own). */
  async evaluate(readings: ReadingSet, settings: Settings, now: number): Promise<void> {
    const { alerts, state } = evaluateAlerts(readings, settings, this.state, { now, minuteOfDay: localMinuteOfDay(now) });
    this.state = state;
    const text = JSON.stringify(state);
    if (text !== this.storedText) {
      // Persist before notifying: a restart between the two must not notify twice.
      await this.store.set({ [ALERT_STATE_KEY]: state });
      this.storedText = text;
    }
    // Off the publish path: showing a notification can take seconds (the OS), and the next
    // readings must not wait for it. The notifier queues and de-duplicates on its own.
    for (const alert of alerts) void this.notifier.show(alert, now).catch((error) => console.error('flush-meter: notification failed', error));
    this.scheduleRecheck(readings, settings, now);
  }

  /** When an event is due later, evaluates these readings then (a publish before that replaces them). */
  private scheduleRecheck(readings: ReadingSet, settings: Settings, now: number): void {
    clearTimeout(this.recheck);
    const due = nextDue(this.state);
    if (due === null) return;
    this.recheck = setTimeout(() => void this.evaluate(readings, settings, due).catch((error) => console.error('flush-meter: alert check failed', error)), Math.max(0, due - now));
  }
}
