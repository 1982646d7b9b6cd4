/**
 * The live tape's rows, shared by the popup's tape section and the expanded meter: one line per
 * print, newest first (venue, asset, sampled mark, side, USD, price, age). The classes are the
 * popup's (popup.css) and, inside a meter, the meter's own (styles.ts `.fm-meter .tape …`).
 */
import { useMemo } from 'preact/hooks';
import { exchangeName } from '../core/exchanges';
import { printKey, type TapePrint } from '../core/tape';
import { fmt, t } from './i18n';

export function TapeList({ prints, now, labelledBy }: { prints: readonly TapePrint[]; now: number; labelledBy: string }) {
  const f = fmt();
  const price = useMemo(() => new Intl.NumberFormat(f.locale, { maximumSignificantDigits: 6 }), [f.locale]);
  return (
    // A list, not a table: each print reads as one line ("OKX BTC sampled · longs · $1.2M · @ 71,950 · 3s").
    // Its own scroll box (focusable, so a keyboard scrolls it too): the popup stays within 600 px.
    <ol class="tape" tabIndex={0} aria-labelledby={labelledBy}>
      {prints.map((print) => (
        <li key={printKey(print)} data-row="" data-venue={print.venue} data-side={print.side} data-asset={print.asset} data-sampled={print.sampled ? '' : undefined}>
          <span class="tape-where">
            <span data-field="venue">{exchangeName(print.venue)}</span> <span data-field="asset">{print.asset}</span>
            {print.sampled ? (
              <>
                {' '}
                <abbr class="tape-sampled" data-field="sampled" title={t('tapeSampledNote', [exchangeName(print.venue)])}>
                  {t('tapeSampled')}
                </abbr>
              </>
            ) : null}
          </span>
          <span data-field="side" class={print.side === 'long' ? 'neg' : 'pos'}>
            {t(print.side === 'long' ? 'sideLongs' : 'sideShorts')}
          </span>
          <span class="num" data-field="size">
            {f.usd(print.usd)}
          </span>
          <span class="num" data-field="price" title={t('colPrice')}>
            @ {price.format(print.price)}
          </span>
          <span class="num muted" data-field="age" title={t('colAge')}>
            {f.age(print.time, now)}
          </span>
        </li>
      ))}
    </ol>
  );
}
