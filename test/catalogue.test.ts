/**
 * The instrument catalogue: canonical assets and units (core/model, venues/instruments), the
 * worker's store of every venue's list (background/catalogue), and the tracked assets
 * (background/tracked).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InstrumentCatalogue, CATALOGUE_KEY, CATALOGUE_MAX_AGE_MS, RETRY_MS } from '../src/background/catalogue';
import { KEEP_AFTER_PAGE_MS, TrackedAssets } from '../src/background/tracked';
import { canonicalBase, mergeMarket, type InstrumentSpec } from '../src/core/model';
import { findInstrument, mainPerpetuals, valueFill } from '../src/venues/instruments';
import { okx } from '../src/venues/okx';
import type { VenueAdapter } from '../src/venues/types';
import { defaultView, mockAnswer } from './catalogue';

const spec = (over: Partial<InstrumentSpec>): InstrumentSpec => ({
  venue: 'binance',
  symbol: 'BTCUSDT',
  asset: 'BTC',
  kind: 'perp',
  priceScale: 1,
  contract: { type: 'linear', size: 1 },
  ...over,
});

describe('canonical assets', () => {
  it.each([
    ['1000PEPE', 'PEPE', 1000],
    ['kPEPE', 'PEPE', 1000],
    ['1000000MOG', 'MOG', 1_000_000],
    ['1MBABYDOGE', 'BABYDOGE', 1_000_000],
    ['10000LADYS', 'LADYS', 10_000],
    ['10000000AIDOGE', 'AIDOGE', 10_000_000],
    ['XBT', 'BTC', 1],
    ['btc', 'BTC', 1],
    ['1INCH', '1INCH', 1],
    ['KAS', 'KAS', 1],
  ])('%s → %s × %d', (code, asset, priceScale) => {
    expect(canonicalBase(code)).toEqual({ asset, priceScale });
  });

  it('keeps a spot volume filed beside a perpetual from turning its snapshot into spot', () => {
    const perp = mergeMarket(undefined, { venue: 'bybit', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: 1, markPrice: 72_000 });
    const merged = mergeMarket(perp, { venue: 'bybit', symbol: 'BTCUSDT', asset: 'BTC', kind: 'spot', time: 2, spotVolume24hUsd: 1e9 });
    expect(merged).toMatchObject({ kind: 'perp', markPrice: 72_000, spotVolume24hUsd: 1e9 });
  });

  it.each(['', '  ', '<img>', 'BTC-USD', 'A'.repeat(21)])('names no asset: %j', (code) => {
    expect(canonicalBase(code)).toBeNull();
  });
});

describe('valuing a fill with its instrument', () => {
  it('linear, scaled: 1000PEPEUSDT 2,000,000 units at 0.012 is 2e9 PEPE at 0.000012, $24,000', () => {
    const fill = valueFill(spec({ symbol: '1000PEPEUSDT', asset: 'PEPE', priceScale: 1000 }), 2_000_000, 0.012);
    expect(fill.price).toBeCloseTo(0.000012, 12);
    expect(fill.quantity).toBe(2e9);
    expect(fill.notionalUsd).toBeCloseTo(24_000, 6);
  });

  it('linear in contracts: 13 OKX IOST contracts of 1000 IOST at 0.007831 are $101.80', () => {
    const fill = valueFill(spec({ venue: 'okx', symbol: 'IOST-USDT-SWAP', asset: 'IOST', contract: { type: 'linear', size: 1000 } }), 13, 0.007831);
    expect(fill.notionalUsd).toBeCloseTo(101.803, 3);
    expect(fill.quantity).toBe(13_000);
  });

  it('inverse: 50 BTC-USD-SWAP contracts of $100 at 72,000 are $5,000 and 0.0694 BTC', () => {
    const fill = valueFill(spec({ venue: 'okx', symbol: 'BTC-USD-SWAP', contract: { type: 'inverse', usd: 100 } }), 50, 72_000);
    expect(fill.notionalUsd).toBe(5_000);
    expect(fill.quantity * fill.price).toBeCloseTo(5_000, 9);
  });

  it('refuses to guess a quanto contract (its venue values it with the settlement price)', () => {
    expect(() => valueFill(spec({ venue: 'bitmex', symbol: 'ETHUSD', contract: { type: 'quanto', multiplier: 100, settle: 'XBt' } }), 1, 2000)).toThrow(/quanto/);
  });
});

describe('finding instruments', () => {
  const list = [spec({}), spec({ symbol: 'BTCUSDT', kind: 'spot' }), spec({ symbol: 'BTCUSDC' }), spec({ symbol: 'BTCUSD', contract: { type: 'inverse', usd: 1 } })];

  it('keeps a spot pair apart from the perpetual of the same name', () => {
    expect(findInstrument(list, 'BTCUSDT')?.kind).toBe('perp');
    expect(findInstrument(list, 'BTCUSDT', 'spot')?.kind).toBe('spot');
    expect(findInstrument(list, 'ETHUSDT')).toBeUndefined();
  });

  it('picks one main perpetual per asset by the venue rank', () => {
    expect(mainPerpetuals(list, (s) => (s.symbol.endsWith('USDT') ? 0 : 1)).get('BTC')?.symbol).toBe('BTCUSDT');
    expect(mainPerpetuals(list, (s) => (s.contract.type === 'inverse' ? 0 : 1)).get('BTC')?.symbol).toBe('BTCUSD');
  });
});

/** storage.local as the worker sees it, in memory. */
function memoryStorage(initial: Record<string, unknown> = {}) {
  const items: Record<string, unknown> = structuredClone(initial);
  return {
    items,
    get: async (key: string) => (key in items ? { [key]: structuredClone(items[key]) } : {}),
    set: async (next: Record<string, unknown>) => void Object.assign(items, structuredClone(next)),
  };
}

/** fetch answered by the OKX mock; `fail` makes the futures list answer 503. */
function okxFetch(fail = false) {
  return async (url: string) => {
    const request = okx.instrumentRequests().find((r) => r.url === String(url))!;
    if (fail && request.key.endsWith('FUTURES')) return new Response('{}', { status: 503 });
    const answer = mockAnswer('okx', request, defaultView());
    return new Response(JSON.stringify(answer.body), { status: answer.status });
  };
}

describe('the worker’s instrument catalogue', () => {
  afterEach(() => vi.unstubAllGlobals());
  const NOW = 1_763_600_000_000;

  it('fetches every list of a venue, keeps it in storage and serves it after a restart', async () => {
    vi.stubGlobal('fetch', okxFetch());
    const storage = memoryStorage();
    const catalogue = new InstrumentCatalogue(storage);
    await catalogue.load();
    expect(catalogue.of('okx')).toEqual([]);
    expect(catalogue.isDue(okx, NOW)).toBe(true);
    const result = await catalogue.refresh(okx, NOW);
    expect(result.error).toBeNull();
    const symbols = catalogue.of('okx').map((s) => s.symbol);
    expect(symbols).toEqual(expect.arrayContaining(['BTC-USDT-SWAP', 'IOST-USDT-SWAP', 'BTC-USD-SWAP', 'BTC-USD-251226']));
    expect(catalogue.isDue(okx, NOW + CATALOGUE_MAX_AGE_MS - 1)).toBe(false);
    expect(catalogue.isDue(okx, NOW + CATALOGUE_MAX_AGE_MS)).toBe(true);
    const restarted = new InstrumentCatalogue(storage);
    await restarted.load();
    expect(restarted.of('okx').map((s) => s.symbol)).toEqual(symbols);
    expect(storage.items[CATALOGUE_KEY]).toBeDefined();
  });

  it('keeps the rows of a list whose request failed, takes the others, and tries the missing one again after 10 minutes', async () => {
    vi.stubGlobal('fetch', okxFetch());
    const catalogue = new InstrumentCatalogue(memoryStorage());
    await catalogue.refresh(okx, NOW);
    const futures = catalogue.of('okx').filter((s) => s.kind === 'dated');
    expect(futures.length).toBeGreaterThan(0);
    const version = catalogue.version('okx');
    vi.stubGlobal('fetch', okxFetch(true));
    const later = NOW + CATALOGUE_MAX_AGE_MS;
    const result = await catalogue.refresh(okx, later);
    expect(result.error).toMatch(/instruments:FUTURES: exchange error \(HTTP 503\)/);
    expect(catalogue.of('okx').filter((s) => s.kind === 'dated')).toEqual(futures);
    expect(catalogue.version('okx')).toBeGreaterThan(version);
    // Not complete: due again, but not before ten minutes have passed.
    expect(catalogue.isDue(okx, later + RETRY_MS - 1)).toBe(false);
    expect(catalogue.isDue(okx, later + RETRY_MS)).toBe(true);
  });

  it('on a first fetch, a failed list leaves the other lists in use and the venue due again', async () => {
    vi.stubGlobal('fetch', okxFetch(true));
    const catalogue = new InstrumentCatalogue(memoryStorage());
    await catalogue.refresh(okx, NOW);
    expect(catalogue.of('okx').some((s) => s.symbol === 'BTC-USDT-SWAP')).toBe(true);
    expect(catalogue.of('okx').some((s) => s.kind === 'dated')).toBe(false);
    expect(catalogue.isDue(okx, NOW + RETRY_MS)).toBe(true);
  });

  it('ignores a stored list it cannot read', async () => {
    const catalogue = new InstrumentCatalogue(memoryStorage({ [CATALOGUE_KEY]: { okx: { fetchedAt: 'yesterday' }, bybit: 7, deribit: { fetchedAt: 1, lists: { instruments: 'none' } } } }));
    await catalogue.load();
    expect(catalogue.of('okx')).toEqual([]);
    expect(catalogue.of('bybit')).toEqual([]);
    expect(catalogue.of('deribit')).toEqual([]);
  });

  it('refreshes for unknown symbols once per symbol, at most once per ten minutes per venue', async () => {
    vi.stubGlobal('fetch', okxFetch());
    const catalogue = new InstrumentCatalogue(memoryStorage());
    expect(catalogue.shouldRefreshForUnknown('okx', ['NEW-USDT-SWAP'], NOW)).toBe(true);
    await catalogue.refresh(okx, NOW);
    expect(catalogue.shouldRefreshForUnknown('okx', ['OTHER-USDT-SWAP'], NOW + 60_000)).toBe(false);
    expect(catalogue.shouldRefreshForUnknown('bybit', ['NEWUSDT'], NOW + 60_000)).toBe(true);
    expect(catalogue.shouldRefreshForUnknown('okx', ['OTHER-USDT-SWAP'], NOW + RETRY_MS)).toBe(true);
    // A symbol the list leaves out on purpose does not cause a refresh every ten minutes.
    expect(catalogue.shouldRefreshForUnknown('okx', ['NEW-USDT-SWAP'], NOW + 3 * RETRY_MS)).toBe(false);
  });
});

describe('an instrument list over several pages', () => {
  afterEach(() => vi.unstubAllGlobals());
  const spec = (symbol: string): InstrumentSpec => ({ venue: 'bybit', symbol, asset: symbol.replace('USDT', ''), kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1 } });
  /** A venue whose one list comes in pages of two symbols, `pages` of them, the cursor in the URL. */
  function pagedVenue(): VenueAdapter {
    return {
      ...okx,
      id: 'bybit',
      instrumentRequests: () => [{ key: 'list', url: 'https://example.invalid/list' }],
      parseInstruments: (_key, body) => (body as { symbols: string[] }).symbols.map(spec),
      nextInstrumentRequest: (request, body) => {
        const next = (body as { next: number | null }).next;
        return next === null ? null : { key: request.key, url: `https://example.invalid/list?page=${next}` };
      },
      classifyFailure: () => null,
    };
  }
  function serve(pages: string[][], failPage = -1) {
    vi.stubGlobal('fetch', async (url: string) => {
      const page = Number(new URL(url).searchParams.get('page') ?? 0);
      if (page === failPage) return new Response('{}', { status: 503 });
      return new Response(JSON.stringify({ symbols: pages[page], next: page + 1 < pages.length ? page + 1 : null }), { status: 200 });
    });
  }

  it('follows the pages to the last one', async () => {
    const pages = [['AUSDT', 'BUSDT'], ['CUSDT', 'DUSDT'], ['EUSDT']];
    serve(pages);
    const catalogue = new InstrumentCatalogue(memoryStorage());
    const result = await catalogue.refresh(pagedVenue(), 1);
    expect(result.error).toBeNull();
    expect(catalogue.of('bybit').map((s) => s.symbol)).toEqual(['AUSDT', 'BUSDT', 'CUSDT', 'DUSDT', 'EUSDT']);
  });

  it('keeps no half list: a failed page leaves the whole list out and says why', async () => {
    const pages = [['AUSDT', 'BUSDT'], ['CUSDT']];
    serve(pages, 1);
    const catalogue = new InstrumentCatalogue(memoryStorage());
    const result = await catalogue.refresh(pagedVenue(), 1);
    expect(result.error).toMatch(/^list: exchange error \(HTTP 503\)/);
    expect(catalogue.of('bybit')).toEqual([]);
  });
});

describe('tracked assets', () => {
  const NOW = 1_763_600_000_000;

  it('adds an asset a page shows, after the watchlist, once', () => {
    const tracked = new TrackedAssets(['BTC', 'ETH', 'SOL']);
    tracked.setPageAssets(new Set(['DOGE']), NOW);
    expect(tracked.list(NOW)).toEqual(['BTC', 'ETH', 'SOL', 'DOGE']);
    tracked.setPageAssets(new Set(['DOGE', 'BTC']), NOW);
    expect(tracked.list(NOW)).toEqual(['BTC', 'ETH', 'SOL', 'DOGE']);
  });

  it('keeps it for a while after its last page closes, then drops it', () => {
    const tracked = new TrackedAssets(['BTC']);
    tracked.setPageAssets(new Set(['PEPE']), NOW);
    tracked.setPageAssets(new Set(), NOW + 1_000);
    expect(tracked.list(NOW + KEEP_AFTER_PAGE_MS)).toEqual(['BTC', 'PEPE']);
    expect(tracked.list(NOW + 1_000 + KEEP_AFTER_PAGE_MS)).toEqual(['BTC']);
    // Reopened: tracked again.
    tracked.setPageAssets(new Set(['PEPE']), NOW + 2 * KEEP_AFTER_PAGE_MS);
    expect(tracked.list(NOW + 2 * KEEP_AFTER_PAGE_MS)).toEqual(['BTC', 'PEPE']);
  });

  it('follows the watchlist', () => {
    const tracked = new TrackedAssets(['BTC']);
    tracked.setPageAssets(new Set(['ETH']), NOW);
    tracked.setWatchlist(['ETH', 'SOL']);
    expect(tracked.list(NOW)).toEqual(['ETH', 'SOL']);
  });
});
