/** The storage layout's version and its one migration seam (src/background/storage-version.ts). */
import { fakeBrowser } from '@webext-core/fake-browser';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureStorageVersion, MIGRATIONS, STORAGE_VERSION, STORAGE_VERSION_KEY, type Migration, type StorageArea, type StorageAreas } from '../src/background/storage-version';

vi.mock('webextension-polyfill', () => ({ default: fakeBrowser }));

/** What a running 0.1.0 keeps (keys as src/background/worker.ts, catalogue.ts and bus.ts name them). */
const ENGINE_STATE = { windows: {}, markets: {}, liqFrom: 1, lastAt: 2, history: {}, model: {}, sampledAt: {} };
const LOCAL = { engineHistory: ENGINE_STATE, alertState: { lastFired: {}, active: {}, seen: {}, pending: {} }, readings: { computedAt: 2, collectingSince: 1, scopes: {} }, instruments: {}, 'dock:binance': { x: 1, y: 2 } };
const SESSION = { engine: ENGINE_STATE, dedupe: { recent: [] } };
const CLOCK = { wallAt: 1, clockAt: 2, speed: 50 };

const local = () => fakeBrowser.storage.local.get(null);
const session = () => fakeBrowser.storage.session.get(null);

/** The fake browser's areas, with every call recorded. */
function recorded(): { areas: StorageAreas; calls: string[] } {
  const calls: string[] = [];
  const wrap = (name: string, area: StorageArea): StorageArea => ({
    get: (keys) => (calls.push(`${name}.get ${JSON.stringify(keys)}`), area.get(keys)),
    set: (items) => (calls.push(`${name}.set ${Object.keys(items).join(',')}`), area.set(items)),
    remove: (keys) => (calls.push(`${name}.remove ${JSON.stringify(keys)}`), area.remove(keys)),
    clear: () => (calls.push(`${name}.clear`), area.clear()),
  });
  return { areas: { local: wrap('local', fakeBrowser.storage.local), session: wrap('session', fakeBrowser.storage.session) }, calls };
}

beforeAll(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterAll(() => vi.restoreAllMocks());
beforeEach(() => fakeBrowser.reset());

describe('the storage version', () => {
  it('is 2, with the migration from the layout of 0.1.0', () => {
    expect(STORAGE_VERSION).toBe(2);
    expect(MIGRATIONS.map((m) => m.from)).toEqual([1]);
  });

  it("migrates 0.1.0's layout: the readings set dropped, engine and dedupe state kept as JSON text the worker reads", async () => {
    await fakeBrowser.storage.local.set({ ...LOCAL, [STORAGE_VERSION_KEY]: 1 });
    await fakeBrowser.storage.session.set(SESSION);
    expect(await ensureStorageVersion()).toEqual({ kind: 'migrated', from: 1 });
    const { readings: _gone, engineHistory, ...rest } = LOCAL;
    expect(await local()).toEqual({ ...rest, engineHistory: JSON.stringify(engineHistory), [STORAGE_VERSION_KEY]: 2 });
    expect(await session()).toEqual({ engine: JSON.stringify(SESSION.engine), dedupe: JSON.stringify(SESSION.dedupe) });
  });

  it('a fresh install writes the version and nothing else', async () => {
    expect(await ensureStorageVersion()).toEqual({ kind: 'fresh-install' });
    expect(await local()).toEqual({ [STORAGE_VERSION_KEY]: STORAGE_VERSION });
  });

  it("a fresh install keeps the demo's scenario clock request (written before the worker's first boot)", async () => {
    await fakeBrowser.storage.local.set({ scenarioClock: CLOCK });
    expect(await ensureStorageVersion()).toEqual({ kind: 'fresh-install' });
    expect(await local()).toEqual({ scenarioClock: CLOCK, [STORAGE_VERSION_KEY]: STORAGE_VERSION });
  });

  it('at the same version touches nothing: one read of the version key, no write', async () => {
    await fakeBrowser.storage.local.set({ ...LOCAL, [STORAGE_VERSION_KEY]: STORAGE_VERSION });
    await fakeBrowser.storage.session.set(SESSION);
    const { areas, calls } = recorded();
    expect(await ensureStorageVersion(areas)).toEqual({ kind: 'current' });
    expect(calls).toEqual([`local.get "${STORAGE_VERSION_KEY}"`]);
    expect(await local()).toEqual({ ...LOCAL, [STORAGE_VERSION_KEY]: STORAGE_VERSION });
    expect(await session()).toEqual(SESSION);
  });

  it('at an older version runs the registered migrations from it, in order, then writes the version', async () => {
    await fakeBrowser.storage.local.set({ [STORAGE_VERSION_KEY]: 1, engineHistory: { v: 1 } });
    const ran: string[] = [];
    /** Records what the layout held when it ran, then writes its own. */
    const step = async ({ local }: StorageAreas, name: string, to: number) => {
      ran.push(`${name} saw ${JSON.stringify(await local.get('engineHistory'))}`);
      await local.set({ engineHistory: { v: to } });
    };
    const migrations: Migration[] = [
      // Registered out of order: the seam orders them by version.
      { from: 2, what: 'v2 → v3', run: (areas) => step(areas, '2→3', 3) },
      { from: 1, what: 'v1 → v2', run: (areas) => step(areas, '1→2', 2) },
      { from: 0, what: 'never run', run: async () => void ran.push('0→1') },
    ];
    expect(await ensureStorageVersion(undefined, migrations, 3)).toEqual({ kind: 'migrated', from: 1 });
    expect(ran).toEqual(['1→2 saw {"engineHistory":{"v":1}}', '2→3 saw {"engineHistory":{"v":2}}']);
    expect(await local()).toEqual({ [STORAGE_VERSION_KEY]: 3, engineHistory: { v: 3 } });
  });

  it('at a newer version (a downgrade) clears the engine state rather than misreading it, and writes its own version', async () => {
    await fakeBrowser.storage.local.set({ ...LOCAL, scenarioClock: CLOCK, [STORAGE_VERSION_KEY]: STORAGE_VERSION + 1, engineHistoryV2: { some: 'new layout' } });
    await fakeBrowser.storage.session.set(SESSION);
    const outcome = await ensureStorageVersion();
    expect(outcome).toMatchObject({ kind: 'reset', from: STORAGE_VERSION + 1 });
    expect(await local()).toEqual({ scenarioClock: CLOCK, [STORAGE_VERSION_KEY]: STORAGE_VERSION });
    expect(await session()).toEqual({});
    // The next boot finds its own layout.
    expect(await ensureStorageVersion()).toEqual({ kind: 'current' });
  });

  it.each([
    ['data without a version (no released build wrote that)', undefined],
    ['a version that is not a whole number ≥ 1', '1'],
    ['a version that is not a whole number ≥ 1', 0],
  ])('starts fresh from %s', async (_what, version) => {
    await fakeBrowser.storage.local.set({ ...LOCAL, ...(version === undefined ? {} : { [STORAGE_VERSION_KEY]: version }) });
    await fakeBrowser.storage.session.set(SESSION);
    expect(await ensureStorageVersion()).toMatchObject({ kind: 'reset' });
    expect(await local()).toEqual({ [STORAGE_VERSION_KEY]: STORAGE_VERSION });
    expect(await session()).toEqual({});
  });

  it('starts fresh from an older version it has no migration path for, or whose migration fails', async () => {
    const seed = () => fakeBrowser.storage.local.set({ ...LOCAL, [STORAGE_VERSION_KEY]: 1 });
    await seed();
    // 1 → 2 registered, 2 → 3 missing: nothing runs.
    const ran: number[] = [];
    const partial: Migration[] = [{ from: 1, what: 'v1 → v2', run: async () => void ran.push(1) }];
    expect(await ensureStorageVersion(undefined, partial, 3)).toMatchObject({ kind: 'reset', why: 'no migration from version 1' });
    expect(ran).toEqual([]);
    expect(await local()).toEqual({ [STORAGE_VERSION_KEY]: 3 });

    fakeBrowser.reset();
    await seed();
    const failing: Migration[] = [
      {
        from: 1,
        what: 'v1 → v2',
        run: async ({ local }) => {
          await local.set({ half: 'written' });
          throw new Error('bad row');
        },
      },
    ];
    expect(await ensureStorageVersion(undefined, failing, 2)).toMatchObject({ kind: 'reset', why: 'migration failed: Error: bad row' });
    expect(await local()).toEqual({ [STORAGE_VERSION_KEY]: 2 });
  });

  it('never throws: storage it cannot read is logged and the worker boots on', async () => {
    const broken: StorageArea = { get: () => Promise.reject(new Error('IO error')), set: () => Promise.resolve(), remove: () => Promise.resolve(), clear: () => Promise.resolve() };
    await expect(ensureStorageVersion({ local: broken, session: broken })).resolves.toBeNull();
    expect(console.error).toHaveBeenCalled();
  });
});
