/**
 * Property tests (fast-check) for every venue parser and for the arithmetic behind the meter:
 * rolling windows, dedupe and the engine's readings. Each property runs a modest number of
 * random cases so the whole file stays at a few seconds; a failure prints its seed and the
 * shrunk counterexample.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { admitPolledBatch, Deduper, identityOf } from '../src/core/dedupe';
import { FlushEngine, type EngineState } from '../src/core/engine';
import { MarketHistory } from '../src/core/history';
import { VENUE_IDS, type Liquidation, type MarketUpdate, type VenueId } from '../src/core/model';
import { venues } from '../src/venues';
import { HOUR_MS, LiquidationWindows, MAX_FUTURE_SKEW_MS, MINUTE_MS, RETENTION_MINUTES, minuteOf } from '../src/core/windows';
import {
  ENCODED_MARKUP,
  EXTRA_FIELD,
  MARKUP,
  NOW,
  contractViolation,
  describeTarget,
  harnessFor,
  isNumeric,
  nodesOf,
  removeAt,
  replaceAt,
  targetsOf,
  type Target,
  type VenueHarness,
} from './venue-samples';

beforeAll(() => {
  // Adapters stamp some rows with the receive time; a fixed clock keeps runs reproducible.
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
});
afterAll(() => {
  vi.useRealTimers();
});

// ---------------------------------------------------------------------------------------------
// Parsers
// ---------------------------------------------------------------------------------------------

const harnesses = new Map<VenueId, VenueHarness>(VENUE_IDS.map((id) => [id, harnessFor(id)]));

/** Every parser entry point of a venue: parseLiquidations, the stream (JSON and raw text), parsePoll per key. */
function targetsOfVenue(h: VenueHarness): Target[] {
  const hasStream = h.adapter.openStream(['BTC']) !== null;
  const keys = [...new Set(h.samples.filter((s) => s.kind === 'poll').map((s) => s.key!))];
  return [
    { kind: 'liquidations' },
    ...(hasStream ? [{ kind: 'stream' } as const, { kind: 'frame' } as const] : []),
    ...keys.map((key) => ({ kind: 'poll', key }) as const),
  ];
}

/** Values a venue might send by mistake: any JSON, numbers at and beyond every limit, numeric text, markup. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 5e-324, 1e-18, 1e18, -1e18, Number.MAX_VALUE),
  fc.double().map(String),
  fc.integer().map(String),
  fc.constantFrom('', ' ', 'NaN', 'Infinity', '1e999', '0x10', '1_000', MARKUP, ENCODED_MARKUP, 'UNEXPECTED', 'buy', 'Sell', 'long'),
  fc.string().map((s) => `${MARKUP}${s}`),
);

/** Numbers at and beyond what a parser accepts: products and quotients of these overflow or reach zero. */
const extremeNumber = fc.oneof(
  fc.constantFrom(0, -0, 5e-324, 1e-300, 1e-18, 1e18, 1e300, Number.MAX_VALUE, -1, Number.NaN, Number.POSITIVE_INFINITY),
  fc.double(),
);

/**
 * One edit: replace a random node, remove it, add an unknown field beside it, or (the most likely
 * to break arithmetic) set a random numeric field to an extreme number of the same wire type.
 */
const edit = fc.record({
  at: fc.nat(),
  action: fc.constantFrom('replace', 'remove', 'extra', 'number', 'number'),
  value: badValue,
  number: extremeNumber,
});
type Edit = { at: number; action: 'replace' | 'remove' | 'extra' | 'number'; value: unknown; number: number };

function applyEdits(payload: unknown, edits: readonly Edit[]): unknown {
  let current = payload;
  for (const { at, action, value, number } of edits) {
    const nodes = nodesOf(current);
    const node = nodes[at % nodes.length]!;
    if (action === 'number') {
      const numeric = nodes.filter((n) => isNumeric(n.value));
      const target = numeric[at % Math.max(1, numeric.length)];
      if (target) current = replaceAt(current, target.path, typeof target.value === 'string' ? String(number) : number);
    } else if (action === 'replace') current = replaceAt(current, node.path, value);
    else if (action === 'remove' && node.path.length > 0) current = removeAt(current, node.path);
    else if (action === 'extra' && typeof node.value === 'object' && node.value !== null && !Array.isArray(node.value)) {
      current = replaceAt(current, node.path, { ...node.value, [EXTRA_FIELD]: value });
    }
  }
  return current;
}

describe.each(VENUE_IDS)('parser properties: %s', (venue) => {
  const h = harnesses.get(venue)!;
  const targets = targetsOfVenue(h);
  const hasStream = targets.some((t) => t.kind === 'stream');

  it('arbitrary JSON into every parser: sound output or VenueDataError, nothing else', () => {
    fc.assert(
      fc.property(fc.constantFrom(...targets), fc.jsonValue(), (target, value) => {
        const input = target.kind === 'frame' ? JSON.stringify(value) : value;
        const outcome = h.run(target, input, ['BTC', 'ETH', 'SOL']);
        if (target.kind === 'poll') h.prime(target.key);
        expect(contractViolation(venue, outcome, input), describeTarget(target)).toBeNull();
      }),
      { numRuns: 150 },
    );
  });

  if (hasStream) {
    it('arbitrary text frames into the stream: sound output or VenueDataError', () => {
      const session = h.session()!;
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.json(), fc.constantFrom('pong', 'ping', '', '{}', '[]', 'null')), (text) => {
          let outcome;
          try {
            outcome = { ok: true as const, output: session.onMessage(text) };
          } catch (error) {
            outcome = { ok: false as const, error };
          }
          expect(contractViolation(venue, outcome, text)).toBeNull();
        }),
        { numRuns: 150 },
      );
    });
  }

  it('valid payloads with up to four random edits: sound output or VenueDataError, markup stays inert', () => {
    const cases = h.samples.flatMap((sample) => targetsOf(sample, hasStream).map((target) => ({ sample, target })));
    fc.assert(
      fc.property(fc.constantFrom(...cases), fc.array(edit, { minLength: 1, maxLength: 4 }), ({ sample, target }, edits) => {
        const payload = applyEdits(sample.payload, edits as Edit[]);
        const outcome = h.run(target, payload, sample.watched);
        if (target.kind === 'poll') h.prime(target.key);
        expect(contractViolation(venue, outcome, payload), `${sample.source} → ${describeTarget(target)}`).toBeNull();
      }),
      { numRuns: 250 },
    );
  });
});

describe('parser properties: learned contract sizes', () => {
  /** OKX and BitMEX size liquidations with contract values learned from polls; a bad poll must not poison later liquidations. */
  it.each([['okx', 'instruments:'] as const, ['bitmex', 'instrument'] as const])(
    '%s: any edited instruments answer, then every valid liquidation message, still gives sound output',
    (venue, teaching) => {
      const h = harnesses.get(venue)!;
      const polls = h.samples.filter((s) => s.kind === 'poll' && s.key!.startsWith(teaching));
      const messages = h.samples.filter((s) => s.kind === 'message');
      fc.assert(
        fc.property(fc.constantFrom(...polls), fc.array(edit, { minLength: 1, maxLength: 3 }), (poll, edits) => {
          h.run({ kind: 'poll', key: poll.key! }, applyEdits(poll.payload, edits as Edit[]), poll.watched);
          for (const message of messages) {
            expect(contractViolation(venue, h.run({ kind: 'liquidations' }, message.payload, message.watched), message.payload), message.source).toBeNull();
          }
          h.prime();
        }),
        { numRuns: 100 },
      );
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Window arithmetic
// ---------------------------------------------------------------------------------------------

const VENUES_USED: VenueId[] = ['binance', 'okx', 'bitmex'];
const ASSETS = ['BTC', 'ETH', 'SOL'];

/** Notional in USD: mostly real sizes, sometimes values the windows must refuse. */
const notional = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 0.01, max: 5e8, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, -250_000, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324) },
);

/** A liquidation within 26 h before NOW to 10 min after it (so some fall outside the window or ahead of the clock). */
const liquidation: fc.Arbitrary<Liquidation> = fc.record({
  venue: fc.constantFrom(...VENUES_USED),
  asset: fc.constantFrom(...ASSETS),
  side: fc.constantFrom('long' as const, 'short' as const),
  notionalUsd: notional,
  offset: fc.integer({ min: -26 * HOUR_MS, max: 10 * MINUTE_MS }),
}).map(({ venue, asset, side, notionalUsd, offset }) => ({
  venue,
  symbol: `${asset}USDT`,
  asset,
  side,
  price: 100,
  quantity: notionalUsd / 100,
  notionalUsd,
  time: NOW + offset,
}));

/** Sums compared across windows are added in different orders; allow for rounding only. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}
function atMost(a: number, b: number): boolean {
  return a <= b || close(a, b);
}

/** What the windows promise to keep: a positive finite notional, not too far ahead, within 24 h. */
function retained(l: Liquidation, now: number): boolean {
  return Number.isFinite(l.notionalUsd) && l.notionalUsd > 0 && l.time <= now + MAX_FUTURE_SKEW_MS && minuteOf(l.time) > minuteOf(now) - RETENTION_MINUTES;
}

const sum = (items: Liquidation[]) => items.reduce((total, l) => total + l.notionalUsd, 0);

describe('window arithmetic properties', () => {
  it('24 h totals equal the sum of the accepted liquidations up to the current minute; add() accepts exactly those retained', () => {
    fc.assert(
      fc.property(fc.array(liquidation, { maxLength: 120 }), (items) => {
        const windows = new LiquidationWindows();
        const accepted = items.filter((l) => windows.add(l, NOW));
        expect(accepted).toEqual(items.filter((l) => retained(l, NOW)));
        // Events up to two minutes ahead are kept but belong to minutes the 24 h window ending now does not reach yet.
        const counted = accepted.filter((l) => minuteOf(l.time) <= minuteOf(NOW));
        const day = windows.totals(NOW, 24 * 60);
        expect(day.count).toBe(counted.length);
        expect(close(day.totalUsd, sum(counted))).toBe(true);
        expect(close(day.longUsd, sum(counted.filter((l) => l.side === 'long')))).toBe(true);
        expect(close(day.shortUsd, sum(counted.filter((l) => l.side === 'short')))).toBe(true);
        // Nothing accepted is lost: the whole retained range holds every accepted dollar.
        const all = windows.totalsBetween(minuteOf(NOW) - RETENTION_MINUTES, minuteOf(NOW) + 10);
        expect(all.count).toBe(accepted.length);
        expect(close(all.totalUsd, sum(accepted))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('long share is in [0, 1] (null only when nothing was liquidated), and 5 m ≤ 1 h ≤ 4 h ≤ 24 h in every scope', () => {
    fc.assert(
      fc.property(fc.array(liquidation, { maxLength: 80 }), fc.integer({ min: -30, max: 30 }), (items, drift) => {
        const windows = new LiquidationWindows();
        for (const l of items) windows.add(l, NOW);
        const now = NOW + drift * MINUTE_MS;
        const scopes = [{}, ...VENUES_USED.map((venue) => ({ venue })), ...ASSETS.map((asset) => ({ asset })), { venue: 'okx' as const, asset: 'BTC' }];
        for (const scope of scopes) {
          const spans = [5, 60, 240, 24 * 60].map((minutes) => windows.totals(now, minutes, scope));
          for (const t of spans) {
            expect(Number.isFinite(t.totalUsd) && Number.isFinite(t.longUsd) && Number.isFinite(t.shortUsd)).toBe(true);
            if (t.totalUsd === 0) expect(t.longShare).toBeNull();
            else expect(t.longShare !== null && t.longShare >= 0 && t.longShare <= 1).toBe(true);
          }
          for (let i = 1; i < spans.length; i++) {
            expect(atMost(spans[i - 1]!.totalUsd, spans[i]!.totalUsd)).toBe(true);
            expect(spans[i - 1]!.count).toBeLessThanOrEqual(spans[i]!.count);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('totals are conserved across scopes and the 24 h sparkline: per venue and per asset they add up to the market', () => {
    fc.assert(
      fc.property(fc.array(liquidation, { maxLength: 80 }), (items) => {
        const windows = new LiquidationWindows();
        for (const l of items) windows.add(l, NOW);
        const market = windows.totals(NOW, 24 * 60);
        const byVenue = VENUES_USED.map((venue) => windows.totals(NOW, 24 * 60, { venue }));
        const byAsset = ASSETS.map((asset) => windows.totals(NOW, 24 * 60, { asset }));
        for (const parts of [byVenue, byAsset]) {
          expect(close(parts.reduce((a, t) => a + t.totalUsd, 0), market.totalUsd)).toBe(true);
          expect(parts.reduce((a, t) => a + t.count, 0)).toBe(market.count);
        }
        const sparkline = windows.sparkline(NOW, 24 * 60, 5);
        expect(sparkline).toHaveLength(288);
        expect(close(sparkline.reduce((a, b) => a + b, 0), market.totalUsd)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('toJSON → JSON text → fromJSON keeps every count and each bucket\'s USD to the dollar, and prune keeps the last 24 h intact', () => {
    fc.assert(
      fc.property(fc.array(liquidation, { maxLength: 80 }), (items) => {
        const windows = new LiquidationWindows();
        const accepted = items.filter((l) => windows.add(l, NOW));
        const stored = JSON.parse(JSON.stringify(windows.toJSON()));
        const restored = LiquidationWindows.fromJSON(stored);
        // Stored USD is whole dollars, so a second round trip changes nothing.
        expect(restored.toJSON()).toEqual(stored);
        // Each bucket holds at least one accepted liquidation and is off by at most half a dollar.
        const rounding = 0.5 * accepted.length;
        const near = (a: number, b: number) => Math.abs(a - b) <= rounding + 1e-9 * Math.max(1, b);
        for (const minutes of [60, 24 * 60]) {
          const [after, before] = [restored.totals(NOW, minutes), windows.totals(NOW, minutes)];
          expect(after.count).toBe(before.count);
          for (const field of ['longUsd', 'shortUsd', 'totalUsd'] as const) expect(near(after[field], before[field])).toBe(true);
        }
        // Prune merges buckets older than 2 h into 5-minute ones per asset: the same sums, added in another order.
        restored.prune(NOW);
        for (const scope of [{}, ...ASSETS.map((asset) => ({ asset }))]) {
          const [after, before] = [restored.totals(NOW, 24 * 60, scope), windows.totals(NOW, 24 * 60, scope)];
          expect(after.count).toBe(before.count);
          for (const field of ['longUsd', 'shortUsd', 'totalUsd'] as const) expect(near(after[field], before[field])).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('fromJSON of whatever storage holds, in the column form or the older row form, never throws and never yields NaN', () => {
    // Bucket values stay within ±1e12 USD here: fromJSON keeps any finite non-negative number, so two
    // stored buckets near 1e308 would still add up to Infinity (a gap in windows.ts, not in the parsers).
    const value = fc.oneof(
      fc.integer({ min: 0, max: 3e7 }),
      fc.integer({ min: minuteOf(NOW) - 1500, max: minuteOf(NOW) }), // minutes inside the windows read below
      fc.integer({ min: -5, max: 5 }),
      fc.double({ min: -1e12, max: 1e12 }),
      fc.constantFrom(null, '5', Number.NaN),
    );
    const row = fc.array(value, { minLength: 4, maxLength: 6 });
    // Columns mostly as long as their minutes, so decoding gets past the length check.
    const columns = fc.integer({ min: 0, max: 6 }).chain((n) => {
      const column = fc.oneof({ weight: 5, arbitrary: fc.array(value, { minLength: n, maxLength: n }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) });
      return fc.record({ m: column, long: column, short: column, nLong: column, nShort: column }, { requiredKeys: ['m'] });
    });
    const nearlyValid = fc.dictionary(
      fc.constantFrom('binance|BTC', 'okx|ETH', '*|BTC', '*|', 'nobar', '|', 'bitmex|'),
      fc.oneof(fc.array(row, { maxLength: 6 }), columns, fc.jsonValue({ maxDepth: 1 })),
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearlyValid), (stored) => {
        const windows = LiquidationWindows.fromJSON(stored);
        for (const minutes of [60, 24 * 60]) {
          const t = windows.totals(NOW, minutes);
          expect([t.totalUsd, t.longUsd, t.shortUsd, t.count].every(Number.isFinite)).toBe(true);
          expect(t.longShare === null || (t.longShare >= 0 && t.longShare <= 1)).toBe(true);
        }
        // What it restored writes back to something that restores to itself.
        const written = JSON.parse(JSON.stringify(windows.toJSON()));
        expect(LiquidationWindows.fromJSON(written).toJSON()).toEqual(written);
      }),
      { numRuns: 200 },
    );
  });
});

describe('stored market history', () => {
  it('fromJSON of whatever storage holds, in the column form or the older row form, never throws and never yields NaN', () => {
    const minute = minuteOf(NOW);
    const number = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 1e9 }), fc.double(), fc.constantFrom(null, 'x', Number.NaN));
    const token = fc.oneof({ weight: 4, arbitrary: number }, { weight: 1, arbitrary: fc.constantFrom([2], [0], ['x'], [1, 1]) });
    const column = fc.oneof(fc.tuple(fc.integer({ min: -1, max: 3 }), fc.integer({ min: -2, max: 16 })).chain((head) => fc.array(token, { maxLength: 8 }).map((tokens) => [...head, ...tokens])), fc.jsonValue({ maxDepth: 1 }));
    const minutes = fc.oneof(fc.tuple(fc.integer({ min: minute - 30, max: minute }), fc.array(fc.oneof(fc.integer({ min: -2, max: 5 }), number), { maxLength: 6 })).map(([first, rest]) => [first, ...rest]), fc.jsonValue({ maxDepth: 1 }));
    const series = fc.record({ m: minutes, oi: column, funding8h: column, mark: column, index: column, price: column, perpVolume: column, spotVolume: column }, { requiredKeys: ['m'] });
    const rows = fc.array(fc.array(number, { minLength: 7, maxLength: 9 }), { maxLength: 5 });
    const stored = fc.dictionary(fc.constantFrom('binance|BTC', 'okx|ETH', 'nobar', '|'), fc.oneof(series, rows, fc.jsonValue({ maxDepth: 1 })));
    fc.assert(
      fc.property(fc.oneof(stored, fc.jsonValue()), (data) => {
        const history = MarketHistory.fromJSON(data);
        for (const { key } of history.keys()) {
          for (let m = minute - 30; m <= minute + 5; m++) {
            const point = history.point(key, m);
            if (point) expect(Object.values(point).every((v) => v === null || Number.isFinite(v))).toBe(true);
          }
        }
        // And what it restored writes back to the same thing.
        expect(MarketHistory.fromJSON(JSON.parse(JSON.stringify(history.toJSON()))).toJSON()).toEqual(history.toJSON());
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Dedupe
// ---------------------------------------------------------------------------------------------

/** A small pool of liquidations so repeats are frequent; some carry a venue id (BitMEX orderID). */
const pooled = fc
  .record({
    venue: fc.constantFrom<VenueId>('okx', 'bitfinex', 'bitmex'),
    symbol: fc.constantFrom('BTC-USDT-SWAP', 'ETH-USDT-SWAP'),
    side: fc.constantFrom('long' as const, 'short' as const),
    second: fc.integer({ min: 0, max: 200 }),
    price: fc.constantFrom(100, 100.5),
    quantity: fc.constantFrom(1, 2),
    id: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
  })
  .map(({ venue, symbol, side, second, price, quantity, id }): Liquidation => ({
    venue,
    symbol,
    asset: symbol.split('-')[0]!,
    side,
    price,
    quantity,
    notionalUsd: price * quantity,
    time: NOW - 300_000 + second * 1000,
    ...(venue === 'bitmex' && id !== undefined ? { id } : {}),
  }));

/** One step of a worker's life: a streamed item, a poll batch, or a restart from the persisted state. */
const step = fc.oneof(
  fc.record({ kind: fc.constant('stream' as const), item: pooled }),
  fc.record({ kind: fc.constant('poll' as const), batch: fc.array(pooled, { maxLength: 6 }) }),
  fc.record({ kind: fc.constant('restart' as const) }),
);

describe('dedupe properties', () => {
  it('streamed items: each identity is admitted exactly once, at its first arrival', () => {
    fc.assert(
      fc.property(fc.array(pooled, { maxLength: 150 }), (items) => {
        const deduper = new Deduper();
        const admitted = items.filter((l, i) => deduper.admitStreamed(l, NOW + i * 1000));
        const firstOfEach = items.filter((l, i) => items.findIndex((o) => identityOf(o) === identityOf(l)) === i);
        expect(admitted).toEqual(firstOfEach);
      }),
      { numRuns: 200 },
    );
  });

  it('streams, overlapping polls and worker restarts in any order never admit an identity twice', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let deduper = new Deduper();
        const seen = new Set<string>();
        // All steps fit in 40 s, well inside the dedupe horizon (DEDUPE_HORIZON_MS) and the persisted 5 minutes.
        steps.forEach((s, i) => {
          const now = NOW + i * 1000;
          const admitted =
            s.kind === 'stream' ? (deduper.admitStreamed(s.item, now) ? [s.item] : []) : s.kind === 'poll' ? admitPolledBatch(deduper, s.batch, now) : [];
          if (s.kind === 'restart') deduper = new Deduper(JSON.parse(JSON.stringify(deduper.toJSON(now))));
          for (const l of admitted) {
            expect(seen.has(identityOf(l)), identityOf(l)).toBe(false);
            seen.add(identityOf(l));
          }
          deduper.prune(now);
        });
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Engine readings
// ---------------------------------------------------------------------------------------------

/** A partial market update within the model's contract, including its edges (zero OI, tiny index, negative funding). */
const marketUpdate: fc.Arbitrary<MarketUpdate> = fc
  .record(
    {
      venue: fc.constantFrom(...VENUES_USED),
      asset: fc.constantFrom(...ASSETS),
      offset: fc.integer({ min: -25 * HOUR_MS, max: 0 }),
      lastPrice: fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
      markPrice: fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
      indexPrice: fc.oneof(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.constant(1e-18)),
      fundingRate: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
      fundingIntervalHours: fc.constantFrom(1, 2, 4, 8),
      openInterestUsd: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e11, noNaN: true })),
      openInterestBase: fc.double({ min: 0, max: 1e9, noNaN: true }),
      perpVolume24hUsd: fc.double({ min: 0, max: 1e11, noNaN: true }),
      spotVolume24hUsd: fc.double({ min: 0, max: 1e11, noNaN: true }),
    },
    { requiredKeys: ['venue', 'asset', 'offset'] },
  )
  .map(({ venue, asset, offset, ...figures }) => ({ venue, symbol: `${asset}USDT`, asset, time: NOW + offset, ...figures }));

const engineEvent = fc.oneof(
  fc.record({ kind: fc.constant('liquidation' as const), liquidation }),
  fc.record({ kind: fc.constant('market' as const), update: marketUpdate }),
  fc.record({ kind: fc.constant('backfill' as const), points: fc.array(marketUpdate, { maxLength: 4 }) }),
);

/** Every number anywhere in a value, with its path. */
function numbersIn(value: unknown, path = ''): Array<[string, number]> {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => numbersIn(item, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => numbersIn(item, `${path}.${key}`));
  return [];
}

describe('engine properties', () => {
  const completeness = Object.fromEntries(VENUE_IDS.map((id) => [id, venues[id].completeness]));

  it('readings contain no NaN or Infinity anywhere, before and after a JSON round trip of the engine state', () => {
    fc.assert(
      fc.property(fc.array(engineEvent, { maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 90 }), { minLength: 1, maxLength: 3 }), (events, readAt) => {
        // Events arrive in time order, as they do from the worker.
        const sorted = [...events].sort((a, b) => timeOf(a) - timeOf(b));
        const engine = new FlushEngine(completeness, NOW - 25 * HOUR_MS);
        for (const event of sorted) {
          if (event.kind === 'liquidation') engine.ingestLiquidation(event.liquidation, NOW);
          else if (event.kind === 'market') engine.ingestMarket(event.update);
          else engine.backfillHistory(event.points, NOW);
        }
        const times = [...readAt].sort((a, b) => a - b).map((minutes) => NOW + minutes * MINUTE_MS);
        for (const now of times) {
          const bad = numbersIn(engine.readings(now, ASSETS)).filter(([, n]) => !Number.isFinite(n));
          expect(bad).toEqual([]);
        }
        const restored = new FlushEngine(completeness, NOW, JSON.parse(JSON.stringify(engine.toJSON())) as EngineState);
        const bad = numbersIn(restored.readings(times[times.length - 1]!, ASSETS)).filter(([, n]) => !Number.isFinite(n));
        expect(bad).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });
});

function timeOf(event: { kind: string; liquidation?: Liquidation; update?: MarketUpdate }): number {
  return event.liquidation?.time ?? event.update?.time ?? NOW - 25 * HOUR_MS;
}
