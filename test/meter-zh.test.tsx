// @vitest-environment happy-dom
/**
 * The meter in Chinese: a flushing reading's reasons are Chinese sentences with the numbers
 * written the Chinese way ("US$9910.0万"), never "$99.1M" or an English word inside them.
 */
import { render } from 'preact';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScopeReading } from '../src/core/engine';
import zhMessages from '../_locales/zh_CN/messages.json';
import longFlush from '../scenarios/long-flush-99m.json';
import { FlushEngine } from '../src/core/engine';
import { translatorFromMessages, type LocaleMessage, type MessageKey } from '../src/core/i18n';
import { VENUE_IDS } from '../src/core/model';
import { replayReadings } from '../tools/replay/replay';
import { parseScenario } from '../tools/replay/scenario-validate';
import { loadExpanded, Meter } from '../src/ui/Meter';

// The expanded view is its own module, loaded when a meter first expands: here, before the tests render it.
beforeAll(() => loadExpanded());

// JSON imports, not readFileSync: under happy-dom import.meta.url is not a file URL.
const zh = translatorFromMessages(zhMessages as Record<string, LocaleMessage>);
const ASSETS = ['BTC', 'ETH', 'SOL'];
/**
 * Words a Chinese sentence may hold: asset codes, venue names, and "US" of "US$", the symbol
 * CLDR gives the dollar in zh (Intl writes it so; it is not an English word).
 */
const ALLOWED = new Set([...ASSETS, ...VENUE_IDS, 'OI', 'US']);
const ENGLISH_WORD = /[A-Za-z]{2,}/g;
/** "99.1M", "450K", "1.2B": the English compact notation; Chinese counts in 万 and 亿. */
const ENGLISH_COMPACT = /\d(?:\.\d+)?[KMBkmb]\b/;

beforeAll(() => {
  // The page's chrome.i18n in a Chinese browser: messages and UI language both zh_CN.
  (globalThis as { chrome?: unknown }).chrome = {
    i18n: { getMessage: (key: string, subs?: string[]) => zh(key as MessageKey, subs), getUILanguage: () => 'zh-CN' },
  };
});

/** The market at the height of the 99 M long flush, read as the extension would. */
function flushingReading(): ScopeReading {
  const scenario = parseScenario(longFlush);
  let found: ScopeReading | undefined;
  for (const { readings } of replayReadings(scenario)) {
    const btc = readings.scopes.BTC;
    // The last flushing minute carries the most reasons (entry, decay, perp-led context).
    if (btc?.verdict.phase === 'flushing') found = btc;
  }
  if (!found) throw new Error('the scenario never flushes BTC');
  return found;
}

function reasonLines(root: HTMLElement): string[] {
  return [...root.querySelectorAll('[data-field="reasons"] li')].map((li) => li.textContent ?? '');
}

describe('Meter in zh_CN', () => {
  it('words every reason of a flushing reading in Chinese, with Chinese number notation', () => {
    const reading = flushingReading();
    const root = document.createElement('div');
    render(<Meter asset="BTC" reading={reading} now={reading.dataTime ?? 0} expanded />, root);
    const lines = reasonLines(root);
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      const english = (line.match(ENGLISH_WORD) ?? []).filter((word) => !ALLOWED.has(word));
      expect(english, line).toEqual([]);
      expect(line, line).not.toMatch(ENGLISH_COMPACT);
      expect(line, line).toMatch(/[\u4e00-\u9fff]/);
    }
    // The money in the sentences is Intl's zh-CN compact currency.
    expect(lines.join('\n')).toMatch(/US\$[\d.]+[万亿]/);
  });

  it('says in Chinese why a figure is missing', () => {
    const now = Date.UTC(2026, 10, 21, 12, 0, 0);
    const reading = new FlushEngine({}, now - 10 * 60_000).readings(now, ['BTC']).scopes.BTC!;
    const root = document.createElement('div');
    render(<Meter asset="BTC" reading={reading} now={now} expanded />, root);
    const reasons = [...root.querySelectorAll('.fm-sr')].map((el) => el.textContent ?? '');
    expect(reasons.length).toBeGreaterThanOrEqual(4);
    for (const reason of reasons) {
      expect((reason.match(ENGLISH_WORD) ?? []).filter((word) => !ALLOWED.has(word)), reason).toEqual([]);
      expect(reason, reason).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
