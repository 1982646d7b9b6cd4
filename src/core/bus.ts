/**
 * Storage is the bus: the worker writes these keys, the page meter and popup read and subscribe.
 * Types only plus key names, so the content script can import it without pulling in code.
 */
import type { ScenarioClock } from './scenario-time';
import type { Breadth } from './breadth';
import type { ReadingSet, ScopeReading } from './engine';
import type { Gap } from './gaps';
import type { HistoryChart } from './history-chart';
import type { TapePrint, TapeState } from './tape';
import { ASSET_CODE, type Completeness, type VenueId } from './model';

/** The market scope: every asset's liquidations (the reading every UI shows first). */
export const MARKET_SCOPE = 'ALL';

/** Keys in storage.local that UIs read (content scripts cannot read storage.session). */
export const BUS_KEYS = {
  /** Which scopes have a reading (ScopeIndex); each reading is under its own key (readingKey). */
  scopes: 'scopes',
  sources: 'sources',
  /** Only in the demo: the scenario clock readings and gaps are measured on (src/background/clock.ts). */
  scenarioClock: 'scenarioClock',
  /** The open trading pages and where each one's meter sits (PageStatus[]), for the popup. */
  pages: 'pages',
  /** What is being flushed across every asset (Breadth, src/core/breadth.ts). */
  breadth: 'breadth',
  /** The live tape: the largest recent liquidations, newest first (TapeState, src/core/tape.ts). */
  tape: 'tape',
} as const;

/** Prefix of the per-scope reading keys. */
const READING_PREFIX = 'reading:';

/**
 * storage.local key of one scope's reading (a ScopeReading, as is): `reading:ALL`, `reading:BTC`.
 * The worker writes only the scopes that changed; a reader reads only the scopes it shows.
 */
export function readingKey(scope: string): string {
  return READING_PREFIX + scope;
}

/** The scope a storage key holds the reading of, or null for any other key. */
export function scopeOfKey(key: string): string | null {
  return key.startsWith(READING_PREFIX) ? key.slice(READING_PREFIX.length) : null;
}

/** What BUS_KEYS.scopes holds: the scopes with a reading, as of the latest publish. */
export interface ScopeIndex {
  /** 'ALL' first, then the assets. */
  scopes: string[];
}

/**
 * Every published reading as one set, from storage items holding the index and the scopes' keys
 * (tools and tests that look at every scope; the extension's own pages read only what they show).
 * computedAt is the newest scope's. Undefined before the first publish.
 */
export function readingSetOf(stored: Record<string, unknown>): ReadingSet | undefined {
  const index = stored[BUS_KEYS.scopes] as ScopeIndex | undefined;
  if (!index || !Array.isArray(index.scopes)) return undefined;
  const scopes: Record<string, ScopeReading> = {};
  let computedAt = -Infinity;
  for (const scope of index.scopes) {
    const reading = stored[readingKey(scope)] as ScopeReading | undefined;
    if (!reading) continue;
    scopes[scope] = reading;
    computedAt = Math.max(computedAt, reading.computedAt);
  }
  return { computedAt, collectingSince: scopes[MARKET_SCOPE]?.collectingSince ?? null, scopes };
}

/** readingSetOf over a storage area's `get` (two reads: the index, then its scopes). */
export async function readPublished(get: (keys: string[]) => Promise<Record<string, unknown>>): Promise<ReadingSet | undefined> {
  const first = await get([BUS_KEYS.scopes]);
  const index = first[BUS_KEYS.scopes] as ScopeIndex | undefined;
  if (!index || !Array.isArray(index.scopes)) return undefined;
  return readingSetOf({ ...first, ...(await get(index.scopes.map(readingKey))) });
}

/** The settings in force, as the worker validated and published them (storage.local). */
export const EFFECTIVE_SETTINGS_KEY = 'settings';

export type StreamState = 'connecting' | 'connected' | 'reconnecting' | 'none' | 'off';

/** What kind of failure degraded a source: the popup names it in the trader's language. */
export type DegradedKind = 'rateLimited' | 'blocked' | 'exchangeError' | 'rejected' | 'timeout' | 'badData' | 'socket' | 'network';

export interface SourceStatus {
  venue: VenueId;
  label: string;
  completeness: Completeness;
  completenessNote: string | null;
  stream: StreamState;
  /** Last frame of any kind received on the stream, ms. */
  lastMessageAt: number | null;
  /** Last successful poll, ms. */
  lastPollAt: number | null;
  /** Why the source is degraded (bad data, HTTP error, socket closed), or null. */
  degraded: string | null;
  degradedKind?: DegradedKind | null;
  degradedAt: number | null;
  /** When the liquidation stream was down over the last day (shown; never counted as zero). */
  gaps: Gap[];
  /** Rate limited: no request to this venue before this time (ms), or null. */
  pausedUntil: number | null;
  /** What the venue's liquidation total counts: `covered` of its `listed` derivative instruments; null before its list is known. */
  coverage: { covered: number; listed: number } | null;
}

/** What the popup follows: the index, the readings of the scopes it read so far, the sources and pages. */
export interface BusSnapshot {
  index?: ScopeIndex;
  breadth?: Breadth;
  readings?: Record<string, ScopeReading>;
  sources?: SourceStatus[];
  pages?: PageStatus[];
  /** The live tape as published (validate before use: tapePrints). */
  tape?: TapeState;
  /** Only in the demo: the clock the readings are on, to age them on it. */
  scenarioClock?: ScenarioClock;
}

/** A poll older than this makes a source stale: two missed 30 s polls plus slack. */
export const STALE_AFTER_MS = 90_000;

export type SourceHealth = 'live' | 'stale' | 'degraded' | 'off';

export function sourceHealth(source: SourceStatus, now: number): SourceHealth {
  if (source.stream === 'off') return 'off';
  if (source.degraded) return 'degraded';
  if (source.lastPollAt === null || now - source.lastPollAt > STALE_AFTER_MS) return 'stale';
  return 'live';
}

/**
 * The page meter's push channel: a runtime port per page. The page says which asset it shows;
 * the worker answers with that asset's reading on every publish. Only one small reading crosses
 * into the exchange's page, at once, instead of every storage write of every key.
 */
export const METER_PORT = 'flush-meter';

export interface WatchMessage {
  type: 'watch';
  asset: string;
}

/**
 * Where a page's meter sits: `anchored` right after the order panel, `docked` in the floating
 * window because no order panel was found, `waiting` while it looks. The host element's
 * `data-placement` carries exactly these strings (external tools read it), and so does the popup.
 */
export type Placement = 'anchored' | 'docked' | 'waiting';
export const PLACEMENTS: readonly Placement[] = ['anchored', 'docked', 'waiting'];

/**
 * What a page meter says over its port whenever its placement or asset changes (and again on
 * reconnecting): its site, its asset (null when the URL names none and no meter shows) and
 * where it sits.
 */
export interface PlacementMessage {
  type: 'placement';
  site: string;
  asset: string | null;
  placement: Placement;
}

/** One open trading page with a meter, as the worker publishes it for the popup (BUS_KEYS.pages). */
export interface PageStatus {
  /** The browser tab, when the port says (a key for the popup, and to tell the current tab). */
  tab: number | null;
  site: string;
  asset: string;
  placement: Placement;
}

/** A stream gap and the venue it belongs to. */
export interface VenueGap extends Gap {
  venue: VenueId;
}

/**
 * What a page meter gets over its port: its asset's reading and the stream gaps, nothing more
 * (each message costs the exchange's page its deserialisation: the full source list is the
 * popup's, through storage).
 */
export interface ReadingMessage {
  type: 'reading';
  asset: string;
  /** The asset's published reading as is (storage key readingKey(asset)), null before it has one. */
  reading: ScopeReading | null;
  gaps: VenueGap[];
  /** Only on a scenario clock (the demo): the reading's times and the gaps are on it. */
  scenarioClock?: ScenarioClock;
}

/** Asset codes as sites produce them ('BTC', 'PEPE' for 1000PEPEUSDT and kPEPE); anything else is refused. */
export function isAssetCode(value: unknown): value is string {
  return typeof value === 'string' && ASSET_CODE.test(value);
}

/**
 * A page's ask for one scope's history chart (the popup and the expanded page meter, over
 * runtime.sendMessage): the chart is asked for while it shows, not published with every reading.
 */
export interface HistoryRequest {
  type: 'history';
  /** MARKET_SCOPE or an asset code. */
  scope: string;
}

/** The worker's answer: the scope's chart, and its live tape as the trader filters it (threshold in the options), newest first. */
export interface HistoryAnswer {
  type: 'history';
  scope: string;
  chart: HistoryChart;
  tape: TapePrint[];
  /** The trader's tape threshold (USD) the prints were filtered by. */
  tapeMinUsd: number;
}

/** `{ type: 'history', scope }` with the market scope or an asset code, or null: the one parser of this message. */
export function parseHistoryRequest(message: unknown): HistoryRequest | null {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
  const { type, scope } = message as Record<string, unknown>;
  return type === 'history' && (scope === MARKET_SCOPE || isAssetCode(scope)) ? { type, scope } : null;
}
