/**
 * The build-time patches of zod and preact (scripts/dependency-patches.ts) against the installed
 * packages: each matches its module exactly once and leaves none of what web-ext lint flagged.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPatch, DEPENDENCY_PATCHES, dependencyPatches, type DependencyPatch } from '../scripts/dependency-patches';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** The module files the build resolves (preact: the `browser` export; .mjs for `import`), by patch. */
const MODULES: Record<string, string[]> = {
  'zod allowsEval probe': [join(packageDir('zod'), 'v4/core/util.js')],
  'preact dangerouslySetInnerHTML': ['dist/preact.module.js', 'dist/preact.mjs'].map((file) => join(packageDir('preact'), file)),
};

/** What web-ext flagged: DANGEROUS_EVAL on the Function constructor, UNSAFE_VAR_ASSIGNMENT on innerHTML from a value. */
const FLAGGED: Record<string, RegExp> = {
  'zod allowsEval probe': /new F\(""\)|\bFunction\(\s*["'`]/,
  'preact dangerouslySetInnerHTML': /\.innerHTML\s*=(?!\s*(""|''|``))/,
};

const patch = (name: string) => DEPENDENCY_PATCHES.find((p) => p.name === name)!;

describe('dependency patches', () => {
  it('cover exactly the two flagged lines', () => {
    expect(DEPENDENCY_PATCHES.map((p) => p.name).sort()).toEqual(Object.keys(MODULES).sort());
  });

  it.each(Object.entries(MODULES).flatMap(([name, files]) => files.map((file) => [name, file] as const)))('%s: matches %s once and leaves nothing flagged', (name, file) => {
    const original = readFileSync(file, 'utf8');
    const p = patch(name);
    expect(p.module.test(file.split('\\').join('/'))).toBe(true);
    expect(original).toMatch(FLAGGED[name]!);
    const patched = applyPatch(p, original, file);
    expect(patched).not.toMatch(FLAGGED[name]!);
    expect(patched.length - original.length).toBe(p.replace.length - p.find.length);
  });

  it('refuses a module where the pattern is missing or repeated', () => {
    const p: DependencyPatch = { name: 'x', module: /x\.js$/, find: 'a=b', replace: 'a=c' };
    expect(applyPatch(p, 'let a;a=b;', 'x.js')).toBe('let a;a=c;');
    expect(() => applyPatch(p, 'let a;', 'x.js')).toThrow(/expected its pattern once in x\.js, found it 0 times/);
    expect(() => applyPatch(p, 'a=b;a=b', 'x.js')).toThrow(/found it 2 times/);
  });

  it('as a plugin: patches only the modules it names, and fails a build that used a patch nowhere', () => {
    const plugin = dependencyPatches([{ name: 'x', module: /\/node_modules\/x\/x\.js$/, find: 'a=b', replace: 'a=c' }]);
    const hook = <T>(h: unknown) => (typeof h === 'function' ? h : (h as { handler: unknown }).handler) as T;
    const transform = hook<(code: string, id: string) => { code: string } | null>(plugin.transform);
    const buildStart = hook<() => void>(plugin.buildStart);
    const buildEnd = hook<(this: { error(message: string): never }, error?: Error) => void>(plugin.buildEnd);
    const context = { error: (message: string): never => { throw new Error(message); } };

    buildStart.call(context);
    expect(transform.call(context, 'a=b', '/p/node_modules/y/x.js')).toBeNull();
    expect(() => buildEnd.call(context)).toThrow(/matched no module: x/);
    // A failed build is not reported twice.
    expect(() => buildEnd.call(context, new Error('failed'))).not.toThrow();

    buildStart.call(context);
    expect(transform.call(context, 'a=b', '/p/node_modules/x/x.js?v=1')).toEqual({ code: 'a=c', map: null });
    expect(() => buildEnd.call(context)).not.toThrow();
    expect(plugin.apply).toBe('build');
  });
});
