/** The risk box: % move to liquidation at the trader's leverage vs the day's largest 1 h move. */
import { useState } from 'preact/hooks';
import { MISSING } from '../core/i18n';
import { assessRisk, riskInput } from '../core/risk';
import type { AssetLevels } from '../core/levels';
import { fmt, t } from './i18n';
import { clusterText } from './Levels';

function percent(fraction: number | null): string {
  return fraction === null || !Number.isFinite(fraction) ? MISSING : `${(fraction * 100).toFixed(2)}%`;
}

export function RiskBox({ largestMove1h, lastHourRange = null, levels = null }: { largestMove1h: number | null; lastHourRange?: number | null; levels?: AssetLevels | null }) {
  const [leverage, setLeverage] = useState('20');
  const [maintenance, setMaintenance] = useState('0.5');
  const input = riskInput(Number(leverage), Number(maintenance || 0), largestMove1h);
  const risk = input ? assessRisk(input) : null;
  const atRisk = risk && (risk.longAtRisk || risk.shortAtRisk);
  return (
    <section class="fm-risk" aria-label={t('riskBox')}>
      <h2>{t('riskBox')}</h2>
      <div class="fm-row">
        <label>
          {t('riskLeverage')}
          <input type="number" min="1" max="200" step="1" value={leverage} data-field="leverage" onInput={(e) => setLeverage(e.currentTarget.value)} />
        </label>
        <label>
          {t('riskMaintenance')}
          <input type="number" min="0" max="50" step="0.1" value={maintenance} data-field="maintenance" onInput={(e) => setMaintenance(e.currentTarget.value)} />
        </label>
      </div>
      {risk ? (
        <p data-field="risk" class={atRisk ? 'fm-warn' : ''}>
          {t('riskMoves', [percent(risk.longMoveToLiquidation), percent(risk.shortMoveToLiquidation), percent(largestMove1h)])}
          {atRisk ? ` ${t('riskWouldLiquidate')}` : largestMove1h === null ? '' : ` ${t('riskWouldSurvive')}`}
        </p>
      ) : (
        <p data-field="risk" class="fm-muted">
          {t('riskInvalid', [fmt().share(1 / Math.max(1, Number(leverage) || 1))])}
        </p>
      )}
      {lastHourRange !== null ? <p data-field="risk-range">{t('riskLastHour', [percent(lastHourRange)])}</p> : null}
      {levels ? (
        <p data-field="risk-levels" title={t('levelsWhy')}>
          {t('riskLevels', [clusterText(levels.long, -1), clusterText(levels.short, 1)])}
        </p>
      ) : null}
    </section>
  );
}
