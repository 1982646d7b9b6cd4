/**
 * The store packages as `npm run package` writes them (run here into a scratch folder, ~10 s; it
 * builds nothing else): the Chrome zip is MV3 with every file it names, and unpacked it runs in
 * Chromium (service worker, popup, the meter on a trading page) with no manifest error or warning;
 * the Firefox zip passes web-ext lint with 0 errors and 0 warnings.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromePackageProblems, FIREFOX_ONLY_RULES, lintProblems, mozillaLint, packageFiles } from '../../scripts/store-check';
import { MockExchange } from '../mock/server';
import { extensionStorage, launchWithExtension, waitFor, withTimeout, type Browser, publishedReadings } from './harness';
import { longFlushHour } from './scenarios';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

const scratch = mkdtempSync(join(tmpdir(), 'flush-meter-package-'));
const artifacts = join(scratch, 'artifacts');
const chromeZip = join(artifacts, `flush-meter-chrome-${version}.zip`);
const firefoxZip = join(artifacts, `flush-meter-firefox-${version}.zip`);
const unpacked = join(scratch, 'chrome-unpacked');

/** This process's environment without what vitest adds: NODE_ENV=test would make Vite build for tests. */
function releaseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_ENV' && key !== 'TEST' && !key.startsWith('VITEST')));
}

let mock: MockExchange | null = null;
let browser: Browser | null = null;

beforeAll(() => {
  try {
    execFileSync('npm', ['run', 'package', '--silent'], {
      cwd: ROOT,
      // Builds in the scratch folder too, so dist/ (the other e2e files' build) stays as it is.
      env: { ...releaseEnv(), FLUSH_DIST: join(scratch, 'dist'), FLUSH_ARTIFACTS: artifacts },
      stdio: 'pipe',
      encoding: 'utf8',
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run package failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
  for (const [name, data] of packageFiles(chromeZip)) {
    mkdirSync(dirname(join(unpacked, name)), { recursive: true });
    writeFileSync(join(unpacked, name), data);
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await mock?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('store packages', () => {
  it('the Chrome zip is Manifest V3 and holds every file its manifest, pages and modules name', () => {
    const { problems, references } = chromePackageProblems(packageFiles(chromeZip));
    expect(problems).toEqual([]);
    expect(references).toBeGreaterThan(30);
  });

  it('the Firefox zip passes web-ext lint with 0 errors and 0 warnings', async () => {
    const report = await mozillaLint(firefoxZip);
    expect(lintProblems(report)).toEqual([]);
    expect(report.summary).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('the Chrome zip is lint-clean too, but for the rules only a Firefox manifest satisfies', async () => {
    const report = await mozillaLint(chromeZip);
    expect(lintProblems(report, FIREFOX_ONLY_RULES)).toEqual([]);
  });

  it('the Chrome zip, unpacked, runs in Chromium: service worker, popup, the meter on a trading page', async () => {
    mock = new MockExchange({ scenario: longFlushHour(['binance']) });
    await mock.start();
    browser = await launchWithExtension(mock, { dist: unpacked });
    const manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8')) as { background: { service_worker: string } };
    expect((await browser.worker()).url()).toBe(`chrome-extension://${browser.extensionId}/${manifest.background.service_worker}`);
    const b = browser;
    await waitFor(() => publishedReadings(b), (r) => (r?.scopes.ALL?.liq1h.totalUsd ?? 0) > 0, 40_000, 'readings from the packaged worker');

    const popup = await browser.context.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
    await expect.poll(() => popup.locator('h1').textContent({ timeout: 5_000 }), { timeout: 10_000 }).toBe('Flush Meter');
    await popup.close();

    const page = await browser.context.newPage();
    await page.goto('https://www.binance.com/en/futures/BTCUSDT');
    await page.locator('[data-flush-meter][data-asset="BTC"]').waitFor({ timeout: 20_000 });
    await page.close();
  });

  it('Chromium lists no manifest error or install warning for the unpacked Chrome zip', async () => {
    const b = browser!;
    const page = await b.context.newPage();
    await page.goto('chrome://extensions');
    // Manifest errors are collected in developer mode only: switch it on, then load the extension again.
    const info = await withTimeout(
      page.evaluate(async (id) => {
        const dev = (chrome as unknown as { developerPrivate: DeveloperPrivate }).developerPrivate;
        await dev.updateProfileConfiguration({ inDeveloperMode: true });
        await dev.reload(id, { failQuietly: true });
        await new Promise((r) => setTimeout(r, 1_000));
        const extension = (await dev.getExtensionsInfo({ includeDisabled: true, includeTerminated: true })).find((e) => e.id === id);
        return extension && { state: extension.state, installWarnings: extension.installWarnings, manifestErrors: extension.manifestErrors.map((e) => e.message) };
      }, b.extensionId),
      15_000,
      'chrome://extensions developerPrivate',
    );
    expect(info).toEqual({ state: 'ENABLED', installWarnings: [], manifestErrors: [] });
    await page.close();
  });
});

/** The part of chrome://extensions' private API read above. */
interface DeveloperPrivate {
  updateProfileConfiguration(update: { inDeveloperMode: boolean }): Promise<void>;
  reload(id: string, options: { failQuietly: boolean }): Promise<void>;
  getExtensionsInfo(options: { includeDisabled: boolean; includeTerminated: boolean }): Promise<Array<{ id: string; state: string; installWarnings: string[]; manifestErrors: Array<{ message: string }> }>>;
}
