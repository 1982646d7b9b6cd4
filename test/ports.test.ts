/** The page push channel: only our own content script on a supported page gets readings, only for an asset code. */
import { describe, expect, it } from 'vitest';
import type browser from 'webextension-polyfill';
import { isMeterPort, MeterPorts, parsePlacement, parseWatch } from '../src/background/ports';
import { METER_PORT, type ReadingMessage, type SourceStatus } from '../src/core/bus';
import { FlushEngine } from '../src/core/engine';

const ID = 'our-extension-id';
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

function fakePort(name: string, sender: { id?: string; url?: string; tab?: { id: number } }) {
  const sent: unknown[] = [];
  const listeners: Array<(m: unknown) => void> = [];
  const gone: Array<() => void> = [];
  let disconnected = false;
  const port = {
    name,
    sender,
    postMessage: (m: unknown) => sent.push(m),
    disconnect: () => (disconnected = true),
    onMessage: { addListener: (fn: (m: unknown) => void) => listeners.push(fn) },
    onDisconnect: { addListener: (fn: () => void) => gone.push(fn) },
  } as unknown as browser.Runtime.Port;
  return { port, sent, say: (m: unknown) => listeners.forEach((fn) => fn(m)), close: () => gone.forEach((fn) => fn()), isDisconnected: () => disconnected };
}

function readings(extra: Array<{ asset: string; usd: number }> = [], computedAt = NOW) {
  const engine = new FlushEngine({}, NOW);
  engine.ingestLiquidation({ venue: 'okx', symbol: 'BTC-USDT-SWAP', asset: 'BTC', kind: 'perp', side: 'long', price: 72000, quantity: 1, notionalUsd: 72000, time: NOW }, NOW);
  for (const { asset, usd } of extra) engine.ingestLiquidation({ venue: 'okx', symbol: `${asset}-USDT-SWAP`, asset, kind: 'perp', side: 'short', price: 100, quantity: usd / 100, notionalUsd: usd, time: NOW }, NOW);
  return { ...engine.readings(NOW, ['BTC', 'ETH']), computedAt };
}

const source: SourceStatus = { venue: 'okx', label: 'OKX', completeness: 'complete', completenessNote: null, stream: 'connected', lastMessageAt: NOW, lastPollAt: NOW, degraded: null, degradedAt: null, pausedUntil: null, gaps: [], coverage: null };

describe('meter ports', () => {
  it('accepts our content script on a supported trading page only', () => {
    expect(isMeterPort(fakePort(METER_PORT, { id: ID, url: 'https://www.binance.com/en/futures/BTCUSDT' }).port, ID)).toBe(true);
    expect(isMeterPort(fakePort(METER_PORT, { id: 'another-extension', url: 'https://www.binance.com/en/futures/BTCUSDT' }).port, ID)).toBe(false);
    expect(isMeterPort(fakePort(METER_PORT, { id: ID, url: 'https://evil.example/futures/BTCUSDT' }).port, ID)).toBe(false);
    expect(isMeterPort(fakePort('other', { id: ID, url: 'https://www.binance.com/en/futures/BTCUSDT' }).port, ID)).toBe(false);
    expect(isMeterPort(fakePort(METER_PORT, { id: ID }).port, ID)).toBe(false);
  });

  it('disconnects a port that is not a page meter', () => {
    const ports = new MeterPorts(ID);
    const stranger = fakePort(METER_PORT, { id: ID, url: 'https://evil.example/' });
    ports.accept(stranger.port);
    expect(stranger.isDisconnected()).toBe(true);
  });

  it('sends a page its own asset only, at once and on every publish; ignores anything but an asset code', () => {
    const ports = new MeterPorts(ID);
    const page = fakePort(METER_PORT, { id: ID, url: 'https://www.okx.com/trade-swap/btc-usdt-swap' });
    ports.accept(page.port);
    ports.push(readings().scopes, []);
    page.say({ type: 'watch', asset: '<img src=x>' });
    page.say({ type: 'watch', asset: 'https://attacker.example/' });
    expect(page.sent).toEqual([]);
    page.say({ type: 'watch', asset: 'BTC' });
    const first = page.sent[0] as ReadingMessage;
    expect(first.asset).toBe('BTC');
    expect(first.reading?.liq1h.totalUsd).toBe(72000);
    ports.push(readings([], NOW + 1_000).scopes, []);
    expect(page.sent).toHaveLength(1);
    ports.push(readings([{ asset: 'BTC', usd: 50_000 }]).scopes, []);
    expect(page.sent).toHaveLength(2);
    expect((page.sent[1] as ReadingMessage).reading?.liq1h.totalUsd).toBe(122_000);
    expect(JSON.stringify(page.sent)).not.toContain('"ETH"');
  });

  it("skips what the page already shows: another asset's news, a bare recompute, unchanged status; sends gaps, not the source list", () => {
    const ports = new MeterPorts(ID);
    const page = fakePort(METER_PORT, { id: ID, url: 'https://www.okx.com/trade-swap/btc-usdt-swap' });
    ports.accept(page.port);
    page.say({ type: 'watch', asset: 'BTC' });
    ports.push(readings().scopes, [source]);
    ports.push(readings([{ asset: 'ETH', usd: 9_000 }], NOW + 500).scopes, [{ ...source, lastMessageAt: NOW + 400 }]);
    expect(page.sent).toHaveLength(1);
    const gap = { from: NOW - 120_000, to: NOW - 60_000 };
    ports.push(readings().scopes, [{ ...source, gaps: [gap] }]);
    expect(page.sent).toHaveLength(2);
    const message = page.sent[1] as ReadingMessage;
    expect(message.gaps).toEqual([{ ...gap, venue: 'okx' }]);
    expect(message).not.toHaveProperty('sources');
    // A page that (re)connects gets the current reading at once, even when another page has it.
    const second = fakePort(METER_PORT, { id: ID, url: 'https://www.okx.com/trade-swap/btc-usdt-swap' });
    ports.accept(second.port);
    second.say({ type: 'watch', asset: 'BTC' });
    expect(second.sent).toHaveLength(1);
  });
});

describe('where page meters sit', () => {
  const binance = { id: ID, url: 'https://www.binance.com/zh-CN/futures/BTCUSDT', tab: { id: 7 } };

  it('reads one message shape each, and nothing else', () => {
    expect(parseWatch({ type: 'watch', asset: 'BTC' })).toEqual({ type: 'watch', asset: 'BTC' });
    expect(parsePlacement({ type: 'placement', site: 'okx', asset: 'ETH', placement: 'docked', extra: 'ignored' })).toEqual({ type: 'placement', site: 'okx', asset: 'ETH', placement: 'docked' });
    expect(parsePlacement({ type: 'placement', site: 'okx', asset: null, placement: 'waiting' })).toEqual({ type: 'placement', site: 'okx', asset: null, placement: 'waiting' });
    for (const bad of [
      null,
      'placement',
      [],
      { type: 'watch', asset: 'BTC', placement: 'anchored' },
      { type: 'placement', site: 'okx', asset: 'ETH', placement: 'inline' },
      { type: 'placement', site: 'okx', asset: 'ETH', placement: 'dock' },
      { type: 'placement', site: 'okx', asset: '<b>', placement: 'anchored' },
      { type: 'placement', site: 'okx', placement: 'anchored' },
      { type: 'placement', site: 7, asset: 'ETH', placement: 'anchored' },
    ]) {
      expect(parsePlacement(bad), JSON.stringify(bad)).toBeNull();
    }
    expect(parseWatch({ type: 'placement', site: 'okx', asset: 'ETH', placement: 'anchored' })).toBeNull();
    expect(parseWatch({ type: 'watch', asset: 'btc usd' })).toBeNull();
  });

  it('keeps one record per connected page, changed when the page says, gone when its port goes', () => {
    let published = 0;
    const ports = new MeterPorts(ID, undefined, () => published++);
    const page = fakePort(METER_PORT, binance);
    const other = fakePort(METER_PORT, { id: ID, url: 'https://www.okx.com/trade-swap/eth-usdt-swap', tab: { id: 9 } });
    ports.accept(page.port);
    ports.accept(other.port);
    page.say({ type: 'watch', asset: 'BTC' });
    expect(ports.pages()).toEqual([]);
    page.say({ type: 'placement', site: 'binance', asset: 'BTC', placement: 'waiting' });
    other.say({ type: 'placement', site: 'okx', asset: 'ETH', placement: 'docked' });
    page.say({ type: 'placement', site: 'binance', asset: 'BTC', placement: 'anchored' });
    expect(ports.pages()).toEqual([
      { tab: 7, site: 'binance', asset: 'BTC', placement: 'anchored' },
      { tab: 9, site: 'okx', asset: 'ETH', placement: 'docked' },
    ]);
    expect(published).toBe(3);
    // Said again on reconnecting, or repeated: nothing to publish.
    page.say({ type: 'placement', site: 'binance', asset: 'BTC', placement: 'anchored' });
    expect(published).toBe(3);
    // A page cannot speak for another site; a malformed message changes nothing.
    page.say({ type: 'placement', site: 'okx', asset: 'SOL', placement: 'docked' });
    page.say({ type: 'placement', site: 'binance', asset: 'BTC', placement: 'inline' });
    expect(ports.pages()[0]).toEqual({ tab: 7, site: 'binance', asset: 'BTC', placement: 'anchored' });
    // In-page navigation to a page without an asset: no meter, no record.
    page.say({ type: 'placement', site: 'binance', asset: null, placement: 'waiting' });
    expect(ports.pages().map((p) => p.site)).toEqual(['okx']);
    page.say({ type: 'placement', site: 'binance', asset: 'ETH', placement: 'anchored' });
    other.close();
    expect(ports.pages()).toEqual([{ tab: 7, site: 'binance', asset: 'ETH', placement: 'anchored' }]);
    expect(published).toBe(6);
  });
});
