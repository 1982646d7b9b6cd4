/**
 * Desktop notifications: words them in the UI language, shows each event at most once (the
 * event key is the notification id and is logged before the notification is created), and
 * opens the relevant trading page on click. Chrome gets buttons and a sticky notification;
 * Firefox rejects those keys, so they are left out there.
 */
import browser from 'webextension-polyfill';
import { describeAlert, type Alert, type AlertKind, type AlertText } from '../core/alerts';
import { makeFormats, type Translate, type Wording } from '../core/i18n';
import { exchangeName } from '../core/exchanges';
import type { Settings } from '../core/settings';
import { tradingUrl } from '../sites';

export const ALERT_LOG_KEY = 'alertLog';
const ALERT_LOG_LIMIT = 20;
export const IS_FIREFOX = typeof navigator !== 'undefined' && navigator.userAgent.includes('Firefox');

export interface AlertLogEntry {
  /** Notification id = the primary event's key. */
  id: string;
  scope: string;
  kinds: AlertKind[];
  title: string;
  message: string;
  context: string | null;
  asset: string;
  at: number;
}

export interface NotificationOptions {
  type: 'basic';
  iconUrl: string;
  title: string;
  message: string;
  contextMessage?: string;
  priority?: number;
  requireInteraction?: boolean;
  buttons?: Array<{ title: string }>;
}

/** Everything the notifier needs from the browser, so tests can stand in for it. */
export interface NotificationHost {
  firefox: boolean;
  iconUrl: string;
  wording(): Wording;
  create(id: string, options: NotificationOptions): Promise<unknown>;
  clear(id: string): Promise<unknown>;
  openTab(url: string): Promise<unknown>;
  openOptions(): Promise<unknown>;
  readLog(): Promise<AlertLogEntry[]>;
  writeLog(log: AlertLogEntry[]): Promise<void>;
}

/**
 * Chrome: a high-priority notification that stays until dismissed, with two buttons (open the
 * trading page, open the alert settings) and the breakdown as a second line. Firefox supports
 * none of those keys and rejects them, so the breakdown joins the message instead.
 */
export function notificationOptions(text: AlertText, host: Pick<NotificationHost, 'firefox' | 'iconUrl'>, buttons: [string, string]): NotificationOptions {
  const base = { type: 'basic' as const, iconUrl: host.iconUrl, title: text.title };
  if (host.firefox) return { ...base, message: text.context ? `${text.message}\n${text.context}` : text.message };
  return {
    ...base,
    message: text.message,
    ...(text.context ? { contextMessage: text.context } : {}),
    priority: 2,
    requireInteraction: true,
    buttons: buttons.map((title) => ({ title })),
  };
}

export class Notifier {
  /** Serialises shows so two quick evaluations cannot both pass the log check. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: NotificationHost,
    private readonly settings: () => Settings,
  ) {}

  /** Shows the alert unless its id was already shown; resolves true when it was shown now. */
  show(alert: Alert, now: number): Promise<boolean> {
    const run = this.queue.then(() => this.showNow(alert, now));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async showNow(alert: Alert, now: number): Promise<boolean> {
    const log = await this.host.readLog();
    if (log.some((entry) => entry.id === alert.id)) return false;
    const wording = this.host.wording();
    const text = describeAlert(alert, wording);
    const entry: AlertLogEntry = { id: alert.id, scope: alert.scope, kinds: alert.events.map((e) => e.kind), ...text, asset: alert.asset, at: now };
    // Logged first: a worker stopped between the two writes loses one notification rather than showing it twice.
    await this.host.writeLog([...log, entry].slice(-ALERT_LOG_LIMIT));
    const exchange = exchangeName(this.settings().preferredExchange);
    await this.host.create(alert.id, notificationOptions(text, this.host, [wording.t('btnOpenTrading', [alert.asset, exchange]), wording.t('btnSettings')]));
    return true;
  }

  /** The trading page of the alert's asset on the trader's preferred exchange. */
  async urlFor(notificationId: string): Promise<string> {
    const entry = (await this.host.readLog()).find((e) => e.id === notificationId);
    return tradingUrl(entry?.asset ?? this.settings().watchlist[0] ?? 'BTC', this.settings().preferredExchange);
  }

  async clicked(notificationId: string): Promise<void> {
    await this.host.openTab(await this.urlFor(notificationId));
    await this.host.clear(notificationId);
  }

  /** Chrome only: button 0 opens the trading page, button 1 the alert settings. */
  async buttonClicked(notificationId: string, index: number): Promise<void> {
    if (index === 0) await this.host.openTab(await this.urlFor(notificationId));
    else await this.host.openOptions();
    await this.host.clear(notificationId);
  }
}

/** The real browser behind a Notifier. */
export function browserHost(): NotificationHost {
  const t: Translate = (key, substitutions) => browser.i18n.getMessage(key, substitutions ? [...substitutions] : undefined);
  return {
    firefox: IS_FIREFOX,
    iconUrl: browser.runtime.getURL('assets/icon-128.png'),
    wording: () => ({ t, fmt: makeFormats(browser.i18n.getUILanguage()) }),
    create: (id, options) => browser.notifications.create(id, options as browser.Notifications.CreateNotificationOptions),
    clear: (id) => browser.notifications.clear(id),
    openTab: (url) => browser.tabs.create({ url }),
    openOptions: () => browser.runtime.openOptionsPage(),
    readLog: async () => ((await browser.storage.local.get(ALERT_LOG_KEY))[ALERT_LOG_KEY] as AlertLogEntry[] | undefined) ?? [],
    writeLog: (log) => browser.storage.local.set({ [ALERT_LOG_KEY]: log }),
  };
}
