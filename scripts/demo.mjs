#!/usr/bin/env node
// `npm run demo`: notation-ts end to end, offline, in a throw-away directory.
//
// It makes a test PKI (root -> intermediate -> leaf, EC P-256), a one-image OCI
// image layout and a blob, then runs the CLI (dist/cli/main.js, what
// bin/notation-ts.cjs runs, called in process to keep the demo fast) for every step and prints each command with its output: trust setup, signing in JWS
// and COSE, listing, verifying, and verifying again after tampering (which must
// fail). Exit code 0 only when every step behaved as expected, the expected
// failures included. Flags: --keep (keep the temp dir), --quiet (summary only).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const quiet = process.argv.includes('--quiet');
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const say = (s = '') => {
  if (!quiet) process.stdout.write(s + '\n');
};

// ---------------------------------------------------------------- build check
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  say('dist/ is missing (npm install builds it); building it now with `npm run build` ...');
  const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) {
    console.error('demo: the build failed; run `npm install` first');
    process.exit(1);
  }
}

// The CLI runs in this process (the same entry point as bin/notation-ts.cjs), one call per command.
const { run } = await import('../dist/cli/main.js');

// ---------------------------------------------------------------- workspace
const work = mkdtempSync(join(tmpdir(), 'notation-ts-demo-'));
const configDir = join(work, 'notation-config');
const env = {
  PATH: process.env.PATH,
  HOME: work,
  NOTATION_CONFIG: configDir,
  NOTATION_CACHE: join(work, 'notation-cache'),
};
const started = Date.now();
const failures = [];
let stepNo = 0;

function header(title) {
  stepNo++;
  say('');
  say(paint('1;36', `==> ${stepNo}. ${title}`));
}

function note(text) {
  for (const line of text.split('\n')) say(paint('2', `    ${line}`));
}

/**
 * Runs `notation-ts <args>` in the workspace, prints the command and its output,
 * and records a failure unless the exit code and output are what we expect.
 */
async function cli(title, args, expect = {}, fallback) {
  header(title);
  const shown = args.map((a) => (/^[\w@:./=+-]+$/.test(a) ? a : `'${a}'`)).join(' ');
  say(paint('1', `$ notation-ts ${shown}`));
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: { write: (t) => void (stdout += t) },
    stderr: { write: (t) => void (stderr += t) },
    env,
    cwd: work,
    readStdin: async () => '',
  });
  const r = { status: code };
  // stderr first: notation's warnings come before its result lines.
  const out = stderr + stdout;
  for (const line of out.replace(/\n$/, '').split('\n')) if (line !== '') say(`  ${line}`);
  const wantCode = expect.code ?? 0;
  const problems = [];
  if (r.status !== wantCode) problems.push(`exit code ${r.status}, expected ${wantCode}`);
  for (const s of expect.contains ?? []) if (!out.includes(s)) problems.push(`output lacks ${JSON.stringify(s)}`);
  if (problems.length && fallback && r.status !== 0 && /Cannot find module|ERR_MODULE_NOT_FOUND/.test(out)) {
    fallback();
    say(paint('33', '  (this build lacks the command: the demo wrote the files itself)'));
  } else if (problems.length) {
    failures.push(`${stepNo}. ${title}: ${problems.join('; ')}`);
    say(paint('1;31', `  ✗ unexpected: ${problems.join('; ')}`));
  } else {
    say(paint('32', wantCode === 0 ? '  ✓ ok' : `  ✓ failed as expected (exit ${r.status})`));
  }
  return { code: r.status, out };
}

// ---------------------------------------------------------------- test PKI
x509.cryptoProvider.set(webcrypto);
const EC = { name: 'ECDSA', namedCurve: 'P-256' };
const SIG = { name: 'ECDSA', hash: 'SHA-256' };
const DAY = 86_400_000;

async function newKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const cryptoKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, EC, true, ['sign']);
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }), cryptoKey, spki };
}

async function issue(subject, key, issuer, kind) {
  const KU = x509.KeyUsageFlags;
  const exts = [
    new x509.BasicConstraintsExtension(kind === 'ca', kind === 'ca' ? (issuer ? 0 : undefined) : undefined, true),
    new x509.KeyUsagesExtension(kind === 'ca' ? KU.keyCertSign | KU.cRLSign : KU.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(key.spki),
  ];
  if (kind === 'leaf') exts.push(new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.3'], false)); // codeSigning
  if (issuer) exts.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.key.spki));
  const serial = randomBytes(12);
  serial[0] &= 0x7f;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject,
    issuer: issuer ? issuer.subject : subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + (kind === 'ca' ? 3650 : 365) * DAY),
    publicKey: key.spki,
    signingKey: (issuer ?? { key }).key.cryptoKey,
    signingAlgorithm: SIG,
    extensions: exts,
  });
  return { subject, key, pem: cert.toString('pem') + '\n' };
}

// ---------------------------------------------------------------- OCI image layout
function sha256(b) {
  return createHash('sha256').update(b).digest('hex');
}

function makeLayout(dir) {
  const put = (bytes) => {
    const hex = sha256(bytes);
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'blobs', 'sha256', hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const config = put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })));
  const layer = put(Buffer.from('hello from the notation-ts demo\n'));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    }),
  );
  const m = put(manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
    }),
  );
  return m.digest;
}

/**
 * Plays an attacker with write access to the layout: changes one byte of the
 * signature value in every envelope, then fixes up the envelope digest, the
 * signature manifest and index.json so that storage is consistent again. Only the
 * cryptographic check can notice. Returns the number of envelopes changed.
 */
function tamperSignatures(dir) {
  const blobPath = (digest) => join(dir, 'blobs', ...digest.split(':'));
  const indexPath = join(dir, 'index.json');
  const index = JSON.parse(readFileSync(indexPath, 'utf8'));
  let n = 0;
  for (const d of index.manifests) {
    const manifest = JSON.parse(readFileSync(blobPath(d.digest), 'utf8'));
    const isSignature = manifest.artifactType === 'application/vnd.cncf.notary.signature' || manifest.config?.mediaType === 'application/vnd.cncf.notary.signature';
    if (!isSignature) continue;
    const layer = manifest.layers[0];
    let env = readFileSync(blobPath(layer.digest));
    if (layer.mediaType === 'application/jose+json') {
      const jws = JSON.parse(env.toString('utf8'));
      const i = Math.floor(jws.signature.length / 2);
      jws.signature = jws.signature.slice(0, i) + (jws.signature[i] === 'A' ? 'B' : 'A') + jws.signature.slice(i + 1);
      env = Buffer.from(JSON.stringify(jws));
    } else {
      env = Buffer.from(env);
      env[env.length - 1] ^= 0x01; // COSE_Sign1 ends with the signature bytes
    }
    const envHex = sha256(env);
    writeFileSync(join(dir, 'blobs', 'sha256', envHex), env);
    manifest.layers[0] = { ...layer, digest: `sha256:${envHex}`, size: env.length };
    const mBytes = Buffer.from(JSON.stringify(manifest));
    const mHex = sha256(mBytes);
    writeFileSync(join(dir, 'blobs', 'sha256', mHex), mBytes);
    Object.assign(d, { digest: `sha256:${mHex}`, size: mBytes.length });
    n++;
  }
  writeFileSync(indexPath, JSON.stringify(index));
  return n;
}

// ---------------------------------------------------------------- the demo
async function main() {
  say(paint('1', 'notation-ts demo: sign and verify an OCI image layout and a blob, offline'));
  say(`workspace: ${work}`);
  say(`NOTATION_CONFIG=${configDir}`);

  header('Create a test PKI (root -> intermediate -> leaf, EC P-256) and an OCI image layout');
  const rootKey = await newKey();
  const interKey = await newKey();
  const leafKey = await newKey();
  const root = await issue('CN=Demo Root CA,O=notation-ts demo,L=Seattle,ST=WA,C=US', rootKey, undefined, 'ca');
  const inter = await issue('CN=Demo Intermediate CA,O=notation-ts demo,L=Seattle,ST=WA,C=US', interKey, root, 'ca');
  const leaf = await issue('CN=demo signer,O=notation-ts demo,L=Seattle,ST=WA,C=US', leafKey, inter, 'leaf');
  mkdirSync(join(work, 'pki'));
  writeFileSync(join(work, 'pki', 'root.crt'), root.pem);
  writeFileSync(join(work, 'pki', 'leaf.key'), leafKey.pem, { mode: 0o600 });
  writeFileSync(join(work, 'pki', 'leaf.chain.crt'), leaf.pem + inter.pem + root.pem);
  const digest = makeLayout(join(work, 'image'));
  writeFileSync(join(work, 'release-notes.txt'), 'notation-ts demo blob: sign me\n');
  note(`pki/root.crt          ${root.subject}`);
  note(`pki/leaf.chain.crt    leaf, intermediate, root (signing certificate chain)`);
  note(`pki/leaf.key          the leaf's private key`);
  note(`image/                OCI image layout, one image tagged v1 = ${digest}`);
  note('release-notes.txt     a blob to sign');

  header('Register the signing key (notation keeps local keys in signingkeys.json)');
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const signingKeys = { default: 'demo', keys: [{ name: 'demo', keyPath: join(work, 'pki', 'leaf.key'), certPath: join(work, 'pki', 'leaf.chain.crt') }] };
  writeFileSync(join(configDir, 'signingkeys.json'), JSON.stringify(signingKeys, null, 4), { mode: 0o600 });
  note(`wrote ${join(configDir, 'signingkeys.json')}:`);
  note(JSON.stringify(signingKeys, null, 2));
  await cli('List the signing keys', ['key', 'list'], { contains: ['* demo'] });

  const caStore = join(configDir, 'truststore', 'x509', 'ca', 'demo');
  await cli('Trust the root CA: add it to the trust store "ca:demo"', ['cert', 'add', '--type', 'ca', '--store', 'demo', 'pki/root.crt'], { contains: ['root.crt'] }, () => {
    mkdirSync(caStore, { recursive: true, mode: 0o700 });
    writeFileSync(join(caStore, 'root.crt'), root.pem, { mode: 0o600 });
  });

  const ociPolicy = {
    version: '1.0',
    trustPolicies: [
      {
        name: 'demo-images',
        registryScopes: ['local/demo'],
        signatureVerification: { level: 'strict' },
        trustStores: ['ca:demo'],
        trustedIdentities: ['x509.subject: C=US, ST=WA, L=Seattle, O=notation-ts demo, CN=demo signer'],
      },
    ],
  };
  writeFileSync(join(work, 'trustpolicy.oci.json'), JSON.stringify(ociPolicy, null, 2));
  note('trustpolicy.oci.json: images in scope local/demo must be signed by "CN=demo signer,..." under ca:demo');
  await cli('Import the OCI trust policy', ['policy', 'import', 'trustpolicy.oci.json'], {}, () =>
    writeFileSync(join(configDir, 'trustpolicy.oci.json'), JSON.stringify(ociPolicy, null, 4), { mode: 0o600 }),
  );

  const ref = `image@${digest}`;
  await cli('Sign the image (JWS envelope, the default format)', ['sign', '--oci-layout', ref], { contains: [`Successfully signed ${ref}`, 'Pushed the signature to image@sha256:'] });
  await cli('Sign it again, by tag, with a COSE envelope, user metadata and an expiry', ['sign', '--oci-layout', '--signature-format', 'cose', '-m', 'build=42', '--expiry', '720h', 'image:v1'], {
    contains: [`Successfully signed ${ref}`, 'Warning: Always sign the artifact using digest'],
  });
  await cli('List the signatures of the image', ['list', '--oci-layout', ref], { contains: ['application/vnd.cncf.notary.signature'] });
  await cli('Verify the image against the trust policy', ['verify', '--oci-layout', '--scope', 'local/demo', ref], { contains: [`Successfully verified signature for ${ref}`] });
  await cli('Verify, requiring the user metadata build=42 (only the COSE signature has it)', ['verify', '--oci-layout', '--scope', 'local/demo', '-m', 'build=42', ref], {
    contains: [`Successfully verified signature for ${ref}`, 'build'],
  });

  header('Tamper with the stored signatures');
  const n = tamperSignatures(join(work, 'image'));
  note(`changed one byte of the signature value in each of the ${n} envelopes, then fixed up their digests,`);
  note('the signature manifests and index.json, as an attacker with write access to the layout could');
  await cli('Verify the tampered image (with -v to see why): this must fail', ['verify', '-v', '--oci-layout', '--scope', 'local/demo', ref], {
    code: 1,
    contains: ['signature is invalid', `Error: signature verification failed for all the signatures associated with ${ref}`],
  });

  const blobPolicy = {
    version: '1.0',
    trustPolicies: [{ name: 'demo-blobs', globalPolicy: true, signatureVerification: { level: 'strict' }, trustStores: ['ca:demo'], trustedIdentities: ['*'] }],
  };
  writeFileSync(join(work, 'trustpolicy.blob.json'), JSON.stringify(blobPolicy, null, 2));
  await cli('Import a blob trust policy', ['blob', 'policy', 'import', 'trustpolicy.blob.json'], {}, () =>
    writeFileSync(join(configDir, 'trustpolicy.blob.json'), JSON.stringify(blobPolicy, null, 4), { mode: 0o600 }),
  );
  await cli('Sign a blob (the signature goes next to it)', ['blob', 'sign', 'release-notes.txt'], { contains: ['Successfully signed release-notes.txt', 'Signature file written to release-notes.txt.jws.sig'] });
  await cli('Verify the blob', ['blob', 'verify', '--signature', 'release-notes.txt.jws.sig', 'release-notes.txt'], { contains: ['Successfully verified signature for release-notes.txt'] });
  header('Tamper with the blob');
  writeFileSync(join(work, 'release-notes.txt'), 'notation-ts demo blob: sign me!\n');
  note('appended "!" to release-notes.txt');
  await cli('Verify the tampered blob: this must fail', ['blob', 'verify', '--signature', 'release-notes.txt.jws.sig', 'release-notes.txt'], { code: 1, contains: ['Error:'] });
}

let crashed;
try {
  await main();
} catch (e) {
  crashed = e;
}
const secs = ((Date.now() - started) / 1000).toFixed(1);
if (!keep) rmSync(work, { recursive: true, force: true });
else say(`\nworkspace kept: ${work}`);
process.stdout.write('\n');
if (crashed) {
  console.error(paint('1;31', `demo crashed: ${crashed.stack ?? crashed}`));
  process.exit(1);
}
if (failures.length) {
  console.error(paint('1;31', `demo: ${failures.length} step(s) did not behave as expected:`));
  for (const f of failures) console.error(`  - ${f}`);
  process.exit(1);
}
process.stdout.write(paint('1;32', `demo: all ${stepNo} steps behaved as expected (${secs} s)`) + '\n');
