/**
 * The options form in the units a trader types (millions of dollars, percent, minutes) and its
 * conversion to and from Settings. Pure, so every rule is unit-tested; the worker validates
 * again with zod when the saved settings arrive.
 */
import type { MessageKey } from '../core/i18n';
import type { VenueId } from '../core/model';
import { ALERT_PHASES, clockMinutes, defaultSettings, LIMITS, normalizeAsset, SETTINGS_VERSION, type AlertPhase, type MeterMode, type Settings } from '../core/settings';

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
}

export interface FieldError {
  key: MessageKey;
  substitutions?: string[];
}

/** Field id ('market1hM', 'threshold:BTC', …) → what is wrong with it. */
export type FormErrors = Record<string, FieldError>;

const MILLION = 1_000_000;
const USD_M = { min: LIMITS.usdMin / MILLION, max: LIMITS.usdMax / MILLION };

/** 50_000_000 → "50"; 2_500_000 → "2.5": no float noise in the inputs. */
const millions = (usd: number) => String(Number((usd / MILLION).toPrecision(6)));
/** Whole dollars: 1.1 × 1e6 is not exactly 1,100,000 in floating point. */
const dollars = (m: number) => Math.round(m * MILLION);
const percent = (share: number) => String(Number((share * 100).toPrecision(6)));

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
  };
}

/** Parses a number typed in any common way ("1,5" too); NaN when it is not one. */
export function parseNumber(text: string): number {
  const trimmed = text.trim().replace(',', '.');
  return trimmed === '' || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(trimmed) ? Number.NaN : Number(trimmed);
}

function inRange(text: string, min: number, max: number, errors: FormErrors, field: string): number {
  const value = parseNumber(text);
  if (!(value >= min && value <= max)) errors[field] = { key: 'errRange', substitutions: [String(min), String(max)] };
  return value;
}

/** Adds a ticker to the watchlist rows, or says why it cannot be added. */
export function addAsset(rows: WatchRow[], input: string): { rows: WatchRow[] } | { error: FieldError } {
  const asset = normalizeAsset(input);
  if (!asset) return { error: { key: 'errTicker' } };
  if (rows.some((row) => row.asset === asset)) return { error: { key: 'errDuplicate' } };
  if (rows.length >= LIMITS.watchlistMax) return { error: { key: 'errWatchlistFull', substitutions: [String(LIMITS.watchlistMax)] } };
  return { rows: [...rows, { asset, thresholdM: '' }] };
}

/** The form as Settings, or the errors that stop it from being saved. */
export function fromForm(form: SettingsForm): { settings: Settings; errors: null } | { settings: null; errors: FormErrors } {
  const errors: FormErrors = {};
  if (form.watchlist.length === 0) errors.watchlist = { key: 'errWatchlistEmpty' };
  if (form.watchlist.length > LIMITS.watchlistMax) errors.watchlist = { key: 'errWatchlistFull', substitutions: [String(LIMITS.watchlistMax)] };
  const perAsset: Record<string, number> = {};
  for (const row of form.watchlist) {
    if (row.thresholdM.trim() === '') continue;
    perAsset[row.asset] = dollars(inRange(row.thresholdM, USD_M.min, USD_M.max, errors, `threshold:${row.asset}`));
  }
  const market1h = inRange(form.market1hM, USD_M.min, USD_M.max, errors, 'market1hM');
  const asset1h = inRange(form.asset1hM, USD_M.min, USD_M.max, errors, 'asset1hM');
  const side = inRange(form.minSidePercent, LIMITS.minSideShare.min * 100, LIMITS.minSideShare.max * 100, errors, 'minSidePercent');
  const cooldown = inRange(form.cooldownMinutes, LIMITS.cooldownMinutes.min, LIMITS.cooldownMinutes.max, errors, 'cooldownMinutes');
  if (Number.isFinite(cooldown) && !Number.isInteger(cooldown)) errors.cooldownMinutes = { key: 'errWhole' };
  for (const field of ['quietStart', 'quietEnd'] as const) if (clockMinutes(form[field]) === null) errors[field] = { key: 'errClock' };
  if (form.quietEnabled && form.quietStart === form.quietEnd && !errors.quietStart) errors.quietEnd = { key: 'errQuietSame' };
  const intensity = inRange(form.flushIntensity, LIMITS.flushIntensity.min, LIMITS.flushIntensity.max, errors, 'flushIntensity');
  const dominant = inRange(form.dominantPercent, LIMITS.dominantShare.min * 100, LIMITS.dominantShare.max * 100, errors, 'dominantPercent');
  const minMarket = inRange(form.minFlushMarketM, USD_M.min, USD_M.max, errors, 'minFlushMarketM');
  const minAsset = inRange(form.minFlushAssetM, USD_M.min, USD_M.max, errors, 'minFlushAssetM');
  if (Object.keys(errors).length) return { settings: null, errors };

  const defaults = defaultSettings();
  const settings: Settings = {
    version: SETTINGS_VERSION,
    watchlist: form.watchlist.map((row) => row.asset),
    venues: { ...defaults.venues, ...form.venues },
    sites: { ...form.sites },
    preferredExchange: form.preferredExchange,
    meterMode: form.meterMode,
    alerts: {
      market1h: { enabled: form.market1hEnabled, usd: dollars(market1h) },
      asset1h: { enabled: form.asset1hEnabled, usd: dollars(asset1h), perAsset },
      minSideShare: side / 100,
      fundingFlip: form.fundingFlip,
      phases: Object.fromEntries(ALERT_PHASES.map((p) => [p, form.phases[p]])) as Record<AlertPhase, boolean>,
      cooldownMs: cooldown * 60_000,
      quietHours: { enabled: form.quietEnabled, start: form.quietStart, end: form.quietEnd },
    },
    model: {
      flushIntensity: intensity,
      dominantShare: dominant / 100,
      minFlushUsd1hMarket: dollars(minMarket),
      minFlushUsd1hAsset: dollars(minAsset),
    },
  };
  return { settings, errors: null };
}
