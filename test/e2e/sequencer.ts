/**
 * Starts the longest e2e files first, so the files that run side by side end close together.
 * Vitest's own order needs the durations of an earlier run (a fresh clone has none: it then
 * runs the largest files first, and the scenario-clock file, one of the longest, is the smallest).
 * Files not named here keep vitest's order, after these.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first: the latency test (200 events at flush pace, ~70 s) and the scenario clock (~45 s) set the floor. */
export const E2E_LONGEST_FIRST = ['latency.e2e.ts', 'scenario-clock.e2e.ts', 'sites.e2e.ts', 'faults.e2e.ts', 'skeleton.e2e.ts'];

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const i = E2E_LONGEST_FIRST.findIndex((name) => spec.moduleId.endsWith(`/test/e2e/${name}`));
      return i === -1 ? E2E_LONGEST_FIRST.length : i;
    };
    // Projects stay in vitest's order; Array.prototype.sort is stable, so vitest's order stands among
    // equals (every unit file, the other e2e files).
    const projects = [...new Set(sorted.map((spec) => spec.project.name))];
    const group = (spec: TestSpecification) => projects.indexOf(spec.project.name);
    return sorted.sort((a, b) => group(a) - group(b) || rank(a) - rank(b));
  }
}
