// @vitest-environment happy-dom
/** The meter's estimated liquidation levels: the nearest clusters with distance and size, labelled an estimate. */
import { render } from 'preact';
import { describe, expect, it } from 'vitest';
import { FlushEngine } from '../src/core/engine';
import { emptyLevels } from '../src/core/levels';
import { Meter } from '../src/ui/Meter';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

function reading() {
  const engine = new FlushEngine({ binance: 'sampled' }, NOW);
  engine.ingestMarket({ venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: NOW, markPrice: 72000, indexPrice: 71990, fundingRate: 0.0001, openInterestUsd: 3.6e9 });
  return engine.readings(NOW, ['BTC']).scopes.BTC!;
}

describe('the levels row', () => {
  it('shows the nearest long cluster below and short cluster above, with distance and size, as an estimate', () => {
    const root = document.createElement('div');
    const levels = { long: { price: 70344, distancePct: 2.3, usd: 180e6 }, short: { price: 72792, distancePct: 1.1, usd: 95e6 }, bandsUsd: { ...emptyLevels().bandsUsd, long3: 180e6, short3: 95e6 } };
    render(<Meter asset="BTC" reading={{ ...reading(), levels }} now={NOW} />, root);
    const long = root.querySelector('[data-field="level-long"]')!.textContent!;
    const short = root.querySelector('[data-field="level-short"]')!.textContent!;
    expect(long).toMatch(/2\.3/);
    expect(long).toMatch(/-|−/);
    expect(long).toMatch(/180/);
    expect(short).toMatch(/\+1\.1/);
    expect(short).toMatch(/95/);
    expect(root.querySelector('.fm-levels')!.getAttribute('title')).toMatch(/estimate/i);
    expect(root.querySelector('.fm-levels')!.hasAttribute('hidden')).toBe(false);
  });

  it('says when no cluster is near, never NaN, and shows no row for the market scope', () => {
    const root = document.createElement('div');
    render(<Meter asset="BTC" reading={{ ...reading(), levels: emptyLevels() }} now={NOW} />, root);
    expect(root.querySelector('[data-field="level-long"]')!.textContent).toMatch(/none near/);
    // Nothing near on either side: the row keeps its fields but takes no room.
    expect(root.querySelector('.fm-levels')!.hasAttribute('hidden')).toBe(true);
    expect(root.textContent).not.toMatch(/NaN/);
    render(<Meter asset="ALL" reading={{ ...reading(), levels: null }} now={NOW} />, root);
    expect(root.querySelector('[data-field="level-long"]')).toBeNull();
  });
});
