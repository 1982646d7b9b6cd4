/**
 * OKX perpetual swap trading page: https://www.okx.com/trade-swap/<inst-id>, the instrument id in
 * lower case (btc-usdt-swap, btc-usd-swap), with or without a language segment (/zh-hans/, /ua/).
 */
import { baseAsset, LANG_PREFIX, pathSymbol } from './symbols';
import type { Site } from './types';

const PATH = new RegExp(`^/${LANG_PREFIX}trade-swap/([A-Za-z0-9]+-[A-Za-z0-9]+-swap)(?:/|$)`, 'i');

export const okxSite: Site = {
  id: 'okx',
  label: 'OKX perpetual swaps',
  venue: 'okx',
  matches: ['https://www.okx.com/trade-swap/*', 'https://www.okx.com/*/trade-swap/*'],
  /** 'btc-usdt-swap' → 'BTC-USDT-SWAP', OKX's instId. */
  symbolFromUrl: (url) => pathSymbol(url, 'www.okx.com', PATH)?.toUpperCase() ?? null,
  assetFromSymbol: baseAsset,
  anchors: [
    // The "place order" panel on the right of the trade page.
    '[class*="place-order" i]',
    // The same panel under a camelCase class in newer builds.
    '[class*="placeOrder"]',
    // The trade form wrapper that holds the Buy/Sell buttons.
    '[class*="trade-form" i]',
  ],
  tradingUrl: (asset) => `https://www.okx.com/trade-swap/${asset.toLowerCase()}-usdt-swap`,
};
