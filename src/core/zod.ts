/**
 * zod as every schema in the extension gets it: configured here, before any schema exists.
 * Modules that validate import `z` from this file, never from 'zod' (test/zod-config.test.ts),
 * so ES module order runs the configuration first in every bundle entry that uses zod.
 */
import { z } from 'zod';

// MV3's CSP forbids eval: with jitless zod neither probes for it (a CSP violation report) nor compiles parsers with `new Function`.
z.config({ jitless: true });

export { z };
