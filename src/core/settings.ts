/**
 * User settings: their shape, defaults and limits, and the message that saves them. Pure and
 * free of zod, so every page can import it. The one validator is the zod schema in
 * src/background/settings.ts: the worker runs it on a save from the options page (before
 * anything is stored) and on whatever it reads back from storage.sync, then publishes the
 * settings in force to storage.local, which the pages read and follow through storage.onChanged.
 */
import type { MessageKey } from './i18n';
import type { Phase } from './flush';
import { DEFAULT_LEVERAGE_MIX, LEVERAGE_MIX_LIMITS, type LevelAssumptions, type LeverageSlice } from './levels';
import { VENUE_IDS, type VenueId } from './model';
import { DEFAULT_FLUSH_THRESHOLDS, type FlushThresholds } from './thresholds';

export const SETTINGS_VERSION = 1;

/** storage.sync: what the trader chose; written only by the worker, after validation. */
export const SETTINGS_SYNC_KEY = 'settings';
/** storage.local: the validated settings in force, written by the worker for every page to read. */
export { EFFECTIVE_SETTINGS_KEY } from './bus';

/** Phase changes a trader can be notified of (calm and crowded are not events). */
export const ALERT_PHASES = ['flushing', 'exhaustion', 'releveraging', 'continuation'] as const satisfies readonly Phase[];
export type AlertPhase = (typeof ALERT_PHASES)[number];

export const METER_MODES = ['compact', 'expanded'] as const;
export type MeterMode = (typeof METER_MODES)[number];

export interface QuietHours {
  enabled: boolean;
  /** Local wall-clock "HH:MM"; the window may wrap midnight (22:00 → 07:00). */
  start: string;
  end: string;
}

export interface AlertSettings {
  /** Market-wide 1 h liquidations that trigger a notification. */
  market1h: { enabled: boolean; usd: number };
  /** The same for each watched asset; `perAsset` overrides `usd` for one asset. */
  asset1h: { enabled: boolean; usd: number; perAsset: Record<string, number> };
  /** A liquidation alert also needs one side to take at least this share (0.5 = either side). */
  minSideShare: number;
  /** Funding crossing zero (after a flush, or versus 8 h ago). */
  fundingFlip: boolean;
  /** Phase changes that notify. */
  phases: Record<AlertPhase, boolean>;
  /** One notification per event: the same rule and scope stay silent this long after firing. */
  cooldownMs: number;
  quietHours: QuietHours;
}

/** The few flush-model thresholds worth exposing; everything else keeps its default. */
export interface ModelSettings {
  flushIntensity: number;
  dominantShare: number;
  minFlushUsd1hMarket: number;
  minFlushUsd1hAsset: number;
}

/** The liquidation-level model's editable assumption (issue 17): how new positions spread over leverage. */
export interface LevelSettings {
  /** Slices of new positions by leverage; weights sum to 1 (the schema normalises them). */
  leverageMix: LeverageSlice[];
}

/** The live tape (popup): which prints show, and the optional tone for the largest. */
export interface TapeSettings {
  /** Prints smaller than this (USD) are not shown. */
  minUsd: number;
  /** New prints at or above this (USD) sound a short tone while the popup is open, when `sound` is on. */
  soundUsd: number;
  sound: boolean;
}

export interface Settings {
  version: typeof SETTINGS_VERSION;
  /** Assets the worker polls and reads per asset (and the popup lists). */
  watchlist: string[];
  venues: Record<VenueId, boolean>;
  /** Trading sites the meter appears on, by site id; a site missing here is on. */
  sites: Record<string, boolean>;
  /** Site id whose trading page opens from the popup and from notifications. */
  preferredExchange: string;
  meterMode: MeterMode;
  alerts: AlertSettings;
  model: ModelSettings;
  levels: LevelSettings;
  tape: TapeSettings;
}

const MINUTE_MS = 60_000;

/** Limits the settings schema (src/background/settings.ts) enforces; the options page quotes them in its help. */
export const LIMITS = {
  /** Base asset tickers as the venues spell them: BTC, ETH, 1000PEPE. */
  assetPattern: /^[A-Z0-9]{2,12}$/,
  usdMin: 100_000,
  usdMax: 100_000_000_000,
  minSideShare: { min: 0.5, max: 1 },
  cooldownMinutes: { min: 5, max: 24 * 60 },
  clockPattern: /^([01]\d|2[0-3]):[0-5]\d$/,
  flushIntensity: { min: 2, max: 50 },
  dominantShare: { min: 0.55, max: 0.95 },
  /** Leverage mix: at most this many slices, each leverage within these bounds (src/core/levels.ts). */
  leverageMix: LEVERAGE_MIX_LIMITS,
  /** The live tape's thresholds (USD); the minimum is the worker's tape floor (src/core/tape.ts TAPE_FLOOR_USD). */
  tapeUsd: { min: 10_000, max: 1_000_000_000 },
} as const;

export const DEFAULT_SETTINGS: Settings = {
  version: SETTINGS_VERSION,
  watchlist: ['BTC', 'ETH', 'SOL'],
  venues: Object.fromEntries(VENUE_IDS.map((id) => [id, true])) as Record<VenueId, boolean>,
  sites: {},
  preferredExchange: 'binance',
  meterMode: 'compact',
  alerts: {
    market1h: { enabled: true, usd: 50_000_000 },
    asset1h: { enabled: true, usd: 25_000_000, perAsset: {} },
    minSideShare: 0.5,
    fundingFlip: true,
    phases: { flushing: true, exhaustion: true, releveraging: true, continuation: true },
    cooldownMs: 120 * MINUTE_MS,
    quietHours: { enabled: false, start: '22:00', end: '07:00' },
  },
  model: {
    flushIntensity: DEFAULT_FLUSH_THRESHOLDS.flushIntensity,
    dominantShare: DEFAULT_FLUSH_THRESHOLDS.dominantShare,
    minFlushUsd1hMarket: DEFAULT_FLUSH_THRESHOLDS.minFlushUsd1h.market,
    minFlushUsd1hAsset: DEFAULT_FLUSH_THRESHOLDS.minFlushUsd1h.asset,
  },
  levels: { leverageMix: DEFAULT_LEVERAGE_MIX.map((slice) => ({ ...slice })) },
  tape: { minUsd: 100_000, soundUsd: 1_000_000, sound: false },
};

/** A fresh deep copy of the defaults (callers may mutate it). */
export function defaultSettings(): Settings {
  return structuredClone(DEFAULT_SETTINGS);
}

// ---------------------------------------------------------------------------------------------
// Small pure helpers the worker, the alerts and the pages share.

/** "BTC", " eth " → "ETH"; null when it cannot be a ticker. */
export function normalizeAsset(input: string): string | null {
  const asset = input.trim().toUpperCase();
  return LIMITS.assetPattern.test(asset) ? asset : null;
}

/** "22:30" → 1350; null when malformed. */
export function clockMinutes(clock: string): number | null {
  if (!LIMITS.clockPattern.test(clock)) return null;
  const [h, m] = clock.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * Whether `minuteOfDay` (local) falls in the quiet window [start, end). A window that ends
 * before it starts wraps midnight; start equal to end is an empty window.
 */
export function inQuietHours(quiet: QuietHours, minuteOfDay: number): boolean {
  if (!quiet.enabled) return false;
  const start = clockMinutes(quiet.start);
  const end = clockMinutes(quiet.end);
  if (start === null || end === null || start === end) return false;
  return start < end ? minuteOfDay >= start && minuteOfDay < end : minuteOfDay >= start || minuteOfDay < end;
}

/** The 1 h liquidation threshold for an asset: its own override, else the asset default. */
export function assetThreshold(alerts: AlertSettings, asset: string): number {
  return alerts.asset1h.perAsset[asset] ?? alerts.asset1h.usd;
}

/** The engine overrides these settings stand for (FlushEngine.setThresholds). */
export function modelThresholds(model: ModelSettings): Partial<FlushThresholds> {
  return {
    flushIntensity: model.flushIntensity,
    dominantShare: model.dominantShare,
    minFlushUsd1h: { market: model.minFlushUsd1hMarket, asset: model.minFlushUsd1hAsset },
  };
}

/** The level-model overrides these settings stand for (FlushEngine.setLevelAssumptions). */
export function levelAssumptions(levels: LevelSettings): Partial<LevelAssumptions> {
  return { leverageMix: levels.leverageMix.map((slice) => ({ ...slice })) };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Deep equality that ignores key order (storage and zod may reorder keys). */
export function sameSettings(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Which parts of two settings differ in ways the worker must act on. */
export function settingsChanges(before: Settings, after: Settings): { watchlist: boolean; venues: VenueId[]; model: boolean; levels: boolean } {
  return {
    levels: !sameSettings(before.levels, after.levels),
    watchlist: before.watchlist.join() !== after.watchlist.join(),
    venues: VENUE_IDS.filter((id) => before.venues[id] !== after.venues[id]),
    model: !sameSettings(before.model, after.model),
  };
}

// ---------------------------------------------------------------------------------------------
// Saving: the options page sends the settings to the worker and shows its answer.

/** runtime message type of a save (options page → worker). */
export const SAVE_SETTINGS = 'saveSettings';

export interface SaveSettingsMessage {
  type: typeof SAVE_SETTINGS;
  /** What the trader entered, not yet validated: the worker's schema decides. */
  settings: unknown;
}

/**
 * One thing the schema refused, at a settings path ("alerts.market1h.usd", "watchlist.2").
 * `key` words it via _locales; `values` are its numbers in settings units (a range's min and max
 * in USD, shares or ms; a list's maximum length), for the page to show in the units it uses.
 */
export interface SettingsIssue {
  path: string;
  key: MessageKey;
  values?: number[];
}

/** Why a save was not applied, worded for the page through _locales. */
export interface SaveRefusal {
  key: MessageKey;
  substitutions?: string[];
  /** Present when the settings themselves were refused: one entry per bad field. */
  issues?: SettingsIssue[];
}

/** The worker's answer to a save: applied (the settings now in force), or why not. */
export type SaveSettingsReply = { applied: true; settings: Settings } | { applied: false; why: SaveRefusal };

export function isSaveSettingsMessage(message: unknown): message is SaveSettingsMessage {
  return isRecord(message) && message.type === SAVE_SETTINGS && 'settings' in message;
}
