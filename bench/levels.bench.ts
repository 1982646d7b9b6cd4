/**
 * Cost of the liquidation-level model (src/core/levels.ts) at scale: 50 assets × 8 venues, 5-minute bars.
 * - backfill: 7 days of 5-minute bars per venue × asset, then a live day, timed per bar update; and the backfill as
 *   install fetches it (days 2–7 in 1 h bars, the last day in 5-minute bars) from the same starting markets;
 * - the seam: one asset's reading (8 venues summed) per call, as every publish would compute it;
 * - storage: the model's state as chrome.storage counts it (key + JSON), after the 8 days;
 * - restore: JSON.parse + fromJSON of that state (a worker start).
 * Synthetic markets: a random walk per asset with occasional 2–4 % moves, OI wandering around a level per asset,
 * every venue with the same tiers (Binance's BTCUSDT table) and a taker-buy share on every bar (the worst case
 * for nothing: the split costs the same either way).
 */
import { LiquidationLevels, type LevelBar } from '../src/core/levels';
import { VENUE_IDS } from '../src/core/model';
import { binanceMarginTables } from '../src/venues/binance';
import type { BenchReport } from './run';

const ASSETS = 50;
const BAR_MS = 5 * 60_000;
const BACKFILL_BARS = 7 * 288;
const LIVE_BARS = 288;
const READINGS = 2_000;
/** The model's share of a 5 MB storage budget: "well within a few hundred kB". */
const TARGET_STATE_BYTES = 300_000;
/** A bar update must not matter to a worker handling 400 of them every 5 minutes. */
const TARGET_UPDATE_US = 100;
const TARGET_READING_MS = 1;
const STORAGE_KEY = 'liquidationLevels';

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

export async function run(): Promise<BenchReport> {
  const rand = random(17);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
  const assets = Array.from({ length: ASSETS }, (_, i) => (i === 0 ? 'BTC' : `A${String(i).padStart(2, '0')}`));
  const table = binanceMarginTables([{ venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1 } }])[0]!;
  const model = new LiquidationLevels();
  const books = assets.flatMap((asset, i) =>
    VENUE_IDS.map((venue) => {
      const symbol = `${asset}USDT`;
      model.setInstrument({ venue, symbol, asset, table: { ...table, venue, symbol, asset } });
      return { venue, asset, symbol, price: 10 ** (i % 6) * (1 + rand()), oi: 1e6 * (1 + rand()), oiLevel: 1e6 };
    }),
  );
  const start = Date.UTC(2026, 0, 1);
  // Markets for the install-as-fetched run below, from the same prices and open interest (their own random walk).
  const installBooks = books.map((book) => ({ ...book }));
  /** One bar of `bars` 5-minute bars (a 1 h bar is 12) for every book into `target`, ending at `time`; its ms. */
  const stepAll = (target: LiquidationLevels, marketBooks: typeof books, time: number, bars = 1) => {
    const t0 = performance.now();
    const scale = Math.sqrt(bars);
    for (const book of marketBooks) {
      const open = book.price;
      const shock = rand() < 0.002 * bars ? (rand() < 0.5 ? -1 : 1) * (0.02 + 0.02 * rand()) : 0;
      book.price *= Math.exp(0.002 * scale * gauss() + shock);
      book.oi = Math.max(1, book.oi + 0.01 * scale * book.oiLevel * gauss() + 0.002 * bars * (book.oiLevel - book.oi));
      const wick = 0.001 * scale * rand();
      const b: LevelBar = {
        time,
        open,
        close: book.price,
        high: Math.max(open, book.price) * (1 + wick),
        low: Math.min(open, book.price) * (1 - wick),
        openInterestBase: book.oi,
        takerBuyShare: 0.5 + 0.05 * gauss(),
      };
      target.ingestBar(book.venue, book.symbol, book.asset, b);
    }
    return performance.now() - t0;
  };
  const step = (bar: number) => stepAll(model, books, start + (bar + 1) * BAR_MS);

  // Install as the extension fetches it: days 2–7 in 1 h bars (engine.backfillLevels), the last day in 5-minute bars.
  const installed = new LiquidationLevels();
  for (const { venue, symbol, asset } of installBooks) installed.setInstrument({ venue, symbol, asset, table: { ...table, venue, symbol, asset } });
  let installMs = 0;
  const hourlyBars = (BACKFILL_BARS - 288) / 12;
  for (let hour = 0; hour < hourlyBars; hour++) installMs += stepAll(installed, installBooks, start + (hour + 1) * 12 * BAR_MS, 12);
  for (let bar = BACKFILL_BARS - 288; bar < BACKFILL_BARS; bar++) installMs += stepAll(installed, installBooks, start + (bar + 1) * BAR_MS);

  let backfillMs = 0;
  for (let bar = 0; bar < BACKFILL_BARS; bar++) backfillMs += step(bar);
  const liveTimes: number[] = [];
  for (let bar = BACKFILL_BARS; bar < BACKFILL_BARS + LIVE_BARS; bar++) liveTimes.push(step(bar));
  liveTimes.sort((a, b) => a - b);
  const updates = books.length;
  const perUpdateUs = (liveTimes.reduce((a, b) => a + b, 0) / liveTimes.length / updates) * 1000;

  // The seam: one asset's reading, all its venues summed.
  const end = start + (BACKFILL_BARS + LIVE_BARS) * BAR_MS;
  const readingTimes: number[] = [];
  let shown = 0;
  for (let i = 0; i < READINGS; i++) {
    const book = books[(i * 8) % books.length]!;
    const t0 = performance.now();
    const reading = model.reading(book.asset, book.price * (1 + 0.001 * gauss()), end);
    readingTimes.push(performance.now() - t0);
    if (reading.long || reading.short) shown += 1;
  }
  readingTimes.sort((a, b) => a - b);

  const serialiseStarted = performance.now();
  const json = JSON.stringify(model.toJSON());
  const serialiseMs = performance.now() - serialiseStarted;
  const stateBytes = STORAGE_KEY.length + json.length;
  const restoreStarted = performance.now();
  const restored = LiquidationLevels.fromJSON(JSON.parse(json));
  const restoreMs = performance.now() - restoreStarted;
  const levels = assets.reduce((n, asset) => n + model.booksOf(asset).reduce((m, b) => m + b.long.length + b.short.length, 0), 0);
  const intact = restored.assets().length === ASSETS && Math.abs((restored.reading('BTC', books[0]!.price).bandsUsd.long5 || 1) / (model.reading('BTC', books[0]!.price).bandsUsd.long5 || 1) - 1) < 0.01;

  const round = (x: number, digits = 1) => Number(x.toFixed(digits));
  return {
    name: `liquidation levels: ${VENUE_IDS.length} venues × ${ASSETS} assets, 5-minute bars, 7 d backfill + 1 d live`,
    figures: {
      'books (venue × symbol)': updates,
      'bar updates': updates * (BACKFILL_BARS + LIVE_BARS),
      'backfill (7 d, all books) s': round(backfillMs / 1000, 2),
      'backfill as installed (days 2–7 in 1 h bars, day 1 in 5-minute bars, all books) s': round(installMs / 1000, 2),
      'per bar update µs (live day, mean)': round(perUpdateUs, 2),
      'one 5-minute step, all 400 books, ms (median / max)': `${round(liveTimes[Math.floor(liveTimes.length / 2)]!, 2)} / ${round(liveTimes[liveTimes.length - 1]!, 2)}`,
      'reading (the seam) per call ms, median / p99': `${round(readingTimes[Math.floor(READINGS / 2)]! , 3)} / ${round(readingTimes[Math.floor(READINGS * 0.99)]!, 3)}`,
      'readings showing a cluster': `${shown} of ${READINGS}`,
      'levels held (all books)': levels,
      'state in storage kB (key + JSON)': round(stateBytes / 1000),
      'state per book bytes': Math.round(stateBytes / updates),
      'toJSON + stringify ms': round(serialiseMs),
      'JSON.parse + fromJSON ms': round(restoreMs),
    },
    targets: [
      { what: `state ≤ ${TARGET_STATE_BYTES / 1000} kB in storage (measured ${round(stateBytes / 1000)} kB)`, ok: stateBytes <= TARGET_STATE_BYTES },
      { what: `a bar update ≤ ${TARGET_UPDATE_US} µs (measured ${round(perUpdateUs, 2)} µs)`, ok: perUpdateUs <= TARGET_UPDATE_US },
      { what: `a reading ≤ ${TARGET_READING_MS} ms at the median (measured ${round(readingTimes[Math.floor(READINGS / 2)]!, 3)} ms)`, ok: readingTimes[Math.floor(READINGS / 2)]! <= TARGET_READING_MS },
      { what: 'the restored state reads as the live one (every asset; BTC 5 % band within 1 %)', ok: intact },
    ],
  };
}
