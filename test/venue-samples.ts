/**
 * Valid payloads for every venue parser, the mutations that turn them into bad input, and the
 * contract every parser output must meet. Shared by test/bad-input.test.ts (table-driven) and
 * test/property.test.ts (fast-check).
 *
 * Valid payloads come from two places: the real samples in test/fixtures (see its README) and
 * the mock exchange (test/mock/venues), which speaks each venue's wire format for REST bodies,
 * subscribe acks and liquidation frames.
 */
import { VenueDataError, mergeMarket, type InstrumentSpec, type Liquidation, type MarketUpdate, type VenueId } from '../src/core/model';
import type { ScenarioLiquidationEvent } from '../tools/replay/scenario';
import { venues } from '../src/venues';
import type { StreamOutput, StreamSession, VenueAdapter } from '../src/venues/types';
import { mockCatalogue } from './catalogue';
import { fixture } from './fixtures';
import type { MockMarketView, MockVenue, MockWsConnection } from './mock/types';
import { mockVenues } from './mock/venues';
import { marketRow, staticView } from './mock/view';

export const WATCHED = ['BTC', 'ETH', 'SOL'];
export const NOW = 1_763_600_000_000;
const PRICES: Record<string, number> = { BTC: 72_000, ETH: 2_100, SOL: 90 };

/**
 * What a payload is fed to: `parseLiquidations`, the stream session's `onMessage` (the value as
 * JSON text for 'stream', raw text for 'frame'), `parsePoll(key)` or `parseInstruments(key)`.
 */
export type Target = { kind: 'liquidations' } | { kind: 'stream' } | { kind: 'frame' } | { kind: 'poll'; key: string } | { kind: 'instruments'; key: string };

export interface Sample {
  venue: VenueId;
  /** Where the payload came from, for failure messages. */
  source: string;
  /** 'message' samples go to parseLiquidations and the stream; 'poll' samples to parsePoll(key); 'instruments' to parseInstruments(key). */
  kind: 'message' | 'poll' | 'instruments';
  key?: string;
  payload: unknown;
}

/** Outcome of feeding one payload to one parser: its output (and instruments read), or what it threw. */
export type Outcome = { ok: true; output: StreamOutput; instruments?: InstrumentSpec[] } | { ok: false; error: unknown };

/**
 * Everything needed to drive one venue in plain Node: its adapter, its mock, the valid samples,
 * and the instrument catalogue every parser is given (the mock's list plus the fixture lists).
 */
export interface VenueHarness {
  venue: VenueId;
  adapter: VenueAdapter;
  samples: Sample[];
  instruments: readonly InstrumentSpec[];
  /** A fresh stream session that has seen the mock's answers to its subscribe frames; null without a stream. */
  session(): StreamSession | null;
  run(target: Target, payload: unknown): Outcome;
}

/** Fixture payloads per venue, each fed where the real venue's message would go. */
const FIXTURE_SAMPLES: Record<VenueId, Array<{ file: string; kind: 'message' | 'poll' | 'instruments'; key?: string; wrap?: boolean }>> = {
  binance: [
    { file: 'binance-usdm-forceOrder-ws.json', kind: 'message' },
    { file: 'binance-usdm-forceOrder-ws-combined-tardis.json', kind: 'message' },
    { file: 'binance-usdm-premiumIndex-all-rest.json', kind: 'poll', key: 'premiumIndex' },
    { file: 'binance-usdm-fundingInfo-rest.json', kind: 'poll', key: 'fundingInfo' },
    { file: 'binance-usdm-openInterest-rest.json', kind: 'poll', key: 'openInterest:BTCUSDT' },
    { file: 'binance-usdm-ticker24hr-all-rest.json', kind: 'poll', key: 'ticker24h' },
    { file: 'binance-usdm-exchangeInfo-rest.json', kind: 'instruments', key: 'exchangeInfo' },
    { file: 'binance-coinm-exchangeInfo-rest.json', kind: 'instruments', key: 'coinmExchangeInfo' },
    { file: 'binance-coinm-forceOrder-ws.json', kind: 'message' },
    { file: 'binance-spot-exchangeInfo-rest.json', kind: 'instruments', key: 'spotExchangeInfo' },
    // The fixture is one row of the `symbols=[…]` answer, which is an array.
    { file: 'binance-spot-ticker24hr-rest.json', kind: 'poll', key: 'spotTicker24h', wrap: true },
    { file: 'binance-usdm-openInterestHist-rest.json', kind: 'poll', key: 'openInterestHist:BTCUSDT' },
    { file: 'binance-usdm-klines-rest.json', kind: 'poll', key: 'klines:BTCUSDT' },
    { file: 'binance-usdm-fundingRate-history-rest.json', kind: 'poll', key: 'fundingRate:BTCUSDT' },
  ],
  bybit: [
    { file: 'bybit-allLiquidation-ws.json', kind: 'message' },
    { file: 'bybit-allLiquidation-ws-tardis.json', kind: 'message' },
    { file: 'bybit-liquidation-deprecated-ws.json', kind: 'message' },
    { file: 'bybit-liquidation-deprecated-ws-tardis.json', kind: 'message' },
    { file: 'bybit-tickers-linear-perp-ws.json', kind: 'message' },
    { file: 'bybit-tickers-inverse-rest.json', kind: 'poll', key: 'tickers:BTCUSDT' },
    { file: 'bybit-instruments-linear-rest.json', kind: 'instruments', key: 'instruments:linear' },
    { file: 'bybit-instruments-linear-prelaunch-rest.json', kind: 'instruments', key: 'instruments:linear' },
    { file: 'bybit-tickers-spot-rest.json', kind: 'poll', key: 'spotTickers:BTCUSDT' },
    { file: 'bybit-kline-rest.json', kind: 'poll', key: 'kline:BTCUSD' },
    { file: 'bybit-funding-history-rest.json', kind: 'poll', key: 'fundingHistory:ETHPERP' },
  ],
  okx: [
    { file: 'okx-liquidation-orders-ws-swap-docs.json', kind: 'message' },
    { file: 'okx-liquidation-orders-ws-futures-tardis.json', kind: 'message' },
    { file: 'okx-tickers-ws-swap-tardis.json', kind: 'message' },
    { file: 'okx-funding-rate-rest.json', kind: 'poll', key: 'funding' },
    { file: 'okx-mark-price-rest.json', kind: 'poll', key: 'mark' },
    { file: 'okx-open-interest-rest.json', kind: 'poll', key: 'openInterest' },
    { file: 'okx-index-tickers-rest.json', kind: 'poll', key: 'index:USDT' },
    { file: 'okx-tickers-swap-rest.json', kind: 'poll', key: 'tickers' },
    { file: 'okx-instruments-swap-rest.json', kind: 'instruments', key: 'instruments:SWAP' },
    { file: 'okx-instruments-futures-rest.json', kind: 'instruments', key: 'instruments:FUTURES' },
  ],
  bitmex: [
    { file: 'bitmex-liquidation-ws-insert-tardis.json', kind: 'message' },
    { file: 'bitmex-liquidation-ws-delete-tardis.json', kind: 'message' },
    // The fixture is one element of the /instrument answer, which is an array.
    { file: 'bitmex-instrument-xbtusd-rest-element.json', kind: 'poll', key: 'instrument', wrap: true },
    { file: 'bitmex-instrument-active-rest.json', kind: 'instruments', key: 'instruments' },
  ],
  bitget: [
    { file: 'bitget-liquidation-ws-uta-docs.json', kind: 'message' },
    { file: 'bitget-liquidation-ws-v3-tardis.json', kind: 'message' },
    { file: 'bitget-mix-tickers-rest.json', kind: 'poll', key: 'tickers' },
    { file: 'bitget-mix-current-fund-rate-docs2025-rest.json', kind: 'poll', key: 'currentFundRate' },
    { file: 'bitget-mix-contracts-rest.json', kind: 'instruments', key: 'contracts' },
  ],
  bitfinex: [
    { file: 'bitfinex-liquidations-ws.json', kind: 'message' },
    { file: 'bitfinex-liquidations-hist-rest.json', kind: 'message' },
    { file: 'bitfinex-status-deriv-ws.json', kind: 'message' },
    { file: 'bitfinex-status-deriv-rest.json', kind: 'poll', key: 'status' },
    { file: 'bitfinex-status-deriv-rest.json', kind: 'instruments', key: 'instruments' },
    { file: 'bitfinex-tickers-rest.json', kind: 'poll', key: 'tickers' },
    { file: 'bitfinex-liquidations-hist-rest.json', kind: 'poll', key: 'liquidationsHist' },
  ],
  deribit: [
    { file: 'deribit-trades-ws-liquidation-M-tardis.json', kind: 'message' },
    { file: 'deribit-trades-ws-liquidation-T-tardis.json', kind: 'message' },
    { file: 'deribit-ticker-ws-perpetual.json', kind: 'message' },
    { file: 'deribit-get_book_summary_by_currency-rest-docs.json', kind: 'poll', key: 'bookSummary:ETH' },
    { file: 'deribit-get_instruments-rest-docs.json', kind: 'instruments', key: 'instruments' },
  ],
  hyperliquid: [
    { file: 'hyperliquid-activeAssetCtx-ws-tardis.json', kind: 'message' },
    { file: 'hyperliquid-fundingHistory-rest.json', kind: 'message' },
    { file: 'hyperliquid-metaAndAssetCtxs-rest.json', kind: 'message' },
    { file: 'hyperliquid-metaAndAssetCtxs-rest.json', kind: 'poll', key: 'metaAndAssetCtxs' },
    { file: 'hyperliquid-meta-rest.json', kind: 'instruments', key: 'meta' },
  ],
};

/**
 * Mock payloads are made for BTC and SOL only: ETH takes the same code path as one of them on
 * every venue (BTC-style inverse on Deribit, SOL-style linear on BitMEX), so it would add cases, not coverage.
 */
export const MOCKED = ['BTC', 'SOL'];

/** A few liquidations the mock turns into wire frames (and REST history for OKX and Bitfinex). */
function playedLiquidations(venue: VenueId): Array<ScenarioLiquidationEvent & { time: number }> {
  const sides = ['long', 'short'] as const;
  return MOCKED.map((asset, i) => ({
    t: 0,
    type: 'liquidation' as const,
    venue,
    asset,
    side: sides[i]!,
    price: PRICES[asset]!,
    notionalUsd: 250_000 * (i + 1),
    time: NOW - 60_000 * (i + 1),
  }));
}

function mockView(venue: VenueId): MockMarketView {
  return staticView(
    WATCHED.map((asset) => marketRow(venue, asset, PRICES[asset]!)),
    NOW,
    playedLiquidations(venue),
  );
}

function openMockSession(adapter: VenueAdapter, mock: MockVenue, view: MockMarketView, instruments: readonly InstrumentSpec[]): { session: StreamSession; acks: string[]; connection: MockWsConnection } | null {
  const session = adapter.openStreams(WATCHED, instruments)[0];
  if (!session) return null;
  const url = new URL(session.url);
  const connection = mock.connect(url.host, url.pathname + url.search);
  const acks: string[] = [];
  for (const frame of session.onOpen()) {
    for (const reply of connection.onMessage(frame, view)) {
      acks.push(reply);
      session.onMessage(reply);
    }
  }
  return { session, acks, connection };
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Every valid payload for one venue: fixtures, mock REST bodies, mock acks and liquidation frames. */
function samplesFor(adapter: VenueAdapter, mock: MockVenue, view: MockMarketView, instruments: readonly InstrumentSpec[]): Sample[] {
  const venue = adapter.id;
  const samples: Sample[] = FIXTURE_SAMPLES[venue].map(({ file, kind, key, wrap }) => ({
    venue,
    source: `fixture ${file}`,
    kind,
    ...(key ? { key } : {}),
    payload: trimmed(wrap ? [fixture(file)] : fixture(file)),
  }));
  const requests = [
    ...adapter.instrumentRequests().map((request) => ({ request, kind: 'instruments' as const })),
    ...[...adapter.pollRequests(MOCKED, instruments), ...(adapter.backfillRequests?.(MOCKED, instruments) ?? [])].map((request) => ({ request, kind: 'poll' as const })),
  ];
  for (const { request, kind } of requests) {
    const url = new URL(request.url);
    const body = request.body === undefined ? '' : JSON.stringify(request.body);
    const response = mock.http({ method: request.method ?? 'GET', host: url.host, path: url.pathname, query: url.searchParams, body }, view);
    if (response.status !== 200) throw new Error(`mock ${venue} answered ${response.status} to ${request.url}`);
    samples.push({ venue, source: `mock ${request.key}`, kind, key: request.key, payload: trimmed(response.body) });
  }
  const stream = openMockSession(adapter, mock, view, instruments);
  const frames = stream ? playedLiquidations(venue).flatMap((event) => stream.connection.liquidationFrames(event, view)) : [];
  for (const [what, texts] of [['ack', stream?.acks ?? []], ['liquidation frame', frames]] as const) {
    texts.forEach((text, i) => {
      const payload = jsonOrUndefined(text);
      // Bare-text frames ('pong') carry no structure to mutate.
      if (payload !== undefined) samples.push({ venue, source: `mock ${what} ${i}`, kind: 'message', payload });
    });
  }
  return samples;
}

/**
 * Long lists (288 rows of open-interest history) add cases, not coverage: keep the first few rows.
 * Arrays of plain values are tuples (Bitfinex rows, read by index) and stay whole.
 */
const MAX_ROWS = 4;
function trimmed(value: unknown): unknown {
  if (Array.isArray(value)) {
    const rows = value.some((item) => Array.isArray(item) || isRecord(item));
    return (rows ? value.slice(0, MAX_ROWS) : value).map(trimmed);
  }
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, trimmed(item)]));
  return value;
}

const STATEFUL_SESSIONS: ReadonlySet<VenueId> = new Set(['bitfinex']);

function toOutput(liquidations: Liquidation[]): StreamOutput {
  return { liquidations, markets: [], replies: [] };
}

/** The mock's instrument list plus every instrument-list fixture, read by the adapter. */
function catalogueFor(adapter: VenueAdapter, view: MockMarketView): InstrumentSpec[] {
  const fromFixtures = FIXTURE_SAMPLES[adapter.id]
    .filter((sample) => sample.kind === 'instruments')
    .flatMap(({ file, key, wrap }) => adapter.parseInstruments(key!, wrap ? [fixture(file)] : fixture(file)));
  const fromMock = mockCatalogue(adapter.id, view);
  const listed = new Set(fromMock.map((spec) => spec.symbol));
  return [...fromMock, ...fromFixtures.filter((spec) => !listed.has(spec.symbol))];
}

export function harnessFor(venue: VenueId): VenueHarness {
  const adapter = venues[venue];
  const mock = mockVenues.find((m) => m.id === venue)!;
  const view = mockView(venue);
  const instruments = catalogueFor(adapter, view);
  const samples = samplesFor(adapter, mock, view, instruments);
  const session = () => openMockSession(adapter, mock, view, instruments)?.session ?? null;
  // Bitfinex sessions learn channel ids from 'subscribed' events; the other venues' sessions hold no state,
  // so one primed session serves every case.
  let shared: StreamSession | null | undefined;
  const caseSession = () => (STATEFUL_SESSIONS.has(venue) ? session() : (shared === undefined ? (shared = session()) : shared));
  const run = (target: Target, payload: unknown): Outcome => {
    try {
      if (target.kind === 'liquidations') return { ok: true, output: toOutput(adapter.parseLiquidations(payload, instruments)) };
      if (target.kind === 'poll') return { ok: true, output: adapter.parsePoll(target.key, payload, instruments) };
      if (target.kind === 'instruments') return { ok: true, output: toOutput([]), instruments: adapter.parseInstruments(target.key, payload) };
      const open = caseSession();
      if (!open) throw new Error(`${venue} has no stream`);
      // JSON.stringify writes NaN and Infinity as null, as a venue's JSON encoder would.
      const text = target.kind === 'frame' ? String(payload) : (JSON.stringify(payload) ?? 'null');
      return { ok: true, output: open.onMessage(text) };
    } catch (error) {
      return { ok: false, error };
    }
  };
  return { venue, adapter, samples, instruments, session, run };
}

/** The targets one sample is fed to. */
export function targetsOf(sample: Sample, hasStream: boolean): Target[] {
  if (sample.kind === 'poll') return [{ kind: 'poll', key: sample.key! }];
  if (sample.kind === 'instruments') return [{ kind: 'instruments', key: sample.key! }];
  return hasStream ? [{ kind: 'liquidations' }, { kind: 'stream' }] : [{ kind: 'liquidations' }];
}

export function describeTarget(target: Target): string {
  if (target.kind === 'poll') return `parsePoll(${target.key})`;
  if (target.kind === 'instruments') return `parseInstruments(${target.key})`;
  return target.kind === 'liquidations' ? 'parseLiquidations' : 'stream.onMessage';
}

// ---------------------------------------------------------------------------------------------
// The output contract
// ---------------------------------------------------------------------------------------------

/** A tag that would run script if a parser's output ever reached the page as HTML. */
export const MARKUP = '<img src=x onerror=alert(1)>';
/** The same tag entity-encoded: a parser that decodes entities would turn it into markup. */
export const ENCODED_MARKUP = '&lt;img src=x onerror=alert(1)&gt;';

const LIQUIDATION_POSITIVE = ['price', 'quantity', 'notionalUsd', 'time'] as const;
const MARKET_PRICES = ['lastPrice', 'markPrice', 'indexPrice'] as const;
const MARKET_AMOUNTS = ['openInterestUsd', 'openInterestBase', 'perpVolume24hUsd', 'spotVolume24hUsd', 'nextFundingTime'] as const;

/** Text the UI may show that came from the venue. */
function outputStrings(output: StreamOutput): string[] {
  const rows: Array<Liquidation | MarketUpdate> = [...output.liquidations, ...output.markets, ...(output.history ?? [])];
  return rows.flatMap((row) => [row.symbol, row.asset, ...('id' in row && row.id !== undefined ? [row.id] : [])]);
}

/** Every string in a payload (a text frame is one string). */
function stringsIn(value: unknown): string[] {
  return nodesOf(value).flatMap((node) => (typeof node.value === 'string' ? [node.value] : []));
}

/**
 * Output text with an angle bracket is inert only when it is the venue's own text passed through:
 * part of one input string (an asset cut from its symbol, possibly upper-cased), or one whole input
 * string plus bracket-free text (OKX's `${family}-SWAP`). Decoding entities, or gluing fragments of
 * several strings, would create markup the venue never sent.
 */
function markupProblem(text: unknown, inputs: readonly string[]): string | null {
  if (typeof text !== 'string') return `not a string: ${String(text)}`;
  if (!/[<>]/.test(text)) return null;
  const lower = text.toLowerCase();
  const copied = inputs.some((input) => {
    const source = input.toLowerCase();
    return source.includes(lower) || (source.length > 0 && lower.includes(source) && !/[<>]/.test(lower.split(source).join('')));
  });
  return copied ? null : `creates markup: ${JSON.stringify(text).slice(0, 80)}`;
}

/** Every way one parser output breaks the model's contract; [] when it is sound. `input` is what the parser was given. */
export function outputProblems(venue: VenueId, output: StreamOutput, input: unknown): string[] {
  const problems: string[] = [];
  const bad = (what: string) => problems.push(what);
  if (!Array.isArray(output.liquidations) || !Array.isArray(output.markets) || !Array.isArray(output.replies)) return ['output is not { liquidations, markets, replies }'];
  for (const l of output.liquidations) {
    if (l.venue !== venue) bad(`liquidation from venue ${l.venue}`);
    if (l.side !== 'long' && l.side !== 'short') bad(`liquidation side ${String(l.side)}`);
    if (typeof l.symbol !== 'string' || !l.symbol || typeof l.asset !== 'string' || !l.asset) bad(`liquidation symbol/asset ${String(l.symbol)}/${String(l.asset)}`);
    for (const field of LIQUIDATION_POSITIVE) {
      const n = l[field];
      if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) bad(`liquidation ${field} = ${String(n)}`);
    }
    // Every venue states size and notional so that notional = quantity × price (base units × USD price).
    const implied = l.quantity * l.price;
    if (!(Math.abs(implied - l.notionalUsd) <= 1e-9 * Math.max(l.notionalUsd, implied))) bad(`liquidation notional ${l.notionalUsd} ≠ quantity × price ${implied}`);
    if (l.id !== undefined && typeof l.id !== 'string') bad(`liquidation id ${String(l.id)}`);
  }
  for (const m of [...output.markets, ...(output.history ?? [])]) {
    if (m.venue !== venue) bad(`market from venue ${m.venue}`);
    if (typeof m.symbol !== 'string' || !m.symbol || typeof m.asset !== 'string' || !m.asset) bad(`market symbol/asset ${String(m.symbol)}/${String(m.asset)}`);
    if (typeof m.time !== 'number' || !Number.isFinite(m.time) || m.time < 0) bad(`market time ${String(m.time)}`);
    for (const field of MARKET_PRICES) {
      const n = m[field];
      if (n !== undefined && (typeof n !== 'number' || !Number.isFinite(n) || n <= 0)) bad(`market ${field} = ${String(n)}`);
    }
    for (const field of MARKET_AMOUNTS) {
      const n = m[field];
      if (n !== undefined && (typeof n !== 'number' || !Number.isFinite(n) || n < 0)) bad(`market ${field} = ${String(n)}`);
    }
    if (m.fundingRate !== undefined && (typeof m.fundingRate !== 'number' || !Number.isFinite(m.fundingRate))) bad(`market fundingRate = ${String(m.fundingRate)}`);
    const hours = m.fundingIntervalHours;
    if (hours !== undefined && (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0)) bad(`market fundingIntervalHours = ${String(hours)}`);
    // The worker merges every update into a snapshot; the derived 8 h funding must stay finite too.
    const merged = mergeMarket(undefined, m);
    for (const [field, n] of Object.entries(merged)) {
      if (typeof n === 'number' && !Number.isFinite(n)) bad(`merged snapshot ${field} = ${n}`);
    }
  }
  if (!output.replies.every((r) => typeof r === 'string')) bad('a reply is not text');
  const inputs = stringsIn(input);
  for (const text of outputStrings(output)) {
    const problem = markupProblem(text, inputs);
    if (problem) bad(problem);
  }
  return problems;
}

/** Every way a parsed instrument list breaks the InstrumentSpec contract; [] when it is sound. */
export function instrumentProblems(venue: VenueId, specs: readonly InstrumentSpec[]): string[] {
  const problems: string[] = [];
  for (const spec of specs) {
    const at = `instrument ${String(spec.symbol)}`;
    if (spec.venue !== venue) problems.push(`${at} from venue ${spec.venue}`);
    if (typeof spec.symbol !== 'string' || !spec.symbol || typeof spec.asset !== 'string' || !/^[A-Z0-9]{1,20}$/.test(spec.asset)) problems.push(`${at} asset ${String(spec.asset)}`);
    if (!['perp', 'dated', 'spot'].includes(spec.kind)) problems.push(`${at} kind ${String(spec.kind)}`);
    if (!(Number.isFinite(spec.priceScale) && spec.priceScale > 0)) problems.push(`${at} priceScale ${spec.priceScale}`);
    const contract = spec.contract;
    const value = contract.type === 'linear' ? contract.size : contract.type === 'inverse' ? contract.usd : contract.multiplier;
    if (!(Number.isFinite(value) && value !== 0)) problems.push(`${at} contract ${JSON.stringify(contract)}`);
  }
  return problems;
}

/** null when the outcome meets the contract (sound output, or a VenueDataError from this venue), else why not. */
export function contractViolation(venue: VenueId, outcome: Outcome, input: unknown): string | null {
  if (!outcome.ok) {
    const error = outcome.error;
    if (error instanceof VenueDataError && error.venue === venue) return null;
    return `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
  const problems = [...outputProblems(venue, outcome.output, input), ...instrumentProblems(venue, outcome.instruments ?? [])];
  return problems.length ? problems.join('; ') : null;
}

export function itemCount(outcome: Extract<Outcome, { ok: true }>): number {
  const { output } = outcome;
  return output.liquidations.length + output.markets.length + (output.history?.length ?? 0) + (outcome.instruments?.length ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Mutations: walk a valid payload and change one node at a time
// ---------------------------------------------------------------------------------------------

export type Path = Array<string | number>;
export interface Node {
  path: Path;
  value: unknown;
}

/** Every node of a JSON value (the root included), depth first. */
export function nodesOf(value: unknown, path: Path = []): Node[] {
  const out: Node[] = [{ path, value }];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...nodesOf(item, [...path, i])));
  else if (isRecord(value)) for (const [key, item] of Object.entries(value)) out.push(...nodesOf(item, [...path, key]));
  return out;
}

/** A copy of `root` with the node at `path` replaced. */
export function replaceAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root);
  const parent = path.slice(0, -1).reduce<unknown>((node, step) => (node as Record<string | number, unknown>)[step], copy) as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = value;
  return copy;
}

/** A copy of `root` without the node at `path` (a key deleted, or an element spliced out). */
export function removeAt(root: unknown, path: Path): unknown {
  const copy = structuredClone(root);
  const parent = path.slice(0, -1).reduce<unknown>((node, step) => (node as Record<string | number, unknown>)[step], copy);
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete (parent as Record<string, unknown>)[last];
  return copy;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNumeric(value: unknown): boolean {
  if (typeof value === 'number') return true;
  return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
}

/** Keep a numeric leaf's wire type: venues send decimals as strings or numbers, and parsers read both. */
function asSameType(original: unknown, n: number | string): unknown {
  return typeof original === 'string' ? String(n) : typeof n === 'string' ? Number(n) : n;
}

export interface Mutation {
  label: string;
  payload: unknown;
}

/** One input class: a name, and every bad variant of a valid payload it yields. */
export interface InputClass {
  id: string;
  title: string;
  mutate(payload: unknown): Mutation[];
}

const show = (path: Path) => (path.length ? path.join('.') : '(root)');

function perNode(payload: unknown, pick: (node: Node) => boolean, values: (node: Node) => unknown[]): Mutation[] {
  return nodesOf(payload)
    .filter(pick)
    .flatMap((node) => values(node).map((value) => ({ label: `${show(node.path)} = ${describeValue(value)}`, payload: replaceAt(payload, node.path, value) })));
}

function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

const numericLeaf = (node: Node) => isNumeric(node.value);
/** Strings that are not numbers: symbols, sides, topics, enum values. */
const textLeaf = (node: Node) => typeof node.value === 'string' && !isNumeric(node.value);

function wrongTypes(value: unknown): unknown[] {
  if (typeof value === 'string') return isNumeric(value) ? [true, [value]] : [42, null];
  if (typeof value === 'number') return ['abc', null];
  if (typeof value === 'boolean') return [String(value), 1];
  if (value === null) return [0, {}];
  if (Array.isArray(value)) return ['[]', {}];
  return [1, []];
}

function caseVariants(value: string): string[] {
  return [...new Set([value.toUpperCase(), value.toLowerCase()])].filter((v) => v !== value);
}

export const EXTRA_FIELD = 'unexpectedExtraField';

export const INPUT_CLASSES: InputClass[] = [
  {
    id: 'wrong-types',
    title: 'wrong types',
    // Every node, containers included, becomes a value of another JSON type.
    mutate: (payload) => perNode(payload, () => true, (node) => wrongTypes(node.value)),
  },
  {
    id: 'missing-fields',
    title: 'missing fields',
    // Every object key and every array element, removed one at a time.
    mutate: (payload) =>
      nodesOf(payload)
        .filter((node) => node.path.length > 0)
        .map((node) => ({ label: `without ${show(node.path)}`, payload: removeAt(payload, node.path) })),
  },
  {
    id: 'non-finite',
    title: 'NaN / Infinity',
    mutate: (payload) =>
      perNode(payload, numericLeaf, (node) => [
        ...[Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
        // As text: what a venue's JSON can actually carry ('1e999' parses to Infinity).
        ...['NaN', 'Infinity', '-1e999'].map((s) => asSameType(node.value, s)),
      ]),
  },
  {
    id: 'negative',
    title: 'negative numbers',
    mutate: (payload) =>
      perNode(payload, numericLeaf, (node) => {
        const n = Number(node.value);
        return [asSameType(node.value, n === 0 ? -1 : -Math.abs(n)), asSameType(node.value, '-0')];
      }),
  },
  {
    id: 'zero-tiny-huge',
    title: 'zero, tiny and huge numbers',
    mutate: (payload) =>
      perNode(payload, numericLeaf, (node) =>
        // 1e-18 and 1e18 are the smallest and largest magnitudes the parsers accept (src/venues/parse.ts).
        [0, '5e-324', '1e-18', '1e18', '1.7976931348623157e308', '9'.repeat(400)].map((s) => asSameType(node.value, s)),
      ),
  },
  {
    id: 'extra-fields',
    title: 'unknown extra fields',
    // An unknown key in every object; a trailing element on every tuple (Bitfinex appends fields to its arrays).
    mutate: (payload) => [
      ...nodesOf(payload)
        .filter((node) => isRecord(node.value))
        .map((node) => ({
          label: `${show(node.path)} + ${EXTRA_FIELD}`,
          payload: replaceAt(payload, node.path, { ...(node.value as object), [EXTRA_FIELD]: { nested: [1, 'x', null], text: '<b>extra</b>' } }),
        })),
      ...nodesOf(payload)
        .filter((node) => Array.isArray(node.value) && node.value.length >= 2 && node.value.every((item) => !Array.isArray(item) && !isRecord(item)))
        .map((node) => ({ label: `${show(node.path)} + trailing element`, payload: replaceAt(payload, node.path, [...(node.value as unknown[]), null]) })),
    ],
  },
  {
    id: 'empty-arrays',
    title: 'empty arrays',
    mutate: (payload) => perNode(payload, (node) => Array.isArray(node.value), () => [[]]),
  },
  {
    id: 'markup',
    title: 'markup in strings',
    mutate: (payload) => perNode(payload, (node) => typeof node.value === 'string', (node) => [`${MARKUP}${node.value as string}`, `${ENCODED_MARKUP}${node.value as string}`]),
  },
  {
    id: 'enum-values',
    title: 'unexpected enum values',
    // 'USDT' and '-X' are symbols that name no base asset once the quote or the separator is taken off.
    mutate: (payload) => perNode(payload, textLeaf, (node) => ['UNEXPECTED', '', 'USDT', '-X', ...caseVariants(node.value as string)]),
  },
];

/** Whole payloads that are not what JSON.parse of a venue response gives: raw text, or nothing. */
export function malformedPayloads(payload: unknown): Mutation[] {
  const text = JSON.stringify(payload);
  return [
    { label: 'undefined', payload: undefined },
    { label: 'the JSON as unparsed text', payload: text },
    { label: 'truncated text', payload: text.slice(0, Math.floor(text.length / 2)) },
    { label: 'an HTML error page', payload: '<html><body>502 Bad Gateway</body></html>' },
    { label: 'empty text', payload: '' },
  ];
}

/** Text frames that JSON.parse rejects. */
export function malformedFrames(payload: unknown): Mutation[] {
  const text = JSON.stringify(payload);
  const frames = [
    ['empty frame', ''],
    ['whitespace', ' \n'],
    ['truncated after one character', text.slice(0, 1)],
    ['truncated in the middle', text.slice(0, Math.floor(text.length / 2))],
    ['truncated by one character', text.slice(0, -1)],
    ['trailing garbage', `${text}}`],
    ['byte-order mark', `\uFEFF${text}`],
    ['single quotes', text.replaceAll('"', "'")],
    ['NaN token', text.replace(/(:|\[|,)(-?\d[\d.e+-]*)/i, '$1NaN')],
    ['an HTML error page', '<html><body>502 Bad Gateway</body></html>'],
    ['undefined', 'undefined'],
  ] as const;
  return frames.filter(([, frame]) => !isJson(frame)).map(([label, frame]) => ({ label, payload: frame }));
}

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
