/**
 * The liquidation-price and tier arithmetic of src/core/margin.ts against the venues' documented
 * formulas and worked examples (each cited where it is used).
 */
import { describe, expect, it } from 'vitest';
import { halfInitialMarginRate, liquidationPrice, maintenanceFor, marginTable, withMaintenanceAmounts, type MarginTier } from '../src/core/margin';
import type { InstrumentSpec } from '../src/core/model';
import { BINANCE_BTCUSDT_BRACKETS, binanceMarginTables } from '../src/venues/binance';

const BTCUSDT: InstrumentSpec = { venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1 } };
const binanceBtc = binanceMarginTables([BTCUSDT])[0]!;

/**
 * Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"
 * (https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93), one-way mode:
 *   LP = (WB − TMM + UPNL + cumB − Side1BOTH × Position1BOTH × EP1BOTH) / (Position1BOTH × MMB − Side1BOTH × Position1BOTH)
 * "In Isolated margin mode, WB is isolatedWalletBalance of the isolated position, TMM=0, UPNL=0".
 */
function binanceIsolated(side: 1 | -1, quantity: number, entry: number, walletBalance: number, mmr: number, cum: number): number {
  return (walletBalance + cum - side * quantity * entry) / (quantity * mmr - side * quantity);
}

describe('liquidation price: Binance USDⓈ-M (FAQ formula, isolated, one-way)', () => {
  it.each([
    // [side, quantity (BTC), entry, leverage]: bracket 1 (≤ 50,000 USDT), bracket 2, bracket 3.
    [1, 0.5, 60_000, 100],
    [-1, 0.5, 60_000, 100],
    [1, 1, 60_000, 10],
    [-1, 1, 60_000, 20],
    [1, 5, 60_000, 5],
    [-1, 5, 60_000, 25],
  ] as const)('side %i, %f BTC at %f, %i×: the model formula gives the FAQ price', (side, quantity, entry, leverage) => {
    const notional = quantity * entry;
    const bracket = BINANCE_BTCUSDT_BRACKETS.find(([cap]) => notional <= cap)!;
    const [, , mmr, cum] = bracket;
    // The isolated wallet balance of a position opened at `leverage` is its initial margin.
    const faq = binanceIsolated(side, quantity, entry, notional / leverage, mmr, cum);
    const maintenance = maintenanceFor(binanceBtc, leverage, notional, entry)!;
    expect(maintenance.rate).toBe(mmr);
    const model = liquidationPrice(side === 1 ? 'long' : 'short', entry, leverage, maintenance.rate, maintenance.deduction);
    expect(model).toBeCloseTo(faq, 6);
  });

  it("is issue 17's E·(1 − 1/lev)/(1 − mmr) and E·(1 + 1/lev)/(1 + mmr) in bracket 1 (no maintenance amount)", () => {
    expect(liquidationPrice('long', 60_000, 10, 0.004)).toBeCloseTo((60_000 * 0.9) / 0.996, 9);
    expect(liquidationPrice('short', 60_000, 10, 0.004)).toBeCloseTo((60_000 * 1.1) / 1.004, 9);
    expect(binanceIsolated(1, 0.1, 60_000, 600, 0.004, 0)).toBeCloseTo(liquidationPrice('long', 60_000, 10, 0.004), 6);
  });

  it('reads the FAQ\'s BTCUSDT tiers: 264,000 USDT pays 1 %, 500,000 USDT has a 1,300 USDT maintenance amount', () => {
    // FAQ: "if the position size of a USDT-margined BTCUSDT contract is 264,000 USDT, then the maintenance margin rate would be 1%".
    expect(maintenanceFor(binanceBtc, 10, 264_000, 60_000)!.rate).toBe(0.01);
    // FAQ: "if the position size ... is 500,000 USDT, then the maintenance amount would be 1,300 USDT".
    expect(maintenanceFor(binanceBtc, 10, 500_000, 60_000)!.deduction * 500_000).toBeCloseTo(1_300, 6);
  });

  it('derives the maintenance amounts by the FAQ rule: Level 3 = 250,000 × (1 % − 0.5 %) + 50 = 1,300', () => {
    const tiers = BINANCE_BTCUSDT_BRACKETS.map(([maxNotional, maxLeverage, maintenanceMarginRate]) => ({ maxNotional, maxLeverage, maintenanceMarginRate }));
    expect(withMaintenanceAmounts(tiers).map((tier) => tier.maintenanceAmount)).toEqual(BINANCE_BTCUSDT_BRACKETS.map(([, , , cum]) => expect.closeTo(cum, 6)));
  });

  it('caps leverage by bracket: a 100× position larger than bracket 2 allows is read at the largest bracket that allows 100×', () => {
    // Bracket 3 (250,000–1,000,000) allows 50×: a 400,000 USDT position at 100× cannot exist; bracket 2 is the one it could be in.
    expect(maintenanceFor(binanceBtc, 100, 400_000, 60_000)!.rate).toBe(0.005);
  });
});

describe('liquidation price: Bybit USDT contract (help centre worked examples)', () => {
  // Bybit "Liquidation Price (USDT Contract)" (help.bybit.com/hc/en-us/articles/900000181046), isolated:
  // "Liquidation Price = Entry Price * (1 - Initial Margin Rate + Maintenance Margin Rate)": Bybit takes the
  // maintenance margin on the position value at entry, the model (as Binance) at the liquidation price. The two
  // differ by E·mmr·(1/lev − mmr)/(1 ∓ mmr): under a hundredth of a percent of the price at these leverages.
  it('long 1 BTC at 10,000 USDT with 50×, MMR 0.5 %: Bybit says 9,850', () => {
    const model = liquidationPrice('long', 10_000, 50, 0.005);
    expect(10_000 * (1 - 1 / 50 + 0.005)).toBeCloseTo(9_850, 9);
    expect(Math.abs(model - 9_850) / 9_850).toBeLessThan(1e-4);
    expect(9_850 - model).toBeCloseTo((10_000 * 0.005 * (1 / 50 - 0.005)) / (1 - 0.005), 9);
  });

  it('short 1 BTC at 8,000 USDT with 40×, MMR 0.5 %: Bybit says 8,160', () => {
    const model = liquidationPrice('short', 8_000, 40, 0.005);
    expect(8_000 * (1 + 1 / 40 - 0.005)).toBeCloseTo(8_160, 9);
    expect(Math.abs(model - 8_160) / 8_160).toBeLessThan(1e-4);
    expect(8_160 - model).toBeCloseTo((8_000 * 0.005 * (1 / 40 - 0.005)) / (1 + 0.005), 9);
  });

  it('the gap to Bybit stays below mmr × the distance to liquidation at every leverage', () => {
    for (const leverage of [2, 5, 10, 25, 50, 100]) {
      for (const mmr of [0.004, 0.005, 0.01]) {
        const bybitLong = 60_000 * (1 - 1 / leverage + mmr);
        const model = liquidationPrice('long', 60_000, leverage, mmr);
        expect(Math.abs(model - bybitLong)).toBeLessThanOrEqual(mmr * (60_000 - model) + 1e-9);
      }
    }
  });
});

describe('liquidation price: Hyperliquid (docs, trading/liquidations and trading/margin-tiers)', () => {
  // Docs, trading/liquidations: "liq_price = price - side * margin_available / position_size / (1 - l * side)",
  // "l = 1 / MAINTENANCE_LEVERAGE"; isolated: margin_available = isolated_margin - maintenance_margin_required.
  function hyperliquid(side: 1 | -1, price: number, size: number, leverage: number, maxLeverage: number): number {
    const l = halfInitialMarginRate(maxLeverage);
    const isolatedMargin = (price * size) / leverage;
    const marginAvailable = isolatedMargin - price * size * l;
    return price - (side * marginAvailable) / size / (1 - l * side);
  }

  it.each([
    [1, 40, 40],
    [1, 20, 40],
    [-1, 40, 40],
    [-1, 3, 10],
    [1, 10, 10],
  ] as const)('side %i at %i× (max %i×) equals the model formula with mmr = 1/(2 · max leverage)', (side, leverage, maxLeverage) => {
    const model = liquidationPrice(side === 1 ? 'long' : 'short', 95_000, leverage, halfInitialMarginRate(maxLeverage));
    expect(model).toBeCloseTo(hyperliquid(side, 95_000, 0.7, leverage, maxLeverage), 6);
  });

  it('"at 20x max leverage, maintenance_margin_rate = 2.5%"', () => {
    expect(halfInitialMarginRate(20)).toBe(0.025);
  });

  it('builds the deductions by the docs rule, keeping maintenance margin continuous in size (testnet DOGE: 0–20k 10×, 20–100k 5×, >100k 3×)', () => {
    const tiers = withMaintenanceAmounts(
      [
        [20_000, 10],
        [100_000, 5],
        [Number.POSITIVE_INFINITY, 3],
      ].map(([maxNotional, maxLeverage]) => ({ maxNotional: maxNotional!, maxLeverage: maxLeverage!, maintenanceMarginRate: halfInitialMarginRate(maxLeverage!) })),
    );
    // deduction(n) = deduction(n − 1) + lower_bound(n) × (rate(n) − rate(n − 1)).
    expect(tiers.map((tier) => tier.maintenanceAmount)).toEqual([0, expect.closeTo(20_000 * (0.1 - 0.05), 9), expect.closeTo(1_000 + 100_000 * (1 / 6 - 0.1), 6)]);
    const margin = (notional: number) => {
      const tier = tiers.find((t) => notional <= t.maxNotional)!;
      return notional * tier.maintenanceMarginRate - tier.maintenanceAmount;
    };
    for (const bound of [20_000, 100_000]) expect(margin(bound + 1e-6)).toBeCloseTo(margin(bound), 4);
  });
});

describe('liquidation price: OKX (maintenance margin ratio of an isolated USDT-margined swap)', () => {
  // OKX help centre, liquidation: a position is liquidated when its maintenance margin ratio falls to 100 %, for an
  // isolated USDT-margined contract (margin balance + PnL) / (face value × |contracts| × mark price × (tier mmr + fee
  // rate)) — quoted from OKX's help page in open-lib.com/11556.html. With the taker fee folded into the rate, the
  // model's price is where that ratio is exactly 100 %.
  it.each([
    ['long', 125, 0.004],
    ['long', 20, 0.01],
    ['short', 50, 0.005],
    ['short', 5, 0.02],
  ] as const)('%s at %i× with mmr %f', (side, leverage, mmr) => {
    const fee = 0.0005;
    const entry = 3_000;
    const contracts = 40;
    const faceValue = 0.1; // ETH-USDT-SWAP: ctVal 0.1 ETH
    const price = liquidationPrice(side, entry, leverage, mmr + fee);
    const margin = (faceValue * contracts * entry) / leverage;
    const pnl = faceValue * contracts * (price - entry) * (side === 'long' ? 1 : -1);
    expect((margin + pnl) / (faceValue * contracts * price * (mmr + fee))).toBeCloseTo(1, 9);
  });
});

describe('margin tables', () => {
  const tier = (maxNotional: number, maintenanceMarginRate: number, maxLeverage: number): MarginTier => ({ maxNotional, maintenanceMarginRate, maxLeverage, maintenanceAmount: 0 });

  it('sorts tiers and makes the last unbounded', () => {
    const table = marginTable('bybit', 'BTCUSDT', 'BTC', 'usd', [tier(4e6, 0.01, 50), tier(2e6, 0.005, 100)])!;
    expect(table.tiers.map((t) => t.maxNotional)).toEqual([2e6, Number.POSITIVE_INFINITY]);
  });

  it.each([
    ['no tiers', []],
    ['a rate of 1', [tier(1e6, 1, 1)]],
    ['a rate that liquidates on opening at the max leverage', [tier(1e6, 0.02, 50)]],
    ['a leverage below 1', [tier(1e6, 0.1, 0.5)]],
    ['a size that repeats', [tier(1e6, 0.005, 100), tier(1e6, 0.01, 50)]],
    ['a negative deduction', [{ ...tier(1e6, 0.005, 100), maintenanceAmount: -1 }]],
    ['NaN', [tier(Number.NaN, 0.005, 100)]],
  ])('refuses %s', (_name, tiers) => {
    expect(marginTable('okx', 'BTC-USDT-SWAP', 'BTC', 'base', tiers as MarginTier[])).toBeNull();
  });

  it("values a 'base' table's coin sizes at the price", () => {
    const table = marginTable('okx', 'BTC-USDT-SWAP', 'BTC', 'base', [tier(50, 0.004, 125), tier(200, 0.005, 100)])!;
    // 50 BTC at 60,000 = 3,000,000 USD: 2,000,000 is tier 1, 4,000,000 tier 2.
    expect(maintenanceFor(table, 10, 2e6, 60_000)!.rate).toBe(0.004);
    expect(maintenanceFor(table, 10, 4e6, 60_000)!.rate).toBe(0.005);
  });

  it('gives NaN, never a price, for inputs no position has', () => {
    for (const [entry, leverage, mmr] of [
      [0, 10, 0.005],
      [-1, 10, 0.005],
      [100, 0.5, 0.005],
      [100, 10, 1],
      [100, 10, -0.1],
      [Number.NaN, 10, 0.005],
      [Number.POSITIVE_INFINITY, 10, 0.005],
    ]) {
      expect(liquidationPrice('long', entry!, leverage!, mmr!)).toBeNaN();
    }
  });
});
