/**
 * The options page end to end: what the trader changes there changes what the worker does,
 * without a reload; a save is answered by the worker (applied, or why not) and the page shows
 * that answer, reading no storage while it waits; settings that change elsewhere reach the open
 * page through storage.onChanged. A quiet hour on Binance and Bybit ($1M, in a steady market), then
 * liquidations pushed live.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertLogEntry } from '../../src/background/notifier';
import type { SourceStatus } from '../../src/core/bus';
import type { ReadingSet } from '../../src/core/engine';
import { makeFormats } from '../../src/core/i18n';
import { DEFAULT_SETTINGS, type SaveSettingsReply, type Settings } from '../../src/core/settings';
import { MockExchange } from '../mock/server';
import { extensionStorage, launchWithExtension, waitFor, withTimeout, type Browser, publishedReadings } from './harness';
import { longFlushHour, steadyMarket } from './scenarios';

const EN = makeFormats('en-US');
const ARTIFACTS = new URL('../../artifacts/', import.meta.url).pathname;

let mock: MockExchange;
let browser: Browser;

const readings = () => publishedReadings(browser);
const alertLog = async () => (await extensionStorage<AlertLogEntry[]>(browser, 'local', 'alertLog')) ?? [];
const effective = () => extensionStorage<Settings>(browser, 'local', 'settings');
const sources = async () => (await extensionStorage<SourceStatus[]>(browser, 'local', 'sources')) ?? [];
const synced = async () => {
  const probe = await browser.probePage();
  return withTimeout(probe.evaluate(async () => (await chrome.storage.sync.get('settings')).settings as Settings | undefined), 5_000, 'storage.sync');
};
/** From an extension page: it answers while the worker is stopped or restarting. */
const shownNotifications = async () => {
  const probe = await browser.probePage();
  return withTimeout(probe.evaluate(() => chrome.notifications.getAll()), 5_000, 'notifications.getAll');
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function marketTotals() {
  const events = mock.playedLiquidations();
  const total = events.reduce((sum, e) => sum + e.notionalUsd, 0);
  const longs = events.filter((e) => e.side === 'long').reduce((sum, e) => sum + e.notionalUsd, 0);
  return { total, longShare: longs / total };
}

async function openOptions() {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/src/options/index.html`);
  await page.locator('form').waitFor({ timeout: 10_000 });
  return page;
}

type OptionsPage = Awaited<ReturnType<typeof openOptions>>;

async function save(page: OptionsPage, expected: 'saved' | 'reset' = 'saved') {
  await page.locator(expected === 'saved' ? '[data-action="save"]' : '[data-action="reset"]').click();
  await expect.poll(() => page.locator('[data-field="status"]').getAttribute('data-status'), { timeout: 10_000 }).toBe(expected);
}

/** What the page does with the extension's APIs from now on: storage reads, messages sent and the replies. */
interface PageTrace {
  reads: string[];
  sent: unknown[];
  replies: unknown[];
}

/** Wraps the page's storage reads and runtime messages so the test sees each one. */
async function traceApis(page: OptionsPage): Promise<() => Promise<PageTrace>> {
  await page.evaluate(async () => {
    const trace: PageTrace = { reads: [], sent: [], replies: [] };
    (window as unknown as { __trace: PageTrace }).__trace = trace;
    for (const area of ['local', 'sync', 'session'] as const) {
      const storage = chrome.storage[area];
      const get = storage.get.bind(storage) as (...args: unknown[]) => unknown;
      (storage as unknown as { get: unknown }).get = (...args: unknown[]) => {
        trace.reads.push(`${area}:${JSON.stringify(args[0])}`);
        return get(...args);
      };
    }
    const send = chrome.runtime.sendMessage.bind(chrome.runtime) as (...args: unknown[]) => Promise<unknown>;
    (chrome.runtime as unknown as { sendMessage: unknown }).sendMessage = async (...args: unknown[]) => {
      trace.sent.push(args[0]);
      const reply = await send(...args);
      trace.replies.push(reply);
      return reply;
    };
    // The trace must see a read, or an empty list would prove nothing.
    await chrome.storage.local.get('traceCheck');
    if (trace.reads.length !== 1) throw new Error('storage reads are not traced');
    trace.reads.length = 0;
  });
  return () => page.evaluate(() => (window as unknown as { __trace: PageTrace }).__trace);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // A steady market: with price and open interest falling, the hour can read as a flush from the first
  // minute, and that notification shares the threshold rule's cooldown (liq:ALL, src/core/alerts.ts):
  // the threshold test below would then never notify.
  mock = new MockExchange({ scenario: steadyMarket(longFlushHour(['binance', 'bybit'], 1_000_000)) });
  await mock.start();
  browser = await launchWithExtension(mock);
  await waitFor(readings, (r) => Math.abs((r?.scopes.ALL?.liq1h.totalUsd ?? 0) - marketTotals().total) < 1, 40_000, 'the quiet hour in readings');
  await waitFor(effective, (s) => s !== undefined, 10_000, 'settings published by the worker');
});

afterAll(async () => {
  await browser?.close();
  await mock?.stop();
});

describe('options page', () => {
  it('shows the settings in force, every control labelled, and stays usable by keyboard', async () => {
    const page = await openOptions();
    expect(await page.locator('#market1h').inputValue()).toBe('50');
    expect(await page.locator('#cooldown').inputValue()).toBe('120');
    expect(await page.locator('tr[data-asset]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-asset')))).toEqual(DEFAULT_SETTINGS.watchlist);
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')].filter((el) => !el.labels?.length && !el.getAttribute('aria-label')).map((el) => el.outerHTML),
    );
    expect(unlabelled).toEqual([]);
    expect(await page.getByRole('button', { name: 'Remove BTC' }).count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}options.png`, fullPage: true });
    // Add an asset with the keyboard only, then drop it again without saving.
    await page.locator('#new-asset').focus();
    await page.keyboard.type('avax');
    await page.keyboard.press('Enter');
    await page.locator('tr[data-asset="AVAX"]').waitFor({ timeout: 5_000 });
    await page.getByRole('button', { name: 'Remove AVAX' }).press('Enter');
    expect(await page.locator('tr[data-asset="AVAX"]').count()).toBe(0);
    await page.close();
  });

  it('refuses invalid input: the worker’s reply says why at the field, and nothing is saved', async () => {
    const before = await synced();
    const page = await openOptions();
    const trace = await traceApis(page);
    await page.locator('#market1h').fill('lots');
    await page.locator('#cooldown').fill('2.5');
    await page.locator('[data-action="save"]').click();
    await expect.poll(() => page.locator('[data-field="status"]').getAttribute('data-status'), { timeout: 5_000 }).toBe('invalid');
    // The page validates nothing itself: what it shows is the schema's answer, from the worker.
    const { sent, replies } = await trace();
    expect(sent).toHaveLength(1);
    expect(replies).toEqual([
      {
        applied: false,
        why: {
          key: 'optInvalid',
          issues: [
            { path: 'alerts.market1h.usd', key: 'errRange', values: [100_000, 100_000_000_000] },
            { path: 'alerts.cooldownMs', key: 'errWhole', values: [300_000, 86_400_000] },
          ],
        },
      },
    ]);
    expect(await page.locator('[data-field="status"]').textContent()).toBe('Fix the highlighted fields; nothing was saved.');
    expect(await page.locator('#market1h').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#market1h-error').textContent()).toBe('Enter a number from 0.1 to 100000.');
    expect(await page.locator('#cooldown-error').textContent()).toBe('Enter a whole number.');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('market1h');
    expect(await synced()).toEqual(before);
    await page.close();
  });

  it('shows the worker’s answer to a save, and reads no storage while it waits or after: no polling', async () => {
    const page = await openOptions();
    const trace = await traceApis(page);
    await page.locator('input[name="meterMode"][value="expanded"]').check();
    await save(page);
    const { reads, sent, replies } = await trace();
    expect(sent).toEqual([{ type: 'saveSettings', settings: expect.objectContaining({ meterMode: 'expanded' }) }]);
    expect(replies).toHaveLength(1);
    const reply = replies[0] as SaveSettingsReply;
    expect(reply.applied).toBe(true);
    // Applied means stored and in force: nothing left to wait for.
    expect(reply.applied && reply.settings.meterMode).toBe('expanded');
    expect(await synced()).toEqual(reply.applied && reply.settings);
    expect(await effective()).toEqual(reply.applied && reply.settings);
    expect(await page.locator('[data-field="status"]').textContent()).toBe('Saved. The extension uses the new settings now.');
    expect(reads).toEqual([]);
    // Nothing keeps checking afterwards either.
    await sleep(1_500);
    expect((await trace()).reads).toEqual([]);
    expect((await trace()).sent).toHaveLength(1);

    // The status line is the reply: an answer of "not applied" is shown as the worker words it.
    await page.evaluate(() => {
      (chrome.runtime as unknown as { sendMessage: unknown }).sendMessage = async () => ({ applied: false, why: { key: 'saveNotApplied', substitutions: ['catalogue unavailable'] } });
    });
    await page.locator('input[name="meterMode"][value="compact"]').check();
    await page.locator('[data-action="save"]').click();
    await expect.poll(() => page.locator('[data-field="status"]').getAttribute('data-status'), { timeout: 5_000 }).toBe('failed');
    expect(await page.locator('[data-field="status"]').textContent()).toBe('Saved, but the extension could not apply the settings yet (catalogue unavailable). They apply when it restarts.');
    expect((await trace()).reads).toEqual([]);
    await page.close();
    // Put the worker back on the defaults' meter mode for the tests after this one.
    const again = await openOptions();
    await again.locator('input[name="meterMode"][value="compact"]').check();
    await save(again);
    await again.close();
  });

  it('changes the notification behaviour: a lower threshold notifies once, with the expected text', async () => {
    const page = await openOptions();
    // What earlier tests notified (a flush the history shows can notify from the first minute): only what follows counts.
    const earlier = (await alertLog()).length;
    const earlierShown = Object.keys(await shownNotifications());
    // Only the market threshold rule, so nothing else can notify during this test.
    for (const id of ['#phase-flushing', '#phase-exhaustion', '#phase-releveraging', '#phase-continuation', '#funding-flip', '#asset1h-on']) await page.locator(id).uncheck();
    await save(page);
    expect((await effective())!.alerts.phases).toEqual({ flushing: false, exhaustion: false, releveraging: false, continuation: false });

    // $12M more in the hour: $13M in all, under the default $50M threshold.
    // Distinct prices: identical events would rightly be dropped as one liquidation seen twice.
    for (let i = 0; i < 4; i++) mock.pushLiquidation({ venue: 'binance', asset: 'BTC', side: 'long', price: 72000 - i * 10, notionalUsd: 3_000_000 });
    const { total, longShare } = marketTotals();
    await waitFor(readings, (r) => Math.abs((r?.scopes.ALL?.liq1h.totalUsd ?? 0) - total) < 1, 15_000, 'pushed liquidations in readings');
    await sleep(2_000);
    expect((await alertLog()).slice(earlier)).toEqual([]);

    // The trader lowers the threshold to $10M: the running hour now qualifies.
    await page.locator('#market1h').fill('10');
    await save(page);
    // Market-wide events notify once they have held 10 s (alerts.ts MARKET_CONFIRM_MS).
    const log = (await waitFor(alertLog, (l) => l.length > earlier, 30_000, 'notification after the options change')).slice(earlier);
    expect(log).toHaveLength(1);
    const funding = (await readings())!.scopes.ALL!.funding8h!;
    const opening = `≥ ${EN.usd(total)} liquidated in 1h — ${EN.share(longShare)} longs.`;
    const fundingSentences = [`Funding still ${EN.rate(funding)}: flush may not be done.`, `Funding now ${EN.rate(funding)}.`, 'Funding flipped negative.', 'Funding flipped positive.'];
    expect(fundingSentences.map((sentence) => `${opening} ${sentence}`)).toContain(log[0]!.message);
    expect(log[0]!.title).toBe('Long flush — All markets');
    expect(log[0]!.asset).toBe('BTC');
    expect(Object.keys(await shownNotifications())).toEqual([...earlierShown, log[0]!.id]);
    console.log(`options: notification "${log[0]!.title}": ${log[0]!.message}`);

    // Not twice: more liquidations, a save of the same settings, and a worker restart.
    mock.pushLiquidation({ venue: 'bybit', asset: 'ETH', side: 'long', price: 2100, notionalUsd: 2_000_000 });
    await save(page);
    await sleep(2_000);
    await browser.stopWorkers();
    const stoppedAt = Date.now();
    const popup = await browser.context.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
    // The stopped worker computes nothing: readings newer than the stop come from the restarted one.
    await waitFor(readings, (r) => (r?.computedAt ?? 0) > stoppedAt, 20_000, 'readings from the restarted worker');
    expect(await alertLog()).toHaveLength(earlier + 1);
    expect(Object.keys(await shownNotifications())).toEqual([...earlierShown, log[0]!.id]);
    await popup.close();
    await page.close();
  });

  it('switches a venue off and on again: its stream closes and the popup says off', async () => {
    // Bybit streams linear and inverse contracts on two connections.
    await waitFor(async () => mock.socketCount('bybit'), (n) => n === 2, 15_000, 'bybit streams open');
    const page = await openOptions();
    await page.locator('#venue-bybit').uncheck();
    await save(page);
    await waitFor(async () => (await sources()).find((s) => s.venue === 'bybit')?.stream, (stream) => stream === 'off', 10_000, 'bybit off');
    await waitFor(async () => mock.socketCount('bybit'), (n) => n === 0, 10_000, 'bybit stream closed');
    const popup = await browser.context.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
    const row = popup.locator('tr[data-venue="bybit"]');
    await expect.poll(() => row.getAttribute('data-health'), { timeout: 10_000 }).toBe('off');
    expect(await row.locator('[data-field="health"]').textContent()).toBe('off');

    await page.locator('#venue-bybit').check();
    await save(page);
    await waitFor(async () => mock.socketCount('bybit'), (n) => n === 2, 15_000, 'bybit streams reopened');
    await expect.poll(() => row.getAttribute('data-health'), { timeout: 15_000 }).not.toBe('off');
    await popup.close();
    await page.close();
  });

  it('follows a watchlist change: the new asset is polled and gets a row in the popup', async () => {
    const page = await openOptions();
    await page.locator('#new-asset').fill('doge');
    await page.locator('[data-action="add-asset"]').click();
    await save(page);
    expect((await effective())!.watchlist).toEqual([...DEFAULT_SETTINGS.watchlist, 'DOGE']);
    await waitFor(readings, (r) => r?.scopes.DOGE !== undefined, 10_000, 'a DOGE reading');
    const popup = await browser.context.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
    await popup.locator('tr[data-scope="DOGE"]').waitFor({ timeout: 10_000 });
    await popup.close();
    await page.close();
  });

  it('edits the leverage mix of the liquidation levels: a bad mix is refused at its field, a good one saved normalised', async () => {
    const page = await openOptions();
    await page.locator('summary', { hasText: 'Liquidation levels' }).click();
    expect(await page.locator('#leverage-mix').inputValue()).toBe('5×15, 10×30, 25×25, 50×20, 100×10');
    await page.locator('#leverage-mix').fill('5×15, 300×10');
    await page.locator('[data-action="save"]').click();
    await expect.poll(() => page.locator('[data-field="status"]').getAttribute('data-status'), { timeout: 5_000 }).toBe('invalid');
    expect(await page.locator('#leverage-mix').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#leverage-mix-error').textContent()).toBe('Enter up to 12 pairs like 10×30, separated by commas: each leverage from 1 to 200, each share 0 or more, not all 0.');
    await page.locator('#leverage-mix').fill('10×1, 20x3');
    await save(page);
    expect((await synced())?.levels.leverageMix).toEqual([
      { leverage: 10, weight: 0.25 },
      { leverage: 20, weight: 0.75 },
    ]);
    expect(await page.locator('#leverage-mix').inputValue()).toBe('10×25, 20×75');
    await page.close();
  });

  it('resets to the defaults', async () => {
    const page = await openOptions();
    await save(page, 'reset');
    expect(await synced()).toEqual(DEFAULT_SETTINGS);
    expect(await effective()).toEqual(DEFAULT_SETTINGS);
    expect(await page.locator('#market1h').inputValue()).toBe('50');
    expect(await page.locator('#phase-flushing').isChecked()).toBe(true);
    await page.close();
  });

  it('follows settings that change elsewhere: read through the schema, shown on the open page without polling', async () => {
    const page = await openOptions();
    const trace = await traceApis(page);
    // Another device syncs settings written by some other version: one field missing, one unknown, one bad.
    const foreign = { ...DEFAULT_SETTINGS, alerts: { ...DEFAULT_SETTINGS.alerts, market1h: { enabled: true, usd: 80_000_000 }, cooldownMs: 'soon' }, theme: 'dark' } as Record<string, unknown>;
    delete foreign.meterMode;
    const probe = await browser.probePage();
    await withTimeout(probe.evaluate(async (settings) => chrome.storage.sync.set({ settings }), foreign), 5_000, 'write synced settings');
    await expect.poll(() => page.locator('#market1h').inputValue(), { timeout: 10_000 }).toBe('80');
    const inForce = (await effective())!;
    expect(inForce).toEqual({ ...DEFAULT_SETTINGS, alerts: { ...DEFAULT_SETTINGS.alerts, market1h: { enabled: true, usd: 80_000_000 } } });
    expect(Object.keys(inForce)).not.toContain('theme');
    expect(await page.locator('#cooldown').inputValue()).toBe('120');
    // The page was told (storage.onChanged); it asked nothing.
    expect((await trace()).reads).toEqual([]);
    await page.close();
  });
});
