/**
 * Real Chromium with the built extension, every exchange host routed to the mock exchange.
 * Every read has a timeout: a stopped service worker's evaluate would otherwise hang.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import type { MockExchange } from '../mock/server';
import { BUS_KEYS, readingKey, readingSetOf } from '../../src/core/bus';
import type { ReadingSet } from '../../src/core/engine';

export const DIST = process.env.FLUSH_DIST ? resolve(process.env.FLUSH_DIST) : fileURLToPath(new URL('../../dist', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  extensionId: string;
  worker(): Promise<Worker>;
  /** A blank extension page kept open for storage reads. */
  probePage(): Promise<Page>;
  /** Stops the extension's service worker through CDP, as the browser does when idle. */
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export async function launchWithExtension(mock: MockExchange, options: { headless?: boolean; dist?: string; args?: string[] } = {}): Promise<Browser> {
  const dist = options.dist ?? DIST;
  const userDataDir = mkdtempSync(join(tmpdir(), 'flush-meter-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: options.headless ?? true,
    viewport: { width: 1280, height: 800 },
    args: [
      `--disable-extensions-except=${dist}`,
      `--load-extension=${dist}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=${mock.hostResolverRules()}, EXCLUDE localhost`,
      '--ignore-certificate-errors',
      ...(options.args ?? []),
    ],
  });
  // A restarted worker is a new Worker object; the stopped one's evaluate would hang.
  let latest: Worker | null = context.serviceWorkers()[0] ?? null;
  context.on('serviceworker', (worker) => {
    latest = worker;
    worker.on('close', () => latest === worker && (latest = null));
  });
  latest ??= await context.waitForEvent('serviceworker', { timeout: 20_000 });
  const extensionId = new URL(latest.url()).host;
  let probe: Page | null = null;
  return {
    async probePage() {
      if (!probe || probe.isClosed()) {
        probe = await context.newPage();
        await probe.goto(`chrome-extension://${extensionId}/assets/icon-16.png`);
      }
      return probe;
    },
    context,
    extensionId,
    async worker() {
      return latest ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
    },
    async stopWorkers() {
      // The CDP session must belong to a page of the extension's origin to reach its worker.
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/src/popup/index.html`);
      const cdp = await context.newCDPSession(page);
      const stopped = new Promise<void>((resolve) => {
        cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
          if (versions.some((v: { runningStatus: string; scriptURL: string }) => v.scriptURL.includes(extensionId) && v.runningStatus === 'stopped')) resolve();
        });
      });
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await withTimeout(stopped, 10_000, 'service worker stopped');
      latest = null;
      await cdp.detach();
      await page.close();
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Races a promise against a deadline, so a hung evaluate fails the test instead of stalling it. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))]);
}

/** Polls `probe` until it returns a value that passes `accept`, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await withTimeout(probe(), 5_000, what);
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`waitFor(${what}) gave up after ${timeoutMs} ms; last value ${JSON.stringify(last)?.slice(0, 500)}${lastError ? `; last error ${String(lastError)}` : ''}`);
}

/**
 * Reads extension storage from an extension page rather than the worker: the page works
 * while the worker is stopped or restarting, when a worker evaluate would hang.
 */
export async function extensionStorage<T>(browser: Browser, area: 'local' | 'session', key: string): Promise<T | undefined> {
  const page = await browser.probePage();
  return withTimeout(
    page.evaluate(async ([a, k]) => (await chrome.storage[a as 'local' | 'session'].get(k))[k], [area, key] as const),
    5_000,
    `storage.${area}.${key}`,
  ) as Promise<T | undefined>;
}

/** Every published reading as one set (bus.ts readPublished), read from an extension page. */
export async function publishedReadings(browser: Browser): Promise<ReadingSet | undefined> {
  const page = await browser.probePage();
  const stored = await withTimeout(
    page.evaluate(async ([indexKey, prefix]) => {
      const first = await chrome.storage.local.get(indexKey);
      const scopes = (first[indexKey] as { scopes?: unknown } | undefined)?.scopes;
      return Array.isArray(scopes) ? { ...first, ...(await chrome.storage.local.get(scopes.map((scope) => prefix + String(scope)))) } : first;
    }, [BUS_KEYS.scopes, readingKey('')] as const),
    5_000,
    'published readings',
  );
  return readingSetOf(stored as Record<string, unknown>);
}

/** Writes extension storage from an extension page (e.g. storage.local `scenarioClock`, src/background/clock.ts). */
export async function writeExtensionStorage(browser: Browser, area: 'local' | 'session', items: Record<string, unknown>): Promise<void> {
  const page = await browser.probePage();
  await withTimeout(
    page.evaluate(async ([a, values]) => chrome.storage[a as 'local' | 'session'].set(values), [area, items] as const),
    5_000,
    `storage.${area}.set(${Object.keys(items).join(', ')})`,
  );
}
