/**
 * A lint rule over our own sources: nothing is written to the page as HTML, and no code is
 * built from strings. Remote data reaches the DOM only as text (Preact text nodes, textContent).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
