import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/sequencer';

/** Test files run side by side: 2 for the unit tests (2 cores), E2E_WORKERS (default 4) Chromiums for the e2e. */
const workers = (name: string, fallback: number) => Math.max(1, Number(process.env[name]) || fallback);

const UNIT_FILES = ['test/**/*.test.ts', 'test/**/*.test.tsx'];
/**
 * Unit files that replace modules (vi.mock, resetModules) or the browser (fake-browser, their own
 * `chrome`) need a module graph of their own: in a shared one the module they replace may already
 * be loaded, and what modules cached from their browser (the UI language's labels and number
 * formats, src/ui/i18n.ts) would reach the next file. Read from the files themselves, so a new
 * test that does either is isolated without a list to keep.
 */
const MOCKING = /\bvi\.(mock|doMock|resetModules)\(|fake-browser|stubGlobal\(\s*'(chrome|browser)'|\.chrome\s*=[^=]/;
const ISOLATED_UNIT_FILES = readdirSync('test')
  .filter((file) => /\.test\.tsx?$/.test(file) && MOCKING.test(readFileSync(`test/${file}`, 'utf8')))
  .map((file) => `test/${file}`);
const UNIT_OPTIONS = {
  environment: 'node',
  // Vitest's default leaves one of 2 cores idle (cores − 1).
  maxWorkers: workers('UNIT_WORKERS', 2),
  // Bounds for a hang, not for speed: the replays (cold-start, reasons-i18n, …) take ~1 s of
  // CPU each alone, but npm test runs the unit tests at nice 19 beside the e2e (scripts/test.sh),
  // where a loaded 2-core machine made the slowest 20-50 s (a full day's replay 41 s).
  testTimeout: 120_000,
  hookTimeout: 300_000,
} as const;

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          ...UNIT_OPTIONS,
          name: 'unit',
          include: UNIT_FILES,
          exclude: ['test/e2e/**', 'node_modules/**', ...ISOLATED_UNIT_FILES],
          // One module graph per worker, not per file: most files import the same core, and
          // importing it again for each of them was a fifth of the unit tests' CPU.
          isolate: false,
        },
      },
      {
        test: {
          ...UNIT_OPTIONS,
          name: 'unit-isolated',
          include: ISOLATED_UNIT_FILES,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 120_000,
          // Each file has its own Chromium (its own profile dir, launchWithExtension), its own mock
          // exchange on a free port and its own artifacts, so files share nothing and run side by
          // side. An e2e file mostly waits (the meter's 4 s panel timeout, a replay at flush pace):
          // 4 at a time keep 2 cores about a third busy, and the others all fit beside the latency
          // file (200 events at flush pace, ~75 s), which sets the floor.
          fileParallelism: true,
          maxWorkers: workers('E2E_WORKERS', 4),
          // Tests marked concurrent within a file (one browser, a page each): at most this many at once per suite.
          maxConcurrency: 5,
        },
      },
    ],
  },
});
