/** Symbol helpers shared by the site files: venue symbol → base asset, URL path pieces. */
import { canonicalBase, normaliseAsset } from '../core/model';

/**
 * Optional language segment as exchanges put it before the route, any case: a two- or
 * three-letter language, then up to two script or region parts. Forms seen in public links:
 * Binance /zh-CN/, /zh-TC/, /en-TR/, /pt-BR/, /ru/, /es/, /tr/, /vi/, /ko/; Bybit /zh-TW/, /ru-RU/,
 * /es-AR/, /fil-PH/ (three letters), /kk-KZ/; OKX /zh-hans/, /es-es/, /pt-br/, /cn/, /ua/; Bitget
 * /zh-CN/, /ru/; and the numeric region some sites use (/es-419/). The segment ends in a slash and
 * is followed by the site's own route, so it never swallows a route word.
 */
export const LANG_PREFIX = String.raw`(?:[A-Za-z]{2,3}(?:[-_](?:[A-Za-z]{2,4}|\d{3})){0,2}/)?`;

/** Futures month code + two-digit year that dated contracts append ('Z25'). */
const DATED = '(?:[FGHJKMNQUVXZ]\\d{2})?';
const QUOTED = new RegExp(`^([A-Z0-9]+?)(?:USDT|USDC|PERP|USD|BUSD|FDUSD)${DATED}$`);
const DATED_ONLY = /^([A-Z]+?)[FGHJKMNQUVXZ]\d{2}$/;

/**
 * Canonical asset of a concatenated venue symbol: 'BTCUSDT', 'BTCUSD', 'BTCPERP', 'XBTUSD',
 * 'ETHUSDTZ25', 'XBTZ25', 'BTCUSDT_UMCBL' → 'BTC' / 'ETH'; '1000PEPEUSDT' → 'PEPE' (the venues'
 * instrument catalogues name the coin, not the multiple). XBT is BitMEX's name for BTC.
 */
export function baseAsset(symbol: string): string {
  const plain = symbol.toUpperCase().replace(/[_-].*$/, '');
  const match = QUOTED.exec(plain) ?? DATED_ONLY.exec(plain);
  return canonicalAsset(match ? match[1]! : plain);
}

/** The coin a venue's base code names ('1000PEPE', 'kPEPE' → 'PEPE'); the code itself, upper-cased, when it names none. */
export function canonicalAsset(code: string): string {
  return canonicalBase(code)?.asset ?? normaliseAsset(code);
}

/** The first path segment after `pattern` (already anchored), decoded, or null. */
export function pathSymbol(url: URL, host: string, pattern: RegExp): string | null {
  if (url.hostname !== host) return null;
  const match = pattern.exec(url.pathname);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}
