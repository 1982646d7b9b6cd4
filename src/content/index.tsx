/**
 * Content script: mounts the meter for the page's symbol beside the order panel, follows
 * in-page navigation, and stays tiny (no zod, no polyfill: only the `chrome` storage API).
 */
import { render } from 'preact';
import type { BusSnapshot } from '../core/bus';
import { siteForUrl } from '../sites';
import type { Site } from '../sites/types';
import { followBus, readBus } from '../ui/bus';
import { Meter } from '../ui/Meter';
import { METER_CSS } from '../ui/styles';
import { waitForAnchor } from './anchor';

const GUARD = Symbol.for('flush-meter.content');
/** How long to wait for the exchange to render its order panel before docking instead. */
const ANCHOR_TIMEOUT_MS = 4_000;
const AGE_TICK_MS = 5_000;
const URL_POLL_MS = 1_000;
const INLINE_STYLE = 'display:block;margin:0 0 6px 0;';
/** No order panel found: a small floating dock in the corner, above the page. */
const DOCK_STYLE = 'display:block;position:fixed;right:16px;bottom:16px;z-index:2147483000;box-shadow:0 4px 16px rgba(0,0,0,.25);border-radius:6px;';

interface Mounted {
  asset: string;
  controller: AbortController;
}

function start(): void {
  const scope = globalThis as typeof globalThis & { [GUARD]?: true };
  // Loaded twice (e.g. injected again after an update): the first instance owns the page.
  if (scope[GUARD]) return;
  scope[GUARD] = true;

  let mounted: Mounted | null = null;
  let bus: BusSnapshot = {};

  const sync = () => {
    const url = new URL(location.href);
    const site = siteForUrl(url);
    const symbol = site?.symbolFromUrl(url);
    const asset = site && symbol ? site.assetFromSymbol(symbol) : null;
    if (mounted?.asset === asset) return;
    mounted?.controller.abort();
    mounted = site && asset ? mount(site, asset, () => bus) : null;
  };

  readBus()
    .then((snapshot) => {
      bus = snapshot;
      sync();
      followBus((changes) => {
        bus = { ...bus, ...changes };
        document.dispatchEvent(new CustomEvent('flush-meter:bus'));
      });
    })
    .catch(() => undefined);

  // Single-page apps change the URL without a load: follow the Navigation API where it exists,
  // and poll the URL as a fallback (Firefox has no Navigation API).
  const navigation = (globalThis as { navigation?: EventTarget }).navigation;
  navigation?.addEventListener('navigatesuccess', sync);
  addEventListener('popstate', sync);
  setInterval(sync, URL_POLL_MS);
}

function mount(site: Site, asset: string, getBus: () => BusSnapshot): Mounted {
  const controller = new AbortController();
  const { signal } = controller;
  const host = document.createElement('div');
  host.setAttribute('data-flush-meter', '');
  host.setAttribute('data-asset', asset);
  host.setAttribute('data-site', site.id);
  const shadow = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = METER_CSS;
  const container = document.createElement('div');
  shadow.append(style, container);
  // Keys typed in the meter never reach the exchange's hotkeys.
  for (const type of ['keydown', 'keyup', 'keypress'] as const) host.addEventListener(type, (e) => e.stopPropagation());

  const draw = () => {
    const { readings } = getBus();
    render(<Meter asset={asset} reading={readings?.scopes[asset]} computedAt={readings?.computedAt ?? null} now={Date.now()} />, container);
  };
  draw();
  document.addEventListener('flush-meter:bus', draw, { signal });
  const tick = setInterval(draw, AGE_TICK_MS);

  let placing = false;
  const place = async () => {
    placing = true;
    const anchor = await waitForAnchor(site.anchors, ANCHOR_TIMEOUT_MS, signal);
    placing = false;
    if (signal.aborted) return;
    if (anchor?.parentElement) {
      host.removeAttribute('data-docked');
      host.style.cssText = INLINE_STYLE;
      anchor.parentElement.insertBefore(host, anchor);
    } else {
      host.setAttribute('data-docked', '');
      host.style.cssText = DOCK_STYLE;
      document.body.append(host);
    }
  };
  void place();

  // The exchange re-renders its panel: put the meter back when it is removed.
  const observer = new MutationObserver(() => {
    if (!host.isConnected && !placing && !signal.aborted) void place();
  });
  observer.observe(document.body, { childList: true, subtree: true });

  signal.addEventListener('abort', () => {
    observer.disconnect();
    clearInterval(tick);
    render(null, container);
    host.remove();
  });
  return { asset, controller };
}

start();
