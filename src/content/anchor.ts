/**
 * Finds the exchange's order panel: the site's selectors in order, then a structural heuristic
 * for redesigns the selectors no longer match.
 */
import type { AnchorCandidate } from '../sites/types';

export interface FoundAnchor {
  element: Element;
  /** 'selector' with its index in the site's list, or 'heuristic'. */
  foundBy: 'selector' | 'heuristic';
  index?: number;
}

/** Controls an order panel has; a container without any is a loading skeleton, not the panel. */
const CONTROL = 'input, button, select, [role="button"]';

/** The first candidate selector that matches an element holding a control. */
export function findBySelectors(candidates: AnchorCandidate[], root: ParentNode = document): FoundAnchor | null {
  for (const [index, { selector }] of candidates.entries()) {
    let element: Element | null = null;
    try {
      element = root.querySelector(selector);
    } catch {
      // A selector this browser cannot parse (e.g. :has() in an old Firefox): try the next one.
      continue;
    }
    if (element?.querySelector(CONTROL)) return { element, foundBy: 'selector', index };
  }
  return null;
}

/** Side buttons as exchanges label them: "Buy/Long", "Buy (Long)", "Open long", "Long". */
const BUY = /\b(buy|long)\b/i;
const SELL = /\b(sell|short)\b/i;
/** A leverage control: labelled "Leverage", or showing the multiplier ("20x", "10.00x", "20X"). */
const LEVERAGE = /leverage|\b\d{1,3}(?:\.\d+)?\s?[x×]\b/i;
const BUTTONS = 'button, [role="button"], [role="tab"], [role="radio"]';
/** Side-button labels are short; long text is a sentence or a whole block, not a button. */
const MAX_LABEL = 24;
/** How far up from a buy button the panel may be. */
const MAX_DEPTH = 12;

function label(element: Element): string {
  const text = element.textContent ?? '';
  return text.length > MAX_LABEL * 4 ? '' : text.trim();
}

function isSizeInput(input: HTMLInputElement): boolean {
  return !['checkbox', 'radio', 'range', 'hidden', 'button', 'submit'].includes(input.type);
}

function hasLeverageControl(container: Element, buttons: Element[]): boolean {
  for (const input of container.querySelectorAll('input')) {
    const name = `${input.name} ${input.placeholder} ${input.getAttribute('aria-label') ?? ''} ${input.id}`;
    if (LEVERAGE.test(name)) return true;
  }
  for (const text of container.querySelectorAll('label')) if (LEVERAGE.test(label(text))) return true;
  return buttons.some((button) => container.contains(button) && LEVERAGE.test(label(button)));
}

/**
 * The smallest element holding a buy/long button, a sell/short button, a size input and a
 * leverage control (an input, a label or a button showing "20x"): what every exchange's order
 * ticket has and little else on the page does. Chart tools named "Long Position" fail the input
 * and leverage tests, so they never win.
 */
export function findByStructure(root: ParentNode = document): FoundAnchor | null {
  const buttons = [...root.querySelectorAll(BUTTONS)].filter((b) => label(b).length <= MAX_LABEL);
  const buys = buttons.filter((b) => BUY.test(label(b)));
  const sells = buttons.filter((b) => SELL.test(label(b)));
  if (buys.length === 0 || sells.length === 0) return null;
  const found: Element[] = [];
  for (const buy of buys) {
    let container = buy.parentElement;
    for (let depth = 0; container && depth < MAX_DEPTH; depth++, container = container.parentElement) {
      if (container === document.body || container === document.documentElement) break;
      if (!sells.some((sell) => sell !== buy && container!.contains(sell))) continue;
      if (![...container.querySelectorAll('input')].some(isSizeInput)) continue;
      // Some tickets keep leverage in a widget beside the form: keep climbing until it is in.
      if (!hasLeverageControl(container, buttons)) continue;
      found.push(container);
      break;
    }
  }
  // Innermost wins: a candidate that holds another candidate is a page column, not the panel.
  const innermost = found.find((candidate) => !found.some((other) => other !== candidate && candidate.contains(other)));
  return innermost ? { element: innermost, foundBy: 'heuristic' } : null;
}

export function findAnchor(candidates: AnchorCandidate[], options: { heuristic: boolean }, root: ParentNode = document): FoundAnchor | null {
  return findBySelectors(candidates, root) ?? (options.heuristic ? findByStructure(root) : null);
}
