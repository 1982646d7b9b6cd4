import { describe, expect, it } from 'vitest';
import { assessRisk, riskInput } from '../src/core/risk';

describe('risk box', () => {
  it('at 50× with 0.5 % maintenance a ~1.5 % move liquidates, so a 2 % hour is a warning', () => {
    const risk = assessRisk(riskInput(50, 0.5, 0.02)!);
    expect(risk.longMoveToLiquidation).toBeCloseTo(1 - 0.98 / 0.995, 10);
    expect(risk.longMoveToLiquidation).toBeGreaterThan(0.014);
    expect(risk.longMoveToLiquidation).toBeLessThan(0.016);
    expect(risk.longAtRisk).toBe(true);
    expect(risk.shortAtRisk).toBe(true);
  });

  it('at 5× a 2 % hour is not a threat; without maintenance margin the move is 1/L', () => {
    const risk = assessRisk(riskInput(5, 0, 0.02)!);
    expect(risk.longMoveToLiquidation).toBeCloseTo(0.2, 10);
    expect(risk.shortMoveToLiquidation).toBeCloseTo(0.2, 10);
    expect(risk.longAtRisk).toBe(false);
  });

  it('says nothing about risk when the day’s largest move is unknown', () => {
    expect(assessRisk(riskInput(10, 0.4, null)!).longAtRisk).toBeNull();
  });

  it.each([
    [0, 0.4],
    [Number.NaN, 0.4],
    [500, 0.4],
    [10, -1],
    [10, 10], // maintenance ≥ initial margin: no position could be opened
  ])('rejects leverage %s with maintenance %s%%', (leverage, mm) => {
    expect(riskInput(leverage, mm, 0.01)).toBeNull();
  });
});

describe('the last hour range (signals.priceRange)', () => {
  it('is high minus low over the last price, averaged over venues by open interest; null without two prices', async () => {
    const { MarketHistory } = await import('../src/core/history');
    const { priceRange } = await import('../src/core/signals');
    const history = new MarketHistory();
    const T = Date.UTC(2026, 11, 2, 12, 0);
    const prices = [100, 103, 97, 100];
    prices.forEach((price, m) => history.record({ venue: 'binance', asset: 'BTC', symbol: 'BTCUSDT', kind: 'perp', time: T + m * 60_000, markPrice: price, openInterestUsd: 1e9 }));
    const minute = Math.floor(T / 60_000);
    expect(priceRange(history, ['binance|BTC'], minute, minute + 3)).toBeCloseTo(0.06, 10);
    expect(priceRange(history, ['binance|BTC'], minute, minute)).toBeNull();
    expect(priceRange(history, [], minute, minute + 3)).toBeNull();
  });
});
