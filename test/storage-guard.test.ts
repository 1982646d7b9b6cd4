import { describe, expect, it } from 'vitest';
import { writeWithPurge } from '../src/background/storage-guard';
import { FlushEngine } from '../src/core/engine';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const HOUR = 3_600_000;

function engineWithDay(): FlushEngine {
  const engine = new FlushEngine({}, NOW - 24 * HOUR);
  for (let minute = 0; minute < 24 * 60; minute += 5) {
    const time = NOW - 24 * HOUR + minute * 60_000 + 1;
    engine.ingestLiquidation({ venue: 'okx', symbol: 'BTC-USDT-SWAP', asset: 'BTC', kind: 'perp', side: 'long', price: 72000, quantity: 1, notionalUsd: 72_000, time }, NOW);
    engine.ingestMarket({ venue: 'okx', symbol: 'BTC-USDT-SWAP', asset: 'BTC', kind: 'perp', time, markPrice: 72000, openInterestUsd: 3e9 });
  }
  return engine;
}

describe('storage full', () => {
  it('purges the oldest history until the write fits, keeping the current windows', async () => {
    const engine = engineWithDay();
    const lastHour = engine.windows.totals(NOW, 60);
    const limit = JSON.stringify(engine.toJSON()).length * 0.5;
    const written: string[] = [];
    const write = async (items: Record<string, unknown>) => {
      const json = JSON.stringify(items);
      if (json.length > limit) throw new Error('Resource::kQuotaBytes quota exceeded');
      written.push(json);
    };
    const { purged } = await writeWithPurge(write, () => ({ engine: engine.toJSON() }), () => engine.purgeOldest(NOW));
    expect(purged).toBeGreaterThan(0);
    expect(written).toHaveLength(1);
    expect(engine.windows.totals(NOW, 60)).toEqual(lastHour);
    expect(engine.windows.totals(NOW, 24 * 60).totalUsd).toBeLessThan(72_000 * 288);
  });

  it('gives up (rethrows) when only the protected last two hours are left', async () => {
    const engine = engineWithDay();
    const lastTwoHours = engine.windows.totals(NOW, 121);
    const write = async () => {
      throw new Error('QUOTA_BYTES quota exceeded');
    };
    await expect(writeWithPurge(write, () => ({}), () => engine.purgeOldest(NOW), 50)).rejects.toThrow(/quota/);
    expect(engine.windows.totals(NOW, 121)).toEqual(lastTwoHours);
    expect(engine.windows.totals(NOW, 24 * 60)).toEqual(lastTwoHours);
  });

  it('rethrows errors that are not about space at once', async () => {
    let purges = 0;
    await expect(writeWithPurge(async () => Promise.reject(new Error('boom')), () => ({}), () => (purges++, true))).rejects.toThrow('boom');
    expect(purges).toBe(0);
  });
});
