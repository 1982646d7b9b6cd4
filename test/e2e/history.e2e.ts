/**
 * The 24 h history (issue 18, part 2) and the expanded meter's tape (part 1): liquidations pushed
 * by the mock exchange land in the newest 5-minute bar of the popup's market chart and of the
 * trading page's expanded BTC meter, split by venue, beside the mock's price, open interest and
 * funding; the readout follows the keyboard and the pointer; the meter's tape lists the page's
 * asset's prints, newest first.
 */
import { mkdirSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFormats } from '../../src/core/i18n';
import type { Scenario, ScenarioEvent } from '../../tools/replay/scenario';
import { MockExchange } from '../mock/server';
import { launchWithExtension, publishedReadings, waitFor, type Browser } from './harness';

const ARTIFACTS = new URL('../../artifacts/', import.meta.url).pathname;
const en = makeFormats('en-US');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The market now on Binance and Bybit: the lines' newest values are known exactly. */
const MARKETS = { BTC: { price: 72_000, oi: 3.6e9 }, ETH: { price: 2_100, oi: 1.2e9 } } as const;
const HOURS = 6;

/**
 * Six hours of 5-minute market rows (a price swing, open interest building) that the venues'
 * history endpoints serve, back-filled on install, then the two minutes up to now at MARKETS.
 */
function market(): Scenario {
  const events: ScenarioEvent[] = [];
  const end = HOURS * 60;
  const row = (minute: number, venue: 'binance' | 'bybit', asset: keyof typeof MARKETS, price: number, oi: number): ScenarioEvent =>
    ({ t: minute * 60_000, type: 'market', venue, asset, price, markPrice: price, indexPrice: price, fundingRate8h: 0.0001, openInterestUsd: oi, perpVolume24hUsd: 1e9, spotVolume24hUsd: 2e8 });
  for (let minute = 0; minute <= end; minute += minute < end - 5 ? 5 : 1) {
    const live = minute >= end - 2;
    for (const venue of ['binance', 'bybit'] as const) {
      for (const [asset, { price, oi }] of Object.entries(MARKETS) as Array<[keyof typeof MARKETS, { price: number; oi: number }]>) {
        const swing = live ? 1 : 1 + 0.012 * Math.sin((2 * Math.PI * minute) / 150) - 0.006 * (1 - minute / end);
        const build = live ? 1 : 0.94 + 0.06 * (minute / end);
        events.push(row(minute, venue, asset, Math.round(price * swing * 100) / 100, oi * build));
      }
    }
  }
  return { name: 'history', start: Date.now() - end * 60_000, events };
}

/** What is pushed: BTC on two venues, both sides; ETH once (the market's bar adds it). */
const PUSHED = [
  { venue: 'binance', asset: 'BTC', side: 'long', price: 72_000, notionalUsd: 1_200_000 },
  { venue: 'bybit', asset: 'BTC', side: 'long', price: 72_000, notionalUsd: 250_000 },
  { venue: 'bybit', asset: 'BTC', side: 'short', price: 72_000, notionalUsd: 600_000 },
  { venue: 'bybit', asset: 'ETH', side: 'long', price: 2_100, notionalUsd: 300_000 },
] as const;

let mock: MockExchange;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  mock = new MockExchange({ scenario: market() });
  await mock.start();
  browser = await launchWithExtension(mock);
  await waitFor(() => publishedReadings(browser), (r) => r?.scopes.BTC?.openInterestUsd != null, 30_000, 'first publish with BTC market data');
  for (const venue of ['binance', 'bybit'] as const) await waitFor(async () => mock.socketCount(venue), (n) => n >= 1, 20_000, `${venue} stream open`);
  // All in one 5-minute bar: not within 15 s of a bar's end.
  const intoBar = Date.now() % 300_000;
  if (intoBar > 285_000) await sleep(300_000 - intoBar + 1_000);
  for (const print of PUSHED) (mock.pushLiquidation(print), await sleep(200));
  await waitFor(() => publishedReadings(browser), (r) => (r?.scopes.ALL?.liq1h.count ?? 0) >= PUSHED.length, 20_000, 'pushed prints in the readings');
});

afterAll(async () => {
  await browser?.close();
  await mock?.stop();
});

const text = (scope: Locator, field: string) => scope.locator(`[data-field="${field}"]`).first().textContent({ timeout: 5_000 });

/** The readout's figures at the chart's cursor. */
async function readout(chart: Locator) {
  return {
    cursor: await chart.getAttribute('data-cursor', { timeout: 5_000 }),
    time: await text(chart, 'hist-time'),
    long: await text(chart, 'hist-long'),
    short: await text(chart, 'hist-short'),
    split: await text(chart, 'hist-split'),
    price: await text(chart, 'hist-price'),
    oi: await text(chart, 'hist-oi'),
    funding: await text(chart, 'hist-funding'),
  };
}

async function pressIn(page: Page, chart: Locator, key: string): Promise<void> {
  await chart.focus({ timeout: 5_000 });
  await page.keyboard.press(key);
}

describe('history chart', () => {
  it('the popup shows the market\'s 24 h: the pushed prints in the newest bar, split by venue, OI summed; keyboard and hover readout', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 400, height: 600 });
    await page.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
    const section = page.locator('[data-section="history"]');
    await section.waitFor({ timeout: 10_000 });
    expect(await section.getAttribute('data-history-scope')).toBe('ALL');
    // Closed at first, like the tape: the popup keeps within its height.
    const toggle = section.getByRole('button', { name: '24 h history: All markets' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    const chart = section.locator('[data-field="sparkline"][data-cursor]');
    await chart.waitFor({ timeout: 10_000 });
    const newest = await readout(chart);
    console.log('popup history readout:', JSON.stringify(newest));
    expect(newest.cursor).toBe('287');
    expect(newest.time).toMatch(/–now$/);
    // Binance samples its feed (at most one liquidation per symbol per second): the bar is a lower bound.
    expect(newest.long).toBe(`≥ ${en.usd(1_200_000 + 250_000 + 300_000)}`);
    expect(newest.short).toBe(`≥ ${en.usd(600_000)}`);
    expect(newest.split).toBe(`Binance ≥ ${en.usd(1_200_000)} long / $0 short · Bybit ${en.usd(550_000)} long / ${en.usd(600_000)} short`);
    // The market has no price; open interest is every venue's and asset's.
    expect(newest.price).toBe('—');
    expect(newest.oi).toBe(en.usd(2 * (MARKETS.BTC.oi + MARKETS.ETH.oi)));
    expect(newest.funding).toBe('+0.01%');
    expect(await section.locator('[data-field="readout"]').getAttribute('aria-live')).toBe('polite');
    // Axes as text.
    expect(await chart.locator('[data-field="time-axis"] text').count()).toBeGreaterThanOrEqual(3);
    expect(await chart.locator('[data-field="value-axis"] text').first().textContent()).toBe(en.usd(1_200_000 + 250_000 + 300_000));
    // By keyboard: one bar back is before the pushes: nothing, or not counted yet ("—": the extension was installed in this bar).
    await pressIn(page, chart, 'ArrowLeft');
    expect((await readout(chart)).cursor).toBe('286');
    expect(['$0', '—']).toContain((await readout(chart)).long);
    await pressIn(page, chart, 'Home');
    expect((await readout(chart)).long).toBe('—');
    expect(await chart.locator('[data-field="hist-long"]').locator('xpath=..').getAttribute('title')).toMatch(/^Not counted: liquidations are counted from /);
    await pressIn(page, chart, 'End');
    expect(await readout(chart)).toEqual(newest);
    // By pointer: the left edge is a day ago.
    const box = (await chart.locator('svg').boundingBox())!;
    await page.mouse.move(box.x + box.width * (50 / 360), box.y + box.height / 2);
    await expect.poll(() => chart.getAttribute('data-cursor').then(Number)).toBeLessThan(10);
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    await expect.poll(() => chart.getAttribute('data-cursor')).toBe('287');
    // Open, it follows the market: a new print shows in the newest bar without reopening (asked again
    // at most every 5 s on a new reading). In this bar with the others, or alone in a new one.
    mock.pushLiquidation({ venue: 'bybit', asset: 'ETH', side: 'short', price: 2_100, notionalUsd: 200_000 });
    await expect.poll(() => text(chart, 'hist-short'), { timeout: 15_000 }).toMatch(/^(≥ \$800\.0K|\$200\.0K)$/);
    expect(await section.textContent()).not.toMatch(/NaN|undefined|Infinity/);
    await section.screenshot({ path: `${ARTIFACTS}popup-history.png`, timeout: 5_000 });
    await page.close();
  });

  it('the expanded meter on a trading page shows its asset\'s chart and live tape', async () => {
    const page = await browser.context.newPage();
    await page.goto('https://www.binance.com/en/futures/BTCUSDT');
    const meter = page.locator('[data-flush-meter][data-asset="BTC"]');
    await meter.locator('.fm-toggle').click({ timeout: 15_000 });
    const chart = meter.locator('[data-field="sparkline"][data-cursor]');
    await chart.waitFor({ timeout: 10_000 });
    const newest = await readout(chart);
    console.log('meter history readout:', JSON.stringify(newest));
    expect(newest.long).toBe(`≥ ${en.usd(1_200_000 + 250_000)}`);
    expect(newest.short).toBe(`≥ ${en.usd(600_000)}`);
    expect(newest.split).toBe(`Binance ≥ ${en.usd(1_200_000)} long / $0 short · Bybit ${en.usd(250_000)} long / ${en.usd(600_000)} short`);
    expect(newest.price).toBe('72,000');
    expect(newest.oi).toBe(en.usd(2 * MARKETS.BTC.oi));
    expect(newest.funding).toBe('+0.01%');
    await pressIn(page, chart, 'Home');
    expect((await readout(chart)).cursor).toBe('0');
    // A day ago nothing was known: "—", each with its reason on hover.
    expect((await readout(chart)).price).toBe('—');
    expect(await chart.locator('[data-field="hist-price"]').locator('xpath=..').getAttribute('title')).toBe('No price known at this time.');
    await pressIn(page, chart, 'End');
    expect((await readout(chart)).cursor).toBe('287');
    // The page's asset's tape: its three prints over the $100K default, newest first; Binance's marked as samples.
    const rows = meter.locator('[data-section="meter-tape"] [data-row]');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(3);
    const shown = await rows.evaluateAll((els) => els.map((el) => [el.getAttribute('data-venue'), el.getAttribute('data-side'), el.getAttribute('data-asset'), el.hasAttribute('data-sampled')]));
    expect(shown).toEqual([
      ['bybit', 'short', 'BTC', false],
      ['bybit', 'long', 'BTC', false],
      ['binance', 'long', 'BTC', true],
    ]);
    expect(await rows.first().locator('[data-field="size"]').textContent()).toBe(en.usd(600_000));
    await meter.screenshot({ path: `${ARTIFACTS}meter-history.png`, timeout: 5_000 });
    await page.close();
  });
});
