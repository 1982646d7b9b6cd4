/**
 * Every venue, a whole scenario hour: scenario liquidations → the mock's wire frames → the
 * adapter's stream session. Totals and sides must survive each venue's units and side rules.
 */
import { describe, expect, it } from 'vitest';
import type { VenueId } from '../src/core/model';
import type { ScenarioMarketEvent } from '../tools/replay/scenario';
import { venues } from '../src/venues';
import { mockCatalogue, mockVenue } from './catalogue';
import { longFlushHour } from './e2e/scenarios';
import { staticView } from './mock/view';

const LIQUIDATION_VENUES: VenueId[] = ['binance', 'bybit', 'okx', 'bitmex', 'bitget', 'bitfinex', 'deribit'];
const WATCHED = ['BTC', 'ETH', 'SOL'];
const NOW = 1_763_600_000_000;

describe.each(LIQUIDATION_VENUES)('%s mock ↔ adapter over a scenario hour', (venue) => {
  it('reproduces every liquidation with its side and notional', () => {
    const scenario = longFlushHour([venue]);
    const mock = mockVenue(venue);
    const adapter = venues[venue];
    const rows = scenario.events.filter((e): e is ScenarioMarketEvent => e.type === 'market' && e.t === 0);
    const view = staticView(rows, NOW);
    // The worker loads the instrument list before it streams: contracts are valued with it.
    const instruments = mockCatalogue(venue, view);
    const connections = adapter.openStreams(WATCHED, instruments).map((session) => {
      const url = new URL(session.url);
      const connection = mock.connect(url.host, url.pathname + url.search);
      for (const frame of session.onOpen()) for (const reply of connection.onMessage(frame, view)) session.onMessage(reply);
      return { session, connection };
    });
    expect(connections.length).toBeGreaterThan(0);
    const liquidations = scenario.events.filter((e) => e.type === 'liquidation');
    const parsed = liquidations.flatMap((event, i) =>
      connections.flatMap(({ session, connection }) =>
        connection.liquidationFrames({ ...event, time: NOW - 3_600_000 + i * 1000 } as never, view).flatMap((frame) => session.onMessage(frame).liquidations),
      ),
    );
    expect(parsed).toHaveLength(liquidations.length);
    const sum = (side?: string) => parsed.filter((l) => !side || l.side === side).reduce((a, l) => a + l.notionalUsd, 0);
    const sent = (side?: string) => liquidations.filter((l) => !side || (l as { side: string }).side === side).reduce((a, l) => a + (l as { notionalUsd: number }).notionalUsd, 0);
    expect(sum() / sent()).toBeCloseTo(1, 3);
    expect(sum('long') / sent('long')).toBeCloseTo(1, 3);
    for (const l of parsed) expect(Number.isFinite(l.notionalUsd) && l.quantity > 0 && l.price > 0).toBe(true);
  });
});
