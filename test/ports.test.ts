/** The page push channel: only our own content script on a supported page gets readings, only for an asset code. */
import { describe, expect, it } from 'vitest';
import type browser from 'webextension-polyfill';
import { isMeterPort, MeterPorts } from '../src/background/ports';
import { METER_PORT, type ReadingMessage } from '../src/core/bus';
import { FlushEngine } from '../src/core/engine';

const ID = 'our-extension-id';
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

function fakePort(name: string, sender: { id?: string; url?: string }) {
  const sent: unknown[] = [];
  const listeners: Array<(m: unknown) => void> = [];
  let disconnected = false;
  const port = {
    name,
    sender,
    postMessage: (m: unknown) => sent.push(m),
    disconnect: () => (disconnected = true),
    onMessage: { addListener: (fn: (m: unknown) => void) => listeners.push(fn) },
    onDisconnect: { addListener: () => undefined },
  } as unknown as browser.Runtime.Port;
  return { port, sent, say: (m: unknown) => listeners.forEach((fn) => fn(m)), isDisconnected: () => disconnected };
}

function readings() {
  const engine = new FlushEngine({}, NOW);
  engine.ingestLiquidation({ venue: 'okx', symbol: 'BTC-USDT-SWAP', asset: 'BTC', side: 'long', price: 72000, quantity: 1, notionalUsd: 72000, time: NOW }, NOW);
  return engine.readings(NOW, ['BTC', 'ETH']);
}

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
    ports.push(readings(), []);
    page.say({ type: 'watch', asset: '<img src=x>' });
    page.say({ type: 'watch', asset: 'https://attacker.example/' });
    expect(page.sent).toEqual([]);
    page.say({ type: 'watch', asset: 'BTC' });
    const first = page.sent[0] as ReadingMessage;
    expect(first.asset).toBe('BTC');
    expect(first.reading?.liq1h.totalUsd).toBe(72000);
    ports.push(readings(), []);
    expect(page.sent).toHaveLength(2);
    expect(JSON.stringify(page.sent)).not.toContain('"ETH"');
  });
});
