// @vitest-environment happy-dom
/**
 * How the page meter watches for its order panel (src/content/placement.ts, as mount.ts puts it
 * together with the dock window and the drawing): a MutationObserver that settles, not a poll. A
 * panel that renders after the meter docked is met within a second; a re-rendered panel is
 * followed; a busy page whose mutations cannot bring a panel (the order book's text) costs a
 * search at most every SWEEP_EVERY_MS, a quiet page none; and every change of placement is
 * reported (`anchored`, `docked`, `waiting`) with the asset.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as anchor from '../src/content/anchor';
import { DEFAULT_DOCK } from '../src/content/dock-state';
import { Lifecycle } from '../src/content/lifecycle';
import { mountMeter, type MeterMount } from '../src/content/mount';
import { ANCHOR_TIMEOUT_MS, DOCKED_SETTLE_MS, HEURISTIC_EVERY_MS, SWEEP_EVERY_MS } from '../src/content/placement';
import type { Placement } from '../src/core/bus';
import type { Site } from '../src/sites/types';

vi.mock('../src/content/anchor', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/content/anchor')>();
  return { ...real, findAnchor: vi.fn(real.findAnchor) };
});

const findAnchor = vi.mocked(anchor.findAnchor);
const heuristicRuns = () => findAnchor.mock.calls.filter(([, options]) => options.heuristic).length;

const site: Site = {
  id: 'binance',
  label: 'test site',
  venue: 'binance',
  matches: [],
  symbolFromUrl: () => 'BTCUSDT',
  assetFromSymbol: () => 'BTC',
  anchors: ['[data-test-panel]'],
  tradingUrl: () => '',
};

/** An order panel the site selector finds. */
function panel(): HTMLElement {
  const element = document.createElement('div');
  element.setAttribute('data-test-panel', '');
  element.innerHTML = '<div><button>Cross</button><button>20x</button></div><input placeholder="Size"><button>Buy/Long</button><button>Sell/Short</button>';
  return element;
}

/** Lets MutationObserver callbacks (microtasks in happy-dom or timers) run, then moves the clock on. */
async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

let lifecycle: Lifecycle;
let column: HTMLElement;
let book: HTMLElement;
let reports: Array<[Placement, string | null]>;

function mount(): MeterMount {
  const meter = mountMeter(site, lifecycle, 'test', { ...DEFAULT_DOCK }, false, (placement, asset) => reports.push([placement, asset]));
  meter.setAsset('BTC');
  return meter;
}

const host = () => document.querySelector<HTMLElement>('[data-flush-meter]');

// The structural finder is loaded on demand; here, before the clock is faked.
beforeAll(() => anchor.loadStructure());

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance', 'Date'] });
  document.body.innerHTML = '<main><div id="book"></div><aside id="column"></aside></main>';
  column = document.getElementById('column')!;
  book = document.getElementById('book')!;
  reports = [];
  lifecycle = new Lifecycle(
    () => true,
    () => undefined,
    (error) => {
      throw error;
    },
  );
  findAnchor.mockClear();
});

afterEach(() => {
  lifecycle.stop('takeover');
  vi.useRealTimers();
});

describe('the meter looking for its order panel', () => {
  it('says it is waiting, docks after the deadline when there is no panel, and reports each placement with the asset', async () => {
    mount();
    expect(host()).toBeNull();
    expect(reports).toEqual([['waiting', 'BTC']]);
    await advance(ANCHOR_TIMEOUT_MS);
    expect(host()?.getAttribute('data-placement')).toBe('docked');
    expect(host()?.hasAttribute('data-docked')).toBe(true);
    expect(reports).toEqual([
      ['waiting', 'BTC'],
      ['docked', 'BTC'],
    ]);
  });

  it('anchors a panel the site selectors know in the turn it renders, while waiting', async () => {
    mount();
    await advance(800);
    column.append(panel());
    await advance(0);
    expect(host()?.getAttribute('data-placement')).toBe('anchored');
    expect(host()?.previousElementSibling).toBe(column.firstElementChild);
    expect(reports.at(-1)).toEqual(['anchored', 'BTC']);
  });

  it('keeps watching while docked: a panel rendered long after is anchored within a second', async () => {
    mount();
    await advance(ANCHOR_TIMEOUT_MS + 10_000);
    expect(host()?.getAttribute('data-placement')).toBe('docked');
    column.append(panel());
    await advance(0);
    expect(host()?.getAttribute('data-placement')).toBe('anchored');
    expect(host()?.hasAttribute('data-docked')).toBe(false);
    expect(reports.map(([placement]) => placement)).toEqual(['waiting', 'docked', 'anchored']);
  });

  it('finds a late panel only its structure tells, within a second, whenever the heuristic last ran; the heuristic only in the settled search', async () => {
    const structural = { ...site, anchors: [] };
    mountMeter(structural, lifecycle, 'test', { ...DEFAULT_DOCK }, false, (placement, asset) => reports.push([placement, asset])).setAsset('BTC');
    await advance(ANCHOR_TIMEOUT_MS + 1_000);
    expect(host()?.getAttribute('data-placement')).toBe('docked');
    findAnchor.mockClear();
    // Something that could be a panel, but is not one (a search box), makes the heuristic run …
    column.insertAdjacentHTML('beforeend', '<div><input type="search"><button>Search</button></div>');
    await advance(0);
    expect(heuristicRuns()).toBe(0);
    await advance(DOCKED_SETTLE_MS + 5);
    expect(heuristicRuns()).toBe(1);
    // … and the real panel comes right after: the heuristic is not due yet, the search comes back when it is.
    const real = panel();
    real.removeAttribute('data-test-panel');
    column.append(real);
    // Due once both the settle after this mutation and the heuristic's pace have passed.
    await advance(Math.max(DOCKED_SETTLE_MS, HEURISTIC_EVERY_MS) + 5);
    expect(host()?.getAttribute('data-placement')).toBe('anchored');
    expect(host()?.previousElementSibling).toBe(real);
  });

  it('follows a re-rendered panel, at once or within the heuristic pace', async () => {
    column.append(panel());
    mount();
    expect(host()?.getAttribute('data-placement')).toBe('anchored');
    // The exchange replaces its panel: the selector finds the new one in the same microtask.
    const next = panel();
    column.replaceChildren(next);
    await advance(0);
    expect(host()?.previousElementSibling).toBe(next);
    expect(host()?.getAttribute('data-placement')).toBe('anchored');
  });

  it('meets a panel that came while the observer was paused on a busy page (the count of inputs and buttons tells)', async () => {
    const structural = { ...site, anchors: [] };
    mountMeter(structural, lifecycle, 'test', { ...DEFAULT_DOCK }, false, (placement, asset) => reports.push([placement, asset])).setAsset('BTC');
    const redraw = setInterval(() => (book.textContent = `72000.${Math.floor(Math.random() * 10)}  1.234`), 50);
    await advance(ANCHOR_TIMEOUT_MS + 3_000);
    expect(host()?.getAttribute('data-placement')).toBe('docked');
    // An order book tick pauses the observer; the panel comes before the settled search.
    book.textContent = '72001.0  0.5';
    await advance(0);
    const real = panel();
    real.removeAttribute('data-test-panel');
    column.append(real);
    await advance(DOCKED_SETTLE_MS + HEURISTIC_EVERY_MS + 5);
    clearInterval(redraw);
    expect(host()?.getAttribute('data-placement')).toBe('anchored');
    expect(host()?.previousElementSibling).toBe(real);
  });

  it('follows a re-rendered panel only its structure tells in the same microtask, however recently the heuristic ran', async () => {
    const structural = { ...site, anchors: [] };
    const first = panel();
    first.removeAttribute('data-test-panel');
    column.append(first);
    mountMeter(structural, lifecycle, 'test', { ...DEFAULT_DOCK }, false, (placement, asset) => reports.push([placement, asset])).setAsset('BTC');
    expect(host()?.getAttribute('data-anchor')).toBe('heuristic');
    await advance(50);
    const next = panel();
    next.removeAttribute('data-test-panel');
    column.replaceChildren(next);
    await advance(0);
    expect(host()?.previousElementSibling).toBe(next);
    expect(reports.map(([placement]) => placement)).toEqual(['anchored']);
  });

  it('costs a quiet page nothing and a busy page a search at most every few seconds while docked', async () => {
    mount();
    await advance(ANCHOR_TIMEOUT_MS);
    expect(host()?.getAttribute('data-placement')).toBe('docked');
    findAnchor.mockClear();
    // Quiet: no mutations, no searches.
    await advance(10_000);
    expect(findAnchor).not.toHaveBeenCalled();
    // The order book redrawn 20 times a second for 10 s: text that cannot be a panel.
    const redraw = setInterval(() => (book.textContent = `72000.${Math.floor(Math.random() * 10)}  1.234`), 50);
    await advance(10_000);
    clearInterval(redraw);
    const searches = findAnchor.mock.calls.length;
    expect(searches).toBeGreaterThan(0);
    expect(searches).toBeLessThanOrEqual(10_000 / SWEEP_EVERY_MS + 1);
    expect(heuristicRuns()).toBeLessThanOrEqual(searches);
  });

  it('stops every search when the content script stops', async () => {
    mount();
    await advance(ANCHOR_TIMEOUT_MS);
    findAnchor.mockClear();
    lifecycle.stop('takeover');
    column.append(panel());
    await advance(5_000);
    expect(findAnchor).not.toHaveBeenCalled();
  });
});

describe('the meter put together (placement, dock window, drawing)', () => {
  it("docks where the trader left the window, in the dock's chrome, and drops the chrome beside a late panel", async () => {
    mountMeter(site, lifecycle, 'test', { ...DEFAULT_DOCK, x: 200, y: 100 }, false, (placement, asset) => reports.push([placement, asset])).setAsset('BTC');
    expect(host()).toBeNull();
    await advance(ANCHOR_TIMEOUT_MS);
    expect([host()?.style.left, host()?.style.top]).toEqual(['200px', '100px']);
    const root = () => host()!.shadowRoot!;
    expect(root().querySelector('[data-action="drag"]')?.textContent).toContain('BTC');
    column.append(panel());
    await advance(0);
    expect(host()?.getAttribute('data-placement')).toBe('anchored');
    expect(host()?.style.position).toBe('');
    expect(root().querySelector('[data-action="drag"]')).toBeNull();
    expect(root().querySelector('.fm-meter')).not.toBeNull();
  });

  it('re-targets the asset it draws and reports, and leaves the page when the URL names none', async () => {
    column.append(panel());
    const meter = mount();
    meter.setAsset('ETH');
    expect(host()?.getAttribute('data-asset')).toBe('ETH');
    meter.setAsset('ETH');
    meter.setAsset(null);
    expect(host()).toBeNull();
    expect(reports).toEqual([
      ['anchored', 'BTC'],
      ['anchored', 'ETH'],
      ['waiting', null],
    ]);
  });
});
