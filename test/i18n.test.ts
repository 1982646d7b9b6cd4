import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLACEMENTS } from '../src/core/bus';
import { PHASES } from '../src/core/flush';
import { makeFormats, translatorFromMessages } from '../src/core/i18n';
import { locale } from './alert-fixtures';

const en = locale('en');
const zh = locale('zh_CN');
const manifest = JSON.parse(readFileSync(new URL('../manifest.json', import.meta.url), 'utf8'));

const placeholdersIn = (message: string) => [...message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1]!.toLowerCase()).sort();

describe('_locales', () => {
  it('ships English and Simplified Chinese with the same messages', () => {
    expect(readdirSync(new URL('../_locales/', import.meta.url)).sort()).toEqual(['en', 'zh_CN']);
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });

  it('defines every placeholder a message uses, the same ones in both languages', () => {
    for (const [key, entry] of Object.entries(en)) {
      const defined = Object.keys(entry.placeholders ?? {}).sort();
      expect(placeholdersIn(entry.message), key).toEqual(defined);
      expect(placeholdersIn(zh[key]!.message), `zh_CN ${key}`).toEqual(defined);
      expect(zh[key]!.placeholders, `zh_CN ${key}`).toEqual(entry.placeholders);
    }
  });

  it('has every message the code builds from a name at run time', () => {
    for (const phase of PHASES) expect(en[`phase_${phase}`], phase).toBeDefined();
    for (const stream of ['connecting', 'connected', 'reconnecting', 'none', 'off']) expect(en[`stream_${stream}`], stream).toBeDefined();
    for (const placement of PLACEMENTS) expect([en[`placement_${placement}`], zh[`placement_${placement}`]].every(Boolean), placement).toBe(true);
  });

  it('names the extension through _locales in the manifest', () => {
    expect(manifest.default_locale).toBe('en');
    const names = JSON.stringify(manifest).match(/__MSG_(\w+)__/g)!.map((m) => m.slice(6, -2));
    expect(names.sort()).toEqual(['extDescription', 'extName', 'extName']);
    for (const name of names) expect([en[name]?.message, zh[name]?.message].every(Boolean)).toBe(true);
    expect(manifest.options_ui).toEqual({ page: 'src/options/index.html', open_in_tab: true });
  });
});

describe('translatorFromMessages (chrome.i18n.getMessage rules)', () => {
  const t = translatorFromMessages({
    a: { message: 'Open $Asset$ on $EXCHANGE$ for $$5', placeholders: { asset: { content: '$1' }, exchange: { content: '$2' } } },
  });

  it('substitutes placeholders by name in any case and keeps $$ as a dollar sign', () => {
    expect((t as (k: string, s?: string[]) => string)('a', ['BTC', 'Binance'])).toBe('Open BTC on Binance for $5');
  });

  it('gives an empty string for an unknown message, like the browser', () => {
    expect((t as (k: string) => string)('missing')).toBe('');
  });
});

describe('locale formats (Intl)', () => {
  const enUS = makeFormats('en-US');
  const zhCN = makeFormats('zh-CN');

  it('writes compact dollars, lower bounds and shares in English', () => {
    expect([0, 12_400, 99_100_000, 471e6].map(enUS.usd)).toEqual(['$0', '$12.4K', '$99.1M', '$471.0M']);
    expect([enUS.usdBound(12.4e6, true), enUS.usdBound(12.4e6, false), enUS.usdBound(0, true)]).toEqual(['≥ $12.4M', '$12.4M', '$0']);
    expect(enUS.share(0.904)).toBe('90%');
    for (const v of [null, undefined, Number.NaN, Infinity]) expect([enUS.usd(v), enUS.share(v), enUS.rate(v), enUS.age(v, 0)]).toEqual(['—', '—', '—', '—']);
  });

  it('signs rates and changes with a true minus sign', () => {
    expect([enUS.rate(0.0001), enUS.rate(-0.000042), enUS.rate(0), enUS.rate(null)]).toEqual(['+0.01%', '−0.0042%', '0.00%', '—']);
    expect([enUS.change(-0.08), enUS.change(0.052), enUS.change(0)]).toEqual(['−8%', '+5.2%', '0%']);
  });

  it('writes multiples with one decimal and a times sign', () => {
    expect([enUS.times(8), enUS.times(22.14), enUS.times(1234.5), enUS.times(null)]).toEqual(['8.0×', '22.1×', '1,234.5×', '—']);
    expect(zhCN.times(8)).toBe('8.0×');
  });

  it('writes ages in short units of the language', () => {
    const now = 10_000_000;
    expect([enUS.age(now - 12_000, now), enUS.age(now - 4 * 60_000, now), enUS.age(now - 125 * 60_000, now)]).toEqual(['12s', '4m', '2h 5m']);
    expect(zhCN.age(now - 4 * 60_000, now)).toBe('4分钟');
  });

  it('uses Chinese grouping for Chinese amounts', () => {
    expect(zhCN.usd(99_100_000)).toMatch(/9910(\.0)?万/);
  });
});
