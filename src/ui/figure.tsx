/** One labelled figure of the meter, toned by its sign: the compact row and the expanded grid share it. */
import { MISSING } from '../core/i18n';

export function Figure({ label, field, value, tone }: { label: string; field: string; value: string; tone?: string | undefined }) {
  return (
    <span class="fm-figure">
      <span class="fm-label">{label}</span>
      <span class={`fm-value${tone ? ` fm-${tone}` : ''}${value === MISSING ? ' fm-muted' : ''}`} data-field={field}>
        {value}
      </span>
    </span>
  );
}

export function tone(value: number | null): string | undefined {
  if (value === null || value === 0) return undefined;
  return value > 0 ? 'pos' : 'neg';
}
