/**
 * Draws the page's own asset's reading into the host's shadow root: the Meter, inside the
 * dock's chrome while docked, with the verdict on the host (`data-asset`, `data-phase`,
 * `data-side`: a contract other tools read); or, once the extension is gone, the
 * "updated — reload the page" notice. Where the host sits is placement.ts's job.
 */
import { render } from 'preact';
import type { ReadingMessage } from '../core/bus';
import { readingsNow } from '../core/scenario-time';
import { t } from '../ui/i18n';
import { Meter } from '../ui/Meter';
import { Dock } from './Dock';
import type { DockWindow } from './dock-window';
import type { Host } from './host';
import type { Lifecycle } from './lifecycle';

export interface MeterView {
  /** The page's asset; null (the URL names none) draws nothing. */
  target(asset: string | null): void;
  /** The latest reading pushed (or stored) for the page's asset. */
  show(message: ReadingMessage): void;
  /** Docked or not: the dock's chrome comes or goes. */
  frame(docked: boolean): void;
  draw(): void;
  /** Redraw unless something drew within `ms` (the age label is fresh enough). */
  drawIfOlderThan(ms: number): void;
  /** The extension went away under the page: say so, and draw nothing more. */
  notice(): void;
  clear(): void;
}

export function meterView(host: Host, lifecycle: Lifecycle, dock: DockWindow, expanded: boolean): MeterView {
  const { element, root } = host;
  let asset: string | null = null;
  let data: ReadingMessage | null = null;
  let docked = false;
  let drawnAt = -Infinity;
  /** Translated while the extension is alive: after an update `chrome.i18n` is gone from this page. */
  const noticeText = t('updatedNotice');

  function draw(): void {
    if (asset === null || lifecycle.stopped) return;
    drawnAt = performance.now();
    // A reading for the asset the page showed before the URL changed is not this asset's.
    const shown = data?.asset === asset ? data : null;
    const reading = shown?.reading ?? null;
    element.setAttribute('data-phase', reading?.verdict.phase ?? 'unknown');
    element.setAttribute('data-side', reading?.verdict.side ?? 'none');
    const meter = <Meter asset={asset} reading={reading} now={readingsNow(shown?.scenarioClock)} gaps={shown?.gaps} expanded={expanded} />;
    render(
      docked ? (
        <Dock asset={asset} state={dock.state} drag={dock.drag} onCollapse={(collapsed) => dock.change({ collapsed })} onHide={(hidden) => dock.change({ hidden })}>
          {meter}
        </Dock>
      ) : (
        meter
      ),
      root,
    );
  }

  return {
    target(next) {
      asset = next;
      if (next === null) return;
      element.setAttribute('data-asset', next);
      draw();
    },
    show(message) {
      data = message;
      draw();
    },
    frame(next) {
      if (next === docked) return;
      docked = next;
      draw();
    },
    draw,
    drawIfOlderThan(ms) {
      // 50 ms of slack: timers fire a little early or late, and a tick must not skip a due redraw.
      if (document.visibilityState === 'visible' && performance.now() - drawnAt >= ms - 50) draw();
    },
    notice() {
      render(null, root);
      const notice = document.createElement('div');
      notice.className = 'fm-notice';
      notice.setAttribute('role', 'status');
      notice.textContent = noticeText;
      root.replaceChildren(notice);
      element.setAttribute('data-state', 'updated');
    },
    clear() {
      render(null, root);
    },
  };
}
