import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import manifest from './manifest.json' with { type: 'json' };
import pkg from './package.json' with { type: 'json' };

export default defineConfig({
  plugins: [preact(), crx({ manifest: { ...manifest, version: pkg.version } as ManifestV3Export })],
  build: {
    // FLUSH_DIST lets parallel work build and test side by side without clobbering dist/.
    outDir: process.env.FLUSH_DIST ?? 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome116',
  },
  server: { cors: { origin: [/chrome-extension:\/\//] } },
});
