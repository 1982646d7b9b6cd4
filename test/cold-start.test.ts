/**
 * Cold start with evidence (issue 14, part 1): a fresh install, or a worker back from a night away,
 * sees only what history endpoints give. Replayed at install minutes across the committed flush
 * scenarios: never calm or crowded while the history shows a flush under way, warming up (with the
 * minutes counted) where the hour of liquidations is not yet there, and after an hour of live data
 * the same verdict as a replay from the start.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replayScenario, type ReplayRow } from '../tools/replay/replay';
import type { Scenario } from '../tools/replay/scenario';
import { parseScenario } from '../tools/replay/scenario-validate';

const MIN = 60_000;
/** What `npm run replay` assumes: OKX and Bitfinex keep a REST liquidation history (adapters with gapRequests). */
const HISTORY = ['okx', 'bitfinex'] as const;

function scenario(name: string): Scenario {
  return parseScenario(JSON.parse(readFileSync(fileURLToPath(new URL(`../scenarios/${name}.json`, import.meta.url)), 'utf8')));
}

const key = (r: ReplayRow) => `${r.t}|${r.scope}`;

describe('a fresh install mid-story', () => {
  // Install minutes around each flush: before it, during it, after it, during exhaustion.
  const cases: Array<[string, number[]]> = [
    ['long-flush-99m', [60, 90, 100, 110, 125]],
    ['short-squeeze', [90, 120, 150]],
    ['rebuild', [110, 140, 180, 220]],
    ['failure-to-reclaim', [120, 180, 250, 300]],
  ];
  for (const [name, installs] of cases) {
    it(`${name}: after an hour of live data the verdict equals the replay from the start, at installs ${installs.join(', ')}`, () => {
      const sc = scenario(name);
      const fromStart = new Map(replayScenario(sc, { liquidationHistory: HISTORY }).map((r) => [key(r), r]));
      for (const at of installs) {
        const rows = replayScenario(sc, { installAt: at * MIN, liquidationHistory: HISTORY });
        expect(rows[0]!.t).toBe((at + 1) * MIN);
        for (const row of rows) {
          const reference = fromStart.get(key(row))!;
          const where = `install ${at}, ${row.scope} at minute ${row.t / MIN}`;
          // The figures are the scenario's; a flush the replay from the start shows is never read calm or crowded.
          if (['flushing', 'exhaustion'].includes(reference.phase)) expect(['calm', 'crowded'], where).not.toContain(row.phase);
          if (row.t >= (at + 60) * MIN) expect({ phase: row.phase, side: row.side }, where).toEqual({ phase: reference.phase, side: reference.side });
          else expect(row.phase, where).not.toBe('calm');
        }
      }
    });
  }

  it('the issue’s case: installed at minute 130 of the $99M flush, it reads exhaustion, not calm, from the first minute', () => {
    const rows = replayScenario(scenario('long-flush-99m'), { installAt: 130 * MIN, liquidationHistory: HISTORY }).filter((r) => r.scope === 'ALL');
    expect(rows[0]).toMatchObject({ t: 131 * MIN, phase: 'exhaustion', side: 'long', coverage: { liqFrom: 130 * MIN } });
    expect(rows.every((r) => r.phase === 'exhaustion')).toBe(true);
  });

  it('installed before anything happened: warming up for its first hour, saying how long it has counted, then calm', () => {
    const rows = replayScenario(scenario('calm-day'), { installAt: 200 * MIN, liquidationHistory: HISTORY }).filter((r) => r.scope === 'ALL');
    expect(rows.filter((r) => r.t < 260 * MIN).every((r) => r.phase === 'warming')).toBe(true);
    expect(rows.filter((r) => r.t >= 260 * MIN).every((r) => r.phase === 'calm')).toBe(true);
  });
});
