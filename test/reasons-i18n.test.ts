/**
 * Every verdict reason is a message of _locales in both languages, and every number it carries
 * reaches the sentence: a key missing in zh_CN, a placeholder dropped from a translation or an
 * argument the message has no placeholder for fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Reason } from '../src/core/flush';
import type { LocaleMessage, Wording } from '../src/core/i18n';
import { replayReadings } from '../tools/replay/replay';
import { parseScenario } from '../tools/replay/scenario-validate';
import { formatReasonArg, reasonSentence } from '../src/ui/reason-text';
import { EN, locale, ZH } from './alert-fixtures';

const LANGUAGES: Array<[string, Record<string, LocaleMessage>, Wording]> = [
  ['en', locale('en'), EN],
  ['zh_CN', locale('zh_CN'), ZH],
];

const placeholderCount = (message: string) => new Set([...message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1]!.toLowerCase())).size;

function reasonsOf(file: string): Reason[] {
  const scenario = parseScenario(JSON.parse(readFileSync(new URL(`../scenarios/${file}`, import.meta.url), 'utf8')));
  const out: Reason[] = [];
  for (const { readings } of replayReadings(scenario)) {
    for (const scope of Object.values(readings.scopes)) out.push(...scope.verdict.reasons);
  }
  return out;
}

describe('verdict reasons through _locales', () => {
  for (const file of ['long-flush-99m.json', 'rebuild.json', 'short-squeeze.json']) {
    it(`${file}: every reason has a message in both languages that shows each of its numbers`, () => {
      const reasons = reasonsOf(file);
      expect(reasons.length).toBeGreaterThan(100);
      for (const reason of reasons) {
        for (const [lang, messages, wording] of LANGUAGES) {
          const entry = messages[reason.key];
          expect(entry?.message, `${lang} ${reason.key}`).toBeTruthy();
          expect(placeholderCount(entry!.message), `${lang} ${reason.key}: one placeholder per argument`).toBe(reason.args.length);
          const sentence = reasonSentence(reason, wording);
          for (const arg of reason.args) expect(sentence, `${lang} ${reason.key}`).toContain(formatReasonArg(arg, wording.fmt));
          expect(sentence).not.toMatch(/\$[A-Za-z0-9_@]+\$/);
        }
      }
    });
  }
});
