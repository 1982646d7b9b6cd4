/** The per-asset figures' column heads and missing-cell reasons, shared by the watched-assets and breadth tables (the same figures, the same order). */
import { MISSING } from '../core/i18n';
import { fmt, t } from '../ui/i18n';

/** A cell's missing figure ("—") says why, on hover and to a screen reader (a cell may be named). */
function why(value: string, reason: () => string): { title?: string; 'aria-label'?: string } {
  if (value !== MISSING) return {};
  const text = reason();
  return { title: text, 'aria-label': text };
}

export function FigureHeads() {
  return (
    <>
      <th scope="col" class="num">{t('colLiq1h')}</th>
      <th scope="col" class="num">{t('colLongs')}</th>
      <th scope="col" class="num">{t('colOi1h')}</th>
      <th scope="col" class="num">{t('colFunding')}</th>
    </>
  );
}

/** Why each figure may be missing, as the table knows it; none: the "—" stands alone (no reading yet). */
export interface MissingReasons {
  longShare?: () => string;
  oiChange?: () => string;
  funding?: () => string;
}

/** 'pos' / 'neg' for a signed figure's colour, '' for none or zero. */
function tone(value: number | null | undefined): string {
  return value === null || value === undefined || value === 0 ? '' : value > 0 ? 'pos' : 'neg';
}

/** The per-asset figures' cells, in FigureHeads' order: 1 h liquidations (a lower bound when `sampled`), long share, 1 h OI change, funding. */
export function FigureCells({ liq1hUsd, sampled, longShare, oiChange1h, funding8h, reasons = {} }: { liq1hUsd: number | null | undefined; sampled: boolean; longShare: number | null | undefined; oiChange1h: number | null | undefined; funding8h: number | null; reasons?: MissingReasons }) {
  const f = fmt();
  const share = f.share(longShare);
  const oiChange = f.change(oiChange1h);
  const funding = f.rate(funding8h);
  const said = (value: string, reason: (() => string) | undefined) => (reason ? why(value, reason) : {});
  return (
    <>
      <td class="num" data-field="liq1h">{f.usdBound(liq1hUsd, sampled)}</td>
      <td class="num" data-field="longShare1h" {...said(share, reasons.longShare)}>{share}</td>
      <td class={`num ${tone(oiChange1h)}`} data-field="oiChange1h" {...said(oiChange, reasons.oiChange)}>{oiChange}</td>
      <td class={`num ${tone(funding8h)}`} data-field="funding" {...said(funding, reasons.funding)}>{funding}</td>
    </>
  );
}
