/**
 * npm run package: store-ready archives in artifacts/, versioned from package.json.
 *   flush-meter-chrome-<version>.zip   the Chrome build (manifest at the root), for the Chrome Web Store
 *   flush-meter-firefox-<version>.zip  the Firefox build, for addons.mozilla.org
 *   flush-meter-source-<version>.zip   the sources AMO reviewers rebuild the Firefox package from
 * Builds both targets first (FLUSH_DIST moves them off dist/ like every other build; FLUSH_ARTIFACTS
 * writes the zips elsewhere than artifacts/), then checks each zip as written (scripts/store-check.ts):
 * the Firefox one passes web-ext lint with 0 errors and 0 warnings, the Chrome one is MV3 with
 * every file it names and lint-clean but for the rules only a Firefox manifest can satisfy.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIREFOX_ONLY_RULES, storeProblems } from './store-check';
import { zip, type ZipEntry } from './zip';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = process.env.FLUSH_ARTIFACTS ? resolve(process.env.FLUSH_ARTIFACTS) : join(ROOT, 'artifacts');

/**
 * The source archive holds every file of the project except these: the test suite, scenarios,
 * benchmarks and docs are not build inputs, the rest is generated or local. A build input
 * added later is included without touching this list, and `verifySource` rebuilds the Firefox
 * package from the archive's files to prove nothing is missing.
 */
export const SOURCE_EXCLUDED = new Set(['node_modules', 'dist', 'dist-firefox', 'artifacts', 'test', 'scenarios', 'bench', 'docs']);

function buildDirs(): { chrome: string; firefox: string } {
  const base = process.env.FLUSH_DIST ? resolve(process.env.FLUSH_DIST) : null;
  return { chrome: base ?? join(ROOT, 'dist'), firefox: base ? `${base}-firefox` : join(ROOT, 'dist-firefox') };
}

function viteBuild(firefox: boolean): void {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', ...(firefox ? ['--mode', 'firefox'] : [])], { cwd: ROOT, stdio: 'inherit' });
}

/** Every file under `dir` (or `dir` itself when it is a file), skipping dot files such as .DS_Store. */
function filesUnder(dir: string, root: string): ZipEntry[] {
  const path = join(root, dir);
  if (!existsSync(path)) throw new Error(`missing ${path}`);
  if (statSync(path).isFile()) return [{ name: dir.split('\\').join('/'), data: readFileSync(path) }];
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.'))
    .flatMap((entry) => filesUnder(join(dir, entry.name), root));
}

/** Project files for the source archive: top-level entries not excluded, no dot files, no keys. */
function sourceEntries(): ZipEntry[] {
  return readdirSync(ROOT, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && !SOURCE_EXCLUDED.has(entry.name) && !entry.name.endsWith('.pem'))
    .flatMap((entry) => filesUnder(entry.name, ROOT));
}

/**
 * Rebuilds the Firefox package from exactly the files in the source archive (installed
 * node_modules linked in, as `npm ci` would install them) and requires an identical result.
 */
function verifySource(entries: ZipEntry[], firefoxDist: string): void {
  const scratch = mkdtempSync(join(tmpdir(), 'flush-meter-source-'));
  try {
    for (const entry of entries) {
      mkdirSync(dirname(join(scratch, entry.name)), { recursive: true });
      writeFileSync(join(scratch, entry.name), entry.data);
    }
    symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
    const out = join(scratch, 'out');
    execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--mode', 'firefox', '--logLevel', 'error'], {
      cwd: scratch,
      env: { ...process.env, FLUSH_DIST: out },
      stdio: 'inherit',
    });
    const digest = (dir: string) => new Map(entriesOf(dir).map((e) => [e.name, createHash('sha256').update(e.data).digest('hex')]));
    const rebuilt = digest(`${out}-firefox`);
    const shipped = digest(firefoxDist);
    const differing = [...new Set([...rebuilt.keys(), ...shipped.keys()])].filter((name) => rebuilt.get(name) !== shipped.get(name));
    if (differing.length) throw new Error(`the source archive does not rebuild the Firefox package; differing files: ${differing.join(', ')}`);
    console.log(`package: the source archive rebuilds the Firefox package file for file (${shipped.size} files)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function entriesOf(dir: string): ZipEntry[] {
  return filesUnder('.', dir).map((entry) => ({ ...entry, name: relative('.', entry.name).split('\\').join('/') }));
}

/** The built manifest must carry the package version, or the stores would get a stale one. */
function checkVersion(dist: string, version: string): void {
  const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as { version?: string };
  if (manifest.version !== version) throw new Error(`${dist}/manifest.json has version ${manifest.version}, package.json ${version}`);
  const maps = entriesOf(dist).filter((e) => e.name.endsWith('.map'));
  if (maps.length) throw new Error(`${dist} contains source maps: ${maps.map((e) => e.name).join(', ')}`);
}

function buildInstructions(version: string): Buffer {
  const node = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node ?? '>=20';
  return Buffer.from(
    [
      `# Flush Meter ${version}: building the Firefox package from this source`,
      '',
      `Requirements: Node.js ${node} (built with ${process.version}) and npm; Linux, macOS or Windows.`,
      '',
      '```sh',
      'npm ci',
      'npm run build:firefox',
      '```',
      '',
      `The add-on is then in \`dist-firefox/\`, file for file what flush-meter-firefox-${version}.zip contains`,
      '(`npm run package` checks this by rebuilding from these files before it writes the archive).',
      'The code is TypeScript and TSX, bundled by Vite (vite.config.ts; `--mode firefox` derives the',
      'Firefox manifest from manifest.json in scripts/firefox-manifest.ts). No code is generated,',
      'downloaded or minified by hand; third-party code comes only from npm (package-lock.json).',
      'Two lines of it are replaced while bundling, the same on every build: zod\'s probe for eval and',
      'preact\'s innerHTML path for dangerouslySetInnerHTML (scripts/dependency-patches.ts says why).',
      '',
    ].join('\n'),
  );
}

/** Checks a written archive for its store (scripts/store-check.ts); throws on any error or warning. */
async function check(store: 'chrome' | 'firefox', archive: string): Promise<void> {
  const problems = await storeProblems(store, archive);
  if (problems.length) throw new Error(`${relative(ROOT, archive)} is not ready for its store:\n  ${problems.join('\n  ')}`);
  const lint = store === 'firefox' ? 'web-ext lint: 0 errors, 0 warnings' : `MV3, every named file present; web-ext lint: 0 errors, 0 warnings besides the Firefox-only ${FIREFOX_ONLY_RULES.join(', ')}`;
  console.log(`package: ${relative(ROOT, archive)} passes the ${store} checks (${lint})`);
}

function write(name: string, entries: ZipEntry[]): string {
  const path = join(ARTIFACTS, name);
  writeFileSync(path, zip(entries));
  console.log(`package: ${relative(ROOT, path)} (${entries.length} files, ${Math.round(statSync(path).size / 1024)} KiB)`);
  return path;
}

async function main(): Promise<void> {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const dirs = buildDirs();
  viteBuild(false);
  viteBuild(true);
  checkVersion(dirs.chrome, version);
  checkVersion(dirs.firefox, version);
  mkdirSync(ARTIFACTS, { recursive: true });
  await check('chrome', write(`flush-meter-chrome-${version}.zip`, entriesOf(dirs.chrome)));
  await check('firefox', write(`flush-meter-firefox-${version}.zip`, entriesOf(dirs.firefox)));
  const sources = [...sourceEntries(), { name: 'BUILD.md', data: buildInstructions(version) }];
  verifySource(sources, dirs.firefox);
  write(`flush-meter-source-${version}.zip`, sources);
}

await main();
