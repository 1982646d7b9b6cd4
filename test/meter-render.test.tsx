// @vitest-environment happy-dom
/** The meter renders text only: markup in any string from a venue or a URL stays inert. */
import { render } from 'preact';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlushEngine } from '../src/core/engine';
import { loadExpanded, Meter } from '../src/ui/Meter';

// The expanded view is its own module, loaded when a meter first expands: here, before the tests render it.
beforeAll(() => loadExpanded());

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const MARKUP = '<img src=x onerror="globalThis.pwned=1">';

function readingWith(symbol: string) {
  const engine = new FlushEngine({ binance: 'sampled' }, NOW);
  engine.ingestMarket({ venue: 'binance', symbol, asset: 'BTC', kind: 'perp', time: NOW, markPrice: 72000, indexPrice: 71990, fundingRate: 0.0001, openInterestUsd: 3.6e9 });
  engine.ingestLiquidation({ venue: 'binance', symbol, asset: 'BTC', kind: 'perp', side: 'long', price: 72000, quantity: 1, notionalUsd: 72000, time: NOW }, NOW);
  return engine.readings(NOW, ['BTC']).scopes.BTC!;
}

describe('Meter rendering', () => {
  it('shows markup from a symbol or asset as inert text', () => {
    const root = document.createElement('div');
    render(<Meter asset={MARKUP} reading={readingWith(`${MARKUP}USDT`)} now={NOW} expanded />, root);
    expect(root.querySelector('img')).toBeNull();
    expect(root.textContent).toContain(MARKUP);
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });

  it('shows the pressure as a number inside the gauge, the same as its spoken label', () => {
    const root = document.createElement('div');
    const reading = readingWith('BTCUSDT');
    render(<Meter asset="BTC" reading={reading} now={NOW} />, root);
    const gauge = root.querySelector('[data-field="pressure"]')!;
    expect(gauge.querySelector('text')!.textContent).toBe(String(Math.round(reading.verdict.pressure)));
    expect(gauge.getAttribute('data-value')).toBe(String(Math.round(reading.verdict.pressure)));
  });

  it('shows placeholders, never NaN, for a reading with no market data', () => {
    const engine = new FlushEngine({}, NOW);
    const root = document.createElement('div');
    render(<Meter asset="BTC" reading={engine.readings(NOW, ['BTC']).scopes.BTC} now={NOW} expanded />, root);
    expect(root.textContent).not.toMatch(/NaN|Infinity|undefined/);
    expect(root.querySelector('[data-field="funding"]')!.textContent).toBe('—');
  });

  it('waits visibly when there is no reading yet', () => {
    const root = document.createElement('div');
    render(<Meter asset="BTC" reading={undefined} now={NOW} />, root);
    expect(root.textContent).toContain('waiting for data');
  });
});

describe('Meter with a stream gap', () => {
  it('names the gap and shows the totals as lower bounds', () => {
    const engine = new FlushEngine({ bybit: 'complete' }, NOW);
    engine.ingestLiquidation({ venue: 'bybit', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', side: 'long', price: 72000, quantity: 1, notionalUsd: 2_000_000, time: NOW }, NOW);
    const reading = engine.readings(NOW, ['BTC']).scopes.BTC!;
    const gaps = [{ venue: 'bybit' as const, from: NOW - 20 * 60_000, to: NOW - 18 * 60_000 }];
    const root = document.createElement('div');
    render(<Meter asset="BTC" reading={reading} now={NOW} gaps={gaps} />, root);
    expect(root.querySelector('[data-field="gaps"]')!.textContent).toMatch(/^.+–.+ not counted \(bybit stream down\)$/);
    expect(root.querySelector('[data-field="liq1h"]')!.textContent).toBe('≥ $2.0M');
  });
});

describe('Meter lower bounds', () => {
  it('shows the day and the 4 h as lower bounds when the sampled feed contributed earlier in the day, the hour as exact', () => {
    const engine = new FlushEngine({ binance: 'sampled', bybit: 'complete' }, NOW - 6 * 3_600_000);
    engine.ingestLiquidation({ venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', side: 'long', price: 72000, quantity: 10, notionalUsd: 720_000, time: NOW - 3 * 3_600_000 }, NOW - 3 * 3_600_000);
    engine.ingestLiquidation({ venue: 'bybit', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', side: 'long', price: 72000, quantity: 20, notionalUsd: 1_440_000, time: NOW - 60_000 }, NOW);
    const reading = engine.readings(NOW, ['BTC']).scopes.BTC!;
    const root = document.createElement('div');
    render(<Meter asset="BTC" reading={reading} now={NOW} expanded />, root);
    expect(root.querySelector('[data-field="liq1h"]')!.textContent).toBe('$1.4M');
    expect(root.querySelector('[data-field="liq24h"]')!.textContent).toBe('≥ $2.2M');
    expect(root.querySelector('[data-field="liq4h"]')!.textContent).toBe('≥ $2.2M');
  });
});
