/**
 * Accessibility in a real Chromium: axe-core (injected from its own package, nothing fetched) on
 * the popup, the options page and the expanded meter inside its shadow root on the Binance
 * stand-in page, in the light and the dark colour scheme. No violation of impact serious or
 * critical may remain (colour contrast, names, roles, labels); every rule axe reports is printed.
 * Also what the keyboard must reach: the meter's toggle, the dock's chrome.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockExchange } from '../mock/server';
import { launchWithExtension, publishedReadings, waitFor, withTimeout, type Browser } from './harness';
import { longFlushHour } from './scenarios';

const require = createRequire(import.meta.url);
/** axe-core's own minified build, read from the installed package (require.resolve gives axe.js beside it). */
const AXE_SOURCE = readFileSync(join(dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');

const ARTIFACTS = new URL('../../artifacts/', import.meta.url).pathname;
const SCHEMES = ['light', 'dark'] as const;
type Scheme = (typeof SCHEMES)[number];

/** The meter's host and the root its content renders into, inside the open shadow root (src/content/host.ts). */
const METER_IN_SHADOW = ['flush-meter[data-flush-meter]', '.fm-root'];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; summary: string }>;
}

let mock: MockExchange;
let browser: Browser;
/** Every page × scheme's violations of any impact, printed at the end (the report). */
const found: Record<string, Violation[]> = {};

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  mock = new MockExchange({ scenario: longFlushHour(['binance']) });
  await mock.start();
  browser = await launchWithExtension(mock);
  // Settled: the market and BTC have liquidations and market data, so every field has a value to show.
  await waitFor(() => publishedReadings(browser), (r) => (r?.scopes.ALL?.liq1h.totalUsd ?? 0) > 0 && r?.scopes.BTC?.funding8h != null, 40_000, 'scenario hour in readings');
});

afterAll(async () => {
  for (const [where, violations] of Object.entries(found)) {
    console.log(`axe ${where}: ${violations.length ? violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`).join(', ') : 'no violations'}`);
  }
  await browser?.close();
  await mock?.stop();
});

/**
 * Injects axe-core and runs it on the page or, given a cross-shadow selector, on that shadow
 * content only. Extension pages forbid inline scripts (their CSP is script-src 'self'): there the
 * source is evaluated through the devtools protocol, which the page's CSP does not govern.
 */
async function runAxe(page: Page, shadow?: string[]): Promise<Violation[]> {
  const injected = await page.evaluate(() => 'axe' in window);
  if (!injected) {
    await page.addScriptTag({ content: AXE_SOURCE }).catch(() => undefined);
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  }
  return withTimeout(
    page.evaluate(async (fromShadowDom) => {
      const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Violation[] }> } }).axe;
      const context = fromShadowDom ? { include: [{ fromShadowDom }] } : document;
      const { violations } = await axe.run(context, { resultTypes: ['violations'] });
      return violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: (n as unknown as { target: unknown }).target, summary: (n as unknown as { failureSummary?: string }).failureSummary ?? '' })),
      }));
    }, shadow ?? null),
    30_000,
    'axe.run',
  );
}

/** Records what axe found and fails on anything serious or critical, naming each rule and element. */
function expectNoSeriousViolations(where: string, violations: Violation[]): void {
  found[where] = violations;
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const described = serious.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${JSON.stringify(n.target)}: ${n.summary.replace(/\n/g, ' | ')}`).join('\n')}`);
  // Soft: a page's later checks (the popup expanded) still run and are recorded.
  expect.soft(described, `${where}: axe found serious or critical violations`).toEqual([]);
}

async function openPage(scheme: Scheme): Promise<Page> {
  const page = await browser.context.newPage();
  await page.emulateMedia({ colorScheme: scheme });
  return page;
}

/**
 * The Binance stand-in page is dark, like Binance's default. For the light scheme it is made light
 * the way a trader's light theme would be (before the meter reads the page's theme), so the
 * meter's light colours are what axe checks there.
 */
async function openTradingPage(scheme: Scheme, query = ''): Promise<Page> {
  const page = await openPage(scheme);
  if (scheme === 'light') {
    await page.addInitScript(() => {
      document.addEventListener('DOMContentLoaded', () => {
        const style = document.createElement('style');
        style.textContent = 'body, header, .symbol-list, .chart, .right-panel { background: #fff !important; color: #1e2329 !important; }';
        document.head.append(style);
      });
    });
  }
  await page.goto(`https://www.binance.com/en/futures/BTCUSDT${query}`);
  return page;
}

describe('accessibility (axe-core)', () => {
  for (const scheme of SCHEMES) {
    it(`the popup has no serious or critical violations (${scheme})`, async () => {
      const page = await openPage(scheme);
      await page.setViewportSize({ width: 400, height: 600 });
      await page.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
      await page.locator('tr[data-scope="SOL"] [data-field="liq1h"]').filter({ hasText: '$' }).waitFor({ timeout: 10_000 });
      // The popup's meter follows the colour scheme.
      expect(await page.locator('.fm-meter').first().evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(scheme === 'dark' ? 'rgb(24, 26, 32)' : 'rgb(255, 255, 255)');
      await page.locator('tr[data-venue="binance"][data-health="live"]').waitFor({ timeout: 10_000 });
      expectNoSeriousViolations(`popup ${scheme}`, await runAxe(page));
      // The meter in the popup, expanded: its reasons, signals, table and risk box.
      await page.locator('section[data-scope="ALL"] .fm-toggle').click();
      await page.locator('section[data-scope="ALL"] [data-field="reasons"]').waitFor({ timeout: 5_000 });
      // The history opened too: its chart (axes, legend, readout) in the popup's section and in the expanded meter.
      // (Left open by the other scheme's run, the popup remembers it.)
      const history = page.locator('[data-section="history"] [data-action="history"]');
      if ((await history.getAttribute('aria-expanded')) === 'false') await history.click();
      await page.locator('[data-section="history"] [data-field="sparkline"][data-cursor]').waitFor({ timeout: 10_000 });
      await page.locator('section[data-scope="ALL"] [data-field="sparkline"][data-cursor]').waitFor({ timeout: 10_000 });
      expectNoSeriousViolations(`popup expanded ${scheme}`, await runAxe(page));
      await page.screenshot({ path: `${ARTIFACTS}popup-expanded-${scheme}.png`, fullPage: true });
      await page.close();
    });

    it(`the options page has no serious or critical violations (${scheme})`, async () => {
      const page = await openPage(scheme);
      await page.goto(`chrome-extension://${browser.extensionId}/src/options/index.html`);
      await page.locator('form').waitFor({ timeout: 10_000 });
      // Every collapsed section open, so axe sees all of the form.
      await page.locator('details').evaluateAll((all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
      expectNoSeriousViolations(`options ${scheme}`, await runAxe(page));
      await page.close();
    });

    it(`the expanded meter on a trading page has no serious or critical violations, and works by keyboard (${scheme})`, async () => {
      const page = await openTradingPage(scheme);
      const meter = page.locator('[data-flush-meter][data-asset="BTC"][data-placement="anchored"]');
      await meter.waitFor({ timeout: 15_000 });
      expect(await meter.getAttribute('data-theme')).toBe(scheme);
      // The meter is drawn in that theme's colours (its own background, whatever the page's).
      expect(await meter.locator('.fm-meter').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(scheme === 'dark' ? 'rgb(24, 26, 32)' : 'rgb(255, 255, 255)');
      await meter.locator('[data-field="liq1h"]').filter({ hasText: '$' }).waitFor({ timeout: 15_000 });
      // The pressure: a number drawn in the compact row, and the same number with its scale for a screen reader.
      const gauge = meter.getByRole('img', { name: /^Pressure \d+ of 100$/ });
      const pressure = await gauge.getAttribute('data-value');
      expect(await gauge.locator('text').textContent()).toBe(pressure);
      expect(await gauge.getAttribute('aria-label')).toBe(`Pressure ${pressure} of 100`);
      expect(await gauge.isVisible()).toBe(true);
      expect(await meter.getByRole('group', { name: 'Leverage flush meter for BTC' }).count()).toBe(1);
      // By keyboard: the toggle takes focus, Enter expands, Space collapses, Enter expands again.
      const toggle = meter.locator('.fm-toggle');
      await toggle.focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('true');
      await page.keyboard.press('Space');
      await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('false');
      await page.keyboard.press('Enter');
      await meter.locator('[data-field="reasons"]').waitFor({ timeout: 5_000 });
      // Tab goes on from the toggle into the expanded meter's inputs (the risk box).
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.querySelector('flush-meter')!.shadowRoot!.activeElement?.getAttribute('data-field'))).toBe('leverage');
      // The history chart and the tape, last in the expanded meter: the chart takes focus and moves by arrow key.
      const chart = meter.locator('[data-field="sparkline"][data-cursor]');
      await chart.waitFor({ timeout: 10_000 });
      await chart.focus();
      await page.keyboard.press('ArrowLeft');
      await expect.poll(() => chart.getAttribute('data-cursor')).toBe('286');
      expect(await chart.getAttribute('aria-label')).toMatch(/^Liquidations, price and open interest over 24 hours, BTC/);
      expectNoSeriousViolations(`meter ${scheme}`, await runAxe(page, METER_IN_SHADOW));
      await meter.screenshot({ path: `${ARTIFACTS}meter-expanded-${scheme}.png`, timeout: 5_000 });
      await page.close();
    });
  }

  it('the docked meter has no serious or critical violations, and its chrome works by keyboard', async () => {
    const page = await openTradingPage('dark', '?noform=1');
    const meter = page.locator('[data-flush-meter][data-asset="BTC"][data-docked]');
    await meter.waitFor({ timeout: 15_000 });
    await meter.locator('[data-field="liq1h"]').filter({ hasText: '$' }).waitFor({ timeout: 15_000 });
    expect(await meter.locator('.fm-meter').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(24, 26, 32)');
    expectNoSeriousViolations('docked meter', await runAxe(page, METER_IN_SHADOW));
    // Collapse and expand from the keyboard.
    const collapse = meter.locator('[data-action="collapse"]');
    await collapse.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => collapse.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Enter');
    await expect.poll(() => collapse.getAttribute('aria-expanded')).toBe('true');
    await page.close();
  });
});
