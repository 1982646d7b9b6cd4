/**
 * Readings: the engine's windows → per-scope readings, published. Each publish asks the engine
 * for the readings (it computes only the scopes that changed: engine.ts readings()), writes the
 * changed scopes' records to storage (readingKey: `reading:BTC`) for the popup and for a page's
 * first paint, removes the keys of scopes that went, and pushes each open page its own asset's
 * record over its port (ports.ts). Nothing is rewrapped: the record the engine made is what the
 * page and the popup read.
 */
import { BUS_KEYS, readingKey, type ScopeIndex, type SourceStatus } from '../core/bus';
import type { FlushEngine, ReadingSet, ScopeReading } from '../core/engine';
import type { ScenarioClock } from '../core/scenario-time';
import type { MeterPorts } from './ports';

/** Where readings are written: storage.local in the extension. */
export interface ReadingStore {
  get(keys: string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
}

export class Readings {
  /** What storage holds, scope by scope (the engine's objects: unchanged scopes are the same object). */
  private readonly stored = new Map<string, ScopeReading>();
  private indexText = '';
  /** The first publish of this worker's life also removes what an earlier life left for scopes gone since. */
  private firstPublish = true;

  constructor(
    private readonly store: ReadingStore,
    private readonly ports: Pick<MeterPorts, 'push'>,
  ) {}

  /**
   * Computes the readings at `now` for the `tracked` assets (and any with data), writes what
   * changed together with `extra` items (the sources when they changed), and pushes pages theirs.
   */
  async publish(engine: FlushEngine, now: number, tracked: readonly string[], sources: SourceStatus[], clock: ScenarioClock | null, extra: Record<string, unknown> | null = null): Promise<ReadingSet> {
    const readings = engine.readings(now, tracked);
    // Pages first (a port message is immediate), then storage for the popup and restarts.
    this.ports.push(readings.scopes, sources, clock);
    const items: Record<string, unknown> = { ...extra };
    for (const [scope, reading] of Object.entries(readings.scopes)) {
      if (this.stored.get(scope) === reading) continue;
      items[readingKey(scope)] = reading;
      this.stored.set(scope, reading);
    }
    const gone = [...this.stored.keys()].filter((scope) => !(scope in readings.scopes));
    for (const scope of gone) this.stored.delete(scope);
    const index: ScopeIndex = { collectingSince: readings.collectingSince, scopes: Object.keys(readings.scopes) };
    const indexText = JSON.stringify(index);
    if (indexText !== this.indexText) {
      items[BUS_KEYS.scopes] = index;
      this.indexText = indexText;
    }
    if (this.firstPublish) {
      this.firstPublish = false;
      gone.push(...(await this.leftBehind(readings)));
    }
    if (Object.keys(items).length) await this.store.set(items);
    if (gone.length) await this.store.remove(gone.map(readingKey));
    return readings;
  }

  /** Scopes an earlier life of the worker published that have no reading now. */
  private async leftBehind(readings: ReadingSet): Promise<string[]> {
    const stored = (await this.store.get([BUS_KEYS.scopes]))[BUS_KEYS.scopes] as Partial<ScopeIndex> | undefined;
    const scopes = Array.isArray(stored?.scopes) ? stored.scopes.filter((s): s is string => typeof s === 'string') : [];
    return scopes.filter((scope) => !(scope in readings.scopes));
  }
}
