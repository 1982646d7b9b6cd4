/** Finds the order panel: candidates in order, waiting for late renders, up to a deadline. */
import type { AnchorCandidate } from '../sites/types';

export function findAnchor(candidates: AnchorCandidate[], root: ParentNode = document): Element | null {
  for (const { selector } of candidates) {
    const element = root.querySelector(selector);
    if (element) return element;
  }
  return null;
}

/** Resolves with the anchor as soon as it renders, or null after `timeoutMs` (or on abort). */
export function waitForAnchor(candidates: AnchorCandidate[], timeoutMs: number, signal: AbortSignal): Promise<Element | null> {
  const found = findAnchor(candidates);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => {
    const done = (element: Element | null) => {
      observer.disconnect();
      clearTimeout(timer);
      resolve(element);
    };
    const observer = new MutationObserver(() => {
      const element = findAnchor(candidates);
      if (element) done(element);
    });
    observer.observe(document.documentElement, { childList: true, subtree: true });
    const timer = setTimeout(() => done(null), timeoutMs);
    signal.addEventListener('abort', () => done(null), { once: true });
  });
}
