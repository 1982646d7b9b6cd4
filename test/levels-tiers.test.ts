/**
 * The public maintenance-margin tier endpoints of Bybit, OKX, Bitget and Hyperliquid, and Binance's documented
 * table, read into the common MarginTable (src/core/margin.ts). Payloads: test/fixtures (see its README).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maintenanceFor, type MarginTable } from '../src/core/margin';
import { VenueDataError, type InstrumentSpec } from '../src/core/model';
import { binanceMarginTables } from '../src/venues/binance';
import { bitget } from '../src/venues/bitget';
import { bybit } from '../src/venues/bybit';
import { hyperliquid } from '../src/venues/hyperliquid';
import { okx } from '../src/venues/okx';
import { fixture } from './fixtures';

const spec = (venue: InstrumentSpec['venue'], symbol: string, asset: string, contract: InstrumentSpec['contract'] = { type: 'linear', size: 1 }, priceScale = 1): InstrumentSpec => ({
  venue,
  symbol,
  asset,
  kind: 'perp',
  priceScale,
  contract,
});

/** Every number of every table finite (Infinity only as the last tier's bound) and every rate a fraction. */
function wellFormed(tables: MarginTable[]): void {
  for (const table of tables) {
    expect(table.tiers.length).toBeGreaterThan(0);
    table.tiers.forEach((tier, i) => {
      if (i < table.tiers.length - 1) expect(Number.isFinite(tier.maxNotional)).toBe(true);
      else expect(tier.maxNotional).toBe(Number.POSITIVE_INFINITY);
      expect(tier.maintenanceMarginRate).toBeGreaterThanOrEqual(0);
      expect(tier.maintenanceMarginRate * tier.maxLeverage).toBeLessThan(1);
      expect(Number.isFinite(tier.maintenanceAmount)).toBe(true);
    });
  }
}

describe('Bybit GET /v5/market/risk-limit', () => {
  const catalogue = [spec('bybit', 'BTCUSDT', 'BTC'), spec('bybit', 'BTCUSD', 'BTC', { type: 'inverse', usd: 1 }), spec('bybit', 'XRPUSD', 'XRP', { type: 'inverse', usd: 1 }), spec('bybit', '1000PEPEUSDT', 'PEPE', { type: 'linear', size: 1 }, 1000)];

  it('asks for each tracked asset’s main perpetual, in its category', () => {
    expect(bybit.marginTierRequests!(['BTC', 'XRP', 'PEPE', 'DOGE'], catalogue)).toEqual([
      { key: 'riskLimit:BTCUSDT', url: 'https://api.bybit.com/v5/market/risk-limit?category=linear&symbol=BTCUSDT' },
      { key: 'riskLimit:XRPUSD', url: 'https://api.bybit.com/v5/market/risk-limit?category=inverse&symbol=XRPUSD' },
      { key: 'riskLimit:1000PEPEUSDT', url: 'https://api.bybit.com/v5/market/risk-limit?category=linear&symbol=1000PEPEUSDT' },
    ]);
  });

  it('reads linear tiers: fractions, riskLimitValue in USDT, mmDeduction ("" is none)', () => {
    const tables = bybit.parseMarginTiers!('riskLimit:BTCUSDT', fixture('bybit-risk-limit-linear-rest.json'), catalogue);
    wellFormed(tables);
    expect(tables).toEqual([
      {
        venue: 'bybit',
        symbol: 'BTCUSDT',
        asset: 'BTC',
        unit: 'usd',
        tiers: [
          { maxNotional: 2_000_000, maintenanceMarginRate: 0.005, maxLeverage: 100, maintenanceAmount: 0 },
          { maxNotional: 2_600_000, maintenanceMarginRate: 0.0056, maxLeverage: 90, maintenanceAmount: 1_200 },
          { maxNotional: Number.POSITIVE_INFINITY, maintenanceMarginRate: 0.0062, maxLeverage: 81.96, maintenanceAmount: 2_760 },
        ],
      },
    ]);
    expect(maintenanceFor(tables[0], 10, 2_400_000, 60_000)).toEqual({ rate: 0.0056, deduction: 1_200 / 2_400_000 });
  });

  it('reads the docs’ inverse example, whose rates are in percent (0.5 and 1 at 100×), riskLimitValue in coin', () => {
    const tables = bybit.parseMarginTiers!('riskLimit:BTCUSD', fixture('bybit-risk-limit-inverse-rest-docs.json'), catalogue);
    wellFormed(tables);
    expect(tables).toEqual([{ venue: 'bybit', symbol: 'BTCUSD', asset: 'BTC', unit: 'base', tiers: [{ maxNotional: Number.POSITIVE_INFINITY, maintenanceMarginRate: 0.005, maxLeverage: 100, maintenanceAmount: 0 }] }]);
  });

  it('refuses an error answer, a malformed row, and rates that match neither unit', () => {
    const body = fixture('bybit-risk-limit-linear-rest.json') as { result: { list: Array<Record<string, unknown>> } };
    expect(() => bybit.parseMarginTiers!('riskLimit:BTCUSDT', { retCode: 10001, retMsg: 'params error', result: {} }, catalogue)).toThrow(VenueDataError);
    const missing = structuredClone(body);
    delete missing.result.list[1]!.maintenanceMargin;
    expect(() => bybit.parseMarginTiers!('riskLimit:BTCUSDT', missing, catalogue)).toThrow(VenueDataError);
    const odd = structuredClone(body);
    odd.result.list[0]!.initialMargin = '0.3';
    expect(() => bybit.parseMarginTiers!('riskLimit:BTCUSDT', odd, catalogue)).toThrow(/does not match maxLeverage/);
    expect(() => bybit.parseMarginTiers!('tickers:linear', body, catalogue)).toThrow(VenueDataError);
  });

  it('skips symbols the catalogue does not list', () => {
    expect(bybit.parseMarginTiers!('riskLimit:BTCUSDT', fixture('bybit-risk-limit-linear-rest.json'), [])).toEqual([]);
  });
});

describe('OKX GET /api/v5/public/position-tiers', () => {
  const catalogue = okx.parseInstruments('instruments:SWAP', fixture('okx-instruments-swap-rest.json'));

  it('asks for the tracked families, five to a request, cross margin', () => {
    const many = [...catalogue, ...['SOL', 'XRP', 'DOGE', 'ADA', 'LINK'].map((asset) => spec('okx', `${asset}-USDT-SWAP`, asset, { type: 'linear', size: 1 }))];
    expect(okx.marginTierRequests!(['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'ADA', 'LINK'], many).map((r) => r.url)).toEqual([
      'https://www.okx.com/api/v5/public/position-tiers?instType=SWAP&tdMode=cross&instFamily=BTC-USDT,ETH-USDT,SOL-USDT,XRP-USDT,DOGE-USDT',
      'https://www.okx.com/api/v5/public/position-tiers?instType=SWAP&tdMode=cross&instFamily=ADA-USDT,LINK-USDT',
    ]);
  });

  it('reads tiers in contracts as coins (ctVal 0.01 BTC, 0.1 ETH): the model values them at the price', () => {
    const tables = okx.parseMarginTiers!('positionTiers:BTC-USDT,ETH-USDT', fixture('okx-position-tiers-swap-rest.json'), catalogue);
    wellFormed(tables);
    const btc = tables.find((t) => t.symbol === 'BTC-USDT-SWAP')!;
    expect(btc.unit).toBe('base');
    expect(btc.tiers.map((t) => [t.maxNotional, t.maintenanceMarginRate, t.maxLeverage])).toEqual([
      [50, 0.004, 125],
      [200, 0.005, 100],
      [Number.POSITIVE_INFINITY, 0.01, 50],
    ]);
    // 50 BTC at 60,000 is 3,000,000 USD: a 4,000,000 USD position is in tier 2.
    expect(maintenanceFor(btc, 10, 4_000_000, 60_000)!.rate).toBe(0.005);
    expect(tables.find((t) => t.symbol === 'ETH-USDT-SWAP')!.tiers).toEqual([{ maxNotional: Number.POSITIVE_INFINITY, maintenanceMarginRate: 0.005, maxLeverage: 100, maintenanceAmount: 0 }]);
  });

  it('reads an inverse swap’s tiers in USD (ctVal 100 USD)', () => {
    const body = { code: '0', msg: '', data: [{ instFamily: 'BTC-USD', instId: '', uly: 'BTC-USD', tier: '1', minSz: '0', maxSz: '10000', mmr: '0.004', imr: '0.008', maxLever: '125' }, { instFamily: 'BTC-USD', instId: '', uly: 'BTC-USD', tier: '2', minSz: '10001', maxSz: '30000', mmr: '0.005', imr: '0.01', maxLever: '100' }] };
    const [table] = okx.parseMarginTiers!('positionTiers:BTC-USD', body, catalogue);
    expect(table).toMatchObject({ symbol: 'BTC-USD-SWAP', unit: 'usd' });
    expect(table!.tiers[0]!.maxNotional).toBe(1_000_000);
  });

  it('refuses an error answer and a malformed row', () => {
    expect(() => okx.parseMarginTiers!('positionTiers:BTC-USDT', { code: '51000', msg: 'Parameter instFamily error', data: [] }, catalogue)).toThrow(VenueDataError);
    const body = fixture('okx-position-tiers-swap-rest.json') as { data: Array<Record<string, unknown>> };
    const bad = structuredClone(body);
    bad.data[0]!.mmr = 'abc';
    expect(() => okx.parseMarginTiers!('positionTiers:BTC-USDT', bad, catalogue)).toThrow(VenueDataError);
  });
});

describe('Bitget GET /api/v2/mix/market/query-position-lever', () => {
  const catalogue = [spec('bitget', 'BTCUSDT', 'BTC'), spec('bitget', 'ETHUSDT', 'ETH')];

  it('asks per tracked perpetual', () => {
    expect(bitget.marginTierRequests!(['BTC'], catalogue)).toEqual([{ key: 'positionTier:BTCUSDT', url: 'https://api.bitget.com/api/v2/mix/market/query-position-lever?symbol=BTCUSDT&productType=USDT-FUTURES' }]);
  });

  it('reads the docs example: 0–50,000 USDT at 125× and 0.4 %, then 100× and 0.5 %', () => {
    const tables = bitget.parseMarginTiers!('positionTier:BTCUSDT', fixture('bitget-mix-query-position-lever-rest-docs.json'), catalogue);
    wellFormed(tables);
    expect(tables).toEqual([
      {
        venue: 'bitget',
        symbol: 'BTCUSDT',
        asset: 'BTC',
        unit: 'usd',
        tiers: [
          { maxNotional: 50_000, maintenanceMarginRate: 0.004, maxLeverage: 125, maintenanceAmount: 0 },
          { maxNotional: Number.POSITIVE_INFINITY, maintenanceMarginRate: 0.005, maxLeverage: 100, maintenanceAmount: 0 },
        ],
      },
    ]);
  });

  it('refuses an error answer', () => {
    expect(() => bitget.parseMarginTiers!('positionTier:BTCUSDT', { code: '40034', msg: 'Parameter does not exist', data: null }, catalogue)).toThrow(VenueDataError);
  });
});

describe('Hyperliquid POST /info meta: marginTables', () => {
  const catalogue = [spec('hyperliquid', 'BTC', 'BTC'), spec('hyperliquid', 'ETH', 'ETH'), spec('hyperliquid', 'kPEPE', 'PEPE', { type: 'linear', size: 1 }, 1000), spec('hyperliquid', 'OP', 'OP')];

  it('asks for meta once, whatever is tracked', () => {
    expect(hyperliquid.marginTierRequests!(['BTC', 'ETH'], catalogue)).toEqual([{ key: 'marginTables', url: 'https://api.hyperliquid.xyz/info', method: 'POST', body: { type: 'meta' } }]);
  });

  it('reads the docs’ tiers: rate = 1/(2 · max leverage), deductions continuous, ids below 50 flat', () => {
    const tables = hyperliquid.parseMarginTiers!('marginTables', fixture('hyperliquid-meta-margin-tables-rest.json'), catalogue);
    wellFormed(tables);
    expect(tables.map((t) => t.symbol)).toEqual(['BTC', 'ETH', 'kPEPE', 'OP']);
    const btc = tables[0]!;
    expect(btc).toMatchObject({ unit: 'usd', asset: 'BTC' });
    expect(btc.tiers).toEqual([
      { maxNotional: 150_000_000, maintenanceMarginRate: 1 / 80, maxLeverage: 40, maintenanceAmount: 0 },
      { maxNotional: Number.POSITIVE_INFINITY, maintenanceMarginRate: 1 / 40, maxLeverage: 20, maintenanceAmount: 150_000_000 * (1 / 40 - 1 / 80) },
    ]);
    expect(tables[3]!.tiers).toEqual([{ maxNotional: Number.POSITIVE_INFINITY, maintenanceMarginRate: 0.05, maxLeverage: 10, maintenanceAmount: 0 }]);
  });

  it('falls back to the coin’s own max leverage where meta lists no table for it (the docs example)', () => {
    const tables = hyperliquid.parseMarginTiers!('marginTables', fixture('hyperliquid-meta-rest.json'), catalogue);
    expect(tables.find((t) => t.symbol === 'BTC')!.tiers).toEqual([{ maxNotional: Number.POSITIVE_INFINITY, maintenanceMarginRate: 0.01, maxLeverage: 50, maintenanceAmount: 0 }]);
  });

  it('refuses a malformed meta', () => {
    expect(() => hyperliquid.parseMarginTiers!('marginTables', { universe: [{ name: 'BTC', marginTableId: 56 }], marginTables: [[56, { marginTiers: [] }]] }, catalogue)).toThrow(VenueDataError);
    expect(() => hyperliquid.parseMarginTiers!('marginTables', [1, 2], catalogue)).toThrow(VenueDataError);
  });
});

describe('Binance: the documented BTCUSDT table', () => {
  it('is a table for BTCUSDT when the catalogue lists it, none otherwise', () => {
    const [table] = binanceMarginTables([spec('binance', 'BTCUSDT', 'BTC')]);
    wellFormed([table!]);
    expect(table!.tiers.map((t) => [t.maxLeverage, t.maintenanceMarginRate, t.maintenanceAmount])).toEqual([
      [125, 0.004, 0],
      [100, 0.005, 50],
      [50, 0.01, 1_300],
    ]);
    expect(binanceMarginTables([spec('binance', 'ETHUSDT', 'ETH')])).toEqual([]);
  });
});

describe('tier parsers on arbitrary input', () => {
  const parsers = [
    () => [bybit, 'riskLimit:BTCUSDT', [spec('bybit', 'BTCUSDT', 'BTC')]] as const,
    () => [okx, 'positionTiers:BTC-USDT', okx.parseInstruments('instruments:SWAP', fixture('okx-instruments-swap-rest.json'))] as const,
    () => [bitget, 'positionTier:BTCUSDT', [spec('bitget', 'BTCUSDT', 'BTC')]] as const,
    () => [hyperliquid, 'marginTables', [spec('hyperliquid', 'BTC', 'BTC')]] as const,
  ];

  it('either throw a VenueDataError or give well-formed tables', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: parsers.length - 1 }), fc.jsonValue(), (which, body) => {
        const [adapter, key, instruments] = parsers[which]!();
        try {
          wellFormed(adapter.parseMarginTiers!(key, body, instruments));
        } catch (error) {
          expect(error).toBeInstanceOf(VenueDataError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
