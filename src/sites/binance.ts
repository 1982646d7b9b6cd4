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
    { selector: '[name="orderform"]', why: 'order form element named orderform' },
    // Test-id the futures order panel container carries in recent builds.
    { selector: '[data-testid="order-form"]', why: 'order panel container test id' },
    // Legacy class name of the order form wrapper.
    { selector: '.order-form', why: 'legacy order form wrapper class' },
  ],
  tradingUrl: (asset) => `https://www.binance.com/en/futures/${asset.toUpperCase()}USDT`,
};
