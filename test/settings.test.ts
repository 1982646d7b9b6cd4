/**
 * The one settings schema (src/background/settings.ts) and the worker's settings store: what a
 * save must be, how what storage.sync holds is read back, and what reaches storage.
 */
import { fakeBrowser } from '@webext-core/fake-browser';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { readStoredSettings, SettingsStore, validateSettings } from '../src/background/settings';
import { DEFAULT_SETTINGS, levelAssumptions, modelThresholds, sameSettings, settingsChanges, type Settings } from '../src/core/settings';
import { EN, settingsWith } from './alert-fixtures';

vi.mock('webextension-polyfill', async () => ({ default: (await import('@webext-core/fake-browser')).fakeBrowser }));

/** Settings as JSON has them (what storage and messaging hand over). */
const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

const CUSTOM = settingsWith((s) => {
  s.watchlist = ['BTC', 'DOGE'];
  s.venues.okx = false;
  s.sites = { bybit: false };
  s.preferredExchange = 'okx';
  s.meterMode = 'expanded';
  s.alerts.asset1h.perAsset = { DOGE: 2e6 };
  s.alerts.minSideShare = 0.8;
  s.alerts.cooldownMs = 30 * 60_000;
  s.alerts.quietHours = { enabled: true, start: '23:30', end: '06:00' };
  s.model.dominantShare = 0.7;
});

describe('the settings schema: the live tape', () => {
  it('defaults to prints from $100K, sound off, sounding from $1M', () => {
    expect(validateSettings({}).settings!.tape).toEqual({ minUsd: 100_000, soundUsd: 1_000_000, sound: false });
    expect(validateSettings({ tape: { sound: true } }).settings!.tape).toEqual({ minUsd: 100_000, soundUsd: 1_000_000, sound: true });
  });

  it('accepts thresholds from $10K to $1B and refuses others at their field, with the bounds', () => {
    expect(validateSettings({ tape: { minUsd: 10_000, soundUsd: 1e9, sound: true } }).settings!.tape).toEqual({ minUsd: 10_000, soundUsd: 1e9, sound: true });
    const { issues } = validateSettings({ tape: { minUsd: 9_999, soundUsd: Number.NaN, sound: 'yes' } });
    expect(issues).toEqual([
      { path: 'tape.minUsd', key: 'errRange', values: [10_000, 1e9] },
      { path: 'tape.soundUsd', key: 'errRange', values: [10_000, 1e9] },
      { path: 'tape.sound', key: 'errInvalid' },
    ]);
  });

  it('reads a bad stored tape value back as its default, keeping the rest', () => {
    const { settings, issues } = readStoredSettings({ tape: { minUsd: 'lots', soundUsd: 250_000, sound: true } });
    expect(settings.tape).toEqual({ minUsd: 100_000, soundUsd: 250_000, sound: true });
    expect(issues.map((i) => i.path)).toEqual(['tape.minUsd']);
  });
});

describe('the settings schema: a save', () => {
  it('accepts valid settings as they are', () => {
    expect(validateSettings(json(CUSTOM))).toEqual({ settings: CUSTOM, issues: null });
  });

  it('gives every missing field its default, at every depth', () => {
    expect(validateSettings({ watchlist: ['ETH'] }).settings).toEqual({ ...DEFAULT_SETTINGS, watchlist: ['ETH'] });
    const { settings } = validateSettings({ alerts: { market1h: { usd: 80e6 }, quietHours: { enabled: true } }, model: {} });
    expect(settings!.alerts.market1h).toEqual({ enabled: true, usd: 80e6 });
    expect(settings!.alerts.quietHours).toEqual({ ...DEFAULT_SETTINGS.alerts.quietHours, enabled: true });
    expect(settings!.alerts.phases).toEqual(DEFAULT_SETTINGS.alerts.phases);
    expect(settings!.model).toEqual(DEFAULT_SETTINGS.model);
    expect(validateSettings({}).settings).toEqual(DEFAULT_SETTINGS);
  });

  it('drops unknown fields: top level, nested, and sites or venues this build does not know', () => {
    const stored = { ...json(CUSTOM), theme: 'dark', alerts: { ...json(CUSTOM.alerts), sound: true }, venues: { ...CUSTOM.venues, kraken: true }, sites: { bybit: false, nowhere: true } };
    const { settings } = validateSettings(stored);
    expect(settings).toEqual(CUSTOM);
    expect(Object.keys(settings!)).not.toContain('theme');
    expect(Object.keys(settings!.alerts)).not.toContain('sound');
    expect(Object.keys(settings!.venues)).not.toContain('kraken');
    expect(settings!.sites).toEqual({ bybit: false });
  });

  it('refuses bad values with one clear issue each: the field, its message and its bounds', () => {
    const { settings, issues } = validateSettings({
      ...json(CUSTOM),
      watchlist: ['BTC', 'b$d'],
      meterMode: 'huge',
      preferredExchange: 'nowhere',
      alerts: {
        ...json(CUSTOM.alerts),
        market1h: { enabled: true, usd: null },
        asset1h: { enabled: true, usd: 25e6, perAsset: { 'b t c': 2e6, ETH: 1 } },
        minSideShare: 0.4,
        cooldownMs: 150_000,
        quietHours: { enabled: true, start: '08:00', end: '08:00' },
      },
      model: { ...CUSTOM.model, flushIntensity: 'lots' },
    });
    expect(settings).toBeNull();
    expect(issues).toEqual([
      { path: 'watchlist.1', key: 'errTicker' },
      { path: 'preferredExchange', key: 'errInvalid' },
      { path: 'meterMode', key: 'errInvalid' },
      { path: 'alerts.market1h.usd', key: 'errRange', values: [100_000, 100_000_000_000] },
      { path: 'alerts.asset1h.perAsset.b t c', key: 'errTicker' },
      { path: 'alerts.asset1h.perAsset.ETH', key: 'errRange', values: [100_000, 100_000_000_000] },
      { path: 'alerts.minSideShare', key: 'errRange', values: [0.5, 1] },
      // Not whole minutes, and out of range: the first thing to fix is said.
      { path: 'alerts.cooldownMs', key: 'errWhole', values: [300_000, 86_400_000] },
      { path: 'alerts.quietHours.end', key: 'errQuietSame' },
      { path: 'model.flushIntensity', key: 'errRange', values: [2, 50] },
    ]);
    // Every message exists in _locales and reads as a sentence.
    for (const issue of issues!) expect(EN.t(issue.key, issue.values?.map(String)), issue.path).toMatch(/^[A-Z].+\.$/);
    expect(EN.t('errRange', ['0.5', '1'])).toBe('Enter a number from 0.5 to 1.');
  });

  it('refuses an empty watchlist, and anything that is not an object', () => {
    expect(validateSettings({ watchlist: [] }).issues).toEqual([{ path: 'watchlist', key: 'errWatchlistEmpty', values: [1] }]);
    expect(validateSettings('settings').issues).toEqual([{ path: '', key: 'errInvalid' }]);
    expect(validateSettings(null).issues).toEqual([{ path: '', key: 'errInvalid' }]);
  });

  it('takes a watchlist of any length (no cap: the poll scheduler keeps each venue within its budget)', () => {
    const watchlist = Array.from({ length: 36 }, (_, i) => `A${i}X`);
    expect(validateSettings({ watchlist }).settings?.watchlist).toEqual(watchlist);
    expect(readStoredSettings({ watchlist }).settings.watchlist).toEqual(watchlist);
  });

  it('tidies tickers: trimmed, upper case, no duplicates', () => {
    expect(validateSettings({ watchlist: [' sol', 'SOL', 'eth'], alerts: { asset1h: { perAsset: { ' doge': 2e6 } } } }).settings).toMatchObject({
      watchlist: ['SOL', 'ETH'],
      alerts: { asset1h: { perAsset: { DOGE: 2e6 } } },
    });
  });
});

describe('the settings schema: reading storage.sync back', () => {
  it('reads nothing stored, or something that is not settings, as the defaults', () => {
    for (const stored of [undefined, null, 'nope', [1, 2], 42]) expect(readStoredSettings(stored)).toEqual({ settings: DEFAULT_SETTINGS, issues: [] });
  });

  it('keeps valid settings as they are, and fills missing fields silently', () => {
    expect(readStoredSettings(json(CUSTOM))).toEqual({ settings: CUSTOM, issues: [] });
    expect(readStoredSettings({ watchlist: ['ETH'], alerts: { fundingFlip: false } })).toEqual({
      settings: settingsWith((s) => {
        s.watchlist = ['ETH'];
        s.alerts.fundingFlip = false;
      }),
      issues: [],
    });
  });

  it('puts the default back for each bad value only, keeps the rest, and says which', () => {
    const stored = { ...json(CUSTOM), meterMode: 'huge', alerts: { ...json(CUSTOM.alerts), market1h: { enabled: false, usd: -5 }, cooldownMs: 'soon' } };
    const { settings, issues } = readStoredSettings(stored);
    expect(settings).toEqual({
      ...CUSTOM,
      meterMode: DEFAULT_SETTINGS.meterMode,
      alerts: { ...CUSTOM.alerts, market1h: { enabled: false, usd: DEFAULT_SETTINGS.alerts.market1h.usd }, cooldownMs: DEFAULT_SETTINGS.alerts.cooldownMs },
    });
    expect(issues.map((i) => i.path)).toEqual(['meterMode', 'alerts.market1h.usd', 'alerts.cooldownMs']);
  });

  it('drops a bad list item or map entry alone; a list with nothing valid left takes its default', () => {
    const { settings } = readStoredSettings({ watchlist: [' sol', 'b$d', 'eth'], alerts: { asset1h: { perAsset: { BTC: 30e6, 'not ok': 5e6, ETH: -1 } } } });
    expect(settings.watchlist).toEqual(['SOL', 'ETH']);
    expect(settings.alerts.asset1h.perAsset).toEqual({ BTC: 30e6 });
    expect(readStoredSettings({ watchlist: ['b$d'] }).settings.watchlist).toEqual(DEFAULT_SETTINGS.watchlist);
    expect(readStoredSettings({ watchlist: [] }).settings.watchlist).toEqual(DEFAULT_SETTINGS.watchlist);
  });

  it('resets a group whose default alone cannot fix it (a quiet window of zero length)', () => {
    const { settings, issues } = readStoredSettings({ alerts: { quietHours: { enabled: true, start: '07:00', end: '07:00' } } });
    expect(settings.alerts.quietHours).toEqual(DEFAULT_SETTINGS.alerts.quietHours);
    expect(issues).toEqual([{ path: 'alerts.quietHours.end', key: 'errQuietSame' }]);
  });

  it('reads any stored version as this build’s: there is nothing older to migrate', () => {
    expect(readStoredSettings({ ...json(CUSTOM), version: 7 })).toEqual({ settings: CUSTOM, issues: [] });
  });
});

describe('the settings schema: the leverage mix (levels.leverageMix)', () => {
  const mix = (leverageMix: unknown) => validateSettings({ ...json(DEFAULT_SETTINGS), levels: { leverageMix } });

  it('defaults to issue 17\'s mix: 5× 15 %, 10× 30 %, 25× 25 %, 50× 20 %, 100× 10 %', () => {
    expect(validateSettings({}).settings!.levels.leverageMix).toEqual([
      { leverage: 5, weight: 0.15 },
      { leverage: 10, weight: 0.3 },
      { leverage: 25, weight: 0.25 },
      { leverage: 50, weight: 0.2 },
      { leverage: 100, weight: 0.1 },
    ]);
    expect(mix(DEFAULT_SETTINGS.levels.leverageMix).settings).toEqual(DEFAULT_SETTINGS);
  });

  it('normalises the weights, merges equal leverages and sorts by leverage', () => {
    const { settings } = mix([
      { leverage: 20, weight: 3 },
      { leverage: 2, weight: 1 },
      { leverage: 20, weight: 4 },
    ]);
    expect(settings!.levels.leverageMix).toEqual([
      { leverage: 2, weight: 0.125 },
      { leverage: 20, weight: 0.875 },
    ]);
    expect(mix([{ leverage: 200, weight: 0 }, { leverage: 1, weight: 5 }]).settings!.levels.leverageMix).toEqual([
      { leverage: 1, weight: 1 },
      { leverage: 200, weight: 0 },
    ]);
  });

  it.each([
    ['no slices', []],
    ['a leverage below 1', [{ leverage: 0.5, weight: 1 }]],
    ['a leverage above 200', [{ leverage: 250, weight: 1 }]],
    ['a negative weight', [{ leverage: 10, weight: -1 }, { leverage: 20, weight: 2 }]],
    ['weights summing to zero', [{ leverage: 10, weight: 0 }]],
    ['more than 12 slices', Array.from({ length: 13 }, (_, i) => ({ leverage: i + 1, weight: 1 }))],
    ['a missing weight', [{ leverage: 10 }]],
    ['NaN sent as null', [{ leverage: null, weight: 1 }]],
    ['not a list', '5x15'],
  ])('refuses %s with errLeverageMix and its bounds', (_, leverageMix) => {
    expect(mix(leverageMix)).toEqual({ settings: null, issues: [{ path: 'levels.leverageMix', key: 'errLeverageMix', values: [1, 200, 12] }] });
  });

  it('reads a bad stored mix as the default, keeping the rest', () => {
    const { settings, issues } = readStoredSettings({ ...json(CUSTOM), levels: { leverageMix: [{ leverage: 500, weight: 1 }] } });
    expect(settings).toEqual(CUSTOM);
    expect(issues).toEqual([{ path: 'levels.leverageMix', key: 'errLeverageMix', values: [1, 200, 12] }]);
  });

  it('a changed mix is a change the worker acts on, and maps onto the level model', () => {
    const after = settingsWith((s) => (s.levels.leverageMix = [{ leverage: 20, weight: 1 }]));
    expect(settingsChanges(DEFAULT_SETTINGS, after).levels).toBe(true);
    expect(levelAssumptions(after.levels)).toEqual({ leverageMix: [{ leverage: 20, weight: 1 }] });
  });
});

describe('settings helpers', () => {
  it('compares settings regardless of key order', () => {
    const { model, ...rest } = DEFAULT_SETTINGS;
    const reordered = JSON.parse(JSON.stringify({ model, ...rest }));
    expect(sameSettings(reordered, DEFAULT_SETTINGS)).toBe(true);
    expect(sameSettings(settingsWith((s) => (s.alerts.fundingFlip = false)), DEFAULT_SETTINGS)).toBe(false);
  });

  it('names what changed for the worker: watchlist, venues, model', () => {
    const after = settingsWith((s) => {
      s.watchlist = ['BTC'];
      s.venues.bybit = false;
      s.model.flushIntensity = 8;
    });
    expect(settingsChanges(DEFAULT_SETTINGS, after)).toEqual({ watchlist: true, venues: ['bybit'], model: true, levels: false });
    expect(settingsChanges(DEFAULT_SETTINGS, settingsWith((s) => (s.alerts.cooldownMs = 600_000)))).toEqual({ watchlist: false, venues: [], model: false, levels: false });
  });

  it('maps the model settings onto the engine thresholds', () => {
    expect(modelThresholds({ flushIntensity: 7, dominantShare: 0.7, minFlushUsd1hMarket: 20e6, minFlushUsd1hAsset: 4e6 })).toEqual({
      flushIntensity: 7,
      dominantShare: 0.7,
      minFlushUsd1h: { market: 20e6, asset: 4e6 },
    });
  });
});

describe('SettingsStore (the worker: storage.sync in, storage.local out)', () => {
  beforeEach(() => fakeBrowser.reset());
  const local = async () => (await fakeBrowser.storage.local.get(null)) as Record<string, unknown>;
  const synced = async () => (await fakeBrowser.storage.sync.get('settings')).settings as Settings | undefined;

  it('loads through the schema and publishes what is in force, nothing else', async () => {
    await fakeBrowser.storage.sync.set({ settings: { ...json(CUSTOM), meterMode: 'huge' } });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const loaded = await new SettingsStore().load();
    expect(loaded).toEqual({ ...CUSTOM, meterMode: 'compact' });
    expect(await local()).toEqual({ settings: loaded });
    // Read, not rewritten: storage.sync changes only on a save.
    expect((await synced())!.meterMode).toBe('huge');
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });

  it('runs on the defaults when storage.sync cannot be read', async () => {
    const spy = vi.spyOn(fakeBrowser.storage.sync, 'get').mockRejectedValueOnce(new Error('sync disabled by policy'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await new SettingsStore().load()).toEqual(DEFAULT_SETTINGS);
    expect(warn).toHaveBeenCalled();
    spy.mockRestore();
    warn.mockRestore();
  });

  it('follows storage.sync: settings synced from another device reach the worker through the schema', async () => {
    const store = new SettingsStore();
    store.follow();
    await store.load();
    const seen: Array<[Settings, Settings]> = [];
    store.onChange((next, previous) => seen.push([next, previous]));
    await fakeBrowser.storage.sync.set({ settings: { watchlist: ['btc', 'PEPE'], unknown: 1 } });
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]![0]).toEqual({ ...DEFAULT_SETTINGS, watchlist: ['BTC', 'PEPE'] });
    expect(seen[0]![1]).toEqual(DEFAULT_SETTINGS);
    expect(store.value.watchlist).toEqual(['BTC', 'PEPE']);
    expect(((await local()).settings as Settings).watchlist).toEqual(['BTC', 'PEPE']);
  });

  it('validates a save before anything is stored: refused settings change nothing', async () => {
    const store = new SettingsStore();
    await store.load();
    const before = await local();
    const result = await store.save({ ...json(CUSTOM), alerts: { ...json(CUSTOM.alerts), minSideShare: 2 } });
    expect(result).toEqual({ settings: null, why: { key: 'optInvalid', issues: [{ path: 'alerts.minSideShare', key: 'errRange', values: [0.5, 1] }] } });
    expect(await synced()).toBeUndefined();
    expect(await local()).toEqual(before);
    expect(store.value).toEqual(DEFAULT_SETTINGS);
  });

  it('stores and publishes a valid save, and its own change event does not apply it a second time', async () => {
    const store = new SettingsStore();
    store.follow();
    await store.load();
    const listener = vi.fn();
    store.onChange(listener);
    expect(await store.save(json(CUSTOM))).toEqual({ settings: CUSTOM, why: null });
    expect(await synced()).toEqual(CUSTOM);
    expect((await local()).settings).toEqual(CUSTOM);
    expect(store.value).toEqual(CUSTOM);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(listener).not.toHaveBeenCalled();
  });

  it('says why when the browser refuses to store a save, and keeps what was in force', async () => {
    const store = new SettingsStore();
    await store.load();
    const spy = vi.spyOn(fakeBrowser.storage.sync, 'set').mockRejectedValueOnce(new Error('QUOTA_BYTES_PER_ITEM quota exceeded'));
    expect(await store.save(json(CUSTOM))).toEqual({ settings: null, why: { key: 'saveNotStored', substitutions: ['QUOTA_BYTES_PER_ITEM quota exceeded'] } });
    expect(store.value).toEqual(DEFAULT_SETTINGS);
    expect((await local()).settings).toEqual(DEFAULT_SETTINGS);
    spy.mockRestore();
  });
});
