/**
 * Number and time formatting for the meter, popup and notifications.
 * Pure; every function returns a readable placeholder instead of NaN for missing input.
 */

export const MISSING = '—';

const compactUsd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

/** $99.1M, $471.0M, $12.4K; "$0" for zero. */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  if (value === 0) return '$0';
  return compactUsd.format(value);
}

/** A sampled total is a lower bound: "≥ $12.4M". */
export function formatUsdBound(value: number | null | undefined, lowerBound: boolean): string {
  const text = formatUsd(value);
  return lowerBound && text !== MISSING && value !== 0 ? `≥ ${text}` : text;
}

/** 0.9 → "90%". */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return MISSING;
  return `${Math.round(share * 100)}%`;
}

/** A signed rate as a percent: 0.0001 → "+0.0100%", -0.00005 → "−0.0050%". */
export function formatSignedPercent(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  const percent = (value * 100).toFixed(digits);
  if (Number(percent) === 0) return `${(0).toFixed(digits)}%`;
  return value > 0 ? `+${percent}%` : `−${percent.slice(1)}%`;
}

/** "12s", "4m", "2h 5m" ago; MISSING when unknown. */
export function formatAge(fromMs: number | null | undefined, nowMs: number): string {
  if (fromMs === null || fromMs === undefined || !Number.isFinite(fromMs)) return MISSING;
  const seconds = Math.max(0, Math.round((nowMs - fromMs) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h ${minutes % 60}m`;
}

/** Wall-clock HH:MM in the user's locale. */
export function formatClock(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return MISSING;
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}
