/**
 * Service worker entry. Listeners are registered synchronously at the top level so that an
 * alarm or click that wakes a stopped worker is delivered (MV3 rule).
 */
import browser from 'webextension-polyfill';
import { tradingUrl } from '../sites';
import { BackgroundWorker } from './worker';

export const POLL_ALARM = 'poll';
const POLL_PERIOD_MINUTES = 0.5;

const worker = new BackgroundWorker();
const ready = worker.boot().catch((error) => console.error('flush-meter: boot failed', error));

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
  const alert = await worker.alertFor(notificationId);
  await browser.tabs.create({ url: tradingUrl(alert?.asset ?? 'BTC') });
  await browser.notifications.clear(notificationId);
});

/** The popup asks for fresh data when it opens; this also wakes a stopped worker. */
browser.runtime.onMessage.addListener(async (message: unknown, sender: browser.Runtime.MessageSender) => {
  if (sender.id !== browser.runtime.id || !isRefresh(message)) return undefined;
  await ready;
  await worker.tick();
  return { ok: true };
});

function isRefresh(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'refresh';
}

browser.runtime.onSuspend?.addListener(() => void worker.persist());
