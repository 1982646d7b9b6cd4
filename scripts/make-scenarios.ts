/**
 * npm exec tsx scripts/make-scenarios.ts [outDir]
 * Writes the committed scenarios in scenarios/*.json from the stories in the traders' articles
 * (a $99M long flush in one hour; a $471M day while spot stayed green; rebuild; failure to
 * reclaim; a calm day; a short squeeze). Deterministic: a seeded RNG, so re-running gives
 * byte-identical files.
 *
 * Model: each scenario is a list of segments (minutes [from, to)). A segment sets the
 * liquidation rate and shape, the long share, and the total price and OI change over it, and
 * the level funding and basis drift towards. Per venue × asset rows are derived every minute.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VenueId } from '../src/core/model';
import type { Scenario, ScenarioEvent, ScenarioLiquidationEvent, ScenarioMarketEvent } from '../tools/replay/scenario';

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  uniform(): number {
    return this.next();
  }
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
  pick<T>(items: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i]!;
      if (r <= 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }
}

// ---------------------------------------------------------------------------------------------
// The market: three venues, three assets (prices from the article's snapshot)

const START = Date.UTC(2025, 10, 14, 0, 0, 0); // minute-aligned epoch ms
const MINUTE = 60_000;
const VENUES: VenueId[] = ['binance', 'bybit', 'okx'];
const VENUE_SHARE = [0.5, 0.3, 0.2];
/** Venue quirks: arrival offset in the minute, funding multiplier, price offset. */
const VENUE_QUIRK = [
  { ms: 1_000, funding: 1.0, price: 0 },
  { ms: 2_500, funding: 1.1, price: 0.00008 },
  { ms: 4_000, funding: 0.9, price: -0.00006 },
];

interface AssetSpec {
  asset: string;
  price: number;
  /** Total OI across the three venues, USD. */
  oiUsd: number;
  /** Share of liquidations. */
  liqShare: number;
  /** Price sensitivity relative to BTC. */
  beta: number;
  perpVolume24h: number;
  spotVolume24h: number;
}

const ASSETS: AssetSpec[] = [
  { asset: 'BTC', price: 72_226, oiUsd: 16e9, liqShare: 0.45, beta: 1, perpVolume24h: 40e9, spotVolume24h: 10e9 },
  { asset: 'ETH', price: 2_106, oiUsd: 9.6e9, liqShare: 0.3, beta: 1.25, perpVolume24h: 22e9, spotVolume24h: 6e9 },
  { asset: 'SOL', price: 90, oiUsd: 2.8e9, liqShare: 0.25, beta: 1.6, perpVolume24h: 7e9, spotVolume24h: 1.6e9 },
];

/** Background rate on a normal day, all assets, USD per minute ($2.5M an hour). */
const CALM_LIQ_PER_MIN = 2_500_000 / 60;

type Shape = 'flat' | 'cascade' | 'waves3';

interface Segment {
  /** Length in minutes. */
  minutes: number;
  /** Extra liquidations (USD, all assets) spread over the segment by `shape`, on top of calm noise. */
  liqUsd?: number;
  shape?: Shape;
  /** Multiplier on the calm background rate. */
  calm?: number;
  longShare: number;
  /** Total BTC price change over the segment (fraction); others scale by beta. */
  price?: number;
  /** Total OI change over the segment (fraction). */
  oi?: number;
  /** Whether price and OI move with the liquidation shape (a cascade) or evenly. */
  followLiq?: boolean;
  funding: number;
  fundingTau?: number;
  basis?: number;
  perpVolume?: number;
  spotVolume?: number;
  /** Typical single liquidation in USD. */
  eventUsd?: number;
}

interface Burst {
  minute: number;
  asset: string;
  usd: number;
  longShare: number;
  minutes: number;
}

interface Story {
  file: string;
  name: string;
  seed: number;
  segments: Segment[];
  bursts?: Burst[];
  /** Price noise per minute for BTC (fraction). */
  priceNoise?: number;
  /** Scale the extra liquidations of every segment so the whole file totals this much (USD). */
  totalLiqUsd?: number;
}

// ---------------------------------------------------------------------------------------------
// Shapes

function shapeWeights(shape: Shape, minutes: number): number[] {
  const w: number[] = [];
  for (let m = 0; m < minutes; m++) {
    if (shape === 'flat') w.push(1);
    else if (shape === 'cascade') w.push(cascade(m));
    else {
      // Three cascades back to back, the middle one the largest.
      const third = minutes / 3;
      const k = Math.floor(m / third);
      w.push(cascade(m - k * third) * [0.9, 1.2, 0.6][k]!);
    }
  }
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / sum);
}

/** A cascade: steep rise over 8 minutes, then exponential decay. */
function cascade(m: number): number {
  return m < 8 ? (m + 1) / 8 : Math.exp(-(m - 8) / 12);
}

// ---------------------------------------------------------------------------------------------
// Simulation

interface AssetState {
  spec: AssetSpec;
  price: number;
  oiMult: number;
  funding: number;
  basis: number;
  /** Rolling 24 h volumes as per-minute rings, pre-filled with a normal day. */
  perpRing: Float64Array;
  spotRing: Float64Array;
  perpSum: number;
  spotSum: number;
}

function generate(story: Story): Scenario {
  const rng = new Rng(story.seed);
  const events: ScenarioEvent[] = [];
  const states: AssetState[] = ASSETS.map((spec) => ({
    spec,
    price: spec.price,
    oiMult: 1,
    funding: 0.0001,
    basis: 0.0002,
    perpRing: new Float64Array(1440).fill(spec.perpVolume24h / 1440),
    spotRing: new Float64Array(1440).fill(spec.spotVolume24h / 1440),
    perpSum: spec.perpVolume24h,
    spotSum: spec.spotVolume24h,
  }));
  const scale = story.totalLiqUsd ? liqScale(story) : 1;
  let minute = 0;
  for (const seg of story.segments) {
    const weights = shapeWeights(seg.shape ?? 'flat', seg.minutes);
    for (let i = 0; i < seg.minutes; i++, minute++) {
      const w = weights[i]!;
      const extra = (seg.liqUsd ?? 0) * scale * w;
      const stepWeight = seg.followLiq ? w : 1 / seg.minutes;
      for (const st of states) {
        stepAsset(st, seg, stepWeight, minute, story.priceNoise ?? 0.00025, rng);
        liquidations(events, rng, minute, st, seg, extra * st.spec.liqShare, seg.longShare);
      }
      for (const burst of story.bursts ?? []) {
        if (minute >= burst.minute && minute < burst.minute + burst.minutes) {
          const st = states.find((s) => s.spec.asset === burst.asset)!;
          st.price *= 1 + (burst.longShare > 0.5 ? -0.003 : 0.003) / burst.minutes;
          st.oiMult *= 1 - 0.002 / burst.minutes;
          liquidations(events, rng, minute, st, { ...seg, calm: 0, eventUsd: 25_000 }, burst.usd / burst.minutes, burst.longShare);
        }
      }
      for (const st of states) marketRows(events, rng, minute, st);
    }
  }
  events.sort((a, b) => a.t - b.t || (a.type === b.type ? 0 : a.type === 'market' ? -1 : 1));
  return { name: story.name, start: START, events };
}

/** Scales segment liquidations so that calm noise + extras hit the story's total. */
function liqScale(story: Story): number {
  const calmUsd = story.segments.reduce((a, s) => a + s.minutes * CALM_LIQ_PER_MIN * (s.calm ?? 1), 0);
  const extras = story.segments.reduce((a, s) => a + (s.liqUsd ?? 0), 0);
  const bursts = (story.bursts ?? []).reduce((a, b) => a + b.usd, 0);
  return (story.totalLiqUsd! - calmUsd - bursts) / extras;
}

function stepAsset(st: AssetState, seg: Segment, stepWeight: number, minute: number, noise: number, rng: Rng): void {
  const beta = st.spec.beta;
  const priceStep = (seg.price ?? 0) * stepWeight;
  st.price *= Math.exp(beta * (Math.log1p(priceStep) + noise * rng.normal()));
  st.oiMult *= Math.exp(Math.log1p((seg.oi ?? 0) * stepWeight) + 0.00008 * rng.normal());
  const tau = seg.fundingTau ?? 15;
  st.funding += (seg.funding - st.funding) / tau + 0.000003 * rng.normal();
  st.basis += ((seg.basis ?? 0.0002) - st.basis) / 10 + 0.00002 * rng.normal();
  // Volumes: perp trades with the liquidations; spot barely notices a leverage flush.
  const perpMin = (st.spec.perpVolume24h / 1440) * (seg.perpVolume ?? 1) * (1 + 0.1 * rng.normal());
  const spotMin = (st.spec.spotVolume24h / 1440) * (seg.spotVolume ?? 1) * (1 + 0.1 * rng.normal());
  rollVolume(st, minute % 1440, Math.max(0, perpMin), Math.max(0, spotMin));
}

/** Replaces the volume of the same minute yesterday: a rolling 24 h sum. */
function rollVolume(st: AssetState, slot: number, perp: number, spot: number): void {
  st.perpSum += perp - st.perpRing[slot]!;
  st.spotSum += spot - st.spotRing[slot]!;
  st.perpRing[slot] = perp;
  st.spotRing[slot] = spot;
}

function liquidations(events: ScenarioEvent[], rng: Rng, minute: number, st: AssetState, seg: Segment, extraUsd: number, longShare: number): void {
  const calm = CALM_LIQ_PER_MIN * st.spec.liqShare * (seg.calm ?? 1) * rng.lognormal(1, 0.6) * Math.exp(-0.18);
  let remaining = calm + extraUsd;
  const typical = seg.eventUsd ?? (extraUsd > calm * 4 ? 60_000 : 15_000);
  while (remaining >= 100) {
    let size = Math.min(remaining, Math.max(100, rng.lognormal(typical, 1)));
    // Fold a small leftover into this event rather than printing dust.
    if (remaining - size < typical / 4) size = remaining;
    remaining -= size;
    const side = rng.uniform() < longShare ? 'long' : 'short';
    const venue = rng.pick(VENUES, VENUE_SHARE);
    // Longs are sold out below the mark, shorts bought back above it.
    const price = st.price * (1 + (side === 'long' ? -1 : 1) * 0.0005 * rng.uniform());
    const event: ScenarioLiquidationEvent = {
      t: minute * MINUTE + Math.floor(rng.uniform() * MINUTE),
      type: 'liquidation',
      venue,
      asset: st.spec.asset,
      side,
      price: sig(price, 7),
      notionalUsd: Math.round(size),
    };
    events.push(event);
  }
}

function marketRows(events: ScenarioEvent[], rng: Rng, minute: number, st: AssetState): void {
  VENUES.forEach((venue, v) => {
    const quirk = VENUE_QUIRK[v]!;
    const index = st.price * (1 + quirk.price * 0.2);
    const mark = index * (1 + st.basis);
    const row: ScenarioMarketEvent = {
      t: minute * MINUTE + quirk.ms,
      type: 'market',
      venue,
      asset: st.spec.asset,
      price: sig(mark * (1 + quirk.price + 0.00005 * rng.normal()), 7),
      markPrice: sig(mark, 7),
      indexPrice: sig(index, 7),
      fundingRate8h: Math.round(st.funding * quirk.funding * 1e8) / 1e8,
      openInterestUsd: Math.round((st.spec.oiUsd * VENUE_SHARE[v]! * st.oiMult * (1 + 0.0002 * rng.normal())) / 1000) * 1000,
      perpVolume24hUsd: Math.round((st.perpSum * VENUE_SHARE[v]!) / 1000) * 1000,
      spotVolume24hUsd: Math.round((st.spotSum * VENUE_SHARE[v]!) / 1000) * 1000,
    };
    events.push(row);
  });
}

function sig(v: number, digits: number): number {
  return Number(v.toPrecision(digits));
}

// ---------------------------------------------------------------------------------------------
// The stories

const calm = (minutes: number, extra: Partial<Segment> = {}): Segment => ({ minutes, longShare: 0.5, funding: 0.0001, ...extra });

export const STORIES: Story[] = [
  {
    // Article 1: "$99M in one hour, ~90% longs": crowded longs, a sudden drop, OI −8 %,
    // funding cooling then flipping negative, then exhaustion. The demo: 3 hours.
    file: 'long-flush-99m.json',
    name: 'Long flush: $99M in one hour, 90% longs, then exhaustion',
    seed: 99,
    segments: [
      calm(45),
      { minutes: 25, longShare: 0.3, price: 0.004, oi: 0.022, funding: 0.00035, fundingTau: 8, basis: 0.0005 },
      { minutes: 60, liqUsd: 96_500_000, shape: 'cascade', followLiq: true, longShare: 0.9, price: -0.035, oi: -0.08, funding: 0, fundingTau: 20, basis: -0.0003, perpVolume: 6, spotVolume: 1.3 },
      { minutes: 55, calm: 1.3, longShare: 0.6, price: 0.003, funding: -0.00012, fundingTau: 15, basis: 0 },
    ],
  },
  {
    // Article 2: "$471M in 24 h" while BTC and ETH stayed green and spot was calm: a
    // derivatives-driven flush. A rally crowds longs, three waves flush them, OI and funding
    // reset, price recovers to finish the day green; OI rebuilds only slowly. Five minutes
    // longer than a day so the last reading has a full 24 h behind it.
    file: 'flush-471m-day.json',
    name: '$471M liquidated in 24 h while price stayed green and spot calm',
    seed: 471,
    totalLiqUsd: 471_000_000,
    segments: [
      calm(300, { price: 0.004 }),
      { minutes: 120, longShare: 0.35, price: 0.045, oi: 0.05, funding: 0.0004, fundingTau: 30, basis: 0.0006, perpVolume: 1.5 },
      { minutes: 180, liqUsd: 350_000_000, shape: 'waves3', followLiq: true, longShare: 0.85, price: -0.038, oi: -0.11, funding: 0.00005, fundingTau: 40, basis: -0.0002, perpVolume: 5, spotVolume: 1.1 },
      { minutes: 845, liqUsd: 60_000_000, shape: 'flat', longShare: 0.65, price: 0.012, oi: 0.02, funding: 0.0001, fundingTau: 60, basis: 0.0002, perpVolume: 1.2 },
    ],
  },
  {
    // "OI rebuilding on the other side": after a long flush, shorts pile in fast and funding
    // flips hard negative while price chops: risk relocated, not dissolved.
    file: 'rebuild.json',
    name: 'Long flush, then a fast OI rebuild with funding flipped hard negative',
    seed: 7,
    segments: [
      calm(90),
      { minutes: 30, longShare: 0.3, price: 0.004, oi: 0.025, funding: 0.0004, fundingTau: 8, basis: 0.0005 },
      { minutes: 60, liqUsd: 150_000_000, shape: 'cascade', followLiq: true, longShare: 0.88, price: -0.04, oi: -0.1, funding: -0.00005, fundingTau: 12, basis: -0.0003, perpVolume: 6, spotVolume: 1.2 },
      calm(60, { calm: 1.2, longShare: 0.55, funding: -0.00005, price: 0.002 }),
      { minutes: 120, longShare: 0.45, oi: 0.12, funding: -0.0006, fundingTau: 20, basis: -0.0004, perpVolume: 2 },
      calm(120, { longShare: 0.45, funding: -0.0006, fundingTau: 30, basis: -0.0004 }),
    ],
  },
  {
    // The risk box: "OI returns to pre-flush levels quickly while price fails to reclaim prior
    // highs", funding elevated again, liquidations still hitting longs: the flush becomes a trend.
    file: 'failure-to-reclaim.json',
    name: 'Long flush, then OI back to pre-flush while price keeps failing: continuation',
    seed: 13,
    segments: [
      calm(90),
      { minutes: 30, longShare: 0.3, price: 0.004, oi: 0.025, funding: 0.0004, fundingTau: 8, basis: 0.0005 },
      { minutes: 60, liqUsd: 140_000_000, shape: 'cascade', followLiq: true, longShare: 0.88, price: -0.04, oi: -0.09, funding: 0.00005, fundingTau: 10, basis: -0.0003, perpVolume: 6, spotVolume: 1.2 },
      calm(50, { calm: 1.2, longShare: 0.6, funding: 0.00005, fundingTau: 10, price: 0.002 }),
      { minutes: 190, liqUsd: 12_000_000, shape: 'flat', longShare: 0.78, price: -0.02, oi: 0.105, funding: 0.00045, fundingTau: 25, basis: 0.0004, perpVolume: 1.5 },
      { minutes: 60, liqUsd: 4_000_000, shape: 'flat', longShare: 0.75, price: -0.004, funding: 0.00045, basis: 0.0004 },
    ],
  },
  {
    // A normal day: noise, funding at the usual 0.01 %, and a few small one-sided bursts on
    // single assets. The meter must never cry flush.
    file: 'calm-day.json',
    name: 'A calm day with small liquidation bursts',
    seed: 2024,
    segments: [calm(1440, { price: 0.003 })],
    bursts: [
      { minute: 130, asset: 'SOL', usd: 1_800_000, longShare: 0.85, minutes: 6 },
      { minute: 300, asset: 'ETH', usd: 2_200_000, longShare: 0.2, minutes: 8 },
      { minute: 470, asset: 'BTC', usd: 2_500_000, longShare: 0.8, minutes: 10 },
      { minute: 650, asset: 'SOL', usd: 1_500_000, longShare: 0.15, minutes: 5 },
      { minute: 820, asset: 'ETH', usd: 2_000_000, longShare: 0.85, minutes: 7 },
      { minute: 1010, asset: 'BTC', usd: 1_200_000, longShare: 0.75, minutes: 5 },
      { minute: 1180, asset: 'SOL', usd: 2_000_000, longShare: 0.8, minutes: 9 },
      { minute: 1340, asset: 'ETH', usd: 1_600_000, longShare: 0.3, minutes: 6 },
    ],
  },
  {
    // The mirror image: shorts crowd into a drop (negative funding, OI rising), price rips,
    // shorts are liquidated, funding flips positive, then exhaustion.
    file: 'short-squeeze.json',
    name: 'Short squeeze: $120M of shorts liquidated, funding flips positive',
    seed: 42,
    segments: [
      calm(60),
      { minutes: 40, longShare: 0.7, price: -0.01, oi: 0.025, funding: -0.0004, fundingTau: 10, basis: -0.0004 },
      { minutes: 60, liqUsd: 118_000_000, shape: 'cascade', followLiq: true, longShare: 0.15, price: 0.05, oi: -0.07, funding: 0.00005, fundingTau: 20, basis: 0.0004, perpVolume: 6, spotVolume: 1.3 },
      calm(80, { calm: 1.2, longShare: 0.45, funding: 0.00005, price: -0.002 }),
    ],
  },
];

function main(): void {
  const outDir = process.argv[2] ?? 'scenarios';
  mkdirSync(outDir, { recursive: true });
  for (const story of STORIES) {
    const scenario = generate(story);
    const json = JSON.stringify(scenario);
    writeFileSync(join(outDir, story.file), json + '\n');
    const liq = scenario.events.filter((e) => e.type === 'liquidation') as ScenarioLiquidationEvent[];
    const total = liq.reduce((a, e) => a + e.notionalUsd, 0);
    console.log(`${story.file}: ${scenario.events.length} events (${liq.length} liquidations, $${(total / 1e6).toFixed(1)}M), ${(json.length / 1e6).toFixed(2)} MB`);
  }
}

main();
