/**
 * One meter on one exchange page, put together from units with one job each: placement.ts finds
 * the order panel and keeps the host beside it (anchored, docked or waiting), dock-window.ts
 * keeps the floating window where the trader left it, render.tsx draws the reading into the host.
 * This follows the page's asset and tells the owner where the meter sits (the worker shows it in
 * the popup). Everything stops with the Lifecycle, whose AbortSignal is this mount's.
 */
import type { Placement, ReadingMessage } from '../core/bus';
import type { Site } from '../sites/types';
import { dockWindow } from './dock-window';
import type { DockState } from './dock-state';
import { createHost } from './host';
import type { Lifecycle } from './lifecycle';
import { placeMeter } from './placement';
import { meterView } from './render';

/** What the meter tells its owner whenever its placement or asset changes. */
export type PlacementListener = (placement: Placement, asset: string | null) => void;

export interface MeterMount {
  /** Show the meter for `asset`, or take it off the page when the URL names none. */
  setAsset(asset: string | null): void;
  /** The page's asset's reading, as the worker pushed it (or storage held it). */
  show(message: ReadingMessage): void;
  drawIfOlderThan(ms: number): void;
  /** The extension went away under the page: say so once where the meter was, and nothing more. */
  showUpdatedNotice(): void;
  /** A newer instance owns the page now: leave without a trace. */
  remove(): void;
}

export function mountMeter(
  site: Site,
  lifecycle: Lifecycle,
  instance: string,
  dockState: DockState,
  /** Open the expanded view by default (options: compact or expanded meter). */
  expanded = false,
  onPlacement: PlacementListener = () => undefined,
): MeterMount {
  const host = createHost(site.id, '', instance);
  let asset: string | null = null;
  let reported = '';
  const dock = dockWindow(host.element, site.id, lifecycle, dockState, () => placement.current === 'docked', () => view.draw());
  const view = meterView(host, lifecycle, dock, expanded);
  const placement = placeMeter(host.element, site.anchors, lifecycle, (where) => {
    view.frame(where === 'docked');
    dock.position();
    report();
  });

  /** Tells the owner, once per change of placement or asset. */
  function report(): void {
    const said = `${placement.current} ${asset}`;
    if (lifecycle.stopped || said === reported) return;
    reported = said;
    onPlacement(placement.current, asset);
  }

  return {
    setAsset(next) {
      if (next === asset) return;
      asset = next;
      // Drawn before it is placed: whether inserting the meter moves the panel depends on its size.
      view.target(next);
      if (next === null) placement.leave();
      else placement.follow();
      report();
    },
    show: view.show,
    drawIfOlderThan: view.drawIfOlderThan,
    showUpdatedNotice() {
      if (asset === null) return;
      placement.halt();
      view.notice();
      if (!host.element.isConnected) placement.dock();
    },
    remove() {
      placement.halt();
      view.clear();
      host.element.remove();
    },
  };
}
