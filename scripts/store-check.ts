/**
 * Checks of what goes to the stores, for a build directory or a package zip alike; used by
 * npm run package (scripts/package.ts), .ci/run and test/e2e/package.e2e.ts.
 *   Firefox: Mozilla's linter (web-ext lint, as AMO runs it) reports 0 errors and 0 warnings.
 *   Chrome: a Manifest V3 package that holds every file its manifest, its pages and its modules
 *   name, and the same linter reports nothing but the rules only a Firefox manifest can satisfy.
 * CLI: tsx scripts/store-check.ts [--chrome <dir|zip>] [--firefox <dir|zip>]; exits 1 on any problem.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LintMessage, LintReport } from 'web-ext';
import { unzip } from './zip';

/**
 * What Mozilla's linter asks of a Firefox manifest and the Chrome one must not carry: a gecko id
 * and data-collection declaration are Firefox keys, and `background.scripts` beside the service
 * worker makes Chrome list a manifest error ("'background.scripts' requires manifest version of
 * 2 or lower", Chromium 156). The Firefox build has them (scripts/firefox-manifest.ts).
 */
export const FIREFOX_ONLY_RULES = ['ADDON_ID_REQUIRED', 'MISSING_DATA_COLLECTION_PERMISSIONS', 'BACKGROUND_SERVICE_WORKER_NOFALLBACK'] as const;

/** The files of a build directory or a package zip, by path inside the package (forward slashes). */
export function packageFiles(source: string): Map<string, Buffer> {
  if (statSync(source).isFile()) return new Map(unzip(readFileSync(source)).map((entry) => [entry.name, entry.data]));
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
  return new Map(walk(source).map((path) => [relative(source, path).split('\\').join('/'), readFileSync(path)]));
}

/** Mozilla's linter on a directory or a zip, through web-ext's own API (what `npx web-ext lint` runs). */
export async function mozillaLint(source: string): Promise<LintReport> {
  const { cmd } = await import('web-ext');
  return cmd.lint({ sourceDir: resolve(source), output: 'none' }, { shouldExitProgram: false });
}

/** Every error and warning of `report` whose code is not `tolerated`, one line each. */
export function lintProblems(report: LintReport, tolerated: readonly string[] = []): string[] {
  const line = (kind: string, m: LintMessage) => `${kind} ${m.code}: ${m.message}${m.file ? ` (${m.file}${m.line ? `:${m.line}:${m.column ?? 0}` : ''})` : ''}`;
  return [...report.errors.map((m) => ['error', m] as const), ...report.warnings.map((m) => ['warning', m] as const)]
    .filter(([, m]) => !tolerated.includes(m.code))
    .map(([kind, m]) => line(kind, m));
}

interface ChromeManifest {
  manifest_version?: unknown;
  name?: unknown;
  short_name?: unknown;
  description?: unknown;
  version?: unknown;
  default_locale?: unknown;
  icons?: Record<string, string>;
  action?: { default_icon?: string | Record<string, string>; default_popup?: string; default_title?: string };
  options_ui?: { page?: string };
  options_page?: string;
  background?: { service_worker?: string; scripts?: unknown; page?: unknown };
  content_scripts?: Array<{ js?: string[]; css?: string[] }>;
  web_accessible_resources?: Array<{ resources?: string[] }>;
}

/** A path as the package holds it: no leading slash, no `./` or `..` left. */
function packagePath(path: string, from = ''): string {
  return posix.normalize(path.startsWith('/') ? path.slice(1) : posix.join(from, path)).replace(/^\.\//, '');
}

/** Files the manifest names, with the key that names them. */
function manifestReferences(manifest: ChromeManifest): Array<[key: string, path: string]> {
  const refs: Array<[string, string | undefined]> = [
    ...Object.entries(manifest.icons ?? {}).map(([size, path]) => [`icons.${size}`, path] as [string, string]),
    ...(typeof manifest.action?.default_icon === 'string'
      ? [['action.default_icon', manifest.action.default_icon] as [string, string]]
      : Object.entries(manifest.action?.default_icon ?? {}).map(([size, path]) => [`action.default_icon.${size}`, path] as [string, string])),
    ['action.default_popup', manifest.action?.default_popup],
    ['options_ui.page', manifest.options_ui?.page],
    ['options_page', manifest.options_page],
    ['background.service_worker', manifest.background?.service_worker],
    ...(manifest.content_scripts ?? []).flatMap((script, i) => [...(script.js ?? []), ...(script.css ?? [])].map((path) => [`content_scripts[${i}]`, path] as [string, string])),
    // Patterns ("assets/*") match whatever there is; only plain paths name a file.
    ...(manifest.web_accessible_resources ?? []).flatMap((entry, i) => (entry.resources ?? []).filter((path) => !path.includes('*')).map((path) => [`web_accessible_resources[${i}]`, path] as [string, string])),
  ];
  return refs.filter((ref): ref is [string, string] => typeof ref[1] === 'string').map(([key, path]) => [key, packagePath(path)]);
}

/** `src`/`href` of an HTML page and relative module specifiers of a script, as package paths. */
function fileReferences(name: string, text: string): string[] {
  const dir = posix.dirname(name);
  const specifiers = name.endsWith('.html')
    ? [...text.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]!).filter((ref) => !/^(?:[a-z][a-z0-9+.-]*:|#|\/\/)/i.test(ref))
    : [...text.matchAll(/(?:^|[^\w$.])(?:import|from)\s*\(?\s*(["'`])((?:\.{1,2})?\/[^"'`]+)\1/g)].map((m) => m[2]!);
  return specifiers.map((ref) => packagePath(ref.split(/[?#]/)[0]!, dir));
}

/**
 * Why Chrome would not load this package as the extension it is meant to be, or [] (and how many
 * references it followed): Manifest V3 with a name and a Chrome version string, a service worker
 * and no MV2 background, the manifest's messages in the default locale, every file the manifest,
 * its pages and its modules name present, and no file name Chrome reserves.
 */
export function chromePackageProblems(files: ReadonlyMap<string, Buffer>): { problems: string[]; references: number } {
  const raw = files.get('manifest.json');
  if (!raw) return { problems: ['no manifest.json at the root of the package'], references: 0 };
  let manifest: ChromeManifest;
  try {
    manifest = JSON.parse(raw.toString('utf8')) as ChromeManifest;
  } catch (error) {
    return { problems: [`manifest.json is not JSON: ${String(error)}`], references: 0 };
  }
  const problems: string[] = [];
  if (manifest.manifest_version !== 3) problems.push(`manifest_version is ${JSON.stringify(manifest.manifest_version)}, not 3`);
  if (typeof manifest.name !== 'string' || !manifest.name) problems.push('no name');
  // Chrome: one to four dot-separated integers, each 0-65535, no leading zeros.
  const version = typeof manifest.version === 'string' ? manifest.version : '';
  if (!/^(0|[1-9]\d{0,4})(\.(0|[1-9]\d{0,4})){0,3}$/.test(version) || version.split('.').some((part) => Number(part) > 65535)) problems.push(`version ${JSON.stringify(manifest.version)} is not a Chrome version`);
  if (!manifest.background?.service_worker) problems.push('no background.service_worker');
  if (manifest.background?.scripts !== undefined || manifest.background?.page !== undefined) problems.push('background.scripts or background.page: Chrome lists a manifest error for them in MV3');

  // __MSG_name__ placeholders resolve in the default locale (Chrome matches message names case-insensitively).
  const placeholders = [manifest.name, manifest.short_name, manifest.description, manifest.action?.default_title].filter((v): v is string => typeof v === 'string').flatMap((v) => [...v.matchAll(/__MSG_(\w+?)__/g)].map((m) => m[1]!));
  if (placeholders.length || manifest.default_locale !== undefined) {
    const locale = typeof manifest.default_locale === 'string' ? manifest.default_locale : '';
    const messages = locale ? files.get(`_locales/${locale}/messages.json`) : undefined;
    if (!messages) problems.push(locale ? `_locales/${locale}/messages.json (default_locale) is not in the package` : 'the manifest uses __MSG_ messages but has no default_locale');
    else {
      const names = new Set(Object.keys(JSON.parse(messages.toString('utf8')) as object).map((key) => key.toLowerCase()));
      for (const name of placeholders) if (!names.has(name.toLowerCase())) problems.push(`__MSG_${name}__ is not in _locales/${locale}/messages.json`);
    }
  }

  let references = 0;
  for (const [key, path] of manifestReferences(manifest)) {
    references += 1;
    if (!files.has(path)) problems.push(`${path} (manifest ${key}) is not in the package`);
  }
  for (const [name, data] of files) {
    if (!/\.(html|js|mjs)$/.test(name)) continue;
    for (const path of fileReferences(name, data.toString('utf8'))) {
      references += 1;
      if (!files.has(path)) problems.push(`${path} (named by ${name}) is not in the package`);
    }
  }
  // Chrome refuses to load a package with a file or folder name starting with "_" other than _locales.
  for (const name of files.keys()) if (name.split('/').some((part) => part.startsWith('_')) && !name.startsWith('_locales/')) problems.push(`${name}: Chrome reserves names starting with "_"`);
  return { problems, references };
}

/** Every problem of a store package (a build directory or a zip): [] when it is ready for its store. */
export async function storeProblems(store: 'chrome' | 'firefox', source: string): Promise<string[]> {
  const lint = lintProblems(await mozillaLint(source), store === 'chrome' ? FIREFOX_ONLY_RULES : []);
  return store === 'chrome' ? [...chromePackageProblems(packageFiles(source)).problems, ...lint] : lint;
}

async function main(args: string[]): Promise<number> {
  const targets: Array<['chrome' | 'firefox', string]> = [];
  for (let i = 0; i < args.length; i += 2) {
    const store = args[i]?.replace(/^--/, '');
    if ((store !== 'chrome' && store !== 'firefox') || !args[i + 1]) throw new Error('usage: tsx scripts/store-check.ts [--chrome <dir|zip>] [--firefox <dir|zip>]');
    targets.push([store, args[i + 1]!]);
  }
  let failed = false;
  for (const [store, source] of targets) {
    const problems = await storeProblems(store, source);
    const scope = store === 'chrome' ? `manifest and files; web-ext lint without ${FIREFOX_ONLY_RULES.join(', ')}` : 'web-ext lint';
    if (problems.length) console.error(`store-check: ${store} ${source}: ${problems.length} problems (${scope})\n  ${problems.join('\n  ')}`);
    else console.log(`store-check: ${store} ${source}: 0 errors, 0 warnings (${scope})`);
    failed ||= problems.length > 0;
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}
