/// <reference types="vite/client" />
/**
 * Strings for pages and the content script, straight from `chrome.i18n` (no polyfill, so the
 * content script stays tiny). Falls back to the key, never to an empty label.
 */
import { makeFormats, translatorFromMessages, type Formats, type LocaleMessage, type MessageKey, type Translate } from '../core/i18n';

/**
 * Outside an extension (unit tests render components in happy-dom) the English messages stand
 * in. Only the test build includes them: for the extension the branch is dead code and the
 * locale file is dropped from the bundle.
 */
const outsideExtension: Translate =
  import.meta.env.MODE === 'test'
    ? translatorFromMessages(Object.values(import.meta.glob<Record<string, LocaleMessage>>('../../_locales/en/messages.json', { eager: true, import: 'default' }))[0] ?? {})
    : (key) => key;

/**
 * Labels without substitutions, once looked up: the meter re-renders up to four times a second
 * on the exchange's page, and every chrome.i18n call crosses the extension bindings.
 */
const labels = new Map<MessageKey, string>();

export function t(key: MessageKey, substitutions?: readonly string[]): string {
  const i18n = globalThis.chrome?.i18n;
  if (!i18n) return outsideExtension(key, substitutions) || key;
  if (substitutions) return i18n.getMessage(key, [...substitutions]) || key;
  let label = labels.get(key);
  if (label === undefined) labels.set(key, (label = i18n.getMessage(key) || key));
  return label;
}

export function uiLanguage(): string {
  return globalThis.chrome?.i18n?.getUILanguage() ?? navigator.language;
}

let formats: Formats | null = null;

/** Numbers, money and times in the browser's UI language. */
export function fmt(): Formats {
  return (formats ??= makeFormats(uiLanguage()));
}
