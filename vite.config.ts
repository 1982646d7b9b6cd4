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
    },
    server: { cors: { origin: [/chrome-extension:\/\//] } },
  };
});
