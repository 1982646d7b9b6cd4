/**
 * The leverage flush meter. Compact: one line by the order panel (gauge, 1 h liquidations,
 * long share, phase). Expanded: every signal with the reasons behind the verdict, the per-venue
 * breakdown, the risk box, and the 24 h history chart with the live tape. Shared by the page meter and the popup.
 */
import { useState } from 'preact/hooks';
import { STALE_AFTER_MS, type VenueGap } from '../core/bus';
import type { ScopeReading } from '../core/engine';
import type { Phase, Reason, Verdict } from '../core/flush';
import { gapsWithin } from '../core/gaps';
import { Gauge } from './charts';
import { fmt, t } from './i18n';
import { lazyModule } from './lazy';
import { reasonSentence } from './reason-text';
import { Figure, tone } from './figure';
import { Levels } from './Levels';

export interface MeterProps {
  asset: string;
  /** The scope's published reading (computedAt and collectingSince included), or none yet. */
  reading: ScopeReading | null | undefined;
  now: number;
  /** Start expanded (the options page sets the default). */
  expanded?: boolean;
  /** Stream gaps by venue: those in the last hour are shown and make the totals lower bounds. */
  gaps?: VenueGap[] | undefined;
}

/** "Flushing", "Re-leveraging", … in the UI language. */
export function phaseLabel(phase: Phase): string {
  return t(`phase_${phase}`);
}

/** The compact meter's phase: warming says for how long liquidations have been counted ("Warming up · 12 min"). */
function compactPhase(verdict: Verdict): string {
  const counted = verdict.reasons.find((r) => r.code === 'liq-coverage')?.value;
  return verdict.phase === 'warming' && typeof counted === 'number' ? t('phaseWarmingCounted', [fmt().count(counted)]) : phaseLabel(verdict.phase);
}

/** The coverage sentence, on hover of the phase while the liquidation hour is still being counted. */
function coverageTitle(verdict: Verdict): string | undefined {
  const coverage = verdict.reasons.find((r) => r.code === 'liq-coverage');
  return coverage ? reasonText(coverage) : undefined;
}

export function Meter({ asset, reading, now, expanded: startExpanded = false, gaps: allGaps = [] }: MeterProps) {
  const [expanded, setExpanded] = useState(startExpanded);
  if (!reading) {
    return (
      <div class="fm-meter fm-waiting" role="status">
        <span class="fm-title">{t('meterTitle', [asset])}</span>
        <span class="fm-muted">{t('meterWaiting')}</span>
      </div>
    );
  }
  const { verdict } = reading;
  const gaps = recentGaps(allGaps, now, asset);
  // A sampled feed or a stream gap in the hour: the totals are lower bounds.
  const sampled = reading.sampledVenues.length > 0 || gaps.length > 0;
  // The day's total also when the sampled feed contributed earlier in the day only.
  const sampled24h = sampled || reading.sampledVenues24h.length > 0;
  const dataTime = reading.dataTime ?? reading.computedAt;
  const stale = dataTime === null || now - dataTime > STALE_AFTER_MS;
  const sideText = verdict.side ? ` ${t(verdict.side === 'long' ? 'sideLongs' : 'sideShorts')}` : '';
  const f = fmt();
  const { signals } = reading;
  const since = countingSince(reading, now);
  const funding = fundingOf(reading);
  // Like funding: the live snapshots', else the market history's.
  const basis = reading.basis ?? signals.basis;
  return (
    <div class={`fm-meter fm-phase-${verdict.phase}`} data-phase={verdict.phase} data-side={verdict.side ?? ''} role="group" aria-label={t('meterAria', [asset])}>
      <div class="fm-row">
        <Gauge pressure={verdict.pressure} />
        <span class="fm-phase" data-field="phase" role="status" title={coverageTitle(verdict)}>
          {compactPhase(verdict)}
          {sideText}
        </span>
        <Figure label={t('colLiq1h')} field="liq1h" value={f.usdBound(reading.liq1h.totalUsd, sampled)} />
        <Figure label={t('colLongs')} field="longShare1h" value={f.share(reading.liq1h.longShare)} why={() => whyNoLiq(since)} />
        <button type="button" class="fm-toggle" aria-expanded={expanded} aria-label={t(expanded ? 'meterCollapse' : 'meterExpand')} onClick={() => setExpanded(!expanded)}>
          {expanded ? '▴' : '▾'}
        </button>
      </div>
      <div class="fm-row fm-figures">
        <span class="fm-title">{asset}</span>
        <Figure label={t('colLiq24h')} field="liq24h" value={f.usdBound(reading.liq24h.totalUsd, sampled24h)} />
        <Figure label={t('colFunding')} field="funding" value={f.rate(funding)} tone={tone(funding)} why={() => t('whyNoFunding')} />
        <Figure label={t('colBasis')} field="basis" value={f.rate(basis)} tone={tone(basis)} why={() => t('whyNoBasis')} />
        <Figure label={t('colOi1h')} field="oiChange1h" value={f.change(signals.oiChange1h)} tone={tone(signals.oiChange1h)} why={() => whyNoOiChange(reading, since)} />
        <span class={`fm-age${stale ? ' fm-stale' : ''}`} data-field="age" title={t('meterAgeTitle')}>
          {stale && dataTime !== null ? t('meterStalePrefix') : ''}
          {f.age(dataTime, now)}
        </span>
      </div>
      {reading.levels ? <Levels levels={reading.levels} /> : null}
      {gaps.length ? (
        <div class="fm-note fm-gap" data-field="gaps" role="note">
          {gaps.map((g) => t('meterGap', [f.clock(g.from), g.to === null ? t('meterNow') : f.clock(g.to), g.venue])).join(' · ')}
        </div>
      ) : null}
      {expanded ? <LazyExpanded reading={reading} scopeName={asset} now={now} /> : null}
    </div>
  );
}

export const noFlush = () => t('whyNoFlush');
export const noHistory = () => t('whyNoHistory');

/** The clock time liquidations are counted from when that began within the hour (install, return from an absence), else null. */
export function countingSince(reading: ScopeReading, now: number): string | null {
  return reading.collectingSince !== null && now - reading.collectingSince < 3_600_000 ? fmt().clock(reading.collectingSince) : null;
}

/** Funding from the live snapshots, else from the market history (back-filled from the venues' history endpoints on install). */
export function fundingOf(reading: ScopeReading): number | null {
  return reading.funding8h ?? reading.signals.funding8h;
}

/** Why the hour's long share is unknown: no liquidations in it (since counting began, when that was within the hour). */
export function whyNoLiq(since: string | null): string {
  return since ? t('whyNoLiqSince', [since]) : t('whyNoLiq');
}

/** Why the 1 h open-interest change is unknown: no open interest at all, or none from an hour ago yet. */
export function whyNoOiChange(reading: ScopeReading, since: string | null): string {
  if (reading.signals.oiUsd === null && reading.openInterestUsd === null) return t('whyNoOi');
  return since ? t('whyOiSince', [since]) : t('whyOiHour');
}

/** A reason in the trader's language, its numbers in the trader's locale. */
export function reasonText(reason: Reason): string {
  return reasonSentence(reason, { t, fmt: fmt() });
}

/** The expanded view: fetched when a meter first expands, not with the page (Expanded.tsx). */
const expandedView = lazyModule(() => import('./Expanded'));

/** Loads the expanded view now (a meter that opens expanded, and tests that render it at once). */
export async function loadExpanded(): Promise<void> {
  await expandedView.load();
}

function LazyExpanded({ reading, scopeName, now }: { reading: ScopeReading; scopeName: string; now: number }) {
  const module = expandedView.use(true);
  return module ? <module.Expanded reading={reading} scopeName={scopeName} now={now} /> : <div class="fm-expanded" aria-busy="true" />;
}

/** Stream gaps overlapping the last hour whose liquidations are not counted for this asset, across venues, oldest first. */
function recentGaps(gaps: readonly VenueGap[], now: number, asset: string): VenueGap[] {
  return gapsWithin(gaps, now, 60 * 60_000, asset).sort((a, b) => a.from - b.from);
}
