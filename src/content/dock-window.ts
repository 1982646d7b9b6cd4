/**
 * The floating window the meter docks in: where the trader dragged it (kept on screen, also when
 * the browser window resizes), collapsed or hidden, remembered per site in storage.local under
 * `dock:<site>`. Its chrome is Dock.tsx, the pure state and the on-screen clamp dock-state.ts;
 * whether the meter is docked at all is placement.ts's call.
 */
import type { DockDrag } from './Dock';
import { dockKey, dockPosition, type DockState } from './dock-state';
import { DOCK_CORNER_STYLE, DOCK_STYLE_BASE } from './host';
import type { Lifecycle } from './lifecycle';

export interface DockWindow {
  readonly state: DockState;
  /** For the dock's handle: moves the host, remembers where it was let go. */
  readonly drag: DockDrag;
  /** Collapsed or hidden from the dock's buttons: redrawn, kept on screen, remembered. */
  change(change: Partial<DockState>): void;
  /** Puts the docked host where the trader left it, on screen; the default is the bottom-right corner. */
  position(): void;
}

export function dockWindow(host: HTMLElement, siteId: string, lifecycle: Lifecycle, initial: DockState, docked: () => boolean, redraw: () => void): DockWindow {
  let state = initial;
  let resizeQueued = false;

  function position(): void {
    if (!docked() || !host.isConnected) return;
    if (state.x === null || state.y === null) {
      host.style.cssText = DOCK_CORNER_STYLE;
      return;
    }
    const rect = host.getBoundingClientRect();
    const { x, y } = dockPosition(state, { width: rect.width, height: rect.height }, { width: innerWidth, height: innerHeight });
    host.style.cssText = `${DOCK_STYLE_BASE}left:${x}px;top:${y}px;`;
  }

  function save(): void {
    const { x, y, collapsed, hidden } = state;
    void lifecycle.settle(() => chrome.storage.local.set({ [dockKey(siteId)]: { x, y, collapsed, hidden } }));
  }

  // A smaller window must not leave the dock (and its handle) off screen; once a frame at most.
  addEventListener(
    'resize',
    lifecycle.wrap(() => {
      if (!docked() || resizeQueued) return;
      resizeQueued = true;
      requestAnimationFrame(
        lifecycle.wrap(() => {
          resizeQueued = false;
          position();
        }),
      );
    }),
    { signal: lifecycle.signal, passive: true },
  );

  return {
    get state() {
      return state;
    },
    drag: {
      start: () => {
        const rect = host.getBoundingClientRect();
        return { x: rect.left, y: rect.top };
      },
      move: (x, y) => {
        state = { ...state, x, y };
        position();
      },
      end: save,
    },
    change(change) {
      state = { ...state, ...change };
      redraw();
      position();
      save();
    },
    position,
  };
}
