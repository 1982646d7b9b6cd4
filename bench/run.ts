/**
 * npm run bench: runs every bench/*.bench.ts in turn (or only those named on the command line).
 * Each module exports `run(): Promise<BenchReport>`; the runner prints the figures and writes
 * them to artifacts/bench.json so docs/PERFORMANCE.md can quote a reproducible run.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchReport {
  name: string;
  /** Figure name → value, with the unit in the name (e.g. "p95 ms", "gzip kB"). */
  figures: Record<string, number | string>;
  /** Targets checked by this bench; a failed target makes `npm run bench` exit non-zero. */
  targets?: Array<{ what: string; ok: boolean }>;
}

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((name) => f.includes(name)))
  .sort();

const reports: BenchReport[] = [];
let failed = false;
for (const file of files) {
  const module = (await import(pathToFileURL(`${dir}${file}`).href)) as { run(): Promise<BenchReport> };
  const report = await module.run();
  reports.push(report);
  console.log(`\n## ${report.name}`);
  for (const [figure, value] of Object.entries(report.figures)) console.log(`  ${figure}: ${value}`);
  for (const target of report.targets ?? []) {
    console.log(`  target ${target.ok ? 'met' : 'MISSED'}: ${target.what}`);
    failed ||= !target.ok;
  }
}
mkdirSync(new URL('../artifacts/', import.meta.url), { recursive: true });
writeFileSync(new URL('../artifacts/bench.json', import.meta.url), JSON.stringify({ at: new Date().toISOString(), reports }, null, 2));
process.exit(failed ? 1 : 0);
