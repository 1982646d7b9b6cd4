/**
 * Coalesces many requests into at most one run per interval: storage writes stay batched
 * (a few per second at most) however fast events arrive.
 */
export class Coalescer {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly intervalMs: number,
    private readonly run: () => Promise<void>,
  ) {}

  request(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.running.then(this.run).catch((error) => console.error('flush-meter: batched write failed', error));
    }, this.intervalMs);
  }

  /** Runs now (e.g. before the worker may be stopped) and cancels the pending timer. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.running = this.running.then(this.run);
    await this.running;
  }
}
