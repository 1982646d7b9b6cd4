import { describe, expect, it } from 'vitest';
import type { VenueId } from '../src/core/model';
import type { RestRequest } from '../src/venues/types';
import { defaultRetryAfterMs as retryAfterMs } from '../src/background/poller';
import { SkewEstimator } from '../src/core/clock';
import { closeGap, gapsWithin, openGap, type Gap } from '../src/core/gaps';

describe('Retry-After', () => {
  const now = Date.UTC(2026, 10, 21, 12, 0, 0);
  it('reads seconds and HTTP dates, bounded, with a default', () => {
    expect(retryAfterMs('5', now)).toBe(5_000);
    expect(retryAfterMs(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(retryAfterMs(null, now)).toBe(60_000);
    expect(retryAfterMs('garbage', now)).toBe(60_000);
    expect(retryAfterMs('999999', now)).toBe(15 * 60_000);
  });
});

describe('stream gaps', () => {
  it('records a gap from close to the first frame after reconnect', () => {
    let gaps: Gap[] = [];
    gaps = openGap(gaps, 1_000);
    gaps = openGap(gaps, 2_000); // a second close while down does not open another
    gaps = closeGap(gaps, 121_000);
    expect(gaps).toEqual([{ from: 1_000, to: 121_000 }]);
  });

  it('drops reconnect blips shorter than 5 s', () => {
    expect(closeGap(openGap([], 1_000), 3_000)).toEqual([]);
  });

  it('lists gaps overlapping the window, including one still open', () => {
    const gaps: Gap[] = [{ from: 0, to: 60_000 }, { from: 3_000_000, to: null }];
    expect(gapsWithin(gaps, 3_600_000, 3_600_000)).toEqual(gaps);
    expect(gapsWithin(gaps, 7_300_000, 3_600_000)).toEqual([{ from: 3_000_000, to: null }]);
  });
});

describe('clock skew', () => {
  it('ignores latency and replays of old events, but corrects a venue clock 2 minutes ahead', () => {
    const latency = new SkewEstimator();
    for (let i = 0; i < 20; i++) latency.observe(1_000_000 + i, 1_000_150 + i);
    expect(latency.offset()).toBe(0);
    const replay = new SkewEstimator();
    for (let i = 0; i < 20; i++) replay.observe(1_000_000 + i * 1000, 4_600_000);
    expect(replay.offset()).toBe(0);
    const ahead = new SkewEstimator();
    for (let i = 0; i < 20; i++) ahead.observe(1_120_000 + i * 1000, 1_000_200 + i * 1000);
    expect(ahead.offset()).toBeCloseTo(-119_800, -2);
    expect(ahead.toLocal(1_120_000)).toBe(1_000_200);
  });

  it('needs a few samples before correcting anything', () => {
    const few = new SkewEstimator();
    few.observe(0, 600_000);
    expect(few.offset()).toBe(0);
  });
});

/** One poll request of `venue`, answered with `response` instead of the network. */
async function pollAnswered(venue: VenueId, response: Response, request: RestRequest) {
  const { pollVenue } = await import('../src/background/poller');
  const { venues } = await import('../src/venues');
  const original = globalThis.fetch;
  globalThis.fetch = async () => response.clone();
  try {
    return await pollVenue(venues[venue], [request], []);
  } finally {
    globalThis.fetch = original;
  }
}

describe('degraded kinds (named in the trader’s language by the popup)', () => {
  it.each([
    [new Response('{}', { status: 429, headers: { 'retry-after': '7' } }), 'rateLimited', 7_000],
    [new Response('{}', { status: 451 }), 'blocked', null],
    [new Response('{}', { status: 502 }), 'exchangeError', null],
    [new Response('{}', { status: 400 }), 'rejected', null],
    [new Response('{"truncat', { status: 200 }), 'badData', null],
    [new Response('[{"symbol":"BTCUSDT","markPrice":"x"}]', { status: 200 }), 'badData', null],
  ] as const)('%#: %s', async (response, kind, retryAfter) => {
    const result = await pollAnswered('binance', response, { key: 'premiumIndex', url: 'https://fapi.binance.com/fapi/v1/premiumIndex' });
    expect(result.errorKind).toBe(kind);
    expect(result.retryAfterMs).toBe(retryAfter);
    expect(result.error).toMatch(/^premiumIndex: /);
  });
});

describe('rate limits and bans read the venue’s way', () => {
  it.each([
    ['bybit', new Response('access too frequent', { status: 403 }), 'rateLimited', 10 * 60_000, /access too frequent/],
    ['binance', new Response('{"code":-1003}', { status: 418, headers: { 'retry-after': '120' } }), 'rateLimited', 120_000, /418/],
    ['okx', new Response('{"code":"50011","msg":"Rate limit reached. Please refer to API documentation and throttle requests accordingly.","data":[]}', { status: 429 }), 'rateLimited', 10_000, /50011/],
    ['bitfinex', new Response('["error",11010,"ratelimit: error"]', { status: 200 }), 'rateLimited', 90_000, /11010/],
    ['hyperliquid', new Response('null', { status: 429 }), 'rateLimited', 60_000, /429/],
    ['bitget', new Response('{"code":"429","msg":"Too Many Requests"}', { status: 429 }), 'rateLimited', 60_000, /429/],
  ] as const)('%s: %#', async (venue, response, kind, pauseMs, reason) => {
    const result = await pollAnswered(venue, response, { key: 'any', url: 'https://example.invalid/' });
    expect(result.errorKind).toBe(kind);
    expect(result.retryAfterMs).toBe(pauseMs);
    expect(result.error).toMatch(reason);
  });

  it('a bare 403 is an access refusal, not called a region block', async () => {
    const { describeHttpStatus } = await import('../src/background/poller');
    expect(describeHttpStatus(403)).toMatch(/^access refused \(HTTP 403\)/);
    expect(describeHttpStatus(451)).toMatch(/blocked in your region/);
  });
});

describe('gap back-fill', () => {
  it('a filled gap no longer counts as missing data', async () => {
    const { fillGap } = await import('../src/core/gaps');
    const now = 1_000_000;
    const gaps = closeGap(openGap([], now - 120_000), now - 60_000);
    expect(gapsWithin(gaps, now, 3_600_000)).toHaveLength(1);
    const filled = fillGap(gaps, now - 120_000, now - 60_000, 'all');
    expect(filled[0]!.filled).toBe('all');
    expect(gapsWithin(filled, now, 3_600_000)).toEqual([]);
    expect(gapsWithin(filled, now, 3_600_000, 'BTC')).toEqual([]);
  });

  it('a gap filled for some assets (a history asked per asset) still counts as missing elsewhere', async () => {
    const { fillGap } = await import('../src/core/gaps');
    const now = 1_000_000;
    const filled = fillGap(closeGap(openGap([], now - 120_000), now - 60_000), now - 120_000, now - 60_000, ['BTC', 'ETH']);
    expect(gapsWithin(filled, now, 3_600_000, 'BTC')).toEqual([]);
    expect(gapsWithin(filled, now, 3_600_000, 'DOGE')).toHaveLength(1);
    expect(gapsWithin(filled, now, 3_600_000)).toHaveLength(1);
  });
});
