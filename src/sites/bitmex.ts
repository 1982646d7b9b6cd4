/**
 * BitMEX trading page: https://www.bitmex.com/app/trade/<SYMBOL> (XBTUSD, ETHUSDT, XBTZ25).
 * XBT is BitMEX's code for BTC.
 */
import { baseAsset, pathSymbol } from './symbols';
import type { Site } from './types';

const PATH = /^\/app\/trade\/([A-Za-z0-9_]+)(?:\/|$)/;

export const bitmexSite: Site = {
  id: 'bitmex',
  label: 'BitMEX perpetuals and futures',
  venue: 'bitmex',
  matches: ['https://www.bitmex.com/app/trade/*'],
  symbolFromUrl: (url) => pathSymbol(url, 'www.bitmex.com', PATH)?.toUpperCase() ?? null,
  assetFromSymbol: baseAsset,
  anchors: [
    // The order entry form holding the Quantity input (#quantity, the id public BitMEX automation scripts fill in).
    { selector: 'form:has(#quantity)', why: 'order form around the #quantity input' },
    // The order controls block that holds the order-options dropdown (.orderOptionsDropdown).
    { selector: ':has(> .orderOptionsDropdown)', why: 'order controls around the order-options dropdown' },
    // Class of the order controls container in the classic web app.
    { selector: '.orderControls', why: 'classic order controls container class' },
  ],
  // XBTUSD is the BTC perpetual; other assets trade as linear USDT perpetuals (as src/venues/bitmex.ts).
  tradingUrl: (asset) => {
    const upper = asset.toUpperCase();
    return `https://www.bitmex.com/app/trade/${upper === 'BTC' || upper === 'XBT' ? 'XBTUSD' : `${upper}USDT`}`;
  },
};
