/**
 * The content-script budget the build enforces: which files count (what the crxjs loader pulls in
 * at first paint; what loads on demand apart; nothing the worker loads), how they are weighed,
 * and what fails the build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { contentBudgetProblems, contentScriptFiles, contentScriptGraph, measureContentScript } from '../scripts/content-size';

let dist: string;

/** A built extension shaped like the crxjs output: loader → entry → static chunk + lazy chunk. */
function fakeBuild(files: Record<string, string>): string {
  dist = mkdtempSync(join(tmpdir(), 'content-size-'));
  mkdirSync(join(dist, 'assets'));
  const manifest = { manifest_version: 3, content_scripts: [{ matches: ['https://example.com/*'], js: ['assets/loader.js'] }], background: { service_worker: 'sw.js' } };
  writeFileSync(join(dist, 'manifest.json'), JSON.stringify(manifest));
  for (const [name, code] of Object.entries(files)) writeFileSync(join(dist, name), code);
  return dist;
}

const BASE = {
  'assets/loader.js': '(async()=>{await import(chrome.runtime.getURL("assets/entry.js"))})();',
  'assets/entry.js': 'import{a as e}from"./chunk.js";b(()=>import(`./lazy.js`),[]);e();',
  'assets/chunk.js': 'export function a(){return 1}',
  'assets/lazy.js': 'import{a}from"./lazy-dep.js";export const b=a;',
  'assets/lazy-dep.js': 'export const a=2;',
  'assets/worker.js': 'const ZodError=1;export{ZodError}',
  'sw.js': 'import"./assets/worker.js";',
};

afterEach(() => rmSync(dist, { recursive: true, force: true }));

describe('content script weight', () => {
  it('follows the loader, static and dynamic imports, and nothing the worker loads', () => {
    expect(contentScriptFiles(fakeBuild(BASE)).sort()).toEqual(['assets/chunk.js', 'assets/entry.js', 'assets/lazy-dep.js', 'assets/lazy.js', 'assets/loader.js']);
  });

  it('marks what only a dynamic import reaches, and what that imports, as loaded on demand', () => {
    const lazy = Object.fromEntries(contentScriptGraph(fakeBuild(BASE)).map((f) => [f.file, f.lazy]));
    expect(lazy).toEqual({ 'assets/loader.js': false, 'assets/entry.js': false, 'assets/chunk.js': false, 'assets/lazy.js': true, 'assets/lazy-dep.js': true });
  });

  it('sums each file gzipped on its own, first paint apart from what loads on demand, and finds no forbidden library in a clean build', () => {
    const weight = measureContentScript(fakeBuild(BASE));
    const gz = (files: string[]) => files.reduce((sum, f) => sum + gzipSync(BASE[f as keyof typeof BASE]).length, 0);
    expect(weight.gzipBytes).toBe(gz(['assets/loader.js', 'assets/entry.js', 'assets/chunk.js']));
    expect(weight.lazyGzipBytes).toBe(gz(['assets/lazy.js', 'assets/lazy-dep.js']));
    expect(weight.forbidden).toEqual({});
    expect(contentBudgetProblems(weight)).toEqual([]);
  });

  it('fails when zod or the polyfill reach a file the page loads', () => {
    const weight = measureContentScript(fakeBuild({ ...BASE, 'assets/chunk.js': 'class $ZodType{};export function a(){}', 'assets/lazy.js': '/*! webextension-polyfill */' }));
    expect(weight.forbidden).toEqual({ zod: ['assets/chunk.js'], 'webextension-polyfill': ['assets/lazy.js'] });
    expect(contentBudgetProblems(weight)).toHaveLength(2);
  });

  it('fails above the budget and names the files', () => {
    const weight = measureContentScript(fakeBuild(BASE));
    const problems = contentBudgetProblems(weight, weight.gzipBytes - 1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('assets/entry.js');
    expect(contentBudgetProblems(weight, weight.gzipBytes)).toEqual([]);
  });

  it('fails when an imported file is missing rather than under-counting', () => {
    const { 'assets/lazy-dep.js': _lazy, ...rest } = BASE;
    expect(() => contentScriptFiles(fakeBuild(rest))).toThrow(/assets\/lazy-dep.js is missing/);
  });
});
