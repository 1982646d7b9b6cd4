/**
 * Page meters connect a runtime port and name their asset; each gets that asset's reading on
 * every publish. A port is accepted only from this extension's own content script on a
 * supported trading page, and only an asset code is ever read from it: the worker never
 * fetches or evaluates anything a page supplied.
 */
import type browser from 'webextension-polyfill';
import { isAssetCode, METER_PORT, type ReadingMessage, type SourceStatus, type VenueGap, type WatchMessage } from '../core/bus';
import type { Readings } from '../core/engine';
import type { ScenarioClock } from '../core/scenario-time';
import { siteForUrl } from '../sites';

type Port = browser.Runtime.Port;

/** Whether a connecting port is one of our page meters. */
export function isMeterPort(port: Port, extensionId: string): boolean {
  if (port.name !== METER_PORT || port.sender?.id !== extensionId) return false;
  const url = port.sender.url ?? port.sender.tab?.url;
  if (!url) return false;
  try {
    return siteForUrl(new URL(url)) !== undefined;
  } catch {
    return false;
  }
}

/** Every source's gaps, tagged with the venue. */
function venueGaps(sources: readonly SourceStatus[]): VenueGap[] {
  return sources.flatMap((source) => (source.gaps ?? []).map((gap) => ({ ...gap, venue: source.venue })));
}

/** A port and what it was last sent (the message without its computedAt), to skip repeats. */
interface Watcher {
  asset: string;
  lastSent: string | null;
}

export class MeterPorts {
  private readonly watching = new Map<Port, Watcher>();
  private last: { readings: Readings; gaps: VenueGap[]; clock: ScenarioClock | null } | null = null;
  /** This publish's message text per asset, built once however many pages watch the asset. */
  private contentByAsset = new Map<string, string>();

  constructor(
    private readonly extensionId: string,
    /** Called whenever the set of assets pages show changes. */
    private readonly onAssets: (assets: ReadonlySet<string>) => void = () => {},
  ) {}

  /** The assets open pages show. */
  assets(): Set<string> {
    return new Set([...this.watching.values()].map((watcher) => watcher.asset));
  }

  /** Takes a newly connected port, or disconnects it when it is not a page meter. */
  accept(port: Port): void {
    if (!isMeterPort(port, this.extensionId)) {
      port.disconnect();
      return;
    }
    port.onMessage.addListener((message: unknown) => this.onWatch(port, message));
    port.onDisconnect.addListener(() => {
      this.watching.delete(port);
      this.onAssets(this.assets());
    });
  }

  /**
   * Sends every page its asset's reading (called after each batched publish), unless it is what
   * the page already shows: another asset's news, or a bare recompute, would cost the page a
   * message and a render for nothing.
   */
  push(readings: Readings, sources: SourceStatus[], clock: ScenarioClock | null = null): void {
    this.last = { readings, gaps: venueGaps(sources), clock };
    this.contentByAsset = new Map();
    for (const [port, watcher] of this.watching) this.send(port, watcher);
  }

  get size(): number {
    return this.watching.size;
  }

  private onWatch(port: Port, message: unknown): void {
    const watch = message as Partial<WatchMessage> | null;
    if (watch?.type !== 'watch' || !isAssetCode(watch.asset)) return;
    const watcher = { asset: watch.asset, lastSent: null };
    this.watching.set(port, watcher);
    this.onAssets(this.assets());
    this.send(port, watcher);
  }

  private send(port: Port, watcher: Watcher): void {
    if (!this.last) return;
    const { readings, gaps, clock } = this.last;
    const { asset } = watcher;
    const message: ReadingMessage = {
      type: 'reading',
      asset,
      reading: readings.scopes[asset] ?? null,
      computedAt: readings.computedAt,
      collectingSince: readings.collectingSince,
      gaps,
      ...(clock ? { scenarioClock: clock } : {}),
    };
    const content = this.contentByAsset.get(asset) ?? JSON.stringify([message.reading, message.collectingSince, gaps]);
    this.contentByAsset.set(asset, content);
    if (content === watcher.lastSent) return;
    watcher.lastSent = content;
    try {
      port.postMessage(message);
    } catch {
      // The page went away between publishes; onDisconnect cleans up.
      this.watching.delete(port);
    }
  }
}
