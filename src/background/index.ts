/**
 * Service worker entry. Listeners are registered synchronously at the top level so that an
 * alarm or click that wakes a stopped worker is delivered (MV3 rule).
 */
import browser from 'webextension-polyfill';
import { parseHistoryRequest } from '../core/bus';
import { SCENARIO_CLOCK_KEY } from './clock';
import { browserHost, Notifier } from './notifier';
import { saveListener, SettingsStore } from './settings';
import { BackgroundWorker } from './worker';

export const POLL_ALARM = 'poll';
const POLL_PERIOD_MINUTES = 0.5;

const settings = new SettingsStore();
// Registered now: an options change made while the worker sleeps wakes it with the event.
settings.follow();
const notifier = new Notifier(browserHost(), () => settings.value);
const worker = new BackgroundWorker(settings, notifier);
const ready = worker.boot().catch((error) => console.error('flush-meter: boot failed', error));

// The demo's scenario clock (clock.ts): the worker starts over on the new clock. storage.local's
// own event: storage.onChanged would also bring back every storage.session write (the hot copy).
browser.storage.local.onChanged.addListener((changes) => {
  if (SCENARIO_CLOCK_KEY in changes) void ready.then(() => worker.clockChanged(changes[SCENARIO_CLOCK_KEY]!.newValue));
});

async function ensureAlarms(): Promise<void> {
  if (!(await browser.alarms.get(POLL_ALARM))) {
    await browser.alarms.create(POLL_ALARM, { periodInMinutes: POLL_PERIOD_MINUTES });
  }
}

browser.runtime.onInstalled.addListener(() => void ensureAlarms());
browser.runtime.onStartup.addListener(() => void ensureAlarms());
void ensureAlarms();

browser.alarms.onAlarm.addListener(async (alarm) => {
  if (alarm.name !== POLL_ALARM) return;
  await ready;
  await worker.tick();
});

browser.notifications.onClicked.addListener(async (notificationId) => {
  await ready;
  await notifier.clicked(notificationId);
});

// Chrome only (Firefox shows no buttons): open the trading page, or the alert settings.
browser.notifications.onButtonClicked?.addListener(async (notificationId, buttonIndex) => {
  await ready;
  await notifier.buttonClicked(notificationId, buttonIndex);
});

/** Page meters connect here; the worker checks the sender before it sends anything back. */
browser.runtime.onConnect.addListener((port) => worker.ports.accept(port));

// The popup asks for fresh data when it opens; this also wakes a stopped worker. Not async: a
// listener that returns a promise answers every message, and this one answers only its own.
browser.runtime.onMessage.addListener((message: unknown, sender: browser.Runtime.MessageSender) => {
  if (sender.id !== browser.runtime.id || !isRefresh(message)) return undefined;
  return ready.then(() => worker.tick()).then(() => ({ ok: true }));
});

// A history chart, asked for by the popup or an expanded page meter while it shows (bus.ts HistoryRequest).
browser.runtime.onMessage.addListener((message: unknown, sender: browser.Runtime.MessageSender) => {
  if (sender.id !== browser.runtime.id) return undefined;
  const request = parseHistoryRequest(message);
  if (!request) return undefined;
  return ready.then(() => worker.historyAnswer(request));
});

// A save from the options page: validated and stored (settings.ts), applied through the worker's queue, answered.
browser.runtime.onMessage.addListener(saveListener(settings, (next) => worker.applySettingsQueued(next), ready));

function isRefresh(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'refresh';
}

browser.runtime.onSuspend?.addListener(() => void worker.persist());
