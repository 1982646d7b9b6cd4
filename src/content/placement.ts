/**
 * Where the meter's host sits on the page: right after the exchange's order panel (anchored),
 * in the floating window when no panel can be found or inserting the meter would move it
 * (docked), or off the page while looking (waiting). Finds the panel, puts the host back when
 * the exchange re-renders it, and says every move; what is drawn is render.tsx's job, where the
 * floating window sits dock-window.ts's. The host's `data-placement` (exactly one of the three)
 * is a contract other tools read.
 */
import type { Placement } from '../core/bus';
import type { AnchorCandidate } from '../sites/types';
import { findAnchor, loadStructure, type FoundAnchor } from './anchor';
import { ANCHORED_STYLE, DOCK_CORNER_STYLE } from './host';
import type { Lifecycle } from './lifecycle';
import { pageTheme } from './theme';

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
/**
 * The structural heuristic reads every button's text: run it at most this often. A panel that
 * renders just after one run waits this long plus WAITING_SETTLE_MS: at 500 ms that left a busy
 * machine little of the second the meter has to anchor in (1.0–1.2 s seen in CI). Docked, the
 * settle (DOCKED_SETTLE_MS) paces it anyway; waiting lasts at most ANCHOR_TIMEOUT_MS.
 */
export const HEURISTIC_EVERY_MS = 250;
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

export interface MeterPlacement {
  /** Where the host is now. */
  readonly current: Placement;
  /** Look for the panel afresh (a new asset: the exchange re-renders its panel per symbol), and keep watching. */
  follow(): void;
  /** The URL names no asset: the host leaves the page and nothing is watched. */
  leave(): void;
  /** Stop watching the page (the content script stops); the host stays where it is. */
  halt(): void;
  /** Into the floating window now (the update notice must show somewhere). */
  dock(): void;
}

/**
 * `onPlaced` hears every change of placement, and every time the host goes (back) into the
 * floating window, which then has to be put where the trader left it.
 */
export function placeMeter(host: HTMLElement, anchors: AnchorCandidate[], lifecycle: Lifecycle, onPlaced: (placement: Placement) => void): MeterPlacement {
  let placement: Placement = 'waiting';
  /** Following an asset (false before the first and while the URL names none). */
  let active = false;
  let anchor: Element | null = null;
  let observer: MutationObserver | null = null;
  let cancelDeadline = () => {};
  /** The one pending search for the panel, and when it is due (performance.now() time). */
  let cancelLook: (() => void) | null = null;
  let lookDue = Infinity;
  let lastLookAt = -Infinity;
  /** Looking, the observer is paused from a mutation until the settled search. */
  let paused = false;
  /** A mutation that may have brought a panel was seen, and the page not yet fully searched since. */
  let missed = false;
  let controlsSeen = 0;
  let inputs: HTMLCollectionOf<HTMLInputElement> | null = null;
  let buttons: HTMLCollectionOf<HTMLButtonElement> | null = null;
  let lastHeuristicAt = -Infinity;
  let placements: number[] = [];
  /** The page fought every placement (or a panel would shift): stay docked for this asset. */
  let unstable = false;
  /**
   * Panels where inserting the meter moved or resized them, with the layout then (layoutOf): not
   * tried again until that layout changes. A page still loading (styles not yet applied, a column
   * one line short of a scrollbar) can shift once and settle; the same layout shifts every time.
   */
  const shifting = new WeakMap<Element, string>();

  lifecycle.signal.addEventListener('abort', () => stopWatching(), { once: true });

  const looking = () => active && placement !== 'anchored' && !unstable;

  function attached(): boolean {
    return anchor !== null && anchor.isConnected && host.isConnected && host.previousElementSibling === anchor;
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
  function watch(): void {
    if (!active || lifecycle.stopped) return;
    observer ??= new MutationObserver(lifecycle.wrap(onMutations));
    observer.disconnect();
    if (placement === 'anchored') {
      stopLooking();
      for (let node = host.parentNode; node; node = node.parentNode) observer.observe(node, { childList: true });
    } else if (unstable) {
      stopLooking();
    } else if (!paused) {
      observer.observe(document.documentElement, { childList: true, subtree: true });
    }
  }

  function stopWatching(): void {
    observer?.disconnect();
    cancelDeadline();
    stopLooking();
  }

  function stopLooking(): void {
    cancelLook?.();
    cancelLook = null;
    lookDue = Infinity;
    paused = false;
  }

  function onMutations(records: MutationRecord[]): void {
    if (!active) return;
    if (placement === 'anchored') {
      // The common case, 20+ times a second on a busy page: still in place, nothing to do.
      if (attached()) return;
      // Re-attach in this same microtask, before the browser paints the new panel without us,
      // by structure too: this runs once per placement, and MAX_PLACEMENTS bounds those.
      if (!tryAnchor(true)) wait();
      return;
    }
    // Looking: no more callbacks until the page settles (look() resumes the observer).
    observer?.disconnect();
    paused = true;
    const relevant = mayBringPanel(records);
    // The site's selectors at once (cheap): a panel they know is met in the frame it renders.
    if (relevant && tryAnchor(false)) return;
    missed ||= relevant;
    controlsSeen = controlCount();
    scheduleLook(performance.now() + settleMs());
  }

  function settleMs(): number {
    return placement === 'docked' ? DOCKED_SETTLE_MS : WAITING_SETTLE_MS;
  }

  /** Inputs and buttons in the page: when it differs from the count at the pause, something came or went unseen. */
  function controlCount(): number {
    inputs ??= document.getElementsByTagName('input');
    buttons ??= document.getElementsByTagName('button');
    return inputs.length + buttons.length;
  }

  /** Something may have brought the panel: search once the page settles. */
  function requestLook(): void {
    if (!looking()) return;
    missed = true;
    scheduleLook(performance.now() + settleMs());
  }

  /** The one timer: an earlier due time replaces a later one. */
  function scheduleLook(due: number): void {
    if (cancelLook && lookDue <= due) return;
    cancelLook?.();
    lookDue = due;
    cancelLook = lifecycle.after(Math.max(0, due - performance.now()), () => {
      cancelLook = null;
      lookDue = Infinity;
      look();
    });
  }

  /**
   * The settled search, when something may have brought the panel (or every SWEEP_EVERY_MS on a
   * page that keeps changing otherwise): selectors, and the heuristic when it is due (else again
   * once it is); then the observer resumes.
   */
  function look(): void {
    if (!looking()) return;
    const now = performance.now();
    if (missed || controlCount() !== controlsSeen || now - lastLookAt >= SWEEP_EVERY_MS - TIMER_SLACK_MS) {
      lastLookAt = now;
      const heuristic = now - lastHeuristicAt >= HEURISTIC_EVERY_MS - TIMER_SLACK_MS;
      if (tryAnchor(heuristic)) return;
      missed = !heuristic;
      if (!heuristic) scheduleLook(lastHeuristicAt + HEURISTIC_EVERY_MS);
    }
    paused = false;
    watch();
  }

  /** First look on mount and on asset change: the panel now, or wait for it until the deadline. */
  function locate(): void {
    const paced = lastHeuristicAt;
    if (tryAnchor(true)) return;
    // No selector found the panel: fetch the structural finder (anchor.ts), and search with it once
    // it is here (guarded: a failed load or a dead extension context throws nothing into the page).
    void lifecycle.settle(loadStructure).then(() => lifecycle.run(searchUnpaced));
    wait();
    // This first search does not count against the heuristic's pace: a panel that renders right
    // after it (the usual case on a page still loading) is met once the page settles.
    lastHeuristicAt = paced;
  }

  /**
   * A one-off full search that does not count against the heuristic's pace (once per asset, once
   * the structural finder has loaded): paced searches after mutations stay at most one every
   * HEURISTIC_EVERY_MS.
   */
  function searchUnpaced(): void {
    if (!looking()) return;
    const paced = lastHeuristicAt;
    if (!tryAnchor(true)) lastHeuristicAt = paced;
  }

  function wait(): void {
    if (placement === 'docked') return;
    const wasWaiting = placement === 'waiting';
    anchor = null;
    host.remove();
    set('waiting');
    cancelDeadline();
    cancelDeadline = lifecycle.after(ANCHOR_TIMEOUT_MS, () => {
      // Dock only when there is no order form: one last full search at the deadline.
      if (placement === 'waiting' && !tryAnchor(true)) toDock();
    });
    if (!wasWaiting) watch();
    // Every caller has just searched the page; without the heuristic, the new panel may already be there.
    if (performance.now() - lastHeuristicAt > TIMER_SLACK_MS) requestLook();
  }

  /** Finds the panel and puts the meter right after it; false when there is none (yet). */
  function tryAnchor(heuristic: boolean): boolean {
    if (unstable) return false;
    const found = findAnchor(anchors, { heuristic });
    if (heuristic && found?.foundBy !== 'selector') lastHeuristicAt = performance.now();
    if (!found || !found.element.parentElement || shifting.get(found.element) === layoutOf(found.element)) return false;
    return placeAnchored(found);
  }

  /**
   * After the panel, in the page's flow: nothing above the panel moves, so its Buy and Sell
   * buttons stay under the trader's pointer. If the panel moves or resizes anyway (a flex or
   * grid parent sharing space), take the meter out again and dock it.
   */
  function placeAnchored(found: FoundAnchor): boolean {
    if (fightingThePage()) {
      unstable = true;
      toDock();
      return true;
    }
    const panel = found.element;
    host.remove();
    const before = panel.getBoundingClientRect();
    host.style.cssText = ANCHORED_STYLE;
    panel.after(host);
    if (shifted(before, panel.getBoundingClientRect())) {
      host.remove();
      shifting.set(panel, layoutOf(panel));
      toDock();
      return true;
    }
    anchor = panel;
    cancelDeadline();
    host.setAttribute('data-theme', pageTheme(panel));
    host.removeAttribute('data-docked');
    host.setAttribute('data-anchor', found.foundBy === 'selector' ? `selector:${found.index}` : 'heuristic');
    set('anchored');
    // The meter has new ancestors: watch those.
    watch();
    return true;
  }

  function fightingThePage(): boolean {
    const now = performance.now();
    placements = placements.filter((t) => now - t < PLACEMENT_WINDOW_MS);
    placements.push(now);
    return placements.length > MAX_PLACEMENTS;
  }

  function toDock(): void {
    const wasDocked = placement === 'docked' && host.isConnected;
    anchor = null;
    cancelDeadline();
    host.setAttribute('data-docked', '');
    host.setAttribute('data-theme', pageTheme(document.body));
    host.removeAttribute('data-anchor');
    if (!wasDocked) {
      host.style.cssText = DOCK_CORNER_STYLE;
      (document.body ?? document.documentElement).append(host);
    }
    // Said even when it was docked already: the window goes back where the trader left it.
    set('docked', true);
    if (!wasDocked) watch();
  }

  /** The one place the placement changes: the host says it (a contract external tools read) and the owner hears it. */
  function set(next: Placement, moved = false): void {
    host.setAttribute('data-placement', next);
    if (next === placement && !moved) return;
    placement = next;
    onPlaced(next);
  }

  return {
    get current() {
      return placement;
    },
    follow() {
      active = true;
      unstable = false;
      placements = [];
      // The exchange re-renders its panel for the new symbol; look for it afresh.
      if (placement !== 'anchored' || !attached()) locate();
      watch();
    },
    leave() {
      active = false;
      unstable = false;
      placements = [];
      stopWatching();
      host.remove();
      anchor = null;
      set('waiting');
    },
    halt: stopWatching,
    dock: toDock,
  };
}

function shifted(before: DOMRect, after: DOMRect): boolean {
  return (
    Math.abs(before.top - after.top) > SHIFT_TOLERANCE_PX ||
    Math.abs(before.left - after.left) > SHIFT_TOLERANCE_PX ||
    Math.abs(before.width - after.width) > SHIFT_TOLERANCE_PX ||
    Math.abs(before.height - after.height) > SHIFT_TOLERANCE_PX
  );
}

/** The panel's box and the page's size, as text: what must change before a panel that shifted is tried again. */
function layoutOf(panel: Element): string {
  const { left, top, width, height } = panel.getBoundingClientRect();
  const page = document.documentElement;
  return `${left},${top},${width},${height},${page.clientWidth},${page.scrollHeight}`;
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
