/** `npm run replay` (scripts/replay.ts) as a command: its output lines, its exit codes, a reader that stops early. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tiny } from './tiny-scenario';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Each run starts tsx, which compiles the script's imports: ~1 s on an idle machine, but 30 s and
 * more beside the e2e at nice 19 on a loaded one. The bound is for a hang, not for speed.
 */
const RUN_TIMEOUT_MS = 180_000;

describe('npm run replay (scripts/replay.ts)', { timeout: RUN_TIMEOUT_MS }, () => {
  const tsx = join(ROOT, 'node_modules/.bin/tsx');

  it('--install-at MINUTE starts the rows at the install, each with coverage.liqFrom; a bad minute is a usage error', () => {
    const run = spawnSync(tsx, ['scripts/replay.ts', 'scenarios/long-flush-99m.json', '--install-at', '90'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const rows = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { t: number; coverage: { liqFrom: number } });
    expect(rows[0]!.t).toBe(91 * 60_000);
    // The scenario has Binance liquidations before minute 90, and Binance keeps no public history of them.
    expect(rows.every((row) => row.coverage.liqFrom === 90 * 60_000)).toBe(true);
    const bad = spawnSync(tsx, ['scripts/replay.ts', 'scenarios/long-flush-99m.json', '--install-at', 'soon'], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--install-at MINUTE/);
  });

  it('ends quietly when its reader stops early (| head)', () => {
    const run = spawnSync('bash', ['-c', `set -o pipefail; "${tsx}" scripts/replay.ts scenarios/calm-day.json | head -n 2`], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(2);
    expect(JSON.parse(run.stdout.split('\n')[0]!)).toHaveProperty('scope');
  });

  it('prints one JSON line per minute per scope', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    const file = join(dir, 'tiny.json');
    writeFileSync(file, JSON.stringify(tiny()));
    const out = execFileSync(tsx, ['scripts/replay.ts', file], { cwd: ROOT, encoding: 'utf8' });
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(9);
    expect(Object.keys(lines[0])).toEqual(['t', 'scope', 'phase', 'side', 'pressure', 'liq1hUsd', 'longShare1h', 'oiChange1h', 'funding8h', 'coverage']);
    expect(lines[0].coverage).toEqual({ liqFrom: 0 });
  });

  it('fails with a clear message for an invalid file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'bad', start: 0, events: [{ t: 0, type: 'market', venue: 'okx', asset: 'BTC' }] }));
    const result = spawnSync(tsx, ['scripts/replay.ts', file], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('events[0].price: must be a finite number');
    const missing = spawnSync(tsx, ['scripts/replay.ts'], { cwd: ROOT, encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('usage');
  });
});
