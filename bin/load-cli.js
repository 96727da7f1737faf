// Loads the notation-ts CLI for bin/notation-ts.js (and for the build step that
// records its code cache). Prefers dist/bundle/cli.cjs, the whole CLI as one
// CommonJS bundle (`npm run build:cli`), compiled with the V8 code cache recorded
// beside it at build time: start-up then skips parsing and compiling ~0.7 MB of
// JavaScript. V8 refuses a cache made by another Node/V8 build or other flags
// (and the bundle then compiles normally). Without the bundle, the tsc output in dist/.
import { createRequire } from 'node:module';

// Builtins through require: importing them as ES modules builds a facade that
// touches every export (node:fs then loads its stream classes, ~4 ms).
const require = createRequire(import.meta.url);
const { existsSync, readFileSync } = require('node:fs');
const { Script } = require('node:vm');
const { fileURLToPath } = require('node:url');
const { dirname } = require('node:path');

const BUNDLE = fileURLToPath(new URL('../dist/bundle/cli.cjs', import.meta.url));
// The bundle's one import() of a computed specifier (src/cli/signing.ts, the
// optional PKCS#11 signer) resolves where that module sits in the tsc output.
const CLI_DIR_URL = new URL('../dist/cli/', import.meta.url);
export const CACHE = `${BUNDLE}.cache`;

/**
 * The CLI's `run(argv, io)`, and the compiled bundle script when the bundle was
 * used (`script.createCachedData()` records the cache after a training run).
 */
export async function loadCli() {
  if (!existsSync(BUNDLE)) return { run: (await import('../dist/cli/main.js')).run };
  // esbuild writes ASCII only (non-ASCII is escaped), so latin1 decodes it exactly and fastest.
  const source = readFileSync(BUNDLE, 'latin1');
  const cachedData = existsSync(CACHE) ? readFileSync(CACHE) : undefined;
  // The CommonJS module wrapper, as Node's own loader would add it.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE,
    cachedData,
    importModuleDynamically: (spec) => import(spec.startsWith('.') ? new URL(spec, CLI_DIR_URL).href : spec),
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(BUNDLE), mod, BUNDLE, dirname(BUNDLE));
  return { run: mod.exports.run, script, cacheRejected: cachedData ? script.cachedDataRejected : undefined };
}
