// @vitest-environment happy-dom
/**
 * The history chart (src/ui/HistoryChart.tsx) drawn from real chart data: axes as text, the
 * readout in words, the cursor by keyboard and pointer, "—" with a reason where a value is
 * unknown, never NaN; and the panel that asks the worker for the chart and the tape.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HistoryAnswer, HistoryRequest } from '../src/core/bus';
import { FlushEngine } from '../src/core/engine';
import type { HistoryChart as ChartData } from '../src/core/history-chart';
import { makeFormats } from '../src/core/i18n';
import { HistoryChart, HistoryPanel } from '../src/ui/HistoryChart';

const en = makeFormats('en-US');
const T0 = Date.UTC(2026, 0, 1);
const NOW = T0 + 30 * 3_600_000 + 2 * 60_000;

function chartData(scope = 'BTC'): ChartData {
  const engine = new FlushEngine({ binance: 'complete', okx: 'sampled' }, NOW - 3 * 3_600_000, undefined, {}, NOW - 3 * 3_600_000);
  for (const ago of [120, 60, 30, 1]) engine.ingestMarket({ venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: NOW - ago * 60_000, markPrice: 72_000 - ago, openInterestUsd: 3e9, fundingRate: 0.0001, fundingIntervalHours: 8 });
  for (const ago of [30, 1]) engine.ingestMarket({ venue: 'okx', symbol: 'BTC-USDT-SWAP', asset: 'BTC', kind: 'perp', time: NOW - ago * 60_000, markPrice: 72_010, openInterestUsd: 1e9 });
  engine.ingestLiquidation({ venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', side: 'long', price: 72_000, quantity: 10, notionalUsd: 1_200_000, time: NOW - 60_000 }, NOW);
  engine.ingestLiquidation({ venue: 'okx', symbol: 'BTC-USDT-SWAP', asset: 'BTC', kind: 'perp', side: 'short', price: 72_000, quantity: 5, notionalUsd: 400_000, time: NOW - 30_000 }, NOW);
  return engine.historyChart(scope, NOW);
}

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

function draw(chart: ChartData): HTMLElement {
  root = document.createElement('div');
  document.body.append(root);
  render(<HistoryChart chart={chart} scopeName="BTC" />, root);
  return root;
}

const field = (name: string) => root.querySelector(`[data-field="${name}"]`)!;
const key = (k: string) => act(() => void field('sparkline').dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true })));

describe('HistoryChart', () => {
  it('labels its axes with text: USD of liquidations, the price, clock times every 6 h', () => {
    const chart = chartData();
    draw(chart);
    const values = [...field('value-axis').querySelectorAll('text')].map((t) => t.textContent);
    expect(values).toContain(en.usd(1_200_000));
    expect(values).toContain('$0');
    expect(field('right-max').textContent).toMatch(/^72,0\d\d(\.\d+)?$/);
    const times = [...field('time-axis').querySelectorAll('text')].map((t) => t.textContent);
    // 24 h of bars: four ticks on the hour, 6 h apart (the test runs in the machine's time zone).
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(times.length).toBeLessThanOrEqual(5);
    for (const time of times) expect(time).toMatch(/^\d\d:00( [AP]M)?$/);
    // Long bars below the zero line, short bars above; the price line drawn, the OI line too.
    expect(field('bars').querySelectorAll('.fm-hist-long').length).toBe(1);
    expect(field('bars').querySelectorAll('.fm-hist-short').length).toBe(1);
    expect(field('price-line').getAttribute('d')).toMatch(/^M/);
    expect(field('oi-line').getAttribute('d')).toMatch(/^M/);
    // Before OKX's OI was known the sum is partial: a faint line of its own, said in the legend, never joined to the full sums.
    expect(field('oi-partial-line').getAttribute('d')).toMatch(/^M/);
    expect(field('oi-partial-legend').textContent).toBe('faint: open interest of some venues unknown');
    expect(root.textContent).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('reads the newest bar out in words, and moves bar by bar by keyboard', async () => {
    draw(chartData());
    const chart = field('sparkline');
    expect(chart.getAttribute('tabindex')).toBe('0');
    expect(chart.getAttribute('role')).toBe('group');
    expect(chart.getAttribute('aria-label')).toMatch(/^Liquidations, price and open interest over 24 hours, BTC: left and right arrows/);
    const readout = field('readout');
    expect(readout.getAttribute('aria-live')).toBe('polite');
    expect(chart.getAttribute('data-cursor')).toBe('287');
    expect(field('hist-time').textContent).toBe(`${en.clock(NOW - 2 * 60_000)}–now`);
    // OKX samples its feed and filled this bar: its totals are lower bounds, as the meter's are.
    expect(field('hist-long').textContent).toBe(`≥ ${en.usd(1_200_000)}`);
    expect(field('hist-short').textContent).toBe(`≥ ${en.usd(400_000)}`);
    expect(field('hist-split').textContent).toBe(`Binance ${en.usd(1_200_000)} long / $0 short · OKX $0 long / ≥ ${en.usd(400_000)} short`);
    // The cursor's bar stacked by venue, in the readout's order, each block as tall as its part.
    const blocks = [...root.querySelectorAll('[data-field="venue-stack"] rect')];
    expect(blocks.map((b) => [b.getAttribute('data-venue'), b.getAttribute('data-side')])).toEqual([['binance', 'long'], ['okx', 'short']]);
    const heights = blocks.map((b) => Number(b.getAttribute('height')));
    // Shorts up and longs down share one USD scale: $1.2M of longs is three times $400K of shorts.
    expect(heights[0]! / heights[1]!).toBeCloseTo(3, 6);
    // Both venues' OI known now: the sum as is.
    expect(field('hist-oi').textContent).toBe(en.usd(4e9));
    expect(field('hist-funding').textContent).toBe('+0.01%');
    await key('ArrowLeft');
    expect(chart.getAttribute('data-cursor')).toBe('286');
    expect(field('hist-time').textContent).toBe(`${en.clock(NOW - 7 * 60_000)}–${en.clock(NOW - 2 * 60_000)}`);
    expect(field('hist-long').textContent).toBe('$0');
    expect(root.querySelector('[data-field="venue-stack"]')).toBeNull();
    await key('Home');
    expect(chart.getAttribute('data-cursor')).toBe('0');
    await key('ArrowLeft');
    expect(chart.getAttribute('data-cursor')).toBe('0');
    await key('End');
    expect(chart.getAttribute('data-cursor')).toBe('287');
    await key('ArrowRight');
    expect(chart.getAttribute('data-cursor')).toBe('287');
  });

  it('says "—" with a reason where the stores do not know: not counted, split not kept, no price, partial OI', async () => {
    draw(chartData());
    await key('Home');
    // Liquidations counted from 3 h ago: the oldest bar is not a known zero.
    expect(field('hist-long').textContent).toBe('—');
    expect(field('hist-long').closest('.fm-figure')!.getAttribute('title')).toBe(`Not counted: liquidations are counted from ${en.clock(NOW - 3 * 3_600_000)} (install, or the browser was closed).`);
    expect(field('hist-price').textContent).toBe('—');
    expect(field('hist-price').closest('.fm-figure')!.getAttribute('title')).toBe('No price known at this time.');
    expect(field('hist-oi').closest('.fm-figure')!.getAttribute('title')).toBe('No open interest known at this time.');
    // 2 h ago only Binance's OI was known: a partial sum, said as such; the split of a bar that old is not kept.
    for (let i = 0; i < 287 - 24; i++) await key('ArrowRight');
    expect(field('hist-oi').textContent).toBe(`${en.usd(3e9)} (1 of 2 venues known)`);
    expect(field('hist-split').textContent).toBe('—');
    expect(field('hist-split').closest('.fm-figure')!.getAttribute('title')).toBe('kept for the last 2 h only');
    expect(root.textContent).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('keeps the cursor on its bar when a new bar comes', async () => {
    const chart = chartData();
    draw(chart);
    await key('ArrowLeft');
    const time = field('hist-time').textContent;
    // Five minutes on: the same data one bar further left.
    const later = { ...chart, start: chart.start + chart.barMs, long: [...chart.long.slice(1), 0], short: [...chart.short.slice(1), 0] };
    await act(() => void render(<HistoryChart chart={later} scopeName="BTC" />, root));
    expect(field('sparkline').getAttribute('data-cursor')).toBe('285');
    expect(field('hist-time').textContent).toBe(time);
    // At the newest bar, the cursor follows the new one.
    await key('End');
    expect(field('sparkline').getAttribute('data-cursor')).toBe('287');
  });

  it('the market has no price line and says why', () => {
    draw(chartData('ALL'));
    expect(root.querySelector('[data-field="price-line"]')).toBeNull();
    expect(field('hist-price').closest('.fm-figure')!.getAttribute('title')).toBe('All markets together have no single price.');
    // Its right axis is open interest.
    expect(field('right-max').textContent).toBe(en.usd(4e9));
  });
});

describe('HistoryPanel', () => {
  it('asks the worker for its scope and draws the chart and the scope tape', async () => {
    const asked: HistoryRequest[] = [];
    const chart = chartData();
    const answer: HistoryAnswer = {
      type: 'history',
      scope: 'BTC',
      chart,
      tape: [{ venue: 'okx', symbol: 'BTC-USDT-SWAP', asset: 'BTC', side: 'short', price: 72_000, usd: 400_000, time: NOW - 30_000, sampled: true }],
      tapeMinUsd: 100_000,
    };
    root = document.createElement('div');
    document.body.append(root);
    const ask = async (request: HistoryRequest) => (asked.push(request), answer);
    await act(async () => render(<HistoryPanel scope="BTC" scopeName="BTC" changed={1} now={NOW} tape ask={ask} />, root));
    await act(async () => undefined);
    expect(asked).toEqual([{ type: 'history', scope: 'BTC' }]);
    expect(field('sparkline').getAttribute('data-cursor')).toBe('287');
    const rows = root.querySelectorAll('[data-section="meter-tape"] [data-row]');
    expect(rows.length).toBe(1);
    expect(rows[0]!.querySelector('[data-field="sampled"]')).not.toBeNull();
    expect(rows[0]!.querySelector('[data-field="size"]')!.textContent).toBe(en.usd(400_000));
  });

  it('says so when the worker does not answer', async () => {
    root = document.createElement('div');
    document.body.append(root);
    await act(async () => render(<HistoryPanel scope="BTC" scopeName="BTC" changed={1} now={NOW} ask={() => Promise.reject(new Error('gone'))} />, root));
    await act(async () => undefined);
    expect(field('history-status').textContent).toBe("The 24 h history is unavailable: the extension did not answer.");
  });

  it('asks again on a new reading at most every 5 s, and every minute while it shows', async () => {
    vi.useFakeTimers();
    try {
      const chart = chartData();
      let asks = 0;
      const ask = async () => ((asks += 1), { type: 'history', scope: 'BTC', chart, tape: [], tapeMinUsd: 100_000 });
      root = document.createElement('div');
      document.body.append(root);
      const panel = (changed: number) => <HistoryPanel scope="BTC" scopeName="BTC" changed={changed} now={NOW} ask={ask} />;
      await act(async () => render(panel(1), root));
      expect(asks).toBe(1);
      // Readings four times a second for 4 s: none asks again yet; the first after the 5 s does, once.
      for (let i = 2; i < 18; i++) {
        await act(async () => void vi.advanceTimersByTime(250));
        await act(async () => render(panel(i), root));
      }
      expect(asks).toBe(1);
      await act(async () => void vi.advanceTimersByTime(1_000));
      expect(asks).toBe(2);
      // A quiet market: no reading, the minute refresh.
      await act(async () => void vi.advanceTimersByTime(60_000));
      expect(asks).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
