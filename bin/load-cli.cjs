// Loads the notation-ts CLI for bin/notation-ts.cjs (and for the build step that
// records its code caches). Prefers dist/bundle/cli.cjs, the whole CLI as one
// CommonJS bundle (`npm run build:cli`), compiled with a V8 code cache recorded
// beside it at build time (the command's own, else the general one): start-up then
// skips parsing and compiling ~0.8 MB of JavaScript. V8 refuses a cache made by
// another Node/V8 build or other flags (and the bundle then compiles normally).
// Without the bundle, the tsc output in dist/.
// CommonJS (.cjs): an ES module entry would start Node's ES module
// loader first, ~5 ms of every run.
'use strict';
const { existsSync, readFileSync, writeSync } = require('node:fs');
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
// The CommonJS module wrapper, as Node's own loader adds it, plus importForBundle:
// scripts/build-cli.mjs writes the bundle inside it.
const BUNDLE_WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname, __notationTsImport) {';
const BUNDLE_WRAPPER_TAIL = '\n})';

// Code caches (scripts/train-cli-cache.mjs): one per command that matters for
// start-up, trained on that command alone, and a general one for the rest.
const CACHE_PROFILES = ['sign', 'verify', 'blob-sign', 'blob-verify'];
const cacheFile = (profile) => (profile ? `${BUNDLE}.${profile}.cache` : `${BUNDLE}.cache`);

/** The cache profile of a command line: its command (and blob subcommand) when one has its own cache. */
function cacheProfile(argv) {
  const [a, b] = argv;
  const p = a === 'blob' ? `blob-${b}` : a;
  return CACHE_PROFILES.includes(p) ? p : undefined;
}

/**
 * A writer for fd 1 or 2 that calls write(2) directly: process.stdout on a pipe
 * builds a net.Socket (~2 ms of every start). A descriptor left non-blocking by
 * another process (EAGAIN) hands the rest, and every later write to keep the
 * order, to the stream, which waits for the reader. A reader that has gone (EPIPE)
 * gets no more output; the exit status still tells the outcome.
 */
function fdWriter(fd, stream) {
  let mode = 'fd';
  return (s) => {
    if (mode === 'stream') return void stream().write(s);
    let buf = Buffer.from(s, 'utf8');
    while (mode === 'fd' && buf.length > 0) {
      try {
        buf = buf.subarray(writeSync(fd, buf));
      } catch (e) {
        if (e.code === 'EAGAIN') {
          mode = 'stream';
          stream().write(buf);
        } else if (e.code === 'EPIPE') mode = 'closed';
        else throw e;
      }
    }
  };
}

/** Whether stderr is a terminal (node:tty loads the net stack: asked only when needed). */
const stderrIsTTY = () => require('node:tty').isatty(2);

/**
 * The CLI's `run(argv, io)`, and the compiled bundle script when the bundle was
 * used (`script.createCachedData()` records a cache after a training run). `argv`
 * picks the code cache; `noCache` compiles without one (training).
 */
async function loadCli(argv = [], { noCache = false } = {}) {
  if (!existsSync(BUNDLE)) return { run: (await import(pathToFileURL(join(__dirname, '..', 'dist', 'cli', 'main.js')).href)).run };
  // esbuild writes ASCII only (non-ASCII is escaped), so latin1 decodes it exactly and fastest.
  const source = readFileSync(BUNDLE, 'latin1');
  const cachedData = noCache ? undefined : readCache(cacheFile(cacheProfile(argv))) ?? readCache(cacheFile());
  // The build wrote the bundle inside its function wrapper (BUNDLE_WRAPPER_HEAD/TAIL).
  if (!source.startsWith(BUNDLE_WRAPPER_HEAD)) throw new Error(`${BUNDLE} is not a notation-ts CLI bundle: run npm run build:cli`);
  const script = new Script(source, {
    filename: BUNDLE,
    cachedData,
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(BUNDLE), mod, BUNDLE, dirname(BUNDLE), importForBundle);
  return { run: mod.exports.run, script, cacheRejected: cachedData ? script.cachedDataRejected : undefined };
}

function readCache(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

module.exports = { BUNDLE_WRAPPER_HEAD, BUNDLE_WRAPPER_TAIL, loadCli, fdWriter, stderrIsTTY, cacheFile, cacheProfile, CACHE_PROFILES };
