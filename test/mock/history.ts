/**
 * Candles and funding settlements the mock venues serve from a scenario, in plain numbers (each venue
 * file writes them in its own wire format). Both come from the view's past rows (`marketHistory`),
 * stamped on the mock's clock.
 *
 * A row at wall time t holds the scenario as of t, so it is the close of the candle ending at the
 * period boundary at or before t (exactly t on the server, whose rows sit on boundaries). The
 * server's rows stop one period before the current one, so the candle just closed has no row and is
 * missing (a real venue has it; the adapters do not need it). The newest candle is the open one, at
 * the current price, as venues list it.
 */
import type { MockMarketView } from './types';

export interface MockCandle {
  /** Start of the candle, ms (on a period boundary). */
  start: number;
  /** Close per coin: the last price. */
  close: number;
}

/** Up to `limit` candles of `periodMs`, oldest first, the last one still open. */
export function mockCandles(view: MockMarketView, asset: string, periodMs: number, limit: number): MockCandle[] {
  const current = view.market(asset);
  if (!current || limit < 1) return [];
  const openStart = Math.floor(view.now / periodMs) * periodMs;
  const past = view.marketHistory(asset, periodMs, limit - 1).map((row) => ({ time: row.time, close: row.price }));
  const byStart = new Map<number, number>();
  for (const row of past) {
    const start = Math.floor(row.time / periodMs) * periodMs - periodMs;
    if (start < openStart) byStart.set(start, row.close);
  }
  byStart.set(openStart, current.price);
  return [...byStart.entries()]
    .sort(([a], [b]) => a - b)
    .slice(-limit)
    .map(([start, close]) => ({ start, close }));
}

/**
 * Up to `limit` funding settlements every `intervalHours`, oldest first: the scenario's funding as of
 * each settlement, per interval (the scenario's 8 h rate × hours ÷ 8).
 */
export function mockSettlements(view: MockMarketView, asset: string, intervalHours: number, limit: number): Array<{ time: number; rate: number; markPrice: number }> {
  if (limit < 1) return [];
  const intervalMs = intervalHours * 3_600_000;
  const bySettlement = new Map<number, { rate: number; markPrice: number }>();
  for (const row of view.marketHistory(asset, intervalMs, limit)) {
    bySettlement.set(Math.floor(row.time / intervalMs) * intervalMs, { rate: (row.fundingRate8h * intervalHours) / 8, markPrice: row.markPrice });
  }
  return [...bySettlement.entries()].sort(([a], [b]) => a - b).map(([time, row]) => ({ time, ...row }));
}
