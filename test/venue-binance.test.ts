import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type MarketSnapshot } from '../src/core/model';
import { binance } from '../src/venues/binance';
import { fixture } from './fixtures';

describe('binance.parseLiquidations', () => {
  it('normalises the documented forceOrder event: SELL order = long liquidated', () => {
    const [liq] = binance.parseLiquidations(fixture('binance-usdm-forceOrder-ws.json'));
    expect(liq).toEqual({
      venue: 'binance',
      symbol: 'BTCUSDT',
      asset: 'BTC',
      side: 'long',
      price: 9910,
      quantity: 0.014,
      notionalUsd: 0.014 * 9910,
      time: 1568014460893,
    });
  });

  it('unwraps the combined-stream wrapper; BUY = short liquidated; uses filled z × average ap', () => {
    const [liq] = binance.parseLiquidations(fixture('binance-usdm-forceOrder-ws-combined-tardis.json'));
    expect(liq?.side).toBe('short');
    expect(liq?.quantity).toBe(0.014);
    expect(liq?.price).toBe(4706.04);
    expect(liq?.notionalUsd).toBeCloseTo(0.014 * 4706.04, 9);
  });

  it('returns [] for request replies (heartbeat answers)', () => {
    expect(binance.parseLiquidations({ result: ['!forceOrder@arr'], id: 1 })).toEqual([]);
  });

  it.each([
    ['missing order', { e: 'forceOrder', E: 1 }],
    ['unknown side', { ...(fixture('binance-usdm-forceOrder-ws.json') as object), o: { s: 'BTCUSDT', S: 'HOLD', ap: '1', z: '1', T: 1 } }],
    ['NaN price', { e: 'forceOrder', E: 1568014460893, o: { s: 'BTCUSDT', S: 'SELL', ap: 'NaN', z: '1', T: 1568014460893 } }],
    ['negative size', { e: 'forceOrder', E: 1568014460893, o: { s: 'BTCUSDT', S: 'SELL', ap: '10', z: '-1', T: 1568014460893 } }],
    ['not an object', 'hello'],
  ])('throws VenueDataError for %s', (_name, message) => {
    expect(() => binance.parseLiquidations(message)).toThrow(VenueDataError);
  });
});

describe('binance.parsePoll', () => {
  it('reads mark, index and funding from premiumIndex, OI in USD = contracts × mark', () => {
    const premium = binance.parsePoll('premiumIndex', fixture('binance-usdm-premiumIndex-all-rest.json'), ['BTC']);
    const oi = binance.parsePoll('openInterest:BTCUSDT', fixture('binance-usdm-openInterest-rest.json'), ['BTC']);
    let snap: MarketSnapshot | undefined;
    for (const update of [...premium.markets, ...oi.markets]) snap = mergeMarket(snap, update);
    expect(snap?.markPrice).toBeCloseTo(11793.63104562);
    expect(snap?.indexPrice).toBeCloseTo(11781.8049597);
    expect(snap?.fundingRate8h).toBeCloseTo(0.00038246);
    expect(snap?.openInterestUsd).toBeCloseTo(10659.509 * 11793.63104562, 2);
  });

  it('normalises funding to 8 h using the interval from fundingInfo', () => {
    const info = binance.parsePoll('fundingInfo', [{ symbol: 'BTCUSDT', adjustedFundingRateCap: '0.02', adjustedFundingRateFloor: '-0.02', fundingIntervalHours: 4, disclaimer: false }], ['BTC']);
    const premium = binance.parsePoll('premiumIndex', fixture('binance-usdm-premiumIndex-all-rest.json'), ['BTC']);
    let snap: MarketSnapshot | undefined;
    for (const update of [...info.markets, ...premium.markets]) snap = mergeMarket(snap, update);
    expect(snap?.fundingRate8h).toBeCloseTo(0.00038246 * 2);
  });

  it('takes 24 h quote volume for perp and spot', () => {
    const perp = binance.parsePoll('ticker24h:BTCUSDT', fixture('binance-usdm-ticker24hr-rest.json'), ['BTC']);
    expect(perp.markets[0]?.perpVolume24hUsd).toBeGreaterThan(0);
    const spotFixture = fixture('binance-spot-ticker24hr-rest.json');
    const spot = binance.parsePoll('spotTicker24h', Array.isArray(spotFixture) ? spotFixture : [spotFixture], ['BTC']);
    expect(spot.markets[0]?.spotVolume24hUsd).toBeGreaterThan(0);
  });

  it('marks a malformed poll body with a readable error', () => {
    expect(() => binance.parsePoll('premiumIndex', [{ symbol: 'BTCUSDT', markPrice: 'x' }], ['BTC'])).toThrow(/premiumIndex at 0\.markPrice/);
  });
});
