/**
 * One venue's WebSocket: connect, subscribe, heartbeat, reconnect with jittered exponential
 * backoff, and a proactive reconnect before the venue's connection cap. Parse errors degrade
 * the source; they never escape the worker.
 */
import type { DegradedKind } from '../core/bus';
import { VenueDataError } from '../core/model';
import type { StreamOutput, StreamSession } from '../venues/types';

export interface StreamHandlers {
  onOutput(output: StreamOutput): void;
  onState(state: 'connecting' | 'connected' | 'reconnecting'): void;
  onFrame(): void;
  onError(reason: string, kind: DegradedKind): void;
}

const BASE_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;
/** No frame at all for this long (heartbeats included) means the socket is dead. */
const SILENCE_LIMIT_MS = 60_000;

/** Full jitter: a random delay in [base/2, base] where base doubles per failed attempt. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempt);
  return Math.round(base / 2 + (random() * base) / 2);
}

export class StreamConnection {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timers: ReturnType<typeof setTimeout>[] = [];
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private lastFrameAt = 0;
  private stopped = false;

  constructor(
    private readonly openSession: () => StreamSession,
    private readonly handlers: StreamHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.teardown();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  private connect(): void {
    this.teardown();
    const session = this.openSession();
    this.handlers.onState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let socket: WebSocket;
    try {
      socket = new WebSocket(session.url);
    } catch (error) {
      this.handlers.onError(`cannot open ${session.url}: ${String(error)}`, 'socket');
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.lastFrameAt = Date.now();
      for (const frame of session.onOpen()) socket.send(frame);
      this.handlers.onState('connected');
      this.every(session.heartbeat.intervalMs, () => {
        if (Date.now() - this.lastFrameAt > SILENCE_LIMIT_MS) {
          this.handlers.onError('socket silent for 60 s; reconnecting', 'socket');
          socket.close();
          return;
        }
        socket.send(session.heartbeat.message);
      });
      // Reconnect on our terms before the venue cuts the connection.
      this.timers.push(setTimeout(() => socket.close(1000, 'connection cap'), session.maxConnectionMs));
    };
    socket.onmessage = (event) => {
      this.lastFrameAt = Date.now();
      this.attempt = 0;
      this.handlers.onFrame();
      if (typeof event.data !== 'string') return;
      try {
        const output = session.onMessage(event.data);
        for (const reply of output.replies) socket.send(reply);
        this.handlers.onOutput(output);
      } catch (error) {
        this.handlers.onError(error instanceof VenueDataError ? error.message : `stream handler failed: ${String(error)}`, 'badData');
      }
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      if (this.stopped) return;
      if (event.code !== 1000) this.handlers.onError(`socket closed (code ${event.code}${event.reason ? `: ${event.reason}` : ''})`, 'socket');
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.handlers.onState('reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private every(ms: number, fn: () => void): void {
    this.timers.push(setInterval(fn, ms));
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private teardown(): void {
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, 'teardown');
  }
}
