/**
 * Bybit derivatives trading page: https://www.bybit.com/trade/usdt/<SYMBOL> (USDT perpetuals),
 * /trade/inverse/<SYMBOL> (inverse, e.g. BTCUSD) and /trade/usdc/<SYMBOL>, with or without a
 * language segment (/en/trade/usdt/BTCUSDT).
 */
import { baseAsset, LANG_PREFIX, pathSymbol } from './symbols';
import type { Site } from './types';

const PATH = new RegExp(`^/${LANG_PREFIX}trade/(?:usdt|inverse|usdc)/([A-Za-z0-9-]+)(?:/|$)`);

export const bybitSite: Site = {
  id: 'bybit',
  label: 'Bybit USDT and inverse perpetuals',
  venue: 'bybit',
  matches: [
    'https://www.bybit.com/trade/usdt/*',
    'https://www.bybit.com/trade/inverse/*',
    'https://www.bybit.com/trade/usdc/*',
    'https://www.bybit.com/*/trade/usdt/*',
    'https://www.bybit.com/*/trade/inverse/*',
    'https://www.bybit.com/*/trade/usdc/*',
  ],
  symbolFromUrl: (url) => pathSymbol(url, 'www.bybit.com', PATH)?.toUpperCase() ?? null,
  assetFromSymbol: baseAsset,
  anchors: [
    // Bybit's help centre calls the order panel the "order zone"; its container carries that name.
    '[class*="order-zone" i]',
    // The same container under a CSS-modules camelCase class (OrderZone_wrap__x1y2z).
    '[class*="orderZone"]',
    // Older layouts: the order form wrapper.
    '[class*="order-form" i]',
  ],
  tradingUrl: (asset) => `https://www.bybit.com/trade/usdt/${asset.toUpperCase()}USDT`,
};
