/**
 * The expanded meter's liquidation map (loaded when the meter expands): the estimated USD of
 * liquidation levels by distance from the price, shorts above and longs below, each band a bar
 * with its range and size as text, so a screen reader reads the same figures the bars draw.
 */
import type { AssetLevels } from '../core/levels';
import { fmt, t } from './i18n';

/** Distance bands from the price, percent, and the seam's cumulative figures they are cut from. */
const BANDS = [
  { from: 3, to: 5, long: 'long5', inner: 'long3', short: 'short5', innerShort: 'short3' },
  { from: 1, to: 3, long: 'long3', inner: 'long1', short: 'short3', innerShort: 'short1' },
  { from: 0, to: 1, long: 'long1', inner: null, short: 'short1', innerShort: null },
] as const;

type Bands = AssetLevels['bandsUsd'];

function band(bands: Bands, outer: keyof Bands, inner: keyof Bands | null): number {
  return Math.max(0, bands[outer] - (inner ? bands[inner] : 0));
}

export function LevelMap({ levels, price }: { levels: AssetLevels; price: number | null }) {
  const b = levels.bandsUsd;
  const rows = [
    ...BANDS.map((r) => ({ key: r.short, side: 'short' as const, range: `+${r.from}–${r.to}%`, usd: band(b, r.short, r.innerShort) })),
    ...[...BANDS].reverse().map((r) => ({ key: r.long, side: 'long' as const, range: `−${r.from}–${r.to}%`, usd: band(b, r.long, r.inner) })),
  ];
  const max = Math.max(...rows.map((r) => r.usd), 0);
  return (
    <section class="fm-levelmap" aria-label={t('levelMap')} title={t('levelsWhy')} data-field="level-map">
      <h3>{t('levelMap')}</h3>
      <ol>
        {rows.map((row, i) => (
          <li key={row.key} data-band={row.key} class={`fm-band fm-band-${row.side}${i === 3 ? ' fm-below-price' : ''}`}>
            <span class="fm-band-range">{row.range}</span>
            <span class="fm-band-bar" aria-hidden="true">
              <span style={{ width: `${max > 0 ? Math.round((row.usd / max) * 100) : 0}%` }} />
            </span>
            <span class="fm-band-usd">{row.usd > 0 ? `~${fmt().usd(row.usd)}` : '0'}</span>
          </li>
        ))}
      </ol>
      <p class="fm-note">{t('levelMapAxis', [price === null ? '—' : fmt().count(price)])}</p>
    </section>
  );
}
