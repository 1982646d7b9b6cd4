// @vitest-environment happy-dom
/** The popup's disclosures (tape, history) open as the trader left them, and still toggle where localStorage refuses. */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useRememberedOpen } from '../src/popup/remembered-open';

function Disclosure() {
  const [open, toggle] = useRememberedOpen('test:open');
  return (
    <button type="button" aria-expanded={open} onClick={toggle}>
      {open ? 'open' : 'closed'}
    </button>
  );
}

let root: HTMLElement;
function mount(): HTMLButtonElement {
  root = document.createElement('div');
  document.body.append(root);
  render(<Disclosure />, root);
  return root.querySelector('button')!;
}

afterEach(() => {
  render(null, root);
  root.remove();
  localStorage.clear();
  vi.restoreAllMocks();
});

describe('useRememberedOpen', () => {
  it('starts closed, and a popup opened again shows it as the trader left it', async () => {
    const first = mount();
    expect(first.textContent).toBe('closed');
    await act(() => first.click());
    expect(first.textContent).toBe('open');
    render(null, root);
    root.remove();
    const again = mount();
    expect(again.textContent).toBe('open');
    await act(() => again.click());
    render(null, root);
    root.remove();
    expect(mount().textContent).toBe('closed');
  });

  it('toggles all the same where localStorage throws', async () => {
    vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new Error('denied');
    });
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new Error('denied');
    });
    const button = mount();
    expect(button.textContent).toBe('closed');
    await act(() => button.click());
    expect(root.querySelector('button')!.textContent).toBe('open');
  });
});
