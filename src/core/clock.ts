/**
 * Clock skew between this machine and a venue. Liquidations are bucketed by the venue's
 * event time; a venue clock running ahead of ours puts events "in the future", where they
 * would be dropped or land in minutes that have not happened. The estimator keeps the
 * smallest (received − event time) over recent events: latency and replays of old events
 * only make that difference larger, so a clearly negative minimum is the venue's clock being
 * ahead, and venue times are then mapped onto ours. A venue clock behind ours looks exactly
 * like slow delivery and only shifts events by seconds, so it is left alone.
 */

const SAMPLES = 51;
/** Below this the difference is latency and jitter, not skew: leave times alone. */
export const SKEW_TOLERANCE_MS = 10_000;

export class SkewEstimator {
  private readonly samples: number[] = [];
  private cached = 0;

  observe(eventTime: number, receivedAt: number): void {
    const delta = receivedAt - eventTime;
    if (!Number.isFinite(delta)) return;
    this.samples.push(delta);
    if (this.samples.length > SAMPLES) this.samples.shift();
    const smallest = this.samples.length < 5 ? 0 : Math.min(...this.samples);
    this.cached = smallest < -SKEW_TOLERANCE_MS ? smallest : 0;
  }

  /** The venue-to-local correction in ms (0 when within tolerance or not yet known). */
  offset(): number {
    return this.cached;
  }

  /** Event time on the local clock. */
  toLocal(eventTime: number): number {
    return eventTime + this.offset();
  }
}
