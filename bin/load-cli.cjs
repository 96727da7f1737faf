// Loads the notation-ts CLI for bin/notation-ts.cjs (and for the build step that
// records its code cache). Prefers dist/bundle/cli.cjs, the whole CLI as one
// CommonJS bundle (`npm run build:cli`), compiled with the V8 code cache recorded
// beside it at build time: start-up then skips parsing and compiling ~0.8 MB of
// JavaScript. V8 refuses a cache made by another Node/V8 build or other flags
// (and the bundle then compiles normally). Without the bundle, the tsc output in dist/.
// CommonJS (.cjs): an ES module entry would start Node's ES module
// loader first, ~5 ms of every run.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { Script } = require('node:vm');
const { createRequire } = require('node:module');
const { pathToFileURL } = require('node:url');
const { dirname, join } = require('node:path');

const BUNDLE = join(__dirname, '..', 'dist', 'bundle', 'cli.cjs');
const BUNDLE_URL = pathToFileURL(BUNDLE);
// import() cannot run inside a vm.Script on Node 20 (it needs
// --experimental-vm-modules, and a cached script loses the callback), so the build
// rewrites the bundle's import() calls (node:http, the optional PKCS#11 signer
// from the tsc output) to this function, resolving against the bundle's location.
const importForBundle = (spec) => import(spec.startsWith('.') ? new URL(spec, BUNDLE_URL).href : spec);
const CACHE = `${BUNDLE}.cache`;

/** Whether stderr is a terminal (node:tty loads the net stack: asked only when needed). */
const stderrIsTTY = () => require('node:tty').isatty(2);

/**
 * The CLI's `run(argv, io)`, and the compiled bundle script when the bundle was
 * used (`script.createCachedData()` records the cache after a training run).
 */
async function loadCli() {
  if (!existsSync(BUNDLE)) return { run: (await import(pathToFileURL(join(__dirname, '..', 'dist', 'cli', 'main.js')).href)).run };
  // esbuild writes ASCII only (non-ASCII is escaped), so latin1 decodes it exactly and fastest.
  const source = readFileSync(BUNDLE, 'latin1');
  const cachedData = existsSync(CACHE) ? readFileSync(CACHE) : undefined;
  // The CommonJS module wrapper, as Node's own loader adds it, plus importForBundle.
  const script = new Script(`(function (exports, require, module, __filename, __dirname, __notationTsImport) {${source}\n})`, {
    filename: BUNDLE,
    cachedData,
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(BUNDLE), mod, BUNDLE, dirname(BUNDLE), importForBundle);
  return { run: mod.exports.run, script, cacheRejected: cachedData ? script.cachedDataRejected : undefined };
}

module.exports = { loadCli, stderrIsTTY, CACHE };
