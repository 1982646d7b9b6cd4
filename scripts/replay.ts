/**
 * npm run replay -- <scenario.json> [--install-at MINUTE] [--timing]
 * Feeds a scenario through the extension's FlushEngine and prints one JSON object per line per
 * simulated minute, for ALL and each asset. --install-at replays a fresh install at that scenario
 * minute: before it only what history endpoints give, live after; rows start there. Every row's
 * `coverage.liqFrom` is the t from which its liquidation windows are complete. --timing reports
 * the elapsed time on stderr.
 */
import { readFileSync } from 'node:fs';
import type { VenueId } from '../src/core/model';
import { rowsOf, replayReadings } from '../tools/replay/replay';
import { parseScenario, ScenarioError } from '../tools/replay/scenario-validate';
import { venues } from '../src/venues';

const USAGE = 'usage: npm run replay -- <scenario.json> [--install-at MINUTE] [--timing]\n';

/** Venues whose adapters back-fill liquidations from a REST history (stream gaps and installs). */
const LIQUIDATION_HISTORY = Object.values(venues).filter((venue) => venue.gapRequests).map((venue) => venue.id as VenueId);

/** The arguments, or null when they do not follow the usage. */
function parseArgs(argv: string[]): { file: string; installAt: number; timing: boolean } | null {
  const rest = [...argv];
  let installAt = 0;
  let timing = false;
  const files: string[] = [];
  while (rest.length) {
    const arg = rest.shift()!;
    if (arg === '--timing') timing = true;
    else if (arg === '--install-at') {
      const minute = Number(rest.shift());
      if (!Number.isInteger(minute) || minute < 0) return null;
      installAt = minute * 60_000;
    } else if (arg.startsWith('--')) return null;
    else files.push(arg);
  }
  return files.length === 1 ? { file: files[0]!, installAt, timing } : null;
}

function main(argv: string[]): number {
  const parsed = parseArgs(argv);
  if (!parsed) {
    process.stderr.write(USAGE);
    return 2;
  }
  const { file, installAt, timing } = parsed;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    process.stderr.write(`replay: cannot read ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  let scenario;
  try {
    scenario = parseScenario(raw);
  } catch (error) {
    if (error instanceof ScenarioError) {
      process.stderr.write(`replay: ${file}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const started = performance.now();
  const out: string[] = [];
  let minutes = 0;
  for (const step of replayReadings(scenario, { installAt, liquidationHistory: LIQUIDATION_HISTORY })) {
    minutes++;
    for (const row of rowsOf(step)) out.push(JSON.stringify(row));
    // Write in chunks so a day's output does not sit in memory as one string.
    if (out.length >= 2000) process.stdout.write(out.splice(0).join('\n') + '\n');
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
  if (timing) {
    const ms = performance.now() - started;
    process.stderr.write(`replay: ${scenario.name}: ${scenario.events.length} events, ${minutes} minutes in ${(ms / 1000).toFixed(2)} s\n`);
  }
  return 0;
}

// A reader that stops early (`| head`) closes the pipe: that is the end of the output, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

process.exitCode = main(process.argv.slice(2));
