/**
 * Language and number formatting without browser APIs: the pages pass `chrome.i18n.getMessage`
 * as the Translate function, tests pass one built from the _locales JSON, so every sentence the
 * extension shows can be checked in plain Node in every language it ships.
 */
import type en from '../../_locales/en/messages.json';

/** Every message name in _locales/en/messages.json (a typo is a compile error). */
export type MessageKey = keyof typeof en;

export type Translate = (key: MessageKey, substitutions?: readonly string[]) => string;

export interface LocaleMessage {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

/**
 * The same substitution rules as chrome.i18n.getMessage: `$NAME$` placeholders (any case) take
 * their `content`, in which `$1`…`$9` are the substitutions; `$$` is a literal dollar sign.
 * A missing key gives '' like the browser does.
 */
export function translatorFromMessages(messages: Record<string, LocaleMessage>): Translate {
  return (key, substitutions = []) => {
    const entry = messages[key];
    if (!entry) return '';
    const placeholders = Object.fromEntries(Object.entries(entry.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), p.content]));
    const numbered = (text: string) => text.replace(/\$(\d)/g, (_, n: string) => substitutions[Number(n) - 1] ?? '');
    return entry.message.replace(/\$\$|\$([A-Za-z0-9_@]+)\$/g, (whole, name?: string) => {
      if (whole === '$$') return '$';
      const content = placeholders[name!.toLowerCase()];
      return content === undefined ? whole : numbered(content);
    });
  };
}

/** Locale-aware numbers, money and times for one UI language. */
export interface Formats {
  locale: string;
  /** Compact dollars: "$99.1M" (en), "US$9910.0万" (zh-CN). Zero is "$0"-style, unknown is "—". */
  usd(value: number | null | undefined): string;
  /** A sampled total is a lower bound: "≥ $12.4M". */
  usdBound(value: number | null | undefined, lowerBound: boolean): string;
  /** 0.9 → "90%". */
  share(value: number | null | undefined): string;
  /** A signed rate: 0.0001 → "+0.01%", −0.000042 → "−0.0042%" (funding, basis). */
  rate(value: number | null | undefined): string;
  /** A signed change: −0.08 → "−8%", 0.052 → "+5.2%" (open interest, price). */
  change(value: number | null | undefined): string;
  /** Wall-clock time, hours and minutes. */
  clock(ms: number | null | undefined): string;
  /** A whole count: 1234 → "1,234". */
  count(value: number | null | undefined): string;
  /** A multiple, one decimal: 8 → "8.0×" (liquidations ÷ the usual rate, perp/spot volume). */
  times(value: number | null | undefined): string;
  /** Elapsed time, short: "12s", "4m", "2h 5m" (en), "4分钟" (zh). */
  age(fromMs: number | null | undefined, nowMs: number): string;
}

export const MISSING = '—';

const finite = (value: number | null | undefined): value is number => value !== null && value !== undefined && Number.isFinite(value);

/** Intl writes a hyphen-minus for negatives; a true minus sign reads better beside "+". */
const trueMinus = (text: string) => text.replace(/-(?=[\d.,])|^-/, '−');

export function makeFormats(locale: string): Formats {
  const usd = new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', notation: 'compact', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const zeroUsd = new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
  const share = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const rate = new Intl.NumberFormat(locale, { style: 'percent', signDisplay: 'exceptZero', minimumFractionDigits: 2, maximumFractionDigits: 4 });
  const change = new Intl.NumberFormat(locale, { style: 'percent', signDisplay: 'exceptZero', maximumFractionDigits: 1 });
  const clock = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const times = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const unit = (u: 'second' | 'minute' | 'hour') => new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'narrow' });
  const [seconds, minutes, hours] = [unit('second'), unit('minute'), unit('hour')];
  const formats: Formats = {
    locale,
    usd: (value) => (!finite(value) ? MISSING : value === 0 ? zeroUsd.format(0) : usd.format(value)),
    usdBound: (value, lowerBound) => (lowerBound && finite(value) && value !== 0 ? `≥ ${formats.usd(value)}` : formats.usd(value)),
    share: (value) => (finite(value) ? share.format(value) : MISSING),
    rate: (value) => (finite(value) ? trueMinus(rate.format(value)) : MISSING),
    change: (value) => (finite(value) ? trueMinus(change.format(value)) : MISSING),
    clock: (ms) => (finite(ms) ? clock.format(new Date(ms)) : MISSING),
    count: (value) => (finite(value) ? count.format(value) : MISSING),
    // Intl has no unit for a multiple; "×" reads the same in both languages we ship.
    times: (value) => (finite(value) ? `${times.format(value)}×` : MISSING),
    age: (fromMs, nowMs) => {
      if (!finite(fromMs)) return MISSING;
      const s = Math.max(0, Math.round((nowMs - fromMs) / 1000));
      if (s < 60) return seconds.format(s);
      const m = Math.floor(s / 60);
      if (m < 60) return minutes.format(m);
      return `${hours.format(Math.floor(m / 60))} ${minutes.format(m % 60)}`;
    },
  };
  return formats;
}

/** What a message composer needs: the words and the number formats of one language. */
export interface Wording {
  t: Translate;
  fmt: Formats;
}
