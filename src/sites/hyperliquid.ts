/**
 * Hyperliquid trading page: https://app.hyperliquid.xyz/trade/<COIN> (BTC, ETH, kPEPE; builder
 * perps as dex:COIN, e.g. xyz:TSLA). The app is one single-page app: /trade alone shows the last
 * coin without naming it, so the meter waits until the URL names one.
 */
import { canonicalAsset, pathSymbol } from './symbols';
import type { Site } from './types';

/**
 * No language segment: Hyperliquid's app is one page at app.hyperliquid.xyz whose language (if
 * any) is a setting, not part of the path; every public link to it found (exchange link lists,
 * bots, dashboards) is /trade/<COIN> or /trade/<dex>:<COIN>, none with a /<lang>/ before it.
 */
const PATH = /^\/trade\/([^/]+)/;

export const hyperliquidSite: Site = {
  id: 'hyperliquid',
  label: 'Hyperliquid perpetuals',
  venue: 'hyperliquid',
  // /trade* also covers a bare /trade, so in-app navigation to a coin is followed.
  matches: ['https://app.hyperliquid.xyz/trade*'],
  symbolFromUrl: (url) => pathSymbol(url, 'app.hyperliquid.xyz', PATH),
  /** 'BTC' → 'BTC'; a builder perp 'xyz:TSLA' → 'TSLA'. */
  // kPEPE is Hyperliquid's 1000 PEPE: the page's asset is PEPE, as on every other venue.
  assetFromSymbol: (symbol) => canonicalAsset(symbol.slice(symbol.indexOf(':') + 1)),
  // The app's class names are hashed styled-components names (sc-…) that change every release:
  // nothing of its own to add; the shared semantic selectors and the structural heuristic find the panel.
  anchors: [],
  tradingUrl: (asset) => `https://app.hyperliquid.xyz/trade/${asset.toUpperCase()}`,
};
