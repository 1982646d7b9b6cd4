/**
 * Page meters connect a runtime port and name their asset; each gets that asset's reading on
 * every publish. A port is accepted only from this extension's own content script on a
 * supported trading page, and only an asset code is ever read from it: the worker never
 * fetches or evaluates anything a page supplied.
 */
import type browser from 'webextension-polyfill';
import { isAssetCode, METER_PORT, type ReadingMessage, type SourceStatus, type WatchMessage } from '../core/bus';
import type { Readings } from '../core/engine';
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

export class MeterPorts {
  private readonly watching = new Map<Port, string>();
  private last: { readings: Readings; sources: SourceStatus[] } | null = null;

  constructor(private readonly extensionId: string) {}

  /** Takes a newly connected port, or disconnects it when it is not a page meter. */
  accept(port: Port): void {
    if (!isMeterPort(port, this.extensionId)) {
      port.disconnect();
      return;
    }
    port.onMessage.addListener((message: unknown) => this.onWatch(port, message));
    port.onDisconnect.addListener(() => this.watching.delete(port));
  }

  /** Sends every page its asset's reading (called after each batched publish). */
  push(readings: Readings, sources: SourceStatus[]): void {
    this.last = { readings, sources };
    for (const [port, asset] of this.watching) this.send(port, asset);
  }

  get size(): number {
    return this.watching.size;
  }

  private onWatch(port: Port, message: unknown): void {
    const watch = message as Partial<WatchMessage> | null;
    if (watch?.type !== 'watch' || !isAssetCode(watch.asset)) return;
    this.watching.set(port, watch.asset);
    this.send(port, watch.asset);
  }

  private send(port: Port, asset: string): void {
    if (!this.last) return;
    const { readings, sources } = this.last;
    const message: ReadingMessage = {
      type: 'reading',
      asset,
      reading: readings.scopes[asset] ?? null,
      computedAt: readings.computedAt,
      collectingSince: readings.collectingSince,
      sources,
    };
    try {
      port.postMessage(message);
    } catch {
      // The page went away between publishes; onDisconnect cleans up.
      this.watching.delete(port);
    }
  }
}
