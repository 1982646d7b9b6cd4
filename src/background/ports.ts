/**
 * Page meters connect a runtime port, name their asset and say where their meter sits; each
 * gets that asset's reading on every publish, and the open pages' placements go to the popup.
 * A port is accepted only from this extension's own content script on a supported trading
 * page, and only an asset code, a site id and one of three placement words are ever read from
 * it (one parser per message): the worker never fetches or evaluates anything a page supplied.
 */
import type browser from 'webextension-polyfill';
import {
  isAssetCode,
  METER_PORT,
  PLACEMENTS,
  type PageStatus,
  type Placement,
  type PlacementMessage,
  type ReadingMessage,
  type SourceStatus,
  type VenueGap,
  type WatchMessage,
} from '../core/bus';
import type { ScopeReading } from '../core/engine';
import type { ScenarioClock } from '../core/scenario-time';
import { siteForUrl } from '../sites';

type Port = browser.Runtime.Port;

/** The site of a connecting page meter, or null when the port is not one of ours on a supported trading page. */
export function meterSite(port: Port, extensionId: string): string | null {
  if (port.name !== METER_PORT || port.sender?.id !== extensionId) return null;
  const url = port.sender.url ?? port.sender.tab?.url;
  if (!url) return null;
  try {
    return siteForUrl(new URL(url))?.id ?? null;
  } catch {
    return null;
  }
}

/** Whether a connecting port is one of our page meters. */
export function isMeterPort(port: Port, extensionId: string): boolean {
  return meterSite(port, extensionId) !== null;
}

function record(message: unknown): Record<string, unknown> | null {
  return typeof message === 'object' && message !== null && !Array.isArray(message) ? (message as Record<string, unknown>) : null;
}

/** `{ type: 'watch', asset }` with an asset code, or null. */
export function parseWatch(message: unknown): WatchMessage | null {
  const m = record(message);
  return m?.type === 'watch' && isAssetCode(m.asset) ? { type: 'watch', asset: m.asset } : null;
}

/** `{ type: 'placement', site, asset, placement }`: a site id, an asset code or null, one of the three placements; or null. */
export function parsePlacement(message: unknown): PlacementMessage | null {
  const m = record(message);
  if (m?.type !== 'placement' || typeof m.site !== 'string' || !(m.asset === null || isAssetCode(m.asset))) return null;
  if (!PLACEMENTS.includes(m.placement as Placement)) return null;
  return { type: 'placement', site: m.site, asset: m.asset, placement: m.placement as Placement };
}

/** Every source's gaps, tagged with the venue. */
function venueGaps(sources: readonly SourceStatus[]): VenueGap[] {
  return sources.flatMap((source) => (source.gaps ?? []).map((gap) => ({ ...gap, venue: source.venue })));
}

/** A port and what it was last sent, to skip repeats. */
interface Watcher {
  asset: string;
  /** The reading object last sent, and its content without computedAt (a bare recompute changes only that). */
  lastReading: ScopeReading | null | undefined;
  lastContent: string | null;
  lastGaps: string | null;
}

export class MeterPorts {
  private readonly watching = new Map<Port, Watcher>();
  /** Each connected page showing a meter, in the order they connected. */
  private readonly open = new Map<Port, PageStatus>();
  private last: { readings: Readonly<Record<string, ScopeReading>>; gaps: VenueGap[]; gapsText: string; clock: ScenarioClock | null } | null = null;
  /** This publish's reading text per asset, built once however many pages watch the asset. */
  private contentByAsset = new Map<string, string>();

  constructor(
    private readonly extensionId: string,
    /** Called whenever the set of assets pages show changes. */
    private readonly onAssets: (assets: ReadonlySet<string>) => void = () => {},
    /** Called whenever an open page's placement or asset changes, or a page goes (see pages()). */
    private readonly onPages: () => void = () => {},
  ) {}

  /** The open pages with a meter and where each one sits: one small record per connected page. */
  pages(): PageStatus[] {
    return [...this.open.values()];
  }

  /** The assets open pages show. */
  assets(): Set<string> {
    return new Set([...this.watching.values()].map((watcher) => watcher.asset));
  }

  /** Takes a newly connected port, or disconnects it when it is not a page meter. */
  accept(port: Port): void {
    const site = meterSite(port, this.extensionId);
    if (site === null) {
      port.disconnect();
      return;
    }
    port.onMessage.addListener((message: unknown) => {
      const watch = parseWatch(message);
      if (watch) return this.onWatch(port, watch);
      const placement = parsePlacement(message);
      if (placement) return this.onPlacement(port, site, placement);
    });
    port.onDisconnect.addListener(() => {
      this.watching.delete(port);
      this.onAssets(this.assets());
      if (this.open.delete(port)) this.onPages();
    });
  }

  /**
   * Sends every page its asset's reading (called after each batched publish), unless it is what
   * the page already shows: another asset's news, or a bare recompute, would cost the page a
   * message and a render for nothing.
   */
  push(readings: Readonly<Record<string, ScopeReading>>, sources: SourceStatus[], clock: ScenarioClock | null = null): void {
    const gaps = venueGaps(sources);
    this.last = { readings, gaps, gapsText: JSON.stringify(gaps), clock };
    this.contentByAsset = new Map();
    for (const [port, watcher] of this.watching) this.send(port, watcher);
  }

  get size(): number {
    return this.watching.size;
  }

  /** A page says where its meter sits; a page of another site than the port's is not believed. */
  private onPlacement(port: Port, site: string, message: PlacementMessage): void {
    if (message.site !== site) return;
    const current = this.open.get(port);
    if (message.asset === null) {
      if (this.open.delete(port)) this.onPages();
      return;
    }
    if (current?.asset === message.asset && current.placement === message.placement) return;
    this.open.set(port, { tab: port.sender?.tab?.id ?? null, site, asset: message.asset, placement: message.placement });
    this.onPages();
  }

  private onWatch(port: Port, watch: WatchMessage): void {
    const watcher: Watcher = { asset: watch.asset, lastReading: undefined, lastContent: null, lastGaps: null };
    this.watching.set(port, watcher);
    this.onAssets(this.assets());
    this.send(port, watcher);
  }

  private send(port: Port, watcher: Watcher): void {
    if (!this.last) return;
    const { readings, gaps, gapsText, clock } = this.last;
    const { asset } = watcher;
    const reading = readings[asset] ?? null;
    // The same reading object (the engine did not recompute the scope) and the same gaps: nothing new.
    if (reading === watcher.lastReading && gapsText === watcher.lastGaps) return;
    const content = reading === watcher.lastReading ? watcher.lastContent : this.contentOf(asset, reading);
    watcher.lastReading = reading;
    if (content === watcher.lastContent && gapsText === watcher.lastGaps) return;
    watcher.lastContent = content;
    watcher.lastGaps = gapsText;
    const message: ReadingMessage = { type: 'reading', asset, reading, gaps, ...(clock ? { scenarioClock: clock } : {}) };
    try {
      port.postMessage(message);
    } catch {
      // The page went away between publishes; onDisconnect cleans up.
      this.watching.delete(port);
    }
  }

  /** The reading's content without its computedAt: a recompute that changed nothing else sends nothing. */
  private contentOf(asset: string, reading: ScopeReading | null): string {
    let content = this.contentByAsset.get(asset);
    if (content === undefined) {
      content = reading === null ? 'null' : JSON.stringify({ ...reading, computedAt: 0 });
      this.contentByAsset.set(asset, content);
    }
    return content;
  }
}
