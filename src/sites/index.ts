/** Every supported trading page. Adding a site: one file here plus one line below (and fixtures). */
import { binanceSite } from './binance';
import type { Site } from './types';

export const sites: Site[] = [binanceSite];

export function siteForUrl(url: URL): Site | undefined {
  return sites.find((site) => site.symbolFromUrl(url) !== null);
}

/** The trading page for an asset on the preferred exchange. */
export function tradingUrl(asset: string, preferred = 'binance'): string {
  const site = sites.find((s) => s.id === preferred) ?? sites[0]!;
  return site.tradingUrl(asset);
}
