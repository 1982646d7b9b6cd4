/**
 * npm run demo: the product, offline. Starts the mock exchange replaying a compressed long
 * flush (≈ $99M in an hour, ~90 % longs), opens Chromium with the built extension on the
 * Binance stand-in page, and shows the meter. With a display it runs headed until you close
 * the browser; without one it runs headless, prints the meter as the replay advances and
 * saves screenshots of the meter and popup to a folder it names.
 *
 * Options (environment): DEMO_SCENARIO (default scenarios/long-flush-99m.json),
 * DEMO_START_MINUTE (scenario minute the live replay starts at, default 68), DEMO_SPEED (default 30×),
 * DEMO_SECONDS (headless run length, default 150).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { parseScenario } from '../src/core/scenario-validate';
import { MockExchange } from '../test/mock/server';
import { BUS_KEYS, sourceHealth, type SourceStatus } from '../src/core/bus';
import { DIST, extensionStorage, launchWithExtension, type Browser } from '../test/e2e/harness';

const scenarioPath = resolve(process.env.DEMO_SCENARIO ?? 'scenarios/long-flush-99m.json');
const speed = Number(process.env.DEMO_SPEED ?? 30);
const seconds = Number(process.env.DEMO_SECONDS ?? 150);
const headed = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

async function readMeter(page: Page): Promise<string> {
  const meter = page.locator('[data-flush-meter]');
  if (!(await meter.count())) return 'meter not mounted yet';
  const fields = await meter.evaluate((host) => {
    const out: Record<string, string> = {};
    for (const el of host.shadowRoot?.querySelectorAll('[data-field]') ?? []) out[el.getAttribute('data-field')!] = el.textContent ?? '';
    return { ...out, phase: host.getAttribute('data-phase') ?? '', side: host.getAttribute('data-side') ?? '' };
  });
  return Object.entries(fields)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${v}`)
    .join('  ');
}

/** `venues: binance=live bybit=live …`: each venue's health as the popup shows it, with the reason where degraded. */
async function venueLine(browser: Browser): Promise<string> {
  const sources = (await extensionStorage<SourceStatus[]>(browser, 'local', BUS_KEYS.sources)) ?? [];
  const now = Date.now();
  return `venues: ${sources.map((source) => `${source.venue}=${sourceHealth(source, now)}${source.degraded ? ` (${source.degraded})` : ''}`).join(' ')}`;
}

async function main(): Promise<void> {
  if (!existsSync(`${DIST}/manifest.json`)) throw new Error('dist/ is missing: run `npm run build` first (npm run demo does).');
  const scenario = parseScenario(JSON.parse(readFileSync(scenarioPath, 'utf8')));
  // The calm lead-in is history (backdated one-to-one, so the install-time open-interest backfill
  // reaches an hour back); the rest plays live, compressed, from just before the flush.
  const startAt = Math.min(Number(process.env.DEMO_START_MINUTE ?? 68) * 60_000, scenario.events.at(-1)?.t ?? 0);
  const mock = new MockExchange({ scenario, startAt, speed });
  await mock.start();
  console.log(`mock exchange on 127.0.0.1:${mock.port}, replaying "${scenario.name}" at ${speed}× from minute ${startAt / 60_000}`);
  const browser = await launchWithExtension(mock, { headless: !headed });
  const page = await browser.context.newPage();
  await page.goto('https://www.binance.com/en/futures/BTCUSDT');
  if (headed) {
    console.log('Chromium is open on the Binance stand-in page with the meter. Close the browser to stop.');
    await new Promise<void>((done) => browser.context.on('close', () => done()));
    await mock.stop();
    return;
  }
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    const minute = Math.round(mock.scenarioNow() / 60_000);
    console.log(`[scenario minute ${String(minute).padStart(3)}] ${await readMeter(page)}`);
    await new Promise((r) => setTimeout(r, 5_000));
  }
  const folder = resolve(`artifacts/demo-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(folder, { recursive: true });
  await page.locator('[data-flush-meter]').screenshot({ path: `${folder}/meter.png`, timeout: 10_000 });
  await page.screenshot({ path: `${folder}/page.png`, timeout: 10_000 });
  const popup = await browser.context.newPage();
  await popup.setViewportSize({ width: 400, height: 900 });
  await popup.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
  await popup.waitForTimeout(1_000);
  await popup.screenshot({ path: `${folder}/popup.png`, fullPage: true, timeout: 10_000 });
  console.log(`screenshots saved to ${folder}`);
  console.log(await venueLine(browser));
  await browser.close();
  await mock.stop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
