/**
 * Bitget futures trading page: https://www.bitget.com/futures/usdt/<SYMBOL> (also /futures/usdc/
 * and coin-margined /futures/coin/), with or without a language segment (/en/futures/usdt/…).
 * Symbols appear in either case (BTCUSDT, btcusdt).
 */
import { baseAsset, LANG_PREFIX, pathSymbol } from './symbols';
import type { Site } from './types';

const PATH = new RegExp(`^/${LANG_PREFIX}futures/(?:usdt|usdc|coin|susdt)/([A-Za-z0-9_]+)(?:/|$)`, 'i');

export const bitgetSite: Site = {
  id: 'bitget',
  label: 'Bitget USDT-M futures',
  venue: 'bitget',
  matches: ['https://www.bitget.com/futures/*', 'https://www.bitget.com/*/futures/*'],
  symbolFromUrl: (url) => pathSymbol(url, 'www.bitget.com', PATH)?.toUpperCase() ?? null,
  assetFromSymbol: baseAsset,
  anchors: [
    // The futures order panel ("Open / Close" ticket) container.
    '[class*="order-form" i]',
    // The same panel under a "place order" name.
    '[class*="place-order" i]',
    // The trade area wrapper holding the Open long / Open short buttons.
    '[class*="trade-form" i]',
  ],
  tradingUrl: (asset) => `https://www.bitget.com/futures/usdt/${asset.toUpperCase()}USDT`,
};
