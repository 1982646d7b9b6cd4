/**
 * Where the next liquidations sit (issue 17): estimated liquidation levels per venue × perpetual,
 * built from nothing but what venues publish — 5-minute price bars, open interest, the taker-buy
 * share where given, and the public maintenance-margin tiers — and summed per asset into what the
 * ticket shows beside the price: the nearest cluster of long liquidations below, of short
 * liquidations above, and the USD within 1, 3 and 5 %.
 *
 * Every assumption the model makes is in LEVEL_ASSUMPTIONS below, in this one place; docs/levels.md
 * states them with the formulas and the accuracy measured by `npm run levels-eval`.
 *
 * One book per venue × symbol holds its levels: per side a short list of (price, USD) points kept
 * at most `maxLevelsPerSide` long by merging the closest light neighbours (a streaming histogram),
 * so memory and storage stay bounded whatever the history. Per bar, in this order:
 *   1. decay: every level's USD halves every `halfLifeHours` (positions closed unseen, margin added),
 *      and as much of the OI is taken as reopened at this bar's price (`churnReopens`);
 *   2. consumption: a long level at or above the bar's low, a short level at or below its high, is gone
 *      (the path from the previous close to this bar counts too, for a gap between bars);
 *   3. OI falls: what the consumed levels do not explain comes off every level in proportion (the
 *      fraction of OI that closed), leaning towards the side the bar moved against by `oiDropBias`;
 *      OI rises by ΔOI coins (plus the reopened share): the new positions open at the bar's typical
 *      price (H + L + C) / 3, split long/short by the taker-buy share (else evenly), spread over the
 *      leverage mix (capped at the instrument's max leverage), each slice at its liquidation price
 *      from the venue's tiers;
 *   4. levels farther than `maxDistance` from the close go, then the lists are merged down to their cap.
 *
 * Pure: no clock, no browser API; the state serialises to compact JSON (toJSON / fromJSON), and
 * malformed stored input is skipped, never read as NaN.
 */
import { liquidationPrice, maintenanceFor, tableMaxLeverage, type MarginTable } from './margin';
import { VENUE_IDS, type PositionSide, type VenueId } from './model';

/** One slice of the leverage mix: `weight` of new positions at `leverage`. */
export interface LeverageSlice {
  leverage: number;
  weight: number;
}

/** Every assumption of the model, in one place (docs/levels.md explains each). */
export interface LevelAssumptions {
  /** How new positions spread over leverage (weights are normalised). Editable by the trader. */
  leverageMix: LeverageSlice[];
  /** The cap where neither the venue's tiers nor its instrument list give a max leverage. */
  defaultMaxLeverage: number;
  /** Maintenance margin rate where the venue publishes no tiers for the instrument (Binance beyond its table). */
  fallbackMaintenanceRate: number;
  /** Position size that picks a slice's tier (retail size: the first tier on every venue's majors). */
  typicalPositionUsd: number;
  /** Taker-buy share of a bar where the venue gives none: an even split. */
  defaultTakerBuyShare: number;
  /** A level's USD halves every this many hours (positions closed or topped up unseen). */
  halfLifeHours: number;
  /**
   * Open interest turns over at the same pace: what fades was closed, and as OI did not fall by it, as much
   * was opened again at the bar's price (OI × (1 − 2^(−Δt / half-life)) coins a bar, on top of a rise in OI).
   * Without it only net OI rises add levels, and a market whose OI stays flat while positions change hands
   * keeps showing last week's levels.
   */
  churnReopens: boolean;
  /**
   * Of an OI drop the consumed levels do not explain, how much more comes off the side the bar moved
   * against (longs on a falling bar): 0 = strictly proportional, 1 = that side only.
   */
  oiDropBias: number;
  /** Levels kept per side of a book; more are merged into their neighbours. */
  maxLevelsPerSide: number;
  /** Levels farther than this fraction from the close are dropped (0.5 = 50 %). */
  maxDistance: number;
  /** A level below this USD is dropped. */
  minLevelUsd: number;
  /** Bars the true-range average (an EMA) spans. */
  atrBars: number;
  /** A book with no bar for this long is left out of readings and dropped by `prune`. */
  staleAfterMs: number;
  /** Reading: the width of a price bin is this many 5-minute ATRs (as a fraction of the price)... */
  binAtrMultiple: number;
  /** ...but no narrower than this fraction of the price... */
  minBinWidth: number;
  /** ...and no wider than this. */
  maxBinWidth: number;
  /** Reading: levels within this fraction of the price count (beyond, no trader acts on them). */
  readReach: number;
  /** Reading: a bin belongs to a cluster when it holds at least this share of its side's USD within reach. */
  clusterBinShare: number;
  /** Reading: the nearest cluster holding at least this share of its side's USD within reach is shown. */
  clusterMinShare: number;
  /** Books kept at most (venue × symbol); the least recently updated go first. */
  maxBooks: number;
}

/** The default leverage mix of issue 17: 5× 15 %, 10× 30 %, 25× 25 %, 50× 20 %, 100× 10 %. */
export const DEFAULT_LEVERAGE_MIX: readonly LeverageSlice[] = [
  { leverage: 5, weight: 0.15 },
  { leverage: 10, weight: 0.3 },
  { leverage: 25, weight: 0.25 },
  { leverage: 50, weight: 0.2 },
  { leverage: 100, weight: 0.1 },
];

export const LEVEL_ASSUMPTIONS: Readonly<LevelAssumptions> = {
  leverageMix: [...DEFAULT_LEVERAGE_MIX],
  defaultMaxLeverage: 100,
  fallbackMaintenanceRate: 0.005,
  typicalPositionUsd: 10_000,
  defaultTakerBuyShare: 0.5,
  halfLifeHours: 24,
  churnReopens: true,
  oiDropBias: 0.25,
  maxLevelsPerSide: 24,
  maxDistance: 0.5,
  minLevelUsd: 1,
  atrBars: 14,
  staleAfterMs: 30 * 60_000,
  binAtrMultiple: 2,
  minBinWidth: 0.0005,
  maxBinWidth: 0.01,
  readReach: 0.1,
  clusterBinShare: 0.04,
  clusterMinShare: 0.05,
  maxBooks: 1_000,
};

/** Leverage and weight bounds a mix must keep (the options page quotes them). */
export const LEVERAGE_MIX_LIMITS = { maxSlices: 12, minLeverage: 1, maxLeverage: 200 } as const;

/**
 * A leverage mix as the trader entered it, checked: 1–12 slices, each leverage in [1, 200], weights
 * ≥ 0 with a positive sum, normalised to sum to 1 and merged by leverage; null when unusable.
 */
export function parseLeverageMix(input: unknown): LeverageSlice[] | null {
  if (!Array.isArray(input) || input.length === 0 || input.length > LEVERAGE_MIX_LIMITS.maxSlices) return null;
  const merged = new Map<number, number>();
  for (const slice of input) {
    if (typeof slice !== 'object' || slice === null) return null;
    const { leverage, weight } = slice as Record<string, unknown>;
    if (typeof leverage !== 'number' || typeof weight !== 'number' || !Number.isFinite(leverage) || !Number.isFinite(weight)) return null;
    if (leverage < LEVERAGE_MIX_LIMITS.minLeverage || leverage > LEVERAGE_MIX_LIMITS.maxLeverage || weight < 0) return null;
    merged.set(leverage, (merged.get(leverage) ?? 0) + weight);
  }
  const total = [...merged.values()].reduce((a, b) => a + b, 0);
  if (!(total > 0)) return null;
  return [...merged].sort(([a], [b]) => a - b).map(([leverage, weight]) => ({ leverage, weight: weight / total }));
}

/**
 * One closed bar of a perpetual, as the venue publishes it: 5 minutes live and over the last day, 1 or 2 hours
 * over the days before (the deep backfill). applyBar reads any duration: the fade is over the time since the last
 * bar, consumption over the bar's whole range, the ATR per 5 minutes.
 */
export interface LevelBar {
  /** The bar's end, ms (the instant its close and the OI stamp are true). */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Open interest at the bar's end in coins (one side), or give `openInterestUsd`. */
  openInterestBase?: number;
  /** Open interest at the bar's end in USD, converted to coins at the close when no base figure is given. */
  openInterestUsd?: number;
  /** Taker-buy volume ÷ volume of the bar (Binance klines: taker buy base asset volume ÷ volume), where the venue says. */
  takerBuyShare?: number;
}

/**
 * What one history endpoint says of a past bar of a venue × perpetual (issue 17's deep backfill): a price bar
 * (open, high, low, close, taker-buy share) or the open interest at its end. Venues serve the two from separate
 * endpoints; joinPastBars puts each instant's parts together.
 */
export type PastBarPart = { venue: VenueId; symbol: string; asset: string; time: number } & Partial<Omit<LevelBar, 'time'>>;

/** One venue × perpetual's past bars, oldest first, each with a price bar and its open interest. */
export interface PastBars {
  venue: VenueId;
  symbol: string;
  asset: string;
  bars: LevelBar[];
}

/**
 * Past bar parts joined per venue × symbol and instant: an instant the price bars and the open-interest history
 * both name becomes a bar; one that only one of them names (the open candle, a missing row) is left out.
 */
export function joinPastBars(parts: readonly PastBarPart[]): PastBars[] {
  const series = new Map<string, { venue: VenueId; symbol: string; asset: string; byTime: Map<number, Partial<LevelBar>> }>();
  for (const { venue, symbol, asset, ...part } of parts) {
    const key = bookKey(venue, symbol);
    let entry = series.get(key);
    if (!entry) series.set(key, (entry = { venue, symbol, asset, byTime: new Map() }));
    entry.byTime.set(part.time, { ...entry.byTime.get(part.time), ...part });
  }
  return [...series.values()].map(({ venue, symbol, asset, byTime }) => ({
    venue,
    symbol,
    asset,
    bars: [...byTime.values()].filter(isWholeBar).sort((a, b) => a.time - b.time),
  }));
}

function isWholeBar(part: Partial<LevelBar>): part is LevelBar {
  const priced = [part.time, part.open, part.high, part.low, part.close].every((value) => value !== undefined);
  return priced && (part.openInterestBase !== undefined || part.openInterestUsd !== undefined);
}

/** What the model knows of an instrument: its tiers and max leverage. Not stored: the worker sets it from its catalogue. */
export interface LevelInstrument {
  venue: VenueId;
  symbol: string;
  asset: string;
  table?: MarginTable;
  maxLeverage?: number;
}

/** One estimated level: the USD of positions liquidated when the price reaches `price`. */
export interface Level {
  price: number;
  usd: number;
}

/** The levels of one venue × symbol and what the next bar needs to know of the last one. */
export interface LevelBook {
  venue: VenueId;
  symbol: string;
  asset: string;
  /** The first bar's end, ms: how far back the positions the book knows of reach (a deep backfill sets it days back). */
  from: number;
  /** The last bar's end, ms. */
  time: number;
  /** The last bar's close. */
  close: number;
  /** Open interest after the last bar, coins. */
  openInterest: number;
  /** Average true range of the 5-minute bars, as a fraction of the price. */
  atr: number;
  /** Long liquidation levels, by price ascending. */
  long: Level[];
  /** Short liquidation levels, by price ascending. */
  short: Level[];
}

/** A cluster as the ticket shows it. */
export interface LevelCluster {
  /** USD-weighted mean price of the cluster. */
  price: number;
  /** Distance from the current price, percent, positive on both sides. */
  distancePct: number;
  usd: number;
}

/** The seam: what every per-asset reading carries (`levels`). */
export interface AssetLevels {
  /** The nearest cluster of long positions' liquidation prices below the price; null when none. */
  long: LevelCluster | null;
  /** The nearest cluster of short positions' liquidation prices above the price; null when none. */
  short: LevelCluster | null;
  /** Estimated USD of long levels below (short levels above) within 1, 3 and 5 % of the price. */
  bandsUsd: { long1: number; long3: number; long5: number; short1: number; short3: number; short5: number };
}

export function emptyLevels(): AssetLevels {
  return { long: null, short: null, bandsUsd: { long1: 0, long3: 0, long5: 0, short1: 0, short3: 0, short5: 0 } };
}

const HOUR_MS = 3_600_000;
const BAR_MS = 5 * 60_000;
/** A bar whose low and high are further apart than this factor is garbage, not a market. */
const MAX_BAR_RANGE = 100;

/** The leverage mix capped at `maxLeverage` (slices above it become it), weights normalised. */
export function effectiveMix(mix: readonly LeverageSlice[], maxLeverage: number): readonly LeverageSlice[] {
  const cap = Number.isFinite(maxLeverage) && maxLeverage >= 1 ? maxLeverage : Number.POSITIVE_INFINITY;
  // The mix is checked and normalised where it enters (resolveAssumptions): with nothing above the cap it stands as is.
  if (mix.every((slice) => slice.leverage <= cap)) return mix;
  return parseLeverageMix(mix.map((slice) => ({ leverage: Math.min(slice.leverage, cap), weight: slice.weight }))) ?? [];
}

/**
 * The levels one bar's new positions add on one side: `coins` opened at `entry`, spread over the mix,
 * each slice liquidated at liquidationPrice(side, entry, leverage, its tier's rate and deduction) for a
 * position of `typicalPositionUsd`. A slice whose rate would liquidate it on opening (rate × leverage ≥ 1:
 * no venue allows that) is taken at the highest leverage its rate allows.
 */
export function newLevels(side: PositionSide, coins: number, entry: number, instrument: LevelInstrument | undefined, a: LevelAssumptions): Level[] {
  if (!(coins > 0) || !(entry > 0)) return [];
  const maxLeverage = instrument?.table ? tableMaxLeverage(instrument.table) : (instrument?.maxLeverage ?? a.defaultMaxLeverage);
  const out: Level[] = [];
  for (const slice of effectiveMix(a.leverageMix, Math.min(maxLeverage, instrument?.maxLeverage ?? Number.POSITIVE_INFINITY))) {
    const { rate, deduction } = maintenanceFor(instrument?.table, slice.leverage, a.typicalPositionUsd, entry) ?? { rate: a.fallbackMaintenanceRate, deduction: 0 };
    const leverage = rate * slice.leverage >= 1 ? Math.max(1, 0.9 / rate) : slice.leverage;
    const price = liquidationPrice(side, entry, leverage, rate, deduction);
    const usd = coins * slice.weight * price;
    if (Number.isFinite(price) && price > 0 && Number.isFinite(usd) && usd > 0) out.push({ price, usd });
  }
  return out;
}

/** Open interest of a bar in coins, or null when it gives none usable. */
function barOpenInterest(bar: LevelBar): number | null {
  const base = bar.openInterestBase ?? (bar.openInterestUsd !== undefined ? bar.openInterestUsd / bar.close : undefined);
  return base !== undefined && Number.isFinite(base) && base >= 0 && base < 1e18 ? base : null;
}

function validBar(bar: LevelBar): boolean {
  const { time, open, high, low, close } = bar;
  if (![time, open, high, low, close].every(Number.isFinite) || !(low > 0) || time <= 0) return false;
  return high >= low && high / low <= MAX_BAR_RANGE && open >= low && open <= high && close >= low && close <= high;
}

/** A new book from its first bar (nothing to compare its OI with yet: no levels). */
export function newBook(venue: VenueId, symbol: string, asset: string, bar: LevelBar): LevelBook | null {
  const openInterest = barOpenInterest(bar);
  if (!validBar(bar) || openInterest === null) return null;
  return { venue, symbol, asset, from: bar.time, time: bar.time, close: bar.close, openInterest, atr: (bar.high - bar.low) / bar.close, long: [], short: [] };
}

/**
 * One bar into a book (steps 1–4 of the file comment). Bars at or before the book's last one are
 * ignored (a replayed or duplicate bar), as are malformed ones; returns whether the bar was applied.
 */
export function applyBar(book: LevelBook, bar: LevelBar, instrument: LevelInstrument | undefined, a: LevelAssumptions = LEVEL_ASSUMPTIONS): boolean {
  const openInterest = barOpenInterest(bar);
  if (!validBar(bar) || openInterest === null || bar.time <= book.time) return false;
  // 1. Decay over the time since the last bar.
  const hours = (bar.time - book.time) / HOUR_MS;
  const keep = a.halfLifeHours > 0 && Number.isFinite(a.halfLifeHours) ? 2 ** (-hours / a.halfLifeHours) : 1;
  if (keep < 1) for (const level of [...book.long, ...book.short]) level.usd *= keep;
  // 2. Levels the bar (and the way from the last close to it) traded through are consumed.
  const low = Math.min(bar.low, book.close);
  const high = Math.max(bar.high, book.close);
  let consumedCoins = 0;
  const consume = (levels: Level[], traded: (level: Level) => boolean) =>
    levels.filter((level) => {
      if (!traded(level)) return true;
      consumedCoins += level.usd / level.price;
      return false;
    });
  book.long = consume(book.long, (level) => level.price >= low);
  book.short = consume(book.short, (level) => level.price <= high);
  // 3. Open interest: closes the consumed levels do not explain come off the levels held so far, then the new
  //    positions (a rise, and the turnover) are added.
  const change = openInterest - book.openInterest;
  if (change < 0 && book.openInterest > 0) {
    const unexplained = Math.max(0, -change - consumedCoins);
    const fraction = Math.min(1, unexplained / book.openInterest);
    if (fraction > 0) {
      const bias = Math.min(Math.max(a.oiDropBias, 0), 1);
      // The side the bar moved against loses more: longs on a falling bar, shorts on a rising one.
      const direction = Math.sign(bar.close - bar.open);
      const longFraction = Math.min(1, fraction * (1 - bias * direction));
      const shortFraction = Math.min(1, fraction * (1 + bias * direction));
      for (const level of book.long) level.usd *= 1 - longFraction;
      for (const level of book.short) level.usd *= 1 - shortFraction;
    }
  }
  const reopened = a.churnReopens ? Math.min(book.openInterest, openInterest) * (1 - keep) : 0;
  const opened = Math.max(0, change) + reopened;
  if (opened > 0) {
    const entry = (bar.high + bar.low + bar.close) / 3;
    const share = bar.takerBuyShare !== undefined && Number.isFinite(bar.takerBuyShare) ? Math.min(Math.max(bar.takerBuyShare, 0), 1) : a.defaultTakerBuyShare;
    for (const level of newLevels('long', opened * share, entry, instrument, a)) insertLevel(book.long, level);
    for (const level of newLevels('short', opened * (1 - share), entry, instrument, a)) insertLevel(book.short, level);
  }
  // 4. Far or negligible levels go; each side is merged down to its cap.
  const near = (level: Level) => Math.abs(Math.log(level.price / bar.close)) <= Math.log1p(a.maxDistance) && level.usd >= a.minLevelUsd && Number.isFinite(level.usd);
  book.long = capLevels(book.long.filter(near), a.maxLevelsPerSide);
  book.short = capLevels(book.short.filter(near), a.maxLevelsPerSide);
  const trueRange = (Math.max(bar.high, book.close) - Math.min(bar.low, book.close)) / bar.close;
  const alpha = 2 / (Math.max(1, a.atrBars) + 1);
  // A gap of several bars is one bar's range over several bars: the average is per 5 minutes.
  const bars = Math.max(1, Math.round((bar.time - book.time) / BAR_MS));
  book.atr = book.atr + alpha * (trueRange / Math.sqrt(bars) - book.atr);
  book.time = bar.time;
  book.close = bar.close;
  book.openInterest = openInterest;
  return true;
}

function insertLevel(levels: Level[], level: Level): void {
  let i = levels.length;
  while (i > 0 && levels[i - 1]!.price > level.price) i--;
  levels.splice(i, 0, level);
}

/**
 * Merge neighbours until at most `cap` levels remain, each time the adjacent pair whose merge moves
 * the least USD the least far (Ward's criterion on log price: uᵃuᵇ/(uᵃ + uᵇ) · Δ²), into one level at
 * their USD-weighted mean log price holding both USD. Heavy levels keep their place; light ones fold in.
 */
export function capLevels(levels: Level[], cap: number): Level[] {
  const limit = Math.max(1, Math.floor(cap));
  while (levels.length > limit) {
    let best = 0;
    let bestCost = Number.POSITIVE_INFINITY;
    for (let i = 0; i + 1 < levels.length; i++) {
      const a = levels[i]!;
      const b = levels[i + 1]!;
      const gap = Math.log(b.price / a.price);
      const cost = ((a.usd * b.usd) / (a.usd + b.usd)) * gap * gap;
      if (cost < bestCost) {
        bestCost = cost;
        best = i;
      }
    }
    const a = levels[best]!;
    const b = levels[best + 1]!;
    const usd = a.usd + b.usd;
    const price = Math.exp((a.usd * Math.log(a.price) + b.usd * Math.log(b.price)) / usd);
    levels.splice(best, 2, { price: Number.isFinite(price) ? price : a.price, usd });
  }
  return levels;
}

/** One price bin of a reading: the USD of one side's levels whose distance from the price falls in it. */
export interface LevelBin {
  /** Distance of the bin's near edge from the price, as a fraction (bin k covers [k, k + 1) × width). */
  from: number;
  to: number;
  /** USD-weighted mean price of the levels in the bin. */
  price: number;
  usd: number;
  /** Holds at least `clusterBinShare` of its side's USD within reach: part of a cluster. */
  significant: boolean;
}

/** One side of a reading: its bins nearest first, its clusters nearest first, its USD within reach. */
export interface LevelSide {
  bins: LevelBin[];
  /** Runs of adjacent significant bins, nearest first, with their USD and weighted price (not yet filtered by size). */
  clusters: Array<{ from: number; to: number; price: number; usd: number }>;
  totalUsd: number;
  /** USD within 1, 3 and 5 % of the price. */
  bandsUsd: [number, number, number];
}

/** The whole binned picture of an asset's levels at `price` (what the seam reads its clusters from; a heatmap could draw it). */
export interface LevelMap {
  /** Bin width, as a fraction of the price. */
  width: number;
  long: LevelSide;
  short: LevelSide;
}

const BANDS = [0.01, 0.03, 0.05] as const;

function binSide(levels: Iterable<Level>, side: PositionSide, price: number, width: number, reach: number, a: LevelAssumptions): LevelSide {
  const sums = new Map<number, [number, number]>();
  const bandsUsd: [number, number, number] = [0, 0, 0];
  let totalUsd = 0;
  for (const level of levels) {
    const distance = side === 'long' ? (price - level.price) / price : (level.price - price) / price;
    if (!(distance > 0) || distance > reach || !(level.usd > 0) || !Number.isFinite(level.usd)) continue;
    if (distance <= BANDS[0]) bandsUsd[0] += level.usd;
    if (distance <= BANDS[1]) bandsUsd[1] += level.usd;
    if (distance <= BANDS[2]) bandsUsd[2] += level.usd;
    const k = Math.floor(distance / width);
    const sum = sums.get(k) ?? [0, 0];
    sum[0] += level.usd;
    sum[1] += level.usd * level.price;
    sums.set(k, sum);
    totalUsd += level.usd;
  }
  const bins: LevelBin[] = [...sums.entries()]
    .sort(([x], [y]) => x - y)
    .map(([k, [usd, weighted]]) => ({ from: k * width, to: (k + 1) * width, price: weighted / usd, usd, significant: usd >= a.clusterBinShare * totalUsd }));
  const clusters: LevelSide['clusters'] = [];
  let run: { from: number; to: number; usd: number; weighted: number } | null = null;
  const close = () => {
    if (run && run.usd > 0) clusters.push({ from: run.from, to: run.to, price: run.weighted / run.usd, usd: run.usd });
    run = null;
  };
  for (const bin of bins) {
    if (!bin.significant) continue;
    if (run && Math.abs(bin.from - run.to) < width / 2) {
      run.to = bin.to;
      run.usd += bin.usd;
      run.weighted += bin.usd * bin.price;
      continue;
    }
    close();
    run = { from: bin.from, to: bin.to, usd: bin.usd, weighted: bin.usd * bin.price };
  }
  close();
  return { bins, clusters, totalUsd, bandsUsd };
}

/** The bin width of a reading: `binAtrMultiple` × the books' mean ATR, within [minBinWidth, maxBinWidth]. */
export function binWidth(books: readonly LevelBook[], a: LevelAssumptions = LEVEL_ASSUMPTIONS): number {
  const atrs = books.map((book) => book.atr).filter((atr) => Number.isFinite(atr) && atr > 0);
  const atr = atrs.length ? atrs.reduce((x, y) => x + y, 0) / atrs.length : a.minBinWidth;
  return Math.min(Math.max(a.binAtrMultiple * atr, a.minBinWidth), a.maxBinWidth);
}

/**
 * An asset's levels at `price`, all venues summed in USD per bin: per side, levels between the price and
 * `readReach` from it (longs below, shorts above) in bins of `binWidth` by distance; a bin holding at least
 * `clusterBinShare` of its side's USD within reach is significant, and a cluster is a run of adjacent
 * significant bins. Null for a price that is no price.
 */
export function levelMap(books: readonly LevelBook[], price: number, a: LevelAssumptions = LEVEL_ASSUMPTIONS): LevelMap | null {
  if (!(price > 0) || !Number.isFinite(price)) return null;
  const width = binWidth(books, a);
  const reach = Math.max(a.readReach, BANDS[2]);
  return {
    width,
    long: binSide(books.flatMap((book) => book.long), 'long', price, width, reach, a),
    short: binSide(books.flatMap((book) => book.short), 'short', price, width, reach, a),
  };
}

/** The cluster of a side the ticket shows: the nearest holding at least `clusterMinShare` of the side's USD within reach. */
export function shownCluster(side: LevelSide, a: LevelAssumptions = LEVEL_ASSUMPTIONS): LevelSide['clusters'][number] | null {
  if (!(side.totalUsd > 0)) return null;
  return side.clusters.find((c) => c.usd >= a.clusterMinShare * side.totalUsd && c.usd > 0 && Number.isFinite(c.price) && c.price > 0) ?? null;
}

function nearestCluster(side: LevelSide, price: number, a: LevelAssumptions): LevelCluster | null {
  const cluster = shownCluster(side, a);
  if (!cluster) return null;
  const distancePct = (Math.abs(price - cluster.price) / price) * 100;
  return Number.isFinite(distancePct) && Number.isFinite(cluster.usd) ? { price: cluster.price, distancePct, usd: cluster.usd } : null;
}

/**
 * The seam: one asset's levels as every per-asset reading carries them, from its books (all venues,
 * summed in USD) and the current price. `long` is the nearest cluster (see levelMap) of long levels below
 * the price holding at least `clusterMinShare` of the long USD within reach, `short` the same above;
 * `bandsUsd` the USD of long levels below and short levels above within 1, 3 and 5 %. Never NaN; nulls
 * and zeros when there is nothing to show.
 */
export function levelsReading(books: readonly LevelBook[], price: number, a: LevelAssumptions = LEVEL_ASSUMPTIONS): AssetLevels {
  const out = emptyLevels();
  const map = books.length ? levelMap(books, price, a) : null;
  if (!map) return out;
  out.long = nearestCluster(map.long, price, a);
  out.short = nearestCluster(map.short, price, a);
  const [long1, long3, long5] = map.long.bandsUsd;
  const [short1, short3, short5] = map.short.bandsUsd;
  out.bandsUsd = { long1, long3, long5, short1, short3, short5 };
  return out;
}

// ---------------------------------------------------------------------------------------------
// Stored form

/**
 * JSON form: `{ v: 1, books: [[venue, symbol, asset, time, close, openInterest, atr, long, short, from]] }`
 * with each side `[exponent, offsets…, amounts…]`, n levels: offsets are the levels' log distance from
 * the close in basis points (ln(price / close) × 10⁴, rounded), the first absolute and the rest as
 * differences (the list is sorted, so they are small); amounts are USD in units of 10^exponent,
 * rounded (four significant digits of the side's largest level). About 8 characters a level. `from` (the first
 * bar's end, ms) came later: a book stored without it reads as reaching back to its last bar only.
 */
export interface StoredLevels {
  v: 1;
  books: StoredBook[];
}
type StoredSide = number[];
type StoredBook = [VenueId, string, string, number, number, number, number, StoredSide, StoredSide, number];

const STORED_VERSION = 1;
const OFFSET_UNITS = 1e4;

function encodeSide(levels: readonly Level[], close: number): StoredSide {
  const kept = levels.filter((level) => level.usd > 0 && level.price > 0);
  if (kept.length === 0) return [];
  const largest = Math.max(...kept.map((level) => level.usd));
  const exponent = Math.floor(Math.log10(largest)) - 3;
  const unit = 10 ** exponent;
  const offsets = kept.map((level) => Math.round(Math.log(level.price / close) * OFFSET_UNITS));
  const deltas = offsets.map((offset, i) => (i === 0 ? offset : offset - offsets[i - 1]!));
  return [exponent, ...deltas, ...kept.map((level) => Math.round(level.usd / unit))];
}

function decodeSide(stored: unknown, close: number, a: LevelAssumptions): Level[] | null {
  if (!Array.isArray(stored)) return null;
  if (stored.length === 0) return [];
  const [exponent, ...rest] = stored as unknown[];
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent as number) > 30 || rest.length % 2 !== 0) return null;
  if (!rest.every((n) => Number.isSafeInteger(n))) return null;
  const count = rest.length / 2;
  const unit = 10 ** (exponent as number);
  const levels: Level[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    offset = i === 0 ? (rest[i] as number) : offset + (rest[i] as number);
    const price = close * Math.exp(offset / OFFSET_UNITS);
    const usd = (rest[count + i] as number) * unit;
    if (!Number.isFinite(price) || !(price > 0) || !Number.isFinite(usd) || usd < 0) return null;
    if (usd >= a.minLevelUsd) levels.push({ price, usd });
  }
  for (let i = 1; i < levels.length; i++) if (levels[i]!.price < levels[i - 1]!.price) return null;
  return capLevels(levels, a.maxLevelsPerSide);
}

const isVenue = (value: unknown): value is VenueId => typeof value === 'string' && (VENUE_IDS as readonly string[]).includes(value);
const finitePositive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

function decodeBook(stored: unknown, a: LevelAssumptions): LevelBook | null {
  if (!Array.isArray(stored) || stored.length !== 10) return null;
  const [venue, symbol, asset, time, close, openInterest, atr, long, short, storedFrom] = stored as unknown[];
  if (!isVenue(venue) || typeof symbol !== 'string' || symbol === '' || typeof asset !== 'string' || asset === '') return null;
  if (!finitePositive(time) || !finitePositive(storedFrom) || storedFrom > time || !finitePositive(close) || typeof openInterest !== 'number' || !Number.isFinite(openInterest) || openInterest < 0) return null;
  if (typeof atr !== 'number' || !Number.isFinite(atr) || atr < 0) return null;
  const longLevels = decodeSide(long, close, a);
  const shortLevels = decodeSide(short, close, a);
  if (!longLevels || !shortLevels) return null;
  return { venue, symbol, asset, from: storedFrom, time, close, openInterest, atr, long: longLevels, short: shortLevels };
}

// ---------------------------------------------------------------------------------------------
// The model: every book, the instruments' tiers, ingest and readings.

/** LEVEL_ASSUMPTIONS overlaid with `overrides`; an unusable leverage mix keeps the default one. */
function resolveAssumptions(overrides: Partial<LevelAssumptions>): LevelAssumptions {
  const mix = overrides.leverageMix ? parseLeverageMix(overrides.leverageMix) : null;
  return { ...LEVEL_ASSUMPTIONS, ...overrides, leverageMix: mix ?? [...LEVEL_ASSUMPTIONS.leverageMix] };
}

const bookKey = (venue: VenueId, symbol: string) => `${venue}|${symbol}`;

export class LiquidationLevels {
  private current: LevelAssumptions;
  private readonly books = new Map<string, LevelBook>();
  private readonly instruments = new Map<string, LevelInstrument>();

  constructor(assumptions: Partial<LevelAssumptions> = {}, stored?: unknown) {
    this.current = resolveAssumptions(assumptions);
    if (stored !== undefined) this.restore(stored);
  }

  /** The assumptions in force (LEVEL_ASSUMPTIONS overlaid with the overrides). */
  get assumptions(): Readonly<LevelAssumptions> {
    return this.current;
  }

  /**
   * Replaces the overrides (LEVEL_ASSUMPTIONS overlaid with `assumptions`, e.g. the trader's leverage mix):
   * the books stay as they are, the bars after are read with the new assumptions.
   */
  setAssumptions(assumptions: Partial<LevelAssumptions>): void {
    this.current = resolveAssumptions(assumptions);
  }

  static fromJSON(stored: unknown, assumptions: Partial<LevelAssumptions> = {}): LiquidationLevels {
    return new LiquidationLevels(assumptions, stored);
  }

  /** The instrument's tiers and max leverage (from the venue's tier endpoint and catalogue); used for the bars after. */
  setInstrument(instrument: LevelInstrument): void {
    this.instruments.set(bookKey(instrument.venue, instrument.symbol), instrument);
  }

  /** One closed bar of a venue's perpetual; false when it was not applied (malformed, or not newer than the last). */
  ingestBar(venue: VenueId, symbol: string, asset: string, bar: LevelBar): boolean {
    const key = bookKey(venue, symbol);
    const book = this.books.get(key);
    if (!book || book.asset !== asset) {
      const fresh = newBook(venue, symbol, asset, bar);
      if (!fresh) return false;
      this.books.delete(key);
      this.books.set(key, fresh);
      this.evict();
      return true;
    }
    const applied = applyBar(book, bar, this.instruments.get(key), this.assumptions);
    if (applied) {
      // Most recently updated last: eviction takes the front.
      this.books.delete(key);
      this.books.set(key, book);
    }
    return applied;
  }

  /**
   * A venue × symbol's book built again from `bars` (oldest first), whatever it held: a deep backfill reaching
   * further back than the book, whose later bars the caller feeds again. Returns the bars applied.
   */
  rebuild(venue: VenueId, symbol: string, asset: string, bars: readonly LevelBar[]): number {
    this.books.delete(bookKey(venue, symbol));
    return bars.filter((bar) => this.ingestBar(venue, symbol, asset, bar)).length;
  }

  /** The first bar's end of a venue × symbol's book (how far back its positions reach), ms, or null without a book. */
  firstBarEnd(venue: VenueId, symbol: string): number | null {
    return this.books.get(bookKey(venue, symbol))?.from ?? null;
  }

  /** The end of the last bar applied to a venue × symbol's book, ms, or null before its first. */
  lastBarEnd(venue: VenueId, symbol: string): number | null {
    return this.books.get(bookKey(venue, symbol))?.time ?? null;
  }

  /** The asset's books updated within `staleAfterMs` of `now` (all of them without `now`). */
  booksOf(asset: string, now?: number): LevelBook[] {
    return [...this.books.values()].filter((book) => book.asset === asset && (now === undefined || now - book.time <= this.assumptions.staleAfterMs));
  }

  /** The seam for one asset at `price` (see levelsReading); books stale at `now` are left out. */
  reading(asset: string, price: number, now?: number): AssetLevels {
    return levelsReading(this.booksOf(asset, now), price, this.assumptions);
  }

  assets(): string[] {
    return [...new Set([...this.books.values()].map((book) => book.asset))].sort();
  }

  /** Drop books with no bar within `staleAfterMs` × 48 (a day at the default) of `now`. */
  prune(now: number): void {
    for (const [key, book] of this.books) if (now - book.time > this.assumptions.staleAfterMs * 48) this.books.delete(key);
  }

  toJSON(): StoredLevels {
    const books: StoredBook[] = [...this.books.values()].map((book) => [
      book.venue,
      book.symbol,
      book.asset,
      book.time,
      book.close,
      Number(book.openInterest.toPrecision(8)),
      Number(book.atr.toPrecision(3)),
      encodeSide(book.long, book.close),
      encodeSide(book.short, book.close),
      book.from,
    ]);
    return { v: STORED_VERSION, books };
  }

  private restore(stored: unknown): void {
    if (typeof stored !== 'object' || stored === null || (stored as { v?: unknown }).v !== STORED_VERSION) return;
    const books = (stored as { books?: unknown }).books;
    if (!Array.isArray(books)) return;
    for (const entry of books) {
      const book = decodeBook(entry, this.assumptions);
      if (book) this.books.set(bookKey(book.venue, book.symbol), book);
    }
    this.evict();
  }

  private evict(): void {
    while (this.books.size > Math.max(1, this.assumptions.maxBooks)) {
      const oldest = this.books.keys().next().value;
      if (oldest === undefined) break;
      this.books.delete(oldest);
    }
  }
}
