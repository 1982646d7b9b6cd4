/**
 * The environment the worker tests run the background worker in (test/worker*.test.ts): fake Date,
 * fake sockets, and every REST request answered by the mock venues from a market view.
 */
import { fakeBrowser } from '@webext-core/fake-browser';
import { vi } from 'vitest';
import { FakeSocket } from './fake-socket';
import type { MockMarketView } from './mock/types';
import { mockVenues } from './mock/venues';

/** fetch answered by the mock venue that owns the host, from `view` (the worker tests stub the global with it). */
export function mockFetch(view: MockMarketView): (input: string | URL, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const url = new URL(String(input));
    const venue = mockVenues.find((m) => m.hosts.includes(url.hostname));
    if (!venue) return new Response('{}', { status: 503 });
    const answer = venue.http({ method: init?.method ?? 'GET', host: url.host, path: url.pathname, query: url.searchParams, body: typeof init?.body === 'string' ? init.body : '' }, view);
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
  };
}

/**
 * What the worker tests run the background worker in: Date at `now` (fake), WebSocket a FakeSocket, fetch the
 * mock venues answering from `view`, warnings muted, the UI in English.
 */
export function stubWorkerGlobals(view: MockMarketView, now: number): void {
  vi.useFakeTimers({ now, toFake: ['Date'] });
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal('fetch', mockFetch(view));
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  fakeBrowser.i18n.getUILanguage = () => 'en';
}
