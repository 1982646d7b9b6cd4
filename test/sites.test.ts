import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { patternHost, siteForHost, siteForUrl, sites, tradingUrl } from '../src/sites';
import { SHARED_ANCHORS } from '../src/sites/shared';
import { baseAsset } from '../src/sites/symbols';
import { SITE_PAGES } from './fixtures/pages';

/** Per site: trading URLs as traders open them → venue symbol → asset, and URLs that are not trading pages. */
const CASES: Record<string, { pages: Array<[string, string, string]>; ignored: string[] }> = {
  binance: {
    pages: [
      ['https://www.binance.com/en/futures/BTCUSDT', 'BTCUSDT', 'BTC'],
      ['https://www.binance.com/zh-CN/futures/ETHUSDT?type=limit', 'ETHUSDT', 'ETH'],
      ['https://www.binance.com/futures/SOLUSDT', 'SOLUSDT', 'SOL'],
      ['https://www.binance.com/en/futures/1000PEPEUSDT', '1000PEPEUSDT', 'PEPE'],
      // Language segments as Binance writes them.
      ['https://www.binance.com/zh-CN/futures/BTCUSDT', 'BTCUSDT', 'BTC'],
      ['https://www.binance.com/zh-TC/futures/BTCUSDT?_from=markets', 'BTCUSDT', 'BTC'],
      ['https://www.binance.com/ru/futures/ETHUSDT', 'ETHUSDT', 'ETH'],
      ['https://www.binance.com/es/futures/SOLUSDT', 'SOLUSDT', 'SOL'],
      ['https://www.binance.com/tr/futures/BTCUSDT', 'BTCUSDT', 'BTC'],
      ['https://www.binance.com/vi/futures/ETHUSDT', 'ETHUSDT', 'ETH'],
      ['https://www.binance.com/ko/futures/BTCUSDT', 'BTCUSDT', 'BTC'],
      ['https://www.binance.com/pt-BR/futures/SOLUSDT', 'SOLUSDT', 'SOL'],
      ['https://www.binance.com/en-TR/futures/BTCUSDT', 'BTCUSDT', 'BTC'],
      ['https://www.binance.com/uk-UA/futures/ETHUSDT/', 'ETHUSDT', 'ETH'],
    ],
    ignored: [
      'https://www.binance.com/en/trade/BTC_USDT',
      'https://www.binance.com/en/futures/',
      'https://example.com/en/futures/BTCUSDT',
      // Localised pages that are not a futures ticket.
      'https://www.binance.com/zh-CN/trade/BTC_USDT',
      'https://www.binance.com/ru/markets/overview',
      'https://www.binance.com/zh-CN/futures/',
      'https://www.binance.com/ko/support/faq/futures',
    ],
  },
  bybit: {
    pages: [
      ['https://www.bybit.com/trade/usdt/BTCUSDT', 'BTCUSDT', 'BTC'],
      ['https://www.bybit.com/trade/inverse/BTCUSD', 'BTCUSD', 'BTC'],
      ['https://www.bybit.com/trade/inverse/ETHUSDZ25', 'ETHUSDZ25', 'ETH'],
      ['https://www.bybit.com/en/trade/usdt/SOLUSDT', 'SOLUSDT', 'SOL'],
      ['https://www.bybit.com/trade/usdc/BTCPERP', 'BTCPERP', 'BTC'],
      // Language segments as Bybit writes them (language-REGION, Filipino with three letters).
      ['https://www.bybit.com/zh-TW/trade/usdt/BTCUSDT', 'BTCUSDT', 'BTC'],
      ['https://www.bybit.com/zh-TW/trade/inverse/BTCUSD', 'BTCUSD', 'BTC'],
      ['https://www.bybit.com/ru-RU/trade/usdt/ETHUSDT', 'ETHUSDT', 'ETH'],
      ['https://www.bybit.com/es-ES/trade/usdt/SOLUSDT', 'SOLUSDT', 'SOL'],
      ['https://www.bybit.com/vi-VN/trade/usdt/BTCUSDT', 'BTCUSDT', 'BTC'],
      ['https://www.bybit.com/pt-BR/trade/usdc/ETHPERP', 'ETHPERP', 'ETH'],
      ['https://www.bybit.com/fil-PH/trade/usdt/BTCUSDT', 'BTCUSDT', 'BTC'],
    ],
    ignored: [
      'https://www.bybit.com/trade/spot/BTC/USDT',
      'https://www.bybit.com/trade/usdt/',
      'https://www.bybit.com/en/markets/overview',
      'https://www.bybit.com/zh-TW/trade/spot/BTC/USDT',
      'https://www.bybit.com/ru-RU/trade/usdt/',
      'https://www.bybit.com/fil-PH/help-center/article/Derivatives-or-Inverse-Derivatives-Acccount',
    ],
  },
  okx: {
    pages: [
      ['https://www.okx.com/trade-swap/btc-usdt-swap', 'BTC-USDT-SWAP', 'BTC'],
      ['https://www.okx.com/zh-hans/trade-swap/eth-usdt-swap', 'ETH-USDT-SWAP', 'ETH'],
      ['https://www.okx.com/ua/trade-swap/btc-usd-swap', 'BTC-USD-SWAP', 'BTC'],
      ['https://www.okx.com/trade-swap/SOL-USDT-SWAP', 'SOL-USDT-SWAP', 'SOL'],
      // Language segments as OKX writes them (lower case, script or region).
      ['https://www.okx.com/zh-hans/trade-swap/btc-usdt-swap', 'BTC-USDT-SWAP', 'BTC'],
      ['https://www.okx.com/zh-hant/trade-swap/eth-usdt-swap', 'ETH-USDT-SWAP', 'ETH'],
      ['https://www.okx.com/ru/trade-swap/btc-usdt-swap', 'BTC-USDT-SWAP', 'BTC'],
      ['https://www.okx.com/es-es/trade-swap/sol-usdt-swap', 'SOL-USDT-SWAP', 'SOL'],
      ['https://www.okx.com/pt-br/trade-swap/eth-usd-swap', 'ETH-USD-SWAP', 'ETH'],
      ['https://www.okx.com/tr/trade-swap/btc-usdt-swap', 'BTC-USDT-SWAP', 'BTC'],
      ['https://www.okx.com/cn/trade-swap/btc-usdt-swap', 'BTC-USDT-SWAP', 'BTC'],
    ],
    ignored: [
      'https://www.okx.com/trade-spot/btc-usdt',
      'https://www.okx.com/trade-swap/',
      'https://www.okx.com/api/v5/public/funding-rate',
      'https://www.okx.com/zh-hans/trade-spot/btc-usdt',
      'https://www.okx.com/es-es/trade-market/info/swap',
      'https://www.okx.com/ru/trade-swap/',
    ],
  },
  hyperliquid: {
    pages: [
      ['https://app.hyperliquid.xyz/trade/BTC', 'BTC', 'BTC'],
      ['https://app.hyperliquid.xyz/trade/ETH?tab=positions', 'ETH', 'ETH'],
      ['https://app.hyperliquid.xyz/trade/kPEPE', 'kPEPE', 'PEPE'],
      ['https://app.hyperliquid.xyz/trade/xyz:TSLA', 'xyz:TSLA', 'TSLA'],
    ],
    // No language segments on Hyperliquid (src/sites/hyperliquid.ts): one in front of /trade is not a trading page.
    ignored: ['https://app.hyperliquid.xyz/trade', 'https://app.hyperliquid.xyz/portfolio', 'https://hyperliquid.xyz/trade/BTC', 'https://app.hyperliquid.xyz/zh-CN/trade/BTC'],
  },
  bitget: {
    pages: [
      ['https://www.bitget.com/futures/usdt/BTCUSDT', 'BTCUSDT', 'BTC'],
      ['https://www.bitget.com/en/futures/usdt/ethusdt', 'ETHUSDT', 'ETH'],
      ['https://www.bitget.com/futures/coin/BTCUSD', 'BTCUSD', 'BTC'],
      ['https://www.bitget.com/futures/usdc/SOLPERP', 'SOLPERP', 'SOL'],
      // Language segments as Bitget writes them.
      ['https://www.bitget.com/zh-CN/futures/usdt/BTCUSDT', 'BTCUSDT', 'BTC'],
      ['https://www.bitget.com/ru/futures/usdt/ETHUSDT', 'ETHUSDT', 'ETH'],
      ['https://www.bitget.com/es/futures/usdt/solusdt', 'SOLUSDT', 'SOL'],
      ['https://www.bitget.com/vi/futures/usdt/BTCUSDT', 'BTCUSDT', 'BTC'],
      ['https://www.bitget.com/zh-TC/futures/coin/BTCUSD', 'BTCUSD', 'BTC'],
    ],
    ignored: [
      'https://www.bitget.com/spot/BTCUSDT',
      'https://www.bitget.com/futures/usdt/',
      'https://www.bitget.com/en/copy-trading',
      'https://www.bitget.com/zh-CN/spot/BTCUSDT',
      'https://www.bitget.com/ru/futures/usdt/',
      'https://www.bitget.com/zh-CN/copy-trading/futures',
    ],
  },
  bitmex: {
    pages: [
      ['https://www.bitmex.com/app/trade/XBTUSD', 'XBTUSD', 'BTC'],
      ['https://www.bitmex.com/app/trade/ETHUSDT', 'ETHUSDT', 'ETH'],
      ['https://www.bitmex.com/app/trade/XBTZ25', 'XBTZ25', 'BTC'],
      ['https://www.bitmex.com/app/trade/SOLUSD', 'SOLUSD', 'SOL'],
      // The app's public links carry no language segment; one is accepted should it get one (src/sites/bitmex.ts).
      ['https://www.bitmex.com/zh-hans/app/trade/XBTUSD', 'XBTUSD', 'BTC'],
      ['https://www.bitmex.com/ru/app/trade/ETHUSDT', 'ETHUSDT', 'ETH'],
      ['https://www.bitmex.com/es/app/trade/XBTUSD', 'XBTUSD', 'BTC'],
    ],
    ignored: [
      'https://www.bitmex.com/app/wsAPI',
      'https://www.bitmex.com/api/v1/instrument',
      'https://www.bitmex.com/app/trade/',
      'https://www.bitmex.com/zh-hans/hall-of-legends',
      'https://www.bitmex.com/ru/app/wsAPI',
    ],
  },
};

/** A content-script match pattern as the browser applies it: '*' in the path is any run of characters. */
function matchesPattern(pattern: string, href: string): boolean {
  const url = new URL(href);
  const [, scheme, host, path] = /^(\w+):\/\/([^/]+)(\/.*)$/.exec(pattern)!;
  if (`${scheme}:` !== url.protocol || host !== url.hostname) return false;
  const regex = new RegExp(`^${path!.split('*').map((part) => part.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(url.pathname + url.search);
}

describe.each(sites.map((site) => [site.id, site] as const))('site %s', (id, site) => {
  const cases = CASES[id];

  it('has URL cases and a fixture page (add both when registering a site)', () => {
    expect(cases, `test/sites.test.ts CASES.${id}`).toBeDefined();
    const page = SITE_PAGES.find((p) => p.site === id);
    expect(page, `test/fixtures/pages/index.ts entry for ${id}`).toBeDefined();
    expect(existsSync(new URL(`./fixtures/pages/${page!.file}`, import.meta.url)), page!.file).toBe(true);
    expect(site.matches.map(patternHost)).toContain(page!.host);
    // The fixture's own URL is a trading page of this site, for the asset it claims.
    const url = new URL(page!.url);
    expect(siteForUrl(url)?.id).toBe(id);
    expect(site.assetFromSymbol(site.symbolFromUrl(url)!)).toBe(page!.asset);
  });

  it.each(cases?.pages ?? [])('%s → %s → %s', (href, symbol, asset) => {
    const url = new URL(href);
    expect(siteForUrl(url)?.id).toBe(id);
    expect(site.symbolFromUrl(url)).toBe(symbol);
    expect(site.assetFromSymbol(symbol)).toBe(asset);
    // The content script is injected there: a match pattern covers the URL.
    expect(site.matches.some((pattern) => matchesPattern(pattern, href))).toBe(true);
  });

  it.each(cases?.ignored ?? [])('ignores %s', (href) => {
    expect(site.symbolFromUrl(new URL(href))).toBeNull();
  });

  it('links each watched asset to a page it recognises', () => {
    for (const asset of ['BTC', 'ETH', 'SOL']) {
      const url = new URL(site.tradingUrl(asset));
      expect(siteForUrl(url)?.id).toBe(id);
      expect(site.assetFromSymbol(site.symbolFromUrl(url)!)).toBe(asset);
    }
  });

  it('explains every anchor selector with a comment above it, its own and the shared ones, and has the page host', () => {
    for (const [file, selectors] of [[`${id}.ts`, site.anchors], ['shared.ts', SHARED_ANCHORS]] as const) {
      const lines = readFileSync(fileURLToPath(new URL(`../src/sites/${file}`, import.meta.url)), 'utf8').split('\n');
      for (const selector of selectors) {
        const at = lines.findIndex((line) => line.trim() === `'${selector}',`);
        expect(at, `${file}: ${selector}`).toBeGreaterThan(0);
        expect(lines[at - 1]!.trim(), `${file}: the comment above ${selector}`).toMatch(/^\/\/ .{10,}/);
        expect(() => new Window().document.querySelector(selector)).not.toThrow();
      }
    }
    // A site adds only what is its own: no shared selector repeated in a site file.
    for (const selector of site.anchors) expect(SHARED_ANCHORS).not.toContain(selector);
    expect(siteForHost(patternHost(site.matches[0]!))?.id).toBe(id);
  });
});

describe('sites', () => {
  it('every fixture page belongs to a registered site', () => {
    expect(SITE_PAGES.map((p) => p.site).sort()).toEqual(sites.map((s) => s.id).sort());
  });

  it('one site per host, so the content script knows where it is before the URL names a symbol', () => {
    const hosts = sites.map((site) => new Set(site.matches.map(patternHost)));
    for (const [i, a] of hosts.entries()) for (const b of hosts.slice(i + 1)) expect([...a].filter((h) => b.has(h))).toEqual([]);
    expect(siteForHost('app.hyperliquid.xyz')?.id).toBe('hyperliquid');
    expect(siteForHost('example.com')).toBeUndefined();
  });

  it('tradingUrl falls back to the first site for an unknown preference', () => {
    expect(tradingUrl('ETH', 'okx')).toBe('https://www.okx.com/trade-swap/eth-usdt-swap');
    expect(tradingUrl('ETH', 'nope')).toBe(sites[0]!.tradingUrl('ETH'));
  });

  it.each([
    ['BTCUSDT', 'BTC'],
    ['XBTUSD', 'BTC'],
    ['ETHUSDTZ25', 'ETH'],
    ['XBTZ25', 'BTC'],
    ['BTCUSDT_UMCBL', 'BTC'],
    ['BTC-USDT-SWAP', 'BTC'],
    ['USDCUSDT', 'USDC'],
    ['1000PEPEUSDT', 'PEPE'],
  ])('baseAsset(%s) = %s', (symbol, asset) => {
    expect(baseAsset(symbol)).toBe(asset);
  });
});
