/**
 * BitMEX trading page: https://www.bitmex.com/app/trade/<SYMBOL> (XBTUSD, ETHUSDT, XBTZ25).
 * XBT is BitMEX's code for BTC.
 */
import { baseAsset, LANG_PREFIX, pathSymbol } from './symbols';
import type { Site } from './types';

/**
 * Language segments: every public link to the trading app found (automation scripts, exchange
 * link lists, tutorials) is /app/trade/<SYMBOL> without one; the app keeps its language as a
 * setting. BitMEX's marketing pages do carry one (/zh-hans/hall-of-legends), so an optional
 * segment is accepted here too, in case the app follows: it costs nothing, the /app/trade/ route
 * is what identifies the page.
 */
const PATH = new RegExp(`^/${LANG_PREFIX}app/trade/([A-Za-z0-9_]+)(?:/|$)`);

export const bitmexSite: Site = {
  id: 'bitmex',
  label: 'BitMEX perpetuals and futures',
  venue: 'bitmex',
  matches: ['https://www.bitmex.com/app/trade/*', 'https://www.bitmex.com/*/app/trade/*'],
  symbolFromUrl: (url) => pathSymbol(url, 'www.bitmex.com', PATH)?.toUpperCase() ?? null,
  assetFromSymbol: baseAsset,
  anchors: [
    // The order entry form holding the Quantity input (#quantity, the id public BitMEX automation scripts fill in).
    'form:has(#quantity)',
    // The order controls block that holds the order-options dropdown (.orderOptionsDropdown).
    ':has(> .orderOptionsDropdown)',
    // Class of the order controls container in the classic web app.
    '.orderControls',
  ],
  // XBTUSD is the BTC perpetual; other assets trade as linear USDT perpetuals (as src/venues/bitmex.ts).
  tradingUrl: (asset) => {
    const upper = asset.toUpperCase();
    return `https://www.bitmex.com/app/trade/${upper === 'BTC' || upper === 'XBT' ? 'XBTUSD' : `${upper}USDT`}`;
  },
};
