/**
 * Every venue's instrument list (the catalogue): loaded from storage at boot, fetched when
 * missing or a day old, and again when a stream names a symbol it does not list (a new listing).
 * The parsers get it as data; the venue files keep no state of their own.
 */
import type { InstrumentSpec, VenueId } from '../core/model';
import type { VenueAdapter } from '../venues/types';
import { fetchEach, type FetchResult } from './poller';

export const CATALOGUE_KEY = 'instruments';
/** Listings change a few times a week; a day-old list misses at most a day's new listings (refreshed on sight). */
export const CATALOGUE_MAX_AGE_MS = 24 * 60 * 60_000;
/** A stream naming unknown symbols refreshes the list at most this often. */
const UNKNOWN_REFRESH_MS = 10 * 60_000;

interface StoredCatalogue {
  fetchedAt: number;
  instruments: InstrumentSpec[];
}

export interface CatalogueStorage {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

const EMPTY: readonly InstrumentSpec[] = Object.freeze([]);

export class InstrumentCatalogue {
  private byVenue = new Map<VenueId, StoredCatalogue>();
  private readonly lastUnknownRefresh = new Map<VenueId, number>();

  constructor(private readonly storage: CatalogueStorage) {}

  async load(): Promise<void> {
    const stored = (await this.storage.get(CATALOGUE_KEY))[CATALOGUE_KEY];
    if (typeof stored !== 'object' || stored === null) return;
    for (const [venue, entry] of Object.entries(stored as Record<string, unknown>)) {
      if (isStoredCatalogue(entry)) this.byVenue.set(venue as VenueId, entry);
    }
  }

  /** The venue's instruments (empty until its list was fetched once). Replaced whole on refresh, never mutated. */
  of(venue: VenueId): readonly InstrumentSpec[] {
    return this.byVenue.get(venue)?.instruments ?? EMPTY;
  }

  isStale(venue: VenueId, now: number): boolean {
    const entry = this.byVenue.get(venue);
    return !entry || entry.instruments.length === 0 || now - entry.fetchedAt >= CATALOGUE_MAX_AGE_MS;
  }

  /** True at most once per UNKNOWN_REFRESH_MS per venue: a stream named symbols the list lacks. */
  shouldRefreshForUnknown(venue: VenueId, now: number): boolean {
    if (now - (this.lastUnknownRefresh.get(venue) ?? -Infinity) < UNKNOWN_REFRESH_MS) return false;
    this.lastUnknownRefresh.set(venue, now);
    return true;
  }

  /**
   * Fetch the venue's whole list. A partial answer (one of several pages failed) keeps the
   * previous list, so a flaky request never shrinks what the parsers know.
   */
  async refresh(adapter: VenueAdapter, now: number): Promise<FetchResult<InstrumentSpec[]>> {
    const result = await fetchEach(adapter, adapter.instrumentRequests(), (key, body) => adapter.parseInstruments(key, body));
    if (result.error !== null) return result;
    this.byVenue.set(adapter.id, { fetchedAt: now, instruments: result.outputs.flat() });
    await this.storage.set({ [CATALOGUE_KEY]: Object.fromEntries(this.byVenue) });
    return result;
  }
}

function isStoredCatalogue(value: unknown): value is StoredCatalogue {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<StoredCatalogue>;
  return typeof entry.fetchedAt === 'number' && Array.isArray(entry.instruments);
}
