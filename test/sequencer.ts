/**
 * Starts the longest test files first, so the files that run side by side end close together.
 * Vitest's own order needs the durations of an earlier run; a fresh clone (CI) has none, and
 * then runs the largest files first: the scenario-clock e2e, one of the longest, is the smallest
 * e2e file, and the load test is the 37th largest unit file. Files not named here keep vitest's
 * order, after these; projects keep theirs.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Per project, longest first (seconds on an idle 2-core machine). */
export const LONGEST_FIRST: Record<string, string[]> = {
  // latency ~75 (200 events at flush pace: the e2e's floor), scenario clock ~80, sites ~50, faults ~15, skeleton ~13.
  e2e: ['e2e/latency.e2e.ts', 'e2e/scenario-clock.e2e.ts', 'e2e/sites.e2e.ts', 'e2e/faults.e2e.ts', 'e2e/skeleton.e2e.ts'],
  // 7, 7 (six runs of the command), 4.5, 4, 4, 3.5, 2.5, 2.5.
  unit: ['load.test.ts', 'replay-cli.test.ts', 'bad-input.test.ts', 'verdict-property.test.ts', 'flush-scenarios.test.ts', 'cold-start.test.ts', 'flush-replay.test.ts', 'reasons-i18n.test.ts'],
};

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const projects = [...new Set(sorted.map((spec) => spec.project.name))];
    const group = (spec: TestSpecification) => projects.indexOf(spec.project.name);
    const rank = (spec: TestSpecification) => {
      const names = LONGEST_FIRST[spec.project.name] ?? [];
      const i = names.findIndex((name) => spec.moduleId.endsWith(`/test/${name}`));
      return i === -1 ? names.length : i;
    };
    // Array.prototype.sort is stable: vitest's order stands among equals.
    return sorted.sort((a, b) => group(a) - group(b) || rank(a) - rank(b));
  }
}
