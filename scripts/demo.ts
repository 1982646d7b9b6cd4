/**
 * npm run demo: the product, offline. Starts the mock exchange replaying a long flush (≈ $99M in
 * an hour, ~90 % longs, then exhaustion), opens Chromium with the built extension on the Binance
 * stand-in page, and shows the meter. With a display it runs headed until you close the browser;
 * without one it runs headless, prints the meter as the replay advances and saves screenshots of
 * the meter and popup to a folder it names.
 *
 * The replay runs faster than real time on a scenario clock that the mock and the extension's
 * worker share (src/background/clock.ts): the extension is installed at DEMO_START_MINUTE and its
 * windows measure scenario time (its "1 h" is an hour of scenario), so it gives the same phases at
 * the same scenario minutes as `npm run replay -- FILE [--install-at DEMO_START_MINUTE]`. Each line
 * shows both, and the run ends with the phase changes side by side and each venue's health.
 *
 * Options (environment): DEMO_SCENARIO (default scenarios/long-flush-99m.json),
 * DEMO_START_MINUTE (scenario minute the extension is installed at, default 0; what came before
 * is history, as the venues' history endpoints give it), DEMO_SPEED (scenario minutes per wall
 * minute, default 50), DEMO_SECONDS (headless run length after the install, default 150: with
 * the defaults the run reaches scenario minute ~125).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { BUS_KEYS, sourceHealth, type SourceStatus } from '../src/core/bus';
import { MARKET_SCOPE } from '../src/core/engine';
import { parseScenario } from '../tools/replay/scenario-validate';
import { MockExchange } from '../test/mock/server';
import { DIST, extensionStorage, launchWithExtension, type Browser } from '../test/e2e/harness';
import { describeChanges, installOnScenarioClock, phaseAt, PhaseRecorder, replayPhaseChanges } from '../test/e2e/scenario-clock';

const scenarioPath = resolve(process.env.DEMO_SCENARIO ?? 'scenarios/long-flush-99m.json');
const speed = Number(process.env.DEMO_SPEED ?? 50);
const seconds = Number(process.env.DEMO_SECONDS ?? 150);
const startMinute = Number(process.env.DEMO_START_MINUTE ?? 0);
const headed = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
/** The asset of the trading page the demo opens. */
const PAGE_ASSET = 'BTC';

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
  // Poll and error times are on real time (clock.ts).
  const now = Date.now();
  return `venues: ${sources.map((source) => `${source.venue}=${sourceHealth(source, now)}${source.degraded ? ` (${source.degraded})` : ''}`).join(' ')}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  if (!existsSync(`${DIST}/manifest.json`)) throw new Error('dist/ is missing: run `npm run build` first (npm run demo does).');
  if (!(Number.isInteger(startMinute) && startMinute >= 0)) throw new Error('DEMO_START_MINUTE must be a whole minute ≥ 0');
  if (!(speed > 0)) throw new Error('DEMO_SPEED must be > 0');
  const scenario = parseScenario(JSON.parse(readFileSync(scenarioPath, 'utf8')));
  const startAt = Math.min(startMinute * 60_000, Math.floor((scenario.events.at(-1)?.t ?? 0) / 60_000) * 60_000);
  const replay = replayPhaseChanges(scenario, startAt);
  const mock = new MockExchange({ scenario, startAt, speed, scenarioClock: true, paused: true });
  await mock.start();
  console.log(`mock exchange on 127.0.0.1:${mock.port}, "${scenario.name}": installing at scenario minute ${startAt / 60_000}, ${speed}× real time`);
  const browser = await launchWithExtension(mock, { headless: !headed });
  const page = await browser.context.newPage();
  await page.goto(`https://www.binance.com/en/futures/${PAGE_ASSET}USDT`);
  const clock = await installOnScenarioClock(browser, mock);
  const recorder = new PhaseRecorder(browser, clock, startAt);
  if (headed) {
    console.log('Chromium is open on the Binance stand-in page with the meter. Close the browser to stop.');
    await new Promise<void>((done) => browser.context.on('close', () => done()));
    await mock.stop();
    return;
  }
  const started = Date.now();
  let printedAt = -Infinity;
  while (Date.now() - started < seconds * 1000) {
    // The verdicts are followed every half second (a scenario minute or less), printed every five.
    await recorder.sample();
    // Nothing to show until the worker has read on the new clock.
    if (recorder.latest && Date.now() - printedAt >= 5_000) {
      printedAt = Date.now();
      const minute = recorder.minute;
      const market = recorder.latest?.scopes[MARKET_SCOPE]?.verdict.phase ?? '…';
      console.log(
        `[scenario minute ${String(minute).padStart(3)}] phase=${market} (market-wide; replay: ${phaseAt(replay.get(MARKET_SCOPE) ?? [], minute) ?? '…'})  ` +
          `${PAGE_ASSET} meter: ${await readMeter(page)}`,
      );
    }
    await sleep(500);
  }
  console.log(`phase changes, market-wide, by scenario minute:\n  demo:   ${describeChanges(recorder.changes(MARKET_SCOPE))}\n  replay: ${describeChanges(replay.get(MARKET_SCOPE) ?? [])}`);
  console.log(`phase changes, ${PAGE_ASSET} (the page's meter):\n  demo:   ${describeChanges(recorder.changes(PAGE_ASSET))}\n  replay: ${describeChanges(replay.get(PAGE_ASSET) ?? [])}`);
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
