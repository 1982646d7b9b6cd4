// @vitest-environment happy-dom
/** lazyModule (src/ui/lazy.ts): a view's code is fetched only when first wanted, once, and kept. */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it } from 'vitest';
import { lazyModule } from '../src/ui/lazy';

function counted() {
  let imports = 0;
  const view = lazyModule(async () => {
    imports += 1;
    return { label: 'loaded' };
  });
  const Probe = ({ wanted }: { wanted: boolean }) => <span>{view.use(wanted)?.label ?? 'waiting'}</span>;
  return { view, Probe, imports: () => imports };
}

const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

describe('lazyModule', () => {
  it('fetches nothing until a component wants it, then renders it once loaded', async () => {
    const { Probe, imports } = counted();
    const root = document.createElement('div');
    await act(() => render(<Probe wanted={false} />, root));
    await settle();
    expect(imports()).toBe(0);
    expect(root.textContent).toBe('waiting');
    await act(() => render(<Probe wanted />, root));
    await settle();
    expect(imports()).toBe(1);
    expect(root.textContent).toBe('loaded');
  });

  it('fetches once: a later component, and load(), get the module already loaded', async () => {
    const { view, Probe, imports } = counted();
    const first = document.createElement('div');
    await act(() => render(<Probe wanted />, first));
    await settle();
    const second = document.createElement('div');
    await act(() => render(<Probe wanted={false} />, second));
    // Already loaded: shown on the first render, even where it is not asked for.
    expect(second.textContent).toBe('loaded');
    expect(await view.load()).toEqual({ label: 'loaded' });
    expect(imports()).toBe(1);
  });
});
