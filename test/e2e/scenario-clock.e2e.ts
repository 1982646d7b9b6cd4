/**
 * The extension on the demo's scenario clock (src/background/clock.ts) in a real Chromium:
 * installed at the start of the $99M long flush and played fast, its market-wide verdict reaches
 * "flushing" and "exhaustion" at the scenario minutes `npm run replay` gives (±3), because its
 * windows measure scenario time, not the wall clock's.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKET_SCOPE } from '../../src/core/engine';
import { parseScenario } from '../../tools/replay/scenario-validate';
import { MockExchange } from '../mock/server';
import { launchWithExtension, type Browser } from './harness';
import { describeChanges, firstMinute, installOnScenarioClock, PhaseRecorder, replayPhaseChanges } from './scenario-clock';

const scenario = parseScenario(JSON.parse(readFileSync(new URL('../../scenarios/long-flush-99m.json', import.meta.url), 'utf8')));
/**
 * Scenario minutes per wall minute: exhaustion (minute ~120) in about 72 s. A scenario minute is
 * 600 ms of wall time, one worker poll (clock.ts samplingPeriodMs), and the ±3 minutes allowed are
 * 1.8 s of lag. At 160× a minute was 375 ms and the worker once read flushing 4 minutes late; at
 * 120× (500 ms) it read flushing 3 minutes late, at the limit, with three other e2e files beside
 * it (2026-12-03). This file still ends about when the latency file does, which sets how long the
 * e2e take.
 */
const SPEED = Number(process.env.SCENARIO_E2E_SPEED ?? 100);
const TOLERANCE_MINUTES = 3;

let mock: MockExchange;
let browser: Browser;

beforeAll(async () => {
  mock = new MockExchange({ scenario, startAt: 0, speed: SPEED, scenarioClock: true, paused: true });
  await mock.start();
  browser = await launchWithExtension(mock);
});

afterAll(async () => {
  await browser?.close();
  await mock?.stop();
});

describe('the worker on a scenario clock', () => {
  // The first boot (≤ 30 s), the clock change (≤ 10 s), then the replay's run (~72 s, at most ~90 s).
  it('reaches flushing and exhaustion at the replay’s scenario minutes', { timeout: 150_000 }, async () => {
    const replay = replayPhaseChanges(scenario, 0).get(MARKET_SCOPE)!;
    const flushing = firstMinute(replay, 'flushing')!;
    const exhaustion = firstMinute(replay, 'exhaustion')!;
    expect(flushing).toBeLessThan(exhaustion);
    const clock = await installOnScenarioClock(browser, mock);
    const recorder = new PhaseRecorder(browser, clock, 0);
    const started = Date.now();
    // Until a few minutes past the replay's exhaustion, or the time that takes at SPEED plus slack.
    const deadline = started + ((exhaustion + 2 * TOLERANCE_MINUTES) / SPEED) * 60_000 + 10_000;
    while (recorder.minute < exhaustion + TOLERANCE_MINUTES + 1 && Date.now() < deadline) {
      await recorder.sample();
      await new Promise((r) => setTimeout(r, 150));
    }
    const seen = recorder.changes(MARKET_SCOPE);
    const what = `worker ${describeChanges(seen)} | replay ${describeChanges(replay)}`;
    console.log(`scenario clock at ${SPEED}×: ${what}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(Math.abs(firstMinute(seen, 'flushing')! - flushing), what).toBeLessThanOrEqual(TOLERANCE_MINUTES);
    expect(Math.abs(firstMinute(seen, 'exhaustion')! - exhaustion), what).toBeLessThanOrEqual(TOLERANCE_MINUTES);
    // The same story: crowded, then flushing, then exhaustion, each first reached near the replay's minute.
    const crowded = firstMinute(replay, 'crowded')!;
    expect(Math.abs(firstMinute(seen, 'crowded')! - crowded), what).toBeLessThanOrEqual(TOLERANCE_MINUTES);
    expect(firstMinute(seen, 'crowded')!, what).toBeLessThan(firstMinute(seen, 'flushing')!);
    expect(firstMinute(seen, 'flushing')!, what).toBeLessThan(firstMinute(seen, 'exhaustion')!);
  });
});
