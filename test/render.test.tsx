// @vitest-environment happy-dom
/**
 * Drawing the reading into the host (src/content/render.tsx), on its own: the verdict on the
 * host's attributes from the page's own asset's reading only, the dock's chrome only while
 * docked, and the "updated — reload the page" notice that stays once the extension is gone.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_DOCK } from '../src/content/dock-state';
import type { DockWindow } from '../src/content/dock-window';
import { createHost, type Host } from '../src/content/host';
import { Lifecycle } from '../src/content/lifecycle';
import { meterView, type MeterView } from '../src/content/render';
import type { ReadingMessage } from '../src/core/bus';
import { FlushEngine } from '../src/core/engine';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

function message(asset: string, phase: string, side: 'long' | 'short' | null): ReadingMessage {
  const engine = new FlushEngine({ binance: 'sampled' }, NOW);
  engine.ingestMarket({ venue: 'binance', symbol: `${asset}USDT`, asset, kind: 'perp', time: NOW, markPrice: 72000, indexPrice: 71990, fundingRate: 0.0001, openInterestUsd: 3.6e9 });
  const reading = engine.readings(NOW, [asset]).scopes[asset]!;
  return { type: 'reading', asset, reading: { ...reading, verdict: { ...reading.verdict, phase, side } } as typeof reading, gaps: [] };
}

let lifecycle: Lifecycle;
let host: Host;
let dock: DockWindow;
let view: MeterView;

beforeEach(() => {
  lifecycle = new Lifecycle(
    () => true,
    () => undefined,
    (error) => {
      throw error;
    },
  );
  host = createHost('binance', '', 'test');
  dock = { state: { ...DEFAULT_DOCK }, drag: { start: () => ({ x: 0, y: 0 }), move: () => undefined, end: () => undefined }, change: vi.fn(), position: () => undefined };
  view = meterView(host, lifecycle, dock, false);
});

afterEach(() => lifecycle.stop('takeover'));

const attr = (name: string) => host.element.getAttribute(name);

describe('drawing the meter into the host', () => {
  it("puts the asset's verdict on the host, and draws the meter", () => {
    view.target('BTC');
    expect([attr('data-asset'), attr('data-phase'), attr('data-side')]).toEqual(['BTC', 'unknown', 'none']);
    view.show(message('BTC', 'flushing', 'long'));
    expect([attr('data-phase'), attr('data-side')]).toEqual(['flushing', 'long']);
    expect(host.root.querySelector('.fm-meter')).not.toBeNull();
  });

  it("ignores a reading for another asset (the page's URL changed since)", () => {
    view.target('BTC');
    view.show(message('BTC', 'crowded', 'short'));
    view.target('ETH');
    expect([attr('data-asset'), attr('data-phase'), attr('data-side')]).toEqual(['ETH', 'unknown', 'none']);
  });

  it('draws nothing while the URL names no asset', () => {
    view.target(null);
    view.show(message('BTC', 'flushing', 'long'));
    expect(attr('data-phase')).toBe('unknown');
    expect(host.root.childElementCount).toBe(0);
  });

  it("wraps the meter in the dock's chrome only while docked, and the chrome's buttons change the dock", () => {
    view.target('BTC');
    view.frame(true);
    expect(host.root.querySelector('[data-action="drag"]')?.textContent).toContain('BTC');
    expect(host.root.querySelector('.fm-meter')).not.toBeNull();
    host.root.querySelector<HTMLElement>('[data-action="collapse"]')!.click();
    expect(dock.change).toHaveBeenCalledWith({ collapsed: true });
    // Docked still: nothing to redraw.
    host.element.setAttribute('data-phase', 'probe');
    view.frame(true);
    expect(attr('data-phase')).toBe('probe');
    view.frame(false);
    expect(attr('data-phase')).toBe('unknown');
    expect(host.root.querySelector('[data-action="drag"]')).toBeNull();
    expect(host.root.querySelector('.fm-meter')).not.toBeNull();
  });

  it('redraws for the age label only when the last draw is that old', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      view.target('BTC');
      view.show(message('BTC', 'calm', null));
      // A mark on the host that any draw overwrites, to tell whether the tick redrew.
      host.element.setAttribute('data-phase', 'probe');
      vi.advanceTimersByTime(1_000);
      view.drawIfOlderThan(5_000);
      expect(attr('data-phase')).toBe('probe');
      vi.advanceTimersByTime(4_000);
      view.drawIfOlderThan(5_000);
      expect(attr('data-phase')).toBe('calm');
    } finally {
      vi.useRealTimers();
    }
  });

  it('says "updated — reload the page" once the extension is gone, and draws nothing over it', () => {
    view.target('BTC');
    lifecycle.stop('invalidated');
    view.notice();
    expect(host.root.querySelector('.fm-notice')?.textContent).toMatch(/updated.*reload the page/i);
    expect(attr('data-state')).toBe('updated');
    view.show(message('BTC', 'flushing', 'long'));
    view.frame(true);
    expect(host.root.querySelector('.fm-meter')).toBeNull();
    expect(host.root.querySelector('.fm-notice')).not.toBeNull();
  });
});
