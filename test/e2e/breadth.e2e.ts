/**
 * Breadth in the popup: every asset being liquidated, not just the watchlist. Binance's all-market
 * liquidation stream (the mock) carries 24 assets; the popup ranks them by the hour's liquidations,
 * at least the top 20, and a row opens that asset's meter with a link to its trading page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scenario, ScenarioEvent } from '../../tools/replay/scenario';
import { MockExchange } from '../mock/server';
import { launchWithExtension, publishedReadings, waitFor, withTimeout, type Browser } from './harness';

const ASSETS = ['BTC', 'ETH', 'SOL', 'DOGE', 'PEPE', 'WIF', 'XRP', 'ADA', 'AVAX', 'LINK', 'DOT', 'LTC', 'BCH', 'NEAR', 'APT', 'ARB', 'OP', 'SUI', 'SEI', 'TIA', 'INJ', 'FIL', 'ATOM', 'UNI'];

/** Two minutes of market rows for every asset on Binance: its instrument list then names them all. */
function market(): Scenario {
  const events: ScenarioEvent[] = [];
  for (const minute of [0, 1]) {
    for (const [i, asset] of ASSETS.entries()) {
      const price = 10 + i;
      events.push({ t: minute * 60_000, type: 'market', venue: 'binance', asset, price, markPrice: price, indexPrice: price, fundingRate8h: 0.0001, openInterestUsd: 1e8 * (i + 1), perpVolume24hUsd: 1e9, spotVolume24hUsd: 2e8 });
    }
  }
  return { name: 'breadth', start: Date.now() - 120_000, events };
}

let mock: MockExchange;
let browser: Browser;

beforeAll(async () => {
  mock = new MockExchange({ scenario: market() });
  await mock.start();
  browser = await launchWithExtension(mock);
  await waitFor(() => publishedReadings(browser), (r) => r?.scopes.ALL !== undefined, 30_000, 'first publish');
  // The stream opens after the first polls: a print pushed before it would reach no one.
  await waitFor(async () => mock.socketCount('binance'), (n) => n >= 1, 20_000, 'binance stream open');
  // The more liquidated the later in the list: UNI most, BTC least; each asset all longs but BTC.
  for (const [i, asset] of ASSETS.entries()) mock.pushLiquidation({ venue: 'binance', asset, side: asset === 'BTC' ? 'short' : 'long', price: 10 + i, notionalUsd: 100_000 * (i + 1) });
  await waitFor(() => publishedReadings(browser), (r) => ASSETS.every((asset) => (r?.scopes[asset]?.liq1h.count ?? 0) > 0), 20_000, 'every asset liquidated');
});

afterAll(async () => {
  await browser?.close();
  await mock?.stop();
});

describe('breadth', () => {
  it('ranks every liquidated asset in the popup, most first, at least the top 20; a row opens its meter and trading page', async () => {
    const page = await browser.context.newPage();
    await page.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
    const rows = page.locator('[data-section="breadth"] [data-row]');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(20);
    const order = await withTimeout(rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-asset'))), 5_000, 'breadth order');
    expect(order.slice(0, 3)).toEqual(['UNI', 'ATOM', 'FIL']);
    // Outside the watchlist (BTC, ETH, SOL) and listed all the same.
    expect(order).toContain('PEPE');
    const uni = page.locator('[data-section="breadth"] [data-row][data-asset="UNI"]');
    expect(await uni.locator('[data-field="liq1h"]').textContent({ timeout: 5_000 })).toBe('≥ $2.4M');
    expect(await uni.locator('[data-field="longShare1h"]').textContent({ timeout: 5_000 })).toBe('100%');
    // Untracked, yet its funding is known: Binance's all-symbol premiumIndex carries it at every poll.
    expect(await uni.locator('[data-field="funding"]').textContent({ timeout: 5_000 })).toBe('+0.01%');
    // Its 1 h OI change needs its open interest an hour ago, which no poll has brought yet: "—", and why.
    const oi = uni.locator('[data-field="oiChange1h"]');
    expect(await oi.textContent({ timeout: 5_000 })).toBe('—');
    expect(await oi.getAttribute('title', { timeout: 5_000 })).toMatch(/^Open interest an hour ago is not known yet/);
    expect(await page.locator('[data-section="breadth"] caption').textContent({ timeout: 5_000 })).toMatch(/^24 assets/);
    // By keyboard: focus the asset's button and press Enter.
    await uni.locator('button[data-field="asset"]').focus({ timeout: 5_000 });
    await page.keyboard.press('Enter');
    const detail = page.locator('[data-section="detail"][data-asset="UNI"]');
    await detail.locator('.fm-meter[data-phase]').waitFor({ timeout: 5_000 });
    expect(await detail.locator('[data-field="liq1h"]').textContent({ timeout: 5_000 })).toBe('≥ $2.4M');
    expect(await detail.locator('[data-field="trade-link"]').getAttribute('href', { timeout: 5_000 })).toMatch(/UNI/);
    // The popup's 24 h history follows the open detail: UNI's bars, its print in the newest.
    const history = page.locator('[data-section="history"]');
    expect(await history.getAttribute('data-history-scope')).toBe('UNI');
    const toggle = history.locator('[data-action="history"]');
    if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
    const chart = history.locator('[data-field="sparkline"][data-cursor]');
    await chart.waitFor({ timeout: 10_000 });
    expect(await chart.locator('[data-field="hist-long"]').textContent({ timeout: 5_000 })).toBe('≥ $2.4M');
    await page.screenshot({ path: 'artifacts/popup-breadth.png', fullPage: true, timeout: 5_000 });
    await page.close();
  });
});
