/**
 * Content script: mounts the meter for the page's symbol beside the exchange's order panel,
 * follows in-page navigation, and stays tiny (no zod, no polyfill: only `chrome.storage`).
 * Everything runs under one Lifecycle: when the extension is updated under an open page, the
 * meter says "reload the page" once and every timer, listener and observer stops.
 */
import { BUS_KEYS, EFFECTIVE_SETTINGS_KEY, METER_PORT, readingKey, type PlacementMessage, type ReadingMessage } from '../core/bus';
import type { ScopeReading } from '../core/engine';
import type { ScenarioClock } from '../core/scenario-time';
import type { Settings } from '../core/settings';
import { siteForHost } from '../sites';
import type { Site } from '../sites/types';
import { dockKey, parseDockState } from './dock-state';
import { extensionAlive, Lifecycle } from './lifecycle';
import { mountMeter, type MeterMount } from './mount';

const GUARD = Symbol.for('flush-meter.content');
/** Dispatched on the document by a new instance: an older one (from before an update) stands down. */
const TAKEOVER = 'flush-meter:takeover';
/** Re-render for the data-age label. */
const AGE_TICK_MS = 5_000;
/**
 * The page gets its data pushed over a runtime port, for its own asset only. It registers no
 * storage.onChanged listener: with one, Chrome delivers every write of every key, old and new
 * values, into the exchange's renderer (3.8 ms of the page's main thread per second in a busy
 * market, bench/content-cost.bench.ts). The port carries one small reading the moment the
 * worker publishes it. When the worker is stopped the port drops; the page reconnects, which
 * wakes the worker.
 */
const RECONNECT_MS = 1_000;
/** URL poll where the Navigation API is missing (Firefox). */
const URL_POLL_MS = 1_000;

function start(): void {
  const scope = globalThis as typeof globalThis & { [GUARD]?: true };
  // Injected twice into the same world: the first instance owns the page.
  if (scope[GUARD]) return;
  scope[GUARD] = true;
  const site = siteForHost(location.hostname);
  if (!site) return;

  // An instance from before an extension update (another world) hands over, taking its meter
  // with it; any meter left behind by one that can no longer run is removed.
  document.dispatchEvent(new CustomEvent(TAKEOVER));
  for (const stale of document.querySelectorAll('[data-flush-meter]')) stale.remove();

  let mount: MeterMount | null = null;
  const lifecycle = new Lifecycle(
    extensionAlive,
    (reason) => (reason === 'invalidated' ? mount?.showUpdatedNotice() : mount?.remove()),
    (error) => console.debug('[flush-meter]', error),
  );
  document.addEventListener(TAKEOVER, () => lifecycle.stop('takeover'), { signal: lifecycle.signal });
  void lifecycle.settle(async () => {
    mount = await startMeter(site, lifecycle, instanceId());
  });
}

async function startMeter(site: Site, lifecycle: Lifecycle, instance: string): Promise<MeterMount | null> {
  const key = dockKey(site.id);
  const asset = assetOf(site);
  // The page's own asset's reading only: the port brings the rest the moment the worker publishes.
  const stored = await chrome.storage.local.get([key, BUS_KEYS.scenarioClock, EFFECTIVE_SETTINGS_KEY, ...(asset ? [readingKey(asset)] : [])]);
  if (lifecycle.stopped) return null;
  // Settings apply from the next page load: a storage listener here would cost the page (see RECONNECT_MS).
  const settings = stored[EFFECTIVE_SETTINGS_KEY] as Partial<Settings> | undefined;
  if (settings?.sites?.[site.id] === false) return null;
  // Where the meter sits, for the popup: said over the port on every change, and again on reconnecting.
  let placement: PlacementMessage | null = null;
  let channel: Channel | null = null;
  const mount = mountMeter(site, lifecycle, instance, parseDockState(stored[key]), settings?.meterMode === 'expanded', (where, asset) => {
    placement = { type: 'placement', site: site.id, asset, placement: where };
    channel?.say(placement);
  });
  if (asset) mount.show(storedReading(asset, stored));
  mount.setAsset(asset);

  const port = followPort(lifecycle, () => assetOf(site), (message) => mount.show(message), () => placement);
  channel = port;
  followUrl(lifecycle, () => {
    const asset = assetOf(site);
    mount.setAsset(asset);
    if (asset) port.watch(asset);
  });
  // Every timer checks the extension is still there; this one also keeps the data age current
  // when no new readings come (a poll that brings new readings has just drawn).
  lifecycle.every(AGE_TICK_MS, () => mount.drawIfOlderThan(AGE_TICK_MS));
  return mount;
}

/** What storage held for the asset, in the port's message shape (the gaps come with the first push). */
function storedReading(asset: string, stored: Record<string, unknown>): ReadingMessage {
  const scenarioClock = stored[BUS_KEYS.scenarioClock] as ScenarioClock | undefined;
  return { type: 'reading', asset, reading: (stored[readingKey(asset)] as ScopeReading | undefined) ?? null, gaps: [], ...(scenarioClock ? { scenarioClock } : {}) };
}

interface Channel {
  watch(asset: string): void;
  say(message: PlacementMessage): void;
}

/**
 * The worker's push for this page's asset; reconnects (waking the worker) when the port drops,
 * and then names the asset and says where the meter sits again.
 */
function followPort(lifecycle: Lifecycle, currentAsset: () => string | null, onReading: (message: ReadingMessage) => void, placement: () => PlacementMessage | null): Channel {
  let port: chrome.runtime.Port | null = null;
  const watch = (asset: string) => lifecycle.run(() => port?.postMessage({ type: 'watch', asset }));
  const say = (message: PlacementMessage) => lifecycle.run(() => port?.postMessage(message));
  const connect = () => {
    port = lifecycle.run(() => chrome.runtime.connect({ name: METER_PORT })) ?? null;
    if (!port) return;
    port.onMessage.addListener(
      lifecycle.wrap((message: ReadingMessage) => {
        if (message?.type === 'reading' && message.asset === currentAsset()) onReading(message);
      }),
    );
    port.onDisconnect.addListener(
      lifecycle.wrap(() => {
        port = null;
        // A stopped worker drops the port; a removed extension invalidates the context (the lifecycle notices).
        lifecycle.after(RECONNECT_MS, connect);
      }),
    );
    const asset = currentAsset();
    if (asset) watch(asset);
    const where = placement();
    if (where) say(where);
  };
  connect();
  return { watch, say };
}

function assetOf(site: Site): string | null {
  const symbol = site.symbolFromUrl(new URL(location.href));
  return symbol ? site.assetFromSymbol(symbol) : null;
}

/**
 * Single-page apps change the URL without a load: follow the Navigation API where it exists
 * (its events reach the content script's world when the page calls history.pushState) and the
 * back button; poll the URL only where the Navigation API is missing (Firefox).
 */
function followUrl(lifecycle: Lifecycle, onChange: () => void): void {
  let last = location.href;
  const check = () => {
    if (location.href === last) return;
    last = location.href;
    onChange();
  };
  const navigation = (globalThis as { navigation?: EventTarget }).navigation;
  if (navigation) navigation.addEventListener('currententrychange', lifecycle.wrap(check), { signal: lifecycle.signal });
  else lifecycle.every(URL_POLL_MS, check);
  addEventListener('popstate', lifecycle.wrap(check), { signal: lifecycle.signal });
}

function instanceId(): string {
  return globalThis.crypto?.randomUUID?.() ?? Math.random().toString(36).slice(2);
}

start();
