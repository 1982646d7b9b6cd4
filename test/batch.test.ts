import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from '../src/background/batch';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Coalescer', () => {
  it('runs the first request at once, then at most once per interval for a burst', async () => {
    let runs = 0;
    const c = new Coalescer(250, async () => void runs++);
    c.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    for (let i = 0; i < 1000; i++) c.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(runs).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2); // nothing pending: no idle runs
  });

  it('keeps at most 4 runs a second under a continuous stream of requests', async () => {
    let runs = 0;
    const c = new Coalescer(250, async () => void runs++);
    for (let ms = 0; ms < 10_000; ms += 10) {
      c.request();
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(runs).toBeLessThanOrEqual(41);
    expect(runs).toBeGreaterThanOrEqual(39);
  });

  it('flush runs immediately', async () => {
    let runs = 0;
    const c = new Coalescer(250, async () => void runs++);
    await c.flush();
    expect(runs).toBe(1);
  });
});
