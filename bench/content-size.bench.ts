/**
 * Content script weight: builds the extension into a scratch folder (never dist/) and reports
 * the gzip size of every file a trading page loads for the meter, the same measurement the
 * build enforces (scripts/content-size.ts, vite.config.ts). Chrome and Firefox builds both.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENT_BUDGET_GZIP_BYTES, measureContentScript, type ContentWeight } from '../scripts/content-size';
import type { BenchReport } from './run';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const kB = (bytes: number) => Math.round(bytes / 10) / 100;

/** `vite build` (Chrome) or `vite build --mode firefox` into `dist`; FLUSH_DIST keeps it off dist/. */
function build(dist: string, firefox: boolean): string {
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', ...(firefox ? ['--mode', 'firefox'] : [])], {
      cwd: ROOT,
      env: { ...process.env, FLUSH_DIST: dist },
      stdio: 'pipe',
    });
  } catch (error) {
    // The budget check fails the build after every file is written: measure it anyway and let the target report the miss.
    const output = String((error as { stderr?: Buffer }).stderr ?? error);
    if (!output.includes('content script budget')) throw error;
  }
  return firefox ? `${dist}-firefox` : dist;
}

function figures(prefix: string, weight: ContentWeight): Record<string, number | string> {
  const out: Record<string, number | string> = {
    [`${prefix} gzip kB (all files)`]: kB(weight.gzipBytes),
    [`${prefix} gzip kB on demand (structural order-form finder)`]: kB(weight.lazyGzipBytes),
    [`${prefix} raw kB`]: kB(weight.bytes),
    [`${prefix} files`]: weight.files.length,
  };
  for (const file of weight.files) out[`${prefix} ${file.file.replace(/-[\w-]{8}\.js$/, '.js')} gzip kB`] = kB(file.gzipBytes);
  return out;
}

export async function run(): Promise<BenchReport> {
  const scratch = mkdtempSync(join(tmpdir(), 'flush-meter-bench-'));
  const dist = join(scratch, 'dist');
  try {
    const chrome = measureContentScript(build(dist, false));
    const firefox = measureContentScript(build(dist, true));
    const clean = (w: ContentWeight) => Object.keys(w.forbidden).length === 0;
    return {
      name: 'content script: gzip size of everything a trading page loads',
      figures: { 'budget gzip kB': CONTENT_BUDGET_GZIP_BYTES / 1000, ...figures('chrome', chrome), ...figures('firefox', firefox) },
      targets: [
        { what: `Chrome content script ≤ ${CONTENT_BUDGET_GZIP_BYTES / 1000} kB gzipped (measured ${kB(chrome.gzipBytes)} kB)`, ok: chrome.gzipBytes <= CONTENT_BUDGET_GZIP_BYTES },
        { what: `Firefox content script ≤ ${CONTENT_BUDGET_GZIP_BYTES / 1000} kB gzipped (measured ${kB(firefox.gzipBytes)} kB)`, ok: firefox.gzipBytes <= CONTENT_BUDGET_GZIP_BYTES },
        { what: 'no zod and no webextension-polyfill in the content script', ok: clean(chrome) && clean(firefox) },
      ],
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
