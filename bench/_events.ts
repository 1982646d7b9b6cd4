import { MockExchange } from '../test/mock/server';
import { longFlushHour } from '../test/e2e/scenarios';
import { venues } from '../src/venues';
import { mockVenues } from '../test/mock/venues';
import type { VenueId } from '../src/core/model';
import { Deduper } from '../src/core/dedupe';
import { FlushEngine } from '../src/core/engine';
import { COMPLETENESS } from './synthetic-day';
const liqVenues = (Object.keys(venues) as VenueId[]).filter((id) => venues[id].completeness !== 'none');
const mock = new MockExchange({ scenario: longFlushHour(liqVenues) }) as any;
const PRICES: Record<string, number> = { BTC: 72000, ETH: 2100, SOL: 90 };
// instruments: fetch each venue's catalogue through the mock http
const { InstrumentCatalogue } = await import('../src/background/catalogue');
const results: string[] = [];
const engine = new FlushEngine(COMPLETENESS, Date.now());
const deduper = new Deduper();
for (const id of liqVenues) {
  const adapter = venues[id];
  const mv = mockVenues.find((v: any) => v.id === id)!;
  // instrument lists via the mock's http
  const instruments: any[] = [];
  for (const req of adapter.instrumentRequests?.() ?? []) {
    const u = new URL(req.url);
    const res = mv.http({ method: 'GET', host: u.host, path: u.pathname, query: u.searchParams, body: '' }, mock.view(id));
    try { instruments.push(...adapter.parseInstruments(req.key, res.body)); } catch (e) { console.log(id, 'instr', String(e).slice(0, 100)); }
  }
  const sessions = adapter.openStreams(['BTC', 'ETH', 'SOL'], instruments);
  let frames: string[] = [];
  for (const s of sessions) {
    const u = new URL(s.url);
    const conn = mv.connect(u.host, u.pathname + u.search);
    for (const m of s.onOpen()) conn.onMessage(m, mock.view(id));
    for (const asset of ['BTC', 'ETH', 'SOL']) frames.push(...conn.liquidationFrames({ type: 'liquidation', t: 0, time: Date.now(), venue: id, asset, side: 'long', price: PRICES[asset]!, notionalUsd: 50_000 }, mock.view(id)).map((f: string) => f));
    if (frames.length) { (globalThis as any).sess = s; break; }
  }
  const session = (globalThis as any).sess;
  if (!frames.length) { results.push(`${id}: no frames`); continue; }
  const N = 20000;
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < N; i++) { const out = session.onMessage(frames[i % frames.length]!); n += out.liquidations.length; }
  const parseUs = ((performance.now() - t0) * 1000) / N;
  const t1 = performance.now();
  let k = 0;
  for (let i = 0; i < N; i++) { const now = Date.now(); const out = session.onMessage(frames[i % frames.length]!); for (const l of out.liquidations) { const l2 = { ...l, time: now - (i % 1000), notionalUsd: 1000 + i }; if (deduper.admitStreamed(l2, now)) { engine.ingestLiquidation(l2, now); k++; } } }
  const allUs = ((performance.now() - t1) * 1000) / N;
  results.push(`${id}: ${frames.length} frames, parse ${parseUs.toFixed(1)} µs/frame, +dedupe+engine ${allUs.toFixed(1)} µs/frame (${n / N} liq/frame)`);
}
console.log(results.join('\n'));
