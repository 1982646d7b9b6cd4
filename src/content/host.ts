/**
 * The meter's host element on the exchange's page: a `<flush-meter>` element with an open
 * shadow root, so the page's CSS cannot reach in and ours cannot leak out, and a wall against
 * the page's keyboard and pointer listeners.
 */
import { METER_CSS } from '../ui/styles';
import { DOCK_CSS } from './dock-css';

/** Custom tag: page rules written for div/section never match it. */
export const HOST_TAG = 'flush-meter';

/**
 * Events stopped at the host. Events from inside a shadow root bubble on from the host into
 * the page (composed), where an exchange's hotkeys (document keydown), click-outside handlers
 * and React's root listener would act on them. Capture listeners on window still see them
 * first; exchanges bind hotkeys in the bubble phase.
 */
const ISOLATED_EVENTS = [
  'keydown', 'keyup', 'keypress', 'beforeinput', 'input',
  'pointerdown', 'pointerup', 'pointermove', 'pointercancel',
  'mousedown', 'mouseup', 'mousemove', 'click', 'dblclick', 'contextmenu', 'wheel',
  'touchstart', 'touchmove', 'touchend', 'focusin', 'focusout',
] as const;

/**
 * Inline style, which beats the page's own rules for the element: `all: initial` drops
 * anything inherited or matched, then only what placement sets. `contain` keeps the meter's
 * own re-renders from invalidating the page's layout around it.
 */
export const ANCHORED_STYLE = 'all: initial; display: block; box-sizing: border-box; margin: 6px 0 0 0; contain: layout style;';
/** Widest the docked meter gets: a compact box in the corner, never a bar along the window's edge. */
export const DOCK_MAX_WIDTH_PX = 400;
/**
 * Docked: fixed in a corner, as wide as its content up to DOCK_MAX_WIDTH_PX (and the window less
 * the dock's margins). Without the cap a fixed box anchored by `right` alone grows to its
 * content's one-line width, and a long stream-gap note made it a bar across the window.
 */
export const DOCK_STYLE_BASE = `all: initial; display: block; position: fixed; z-index: 2147483000; contain: layout style; box-sizing: border-box; max-width: min(${DOCK_MAX_WIDTH_PX}px, calc(100vw - 32px));`;
/** Docked where the trader has not moved it: the bottom-right corner. */
export const DOCK_CORNER_STYLE = `${DOCK_STYLE_BASE}right:16px;bottom:16px;`;

export interface Host {
  element: HTMLElement;
  shadow: ShadowRoot;
  /** Where the meter (and, docked, the dock chrome) renders. */
  root: HTMLElement;
}

export function createHost(siteId: string, asset: string, instance: string): Host {
  const element = document.createElement(HOST_TAG);
  element.setAttribute('data-flush-meter', '');
  element.setAttribute('data-site', siteId);
  element.setAttribute('data-asset', asset);
  element.setAttribute('data-phase', 'unknown');
  element.setAttribute('data-side', 'none');
  element.setAttribute('data-instance', instance);
  const shadow = element.attachShadow({ mode: 'open' });
  const reset = document.createElement('style');
  // Reset first, then the meter's and the dock's own styles.
  reset.textContent = `:host { all: initial; display: block; } ${METER_CSS} ${DOCK_CSS}`;
  const root = document.createElement('div');
  root.className = 'fm-root';
  shadow.append(reset, root);
  for (const type of ISOLATED_EVENTS) element.addEventListener(type, (event) => event.stopPropagation());
  return { element, shadow, root };
}
