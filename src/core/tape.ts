/**
 * The live tape: the largest liquidations as they print. One bounded store of the most recent
 * prints at or above a floor, newest first, fed by the worker with live liquidations only (after
 * dedupe; never history back-fill) and published under one storage key (BUS_KEYS.tape). Pages
 * filter it by the trader's own threshold (settings.tape.minUsd) and asset. Pure: no browser APIs.
 */
import type { Liquidation, PositionSide, VenueId } from './model';

/** One print as the tape keeps and publishes it (a small, flat record). */
export interface TapePrint {
  venue: VenueId;
  symbol: string;
  asset: string;
  side: PositionSide;
  /** Per one unit of the canonical asset. */
  price: number;
  /** Notional in USD. */
  usd: number;
  /** Event time, ms (on the worker's clock, as the readings are). */
  time: number;
  /** The venue pushes at most one liquidation per symbol per interval: this print is a sample. */
  sampled: boolean;
}

/** What the tape serializes to (and what BUS_KEYS.tape holds). Prints newest first. */
export interface TapeState {
  v: 1;
  prints: TapePrint[];
}

/** Prints kept: enough for a popup screen at any sensible threshold. */
export const TAPE_CAPACITY = 200;
/** Smaller prints are never kept (the lowest threshold the options allow). */
export const TAPE_FLOOR_USD = 10_000;

export interface TapeQuery {
  /** Only prints at or above this USD size. */
  minUsd?: number;
  /** Only this asset's prints. */
  asset?: string;
  /** At most this many (the newest). */
  limit?: number;
}

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** A print's identity, for telling new prints from ones already seen. */
export function printKey(print: TapePrint): string {
  return `${print.venue}|${print.symbol}|${print.side}|${print.time}|${print.price}|${print.usd}`;
}

/** Well-formed, NaN-free print, or null. */
function validPrint(value: unknown): TapePrint | null {
  if (typeof value !== 'object' || value === null) return null;
  const p = value as Record<string, unknown>;
  if (typeof p.venue !== 'string' || typeof p.symbol !== 'string' || typeof p.asset !== 'string') return null;
  if (p.side !== 'long' && p.side !== 'short') return null;
  if (!finite(p.price) || !finite(p.usd) || !finite(p.time) || p.price <= 0 || p.usd <= 0) return null;
  return { venue: p.venue as VenueId, symbol: p.symbol, asset: p.asset, side: p.side, price: p.price, usd: p.usd, time: p.time, sampled: p.sampled === true };
}

/** A stored or published tape's prints, newest first, invalid ones dropped (anything else reads as none). */
export function tapePrints(state: unknown, query: TapeQuery = {}): TapePrint[] {
  const prints = typeof state === 'object' && state !== null && Array.isArray((state as TapeState).prints) ? (state as TapeState).prints : [];
  const valid = prints.map(validPrint).filter((p): p is TapePrint => p !== null);
  valid.sort((a, b) => b.time - a.time);
  return filterPrints(valid, query);
}

function filterPrints(prints: readonly TapePrint[], { minUsd, asset, limit }: TapeQuery): TapePrint[] {
  const out: TapePrint[] = [];
  for (const print of prints) {
    if (limit !== undefined && out.length >= limit) break;
    if (minUsd !== undefined && print.usd < minUsd) continue;
    if (asset !== undefined && print.asset !== asset) continue;
    out.push(print);
  }
  return out;
}

export class Tape {
  /** Newest first. */
  private prints: TapePrint[] = [];
  private changed = false;

  constructor(
    readonly capacity = TAPE_CAPACITY,
    readonly floorUsd = TAPE_FLOOR_USD,
    state?: unknown,
  ) {
    if (state !== undefined) this.prints = tapePrints(state).filter((p) => p.usd >= floorUsd).slice(0, capacity);
  }

  /** Keeps a live liquidation if it is at or above the floor; true when the tape changed. */
  add(liquidation: Liquidation, sampled: boolean): boolean {
    const print = validPrint({ venue: liquidation.venue, symbol: liquidation.symbol, asset: liquidation.asset, side: liquidation.side, price: liquidation.price, usd: liquidation.notionalUsd, time: liquidation.time, sampled });
    if (!print || print.usd < this.floorUsd) return false;
    // Older than everything in a full tape: it would fall off at once.
    if (this.prints.length >= this.capacity && print.time <= this.prints.at(-1)!.time) return false;
    // Prints arrive nearly in order: insert from the front, after every print at least as new.
    let at = 0;
    while (at < this.prints.length && this.prints[at]!.time > print.time) at++;
    this.prints.splice(at, 0, print);
    if (this.prints.length > this.capacity) this.prints.length = this.capacity;
    this.changed = true;
    return true;
  }

  get size(): number {
    return this.prints.length;
  }

  /** The kept prints, newest first, filtered. */
  list(query: TapeQuery = {}): TapePrint[] {
    return filterPrints(this.prints, query);
  }

  toJSON(): TapeState {
    return { v: 1, prints: this.prints.map((p) => ({ ...p })) };
  }

  /** The state to publish if anything was added since the last call, else null. */
  takeChanges(): TapeState | null {
    if (!this.changed) return null;
    this.changed = false;
    return this.toJSON();
  }
}
