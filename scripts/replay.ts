/**
 * npm run replay -- <scenario.json> [--timing]
 * Feeds a scenario through the extension's FlushEngine and prints one JSON object per line per
 * simulated minute, for ALL and each asset. --timing reports the elapsed time on stderr.
 */
import { readFileSync } from 'node:fs';
import { rowsOf, replayReadings } from '../src/core/replay';
import { parseScenario, ScenarioError } from '../src/core/scenario-validate';

function main(argv: string[]): number {
  const args = argv.filter((a) => !a.startsWith('--'));
  const timing = argv.includes('--timing');
  const file = args[0];
  if (!file || args.length > 1) {
    process.stderr.write('usage: npm run replay -- <scenario.json> [--timing]\n');
    return 2;
  }
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
  for (const step of replayReadings(scenario)) {
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
