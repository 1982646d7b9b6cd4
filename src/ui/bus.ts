/**
 * Read and follow the storage bus from the popup. Uses the `chrome` namespace directly
 * (promise-returning in MV3 Chrome and in Firefox). Readings are one key per scope
 * (readingKey): the popup reads the scopes it shows, and follows whichever change.
 */
import { BUS_KEYS, readingKey, scopeOfKey, type BusSnapshot } from '../core/bus';
import type { ScopeReading } from '../core/engine';

const KEYS = Object.values(BUS_KEYS);

/** The performance mark the popup sets when it first renders with data (bench/popup.bench.ts reads it). */
export const FIRST_DATA_MARK = 'flush-meter:first-data';

/** The index, sources, pages and clock, and the readings of `scopes`, in one storage read. */
export async function readBus(scopes: readonly string[], extraKeys: readonly string[] = []): Promise<{ bus: BusSnapshot; extra: Record<string, unknown> }> {
  const stored = await chrome.storage.local.get([...KEYS, ...scopes.map(readingKey), ...extraKeys]);
  return { bus: snapshotOf(stored), extra: Object.fromEntries(extraKeys.map((key) => [key, stored[key]])) };
}

/** The scopes' readings alone (those another read did not bring). */
export async function readReadings(scopes: readonly string[]): Promise<Record<string, ScopeReading>> {
  if (!scopes.length) return {};
  return snapshotOf(await chrome.storage.local.get(scopes.map(readingKey))).readings ?? {};
}

/** Calls `onChange` with what changed on the bus (a removed reading as undefined); returns the unsubscribe function. */
export function followBus(onChange: (changes: BusSnapshot) => void, signal?: AbortSignal): () => void {
  const listener = (changes: Record<string, chrome.storage.StorageChange>, area: string) => {
    if (area !== 'local') return;
    const snapshot = snapshotOf(Object.fromEntries(Object.entries(changes).map(([key, change]) => [key, change.newValue])), true);
    if (Object.keys(snapshot).length) onChange(snapshot);
  };
  chrome.storage.onChanged.addListener(listener);
  const stop = () => chrome.storage.onChanged.removeListener(listener);
  signal?.addEventListener('abort', stop, { once: true });
  return stop;
}

/** Storage items as a bus snapshot; `keepRemoved` keeps a removed key as undefined (a change), a read skips it. */
function snapshotOf(items: Record<string, unknown>, keepRemoved = false): BusSnapshot {
  const snapshot: Record<string, unknown> = {};
  const readings: Record<string, ScopeReading | undefined> = {};
  let anyReading = false;
  for (const [key, value] of Object.entries(items)) {
    if (value === undefined && !keepRemoved) continue;
    const scope = scopeOfKey(key);
    if (scope !== null) ((readings[scope] = value as ScopeReading | undefined), (anyReading = true));
    else if ((KEYS as readonly string[]).includes(key)) snapshot[key === BUS_KEYS.scopes ? 'index' : key] = value;
  }
  if (anyReading) snapshot.readings = readings;
  return snapshot as BusSnapshot;
}
