// @vitest-environment happy-dom
/** The meter renders text only: markup in any string from a venue or a URL stays inert. */
import { render } from 'preact';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlushEngine } from '../src/core/engine';
import { makeFormats } from '../src/core/i18n';
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
    // A screen reader hears the number with its scale, once (the drawn digits are hidden from it).
    expect(gauge.getAttribute('role')).toBe('img');
    expect(gauge.getAttribute('aria-label')).toBe(`Pressure ${Math.round(reading.verdict.pressure)} of 100`);
    expect(gauge.querySelector('text')!.getAttribute('aria-hidden')).toBe('true');
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

/** A clock time as the meter writes it (Intl in the test's language, en-US). */
const clock = (ms: number) => makeFormats('en-US').clock(ms);

/** A figure's reason for a missing value: on hover (the figure's title) and for screen readers (hidden text, the dash hidden). */
function missingReason(root: HTMLElement, field: string): { text: string | null; title: string | null; spoken: string | null; dashHidden: boolean } {
  const value = root.querySelector(`[data-field="${field}"]`)!;
  const figure = value.closest('.fm-figure')!;
  return { text: value.textContent, title: figure.getAttribute('title'), spoken: figure.querySelector('.fm-sr')?.textContent ?? null, dashHidden: value.getAttribute('aria-hidden') === 'true' };
}

describe('Meter missing values', () => {
  it('says why each missing compact figure is missing, on hover and to a screen reader', () => {
    // Installed ten minutes ago, no market data and no liquidation yet.
    const engine = new FlushEngine({}, NOW - 10 * 60_000);
    const reading = engine.readings(NOW, ['BTC']).scopes.BTC!;
    const root = document.createElement('div');
    render(<Meter asset="BTC" reading={reading} now={NOW} />, root);
    const since = clock(NOW - 10 * 60_000);
    const reasons = Object.fromEntries(['longShare1h', 'funding', 'basis', 'oiChange1h'].map((field) => [field, missingReason(root, field)]));
    expect(reasons).toEqual({
      longShare1h: { text: '—', title: `No liquidations since ${since}, when counting began`, spoken: `No liquidations since ${since}, when counting began`, dashHidden: true },
      funding: { text: '—', title: 'No funding rate from any venue yet', spoken: 'No funding rate from any venue yet', dashHidden: true },
      basis: { text: '—', title: 'No mark and index price from any venue yet', spoken: 'No mark and index price from any venue yet', dashHidden: true },
      oiChange1h: { text: '—', title: 'No open interest from any venue yet', spoken: 'No open interest from any venue yet', dashHidden: true },
    });
    // A figure with a value has no reason and nothing hidden.
    expect(missingReason(root, 'liq1h')).toEqual({ text: '$0', title: null, spoken: null, dashHidden: false });
  });

  it('says the 1 h open-interest change waits for an hour of collection when open interest is known now', () => {
    const engine = new FlushEngine({ binance: 'complete' }, NOW - 20 * 60_000);
    engine.ingestMarket({ venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: NOW, markPrice: 72000, indexPrice: 71990, fundingRate: 0.0001, openInterestUsd: 3.6e9 });
    const reading = engine.readings(NOW, ['BTC']).scopes.BTC!;
    const root = document.createElement('div');
    render(<Meter asset="BTC" reading={reading} now={NOW} />, root);
    expect(missingReason(root, 'oiChange1h').title).toBe(`Collecting open interest since ${clock(NOW - 20 * 60_000)}: the 1 h change needs an hour of it`);
    // Long after counting began: no open interest from an hour ago, without a time.
    render(<Meter asset="BTC" reading={{ ...reading, collectingSince: NOW - 5 * 3_600_000 }} now={NOW} />, root);
    expect(missingReason(root, 'oiChange1h').title).toBe('No open interest from an hour ago');
    expect(missingReason(root, 'longShare1h').title).toBe('No liquidations counted in the last hour');
  });

  it('shows funding, basis and open interest from the back-filled market history while no live snapshot has them', () => {
    const engine = new FlushEngine({ binance: 'complete' }, NOW);
    const reading = engine.readings(NOW, ['BTC']).scopes.BTC!;
    const backfilled = { ...reading, funding8h: null, basis: null, openInterestUsd: null, signals: { ...reading.signals, funding8h: 0.0001, basis: -0.0002, oiUsd: 3.6e9 } };
    const root = document.createElement('div');
    render(<Meter asset="BTC" reading={backfilled} now={NOW} expanded />, root);
    expect(root.querySelector('[data-field="funding"]')!.textContent).toBe('+0.01%');
    expect(root.querySelector('[data-field="basis"]')!.textContent).toBe('−0.02%');
    expect(root.querySelector('[data-field="oi"]')!.textContent).toBe('$3.6B');
    // Expanded figures say why too: no flush to measure against.
    expect(missingReason(root, 'oiChangeSinceFlush').title).toBe('No flush under way');
  });
});
