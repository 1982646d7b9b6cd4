/**
 * The venues' fast paths (src/venues/parse.ts) read hot stream frames from the text, without
 * JSON.parse and zod. Their contract: for any text, either null (the frame takes the zod path)
 * or exactly what `parseLiquidations(JSON.parse(text))` returns; never a throw, never an answer
 * the zod path would refuse. Checked here three ways:
 *  - the frames the venues really send (mock frames in each venue's wire format, live captures)
 *    take the fast path, so it is not dead code;
 *  - every bad-input mutation of every message sample (test/venue-samples.ts) agrees;
 *  - random edits of the text (fast-check) agree.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { VenueId } from '../src/core/model';
import { venues } from '../src/venues';
import type { VenueAdapter } from '../src/venues/types';
import { fixture } from './fixtures';
import { INPUT_CLASSES, NOW, harnessFor } from './venue-samples';

/** Live captures in each venue's wire layout, sent compact as the venues send them. */
const CAPTURES: Partial<Record<VenueId, string[]>> = {
  binance: ['binance-usdm-forceOrder-ws.json'],
  bybit: ['bybit-allLiquidation-ws-tardis.json', 'bybit-allLiquidation-ws.json'],
  okx: ['okx-liquidation-orders-ws-swap-docs.json', 'okx-liquidation-orders-ws-futures-tardis.json'],
  bitget: ['bitget-liquidation-ws-v3-tardis.json'],
  bitmex: ['bitmex-liquidation-ws-insert-tardis.json', 'bitmex-liquidation-ws-delete-tardis.json'],
  bitfinex: ['bitfinex-liquidations-ws.json'],
  deribit: ['deribit-trades-ws-liquidation-T-tardis.json', 'deribit-trades-ws-liquidation-M-tardis.json'],
};

type Attempt<T> = { ok: true; value: T } | { ok: false; error: string };

function attempt<T>(run: () => T): Attempt<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Feeds `text` to both paths; returns which one answered. Fails the test when they disagree. */
function agree(adapter: VenueAdapter, text: string): 'fast' | 'zod' {
  const fast = attempt(() => adapter.fastLiquidations!(text, NOW));
  expect(fast.ok, `fast path threw on ${text}`).toBe(true);
  if (fast.ok && fast.value === null) return 'zod';
  const slow = attempt(() => adapter.parseLiquidations(JSON.parse(text)));
  expect(slow, `fast path accepted what the zod path answers differently: ${text}`).toEqual(fast);
  return 'fast';
}

/** A single-character edit: the kind of damage a proxy, a bug or a new venue field does. */
const edit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'insert', 'delete'),
  char: fc.constantFrom(...'0123456789.-+eE"\\,:{}[] abcAZnul\u00e9'.split('')),
});

function applyEdits(text: string, edits: ReadonlyArray<{ at: number; kind: string; char: string }>): string {
  let out = text;
  for (const { at, kind, char } of edits) {
    const i = at % (out.length + 1);
    if (kind === 'insert') out = out.slice(0, i) + char + out.slice(i);
    else if (kind === 'delete') out = out.slice(0, i) + out.slice(i + 1);
    else out = out.slice(0, i) + char + out.slice(i + 1);
  }
  return out;
}

const FAST_VENUES = (Object.values(venues) as VenueAdapter[]).filter((adapter) => adapter.fastLiquidations);

beforeAll(() => {
  // BitMEX rows carry no time: both paths stamp them with the clock.
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
});
afterAll(() => {
  vi.useRealTimers();
});

it('every venue with a liquidation stream has a fast path', () => {
  expect(FAST_VENUES.map((a) => a.id).sort()).toEqual(Object.keys(CAPTURES).sort());
});

describe.each(FAST_VENUES.map((adapter) => [adapter.id, adapter] as const))('%s fast path', (venue, adapter) => {
  const harness = harnessFor(venue);
  const messages = harness.samples.filter((sample) => sample.kind === 'message');
  const liquidationFrames = messages.filter((sample) => sample.source.startsWith('mock liquidation frame')).map((sample) => JSON.stringify(sample.payload));

  it('reads the frames the venue sends: mock frames in its wire format and live captures', () => {
    harness.prime();
    const captures = (CAPTURES[venue] ?? []).map((file) => JSON.stringify(fixture(file)));
    expect(liquidationFrames.length).toBeGreaterThan(0);
    for (const text of [...liquidationFrames, ...captures]) expect(agree(adapter, text), text).toBe('fast');
  });

  it('agrees with the zod path on every bad-input mutation of every message sample', () => {
    harness.prime();
    const answered = { fast: 0, zod: 0 };
    for (const sample of messages) {
      for (const inputClass of INPUT_CLASSES) {
        for (const mutation of inputClass.mutate(sample.payload)) {
          const text = JSON.stringify(mutation.payload);
          if (text !== undefined) answered[agree(adapter, text)] += 1;
        }
      }
    }
    // The mutations that keep the layout (a negative price, a string for a number…) reach the fast path's checks.
    expect(answered.fast).toBeGreaterThan(0);
    expect(answered.zod).toBeGreaterThan(0);
  });

  it('agrees with the zod path on random edits of real frames (property)', () => {
    harness.prime();
    fc.assert(
      fc.property(fc.constantFrom(...liquidationFrames), fc.array(edit, { minLength: 1, maxLength: 3 }), (text, edits) => {
        agree(adapter, applyEdits(text, edits));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('frames the fast path must not be fooled by', () => {
  it.each([
    ['deribit', '{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"timestamp":1763599940000,"price":72000,"instrument_name":"BTC-PERPETUAL","direction":"sell","liquidation":"T","amount":250000}]},"method":"heartbeat"}'],
    ['deribit', '{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[],"channel":"ticker.BTC-PERPETUAL.100ms"}}'],
    ['binance', '{"e":"forceOrder","E":01763599940000,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"1","p":"1","ap":"1","X":"FILLED","l":"1","z":"1","T":1763599940000}}'],
    ['bitfinex', '[1000,[["pos",1e400,1763599940000,null,"tBTCF0:USTF0",1,1,null,0,1,null,1]]]'],
  ] as const)('%s: %s', (venue, text) => {
    expect(agree(venues[venue], text)).toBe('zod');
  });
});
