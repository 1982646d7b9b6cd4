/**
 * The background worker's state machine: one FlushEngine fed by every enabled venue's
 * stream and polls, readings written to storage in batches, alerts sent once.
 */
import browser from 'webextension-polyfill';
import { BUS_KEYS, MARKET_SCOPE, type HistoryAnswer, type HistoryRequest, type SourceStatus } from '../core/bus';
import { SkewEstimator } from '../core/clock';
import { CLOCK_APPLIED_KEY, clockOf, parseScenarioClock, samplingPeriodMs, sameClock, SCENARIO_CLOCK_KEY, wallClock, type Clock, type ScenarioClock } from './clock';
import { fillGap } from '../core/gaps';
import { admitPolledBatch, Deduper, type DedupeState } from '../core/dedupe';
import { FlushEngine, type EngineState } from '../core/engine';
import { Tape } from '../core/tape';
import { UntrackedMarkets } from '../core/breadth';
import type { Completeness, Liquidation, VenueId } from '../core/model';
import { levelAssumptions, modelThresholds, settingsChanges, type Settings } from '../core/settings';
import { venues } from '../venues';
import type { StreamOutput, VenueAdapter } from '../venues/types';
import { ALERT_STATE_KEY, AlertService } from './alert-service';
import { Coalescer } from './batch';
import { InstrumentCatalogue } from './catalogue';
import { MeterPorts } from './ports';
import { browserHost, Notifier } from './notifier';
import { pollVenue, PollRotation } from './poller';
import { Readings } from './readings';
import { SettingsStore } from './settings';
import { SourceBoard } from './source-board';
import { writeWithPurge } from './storage-guard';
import { ensureStorageVersion } from './storage-version';
import { StreamConnection } from './stream';
import { MarginTiers } from './tiers';
import { TrackedAssets } from './tracked';

/** One venue's open streams, and what they subscribed to (to tell when the set must change). */
interface VenueStreams {
  signature: string;
  connections: StreamConnection[];
}

type Origin = 'stream' | 'poll' | 'gap';

/** How long replaced streams overlap their replacements (a connect and subscribe take a second or two). */
const STREAM_OVERLAP_MS = 10_000;

/**
 * Engine and dedupe state are stored as JSON text: storage converts a value to its own form
 * element by element, and the state is thousands of small arrays (a hot-copy write took 14 ms of
 * the worker's CPU as objects); one string converts at once.
 */
export const HOT_KEY = 'engine';
export const DEDUPE_KEY = 'dedupe';
export const HISTORY_KEY = 'engineHistory';

export class BackgroundWorker {
  private engine!: FlushEngine;
  /** What the engine, dedupe, gaps and readings measure time on (clock.ts): the wall clock but in the demo. */
  private clock: Clock = wallClock;
  /** On a fast scenario clock: polls once per scenario minute (the 30 s alarm would be half an hour of it). */
  private sampling: ReturnType<typeof setInterval> | null = null;
  private samplingBusy = false;
  /** Streams being replaced, still open for STREAM_OVERLAP_MS. */
  private readonly retiring = new Set<StreamConnection>();
  private deduper = new Deduper();
  /** The settings in force; replaced only by applySettings, so one boot or change sees one value. */
  private settings!: Settings;
  /** Settings changes, ticks and newly tracked assets apply one at a time, after boot. */
  private applying: Promise<void>;
  private markBooted!: () => void;
  private readonly streams = new Map<VenueId, VenueStreams>();
  /** Every venue's instrument list, passed to its parsers. */
  private readonly catalogue = new InstrumentCatalogue(browser.storage.local);
  /** Each venue's maintenance-margin tiers, kept across restarts, handed to the engine's level model (tiers.ts). */
  private readonly tiers = new MarginTiers({ storage: browser.storage.local });
  /** The watchlist plus the assets open pages show. */
  private tracked!: TrackedAssets;
  private trackedSet = new Set<string>();
  /** Breadth's funding and OI change for assets outside the tracked set, from the all-symbol polls (src/core/breadth.ts). */
  private readonly untracked = new UntrackedMarkets();
  /** Which tracked assets each venue's per-symbol poll requests ask for this time (round-robin within MAX_POLL_REQUESTS). */
  private readonly rotation = new PollRotation();
  /** Page meters connected over runtime ports, each watching one asset and saying where it sits. */
  readonly ports = new MeterPorts(
    browser.runtime.id,
    () => this.onPageAssets(),
    () => this.publishPages.request(),
  );
  /** The open pages' placements for the popup: at once, then at most 4 times a second. */
  private readonly publishPages = new Coalescer(250, () => browser.storage.local.set({ [BUS_KEYS.pages]: this.ports.pages() }));
  /** Per-venue clock skew, learned from live liquidation timestamps. */
  private readonly skew = new Map<VenueId, SkewEstimator>();
  /** Readings and source status for the page and popup: at once, then at most 4 times a second. */
  private readonly publish = new Coalescer(250, () => this.publishNow());
  /** Each venue's health (source-board.ts). */
  private readonly board = new SourceBoard(() => this.publish.request());
  /** Windows → per-scope readings, pushed to pages at each publish and written to storage by `store` (readings.ts). */
  private readonly readings = new Readings(browser.storage.local, this.ports);
  /** The live tape: the largest live liquidations, newest first (src/core/tape.ts), published with the readings. */
  private tape = new Tape();
  /** The readings, sources and tape that changed, into storage.local: at once, then at most once a second. */
  private readonly store = new Coalescer(1_000, () => this.readings.flush(this.storeExtras()));
  /** Conditions → notifications (alert-service.ts). */
  private readonly alerts: AlertService;
  /** Hot engine state in storage.session: survives a worker restart within the browser session. */
  private readonly saveHot = new Coalescer(2_000, () =>
    this.writeState(
      (items) => browser.storage.session.set(items),
      () => ({ [HOT_KEY]: JSON.stringify(this.engine.toJSON()), [DEDUPE_KEY]: JSON.stringify(this.deduper.toJSON(this.clock.now())) }),
    ),
  );

  constructor(
    private readonly settingsStore: SettingsStore = new SettingsStore(),
    private readonly notifier: Notifier = new Notifier(browserHost(), () => settingsStore.value),
  ) {
    this.applying = new Promise<void>((resolve) => (this.markBooted = resolve));
    this.alerts = new AlertService(browser.storage.local, notifier);
  }

  /** Runs `job` after boot and after every job queued before it; a failure is logged, never thrown into the queue. */
  private serial(what: string, job: () => Promise<void>): Promise<void> {
    const run = this.applying.then(job).catch((error) => console.error(`flush-meter: ${what} failed`, error));
    this.applying = run;
    return run;
  }

  async boot(): Promise<void> {
    await ensureStorageVersion(); // before anything reads or writes storage
    // What an earlier life of the worker left is stale: its ports are gone (pages reconnect and say again).
    this.publishPages.request();
    try {
      await this.adoptStoredClock();
      await this.start();
    } finally {
      // Whatever failed at boot, later ticks, settings and pages must still run.
      this.markBooted();
    }
    this.settingsStore.onChange((next) => this.queueSettings(next));
    // Changed while booting, or pages opened meanwhile: apply them now that streams exist.
    if (this.settingsStore.value !== this.settings) this.queueSettings(this.settingsStore.value);
    this.onPageAssets();
  }

  private async start(): Promise<void> {
    this.settings = await this.settingsStore.load();
    const now = Date.now();
    const [session, local] = await Promise.all([browser.storage.session.get([HOT_KEY, DEDUPE_KEY]), browser.storage.local.get([HISTORY_KEY, BUS_KEYS.tape]), this.alerts.load()]);
    // The tape an earlier life of the worker published carries on (newer prints go on top of it).
    this.tape = new Tape(undefined, undefined, local[BUS_KEYS.tape]);
    const state = (storedJson(session[HOT_KEY]) ?? storedJson(local[HISTORY_KEY])) as EngineState | undefined;
    const engineNow = this.clock.now();
    this.engine = new FlushEngine(this.completenessByVenue(), engineNow, state, modelThresholds(this.settings.model), undefined, levelAssumptions(this.settings.levels));
    this.deduper = new Deduper(storedJson(session[DEDUPE_KEY]) as DedupeState | undefined);
    this.tracked = new TrackedAssets(this.settings.watchlist);
    this.trackedSet = new Set(this.tracked.list(now));
    // Switched-off venues stay listed as off, so the popup says why they show nothing.
    this.board.reset(Object.values(venues), (venue) => this.settings.venues[venue]);
    // Instrument lists first: liquidations are sized in contracts that only the list values.
    await Promise.all([this.catalogue.load(), this.tiers.load()]);
    await this.refreshCatalogues(this.enabledAdapters(), now);
    await this.refreshTiers(this.enabledAdapters(), now);
    await this.pollAll();
    // A fresh install, or back from longer than ABSENCE_MS away (the windows restart at the return):
    // what history endpoints allow; after an absence, only liquidations of the time away are new.
    if (this.engine.liquidationsCompleteFrom >= engineNow) await this.backfill(this.trackedList(), typeof state?.lastAt === 'number' ? state.lastAt : -Infinity);
    this.syncStreams(this.enabledAdapters());
  }

  /**
   * The clock storage.local asks for (clock.ts). State built on another clock is dropped first:
   * the key may have changed while the worker was stopped. Without the key this reads two absent keys.
   */
  private async adoptStoredClock(): Promise<void> {
    const stored = await browser.storage.local.get([SCENARIO_CLOCK_KEY, CLOCK_APPLIED_KEY]);
    const wanted = parseScenarioClock(stored[SCENARIO_CLOCK_KEY]);
    if (!sameClock(wanted, parseScenarioClock(stored[CLOCK_APPLIED_KEY]))) await this.forgetState(wanted);
    this.setClock(wanted);
  }

  /** storage.local `scenarioClock` changed (the demo): start over as a fresh install on the new clock. */
  clockChanged(value: unknown): Promise<void> {
    return this.serial('clock change', async () => {
      const wanted = parseScenarioClock(value);
      if (sameClock(wanted, this.clock.scenario)) return;
      for (const venue of [...this.streams.keys()]) this.stopStreams(venue);
      for (const connection of this.retiring) connection.stop();
      this.retiring.clear();
      this.skew.clear();
      // A hot-state write still due must land before the state is dropped, not after.
      await this.saveHot.flush();
      await this.forgetState(wanted);
      this.setClock(wanted);
      await this.start();
      this.onPageAssets();
    });
  }

  /** Drops what was measured on the old clock (engine, dedupe, alert state), as on a fresh install. */
  private async forgetState(next: ScenarioClock | null): Promise<void> {
    await browser.storage.session.remove([HOT_KEY, DEDUPE_KEY]);
    await browser.storage.local.remove([HISTORY_KEY, ALERT_STATE_KEY, BUS_KEYS.tape]);
    this.alerts.forget();
    if (next) await browser.storage.local.set({ [CLOCK_APPLIED_KEY]: next });
    else await browser.storage.local.remove(CLOCK_APPLIED_KEY);
  }

  private setClock(setting: ScenarioClock | null): void {
    this.clock = clockOf(setting);
    if (this.sampling) clearInterval(this.sampling);
    const period = samplingPeriodMs(setting);
    this.sampling = period === null ? null : setInterval(() => this.sample(), period);
  }

  /** A poll between alarms on a fast scenario clock; skipped while the previous one runs. */
  private sample(): void {
    if (this.samplingBusy) return;
    this.samplingBusy = true;
    void this.serial('scenario poll', () => this.pollAll()).finally(() => (this.samplingBusy = false));
  }

  private queueSettings(next: Settings): void {
    void this.serial('settings change', () => this.applySettings(next));
  }

  /** A saved settings change, through the same queue: resolves once it is in force, rejects with why it is not. */
  applySettingsQueued(next: Settings): Promise<void> {
    const applied = this.applying.then(() => this.applySettings(next));
    this.applying = applied.catch((error) => console.error('flush-meter: settings change failed', error));
    return applied;
  }

  /** Options changed: streams and polls follow the venues and watchlist, the engine its thresholds, alerts the rest. */
  private async applySettings(next: Settings): Promise<void> {
    const changes = settingsChanges(this.settings, next);
    this.settings = next;
    if (changes.model) this.engine.setThresholds(modelThresholds(next.model));
    if (changes.levels) this.engine.setLevelAssumptions(levelAssumptions(next.levels));
    for (const id of changes.venues) {
      if (next.venues[id]) continue;
      this.stopStreams(id);
      this.board.switchOff(venues[id]);
    }
    const switchedOn = changes.venues.filter((id) => next.venues[id]).map((id) => venues[id]);
    for (const adapter of switchedOn) this.board.switchOn(adapter);
    if (changes.watchlist) this.tracked.setWatchlist(next.watchlist);
    const added = changes.watchlist ? this.updateTracked() : [];
    if (switchedOn.length) await this.refreshCatalogues(switchedOn, Date.now());
    if (switchedOn.length || added.length) await this.refreshTiers(this.enabledAdapters(), Date.now());
    if (switchedOn.length || added.length) {
      await this.pollAll();
      if (added.length) await this.backfill(added, -Infinity, this.engine.liquidationsCompleteFrom);
    }
    this.syncStreams(this.enabledAdapters());
    // Thresholds, quiet hours and the rest take effect at the next evaluation: now.
    this.publish.request();
  }

  /**
   * What history endpoints allow (price bars, open interest, funding; liquidations where a venue
   * keeps them), so the meter has evidence from the start: on a fresh install and after an absence
   * for the tracked assets, later for each newly tracked one. Liquidations are taken from `takeFrom`
   * (an absence: what the worker missed) until `takeBefore` (a newly tracked asset: the streams
   * counted everything since the windows became complete, every listed instrument included).
   * With them, the level model's days 2–7 for the assets whose books do not reach back that far yet (a restart
   * keeps the books: it asks nothing again), fed after the answers' market history (engine.backfillLevels).
   */
  private async backfill(assets: readonly string[], takeFrom: number, takeBefore = Infinity): Promise<void> {
    await Promise.all(
      this.enabledAdapters().map(async (adapter) => {
        const instruments = this.catalogue.of(adapter.id);
        const shallow = assets.filter((asset) => this.engine.wantsLevelHistory(adapter.id, asset, this.clock.now()));
        const requests = [...(adapter.backfillRequests?.(assets, instruments) ?? []), ...(adapter.levelHistoryRequests?.(shallow, instruments) ?? [])];
        if (!requests.length || this.isPaused(adapter.id)) return;
        const result = await pollVenue(adapter, requests, instruments);
        for (const output of result.outputs) this.ingest(adapter.id, { ...output, liquidations: output.liquidations.filter((l) => l.time >= takeFrom && l.time < takeBefore) }, 'poll');
        if (this.engine.backfillLevels(result.outputs.flatMap((output) => output.pastBars ?? []), this.clock.now()) > 0) {
          this.publish.request();
          this.saveHot.request();
        }
        if (result.error) this.board.failed(adapter.id, `history backfill failed: ${result.error}`, result);
      }),
    );
  }

  /** Fetch the instrument lists that are missing, incomplete or a day old; streams follow a changed list. */
  private async refreshCatalogues(adapters: readonly VenueAdapter[], now: number, force = false): Promise<void> {
    await Promise.all(
      adapters
        .filter((adapter) => (force || this.catalogue.isDue(adapter, now)) && !this.isPaused(adapter.id))
        .map(async (adapter) => {
          const result = await this.catalogue.refresh(adapter, now);
          if (result.error) this.board.failed(adapter.id, `instrument list: ${result.error}`, result);
          this.board.update(adapter.id, { coverage: this.coverageOf(adapter) });
        }),
    );
  }

  /**
   * The tracked perpetuals' margin tiers into the level model: fetched when a list was (re)loaded (at most
   * daily) or an asset is newly tracked (tiers.ts). A failure is logged there and costs nothing else.
   */
  private async refreshTiers(adapters: readonly VenueAdapter[], now: number): Promise<void> {
    const tracked = this.trackedList();
    await Promise.all(
      adapters
        .filter((adapter) => !this.isPaused(adapter.id))
        .map(async (adapter) => {
          const outcome = await this.tiers.refresh(adapter, this.catalogue.of(adapter.id), this.catalogue.version(adapter.id), tracked, this.engine.levels, now);
          // Only a rate limit concerns the rest: the limit is the IP's, so the venue rests as it asks.
          if (outcome.retryAfterMs !== null) this.board.failed(adapter.id, `margin tiers: ${outcome.error}`, outcome);
        }),
    );
  }

  private coverageOf(adapter: VenueAdapter): SourceStatus['coverage'] {
    const instruments = this.catalogue.of(adapter.id);
    return instruments.length ? adapter.coverage(this.trackedList(), instruments) : null;
  }

  private trackedList(): string[] {
    return [...this.trackedSet];
  }

  /** Re-reads the tracked assets; returns the ones that were not tracked before. */
  private updateTracked(): string[] {
    const next = this.tracked.list(Date.now());
    const added = next.filter((asset) => !this.trackedSet.has(asset));
    this.trackedSet = new Set(next);
    this.untracked.forget(added);
    return added;
  }

  /**
   * A page opened an asset outside the watchlist: within seconds, poll it on every venue that
   * lists it (all-symbol endpoints already cover most), back-fill its history, and subscribe
   * where a venue needs per-symbol subscriptions.
   */
  private onPageAssets(): void {
    void this.serial('tracking a new asset', async () => {
      this.tracked.setPageAssets(this.ports.assets(), Date.now());
      const added = this.updateTracked();
      if (!added.length) return;
      await this.refreshTiers(this.enabledAdapters(), Date.now());
      await this.pollAll();
      await this.backfill(added, -Infinity, this.engine.liquidationsCompleteFrom);
      this.syncStreams(this.enabledAdapters());
    });
  }

  /** The 30 s alarm: refresh day-old instrument lists, poll every venue, roll the windows, back up history. */
  tick(): Promise<void> {
    return this.serial('tick', () => this.runTick());
  }

  private async runTick(): Promise<void> {
    const now = Date.now();
    this.updateTracked();
    await this.refreshCatalogues(this.enabledAdapters(), now);
    await this.refreshTiers(this.enabledAdapters(), now);
    this.syncStreams(this.enabledAdapters());
    await this.pollAll();
    this.engine.prune(this.clock.now());
    this.deduper.prune(this.clock.now());
    await this.writeState((items) => browser.storage.local.set(items), () => ({ [HISTORY_KEY]: JSON.stringify(this.engine.toJSON()) }));
  }

  /** A full storage area costs the oldest history, never the current windows (storage-guard.ts). */
  private async writeState(write: (items: Record<string, unknown>) => Promise<void>, build: () => Record<string, unknown>): Promise<void> {
    const { purged } = await writeWithPurge(write, build, () => this.engine.purgeOldest(this.clock.now()));
    if (purged) console.warn(`flush-meter: storage full, purged the oldest history ${purged}×`);
  }

  private enabledAdapters(): VenueAdapter[] {
    return Object.values(venues).filter((adapter) => this.settings.venues[adapter.id]);
  }

  private completenessByVenue(): Partial<Record<VenueId, Completeness>> {
    return Object.fromEntries(Object.values(venues).map((a) => [a.id, a.completeness]));
  }

  /**
   * Opens, keeps or reopens each venue's streams so that they subscribe to what the tracked
   * assets and the current instrument list call for; unchanged subscriptions keep their sockets.
   */
  private syncStreams(adapters: readonly VenueAdapter[]): void {
    for (const adapter of adapters) {
      const tracked = this.trackedList();
      const instruments = this.catalogue.of(adapter.id);
      const sessions = adapter.openStreams(tracked, instruments);
      // Sessions value liquidations with the list they were opened with: a new list reopens them too.
      const signature = [`list ${this.catalogue.version(adapter.id)}`, ...sessions.map((session) => [session.url, ...session.onOpen()].join('\n'))].join('\n\n');
      if (this.streams.get(adapter.id)?.signature === signature) continue;
      this.retireStreams(adapter.id);
      this.board.update(adapter.id, { coverage: this.coverageOf(adapter) });
      if (!sessions.length) {
        this.board.update(adapter.id, { stream: 'none' });
        continue;
      }
      const connections = sessions.map((_, index) => {
        // A reconnect opens a fresh session (sessions may hold per-connection state).
        const connection = new StreamConnection(() => adapter.openStreams(tracked, instruments)[index]!, {
          onOutput: (output) => this.ingest(adapter.id, output, 'stream'),
          onState: (stream) => this.onStreamState(adapter.id, stream),
          onFrame: () => this.onStreamFrame(adapter.id),
          onError: (reason, kind) => this.board.degrade(adapter.id, reason, kind),
        });
        return connection;
      });
      this.streams.set(adapter.id, { signature, connections });
      for (const connection of connections) connection.start();
    }
  }

  private stopStreams(venue: VenueId): void {
    for (const connection of this.streams.get(venue)?.connections ?? []) connection.stop();
    this.streams.delete(venue);
  }

  /**
   * Make before break: the streams being replaced keep running until the new ones have had time to
   * connect, so a resubscription loses nothing; what both deliver is counted once (dedupe).
   */
  private retireStreams(venue: VenueId): void {
    const retiring = this.streams.get(venue)?.connections ?? [];
    this.streams.delete(venue);
    if (!retiring.length) return;
    for (const connection of retiring) this.retiring.add(connection);
    setTimeout(() => {
      for (const connection of retiring) {
        connection.stop();
        this.retiring.delete(connection);
      }
    }, STREAM_OVERLAP_MS);
  }

  private onStreamState(venue: VenueId, stream: 'connecting' | 'connected' | 'reconnecting'): void {
    this.board.streamState(venue, stream, this.allStreamsOpen(venue), this.clock.now());
  }

  private allStreamsOpen(venue: VenueId): boolean {
    return (this.streams.get(venue)?.connections ?? []).every((connection) => connection.isOpen);
  }

  private onStreamFrame(venue: VenueId): void {
    const closed = this.board.frame(venue, this.allStreamsOpen(venue), this.clock.now());
    if (closed) void this.fillGap(venue, closed.from, closed.to);
  }

  /** Venues with a REST liquidation history fetch what a stream gap missed; the gap then counts. */
  private async fillGap(venue: VenueId, from: number, to: number): Promise<void> {
    const adapter = venues[venue];
    const instruments = this.catalogue.of(venue);
    const tracked = this.trackedList();
    const requests = adapter.gapRequests?.(from, to, tracked, instruments) ?? [];
    if (!requests.length || this.isPaused(venue)) return;
    const result = await pollVenue(adapter, requests, instruments);
    for (const output of result.outputs) this.ingest(venue, output, 'gap');
    if (result.error) return this.board.failed(venue, `gap back-fill failed: ${result.error}`, result);
    // A history page that came back full may have missed older rows of the gap: it stays uncounted.
    if (result.outputs.some((output) => output.truncated)) return;
    const source = this.board.get(venue);
    if (source) this.board.update(venue, { gaps: fillGap(source.gaps, from, to, adapter.gapCoverage === 'tracked' ? tracked : 'all') });
  }

  private async pollAll(): Promise<void> {
    await Promise.all(
      this.enabledAdapters().map(async (adapter) => {
        if (this.isPaused(adapter.id)) return;
        const instruments = this.catalogue.of(adapter.id);
        const result = await pollVenue(adapter, this.rotation.window(adapter, this.trackedList(), instruments, [...this.ports.assets()]).requests, instruments);
        for (const output of result.outputs) this.ingest(adapter.id, output, 'poll');
        if (result.error) this.board.failed(adapter.id, result.error, result);
        else this.board.polled(adapter.id, this.allStreamsOpen(adapter.id));
      }),
    );
    this.publish.request();
  }

  private isPaused(venue: VenueId): boolean {
    return this.board.isPaused(venue);
  }

  private ingest(venue: VenueId, output: StreamOutput, origin: Origin): void {
    const now = this.clock.now();
    if (output.unknownSymbols?.length && this.catalogue.shouldRefreshForUnknown(venue, output.unknownSymbols, Date.now())) void this.refreshForUnknown(venue, Date.now());
    // Market data is kept for the tracked assets (of the others, breadth's funding only); liquidations of every asset count market-wide.
    const markets = output.markets.filter((market) => this.trackedSet.has(market.asset));
    for (const market of output.markets) if (!this.trackedSet.has(market.asset)) this.untracked.record(market, now);
    let changed = markets.length > 0;
    const sampled = venues[venue].completeness === 'sampled';
    for (const liquidation of this.admit(venue, output.liquidations, origin, now)) {
      changed = this.engine.ingestLiquidation(liquidation, now) || changed;
      // Only live prints go on the tape: history back-fill and gap back-fill are not "as they print".
      if (origin === 'stream') changed = this.tape.add(liquidation, sampled) || changed;
    }
    for (const market of markets) this.engine.ingestMarket(market);
    if (output.history?.length) {
      this.engine.backfillHistory(output.history, now);
      changed = true;
    }
    if (!changed) return;
    this.publish.request();
    this.saveHot.request();
  }

  /**
   * Each liquidation once: a history answer repeats what an earlier one gave (watermark), a gap back-fill overlaps
   * what the stream delivered around it (identity only), streams carry the venue's clock.
   */
  private admit(venue: VenueId, liquidations: Liquidation[], origin: Origin, now: number): Liquidation[] {
    if (origin === 'poll') return admitPolledBatch(this.deduper, liquidations, now);
    const fresh = liquidations.filter((l) => this.deduper.admitStreamed(l, now));
    return origin === 'stream' ? fresh.map((l) => this.onLocalClock(venue, l, now)) : fresh;
  }

  /** A stream named a listing newer than the venue's list: fetch the list again, then resubscribe. */
  private refreshForUnknown(venue: VenueId, now: number): Promise<void> {
    return this.serial('instrument list refresh', async () => {
      await this.refreshCatalogues([venues[venue]], now, true);
      if (this.settings.venues[venue]) await this.refreshTiers([venues[venue]], now);
      if (this.settings.venues[venue]) this.syncStreams([venues[venue]]);
    });
  }

  /** Live events carry the venue's clock; map them onto ours when the two clearly disagree. */
  private onLocalClock(venue: VenueId, liquidation: Liquidation, receivedAt: number): Liquidation {
    let estimator = this.skew.get(venue);
    if (!estimator) this.skew.set(venue, (estimator = new SkewEstimator()));
    estimator.observe(liquidation.time, receivedAt);
    const time = estimator.toLocal(liquidation.time);
    return time === liquidation.time ? liquidation : { ...liquidation, time };
  }

  /** Pages, popup and alerts, after a change: at once, then at most 4 times a second (the publish coalescer). */
  private async publishNow(): Promise<void> {
    const now = this.clock.now();
    const readings = this.readings.publish(this.engine, now, this.trackedList(), this.board.list(), this.clock.scenario, this.untracked.at(now));
    this.store.request();
    await this.alerts.evaluate(readings, this.settings, now);
  }

  /** Rows of the tape that go with a history answer (as many as the popup's tape shows). */
  private static readonly HISTORY_TAPE_ROWS = 12;

  /** A history request (bus.ts): the scope's 24 h chart and its tape above the trader's threshold, as the engine has them now. */
  historyAnswer(request: HistoryRequest): HistoryAnswer {
    const now = this.clock.now();
    const asset = request.scope === MARKET_SCOPE ? undefined : request.scope;
    return {
      type: 'history',
      scope: request.scope,
      chart: this.engine.historyChart(request.scope, now),
      tape: this.tape.list({ minUsd: this.settings.tape.minUsd, limit: BackgroundWorker.HISTORY_TAPE_ROWS, ...(asset ? { asset } : {}) }),
      tapeMinUsd: this.settings.tape.minUsd,
    };
  }

  /** What the store coalescer writes beside the readings: the sources and the tape, when each changed. */
  private storeExtras(): Record<string, unknown> | null {
    const sources = this.board.takeChanges();
    const tape = this.tape.takeChanges();
    return tape ? { ...sources, [BUS_KEYS.tape]: tape } : sources;
  }

  /** Before the browser may stop the worker: nothing in memory is lost. */
  async persist(): Promise<void> {
    await Promise.all([this.saveHot.flush(), this.publish.flush(), this.publishPages.flush()]);
    await this.store.flush();
  }
}

/** State stored as JSON text (HOT_KEY, DEDUPE_KEY, HISTORY_KEY); anything else, or text that does not parse, is none. */
function storedJson(value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    console.warn('flush-meter: stored state is not JSON; starting without it');
    return undefined;
  }
}
