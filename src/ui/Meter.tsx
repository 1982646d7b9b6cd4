/**
 * The leverage flush meter. Compact: one line by the order panel (gauge, 1 h liquidations,
 * long share, phase). Expanded: every signal with the reasons behind the verdict, a 24 h
 * sparkline, the per-venue breakdown and the risk box. Shared by the page meter and the popup.
 */
import { useState } from 'preact/hooks';
import { STALE_AFTER_MS, type VenueGap } from '../core/bus';
import type { ScopeReading } from '../core/engine';
import type { Phase, Reason, Verdict } from '../core/flush';
import { MISSING } from '../core/i18n';
import { gapsWithin } from '../core/gaps';
import { Gauge, Sparkline } from './charts';
import { fmt, t } from './i18n';
import { reasonSentence } from './reason-text';
import { RiskBox } from './RiskBox';

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
      {gaps.length ? (
        <div class="fm-note fm-gap" data-field="gaps" role="note">
          {gaps.map((g) => t('meterGap', [f.clock(g.from), g.to === null ? t('meterNow') : f.clock(g.to), g.venue])).join(' · ')}
        </div>
      ) : null}
      {expanded ? <Expanded reading={reading} /> : null}
    </div>
  );
}

const noFlush = () => t('whyNoFlush');
const noHistory = () => t('whyNoHistory');

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

function Expanded({ reading }: { reading: ScopeReading }) {
  const { signals, verdict } = reading;
  const sampled = new Set(reading.sampledVenues);
  const bound = reading.sampledVenues.length > 0;
  const overDay = reading.sampledVenues24h;
  return (
    <div class="fm-expanded">
      <section aria-label={t('meterWhyLabel')}>
        <h2>{t('meterWhy', [phaseLabel(verdict.phase), String(verdict.pressure)])}</h2>
        <ul class="fm-reasons" data-field="reasons">
          {verdict.reasons.map((reason) => (
            <li key={reason.code} class={reason.met ? 'fm-met' : 'fm-unmet'}>
              <span aria-hidden="true">{reason.met ? '✓' : '·'}</span> {reasonText(reason)}
            </li>
          ))}
        </ul>
      </section>
      <section aria-label={t('meterSignals')} class="fm-grid">
        <Figure label={t('labelLiq5m')} field="liq5m" value={fmt().usdBound(signals.liq5m.totalUsd, bound)} />
        <Figure label={t('labelLiq4h')} field="liq4h" value={fmt().usdBound(signals.liq4h.totalUsd, overDay.length > 0)} />
        <Figure label={t('labelIntensity')} field="intensity" value={fmt().times(signals.intensity)} />
        <Figure label={t('labelVsPeak')} field="decayFromPeak" value={fmt().share(signals.decayFromPeak)} why={noFlush} />
        <Figure label={t('labelOi')} field="oi" value={fmt().usd(signals.oiUsd ?? reading.openInterestUsd)} why={() => t('whyNoOi')} />
        <Figure label={t('labelOi24h')} field="oiChange24h" value={fmt().change(signals.oiChange24h)} tone={tone(signals.oiChange24h)} why={noHistory} />
        <Figure label={t('labelOiSinceFlush')} field="oiChangeSinceFlush" value={fmt().change(signals.oiChangeSinceFlush)} tone={tone(signals.oiChangeSinceFlush)} why={noFlush} />
        <Figure label={t('labelFundingFlip')} field="fundingFlip" value={t(signals.fundingFlip === null ? 'flipNone' : signals.fundingFlip === 'to-negative' ? 'flipToNegative' : 'flipToPositive')} />
        <Figure label={t('labelBasis1h')} field="basisChange1h" value={fmt().rate(signals.basisChange1h)} why={noHistory} />
        <Figure label={t('labelPerpSpot')} field="perpSpotRatio" value={fmt().times(signals.perpSpotRatio)} why={noHistory} />
        <Figure label={t('labelPrice1h')} field="priceChange1h" value={fmt().change(signals.priceChange1h)} tone={tone(signals.priceChange1h)} why={noHistory} />
      </section>
      <section aria-label={t('meterSparkline')}>
        <Sparkline values={reading.sparkline} />
      </section>
      <section aria-label={t('meterPerVenue')}>
        <table class="fm-venues">
          <thead>
            <tr>
              <th scope="col">{t('colVenue')}</th>
              <th scope="col">{t('colLiq1h')}</th>
              <th scope="col">{t('colFunding')}</th>
              <th scope="col">{t('colBasis')}</th>
              <th scope="col">{t('labelOi')}</th>
            </tr>
          </thead>
          <tbody>
            {reading.venues.map((venue) => (
              <tr key={venue.venue} data-venue={venue.venue}>
                <td>{venue.venue}</td>
                <td>{fmt().usdBound(venue.liq1hUsd, sampled.has(venue.venue))}</td>
                <td>{fmt().rate(venue.funding8h)}</td>
                <td>{fmt().rate(venue.basis)}</td>
                <td>{fmt().usd(venue.openInterestUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {overDay.length > 0 ? <p class="fm-note">{t('meterSampledNote', [overDay.join(', ')])}</p> : null}
      </section>
      <RiskBox largestMove1h={reading.largestMove1h24h} />
    </div>
  );
}

/** A reason in the trader's language, its numbers in the trader's locale. */
function reasonText(reason: Reason): string {
  return reasonSentence(reason, { t, fmt: fmt() });
}

/** Stream gaps overlapping the last hour whose liquidations are not counted for this asset, across venues, oldest first. */
function recentGaps(gaps: readonly VenueGap[], now: number, asset: string): VenueGap[] {
  return gapsWithin(gaps, now, 60 * 60_000, asset).sort((a, b) => a.from - b.from);
}

/**
 * A labelled number. A missing one ("—") says why: `why` on hover (title) and, instead of the
 * dash, to a screen reader (visually hidden text).
 */
function Figure({ label, field, value, tone, why }: { label: string; field: string; value: string; tone?: string | undefined; why?: () => string }) {
  const reason = value === MISSING ? why?.() : undefined;
  return (
    <span class="fm-figure" title={reason}>
      <span class="fm-label">{label}</span>
      <span class={`fm-value${tone ? ` fm-${tone}` : ''}${value === MISSING ? ' fm-muted' : ''}`} data-field={field} aria-hidden={reason ? 'true' : undefined}>
        {value}
      </span>
      {reason ? <span class="fm-sr">{reason}</span> : null}
    </span>
  );
}

function tone(value: number | null): string | undefined {
  if (value === null || value === 0) return undefined;
  return value > 0 ? 'pos' : 'neg';
}
