/**
 * Settings in the worker: read from storage.sync, migrated to the current version, validated
 * with zod (a bad field falls back to its default; the rest is kept), published to
 * storage.local for the pages, and followed through storage.onChanged so an options change
 * applies without a reload.
 */
import browser from 'webextension-polyfill';
import { z } from 'zod';
import { VENUE_IDS, type VenueId } from '../core/model';
import {
  ALERT_PHASES,
  DEFAULT_SETTINGS,
  defaultSettings,
  EFFECTIVE_SETTINGS_KEY,
  LIMITS,
  METER_MODES,
  migrateSettings,
  normalizeAsset,
  sameSettings,
  SETTINGS_ISSUES_KEY,
  SETTINGS_SYNC_KEY,
  SETTINGS_VERSION,
  type Settings,
} from '../core/settings';
import { sites } from '../sites';

const usd = z.number().finite().min(LIMITS.usdMin).max(LIMITS.usdMax);
const flag = z.boolean();
const clock = z.string().regex(LIMITS.clockPattern);

const watchlist = z.array(z.string().regex(LIMITS.assetPattern, 'not a ticker (2–12 letters or digits)')).min(1).max(LIMITS.watchlistMax);

const venueFlags = z.object(Object.fromEntries(VENUE_IDS.map((id) => [id, flag])) as Record<VenueId, typeof flag>);
const siteIds = sites.map((site) => site.id);

export const settingsSchema = z.object({
  version: z.literal(SETTINGS_VERSION),
  watchlist,
  venues: venueFlags,
  sites: z.partialRecord(z.enum(siteIds as [string, ...string[]]), flag),
  preferredExchange: z.string().refine((id) => siteIds.includes(id), 'unknown exchange'),
  meterMode: z.enum(METER_MODES),
  alerts: z.object({
    market1h: z.object({ enabled: flag, usd }),
    asset1h: z.object({
      enabled: flag,
      usd,
      perAsset: z.record(z.string().regex(LIMITS.assetPattern), usd),
    }),
    minSideShare: z.number().min(LIMITS.minSideShare.min).max(LIMITS.minSideShare.max),
    fundingFlip: flag,
    phases: z.object(Object.fromEntries(ALERT_PHASES.map((p) => [p, flag])) as Record<(typeof ALERT_PHASES)[number], typeof flag>),
    cooldownMs: z
      .number()
      .int()
      .min(LIMITS.cooldownMinutes.min * 60_000)
      .max(LIMITS.cooldownMinutes.max * 60_000),
    quietHours: z.object({ enabled: flag, start: clock, end: clock }),
  }),
  model: z.object({
    flushIntensity: z.number().min(LIMITS.flushIntensity.min).max(LIMITS.flushIntensity.max),
    dominantShare: z.number().min(LIMITS.dominantShare.min).max(LIMITS.dominantShare.max),
    minFlushUsd1hMarket: usd,
    minFlushUsd1hAsset: usd,
  }),
});

export interface ParsedSettings {
  settings: Settings;
  /** "alerts.market1h.usd: Too small: expected number to be >=100000" — one per field replaced. */
  issues: string[];
  /** The stored version when a migration ran, else null. */
  migratedFrom: number | null;
}

type Path = ReadonlyArray<PropertyKey>;

/**
 * Migrates, then validates. Each invalid field is replaced by its default (the nearest enclosing
 * object field for list items and map entries), so one bad value never discards the rest.
 */
export function parseSettings(stored: unknown): ParsedSettings {
  const { value, from } = migrateSettings(stored);
  let candidate: Record<string, unknown> = { ...structuredClone(value), version: SETTINGS_VERSION };
  const issues: string[] = [];
  // Missing fields take their defaults silently: older versions and partial writes lack them.
  candidate = fillMissing(candidate, defaultSettings() as unknown as Record<string, unknown>);
  candidate.watchlist = tidyWatchlist(candidate.watchlist);
  // One repair per pass: removing a list item shifts the paths of later issues.
  for (let attempt = 0; attempt < 50; attempt++) {
    const result = settingsSchema.safeParse(candidate);
    if (result.success) return { settings: result.data as Settings, issues, migratedFrom: from !== null && from < SETTINGS_VERSION ? from : null };
    const issue = result.error.issues[0]!;
    issues.push(`${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
    candidate = issue.code === 'unrecognized_keys' ? dropKeys(candidate, issue.path, issue.keys) : resetToDefault(candidate, issue.path);
  }
  return { settings: defaultSettings(), issues: [...issues, '(root): reset to defaults'], migratedFrom: null };
}

/** " eth" → "ETH", duplicates dropped; anything else is left for the schema to report. */
function tidyWatchlist(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  const tidy = list.map((asset) => (typeof asset === 'string' ? (normalizeAsset(asset) ?? asset) : asset));
  return tidy.filter((asset, i) => typeof asset !== 'string' || tidy.indexOf(asset) === i);
}

/** Deep-fills fields absent from `value` (not invalid ones: those are the schema's job). */
function fillMissing(value: Record<string, unknown>, defaults: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  for (const [key, fallback] of Object.entries(defaults)) {
    if (!(key in out) || out[key] === undefined) out[key] = structuredClone(fallback);
    else if (isPlainObject(fallback) && isPlainObject(out[key]) && Object.keys(fallback).length > 0) {
      out[key] = fillMissing(out[key] as Record<string, unknown>, fallback);
    }
  }
  return out;
}

/** Removes keys a map does not allow (a site this build does not know), keeping the others. */
function dropKeys(value: Record<string, unknown>, path: Path, keys: string[]): Record<string, unknown> {
  const out = structuredClone(value);
  let target: unknown = out;
  for (const key of path) target = isPlainObject(target) ? target[String(key)] : undefined;
  if (isPlainObject(target)) for (const key of keys) delete target[key];
  return out;
}

/**
 * Puts the default back at the deepest object field on `path` the defaults know. A bad list
 * item is removed (the list falls back to its default only when nothing valid is left), and a
 * map entry the defaults lack (a per-asset override) is dropped.
 */
function resetToDefault(value: Record<string, unknown>, path: Path): Record<string, unknown> {
  const out = structuredClone(value);
  let target: Record<string, unknown> = out;
  let fallback: unknown = DEFAULT_SETTINGS;
  for (let i = 0; i < path.length; i++) {
    const key = String(path[i]);
    const defaultHere = isPlainObject(fallback) ? (fallback as Record<string, unknown>)[key] : undefined;
    const last = i === path.length - 1;
    if (defaultHere === undefined) {
      delete target[key];
      return out;
    }
    const list = target[key];
    if (Array.isArray(list) && typeof path[i + 1] === 'number' && list.length > 1) {
      list.splice(path[i + 1] as number, 1);
      return out;
    }
    if (last || !isPlainObject(defaultHere) || !isPlainObject(target[key])) {
      target[key] = structuredClone(defaultHere);
      return out;
    }
    target = target[key] as Record<string, unknown>;
    fallback = defaultHere;
  }
  return defaultSettings() as unknown as Record<string, unknown>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type SettingsListener = (next: Settings, previous: Settings) => void;

/** The worker's view of the settings: loads once, then follows storage.sync. */
export class SettingsStore {
  private current: Settings = defaultSettings();
  private readonly listeners: SettingsListener[] = [];

  get value(): Settings {
    return this.current;
  }

  async load(): Promise<Settings> {
    // Sync storage can be unavailable (policy, a profile error): the extension still runs on defaults.
    const stored = await browser.storage.sync
      .get(SETTINGS_SYNC_KEY)
      .then((items) => items[SETTINGS_SYNC_KEY])
      .catch((error) => console.warn('flush-meter: storage.sync unreadable, using defaults', error));
    await this.accept(stored, true);
    return this.current;
  }

  /** Must be called synchronously at worker start-up so a change that wakes the worker is seen. */
  follow(): void {
    browser.storage.onChanged.addListener((changes, area) => {
      if (area !== 'sync' || !(SETTINGS_SYNC_KEY in changes)) return;
      void this.accept(changes[SETTINGS_SYNC_KEY]!.newValue, false);
    });
  }

  onChange(listener: SettingsListener): void {
    this.listeners.push(listener);
  }

  private async accept(stored: unknown, initial: boolean): Promise<void> {
    const parsed = parseSettings(stored);
    const previous = this.current;
    this.current = parsed.settings;
    // Publish what is in force (and why anything was replaced) for the options page and popup.
    await browser.storage.local.set({ [EFFECTIVE_SETTINGS_KEY]: parsed.settings, [SETTINGS_ISSUES_KEY]: parsed.issues });
    // Write a migrated shape back once, so older versions are read only once.
    if (parsed.migratedFrom !== null) {
      await browser.storage.sync.set({ [SETTINGS_SYNC_KEY]: parsed.settings }).catch((error) => console.warn('flush-meter: migrated settings not written back', error));
    }
    if (!initial && !sameSettings(previous, parsed.settings)) for (const listener of this.listeners) listener(parsed.settings, previous);
  }
}
