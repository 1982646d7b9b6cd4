/**
 * The worker's margin-tier job (src/background/tiers.ts): which requests it makes and when (a list
 * (re)loaded, at most daily; a newly tracked asset), what reaches the level model, and that a failure
 * costs nothing but the tiers. Requests are answered by the mock exchange in each venue's real format.
 */
import { describe, expect, it, vi } from 'vitest';
import { MarginTiers, TIER_BATCH, TIER_BATCH_GAP_MS, TIERS_KEY, TIERS_MAX_AGE_MS, type TierFetcher, type TierStorage } from '../src/background/tiers';
import { RETRY_MS } from '../src/background/catalogue';
import type { LevelInstrument } from '../src/core/levels';
import type { MarginTable } from '../src/core/margin';
import type { InstrumentSpec, VenueId } from '../src/core/model';
import { venues } from '../src/venues';
import type { RestRequest, VenueAdapter } from '../src/venues/types';
import { defaultView, mockAnswer, mockCatalogue } from './catalogue';

const T0 = Date.UTC(2026, 11, 1);
const TRACKED = ['BTC', 'ETH', 'SOL'];

/** fetchEach over the mock exchange, recording every request. */
function mockFetcher(asked: RestRequest[], fail: (request: RestRequest) => string | null = () => null): TierFetcher {
  return async <T>(adapter: VenueAdapter, requests: readonly RestRequest[], parse: (key: string, body: unknown) => T) => {
    const outputs: T[] = [];
    let error: string | null = null;
    for (const request of requests) {
      asked.push(request);
      const failure = fail(request);
      if (failure) {
        error ??= `${request.key}: ${failure}`;
        continue;
      }
      const answer = mockAnswer(adapter.id, request, defaultView());
      if (answer.status !== 200) {
        error ??= `${request.key}: HTTP ${answer.status}`;
        continue;
      }
      try {
        outputs.push(parse(request.key, answer.body));
      } catch (e) {
        error ??= `${request.key}: ${String(e)}`;
      }
    }
    return { outputs, error, errorKind: error ? 'badData' : null, retryAfterMs: null };
  };
}

function sink() {
  const set: LevelInstrument[] = [];
  return { set, levels: { setInstrument: (instrument: LevelInstrument) => set.push(instrument) } };
}

describe('margin tiers → the level model', () => {
  for (const id of ['bybit', 'okx', 'bitget', 'hyperliquid'] as VenueId[]) {
    it(`${id}: fetches the tracked perpetuals' tiers from the mock in the venue's format and sets each instrument`, async () => {
      const asked: RestRequest[] = [];
      const tiers = new MarginTiers({ fetcher: mockFetcher(asked) });
      const { set, levels } = sink();
      const instruments = mockCatalogue(id);
      const { error } = await tiers.refresh(venues[id], instruments, 1, TRACKED, levels, T0);
      expect(error).toBeNull();
      expect(asked.length).toBeGreaterThan(0);
      const withTables = set.filter((instrument) => instrument.table);
      for (const asset of TRACKED) expect(withTables.some((instrument) => instrument.asset === asset), `${id} ${asset}`).toBe(true);
      for (const instrument of withTables) {
        expect(instrument.venue).toBe(id);
        expect(instrument.table!.symbol).toBe(instrument.symbol);
        expect(instruments.find((spec) => spec.symbol === instrument.symbol)?.kind).toBe('perp');
      }
      expect(tiers.tablesOf(id).size).toBeGreaterThanOrEqual(TRACKED.length);
    });
  }

  it('binance: the documented table, without a request', async () => {
    const fetcher = vi.fn();
    const tiers = new MarginTiers({ fetcher: fetcher as unknown as TierFetcher });
    const { set, levels } = sink();
    await tiers.refresh(venues.binance, mockCatalogue('binance'), 1, TRACKED, levels, T0);
    expect(fetcher).not.toHaveBeenCalled();
    const btc = set.find((instrument) => instrument.symbol === 'BTCUSDT');
    expect(btc?.table?.tiers.length).toBeGreaterThan(1);
  });

  it('venues without tiers get the catalogue max leverage only, and are never asked', async () => {
    const fetcher = vi.fn();
    const tiers = new MarginTiers({ fetcher: fetcher as unknown as TierFetcher });
    const { set, levels } = sink();
    const spec: InstrumentSpec = { venue: 'bitmex', symbol: 'XBTUSDT', asset: 'BTC', kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1e-6 }, maxLeverage: 100 };
    await tiers.refresh(venues.bitmex, [spec], 1, TRACKED, levels, T0);
    expect(fetcher).not.toHaveBeenCalled();
    expect(set).toEqual([{ venue: 'bitmex', symbol: 'XBTUSDT', asset: 'BTC', maxLeverage: 100 }]);
  });

  it('asks again only when the list was reloaded and the tables are a day old, or for a newly tracked asset', async () => {
    const asked: RestRequest[] = [];
    const tiers = new MarginTiers({ fetcher: mockFetcher(asked) });
    const { levels } = sink();
    const instruments = mockCatalogue('bybit');
    await tiers.refresh(venues.bybit, instruments, 1, TRACKED, levels, T0);
    const first = asked.length;
    expect(first).toBe(3);
    // Every tick: same list, nothing new tracked.
    await tiers.refresh(venues.bybit, instruments, 1, TRACKED, levels, T0 + 30_000);
    // A list reloaded within the day (a new listing seen on a stream): the tables are kept.
    await tiers.refresh(venues.bybit, instruments, 2, TRACKED, levels, T0 + 60 * 60_000);
    expect(asked.length).toBe(first);
    // A newly tracked asset: its tiers only.
    await tiers.refresh(venues.bybit, instruments, 2, [...TRACKED, 'PEPE'], levels, T0 + 2 * 60 * 60_000);
    expect(asked.slice(first).map((r) => r.key)).toEqual(['riskLimit:1000PEPEUSDT']);
    // The daily reload of the list: all of them again.
    await tiers.refresh(venues.bybit, instruments, 3, [...TRACKED, 'PEPE'], levels, T0 + TIERS_MAX_AGE_MS);
    expect(asked.length).toBe(first + 1 + 4);
  });

  it('keeps the fetched tables in storage: a restarted worker hands the model the same tables without asking again within the day', async () => {
    const items: Record<string, unknown> = {};
    const storage: TierStorage = { get: async (key) => ({ [key]: structuredClone(items[key]) }), set: async (next) => void Object.assign(items, structuredClone(next)) };
    const asked: RestRequest[] = [];
    const instruments = mockCatalogue('bybit');
    const first = sink();
    await new MarginTiers({ fetcher: mockFetcher(asked), storage }).refresh(venues.bybit, instruments, 1, TRACKED, first.levels, T0);
    expect(asked).toHaveLength(3);
    // Stored as JSON would keep it: the unbounded last tier as null.
    expect(JSON.parse(JSON.stringify(items[TIERS_KEY]))).toEqual(items[TIERS_KEY]);

    const restarted = new MarginTiers({ fetcher: mockFetcher(asked), storage });
    await restarted.load();
    const again = sink();
    // A new life: the catalogue counts its versions afresh, the tables are an hour old.
    await restarted.refresh(venues.bybit, instruments, 1, TRACKED, again.levels, T0 + 60 * 60_000);
    expect(asked).toHaveLength(3);
    expect(again.set.filter((i) => i.table)).toEqual(first.set.filter((i) => i.table));
    expect(again.set.find((i) => i.symbol === 'BTCUSDT')!.table!.tiers.at(-1)!.maxNotional).toBe(Number.POSITIVE_INFINITY);
    // A newly tracked asset is asked for; a day later, with the list reloaded, all of them.
    await restarted.refresh(venues.bybit, instruments, 1, [...TRACKED, 'PEPE'], again.levels, T0 + 2 * 60 * 60_000);
    expect(asked.slice(3).map((r) => r.key)).toEqual(['riskLimit:1000PEPEUSDT']);
    await restarted.refresh(venues.bybit, instruments, 2, [...TRACKED, 'PEPE'], again.levels, T0 + TIERS_MAX_AGE_MS);
    expect(asked).toHaveLength(3 + 1 + 4);
  });

  it('leaves out what storage holds that is not a table, and fetches those again', async () => {
    const stored = { [TIERS_KEY]: { bybit: { fetchedAt: T0, assets: TRACKED, tables: [['BTCUSDT', 'BTC', 'usd', [[1e6, 2, 10, 0]]], 'nonsense', ['ETHUSDT', 'ETH', 'usd', [[null, 0.005, 100, 0]]]] }, okx: 'broken' } };
    const tiers = new MarginTiers({ fetcher: mockFetcher([]), storage: { get: async () => stored, set: async () => {} } });
    await tiers.load();
    // A rate of 200 % is no table; the unbounded single tier is.
    expect([...tiers.tablesOf('bybit').keys()]).toEqual(['ETHUSDT']);
    expect(tiers.tablesOf('okx').size).toBe(0);
  });

  it('a failure is logged, keeps the tables it had, and is retried after RETRY_MS, not before', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const asked: RestRequest[] = [];
    let failing = false;
    const tiers = new MarginTiers({ fetcher: mockFetcher(asked, (request) => (failing && request.key.includes('ETH') ? 'HTTP 503' : null)) });
    const { set, levels } = sink();
    const instruments = mockCatalogue('bybit');
    await tiers.refresh(venues.bybit, instruments, 1, TRACKED, levels, T0);
    failing = true;
    set.length = 0;
    const { error } = await tiers.refresh(venues.bybit, instruments, 2, TRACKED, levels, T0 + TIERS_MAX_AGE_MS);
    expect(error).toMatch(/ETH.*503/);
    expect(warn).toHaveBeenCalled();
    // The failed symbol keeps yesterday's table.
    expect(set.find((instrument) => instrument.symbol === 'ETHUSDT')?.table).toBeDefined();
    const count = asked.length;
    await tiers.refresh(venues.bybit, instruments, 2, TRACKED, levels, T0 + TIERS_MAX_AGE_MS + RETRY_MS / 2);
    expect(asked.length).toBe(count);
    failing = false;
    await tiers.refresh(venues.bybit, instruments, 2, TRACKED, levels, T0 + TIERS_MAX_AGE_MS + RETRY_MS);
    expect(asked.length).toBe(count + 3);
    warn.mockRestore();
  });

  it('a malformed answer fails that venue only, the model keeps its fallback', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const tiers = new MarginTiers({
      fetcher: async (_adapter, requests, parse) => {
        const outputs = [];
        let error: string | null = null;
        for (const request of requests) {
          try {
            outputs.push(parse(request.key, { code: '0', data: [{ nonsense: true }] }));
          } catch (e) {
            error ??= String(e);
          }
        }
        return { outputs, error, errorKind: error ? 'badData' : null, retryAfterMs: null };
      },
    });
    const { set, levels } = sink();
    const { error } = await tiers.refresh(venues.okx, mockCatalogue('okx'), 1, TRACKED, levels, T0);
    expect(error).not.toBeNull();
    expect(set.every((instrument) => instrument.table === undefined)).toBe(true);
    warn.mockRestore();
  });

  it('many tracked assets: batches of TIER_BATCH a second apart; a rate limit stops the rest and reports its pause', async () => {
    const assets = ['BTC', 'ETH', 'SOL', 'DOGE', 'XRP', 'BNB', 'ADA', 'AVAX', 'LINK'];
    const instruments: InstrumentSpec[] = assets.map((asset) => ({ venue: 'bitget', symbol: `${asset}USDT`, asset, kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1 } }));
    const batches: number[] = [];
    const sleeps: number[] = [];
    let limited = false;
    const fetcher: TierFetcher = async (_adapter, requests) => {
      batches.push(requests.length);
      return limited && batches.length === 2 ? { outputs: [], error: 'rate limited (HTTP 429)', errorKind: 'rateLimited', retryAfterMs: 60_000 } : { outputs: [], error: null, errorKind: null, retryAfterMs: null };
    };
    const tiers = new MarginTiers({ fetcher, documented: {}, sleep: async (ms) => void sleeps.push(ms) });
    await tiers.refresh(venues.bitget, instruments, 1, assets, sink().levels, T0);
    expect(batches).toEqual([TIER_BATCH, TIER_BATCH, 1]);
    expect(sleeps).toEqual([TIER_BATCH_GAP_MS, TIER_BATCH_GAP_MS]);
    batches.length = 0;
    limited = true;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const outcome = await new MarginTiers({ fetcher, documented: {}, sleep: async () => {} }).refresh(venues.bitget, instruments, 1, assets, sink().levels, T0);
    expect(batches).toEqual([TIER_BATCH, TIER_BATCH]);
    expect(outcome).toEqual({ error: 'rate limited (HTTP 429)', errorKind: 'rateLimited', retryAfterMs: 60_000 });
    warn.mockRestore();
  });

  it('an empty catalogue asks nothing', async () => {
    const fetcher = vi.fn();
    const tables: MarginTable[] = [];
    const tiers = new MarginTiers({ fetcher: fetcher as unknown as TierFetcher });
    expect((await tiers.refresh(venues.okx, [], 1, TRACKED, { setInstrument: () => tables.push() }, T0)).error).toBeNull();
    expect(fetcher).not.toHaveBeenCalled();
  });
});
