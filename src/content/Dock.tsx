/**
 * The floating dock's chrome around the meter when the order panel cannot be found: a handle
 * to drag it (pointer or arrow keys), collapse to the handle, and hide on this site (leaving
 * a small button to bring it back). The owner positions the host and remembers the state.
 */
import type { ComponentChildren } from 'preact';
import { t } from '../ui/i18n';
import type { DockState } from './dock-state';

export interface DockDrag {
  /** The dock's current top-left corner, where a drag starts from. */
  start(): { x: number; y: number };
  /** Move the dock's top-left corner (the owner keeps it on screen). */
  move(x: number, y: number): void;
  /** The drag ended: remember where the dock is. */
  end(): void;
}

export interface DockProps {
  asset: string;
  state: DockState;
  drag: DockDrag;
  onCollapse(collapsed: boolean): void;
  onHide(hidden: boolean): void;
  children: ComponentChildren;
}

const KEY_STEP = 10;
const KEY_STEP_LARGE = 50;
const ARROWS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

export function Dock({ asset, state, drag, onCollapse, onHide, children }: DockProps) {
  if (state.hidden) {
    return (
      <button type="button" class="fm-restore" data-action="show" title={t('dockShowTitle')} aria-label={t('dockShow')} onClick={() => onHide(false)}>
        FM
      </button>
    );
  }
  return (
    <div class="fm-dock" data-collapsed={state.collapsed ? '' : undefined}>
      <div class="fm-dock-bar">
        <span
          class="fm-dock-handle"
          data-action="drag"
          role="button"
          tabIndex={0}
          title={t('dockDragTitle')}
          aria-label={t('dockMove', [asset])}
          onPointerDown={(event) => startDrag(event, drag)}
          onKeyDown={(event) => moveByKey(event, drag)}
        >
          ⠿ Flush Meter · {asset}
        </span>
        <button type="button" class="fm-dock-button" data-action="collapse" aria-expanded={!state.collapsed} aria-label={state.collapsed ? t('dockExpand') : t('dockCollapse')} title={state.collapsed ? t('dockExpand') : t('dockCollapse')} onClick={() => onCollapse(!state.collapsed)}>
          {state.collapsed ? '▸' : '▾'}
        </button>
        <button type="button" class="fm-dock-button" data-action="hide" aria-label={t('dockHide')} title={t('dockHide')} onClick={() => onHide(true)}>
          ×
        </button>
      </div>
      {state.collapsed ? null : children}
    </div>
  );
}

/** Pointer drag with pointer capture, so moves keep coming to the handle however fast the pointer goes. */
function startDrag(event: PointerEvent, drag: DockDrag): void {
  if (event.button !== 0) return;
  const handle = event.currentTarget as HTMLElement;
  const origin = drag.start();
  const startX = event.clientX;
  const startY = event.clientY;
  const move = (e: PointerEvent) => drag.move(origin.x + e.clientX - startX, origin.y + e.clientY - startY);
  const end = () => {
    handle.removeEventListener('pointermove', move);
    handle.removeEventListener('pointerup', end);
    handle.removeEventListener('pointercancel', end);
    drag.end();
  };
  handle.setPointerCapture?.(event.pointerId);
  handle.addEventListener('pointermove', move);
  handle.addEventListener('pointerup', end);
  handle.addEventListener('pointercancel', end);
  event.preventDefault();
}

function moveByKey(event: KeyboardEvent, drag: DockDrag): void {
  const arrow = ARROWS[event.key];
  if (!arrow) return;
  const step = event.shiftKey ? KEY_STEP_LARGE : KEY_STEP;
  const origin = drag.start();
  drag.move(origin.x + arrow[0] * step, origin.y + arrow[1] * step);
  drag.end();
  event.preventDefault();
}
