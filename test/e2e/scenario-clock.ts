/**
 * The extension on the mock's scenario clock (src/background/clock.ts), for the demo and the e2e
 * test: install it at the replay's start minute, follow its verdicts minute by minute on the
 * worker's own clock, and compare them with `npm run replay` of the same scenario.
 */
import type { ScenarioClock } from '../../src/background/clock';
import { CLOCK_APPLIED_KEY, SCENARIO_CLOCK_KEY } from '../../src/background/clock';
import { BUS_KEYS } from '../../src/core/bus';
import type { ReadingSet } from '../../src/core/engine';
import type { Phase } from '../../src/core/flush';
import type { VenueId } from '../../src/core/model';
import { replayReadings } from '../../tools/replay/replay';
import type { Scenario } from '../../tools/replay/scenario';
import { venues } from '../../src/venues';
import type { MockExchange } from '../mock/server';
import { extensionStorage, waitFor, writeExtensionStorage, type Browser, publishedReadings } from './harness';

const MINUTE = 60_000;

/** Venues with a REST liquidation history, as `npm run replay` counts them for an install (scripts/replay.ts). */
const LIQUIDATION_HISTORY = Object.values(venues)
  .filter((venue) => venue.gapRequests)
  .map((venue) => venue.id as VenueId);

/** Scenario minute of a reading taken at scenario time t, as the replay numbers its rows (row k: events before minute k). */
export function minuteOf(t: number): number {
  return Math.ceil(t / MINUTE);
}

/**
 * A paused mock with the scenarioClock option, Chromium already on it: waits for the extension's
 * first boot, starts the replay and puts the worker on the mock's clock, which makes it start over
 * as a fresh install at the mock's `startAt`. Resolves once the worker took the clock.
 */
export async function installOnScenarioClock(browser: Browser, mock: MockExchange): Promise<ScenarioClock> {
  // The first boot (wall clock) polls before it streams; the clock change waits for it in the worker anyway.
  await waitFor(() => publishedReadings(browser), (r) => Object.keys(r?.scopes ?? {}).length > 1, 30_000, 'first boot');
  const clock = mock.play();
  await writeExtensionStorage(browser, 'local', { [SCENARIO_CLOCK_KEY]: clock });
  await waitFor(() => extensionStorage<ScenarioClock>(browser, 'local', CLOCK_APPLIED_KEY), (applied) => applied?.wallAt === clock.wallAt, 10_000, 'worker on the scenario clock');
  return clock;
}

export interface PhaseChange {
  minute: number;
  phase: Phase;
}

/** The worker's verdicts per scope, each stamped with the scenario minute of the worker's own clock. */
export class PhaseRecorder {
  private readonly seen = new Map<string, PhaseChange[]>();
  /** Scenario minute of the newest reading. */
  minute = 0;
  latest: ReadingSet | undefined;

  constructor(
    private readonly browser: Browser,
    private readonly clock: ScenarioClock,
    /** Scenario time (ms) at clock.clockAt: the mock's startAt. */
    private readonly startAt: number,
  ) {}

  /** Reads the newest readings and notes each scope's phase if it changed. */
  async sample(): Promise<void> {
    const readings = await publishedReadings(this.browser).catch(() => undefined);
    // Readings from before the clock change are on the wall clock, before the clock's start.
    if (!readings || readings.computedAt < this.clock.clockAt) return;
    this.latest = readings;
    this.minute = minuteOf(readings.computedAt - this.clock.clockAt + this.startAt);
    for (const [scope, reading] of Object.entries(readings.scopes)) {
      const changes = this.seen.get(scope) ?? [];
      if (changes.at(-1)?.phase !== reading.verdict.phase) changes.push({ minute: this.minute, phase: reading.verdict.phase });
      this.seen.set(scope, changes);
    }
  }

  changes(scope: string): PhaseChange[] {
    return this.seen.get(scope) ?? [];
  }
}

/** Phase changes per scope from `npm run replay -- FILE [--install-at MINUTE]` (the replay's engine, in process). */
export function replayPhaseChanges(scenario: Scenario, installAt: number): Map<string, PhaseChange[]> {
  const out = new Map<string, PhaseChange[]>();
  for (const step of replayReadings(scenario, { installAt, liquidationHistory: LIQUIDATION_HISTORY })) {
    for (const [scope, reading] of Object.entries(step.readings.scopes)) {
      const changes = out.get(scope) ?? [];
      if (changes.at(-1)?.phase !== reading.verdict.phase) changes.push({ minute: step.t / MINUTE, phase: reading.verdict.phase });
      out.set(scope, changes);
    }
  }
  return out;
}

/** The phase in force at `minute` (the last change at or before it). */
export function phaseAt(changes: readonly PhaseChange[], minute: number): Phase | null {
  let phase: Phase | null = null;
  for (const change of changes) if (change.minute <= minute) phase = change.phase;
  return phase;
}

/** The first minute `phase` holds, or null. */
export function firstMinute(changes: readonly PhaseChange[], phase: Phase): number | null {
  return changes.find((change) => change.phase === phase)?.minute ?? null;
}

/** "calm@1 crowded@62 flushing@77" */
export function describeChanges(changes: readonly PhaseChange[]): string {
  return changes.map((change) => `${change.phase}@${change.minute}`).join(' ');
}
