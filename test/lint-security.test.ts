/**
 * A lint rule over our own sources: nothing is written to the page as HTML, and no code is
 * built from strings. Remote data reaches the DOM only as text (Preact text nodes, textContent).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BANNED: Array<[RegExp, string]> = [
  [/\.innerHTML\s*=|\.outerHTML\s*=/, 'assigning HTML'],
  [/insertAdjacentHTML\s*\(/, 'inserting HTML'],
  [/dangerouslySetInnerHTML/, 'raw HTML in JSX'],
  [/document\.write\s*\(/, 'document.write'],
  [/\beval\s*\(/, 'eval'],
  [/new\s+Function\s*\(/, 'new Function'],
  [/setTimeout\s*\(\s*['"`]/, 'string timers'],
  [/createContextualFragment|DOMParser/, 'parsing markup'],
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

describe('security lint', () => {
  const files = sources(new URL('../src', import.meta.url).pathname);
  it('scans the sources', () => expect(files.length).toBeGreaterThan(20));
  it.each(BANNED)('no %s (%s) anywhere in src/', (pattern) => {
    const hits = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => [line, i] as const)
        .filter(([line]) => !line.trim().startsWith('//') && !line.trim().startsWith('*') && pattern.test(line))
        .map(([, i]) => `${file}:${i + 1}`),
    );
    expect(hits).toEqual([]);
  });
});

/**
 * What ships is src/: the replay and scenario tooling (tools/), the scripts, the benches and the
 * tests are never imported from it, so none of them reaches the extension's bundle.
 */
describe('src/ imports no tooling', () => {
  const root = new URL('..', import.meta.url).pathname;
  const srcDir = join(root, 'src');
  const files = sources(srcDir);
  /** Every module specifier of static and dynamic imports and re-exports in one file. */
  const specifiers = (text: string) => [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);

  it('finds the imports it checks (a relative import in every core module)', () => {
    const core = files.filter((file) => file.startsWith(join(srcDir, 'core')));
    expect(core.length).toBeGreaterThan(10);
    expect(specifiers("import { a } from './a';\nexport { b } from \"../b\";\nconst c = await import('../../tools/c');")).toEqual(['./a', '../b', '../../tools/c']);
  });

  /** Folders whose code must not ship (the locales at the root do: src/core/i18n.ts imports them). */
  const TOOLING = ['tools', 'scripts', 'bench', 'test'].map((dir) => join(root, dir));
  const isTooling = (path: string) => TOOLING.some((dir) => path === dir || path.startsWith(`${dir}/`));

  it('tells tooling from what ships', () => {
    expect(isTooling(join(root, 'tools/replay/replay'))).toBe(true);
    expect(isTooling(join(root, 'test/mock/server'))).toBe(true);
    expect(isTooling(join(root, '_locales/en/messages.json'))).toBe(false);
    expect(isTooling(join(root, 'src/core/engine'))).toBe(false);
  });

  it('no file under src/ imports from tools/, scripts/, bench/ or test/', () => {
    const imports = files.flatMap((file) => specifiers(readFileSync(file, 'utf8')).filter((spec) => spec.startsWith('.')).map((spec) => ({ file, path: resolve(dirname(file), spec) })));
    expect(imports.length).toBeGreaterThan(100);
    expect(imports.filter(({ path }) => isTooling(path)).map(({ file, path }) => `${relative(root, file)} → ${relative(root, path)}`)).toEqual([]);
  });

  it('the replay and scenario tooling lives in tools/replay/, not in src/core/', () => {
    for (const name of ['replay.ts', 'scenario.ts', 'scenario-validate.ts']) {
      expect(existsSync(join(root, 'tools/replay', name)), name).toBe(true);
      expect(existsSync(join(srcDir, 'core', name)), name).toBe(false);
    }
  });
});
