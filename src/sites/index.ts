/**
 * Every supported trading page. Adding a site: one file here plus one line below, a fixture page
 * in test/fixtures/pages/ (listed in its index) and URL cases in test/sites.test.ts; the tests
 * fail until all three exist, and test/manifest.test.ts until manifest.json matches.
 */
import { binanceSite } from './binance';
import { bitgetSite } from './bitget';
import { bitmexSite } from './bitmex';
import { bybitSite } from './bybit';
import { hyperliquidSite } from './hyperliquid';
import { okxSite } from './okx';
import type { Site } from './types';

export const sites: Site[] = [binanceSite, bybitSite, okxSite, hyperliquidSite, bitgetSite, bitmexSite];

export function siteForUrl(url: URL): Site | undefined {
  return sites.find((site) => site.symbolFromUrl(url) !== null);
}

/** The hostname a match pattern covers: 'www.okx.com' for the OKX trade-swap patterns. */
export function patternHost(pattern: string): string {
  return new URL(pattern.replaceAll('*', 'x')).hostname;
}

/**
 * The site a page belongs to by hostname alone: the content script runs on pages whose URL
 * names no symbol yet (Hyperliquid's bare /trade) and follows in-page navigation from there.
 */
export function siteForHost(hostname: string): Site | undefined {
  return sites.find((site) => site.matches.some((pattern) => patternHost(pattern) === hostname));
}

/** The trading page for an asset on the preferred exchange. */
export function tradingUrl(asset: string, preferred = 'binance'): string {
  const site = sites.find((s) => s.id === preferred) ?? sites[0]!;
  return site.tradingUrl(asset);
}
