/**
 * Scale: 24 h of synthetic data for 8 venues × 50 assets through the worker's engine and
 * dedupe, driven the way the worker drives them (a market update per venue × asset every poll,
 * liquidations ingested as they come, prune every poll, readings published), then:
 * - storage: the bytes of each key the worker writes, counted as Chrome's getBytesInUse does
 *   (key length + JSON length), for storage.local (persistent) and storage.session (hot copy);
 * - worker memory: JS heap retained by the engine and dedupe after a full GC;
 * - the cost of one readings() that computes every scope (each minute's first publish) at this size.
 * Worst case on purpose: every venue with a liquidation feed liquidates every asset every minute,
 * so every 1-minute bucket of the 24 h windows exists.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Deduper } from '../src/core/dedupe';
import { FlushEngine, MARKET_SCOPE, type EngineState } from '../src/core/engine';
import { VENUE_IDS } from '../src/core/model';
import { venues } from '../src/venues';
import type { BenchReport } from './run';
import { assetNames, COMPLETENESS, feedDay, liquidation, LIQUIDATION_VENUES, random, WATCHLIST } from './synthetic-day';

const ASSETS = 50;
const HOURS = 24;
/**
 * Readings every simulated 30 minutes: the worker publishes on change (≤ 4/s), but the flush
 * model's memory it steps does not grow with the number of calls, and a call that computes every
 * scope costs tens of ms (reported below), which would make the bench take an hour.
 */
const READINGS_EVERY_MS = 30 * 60_000;
const TARGET_STORAGE_BYTES = 5_000_000;
/** chrome.storage.session holds at most 10 MB (QUOTA_BYTES). */
const SESSION_QUOTA_BYTES = 10 * 1024 * 1024;

/** A GC the bench can call: heap figures are only comparable after a full collection. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
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
  const assets = assetNames(ASSETS);
  const completeness = COMPLETENESS;
  const end = Date.now();
  const start = end - HOURS * 3_600_000;
  const rand = random(42);

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const engine = new FlushEngine(completeness, start);
  const deduper = new Deduper();
  let readingsCalls = 0;
  const simStarted = performance.now();
  const { marketUpdates, liquidations } = feedDay(engine, deduper, assets, start, end, rand, (now) => {
    if ((now - start) % READINGS_EVERY_MS !== 0) return;
    engine.readings(now, WATCHLIST);
    readingsCalls += 1;
  });
  const simulateMs = performance.now() - simStarted;

  // Every scope computed, as at each minute's first publish (a new minute recomputes them all), timed on its own.
  const readingsTimes: number[] = [];
  let readings = engine.readings(end, WATCHLIST);
  for (let i = 1; i <= 5; i++) {
    const t0 = performance.now();
    readings = engine.readings(end + i * 60_000, WATCHLIST);
    readingsTimes.push(performance.now() - t0);
  }
  readingsTimes.sort((a, b) => a - b);

  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  // The hot copy is written every 2 s and read back at every worker start: both at this size. The
  // first write encodes every series (as the first after a poll, which changes them all).
  const writeStarted = performance.now();
  const stored = JSON.stringify(engine.toJSON());
  const writeMs = performance.now() - writeStarted;
  const state = engine.toJSON();
  // Between two polls only the liquidation windows change: the market history's series are encoded again only once changed.
  engine.ingestLiquidation(liquidation(LIQUIDATION_VENUES[0]!, assets[0]!, 0, end, rand), end);
  const betweenStarted = performance.now();
  JSON.stringify(engine.toJSON());
  const betweenMs = performance.now() - betweenStarted;
  const restoreStarted = performance.now();
  const restored = new FlushEngine(completeness, end, JSON.parse(stored) as EngineState);
  const restoreMs = performance.now() - restoreStarted;
  const [dayBefore, dayAfter] = [readings, restored.readings(end + 5 * 60_000, WATCHLIST)].map((r) => r.scopes[MARKET_SCOPE]!.liq24h);
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
      'readings() ms computing every scope, a new minute (median of 5)': Math.round(readingsTimes[2]! * 10) / 10,
      'toJSON + JSON.stringify ms (each hot-copy write)': Math.round(writeMs),
      'toJSON + JSON.stringify ms (a hot-copy write between polls)': Math.round(betweenMs),
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
