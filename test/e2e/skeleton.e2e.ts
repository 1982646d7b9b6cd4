/**
 * The walking skeleton end to end in a real Chromium: Binance liquidations and market data
 * from the mock exchange → worker → storage → meter beside the order panel, popup,
 * notification, and windows intact across a service-worker stop.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceStatus } from '../../src/core/bus';
import type { ReadingSet } from '../../src/core/engine';
import { makeFormats } from '../../src/core/i18n';
import { MockExchange } from '../mock/server';
import { launchWithExtension, waitFor, withTimeout, extensionStorage, type Browser, publishedReadings } from './harness';
import { longFlushHour } from './scenarios';

/** What Chromium's English UI shows (the meter formats with Intl in the browser's language). */
const en = makeFormats('en-US');

const ARTIFACTS = new URL('../../artifacts/', import.meta.url).pathname;

let mock: MockExchange;
let browser: Browser;

function expectedTotals(asset?: string) {
  const events = mock.playedLiquidations().filter((e) => !asset || e.asset === asset);
  const total = events.reduce((sum, e) => sum + e.notionalUsd, 0);
  const longs = events.filter((e) => e.side === 'long').reduce((sum, e) => sum + e.notionalUsd, 0);
  return { total, longShare: longs / total };
}

const readings = () => publishedReadings(browser);

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  mock = new MockExchange({ scenario: longFlushHour(['binance']) });
  await mock.start();
  browser = await launchWithExtension(mock);
});

afterAll(async () => {
  await browser?.close();
  await mock?.stop();
});

describe('walking skeleton (Binance)', () => {
  it('receives the scenario hour from the stream and polls market data', async () => {
    const expected = expectedTotals();
    const r = await waitFor(readings, (r) => Math.abs((r?.scopes.ALL?.liq1h.totalUsd ?? 0) - expected.total) < 1, 30_000, 'market 1h total');
    expect(r!.scopes.ALL!.liq1h.longShare).toBeCloseTo(expected.longShare, 6);
    const btc = await waitFor(readings, (r) => r?.scopes.BTC?.openInterestUsd != null && r.scopes.BTC.funding8h != null, 30_000, 'BTC market data');
    expect(btc!.scopes.BTC!.basis).toBeCloseTo(0.0002, 6);
    expect(btc!.scopes.BTC!.sampledVenues).toEqual(['binance']);
    // Every request the extension made to Binance followed Binance's documented format.
    // (This scenario has no rows for the other venues, so their symbol lookups fail by design.)
    const rejected = mock.requests.filter((r) => r.host.includes('binance') && r.status >= 400);
    expect(rejected).toEqual([]);
  });

  it('shows the meter beside the order panel with the scenario 1 h total and long share for the URL asset', async () => {
    const page = await browser.context.newPage();
    await page.goto('https://www.binance.com/en/futures/BTCUSDT');
    const meter = page.locator('[data-flush-meter][data-asset="BTC"]');
    await meter.waitFor({ timeout: 15_000 });
    const expected = expectedTotals('BTC');
    await expect.poll(() => meter.locator('[data-field="liq1h"]').textContent({ timeout: 5_000 }), { timeout: 15_000 }).toBe(en.usdBound(expected.total, true));
    expect(await meter.locator('[data-field="longShare1h"]').textContent({ timeout: 5_000 })).toBe(en.share(expected.longShare));
    // Beside the order panel: right below the order form (no layout shift of the panel), not docked.
    const placement = await page.evaluate(() => {
      const host = document.querySelector('[data-flush-meter]')!;
      return { prev: host.previousElementSibling?.getAttribute('name'), docked: host.hasAttribute('data-docked'), count: document.querySelectorAll('[data-flush-meter]').length };
    });
    expect(placement).toEqual({ prev: 'orderform', docked: false, count: 1 });
    // The stand-in page is dark (like Binance's default): the meter follows the page, not the OS.
    expect(await meter.getAttribute('data-theme', { timeout: 5_000 })).toBe('dark');
    expect(await meter.locator('[data-field="funding"]').textContent({ timeout: 5_000 })).toMatch(/^[+−]\d\.\d{2,4}%$/);
    // The estimated liquidation levels, from the back-filled price and open-interest bars: a side and a distance each, or "none near"
    // (then the row is hidden: it takes no room beside a tight order column, and its fields still say so).
    expect(await meter.locator('[data-field="level-long"]').textContent({ timeout: 5_000 })).toMatch(/^Longs (−\d+\.\d+% · ~\$[\d.]+[KMB]?|: none near)|^longs: none near/i);
    expect(await meter.locator('[data-field="level-short"]').textContent({ timeout: 5_000 })).toMatch(/^Shorts (\+\d+\.\d+% · ~\$[\d.]+[KMB]?)|^shorts: none near/i);
    await meter.screenshot({ path: `${ARTIFACTS}meter.png`, timeout: 5_000 });

    // A new liquidation streamed by the venue appears in the meter.
    mock.pushLiquidation({ venue: 'binance', asset: 'BTC', side: 'short', price: 71000, notionalUsd: 5_000_000 });
    const after = expectedTotals('BTC');
    await expect.poll(() => meter.locator('[data-field="liq1h"]').textContent({ timeout: 5_000 }), { timeout: 10_000 }).toBe(en.usdBound(after.total, true));
    expect(await meter.locator('[data-field="longShare1h"]').textContent({ timeout: 5_000 })).toBe(en.share(after.longShare));

    // In-page navigation to ETH re-mounts the meter for ETH, still only one.
    await page.click('a[data-symbol="ETHUSDT"]', { timeout: 5_000 });
    await page.locator('[data-flush-meter][data-asset="ETH"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-flush-meter]').count()).toBe(1);
    await page.close();
  });

  it('expands to the reasons, sparkline, per-venue breakdown and risk box', async () => {
    const page = await browser.context.newPage();
    await page.goto('https://www.binance.com/en/futures/BTCUSDT');
    const meter = page.locator('[data-flush-meter][data-asset="BTC"]');
    await meter.locator('.fm-toggle').click({ timeout: 15_000 });
    // The expanded view is loaded on first expanding (its own module), then drawn.
    await meter.locator('[data-field="reasons"] li').first().waitFor({ timeout: 5_000 });
    expect(await meter.locator('[data-field="reasons"] li').count()).toBeGreaterThan(0);
    // The liquidation map: six bands, shorts above the price and longs below, each with its USD as text; the risk box names the nearest clusters.
    expect(await meter.locator('[data-field="level-map"] li[data-band]').count()).toBe(6);
    expect(await meter.locator('[data-field="level-map"] li[data-band="long1"] .fm-band-usd').textContent({ timeout: 5_000 })).toMatch(/^(~\$[\d.]+[KMB]?|0)$/);
    expect(await meter.locator('[data-field="risk-levels"]').textContent({ timeout: 5_000 })).toMatch(/^Estimated clusters: longs .+, shorts .+\.$/);
    // Against the last hour's range: the scenario's price fell through the hour.
    expect(await meter.locator('[data-field="risk-range"]').textContent({ timeout: 5_000 })).toMatch(/^The last hour ranged \d+\.\d{2}% \(high to low\)\.$/);
    expect(await meter.locator('[data-field="sparkline"]').count()).toBe(1);
    expect(await meter.locator('tr[data-venue="binance"] td').nth(1).textContent({ timeout: 5_000 })).toMatch(/^≥ \$/);
    // The % move to liquidation follows the trader's leverage (formula unit-tested in risk.test.ts).
    const leaked = await page.evaluate(() => {
      (window as unknown as { keys: number }).keys = 0;
      document.addEventListener('keydown', () => (window as unknown as { keys: number }).keys++);
    });
    await meter.locator('[data-field="leverage"]').fill('50', { timeout: 5_000 });
    await expect.poll(() => meter.locator('[data-field="risk"]').textContent({ timeout: 5_000 })).toContain('1.51% fall');
    for (const key of ['Backspace', 'Backspace', '2']) await meter.locator('[data-field="leverage"]').press(key, { timeout: 5_000 });
    await expect.poll(() => meter.locator('[data-field="risk"]').textContent({ timeout: 5_000 })).toContain('49.75% fall');
    // Typing in the meter never reaches the page's own key handlers (exchange hotkeys).
    expect(leaked).toBeUndefined();
    expect(await page.evaluate(() => (window as unknown as { keys: number }).keys)).toBe(0);
    await meter.screenshot({ path: `${ARTIFACTS}meter-expanded.png`, timeout: 5_000 });
    await page.close();
  });

  it('docks the meter when no order panel renders', async () => {
    const page = await browser.context.newPage();
    await page.goto('https://www.binance.com/en/futures/SOLUSDT?noform=1');
    const meter = page.locator('[data-flush-meter][data-asset="SOL"][data-docked]');
    await meter.waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('shows the same numbers in the popup, with the venue status', async () => {
    const page = await browser.context.newPage();
    await page.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
    const market = expectedTotals();
    const btc = expectedTotals('BTC');
    const all = page.locator('section[data-scope="ALL"]');
    await expect.poll(() => all.locator('[data-field="liq1h"]').textContent({ timeout: 5_000 }), { timeout: 10_000 }).toBe(en.usdBound(market.total, true));
    expect(await all.locator('[data-field="longShare1h"]').textContent({ timeout: 5_000 })).toBe(en.share(market.longShare));
    expect(await page.locator('[data-scope="BTC"] [data-field="liq1h"]').textContent({ timeout: 5_000 })).toBe(en.usdBound(btc.total, true));
    const row = page.locator('tr[data-venue="binance"]');
    await expect.poll(() => row.getAttribute('data-health', { timeout: 5_000 }), { timeout: 10_000 }).toBe('live');
    expect(await row.textContent({ timeout: 5_000 })).toContain('sampled');
    await page.screenshot({ path: `${ARTIFACTS}popup.png`, timeout: 5_000 });
    await page.close();
  });

  it('sends one desktop notification for the flush', async () => {
    // A market-wide event notifies once it has held MARKET_CONFIRM_MS (10 s): the hour arrives as a burst, and a
    // reading from partway through it once said "exhaustion" 0.3 s before the whole hour read "flushing".
    const log = await waitFor(() => extensionStorage<Array<{ message: string }>>(browser, 'local', 'alertLog'), (l) => (l?.length ?? 0) > 0, 30_000, 'alert log');
    // The whole log in the message: a second entry would say which rule sent it.
    expect(log, JSON.stringify(log)).toHaveLength(1);
    // The combined text: the hour's total and side, then what funding says about the flush.
    expect(log![0]!.message).toMatch(/^≥ \$\d+(\.\d)?M liquidated in 1h — \d+% longs\.( Funding (still [+−][\d.]+%: flush may not be done|now [+−]?[\d.]+%|flipped (negative|positive))\.)?$/);
    const worker = await browser.worker();
    const shown = await withTimeout(worker.evaluate(() => chrome.notifications.getAll()), 5_000, 'notifications.getAll');
    expect(Object.keys(shown)).toHaveLength(1);
    // More liquidations while still over the threshold do not notify again.
    mock.pushLiquidation({ venue: 'binance', asset: 'ETH', side: 'long', price: 2000, notionalUsd: 1_000_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    const again = await extensionStorage<unknown[]>(browser, 'local', 'alertLog');
    expect(again, JSON.stringify(again)).toHaveLength(1);
  });

  it('keeps the windows when the service worker is stopped and wakes again', async () => {
    const expected = expectedTotals();
    // The hot state is batched: wait until it holds everything the worker was sent.
    await waitFor(
      async () => (await readings())?.scopes.ALL?.liq1h.totalUsd,
      (total) => Math.abs((total ?? 0) - expected.total) < 1,
      15_000,
      'readings include every liquidation',
    );
    await new Promise((r) => setTimeout(r, 2_500));
    await browser.stopWorkers();
    const stoppedAt = Date.now();
    // Opening the popup sends a refresh message, which wakes the worker.
    const page = await browser.context.newPage();
    await page.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
    const after = await waitFor(readings, (r) => (r?.computedAt ?? 0) > stoppedAt, 20_000, 'readings from the restarted worker');
    expect(after!.scopes.ALL!.liq1h.totalUsd).toBeCloseTo(expected.total, 0);
    expect(after!.scopes.ALL!.liq1h.longShare).toBeCloseTo(expected.longShare, 6);
    expect(after!.scopes.ALL!.liq24h.totalUsd).toBeCloseTo(expected.total, 0);
    // And no second notification after the restart.
    const log = await extensionStorage<unknown[]>(browser, 'local', 'alertLog');
    expect(log, JSON.stringify(log)).toHaveLength(1);
    await page.close();
  });
});
