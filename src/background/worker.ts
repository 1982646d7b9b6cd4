/**
 * The background worker's state machine: one FlushEngine fed by every enabled venue's
 * stream and polls, readings written to storage in batches, alerts sent once.
 */
import browser from 'webextension-polyfill';
import { evaluateAlerts, localMinuteOfDay, normalizeAlertState, EMPTY_ALERT_STATE, type AlertState } from '../core/alerts';
import { BUS_KEYS, type DegradedKind, type SourceStatus } from '../core/bus';
import { SkewEstimator } from '../core/clock';
import { closeGap, openGap } from '../core/gaps';
import { admitPolledBatch, Deduper, type DedupeState } from '../core/dedupe';
import { FlushEngine, type EngineState } from '../core/engine';
import type { Completeness, Liquidation, VenueId } from '../core/model';
import { modelThresholds, settingsChanges, type Settings } from '../core/settings';
import { venues } from '../venues';
import type { StreamOutput, VenueAdapter } from '../venues/types';
import { Coalescer } from './batch';
import { MeterPorts } from './ports';
import { browserHost, Notifier } from './notifier';
import { pollVenue } from './poller';
import { SettingsStore } from './settings';
import { writeWithPurge } from './storage-guard';
import { StreamConnection } from './stream';

const HOT_KEY = 'engine';
const DEDUPE_KEY = 'dedupe';
const HISTORY_KEY = 'engineHistory';
const ALERT_KEY = 'alertState';

export class BackgroundWorker {
  private engine!: FlushEngine;
  private deduper = new Deduper();
  /** The settings in force; replaced only by applySettings, so one boot or change sees one value. */
  private settings!: Settings;
  /** Settings changes apply one at a time. */
  private applying: Promise<void> = Promise.resolve();
  private alertState: AlertState = EMPTY_ALERT_STATE;
  private readonly sources = new Map<VenueId, SourceStatus>();
  private readonly streams = new Map<VenueId, StreamConnection>();
  /** Page meters connected over runtime ports, each watching one asset. */
  readonly ports = new MeterPorts(browser.runtime.id);
  /** Per-venue clock skew, learned from live liquidation timestamps. */
  private readonly skew = new Map<VenueId, SkewEstimator>();
  /** Readings and source status for the page and popup: at once, then at most 4 times a second. */
  private readonly publish = new Coalescer(250, () => this.writeReadings());
  /** Hot engine state in storage.session: survives a worker restart within the browser session. */
  private readonly saveHot = new Coalescer(2_000, () =>
    this.writeState(
      (items) => browser.storage.session.set(items),
      () => ({ [HOT_KEY]: this.engine.toJSON(), [DEDUPE_KEY]: this.deduper.toJSON(Date.now()) }),
    ),
  );

  constructor(
    private readonly settingsStore: SettingsStore = new SettingsStore(),
    private readonly notifier: Notifier = new Notifier(browserHost(), () => settingsStore.value),
  ) {}

  async boot(): Promise<void> {
    this.settings = await this.settingsStore.load();
    const now = Date.now();
    const [session, local] = await Promise.all([browser.storage.session.get([HOT_KEY, DEDUPE_KEY]), browser.storage.local.get([HISTORY_KEY, ALERT_KEY])]);
    const state = (session[HOT_KEY] ?? local[HISTORY_KEY]) as EngineState | undefined;
    this.engine = new FlushEngine(this.completenessByVenue(), now, state, modelThresholds(this.settings.model));
    this.deduper = new Deduper(session[DEDUPE_KEY] as DedupeState | undefined);
    this.alertState = normalizeAlertState(local[ALERT_KEY]);
    // Switched-off venues stay listed as off, so the popup says why they show nothing.
    for (const adapter of Object.values(venues)) this.sources.set(adapter.id, this.settings.venues[adapter.id] ? initialStatus(adapter) : offStatus(adapter));
    this.publish.request();
    // Poll first: some streams size liquidations in contracts whose value the poll teaches
    // the adapter (BitMEX linear multipliers, OKX ctVal), so a stream must not run ahead of it.
    await this.pollAll();
    if (!state) await this.backfill();
    for (const adapter of this.enabledAdapters()) this.startStream(adapter);
    this.settingsStore.onChange((next) => this.queueSettings(next));
    // Changed while booting: apply it now that streams exist.
    if (this.settingsStore.value !== this.settings) this.queueSettings(this.settingsStore.value);
  }

  private queueSettings(next: Settings): void {
    this.applying = this.applying.then(() => this.applySettings(next)).catch((error) => console.error('flush-meter: settings change failed', error));
  }

  /** Options changed: streams and polls follow the venues and watchlist, the engine its thresholds, alerts the rest. */
  private async applySettings(next: Settings): Promise<void> {
    const changes = settingsChanges(this.settings, next);
    this.settings = next;
    if (changes.model) this.engine.setThresholds(modelThresholds(next.model));
    for (const id of changes.venues) {
      if (next.venues[id]) continue;
      this.streams.get(id)?.stop();
      this.streams.delete(id);
      this.sources.set(id, offStatus(venues[id]));
    }
    const switchedOn = changes.venues.filter((id) => next.venues[id]).map((id) => venues[id]);
    for (const adapter of switchedOn) this.sources.set(adapter.id, initialStatus(adapter));
    if (changes.watchlist) {
      // Streams subscribe per asset: reopen every one for the new list.
      for (const stream of this.streams.values()) stream.stop();
      this.streams.clear();
    }
    const toStart = changes.watchlist ? this.enabledAdapters() : switchedOn;
    if (toStart.length) {
      await this.pollAll();
      for (const adapter of toStart) this.startStream(adapter);
    }
    // Thresholds, quiet hours and the rest take effect at the next evaluation: now.
    this.publish.request();
  }

  /** Fresh install (nothing stored): fetch what history endpoints allow so the meter is not empty. */
  private async backfill(): Promise<void> {
    await Promise.all(
      this.enabledAdapters().map(async (adapter) => {
        const requests = adapter.backfillRequests?.(this.settings.watchlist) ?? [];
        if (!requests.length) return;
        const result = await pollVenue(adapter, this.settings.watchlist, requests);
        for (const output of result.outputs) this.ingest(adapter.id, output, 'poll');
        if (result.error) this.degrade(adapter.id, `history backfill failed: ${result.error}`, result.errorKind ?? 'network');
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
      onError: (reason, kind) => this.degrade(adapter.id, reason, kind),
    });
    this.streams.set(adapter.id, connection);
    connection.start();
  }

  /** A socket going down opens a gap from its last frame; the first frame after reconnect closes it. */
  private onStreamState(venue: VenueId, stream: 'connecting' | 'connected' | 'reconnecting'): void {
    const source = this.sources.get(venue);
    if (!source) return;
    if (stream === 'reconnecting') this.updateSource(venue, { stream, gaps: openGap(source.gaps, source.lastMessageAt ?? Date.now()) });
    else this.updateSource(venue, stream === 'connected' ? { stream, degraded: null, degradedKind: null, degradedAt: null } : { stream });
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
        if (result.error) this.degrade(adapter.id, result.retryAfterMs !== null ? `${result.error}; paused ${Math.ceil(result.retryAfterMs / 1000)} s as asked` : result.error, result.errorKind ?? 'network');
        else this.updateSource(adapter.id, { lastPollAt: Date.now(), ...this.clearedIfStreamOk(adapter.id) });
      }),
    );
    this.publish.request();
  }

  /** A good poll clears a degraded mark unless the stream itself is down. */
  private clearedIfStreamOk(venue: VenueId): Partial<SourceStatus> {
    const stream = this.streams.get(venue);
    return !stream || stream.isOpen ? { degraded: null, degradedKind: null, degradedAt: null } : {};
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

  private degrade(venue: VenueId, reason: string, kind: DegradedKind): void {
    console.warn(`flush-meter: ${reason}`);
    this.updateSource(venue, { degraded: reason, degradedKind: kind, degradedAt: Date.now() });
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
    const sources = [...this.sources.values()];
    // Pages first (a port message is immediate), then storage for the popup and restarts.
    this.ports.push(readings, sources);
    await browser.storage.local.set({ [BUS_KEYS.readings]: readings, [BUS_KEYS.sources]: sources });
    const { alerts, state } = evaluateAlerts(readings, this.settings, this.alertState, { now, minuteOfDay: localMinuteOfDay(now) });
    if (JSON.stringify(state) !== JSON.stringify(this.alertState)) {
      this.alertState = state;
      // Persist before notifying: a restart between the two must not notify twice.
      await browser.storage.local.set({ [ALERT_KEY]: state });
    }
    // Off the publish path: showing a notification can take seconds (the OS), and the next
    // readings must not wait for it. The notifier queues and de-duplicates on its own.
    for (const alert of alerts) void this.notifier.show(alert, now).catch((error) => console.error('flush-meter: notification failed', error));
  }

  /** Before the browser may stop the worker: nothing in memory is lost. */
  async persist(): Promise<void> {
    await Promise.all([this.saveHot.flush(), this.publish.flush()]);
  }
}

function offStatus(adapter: VenueAdapter): SourceStatus {
  return { ...initialStatus(adapter), stream: 'off' };
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
