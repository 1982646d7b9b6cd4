/**
 * The liquidation-level model (src/core/levels.ts): how a bar adds, consumes, removes and fades levels,
 * the reading the ticket shows, the stored form, and properties over random markets (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LEVEL_ASSUMPTIONS,
  LiquidationLevels,
  applyBar,
  capLevels,
  effectiveMix,
  emptyLevels,
  levelMap,
  levelsReading,
  newBook,
  newLevels,
  parseLeverageMix,
  type LevelAssumptions,
  type LevelBar,
  type LevelBook,
  type LevelInstrument,
} from '../src/core/levels';
import { liquidationPrice, marginTable, type MarginTier } from '../src/core/margin';
import { binanceMarginTables } from '../src/venues/binance';

const T0 = 1_767_225_600_000;
const BAR = 5 * 60_000;
const BTC: LevelInstrument = {
  venue: 'binance',
  symbol: 'BTCUSDT',
  asset: 'BTC',
  table: binanceMarginTables([{ venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1 } }])[0]!,
};
/** No fading, no turnover, no lean: each rule alone. */
const PLAIN: LevelAssumptions = { ...LEVEL_ASSUMPTIONS, halfLifeHours: Number.POSITIVE_INFINITY, churnReopens: false, oiDropBias: 0 };

function bar(i: number, close: number, openInterestBase: number, extra: Partial<LevelBar> = {}): LevelBar {
  return { time: T0 + i * BAR, open: close, high: close * 1.0005, low: close * 0.9995, close, openInterestBase, ...extra };
}

function bookAfter(bars: LevelBar[], a: LevelAssumptions = PLAIN, instrument: LevelInstrument | undefined = BTC): LevelBook {
  const book = newBook('binance', 'BTCUSDT', 'BTC', bars[0]!)!;
  for (const b of bars.slice(1)) applyBar(book, b, instrument, a);
  return book;
}

const sum = (levels: Array<{ usd: number }>) => levels.reduce((s, l) => s + l.usd, 0);
const coins = (levels: Array<{ usd: number; price: number }>) => levels.reduce((s, l) => s + l.usd / l.price, 0);

describe('a bar', () => {
  it('adds nothing on the first bar (no OI to compare with)', () => {
    const book = newBook('binance', 'BTCUSDT', 'BTC', bar(0, 60_000, 1_000))!;
    expect(book.long).toEqual([]);
    expect(book.short).toEqual([]);
  });

  it('spreads a rise in OI over the mix at the typical price, split by the taker-buy share', () => {
    const b = bar(1, 60_000, 1_100, { high: 60_300, low: 59_700, close: 60_000, takerBuyShare: 0.7 });
    const book = bookAfter([bar(0, 60_000, 1_000), b]);
    const entry = (60_300 + 59_700 + 60_000) / 3;
    // 70 coins of longs, 30 of shorts, each slice at its bracket-1 (0.4 %) liquidation price.
    expect(coins(book.long)).toBeCloseTo(70, 9);
    expect(coins(book.short)).toBeCloseTo(30, 9);
    expect(book.long.map((l) => l.price)).toEqual([5, 10, 25, 50, 100].map((lev) => expect.closeTo(liquidationPrice('long', entry, lev, 0.004), 6)));
    expect(book.long.find((l) => Math.abs(l.price - liquidationPrice('long', entry, 10, 0.004)) < 1e-6)!.usd).toBeCloseTo(70 * 0.3 * liquidationPrice('long', entry, 10, 0.004), 6);
    expect(book.short.every((l) => l.price > entry)).toBe(true);
  });

  it('splits evenly without a taker-buy share', () => {
    const book = bookAfter([bar(0, 60_000, 1_000), bar(1, 60_000, 1_100)]);
    expect(coins(book.long)).toBeCloseTo(50, 9);
    expect(coins(book.short)).toBeCloseTo(50, 9);
  });

  it('caps the mix at the instrument’s max leverage (20×: 25, 50 and 100× become 20×)', () => {
    expect(effectiveMix(LEVEL_ASSUMPTIONS.leverageMix, 20)).toEqual([
      { leverage: 5, weight: expect.closeTo(0.15, 9) },
      { leverage: 10, weight: expect.closeTo(0.3, 9) },
      { leverage: 20, weight: expect.closeTo(0.55, 9) },
    ]);
    const book = bookAfter([bar(0, 100, 1_000), bar(1, 100, 1_100)], PLAIN, { venue: 'bybit', symbol: 'XUSDT', asset: 'X', maxLeverage: 20 });
    expect(book.long).toHaveLength(3);
  });

  it('uses the fallback rate without tiers, and never a rate that liquidates on opening', () => {
    const levels = newLevels('long', 10, 100, undefined, PLAIN);
    expect(levels.map((l) => l.price)).toEqual([5, 10, 25, 50, 100].map((lev) => expect.closeTo(liquidationPrice('long', 100, lev, 0.005), 9)));
    // A 10 % rate: 25, 50 and 100× would be liquidated at once; they are taken at 9× (0.9 / rate).
    const harsh = marginTable('okx', 'X-USDT-SWAP', 'X', 'usd', [{ maxNotional: 1e9, maintenanceMarginRate: 0.1, maxLeverage: 9, maintenanceAmount: 0 }])!;
    const capped = newLevels('long', 10, 100, { venue: 'okx', symbol: 'X-USDT-SWAP', asset: 'X', table: harsh }, PLAIN);
    expect(capped.every((l) => l.price < 100 && l.price > 0)).toBe(true);
  });

  it('consumes the levels it trades through, and those passed between the last close and it', () => {
    const book = bookAfter([bar(0, 60_000, 1_000), bar(1, 60_000, 1_100)]);
    const nearest = book.long[book.long.length - 1]!; // 100×, about 0.6 % below
    const farthest = book.short[book.short.length - 1]!;
    applyBar(book, bar(2, 60_000, 1_100, { low: nearest.price * 0.999 }), BTC, PLAIN);
    expect(book.long).not.toContainEqual(nearest);
    expect(book.long).toHaveLength(4);
    // A gap: the next bar opens far above, its own range never touching the short level, but the way there did.
    applyBar(book, bar(3, farthest.price * 1.05, 1_100, { open: farthest.price * 1.05, low: farthest.price * 1.04 }), BTC, PLAIN);
    expect(book.short).toHaveLength(0);
  });

  it('takes an OI drop the consumed levels do not explain off every level in proportion', () => {
    const book = bookAfter([bar(0, 60_000, 1_000), bar(1, 60_000, 1_100)]);
    const before = [...book.long, ...book.short].map((l) => ({ ...l }));
    applyBar(book, bar(2, 60_000, 990), BTC, PLAIN); // 110 of 1,100 closed: 10 %
    expect([...book.long, ...book.short].map((l) => l.usd)).toEqual(before.map((l) => expect.closeTo(l.usd * 0.9, 6)));
  });

  it('does not take a drop twice: liquidations the bar consumed explain it first', () => {
    const book = bookAfter([bar(0, 60_000, 1_000), bar(1, 60_000, 1_100)]);
    const nearest = book.long[book.long.length - 1]!;
    const consumed = nearest.usd / nearest.price;
    const others = book.short.map((l) => l.usd);
    applyBar(book, bar(2, 60_000, 1_100 - consumed, { low: nearest.price * 0.999 }), BTC, PLAIN);
    expect(book.short.map((l) => l.usd)).toEqual(others.map((usd) => expect.closeTo(usd, 9)));
  });

  it('leans a drop towards the side the bar moved against', () => {
    const a = { ...PLAIN, oiDropBias: 0.5 };
    const book = bookAfter([bar(0, 60_000, 1_000), bar(1, 60_000, 1_100)], a);
    const [long0, short0] = [sum(book.long), sum(book.short)];
    // A falling bar (close below open), range too small to reach a level: longs lose 15 %, shorts 5 %.
    applyBar(book, bar(2, 60_000, 990, { open: 60_020, high: 60_025, low: 59_995 }), BTC, a);
    expect(sum(book.long) / long0).toBeCloseTo(0.85, 9);
    expect(sum(book.short) / short0).toBeCloseTo(0.95, 9);
  });

  it('fades levels by the half-life, and reopens what faded at the bar’s price', () => {
    const a: LevelAssumptions = { ...PLAIN, halfLifeHours: 1, churnReopens: false };
    const book = bookAfter([bar(0, 60_000, 1_000), bar(1, 60_000, 1_100)], a);
    const usd = sum(book.long);
    applyBar(book, { ...bar(13, 60_000, 1_100) }, BTC, a); // an hour later
    expect(sum(book.long)).toBeCloseTo(usd / 2, 6);
    const churn: LevelAssumptions = { ...a, churnReopens: true };
    const turning = bookAfter([bar(0, 60_000, 1_000), bar(1, 60_000, 1_100)], churn);
    // Bar 1: the 100-coin rise plus 1,000 × (1 − 2^(−5 min / 1 h)) turned over, half of it long.
    const k = 2 ** (-1 / 12);
    const afterBar1 = (100 + 1_000 * (1 - k)) / 2;
    expect(coins(turning.long)).toBeCloseTo(afterBar1, 6);
    applyBar(turning, bar(13, 60_000, 1_100), BTC, churn);
    // An hour later half of it faded, and half of the 1,100 coins of OI reopened: 275 a side.
    expect(coins(turning.long)).toBeCloseTo(afterBar1 / 2 + 275, 6);
  });

  it('ignores a bar not newer than the last, and malformed bars', () => {
    const book = bookAfter([bar(0, 60_000, 1_000), bar(1, 60_000, 1_100)]);
    const snapshot = JSON.stringify(book);
    expect(applyBar(book, bar(1, 61_000, 1_200), BTC, PLAIN)).toBe(false);
    expect(applyBar(book, bar(0, 61_000, 1_200), BTC, PLAIN)).toBe(false);
    for (const broken of [{ high: 1, low: 2 }, { close: Number.NaN }, { low: 0 }, { openInterestBase: -1 }, { openInterestBase: Number.POSITIVE_INFINITY }, { high: 60_000 * 500 }]) {
      expect(applyBar(book, bar(2, 60_000, 1_200, broken), BTC, PLAIN)).toBe(false);
    }
    expect(JSON.stringify(book)).toBe(snapshot);
  });

  it('reads OI in USD at the close when no base figure is given', () => {
    const book = bookAfter([{ ...bar(0, 50_000, 0), openInterestBase: undefined, openInterestUsd: 50_000_000 }, { ...bar(1, 50_000, 0), openInterestBase: undefined, openInterestUsd: 55_000_000 }]);
    expect(coins(book.long) + coins(book.short)).toBeCloseTo(100, 6);
  });
});

describe('merging', () => {
  it('keeps heavy levels in place and folds light neighbours in, keeping every dollar', () => {
    const levels = [
      { price: 100, usd: 1_000 },
      { price: 100.1, usd: 1 },
      { price: 110, usd: 1_000 },
      { price: 120, usd: 5 },
    ];
    const merged = capLevels(levels.map((l) => ({ ...l })), 2);
    expect(merged).toHaveLength(2);
    expect(sum(merged)).toBeCloseTo(2_006, 9);
    expect(merged[0]!.price).toBeCloseTo(100, 0);
    expect(merged[1]!.price).toBeCloseTo(110, 0);
  });
});

describe('the reading (the seam)', () => {
  /** A book holding exactly these levels, with an ATR that makes 0.2 % bins. */
  const book = (long: Array<[number, number]>, short: Array<[number, number]> = []): LevelBook => ({
    venue: 'bybit',
    symbol: 'BTCUSDT',
    asset: 'BTC',
    from: T0,
    time: T0,
    close: 100,
    openInterest: 1,
    atr: 0.001,
    long: long.map(([price, usd]) => ({ price, usd })),
    short: short.map(([price, usd]) => ({ price, usd })),
  });

  it('has exactly the seam’s shape, with nulls and zeros when there is nothing', () => {
    const empty = levelsReading([], 100);
    expect(empty).toEqual(emptyLevels());
    expect(Object.keys(empty).sort()).toEqual(['bandsUsd', 'long', 'short']);
    expect(Object.keys(empty.bandsUsd).sort()).toEqual(['long1', 'long3', 'long5', 'short1', 'short3', 'short5']);
    for (const price of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(levelsReading([book([[99, 1e6]])], price)).toEqual(emptyLevels());
  });

  it('shows the nearest cluster of adjacent significant bins, skipping one too small, at its USD-weighted price', () => {
    // Bins of 0.2 %: a crumb at 0.3 % (1 % of the USD: not significant), a cluster at 1.0–1.3 %, a bigger one at 4 %.
    const reading = levelsReading([book([[99.7, 1_000], [99.0, 30_000], [98.8, 20_000], [96, 49_000]], [[102, 10_000]])], 100);
    expect(reading.long).toEqual({ price: expect.closeTo((99 * 30_000 + 98.8 * 20_000) / 50_000, 9), distancePct: expect.closeTo(100 - (99 * 30_000 + 98.8 * 20_000) / 50_000, 9), usd: 50_000 });
    expect(reading.short).toEqual({ price: 102, distancePct: expect.closeTo(2, 9), usd: 10_000 });
    expect(reading.bandsUsd).toEqual({ long1: 31_000, long3: 51_000, long5: 100_000, short1: 0, short3: 10_000, short5: 10_000 });
  });

  it('sums every venue’s levels per bin', () => {
    const a = book([[99, 10_000], [95, 100_000]]);
    const b = { ...book([[99.01, 10_000]]), venue: 'okx' as const, symbol: 'BTC-USDT-SWAP' };
    // A cluster needs 12 % of the side here: one venue's 10,000 at 1 % is 9 % of its side, both venues' 20,000 are 17 %.
    const a12 = { ...LEVEL_ASSUMPTIONS, clusterMinShare: 0.12 };
    expect(levelsReading([a], 100, a12).long!.usd).toBe(100_000);
    expect(levelsReading([a, b], 100, a12).long).toEqual({ price: expect.closeTo(99.005, 9), distancePct: expect.closeTo(0.995, 9), usd: 20_000 });
  });

  it('leaves out levels on the wrong side of the price and beyond reach', () => {
    const reading = levelsReading([book([[101, 1e6], [80, 1e6]], [[99, 1e6], [150, 1e6]])], 100);
    expect(reading).toEqual(emptyLevels());
  });
});

describe('stored form', () => {
  function trained(): LiquidationLevels {
    const model = new LiquidationLevels();
    model.setInstrument(BTC);
    let price = 60_000;
    let oi = 10_000;
    for (let i = 0; i < 600; i++) {
      const close = price * (1 + 0.002 * Math.sin(i / 7) + 0.001 * Math.cos(i / 3));
      oi += 40 * Math.sin(i / 11);
      model.ingestBar('binance', 'BTCUSDT', 'BTC', { time: T0 + i * BAR, open: price, high: Math.max(price, close) * 1.001, low: Math.min(price, close) * 0.999, close, openInterestBase: oi, takerBuyShare: 0.5 + 0.1 * Math.sin(i) });
      model.ingestBar('okx', 'BTC-USDT-SWAP', 'BTC', { time: T0 + i * BAR, open: price, high: Math.max(price, close) * 1.001, low: Math.min(price, close) * 0.999, close, openInterestUsd: oi * close * 0.8 });
      price = close;
    }
    return model;
  }

  it('round-trips: the same reading within a basis point of price and 0.5 % of USD', () => {
    const model = trained();
    const restored = LiquidationLevels.fromJSON(JSON.parse(JSON.stringify(model)));
    const [before, after] = [model.reading('BTC', 60_500), restored.reading('BTC', 60_500)];
    expect(after.long?.price).toBeCloseTo(before.long!.price, -1);
    expect(after.long!.usd / before.long!.usd).toBeCloseTo(1, 2);
    for (const key of Object.keys(before.bandsUsd) as Array<keyof typeof before.bandsUsd>) expect(Math.abs(after.bandsUsd[key] - before.bandsUsd[key])).toBeLessThanOrEqual(5e-3 * before.bandsUsd[key]);
    expect(restored.assets()).toEqual(['BTC']);
    // The restored model goes on from where it stopped.
    expect(restored.ingestBar('binance', 'BTCUSDT', 'BTC', bar(600, 60_000, 10_000))).toBe(true);
  });

  it('skips malformed stored input, book by book, never reading NaN', () => {
    const good = JSON.parse(JSON.stringify(trained())) as { v: number; books: unknown[][] };
    const broken = [
      null,
      'text',
      ['binance'],
      ['nowhere', 'X', 'X', T0, 1, 1, 0.01, [], []],
      ['binance', 'X', 'X', T0, 'NaN', 1, 0.01, [], []],
      ['binance', 'X', 'X', T0, 1, 1, 0.01, [0, 1], []],
      ['binance', 'X', 'X', T0, 1, 1, 0.01, [0, 5, -3, 1, 1], []],
      ['binance', 'X', 'X', T0, 1, 1, 0.01, [0, 1.5, 1], []],
      ['binance', 'X', 'X', T0, 1, -1, 0.01, [], []],
      ['binance', 'X', 'X', T0, 1, 1, 0.01, [400, 1, 1], []],
    ];
    const restored = LiquidationLevels.fromJSON({ v: 1, books: [...broken, good.books[0]] });
    expect(restored.assets()).toEqual(['BTC']);
    expect(JSON.stringify(restored.toJSON())).not.toMatch(/null|NaN|Infinity/);
    for (const garbage of [undefined, null, 42, 'x', [], { v: 2, books: good.books }, { v: 1 }, { v: 1, books: 'x' }]) {
      expect(LiquidationLevels.fromJSON(garbage).assets()).toEqual([]);
    }
  });

  it('is compact: one busy book (24 levels a side) stores in well under a kilobyte', () => {
    const model = trained();
    const stored = JSON.stringify(model.toJSON());
    const levels = model.booksOf('BTC').reduce((n, b) => n + b.long.length + b.short.length, 0);
    expect(levels).toBeGreaterThan(40);
    expect(stored.length / 2).toBeLessThan(800);
  });
});

describe('the leverage mix a trader enters', () => {
  it('is normalised and merged by leverage', () => {
    expect(parseLeverageMix([{ leverage: 10, weight: 2 }, { leverage: 5, weight: 1 }, { leverage: 10, weight: 1 }])).toEqual([
      { leverage: 5, weight: 0.25 },
      { leverage: 10, weight: 0.75 },
    ]);
  });

  it.each([[[]], [[{ leverage: 0.5, weight: 1 }]], [[{ leverage: 10, weight: -1 }]], [[{ leverage: 10, weight: 0 }]], [[{ leverage: 500, weight: 1 }]], [['x']], [null], [[{ leverage: Number.NaN, weight: 1 }]], [Array.from({ length: 13 }, (_, i) => ({ leverage: i + 1, weight: 1 }))]])('refuses %j', (mix) => {
    expect(parseLeverageMix(mix)).toBeNull();
  });

  it('a model given an unusable mix keeps the default one', () => {
    expect(new LiquidationLevels({ leverageMix: [{ leverage: -1, weight: 1 }] }).assumptions.leverageMix).toEqual(LEVEL_ASSUMPTIONS.leverageMix);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const arbTiers = fc
  .array(fc.record({ maxNotional: fc.double({ min: 1e3, max: 1e9, noNaN: true }), maxLeverage: fc.integer({ min: 1, max: 125 }), rateShare: fc.double({ min: 0, max: 0.95, noNaN: true }), maintenanceAmount: fc.double({ min: 0, max: 1e5, noNaN: true }) }), { minLength: 1, maxLength: 5 })
  .map((rows) => rows.map(({ maxNotional, maxLeverage, rateShare, maintenanceAmount }): MarginTier => ({ maxNotional, maxLeverage, maintenanceMarginRate: rateShare / maxLeverage, maintenanceAmount })));
const arbInstrument: fc.Arbitrary<LevelInstrument | undefined> = fc.option(
  fc.tuple(arbTiers, fc.constantFrom<'usd' | 'base'>('usd', 'base'), fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined })).map(([tiers, unit, maxLeverage]) => {
    const table = marginTable('bybit', 'XUSDT', 'X', unit, tiers) ?? undefined;
    return { venue: 'bybit' as const, symbol: 'XUSDT', asset: 'X', ...(table ? { table } : {}), ...(maxLeverage ? { maxLeverage } : {}) };
  }),
  { nil: undefined },
);
const arbMix = fc.array(fc.record({ leverage: fc.double({ min: 1, max: 200, noNaN: true }), weight: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 6 }).filter((mix) => parseLeverageMix(mix) !== null);

/** A random market: log-returns, OI changes, taker shares; occasionally a wild or broken bar. */
const arbBars = (count: number) =>
  fc.array(
    fc.record({
      ret: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
      wick: fc.double({ min: 0, max: 0.03, noNaN: true }),
      oiChange: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
      share: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      gap: fc.integer({ min: 1, max: 30 }),
      broken: fc.constantFrom<null | 'nan' | 'inverted' | 'zero'>(null, null, null, null, null, null, 'nan', 'inverted', 'zero'),
    }),
    { minLength: 2, maxLength: count },
  );

function replay(steps: Array<{ ret: number; wick: number; oiChange: number; share: number | undefined; gap: number; broken: string | null }>, startPrice: number): LevelBar[] {
  const bars: LevelBar[] = [];
  let price = startPrice;
  let oi = 1_000;
  let time = T0;
  for (const step of steps) {
    const open = price;
    price *= Math.exp(step.ret);
    oi = Math.max(0, oi * (1 + step.oiChange));
    time += step.gap * BAR;
    const b: LevelBar = { time, open, close: price, high: Math.max(open, price) * (1 + step.wick), low: Math.min(open, price) * (1 - step.wick), openInterestBase: oi, ...(step.share !== undefined ? { takerBuyShare: step.share } : {}) };
    if (step.broken === 'nan') b.close = Number.NaN;
    if (step.broken === 'inverted') [b.high, b.low] = [b.low, b.high];
    if (step.broken === 'zero') b.low = 0;
    bars.push(b);
  }
  return bars;
}

const finiteBook = (book: LevelBook) =>
  [book.time, book.close, book.openInterest, book.atr].every(Number.isFinite) && [...book.long, ...book.short].every((l) => Number.isFinite(l.price) && l.price > 0 && Number.isFinite(l.usd) && l.usd >= 0);

describe('properties', () => {
  it('long levels are always below the entry and short levels above, whatever the tiers and mix', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e7, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), arbInstrument, arbMix, (entry, amount, instrument, mix) => {
        const a = { ...LEVEL_ASSUMPTIONS, leverageMix: parseLeverageMix(mix)! };
        for (const level of newLevels('long', amount, entry, instrument, a)) expect(level.price).toBeLessThan(entry);
        for (const level of newLevels('short', amount, entry, instrument, a)) expect(level.price).toBeGreaterThan(entry);
        for (const level of [...newLevels('long', amount, entry, instrument, a), ...newLevels('short', amount, entry, instrument, a)]) {
          expect(Number.isFinite(level.price) && Number.isFinite(level.usd) && level.usd > 0).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a bar that trades through a level removes it', () => {
    fc.assert(
      fc.property(arbBars(40), fc.double({ min: 0.01, max: 1e5, noNaN: true }), (steps, start) => {
        const bars = replay(steps, start).filter((b) => Number.isFinite(b.close) && b.low > 0 && b.high >= b.low);
        if (bars.length < 3) return;
        // Levels from the first bars; then a bar at the same OI (no new levels), whatever its range.
        const book = bookAfter(bars.slice(0, -1), PLAIN, undefined);
        const last = { ...bars[bars.length - 1]!, openInterestBase: book.openInterest };
        const low = Math.min(last.low, book.close);
        const high = Math.max(last.high, book.close);
        if (!applyBar(book, last, undefined, PLAIN)) return;
        expect(book.long.every((l) => l.price < low)).toBe(true);
        expect(book.short.every((l) => l.price > high)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('an OI drop with nothing traded through removes every level in proportion', () => {
    fc.assert(
      fc.property(arbBars(30), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (steps, drop) => {
        const bars = replay(steps, 100).filter((b) => Number.isFinite(b.close) && b.low > 0 && b.high >= b.low);
        if (bars.length < 2) return;
        const book = bookAfter(bars, PLAIN, undefined);
        const before = [...book.long, ...book.short].map((l) => l.usd);
        // A flat bar right at the close, in a book with no level at or beyond the close (none is consumed).
        const flat: LevelBar = { time: book.time + BAR, open: book.close, high: book.close, low: book.close, close: book.close, openInterestBase: book.openInterest * (1 - drop) };
        const touched = book.long.some((l) => l.price >= book.close) || book.short.some((l) => l.price <= book.close);
        if (touched || !applyBar(book, flat, undefined, PLAIN)) return;
        const after = [...book.long, ...book.short].filter((l) => l.usd >= PLAIN.minLevelUsd);
        const expected = before.map((usd) => usd * (1 - drop)).filter((usd) => usd >= PLAIN.minLevelUsd);
        expect(after.map((l) => l.usd)).toEqual(expected.map((usd) => expect.closeTo(usd, 6)));
      }),
      { numRuns: 200 },
    );
  });

  it('no NaN or Infinity anywhere: books, readings, the stored form; bins capped; bounded storage', () => {
    fc.assert(
      fc.property(arbBars(120), fc.double({ min: 1e-8, max: 1e6, noNaN: true }), arbInstrument, fc.integer({ min: 2, max: 40 }), (steps, start, instrument, cap) => {
        const model = new LiquidationLevels({ maxLevelsPerSide: cap });
        if (instrument) model.setInstrument({ ...instrument, venue: 'bybit', symbol: 'XUSDT', asset: 'X' });
        for (const b of replay(steps, start)) model.ingestBar('bybit', 'XUSDT', 'X', b);
        for (const book of model.booksOf('X')) {
          expect(finiteBook(book)).toBe(true);
          expect(book.long.length).toBeLessThanOrEqual(cap);
          expect(book.short.length).toBeLessThanOrEqual(cap);
        }
        const books = model.booksOf('X');
        for (const price of [start, start * 0.97, start * 1.5, books[0]?.close ?? start]) {
          const reading = model.reading('X', price);
          const numbers = [reading.long?.price, reading.long?.distancePct, reading.long?.usd, reading.short?.price, reading.short?.distancePct, reading.short?.usd, ...Object.values(reading.bandsUsd)].filter((n) => n !== undefined);
          expect(numbers.every((n) => Number.isFinite(n) && n! >= 0)).toBe(true);
          if (reading.long) expect(reading.long.price).toBeLessThan(price);
          if (reading.short) expect(reading.short.price).toBeGreaterThan(price);
          const map = levelMap(books, price);
          if (map) expect([...map.long.bins, ...map.short.bins].every((bin) => Number.isFinite(bin.price) && Number.isFinite(bin.usd))).toBe(true);
        }
        const stored = JSON.stringify(model.toJSON());
        expect(stored).not.toMatch(/null|NaN|Infinity/);
        expect(stored.length).toBeLessThan(200 + 2 * cap * 40);
        const restored = LiquidationLevels.fromJSON(JSON.parse(stored), { maxLevelsPerSide: cap });
        for (const book of restored.booksOf('X')) expect(finiteBook(book)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
