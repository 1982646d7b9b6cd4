/**
 * Finds the exchange's order panel: the site's own selectors, then the semantic selectors every
 * site shares, then (once loaded: loadStructure) the order form's structure (structure.ts), for
 * redesigns and layouts no selector knows.
 */
import { SHARED_ANCHORS } from '../sites/shared';
import type { AnchorCandidate } from '../sites/types';

export interface FoundAnchor {
  element: Element;
  /** 'selector' with its index in the site's list followed by the shared ones, or 'heuristic'. */
  foundBy: 'selector' | 'heuristic';
  index?: number;
}

/** Controls an order panel has; a container without any is a loading skeleton, not the panel. */
const CONTROL = 'input, button, select, [role="button"]';

/** The first candidate selector that matches an element holding a control. */
export function findBySelectors(candidates: AnchorCandidate[], root: ParentNode = document): FoundAnchor | null {
  for (const [index, selector] of candidates.entries()) {
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

/** The structural finder once loaded (structure.ts); null until a page needs it. */
let structure: typeof import('./structure') | null = null;

/** Loads the structural finder (once); resolves when findAnchor can use it. */
export async function loadStructure(): Promise<void> {
  structure ??= await import('./structure');
}

/** The site's selectors, then the shared semantic ones, then (when allowed now and loaded) the structure. */
export function findAnchor(candidates: AnchorCandidate[], options: { heuristic: boolean }, root: ParentNode = document): FoundAnchor | null {
  return findBySelectors([...candidates, ...SHARED_ANCHORS], root) ?? (options.heuristic && structure ? structure.findByStructure(root) : null);
}
