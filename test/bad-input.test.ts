/**
 * Bad input, table-driven: every venue × every input class × every parser (parseLiquidations,
 * the stream session's onMessage, parsePoll for every key). Each case starts from a valid
 * payload (a real fixture or a mock-exchange frame or body) and breaks one thing in it.
 *
 * The contract (src/venues/types.ts): a parser either returns a sound output (finite numbers,
 * positive prices and sizes, notional = quantity × price, inert text) or throws the venue's
 * VenueDataError. Any other exception, a NaN, a negative size or new markup is a failure.
 * docs/RELIABILITY.md ("Bad input") maps each class to what the parsers do and to these tests.
 */
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { VENUE_IDS, VenueDataError, type InstrumentSpec, type VenueId } from '../src/core/model';
import type { StreamOutput } from '../src/venues/types';
import {
  ENCODED_MARKUP,
  MARKUP,
  INPUT_CLASSES,
  MOCKED,
  NOW,
  contractViolation,
  describeTarget,
  harnessFor,
  instrumentProblems,
  itemCount,
  malformedFrames,
  malformedPayloads,
  nodesOf,
  outputProblems,
  replaceAt,
  type InputClass,
  type Mutation,
  type Outcome,
  type Sample,
  type Target,
  type VenueHarness,
} from './venue-samples';

type Family = 'parseLiquidations' | 'stream.onMessage' | 'parsePoll' | 'parseInstruments';
const FAMILIES: Family[] = ['parseLiquidations', 'stream.onMessage', 'parsePoll', 'parseInstruments'];

/** The parsers a sample feeds within one family ('message' samples feed the first two, 'poll' and 'instruments' samples their own). */
function targetsIn(family: Family, sample: Sample): Target[] {
  if (family === 'parsePoll') return sample.kind === 'poll' ? [{ kind: 'poll', key: sample.key! }] : [];
  if (family === 'parseInstruments') return sample.kind === 'instruments' ? [{ kind: 'instruments', key: sample.key! }] : [];
  if (sample.kind !== 'message') return [];
  return [family === 'parseLiquidations' ? { kind: 'liquidations' } : { kind: 'stream' }];
}

/** Extra expectations some classes carry beyond the contract, given the valid payload's output. */
function classExpectation(cls: InputClass, baseline: Outcome, outcome: Outcome): string | null {
  if (!baseline.ok || !outcome.ok) return null;
  // Unknown fields must change nothing: the docs of every venue reserve the right to add fields.
  if (cls.id === 'extra-fields' && !isDeepStrictEqual(outcome.output, baseline.output)) return 'an unknown field changed the output';
  // Taking data away never invents rows (in an instrument list, a missing "delisted" flag does mean listed).
  if ((cls.id === 'empty-arrays' || cls.id === 'missing-fields') && !outcome.instruments && itemCount(outcome) > itemCount(baseline)) {
    return `${itemCount(outcome)} items from a payload whose valid form gives ${itemCount(baseline)}`;
  }
  return null;
}

interface Tally {
  cases: number;
  rejected: number;
  failures: string[];
}

/** Feed every mutation of every sample in one family to its parser; collect contract violations. */
function runClass(
  h: VenueHarness,
  family: Family,
  mutations: (payload: unknown) => Mutation[],
  extra?: (baseline: Outcome, outcome: Outcome) => string | null,
  raw = false,
): Tally {
  const tally: Tally = { cases: 0, rejected: 0, failures: [] };
  for (const sample of h.samples) {
    for (const target of targetsIn(family, sample)) {
      const baseline = h.run(target, sample.payload);
      for (const mutation of mutations(sample.payload)) {
        const fed: Target = raw && target.kind === 'stream' ? { kind: 'frame' } : target;
        const outcome = h.run(fed, mutation.payload);
        tally.cases += 1;
        if (!outcome.ok) tally.rejected += 1;
        const problem = contractViolation(h.venue, outcome, mutation.payload) ?? extra?.(baseline, outcome) ?? null;
        if (problem) tally.failures.push(`${sample.source} → ${describeTarget(target)}, ${mutation.label}: ${problem}`);
      }
    }
  }
  return tally;
}

beforeAll(() => {
  // BitMEX stamps liquidations and Hyperliquid / Bitfinex stamp market data with the receive time.
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
});
afterAll(() => {
  vi.useRealTimers();
});

describe.each(VENUE_IDS)('bad input: %s', (venue: VenueId) => {
  const h = harnessFor(venue);
  const hasStream = h.adapter.openStreams(['BTC'], h.instruments).length > 0;
  const families = FAMILIES.filter((family) => family !== 'stream.onMessage' || hasStream);

  it('has a valid sample for every instrument-list, poll and backfill key, and for the stream', () => {
    const keys = [...h.adapter.pollRequests(MOCKED, h.instruments), ...(h.adapter.backfillRequests?.(MOCKED, h.instruments) ?? [])].map((r) => r.key);
    const sampled = new Set(h.samples.filter((s) => s.kind === 'poll').map((s) => s.key));
    expect(keys.filter((key) => !sampled.has(key))).toEqual([]);
    const listKeys = new Set(h.samples.filter((s) => s.kind === 'instruments').map((s) => s.key));
    expect(h.adapter.instrumentRequests().map((r) => r.key).filter((key) => !listKeys.has(key))).toEqual([]);
    expect(h.samples.filter((s) => s.kind === 'message').length).toBeGreaterThan(0);
  });

  it('parses every valid sample soundly (the baselines the mutations start from)', () => {
    const failures: string[] = [];
    for (const sample of h.samples) {
      for (const family of families) {
        for (const target of targetsIn(family, sample)) {
          const outcome = h.run(target, sample.payload);
          if (!outcome.ok) failures.push(`${sample.source} → ${describeTarget(target)} threw ${String(outcome.error)}`);
          else failures.push(...[...outputProblems(venue, outcome.output, sample.payload), ...instrumentProblems(venue, outcome.instruments ?? [])].map((p) => `${sample.source} → ${describeTarget(target)}: ${p}`));
        }
      }
    }
    expect(failures).toEqual([]);
    // The valid samples are not all empty: some liquidations and market rows come out.
    const outputs = h.samples.flatMap((s) => families.flatMap((f) => targetsIn(f, s)).map((t) => h.run(t, s.payload)));
    const items = outputs.reduce((n, o) => n + (o.ok ? itemCount(o) : 0), 0);
    expect(items).toBeGreaterThan(0);
  });

  describe.each(families)('%s', (family) => {
    // A class with nothing to mutate in this family's payloads (no arrays in a Binance forceOrder event) has no test.
    const applicable = INPUT_CLASSES.filter((cls) => h.samples.some((sample) => targetsIn(family, sample).length > 0 && cls.mutate(sample.payload).length > 0));
    it.each(applicable.map((cls) => [cls.title, cls] as const))('%s: returns sound output or throws VenueDataError', (_title, cls) => {
      const tally = runClass(h, family, cls.mutate, (baseline, outcome) => classExpectation(cls, baseline, outcome));
      expect(tally.failures.slice(0, 20)).toEqual([]);
      expect(tally.cases).toBeGreaterThan(0);
    });

    it('malformed JSON: throws VenueDataError every time', () => {
      const raw = family === 'stream.onMessage';
      const tally = runClass(h, family, raw ? malformedFrames : malformedPayloads, (_baseline, outcome) => (outcome.ok ? 'accepted' : null), raw);
      expect(tally.failures.slice(0, 20)).toEqual([]);
      expect(tally.cases).toBeGreaterThan(0);
      expect(tally.rejected).toBe(tally.cases);
    });
  });

  if (hasStream) {
    it('stream.onMessage rejects every text frame that is not JSON with VenueDataError', () => {
      const session = h.session()!;
      const frames = h.samples.filter((s) => s.kind === 'message').flatMap((s) => malformedFrames(s.payload));
      const notRejected = frames.filter(({ payload }) => {
        try {
          session.onMessage(payload as string);
          return true;
        } catch (error) {
          return !(error instanceof VenueDataError && error.venue === venue);
        }
      });
      expect(notRejected.map((f) => f.label)).toEqual([]);
      // Not vacuous: every kind of broken frame was fed.
      expect(new Set(frames.map((f) => f.label)).size).toBeGreaterThanOrEqual(8);
    });
  } else {
    it('has no stream, and so claims no liquidation feed and parses no liquidations', () => {
      expect(h.adapter.completeness).toBe('none');
      const liquidations = h.samples.flatMap((s) => (s.kind === 'message' ? h.adapter.parseLiquidations(s.payload, h.instruments) : []));
      expect(liquidations).toEqual([]);
    });
  }
});

/** A tag prepended to a name, raw (what a page would run if it were ever inserted as HTML) and entity-encoded (what a decoder would turn into one). */
const TAGS = [MARKUP, ENCODED_MARKUP] as const;

/** Every row a parser output holds, as comparable text. */
function rowsOf(output: StreamOutput): string[] {
  return [...output.liquidations, ...output.markets, ...(output.history ?? [])].map((row) => JSON.stringify(row));
}

describe('markup in names', () => {
  /**
   * A venue lists an instrument whose name carries a tag, and its liquidations and tickers name it
   * so: the rows come out as from the plain name, the name kept byte for byte (never decoded,
   * stripped or re-encoded) and the asset the catalogue's plain code. Each case renames one
   * instrument of a valid sample, in the catalogue and in the payload alike.
   */
  it.each(VENUE_IDS.map((venue) => [venue] as const))('%s: a listed name with a tag stays that exact text, and its rows are the plain name\'s', (venue) => {
    const h = harnessFor(venue);
    const failures: string[] = [];
    let renamedRows = 0;
    let renamedLiquidations = 0;
    for (const sample of h.samples) {
      if (sample.kind === 'instruments') continue;
      const parse = (payload: unknown, instruments: readonly InstrumentSpec[]): StreamOutput =>
        sample.kind === 'poll' ? h.adapter.parsePoll(sample.key!, payload, instruments) : { liquidations: h.adapter.parseLiquidations(payload, instruments), markets: [], replies: [] };
      const baseline = parse(sample.payload, h.instruments);
      const symbols = new Set([...baseline.liquidations, ...baseline.markets, ...(baseline.history ?? [])].map((row) => row.symbol));
      for (const symbol of symbols) {
        const named = nodesOf(sample.payload).filter((node) => node.value === symbol);
        // Some answers name the instrument another way (an index, a coin); they have nothing to rename.
        if (!named.length) continue;
        for (const tag of TAGS) {
          const marked = `${tag}${symbol}`;
          const payload = named.reduce((p, node) => replaceAt(p, node.path, marked), sample.payload);
          const instruments = h.instruments.map((spec) => (spec.symbol === symbol ? { ...spec, symbol: marked } : spec));
          const at = `${sample.source}, ${symbol} as ${JSON.stringify(marked)}`;
          let output: StreamOutput;
          try {
            output = parse(payload, instruments);
          } catch (error) {
            failures.push(`${at}: threw ${String(error)}`);
            continue;
          }
          const renamed = <T extends { symbol: string }>(rows: readonly T[]) => rows.map((row) => JSON.stringify(row.symbol === symbol ? { ...row, symbol: marked } : row));
          const expectedLiquidations = new Set(renamed(baseline.liquidations));
          const expected = new Set([...expectedLiquidations, ...renamed(baseline.markets), ...renamed(baseline.history ?? [])]);
          const got = rowsOf(output);
          // Nothing decoded, altered or invented: every row is the plain name's row with the name as sent.
          for (const row of got.filter((r) => !expected.has(r))) failures.push(`${at}: unexpected row ${row.slice(0, 160)}`);
          // The other instruments' rows are untouched; a ticker of the renamed one may be dropped where the
          // venue reads the pair from its name (Bybit spot, Bitfinex), a liquidation never is.
          const gotSet = new Set(got);
          for (const row of [...expected].filter((r) => !gotSet.has(r))) {
            if ((JSON.parse(row) as { symbol: string }).symbol !== marked || expectedLiquidations.has(row)) failures.push(`${at}: lost ${row.slice(0, 160)}`);
          }
          renamedRows += got.filter((r) => (JSON.parse(r) as { symbol: string }).symbol === marked).length;
          renamedLiquidations += output.liquidations.filter((l) => l.symbol === marked).length;
        }
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
    // Not vacuous: renamed rows came through on every venue, liquidations on every venue that has them.
    expect(renamedRows).toBeGreaterThan(0);
    if (h.adapter.completeness !== 'none') expect(renamedLiquidations).toBeGreaterThan(0);
  });

  /**
   * An instrument list whose strings carry a tag: an asset is only ever a plain code (a name that
   * does not give one drops the instrument), and a name with markup characters is exactly the
   * string the venue sent, never a decoded one.
   */
  it.each(VENUE_IDS.map((venue) => [venue] as const))('%s: a tag in an instrument list never becomes an asset or decoded markup', (venue) => {
    const h = harnessFor(venue);
    const failures: string[] = [];
    let listed = 0;
    for (const sample of h.samples.filter((s) => s.kind === 'instruments')) {
      for (const node of nodesOf(sample.payload).filter((n) => typeof n.value === 'string')) {
        for (const tag of TAGS) {
          const marked = `${tag}${node.value as string}`;
          const outcome = h.run({ kind: 'instruments', key: sample.key! }, replaceAt(sample.payload, node.path, marked));
          if (!outcome.ok) {
            if (!(outcome.error instanceof VenueDataError)) failures.push(`${sample.source}, ${node.path.join('.')}: threw ${String(outcome.error)}`);
            continue;
          }
          for (const spec of outcome.instruments ?? []) {
            listed += 1;
            if (!/^[A-Z0-9]{1,20}$/.test(spec.asset)) failures.push(`${sample.source}, ${node.path.join('.')}: asset ${JSON.stringify(spec.asset)}`);
            if (/[<>&]/.test(spec.symbol) && spec.symbol !== marked) failures.push(`${sample.source}, ${node.path.join('.')}: name ${JSON.stringify(spec.symbol)} is not the text sent`);
          }
        }
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(listed).toBeGreaterThan(0);
  });
});
