import { describe, expect, it, vi } from 'vitest';
import { parseSettings } from '../src/background/settings';
import { DEFAULT_SETTINGS, LIMITS } from '../src/core/settings';
import { addAsset, fromForm, parseNumber, toForm, type SettingsForm } from '../src/options/form';
import { sites } from '../src/sites';

vi.mock('webextension-polyfill', () => ({ default: {} }));

const SITE_IDS = sites.map((s) => s.id);
const form = (patch: Partial<SettingsForm> = {}): SettingsForm => ({ ...toForm(DEFAULT_SETTINGS, SITE_IDS), ...patch });

describe('options form ↔ settings', () => {
  it('shows the defaults in trader units and saves them back unchanged', () => {
    const f = form();
    expect([f.market1hM, f.asset1hM, f.minSidePercent, f.cooldownMinutes, f.dominantPercent]).toEqual(['50', '25', '50', '120', '65']);
    const { settings } = fromForm(f);
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, sites: Object.fromEntries(SITE_IDS.map((id) => [id, true])) });
  });

  it('turns what the trader typed into settings the worker accepts as they are', () => {
    const f = form({
      watchlist: [
        { asset: 'BTC', thresholdM: '' },
        { asset: 'DOGE', thresholdM: '2,5' },
      ],
      market1hM: '75',
      minSidePercent: '80',
      cooldownMinutes: '30',
      quietEnabled: true,
      quietStart: '23:00',
      quietEnd: '06:30',
      preferredExchange: SITE_IDS.at(-1)!,
      meterMode: 'expanded',
      venues: { ...DEFAULT_SETTINGS.venues, bitmex: false },
      phases: { ...DEFAULT_SETTINGS.alerts.phases, continuation: false },
      flushIntensity: '6.5',
      minFlushMarketM: '1.1',
    });
    const { settings, errors } = fromForm(f);
    expect(errors).toBeNull();
    expect(settings!.watchlist).toEqual(['BTC', 'DOGE']);
    expect(settings!.alerts.asset1h.perAsset).toEqual({ DOGE: 2_500_000 });
    expect(settings!.alerts.market1h.usd).toBe(75_000_000);
    expect(settings!.alerts.minSideShare).toBe(0.8);
    expect(settings!.alerts.cooldownMs).toBe(30 * 60_000);
    expect(settings!.alerts.quietHours).toEqual({ enabled: true, start: '23:00', end: '06:30' });
    expect(settings!.model.flushIntensity).toBe(6.5);
    expect(settings!.model.minFlushUsd1hMarket).toBe(1_100_000);
    // The page and the worker agree: nothing the form accepts is replaced by the zod check.
    expect(parseSettings(JSON.parse(JSON.stringify(settings)))).toEqual({ settings, issues: [], migratedFrom: null });
    // And the form shows it back as typed.
    expect(toForm(settings!, SITE_IDS).watchlist[1]).toEqual({ asset: 'DOGE', thresholdM: '2.5' });
  });

  it('refuses out-of-range and malformed input, field by field', () => {
    const { settings, errors } = fromForm(
      form({
        market1hM: '-5',
        asset1hM: 'lots',
        minSidePercent: '40',
        cooldownMinutes: '2.5',
        quietStart: '7pm',
        dominantPercent: '99',
        watchlist: [{ asset: 'BTC', thresholdM: '0' }],
      }),
    );
    expect(settings).toBeNull();
    expect(Object.fromEntries(Object.entries(errors!).map(([field, e]) => [field, e.key]))).toEqual({
      'threshold:BTC': 'errRange',
      market1hM: 'errRange',
      asset1hM: 'errRange',
      minSidePercent: 'errRange',
      cooldownMinutes: 'errWhole',
      quietStart: 'errClock',
      dominantPercent: 'errRange',
    });
    expect(errors!.minSidePercent!.substitutions).toEqual(['50', '100']);
  });

  it('needs an asset, and quiet hours that are a window', () => {
    expect(fromForm(form({ watchlist: [] })).errors).toEqual({ watchlist: { key: 'errWatchlistEmpty' } });
    expect(fromForm(form({ quietEnabled: true, quietStart: '08:00', quietEnd: '08:00' })).errors).toEqual({ quietEnd: { key: 'errQuietSame' } });
    // Switched off, equal times do not matter.
    expect(fromForm(form({ quietEnabled: false, quietStart: '08:00', quietEnd: '08:00' })).errors).toBeNull();
  });

  it('adds tickers tidied, refuses duplicates, junk and a full list', () => {
    const rows = form().watchlist;
    expect(addAsset(rows, ' pepe ')).toEqual({ rows: [...rows, { asset: 'PEPE', thresholdM: '' }] });
    expect(addAsset(rows, 'eth')).toEqual({ error: { key: 'errDuplicate' } });
    expect(addAsset(rows, 'b t c')).toEqual({ error: { key: 'errTicker' } });
    const full = Array.from({ length: LIMITS.watchlistMax }, (_, i) => ({ asset: `A${i}X`, thresholdM: '' }));
    expect(addAsset(full, 'ZZZ')).toEqual({ error: { key: 'errWatchlistFull', substitutions: ['8'] } });
  });

  it('reads numbers typed with a comma or spaces, and nothing else', () => {
    expect([parseNumber('1,5'), parseNumber(' 20 '), parseNumber('.5'), parseNumber('1e3'), parseNumber(''), parseNumber('12abc')]).toEqual([1.5, 20, 0.5, NaN, NaN, NaN]);
  });
});
