/** Readings and wording for the alert, notifier and settings tests (not a test file itself). */
import { readFileSync } from 'node:fs';
import type { ReadingSet, ScopeReading } from '../src/core/engine';
import type { Phase, Verdict } from '../src/core/flush';
import { makeFormats, translatorFromMessages, type LocaleMessage, type Wording } from '../src/core/i18n';
import type { PositionSide } from '../src/core/model';
import { defaultSettings, type Settings } from '../src/core/settings';
import type { FlushSignals, FundingFlip } from '../src/core/signals';
import { toTotals } from '../src/core/windows';

export function locale(lang: 'en' | 'zh_CN'): Record<string, LocaleMessage> {
  return JSON.parse(readFileSync(new URL(`../_locales/${lang}/messages.json`, import.meta.url), 'utf8'));
}

export const EN: Wording = { t: translatorFromMessages(locale('en')), fmt: makeFormats('en-US') };
export const ZH: Wording = { t: translatorFromMessages(locale('zh_CN')), fmt: makeFormats('zh-CN') };

export interface ScopeSpec {
  liq1h?: number;
  longShare?: number | null;
  sampled?: boolean;
  phase?: Phase;
  side?: PositionSide | null;
  since?: number;
  funding8h?: number | null;
  fundingRef?: number | null;
  fundingFlip?: FundingFlip;
  oiChange1h?: number | null;
  oiChangeSinceFlush?: number | null;
  oiRebuildFromTrough?: number | null;
  decayFromPeak?: number | null;
}

/** A reading with only what the alert rules and wording look at; the rest stays empty. */
export function scope(name: string, spec: ScopeSpec = {}): ScopeReading {
  const total = spec.liq1h ?? 0;
  const share = spec.longShare === undefined ? 0.9 : spec.longShare;
  const liq1h = share === null || total === 0 ? toTotals(0, 0, 0) : toTotals(total * share, total * (1 - share), 10);
  const verdict: Verdict = { phase: spec.phase ?? 'calm', side: spec.side ?? null, pressure: 50, reasons: [], since: spec.since ?? 0 };
  const signals = {
    fundingRef: spec.fundingRef ?? null,
    fundingFlip: spec.fundingFlip ?? null,
    oiChange1h: spec.oiChange1h ?? null,
    oiChangeSinceFlush: spec.oiChangeSinceFlush ?? null,
    oiRebuildFromTrough: spec.oiRebuildFromTrough ?? null,
    decayFromPeak: spec.decayFromPeak ?? null,
  } as FlushSignals;
  return {
    scope: name,
    computedAt: 0,
    collectingSince: null,
    levels: null,
    liq1h,
    liq24h: liq1h,
    sampledVenues: spec.sampled ? ['binance'] : [],
    sampledVenues24h: spec.sampled ? ['binance'] : [],
    funding8h: spec.funding8h === undefined ? null : spec.funding8h,
    basis: null,
    openInterestUsd: null,
    markPrice: null,
    indexPrice: null,
    dataTime: null,
    venues: [],
    verdict,
    signals,
    largestMove1h24h: null,
  };
}

export function readings(scopes: Record<string, ScopeSpec>, computedAt = 0): ReadingSet {
  return { computedAt, collectingSince: 0, scopes: Object.fromEntries(Object.entries(scopes).map(([name, spec]) => [name, scope(name, spec)])) };
}

/** Defaults with the changes a test needs. */
export function settingsWith(change: (s: Settings) => void): Settings {
  const settings = defaultSettings();
  change(settings);
  return settings;
}

/** Noon local time: outside the default quiet hours. */
export const NOON = 12 * 60;
