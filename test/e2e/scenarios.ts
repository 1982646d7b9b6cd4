/** Small deterministic scenarios for the e2e: exact totals the meter must reproduce. */
import type { Scenario, ScenarioEvent } from '../../tools/replay/scenario';
import type { VenueId } from '../../src/core/model';

const PRICES: Record<string, number> = { BTC: 72000, ETH: 2100, SOL: 90 };

/**
 * Fifty minutes of liquidations on the given venues ending at the scenario's last event:
 * `totalUsd` split ~90 % longs, spread over the hour, plus one market row per venue × asset
 * every minute. Deterministic (no randomness) so expected totals are exact.
 */
export function longFlushHour(venues: VenueId[], totalUsd = 99_100_000, longShare = 0.9, marketOnly: VenueId[] = []): Scenario {
  const events: ScenarioEvent[] = [];
  // 90 minutes of market rows (so a 1 h open-interest change is known from the history endpoint),
  // liquidations in the last 50.
  const minutes = 90;
  const assets = Object.keys(PRICES);
  // Liquidations stay inside the last 50 minutes, so they are all in the 1 h window however
  // the minute buckets fall when the test reads them.
  const firstLiquidationMinute = 40;
  const perMinute = totalUsd / (minutes - firstLiquidationMinute);
  for (let minute = 0; minute < minutes; minute++) {
    for (const venue of [...venues, ...marketOnly]) {
      for (const asset of assets) {
        const price = PRICES[asset]! * (1 - 0.0005 * minute);
        events.push({
          t: minute * 60_000, type: 'market', venue, asset, price, markPrice: price * 1.0002, indexPrice: price,
          fundingRate8h: 0.0001 - minute * 0.000002, openInterestUsd: 3.6e9 * (1 - 0.0013 * minute),
          perpVolume24hUsd: 9e9, spotVolume24hUsd: 2.25e9,
        });
      }
    }
    if (minute < firstLiquidationMinute) continue;
    // Ten liquidations a minute, the share split by count: 9 longs and 1 short for 90 %.
    for (let i = 0; i < 10; i++) {
      const venue = venues[(minute + i) % venues.length]!;
      const asset = assets[i % 2 === 0 ? 0 : i % 3 === 0 ? 2 : 1]!;
      const side = i < Math.round(longShare * 10) ? 'long' : 'short';
      events.push({ t: minute * 60_000 + 1_000 + i * 5_000, type: 'liquidation', venue, asset, side, price: PRICES[asset]!, notionalUsd: Math.round(perMinute / 10) });
    }
  }
  return { name: 'e2e long flush hour', start: Date.UTC(2026, 10, 20), events };
}

/**
 * What the watchlist (BTC, ETH, SOL) does not name: DOGE market rows on Binance and Bybit (a page
 * a trader opens), and liquidations of instruments no poll asks about: BitMEX's linear XBTUSDT and
 * OKX's IOST-USDT-SWAP (the documentation's own frame). $2M each, so a dropped one moves the
 * market-wide total by 2 %.
 */
export function withUnwatched(scenario: Scenario): Scenario {
  const minutes = Math.ceil(Math.max(...scenario.events.map((e) => e.t)) / 60_000);
  const extra: ScenarioEvent[] = [];
  for (let minute = 0; minute < minutes; minute++) {
    for (const venue of ['binance', 'bybit'] as const) {
      const price = 0.35 * (1 - 0.0005 * minute);
      extra.push({
        t: minute * 60_000, type: 'market', venue, asset: 'DOGE', price, markPrice: price * 1.0002, indexPrice: price,
        fundingRate8h: 0.00005, openInterestUsd: 1.2e9, perpVolume24hUsd: 3e9, spotVolume24hUsd: 1e9,
      });
    }
  }
  extra.push({ t: (minutes - 20) * 60_000 + 7_000, type: 'liquidation', venue: 'bitmex', asset: 'BTC', symbol: 'XBTUSDT', side: 'long', price: 71_000, notionalUsd: 2_000_000 });
  extra.push({ t: (minutes - 20) * 60_000 + 9_000, type: 'liquidation', venue: 'okx', asset: 'IOST', symbol: 'IOST-USDT-SWAP', side: 'long', price: 0.0078, notionalUsd: 2_000_000 });
  return { ...scenario, events: [...scenario.events, ...extra].sort((a, b) => a.t - b.t) };
}

/**
 * The same scenario with every market row held at its venue × asset's first row (price, open
 * interest, funding): liquidations alone, in a market that neither falls nor deleverages, so the
 * hour reads calm however one-sided it is (a falling price and open interest read as a flush).
 */
export function steadyMarket(scenario: Scenario): Scenario {
  const first = new Map<string, ScenarioEvent & { type: 'market' }>();
  const events = scenario.events.map((event) => {
    if (event.type !== 'market') return event;
    const key = `${event.venue}:${event.asset}`;
    const base = first.get(key) ?? first.set(key, event).get(key)!;
    return { ...event, price: base.price, markPrice: base.markPrice, indexPrice: base.indexPrice, openInterestUsd: base.openInterestUsd, fundingRate8h: base.fundingRate8h };
  });
  return { ...scenario, events };
}
