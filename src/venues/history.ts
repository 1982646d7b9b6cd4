/**
 * What venue history endpoints mean, shared by the adapters that back-fill from them: which
 * candles are closed and when their close price was true, and which funding interval a settled
 * rate was for. Pure: no clock, no state; each adapter cites its venue's docs for the rows it feeds in.
 */

/** One candle as a venue lists it: its start (ms) and its close price (in the instrument's quoted units). */
export interface Candle {
  start: number;
  close: number;
}

/**
 * The closed candles of a "most recent candles" answer, each with the instant its close price was
 * true: the candle's end, start + `candleMs` (Binance's closeTime + 1 ms), which is also the next
 * candle's start and the 5-minute boundary the venues stamp open-interest history with, so price and
 * OI of one instant land in one history minute. The newest candle is the one still open (its "close"
 * is the last trade so far, and its end is in the future): it is left out, live polls cover it.
 * Oldest first; a start listed twice counts once.
 */
export function closedCandles(candles: readonly Candle[], candleMs: number): Array<{ time: number; close: number }> {
  return closedRows(candles, candleMs).map(({ time, close }) => ({ time, close }));
}

/** closedCandles for candles carrying more than a close: each closed one with its end as `time`, oldest first. */
export function closedRows<T extends { start: number }>(candles: readonly T[], candleMs: number): Array<T & { time: number }> {
  const byStart = new Map<number, T>();
  for (const candle of candles) byStart.set(candle.start, candle);
  const starts = [...byStart.keys()].sort((a, b) => a - b);
  // The newest start is the open candle, whatever order the venue lists them in.
  return starts.slice(0, -1).map((start) => ({ ...byStart.get(start)!, time: start + candleMs }));
}

/** Funding intervals venues use (hours); a spacing that is none of them is a gap, not an interval. */
const FUNDING_INTERVALS_HOURS = [1, 2, 4, 8] as const;
/** Settlement stamps jitter by milliseconds (Binance fundingTime …000, …001, …003). */
const SETTLEMENT_JITTER_MS = 60_000;
const HOUR_MS = 3_600_000;

/** One settled funding rate: the rate for one of the symbol's intervals, settled at `time`. */
export interface Settlement {
  time: number;
  rate: number;
}

/**
 * Settled funding rates with the interval each was for. A rate settled at T was paid for the
 * interval that ended at T, so its interval is the time since the settlement before it; that is
 * exact across a change of interval (Binance moves a symbol from 8 h to 4 h in a run of extreme
 * funding, and then lists it in fundingInfo, which the live poll reads). The oldest row only dates
 * the next one, and a spacing that is no funding interval (a missing row, a suspension) cannot be
 * normalised: such rows are left out rather than divided by the wrong hours. Oldest first.
 */
export function settlementsWithInterval(rows: readonly Settlement[]): Array<Settlement & { intervalHours: number }> {
  const sorted = [...rows].sort((a, b) => a.time - b.time);
  const out: Array<Settlement & { intervalHours: number }> = [];
  for (let i = 1; i < sorted.length; i++) {
    const spacing = sorted[i]!.time - sorted[i - 1]!.time;
    const hours = FUNDING_INTERVALS_HOURS.find((h) => Math.abs(spacing - h * HOUR_MS) <= SETTLEMENT_JITTER_MS);
    if (hours !== undefined) out.push({ ...sorted[i]!, intervalHours: hours });
  }
  return out;
}

/** Spacing of the history points a settled rate is spread over: the 5-minute grid price bars and OI history use. */
export const FUNDING_GRID_MS = 5 * 60_000;

/**
 * The instants a settled rate stood for: every FUNDING_GRID_MS boundary of the interval it was paid for,
 * (settlement − interval, settlement]. Live polls show the rate accruing for the current interval, so a
 * history read at any minute of that interval finds what a live poll would have shown then, rather than
 * one point per 8 h that a 15-minute staleness rule would read as unknown for the rest of it.
 */
export function fundingInstants(settlement: Settlement & { intervalHours: number }): number[] {
  const out: number[] = [];
  const last = Math.floor(settlement.time / FUNDING_GRID_MS) * FUNDING_GRID_MS;
  for (let t = last; t > settlement.time - settlement.intervalHours * HOUR_MS; t -= FUNDING_GRID_MS) out.unshift(t);
  return out;
}
