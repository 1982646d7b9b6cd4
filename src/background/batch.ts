/**
 * Throttles many requests into at most one run per interval, leading edge first: the first
 * change after a quiet spell is written at once (a lone liquidation reaches the page in
 * milliseconds), and a burst is coalesced into one trailing run per interval, so storage
 * writes stay batched however fast events arrive.
 */
export class Coalescer {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly intervalMs: number,
    private readonly run: () => Promise<void>,
  ) {}

  request(): void {
    if (this.timer) {
      this.pending = true;
      return;
    }
    this.execute();
    this.startCooldown();
  }

  /** Runs now (e.g. before the worker may be stopped), whatever the throttle says. */
  async flush(): Promise<void> {
    this.pending = false;
    this.execute();
    await this.running;
  }

  private startCooldown(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.pending) return;
      this.pending = false;
      this.execute();
      this.startCooldown();
    }, this.intervalMs);
  }

  private execute(): void {
    this.running = this.running.then(this.run).catch((error) => console.error('flush-meter: batched write failed', error));
  }
}
