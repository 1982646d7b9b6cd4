/**
 * The meter's expanded view: the reasons behind the verdict, every signal, the per-venue
 * breakdown, the liquidation map, the risk box, and the 24 h history chart with the scope's live
 * tape. Its own module, loaded when a meter first expands (Meter.tsx LazyExpanded): the page's first paint carries only the compact meter.
 */
import type { ScopeReading } from '../core/engine';
import { Figure, tone } from './figure';
import { HistoryPanel } from './HistoryChart';
import { fmt, t } from './i18n';
import { LevelMap } from './LevelMap';
import { noFlush, noHistory, phaseLabel, reasonText } from './Meter';
import { RiskBox } from './RiskBox';

export function Expanded({ reading, scopeName, now }: { reading: ScopeReading; scopeName: string; now: number }) {
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
      {reading.levels ? <LevelMap levels={reading.levels} price={reading.markPrice} /> : null}
      <RiskBox largestMove1h={reading.largestMove1h24h} lastHourRange={reading.signals.priceRange1h ?? null} levels={reading.levels} />
      {/* Last: the chart and the tape take focus, after the risk box's inputs. */}
      {/* Not a landmark of its own: the chart is a named group, and the popup's history section already names the same scope. */}
      <div class="fm-expanded-history">
        <HistoryPanel scope={reading.scope} scopeName={scopeName} changed={reading.computedAt} now={now} tape />
      </div>
    </div>
  );
}
