/** Binance USD-M futures trading page: https://www.binance.com/<lang>/futures/<SYMBOL>. */
import type { Site } from './types';

const QUOTES = ['USDT', 'USDC', 'BUSD', 'FDUSD'];
/** Optional language segment, then futures/<SYMBOL>; e.g. /en/futures/BTCUSDT, /zh-CN/futures/ETHUSDT. */
const PATH = /^\/(?:[a-z]{2}(?:-[A-Za-z]{2,4})?\/)?futures\/([A-Za-z0-9]+)(?:\/|$)/;

export const binanceSite: Site = {
  id: 'binance',
  venue: 'binance',
  matches: ['https://www.binance.com/*/futures/*', 'https://www.binance.com/futures/*'],
  symbolFromUrl(url) {
    if (url.hostname !== 'www.binance.com') return null;
    const match = PATH.exec(url.pathname);
    return match ? match[1]!.toUpperCase() : null;
  },
  assetFromSymbol(symbol) {
    const quote = QUOTES.find((q) => symbol.endsWith(q) && symbol.length > q.length);
    return quote ? symbol.slice(0, -quote.length) : symbol;
  },
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
