/**
 * The content script's life on one page: every timer, listener and observer hangs off one
 * AbortSignal so they all stop together, and every callback runs guarded so nothing is ever
 * thrown into the exchange's page.
 *
 * When the extension is updated or reloaded, Chrome leaves the old content script running in
 * open tabs with a dead extension context: `chrome.runtime.id` becomes undefined and every
 * `chrome.*` call throws "Extension context invalidated". The lifecycle notices either sign,
 * stops everything once, and tells its owner (which shows "reload the page").
 * No DOM here, so it is unit-tested in plain Node with a fake `chrome`.
 */

/** Why the content script stopped. */
export type StopReason =
  /** The extension was updated, reloaded or removed under the page. */
  | 'invalidated'
  /** A newer instance of the content script took over the page. */
  | 'takeover';

/** Messages of errors that mean the extension context is gone (Chrome; Firefox's dead wrappers). */
const INVALIDATED = /extension context invalidated|can't access dead object|dead object/i;

export function isInvalidationError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return INVALIDATED.test(message);
}

/** True while the extension context is alive: a dead one has no runtime id (or throws reading it). */
export function extensionAlive(api: { runtime?: { id?: string } } | undefined = globalThis.chrome): boolean {
  try {
    return Boolean(api?.runtime?.id);
  } catch {
    return false;
  }
}

type Timer = ReturnType<typeof setTimeout>;

export class Lifecycle {
  private readonly controller = new AbortController();
  /** Pass to addEventListener / followBus: aborted when the lifecycle stops. */
  readonly signal = this.controller.signal;
  private readonly intervals = new Set<Timer>();
  private readonly timeouts = new Set<Timer>();
  private stopReason: StopReason | null = null;

  constructor(
    private readonly alive: () => boolean,
    private readonly onStop: (reason: StopReason) => void,
    /** Unexpected errors (not an invalidated context) go here instead of into the page. */
    private readonly report: (error: unknown) => void = () => undefined,
  ) {}

  get stopped(): StopReason | null {
    return this.stopReason;
  }

  /** Checks the extension context; stops everything if it is gone. Returns whether to carry on. */
  check(): boolean {
    if (this.stopReason) return false;
    if (!this.alive()) this.stop('invalidated');
    return this.stopReason === null;
  }

  /** Runs `fn` guarded: a dead context stops the lifecycle, any other error is reported, never thrown. */
  run<T>(fn: () => T): T | undefined {
    if (this.stopReason) return undefined;
    try {
      return fn();
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  /** A guarded version of a callback, for observers and event listeners. */
  wrap<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => void this.run(() => fn(...args));
  }

  /** Awaits an extension API call guarded: resolves undefined instead of rejecting. */
  async settle<T>(call: () => Promise<T>): Promise<T | undefined> {
    if (this.stopReason) return undefined;
    try {
      return await call();
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  /** A repeating timer that first checks the extension context, and stops with the lifecycle; returns a cancel function. */
  every(ms: number, fn: () => void): () => void {
    if (this.stopReason) return () => undefined;
    const timer = setInterval(() => {
      if (this.check()) this.run(fn);
    }, ms);
    this.intervals.add(timer);
    return () => {
      clearInterval(timer);
      this.intervals.delete(timer);
    };
  }

  /** A one-off timer that stops with the lifecycle; returns a cancel function. */
  after(ms: number, fn: () => void): () => void {
    if (this.stopReason) return () => undefined;
    const timer = setTimeout(() => {
      this.timeouts.delete(timer);
      this.run(fn);
    }, ms);
    this.timeouts.add(timer);
    return () => {
      clearTimeout(timer);
      this.timeouts.delete(timer);
    };
  }

  /** Stops every timer, listener and observer, once; the owner hears the reason once. */
  stop(reason: StopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    for (const timer of this.intervals) clearInterval(timer);
    for (const timer of this.timeouts) clearTimeout(timer);
    this.intervals.clear();
    this.timeouts.clear();
    try {
      this.controller.abort();
      this.onStop(reason);
    } catch (error) {
      this.report(error);
    }
  }

  private fail(error: unknown): void {
    if (isInvalidationError(error) || !this.alive()) this.stop('invalidated');
    else this.report(error);
  }
}
