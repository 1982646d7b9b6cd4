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
import { VENUE_IDS, VenueDataError, type Liquidation, type MarketUpdate, type VenueId } from '../src/core/model';
import { HOUR_MS, LiquidationWindows, MAX_FUTURE_SKEW_MS, MINUTE_MS, RETENTION_MINUTES, minuteOf } from '../src/core/windows';
import {
  ENCODED_MARKUP,
  EXTRA_FIELD,
  MARKUP,
  NOW,
  contractViolation,
  describeTarget,
  harnessFor,
  instrumentProblems,
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

/** Every parser entry point of a venue: parseLiquidations, the stream (JSON and raw text), parsePoll and parseInstruments per key. */
function targetsOfVenue(h: VenueHarness): Target[] {
  const hasStream = h.adapter.openStreams(['BTC'], h.instruments).length > 0;
  const keysOf = (kind: 'poll' | 'instruments') => [...new Set(h.samples.filter((s) => s.kind === kind).map((s) => s.key!))];
  return [
    { kind: 'liquidations' },
    ...(hasStream ? [{ kind: 'stream' } as const, { kind: 'frame' } as const] : []),
    ...keysOf('poll').map((key) => ({ kind: 'poll', key }) as const),
    ...keysOf('instruments').map((key) => ({ kind: 'instruments', key }) as const),
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
        const outcome = h.run(target, input);
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
        const outcome = h.run(target, payload);
        expect(contractViolation(venue, outcome, payload), `${sample.source} → ${describeTarget(target)}`).toBeNull();
      }),
      { numRuns: 250 },
    );
  });
});

describe.each(VENUE_IDS)('parser properties: instrument lists, %s', (venue) => {
  /** Liquidations are valued with the catalogue: whatever list the parser accepts must keep every liquidation sound. */
  it('any edited instrument list the parser accepts still values every valid liquidation message soundly', () => {
    const h = harnesses.get(venue)!;
    const lists = h.samples.filter((s) => s.kind === 'instruments');
    const messages = h.samples.filter((s) => s.kind === 'message');
    expect(lists.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.constantFrom(...lists), fc.array(edit, { minLength: 1, maxLength: 3 }), (list, edits) => {
        let instruments;
        try {
          instruments = h.adapter.parseInstruments(list.key!, applyEdits(list.payload, edits as Edit[]));
        } catch (error) {
          expect(error instanceof VenueDataError && error.venue === venue, String(error)).toBe(true);
          return;
        }
        expect(instrumentProblems(venue, instruments)).toEqual([]);
        for (const message of messages) {
          let outcome;
          try {
            outcome = { ok: true as const, output: { liquidations: h.adapter.parseLiquidations(message.payload, instruments), markets: [], replies: [] } };
          } catch (error) {
            outcome = { ok: false as const, error };
          }
          expect(contractViolation(venue, outcome, message.payload), message.source).toBeNull();
        }
      }),
      { numRuns: 100 },
    );
  });
});
