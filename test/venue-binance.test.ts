import { describe, expect, it } from 'vitest';
import { VenueDataError, mergeMarket, type InstrumentSpec, type MarketSnapshot } from '../src/core/model';
import { binance } from '../src/venues/binance';
import { defaultView, mockCatalogue } from './catalogue';
import { fixture } from './fixtures';
import { BINANCE_MOCK_EXTRA_INSTRUMENTS, binanceMock } from './mock/venues/binance';
import { marketRow, staticView } from './mock/view';

const catalogue = mockCatalogue('binance');

/** An exchangeInfo body with the given symbols, each shaped like the docs example's. */
function exchangeInfo(symbols: Array<{ symbol: string; contractType: string; status?: string; baseAsset: string; quoteAsset?: string }>) {
  const docs = fixture('binance-usdm-exchangeInfo-rest.json') as { symbols: Array<Record<string, unknown>> };
  return { ...docs, symbols: symbols.map((s) => ({ ...docs.symbols[0], status: 'TRADING', quoteAsset: 'USDT', ...s })) };
}

const forceOrder = (symbol: string, side: 'BUY' | 'SELL', ap: string, z: string) => ({
  e: 'forceOrder',
  E: 1568014460893,
  o: { s: symbol, S: side, o: 'LIMIT', f: 'IOC', q: z, p: ap, ap, X: 'FILLED', l: z, z, T: 1568014460893 },
});

describe('binance.parseInstruments', () => {
  it('reads the documented exchangeInfo: a TRADING perpetual, linear, one base unit per quantity', () => {
    expect(binance.parseInstruments('exchangeInfo', fixture('binance-usdm-exchangeInfo-rest.json'))).toEqual([
      { venue: 'binance', symbol: 'BLZUSDT', asset: 'BLZ', kind: 'perp', priceScale: 1, contract: { type: 'linear', size: 1 } },
    ]);
  });

  it('maps 1000PEPE to PEPE ×1000, quarterlies to dated, and skips symbols that do not trade', () => {
    const specs = binance.parseInstruments('exchangeInfo', exchangeInfo([
      { symbol: '1000PEPEUSDT', contractType: 'PERPETUAL', baseAsset: '1000PEPE' },
      { symbol: 'BTCUSDT_250926', contractType: 'CURRENT_QUARTER', baseAsset: 'BTC' },
      { symbol: 'BTCUSDT_251226', contractType: 'NEXT_QUARTER', baseAsset: 'BTC' },
      { symbol: 'ETHUSDT_250627', contractType: 'CURRENT_QUARTER', baseAsset: 'ETH', status: 'SETTLING' },
      { symbol: 'NEWUSDT', contractType: 'PERPETUAL', baseAsset: 'NEW', status: 'PENDING_TRADING' },
      { symbol: 'OLDUSDT', contractType: 'PERPETUAL_DELIVERING', baseAsset: 'OLD' },
      { symbol: 'BTCUSDC', contractType: 'PERPETUAL', baseAsset: 'BTC', quoteAsset: 'USDC' },
    ]));
    expect(specs.map((s) => [s.symbol, s.asset, s.kind, s.priceScale])).toEqual([
      ['1000PEPEUSDT', 'PEPE', 'perp', 1000],
      ['BTCUSDT_250926', 'BTC', 'dated', 1],
      ['BTCUSDT_251226', 'BTC', 'dated', 1],
      ['BTCUSDC', 'BTC', 'perp', 1],
    ]);
  });

  it('reads USDT spot pairs from the spot exchangeInfo (the docs example is ETHBTC, not USDT-quoted)', () => {
    expect(binance.parseInstruments('spotExchangeInfo', fixture('binance-spot-exchangeInfo-rest.json'))).toEqual([]);
    const docs = fixture('binance-spot-exchangeInfo-rest.json') as { symbols: Array<Record<string, unknown>> };
    const body = { ...docs, symbols: [{ ...docs.symbols[0], symbol: 'PEPEUSDT', baseAsset: 'PEPE', quoteAsset: 'USDT' }, { ...docs.symbols[0], symbol: 'XUSDT', baseAsset: 'X', quoteAsset: 'USDT', status: 'HALT' }] };
    expect(binance.parseInstruments('spotExchangeInfo', body)).toEqual([
      { venue: 'binance', symbol: 'PEPEUSDT', asset: 'PEPE', kind: 'spot', priceScale: 1, contract: { type: 'linear', size: 1 } },
    ]);
  });

  it('rejects a malformed list and an unknown key', () => {
    expect(() => binance.parseInstruments('exchangeInfo', { symbols: [{ symbol: 'BTCUSDT' }] })).toThrow(VenueDataError);
    expect(() => binance.parseInstruments('contracts', fixture('binance-usdm-exchangeInfo-rest.json'))).toThrow(VenueDataError);
  });

  it('the mock lists each asset\'s perpetual plus the extra instruments', () => {
    const symbols = catalogue.map((s) => s.symbol);
    for (const extra of BINANCE_MOCK_EXTRA_INSTRUMENTS) expect(symbols).toContain(extra.symbol);
    expect(symbols).toEqual(expect.arrayContaining(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']));
    expect(catalogue.filter((s) => s.kind === 'spot').map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    // Perpetual look-ups are not shadowed by the same-named spot pair.
    expect(binance.parseLiquidations(fixture('binance-usdm-forceOrder-ws.json'), catalogue)[0]?.kind).toBe('perp');
  });
});

describe('binance.parseLiquidations', () => {
  it('normalises the documented forceOrder event: SELL order = long liquidated', () => {
    const [liq] = binance.parseLiquidations(fixture('binance-usdm-forceOrder-ws.json'), catalogue);
    expect(liq).toEqual({
      venue: 'binance',
      symbol: 'BTCUSDT',
      asset: 'BTC',
      kind: 'perp',
      side: 'long',
      price: 9910,
      quantity: 0.014,
      notionalUsd: 0.014 * 9910,
      time: 1568014460893,
    });
  });

  it('unwraps the combined-stream wrapper; BUY = short liquidated; uses filled z × average ap', () => {
    const [liq] = binance.parseLiquidations(fixture('binance-usdm-forceOrder-ws-combined-tardis.json'), catalogue);
    expect(liq?.side).toBe('short');
    expect(liq?.quantity).toBe(0.014);
    expect(liq?.price).toBe(4706.04);
    expect(liq?.notionalUsd).toBeCloseTo(0.014 * 4706.04, 9);
  });

  it('1000PEPEUSDT: asset PEPE, price per PEPE, quantity in PEPE, notional unchanged', () => {
    const [liq] = binance.parseLiquidations(forceOrder('1000PEPEUSDT', 'SELL', '0.0123000', '50000'), catalogue);
    expect(liq).toMatchObject({ symbol: '1000PEPEUSDT', asset: 'PEPE', kind: 'perp', side: 'long' });
    expect(liq!.price).toBeCloseTo(0.0000123, 15);
    expect(liq!.quantity).toBeCloseTo(50_000_000, 6);
    expect(liq!.notionalUsd).toBeCloseTo(615, 9);
  });

  it('a quarterly future counts as a liquidation of its asset, kind dated', () => {
    const specs = binance.parseInstruments('exchangeInfo', exchangeInfo([{ symbol: 'BTCUSDT_250926', contractType: 'CURRENT_QUARTER', baseAsset: 'BTC' }]));
    const [liq] = binance.parseLiquidations(forceOrder('BTCUSDT_250926', 'BUY', '110000', '0.5'), specs);
    expect(liq).toMatchObject({ symbol: 'BTCUSDT_250926', asset: 'BTC', kind: 'dated', side: 'short', price: 110000, quantity: 0.5, notionalUsd: 55000 });
  });

  it('counts liquidations of listed symbols nobody watches', () => {
    const specs = binance.parseInstruments('exchangeInfo', exchangeInfo([{ symbol: 'IOSTUSDT', contractType: 'PERPETUAL', baseAsset: 'IOST' }]));
    expect(binance.parseLiquidations(forceOrder('IOSTUSDT', 'SELL', '0.005', '100000'), specs)[0]).toMatchObject({ asset: 'IOST', notionalUsd: 500 });
  });

  it('skips a symbol the catalogue lacks, and the stream reports it', () => {
    expect(binance.parseLiquidations(forceOrder('NEWCOINUSDT', 'SELL', '1', '1'), catalogue)).toEqual([]);
    const [session] = binance.openStreams(['BTC'], catalogue);
    expect(session!.onMessage(JSON.stringify(forceOrder('NEWCOINUSDT', 'SELL', '1', '1')))).toEqual({ liquidations: [], markets: [], replies: [], unknownSymbols: ['NEWCOINUSDT'] });
  });

  it('returns [] for request replies (heartbeat answers)', () => {
    expect(binance.parseLiquidations({ result: ['!forceOrder@arr'], id: 1 }, catalogue)).toEqual([]);
  });

  it.each([
    ['missing order', { e: 'forceOrder', E: 1 }],
    ['unknown side', { ...(fixture('binance-usdm-forceOrder-ws.json') as object), o: { s: 'BTCUSDT', S: 'HOLD', ap: '1', z: '1', T: 1 } }],
    ['NaN price', { e: 'forceOrder', E: 1568014460893, o: { s: 'BTCUSDT', S: 'SELL', ap: 'NaN', z: '1', T: 1568014460893 } }],
    ['negative size', { e: 'forceOrder', E: 1568014460893, o: { s: 'BTCUSDT', S: 'SELL', ap: '10', z: '-1', T: 1568014460893 } }],
    ['not an object', 'hello'],
  ])('throws VenueDataError for %s', (_name, message) => {
    expect(() => binance.parseLiquidations(message, catalogue)).toThrow(VenueDataError);
  });
});

describe('binance.openStreams and coverage', () => {
  it('one all-market stream per market (USD-M on fstream, COIN-M on dstream), counting every listed derivative', () => {
    const sessions = binance.openStreams(['BTC'], catalogue);
    expect(sessions.map((s) => s.url)).toEqual(['wss://fstream.binance.com/market/ws/!forceOrder@arr', 'wss://dstream.binance.com/market/ws/!forceOrder@arr']);
    const listed = catalogue.filter((s) => s.kind !== 'spot').length;
    expect(binance.coverage(['BTC'], catalogue)).toEqual({ covered: listed, listed });
  });

  it('coverage counts the USD-M and the COIN-M book', () => {
    const usdm = catalogue.filter((s) => s.kind !== 'spot' && s.contract.type === 'linear').length;
    const coinm = catalogue.filter((s) => s.contract.type === 'inverse').length;
    // The mock lists BTCUSD_PERP, ETHUSD_PERP, SOLUSD_PERP and BTCUSD_260626.
    expect(coinm).toBe(4);
    expect(binance.coverage([], catalogue)).toEqual({ covered: usdm + coinm, listed: usdm + coinm });
  });
});

describe('binance COIN-M (dapi, dstream)', () => {
  const docs = () => fixture('binance-coinm-exchangeInfo-rest.json') as { symbols: Array<Record<string, unknown>> };
  const coinmInfo = (symbols: Array<Record<string, unknown>>) => ({ ...docs(), symbols: symbols.map((s) => ({ ...docs().symbols[0], ...s })) });

  it('asks dapi exchangeInfo for the COIN-M catalogue', () => {
    expect(binance.instrumentRequests()).toContainEqual({ key: 'coinmExchangeInfo', url: 'https://dapi.binance.com/dapi/v1/exchangeInfo' });
  });

  it('reads the documented COIN-M exchangeInfo: a TRADING quarterly, inverse, contractSize USD per contract', () => {
    expect(binance.parseInstruments('coinmExchangeInfo', fixture('binance-coinm-exchangeInfo-rest.json'))).toEqual([
      { venue: 'binance', symbol: 'BTCUSD_200925', asset: 'BTC', kind: 'dated', priceScale: 1, contract: { type: 'inverse', usd: 100 } },
    ]);
  });

  it('maps PERPETUAL to perp and quarterlies to dated; skips non-TRADING and *_DELIVERING contracts', () => {
    const specs = binance.parseInstruments('coinmExchangeInfo', coinmInfo([
      { symbol: 'BTCUSD_PERP', contractType: 'PERPETUAL', contractSize: 100 },
      { symbol: 'ETHUSD_PERP', contractType: 'PERPETUAL', contractSize: 10, baseAsset: 'ETH', marginAsset: 'ETH' },
      { symbol: 'BTCUSD_251226', contractType: 'NEXT_QUARTER', contractSize: 100 },
      { symbol: 'BTCUSD_250926', contractType: 'CURRENT_QUARTER_DELIVERING', contractStatus: 'DELIVERING' },
      { symbol: 'ETHUSD_250627', contractType: 'CURRENT_QUARTER', contractStatus: 'DELIVERED', baseAsset: 'ETH' },
      { symbol: 'NEWUSD_PERP', contractType: 'PERPETUAL', contractStatus: 'PENDING_TRADING', baseAsset: 'NEW' },
    ]));
    expect(specs.map((s) => [s.symbol, s.asset, s.kind, s.contract])).toEqual([
      ['BTCUSD_PERP', 'BTC', 'perp', { type: 'inverse', usd: 100 }],
      ['ETHUSD_PERP', 'ETH', 'perp', { type: 'inverse', usd: 10 }],
      ['BTCUSD_251226', 'BTC', 'dated', { type: 'inverse', usd: 100 }],
    ]);
  });

  it('rejects a COIN-M list without contractSize', () => {
    const { contractSize: _, ...row } = docs().symbols[0]!;
    expect(() => binance.parseInstruments('coinmExchangeInfo', { ...docs(), symbols: [row] })).toThrow(VenueDataError);
  });

  it('values the documented COIN-M forceOrder: z contracts × contractSize USD, at ap USD per BTC', () => {
    const specs = binance.parseInstruments('coinmExchangeInfo', fixture('binance-coinm-exchangeInfo-rest.json'));
    const [liq] = binance.parseLiquidations(fixture('binance-coinm-forceOrder-ws.json'), specs);
    // Docs example: BTCUSD_200925 SELL, z "1", ap "9496.5"; one contract is 100 USD.
    expect(liq).toMatchObject({ venue: 'binance', symbol: 'BTCUSD_200925', asset: 'BTC', kind: 'dated', side: 'long', price: 9496.5, notionalUsd: 100, time: 1591154240949 });
    expect(liq!.quantity).toBeCloseTo(100 / 9496.5, 12);
  });

  it('a COIN-M perpetual liquidation is kind perp; ETH contracts are 10 USD', () => {
    const specs = binance.parseInstruments('coinmExchangeInfo', coinmInfo([
      { symbol: 'BTCUSD_PERP', contractType: 'PERPETUAL', contractSize: 100 },
      { symbol: 'ETHUSD_PERP', contractType: 'PERPETUAL', contractSize: 10, baseAsset: 'ETH', marginAsset: 'ETH' },
    ]));
    expect(binance.parseLiquidations(forceOrder('BTCUSD_PERP', 'BUY', '72000', '25'), specs)[0]).toMatchObject({ kind: 'perp', side: 'short', notionalUsd: 2500 });
    expect(binance.parseLiquidations(forceOrder('ETHUSD_PERP', 'SELL', '2100', '25'), specs)[0]).toMatchObject({ asset: 'ETH', kind: 'perp', notionalUsd: 250 });
  });

  it('the dstream session reads COIN-M frames; the mock sends them there only, in whole contracts', () => {
    const sessions = binance.openStreams(['BTC'], catalogue);
    const coinmSession = sessions.find((s) => s.url.startsWith('wss://dstream.binance.com/'))!;
    const event = { t: 0, type: 'liquidation' as const, venue: 'binance' as const, asset: 'BTC', symbol: 'BTCUSD_PERP', side: 'long' as const, price: 72_000, notionalUsd: 125_000, time: 1_763_600_000_000 };
    const dstream = binanceMock.connect('dstream.binance.com', '/market/ws/!forceOrder@arr');
    const fstream = binanceMock.connect('fstream.binance.com', '/market/ws/!forceOrder@arr');
    expect(fstream.liquidationFrames(event, defaultView())).toEqual([]);
    const frames = dstream.liquidationFrames(event, defaultView());
    expect(JSON.parse(frames[0]!).o).toMatchObject({ s: 'BTCUSD_PERP', ps: 'BTCUSD', S: 'SELL', z: '1250', q: '1250' });
    const [liq] = frames.flatMap((f) => coinmSession.onMessage(f).liquidations);
    expect(liq).toMatchObject({ symbol: 'BTCUSD_PERP', asset: 'BTC', kind: 'perp', side: 'long', price: 72_000, notionalUsd: 125_000 });
    // A USD-M event never reaches the dstream socket.
    expect(dstream.liquidationFrames({ ...event, symbol: undefined }, defaultView())).toEqual([]);
  });

  it('COIN-M perpetuals never stand for their asset: market figures come from the USDT perpetual only', () => {
    const premium = [
      { symbol: 'BTCUSD_PERP', pair: 'BTCUSD', markPrice: '11029.69574559', indexPrice: '10979.14437500', estimatedSettlePrice: '10981.74168236', lastFundingRate: '0.00071003', interestRate: '0.00010000', nextFundingTime: 1596096000000, time: 1596094042000 },
    ];
    expect(binance.parsePoll('premiumIndex', premium, catalogue).markets).toEqual([]);
    const requests = [...binance.pollRequests(['BTC', 'ETH'], catalogue), ...binance.backfillRequests!(['BTC', 'ETH'], catalogue)];
    expect(requests.every((r) => !r.url.includes('dapi') && !r.url.includes('_PERP') && !r.url.includes('USD_'))).toBe(true);
    expect(requests.map((r) => r.key)).toContain('openInterest:BTCUSDT');
  });
});

describe('binance.parsePoll', () => {
  const blz: InstrumentSpec[] = binance.parseInstruments('exchangeInfo', fixture('binance-usdm-exchangeInfo-rest.json'));

  it('reads mark, index and funding from premiumIndex, OI in USD = contracts × mark', () => {
    const premium = binance.parsePoll('premiumIndex', fixture('binance-usdm-premiumIndex-all-rest.json'), catalogue);
    const oi = binance.parsePoll('openInterest:BTCUSDT', fixture('binance-usdm-openInterest-rest.json'), catalogue);
    let snap: MarketSnapshot | undefined;
    for (const update of [...premium.markets, ...oi.markets]) snap = mergeMarket(snap, update);
    expect(snap?.kind).toBe('perp');
    expect(snap?.markPrice).toBeCloseTo(11793.63104562);
    expect(snap?.indexPrice).toBeCloseTo(11781.8049597);
    expect(snap?.fundingRate8h).toBeCloseTo(0.00038246);
    expect(snap?.openInterestUsd).toBeCloseTo(10659.509 * 11793.63104562, 2);
  });

  it('normalises funding to 8 h using the interval from fundingInfo', () => {
    expect(binance.parsePoll('fundingInfo', fixture('binance-usdm-fundingInfo-rest.json'), blz).markets).toEqual([
      { venue: 'binance', symbol: 'BLZUSDT', asset: 'BLZ', kind: 'perp', time: 0, fundingIntervalHours: 8 },
    ]);
    const info = binance.parsePoll('fundingInfo', [{ symbol: 'BTCUSDT', adjustedFundingRateCap: '0.02', adjustedFundingRateFloor: '-0.02', fundingIntervalHours: 4, disclaimer: false }], catalogue);
    const premium = binance.parsePoll('premiumIndex', fixture('binance-usdm-premiumIndex-all-rest.json'), catalogue);
    let snap: MarketSnapshot | undefined;
    for (const update of [...info.markets, ...premium.markets]) snap = mergeMarket(snap, update);
    expect(snap?.fundingRate8h).toBeCloseTo(0.00038246 * 2);
  });

  it('takes 24 h quote volume for perp (all-symbol and single forms) and spot', () => {
    const all = binance.parsePoll('ticker24h', fixture('binance-usdm-ticker24hr-all-rest.json'), catalogue);
    expect(all.markets).toEqual([{ venue: 'binance', symbol: 'BTCUSDT', asset: 'BTC', kind: 'perp', time: 1499869899040, lastPrice: 4.000002, perpVolume24hUsd: 15.3 }]);
    const single = binance.parsePoll('ticker24h:BTCUSDT', fixture('binance-usdm-ticker24hr-rest.json'), catalogue);
    expect(single.markets[0]?.perpVolume24hUsd).toBeGreaterThan(0);
    const spotRow = { ...(fixture('binance-spot-ticker24hr-rest.json') as object), symbol: 'BTCUSDT' };
    const [spot] = binance.parsePoll('spotTicker24h', [spotRow], catalogue).markets;
    expect(spot).toMatchObject({ symbol: 'BTCUSDT', asset: 'BTC', kind: 'spot', spotVolume24hUsd: 15.3 });
  });

  it('divides 1000PEPEUSDT prices by 1000 and scales its OI to PEPE; skips dated futures and USDC perpetuals', () => {
    const view = staticView([marketRow('binance', 'BTC', 72_000), marketRow('binance', 'PEPE', 0.00001)]);
    const specs = mockCatalogue('binance', view);
    const premium = [
      { symbol: '1000PEPEUSDT', markPrice: '0.0100300', indexPrice: '0.0100000', estimatedSettlePrice: '0.01', lastFundingRate: '0.00010000', interestRate: '0.0001', nextFundingTime: 1, time: 2 },
      { symbol: 'BTCUSDT_260626', markPrice: '73000', indexPrice: '72000', estimatedSettlePrice: '72000', lastFundingRate: '', interestRate: '', nextFundingTime: 0, time: 2 },
      { symbol: 'BTCUSDC', markPrice: '72010', indexPrice: '72000', estimatedSettlePrice: '72000', lastFundingRate: '0.0002', interestRate: '0.0001', nextFundingTime: 1, time: 2 },
    ];
    const markets = binance.parsePoll('premiumIndex', premium, specs).markets;
    expect(markets).toHaveLength(1);
    expect(markets[0]).toMatchObject({ symbol: '1000PEPEUSDT', asset: 'PEPE', kind: 'perp', fundingRate: 0.0001 });
    expect(markets[0]!.markPrice).toBeCloseTo(0.00001003, 14);
    const [oi] = binance.parsePoll('openInterest:1000PEPEUSDT', { openInterest: '2000000', symbol: '1000PEPEUSDT', time: 2 }, specs).markets;
    expect(oi?.openInterestBase).toBe(2_000_000_000);
  });

  it('ignores symbols the catalogue lacks', () => {
    expect(binance.parsePoll('premiumIndex', fixture('binance-usdm-premiumIndex-all-rest.json'), blz).markets).toEqual([]);
  });

  it('marks a malformed poll body with a readable error', () => {
    expect(() => binance.parsePoll('premiumIndex', [{ symbol: 'BTCUSDT', markPrice: 'x' }], catalogue)).toThrow(/premiumIndex at 0\.markPrice/);
    expect(() => binance.parsePoll('nope', [], catalogue)).toThrow(VenueDataError);
  });
});

describe('binance.pollRequests', () => {
  it('polls all-symbol endpoints once, open interest per tracked asset, spot in batches of 20', () => {
    const requests = binance.pollRequests(['BTC', 'PEPE', 'DOGE'], catalogue);
    expect(requests.map((r) => r.key)).toEqual(['premiumIndex', 'ticker24h', 'fundingInfo', 'openInterest:BTCUSDT', 'openInterest:1000PEPEUSDT', 'spotTicker24h']);
    expect(decodeURIComponent(requests.at(-1)!.url)).toBe('https://api.binance.com/api/v3/ticker/24hr?symbols=["BTCUSDT"]');
  });

  it('stays within 10 % of the fapi weight limit at 20 tracked assets', () => {
    const assets = Array.from({ length: 20 }, (_, i) => `A${i}`);
    const view = staticView(assets.map((a) => marketRow('binance', a, 1)));
    const requests = binance.pollRequests(assets, mockCatalogue('binance', view));
    const weight = requests.reduce((sum, r) => sum + (r.key === 'premiumIndex' ? 10 : r.key === 'ticker24h' ? 40 : r.key === 'fundingInfo' || r.key.startsWith('spot') ? 0 : 1), 0);
    expect(requests.filter((r) => r.key.startsWith('spotTicker24h'))).toHaveLength(1);
    expect(weight * 2).toBe(binance.rateBudget.requestsPerMinute);
    expect(binance.rateBudget.requestsPerMinute * 10).toBeLessThanOrEqual(binance.rateBudget.limitPerMinute);
  });
});

describe('binance.classifyFailure', () => {
  const headers = (retryAfter: string | null) => ({ get: (name: string) => (name.toLowerCase() === 'retry-after' ? retryAfter : null) });

  it('429 pauses for Retry-After', () => {
    expect(binance.classifyFailure!(429, '{"code":-1003,"msg":"Too many requests"}', headers('30'))).toEqual({ kind: 'rateLimited', reason: 'rate limited: request weight exceeded (HTTP 429)', pauseMs: 30_000 });
    expect(binance.classifyFailure!(429, '', headers(null))?.pauseMs).toBe(60_000);
  });

  it('418 is an IP ban of up to 3 days, honoured from Retry-After', () => {
    expect(binance.classifyFailure!(418, '', headers('7200'))).toMatchObject({ kind: 'rateLimited', pauseMs: 7_200_000 });
    expect(binance.classifyFailure!(418, '', headers(null))?.pauseMs).toBe(120_000);
  });

  it('leaves other answers to the defaults', () => {
    expect(binance.classifyFailure!(451, '', headers(null))).toBeNull();
    expect(binance.classifyFailure!(500, '', headers(null))).toBeNull();
  });
});

describe('binance mock defaults', () => {
  it('has a DOGE perpetual exactly when the view has DOGE rows', () => {
    expect(catalogue.some((s) => s.asset === 'DOGE')).toBe(false);
    const view = staticView([...['BTC', 'DOGE'].map((a) => marketRow('binance', a, 1))], defaultView().now);
    expect(mockCatalogue('binance', view).find((s) => s.symbol === 'DOGEUSDT')).toMatchObject({ asset: 'DOGE', kind: 'perp' });
  });
});
