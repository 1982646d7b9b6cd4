/**
 * Scale: 24 h of synthetic data for 8 venues × 50 assets through the worker's engine and
 * dedupe, driven the way the worker drives them (a market update per venue × asset every poll,
 * liquidations ingested as they come, prune every poll, readings published), then:
 * - storage: the bytes of each key the worker writes, counted as Chrome's getBytesInUse does
 *   (key length + JSON length), for storage.local (persistent) and storage.session (hot copy);
 * - worker memory: JS heap retained by the engine and dedupe after a full GC;
 * - the cost of one readings() (what every publish computes) at this size.
 * Worst case on purpose: every venue with a liquidation feed liquidates every asset every minute,
 * so every 1-minute bucket of the 24 h windows exists.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Deduper } from '../src/core/dedupe';
import { FlushEngine, MARKET_SCOPE, type EngineState } from '../src/core/engine';
import { VENUE_IDS, type Liquidation, type VenueId } from '../src/core/model';
import { venues } from '../src/venues';
import type { BenchReport } from './run';

const ASSETS = 50;
const HOURS = 24;
const POLL_MS = 30_000;
/**
 * Readings every simulated 30 minutes: the worker publishes on change (≤ 2/s), but the flush
 * model's memory it steps does not grow with the number of calls, and at this size one call
 * costs hundreds of ms (reported below), which would make the bench take an hour.
 */
const READINGS_EVERY_MS = 30 * 60_000;
const TARGET_STORAGE_BYTES = 5_000_000;
/** chrome.storage.session holds at most 10 MB (QUOTA_BYTES). */
const SESSION_QUOTA_BYTES = 10 * 1024 * 1024;
const WATCHLIST = ['BTC', 'ETH', 'SOL'];

/** A GC the bench can call: heap figures are only comparable after a full collection. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

/** 'BTC', 'ETH', 'SOL', then 'A03' … 'A49': fifty assets. */
function assetNames(): string[] {
  return Array.from({ length: ASSETS }, (_, i) => WATCHLIST[i] ?? `A${String(i).padStart(2, '0')}`);
}

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Bytes as chrome.storage counts them: key plus its JSON value. */
function storageBytes(items: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(items).map(([key, value]) => [key, key.length + JSON.stringify(value).length]));
}

const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
const MB = (bytes: number) => Math.round(bytes / 10_000) / 100;

export async function run(): Promise<BenchReport> {
  const gc = collector();
  const assets = assetNames();
  const liquidationVenues = VENUE_IDS.filter((v) => venues[v].completeness !== 'none');
  const completeness = Object.fromEntries(Object.values(venues).map((a) => [a.id, a.completeness]));
  const end = Date.now();
  const start = end - HOURS * 3_600_000;
  const rand = random(42);

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const engine = new FlushEngine(completeness, start);
  const deduper = new Deduper();
  let liquidations = 0;
  let marketUpdates = 0;
  let readingsCalls = 0;
  const simStarted = performance.now();
  for (let now = start; now < end; now += POLL_MS) {
    // The poll: one merged market update per venue × asset, prices drifting.
    for (const venue of VENUE_IDS) {
      for (const [i, asset] of assets.entries()) {
        const price = (100 + i) * (1 + 0.02 * Math.sin((now - start) / 3_600_000 + i));
        engine.ingestMarket({
          venue, asset, symbol: `${asset}USDT`, kind: 'perp', time: now, lastPrice: price, markPrice: price * 1.0002, indexPrice: price,
          fundingRate: 0.0001 * Math.cos(i + now / 7_200_000), openInterestUsd: 1e8 * (1 + i) * (1 + 0.1 * rand()),
          perpVolume24hUsd: 5e8 * (1 + i), spotVolume24hUsd: 1e8 * (1 + i),
        });
        marketUpdates += 1;
      }
    }
    // Every other poll is a new minute: one liquidation per venue × asset at a random second of it.
    if ((now - start) % 60_000 === 0) {
      for (const venue of liquidationVenues) {
        for (const [i, asset] of assets.entries()) {
          const time = now + Math.floor(rand() * 59_000);
          const price = 100 + i;
          const notionalUsd = 1_000 + Math.floor(rand() * 200_000);
          const liquidation: Liquidation = { venue: venue as VenueId, symbol: `${asset}USDT`, asset, kind: 'perp', side: rand() < 0.6 ? 'long' : 'short', price, quantity: notionalUsd / price, notionalUsd, time };
          if (deduper.admitStreamed(liquidation, time) && engine.ingestLiquidation(liquidation, time + 1_000)) liquidations += 1;
        }
      }
    }
    engine.prune(now);
    deduper.prune(now);
    if ((now - start) % READINGS_EVERY_MS === 0) {
      engine.readings(now, WATCHLIST);
      readingsCalls += 1;
    }
  }
  const simulateMs = performance.now() - simStarted;

  // One publish at the end of the day, timed on its own.
  const readingsTimes: number[] = [];
  let readings = engine.readings(end, WATCHLIST);
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    readings = engine.readings(end + i, WATCHLIST);
    readingsTimes.push(performance.now() - t0);
  }
  readingsTimes.sort((a, b) => a - b);

  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const state = engine.toJSON();
  // The hot copy is written every 2 s and read back at every worker start: both at this size.
  const writeStarted = performance.now();
  const stored = JSON.stringify(engine.toJSON());
  const writeMs = performance.now() - writeStarted;
  const restoreStarted = performance.now();
  const restored = new FlushEngine(completeness, end, JSON.parse(stored) as EngineState);
  const restoreMs = performance.now() - restoreStarted;
  const [dayBefore, dayAfter] = [readings, restored.readings(end + 4, WATCHLIST)].map((r) => r.scopes[MARKET_SCOPE]!.liq24h);
  const restoredIntact = dayAfter!.count === dayBefore!.count && Math.abs(dayAfter!.totalUsd - dayBefore!.totalUsd) <= 0.5 * dayBefore!.count;
  const sources = Object.values(venues).map((a) => ({
    venue: a.id, label: a.label, completeness: a.completeness, completenessNote: a.completenessNote ?? null,
    stream: 'connected', lastMessageAt: end, lastPollAt: end, degraded: null, degradedAt: null,
  }));
  // The keys the worker writes (src/background/worker.ts); alert state and log are a few kB at most.
  const local = storageBytes({ engineHistory: state, readings, sources });
  const session = storageBytes({ engine: state, dedupe: deduper.toJSON(end) });
  const localBytes = sum(local);
  const sessionBytes = sum(session);
  const scopes = Object.keys(readings.scopes).length;
  return {
    name: `scale: 24 h of synthetic data, ${VENUE_IDS.length} venues × ${ASSETS} assets`,
    figures: {
      'market updates ingested': marketUpdates,
      'liquidations ingested': liquidations,
      'simulated in s': Math.round(simulateMs / 100) / 10,
      'storage.local MB (persistent)': MB(localBytes),
      'storage.local engineHistory MB': MB(local.engineHistory!),
      ...Object.fromEntries(Object.entries(storageBytes(state as unknown as Record<string, unknown>)).map(([part, bytes]) => [`  engineHistory.${part} MB`, MB(bytes)])),
      'storage.local readings MB': MB(local.readings!),
      'storage.session MB (hot copy)': MB(sessionBytes),
      'storage.session dedupe kB': Math.round(session.dedupe! / 100) / 10,
      'worker heap retained MB (engine + dedupe, after GC)': MB(heapAfter - heapBefore),
      'readings() ms at this size (median of 5)': Math.round(readingsTimes[2]! * 10) / 10,
      'toJSON + JSON.stringify ms (each hot-copy write)': Math.round(writeMs),
      'JSON.parse + restore ms (worker start)': Math.round(restoreMs),
      'restored 24 h total, USD difference': Math.round(Math.abs(dayAfter!.totalUsd - dayBefore!.totalUsd) * 100) / 100,
      'scopes in readings': scopes,
      'readings computed during the day': readingsCalls,
    },
    targets: [
      { what: `storage.local ≤ ${MB(TARGET_STORAGE_BYTES)} MB after 24 h (measured ${MB(localBytes)} MB)`, ok: localBytes <= TARGET_STORAGE_BYTES },
      { what: `storage.session within its ${MB(SESSION_QUOTA_BYTES)} MB quota (measured ${MB(sessionBytes)} MB)`, ok: sessionBytes <= SESSION_QUOTA_BYTES },
      { what: 'the restored state keeps the 24 h total: every count, USD within $0.50 a liquidation', ok: restoredIntact },
    ],
  };
}
