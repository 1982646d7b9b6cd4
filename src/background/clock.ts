/**
 * The worker's clock: the time its liquidation windows, market history, dedupe, stream gaps,
 * skew estimates and readings are measured in. In the product it is the wall clock.
 *
 * The demo (and tests) replay a scenario faster than real time, and a window measured on the
 * wall clock would then hold `speed` hours of scenario per hour. They put the worker on a
 * *scenario clock* instead by writing storage.local `scenarioClock: { wallAt, clockAt, speed }`:
 * at wall time `wallAt` the clock reads `clockAt` and it runs `speed`× real time. The mock
 * exchange stamps its data on the same clock (MockExchange `scenarioClock` option). When the
 * key appears, changes or goes away, the worker starts over as a fresh install on the new clock.
 * Timers that talk to venues (stream silence, rate-limit pauses, request timeouts) and the
 * sources' poll and error times stay on real time.
 *
 * Pure (no browser API). The pages age readings with src/core/scenario-time.ts alone.
 */
import { BUS_KEYS } from '../core/bus';
import { scenarioTime, type ScenarioClock } from '../core/scenario-time';

export { readingsNow, scenarioTime, type ScenarioClock } from '../core/scenario-time';

/** The storage.local key that puts the worker on a scenario clock (absent: the wall clock). */
export const SCENARIO_CLOCK_KEY = BUS_KEYS.scenarioClock;
/** storage.local: the scenario clock the worker's stored state was built on (absent: the wall clock). */
export const CLOCK_APPLIED_KEY = 'scenarioClockApplied';

export interface Clock {
  now(): number;
  /** The scenario clock in force, null on the wall clock. */
  readonly scenario: ScenarioClock | null;
}

export const wallClock: Clock = { now: () => Date.now(), scenario: null };

/** The fastest scenario clock accepted (a day of scenario in under 9 s). */
export const MAX_SPEED = 10_000;

/** The wall clock, or the scenario clock `setting` when one is given. */
export function clockOf(setting: ScenarioClock | null): Clock {
  if (!setting) return wallClock;
  return { now: () => scenarioTime(setting, Date.now()), scenario: setting };
}

/** The stored value as a scenario clock; anything malformed is no clock (the wall clock). */
export function parseScenarioClock(value: unknown): ScenarioClock | null {
  if (typeof value !== 'object' || value === null) return null;
  const { wallAt, clockAt, speed } = value as Record<string, unknown>;
  const time = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
  if (!time(wallAt) || !time(clockAt) || typeof speed !== 'number' || !(speed > 0 && speed <= MAX_SPEED)) return null;
  return { wallAt, clockAt, speed };
}

export function sameClock(a: ScenarioClock | null, b: ScenarioClock | null): boolean {
  if (a === null || b === null) return a === b;
  return a.wallAt === b.wallAt && a.clockAt === b.clockAt && a.speed === b.speed;
}

/**
 * Never more often than this, however fast the clock: each poll asks every venue (24 requests).
 * At 160× (the e2e) two polls a second cost the worker ~25 % of a core and Chromium's browser
 * and network processes ~30 % more, on 2 cores.
 */
export const MIN_SAMPLING_MS = 500;

/**
 * How often the worker polls the venues on a scenario clock: once per scenario minute, or as
 * often as MIN_SAMPLING_MS allows. Null on the wall clock (the 30 s alarm samples often enough).
 */
export function samplingPeriodMs(clock: ScenarioClock | null): number | null {
  if (!clock || clock.speed <= 2) return null;
  return Math.max(MIN_SAMPLING_MS, Math.round(60_000 / clock.speed));
}
