/**
 * The history chart's data, asked of the worker while a chart shows (bus.ts HistoryRequest): at
 * once, again when the scope's reading changes (at most every REFRESH_MIN_MS: a reading can come
 * four times a second, the bars move by the minute) and every minute on a quiet market. Works in
 * the popup and in the content script alike (runtime.sendMessage, no polyfill).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { HistoryAnswer, HistoryRequest } from '../core/bus';

export const REFRESH_MIN_MS = 5_000;
export const REFRESH_EVERY_MS = 60_000;

/** What a chart shows: the answer, still waiting, or no answer (the worker is gone: an updated extension). */
export type HistoryFeed = { state: 'ready'; answer: HistoryAnswer } | { state: 'loading' } | { state: 'unavailable' };

/** How the answer is asked for: runtime.sendMessage, replaced in unit tests. */
export type AskHistory = (request: HistoryRequest) => Promise<unknown>;

const askWorker: AskHistory = (request) => {
  try {
    return chrome.runtime.sendMessage(request);
  } catch (error) {
    // An updated or removed extension leaves the page's script without a runtime.
    return Promise.reject(error);
  }
};

/** Whether a reply is an answer for `scope` with its bars (the worker's own, but a page only draws what it can). */
function answerFor(reply: unknown, scope: string): HistoryAnswer | null {
  if (typeof reply !== 'object' || reply === null) return null;
  const answer = reply as Partial<HistoryAnswer>;
  if (answer.type !== 'history' || answer.scope !== scope || !answer.chart || !Array.isArray(answer.chart.long) || !Array.isArray(answer.tape)) return null;
  return answer as HistoryAnswer;
}

/**
 * The scope's history, refreshed while mounted. `changed` is anything that differs when the
 * scope's reading is new (its computedAt).
 */
export function useHistoryFeed(scope: string, changed: unknown, ask: AskHistory = askWorker): HistoryFeed {
  const [feed, setFeed] = useState<HistoryFeed>({ state: 'loading' });
  const last = useRef({ at: -Infinity, timer: null as ReturnType<typeof setTimeout> | null, alive: true });
  const request = useRef<() => void>(() => undefined);
  const shown = useRef(scope);
  shown.current = scope;
  request.current = () => {
    last.current.at = Date.now();
    ask({ type: 'history', scope })
      .then((reply) => {
        const answer = answerFor(reply, scope);
        // Gone, or showing another scope since it asked: a late answer never replaces the new scope's.
        if (!last.current.alive || shown.current !== scope) return;
        if (answer) setFeed({ state: 'ready', answer });
        else setFeed((current) => (current.state === 'ready' ? current : { state: 'unavailable' }));
      })
      .catch(() => last.current.alive && shown.current === scope && setFeed((current) => (current.state === 'ready' ? current : { state: 'unavailable' })));
  };
  // A new scope: its own answer, at once; the minute timer runs while the chart shows.
  useEffect(() => {
    last.current.alive = true;
    setFeed({ state: 'loading' });
    request.current();
    const minute = setInterval(() => request.current(), REFRESH_EVERY_MS);
    return () => {
      last.current.alive = false;
      clearInterval(minute);
      if (last.current.timer) clearTimeout(last.current.timer);
    };
  }, [scope]);
  // A new reading: ask again, at most every REFRESH_MIN_MS (a later one waits for the rest of it).
  const seen = useRef(changed);
  useEffect(() => {
    // The first render's reading: the scope's first answer is on its way.
    if (seen.current === changed) return;
    seen.current = changed;
    const state = last.current;
    if (state.timer) return;
    const wait = state.at + REFRESH_MIN_MS - Date.now();
    if (wait <= 0) return void request.current();
    state.timer = setTimeout(() => {
      state.timer = null;
      if (state.alive) request.current();
    }, wait);
  }, [changed]);
  return feed;
}
