/**
 * Ingest throughput: a recorded multi-venue stream (≥ 100,000 raw frames in each venue's wire
 * format, test/mock/recorded-stream.ts) through the worker's path: parse → normalise (each venue's
 * StreamSession.onMessage: its fast path, else JSON.parse + zod) → dedupe → aggregate
 * (FlushEngine.ingestLiquidation).
 *
 * Three figures from the same run, interleaved round by round so machine noise hits all alike:
 * - pipeline: the whole path above, per frame;
 * - floor: JSON.parse of the same frames and nothing else: what decoding every frame generically
 *   costs before any validation. A venue whose hot frames take the fast path (read from the text
 *   by anchored expressions, src/venues/parse.ts) can come in under it; the others cannot;
 * - peer: ccxt's own liquidation parsers on the same frames of the venues ccxt can parse
 *   (ccxt decodes a frame the way its ws Client does, then handleMessage → handleLiquidation
 *   → parseWsLiquidation; Bitfinex has only the REST parseLiquidation, whose row shape equals
 *   the WS liq:global row). Our pipeline is timed on exactly that subset for the comparison.
 * ccxt gets its markets from a local definition (setMarkets): nothing here touches the network.
 */
import { cpus, loadavg } from 'node:os';
import ccxt, { functions as ccxtFunctions } from 'ccxt';
import { z } from 'zod';
import { Deduper } from '../src/core/dedupe';
import { FlushEngine } from '../src/core/engine';
import type { Liquidation, VenueId } from '../src/core/model';
import { venues } from '../src/venues';
import type { BenchReport } from './run';
import { openSessions, recordStream, WATCHED, type RecordedMessage, type RecordedStream } from '../test/mock/recorded-stream';

const MESSAGES = 100_000;
const ROUNDS = 7;
const TARGET_FLOOR_RATIO = 1.5;
const TARGET_PEER_SPEEDUP = 5;

/** The venues ccxt 4 has a parser for whose input is the frame (or row) the venue streams. */
const PEER_VENUES: VenueId[] = ['binance', 'bybit', 'okx', 'bitfinex'];

interface PipelineResult {
  ms: number;
  liquidations: number;
  notionalUsd: number;
}

function runPipeline(stream: RecordedStream, messages: readonly RecordedMessage[]): PipelineResult {
  const sessions = openSessions(stream);
  const completeness = Object.fromEntries(Object.values(venues).map((a) => [a.id, a.completeness]));
  const deduper = new Deduper();
  const now = Date.now();
  const engine = new FlushEngine(completeness, now);
  let liquidations = 0;
  let notionalUsd = 0;
  const start = performance.now();
  for (const message of messages) {
    const output = sessions.get(message.venue)!.onMessage(message.text);
    for (const liquidation of output.liquidations) {
      if (deduper.admitStreamed(liquidation, now) && engine.ingestLiquidation(liquidation, now)) {
        liquidations += 1;
        notionalUsd += liquidation.notionalUsd;
      }
    }
  }
  return { ms: performance.now() - start, liquidations, notionalUsd };
}

/** Median time of `repeat` runs of `work`, ms. */
function medianMs(repeat: number, work: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  return median(times);
}

/**
 * Where the pipeline's time goes: parse + normalise per venue (µs per frame, beside that
 * venue's JSON.parse), then dedupe and aggregate (µs per liquidation). Each stage is timed over
 * all its items at once (a clock read per frame would cost as much as a fast-path frame), the
 * median of BREAKDOWN_REPEATS runs. A venue's frames are read together, in order, by its session.
 */
const BREAKDOWN_REPEATS = 5;
function breakdown(stream: RecordedStream): Record<string, number> {
  const sessions = openSessions(stream);
  const now = Date.now();
  const byVenue = new Map<VenueId, string[]>();
  for (const message of stream.messages) byVenue.set(message.venue, [...(byVenue.get(message.venue) ?? []), message.text]);
  const figures: Record<string, number> = {};
  const liquidations: Liquidation[] = [];
  for (const [venue, texts] of byVenue) {
    const session = sessions.get(venue)!;
    for (const text of texts) liquidations.push(...session.onMessage(text).liquidations);
    const ms = medianMs(BREAKDOWN_REPEATS, () => texts.forEach((text) => session.onMessage(text)));
    const floorMs = medianMs(BREAKDOWN_REPEATS, () => texts.forEach((text) => JSON.parse(text)));
    figures[`  parse+normalise ${venue} µs/frame`] = micros(ms, texts.length);
    figures[`    ${venue} JSON.parse µs/frame`] = micros(floorMs, texts.length);
  }
  const dedupeMs = medianMs(BREAKDOWN_REPEATS, () => {
    const deduper = new Deduper();
    for (const l of liquidations) deduper.admitStreamed(l, now);
  });
  const aggregateMs = medianMs(BREAKDOWN_REPEATS, () => {
    const engine = new FlushEngine({}, now);
    for (const l of liquidations) engine.ingestLiquidation(l, now);
  });
  figures['  dedupe µs/liquidation'] = micros(dedupeMs, liquidations.length);
  figures['  aggregate µs/liquidation'] = micros(aggregateMs, liquidations.length);
  return figures;
}

function runFloor(messages: readonly RecordedMessage[]): { ms: number; parsed: number } {
  let parsed = 0;
  const start = performance.now();
  for (const message of messages) if (JSON.parse(message.text) !== undefined) parsed += 1;
  return { ms: performance.now() - start, parsed };
}

/** A ccxt market structure with what its liquidation parsers read. */
function ccxtMarket(id: string, base: string, contractSize: number) {
  return {
    id, symbol: `${base}/USDT:USDT`, base, quote: 'USDT', settle: 'USDT', baseId: base, quoteId: 'USDT', settleId: 'USDT',
    type: 'swap', spot: false, margin: false, swap: true, future: false, option: false, contract: true, linear: true, inverse: false,
    active: true, contractSize, precision: { amount: 0.001, price: 0.01 }, limits: { amount: {}, price: {}, cost: {}, leverage: {} }, info: {},
  };
}

/** OKX swaps are sized in contracts of ctVal coins (docs "Get instruments"). */
const OKX_CT_VAL: Record<string, number> = { BTC: 0.01, ETH: 0.1, SOL: 1 };

// ccxt's exchange classes are loosely typed; the bench only calls their parse entry points.
type CcxtExchange = {
  setMarkets(markets: unknown[]): void;
  handleMessage(client: unknown, message: unknown): void;
  parseLiquidation(rows: unknown, market: unknown): unknown;
  safeMarket(id: string, market?: unknown, delimiter?: unknown, type?: string): unknown;
  liquidations?: { length: number };
};

function ccxtExchanges(): Record<string, CcxtExchange> {
  const pro = (ccxt as unknown as { pro: Record<string, new (config: object) => CcxtExchange> }).pro;
  const exchanges: Record<string, CcxtExchange> = {
    binance: new pro.binanceusdm!({}),
    bybit: new pro.bybit!({}),
    okx: new pro.okx!({}),
    bitfinex: new pro.bitfinex!({}),
  };
  exchanges.binance!.setMarkets(WATCHED.map((a) => ccxtMarket(`${a}USDT`, a, 1)));
  exchanges.bybit!.setMarkets(WATCHED.map((a) => ccxtMarket(`${a}USDT`, a, 1)));
  exchanges.okx!.setMarkets(WATCHED.map((a) => ccxtMarket(`${a}-USDT-SWAP`, a, OKX_CT_VAL[a]!)));
  exchanges.bitfinex!.setMarkets(WATCHED.map((a) => ccxtMarket(`t${a}F0:USTF0`, a, 1)));
  return exchanges;
}

/** A stand-in for ccxt's ws Client: handlers only resolve futures on it. */
const CCXT_CLIENT = { url: 'wss://bench.invalid', resolve: () => undefined, reject: (error: unknown) => { throw error; } };
const isJsonEncodedObject = (ccxtFunctions as unknown as { isJsonEncodedObject(s: string): boolean }).isJsonEncodedObject;

/** One pass of ccxt over the frames; returns the time and how many liquidations it produced. */
function runPeer(messages: readonly RecordedMessage[]): { ms: number; liquidations: number } {
  const exchanges = ccxtExchanges();
  let bitfinexRows = 0;
  const start = performance.now();
  for (const message of messages) {
    // What ccxt's ws Client.onMessage does with a text frame before handing it to the exchange.
    const decoded = isJsonEncodedObject(message.text) ? JSON.parse(message.text.replace(/:(\d{15,}),/g, ':"$1",')) : message.text;
    if (message.venue === 'bitfinex') {
      // [chanId, [["pos", …]]] on liq:global; other channels (status, events) are not liquidations.
      const rows = Array.isArray(decoded) ? decoded[1] : undefined;
      const row = Array.isArray(rows) && Array.isArray(rows[0]) ? rows[0] : undefined;
      if (row?.[0] !== 'pos') continue;
      const exchange = exchanges.bitfinex!;
      exchange.parseLiquidation(rows, exchange.safeMarket(String(row[4]), undefined, undefined, 'contract'));
      bitfinexRows += 1;
    } else {
      exchanges[message.venue]!.handleMessage(CCXT_CLIENT, decoded);
    }
  }
  const ms = performance.now() - start;
  // ccxt keeps the latest 1000 per exchange; count what it parsed from the caches' fill and the Bitfinex rows.
  const cached = ['binance', 'bybit', 'okx'].reduce((n, id) => n + (exchanges[id]!.liquidations?.length ?? 0), 0);
  return { ms, liquidations: cached + bitfinexRows };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const micros = (ms: number, count: number) => round2((ms * 1000) / count);

export async function run(): Promise<BenchReport> {
  // The extension's CSP forbids eval, so zod runs without its JIT-compiled object parsers there
  // (its Function() probe fails). Measure the code path the worker really runs, not Node's faster one.
  z.config({ jitless: true });
  // Other work on the machine slows every figure alike; the ratios are the robust part.
  const loadAtStart = loadavg()[0]!;
  const stream = recordStream(MESSAGES);
  const all = stream.messages;
  const subset = all.filter((m) => PEER_VENUES.includes(m.venue));

  // Warm-up: one pass of each so the timed rounds measure optimised code.
  const check = runPipeline(stream, all);
  runFloor(all);
  runPipeline(stream, subset);
  const peerCheck = runPeer(subset);
  // The pipeline must really have counted every liquidation once, or its time means nothing.
  if (check.liquidations !== stream.events) throw new Error(`pipeline admitted ${check.liquidations} of ${stream.events} liquidations`);
  if (peerCheck.liquidations < 1000) throw new Error(`ccxt parsed only ${peerCheck.liquidations} liquidations`);

  const floor: number[] = [];
  const pipeline: number[] = [];
  const oursSubset: number[] = [];
  const peer: number[] = [];
  const floorSubset: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    floor.push(runFloor(all).ms);
    pipeline.push(runPipeline(stream, all).ms);
    floorSubset.push(runFloor(subset).ms);
    oursSubset.push(runPipeline(stream, subset).ms);
    peer.push(runPeer(subset).ms);
  }
  const stages = breakdown(stream);
  const fastFrames = all.filter((m) => venues[m.venue].fastLiquidations?.(m.text, stream.now) != null).length;
  const floorMs = median(floor);
  const pipelineMs = median(pipeline);
  const oursSubsetMs = median(oursSubset);
  const peerMs = median(peer);
  const floorRatio = pipelineMs / floorMs;
  const peerSpeedup = peerMs / oursSubsetMs;
  return {
    name: 'ingest: recorded multi-venue stream → parse → normalise → aggregate',
    figures: {
      'frames': all.length,
      'liquidations': stream.events,
      'venues': [...new Set(all.map((m) => m.venue))].join(' '),
      'rounds (median taken)': ROUNDS,
      'pipeline ms': round2(pipelineMs),
      'pipeline µs/frame': micros(pipelineMs, all.length),
      'floor (JSON.parse only) ms': round2(floorMs),
      'floor µs/frame': micros(floorMs, all.length),
      'pipeline / floor': round2(floorRatio),
      'frames read on the fast path (no JSON.parse or zod; Deribit: JSON.parse, no zod)': fastFrames,
      [`breakdown (median of ${BREAKDOWN_REPEATS} runs per stage)`]: '',
      ...stages,
      'peer frames (binance bybit okx bitfinex)': subset.length,
      'ours on peer frames ms': round2(oursSubsetMs),
      'ccxt on peer frames ms': round2(peerMs),
      'floor on peer frames ms': round2(median(floorSubset)),
      'ccxt / ours': round2(peerSpeedup),
      'pipeline frames/s': Math.round((all.length / pipelineMs) * 1000),
      'machine': `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, node ${process.version}, load average ${loadAtStart.toFixed(1)} at start`,
    },
    targets: [
      { what: `pipeline ≤ ${TARGET_FLOOR_RATIO}× the JSON.parse floor (measured ${round2(floorRatio)}×)`, ok: floorRatio <= TARGET_FLOOR_RATIO },
      { what: `≥ ${TARGET_PEER_SPEEDUP}× faster than ccxt's parsers (measured ${round2(peerSpeedup)}×)`, ok: peerSpeedup >= TARGET_PEER_SPEEDUP },
    ],
  };
}
