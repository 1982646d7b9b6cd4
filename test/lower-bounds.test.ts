/** Which totals are lower bounds: a sampled feed (Binance) that contributed to the window marks them "≥". */
import { describe, expect, it } from 'vitest';
import { FlushEngine, type EngineState } from '../src/core/engine';
import type { Liquidation, VenueId } from '../src/core/model';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const HOUR = 60 * 60_000;
const completeness = { binance: 'sampled', bybit: 'complete' } as const;

function liq(venue: VenueId, time: number, asset = 'BTC'): Liquidation {
  return { venue, symbol: `${asset}USDT`, asset, kind: 'perp', side: 'long', price: 72_000, quantity: 1, notionalUsd: 72_000, time };
}

describe('lower bounds from sampled feeds', () => {
  it('marks the day as a lower bound when the sampled feed contributed hours ago, the hour only when it did in the hour', () => {
    const engine = new FlushEngine(completeness, NOW - 6 * HOUR);
    engine.ingestLiquidation(liq('binance', NOW - 5 * HOUR), NOW - 5 * HOUR);
    engine.ingestLiquidation(liq('bybit', NOW - 10 * 60_000), NOW);
    engine.ingestLiquidation(liq('bybit', NOW - 3 * HOUR, 'ETH'), NOW);
    engine.prune(NOW);
    const { scopes } = engine.readings(NOW, ['BTC', 'ETH']);
    expect(scopes.BTC!.sampledVenues).toEqual([]);
    expect(scopes.BTC!.sampledVenues24h).toEqual(['binance']);
    expect(scopes.ALL!.sampledVenues24h).toEqual(['binance']);
    expect(scopes.ETH!.sampledVenues24h).toEqual([]);
  });

  it('keeps it across a restart, forgets it after 24 h, and skips malformed stored entries', () => {
    const engine = new FlushEngine(completeness, NOW - 6 * HOUR);
    engine.ingestLiquidation(liq('binance', NOW - 5 * HOUR), NOW - 5 * HOUR);
    engine.ingestLiquidation(liq('binance', NOW - 30 * 60_000, 'SOL'), NOW);
    const state = JSON.parse(JSON.stringify(engine.toJSON())) as EngineState;
    const restored = new FlushEngine(completeness, NOW, state);
    expect(restored.readings(NOW, ['BTC']).scopes.BTC!.sampledVenues24h).toEqual(['binance']);
    restored.prune(NOW + 20 * HOUR);
    expect(restored.readings(NOW + 20 * HOUR, ['BTC']).scopes.BTC!.sampledVenues24h).toEqual([]);
    const malformed = new FlushEngine(completeness, NOW, { ...state, sampledAt: { 'binance|BTC': 'x', nonsense: 5, 'binance|SOL': NOW - 30 * 60_000 } as never });
    expect(malformed.toJSON().sampledAt).toEqual({ 'binance|SOL': NOW - 30 * 60_000 });
    expect(malformed.readings(NOW, ['BTC', 'SOL']).scopes.BTC!.sampledVenues24h).toEqual([]);
  });
});
