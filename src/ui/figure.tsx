/** One labelled figure of the meter, toned by its sign: the compact row and the expanded grid share it. */
import { MISSING } from '../core/i18n';

/**
 * A labelled number. A missing one ("—") says why: `why` on hover (title) and, instead of the
 * dash, to a screen reader (visually hidden text).
 */
export function Figure({ label, field, value, tone, why }: { label: string; field: string; value: string; tone?: string | undefined; why?: () => string }) {
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

export function tone(value: number | null): string | undefined {
  if (value === null || value === 0) return undefined;
  return value > 0 ? 'pos' : 'neg';
}
