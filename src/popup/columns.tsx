/** The per-asset figures' column heads and missing-cell reasons, shared by the watched-assets and breadth tables (the same figures, the same order). */
import { MISSING } from '../core/i18n';
import { t } from '../ui/i18n';

/** A cell's missing figure ("—") says why, on hover and to a screen reader (a cell may be named). */
export function why(value: string, reason: () => string): { title?: string; 'aria-label'?: string } {
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
