/**
 * The popup's disclosures (tape, history) open as the trader left them, closed at first. Kept in
 * storage.local under `open:<name>` and read with the popup's first storage read (main.ts), so
 * the first render touches no second, synchronous store (a first localStorage access costs a
 * blocking round trip to the browser).
 */
import { createContext } from 'preact';
import { useContext, useState } from 'preact/hooks';

const DISCLOSURES = ['tape', 'history'] as const;
export type Disclosure = (typeof DISCLOSURES)[number];

/** The storage.local keys of every disclosure, for the first read. */
export const DISCLOSURE_KEYS = DISCLOSURES.map(openKey);

export function openKey(name: Disclosure): string {
  return `open:${name}`;
}

/** What the first read found under DISCLOSURE_KEYS. */
export const RememberedOpen = createContext<Record<string, unknown>>({});

/** Whether the disclosure `name` is open, and the toggle that flips and remembers it. */
export function useRememberedOpen(name: Disclosure): [boolean, () => void] {
  const remembered = useContext(RememberedOpen);
  const [open, setOpen] = useState(() => remembered[openKey(name)] === true);
  const toggle = () => {
    setOpen(!open);
    // Where storage refuses it is not remembered, and still toggles.
    void chrome.storage.local.set({ [openKey(name)]: !open }).catch(() => undefined);
  };
  return [open, toggle];
}
