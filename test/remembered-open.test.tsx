// @vitest-environment happy-dom
/**
 * The popup's disclosures (tape, history) open as the trader left them: what the popup's first
 * storage read found under their keys, each toggle written back; they still toggle where storage refuses.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DISCLOSURE_KEYS, openKey, RememberedOpen, useRememberedOpen } from '../src/popup/remembered-open';

function Disclosure() {
  const [open, toggle] = useRememberedOpen('tape');
  return (
    <button type="button" aria-expanded={open} onClick={toggle}>
      {open ? 'open' : 'closed'}
    </button>
  );
}

/** chrome.storage.local, as a map. */
let stored: Record<string, unknown>;
let root: HTMLElement;

/** The popup opened anew: its first read brings the disclosures' keys. */
function openPopup(): HTMLButtonElement {
  const firstRead = Object.fromEntries(DISCLOSURE_KEYS.filter((key) => key in stored).map((key) => [key, stored[key]]));
  root = document.createElement('div');
  document.body.append(root);
  render(
    <RememberedOpen.Provider value={firstRead}>
      <Disclosure />
    </RememberedOpen.Provider>,
    root,
  );
  return root.querySelector('button')!;
}

function closePopup(): void {
  render(null, root);
  root.remove();
}

beforeEach(() => {
  stored = {};
  const set = vi.fn(async (items: Record<string, unknown>) => void Object.assign(stored, items));
  vi.stubGlobal('chrome', { storage: { local: { set } } });
});

afterEach(() => {
  closePopup();
  vi.unstubAllGlobals();
});

describe('useRememberedOpen', () => {
  it('starts closed, and a popup opened again shows it as the trader left it', async () => {
    const first = openPopup();
    expect(first.textContent).toBe('closed');
    await act(() => first.click());
    expect(first.textContent).toBe('open');
    expect(stored).toEqual({ [openKey('tape')]: true });
    closePopup();
    const again = openPopup();
    expect(again.textContent).toBe('open');
    await act(() => again.click());
    expect(stored).toEqual({ [openKey('tape')]: false });
    closePopup();
    expect(openPopup().textContent).toBe('closed');
  });

  it('toggles all the same where storage refuses the write', async () => {
    vi.stubGlobal('chrome', { storage: { local: { set: async () => Promise.reject(new Error('quota')) } } });
    const button = openPopup();
    await act(() => button.click());
    expect(root.querySelector('button')!.textContent).toBe('open');
  });
});
