/**
 * A verdict reason in words: the _locales message the reason names, with each of its numbers
 * written by the UI language's Intl formats. Core hands over codes and numbers only, so the
 * wording happens here, at the edge, in whatever language the page speaks.
 */
import type { Reason, ReasonArg } from '../core/flush';
import type { Formats, Wording } from '../core/i18n';

export function reasonSentence(reason: Reason, { t, fmt }: Wording): string {
  const text = t(reason.key, reason.args.map((arg) => formatReasonArg(arg, fmt)));
  return reason.holds ? `${text}; ${t('reasonHolds')}` : text;
}

export function formatReasonArg(arg: ReasonArg, fmt: Formats): string {
  if ('usd' in arg) return fmt.usd(arg.usd);
  if ('share' in arg) return fmt.share(arg.share);
  if ('change' in arg) return fmt.change(arg.change);
  if ('rate' in arg) return fmt.rate(arg.rate);
  if ('times' in arg) return fmt.times(arg.times);
  if ('clock' in arg) return fmt.clock(arg.clock);
  if ('hours' in arg) return fmt.count(arg.hours);
  return fmt.count(arg.minutes);
}
