/**
 * One meter on one exchange page: placed right after the order panel, put back when the
 * exchange re-renders the panel, docked in a floating window when no panel can be found (or
 * when inserting it would move the panel), and re-targeted when the page's asset changes.
 */
import { render } from 'preact';
import type { BusSnapshot } from '../core/bus';
import { readingsNow } from '../core/scenario-time';
import type { Site } from '../sites/types';
import { t } from '../ui/i18n';
import { Meter } from '../ui/Meter';
import { findAnchor, type FoundAnchor } from './anchor';
import { Dock, type DockDrag } from './Dock';
import { dockKey, dockPosition, type DockState } from './dock-state';
import { createHost, DOCK_STYLE_BASE, INLINE_STYLE, type Host } from './host';
import type { Lifecycle } from './lifecycle';
import { pageTheme } from './theme';

/** How long to wait for the exchange to render its order panel before docking instead. */
export const ANCHOR_TIMEOUT_MS = 4_000;
/** While waiting, look again at most this often (the page mutates 20+ times a second). */
const WAITING_CHECK_MS = 100;
/** Docked, keep looking for a late panel, but rarely (a poll: no observer firing at the page's pace). */
const DOCKED_CHECK_MS = 1_000;
/** The structural heuristic reads every button's text: run it at most this often. */
const HEURISTIC_EVERY_MS = 500;
/** More inline placements than this within the window means we are fighting the page: dock. */
const MAX_PLACEMENTS = 8;
const PLACEMENT_WINDOW_MS = 4_000;
/** A panel moving or resizing by more than this when the meter goes in counts as a layout shift. */
const SHIFT_TOLERANCE_PX = 0.5;

export type Placement = 'waiting' | 'inline' | 'dock';


export class MeterMount {
  private readonly host: Host;
  private asset: string | null = null;
  private bus: BusSnapshot = {};
  private placement: Placement = 'waiting';
  private anchor: Element | null = null;
  private observer: MutationObserver | null = null;
  private cancelPoll: (() => void) | null = null;
  private cancelDeadline: () => void = () => undefined;
  private cancelCheck: (() => void) | null = null;
  private lastHeuristicAt = -Infinity;
  private placements: number[] = [];
  /** The page fought every placement (or a panel would shift): stay docked for this asset. */
  private unstable = false;
  /** Panels where inserting the meter moved or resized them: never try those again. */
  private readonly shifting = new WeakSet<Element>();
  private resizeQueued = false;
  private drawnAt = -Infinity;
  /** Translated while the extension is alive: after an update `chrome.i18n` is gone from this page. */
  private readonly noticeText = t('updatedNotice');

  constructor(
    private readonly site: Site,
    private readonly lifecycle: Lifecycle,
    instance: string,
    private dock: DockState,
    /** Open the expanded view by default (options: compact or expanded meter). */
    private readonly expanded = false,
  ) {
    this.host = createHost(site.id, '', instance);
    addEventListener('resize', lifecycle.wrap(() => this.onResize()), { signal: lifecycle.signal, passive: true });
    lifecycle.signal.addEventListener('abort', () => this.stopWatching(), { once: true });
  }

  /** Show the meter for `asset`, or take it off the page when the URL names none. */
  setAsset(asset: string | null): void {
    if (asset === this.asset) return;
    this.asset = asset;
    this.unstable = false;
    this.placements = [];
    if (asset === null) return this.detach();
    this.host.element.setAttribute('data-asset', asset);
    this.draw();
    // The exchange re-renders its panel for the new symbol; look for it afresh.
    if (this.placement !== 'inline' || !this.attached()) this.locate();
    this.watch();
  }

  setBus(bus: BusSnapshot): void {
    this.bus = bus;
    this.draw();
  }

  /** Redraw unless something drew within `ms` (the age label is fresh enough). */
  drawIfOlderThan(ms: number): void {
    // 50 ms of slack: timers fire a little early or late, and a tick must not skip a due redraw.
    if (document.visibilityState === 'visible' && performance.now() - this.drawnAt >= ms - 50) this.draw();
  }

  draw(): void {
    const asset = this.asset;
    if (asset === null || this.lifecycle.stopped) return;
    this.drawnAt = performance.now();
    const { readings } = this.bus;
    const reading = readings?.scopes[asset];
    this.host.element.setAttribute('data-phase', reading?.verdict.phase ?? 'unknown');
    this.host.element.setAttribute('data-side', reading?.verdict.side ?? 'none');
    const meter = <Meter asset={asset} reading={reading} computedAt={readings?.computedAt ?? null} now={readingsNow(this.bus.scenarioClock)} gaps={this.bus.gaps} expanded={this.expanded} />;
    render(
      this.placement === 'dock' ? (
        <Dock asset={asset} state={this.dock} drag={this.drag} onCollapse={(collapsed) => this.updateDock({ collapsed })} onHide={(hidden) => this.updateDock({ hidden })}>
          {meter}
        </Dock>
      ) : (
        meter
      ),
      this.host.root,
    );
  }

  /** The extension went away under the page: say so once where the meter was, and nothing more. */
  showUpdatedNotice(): void {
    if (this.asset === null) return;
    this.stopWatching();
    render(null, this.host.root);
    const notice = document.createElement('div');
    notice.className = 'fm-notice';
    notice.setAttribute('role', 'status');
    notice.textContent = this.noticeText;
    this.host.root.replaceChildren(notice);
    this.host.element.setAttribute('data-state', 'updated');
    if (!this.host.element.isConnected) this.toDock();
  }

  /** A newer instance owns the page now: leave without a trace. */
  remove(): void {
    this.stopWatching();
    render(null, this.host.root);
    this.host.element.remove();
  }

  // ── placement ────────────────────────────────────────────────────────────────────────────

  private attached(): boolean {
    const anchor = this.anchor;
    return anchor !== null && anchor.isConnected && this.host.element.isConnected && this.host.element.previousElementSibling === anchor;
  }

  /**
   * Watches the page as cheaply as the placement allows; exchange pages mutate 20+ times a
   * second (order book, trades, clock), and an observer on the whole document would run our
   * callback for every one of them.
   * - inline: only the child lists of the meter's ancestors, which is where the meter or the
   *   panel (the meter's sibling) can be taken out of the page;
   * - waiting: the whole document, for at most ANCHOR_TIMEOUT_MS, so the late panel is met in
   *   the same frame it renders;
   * - docked: no observer, a slow poll for a panel that turns up late.
   */
  private watch(): void {
    if (this.asset === null || this.lifecycle.stopped) return;
    this.observer ??= new MutationObserver(this.lifecycle.wrap(() => this.onMutations()));
    this.observer.disconnect();
    this.cancelPoll?.();
    this.cancelPoll = null;
    if (this.placement === 'inline') {
      for (let node = this.host.element.parentNode; node; node = node.parentNode) this.observer.observe(node, { childList: true });
    } else if (this.placement === 'waiting') {
      this.observer.observe(document.documentElement, { childList: true, subtree: true });
    } else {
      this.cancelPoll = this.lifecycle.every(DOCKED_CHECK_MS, () => {
        if (!this.unstable) this.tryInline(false);
      });
    }
  }

  private stopWatching(): void {
    this.observer?.disconnect();
    this.cancelPoll?.();
    this.cancelPoll = null;
    this.cancelDeadline();
    this.cancelCheck?.();
    this.cancelCheck = null;
  }

  private onMutations(): void {
    if (this.asset === null) return;
    if (this.placement === 'inline') {
      // The common case, 20+ times a second on a busy page: still in place, nothing to do.
      if (this.attached()) return;
      // Re-attach in this same microtask, before the browser paints the new panel without us.
      if (!this.tryInline(false)) this.wait();
      return;
    }
    if (this.placement === 'waiting') this.scheduleCheck(WAITING_CHECK_MS);
  }

  /** First look on mount and on asset change: the panel now, or wait for it until the deadline. */
  private locate(): void {
    if (!this.tryInline(true)) this.wait();
  }

  private wait(): void {
    if (this.placement === 'dock') return;
    const wasWaiting = this.placement === 'waiting';
    this.placement = 'waiting';
    this.anchor = null;
    this.host.element.remove();
    this.host.element.setAttribute('data-placement', 'waiting');
    this.cancelDeadline();
    this.cancelDeadline = this.lifecycle.after(ANCHOR_TIMEOUT_MS, () => {
      if (this.placement === 'waiting') this.toDock();
    });
    if (!wasWaiting) this.watch();
  }

  private scheduleCheck(ms: number): void {
    if (this.cancelCheck) return;
    this.cancelCheck = this.lifecycle.after(ms, () => {
      this.cancelCheck = null;
      if (this.asset !== null && this.placement === 'waiting' && !this.unstable) this.tryInline(false);
    });
  }

  /** Finds the panel and puts the meter right after it; false when there is none (yet). */
  private tryInline(forceHeuristic: boolean): boolean {
    if (this.unstable) return false;
    const now = performance.now();
    const heuristic = forceHeuristic || now - this.lastHeuristicAt >= HEURISTIC_EVERY_MS;
    const found = findAnchor(this.site.anchors, { heuristic });
    if (heuristic && found?.foundBy !== 'selector') this.lastHeuristicAt = now;
    if (!found || !found.element.parentElement || this.shifting.has(found.element)) return false;
    return this.placeInline(found);
  }

  /**
   * After the panel, in the page's flow: nothing above the panel moves, so its Buy and Sell
   * buttons stay under the trader's pointer. If the panel moves or resizes anyway (a flex or
   * grid parent sharing space), take the meter out again and dock it.
   */
  private placeInline(found: FoundAnchor): boolean {
    if (this.fightingThePage()) {
      this.unstable = true;
      this.toDock();
      return true;
    }
    const panel = found.element;
    const host = this.host.element;
    host.remove();
    const before = panel.getBoundingClientRect();
    host.style.cssText = INLINE_STYLE;
    panel.after(host);
    if (shifted(before, panel.getBoundingClientRect())) {
      host.remove();
      this.shifting.add(panel);
      this.toDock();
      return true;
    }
    const wasDocked = this.placement === 'dock';
    this.placement = 'inline';
    this.anchor = panel;
    this.cancelDeadline();
    host.setAttribute('data-theme', pageTheme(panel));
    host.removeAttribute('data-docked');
    host.setAttribute('data-placement', 'inline');
    host.setAttribute('data-anchor', found.foundBy === 'selector' ? `selector:${found.index}` : 'heuristic');
    if (wasDocked) this.draw();
    // The meter has new ancestors: watch those.
    this.watch();
    return true;
  }

  private fightingThePage(): boolean {
    const now = performance.now();
    this.placements = this.placements.filter((t) => now - t < PLACEMENT_WINDOW_MS);
    this.placements.push(now);
    return this.placements.length > MAX_PLACEMENTS;
  }

  private toDock(): void {
    const host = this.host.element;
    const wasDocked = this.placement === 'dock' && host.isConnected;
    this.placement = 'dock';
    this.anchor = null;
    this.cancelDeadline();
    host.setAttribute('data-docked', '');
    host.setAttribute('data-theme', pageTheme(document.body));
    host.setAttribute('data-placement', 'dock');
    host.removeAttribute('data-anchor');
    if (!wasDocked) {
      host.style.cssText = `${DOCK_STYLE_BASE}right:16px;bottom:16px;`;
      (document.body ?? document.documentElement).append(host);
      this.draw();
      this.watch();
    }
    this.applyDockPosition();
  }

  private detach(): void {
    this.stopWatching();
    this.host.element.remove();
    this.placement = 'waiting';
    this.anchor = null;
  }

  // ── dock ─────────────────────────────────────────────────────────────────────────────────

  private readonly drag: DockDrag = {
    start: () => {
      const rect = this.host.element.getBoundingClientRect();
      return { x: rect.left, y: rect.top };
    },
    move: (x, y) => {
      this.dock = { ...this.dock, x, y };
      this.applyDockPosition();
    },
    end: () => this.saveDock(),
  };

  private updateDock(change: Partial<DockState>): void {
    this.dock = { ...this.dock, ...change };
    this.draw();
    this.applyDockPosition();
    this.saveDock();
  }

  /** Docks at the remembered place, kept on screen; the default is the bottom-right corner. */
  private applyDockPosition(): void {
    const host = this.host.element;
    if (this.placement !== 'dock' || !host.isConnected) return;
    if (this.dock.x === null || this.dock.y === null) {
      host.style.cssText = `${DOCK_STYLE_BASE}right:16px;bottom:16px;`;
      return;
    }
    const rect = host.getBoundingClientRect();
    const { x, y } = dockPosition(this.dock, { width: rect.width, height: rect.height }, { width: innerWidth, height: innerHeight });
    host.style.cssText = `${DOCK_STYLE_BASE}left:${x}px;top:${y}px;`;
  }

  private saveDock(): void {
    const { x, y, collapsed, hidden } = this.dock;
    void this.lifecycle.settle(() => chrome.storage.local.set({ [dockKey(this.site.id)]: { x, y, collapsed, hidden } }));
  }

  private onResize(): void {
    if (this.placement !== 'dock' || this.resizeQueued) return;
    this.resizeQueued = true;
    requestAnimationFrame(
      this.lifecycle.wrap(() => {
        this.resizeQueued = false;
        this.applyDockPosition();
      }),
    );
  }
}

function shifted(before: DOMRect, after: DOMRect): boolean {
  return (
    Math.abs(before.top - after.top) > SHIFT_TOLERANCE_PX ||
    Math.abs(before.left - after.left) > SHIFT_TOLERANCE_PX ||
    Math.abs(before.width - after.width) > SHIFT_TOLERANCE_PX ||
    Math.abs(before.height - after.height) > SHIFT_TOLERANCE_PX
  );
}
