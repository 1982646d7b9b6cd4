/**
 * Two lines of third-party code that Mozilla's linter (web-ext lint, addons-linter) flags in the
 * bundle, replaced at build time. Both sit on paths the extension never takes, and the
 * replacement is what that path would do here anyway. Each pattern must match exactly once in its
 * module and every patch must be used by the build, or the build fails: a dependency update is
 * looked at again instead of shipping the warning back (or a patch that no longer patches).
 * The source archive for AMO carries this file, so reviewers' rebuilds apply the same patches.
 */
import type { Plugin } from 'vite';

export interface DependencyPatch {
  name: string;
  /** The module, by resolved path (forward slashes). */
  module: RegExp;
  find: string;
  replace: string;
}

export const DEPENDENCY_PATCHES: DependencyPatch[] = [
  {
    // DANGEROUS_EVAL: zod's probe for eval, `new F("")` (the minifier inlines F = Function). MV3's CSP forbids eval, so its answer is false, and src/core/zod.ts sets jitless, which skips the probe anyway.
    name: 'zod allowsEval probe',
    module: /\/node_modules\/zod\/v4\/core\/util\.js$/,
    find: 'try {\n        const F = Function;\n        new F("");\n        return true;\n    }\n    catch (_) {\n        return false;\n    }',
    replace: 'return false;',
  },
  {
    // UNSAFE_VAR_ASSIGNMENT: preact's dangerouslySetInnerHTML (`dom.innerHTML = newHtml.__html`). Nothing in src/ uses it (test/lint-security.test.ts); should anything ever, it fails loudly instead of writing HTML.
    name: 'preact dangerouslySetInnerHTML',
    module: /\/node_modules\/preact\/dist\/preact\.(module\.js|mjs)$/,
    find: '(u.innerHTML=h.__html)',
    replace: '(()=>{throw Error("dangerouslySetInnerHTML is disabled")})()',
  },
];

/** `code` with `patch` applied; throws unless its pattern occurs exactly once. */
export function applyPatch(patch: DependencyPatch, code: string, id: string): string {
  const count = code.split(patch.find).length - 1;
  if (count !== 1) throw new Error(`dependency patch "${patch.name}": expected its pattern once in ${id}, found it ${count} times; the dependency changed, look at it again (scripts/dependency-patches.ts)`);
  return code.replace(patch.find, () => patch.replace);
}

/** The Vite plugin: applies DEPENDENCY_PATCHES to the modules they name, in builds only. */
export function dependencyPatches(patches: DependencyPatch[] = DEPENDENCY_PATCHES): Plugin {
  const used = new Set<string>();
  return {
    name: 'flush-meter:dependency-patches',
    apply: 'build',
    enforce: 'pre',
    buildStart() {
      used.clear();
    },
    transform(code, rawId) {
      const id = rawId.split('?')[0]!.split('\\').join('/');
      let out: string | null = null;
      for (const patch of patches.filter((p) => p.module.test(id))) {
        out = applyPatch(patch, out ?? code, id);
        used.add(patch.name);
      }
      return out === null ? null : { code: out, map: null };
    },
    buildEnd(error) {
      if (error) return;
      const unused = patches.filter((p) => !used.has(p.name)).map((p) => p.name);
      if (unused.length) this.error(`dependency patches matched no module: ${unused.join(', ')} (scripts/dependency-patches.ts)`);
    },
  };
}
