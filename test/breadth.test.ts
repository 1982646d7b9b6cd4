/** Breadth: every asset with liquidations in the hour, most liquidated first, small enough for the popup. */
import { describe, expect, it } from 'vitest';
import { breadthOf, BREADTH_SIZE } from '../src/core/breadth';
import { FlushEngine } from '../src/core/engine';

const NOW = Date.UTC(2026, 11, 2, 12, 0);

function engineWith(usdByAsset: Record<string, number>): FlushEngine {
  const engine = new FlushEngine({ bybit: 'complete', binance: 'sampled' }, NOW - 3_600_000);
  let i = 0;
  for (const [asset, usd] of Object.entries(usdByAsset)) {
    engine.ingestLiquidation({ venue: i % 2 ? 'binance' : 'bybit', symbol: `${asset}USDT`, asset, kind: 'perp', side: i % 3 ? 'long' : 'short', price: 1, quantity: usd, notionalUsd: usd, time: NOW - 60_000 * (1 + i) }, NOW);
    i += 1;
  }
  return engine;
}

describe('breadth', () => {
  it('ranks every liquidated asset by its hour, not just the watched ones, with side, long share, lower bounds and phase', () => {
    const engine = engineWith({ DOGE: 5e6, PEPE: 9e6, BTC: 1e6, WIF: 2e5 });
    const breadth = breadthOf(engine.readings(NOW, ['BTC']));
    expect(breadth.rows.map((r) => r.asset)).toEqual(['PEPE', 'DOGE', 'BTC', 'WIF']);
    expect(breadth.assets).toBe(4);
    const pepe = breadth.rows[0]!;
    expect(pepe.liq1hUsd).toBe(9e6);
    expect(pepe.longShare).toBe(1);
    expect(pepe.sampled).toBe(true); // binance
    expect(breadth.rows[1]!.sampled).toBe(false); // bybit
    expect(typeof pepe.phase).toBe('string');
    expect(JSON.stringify(breadth)).not.toMatch(/NaN/);
  });

  it(`keeps the top ${BREADTH_SIZE} and counts the rest; an asset with nothing in the hour is not listed`, () => {
    const usd = Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`A${String(i).padStart(2, '0')}`, 1e5 * (i + 1)]));
    const engine = engineWith(usd);
    const breadth = breadthOf(engine.readings(NOW, []));
    expect(breadth.rows).toHaveLength(BREADTH_SIZE);
    expect(breadth.assets).toBe(45);
    expect(breadth.rows[0]!.asset).toBe('A44');
    expect(breadth.rows.every((row, i) => i === 0 || breadth.rows[i - 1]!.liq1hUsd >= row.liq1hUsd)).toBe(true);
    expect(breadthOf(engine.readings(NOW + 2 * 3_600_000, [])).rows).toEqual([]);
  });
});
