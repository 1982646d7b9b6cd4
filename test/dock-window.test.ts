// @vitest-environment happy-dom
/**
 * The floating window (src/content/dock-window.ts), on its own: dragged where the trader lets
 * go and remembered under `dock:<site>`, kept on screen (also when the browser window shrinks),
 * collapsed and hidden remembered too; nothing moves while the meter is not docked.
 */
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { DEFAULT_DOCK } from '../src/content/dock-state';
import { dockWindow, type DockWindow } from '../src/content/dock-window';
import { Lifecycle, type StopReason } from '../src/content/lifecycle';

let lifecycle: Lifecycle;
let stopped: StopReason[];
let host: HTMLElement;
let docked: boolean;
let redraw: Mock<() => void>;
let set: Mock<(items: Record<string, unknown>) => Promise<void>>;
let frames: Array<() => void>;

function open(state = { ...DEFAULT_DOCK }): DockWindow {
  return dockWindow(host, 'bybit', lifecycle, state, () => docked, redraw);
}

beforeEach(() => {
  stopped = [];
  lifecycle = new Lifecycle(
    () => true,
    (reason) => stopped.push(reason),
    (error) => {
      throw error;
    },
  );
  host = document.createElement('flush-meter');
  document.body.replaceChildren(host);
  docked = true;
  redraw = vi.fn();
  set = vi.fn(async (_items: Record<string, unknown>) => undefined);
  frames = [];
  vi.stubGlobal('chrome', { runtime: { id: 'test' }, storage: { local: { set } } });
  vi.stubGlobal('requestAnimationFrame', (callback: () => void) => frames.push(callback));
  vi.stubGlobal('innerWidth', 1024);
  vi.stubGlobal('innerHeight', 768);
});

afterEach(() => {
  lifecycle.stop('takeover');
  vi.unstubAllGlobals();
});

describe('the floating window', () => {
  it('follows a drag and remembers where it was let go, per site', () => {
    const dock = open();
    dock.drag.move(120, 48);
    expect([host.style.left, host.style.top]).toEqual(['120px', '48px']);
    expect(host.style.position).toBe('fixed');
    expect(set).not.toHaveBeenCalled();
    dock.drag.end();
    expect(set).toHaveBeenCalledWith({ 'dock:bybit': { x: 120, y: 48, collapsed: false, hidden: false } });
    expect(dock.state).toMatchObject({ x: 120, y: 48 });
  });

  it('keeps the window on screen, also when the browser window shrinks (once a frame)', () => {
    const dock = open();
    dock.drag.move(5_000, -20);
    expect([host.style.left, host.style.top]).toEqual(['1024px', '0px']);
    vi.stubGlobal('innerWidth', 600);
    for (let i = 0; i < 3; i++) dispatchEvent(new Event('resize'));
    expect(frames).toHaveLength(1);
    frames[0]!();
    expect(host.style.left).toBe('600px');
  });

  it('sits in the bottom-right corner until dragged', () => {
    host.style.cssText = 'display: block;';
    open().position();
    expect([host.style.right, host.style.bottom, host.style.left]).toEqual(['16px', '16px', '']);
  });

  it('goes back where the trader left it', () => {
    open({ ...DEFAULT_DOCK, x: 200, y: 100 }).position();
    expect([host.style.left, host.style.top]).toEqual(['200px', '100px']);
  });

  it('redraws and remembers collapsed and hidden', () => {
    const dock = open({ ...DEFAULT_DOCK, x: 10, y: 20 });
    dock.change({ collapsed: true });
    expect(redraw).toHaveBeenCalledTimes(1);
    expect(set).toHaveBeenLastCalledWith({ 'dock:bybit': { x: 10, y: 20, collapsed: true, hidden: false } });
    dock.change({ hidden: true });
    expect(dock.state).toEqual({ x: 10, y: 20, collapsed: true, hidden: true });
    expect(set).toHaveBeenLastCalledWith({ 'dock:bybit': { x: 10, y: 20, collapsed: true, hidden: true } });
  });

  it('moves nothing while the meter is not docked', () => {
    docked = false;
    host.style.cssText = 'display: block; margin: 6px 0 0 0;';
    const dock = open({ ...DEFAULT_DOCK, x: 200, y: 100 });
    dock.position();
    dispatchEvent(new Event('resize'));
    expect(frames).toHaveLength(0);
    expect(host.style.position).toBe('');
  });

  it('throws nothing into the page when the extension is gone as it saves', async () => {
    set.mockRejectedValue(new Error('Extension context invalidated.'));
    open().drag.end();
    await vi.waitFor(() => expect(stopped).toEqual(['invalidated']));
  });
});
