/**
 * The floating dock's state per site (where the trader dragged it, collapsed, hidden), kept in
 * storage.local under `dock:<siteId>` so it is remembered across pages and restarts.
 * Pure: parsing whatever storage holds and keeping the dock on screen are unit-tested.
 */

export interface DockState {
  /** Top-left corner in CSS px from the viewport's top-left, or null for the default corner. */
  x: number | null;
  y: number | null;
  collapsed: boolean;
  hidden: boolean;
}

export const DEFAULT_DOCK: DockState = { x: null, y: null, collapsed: false, hidden: false };

/** Gap kept between the dock and the viewport's edge. */
export const DOCK_MARGIN = 16;

export function dockKey(siteId: string): string {
  return `dock:${siteId}`;
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Whatever storage holds (nothing, an old shape, garbage) as a usable state. */
export function parseDockState(stored: unknown): DockState {
  if (!stored || typeof stored !== 'object') return { ...DEFAULT_DOCK };
  const value = stored as Record<string, unknown>;
  const x = finiteOrNull(value.x);
  const y = finiteOrNull(value.y);
  return {
    // A position is both coordinates or none.
    x: x !== null && y !== null ? x : null,
    y: x !== null && y !== null ? y : null,
    collapsed: value.collapsed === true,
    hidden: value.hidden === true,
  };
}

export interface Size {
  width: number;
  height: number;
}

/**
 * Where to put the dock's top-left corner so all of it is on screen: the stored position
 * clamped into the viewport, or the default bottom-right corner. A dock larger than the
 * viewport keeps its top-left corner visible (its handle is there).
 */
export function dockPosition(state: Pick<DockState, 'x' | 'y'>, dock: Size, viewport: Size): { x: number; y: number } {
  const maxX = Math.max(0, viewport.width - dock.width);
  const maxY = Math.max(0, viewport.height - dock.height);
  if (state.x === null || state.y === null) {
    return { x: Math.max(0, maxX - DOCK_MARGIN), y: Math.max(0, maxY - DOCK_MARGIN) };
  }
  return { x: Math.round(Math.min(Math.max(state.x, 0), maxX)), y: Math.round(Math.min(Math.max(state.y, 0), maxY)) };
}
