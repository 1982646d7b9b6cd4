/**
 * The popup's 24 h history (issue 18, part 2) for the scope it shows: the market, or the asset
 * whose detail is open in the breadth. A disclosure like the tape's (the popup keeps within its
 * height), remembered; the chart is asked of the worker only while it is open, and its code is
 * loaded when it first opens, not with the popup (the popup's first render loads fewer files).
 */
import { MARKET_SCOPE } from '../core/bus';
import { t } from '../ui/i18n';
import { lazyModule } from '../ui/lazy';
import { useRememberedOpen } from './remembered-open';

/** The chart: fetched when the history first opens, not with the popup. */
const chartView = lazyModule(() => import('../ui/HistoryChart'));

export function HistorySection({ scope, changed, now }: { scope: string; changed: unknown; now: number }) {
  const [open, toggle] = useRememberedOpen('history');
  const chart = chartView.use(open);
  const scopeName = scope === MARKET_SCOPE ? t('allMarkets') : scope;
  return (
    // Named without the scope: the market's own region is "All markets".
    <section data-section="history" data-history-scope={scope} aria-label={t('popupHistory')}>
      <h2 id="history-heading">
        <button type="button" class="disclosure" data-action="history" aria-expanded={open} aria-controls="history-body" onClick={toggle}>
          <span aria-hidden="true">{open ? '▾ ' : '▸ '}</span>
          {t('historyOf', [scopeName])}
        </button>
      </h2>
      <div id="history-body" hidden={!open}>
        {/* The meter's palette (light and dark) for the chart's colours. */}
        {open ? (
          <div class="fm-meter fm-history-box" aria-busy={chart ? undefined : 'true'}>
            {chart ? <chart.HistoryPanel scope={scope} scopeName={scopeName} changed={changed} now={now} /> : null}
          </div>
        ) : null}
      </div>
    </section>
  );
}
