/**
 * Exchange names as traders know them, for every page that names a venue: its own small module so
 * the lazily loaded chart and tape rows do not pull the settings schema's defaults in with them.
 */
const EXCHANGE_NAMES: Record<string, string> = {
  binance: 'Binance',
  bybit: 'Bybit',
  okx: 'OKX',
  bitmex: 'BitMEX',
  bitget: 'Bitget',
  bitfinex: 'Bitfinex',
  deribit: 'Deribit',
  hyperliquid: 'Hyperliquid',
};

/** Brand names are not translated. */
export function exchangeName(id: string): string {
  return EXCHANGE_NAMES[id] ?? id.charAt(0).toUpperCase() + id.slice(1);
}
