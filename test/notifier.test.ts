import { describe, expect, it, vi } from 'vitest';
import { notificationOptions, Notifier, type AlertLogEntry, type NotificationHost, type NotificationOptions } from '../src/background/notifier';
import { EMPTY_ALERT_STATE, evaluateAlerts, MARKET_CONFIRM_MS, type Alert } from '../src/core/alerts';
import { DEFAULT_SETTINGS, type Settings } from '../src/core/settings';
import { EN, NOON, readings, settingsWith } from './alert-fixtures';

vi.mock('webextension-polyfill', () => ({ default: {} }));

const T0 = Date.UTC(2026, 10, 20, 12);

/** A browser stand-in: the log persists in `storage` across Notifier instances (worker restarts). */
function fakeHost(firefox: boolean, storage: { log: AlertLogEntry[] } = { log: [] }) {
  const created: Array<{ id: string; options: NotificationOptions }> = [];
  const opened: string[] = [];
  const cleared: string[] = [];
  let optionsOpened = 0;
  const host: NotificationHost = {
    firefox,
    iconUrl: 'chrome-extension://id/assets/icon-128.png',
    wording: () => EN,
    create: async (id, options) => created.push({ id, options }),
    clear: async (id) => cleared.push(id),
    openTab: async (url) => opened.push(url),
    openOptions: async () => optionsOpened++,
    readLog: async () => structuredClone(storage.log),
    writeLog: async (log) => void (storage.log = structuredClone(log)),
  };
  return { host, created, opened, cleared, storage, optionsOpened: () => optionsOpened };
}

function marketAlert(): Alert {
  const r = readings({ ALL: { liq1h: 99.1e6, sampled: true, funding8h: 0.0001 }, BTC: { liq1h: 60e6 }, ETH: { liq1h: 39.1e6, sampled: true } });
  // Seen MARKET_CONFIRM_MS ago and still holding: due now.
  const seen = evaluateAlerts(r, DEFAULT_SETTINGS, EMPTY_ALERT_STATE, { now: T0 - MARKET_CONFIRM_MS, minuteOfDay: NOON });
  return evaluateAlerts(r, DEFAULT_SETTINGS, seen.state, { now: T0, minuteOfDay: NOON }).alerts[0]!;
}

const settings = (s: Settings = DEFAULT_SETTINGS) => () => s;

describe('notification options per browser', () => {
  const text = { title: 'Long flush — All markets', message: '≥ $99.1M liquidated in 1h — 90% longs.', context: 'Most in BTC $60.0M.' };

  it('gives Chrome two buttons, a sticky high-priority notification and the breakdown line', () => {
    expect(notificationOptions(text, { firefox: false, iconUrl: 'icon' }, ['Open BTC on Binance', 'Alert settings'])).toEqual({
      type: 'basic',
      iconUrl: 'icon',
      title: text.title,
      message: text.message,
      contextMessage: text.context,
      priority: 2,
      requireInteraction: true,
      buttons: [{ title: 'Open BTC on Binance' }, { title: 'Alert settings' }],
    });
  });

  it('leaves out every key Firefox rejects and keeps the breakdown in the message', () => {
    const options = notificationOptions(text, { firefox: true, iconUrl: 'icon' }, ['a', 'b']);
    expect(Object.keys(options).sort()).toEqual(['iconUrl', 'message', 'title', 'type']);
    expect(options.message).toBe(`${text.message}\n${text.context}`);
  });
});

describe('Notifier', () => {
  it('creates the notification with the expected text, id = event key, and logs it', async () => {
    const fake = fakeHost(false);
    const alert = marketAlert();
    expect(await new Notifier(fake.host, settings()).show(alert, T0)).toBe(true);
    expect(fake.created).toHaveLength(1);
    expect(fake.created[0]!.id).toBe(alert.id);
    expect(fake.created[0]!.options.message).toBe('≥ $99.1M liquidated in 1h — 90% longs. Funding still +0.01%: flush may not be done.');
    expect(fake.created[0]!.options.contextMessage).toBe('Most in BTC $60.0M, ETH ≥ $39.1M.');
    expect(fake.created[0]!.options.buttons).toEqual([{ title: 'Open BTC on Binance' }, { title: 'Alert settings' }]);
    expect(fake.storage.log.map((e) => [e.id, e.scope, e.kinds, e.asset])).toEqual([[alert.id, 'ALL', ['threshold'], 'BTC']]);
  });

  it('never shows one event twice, even from a restarted worker or two racing evaluations', async () => {
    const fake = fakeHost(false);
    const alert = marketAlert();
    const notifier = new Notifier(fake.host, settings());
    const results = await Promise.all([notifier.show(alert, T0), notifier.show(alert, T0)]);
    expect(results.sort()).toEqual([false, true]);
    const restarted = new Notifier(fakeHost(false, fake.storage).host, settings());
    expect(await restarted.show(alert, T0 + 1_000)).toBe(false);
    expect(fake.created).toHaveLength(1);
    expect(fake.storage.log).toHaveLength(1);
  });

  it('works in Firefox without buttons', async () => {
    const fake = fakeHost(true);
    await new Notifier(fake.host, settings()).show(marketAlert(), T0);
    expect(fake.created[0]!.options).not.toHaveProperty('buttons');
    expect(fake.created[0]!.options).not.toHaveProperty('requireInteraction');
  });

  it('opens the alert asset on the preferred exchange when clicked, and clears the notification', async () => {
    const fake = fakeHost(false);
    const preferred = settingsWith((s) => (s.preferredExchange = 'binance'));
    const notifier = new Notifier(fake.host, settings(preferred));
    const alert = marketAlert();
    await notifier.show(alert, T0);
    await notifier.clicked(alert.id);
    expect(fake.opened).toEqual(['https://www.binance.com/en/futures/BTCUSDT']);
    expect(fake.cleared).toEqual([alert.id]);
  });

  it('routes the Chrome buttons: trading page, then alert settings', async () => {
    const fake = fakeHost(false);
    const notifier = new Notifier(fake.host, settings());
    const alert = marketAlert();
    await notifier.show(alert, T0);
    await notifier.buttonClicked(alert.id, 0);
    await notifier.buttonClicked(alert.id, 1);
    expect(fake.opened).toEqual(['https://www.binance.com/en/futures/BTCUSDT']);
    expect(fake.optionsOpened()).toBe(1);
  });

  it('keeps only the newest 20 entries in the log', async () => {
    const fake = fakeHost(false);
    const notifier = new Notifier(fake.host, settings());
    const base = marketAlert();
    for (let i = 0; i < 25; i++) await notifier.show({ ...base, id: `${base.id}:${i}` }, T0 + i);
    expect(fake.storage.log).toHaveLength(20);
    expect(fake.storage.log[0]!.id).toBe(`${base.id}:5`);
  });
});
