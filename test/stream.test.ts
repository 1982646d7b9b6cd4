/** StreamConnection against a fake WebSocket: close, silence and the connection cap all reconnect. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StreamConnection } from '../src/background/stream';
import { VenueDataError } from '../src/core/model';
import type { StreamSession } from '../src/venues/types';
import { FakeSocket } from './fake-socket';


const session = (): StreamSession => ({
  url: 'wss://example.test/ws',
  onOpen: () => ['{"op":"subscribe"}'],
  onMessage: (text) => {
    if (text === 'bad') throw new VenueDataError('okx', 'malformed frame');
    return { liquidations: [], markets: [], replies: text === 'ping?' ? ['pong!'] : [] };
  },
  heartbeat: { intervalMs: 20_000, message: 'ping' },
  maxConnectionMs: 24 * 3_600_000,
});

function connect() {
  const states: string[] = [];
  const errors: string[] = [];
  const connection = new StreamConnection(session, { onOutput: () => undefined, onState: (s) => states.push(s), onFrame: () => undefined, onError: (e) => errors.push(e) });
  connection.start();
  return { connection, states, errors, socket: () => FakeSocket.instances.at(-1)! };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.instances = [];
  vi.stubGlobal('WebSocket', FakeSocket);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('StreamConnection', () => {
  it('subscribes on open, heartbeats, and answers application pings', () => {
    const { socket } = connect();
    socket().open();
    expect(socket().sent).toEqual(['{"op":"subscribe"}']);
    socket().receive('ping?');
    expect(socket().sent.at(-1)).toBe('pong!');
    vi.advanceTimersByTime(20_000);
    expect(socket().sent.at(-1)).toBe('ping');
  });

  it('reconnects with growing, jittered backoff after the venue closes the socket', async () => {
    const { states, errors } = connect();
    FakeSocket.instances[0]!.open();
    FakeSocket.instances[0]!.close(1006, 'gone');
    await Promise.resolve();
    expect(errors.at(-1)).toMatch(/socket closed \(code 1006: gone\)/);
    expect(states.at(-1)).toBe('reconnecting');
    vi.advanceTimersByTime(1_000);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.instances[1]!.close(1006);
    await Promise.resolve();
    vi.advanceTimersByTime(999);
    expect(FakeSocket.instances).toHaveLength(2); // second wait is 1–2 s
    vi.advanceTimersByTime(1_001);
    expect(FakeSocket.instances).toHaveLength(3);
  });

  it('treats a silent socket (no pong, no data for 60 s) as dead and reconnects', async () => {
    const { errors } = connect();
    FakeSocket.instances[0]!.open();
    vi.advanceTimersByTime(80_000);
    await Promise.resolve();
    expect(errors).toContain('socket silent for 60 s; reconnecting');
    vi.advanceTimersByTime(1_000);
    expect(FakeSocket.instances.length).toBeGreaterThanOrEqual(2);
  });

  it('reconnects on its own before the venue’s 24 h cap', async () => {
    connect();
    const first = FakeSocket.instances[0]!;
    first.open();
    // Keep it chatty so silence detection does not fire first.
    for (let t = 0; t < 24 * 120; t++) {
      first.receive('{}');
      vi.advanceTimersByTime(30_000);
      if (first.readyState === 3) break;
    }
    await Promise.resolve();
    expect(first.readyState).toBe(3);
    vi.advanceTimersByTime(1_000);
    expect(FakeSocket.instances.length).toBe(2);
  });

  it('reports a malformed frame as a readable error without dropping the socket', () => {
    const { errors, socket } = connect();
    socket().open();
    socket().receive('bad');
    expect(errors).toEqual(['okx: malformed frame']);
    expect(socket().readyState).toBe(1);
  });

  it('stops for good when told to', async () => {
    const { connection } = connect();
    FakeSocket.instances[0]!.open();
    connection.stop();
    await Promise.resolve();
    vi.advanceTimersByTime(120_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });
});
