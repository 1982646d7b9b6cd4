import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/background/stream';
import { describeHttpStatus } from '../src/background/poller';

describe('reconnect backoff', () => {
  it('doubles per attempt with jitter in [base/2, base], capped at 60 s', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(3, () => 0.5)).toBe(6000);
    expect(backoffDelay(20, () => 1)).toBe(60_000);
  });
});

describe('HTTP failure reasons', () => {
  it('says plainly what happened', () => {
    expect(describeHttpStatus(451)).toMatch(/blocked in your region/);
    expect(describeHttpStatus(429)).toMatch(/rate limited/);
    expect(describeHttpStatus(418)).toMatch(/rate limited/);
    expect(describeHttpStatus(503)).toMatch(/exchange error/);
  });
});
