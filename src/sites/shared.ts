/**
 * Order-panel selectors every site shares: semantic attributes any trading page may carry,
 * tried after the site's own selectors (src/sites/<id>.ts) and before the structural heuristic
 * (src/content/anchor.ts). A site file adds only what is its own.
 */
import type { AnchorCandidate } from './types';

export const SHARED_ANCHORS: AnchorCandidate[] = [
  // An order form labelled for assistive tech ("Order form", "Place order").
  'form[aria-label*="order" i]',
  // A div-based order region with a form role and an order label.
  '[role="form"][aria-label*="order" i]',
  // Test hooks React apps ship to production ("order-form", "orderForm", "place-order").
  '[data-testid*="order-form" i], [data-testid*="orderform" i], [data-testid*="place-order" i]',
];
