/** The per-asset figures' column heads, shared by the watched-assets and breadth tables (the same figures, the same order). */
import { t } from '../ui/i18n';

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
