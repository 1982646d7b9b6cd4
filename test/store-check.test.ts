/**
 * The store checks (scripts/store-check.ts) on small packages made up here; the real packages
 * are checked by npm run package and test/e2e/package.e2e.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LintReport } from 'web-ext';
import { describe, expect, it } from 'vitest';
import manifest from '../manifest.json' with { type: 'json' };
import { firefoxManifest } from '../scripts/firefox-manifest';
import { chromePackageProblems, FIREFOX_ONLY_RULES, lintProblems, packageFiles } from '../scripts/store-check';
import { zip } from '../scripts/zip';

const MANIFEST = {
  manifest_version: 3,
  name: '__MSG_extName__',
  description: '__MSG_extDescription__',
  default_locale: 'en',
  version: '0.1.0',
  icons: { '16': 'assets/icon-16.png', '128': 'assets/icon-128.png' },
  action: { default_title: '__MSG_extName__', default_popup: 'src/popup/index.html', default_icon: { '16': 'assets/icon-16.png' } },
  options_ui: { page: 'src/options/index.html', open_in_tab: true },
  background: { service_worker: 'service-worker-loader.js', type: 'module' },
  content_scripts: [{ matches: ['https://www.binance.com/*'], js: ['assets/loader.js'] }],
  web_accessible_resources: [{ matches: ['https://www.binance.com/*'], resources: ['assets/content.js', 'assets/*'] }],
};

function pkg(overrides: Record<string, unknown> = {}, files: Record<string, string> = {}): Map<string, Buffer> {
  const all: Record<string, string> = {
    'manifest.json': JSON.stringify({ ...MANIFEST, ...overrides }),
    '_locales/en/messages.json': JSON.stringify({ extName: { message: 'Flush Meter' }, extDescription: { message: 'd' } }),
    'assets/icon-16.png': 'png',
    'assets/icon-128.png': 'png',
    'src/popup/index.html': '<script type="module" crossorigin src="/assets/popup.js"></script><link rel="stylesheet" href="../../assets/popup.css"><a href="https://example.com/">x</a>',
    'src/options/index.html': '<script type="module" src="/assets/options.js"></script>',
    'assets/popup.js': 'import{a as b}from"./shared.js";',
    'assets/popup.css': 'body{}',
    'assets/options.js': 'import"./shared.js";const s=()=>import(`./lazy.js`);',
    'assets/shared.js': 'export const a=1;',
    'assets/lazy.js': '',
    'service-worker-loader.js': "import './assets/worker.js';",
    'assets/worker.js': 'import{x}from"./shared.js";',
    'assets/loader.js': '(async()=>{await import(chrome.runtime.getURL("assets/content.js"))})();',
    'assets/content.js': '',
    ...files,
  };
  return new Map(Object.entries(all).filter(([, text]) => text !== '\0').map(([name, text]) => [name, Buffer.from(text)]));
}

describe('chromePackageProblems', () => {
  it('passes a complete MV3 package and follows every reference in it', () => {
    const { problems, references } = chromePackageProblems(pkg());
    expect(problems).toEqual([]);
    // 8 named by the manifest, 3 by the two pages, 5 module imports.
    expect(references).toBe(16);
  });

  it('names each file the manifest, a page or a module refers to that the package lacks', () => {
    const missing = pkg({}, { 'assets/icon-128.png': '\0', 'assets/popup.css': '\0', 'assets/lazy.js': '\0', 'assets/content.js': '\0', 'assets/worker.js': '\0' });
    expect(chromePackageProblems(missing).problems).toEqual([
      'assets/icon-128.png (manifest icons.128) is not in the package',
      'assets/content.js (manifest web_accessible_resources[0]) is not in the package',
      'assets/popup.css (named by src/popup/index.html) is not in the package',
      'assets/lazy.js (named by assets/options.js) is not in the package',
      'assets/worker.js (named by service-worker-loader.js) is not in the package',
    ]);
  });

  it('refuses MV2, a Firefox background, a bad version, an unknown message and reserved names', () => {
    expect(chromePackageProblems(pkg({ manifest_version: 2 })).problems).toEqual(['manifest_version is 2, not 3']);
    expect(chromePackageProblems(pkg({ background: { service_worker: 'service-worker-loader.js', scripts: ['service-worker-loader.js'] } })).problems).toEqual([
      'background.scripts or background.page: Chrome lists a manifest error for them in MV3',
    ]);
    expect(chromePackageProblems(pkg({ background: { scripts: ['service-worker-loader.js'] } })).problems[0]).toBe('no background.service_worker');
    expect(chromePackageProblems(pkg({ version: '1.02' })).problems).toEqual(['version "1.02" is not a Chrome version']);
    expect(chromePackageProblems(pkg({ version: '1.70000' })).problems).toEqual(['version "1.70000" is not a Chrome version']);
    expect(chromePackageProblems(pkg({ name: '__MSG_appName__' })).problems).toEqual(['__MSG_appName__ is not in _locales/en/messages.json']);
    expect(chromePackageProblems(pkg({ default_locale: undefined })).problems).toEqual(['the manifest uses __MSG_ messages but has no default_locale']);
    expect(chromePackageProblems(pkg({}, { '_virtual/x.js': '' })).problems).toEqual(['_virtual/x.js: Chrome reserves names starting with "_"']);
    expect(chromePackageProblems(new Map()).problems).toEqual(['no manifest.json at the root of the package']);
  });

  it('reads a zip and a directory alike', () => {
    const files = pkg();
    const dir = mkdtempSync(join(tmpdir(), 'flush-meter-store-check-'));
    try {
      for (const [name, data] of files) {
        mkdirSync(dirname(join(dir, 'unpacked', name)), { recursive: true });
        writeFileSync(join(dir, 'unpacked', name), data);
      }
      writeFileSync(join(dir, 'package.zip'), zip([...files].map(([name, data]) => ({ name, data }))));
      expect(packageFiles(join(dir, 'unpacked'))).toEqual(files);
      expect(packageFiles(join(dir, 'package.zip'))).toEqual(files);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lintProblems', () => {
  const report = (errors: string[], warnings: string[]): LintReport => ({
    count: errors.length + warnings.length,
    summary: { errors: errors.length, warnings: warnings.length, notices: 0 },
    errors: errors.map((code) => ({ code, message: `${code} message` })),
    warnings: warnings.map((code, i) => ({ code, message: `${code} message`, file: 'assets/a.js', line: 1, column: i })),
    notices: [{ code: 'NOTICE', message: 'only a notice' }],
  });

  it('counts warnings as problems, not notices', () => {
    expect(lintProblems(report([], ['DANGEROUS_EVAL']))).toEqual(['warning DANGEROUS_EVAL: DANGEROUS_EVAL message (assets/a.js:1:0)']);
    expect(lintProblems(report([], []))).toEqual([]);
  });

  it('tolerates for the Chrome build only the rules a Firefox manifest satisfies', () => {
    const chrome = report(['ADDON_ID_REQUIRED', 'BACKGROUND_SERVICE_WORKER_NOFALLBACK'], ['MISSING_DATA_COLLECTION_PERMISSIONS', 'UNSAFE_VAR_ASSIGNMENT']);
    expect(lintProblems(chrome, FIREFOX_ONLY_RULES)).toEqual(['warning UNSAFE_VAR_ASSIGNMENT: UNSAFE_VAR_ASSIGNMENT message (assets/a.js:1:1)']);
    expect(lintProblems(chrome)).toHaveLength(4);
  });

  it('the Firefox manifest carries what those rules ask for', () => {
    const firefox = firefoxManifest(manifest) as { background: { scripts?: string[] }; browser_specific_settings: { gecko: { id?: string; data_collection_permissions?: unknown } } };
    // ADDON_ID_REQUIRED, MISSING_DATA_COLLECTION_PERMISSIONS, BACKGROUND_SERVICE_WORKER_NOFALLBACK.
    expect(firefox.browser_specific_settings.gecko.id).toBeTruthy();
    expect(firefox.browser_specific_settings.gecko.data_collection_permissions).toBeTruthy();
    expect(firefox.background.scripts).toHaveLength(1);
    expect(manifest).not.toHaveProperty('browser_specific_settings');
    expect(manifest.background).not.toHaveProperty('scripts');
  });
});
