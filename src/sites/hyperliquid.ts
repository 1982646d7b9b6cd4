/**
 * Hyperliquid trading page: https://app.hyperliquid.xyz/trade/<COIN> (BTC, ETH, kPEPE; builder
 * perps as dex:COIN, e.g. xyz:TSLA). The app is one single-page app: /trade alone shows the last
 * coin without naming it, so the meter waits until the URL names one.
 */
import { canonicalAsset, pathSymbol } from './symbols';
import type { Site } from './types';

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
  anchors: [
    // The app's class names are hashed styled-components names (sc-…) that change every release,
    // so only semantic attributes are tried here; the structural heuristic finds the panel.
    { selector: 'form[aria-label*="order" i]', why: 'order form labelled for assistive tech' },
    { selector: '[role="form"][aria-label*="order" i]', why: 'order region with a form role' },
  ],
  tradingUrl: (asset) => `https://app.hyperliquid.xyz/trade/${asset.toUpperCase()}`,
};
