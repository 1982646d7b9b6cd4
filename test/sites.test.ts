import { describe, expect, it } from 'vitest';
import { siteForUrl, sites } from '../src/sites';

describe('binance site', () => {
  it.each([
    ['https://www.binance.com/en/futures/BTCUSDT', 'BTCUSDT', 'BTC'],
    ['https://www.binance.com/zh-CN/futures/ETHUSDT?type=limit', 'ETHUSDT', 'ETH'],
    ['https://www.binance.com/futures/SOLUSDT', 'SOLUSDT', 'SOL'],
    ['https://www.binance.com/en/futures/1000PEPEUSDT', '1000PEPEUSDT', '1000PEPE'],
  ])('%s → %s → %s', (href, symbol, asset) => {
    const url = new URL(href);
    const site = siteForUrl(url)!;
    expect(site.id).toBe('binance');
    expect(site.symbolFromUrl(url)).toBe(symbol);
    expect(site.assetFromSymbol(symbol)).toBe(asset);
  });

  it.each(['https://www.binance.com/en/trade/BTC_USDT', 'https://www.binance.com/en/futures/', 'https://example.com/en/futures/BTCUSDT'])('ignores %s', (href) => {
    expect(siteForUrl(new URL(href))).toBeUndefined();
  });

  it('explains every anchor selector', () => {
    for (const site of sites) for (const anchor of site.anchors) expect(anchor.why.length).toBeGreaterThan(5);
  });
});
