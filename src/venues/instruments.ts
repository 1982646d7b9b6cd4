/**
 * Reading a venue's instrument catalogue: look-ups by symbol and the arithmetic that turns a
 * size and price in the instrument's own units into canonical units and USD. Shared by every
 * venue file; what a venue's contracts are worth is that venue's rule, in its file.
 */
import type { InstrumentSpec, Liquidation, PositionSide } from '../core/model';
import type { Coverage } from './types';

/**
 * Symbol → spec per catalogue array. A catalogue is replaced whole, never mutated, so a weak
 * memo keyed by the array is exact and frees itself with the array.
 */
const indexes = new WeakMap<readonly InstrumentSpec[], Map<string, InstrumentSpec>>();

/** Spot pairs may share a derivative's name (Binance BTCUSDT is both): they are looked up apart. */
const keyOf = (symbol: string, market: 'derivative' | 'spot') => (market === 'spot' ? `spot|${symbol}` : symbol);

export function findInstrument(instruments: readonly InstrumentSpec[], symbol: string, market: 'derivative' | 'spot' = 'derivative'): InstrumentSpec | undefined {
  let index = indexes.get(instruments);
  if (!index) {
    index = new Map(instruments.map((spec) => [keyOf(spec.symbol, spec.kind === 'spot' ? 'spot' : 'derivative'), spec]));
    indexes.set(instruments, index);
  }
  return index.get(keyOf(symbol, market));
}

/** The perpetuals (and spot pairs, where a venue lists them) of the tracked assets. */
export function instrumentsOf(instruments: readonly InstrumentSpec[], tracked: readonly string[], kind: InstrumentSpec['kind'] = 'perp'): InstrumentSpec[] {
  const wanted = new Set(tracked);
  return instruments.filter((spec) => spec.kind === kind && wanted.has(spec.asset));
}

/** Perpetuals and dated futures: what a liquidation total can cover. */
export function derivatives(instruments: readonly InstrumentSpec[]): InstrumentSpec[] {
  return instruments.filter((spec) => spec.kind !== 'spot');
}

/**
 * A fill of `size` (in the venue's size unit) at `price` (per quoted unit), for linear and
 * inverse contracts, in canonical units: price per one coin, quantity in coins, USD notional.
 * Quanto contracts need a settlement price and are valued by their venue.
 */
export function valueFill(spec: InstrumentSpec, size: number, price: number): { price: number; quantity: number; notionalUsd: number } {
  const canonicalPrice = price / spec.priceScale;
  if (spec.contract.type === 'inverse') {
    const notionalUsd = size * spec.contract.usd;
    return { price: canonicalPrice, quantity: notionalUsd / canonicalPrice, notionalUsd };
  }
  if (spec.contract.type === 'linear') {
    const quotedUnits = size * spec.contract.size;
    return { price: canonicalPrice, quantity: quotedUnits * spec.priceScale, notionalUsd: quotedUnits * price };
  }
  throw new Error(`${spec.venue} ${spec.symbol}: quanto contracts are valued by their venue`);
}

/**
 * One liquidation of a catalogued instrument. Spelled out in one place: every venue's
 * liquidations share one object shape, which keeps dedupe and aggregation monomorphic.
 */
export function liquidationOf(
  spec: InstrumentSpec,
  side: PositionSide,
  fill: { price: number; quantity: number; notionalUsd: number },
  time: number,
  id?: string,
): Liquidation {
  const liquidation: Liquidation = {
    venue: spec.venue,
    symbol: spec.symbol,
    asset: spec.asset,
    kind: spec.kind,
    side,
    price: fill.price,
    quantity: fill.quantity,
    notionalUsd: fill.notionalUsd,
    time,
  };
  if (id !== undefined) liquidation.id = id;
  return liquidation;
}

/**
 * Each asset's main perpetual on a venue, the one its market figures come from: a venue lists
 * several per asset (BTCUSDT, BTCUSD, BTCPERP), and the meter shows one figure per venue × asset,
 * the one on the exchange's page for that contract. `rank` orders them, lowest first (ties: first listed).
 */
export function mainPerpetuals(instruments: readonly InstrumentSpec[], rank: (spec: InstrumentSpec) => number): Map<string, InstrumentSpec> {
  const main = new Map<string, InstrumentSpec>();
  for (const spec of instruments) {
    if (spec.kind !== 'perp') continue;
    const current = main.get(spec.asset);
    if (!current || rank(spec) < rank(current)) main.set(spec.asset, spec);
  }
  return main;
}

/** A feed that reports every listed instrument (one channel, or a subscription per listed symbol). */
export function everyListedInstrument(_tracked: readonly string[], instruments: readonly InstrumentSpec[]): Coverage {
  const listed = derivatives(instruments).length;
  return { covered: listed, listed };
}
