/**
 * The background worker's state machine: one FlushEngine fed by every enabled venue's
 * stream and polls, readings written to storage in batches, alerts sent once.
 */
import browser from 'webextension-polyfill';
import { evaluateAlerts, EMPTY_ALERT_STATE, type Alert, type AlertState } from '../core/alerts';
import { BUS_KEYS, type SourceStatus } from '../core/bus';
import { SkewEstimator } from '../core/clock';
import { closeGap, openGap } from '../core/gaps';
import { admitPolledBatch, Deduper, type DedupeState } from '../core/dedupe';
import { FlushEngine, type EngineState } from '../core/engine';
import type { Completeness, Liquidation, VenueId } from '../core/model';
import { DEFAULT_SETTINGS, type Settings } from '../core/settings';
import { venues } from '../venues';
import type { StreamOutput, VenueAdapter } from '../venues/types';
import { Coalescer } from './batch';
import { pollVenue } from './poller';
import { writeWithPurge } from './storage-guard';
import { StreamConnection } from './stream';

const HOT_KEY = 'engine';
const DEDUPE_KEY = 'dedupe';
const HISTORY_KEY = 'engineHistory';
const ALERT_KEY = 'alertState';
const ALERT_LOG_KEY = 'alertLog';
const ALERT_LOG_LIMIT = 20;
const IS_FIREFOX = typeof navigator !== 'undefined' && navigator.userAgent.includes('Firefox');

export interface AlertLogEntry {
  id: string;
  key: string;
  title: string;
  message: string;
  asset: string | null;
  at: number;
}

export class BackgroundWorker {
  private engine!: FlushEngine;
  private deduper = new Deduper();
  private settings: Settings = DEFAULT_SETTINGS;
  private alertState: AlertState = EMPTY_ALERT_STATE;
  private readonly sources = new Map<VenueId, SourceStatus>();
  private readonly streams = new Map<VenueId, StreamConnection>();
  /** Per-venue clock skew, learned from live liquidation timestamps. */
  private readonly skew = new Map<VenueId, SkewEstimator>();
  /** Readings and source status for the page and popup: at most twice a second. */
  private readonly publish = new Coalescer(500, () => this.writeReadings());
  /** Hot engine state in storage.session: survives a worker restart within the browser session. */
  private readonly saveHot = new Coalescer(2_000, () =>
    this.writeState(
      (items) => browser.storage.session.set(items),
      () => ({ [HOT_KEY]: this.engine.toJSON(), [DEDUPE_KEY]: this.deduper.toJSON(Date.now()) }),
    ),
  );

  async boot(): Promise<void> {
    const now = Date.now();
    const [session, local] = await Promise.all([browser.storage.session.get([HOT_KEY, DEDUPE_KEY]), browser.storage.local.get([HISTORY_KEY, ALERT_KEY])]);
    const state = (session[HOT_KEY] ?? local[HISTORY_KEY]) as EngineState | undefined;
    this.engine = new FlushEngine(this.completenessByVenue(), now, state);
    this.deduper = new Deduper(session[DEDUPE_KEY] as DedupeState | undefined);
    this.alertState = (local[ALERT_KEY] as AlertState | undefined) ?? EMPTY_ALERT_STATE;
    for (const adapter of this.enabledAdapters()) this.sources.set(adapter.id, initialStatus(adapter));
    this.publish.request();
    // Poll first: some streams size liquidations in contracts whose value the poll teaches
    // the adapter (BitMEX linear multipliers, OKX ctVal), so a stream must not run ahead of it.
    await this.pollAll();
    if (!state) await this.backfill();
    for (const adapter of this.enabledAdapters()) this.startStream(adapter);
  }

  /** Fresh install (nothing stored): fetch what history endpoints allow so the meter is not empty. */
  private async backfill(): Promise<void> {
    await Promise.all(
      this.enabledAdapters().map(async (adapter) => {
        const requests = adapter.backfillRequests?.(this.settings.watchlist) ?? [];
        if (!requests.length) return;
        const result = await pollVenue(adapter, this.settings.watchlist, requests);
        for (const output of result.outputs) this.ingest(adapter.id, output, 'poll');
        if (result.error) this.degrade(adapter.id, `history backfill failed: ${result.error}`);
      }),
    );
  }

  /** The 30 s alarm: poll every venue, roll the windows, back up history. */
  async tick(): Promise<void> {
    await this.pollAll();
    this.engine.prune(Date.now());
    this.deduper.prune(Date.now());
    await this.writeState((items) => browser.storage.local.set(items), () => ({ [HISTORY_KEY]: this.engine.toJSON() }));
  }

  /** A full storage area costs the oldest history, never the current windows (storage-guard.ts). */
  private async writeState(write: (items: Record<string, unknown>) => Promise<void>, build: () => Record<string, unknown>): Promise<void> {
    const { purged } = await writeWithPurge(write, build, () => this.engine.purgeOldest(Date.now()));
    if (purged) console.warn(`flush-meter: storage full, purged the oldest history ${purged}×`);
  }

  private enabledAdapters(): VenueAdapter[] {
    return Object.values(venues).filter((adapter) => this.settings.venues[adapter.id]);
  }

  private completenessByVenue(): Partial<Record<VenueId, Completeness>> {
    return Object.fromEntries(Object.values(venues).map((a) => [a.id, a.completeness]));
  }

  private startStream(adapter: VenueAdapter): void {
    if (!adapter.openStream(this.settings.watchlist)) {
      this.updateSource(adapter.id, { stream: 'none' });
      return;
    }
    const connection = new StreamConnection(() => adapter.openStream(this.settings.watchlist)!, {
      onOutput: (output) => this.ingest(adapter.id, output, 'stream'),
      onState: (stream) => this.onStreamState(adapter.id, stream),
      onFrame: () => this.onStreamFrame(adapter.id),
      onError: (reason) => this.degrade(adapter.id, reason),
    });
    this.streams.set(adapter.id, connection);
    connection.start();
  }

  /** A socket going down opens a gap from its last frame; the first frame after reconnect closes it. */
  private onStreamState(venue: VenueId, stream: 'connecting' | 'connected' | 'reconnecting'): void {
    const source = this.sources.get(venue);
    if (!source) return;
    if (stream === 'reconnecting') this.updateSource(venue, { stream, gaps: openGap(source.gaps, source.lastMessageAt ?? Date.now()) });
    else this.updateSource(venue, stream === 'connected' ? { stream, degraded: null, degradedAt: null } : { stream });
  }

  private onStreamFrame(venue: VenueId): void {
    const source = this.sources.get(venue);
    if (!source) return;
    const now = Date.now();
    const gapOpen = source.gaps.at(-1)?.to === null;
    this.updateSource(venue, gapOpen ? { lastMessageAt: now, gaps: closeGap(source.gaps, now) } : { lastMessageAt: now }, gapOpen);
  }

  private async pollAll(): Promise<void> {
    await Promise.all(
      this.enabledAdapters().map(async (adapter) => {
        // Rate limited: ask nothing of this venue until the time it gave us.
        if ((this.sources.get(adapter.id)?.pausedUntil ?? 0) > Date.now()) return;
        const result = await pollVenue(adapter, this.settings.watchlist);
        for (const output of result.outputs) this.ingest(adapter.id, output, 'poll');
        if (result.retryAfterMs !== null) this.updateSource(adapter.id, { pausedUntil: Date.now() + result.retryAfterMs });
        if (result.error) this.degrade(adapter.id, result.retryAfterMs !== null ? `${result.error}; paused ${Math.ceil(result.retryAfterMs / 1000)} s as asked` : result.error);
        else this.updateSource(adapter.id, { lastPollAt: Date.now(), ...this.clearedIfStreamOk(adapter.id) });
      }),
    );
    this.publish.request();
  }

  /** A good poll clears a degraded mark unless the stream itself is down. */
  private clearedIfStreamOk(venue: VenueId): Partial<SourceStatus> {
    const stream = this.streams.get(venue);
    return !stream || stream.isOpen ? { degraded: null, degradedAt: null } : {};
  }

  private ingest(venue: VenueId, output: StreamOutput, origin: 'stream' | 'poll'): void {
    const now = Date.now();
    let changed = output.markets.length > 0;
    const fresh =
      origin === 'poll' ? admitPolledBatch(this.deduper, output.liquidations, now) : output.liquidations.filter((l) => this.deduper.admitStreamed(l, now)).map((l) => this.onLocalClock(venue, l, now));
    for (const liquidation of fresh) changed = this.engine.ingestLiquidation(liquidation, now) || changed;
    for (const market of output.markets) this.engine.ingestMarket(market);
    if (output.history?.length) {
      this.engine.backfillHistory(output.history, now);
      changed = true;
    }
    if (!changed) return;
    this.updateSource(venue, {}, false);
    this.publish.request();
    this.saveHot.request();
  }

  /** Live events carry the venue's clock; map them onto ours when the two clearly disagree. */
  private onLocalClock(venue: VenueId, liquidation: Liquidation, receivedAt: number): Liquidation {
    let estimator = this.skew.get(venue);
    if (!estimator) this.skew.set(venue, (estimator = new SkewEstimator()));
    estimator.observe(liquidation.time, receivedAt);
    const time = estimator.toLocal(liquidation.time);
    return time === liquidation.time ? liquidation : { ...liquidation, time };
  }

  private degrade(venue: VenueId, reason: string): void {
    console.warn(`flush-meter: ${reason}`);
    this.updateSource(venue, { degraded: reason, degradedAt: Date.now() });
  }

  private updateSource(venue: VenueId, patch: Partial<SourceStatus>, publish = true): void {
    const current = this.sources.get(venue);
    if (!current) return;
    this.sources.set(venue, { ...current, ...patch });
    if (publish) this.publish.request();
  }

  private async writeReadings(): Promise<void> {
    const now = Date.now();
    const readings = this.engine.readings(now, this.settings.watchlist);
    await browser.storage.local.set({ [BUS_KEYS.readings]: readings, [BUS_KEYS.sources]: [...this.sources.values()] });
    const { alerts, state } = evaluateAlerts(readings, this.settings, this.alertState, now);
    if (alerts.length || JSON.stringify(state.active) !== JSON.stringify(this.alertState.active)) {
      this.alertState = state;
      // Persist before notifying: a restart between the two must not notify twice.
      await browser.storage.local.set({ [ALERT_KEY]: state });
      for (const alert of alerts) await this.notify(alert, now);
    }
  }

  private async notify(alert: Alert, now: number): Promise<void> {
    const id = `${alert.key}:${now}`;
    await browser.notifications.create(id, {
      type: 'basic',
      iconUrl: browser.runtime.getURL('assets/icon-128.png'),
      title: alert.title,
      message: alert.message,
      // A flush alert stays until the trader dismisses it (Chrome); Firefox has no such option.
      ...(IS_FIREFOX ? {} : { requireInteraction: true }),
    });
    const { [ALERT_LOG_KEY]: log = [] } = (await browser.storage.local.get(ALERT_LOG_KEY)) as { [ALERT_LOG_KEY]?: AlertLogEntry[] };
    const entry: AlertLogEntry = { id, key: alert.key, title: alert.title, message: alert.message, asset: alert.asset, at: now };
    await browser.storage.local.set({ [ALERT_LOG_KEY]: [...log, entry].slice(-ALERT_LOG_LIMIT) });
  }

  /** Before the browser may stop the worker: nothing in memory is lost. */
  async persist(): Promise<void> {
    await Promise.all([this.saveHot.flush(), this.publish.flush()]);
  }

  async alertFor(notificationId: string): Promise<AlertLogEntry | undefined> {
    const { [ALERT_LOG_KEY]: log = [] } = (await browser.storage.local.get(ALERT_LOG_KEY)) as { [ALERT_LOG_KEY]?: AlertLogEntry[] };
    return log.find((entry) => entry.id === notificationId);
  }
}

function initialStatus(adapter: VenueAdapter): SourceStatus {
  return {
    venue: adapter.id,
    label: adapter.label,
    completeness: adapter.completeness,
    completenessNote: adapter.completenessNote ?? null,
    stream: 'connecting',
    lastMessageAt: null,
    lastPollAt: null,
    degraded: null,
    degradedAt: null,
    gaps: [],
    pausedUntil: null,
  };
}
