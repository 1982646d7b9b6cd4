import { fakeBrowser } from '@webext-core/fake-browser';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parseSettings, SettingsStore } from '../src/background/settings';
import { DEFAULT_SETTINGS, defaultSettings, migrateSettings, modelThresholds, sameSettings, settingsChanges, SETTINGS_VERSION, type Settings } from '../src/core/settings';
import { settingsWith } from './alert-fixtures';

vi.mock('webextension-polyfill', async () => ({ default: (await import('@webext-core/fake-browser')).fakeBrowser }));

/** The unversioned shape the first release would have stored. */
const V0 = { watchlist: ['btc', ' eth '], venues: { ...DEFAULT_SETTINGS.venues, okx: false }, alerts: { market1hUsd: 80_000_000, cooldownMs: 3_600_000 } };

describe('settings validation (zod, in the worker)', () => {
  it('gives the defaults when nothing is stored', () => {
    expect(parseSettings(undefined)).toEqual({ settings: DEFAULT_SETTINGS, issues: [], migratedFrom: null });
  });

  it('accepts valid settings unchanged', () => {
    const custom = settingsWith((s) => {
      s.watchlist = ['BTC', 'DOGE'];
      s.alerts.asset1h.perAsset = { DOGE: 2e6 };
      s.alerts.quietHours = { enabled: true, start: '23:30', end: '06:00' };
      s.meterMode = 'expanded';
    });
    expect(parseSettings(JSON.parse(JSON.stringify(custom)))).toEqual({ settings: custom, issues: [], migratedFrom: null });
  });

  it('replaces only the invalid fields with defaults and says which', () => {
    const stored = { ...defaultSettings(), watchlist: ['BTC'], alerts: { ...defaultSettings().alerts, market1h: { enabled: true, usd: -5 }, cooldownMs: 'soon' } };
    const { settings, issues } = parseSettings(stored);
    expect(settings.watchlist).toEqual(['BTC']);
    expect(settings.alerts.market1h.usd).toBe(DEFAULT_SETTINGS.alerts.market1h.usd);
    expect(settings.alerts.cooldownMs).toBe(DEFAULT_SETTINGS.alerts.cooldownMs);
    expect(issues.map((i) => i.split(':')[0])).toEqual(['alerts.market1h.usd', 'alerts.cooldownMs']);
  });

  it('tidies the watchlist: upper case, no duplicates, bad tickers dropped, never empty, at most 8', () => {
    expect(parseSettings({ ...defaultSettings(), watchlist: [' sol', 'SOL', 'b$d', 'eth'] }).settings.watchlist).toEqual(['SOL', 'ETH']);
    expect(parseSettings({ ...defaultSettings(), watchlist: [] }).settings.watchlist).toEqual(DEFAULT_SETTINGS.watchlist);
    const nine = ['A1', 'B1', 'C1', 'D1', 'E1', 'F1', 'G1', 'H1', 'I1'];
    expect(parseSettings({ ...defaultSettings(), watchlist: nine }).settings.watchlist).toEqual(DEFAULT_SETTINGS.watchlist);
  });

  it('drops unknown sites, bad per-asset overrides and an unknown preferred exchange', () => {
    const stored = settingsWith((s) => {
      s.sites = { binance: false };
      s.alerts.asset1h.perAsset = { BTC: 30e6, 'not ok': 5e6 };
    }) as unknown as Record<string, unknown>;
    const { settings } = parseSettings({ ...stored, preferredExchange: 'nowhere', sites: { binance: false, nowhere: true } });
    expect(settings.preferredExchange).toBe('binance');
    expect(settings.sites).toEqual({ binance: false });
    expect(settings.alerts.asset1h.perAsset).toEqual({ BTC: 30e6 });
  });

  it('rejects malformed quiet hours and out-of-range model thresholds', () => {
    const { settings, issues } = parseSettings({
      ...defaultSettings(),
      alerts: { ...defaultSettings().alerts, quietHours: { enabled: true, start: '25:00', end: '07:00' } },
      model: { ...defaultSettings().model, dominantShare: 0.2 },
    });
    expect(settings.alerts.quietHours.start).toBe('22:00');
    expect(settings.alerts.quietHours.enabled).toBe(true);
    expect(settings.model.dominantShare).toBe(DEFAULT_SETTINGS.model.dominantShare);
    expect(issues).toHaveLength(2);
  });

  it('fills fields an older or partial write lacks, silently', () => {
    const { settings, issues } = parseSettings({ version: 1, watchlist: ['ETH'] });
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, watchlist: ['ETH'] });
    expect(issues).toEqual([]);
  });
});

describe('settings migration', () => {
  it('brings the unversioned first-release shape to the current version', () => {
    const { settings, migratedFrom, issues } = parseSettings(V0);
    expect(migratedFrom).toBe(0);
    expect(issues).toEqual([]);
    expect(settings.version).toBe(SETTINGS_VERSION);
    expect(settings.watchlist).toEqual(['BTC', 'ETH']);
    expect(settings.venues.okx).toBe(false);
    expect(settings.alerts.market1h).toEqual({ enabled: true, usd: 80_000_000 });
    expect(settings.alerts.cooldownMs).toBe(3_600_000);
    expect(settings.alerts.phases).toEqual(DEFAULT_SETTINGS.alerts.phases);
  });

  it('is a no-op for the current version, and reads a newer version as far as it fits', () => {
    expect(migrateSettings(defaultSettings()).value).toEqual(DEFAULT_SETTINGS);
    const future = { ...defaultSettings(), version: SETTINGS_VERSION + 1, newThing: true };
    const parsed = parseSettings(future);
    expect(parsed.settings).toEqual(DEFAULT_SETTINGS);
    expect(parsed.migratedFrom).toBeNull();
  });

  it('treats garbage as nothing stored', () => {
    expect(migrateSettings('nope')).toEqual({ value: {}, from: null });
    expect(parseSettings([1, 2]).settings).toEqual(DEFAULT_SETTINGS);
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
    expect(settingsChanges(DEFAULT_SETTINGS, after)).toEqual({ watchlist: true, venues: ['bybit'], model: true });
    expect(settingsChanges(DEFAULT_SETTINGS, settingsWith((s) => (s.alerts.cooldownMs = 600_000)))).toEqual({ watchlist: false, venues: [], model: false });
  });

  it('maps the model settings onto the engine thresholds', () => {
    expect(modelThresholds({ flushIntensity: 7, dominantShare: 0.7, minFlushUsd1hMarket: 20e6, minFlushUsd1hAsset: 4e6 })).toEqual({
      flushIntensity: 7,
      dominantShare: 0.7,
      minFlushUsd1h: { market: 20e6, asset: 4e6 },
    });
  });
});

describe('SettingsStore (storage.sync → worker → storage.local)', () => {
  beforeEach(() => fakeBrowser.reset());

  it('loads, migrates once, writes the migrated shape back and publishes what is in force', async () => {
    await fakeBrowser.storage.sync.set({ settings: V0 });
    const store = new SettingsStore();
    const loaded = await store.load();
    expect(loaded.alerts.market1h.usd).toBe(80_000_000);
    const synced = (await fakeBrowser.storage.sync.get('settings')).settings as Settings;
    expect(synced.version).toBe(SETTINGS_VERSION);
    const local = await fakeBrowser.storage.local.get(['settings', 'settingsIssues']);
    expect(local).toEqual({ settings: loaded, settingsIssues: [] });
  });

  it('runs on the defaults when storage.sync cannot be read', async () => {
    const spy = vi.spyOn(fakeBrowser.storage.sync, 'get').mockRejectedValueOnce(new Error('sync disabled by policy'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await new SettingsStore().load()).toEqual(DEFAULT_SETTINGS);
    expect(warn).toHaveBeenCalled();
    spy.mockRestore();
    warn.mockRestore();
  });

  it('follows storage.sync: an options change reaches the worker without a reload', async () => {
    const store = new SettingsStore();
    store.follow();
    await store.load();
    const seen: Array<[Settings, Settings]> = [];
    store.onChange((next, previous) => seen.push([next, previous]));
    const changed = settingsWith((s) => (s.watchlist = ['BTC', 'PEPE']));
    await fakeBrowser.storage.sync.set({ settings: changed });
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]![0].watchlist).toEqual(['BTC', 'PEPE']);
    expect(seen[0]![1].watchlist).toEqual(DEFAULT_SETTINGS.watchlist);
    expect(store.value.watchlist).toEqual(['BTC', 'PEPE']);
    expect(((await fakeBrowser.storage.local.get('settings')).settings as Settings).watchlist).toEqual(['BTC', 'PEPE']);
  });

  it('publishes the issues of an invalid save and keeps the valid part', async () => {
    const store = new SettingsStore();
    store.follow();
    await store.load();
    await fakeBrowser.storage.sync.set({ settings: { ...defaultSettings(), meterMode: 'huge', watchlist: ['XRP'] } });
    await vi.waitFor(async () => expect(((await fakeBrowser.storage.local.get('settingsIssues')).settingsIssues as string[]).length).toBe(1));
    expect(store.value.watchlist).toEqual(['XRP']);
    expect(store.value.meterMode).toBe('compact');
  });
});
