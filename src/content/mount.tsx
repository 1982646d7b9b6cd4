/**
 * One meter on one exchange page: placed right after the order panel, put back when the
 * exchange re-renders the panel, docked in a floating window when no panel can be found (or
 * when inserting it would move the panel), and re-targeted when the page's asset changes.
 * Where it sits is on the host (`data-placement`: anchored, docked or waiting) and reported to
 * the worker, which shows it in the popup.
 */
import { render } from 'preact';
import type { Placement, ReadingMessage } from '../core/bus';
import { readingsNow } from '../core/scenario-time';
import type { Site } from '../sites/types';
import { t } from '../ui/i18n';
import { Meter } from '../ui/Meter';
import { findAnchor, loadStructure, type FoundAnchor } from './anchor';
import { Dock, type DockDrag } from './Dock';
import { dockKey, dockPosition, type DockState } from './dock-state';
import { ANCHORED_STYLE, createHost, DOCK_STYLE_BASE, type Host } from './host';
import type { Lifecycle } from './lifecycle';
import { pageTheme } from './theme';

export type { Placement };

/** How long to wait for the exchange to render its order panel before docking instead. */
export const ANCHOR_TIMEOUT_MS = 4_000;
/**
 * Looking for the panel (waiting, or docked for a panel that turns up late) is driven by a
 * MutationObserver that settles (see watch()): after a mutation it pauses, and the page is
 * searched (the structural heuristic included) when the one timer fires. Waiting, that is this
 * long after the mutation …
 */
export const WAITING_SETTLE_MS = 100;
/** … and docked this long: a few observer callbacks a second on a busy page, a late panel still met within a second. */
export const DOCKED_SETTLE_MS = 400;
/** The structural heuristic reads every button's text: run it at most this often. */
export const HEURISTIC_EVERY_MS = 500;
/**
 * Mutations that cannot have brought a panel (text in the order book, the trades tape, a clock)
 * and leave the count of inputs and buttons as it was still bring a search, but at most this
 * often: a safety net for panels that fill in oddly.
 */
export const SWEEP_EVERY_MS = 2_000;
/** Timers fire a little late or early against performance.now(): this much early still counts as due. */
const TIMER_SLACK_MS = 5;
/** More placements beside a panel than this within the window means we are fighting the page: dock. */
const MAX_PLACEMENTS = 8;
const PLACEMENT_WINDOW_MS = 4_000;
/** A panel moving or resizing by more than this when the meter goes in counts as a layout shift. */
const SHIFT_TOLERANCE_PX = 0.5;
/** What an order panel is made of: a mutation adding none of these (or text inside one) cannot have brought it. */
const PANEL_PART = 'input, button, select, textarea, label, [role="button"], [role="tab"], [role="radio"]';

/** What the meter tells its owner whenever its placement or asset changes (the worker shows it in the popup). */
export type PlacementListener = (placement: Placement, asset: string | null) => void;


export class MeterMount {
  private readonly host: Host;
  private asset: string | null = null;
  /** The latest reading the worker pushed (or storage held) for the page's asset. */
  private data: ReadingMessage | null = null;
  private placement: Placement = 'waiting';
  private anchor: Element | null = null;
  private observer: MutationObserver | null = null;
  private cancelDeadline: () => void = () => undefined;
  /** The one pending search for the panel, and when it is due (performance.now() time). */
  private cancelLook: (() => void) | null = null;
  private lookDue = Infinity;
  private lastLookAt = -Infinity;
  /** Looking, the observer is paused from a mutation until the settled search. */
  private paused = false;
  /** A mutation that may have brought a panel was seen, and the page not yet fully searched since. */
  private missed = false;
  private controlsSeen = 0;
  private inputs: HTMLCollectionOf<HTMLInputElement> | null = null;
  private buttons: HTMLCollectionOf<HTMLButtonElement> | null = null;
  private reported = '';
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
    private readonly onPlacement: PlacementListener = () => undefined,
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
    if (asset === null) {
      this.detach();
      this.report();
      return;
    }
    this.host.element.setAttribute('data-asset', asset);
    this.draw();
    // The exchange re-renders its panel for the new symbol; look for it afresh.
    if (this.placement !== 'anchored' || !this.attached()) this.locate();
    this.watch();
    this.report();
  }


  show(data: ReadingMessage): void {
    this.data = data;
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
    const data = this.data?.asset === asset ? this.data : null;
    const reading = data?.reading ?? null;
    this.host.element.setAttribute('data-phase', reading?.verdict.phase ?? 'unknown');
    this.host.element.setAttribute('data-side', reading?.verdict.side ?? 'none');
    const meter = <Meter asset={asset} reading={reading} now={readingsNow(data?.scenarioClock)} gaps={data?.gaps} expanded={this.expanded} />;
    render(
      this.placement === 'docked' ? (
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
   * second (order book, trades, clock), and every observer callback costs the page's main thread.
   * - anchored: only the child lists of the meter's ancestors, which is where the meter or the
   *   panel (the meter's sibling) can be taken out of the page; re-anchoring to a re-rendered
   *   panel, by selector or by structure, happens in the same microtask, before the browser paints;
   * - waiting and docked: the whole document, settling: the first mutation runs the site's
   *   selectors at once if it may have brought a panel (a panel they know is met in the frame it
   *   renders), then pauses the observer and arms the one timer that searches the page once it
   *   settles (WAITING_SETTLE_MS, DOCKED_SETTLE_MS), the structural heuristic only there and at
   *   most every HEURISTIC_EVERY_MS; what changed while paused is told by the page's count of
   *   inputs and buttons. A busy page costs a few callbacks a second, a quiet one nothing. Docked,
   *   this goes on for as long as the page is open, so a late panel still gets the meter;
   * - docked because the page fought every placement: nothing, until the asset changes.
   */
  private watch(): void {
    if (this.asset === null || this.lifecycle.stopped) return;
    this.observer ??= new MutationObserver(this.lifecycle.wrap((records: MutationRecord[]) => this.onMutations(records)));
    this.observer.disconnect();
    if (this.placement === 'anchored') {
      this.stopLooking();
      for (let node = this.host.element.parentNode; node; node = node.parentNode) this.observer.observe(node, { childList: true });
    } else if (this.unstable) {
      this.stopLooking();
    } else if (!this.paused) {
      this.observer.observe(document.documentElement, { childList: true, subtree: true });
    }
  }

  private stopWatching(): void {
    this.observer?.disconnect();
    this.cancelDeadline();
    this.stopLooking();
  }

  private stopLooking(): void {
    this.cancelLook?.();
    this.cancelLook = null;
    this.lookDue = Infinity;
    this.paused = false;
  }

  private onMutations(records: MutationRecord[]): void {
    if (this.asset === null) return;
    if (this.placement === 'anchored') {
      // The common case, 20+ times a second on a busy page: still in place, nothing to do.
      if (this.attached()) return;
      // Re-attach in this same microtask, before the browser paints the new panel without us,
      // by structure too: this runs once per placement, and MAX_PLACEMENTS bounds those.
      if (!this.tryAnchor(true)) this.wait();
      return;
    }
    // Looking: no more callbacks until the page settles (look() resumes the observer).
    this.observer?.disconnect();
    this.paused = true;
    const relevant = mayBringPanel(records);
    // The site's selectors at once (cheap): a panel they know is met in the frame it renders.
    if (relevant && this.tryAnchor(false)) return;
    this.missed ||= relevant;
    this.controlsSeen = this.controlCount();
    this.scheduleLook(performance.now() + this.settleMs());
  }

  private settleMs(): number {
    return this.placement === 'docked' ? DOCKED_SETTLE_MS : WAITING_SETTLE_MS;
  }

  private heuristicDue(now: number): boolean {
    return now - this.lastHeuristicAt >= HEURISTIC_EVERY_MS - TIMER_SLACK_MS;
  }

  /** Inputs and buttons in the page: when it differs from the count at the pause, something came or went unseen. */
  private controlCount(): number {
    this.inputs ??= document.getElementsByTagName('input');
    this.buttons ??= document.getElementsByTagName('button');
    return this.inputs.length + this.buttons.length;
  }

  /** Something may have brought the panel: search once the page settles. */
  private requestLook(): void {
    if (this.asset === null || this.placement === 'anchored' || this.unstable) return;
    this.missed = true;
    this.scheduleLook(performance.now() + this.settleMs());
  }

  /** The one timer: an earlier due time replaces a later one. */
  private scheduleLook(due: number): void {
    if (this.cancelLook && this.lookDue <= due) return;
    this.cancelLook?.();
    this.lookDue = due;
    this.cancelLook = this.lifecycle.after(Math.max(0, due - performance.now()), () => {
      this.cancelLook = null;
      this.lookDue = Infinity;
      this.look();
    });
  }

  /**
   * The settled search, when something may have brought the panel (or every SWEEP_EVERY_MS on a
   * page that keeps changing otherwise): selectors, and the heuristic when it is due (else again
   * once it is); then the observer resumes.
   */
  private look(): void {
    if (this.asset === null || this.placement === 'anchored' || this.unstable) return;
    const now = performance.now();
    if (this.missed || this.controlCount() !== this.controlsSeen || now - this.lastLookAt >= SWEEP_EVERY_MS - TIMER_SLACK_MS) {
      this.lastLookAt = now;
      const heuristic = this.heuristicDue(now);
      if (this.tryAnchor(heuristic)) return;
      this.missed = !heuristic;
      if (!heuristic) this.scheduleLook(this.lastHeuristicAt + HEURISTIC_EVERY_MS);
    }
    this.paused = false;
    this.watch();
  }

  /** First look on mount and on asset change: the panel now, or wait for it until the deadline. */
  private locate(): void {
    const paced = this.lastHeuristicAt;
    if (this.tryAnchor(true)) return;
    // No selector found the panel: fetch the structural finder (anchor.ts), and search with it once
    // it is here (guarded: a failed load or a dead extension context throws nothing into the page).
    void this.lifecycle.settle(loadStructure).then(() => this.lifecycle.run(() => this.searchUnpaced()));
    this.wait();
    // This first search does not count against the heuristic's pace: a panel that renders right
    // after it (the usual case on a page still loading) is met once the page settles.
    this.lastHeuristicAt = paced;
  }

  /**
   * A one-off full search that does not count against the heuristic's pace (once per asset, once
   * the structural finder has loaded): paced searches after mutations stay at most one every
   * HEURISTIC_EVERY_MS.
   */
  private searchUnpaced(): void {
    if (this.asset === null || this.placement === 'anchored' || this.unstable) return;
    const paced = this.lastHeuristicAt;
    if (!this.tryAnchor(true)) this.lastHeuristicAt = paced;
  }

  private wait(): void {
    if (this.placement === 'docked') return;
    const wasWaiting = this.placement === 'waiting';
    this.anchor = null;
    this.host.element.remove();
    this.setPlacement('waiting');
    this.cancelDeadline();
    this.cancelDeadline = this.lifecycle.after(ANCHOR_TIMEOUT_MS, () => {
      // Dock only when there is no order form: one last full search at the deadline.
      if (this.placement === 'waiting' && !this.tryAnchor(true)) this.toDock();
    });
    if (!wasWaiting) this.watch();
    // Every caller has just searched the page; without the heuristic, the new panel may already be there.
    if (performance.now() - this.lastHeuristicAt > TIMER_SLACK_MS) this.requestLook();
  }

  /** Finds the panel and puts the meter right after it; false when there is none (yet). */
  private tryAnchor(heuristic: boolean): boolean {
    if (this.unstable) return false;
    const found = findAnchor(this.site.anchors, { heuristic });
    if (heuristic && found?.foundBy !== 'selector') this.lastHeuristicAt = performance.now();
    if (!found || !found.element.parentElement || this.shifting.has(found.element)) return false;
    return this.placeAnchored(found);
  }

  /**
   * After the panel, in the page's flow: nothing above the panel moves, so its Buy and Sell
   * buttons stay under the trader's pointer. If the panel moves or resizes anyway (a flex or
   * grid parent sharing space), take the meter out again and dock it.
   */
  private placeAnchored(found: FoundAnchor): boolean {
    if (this.fightingThePage()) {
      this.unstable = true;
      this.toDock();
      return true;
    }
    const panel = found.element;
    const host = this.host.element;
    host.remove();
    const before = panel.getBoundingClientRect();
    host.style.cssText = ANCHORED_STYLE;
    panel.after(host);
    if (shifted(before, panel.getBoundingClientRect())) {
      host.remove();
      this.shifting.add(panel);
      this.toDock();
      return true;
    }
    const wasDocked = this.placement === 'docked';
    this.anchor = panel;
    this.cancelDeadline();
    host.setAttribute('data-theme', pageTheme(panel));
    host.removeAttribute('data-docked');
    host.setAttribute('data-anchor', found.foundBy === 'selector' ? `selector:${found.index}` : 'heuristic');
    this.setPlacement('anchored');
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
    const wasDocked = this.placement === 'docked' && host.isConnected;
    this.anchor = null;
    this.cancelDeadline();
    host.setAttribute('data-docked', '');
    host.setAttribute('data-theme', pageTheme(document.body));
    host.removeAttribute('data-anchor');
    this.setPlacement('docked');
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
    this.anchor = null;
    this.setPlacement('waiting');
  }

  /** The one place the placement changes: the host says it (a contract external tools read) and the owner hears it. */
  private setPlacement(placement: Placement): void {
    this.host.element.setAttribute('data-placement', placement);
    if (placement === this.placement) return;
    this.placement = placement;
    this.report();
  }

  /** Tells the owner, once per change of placement or asset. */
  private report(): void {
    const said = `${this.placement} ${this.asset}`;
    if (this.lifecycle.stopped || said === this.reported) return;
    this.reported = said;
    this.onPlacement(this.placement, this.asset);
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
    if (this.placement !== 'docked' || !host.isConnected) return;
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
    if (this.placement !== 'docked' || this.resizeQueued) return;
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

/**
 * Whether a batch of mutations may have brought (part of) an order panel: an added element that
 * is or holds a control or label, or text added inside one (a skeleton's buttons getting their
 * labels). Order book and trade rows, clocks and prices add neither.
 */
function mayBringPanel(records: MutationRecord[]): boolean {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (node.nodeType === 1) {
        const element = node as Element;
        if (element.matches(PANEL_PART) || element.querySelector(PANEL_PART)) return true;
      } else if (node.nodeType === 3 && node.parentElement?.closest(PANEL_PART)) {
        return true;
      }
    }
  }
  return false;
}
