/**
 * Readings: the engine's windows → per-scope readings, published. Each publish asks the engine
 * for the readings (it computes only the scopes that changed: engine.ts readings()) and pushes
 * each open page its own asset's record over its port (ports.ts) at once; the changed scopes'
 * records are written to storage (readingKey: `reading:BTC`, for the popup, a page's first paint
 * and a restart) by `flush`, which the worker calls at most once a second: storage converts every
 * value it is given, the dearest part of a publish. Nothing is rewrapped: the record the engine
 * made is what the page and the popup read.
 */
import { BUS_KEYS, readingKey, type ScopeIndex, type SourceStatus } from '../core/bus';
import type { FlushEngine, ReadingSet, ScopeReading } from '../core/engine';
import type { ScenarioClock } from '../core/scenario-time';
import { breadthOf, type MarketFigures } from '../core/breadth';
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
  private breadthText = '';
  /** What the next flush writes, and the scopes whose keys it removes. */
  private pending: Record<string, unknown> = {};
  private gone = new Set<string>();
  /** The first flush of this worker's life also removes what an earlier life left for scopes gone since. */
  private firstFlush = true;

  constructor(
    private readonly store: ReadingStore,
    private readonly ports: Pick<MeterPorts, 'push'>,
  ) {}

  /**
   * Computes the readings at `now` for the `tracked` assets (and any with data), pushes pages
   * theirs, and keeps what changed for the next flush; breadth takes an untracked asset's funding and OI change from `untracked`.
   */
  publish(engine: FlushEngine, now: number, tracked: readonly string[], sources: SourceStatus[], clock: ScenarioClock | null, untracked?: MarketFigures): ReadingSet {
    const readings = engine.readings(now, tracked);
    this.ports.push(readings.scopes, sources, clock);
    for (const [scope, reading] of Object.entries(readings.scopes)) {
      if (this.stored.get(scope) === reading) continue;
      this.pending[readingKey(scope)] = reading;
      this.stored.set(scope, reading);
      this.gone.delete(scope);
    }
    for (const scope of [...this.stored.keys()].filter((scope) => !(scope in readings.scopes))) {
      this.stored.delete(scope);
      delete this.pending[readingKey(scope)];
      this.gone.add(scope);
    }
    const breadth = breadthOf(readings, untracked);
    const breadthText = JSON.stringify(breadth.rows);
    if (breadthText !== this.breadthText) {
      this.pending[BUS_KEYS.breadth] = breadth;
      this.breadthText = breadthText;
    }
    const index: ScopeIndex = { scopes: Object.keys(readings.scopes) };
    const indexText = JSON.stringify(index);
    if (indexText !== this.indexText) {
      this.pending[BUS_KEYS.scopes] = index;
      this.indexText = indexText;
    }
    return readings;
  }

  /** Writes what changed since the last flush, with `extra` items (the sources when they changed). */
  async flush(extra: Record<string, unknown> | null = null): Promise<void> {
    const items = { ...this.pending, ...extra };
    const gone = [...this.gone];
    this.pending = {};
    this.gone.clear();
    if (this.firstFlush) {
      this.firstFlush = false;
      gone.push(...(await this.leftBehind()));
    }
    if (Object.keys(items).length) await this.store.set(items);
    if (gone.length) await this.store.remove(gone.map(readingKey));
  }

  /** Scopes an earlier life of the worker published that have no reading now. */
  private async leftBehind(): Promise<string[]> {
    const stored = (await this.store.get([BUS_KEYS.scopes]))[BUS_KEYS.scopes] as Partial<ScopeIndex> | undefined;
    const scopes = Array.isArray(stored?.scopes) ? stored.scopes.filter((s): s is string => typeof s === 'string') : [];
    return scopes.filter((scope) => !this.stored.has(scope));
  }
}
