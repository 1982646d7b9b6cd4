/**
 * Each committed scenario replayed through the real FlushEngine: the phase (and side) at the
 * moments that matter, and no NaN anywhere in any reading.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScopeReading } from '../src/core/engine';
import type { Phase } from '../src/core/flush';
import { replayReadings } from '../tools/replay/replay';
import type { Scenario } from '../tools/replay/scenario';
import { parseScenario } from '../tools/replay/scenario-validate';

type Timeline = Map<number, Record<string, ScopeReading>>;

function load(name: string): Scenario {
  return parseScenario(JSON.parse(readFileSync(fileURLToPath(new URL(`../scenarios/${name}`, import.meta.url)), 'utf8')));
}

/** Replays once and keeps every reading by simulated minute. */
function replay(name: string): Timeline {
  const timeline: Timeline = new Map();
  for (const step of replayReadings(load(name))) timeline.set(step.t / 60_000, step.readings.scopes);
  return timeline;
}

function at(timeline: Timeline, minute: number, scope = 'ALL'): ScopeReading {
  const reading = timeline.get(minute)?.[scope];
  if (!reading) throw new Error(`no reading for ${scope} at minute ${minute}`);
  return reading;
}

function phases(timeline: Timeline, from: number, to: number, scope = 'ALL'): Phase[] {
  const out: Phase[] = [];
  for (let m = from; m <= to; m++) out.push(at(timeline, m, scope).verdict.phase);
  return out;
}

function expectPhase(timeline: Timeline, from: number, to: number, phase: Phase, side: 'long' | 'short' | null, scopes = ['ALL', 'BTC', 'ETH', 'SOL']): void {
  for (const scope of scopes) {
    for (let m = from; m <= to; m++) {
      const { verdict } = at(timeline, m, scope);
      expect({ scope, minute: m, phase: verdict.phase, side: verdict.side }).toEqual({ scope, minute: m, phase, side });
    }
  }
}

/** Walks a reading and returns the path of the first NaN/Infinity, or null. */
function findNonFinite(value: unknown, path = ''): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const bad = findNonFinite(v, `${path}[${i}]`);
      if (bad) return bad;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const bad = findNonFinite(v, `${path}.${k}`);
      if (bad) return bad;
    }
  }
  return null;
}

function expectAllFinite(timeline: Timeline): void {
  for (const [minute, scopes] of timeline) {
    const bad = findNonFinite(scopes);
    if (bad) throw new Error(`non-finite number at minute ${minute}: ${bad}`);
  }
}

describe('long-flush-99m: $99M in one hour, 90% longs, then exhaustion', () => {
  let tl: Timeline;
  beforeAll(() => {
    tl = replay('long-flush-99m.json');
  });

  it('warms up while its first hour of liquidations is counted, then reads calm during the lead-in', () => {
    expectPhase(tl, 5, 58, 'warming', null);
    expect(at(tl, 30).verdict.reasons.find((r) => r.code === 'liq-coverage')).toMatchObject({ value: 30, threshold: 60, args: [{ minutes: 30 }, { minutes: 30 }] });
    expectPhase(tl, 60, 60, 'calm', null);
    expect(at(tl, 60).verdict.reasons.some((r) => r.code === 'liq-coverage')).toBe(false);
  });

  it('reads crowded (long) while longs pile in before the drop', () => {
    expectPhase(tl, 66, 70, 'crowded', 'long', ['ALL']);
  });

  it('is flushing, side long, pressure high, within the flush hour', () => {
    expectPhase(tl, 82, 110, 'flushing', 'long');
    for (let m = 82; m <= 110; m++) expect(at(tl, m).verdict.pressure).toBeGreaterThanOrEqual(70);
    const peak = at(tl, 100);
    expect(peak.liq1h.longShare).toBeGreaterThan(0.85);
    expect(peak.signals.oiDrawdown1h).toBeLessThan(-0.05);
    expect(peak.verdict.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['decay', 'intensity', 'side-share', 'oi-drop-1h', 'perp-led']));
  });

  it('shows about $99M liquidated in one hour', () => {
    const maxLiq1h = Math.max(...[...tl.values()].map((s) => s.ALL!.liq1h.totalUsd));
    expect(maxLiq1h).toBeGreaterThan(95e6);
    expect(maxLiq1h).toBeLessThan(103e6);
  });

  it('turns to exhaustion after the rate decays, OI reset and funding flipped negative, and stays there', () => {
    expectPhase(tl, 125, 185, 'exhaustion', 'long');
    const late = at(tl, 170);
    expect(late.signals.oiChangeSinceFlush).toBeLessThan(-0.06);
    expect(late.signals.fundingFlip).toBe('to-negative');
    expect(late.signals.decayFromPeak).toBeLessThan(0.1);
    expect(late.verdict.pressure).toBeLessThan(40);
    // since = when exhaustion began, not the reading time.
    expect(late.verdict.since).toBe(at(tl, 125).verdict.since);
  });

  it('puts the flush start near when the cascade began', () => {
    const started = at(tl, 100).signals.flushStartedAt!;
    const startMin = (started - load('long-flush-99m.json').start) / 60_000;
    expect(startMin).toBeGreaterThanOrEqual(69);
    expect(startMin).toBeLessThanOrEqual(74);
    expect(at(tl, 100).verdict.since).toBe(started);
  });

  it('never holds NaN or Infinity', () => {
    expectAllFinite(tl);
  });

  // The 24 h bars' sum to the 24 h total: test/history-chart.test.ts (the bars are asked for on demand, not in the reading).
  it('knows the day\'s largest 1 h move', () => {
    const r = at(tl, 150);
    expect(r.largestMove1h24h).toBeGreaterThan(0.03);
  });
});

describe('flush-471m-day: $471M in 24 h while price stayed green and spot calm', () => {
  let tl: Timeline;
  beforeAll(() => {
    tl = replay('flush-471m-day.json');
  });

  it('totals about $471M over the day', () => {
    const end = at(tl, 1445);
    expect(end.liq24h.totalUsd).toBeGreaterThan(465e6);
    expect(end.liq24h.totalUsd).toBeLessThan(477e6);
  });

  it('flushes longs through the three waves, with the perp-led context', () => {
    expectPhase(tl, 435, 590, 'flushing', 'long', ['ALL', 'BTC']);
    const codes = at(tl, 500).verdict.reasons.map((r) => r.code);
    expect(codes).toContain('perp-led');
  });

  it('reads exhaustion afterwards, then calm once the flush is hours old; never releveraging', () => {
    expectPhase(tl, 610, 760, 'exhaustion', 'long', ['ALL']);
    expectPhase(tl, 790, 1445, 'calm', null, ['ALL']);
    expect(phases(tl, 1, 1445)).not.toContain('releveraging');
    expect(phases(tl, 1, 1445)).not.toContain('continuation');
  });

  it('ends the day green on BTC and ETH', () => {
    expect(at(tl, 1445, 'BTC').signals.priceChange24h).toBeGreaterThan(0);
    expect(at(tl, 1445, 'ETH').signals.priceChange24h).toBeGreaterThan(0);
    // Exactly a day of data: nothing 24 h before the last-but-five minute, so unknown, not NaN.
    expect(at(tl, 1440, 'BTC').signals.priceChange24h).toBeNull();
  });

  it('never holds NaN or Infinity', () => {
    expectAllFinite(tl);
  });
});

describe('rebuild: fast OI rebuild with funding flipped hard', () => {
  let tl: Timeline;
  beforeAll(() => {
    tl = replay('rebuild.json');
  });

  it('flushes longs, then exhausts', () => {
    expectPhase(tl, 130, 165, 'flushing', 'long');
    expectPhase(tl, 180, 260, 'exhaustion', 'long');
  });

  it('reads releveraging with shorts piling in once OI rebuilds', () => {
    expectPhase(tl, 290, 480, 'releveraging', 'short');
    const r = at(tl, 360);
    expect(r.signals.oiRebuildFromTrough).toBeGreaterThan(0.08);
    expect(r.signals.funding8h).toBeLessThan(-0.0004);
    expect(r.verdict.reasons.find((x) => x.code === 'funding-other-side')?.met).toBe(true);
  });
});

describe('failure-to-reclaim: the flush becomes a trend', () => {
  let tl: Timeline;
  beforeAll(() => {
    tl = replay('failure-to-reclaim.json');
  });

  it('flushes longs, then exhausts', () => {
    expectPhase(tl, 130, 165, 'flushing', 'long');
    expectPhase(tl, 180, 240, 'exhaustion', 'long');
  });

  it('reads continuation (long) when OI is back near pre-flush, price fails, funding elevated', () => {
    expectPhase(tl, 370, 480, 'continuation', 'long');
    const r = at(tl, 420);
    expect(r.signals.oiChangeSinceFlush).toBeGreaterThan(-0.015);
    expect(r.signals.priceChangeSinceFlush).toBeLessThan(-0.01);
    expect(r.signals.funding8h).toBeGreaterThan(0.0003);
    expect(r.liq1h.longShare).toBeGreaterThan(0.6);
    expect(r.verdict.pressure).toBeGreaterThanOrEqual(55);
  });
});

describe('calm-day: 24 h of noise with small bursts', () => {
  let tl: Timeline;
  beforeAll(() => {
    tl = replay('calm-day.json');
  });

  it('is never flushing (nor any post-flush phase) at any minute in any scope', () => {
    for (const [minute, scopes] of tl) {
      for (const r of Object.values(scopes)) {
        const allowed = minute < 60 ? ['warming', 'crowded'] : ['calm', 'crowded'];
        if (!allowed.includes(r.verdict.phase)) throw new Error(`${r.scope} ${r.verdict.phase} at minute ${minute}`);
      }
    }
  });

  it('does see the bursts (they are not filtered away)', () => {
    // ETH burst of $2M over minutes 820–826: the 15 min rate jumps far above ETH's usual.
    const r = at(tl, 828, 'ETH');
    expect(r.signals.intensityNow).toBeGreaterThan(5);
    expect(r.verdict.phase).toBe('calm');
    expect(r.verdict.reasons.some((x) => !x.met)).toBe(true);
  });

  it('uses the median baseline once four hours are collected', () => {
    expect(at(tl, 200).signals.baselineSource).toBe('short-history-floor');
    expect(at(tl, 600).signals.baselineSource).toBe('median');
    expect(at(tl, 600).signals.baselineUsdPerHour).toBeGreaterThan(1.5e6);
    expect(at(tl, 600).signals.baselineUsdPerHour).toBeLessThan(4e6);
  });

  it('never holds NaN or Infinity', () => {
    expectAllFinite(tl);
  });
});

describe('short-squeeze: shorts liquidated', () => {
  let tl: Timeline;
  beforeAll(() => {
    tl = replay('short-squeeze.json');
  });

  it('reads crowded short, then flushing short, then exhaustion short', () => {
    expectPhase(tl, 90, 104, 'crowded', 'short', ['ALL']);
    expectPhase(tl, 112, 140, 'flushing', 'short');
    expectPhase(tl, 160, 240, 'exhaustion', 'short');
    expect(at(tl, 200).signals.fundingFlip).toBe('to-positive');
  });
});
