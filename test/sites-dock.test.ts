/** The floating dock's remembered state per site, and keeping it on screen. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DOCK, DOCK_MARGIN, dockKey, dockPosition, parseDockState } from '../src/content/dock-state';

describe('dock state', () => {
  it('is remembered per site under its own key', () => {
    expect(dockKey('bybit')).toBe('dock:bybit');
    expect(dockKey('okx')).not.toBe(dockKey('bybit'));
  });

  it('reads what it wrote', () => {
    const state = { x: 120, y: 48, collapsed: true, hidden: false };
    expect(parseDockState(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });

  it.each([undefined, null, 'left', 42, [], { x: 'a', y: 3 }, { x: 10 }, { x: Number.NaN, y: 1 }, { collapsed: 'yes', hidden: 1 }])(
    'falls back to the defaults for %j',
    (stored) => {
      const state = parseDockState(stored);
      expect({ x: state.x, y: state.y }).toEqual({ x: null, y: null });
      expect(state.collapsed).toBe(false);
      expect(state.hidden).toBe(false);
    },
  );

  it('keeps the collapse and hide flags when the position is unusable', () => {
    expect(parseDockState({ x: 5, collapsed: true, hidden: true })).toEqual({ ...DEFAULT_DOCK, collapsed: true, hidden: true });
  });
});

describe('dock position', () => {
  const dock = { width: 260, height: 120 };
  const viewport = { width: 1280, height: 800 };

  it('defaults to the bottom-right corner, a margin from the edges', () => {
    expect(dockPosition({ x: null, y: null }, dock, viewport)).toEqual({ x: 1280 - 260 - DOCK_MARGIN, y: 800 - 120 - DOCK_MARGIN });
  });

  it('keeps a remembered position that fits', () => {
    expect(dockPosition({ x: 300, y: 200 }, dock, viewport)).toEqual({ x: 300, y: 200 });
  });

  it.each([
    [{ x: -50, y: -10 }, { x: 0, y: 0 }],
    [{ x: 5000, y: 5000 }, { x: 1020, y: 680 }],
    [{ x: 1100, y: 100.4 }, { x: 1020, y: 100 }],
  ])('pulls %j back on screen to %j', (stored, expected) => {
    expect(dockPosition(stored, dock, viewport)).toEqual(expected);
  });

  it('keeps the top-left corner (the handle) visible in a viewport smaller than the dock', () => {
    expect(dockPosition({ x: 400, y: 300 }, dock, { width: 200, height: 100 })).toEqual({ x: 0, y: 0 });
    expect(dockPosition({ x: null, y: null }, dock, { width: 200, height: 100 })).toEqual({ x: 0, y: 0 });
  });
});
