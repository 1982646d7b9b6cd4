/**
 * Faults against the mock exchange: dead sockets, geo-blocks, rate limits, broken bodies.
 * Each failure is visible (degraded with a reason, a gap) and harmless to the other venues.
 * The two stream drops (Binance, OKX) wait out their reconnect backoff side by side; the HTTP
 * faults come after them, one at a time, since each looks at every venue's state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceStatus } from '../../src/core/bus';
import type { VenueId } from '../../src/core/model';
import { MockExchange } from '../mock/server';
import { extensionStorage, launchWithExtension, waitFor, withTimeout, type Browser } from './harness';
import { longFlushHour } from './scenarios';

let mock: MockExchange;
let browser: Browser;

const sources = () => extensionStorage<SourceStatus[]>(browser, 'local', 'sources');
const source = async (venue: VenueId) => (await sources())?.find((s) => s.venue === venue);

/** Asks the worker for a poll now (what the popup does when it opens) and waits for it. */
async function pollNow(): Promise<void> {
  const page = await browser.probePage();
  await withTimeout(page.evaluate(() => chrome.runtime.sendMessage({ type: 'refresh' })), 20_000, 'refresh poll');
}

beforeAll(async () => {
  mock = new MockExchange({ scenario: longFlushHour(['binance', 'bybit', 'okx', 'bitmex', 'bitget', 'bitfinex', 'deribit'], 99_100_000, 0.9, ['hyperliquid']) });
  await mock.start();
  browser = await launchWithExtension(mock);
  await waitFor(sources, (s) => (s ?? []).length === 8 && s!.every((x) => x.lastPollAt !== null && !x.degraded), 30_000, 'all venues live');
});

afterAll(async () => {
  await browser?.close();
  await mock?.stop();
});

/**
 * How long a dropped venue refuses new sockets: past MIN_GAP_MS (5 s, src/core/gaps.ts), so the
 * outage is a gap, and past the first three reconnect attempts (0.5–1 s, then 1–2 s, 2–4 s).
 */
const REFUSE_MS = 6_000;

describe('faults', () => {
  it.concurrent('reconnects a dropped stream with backoff and shows the gap as not counted (a venue without liquidation history)', async ({ expect }) => {
    mock.dropSockets('binance', REFUSE_MS);
    // Both sockets (USD-M and COIN-M) open again after the backoff, and the venue streams a liquidation: the
    // first frame closes the gap (a quiet stream's first frame is its 20 s heartbeat's answer).
    await waitFor(async () => ({ source: await source('binance'), sockets: mock.socketCount('binance') }), ({ source, sockets }) => source?.stream === 'connected' && sockets === 2, 40_000, 'binance reconnected');
    mock.pushLiquidation({ venue: 'binance', asset: 'BTC', side: 'long', price: 72_000, notionalUsd: 100_000 });
    const binance = await waitFor(() => source('binance'), (s) => s?.stream === 'connected' && (s.gaps ?? []).some((g) => g.to !== null), 40_000, 'binance back with a closed gap');
    const gap = binance!.gaps.at(-1)!;
    expect(gap.to! - gap.from).toBeGreaterThanOrEqual(5_000);
    expect(gap.filled).toBeUndefined();
    // Binance streams USD-M and COIN-M liquidations on two sockets; both are back.
    expect(mock.socketCount('binance')).toBe(2);
    const page = await browser.context.newPage();
    await page.goto('https://www.binance.com/en/futures/BTCUSDT');
    const note = page.locator('[data-flush-meter] [data-field="gaps"]');
    await expect.poll(() => note.textContent({ timeout: 5_000 }), { timeout: 15_000 }).toMatch(/not counted \(binance stream down\)/);
    await page.close();
  });

  it.concurrent('back-fills a stream gap from the venue’s liquidation history where it has one (OKX), so the gap counts', async ({ expect }) => {
    mock.dropSockets('okx', REFUSE_MS);
    const okx = await waitFor(() => source('okx'), (s) => s?.stream === 'connected' && (s.gaps ?? []).some((g) => g.to !== null && g.filled), 40_000, 'okx back with a filled gap');
    const gap = okx!.gaps.at(-1)!;
    expect(gap.to! - gap.from).toBeGreaterThanOrEqual(5_000);
    // The history was asked for the gap's span, per family of the tracked assets' swaps, and the gap counts for those assets.
    const asked = mock.requests.filter((r) => r.host === 'www.okx.com' && r.path.startsWith('/api/v5/public/liquidation-orders') && r.at >= gap.to!);
    expect(asked.map((r) => new URL(r.path, 'https://www.okx.com').searchParams.get('instFamily')).sort()).toEqual(['BTC-USD', 'BTC-USDT', 'ETH-USDT', 'SOL-USDT']);
    for (const request of asked) {
      const query = new URL(request.path, 'https://www.okx.com').searchParams;
      expect([query.get('before'), query.get('after')]).toEqual([String(gap.from - 1), String(gap.to! + 1)]);
    }
    expect(gap.filled).toEqual(['BTC', 'ETH', 'SOL']);
  });

  it('says plainly when a venue geo-blocks (451) and keeps the other venues', async () => {
    mock.setHttpFault('api.bybit.com', { status: 451 });
    await pollNow();
    const all = await waitFor(sources, (s) => !!s?.find((x) => x.venue === 'bybit')?.degraded, 5_000, 'bybit degraded');
    expect(all!.find((s) => s.venue === 'bybit')!.degraded).toMatch(/blocked in your region \(HTTP 451\)/);
    expect(all!.filter((s) => s.venue !== 'bybit' && s.degraded)).toEqual([]);
    mock.setHttpFault('api.bybit.com', null);
    await pollNow();
    await waitFor(() => source('bybit'), (s) => s?.degraded === null, 5_000, 'bybit recovered');
  });

  it('honours Retry-After on HTTP 429: no request to that venue until then', async () => {
    mock.setHttpFault('api.bitget.com', { status: 429, headers: { 'retry-after': '120' } });
    await pollNow();
    const limited = await waitFor(() => source('bitget'), (s) => !!s?.degraded, 5_000, 'bitget rate limited');
    expect(limited!.degraded).toMatch(/rate limited.*HTTP 429.*paused 120 s/);
    expect(limited!.pausedUntil! - Date.now()).toBeGreaterThan(100_000);
    mock.setHttpFault('api.bitget.com', null);
    const mark = Date.now();
    await pollNow();
    expect(mock.requests.filter((r) => r.host === 'api.bitget.com' && r.at >= mark)).toEqual([]);
    // The other venues were polled as usual.
    expect(mock.requests.filter((r) => r.host === 'fapi.binance.com' && r.at >= mark).length).toBeGreaterThan(0);
  });

  it('marks a truncated body and a 5xx as degraded with the reason', async () => {
    mock.setHttpFault('www.deribit.com', { truncate: true });
    mock.setHttpFault('api.hyperliquid.xyz', { status: 503 });
    await pollNow();
    expect((await waitFor(() => source('deribit'), (s) => !!s?.degraded, 5_000, 'deribit degraded'))!.degraded).toMatch(/truncated or non-JSON/);
    expect((await waitFor(() => source('hyperliquid'), (s) => !!s?.degraded, 5_000, 'hyperliquid degraded'))!.degraded).toMatch(/exchange error \(HTTP 503\)/);
    mock.setHttpFault('www.deribit.com', null);
    mock.setHttpFault('api.hyperliquid.xyz', null);
  });

  it('reads Bybit’s 403 "access too frequent" as its 10-minute IP ban, not a region block, and says when it resumes', async () => {
    mock.setHttpFault('api.bybit.com', { status: 403, body: 'access too frequent' });
    await pollNow();
    const limited = await waitFor(() => source('bybit'), (s) => !!s?.degraded, 5_000, 'bybit rate limited');
    expect(limited!.degradedKind).toBe('rateLimited');
    expect(limited!.degraded).toMatch(/access too frequent/);
    expect(limited!.pausedUntil! - Date.now()).toBeGreaterThan(9 * 60_000);
    const popup = await browser.context.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
    await expect.poll(() => popup.locator('tr[data-venue="bybit"] [data-field="health"]').textContent({ timeout: 5_000 }), { timeout: 10_000 }).toMatch(/rate limited.*resumes \d{1,2}:\d{2}/);
    await popup.close();
    mock.setHttpFault('api.bybit.com', null);
  });
});
