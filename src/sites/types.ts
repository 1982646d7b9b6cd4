/**
 * One exchange trading page: which URLs it covers, how the URL names the symbol, and where
 * its order panel is. Imported by the content script, so it stays tiny (no zod, no venues).
 */
import type { VenueId } from '../core/model';

/**
 * A CSS selector for an order panel, with a comment beside it in its site file saying what it
 * targets on the real page, so a redesign is easy to repair (test/sites.test.ts checks each has one).
 */
export type AnchorCandidate = string;

export interface Site {
  id: string;
  /** What the trader calls the page ('Bybit USDT perpetual'), for the README and the dock. */
  label: string;
  /** The API venue whose data matches this page (for per-venue emphasis). */
  venue: VenueId;
  /** Content-script match patterns (also written into the manifest). */
  matches: string[];
  /** Venue symbol from the page URL, or null when the page is not a trading page. */
  symbolFromUrl(url: URL): string | null;
  /** Base asset of a venue symbol ('BTCUSDT' → 'BTC', 'XBTUSD' → 'BTC'). */
  assetFromSymbol(symbol: string): string;
  /**
   * Order-panel candidates, tried in order. Each must hold a control (input or button): exchanges
   * render an empty skeleton with the same class names while their bundles load.
   */
  anchors: AnchorCandidate[];
  /** The trading page for an asset (popup and notification click-through). */
  tradingUrl(asset: string): string;
}
