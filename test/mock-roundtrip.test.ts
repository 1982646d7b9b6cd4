/**
 * Every venue, a whole scenario hour: scenario liquidations → the mock's wire frames → the
 * adapter's stream session. Totals and sides must survive each venue's units and side rules.
 */
import { describe, expect, it } from 'vitest';
import type { VenueId } from '../src/core/model';
import type { ScenarioMarketEvent } from '../src/core/scenario';
import { venues } from '../src/venues';
import { longFlushHour } from './e2e/scenarios';
import { mockVenues } from './mock/venues';
import { staticView } from './mock/view';

const LIQUIDATION_VENUES: VenueId[] = ['binance', 'bybit', 'okx', 'bitmex', 'bitget', 'bitfinex', 'deribit'];
const WATCHED = ['BTC', 'ETH', 'SOL'];
const NOW = 1_763_600_000_000;

describe.each(LIQUIDATION_VENUES)('%s mock ↔ adapter over a scenario hour', (venue) => {
  it('reproduces every liquidation with its side and notional', () => {
    const scenario = longFlushHour([venue]);
    const mock = mockVenues.find((m) => m.id === venue)!;
    const adapter = venues[venue];
    const rows = scenario.events.filter((e): e is ScenarioMarketEvent => e.type === 'market' && e.t === 0);
    const view = staticView(rows, NOW);
    // The worker polls before it streams: adapters learn contract sizes from the poll.
    for (const request of adapter.pollRequests(WATCHED)) {
      const url = new URL(request.url);
      const res = mock.http({ method: request.method ?? 'GET', host: url.host, path: url.pathname, query: url.searchParams, body: request.body === undefined ? '' : JSON.stringify(request.body) }, view);
      expect(res.status, request.url).toBe(200);
      adapter.parsePoll(request.key, res.body, WATCHED);
    }
    const session = adapter.openStream(WATCHED)!;
    const connection = mock.connect(new URL(session.url).host, new URL(session.url).pathname + new URL(session.url).search);
    for (const frame of session.onOpen()) for (const reply of connection.onMessage(frame, view)) session.onMessage(reply);
    const liquidations = scenario.events.filter((e) => e.type === 'liquidation');
    const parsed = liquidations.flatMap((event, i) =>
      connection.liquidationFrames({ ...event, time: NOW - 3_600_000 + i * 1000 } as never, view).flatMap((frame) => session.onMessage(frame).liquidations),
    );
    expect(parsed).toHaveLength(liquidations.length);
    const sum = (side?: string) => parsed.filter((l) => !side || l.side === side).reduce((a, l) => a + l.notionalUsd, 0);
    const sent = (side?: string) => liquidations.filter((l) => !side || (l as { side: string }).side === side).reduce((a, l) => a + (l as { notionalUsd: number }).notionalUsd, 0);
    expect(sum() / sent()).toBeCloseTo(1, 3);
    expect(sum('long') / sent('long')).toBeCloseTo(1, 3);
    for (const l of parsed) expect(Number.isFinite(l.notionalUsd) && l.quantity > 0 && l.price > 0).toBe(true);
  });
});
