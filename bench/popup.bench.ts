/**
 * Popup: time to its first render with data, against the time to load a blank extension page,
 * in the same browser run (rounds alternate between the two, so a busy machine slows both alike).
 * The extension is a copy of the build with one extra empty page (bench-blank.html): the same
 * origin, the same process. "With data" is the popup's performance mark FIRST_DATA_MARK, set in
 * the layout effect of the first render that shows the market's reading, timed from the
 * navigation's start. The blank page's time is its load event end. The worker has published
 * before the first round.
 *
 * Target: first render ≤ 1.5 × the blank page's load (absolute ms reported beside it).
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { FIRST_DATA_MARK } from '../src/ui/bus';
import { DIST, launchWithExtension, publishedReadings, waitFor } from '../test/e2e/harness';
import { longFlushHour } from '../test/e2e/scenarios';
import { MockExchange } from '../test/mock/server';
import type { BenchReport } from './run';

const ROUNDS = Number(process.env.BENCH_POPUP_ROUNDS ?? 15);
const TARGET_RATIO = 1.5;

async function firstDataMs(page: Page, url: string): Promise<number> {
  await page.goto(url);
  const handle = await page.waitForFunction((mark) => performance.getEntriesByName(mark)[0]?.startTime, FIRST_DATA_MARK, { timeout: 10_000 });
  return (await handle.jsonValue()) as number;
}

async function blankLoadMs(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'load' });
  return page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function run(): Promise<BenchReport> {
  if (!existsSync(join(DIST, 'manifest.json'))) throw new Error(`popup needs a build in ${DIST}: npm run build`);
  const dist = mkdtempSync(join(tmpdir(), 'flush-meter-popup-bench-'));
  cpSync(DIST, dist, { recursive: true });
  writeFileSync(join(dist, 'bench-blank.html'), '<!doctype html><html><head><meta charset="utf-8"><title>blank</title></head><body></body></html>');
  const mock = new MockExchange({ scenario: longFlushHour(['binance', 'bybit', 'okx']) });
  await mock.start();
  const browser = await launchWithExtension(mock, { dist });
  try {
    await waitFor(() => publishedReadings(browser), (r) => (r?.scopes.ALL?.liq1h.count ?? 0) > 0, 40_000, 'the worker published');
    const base = `chrome-extension://${browser.extensionId}`;
    const popupPage = await browser.context.newPage();
    await popupPage.setViewportSize({ width: 400, height: 600 });
    const blankPage = await browser.context.newPage();
    // One of each first: the first load of a page compiles its scripts.
    await firstDataMs(popupPage, `${base}/src/popup/index.html`);
    await blankLoadMs(blankPage, `${base}/bench-blank.html`);
    const popup: number[] = [];
    const blank: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      blank.push(await blankLoadMs(blankPage, `${base}/bench-blank.html`));
      popup.push(await firstDataMs(popupPage, `${base}/src/popup/index.html`));
    }
    const ratio = median(popup) / median(blank);
    return {
      name: 'popup',
      figures: {
        'first render ratio': Math.round(ratio * 100) / 100,
        'first render with data ms (median)': Math.round(median(popup) * 10) / 10,
        'blank extension page load ms (median)': Math.round(median(blank) * 10) / 10,
        rounds: ROUNDS,
      },
      targets: [{ what: `popup first render with data ≤ ${TARGET_RATIO} × a blank extension page's load (${median(popup).toFixed(1)} ms vs ${median(blank).toFixed(1)} ms = ${ratio.toFixed(2)})`, ok: ratio <= TARGET_RATIO }],
    };
  } finally {
    await browser.close();
    await mock.stop();
    rmSync(dist, { recursive: true, force: true });
  }
}
