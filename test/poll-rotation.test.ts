/**
 * The poll scheduler (src/background/poller.ts): whatever the number of tracked assets, no venue is
 * asked more than MAX_POLL_REQUESTS requests in one poll, and every tracked asset's per-symbol figures
 * are asked for within a bounded number of polls (round-robin), assets open on pages at every poll.
 */
import { describe, expect, it } from 'vitest';
import { MAX_POLL_REQUESTS, pollWindow, PollRotation, type PollWindow } from '../src/background/poller';
import { venues } from '../src/venues';
import type { VenueAdapter } from '../src/venues/types';
import { mockCatalogue } from './catalogue';
import { marketRow, staticView } from './mock/view';

/** Fifty listed assets: more than one poll's window on a venue that asks per symbol. */
const FIFTY = Array.from({ length: 50 }, (_, i) => `C${String(i).padStart(2, '0')}X`);
const view = staticView(FIFTY.map((asset, i) => marketRow('binance', asset, 10 + i)));
const binance = venues.binance;
const binanceList = mockCatalogue('binance', view);

/** The tracked assets a poll's Binance requests ask for by symbol (open interest, spot batches). */
function askedFor({ requests }: PollWindow): string[] {
  return requests.filter((r) => r.key.startsWith('openInterest:')).map((r) => r.key.slice('openInterest:'.length).replace(/USDT$/, ''));
}

describe('the poll scheduler', () => {
  it('keeps every venue within MAX_POLL_REQUESTS a poll at 50 tracked assets (and at 500)', () => {
    const rotation = new PollRotation();
    for (const adapter of Object.values(venues) as VenueAdapter[]) {
      const instruments = mockCatalogue(adapter.id, view);
      for (let poll = 0; poll < 5; poll++) expect(rotation.window(adapter, FIFTY, instruments).requests.length, `${adapter.id} poll ${poll}`).toBeLessThanOrEqual(MAX_POLL_REQUESTS);
    }
    const many = Array.from({ length: 500 }, (_, i) => `D${i}X`);
    const manyList = mockCatalogue('binance', staticView(many.map((asset) => marketRow('binance', asset, 1))));
    expect(new PollRotation().window(binance, many, manyList).requests.length).toBeLessThanOrEqual(MAX_POLL_REQUESTS);
  });

  it('asks for every one of 50 assets within 3 polls, and again in the next 3', () => {
    const rotation = new PollRotation();
    for (let round = 0; round < 2; round++) {
      const asked = new Set<string>();
      for (let poll = 0; poll < 3; poll++) for (const asset of askedFor(rotation.window(binance, FIFTY, binanceList))) asked.add(asset);
      expect([...asked].sort(), `round ${round}`).toEqual(FIFTY);
    }
  });

  it('asks for the assets open on pages at every poll, the rest in turns', () => {
    const rotation = new PollRotation();
    const pages = ['C49X', 'C30X'];
    const asked = new Set<string>();
    for (let poll = 0; poll < 3; poll++) {
      const assets = askedFor(rotation.window(binance, FIFTY, binanceList, pages));
      expect(assets, `poll ${poll}`).toEqual(expect.arrayContaining(pages));
      for (const asset of assets) asked.add(asset);
    }
    expect([...asked].sort()).toEqual(FIFTY);
  });

  it('leaves venues whose requests do not grow with the tracked set as they were', () => {
    for (const adapter of Object.values(venues) as VenueAdapter[]) {
      const instruments = mockCatalogue(adapter.id, view);
      const window = pollWindow(adapter, FIFTY, instruments, 7);
      if (adapter.id === 'binance') continue;
      expect(window.requests, adapter.id).toEqual(adapter.pollRequests(FIFTY, instruments));
      expect(window.assets, adapter.id).toEqual(FIFTY);
    }
    // The default watchlist and 20 assets fit Binance's window whole: nothing changes there either.
    const twenty = FIFTY.slice(0, 20);
    expect(pollWindow(binance, twenty, binanceList, 5).requests).toEqual(binance.pollRequests(twenty, binanceList));
  });

  it('always sends the all-symbol requests, and takes the window from where the last one ended', () => {
    const first = pollWindow(binance, FIFTY, binanceList, 0);
    expect(first.requests.slice(0, 3).map((r) => r.key)).toEqual(['premiumIndex', 'ticker24h', 'fundingInfo']);
    expect(first.assets).toEqual(FIFTY.slice(0, 20));
    expect(first.next).toBe(20);
    // Wrapping round the end of the list.
    const last = pollWindow(binance, FIFTY, binanceList, 40);
    expect(last.assets).toEqual([...FIFTY.slice(40), ...FIFTY.slice(0, 10)]);
    expect(last.next).toBe(10);
  });
});
