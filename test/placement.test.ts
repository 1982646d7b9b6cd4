// @vitest-environment happy-dom
/**
 * Where the meter's host goes (src/content/placement.ts), on its own: no meter drawn, no dock
 * remembered. It waits for the order panel up to the deadline and then docks; goes right after
 * a panel it finds; docks instead when going in would move the panel, or when the page keeps
 * taking the panel away; leaves the page when the URL names no asset; and says every move.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Lifecycle } from '../src/content/lifecycle';
import { ANCHOR_TIMEOUT_MS, placeMeter, type MeterPlacement } from '../src/content/placement';
import type { Placement } from '../src/core/bus';

const ANCHORS = ['[data-test-panel]'];

let lifecycle: Lifecycle;
let host: HTMLElement;
let column: HTMLElement;
let heard: Placement[];

function panel(): HTMLElement {
  const element = document.createElement('div');
  element.setAttribute('data-test-panel', '');
  element.innerHTML = '<input placeholder="Size"><button>Buy/Long</button><button>Sell/Short</button>';
  return element;
}

function place(): MeterPlacement {
  return placeMeter(host, ANCHORS, lifecycle, (placement) => heard.push(placement));
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance', 'Date'] });
  document.body.innerHTML = '<main><aside id="column"></aside></main>';
  column = document.getElementById('column')!;
  host = document.createElement('flush-meter');
  heard = [];
  lifecycle = new Lifecycle(
    () => true,
    () => undefined,
    (error) => {
      throw error;
    },
  );
});

afterEach(() => {
  lifecycle.stop('takeover');
  vi.useRealTimers();
});

describe('placing the meter', () => {
  it('waits off the page until the deadline, then docks in the corner and says so', async () => {
    const placement = place();
    placement.follow();
    await vi.advanceTimersByTimeAsync(ANCHOR_TIMEOUT_MS - 1);
    expect(placement.current).toBe('waiting');
    expect(host.isConnected).toBe(false);
    expect(host.getAttribute('data-placement')).toBe('waiting');
    await vi.advanceTimersByTimeAsync(1);
    expect(placement.current).toBe('docked');
    expect(host.parentElement).toBe(document.body);
    expect(host.getAttribute('data-placement')).toBe('docked');
    expect(host.hasAttribute('data-docked')).toBe(true);
    expect(host.style.position).toBe('fixed');
    expect(heard).toEqual(['docked']);
  });

  it('goes right after a panel the selectors find, and says how it found it', () => {
    const found = panel();
    column.append(found);
    const placement = place();
    placement.follow();
    expect(placement.current).toBe('anchored');
    expect(host.previousElementSibling).toBe(found);
    expect(host.getAttribute('data-anchor')).toBe('selector:0');
    expect(host.hasAttribute('data-docked')).toBe(false);
    expect(heard).toEqual(['anchored']);
  });

  it('docks instead when going in would move the panel, and tries that panel again only once the layout changed', async () => {
    const found = panel();
    column.append(found);
    // The panel shrinks once the meter is beside it: a parent that shares its space.
    let height = 300;
    vi.spyOn(found, 'getBoundingClientRect').mockImplementation(() => ({ top: 0, left: 0, width: 320, height, right: 320, bottom: height, x: 0, y: 0, toJSON: () => ({}) }) as DOMRect);
    const after = found.after.bind(found);
    vi.spyOn(found, 'after').mockImplementation((...nodes) => {
      after(...nodes);
      height = 260;
    });
    const placement = place();
    placement.follow();
    expect(placement.current).toBe('docked');
    expect(host.parentElement).toBe(document.body);
    expect(heard).toEqual(['docked']);
    // The page changes around it, the panel's layout as it was: still docked, that panel is not taken again.
    column.append(document.createElement('button'));
    await vi.advanceTimersByTimeAsync(ANCHOR_TIMEOUT_MS);
    expect(placement.current).toBe('docked');
    expect(found.after).toHaveBeenCalledTimes(1);
    // The page settles (its styles applied, say): the panel has another box, and the meter no longer moves it.
    height = 420;
    vi.mocked(found.after).mockImplementation(after);
    column.append(document.createElement('button'));
    await vi.advanceTimersByTimeAsync(ANCHOR_TIMEOUT_MS);
    expect(placement.current).toBe('anchored');
    expect(host.previousElementSibling).toBe(found);
    expect(heard).toEqual(['docked', 'anchored']);
  });

  it('docks for the asset when the page keeps re-rendering its panel, and tries again for the next asset', async () => {
    column.append(panel());
    const placement = place();
    placement.follow();
    // Eight placements within the window are the page re-rendering; the ninth is a fight.
    for (let i = 0; i < 7; i++) {
      column.replaceChildren(panel());
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(placement.current).toBe('anchored');
    column.replaceChildren(panel());
    await vi.advanceTimersByTimeAsync(0);
    expect(placement.current).toBe('docked');
    column.replaceChildren(panel());
    await vi.advanceTimersByTimeAsync(ANCHOR_TIMEOUT_MS);
    expect(placement.current).toBe('docked');
    placement.follow();
    expect(placement.current).toBe('anchored');
    // Each re-rendered panel was met in the same microtask: never waiting in between.
    expect(heard).toEqual(['anchored', 'docked', 'anchored']);
  });

  it('leaves the page when the URL names no asset, and watches nothing then', async () => {
    column.append(panel());
    const placement = place();
    placement.follow();
    placement.leave();
    expect(host.isConnected).toBe(false);
    expect(placement.current).toBe('waiting');
    expect(host.getAttribute('data-placement')).toBe('waiting');
    column.replaceChildren(panel());
    await vi.advanceTimersByTimeAsync(ANCHOR_TIMEOUT_MS * 2);
    expect(host.isConnected).toBe(false);
    expect(heard).toEqual(['anchored', 'waiting']);
  });

  it('docks nothing at the deadline once left while waiting', async () => {
    const placement = place();
    placement.follow();
    await vi.advanceTimersByTimeAsync(ANCHOR_TIMEOUT_MS / 2);
    placement.leave();
    await vi.advanceTimersByTimeAsync(ANCHOR_TIMEOUT_MS);
    expect(host.isConnected).toBe(false);
    expect(heard).toEqual([]);
  });

  it('says docked again when put back in the window, so the window can go where the trader left it', () => {
    const placement = place();
    placement.follow();
    placement.dock();
    placement.dock();
    expect(heard).toEqual(['docked', 'docked']);
  });
});
