/** The compact leverage flush meter: shown beside the order panel and in the popup. */
import type { ScopeReading } from '../core/engine';
import { formatAge, formatShare, formatSignedPercent, formatUsdBound, MISSING } from '../core/format';
import { STALE_AFTER_MS } from '../core/bus';

export interface MeterProps {
  asset: string;
  reading: ScopeReading | undefined;
  computedAt: number | null;
  now: number;
}

export function Meter({ asset, reading, computedAt, now }: MeterProps) {
  if (!reading) {
    return (
      <div class="fm-meter fm-waiting" role="status">
        <span class="fm-title">Flush meter · {asset}</span>
        <span class="fm-muted">waiting for data…</span>
      </div>
    );
  }
  const sampled = reading.sampledVenues.length > 0;
  const dataTime = reading.dataTime ?? computedAt;
  const stale = dataTime === null || now - dataTime > STALE_AFTER_MS;
  return (
    <div class="fm-meter" role="status" aria-label={`Leverage flush meter for ${asset}`}>
      <div class="fm-row">
        <span class="fm-title">Flush meter · {asset}</span>
        <span class={`fm-age${stale ? ' fm-stale' : ''}`} data-field="age" title="Age of the newest market data">
          {stale && dataTime !== null ? 'stale · ' : ''}
          {formatAge(dataTime, now)}
        </span>
      </div>
      <div class="fm-row fm-figures">
        <Figure label="Liq 1h" field="liq1h" value={formatUsdBound(reading.liq1h.totalUsd, sampled)} />
        <Figure label="Longs" field="longShare1h" value={formatShare(reading.liq1h.longShare)} />
        <Figure label="Liq 24h" field="liq24h" value={formatUsdBound(reading.liq24h.totalUsd, sampled)} />
        <Figure label="Funding 8h" field="funding" value={formatSignedPercent(reading.funding8h)} tone={tone(reading.funding8h)} />
        <Figure label="Basis" field="basis" value={formatSignedPercent(reading.basis, 3)} tone={tone(reading.basis)} />
      </div>
      {sampled ? <div class="fm-note">≥: sampled feed ({reading.sampledVenues.join(', ')}) reports at most one liquidation per symbol per second</div> : null}
    </div>
  );
}

function Figure({ label, field, value, tone }: { label: string; field: string; value: string; tone?: string }) {
  return (
    <span class="fm-figure">
      <span class="fm-label">{label}</span>
      <span class={`fm-value${tone ? ` fm-${tone}` : ''}${value === MISSING ? ' fm-muted' : ''}`} data-field={field}>
        {value}
      </span>
    </span>
  );
}

function tone(value: number | null): string | undefined {
  if (value === null || value === 0) return undefined;
  return value > 0 ? 'pos' : 'neg';
}
