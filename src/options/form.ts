/**
 * The options form in the units a trader types (millions of dollars, percent, minutes) and its
 * conversion to and from Settings. It validates nothing: the worker's schema does, when the page
 * sends the settings (src/background/settings.ts), and `formErrors` puts each issue of its reply
 * at the field it came from, with the bounds in the field's units. Pure, so every rule is unit-tested.
 */
import type { MessageKey } from '../core/i18n';
import type { LeverageSlice } from '../core/levels';
import type { VenueId } from '../core/model';
import { ALERT_PHASES, LIMITS, normalizeAsset, SETTINGS_VERSION, type AlertPhase, type MeterMode, type Settings, type SettingsIssue } from '../core/settings';

export interface WatchRow {
  asset: string;
  /** This asset's own 1 h threshold in $M; '' = the asset default. */
  thresholdM: string;
}

export interface SettingsForm {
  watchlist: WatchRow[];
  venues: Record<VenueId, boolean>;
  sites: Record<string, boolean>;
  preferredExchange: string;
  meterMode: MeterMode;
  market1hEnabled: boolean;
  market1hM: string;
  asset1hEnabled: boolean;
  asset1hM: string;
  minSidePercent: string;
  fundingFlip: boolean;
  phases: Record<AlertPhase, boolean>;
  cooldownMinutes: string;
  quietEnabled: boolean;
  quietStart: string;
  quietEnd: string;
  flushIntensity: string;
  dominantPercent: string;
  minFlushMarketM: string;
  minFlushAssetM: string;
  /** The level model's leverage mix as typed: "5×15, 10×30, 25×25" (leverage × share in percent). */
  leverageMix: string;
  /** The live tape's thresholds in $K. */
  tapeMinK: string;
  tapeSoundK: string;
  tapeSound: boolean;
}

export interface FieldError {
  key: MessageKey;
  substitutions?: string[];
}

/** Field id ('market1hM', 'threshold:BTC', …) → what is wrong with it. */
export type FormErrors = Record<string, FieldError>;

const MILLION = 1_000_000;
const THOUSAND = 1_000;
const PERCENT = 0.01;
const MINUTE_MS = 60_000;

/** Six significant digits: no float noise (0.55 / 0.01) in what the page shows. */
const tidy = (value: number) => String(Number(value.toPrecision(6)));
/** 50_000_000 → "50"; 2_500_000 → "2.5". */
const millions = (usd: number) => tidy(usd / MILLION);
/** Whole dollars: 1.1 × 1e6 is not exactly 1,100,000 in floating point. */
const dollars = (m: number) => Math.round(m * MILLION);
/** 100_000 → "100". */
const thousands = (usd: number) => tidy(usd / THOUSAND);
const dollarsK = (k: number) => Math.round(k * THOUSAND);
const percent = (share: number) => tidy(share / PERCENT);

export function toForm(settings: Settings, siteIds: readonly string[]): SettingsForm {
  const { alerts, model } = settings;
  return {
    watchlist: settings.watchlist.map((asset) => ({ asset, thresholdM: alerts.asset1h.perAsset[asset] === undefined ? '' : millions(alerts.asset1h.perAsset[asset]!) })),
    venues: { ...settings.venues },
    sites: Object.fromEntries(siteIds.map((id) => [id, settings.sites[id] !== false])),
    preferredExchange: settings.preferredExchange,
    meterMode: settings.meterMode,
    market1hEnabled: alerts.market1h.enabled,
    market1hM: millions(alerts.market1h.usd),
    asset1hEnabled: alerts.asset1h.enabled,
    asset1hM: millions(alerts.asset1h.usd),
    minSidePercent: percent(alerts.minSideShare),
    fundingFlip: alerts.fundingFlip,
    phases: { ...alerts.phases },
    cooldownMinutes: String(Math.round(alerts.cooldownMs / 60_000)),
    quietEnabled: alerts.quietHours.enabled,
    quietStart: alerts.quietHours.start,
    quietEnd: alerts.quietHours.end,
    flushIntensity: String(model.flushIntensity),
    dominantPercent: percent(model.dominantShare),
    minFlushMarketM: millions(model.minFlushUsd1hMarket),
    minFlushAssetM: millions(model.minFlushUsd1hAsset),
    leverageMix: formatLeverageMix(settings.levels.leverageMix),
    tapeMinK: thousands(settings.tape.minUsd),
    tapeSoundK: thousands(settings.tape.soundUsd),
    tapeSound: settings.tape.sound,
  };
}

/** [{ leverage: 5, weight: 0.15 }, …] → "5×15, 10×30, …" (shares in percent). */
export function formatLeverageMix(mix: readonly LeverageSlice[]): string {
  return mix.map((slice) => `${tidy(slice.leverage)}×${percent(slice.weight)}`).join(', ');
}

/** One "leverage × share" pair: "10×30", "10x30", "10x 30%", "10:30". */
const MIX_PAIR = /^(\d+(?:\.\d+)?)\s*[x×X*:]\s*(\d+(?:\.\d+)?)\s*%?$/;

/**
 * "5×15, 10×30" → [{ leverage: 5, weight: 0.15 }, { leverage: 10, weight: 0.3 }] (shares read as percent; the
 * schema normalises them); null when a pair does not read as one. Commas (also "，", "、", ";") separate pairs.
 */
export function parseLeverageMixText(text: string): LeverageSlice[] | null {
  const pairs = text.split(/[,，、;；]/).map((pair) => pair.trim()).filter((pair) => pair !== '');
  const out: LeverageSlice[] = [];
  for (const pair of pairs) {
    const match = MIX_PAIR.exec(pair);
    if (!match) return null;
    out.push({ leverage: Number(match[1]), weight: Number(match[2]) / 100 });
  }
  return out;
}

/** Parses a number typed in any common way ("1,5" too); NaN when it is not one. */
export function parseNumber(text: string): number {
  const trimmed = text.trim().replace(',', '.');
  return trimmed === '' || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(trimmed) ? Number.NaN : Number(trimmed);
}

/** Adds a ticker to the watchlist rows, or says why it cannot be added. */
export function addAsset(rows: WatchRow[], input: string): { rows: WatchRow[] } | { error: FieldError } {
  const asset = normalizeAsset(input);
  if (!asset) return { error: { key: 'errTicker' } };
  if (rows.some((row) => row.asset === asset)) return { error: { key: 'errDuplicate' } };
  return { rows: [...rows, { asset, thresholdM: '' }] };
}

/**
 * The form as settings to send, exactly as typed: text that is not a number stays NaN (null once
 * sent), for the worker's schema to refuse at its field.
 */
export function fromForm(form: SettingsForm): Settings {
  const perAsset: Record<string, number> = {};
  for (const row of form.watchlist) if (row.thresholdM.trim() !== '') perAsset[row.asset] = dollars(parseNumber(row.thresholdM));
  return {
    version: SETTINGS_VERSION,
    watchlist: form.watchlist.map((row) => row.asset),
    venues: { ...form.venues },
    sites: { ...form.sites },
    preferredExchange: form.preferredExchange,
    meterMode: form.meterMode,
    alerts: {
      market1h: { enabled: form.market1hEnabled, usd: dollars(parseNumber(form.market1hM)) },
      asset1h: { enabled: form.asset1hEnabled, usd: dollars(parseNumber(form.asset1hM)), perAsset },
      minSideShare: parseNumber(form.minSidePercent) / 100,
      fundingFlip: form.fundingFlip,
      phases: Object.fromEntries(ALERT_PHASES.map((p) => [p, form.phases[p]])) as Record<AlertPhase, boolean>,
      cooldownMs: parseNumber(form.cooldownMinutes) * MINUTE_MS,
      quietHours: { enabled: form.quietEnabled, start: form.quietStart, end: form.quietEnd },
    },
    model: {
      flushIntensity: parseNumber(form.flushIntensity),
      dominantShare: parseNumber(form.dominantPercent) / 100,
      minFlushUsd1hMarket: dollars(parseNumber(form.minFlushMarketM)),
      minFlushUsd1hAsset: dollars(parseNumber(form.minFlushAssetM)),
    },
    // Text that does not read as pairs is sent as no slices, which the schema refuses at the field.
    levels: { leverageMix: parseLeverageMixText(form.leverageMix) ?? [] },
    tape: { minUsd: dollarsK(parseNumber(form.tapeMinK)), soundUsd: dollarsK(parseNumber(form.tapeSoundK)), sound: form.tapeSound },
  };
}

/** Settings path → the form field that enters it, and how many settings units one form unit is. */
const FIELDS: Record<string, { field: string; unit: number }> = {
  watchlist: { field: 'watchlist', unit: 1 },
  'alerts.market1h.usd': { field: 'market1hM', unit: MILLION },
  'alerts.asset1h.usd': { field: 'asset1hM', unit: MILLION },
  'alerts.minSideShare': { field: 'minSidePercent', unit: PERCENT },
  'alerts.cooldownMs': { field: 'cooldownMinutes', unit: MINUTE_MS },
  'alerts.quietHours.start': { field: 'quietStart', unit: 1 },
  'alerts.quietHours.end': { field: 'quietEnd', unit: 1 },
  'model.flushIntensity': { field: 'flushIntensity', unit: 1 },
  'model.dominantShare': { field: 'dominantPercent', unit: PERCENT },
  'model.minFlushUsd1hMarket': { field: 'minFlushMarketM', unit: MILLION },
  'model.minFlushUsd1hAsset': { field: 'minFlushAssetM', unit: MILLION },
  'levels.leverageMix': { field: 'leverageMix', unit: 1 },
  'tape.minUsd': { field: 'tapeMinK', unit: THOUSAND },
  'tape.soundUsd': { field: 'tapeSoundK', unit: THOUSAND },
};

function fieldOf(path: string): { field: string; unit: number } | undefined {
  const perAsset = /^alerts\.asset1h\.perAsset\.(.+)$/.exec(path);
  if (perAsset) return { field: `threshold:${perAsset[1]}`, unit: MILLION };
  // A bad ticker in the list ("watchlist.2") is the list's.
  return FIELDS[path.replace(/^watchlist\.\d+$/, 'watchlist')];
}

/**
 * The schema's issues from the worker's reply, at their fields (the first issue of a field wins),
 * with bounds in the field's units; `other` holds issues no text field enters (none in practice:
 * checkboxes and lists cannot hold a bad value), for the status line.
 */
export function formErrors(issues: readonly SettingsIssue[]): { errors: FormErrors; other: SettingsIssue[] } {
  const errors: FormErrors = {};
  const other: SettingsIssue[] = [];
  for (const issue of issues) {
    const target = fieldOf(issue.path);
    if (!target) other.push(issue);
    else errors[target.field] ??= { key: issue.key, ...(issue.values ? { substitutions: issue.values.map((v) => tidy(v / target.unit)) } : {}) };
  }
  return { errors, other };
}
