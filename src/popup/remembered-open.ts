/** A disclosure of the popup that remembers whether the trader left it open (localStorage), closed at first. */
import { useState } from 'preact/hooks';

function storedOpen(key: string): boolean {
  try {
    return localStorage.getItem(key) === '1';
  } catch {
    return false;
  }
}

/** Whether the disclosure under `key` is open, and the toggle that flips and remembers it. */
export function useRememberedOpen(key: string): [boolean, () => void] {
  const [open, setOpen] = useState(() => storedOpen(key));
  const toggle = () => {
    setOpen(!open);
    try {
      localStorage.setItem(key, open ? '0' : '1');
    } catch {
      // Not remembered: it still toggles.
    }
  };
  return [open, toggle];
}
