/**
 * The content script's weight: every file a trading page loads for the meter, found from the
 * built manifest (the crxjs loader, the module it imports through chrome.runtime.getURL, and
 * that module's static and dynamic imports), each gzipped on its own as it is loaded on its own.
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
  bytes: number;
  gzipBytes: number;
}

export interface ContentWeight {
  files: ContentFile[];
  bytes: number;
  gzipBytes: number;
  /** Library name → files it was found in. */
  forbidden: Record<string, string[]>;
}

interface ManifestContentScript {
  js?: string[];
  css?: string[];
}

/** `from"./x.js"`, `import"./x.js"`, `import("./x.js")`: relative module specifiers in built code. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;
/** The crxjs loader imports the real module by extension URL: chrome.runtime.getURL("assets/…"). */
const EXTENSION_URL = /runtime\.getURL\(\s*["']([^"']+)["']\s*\)/g;

/** Every file the content scripts of the built extension in `dist` load, entry files first. */
export function contentScriptFiles(dist: string): string[] {
  const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as { content_scripts?: ManifestContentScript[] };
  const queue = (manifest.content_scripts ?? []).flatMap((script) => [...(script.js ?? []), ...(script.css ?? [])]);
  const seen = new Set<string>();
  while (queue.length) {
    const file = normalize(queue.shift()!).split('\\').join('/');
    if (seen.has(file)) continue;
    const path = join(dist, file);
    if (!existsSync(path)) throw new Error(`content script file ${file} is missing from ${dist}`);
    seen.add(file);
    if (!file.endsWith('.js')) continue;
    const code = readFileSync(path, 'utf8');
    for (const [, specifier] of code.matchAll(RELATIVE_IMPORT)) queue.push(relative(dist, join(dirname(path), specifier!)));
    for (const [, url] of code.matchAll(EXTENSION_URL)) queue.push(url!);
  }
  return [...seen];
}

/** Sizes of the content script's files and any forbidden library found in them. */
export function measureContentScript(dist: string): ContentWeight {
  const forbidden: Record<string, string[]> = {};
  const files = contentScriptFiles(dist).map((file) => {
    const source = readFileSync(join(dist, file));
    const text = source.toString('utf8');
    for (const [library, marker] of Object.entries(FORBIDDEN_IN_CONTENT)) {
      if (marker.test(text)) (forbidden[library] ??= []).push(file);
    }
    return { file, bytes: source.length, gzipBytes: gzipSync(source).length };
  });
  return {
    files,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0),
    forbidden,
  };
}

/** Why the build must fail, or [] when the content script is within its budget and clean. */
export function contentBudgetProblems(weight: ContentWeight, budget = CONTENT_BUDGET_GZIP_BYTES): string[] {
  const problems: string[] = [];
  if (weight.files.length === 0) problems.push('no content script found in the built manifest');
  if (weight.gzipBytes > budget) {
    const list = weight.files.map((f) => `${f.file} ${(f.gzipBytes / 1000).toFixed(2)} kB`).join(', ');
    problems.push(`content script is ${(weight.gzipBytes / 1000).toFixed(2)} kB gzipped, over the ${budget / 1000} kB budget (${list})`);
  }
  for (const [library, files] of Object.entries(weight.forbidden)) problems.push(`${library} must stay out of the content script; found in ${files.join(', ')}`);
  return problems;
}
