/**
 * The popup as a trader uses it: a $99.1M long flush on Binance (the other venues have no market
 * rows; one is made to fail). Market reading, a row per watched asset that
 * opens its trading page, venue health, keyboard and screen-reader names, popup size, and that
 * it renders from storage without waiting on the network.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceStatus } from '../../src/core/bus';
import type { ReadingSet } from '../../src/core/engine';
import { makeFormats } from '../../src/core/i18n';
import { defaultSettings } from '../../src/core/settings';
import { tradingUrl } from '../../src/sites';
import { MockExchange } from '../mock/server';
import { extensionStorage, launchWithExtension, waitFor, withTimeout, type Browser, publishedReadings } from './harness';
import { longFlushHour } from './scenarios';

/** What Chromium's English UI shows (the meter formats with Intl in the browser's language). */
const en = makeFormats('en-US');

const ARTIFACTS = new URL('../../artifacts/', import.meta.url).pathname;
const EN = makeFormats('en-US');
const PHASE_NAMES: Record<string, string> = { calm: 'Calm', warming: 'Warming up', crowded: 'Crowded', flushing: 'Flushing', exhaustion: 'Exhaustion', releveraging: 'Re-leveraging', continuation: 'Continuation' };

let mock: MockExchange;
let browser: Browser;

const readings = () => publishedReadings(browser);
const popupUrl = () => `chrome-extension://${browser.extensionId}/src/popup/index.html`;

function expectedTotals(asset?: string) {
  const events = mock.playedLiquidations().filter((e) => !asset || e.asset === asset);
  const total = events.reduce((sum, e) => sum + e.notionalUsd, 0);
  const longs = events.filter((e) => e.side === 'long').reduce((sum, e) => sum + e.notionalUsd, 0);
  return { total, longShare: longs / total };
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  mock = new MockExchange({ scenario: longFlushHour(['binance']) });
  await mock.start();
  browser = await launchWithExtension(mock);
  // Settled: every played liquidation counted and market data polled.
  const expected = expectedTotals();
  await waitFor(readings, (r) => Math.abs((r?.scopes.ALL?.liq1h.totalUsd ?? 0) - expected.total) < 1 && r?.scopes.BTC?.funding8h != null, 40_000, 'scenario hour in readings');
});

afterAll(async () => {
  await browser?.close();
  await mock?.stop();
});

describe('popup quick check', () => {
  it('renders from storage at once, without a single network request of its own', async () => {
    const page = await browser.context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const started = Date.now();
    await page.goto(popupUrl());
    await page.waitForFunction(() => /\$/.test(document.querySelector('[data-scope="BTC"] [data-field="liq1h"]')?.textContent ?? ''), null, { timeout: 5_000 });
    const renderMs = Date.now() - started;
    console.log(`popup: first full render ${renderMs} ms after navigation`);
    expect(renderMs).toBeLessThan(3_000);
    expect(requests.filter((url) => !url.startsWith('chrome-extension://'))).toEqual([]);
    await page.close();
  });

  it('shows the market reading: phase, side, gauge, 1 h and 24 h liquidations with the long share, OI change and funding', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 400, height: 600 });
    await page.goto(popupUrl());
    const expected = expectedTotals();
    const all = page.locator('section[data-scope="ALL"]');
    await expect.poll(() => all.locator('[data-field="liq1h"]').textContent({ timeout: 5_000 }), { timeout: 10_000 }).toBe(en.usdBound(expected.total, true));
    expect(await all.locator('[data-field="longShare1h"]').textContent()).toBe(en.share(expected.longShare));
    expect(await all.locator('[data-field="liq24h"]').textContent()).toBe(en.usdBound(expected.total, true));
    // The verdict moves as time passes: compare what is shown with the reading stored at that moment.
    const shownAndStored = async () => {
      const market = (await readings())!.scopes.ALL!;
      return {
        shown: {
          phase: await all.locator('[data-field="phase"]').textContent(),
          pressure: await all.locator('[data-field="pressure"]').getAttribute('data-value'),
          funding: await all.locator('[data-field="funding"]').textContent(),
          oi: await all.locator('[data-field="oiChange1h"]').textContent(),
        },
        stored: {
          phase: `${PHASE_NAMES[market.verdict.phase]}${market.verdict.side ? ` ${market.verdict.side}s` : ''}`,
          pressure: String(market.verdict.pressure),
          funding: en.rate(market.funding8h),
          oi: en.change(market.signals.oiChange1h),
        },
      };
    };
    await expect.poll(async () => { const { shown, stored } = await shownAndStored(); return JSON.stringify(shown) === JSON.stringify(stored); }, { timeout: 10_000 }).toBe(true);
    const { shown } = await shownAndStored();
    console.log(`popup: market ${JSON.stringify(shown)}`);
    expect(shown.phase).toMatch(/^(Calm|Crowded|Flushing|Exhaustion|Re-leveraging|Continuation)( longs| shorts)?$/);
    // A fresh install has less than a day of history: the popup says since when it collects.
    expect(await page.locator('[data-field="collectingSince"]').textContent()).toMatch(/^Collecting since \d\d:\d\d/);
    await page.screenshot({ path: `${ARTIFACTS}popup-quick-check.png`, fullPage: true });
    await page.close();
  });

  it('lists each watched asset with its phase, liquidations, long share, OI change and funding', async () => {
    const page = await browser.context.newPage();
    await page.goto(popupUrl());
    const rows = page.locator('tr.asset-row');
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-scope'))), { timeout: 10_000 }).toEqual(defaultSettings().watchlist);
    for (const asset of defaultSettings().watchlist) {
      const row = page.locator(`tr[data-scope="${asset}"]`);
      const expected = expectedTotals(asset);
      await expect.poll(() => row.locator('[data-field="liq1h"]').textContent(), { timeout: 10_000 }).toBe(EN.usdBound(expected.total, true));
      expect(await row.locator('[data-field="longShare1h"]').textContent()).toBe(EN.share(expected.longShare));
      expect(await row.locator('a').getAttribute('href')).toBe(tradingUrl(asset, 'binance'));
      const shownAndStored = async () => {
        const reading = (await readings())!.scopes[asset]!;
        const phase = PHASE_NAMES[reading.verdict.phase]!;
        const stored = [reading.verdict.side ? `${phase} · ${reading.verdict.side}s` : phase, EN.rate(reading.funding8h), EN.change(reading.signals.oiChange1h)];
        const shown = await Promise.all(['phase', 'funding', 'oiChange1h'].map((field) => row.locator(`[data-field="${field}"]`).textContent()));
        return { shown, stored };
      };
      await expect.poll(async () => { const { shown, stored } = await shownAndStored(); return JSON.stringify(shown) === JSON.stringify(stored); }, { timeout: 10_000 }).toBe(true);
      expect((await shownAndStored()).shown[1]).toMatch(/^[+−]\d\.\d{2,4}%$/);
    }
    await page.close();
  });

  it('shows each venue as live, degraded with its reason, or without a liquidation feed', async () => {
    const page = await browser.context.newPage();
    await page.goto(popupUrl());
    const binance = page.locator('tr[data-venue="binance"]');
    await expect.poll(() => binance.getAttribute('data-health'), { timeout: 10_000 }).toBe('live');
    expect(await binance.locator('[data-field="health"]').textContent()).toMatch(/^live · (streaming|connecting|polling only)$/);
    // What Binance's total covers: every symbol its instrument list names.
    expect(await binance.locator('[data-field="feed"]').textContent()).toMatch(/^sampled \(≥\) · (\d+) of \1 symbols$/);
    // No venue is degraded unless something fails: Deribit's next answers are made to.
    const sources = (await extensionStorage<SourceStatus[]>(browser, 'local', 'sources'))!;
    expect(sources.filter((s) => s.degraded !== null).map((s) => `${s.venue}: ${s.degraded}`)).toEqual([]);
    mock.setHttpFault('www.deribit.com', { status: 502 });
    await withTimeout(page.evaluate(() => chrome.runtime.sendMessage({ type: 'refresh' })), 20_000, 'refresh poll');
    const row = page.locator('tr[data-venue="deribit"]');
    await expect.poll(() => row.getAttribute('data-health'), { timeout: 10_000 }).toBe('degraded');
    expect(await row.locator('[data-field="health"]').textContent()).toMatch(/^degraded: .+/);
    mock.setHttpFault('www.deribit.com', null);
    expect(await page.locator('tr[data-venue="hyperliquid"] [data-field="feed"]').textContent()).toBe('no liquidation feed');
    await page.close();
  });

  it('opens the trading page of an asset from the keyboard and from a click on its row', async () => {
    const page = await browser.context.newPage();
    await page.goto(popupUrl());
    await page.locator('tr[data-scope="BTC"] a').waitFor();
    // Tab order: settings, the meter's toggle, then the asset links in watchlist order.
    const focused: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      focused.push(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? ''));
    }
    expect(focused).toEqual(expect.arrayContaining(['Open settings', 'Open BTC on Binance', 'Open ETH on Binance', 'Open SOL on Binance']));
    while ((await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) !== 'Open BTC on Binance') await page.keyboard.press('Shift+Tab');
    const [btc] = await Promise.all([browser.context.waitForEvent('page', { timeout: 10_000 }), page.keyboard.press('Enter')]);
    await btc.waitForURL(tradingUrl('BTC', 'binance'), { timeout: 10_000 });
    // The popup lists each open trading page at its top: the BTC page's row comes with its tab and
    // goes with it. Click the next row once it has gone, not while the rows move under the pointer.
    const pageRows = page.locator('tr.page-row');
    await expect.poll(() => pageRows.count(), { timeout: 10_000 }).toBe(1);
    await btc.close();
    await expect.poll(() => pageRows.count(), { timeout: 10_000 }).toBe(0);
    const [eth] = await Promise.all([browser.context.waitForEvent('page', { timeout: 10_000 }), page.locator('tr[data-scope="ETH"] [data-field="funding"]').click()]);
    await eth.waitForURL(tradingUrl('ETH', 'binance'), { timeout: 10_000 });
    await eth.close();
  });

  it('names everything for a screen reader and fits the popup width', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 400, height: 600 });
    await page.goto(popupUrl());
    await page.locator('tr[data-scope="SOL"]').waitFor();
    expect(await page.getByRole('button', { name: 'Open settings' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Open SOL on Binance' }).count()).toBe(1);
    expect(await page.getByRole('region', { name: 'All markets' }).count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Watched assets' }).count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Sources' }).count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Watched assets' }).getByRole('rowheader', { name: 'BTC' }).count()).toBe(1);
    expect(await page.locator('html').getAttribute('lang')).toMatch(/^en/);
    // The quick check (market, watched assets) is on the first screen; breadth and sources follow as the popup scrolls.
    const size = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      height: Math.ceil(document.querySelector('main')!.getBoundingClientRect().height),
      quickCheck: Math.ceil(document.querySelector('[aria-labelledby="assets-heading"]')!.getBoundingClientRect().bottom),
    }));
    console.log(`popup: content ${size.width} × ${size.height} px, the quick check ends at ${size.quickCheck} px`);
    expect(size.width).toBeLessThanOrEqual(400);
    expect(size.quickCheck).toBeLessThanOrEqual(600);
    await page.close();
  });

  it('says where the meter sits on each open trading page, a row per page, gone when the page closes', async () => {
    const rows = (page: Page) =>
      page.locator('tr.page-row').evaluateAll((trs) =>
        trs.map((tr) => [tr.getAttribute('data-site'), tr.getAttribute('data-asset'), tr.getAttribute('data-placement'), tr.querySelector('[data-field="placement"]')?.textContent]),
      );
    const popup = await browser.context.newPage();
    await popup.setViewportSize({ width: 400, height: 600 });
    await popup.goto(popupUrl());
    await popup.locator('tr[data-scope="BTC"]').waitFor({ timeout: 10_000 });
    // No supported page open: no lines at all.
    expect(await popup.locator('section.pages').count()).toBe(0);

    const binance = await browser.context.newPage();
    await binance.goto('https://www.binance.com/en/futures/BTCUSDT');
    await binance.locator('[data-flush-meter][data-placement="anchored"]').waitFor({ timeout: 10_000 });
    const okx = await browser.context.newPage();
    await okx.goto('https://www.okx.com/zh-hans/trade-swap/eth-usdt-swap?noform=1');
    // A panel rendering late: the popup says the meter is looking for it, then that it is beside it.
    const bybit = await browser.context.newPage();
    await bybit.goto('https://www.bybit.com/ru-RU/trade/usdt/SOLUSDT?formDelay=3000');
    await expect.poll(() => rows(popup), { timeout: 10_000 }).toContainEqual(['bybit', 'SOL', 'waiting', 'looking for the order panel']);
    await okx.locator('[data-flush-meter][data-placement="docked"]').waitFor({ timeout: 10_000 });
    await bybit.locator('[data-flush-meter][data-placement="anchored"]').waitFor({ timeout: 10_000 });
    // One row per page, whatever order the three tabs' ports connected in.
    const sorted = async () => (await rows(popup)).sort((x, y) => x[0]!.localeCompare(y[0]!));
    await expect
      .poll(sorted, { timeout: 10_000 })
      .toEqual([
        ['binance', 'BTC', 'anchored', 'beside the order panel'],
        ['bybit', 'SOL', 'anchored', 'beside the order panel'],
        ['okx', 'ETH', 'docked', 'docked: no order panel found'],
      ]);
    const region = popup.getByRole('region', { name: 'Meter on open pages' });
    expect(await region.count()).toBe(1);
    expect(await region.getByRole('rowheader', { name: 'OKX · ETH' }).count()).toBe(1);
    const size = await popup.evaluate(() => ({ width: document.documentElement.scrollWidth, height: Math.ceil(document.querySelector('main')!.getBoundingClientRect().height) }));
    console.log(`popup with three open pages: content ${size.width} × ${size.height} px`);
    expect(size.width).toBeLessThanOrEqual(400);
    await popup.screenshot({ path: `${ARTIFACTS}popup-pages.png`, clip: { x: 0, y: 0, width: 400, height: 120 } });

    // In-page navigation re-targets the row; a closed page leaves the list.
    await binance.click('a[data-symbol="ETHUSDT"]');
    await expect.poll(() => rows(popup), { timeout: 10_000 }).toContainEqual(['binance', 'ETH', 'anchored', 'beside the order panel']);
    await okx.close();
    await bybit.close();
    await expect.poll(() => rows(popup), { timeout: 10_000 }).toEqual([['binance', 'ETH', 'anchored', 'beside the order panel']]);
    // What the worker published, as the popup read it: one small record per page.
    const pages = await extensionStorage<Array<Record<string, unknown>>>(browser, 'local', 'pages');
    expect(pages).toEqual([{ tab: expect.any(Number), site: 'binance', asset: 'ETH', placement: 'anchored' }]);
    // One page open, the usual case: one line (15 px) more. (The rest of the popup's height depends
    // on what the venues report, e.g. coverage lines that wrap: not asserted here.)
    const one = await popup.evaluate(() => ({ height: Math.ceil(document.querySelector('main')!.getBoundingClientRect().height), line: Math.ceil(document.querySelector('tr.page-row')!.getBoundingClientRect().height) }));
    console.log(`popup with one open page: content height ${one.height} px, the page's line ${one.line} px`);
    expect(one.line).toBeLessThanOrEqual(16);
    await binance.close();
    await expect.poll(() => popup.locator('section.pages').count(), { timeout: 10_000 }).toBe(0);
    await popup.close();
  });

  it('follows the preferred exchange set in the options, without reopening', async () => {
    const page = await browser.context.newPage();
    await page.goto(popupUrl());
    const link = page.locator('tr[data-scope="ETH"] a');
    await expect.poll(() => link.getAttribute('href'), { timeout: 10_000 }).toBe(tradingUrl('ETH', 'binance'));
    const probe = await browser.probePage();
    await withTimeout(
      probe.evaluate(async (settings) => chrome.storage.sync.set({ settings }), { ...defaultSettings(), preferredExchange: 'bybit' }),
      5_000,
      'storage.sync.set',
    );
    await expect.poll(() => link.getAttribute('href'), { timeout: 10_000 }).toBe(tradingUrl('ETH', 'bybit'));
    expect(await link.getAttribute('aria-label')).toBe('Open ETH on Bybit');
    await page.close();
  });
});
