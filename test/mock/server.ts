/**
 * The mock exchange: one HTTPS + WSS server on 127.0.0.1 that answers for every venue's API
 * hosts (routed by Host header, so Chromium's --host-resolver-rules can point real hostnames
 * here) and serves stand-in trading pages. It replays a scenario on a wall clock:
 * events before `startAt` are backdated one-to-one and delivered to the first subscriber;
 * later events are played live at `speed` × real time, stamped with the time they are sent.
 *
 * With `scenarioClock` it stamps everything on a scenario clock instead (the demo): scenario
 * time t is clock time anchor + t, one to one, so an hour of scenario is an hour of timestamps
 * however fast it plays; live liquidations carry their scenario instant, market answers and
 * history endpoints the clock's now. The extension follows the same clock when told
 * `scenarioClock()` (src/background/clock.ts). Liquidations before `startAt` are then history
 * only (REST liquidation histories), as for an extension installed at `startAt`.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { generate } from 'selfsigned';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Scenario, ScenarioLiquidationEvent, ScenarioMarketEvent } from '../../tools/replay/scenario';
import type { VenueId } from '../../src/core/model';
import { MockReject, type MockHistoryRow, type MockMarketView, type MockVenue, type MockWsConnection } from './types';
import { mockVenues } from './venues';
import { PAGES as SITE_PAGE_FILES, STAND_IN_SCRIPT } from '../fixtures/pages';
import type { ScenarioClock } from '../../src/background/clock';

export type PlayedLiquidation = ScenarioLiquidationEvent & { time: number };

export interface MockOptions {
  scenario: Scenario;
  /** Scenario time (ms since start) already in the past when the mock starts. Default: the scenario's end. */
  startAt?: number;
  /** Live replay speed after `startAt` (1 = real time). */
  speed?: number;
  venues?: MockVenue[];
  /**
   * Stamp everything on the scenario clock (clock time = anchor + t) instead of the wall clock.
   * The anchor defaults to the wall time at which the replay starts, less `startAt`.
   */
  scenarioClock?: boolean | { anchor: number };
  /** Hold the replay at `startAt` until play() (the server answers meanwhile). */
  paused?: boolean;
}

export interface RequestLogEntry {
  host: string;
  path: string;
  status: number;
  at: number;
}

/** Trading pages the mock serves, by hostname: one stand-in page per supported site. */
const PAGES: Record<string, string> = SITE_PAGE_FILES;

/** A failure the mock answers with instead of the venue's data (reliability tests). */
export type HttpFault = { status: number; headers?: Record<string, string>; body?: string } | { truncate: true };

interface Client {
  venue: MockVenue;
  socket: WebSocket;
  connection: MockWsConnection;
  /** The URL the client opened, with the Host header it sent (a port included). */
  url: string;
  /** The client's distinct text frames so far (subscriptions, a ping), in the order first sent: bounded however long it runs. */
  sent: string[];
}

/** An open client socket as the client opened it: what another client must send to be sent the same frames. */
export interface OpenSocket {
  venue: VenueId;
  url: string;
  sent: readonly string[];
}

export class MockExchange {
  readonly requests: RequestLogEntry[] = [];
  private server: Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients = new Set<Client>();
  private readonly venues: MockVenue[];
  private readonly scenario: Scenario;
  private readonly startAt: number;
  private readonly speed: number;
  private wallStart = 0;
  private paused: boolean;
  /** On the scenario clock: clock time of scenario t = anchor + t. Null: the wall clock. */
  private anchor: number | null = null;
  private readonly fixedAnchor: number | null;
  /** Liquidations at or before startAt, waiting for a subscriber, per venue. */
  private readonly backlog = new Map<VenueId, PlayedLiquidation[]>();
  private readonly played: PlayedLiquidation[] = [];
  private nextEvent = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly httpFaults = new Map<string, HttpFault>();
  private readonly socketsRefusedUntil = new Map<VenueId, number>();
  port = 0;

  constructor(options: MockOptions) {
    this.scenario = options.scenario;
    const end = options.scenario.events.at(-1)?.t ?? 0;
    this.startAt = options.startAt ?? end;
    this.speed = options.speed ?? 1;
    this.venues = options.venues ?? mockVenues;
    this.paused = options.paused ?? false;
    this.fixedAnchor = typeof options.scenarioClock === 'object' ? options.scenarioClock.anchor : null;
    if (options.scenarioClock) this.anchor = this.fixedAnchor ?? 0;
  }

  async start(): Promise<number> {
    const pems = await generate([{ name: 'commonName', value: 'flush-meter-mock' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: this.hostnames().map((value) => ({ type: 2 as const, value })) }],
    });
    this.setWallStart();
    this.queueBacklog();
    this.server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => this.onHttp(req, res));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as Socket, head));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    this.timer = setInterval(() => this.playDue(), 50);
    return this.port;
  }

  /** Starts a replay held by `paused`: scenario time runs from `startAt` now. Returns the clock to give the extension. */
  play(): ScenarioClock {
    if (this.paused) {
      this.paused = false;
      this.setWallStart();
      // What was backdated before is backdated from now.
      for (const event of this.played) event.time = this.timeOf(event.t);
    }
    return this.scenarioClock();
  }

  /**
   * The mock's clock as the extension's storage.local `scenarioClock` (src/background/clock.ts):
   * the clock the mock stamps with, running `speed`× from `startAt`.
   */
  scenarioClock(): ScenarioClock {
    if (this.anchor === null) throw new Error('MockExchange: scenarioClock() needs the scenarioClock option');
    return { wallAt: this.wallStart, clockAt: this.anchor + this.startAt, speed: this.speed };
  }

  /** The time the mock stamps now: the scenario clock's, or the wall clock's. */
  now(): number {
    return this.anchor === null ? Date.now() : this.anchor + this.scenarioNow();
  }

  /** The timestamp scenario instant `t` carries (backdated events, history rows, live liquidations on the scenario clock). */
  timeOf(t: number): number {
    return this.anchor === null ? this.wallTimeOf(t) : this.anchor + t;
  }

  private setWallStart(): void {
    this.wallStart = Date.now();
    if (this.anchor !== null && this.fixedAnchor === null) this.anchor = this.wallStart - this.startAt;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const client of this.clients) client.socket.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  /** Every hostname the mock answers for (API hosts and trading pages). */
  hostnames(): string[] {
    return [...new Set([...this.venues.flatMap((v) => v.hosts), ...Object.keys(PAGES)])];
  }

  /** The Chromium flag value that routes every hostname here. */
  hostResolverRules(): string {
    return this.hostnames()
      .map((host) => `MAP ${host} 127.0.0.1:${this.port}`)
      .join(', ');
  }

  /** Scenario time now (ms since the scenario's start). */
  scenarioNow(): number {
    return this.paused ? this.startAt : this.startAt + (Date.now() - this.wallStart) * this.speed;
  }

  /** Wall-clock time of a scenario instant under this replay's mapping. */
  wallTimeOf(t: number): number {
    return t <= this.startAt ? this.wallStart - (this.startAt - t) : this.wallStart + (t - this.startAt) / this.speed;
  }

  /** Send a liquidation now, as the venue would, to every subscribed client. */
  pushLiquidation(event: Omit<ScenarioLiquidationEvent, 't' | 'type'>): PlayedLiquidation {
    const played: PlayedLiquidation = { ...event, type: 'liquidation', t: this.scenarioNow(), time: this.now() };
    this.broadcast(played);
    return played;
  }

  /** Sends a market update now on the streams that carry one (MockWsConnection.marketFrames); returns the frames sent. */
  pushMarket(event: Omit<ScenarioMarketEvent, 't' | 'type'>): number {
    const market: ScenarioMarketEvent = { ...event, type: 'market', t: this.scenarioNow() };
    let sent = 0;
    for (const client of this.clients) {
      if (client.venue.id !== event.venue) continue;
      for (const frame of client.connection.marketFrames?.(market, this.view(event.venue)) ?? []) (client.socket.send(frame), (sent += 1));
    }
    return sent;
  }

  /** Answers every REST request to `host` with `fault` (null restores the venue). */
  setHttpFault(host: string, fault: HttpFault | null): void {
    if (fault) this.httpFaults.set(host, fault);
    else this.httpFaults.delete(host);
  }

  /** Closes every socket of the venue (as a venue restart does) and refuses new ones for `refuseMs`. */
  dropSockets(venue: VenueId, refuseMs = 0): void {
    this.socketsRefusedUntil.set(venue, Date.now() + refuseMs);
    for (const client of this.clients) if (client.venue.id === venue) client.socket.terminate();
  }

  /** Open client sockets per venue. */
  socketCount(venue: VenueId): number {
    return [...this.clients].filter((c) => c.venue.id === venue && c.socket.readyState === c.socket.OPEN).length;
  }

  /** Every open client socket: its URL and the frames the client sent on it (bench/worker.bench.ts replays them). */
  openSockets(): OpenSocket[] {
    return [...this.clients].filter((c) => c.socket.readyState === c.socket.OPEN).map((c) => ({ venue: c.venue.id, url: c.url, sent: [...c.sent] }));
  }

  /** Liquidations delivered or backdated so far. */
  playedLiquidations(): readonly PlayedLiquidation[] {
    return this.played;
  }

  private view(venue: VenueId): MockMarketView {
    const now = this.scenarioNow();
    return {
      now: this.now(),
      market: (asset) => this.latestMarket(venue, asset, now),
      assets: () => [...new Set(this.scenario.events.filter((e) => e.venue === venue && e.type === 'market').map((e) => e.asset))],
      marketHistory: (asset, periodMs, limit) => this.marketHistory(venue, asset, periodMs, limit),
      playedLiquidations: () => this.played.filter((e) => e.venue === venue),
    };
  }

  /** The scenario's market rows already in the past, one per period, stamped on the mock's clock (wall or scenario). */
  private marketHistory(venue: VenueId, asset: string, periodMs: number, limit: number): MockHistoryRow[] {
    const now = this.now();
    const out: MockHistoryRow[] = [];
    for (let i = limit; i >= 1; i--) {
      const time = Math.floor((now - i * periodMs) / periodMs) * periodMs;
      const row = this.latestMarket(venue, asset, this.scenarioTimeAt(time), false);
      if (row) out.push({ time, price: row.price, markPrice: row.markPrice, fundingRate8h: row.fundingRate8h, openInterestUsd: row.openInterestUsd });
    }
    return out;
  }

  /** Inverse of timeOf. */
  private scenarioTimeAt(time: number): number {
    if (this.anchor !== null) return time - this.anchor;
    return time <= this.wallStart ? this.startAt - (this.wallStart - time) : this.startAt + (time - this.wallStart) * this.speed;
  }

  private latestMarket(venue: VenueId, asset: string, now: number, fallbackToFirst = true): ScenarioMarketEvent | undefined {
    let latest: ScenarioMarketEvent | undefined;
    for (const event of this.scenario.events) {
      if (event.t > now) break;
      if (event.type === 'market' && event.venue === venue && event.asset === asset) latest = event;
    }
    // Before the first row, show the first one: a venue always has a market (history has no rows yet).
    if (latest || !fallbackToFirst) return latest;
    return this.scenario.events.find((e): e is ScenarioMarketEvent => e.type === 'market' && e.venue === venue && e.asset === asset);
  }

  private queueBacklog(): void {
    for (const event of this.scenario.events) {
      if (event.t > this.startAt) break;
      this.nextEvent += 1;
      if (event.type !== 'liquidation') continue;
      const played = { ...event, time: this.timeOf(event.t) };
      this.played.push(played);
      // On the scenario clock the extension is installed at startAt: what came before is history, not stream.
      if (this.anchor !== null) continue;
      const queue = this.backlog.get(event.venue) ?? [];
      queue.push(played);
      this.backlog.set(event.venue, queue);
    }
  }

  private playDue(): void {
    const now = this.scenarioNow();
    while (this.nextEvent < this.scenario.events.length && this.scenario.events[this.nextEvent]!.t <= now) {
      const event = this.scenario.events[this.nextEvent++]!;
      if (event.type === 'liquidation') this.broadcast({ ...event, time: this.anchor === null ? Date.now() : this.anchor + event.t });
    }
  }

  private broadcast(event: PlayedLiquidation): void {
    if (!this.played.includes(event)) this.played.push(event);
    for (const client of this.clients) {
      if (client.venue.id !== event.venue) continue;
      for (const frame of client.connection.liquidationFrames(event, this.view(event.venue))) client.socket.send(frame);
    }
  }

  /** Hands backlogged liquidations to a client that now subscribes to them. */
  private deliverBacklog(client: Client): void {
    const queue = this.backlog.get(client.venue.id);
    if (!queue?.length) return;
    const view = this.view(client.venue.id);
    const left: PlayedLiquidation[] = [];
    for (const event of queue) {
      const frames = client.connection.liquidationFrames(event, view);
      if (frames.length === 0) left.push(event);
      for (const frame of frames) client.socket.send(frame);
    }
    this.backlog.set(client.venue.id, left);
  }

  private venueFor(host: string | undefined): MockVenue | undefined {
    const name = (host ?? '').replace(/:\d+$/, '');
    return this.venues.find((v) => v.hosts.includes(name));
  }

  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const url = new URL(req.url ?? '/', `https://${host}`);
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const send = (status: number, payload: string, type: string) => {
        this.requests.push({ host, path: url.pathname + url.search, status, at: Date.now() });
        res.writeHead(status, { 'content-type': type, 'access-control-allow-origin': '*' });
        res.end(payload);
      };
      // www.okx.com and www.bitmex.com are both API hosts and page hosts: /api/… is the venue.
      const page = url.pathname.startsWith('/api/') && this.venueFor(host) ? undefined : PAGES[host];
      // What the stand-in pages share is one script, served beside each of them.
      if (page && url.pathname === STAND_IN_SCRIPT) return send(200, readFileSync(fileURLToPath(new URL('../fixtures/pages/stand-in.js', import.meta.url)), 'utf8'), 'text/javascript; charset=utf-8');
      if (page) return send(200, readFileSync(fileURLToPath(new URL(`../fixtures/pages/${page}`, import.meta.url)), 'utf8'), 'text/html; charset=utf-8');
      const venue = this.venueFor(host);
      if (!venue) return send(404, JSON.stringify({ error: `no mock for ${host}` }), 'application/json');
      const fault = this.httpFaults.get(host);
      if (fault && 'truncate' in fault) return send(200, '{"code":"0","data":[{"instId":"BTC-USDT-SW', 'application/json');
      if (fault) {
        for (const [name, value] of Object.entries(fault.headers ?? {})) res.setHeader(name, value);
        return send(fault.status, fault.body ?? JSON.stringify({ error: `fault ${fault.status}` }), 'application/json');
      }
      const answer = venue.http({ method: req.method ?? 'GET', host, path: url.pathname, query: url.searchParams, body }, this.view(venue.id));
      for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
      send(answer.status, JSON.stringify(answer.body), 'application/json');
    });
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const venue = this.venueFor(host);
    let connection: MockWsConnection;
    try {
      if (!venue) throw new MockReject(`no mock for ${host}`, undefined, 404);
      if ((this.socketsRefusedUntil.get(venue.id) ?? 0) > Date.now()) throw new MockReject('venue is restarting', undefined, 503);
      connection = venue.connect(host, req.url ?? '/');
    } catch (error) {
      const status = error instanceof MockReject ? error.status : 500;
      this.requests.push({ host, path: req.url ?? '/', status, at: Date.now() });
      socket.end(`HTTP/1.1 ${status} Rejected\r\nContent-Type: text/plain\r\n\r\n${String((error as Error).message)}`);
      return;
    }
    this.requests.push({ host, path: req.url ?? '/', status: 101, at: Date.now() });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const client: Client = { venue: venue!, socket: ws, connection, url: `wss://${req.headers.host ?? host}${req.url ?? '/'}`, sent: [] };
      this.clients.add(client);
      ws.on('close', () => this.clients.delete(client));
      ws.on('message', (data) => this.onClientFrame(client, data.toString()));
      this.deliverBacklog(client);
    });
  }

  private onClientFrame(client: Client, text: string): void {
    if (!client.sent.includes(text)) client.sent.push(text);
    try {
      for (const reply of client.connection.onMessage(text, this.view(client.venue.id))) client.socket.send(reply);
      this.deliverBacklog(client);
    } catch (error) {
      if (!(error instanceof MockReject)) throw error;
      this.requests.push({ host: client.venue.hosts[0]!, path: `ws-frame:${text.slice(0, 80)}`, status: error.status, at: Date.now() });
      if (error.frame) client.socket.send(error.frame);
      client.socket.close(1008, error.message.slice(0, 100));
    }
  }
}
