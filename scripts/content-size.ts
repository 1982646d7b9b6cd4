/**
 * The content script's weight: every file a trading page loads for the meter, found from the
 * built manifest (the crxjs loader, the module it imports through chrome.runtime.getURL, and
 * that module's static and dynamic imports), each gzipped on its own as it is loaded on its own.
 * The budget is what the page injects at first paint: the loader and everything it imports
 * statically. Chunks reached only through a dynamic `import()` load on demand (the structural
 * order-form finder, when no selector finds the panel) and are reported apart; zod and the
 * polyfill must stay out of both.
 * The build fails above the budget or when zod or the polyfill leak in (vite.config.ts), and
 * `npm run bench` reports the same figures (bench/content-size.bench.ts). Node only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The budget: 20 kB gzipped for everything the content script loads. */
export const CONTENT_BUDGET_GZIP_BYTES = 20_000;

/**
 * Strings that survive minification and betray a library that must stay out of the page:
 * zod (validation belongs to the worker) and webextension-polyfill (the page uses `chrome.*`).
 */
export const FORBIDDEN_IN_CONTENT: Record<string, RegExp> = {
  zod: /\$ZodType|ZodError|\$ZodCheck|zod\.dev/,
  'webextension-polyfill': /webextension-polyfill|This script should only be loaded in a browser extension/,
};

export interface ContentFile {
  /** Path relative to the build folder, with forward slashes. */
  file: string;
  /** Loaded on demand (reached only through a dynamic import), not at first paint. */
  lazy: boolean;
  bytes: number;
  gzipBytes: number;
}

export interface ContentWeight {
  files: ContentFile[];
  /** What the page injects at first paint (the budget). */
  bytes: number;
  gzipBytes: number;
  /** What loads on demand afterwards. */
  lazyGzipBytes: number;
  /** Library name → files it was found in. */
  forbidden: Record<string, string[]>;
}

interface ManifestContentScript {
  js?: string[];
  css?: string[];
}

/** `from"./x.js"`, `import"./x.js"` (any quote): static relative module specifiers in built code. */
const STATIC_IMPORT = /(?:\bfrom\s*|\bimport\s*)["'`](\.{1,2}\/[^"'`]+)["'`]/g;
/** `import("./x.js")`, also with a template literal as vite writes it: a dynamic one, loaded when the code asks for it. */
const DYNAMIC_IMPORT = /\bimport\s*\(\s*["'`](\.{1,2}\/[^"'`]+)["'`]/g;
/** The crxjs loader imports the real module by extension URL: chrome.runtime.getURL("assets/…"). */
const EXTENSION_URL = /runtime\.getURL\(\s*["']([^"']+)["']\s*\)/g;

/** Every file the content scripts of the built extension in `dist` load, entry files first, each marked lazy or not. */
export function contentScriptGraph(dist: string): Array<{ file: string; lazy: boolean }> {
  const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as { content_scripts?: ManifestContentScript[] };
  const entries = (manifest.content_scripts ?? []).flatMap((script) => [...(script.js ?? []), ...(script.css ?? [])]);
  const seen = new Map<string, boolean>();
  // First what first paint needs (static imports and the loader's getURL import), then what only dynamic imports reach.
  const queue: Array<{ file: string; lazy: boolean }> = entries.map((file) => ({ file, lazy: false }));
  const later: Array<{ file: string; lazy: boolean }> = [];
  while (queue.length || later.length) {
    const next = queue.shift() ?? later.shift()!;
    const file = normalize(next.file).split('\\').join('/');
    if (seen.has(file)) continue;
    const path = join(dist, file);
    if (!existsSync(path)) throw new Error(`content script file ${file} is missing from ${dist}`);
    seen.set(file, next.lazy);
    if (!file.endsWith('.js')) continue;
    const code = readFileSync(path, 'utf8');
    const near = (specifier: string) => relative(dist, join(dirname(path), specifier));
    for (const [, specifier] of code.matchAll(STATIC_IMPORT)) (next.lazy ? later : queue).push({ file: near(specifier!), lazy: next.lazy });
    for (const [, url] of code.matchAll(EXTENSION_URL)) (next.lazy ? later : queue).push({ file: url!, lazy: next.lazy });
    for (const [, specifier] of code.matchAll(DYNAMIC_IMPORT)) later.push({ file: near(specifier!), lazy: true });
  }
  return [...seen].map(([file, lazy]) => ({ file, lazy }));
}

/** The files of contentScriptGraph, first paint first. */
export function contentScriptFiles(dist: string): string[] {
  return contentScriptGraph(dist).map((f) => f.file);
}

/** Sizes of the content script's files and any forbidden library found in them. */
export function measureContentScript(dist: string): ContentWeight {
  const forbidden: Record<string, string[]> = {};
  const files = contentScriptGraph(dist).map(({ file, lazy }) => {
    const source = readFileSync(join(dist, file));
    const text = source.toString('utf8');
    for (const [library, marker] of Object.entries(FORBIDDEN_IN_CONTENT)) {
      if (marker.test(text)) (forbidden[library] ??= []).push(file);
    }
    return { file, lazy, bytes: source.length, gzipBytes: gzipSync(source).length };
  });
  const firstPaint = files.filter((f) => !f.lazy);
  return {
    files,
    bytes: firstPaint.reduce((sum, f) => sum + f.bytes, 0),
    gzipBytes: firstPaint.reduce((sum, f) => sum + f.gzipBytes, 0),
    lazyGzipBytes: files.filter((f) => f.lazy).reduce((sum, f) => sum + f.gzipBytes, 0),
    forbidden,
  };
}

/** Why the build must fail, or [] when the content script is within its budget and clean. */
export function contentBudgetProblems(weight: ContentWeight, budget = CONTENT_BUDGET_GZIP_BYTES): string[] {
  const problems: string[] = [];
  if (weight.files.length === 0) problems.push('no content script found in the built manifest');
  if (weight.gzipBytes > budget) {
    const list = weight.files.filter((f) => !f.lazy).map((f) => `${f.file} ${(f.gzipBytes / 1000).toFixed(2)} kB`).join(', ');
    problems.push(`content script is ${(weight.gzipBytes / 1000).toFixed(2)} kB gzipped at first paint, over the ${budget / 1000} kB budget (${list})`);
  }
  for (const [library, files] of Object.entries(weight.forbidden)) problems.push(`${library} must stay out of the content script; found in ${files.join(', ')}`);
  return problems;
}
