/**
 * The assets the worker tracks: the watchlist, plus every asset a trading page shows, kept for a
 * while after its last page closes (a trader flipping between symbols should not lose them).
 */
export const KEEP_AFTER_PAGE_MS = 30 * 60_000;

export class TrackedAssets {
  /** Asset → when a page last showed it (Infinity while one still does). */
  private readonly pageSeen = new Map<string, number>();

  constructor(private watchlist: readonly string[]) {}

  setWatchlist(watchlist: readonly string[]): void {
    this.watchlist = watchlist;
  }

  /** The assets pages show now; one no page shows any more is kept KEEP_AFTER_PAGE_MS from now. */
  setPageAssets(open: ReadonlySet<string>, now: number): void {
    for (const [asset, seen] of this.pageSeen) if (seen === Infinity && !open.has(asset)) this.pageSeen.set(asset, now);
    for (const asset of open) this.pageSeen.set(asset, Infinity);
  }

  /** Watchlist first (its order), then page assets still kept, alphabetically. */
  list(now: number): string[] {
    const listed = new Set(this.watchlist);
    const pages = [...this.pageSeen].filter(([asset, seen]) => !listed.has(asset) && now - seen < KEEP_AFTER_PAGE_MS).map(([asset]) => asset).sort();
    for (const [asset, seen] of this.pageSeen) if (now - seen >= KEEP_AFTER_PAGE_MS) this.pageSeen.delete(asset);
    return [...this.watchlist, ...pages];
  }
}
