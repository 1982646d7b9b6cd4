/**
 * The one settings schema (zod) and the worker's settings store.
 *
 * Settings enter storage here only: the options page sends a save as a runtime message, the
 * worker validates it with `settingsSchema` before anything is stored, writes storage.sync,
 * applies it through its serial queue and replies `{ applied: true }` or `{ applied: false, why }`.
 * Whatever is read back from storage.sync (at start, or synced from another device) goes through
 * the same schema: missing fields take their defaults, unknown fields are dropped, and a bad value
 * falls back to its default without discarding the rest. The settings in force are published to
 * storage.local (EFFECTIVE_SETTINGS_KEY), which the pages read and follow through storage.onChanged.
 */
import browser from 'webextension-polyfill';
import { z } from '../core/zod';
import { parseLeverageMix, type LeverageSlice } from '../core/levels';
import type { MessageKey } from '../core/i18n';
import { VENUE_IDS, type VenueId } from '../core/model';
import {
  ALERT_PHASES,
  DEFAULT_SETTINGS,
  defaultSettings,
  EFFECTIVE_SETTINGS_KEY,
  isSaveSettingsMessage,
  LIMITS,
  METER_MODES,
  sameSettings,
  SETTINGS_SYNC_KEY,
  SETTINGS_VERSION,
  type AlertPhase,
  type SaveRefusal,
  type SaveSettingsReply,
  type Settings,
  type SettingsIssue,
} from '../core/settings';
import { sites } from '../sites';

// ---------------------------------------------------------------------------------------------
// The schema. Every check's message is the _locales key that words it (SettingsIssue.key).

const D = DEFAULT_SETTINGS;
const SITE_IDS = sites.map((site) => site.id) as [string, ...string[]];
const MINUTE_MS = 60_000;

/** The messages this schema's checks use; any other zod message reads as errInvalid. */
const ISSUE_KEYS = new Set<MessageKey>(['errRange', 'errWhole', 'errTicker', 'errWatchlistEmpty', 'errClock', 'errQuietSame', 'errLeverageMix', 'errInvalid']);

const flag = (fallback: boolean) => z.boolean({ error: 'errInvalid' }).default(fallback);

/** A number from `min` to `max` (a multiple of `step` when given); its issue carries both bounds. */
function between(min: number, max: number, step?: number) {
  return z.custom<number>((value) => typeof value === 'number' && value >= min && value <= max && (step === undefined || value % step === 0), {
    error: (issue) => (step !== undefined && Number.isFinite(issue.input) && (issue.input as number) % step !== 0 ? 'errWhole' : 'errRange'),
    params: { values: [min, max] },
  });
}

const usd = () => between(LIMITS.usdMin, LIMITS.usdMax);
const clock = (fallback: string) => z.string({ error: 'errClock' }).regex(LIMITS.clockPattern, { error: 'errClock' }).default(fallback);
/** " eth" reads as ETH. */
const ticker = z.string({ error: 'errTicker' }).trim().toUpperCase().regex(LIMITS.assetPattern, { error: 'errTicker' });
const unique = <T>(list: T[]): T[] => [...new Set(list)];
/** Only the sites this build knows: a site id synced from another version is dropped. */
const knownSites = (value: unknown) => (isRecord(value) ? Object.fromEntries(Object.entries(value).filter(([id]) => SITE_IDS.includes(id))) : value);

/**
 * The leverage mix (levels.leverageMix): parseLeverageMix's rules (1–12 slices, leverage 1–200, weights ≥ 0
 * with a positive sum); stored normalised (weights sum to 1, merged and sorted by leverage).
 */
const leverageMix = z
  .custom<LeverageSlice[]>((value) => parseLeverageMix(value) !== null, {
    error: 'errLeverageMix',
    params: { values: [LIMITS.leverageMix.minLeverage, LIMITS.leverageMix.maxLeverage, LIMITS.leverageMix.maxSlices] },
  })
  // Twelve significant digits: 0.15 / 0.9999999999999999 stays 0.15, so the default mix reads back as itself.
  .transform((value) => parseLeverageMix(value)!.map((slice) => ({ leverage: slice.leverage, weight: Number(slice.weight.toPrecision(12)) })));

export const settingsSchema = z.object(
  {
    // Not entered by anyone: whatever is stored reads as this build's version.
    version: z.literal(SETTINGS_VERSION).catch(SETTINGS_VERSION),
    watchlist: z
      .array(ticker, { error: 'errInvalid' })
      .overwrite(unique)
      .min(1, { error: 'errWatchlistEmpty' })
      .default(() => [...D.watchlist]),
    venues: z.object(Object.fromEntries(VENUE_IDS.map((id) => [id, flag(D.venues[id])])) as Record<VenueId, ReturnType<typeof flag>>).prefault({}),
    sites: z.preprocess(knownSites, z.record(z.string(), z.boolean({ error: 'errInvalid' }))).default(() => ({})),
    preferredExchange: z.enum(SITE_IDS, { error: 'errInvalid' }).default(D.preferredExchange),
    meterMode: z.enum(METER_MODES, { error: 'errInvalid' }).default(D.meterMode),
    alerts: z
      .object({
        market1h: z.object({ enabled: flag(D.alerts.market1h.enabled), usd: usd().default(D.alerts.market1h.usd) }).prefault({}),
        asset1h: z
          .object({
            enabled: flag(D.alerts.asset1h.enabled),
            usd: usd().default(D.alerts.asset1h.usd),
            perAsset: z.record(ticker, usd()).default(() => ({})),
          })
          .prefault({}),
        minSideShare: between(LIMITS.minSideShare.min, LIMITS.minSideShare.max).default(D.alerts.minSideShare),
        fundingFlip: flag(D.alerts.fundingFlip),
        phases: z.object(Object.fromEntries(ALERT_PHASES.map((phase) => [phase, flag(D.alerts.phases[phase])])) as Record<AlertPhase, ReturnType<typeof flag>>).prefault({}),
        cooldownMs: between(LIMITS.cooldownMinutes.min * MINUTE_MS, LIMITS.cooldownMinutes.max * MINUTE_MS, MINUTE_MS).default(D.alerts.cooldownMs),
        quietHours: z
          .object({ enabled: flag(D.alerts.quietHours.enabled), start: clock(D.alerts.quietHours.start), end: clock(D.alerts.quietHours.end) })
          .refine((quiet) => !quiet.enabled || quiet.start !== quiet.end, { error: 'errQuietSame', path: ['end'] })
          .prefault({}),
      })
      .prefault({}),
    model: z
      .object({
        flushIntensity: between(LIMITS.flushIntensity.min, LIMITS.flushIntensity.max).default(D.model.flushIntensity),
        dominantShare: between(LIMITS.dominantShare.min, LIMITS.dominantShare.max).default(D.model.dominantShare),
        minFlushUsd1hMarket: usd().default(D.model.minFlushUsd1hMarket),
        minFlushUsd1hAsset: usd().default(D.model.minFlushUsd1hAsset),
      })
      .prefault({}),
    levels: z.object({ leverageMix: leverageMix.default(() => D.levels.leverageMix.map((slice) => ({ ...slice }))) }).prefault({}),
    tape: z
      .object({
        minUsd: between(LIMITS.tapeUsd.min, LIMITS.tapeUsd.max).default(D.tape.minUsd),
        soundUsd: between(LIMITS.tapeUsd.min, LIMITS.tapeUsd.max).default(D.tape.soundUsd),
        sound: flag(D.tape.sound),
      })
      .prefault({}),
  },
  { error: 'errInvalid' },
);

/** What the schema refused, as the pages word it. */
function describe(issue: z.core.$ZodIssue): SettingsIssue {
  // A bad record key (a per-asset override for "b t c") reports the key's own check.
  const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  const values =
    issue.code === 'custom' ? (issue.params?.values as number[] | undefined) : issue.code === 'too_big' ? [Number(issue.maximum)] : issue.code === 'too_small' ? [Number(issue.minimum)] : undefined;
  return { path: issue.path.map(String).join('.'), key: ISSUE_KEYS.has(message as MessageKey) ? (message as MessageKey) : 'errInvalid', ...(values ? { values } : {}) };
}

/** A save: the settings as the schema reads them, or every issue (nothing is repaired). */
export function validateSettings(input: unknown): { settings: Settings; issues: null } | { settings: null; issues: SettingsIssue[] } {
  const result = settingsSchema.safeParse(input);
  return result.success ? { settings: result.data satisfies Settings, issues: null } : { settings: null, issues: result.error.issues.map(describe) };
}

/**
 * What storage.sync holds, read by the same schema: missing fields take their defaults and
 * unknown ones are dropped; each bad value is removed so its default applies (a bad list item or
 * map entry alone), and `issues` says which. Anything that is not an object reads as nothing stored.
 */
export function readStoredSettings(stored: unknown): { settings: Settings; issues: SettingsIssue[] } {
  let candidate: unknown = isRecord(stored) ? structuredClone(stored) : {};
  const issues: SettingsIssue[] = [];
  // One removal per pass: removing a list item shifts the paths of the issues after it.
  for (let pass = 0; pass < 64; pass++) {
    const result = settingsSchema.safeParse(candidate);
    if (result.success) return { settings: result.data, issues };
    const issue = result.error.issues[0]!;
    const described = describe(issue);
    if (!issues.some((seen) => seen.path === described.path && seen.key === described.key)) issues.push(described);
    candidate = without(candidate, issue.path);
  }
  return { settings: defaultSettings(), issues };
}

/** `value` without what `path` points at; when nothing is there (a default that still fails), without its parent. */
function without(value: unknown, path: readonly PropertyKey[]): unknown {
  if (path.length === 0) return {};
  const copy = structuredClone(value);
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (isRecord(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined), copy);
  const key = path.at(-1)!;
  if (Array.isArray(parent) && typeof key === 'number' && key < parent.length) parent.splice(key, 1);
  else if (isRecord(parent) && typeof key === 'string' && key in parent) delete parent[key];
  else return without(value, path.slice(0, -1));
  return copy;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

// ---------------------------------------------------------------------------------------------
// The worker's view of the settings.

export type SettingsListener = (next: Settings, previous: Settings) => void;

/** Loads once, then follows storage.sync; the options page's saves come in through `save`. */
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
    this.current = this.read(stored);
    await this.publish(this.current);
    return this.current;
  }

  /**
   * Must be called synchronously at worker start-up so a change that wakes the worker is seen:
   * settings synced from another device. A save from this browser is already in force when its
   * own change event arrives, so it is not applied twice.
   */
  follow(): void {
    // storage.sync's own event, not storage.onChanged: that one would bring the worker every
    // write it makes itself, old and new values (readings, the hot copy), to be thrown away.
    browser.storage.sync.onChanged.addListener((changes) => {
      if (SETTINGS_SYNC_KEY in changes) void this.synced(changes[SETTINGS_SYNC_KEY]!.newValue);
    });
  }

  onChange(listener: SettingsListener): void {
    this.listeners.push(listener);
  }

  /**
   * A save from the options page: validated by the schema before anything is stored; when valid,
   * written to storage.sync and published, and the new settings returned for the worker to apply.
   */
  async save(input: unknown): Promise<{ settings: Settings; why: null } | { settings: null; why: SaveRefusal }> {
    const checked = validateSettings(input);
    if (!checked.settings) return { settings: null, why: { key: 'optInvalid', issues: checked.issues } };
    const previous = this.current;
    // In force before the write, so the change event the write causes reads as no change.
    this.current = checked.settings;
    try {
      await browser.storage.sync.set({ [SETTINGS_SYNC_KEY]: checked.settings });
    } catch (error) {
      if (this.current === checked.settings) this.current = previous;
      return { settings: null, why: { key: 'saveNotStored', substitutions: [errorText(error)] } };
    }
    await this.publish(checked.settings);
    return { settings: checked.settings, why: null };
  }

  private read(stored: unknown): Settings {
    const { settings, issues } = readStoredSettings(stored);
    if (issues.length) console.warn('flush-meter: stored settings had invalid values, their defaults apply', issues);
    return settings;
  }

  private async synced(stored: unknown): Promise<void> {
    const next = this.read(stored);
    if (sameSettings(next, this.current)) return;
    const previous = this.current;
    this.current = next;
    await this.publish(next);
    for (const listener of this.listeners) listener(next, previous);
  }

  /** The settings in force, for the pages (storage.local; they follow it through storage.onChanged). */
  private async publish(settings: Settings): Promise<void> {
    await browser.storage.local.set({ [EFFECTIVE_SETTINGS_KEY]: settings });
  }
}

/**
 * The worker's answer to a save: validated and stored by `store`, then applied by `apply` (the
 * worker's serial queue; it resolves once the change is in force). Never throws.
 */
export async function saveSettings(store: SettingsStore, input: unknown, apply: (settings: Settings) => Promise<void>): Promise<SaveSettingsReply> {
  const saved = await store.save(input).catch((error): { settings: null; why: SaveRefusal } => ({ settings: null, why: { key: 'saveNotStored', substitutions: [errorText(error)] } }));
  if (!saved.settings) return { applied: false, why: saved.why };
  try {
    await apply(saved.settings);
  } catch (error) {
    return { applied: false, why: { key: 'saveNotApplied', substitutions: [errorText(error)] } };
  }
  return { applied: true, settings: saved.settings };
}

/**
 * The runtime.onMessage listener for saves from the extension's own pages (after `ready`: the
 * worker's boot). Any other message is left to other listeners (undefined, synchronously).
 */
export function saveListener(store: SettingsStore, apply: (settings: Settings) => Promise<void>, ready: Promise<unknown> = Promise.resolve()) {
  return (message: unknown, sender: browser.Runtime.MessageSender): Promise<SaveSettingsReply> | undefined => {
    if (sender.id !== browser.runtime.id || !isSaveSettingsMessage(message)) return undefined;
    return ready.then(() => saveSettings(store, message.settings, apply));
  };
}
