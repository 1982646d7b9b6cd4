/**
 * Read and follow the storage bus from a page or popup. Uses the `chrome` namespace directly
 * (promise-returning in MV3 Chrome and in Firefox) so the content script needs no polyfill.
 */
import { BUS_KEYS, type BusSnapshot } from '../core/bus';

const KEYS = Object.values(BUS_KEYS);

export async function readBus(): Promise<BusSnapshot> {
  return (await chrome.storage.local.get(KEYS)) as BusSnapshot;
}

/** Calls `onChange` with the changed bus keys; returns the unsubscribe function. */
export function followBus(onChange: (changes: BusSnapshot) => void, signal?: AbortSignal): () => void {
  const listener = (changes: Record<string, chrome.storage.StorageChange>, area: string) => {
    if (area !== 'local') return;
    const snapshot: BusSnapshot = {};
    let relevant = false;
    for (const key of KEYS) {
      if (key in changes) {
        (snapshot as Record<string, unknown>)[key] = changes[key]!.newValue;
        relevant = true;
      }
    }
    if (relevant) onChange(snapshot);
  };
  chrome.storage.onChanged.addListener(listener);
  const stop = () => chrome.storage.onChanged.removeListener(listener);
  signal?.addEventListener('abort', stop, { once: true });
  return stop;
}
