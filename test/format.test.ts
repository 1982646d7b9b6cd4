import { describe, expect, it } from 'vitest';
import { formatAge, formatShare, formatSignedPercent, formatUsd, formatUsdBound, MISSING } from '../src/core/format';

describe('format', () => {
  it('formats compact USD', () => {
    expect(formatUsd(99_100_000)).toBe('$99.1M');
    expect(formatUsd(471_000_000)).toBe('$471.0M');
    expect(formatUsd(12_400)).toBe('$12.4K');
    expect(formatUsd(0)).toBe('$0');
  });
  it('marks sampled totals as lower bounds', () => {
    expect(formatUsdBound(12_400_000, true)).toBe('≥ $12.4M');
    expect(formatUsdBound(12_400_000, false)).toBe('$12.4M');
    expect(formatUsdBound(0, true)).toBe('$0');
  });
  it('formats signed rates with a true minus sign', () => {
    expect(formatSignedPercent(0.0001)).toBe('+0.0100%');
    expect(formatSignedPercent(-0.00005)).toBe('−0.0050%');
    expect(formatSignedPercent(0)).toBe('0.0000%');
  });
  it('formats share and age', () => {
    expect(formatShare(0.9)).toBe('90%');
    expect(formatAge(1_000, 13_000)).toBe('12s');
    expect(formatAge(0, 125 * 60_000)).toBe('2h 5m');
  });
  it('never shows NaN for missing input', () => {
    for (const value of [null, undefined, Number.NaN, Infinity]) {
      expect(formatUsd(value)).toBe(MISSING);
      expect(formatShare(value)).toBe(MISSING);
      expect(formatSignedPercent(value)).toBe(MISSING);
      expect(formatAge(value, 0)).toBe(MISSING);
    }
  });
});
