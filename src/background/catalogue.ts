/**
 * Every venue's instrument list (the catalogue): loaded from storage at boot, fetched when
 * missing or a day old, and again when a stream names a symbol it does not list (a new listing).
 * The parsers get it as data; the venue files keep no state of their own.
 */
import type { InstrumentSpec, VenueId } from '../core/model';
import type { RestRequest, VenueAdapter } from '../venues/types';
import { fetchEach, type FetchResult } from './poller';

export const CATALOGUE_KEY = 'instruments';
/** Listings change a few times a week; a day-old list misses at most a day's new listings (refreshed on sight). */
export const CATALOGUE_MAX_AGE_MS = 24 * 60 * 60_000;
/** After a failed fetch, and between refreshes for unknown symbols: at most one try per venue per 10 min. */
export const RETRY_MS = 10 * 60_000;

/** One venue's lists, per request key (Binance: USD-M, COIN-M, spot), and when they were last all fetched. */
interface StoredCatalogue {
  fetchedAt: number;
  lists: Record<string, InstrumentSpec[]>;
}

export interface CatalogueStorage {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

const EMPTY: readonly InstrumentSpec[] = Object.freeze([]);

export class InstrumentCatalogue {
  private readonly stored = new Map<VenueId, StoredCatalogue>();
  /** Each venue's lists joined, built once per change: parsers look instruments up in it. */
  private readonly joined = new Map<VenueId, readonly InstrumentSpec[]>();
  private readonly revisions = new Map<VenueId, number>();
  private readonly lastAttempt = new Map<VenueId, number>();
  /** Symbols that already caused a refresh (a listing the venue's list leaves out on purpose must not cause one every time). */
  private readonly unknownSeen = new Map<VenueId, Set<string>>();

  constructor(private readonly storage: CatalogueStorage) {}

  async load(): Promise<void> {
    const stored = (await this.storage.get(CATALOGUE_KEY))[CATALOGUE_KEY];
    if (typeof stored !== 'object' || stored === null) return;
    for (const [venue, entry] of Object.entries(stored as Record<string, unknown>)) {
      if (isStoredCatalogue(entry)) this.keep(venue as VenueId, entry);
    }
  }

  /** The venue's instruments (empty until its list was fetched once). Replaced whole on refresh, never mutated. */
  of(venue: VenueId): readonly InstrumentSpec[] {
    return this.joined.get(venue) ?? EMPTY;
  }

  /** Changes whenever the venue's list does: streams opened on an older list are reopened. */
  version(venue: VenueId): number {
    return this.revisions.get(venue) ?? 0;
  }

  /** Missing, incomplete or a day old, and not tried in the last 10 minutes. */
  isDue(adapter: VenueAdapter, now: number): boolean {
    if (now - (this.lastAttempt.get(adapter.id) ?? -Infinity) < RETRY_MS) return false;
    const entry = this.stored.get(adapter.id);
    if (!entry || now - entry.fetchedAt >= CATALOGUE_MAX_AGE_MS) return true;
    return adapter.instrumentRequests().some((request) => !(request.key in entry.lists));
  }

  /** A stream named symbols the list lacks: true when one of them is new to us and the venue was not tried in the last 10 minutes. */
  shouldRefreshForUnknown(venue: VenueId, symbols: readonly string[], now: number): boolean {
    let seen = this.unknownSeen.get(venue);
    if (!seen) this.unknownSeen.set(venue, (seen = new Set()));
    const fresh = symbols.filter((symbol) => !seen.has(symbol));
    if (!fresh.length || now - (this.lastAttempt.get(venue) ?? -Infinity) < RETRY_MS) return false;
    for (const symbol of fresh) seen.add(symbol);
    return true;
  }

  /**
   * Fetch the venue's lists. A list whose request failed keeps its previous rows, so a flaky
   * request never shrinks what the parsers know; the whole is fresh only when every list came.
   */
  async refresh(adapter: VenueAdapter, now: number): Promise<FetchResult<{ key: string; instruments: InstrumentSpec[] }>> {
    this.lastAttempt.set(adapter.id, now);
    const result = await fetchLists(adapter);
    if (!result.outputs.length) return result;
    const previous = this.stored.get(adapter.id);
    const lists = { ...previous?.lists, ...Object.fromEntries(result.outputs.map((output) => [output.key, output.instruments])) };
    this.keep(adapter.id, { fetchedAt: result.error === null ? now : (previous?.fetchedAt ?? 0), lists });
    try {
      await this.storage.set({ [CATALOGUE_KEY]: Object.fromEntries(this.stored) });
    } catch (error) {
      // The lists in memory stay valid; the next refresh stores them again.
      console.warn('flush-meter: could not store the instrument lists', error);
    }
    return result;
  }

  private keep(venue: VenueId, entry: StoredCatalogue): void {
    this.stored.set(venue, entry);
    this.joined.set(venue, Object.values(entry.lists).flat());
    this.revisions.set(venue, this.version(venue) + 1);
  }
}

/** A list split over more pages than this is taken as broken, not followed for ever. */
const MAX_PAGES = 20;

/** Every list of the venue, each with all its pages (asked one after the other); a list with a failed page is left out. */
async function fetchLists(adapter: VenueAdapter): Promise<FetchResult<{ key: string; instruments: InstrumentSpec[] }>> {
  const lists = await Promise.all(adapter.instrumentRequests().map((first) => fetchPages(adapter, first)));
  const failed = lists.find((list) => list.error !== null);
  return {
    outputs: lists.flatMap((list) => list.outputs),
    error: failed?.error ?? null,
    errorKind: failed?.errorKind ?? null,
    retryAfterMs: lists.reduce<number | null>((most, list) => (list.retryAfterMs === null ? most : Math.max(most ?? 0, list.retryAfterMs)), null),
  };
}

async function fetchPages(adapter: VenueAdapter, first: RestRequest): Promise<FetchResult<{ key: string; instruments: InstrumentSpec[] }>> {
  const instruments: InstrumentSpec[] = [];
  let request: RestRequest | null = first;
  for (let page = 0; request !== null; page++) {
    if (page === MAX_PAGES) return { outputs: [], error: `${first.key}: more than ${MAX_PAGES} pages`, errorKind: 'badData', retryAfterMs: null };
    const asked: RestRequest = request;
    let next: RestRequest | null = null;
    const result = await fetchEach(adapter, [asked], (key, body) => {
      next = adapter.nextInstrumentRequest?.(asked, body) ?? null;
      return adapter.parseInstruments(key, body);
    });
    if (result.error !== null) return { ...result, outputs: [] };
    instruments.push(...result.outputs.flat());
    request = next;
  }
  return { outputs: [{ key: first.key, instruments }], error: null, errorKind: null, retryAfterMs: null };
}

function isStoredCatalogue(value: unknown): value is StoredCatalogue {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<StoredCatalogue>;
  return typeof entry.fetchedAt === 'number' && typeof entry.lists === 'object' && entry.lists !== null && Object.values(entry.lists).every(Array.isArray);
}
