/**
 * The demo's scenario clock as stored (storage.local `scenarioClock`, src/background/clock.ts):
 * the arithmetic alone, so the page meter can age readings on it for a few bytes.
 */
export interface ScenarioClock {
  /** Wall time (ms) at which the clock reads `clockAt`. */
  wallAt: number;
  /** Clock time (ms) at `wallAt`. */
  clockAt: number;
  /** Clock ms per wall ms (1 = real time). */
  speed: number;
}

/** Clock time at wall time `wall` on `clock`. */
export function scenarioTime(clock: ScenarioClock, wall: number): number {
  return clock.clockAt + (wall - clock.wallAt) * clock.speed;
}

/** Now on the clock the readings are on: the scenario clock when there is one, else the wall clock. */
export function readingsNow(clock: ScenarioClock | null | undefined, wall = Date.now()): number {
  return clock ? scenarioTime(clock, wall) : wall;
}
