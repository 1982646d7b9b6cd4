import { describe, expect, it } from 'vitest';
import { luminance } from '../src/content/theme';

describe('page theme', () => {
  it('reads luminance from computed colours and skips transparent ones', () => {
    expect(luminance('rgb(11, 14, 17)')).toBeLessThan(0.05); // Binance dark
    expect(luminance('rgb(255, 255, 255)')).toBeCloseTo(1, 5);
    expect(luminance('rgba(0, 0, 0, 0)')).toBeNull();
    expect(luminance('transparent')).toBeNull();
  });
});
