import { launchWithExtension, publishedReadings, waitFor } from '../test/e2e/harness';
import { longFlushHour } from '../test/e2e/scenarios';
import { MockExchange } from '../test/mock/server';
const mock = new MockExchange({ scenario: longFlushHour(['binance', 'bybit', 'okx']) });
await mock.start();
const browser = await launchWithExtension(mock);
await waitFor(() => publishedReadings(browser), (r) => (r?.scopes.ALL?.liq1h.count ?? 0) > 0, 40_000, 'pub');
const page = await browser.context.newPage();
for (let i = 0; i < 4; i++) {
  await page.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
  await page.waitForFunction(() => performance.getEntriesByName('flush-meter:first-data')[0]);
  const t = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const res = performance.getEntriesByType('resource').map((r) => `${r.name.split('/').pop()} ${r.startTime.toFixed(1)}-${r.responseEnd.toFixed(1)}`);

    return { ms: performance.getEntriesByName("fm:module-start")[0]?.startTime, br: performance.getEntriesByName("fm:before-render")[0]?.startTime, ar: performance.getEntriesByName("fm:after-render")[0]?.startTime, responseEnd: n.responseEnd, domInteractive: n.domInteractive, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime, data: performance.getEntriesByName('flush-meter:first-data')[0]!.startTime, res };
  });
  console.log(JSON.stringify(t));
}
await browser.close(); await mock.stop();
