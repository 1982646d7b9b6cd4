/**
 * The options form: trader units ↔ settings, and the schema's issues put back at the fields they
 * came from, worded via _locales with the bounds in the field's units.
 */
import { describe, expect, it, vi } from 'vitest';
import { validateSettings } from '../src/background/settings';
import { DEFAULT_SETTINGS, LIMITS } from '../src/core/settings';
import { addAsset, formErrors, fromForm, parseLeverageMixText, parseNumber, toForm, type FormErrors, type SettingsForm } from '../src/options/form';
import { sites } from '../src/sites';
import { EN } from './alert-fixtures';

vi.mock('webextension-polyfill', () => ({ default: {} }));

const SITE_IDS = sites.map((s) => s.id);
const form = (patch: Partial<SettingsForm> = {}): SettingsForm => ({ ...toForm(DEFAULT_SETTINGS, SITE_IDS), ...patch });
/** What the page sends, as runtime messaging delivers it (JSON: NaN arrives as null). */
const sent = (f: SettingsForm) => JSON.parse(JSON.stringify(fromForm(f)));
/** The worker's verdict on the form, at the form's fields, in English. */
function shown(f: SettingsForm): Record<string, string> {
  const { issues } = validateSettings(sent(f));
  const { errors, other } = formErrors(issues ?? []);
  expect(other).toEqual([]);
  return worded(errors);
}
const worded = (errors: FormErrors) => Object.fromEntries(Object.entries(errors).map(([field, e]) => [field, EN.t(e.key, e.substitutions)]));

describe('options form: the leverage mix', () => {
  it('shows the default as leverage × percent pairs', () => {
    expect(form().leverageMix).toBe('5×15, 10×30, 25×25, 50×20, 100×10');
  });

  it('reads pairs typed in common ways; the schema normalises the shares', () => {
    expect(parseLeverageMixText('3x50, 20 × 30 ，100*20%')).toEqual([
      { leverage: 3, weight: 0.5 },
      { leverage: 20, weight: 0.3 },
      { leverage: 100, weight: 0.2 },
    ]);
    const { settings, issues } = validateSettings(sent(form({ leverageMix: '10×1, 20×3' })));
    expect(issues).toBeNull();
    expect(settings!.levels.leverageMix).toEqual([
      { leverage: 10, weight: 0.25 },
      { leverage: 20, weight: 0.75 },
    ]);
    expect(toForm(settings!, SITE_IDS).leverageMix).toBe('10×25, 20×75');
  });

  it.each(['', 'ten times', '10×', '5×15, 300×10', '5×0', Array.from({ length: 13 }, (_, i) => `${i + 1}×1`).join(', ')])('puts a clear error at the field for %j', (text) => {
    expect(shown(form({ leverageMix: text }))).toEqual({
      leverageMix: `Enter up to ${LIMITS.leverageMix.maxSlices} pairs like 10×30, separated by commas: each leverage from 1 to 200, each share 0 or more, not all 0.`,
    });
  });
});

describe('options form ↔ settings', () => {
  it('shows the defaults in trader units and sends them back unchanged', () => {
    const f = form();
    expect([f.market1hM, f.asset1hM, f.minSidePercent, f.cooldownMinutes, f.dominantPercent]).toEqual(['50', '25', '50', '120', '65']);
    expect(validateSettings(sent(f))).toEqual({ settings: { ...DEFAULT_SETTINGS, sites: Object.fromEntries(SITE_IDS.map((id) => [id, true])) }, issues: null });
  });

  it('turns what the trader typed into settings the schema accepts as they are', () => {
    const f = form({
      watchlist: [
        { asset: 'BTC', thresholdM: '' },
        { asset: 'DOGE', thresholdM: '2,5' },
      ],
      market1hM: '75',
      minSidePercent: '57',
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
    const { settings, issues } = validateSettings(sent(f));
    expect(issues).toBeNull();
    expect(settings).toEqual(fromForm(f));
    expect(settings!.watchlist).toEqual(['BTC', 'DOGE']);
    expect(settings!.alerts.asset1h.perAsset).toEqual({ DOGE: 2_500_000 });
    expect(settings!.alerts.market1h.usd).toBe(75_000_000);
    expect(settings!.alerts.minSideShare).toBe(0.57);
    expect(settings!.alerts.cooldownMs).toBe(30 * 60_000);
    expect(settings!.alerts.quietHours).toEqual({ enabled: true, start: '23:00', end: '06:30' });
    expect(settings!.model.flushIntensity).toBe(6.5);
    expect(settings!.model.minFlushUsd1hMarket).toBe(1_100_000);
    // And the form shows it back as typed.
    expect(toForm(settings!, SITE_IDS)).toEqual({ ...f, watchlist: [f.watchlist[0], { asset: 'DOGE', thresholdM: '2.5' }] });
  });

  it('puts each refused value at its field, with the bounds in the units the field uses', () => {
    expect(
      shown(
        form({
          market1hM: '-5',
          asset1hM: 'lots',
          minSidePercent: '40',
          cooldownMinutes: '2.5',
          quietStart: '7pm',
          dominantPercent: '99',
          minFlushAssetM: '',
          watchlist: [{ asset: 'BTC', thresholdM: '0' }],
        }),
      ),
    ).toEqual({
      'threshold:BTC': 'Enter a number from 0.1 to 100000.',
      market1hM: 'Enter a number from 0.1 to 100000.',
      asset1hM: 'Enter a number from 0.1 to 100000.',
      minSidePercent: 'Enter a number from 50 to 100.',
      cooldownMinutes: 'Enter a whole number.',
      quietStart: 'Enter a time as HH:MM.',
      dominantPercent: 'Enter a number from 55 to 95.',
      minFlushAssetM: 'Enter a number from 0.1 to 100000.',
    });
    expect(shown(form({ cooldownMinutes: '3' }))).toEqual({ cooldownMinutes: 'Enter a number from 5 to 1440.' });
  });

  it('enters the live tape thresholds in $K and puts their issues at their fields', () => {
    expect(toForm(DEFAULT_SETTINGS, SITE_IDS)).toMatchObject({ tapeMinK: '100', tapeSoundK: '1000', tapeSound: false });
    expect(fromForm(form({ tapeMinK: '250', tapeSoundK: '1,5', tapeSound: true })).tape).toEqual({ minUsd: 250_000, soundUsd: 1_500, sound: true });
    expect(shown(form({ tapeMinK: '5', tapeSoundK: 'x' }))).toEqual({ tapeMinK: 'Enter a number from 10 to 1000000.', tapeSoundK: 'Enter a number from 10 to 1000000.' });
  });

  it('needs an asset, and quiet hours that are a window when they are on', () => {
    expect(shown(form({ watchlist: [] }))).toEqual({ watchlist: 'Keep at least one asset.' });
    expect(shown(form({ quietEnabled: true, quietStart: '08:00', quietEnd: '08:00' }))).toEqual({ quietEnd: 'Start and end must differ.' });
    // Switched off, equal times do not matter.
    expect(shown(form({ quietEnabled: false, quietStart: '08:00', quietEnd: '08:00' }))).toEqual({});
  });

  it('keeps the first issue of a field, and hands issues no field shows to the status line', () => {
    const { errors, other } = formErrors([
      { path: 'watchlist.3', key: 'errTicker' },
      { path: 'watchlist', key: 'errWatchlistEmpty', values: [1] },
      { path: 'meterMode', key: 'errInvalid' },
    ]);
    expect(worded(errors)).toEqual({ watchlist: 'Enter a ticker of 2–12 letters or digits, e.g. BTC.' });
    expect(other).toEqual([{ path: 'meterMode', key: 'errInvalid' }]);
    expect(worded(formErrors([{ path: 'watchlist', key: 'errWatchlistEmpty', values: [1] }]).errors)).toEqual({ watchlist: 'Keep at least one asset.' });
  });

  it('adds tickers tidied, refuses duplicates and junk, at any length of list', () => {
    const rows = form().watchlist;
    expect(addAsset(rows, ' pepe ')).toEqual({ rows: [...rows, { asset: 'PEPE', thresholdM: '' }] });
    expect(addAsset(rows, 'eth')).toEqual({ error: { key: 'errDuplicate' } });
    expect(addAsset(rows, 'b t c')).toEqual({ error: { key: 'errTicker' } });
    // Eight was the old cap: a ninth (and a thirty-first) asset goes in, a duplicate or junk still does not.
    const eight = Array.from({ length: 8 }, (_, i) => ({ asset: `A${i}X`, thresholdM: '' }));
    expect(addAsset(eight, 'zzz')).toEqual({ rows: [...eight, { asset: 'ZZZ', thresholdM: '' }] });
    const thirty = Array.from({ length: 30 }, (_, i) => ({ asset: `A${i}X`, thresholdM: '' }));
    expect(addAsset(thirty, 'DOGE')).toEqual({ rows: [...thirty, { asset: 'DOGE', thresholdM: '' }] });
    expect(addAsset(thirty, 'a29x')).toEqual({ error: { key: 'errDuplicate' } });
    expect(addAsset(thirty, 'DOGE!')).toEqual({ error: { key: 'errTicker' } });
  });

  it('reads numbers typed with a comma or spaces, and nothing else', () => {
    expect([parseNumber('1,5'), parseNumber(' 20 '), parseNumber('.5'), parseNumber('1e3'), parseNumber(''), parseNumber('12abc')]).toEqual([1.5, 20, 0.5, NaN, NaN, NaN]);
  });
});
