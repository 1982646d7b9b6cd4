/**
 * One scenario across every venue, each speaking its own wire format through the mock:
 * the market-wide 1 h total and long share equal the scenario's, every venue is counted,
 * and the popup shows each venue's health and completeness.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceStatus } from '../../src/core/bus';
import type { ReadingSet } from '../../src/core/engine';
import { makeFormats } from '../../src/core/i18n';
import type { VenueId } from '../../src/core/model';
import { venues } from '../../src/venues';
import { MockExchange } from '../mock/server';
import { extensionStorage, launchWithExtension, waitFor, type Browser, publishedReadings } from './harness';
import { longFlushHour, withUnwatched } from './scenarios';

/** What Chromium's English UI shows (the meter formats with Intl in the browser's language). */
const en = makeFormats('en-US');

const ARTIFACTS = fileURLToPath(new URL('../../artifacts/', import.meta.url));

const LIQUIDATION_VENUES: VenueId[] = ['binance', 'bybit', 'okx', 'bitmex', 'bitget', 'bitfinex', 'deribit'];

let mock: MockExchange;
let browser: Browser;

function sent(venue?: VenueId) {
  const events = mock.playedLiquidations().filter((e) => !venue || e.venue === venue);
  const total = events.reduce((sum, e) => sum + e.notionalUsd, 0);
  const longs = events.filter((e) => e.side === 'long').reduce((sum, e) => sum + e.notionalUsd, 0);
  return { total, longShare: longs / total };
}

beforeAll(async () => {
  mock = new MockExchange({ scenario: withUnwatched(longFlushHour(LIQUIDATION_VENUES, 99_100_000, 0.9, ['hyperliquid'])) });
  await mock.start();
  browser = await launchWithExtension(mock);
});

afterAll(async () => {
  await browser?.close();
  await mock?.stop();
});

describe('all venues through their real wire formats', () => {
  it('counts every venue: market-wide 1 h total and long share equal the scenario', async () => {
    const expected = sent();
    const readings = await waitFor(
      () => publishedReadings(browser),
      // Venue units (contracts, USD face value) round each liquidation slightly.
      (r) => Math.abs((r?.scopes.ALL?.liq1h.totalUsd ?? 0) / expected.total - 1) < 0.002,
      45_000,
      'market-wide 1 h total',
    ).catch(async (error) => {
      const last = await publishedReadings(browser);
      throw new Error(`${String(error).slice(0, 200)}; per venue sent/counted: ${JSON.stringify(LIQUIDATION_VENUES.map((v) => [v, sent(v).total, last?.scopes.ALL?.venues.find((x) => x.venue === v)?.liq1hUsd]))}`);
    });
    const market = readings!.scopes.ALL!;
    expect(en.usd(market.liq1h.totalUsd)).toBe(en.usd(expected.total));
    expect(en.share(market.liq1h.longShare)).toBe(en.share(expected.longShare));
    for (const venue of LIQUIDATION_VENUES) {
      const row = market.venues.find((v) => v.venue === venue);
      expect(row?.liq1hUsd, venue).toBeGreaterThan(0);
      expect(row!.liq1hUsd / sent(venue).total, venue).toBeCloseTo(1, 2);
    }
    expect([...market.sampledVenues].sort()).toEqual(LIQUIDATION_VENUES.filter((v) => venues[v].completeness === 'sampled').sort());
  });

  it('counts liquidations of instruments no poll names: BitMEX XBTUSDT and OKX IOST-USDT-SWAP', async () => {
    const unwatched = mock.playedLiquidations().filter((e) => e.symbol === 'XBTUSDT' || e.symbol === 'IOST-USDT-SWAP');
    expect(unwatched.map((e) => e.symbol).sort()).toEqual(['IOST-USDT-SWAP', 'XBTUSDT']);
    const readings = await waitFor(
      () => publishedReadings(browser),
      (r) => ['okx', 'bitmex'].every((venue) => Math.abs((r?.scopes.ALL?.venues.find((v) => v.venue === venue)?.liq1hUsd ?? 0) / sent(venue as VenueId).total - 1) < 0.002),
      45_000,
      'okx and bitmex totals including the unwatched instruments',
    );
    // Without them each venue's total would be $2M short of what was sent.
    for (const venue of ['okx', 'bitmex'] as const) expect(readings!.scopes.ALL!.venues.find((v) => v.venue === venue)!.liq1hUsd).toBeGreaterThan(sent(venue).total - 1_000_000);
  });

  it('tracks an asset outside the watchlist when a page shows it: DOGE on Binance and on Bybit shows funding and OI', async () => {
    for (const url of ['https://www.binance.com/en/futures/DOGEUSDT', 'https://www.bybit.com/trade/usdt/DOGEUSDT']) {
      const page = await browser.context.newPage();
      await page.goto(url);
      const meter = page.locator('[data-flush-meter][data-asset="DOGE"]');
      // Within 10 s of the page opening (the mock's market rows say funding +0.005 %, OI $1.2B on each venue).
      await expect.poll(() => meter.locator('[data-field="funding"]').textContent({ timeout: 2_000 }), { timeout: 10_000 }).toBe(en.rate(0.00005));
      await meter.locator('.fm-toggle').click({ timeout: 5_000 });
      await expect.poll(() => meter.locator('[data-field="oi"]').textContent({ timeout: 2_000 }), { timeout: 10_000 }).toBe(en.usd(2.4e9));
      await page.close();
    }
    const doge = (await publishedReadings(browser))!.scopes.DOGE!;
    expect(doge.venues.filter((v) => v.openInterestUsd !== null).map((v) => v.venue).sort()).toEqual(['binance', 'bybit']);
  });

  it('polls market data from every venue with requests the venues accept', async () => {
    const readings = await waitFor(
      () => publishedReadings(browser),
      (r) => (r?.scopes.BTC?.venues ?? []).filter((v) => v.openInterestUsd !== null && v.funding8h !== null).length === 8,
      45_000,
      'BTC market data from all 8 venues',
    );
    const btc = readings!.scopes.BTC!;
    // Scenario OI is $3.6B per venue at the start, falling ~8 % over the hour.
    for (const venue of btc.venues) expect(venue.openInterestUsd! / 3.6e9, venue.venue).toBeGreaterThan(0.85);
    expect(btc.funding8h).not.toBeNull();
    // Binance's open-interest history was backfilled on install: the 1 h change is known at once
    // (the scenario's OI fell ~0.13 % a minute).
    expect(btc.signals.oiChange1h).not.toBeNull();
    expect(btc.signals.oiChange1h!).toBeLessThan(-0.03);
    const rejected = mock.requests.filter((r) => r.status >= 400);
    expect(rejected).toEqual([]);
  });

  it('shows each venue health and completeness in the popup', async () => {
    const sources = await waitFor(
      () => extensionStorage<SourceStatus[]>(browser, 'local', 'sources'),
      (s) => (s ?? []).length === 8 && s!.every((x) => x.lastPollAt !== null && !x.degraded),
      30_000,
      'all sources polled, none degraded',
    );
    expect(sources!.find((s) => s.venue === 'hyperliquid')!.stream).toBe('none');
    const page = await browser.context.newPage();
    await page.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
    for (const venue of Object.keys(venues)) {
      const row = page.locator(`tr[data-venue="${venue}"]`);
      await expect.poll(() => row.getAttribute('data-health', { timeout: 5_000 }), { timeout: 10_000 }).toBe('live');
      const text = await row.textContent({ timeout: 5_000 });
      expect(text, venue).toContain(venues[venue as VenueId].completeness === 'none' ? 'no liquidation feed' : venues[venue as VenueId].completeness === 'sampled' ? 'sampled' : 'complete');
      // What each venue's total covers, from its instrument list: every listed symbol on every venue with a feed.
      const source = sources!.find((x) => x.venue === venue)!;
      if (source.completeness !== 'none') {
        expect(source.coverage, venue).not.toBeNull();
        expect(source.coverage!.covered, venue).toBe(source.coverage!.listed);
        expect(text, venue).toContain(`${source.coverage!.covered} of ${source.coverage!.listed} symbols`);
      }
    }
    // The README's picture of the venue table: every venue live, each total's coverage.
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('table.sources').screenshot({ path: `${ARTIFACTS}popup-sources.png`, timeout: 5_000 });
    await page.close();
  });
});
