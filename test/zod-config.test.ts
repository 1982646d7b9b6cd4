/**
 * zod runs jitless everywhere in the extension: MV3's CSP forbids eval, so no schema may probe
 * for it or compile a parser with the Function constructor. src/core/zod.ts configures it before
 * any schema exists, which holds only while every validating module imports `z` from there.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fakeBrowser } from '@webext-core/fake-browser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { settingsSchema, validateSettings } from '../src/background/settings';
import { DEFAULT_SETTINGS } from '../src/core/settings';
import { z } from '../src/core/zod';
import { okx } from '../src/venues/okx';
import { fixture } from './fixtures';

vi.mock('webextension-polyfill', () => ({ default: fakeBrowser }));

const SRC = new URL('../src', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

/** Replaces the global Function constructor with a recording pass-through until `restore`. */
function watchFunctionConstructor(): { calls: unknown[][]; restore(): void } {
  const original = globalThis.Function;
  const calls: unknown[][] = [];
  globalThis.Function = new Proxy(original, {
    construct(target, args) {
      calls.push(args);
      return Reflect.construct(target, args) as object;
    },
    apply(target, self, args) {
      calls.push(args);
      return Reflect.apply(target, self, args) as unknown;
    },
  });
  return { calls, restore: () => void (globalThis.Function = original) };
}

let watch: ReturnType<typeof watchFunctionConstructor> | null = null;
afterEach(() => {
  watch?.restore();
  watch = null;
});

describe('zod configuration', () => {
  it("only src/core/zod.ts imports 'zod'", () => {
    const importers = sources(SRC).filter((file) => /\bfrom\s*['"]zod(\/[^'"]*)?['"]|import\(\s*['"]zod/.test(readFileSync(file, 'utf8')));
    expect(importers.map((file) => relative(SRC, file))).toEqual(['core/zod.ts']);
  });

  it('is jitless', () => {
    expect(z.config().jitless).toBe(true);
  });

  it('validates settings and venue payloads without the Function constructor', () => {
    watch = watchFunctionConstructor();
    expect(validateSettings(DEFAULT_SETTINGS).issues).toBeNull();
    expect(settingsSchema.safeParse({ ...DEFAULT_SETTINGS, watchlist: 42 }).success).toBe(false);
    expect(okx.parseInstruments('instruments:SWAP', fixture('okx-instruments-swap-rest.json')).length).toBeGreaterThan(0);
    const fresh = z.object({ a: z.number(), b: z.object({ c: z.string() }) });
    expect(fresh.parse({ a: 1, b: { c: 'x' } })).toEqual({ a: 1, b: { c: 'x' } });
    expect(watch.calls).toEqual([]);
  });

  it('would compile object parsers with the Function constructor if it were not (the check above can fail)', () => {
    z.config({ jitless: false });
    try {
      watch = watchFunctionConstructor();
      const jitted = z.object({ a: z.number() });
      expect(jitted.parse({ a: 1 })).toEqual({ a: 1 });
      expect(watch.calls.length).toBeGreaterThan(0);
    } finally {
      z.config({ jitless: true });
    }
  });
});
