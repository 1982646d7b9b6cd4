/** Install-time backfill: history endpoints fill the windows and OI history before live data. */
import { describe, expect, it } from 'vitest';
import { FlushEngine } from '../src/core/engine';
import { binance } from '../src/venues/binance';
import { bitfinex } from '../src/venues/bitfinex';
import { venues } from '../src/venues';
import { mockCatalogue } from './catalogue';
import { fixture } from './fixtures';
import { mockVenues } from './mock/venues';
import { marketRow, staticView } from './mock/view';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

describe('binance openInterestHist backfill', () => {
  it('parses the documented response (string timestamps) into USD open-interest history points', () => {
    const out = binance.parsePoll('openInterestHist:BTCUSDT', fixture('binance-usdm-openInterestHist-rest.json'), mockCatalogue('binance'));
    expect(out.markets).toEqual([]);
    expect(out.history).toEqual([
      { venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: 1583127900000, openInterestUsd: 150570784.07809979 },
      { venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: 1583128200000, openInterestUsd: 149940752.14464448 },
    ]);
  });

  it('gives the engine a 1 h and 24 h open-interest change right after install', () => {
    const engine = new FlushEngine({ binance: 'sampled' }, NOW);
    // OI fell from $4.0B to $3.6B over the last day, 1 % of it in the last hour.
    const history = Array.from({ length: 288 }, (_, i) => ({
      venue: 'binance' as const, symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp' as const, time: NOW - (288 - i) * 300_000,
      openInterestUsd: i < 276 ? 4.0e9 - (0.364e9 * i) / 276 : 3.636e9,
    }));
    engine.backfillHistory(history, NOW);
    engine.ingestMarket({ venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: NOW, markPrice: 72000, indexPrice: 72000, openInterestUsd: 3.6e9 });
    const btc = engine.readings(NOW, ['BTC']).scopes.BTC!;
    expect(btc.signals.oiChange1h).toBeCloseTo(3.6 / 3.636 - 1, 3);
    expect(btc.signals.oiChange24h).toBeCloseTo(3.6 / 4.0 - 1, 2);
  });

  it('never lets backfilled points override live rows', () => {
    const engine = new FlushEngine({}, NOW);
    engine.ingestMarket({ venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: NOW - 60_000, openInterestUsd: 3.6e9, markPrice: 1 });
    engine.backfillHistory([{ venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: NOW - 60_000, openInterestUsd: 9e9 }], NOW);
    expect(engine.history.value('binance|BTC', Math.floor((NOW - 60_000) / 60_000), 'oi')).toBeCloseTo(3.6e9, -4);
  });
});

describe('bitfinex liquidations history backfill', () => {
  it('parses the REST history as liquidations', () => {
    // The history row is tAMPF0:USTF0, which the documented status list (the catalogue) names.
    const instruments = bitfinex.parseInstruments('instruments', fixture('bitfinex-status-deriv-rest.json'));
    const out = bitfinex.parsePoll('liquidationsHist', fixture('bitfinex-liquidations-hist-rest.json'), instruments);
    expect(out.liquidations.length).toBeGreaterThan(0);
    for (const l of out.liquidations) expect(l.notionalUsd).toBeGreaterThan(0);
  });
});

describe('every backfill request is served by the mock in the venue format', () => {
  it.each(Object.values(venues).filter((v) => v.backfillRequests).map((v) => [v.id, v] as const))('%s', (_id, adapter) => {
    const mock = mockVenues.find((m) => m.id === adapter.id)!;
    const view = staticView([marketRow(adapter.id, 'BTC', 72000), marketRow(adapter.id, 'ETH', 2100), marketRow(adapter.id, 'SOL', 90)], NOW);
    const instruments = mockCatalogue(adapter.id, view);
    for (const request of adapter.backfillRequests!(['BTC', 'ETH', 'SOL'], instruments)) {
      const url = new URL(request.url);
      const res = mock.http({ method: 'GET', host: url.host, path: url.pathname, query: url.searchParams, body: '' }, view);
      expect(res.status, request.url).toBe(200);
      expect(() => adapter.parsePoll(request.key, res.body, instruments)).not.toThrow();
    }
  });
});
