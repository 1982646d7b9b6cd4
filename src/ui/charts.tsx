import { t } from './i18n';

/** Small inline SVG charts: no library, text-free, so nothing from the network reaches the DOM as markup. */

/** A half-ring gauge filled to `pressure` (0–100). */
export function Gauge({ pressure }: { pressure: number }) {
  const p = Math.max(0, Math.min(100, Number.isFinite(pressure) ? pressure : 0));
  // Arc length of a half circle of radius 14 is π × 14.
  const length = Math.PI * 14;
  return (
    <svg class="fm-gauge" width="36" height="20" viewBox="0 0 36 20" role="img" aria-label={t('gaugeAria', [String(Math.round(p))])} data-field="pressure" data-value={Math.round(p)}>
      <path d="M4 18 A14 14 0 0 1 32 18" class="fm-gauge-track" />
      <path d="M4 18 A14 14 0 0 1 32 18" class="fm-gauge-fill" stroke-dasharray={`${(p / 100) * length} ${length}`} />
      {/* The number inside the arc: readable at a glance, and the row stays as wide as before. */}
      <text x="18" y="18" class="fm-gauge-value" text-anchor="middle" aria-hidden="true">
        {Math.round(p)}
      </text>
    </svg>
  );
}
