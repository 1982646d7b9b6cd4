/**
 * The content script when the extension is updated under an open page: Chrome leaves the old
 * script running with a dead context (runtime.id gone, chrome.* calls throwing "Extension
 * context invalidated"). It must stop every timer and listener, say so once, and never throw.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { extensionAlive, isInvalidationError, Lifecycle, type StopReason } from '../src/content/lifecycle';

/** The part of `chrome` the lifecycle looks at, with a switch to kill the context like an update does. */
function fakeChrome() {
  const api: { runtime: { id?: string }; storage: { local: { get(key: string): Promise<unknown> } } } = {
    runtime: { id: 'abcdefghijklmnop' },
    storage: {
      local: {
        async get(key: string) {
          if (!api.runtime.id) throw new Error('Extension context invalidated.');
          return { [key]: 1 };
        },
      },
    },
  };
  return { api, update: () => delete api.runtime.id };
}

function setup() {
  const chrome = fakeChrome();
  const stops: StopReason[] = [];
  const reported: unknown[] = [];
  const lifecycle = new Lifecycle(
    () => extensionAlive(chrome.api),
    (reason) => stops.push(reason),
    (error) => reported.push(error),
  );
  return { chrome, lifecycle, stops, reported };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('content script lifecycle', () => {
  it('recognises an invalidated context by its error or its missing runtime id', () => {
    expect(isInvalidationError(new Error('Extension context invalidated.'))).toBe(true);
    expect(isInvalidationError(new TypeError("can't access dead object"))).toBe(true);
    expect(isInvalidationError(new Error('QUOTA_BYTES quota exceeded'))).toBe(false);
    expect(extensionAlive({ runtime: { id: 'x' } })).toBe(true);
    expect(extensionAlive({ runtime: {} })).toBe(false);
    expect(extensionAlive(undefined)).toBe(false);
    const throwing = {
      get runtime(): { id?: string } {
        throw new Error('Extension context invalidated.');
      },
    };
    expect(extensionAlive(throwing)).toBe(false);
  });

  it('stops every timer and listener and says so once when the extension is updated', () => {
    const { chrome, lifecycle, stops } = setup();
    const ticks = { url: 0, age: 0, later: 0, aborted: 0 };
    lifecycle.every(1_000, () => ticks.url++);
    lifecycle.every(5_000, () => ticks.age++);
    lifecycle.after(10_000, () => ticks.later++);
    lifecycle.signal.addEventListener('abort', () => ticks.aborted++);

    vi.advanceTimersByTime(5_000);
    expect(ticks).toEqual({ url: 5, age: 1, later: 0, aborted: 0 });

    chrome.update();
    vi.advanceTimersByTime(60_000);
    // The first tick after the update notices; nothing runs after that.
    expect(ticks).toEqual({ url: 5, age: 1, later: 0, aborted: 1 });
    expect(stops).toEqual(['invalidated']);
    expect(lifecycle.stopped).toBe('invalidated');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('turns a storage call that throws "Extension context invalidated" into a stop, not a rejection', async () => {
    const { chrome, lifecycle, stops, reported } = setup();
    await expect(lifecycle.settle(() => chrome.api.storage.local.get('readings'))).resolves.toEqual({ readings: 1 });
    chrome.update();
    await expect(lifecycle.settle(() => chrome.api.storage.local.get('readings'))).resolves.toBeUndefined();
    expect(stops).toEqual(['invalidated']);
    expect(reported).toEqual([]);
    // Later calls do not even start.
    const call = vi.fn(async () => 1);
    await lifecycle.settle(call);
    expect(call).not.toHaveBeenCalled();
  });

  it('never throws into the page: other errors are reported and the script carries on', () => {
    const { lifecycle, stops, reported } = setup();
    const boom = new Error('render failed');
    const listener = lifecycle.wrap(() => {
      throw boom;
    });
    expect(() => listener()).not.toThrow();
    let ticks = 0;
    lifecycle.every(1_000, () => {
      ticks++;
      throw boom;
    });
    vi.advanceTimersByTime(3_000);
    expect(ticks).toBe(3);
    expect(reported).toEqual([boom, boom, boom, boom]);
    expect(stops).toEqual([]);
  });

  it('a callback failing because the context died stops everything once, however many fail', () => {
    const { chrome, lifecycle, stops } = setup();
    const dead = lifecycle.wrap(() => {
      throw new Error('Extension context invalidated.');
    });
    chrome.update();
    dead();
    dead();
    expect(lifecycle.check()).toBe(false);
    lifecycle.stop('takeover');
    expect(stops).toEqual(['invalidated']);
  });

  it('stands down quietly for a newer instance, and a failing owner does not escape', () => {
    const chrome = fakeChrome();
    const reported: unknown[] = [];
    const lifecycle = new Lifecycle(
      () => extensionAlive(chrome.api),
      () => {
        throw new Error('host already gone');
      },
      (error) => reported.push(error),
    );
    let ticks = 0;
    lifecycle.every(1_000, () => ticks++);
    expect(() => lifecycle.stop('takeover')).not.toThrow();
    vi.advanceTimersByTime(5_000);
    expect(ticks).toBe(0);
    expect(lifecycle.stopped).toBe('takeover');
    expect(lifecycle.signal.aborted).toBe(true);
    expect(reported).toHaveLength(1);
    // Nothing new starts after the stop.
    lifecycle.every(1_000, () => ticks++);
    lifecycle.after(1_000, () => ticks++);
    vi.advanceTimersByTime(5_000);
    expect(ticks).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a cancelled one-off timer never fires', () => {
    const { lifecycle } = setup();
    let fired = 0;
    const cancel = lifecycle.after(1_000, () => fired++);
    cancel();
    lifecycle.after(2_000, () => fired++);
    vi.advanceTimersByTime(3_000);
    expect(fired).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
