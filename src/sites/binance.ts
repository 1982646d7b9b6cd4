/** Binance USD-M futures trading page: https://www.binance.com/<lang>/futures/<SYMBOL>. */
import { baseAsset, LANG_PREFIX, pathSymbol } from './symbols';
import type { Site } from './types';

/** Optional language segment, then futures/<SYMBOL>; e.g. /en/futures/BTCUSDT, /zh-CN/futures/ETHUSDT. */
const PATH = new RegExp(`^/${LANG_PREFIX}futures/([A-Za-z0-9]+)(?:/|$)`);

export const binanceSite: Site = {
  id: 'binance',
  label: 'Binance USD-M futures',
  venue: 'binance',
  matches: ['https://www.binance.com/*/futures/*', 'https://www.binance.com/futures/*'],
  symbolFromUrl: (url) => pathSymbol(url, 'www.binance.com', PATH)?.toUpperCase() ?? null,
  assetFromSymbol: baseAsset,
  anchors: [
    // The order ticket form; Binance names it "orderform" on its trading layouts.
    '[name="orderform"]',
    // Legacy class name of the order form wrapper.
    '.order-form',
  ],
  tradingUrl: (asset) => `https://www.binance.com/en/futures/${asset.toUpperCase()}USDT`,
};
