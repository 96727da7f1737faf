// Training run for the CLI's V8 code cache (called by scripts/build-cli.mjs in a
// fresh process): runs common commands once in a throw-away notation config, so
// the functions they use are compiled, then writes the cache next to the bundle.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE, loadCli } from '../bin/load-cli.cjs';

const { run, script } = await loadCli();
if (!script) throw new Error('dist/bundle/cli.cjs is missing');

const dir = mkdtempSync(join(tmpdir(), 'notation-ts-train-'));
try {
  const env = { NOTATION_CONFIG: join(dir, 'cfg'), NOTATION_CACHE: join(dir, 'cache'), HOME: dir, PATH: process.env.PATH };
  const cli = async (...argv) => {
    let out = '';
    const io = { stdout: { write: (s) => void (out += s) }, stderr: { write: (s) => void (out += s) }, env, cwd: dir, isTTY: false, readStdin: async () => '' };
    const code = await run(argv, io);
    if (code !== 0) throw new Error(`notation-ts ${argv.join(' ')} exited ${code}: ${out}`);
  };

  // An OCI layout holding one small image manifest.
  const layout = join(dir, 'layout');
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
  const ref = `layout@${m.digest}`;

  await cli('cert', 'generate-test', '--default', 'train.example');
  const policy = (extra) => ({ name: 'train', signatureVerification: { level: 'strict' }, trustStores: ['ca:train.example'], trustedIdentities: ['*'], ...extra });
  writeFileSync(join(env.NOTATION_CONFIG, 'trustpolicy.oci.json'), JSON.stringify({ version: '1.0', trustPolicies: [policy({ registryScopes: ['*'] })] }));
  writeFileSync(join(env.NOTATION_CONFIG, 'trustpolicy.blob.json'), JSON.stringify({ version: '1.0', trustPolicies: [policy({ globalPolicy: true })] }));
  await cli('sign', '--oci-layout', ref);
  await cli('sign', '--oci-layout', '--signature-format', 'cose', ref);
  await cli('verify', '--oci-layout', '--scope', 'local/train', ref);
  await cli('list', '--oci-layout', ref);
  await cli('inspect', '--oci-layout', ref);
  const blob = join(dir, 'blob.txt');
  writeFileSync(blob, 'training blob\n');
  await cli('blob', 'sign', '--signature-directory', dir, blob);
  await cli('blob', 'verify', '--signature', join(dir, 'blob.txt.jws.sig'), blob);
  await cli('--help');
  await cli('version');

  writeFileSync(CACHE, script.createCachedData());
} finally {
  rmSync(dir, { recursive: true, force: true });
}
