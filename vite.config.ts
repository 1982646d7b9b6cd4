import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';
import manifest from './manifest.json' with { type: 'json' };
import pkg from './package.json' with { type: 'json' };
import { contentBudgetProblems, measureContentScript } from './scripts/content-size';
import { dependencyPatches } from './scripts/dependency-patches';
import { firefoxManifest } from './scripts/firefox-manifest';

/**
 * Fails the build when the content script grows past its gzip budget or pulls in zod or the
 * polyfill: every build checks it (npm run build, the Firefox build, the e2e's FLUSH_DIST builds).
 */
function contentScriptBudget(): Plugin {
  let outDir = '';
  let written = false;
  return {
    name: 'flush-meter:content-script-budget',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    writeBundle() {
      written = true;
    },
    // After crxjs has written the final manifest and every chunk; skipped when the build itself failed.
    closeBundle: {
      order: 'post',
      sequential: true,
      handler() {
        if (!written) return;
        const weight = measureContentScript(outDir);
        const problems = contentBudgetProblems(weight);
        if (problems.length) throw new Error(`content script budget: ${problems.join('; ')}`);
        const firstPaint = weight.files.filter((f) => !f.lazy).length;
        this.info?.(`content script ${(weight.gzipBytes / 1000).toFixed(2)} kB gzipped at first paint in ${firstPaint} files, ${(weight.lazyGzipBytes / 1000).toFixed(2)} kB on demand`);
      },
    },
  };
}

/**
 * What the trading page's meter and the popup both draw with (preact, the meter, the sites, the
 * bus) goes in one chunk: a page loads its first paint in 3 files instead of 6 (18.8 kB gzip, was
 * 19.4: one file compresses better than six), and the popup in 5 instead of 8. The expanded view,
 * its map and risk box stay lazy, and the popup's own modules stay out of the page's chunk.
 */
const SHARED_UI = /node_modules\/preact|\/src\/ui\/|\/src\/sites\/|\/src\/core\/(gaps|bus|i18n|scenario-time)\.ts/;
const LAZY_UI = /\/src\/ui\/(Expanded|LevelMap|RiskBox|HistoryChart|history-feed|Tape|host-access|settings|bus)\.tsx?/;

/**
 * What the popup needs besides the shared UI and the worker or the options page also use (the
 * settings, the scenario clock, the tape, the exchanges' names) goes in one chunk too: the popup
 * loads 3 module files instead of 8, and its first render came 10-20 ms sooner (bench/popup:
 * ratio 1.28-1.39 vs 1.60-1.62 side by side). The price: a trading page's first expand loads
 * the settings and clock code with the tape's (6.8 kB gzip instead of 1.5, on demand only).
 */
const PAGES = /\/src\/(core\/(settings|tape|exchanges)|background\/clock|ui\/settings)\.ts$/;

/** `vite build` → dist/ for Chrome; `vite build --mode firefox` → dist-firefox/. */
function outDir(firefox: boolean): string {
  // FLUSH_DIST lets parallel work build and test side by side without clobbering dist/.
  const base = process.env.FLUSH_DIST;
  if (firefox) return base ? `${base}-firefox` : 'dist-firefox';
  return base ?? 'dist';
}

export default defineConfig(({ mode }) => {
  const firefox = mode === 'firefox';
  const versioned = { ...manifest, version: pkg.version };
  return {
    plugins: [
      // Two flagged lines of zod and preact that web-ext lint would warn about, removed (scripts/dependency-patches.ts).
      dependencyPatches(),
      preact(),
      crx({ manifest: (firefox ? firefoxManifest(versioned) : versioned) as ManifestV3Export, browser: firefox ? 'firefox' : 'chrome' }),
      contentScriptBudget(),
    ],
    build: {
      outDir: outDir(firefox),
      emptyOutDir: true,
      sourcemap: false,
      target: firefox ? 'firefox140' : 'chrome116',
      // Both targets load <link rel=modulepreload> natively: the polyfill would be one more file for every page.
      modulePreload: { polyfill: false },
      rolldownOptions: {
        output: {
          codeSplitting: {
            groups: [
              { name: 'ui', test: (id: string) => SHARED_UI.test(id) && !LAZY_UI.test(id) },
              { name: 'pages', test: (id: string) => PAGES.test(id) },
            ],
          },
        },
      },
    },
    server: { cors: { origin: [/chrome-extension:\/\//] } },
  };
});
