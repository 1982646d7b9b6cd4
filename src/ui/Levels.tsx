/**
 * The meter's estimated liquidation levels (src/core/levels.ts): the nearest cluster of long
 * liquidations below the price and of short liquidations above it, each with its distance and
 * size, labelled an estimate with the reason on hover.
 */
import type { AssetLevels, LevelCluster } from '../core/levels';
import { fmt, t } from './i18n';

/** "−2.30% (~$180M)", or "none near". */
export function clusterText(cluster: LevelCluster | null, sign: 1 | -1): string {
  return cluster ? `${fmt().change((sign * cluster.distancePct) / 100)} (~${fmt().usd(cluster.usd)})` : t('levelNone');
}

export function Levels({ levels }: { levels: AssetLevels }) {
  // Nothing near on either side: the row keeps its fields (tools read them) but takes no room,
  // so the compact meter is no taller than without it (a taller meter can crowd a tight order column).
  const nothingNear = levels.long === null && levels.short === null;
  return (
    <div class="fm-row fm-levels" title={t('levelsWhy')} hidden={nothingNear}>
      <span class="fm-label">{t('levelsLabel')}</span>
      <Side field="level-long" cluster={levels.long} sign={-1} />
      <Side field="level-short" cluster={levels.short} sign={1} />
    </div>
  );
}

function Side({ field, cluster, sign }: { field: string; cluster: LevelCluster | null; sign: 1 | -1 }) {
  const text = cluster
    ? t(sign < 0 ? 'levelLong' : 'levelShort', [fmt().change((sign * cluster.distancePct) / 100), fmt().usd(cluster.usd)])
    : `${t(sign < 0 ? 'sideLongs' : 'sideShorts')}: ${t('levelNone')}`;
  return (
    <span class={`fm-value ${sign < 0 ? 'fm-neg' : 'fm-pos'}`} data-field={field}>
      {text}
    </span>
  );
}
