/** Every verdict reason is a message of _locales: English reproduces the text, Chinese fills every placeholder. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import en from '../_locales/en/messages.json';
import zh from '../_locales/zh_CN/messages.json';
import { translatorFromMessages, type LocaleMessage } from '../src/core/i18n';
import { parseScenario } from '../src/core/scenario-validate';
import { replayReadings } from '../src/core/replay';

const english = translatorFromMessages(en as Record<string, LocaleMessage>);
const chinese = translatorFromMessages(zh as Record<string, LocaleMessage>);

describe('verdict reasons through _locales', () => {
  for (const file of ['long-flush-99m.json', 'rebuild.json', 'short-squeeze.json']) {
    it(`${file}: every reason has a message in both languages`, () => {
      const scenario = parseScenario(JSON.parse(readFileSync(new URL(`../scenarios/${file}`, import.meta.url), 'utf8')));
      let seen = 0;
      for (const { readings } of replayReadings(scenario)) {
        for (const scope of Object.values(readings.scopes)) {
          for (const reason of scope.verdict.reasons) {
            seen++;
            const base = english(reason.key, reason.args);
            expect(reason.holds ? `${base}; ${english('reasonHolds')}` : base).toBe(reason.text);
            const zhText = chinese(reason.key, reason.args);
            expect(zhText.length).toBeGreaterThan(0);
            expect(zhText).not.toMatch(/\$P\d+\$/);
          }
        }
      }
      expect(seen).toBeGreaterThan(100);
    });
  }
});
