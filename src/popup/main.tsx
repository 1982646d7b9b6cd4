/** Popup: the meter for the market and each watched asset, and each venue's health. Reads storage only. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { sourceHealth, type BusSnapshot, type SourceStatus } from '../core/bus';
import { MARKET_SCOPE } from '../core/engine';
import { formatAge, formatClock } from '../core/format';
import { DEFAULT_SETTINGS } from '../core/settings';
import { followBus, readBus } from '../ui/bus';
import { Meter } from '../ui/Meter';
import { METER_CSS } from '../ui/styles';

function Popup() {
  const [bus, setBus] = useState<BusSnapshot>({});
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const controller = new AbortController();
    readBus().then((snapshot) => setBus((current) => ({ ...snapshot, ...current })));
    followBus((changes) => setBus((current) => ({ ...current, ...changes })), controller.signal);
    // Wakes the worker (if the browser stopped it) and asks for a fresh poll.
    chrome.runtime.sendMessage({ type: 'refresh' }).catch(() => undefined);
    const tick = setInterval(() => setNow(Date.now()), 1_000);
    return () => (controller.abort(), clearInterval(tick));
  }, []);
  const { readings, sources = [] } = bus;
  const scopes = [MARKET_SCOPE, ...DEFAULT_SETTINGS.watchlist];
  return (
    <>
      <h1>Flush Meter</h1>
      {readings?.collectingSince ? <p class="muted">Collecting since {formatClock(readings.collectingSince)}</p> : null}
      {scopes.map((scope) => (
        <section key={scope} data-scope={scope}>
          <Meter asset={scope === MARKET_SCOPE ? 'All markets' : scope} reading={readings?.scopes[scope]} computedAt={readings?.computedAt ?? null} now={now} />
        </section>
      ))}
      <h2>Sources</h2>
      <SourceTable sources={sources} now={now} />
    </>
  );
}

function SourceTable({ sources, now }: { sources: SourceStatus[]; now: number }) {
  if (!sources.length) return <p class="muted">Starting…</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Venue</th>
          <th scope="col">Status</th>
          <th scope="col">Feed</th>
        </tr>
      </thead>
      <tbody>
        {sources.map((source) => {
          const health = sourceHealth(source, now);
          return (
            <tr key={source.venue} data-venue={source.venue} data-health={health}>
              <td>{source.label}</td>
              <td class={`health-${health}`}>
                {health === 'live' ? `live · ${source.stream}` : health === 'stale' ? `stale (${formatAge(source.lastPollAt, now)})` : health === 'degraded' ? `degraded: ${source.degraded}` : 'off'}
              </td>
              <td title={source.completenessNote ?? ''}>{source.completeness === 'complete' ? 'complete' : source.completeness === 'sampled' ? 'sampled (≥)' : 'no liquidation feed'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const style = document.createElement('style');
style.textContent = METER_CSS.replace(':host { all: initial; }', '');
document.head.append(style);
render(<Popup />, document.getElementById('app')!);
