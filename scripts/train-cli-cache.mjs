// Training runs for the CLI's V8 code caches (called by scripts/build-cli.mjs, each
// in a fresh process, with the flags of a normal run):
//   train-cli-cache.mjs all <dir>        sets up a throw-away notation config, a test
//                                        key and OCI layouts in <dir>, runs the common
//                                        commands once, writes the general cache
//   train-cli-cache.mjs <command> <dir>  runs one command's workload on what `all` set
//                                        up, writes that command's cache
// A cache holds the functions its run compiled, so a run of `verify` reads the
// verify cache: less to deserialize than the general one, and nothing of verify
// left to compile lazily.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_PROFILES, cacheFile, loadCli } from '../bin/load-cli.cjs';

const [profile, dir] = process.argv.slice(2);
if (!dir || (profile !== 'all' && !CACHE_PROFILES.includes(profile))) {
  console.error(`usage: train-cli-cache.mjs all|${CACHE_PROFILES.join('|')} <dir>`);
  process.exit(2);
}
// No cache while training: the functions compiled are then exactly those this run used.
const { run, script } = await loadCli([], { noCache: true });
if (!script) throw new Error('dist/bundle/cli.cjs is missing');

const env = { NOTATION_CONFIG: join(dir, 'cfg'), NOTATION_CACHE: join(dir, 'cache'), HOME: dir, PATH: process.env.PATH };
const cli = async (...argv) => {
  let out = '';
  const io = { stdout: { write: (s) => void (out += s) }, stderr: { write: (s) => void (out += s) }, env, cwd: dir, isTTY: false, readStdin: async () => '' };
  const code = await run(argv, io);
  if (code !== 0) throw new Error(`notation-ts ${argv.join(' ')} exited ${code}: ${out}`);
};
const layouts = { jws: 'layout-jws', cose: 'layout-cose' };
const blob = join(dir, 'blob.txt');
const blobSigs = { jws: join(dir, 'blob.txt.jws.sig'), cose: join(dir, 'blob.txt.cose.sig') };

/** An OCI layout holding one small image manifest; returns its reference. */
function writeLayout(name) {
  const layout = join(dir, name);
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (bytes) => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(blobs, hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const config = put(Buffer.from('{}'));
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: [] }));
  const m = put(manifest);
  writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m }] }));
  writeFileSync(join(layout, 'ref'), `${name}@${m.digest}`);
  return `${name}@${m.digest}`;
}

const workloads = {
  sign: async () => {
    for (const fmt of ['jws', 'cose']) await cli('sign', '--oci-layout', '--signature-format', fmt, refs[fmt]);
  },
  verify: async () => {
    for (const fmt of ['jws', 'cose']) await cli('verify', '--oci-layout', '--scope', 'local/train', refs[fmt]);
  },
  'blob-sign': async () => {
    for (const fmt of ['jws', 'cose']) await cli('blob', 'sign', '--signature-format', fmt, '--signature-directory', dir, '--force', blob);
  },
  'blob-verify': async () => {
    for (const fmt of ['jws', 'cose']) await cli('blob', 'verify', '--signature', blobSigs[fmt], blob);
  },
};

let refs;
if (profile === 'all') {
  refs = { jws: writeLayout(layouts.jws), cose: writeLayout(layouts.cose) };
  writeFileSync(blob, 'training blob\n');
  await cli('cert', 'generate-test', '--default', 'train.example');
  const policy = (extra) => ({ name: 'train', signatureVerification: { level: 'strict' }, trustStores: ['ca:train.example'], trustedIdentities: ['*'], ...extra });
  writeFileSync(join(env.NOTATION_CONFIG, 'trustpolicy.oci.json'), JSON.stringify({ version: '1.0', trustPolicies: [policy({ registryScopes: ['*'] })] }));
  writeFileSync(join(env.NOTATION_CONFIG, 'trustpolicy.blob.json'), JSON.stringify({ version: '1.0', trustPolicies: [policy({ globalPolicy: true })] }));
  for (const w of CACHE_PROFILES) await workloads[w]();
  await cli('list', '--oci-layout', refs.jws);
  await cli('inspect', '--oci-layout', refs.jws);
  await cli('--help');
  await cli('version');
} else {
  refs = { jws: readFileSync(join(dir, layouts.jws, 'ref'), 'utf8'), cose: readFileSync(join(dir, layouts.cose, 'ref'), 'utf8') };
  await workloads[profile]();
}
writeFileSync(cacheFile(profile === 'all' ? undefined : profile), script.createCachedData());
