/**
 * Clock skew between this machine and a venue. Liquidations are bucketed by the venue's
 * event time; if the machine's clock is off (or the venue's), every event would land in the
 * wrong minute, or be dropped as "from the future". The estimator keeps the median of
 * (received − event time) over recent live events and, when it is clearly more than network
 * latency, maps venue times onto the local clock.
 */

const SAMPLES = 51;
/** Below this the difference is latency and jitter, not skew: leave times alone. */
export const SKEW_TOLERANCE_MS = 10_000;

export class SkewEstimator {
  private readonly samples: number[] = [];

  observe(eventTime: number, receivedAt: number): void {
    const delta = receivedAt - eventTime;
    if (!Number.isFinite(delta)) return;
    this.samples.push(delta);
    if (this.samples.length > SAMPLES) this.samples.shift();
  }

  /** The venue-to-local correction in ms (0 when within tolerance or unknown). */
  offset(): number {
    if (this.samples.length < 5) return 0;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    return Math.abs(median) > SKEW_TOLERANCE_MS ? median : 0;
  }

  /** Event time on the local clock. */
  toLocal(eventTime: number): number {
    return eventTime + this.offset();
  }
}
