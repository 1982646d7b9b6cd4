/** The risk box: % move to liquidation at the trader's leverage vs the day's largest 1 h move. */
import { useState } from 'preact/hooks';
import { formatShare, MISSING } from '../core/format';
import { assessRisk, riskInput } from '../core/risk';

function percent(fraction: number | null): string {
  return fraction === null || !Number.isFinite(fraction) ? MISSING : `${(fraction * 100).toFixed(2)}%`;
}

export function RiskBox({ largestMove1h }: { largestMove1h: number | null }) {
  const [leverage, setLeverage] = useState('20');
  const [maintenance, setMaintenance] = useState('0.5');
  const input = riskInput(Number(leverage), Number(maintenance || 0), largestMove1h);
  const risk = input ? assessRisk(input) : null;
  const atRisk = risk && (risk.longAtRisk || risk.shortAtRisk);
  return (
    <section class="fm-risk" aria-label="Risk box">
      <h3>Risk box</h3>
      <div class="fm-row">
        <label>
          Leverage ×<input type="number" min="1" max="200" step="1" value={leverage} data-field="leverage" onInput={(e) => setLeverage(e.currentTarget.value)} />
        </label>
        <label>
          Maint. margin %<input type="number" min="0" max="50" step="0.1" value={maintenance} data-field="maintenance" onInput={(e) => setMaintenance(e.currentTarget.value)} />
        </label>
      </div>
      {risk ? (
        <p data-field="risk" class={atRisk ? 'fm-warn' : ''}>
          Liquidation after a {percent(risk.longMoveToLiquidation)} fall (long) or {percent(risk.shortMoveToLiquidation)} rise (short). Largest 1 h move in 24 h:{' '}
          {percent(largestMove1h)}.{atRisk ? ' A move like that would liquidate this position.' : largestMove1h === null ? '' : ' It would survive such a move.'}
        </p>
      ) : (
        <p data-field="risk" class="fm-muted">
          Enter leverage 1–200 and a maintenance margin below the initial margin ({formatShare(1 / Math.max(1, Number(leverage) || 1))}).
        </p>
      )}
    </section>
  );
}
