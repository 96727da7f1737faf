// `npm run build:cli`: bundles the CLI into dist/bundle/cli.cjs (one CommonJS
// file: no per-module resolution at start-up; command modules stay lazy inside it)
// and records its V8 code caches, dist/bundle/cli.cjs.cache and one
// cli.cjs.<command>.cache per command of bin/load-cli.cjs CACHE_PROFILES, by running
// training workloads (scripts/train-cli-cache.mjs: key generation, OCI-layout and
// blob signing/verification, list, inspect) through bin/load-cli.cjs, each in a
// fresh `node` (same V8 flags as a normal run). A cache is only an accelerator:
// without it, or when V8 refuses it, the bundle compiles as usual.
// docs/performance.md has the measurements.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const { BUNDLE_WRAPPER_HEAD, BUNDLE_WRAPPER_TAIL, CACHE_PROFILES } = createRequire(import.meta.url)('../bin/load-cli.cjs');
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'bundle');

rmSync(OUT, { recursive: true, force: true }); // no stale chunks of earlier builds
mkdirSync(OUT, { recursive: true });
await build({
  entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')],
  outfile: join(OUT, 'cli.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // ES module builds of the dependencies: no CommonJS wrappers to run at start-up.
  mainFields: ['module', 'main'],
  external: ['graphene-pk11', 'pkcs11js', 'cbor-extract'],
  // Modules that find files relative to themselves (package.json, createRequire) sit
  // two folders below src/ and dist/; the bundle answers for such a module.
  define: { 'import.meta.url': '__notationTsModuleUrl' },
  banner: { js: "const __notationTsModuleUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, '..', 'cli', 'commands', 'bundle.js')).href;" },
  // Less source to read and scan at every start (identifiers are kept: messages and stacks stay readable).
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// bin/load-cli.cjs reads the bundle as latin1 (faster than UTF-8 decoding): esbuild
// escapes non-ASCII in code, but keeps some comments verbatim; escape those too.
// import() does not work inside the vm.Script that runs the bundle on Node 20, and
// esbuild keeps it for externals (node:http) and computed specifiers (the
// optional PKCS#11 signer): every import( becomes a call of the loader's import
// function (a wrapper parameter; see bin/load-cli.cjs).
const bundle = join(OUT, 'cli.cjs');
const text = readFileSync(bundle, 'utf8')
  .replace(/[^\0-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`)
  .replace(/(?<![\w$.])import\(/g, '__notationTsImport(');
// Written inside the function wrapper bin/load-cli.cjs compiles it as: the file is the
// script's whole source, so loading does not build (and V8 flatten) a second copy of
// ~0.8 MB of text (~1 ms of every start).
writeFileSync(bundle, `${BUNDLE_WRAPPER_HEAD}${text}${BUNDLE_WRAPPER_TAIL}`);

if (!process.argv.includes('--no-cache')) {
  // The general cache first (it also sets up the key, policies and layouts), then
  // one per command (bin/load-cli.cjs CACHE_PROFILES), verification before signing.
  const dir = mkdtempSync(join(tmpdir(), 'notation-ts-train-'));
  try {
    for (const profile of ['all', ...[...CACHE_PROFILES].sort((a, b) => Number(a.endsWith('sign')) - Number(b.endsWith('sign')))]) {
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'train-cli-cache.mjs'), profile, dir], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
      if (r.status !== 0) {
        console.warn(`build-cli: no code cache recorded for ${profile} (the training run failed); the CLI works without it, only starts slower`);
        break;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
