/**
 * The layout of what the extension keeps in storage.local and storage.session, as one number
 * (storage.local `version`), and the one place a change of layout is handled. At boot, before
 * anything reads storage, `ensureStorageVersion`:
 *  - on a fresh install (no version, nothing stored) writes STORAGE_VERSION;
 *  - at STORAGE_VERSION does nothing more than that one read;
 *  - at an older version runs the MIGRATIONS from it, in order, then writes STORAGE_VERSION;
 *  - otherwise starts fresh rather than guess at a layout it does not know: a newer version (a
 *    downgrade), an older one without a migration path, a migration that failed, or data without
 *    a version (no released build wrote that). Starting fresh clears both areas, as on a fresh
 *    install (the engine, alert state and instrument lists are rebuilt from the venues), then
 *    writes STORAGE_VERSION.
 * The settings are not here: they live in storage.sync, read field by field through their one
 * schema (src/background/settings.ts), so a missing or unknown field never breaks them.
 *
 * A change that readers of the current layout cannot read raises STORAGE_VERSION and adds its
 * migration to MIGRATIONS (or none, and the layout before it starts fresh).
 */
import browser from 'webextension-polyfill';
import { SCENARIO_CLOCK_KEY } from './clock';

/** The storage.local key holding the layout's version. */
export const STORAGE_VERSION_KEY = 'version';

/** 1: the layout of 0.1.0, the first release. 2: readings one key per scope; engine and dedupe state as JSON text. */
export const STORAGE_VERSION = 2;

/** What the module needs of a storage area (browser.storage.local and .session have it). */
export interface StorageArea {
  get(keys: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
  clear(): Promise<void>;
}

export interface StorageAreas {
  local: StorageArea;
  session: StorageArea;
}

/** Turns the layout of version `from` into that of `from + 1`, in place. */
export interface Migration {
  from: number;
  /** What changed, for the log. */
  what: string;
  run(areas: StorageAreas): Promise<void>;
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    what: 'readings one key per scope (the old set is dropped: the next publish writes the new keys); engine and dedupe state as JSON text',
    async run({ local, session }) {
      await local.remove('readings');
      await storeAsText(local, ['engineHistory']);
      await storeAsText(session, ['engine', 'dedupe']);
    },
  },
];

/** Rewrites the keys' object values as JSON text (src/background/worker.ts HOT_KEY, DEDUPE_KEY, HISTORY_KEY). */
async function storeAsText(area: StorageArea, keys: string[]): Promise<void> {
  const stored = await area.get(keys);
  const text = Object.fromEntries(Object.entries(stored).filter(([, value]) => value !== undefined && typeof value !== 'string').map(([key, value]) => [key, JSON.stringify(value)]));
  if (Object.keys(text).length) await area.set(text);
}

/**
 * Kept when starting fresh: the demo's request for a scenario clock is an instruction from
 * outside, not state (clock.ts); what the worker built on it goes with the rest.
 */
const KEPT_ON_RESET: readonly string[] = [SCENARIO_CLOCK_KEY];

export type StorageVersionOutcome =
  | { kind: 'fresh-install' }
  | { kind: 'current' }
  | { kind: 'migrated'; from: number }
  | { kind: 'reset'; from: unknown; why: string };

/**
 * Brings storage to STORAGE_VERSION (see the top of this file). Never throws: storage that
 * cannot be read or written is logged, and the worker boots on whatever it then reads.
 */
export async function ensureStorageVersion(
  areas: StorageAreas = { local: browser.storage.local, session: browser.storage.session },
  migrations: readonly Migration[] = MIGRATIONS,
  current: number = STORAGE_VERSION,
): Promise<StorageVersionOutcome | null> {
  try {
    const outcome = await upgrade(areas, migrations, current);
    if (outcome.kind === 'reset') console.warn(`flush-meter: stored data (version ${JSON.stringify(outcome.from)}) cleared: ${outcome.why}`);
    return outcome;
  } catch (error) {
    console.error('flush-meter: storage version check failed', error);
    return null;
  }
}

async function upgrade(areas: StorageAreas, migrations: readonly Migration[], current: number): Promise<StorageVersionOutcome> {
  const stored = (await areas.local.get(STORAGE_VERSION_KEY))[STORAGE_VERSION_KEY];
  if (stored === current) return { kind: 'current' };
  const writeVersion = () => areas.local.set({ [STORAGE_VERSION_KEY]: current });
  if (stored === undefined) {
    // Read whole only here, once per install: a fresh install has nothing but maybe the demo's clock.
    const everything = await areas.local.get(null);
    if (Object.keys(everything).every((key) => KEPT_ON_RESET.includes(key))) {
      await writeVersion();
      return { kind: 'fresh-install' };
    }
    return reset(areas, current, stored, 'data without a version');
  }
  if (!Number.isSafeInteger(stored) || (stored as number) < 1) return reset(areas, current, stored, 'not a version');
  const from = stored as number;
  if (from > current) return reset(areas, current, stored, `written by a newer version (this one reads ${current})`);
  const path = migrationPath(migrations, from, current);
  if (!path) return reset(areas, current, stored, `no migration from version ${from}`);
  try {
    for (const migration of path) await migration.run(areas);
  } catch (error) {
    return reset(areas, current, stored, `migration failed: ${String(error)}`);
  }
  await writeVersion();
  return { kind: 'migrated', from };
}

/** The migrations from `from` up to `to`, one per version, or null when one is missing. */
function migrationPath(migrations: readonly Migration[], from: number, to: number): Migration[] | null {
  const path: Migration[] = [];
  for (let version = from; version < to; version++) {
    const step = migrations.find((migration) => migration.from === version);
    if (!step) return null;
    path.push(step);
  }
  return path;
}

/** Starts fresh: both areas cleared but for KEPT_ON_RESET, then the current version written. */
async function reset(areas: StorageAreas, current: number, from: unknown, why: string): Promise<StorageVersionOutcome> {
  const kept = await areas.local.get([...KEPT_ON_RESET]);
  await areas.session.clear();
  await areas.local.clear();
  await areas.local.set({ ...kept, [STORAGE_VERSION_KEY]: current });
  return { kind: 'reset', from, why };
}
