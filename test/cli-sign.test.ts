/**
 * `notation-ts sign` and `blob sign`, in process: round trips through our own
 * verify (both formats, OCI layout and blobs), notation's output lines, every
 * bad-input case of issue 3 (clear error, exit 1, nothing half-written), flag
 * rules, and timestamping against a real TSA.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeImageLayout } from './helpers/layout.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { makePki, writeTrustStore, type BadLeaf, type Pki } from './helpers/pki.js';
import { startTsa, type Tsa } from './helpers/tsa.js';
import { parseEnvelope } from '../src/envelope/index.js';

interface Env {
  dir: string;
  cfg: string;
  cli(args: string[], stdin?: string): Promise<CliResult>;
}

function newEnv(): Env {
  const dir = mkdtempSync(join(tmpdir(), 'notation-ts-cli-sign-'));
  const cfg = join(dir, 'config');
  mkdirSync(cfg, { recursive: true });
  return { dir, cfg, cli: (args, stdin) => runCli(args, { env: { NOTATION_CONFIG: cfg, NOTATION_CACHE: join(dir, 'cache') }, cwd: dir, stdin }) };
}

/** Writes a local key (any files, no checks) into signingkeys.json. */
function setKeys(env: Env, keys: { name: string; keyPem: string; chainPem: string }[], def?: string): void {
  const entries = keys.map((k) => {
    const keyPath = join(env.dir, `${k.name}.key`);
    const certPath = join(env.dir, `${k.name}.crt`);
    writeFileSync(keyPath, k.keyPem);
    writeFileSync(certPath, k.chainPem);
    return { name: k.name, keyPath, certPath };
  });
  writeFileSync(join(env.cfg, 'signingkeys.json'), JSON.stringify({ ...(def ? { default: def } : {}), keys: entries }));
}

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** An OCI image layout with one image tagged v1; returns the manifest digest. */
function makeLayout(dir: string): string {
  return writeImageLayout(dir, { config: '{"architecture":"amd64","os":"linux"}', layer: 'layer\n', tag: 'v1' }).digest;
}

function trustPolicies(env: Env, pki: Pki, tsaStore = false): void {
  writeTrustStore(env.cfg, 'ca', 'test', [pki.root]);
  const stores = ['ca:test', ...(tsaStore ? ['tsa:test-tsa'] : [])];
  writeFileSync(
    join(env.cfg, 'trustpolicy.oci.json'),
    JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['local/test'], signatureVerification: { level: 'strict' }, trustStores: stores, trustedIdentities: ['*'] }] }),
  );
  writeFileSync(
    join(env.cfg, 'trustpolicy.blob.json'),
    JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'b', globalPolicy: true, signatureVerification: { level: 'strict' }, trustStores: stores, trustedIdentities: ['*'] }] }),
  );
}

/** Signature manifests in the layout's index.json with their envelope layer. */
function signatures(layout: string): { digest: string; manifest: { layers: { mediaType: string; digest: string }[]; annotations: Record<string, string>; subject: { digest: string } } }[] {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  return index.manifests
    .map((d) => ({ digest: d.digest, manifest: JSON.parse(readFileSync(join(layout, 'blobs', ...d.digest.split(':')), 'utf8')) }))
    .filter((x) => x.manifest.artifactType === 'application/vnd.cncf.notary.signature' || x.manifest.config?.mediaType === 'application/vnd.cncf.notary.signature');
}

function envelopeOf(layout: string, digest: string): Uint8Array {
  return readFileSync(join(layout, 'blobs', ...digest.split(':')));
}

describe('cli sign (OCI layout)', function () {
  this.timeout(60_000);
  let env: Env;
  let pki: Pki;
  let digest: string;
  let layout: string;

  before(async () => {
    pki = await makePki({ name: 'cli-sign' });
  });
  beforeEach(() => {
    env = newEnv();
    layout = join(env.dir, 'img');
    digest = makeLayout(layout);
    setKeys(env, [{ name: 'k', keyPem: pki.leaf.keyPem, chainPem: pki.chainPem }], 'k');
    trustPolicies(env, pki);
  });
  afterEach(() => rmSync(env.dir, { recursive: true, force: true }));

  for (const format of ['jws', 'cose'] as const) {
    it(`signs in ${format} with notation's lines and verifies with our verify`, async () => {
      const r = await env.cli(['sign', '--oci-layout', '--signature-format', format, `img@${digest}`]);
      expect(r.stderr).to.equal('');
      expect(r.code).to.equal(0);
      const sigs = signatures(layout);
      expect(sigs).to.have.length(1);
      expect(r.stdout).to.equal(`Successfully signed img@${digest}\nPushed the signature to img@${sigs[0].digest}\n`);
      const layer = sigs[0].manifest.layers[0];
      expect(layer.mediaType).to.equal(format === 'jws' ? 'application/jose+json' : 'application/cose');
      expect(sigs[0].manifest.subject.digest).to.equal(digest);
      const thumbs = JSON.parse(sigs[0].manifest.annotations['io.cncf.notary.x509chain.thumbprint#S256']) as string[];
      expect(thumbs).to.deep.equal(pki.chain.map((c) => sha256(c.raw)));
      const v = await env.cli(['verify', '--oci-layout', '--scope', 'local/test', `img@${digest}`]);
      expect(v.code, v.stderr).to.equal(0);
      expect(v.stdout).to.equal(`Successfully verified signature for img@${digest}\n`);
    });
  }

  it('signs a tag with the mutable-tag warning, user metadata and an expiry', async () => {
    const r = await env.cli(['sign', '--oci-layout', '-m', 'build=7', '-m', 'team=x', '--expiry', '2h30m', 'img:v1']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.equal(
      'Warning: Always sign the artifact using digest(@sha256:...) rather than a tag(:v1) because tags are mutable and a tag reference can point to a different artifact than the one signed.\n',
    );
    expect(r.stdout).to.match(new RegExp(`^Successfully signed img@${digest}\nPushed the signature to img@sha256:[0-9a-f]{64}\n$`));
    const [sig] = signatures(layout);
    const content = parseEnvelope('application/jose+json', envelopeOf(layout, sig.manifest.layers[0].digest)).verify();
    const sa = content.signerInfo.signedAttributes;
    expect(sa.expiry!.getTime() - sa.signingTime.getTime()).to.equal(2.5 * 3600 * 1000);
    const payload = JSON.parse(Buffer.from(content.payload.content).toString('utf8'));
    expect(payload.targetArtifact.annotations).to.deep.equal({ build: '7', team: 'x' });
    const v = await env.cli(['verify', '--oci-layout', '--scope', 'local/test', '-m', 'build=7', `img@${digest}`]);
    expect(v.code, v.stderr).to.equal(0);
    expect(v.stdout).to.contain('build   7');
  });

  it('takes the default format from config.json signatureFormat (case-insensitive)', async () => {
    writeFileSync(join(env.cfg, 'config.json'), '{"signatureFormat":"COSE"}');
    const r = await env.cli(['sign', '--oci-layout', `img@${digest}`]);
    expect(r.code, r.stderr).to.equal(0);
    expect(signatures(layout)[0].manifest.layers[0].mediaType).to.equal('application/cose');
    const j = await env.cli(['sign', '--oci-layout', '--signature-format', 'jws', `img@${digest}`]);
    expect(j.code).to.equal(0);
    expect(signatures(layout).map((s) => s.manifest.layers[0].mediaType).sort()).to.deep.equal(['application/cose', 'application/jose+json']);
  });

  it('uses --key over the default key and refuses unknown keys', async () => {
    const other = await makePki({ name: 'cli-sign-other', keySpec: 'EC-384' });
    setKeys(env, [{ name: 'k', keyPem: pki.leaf.keyPem, chainPem: pki.chainPem }, { name: 'o', keyPem: other.leaf.keyPem, chainPem: other.chainPem }], 'k');
    const r = await env.cli(['sign', '--oci-layout', '-k', 'o', `img@${digest}`]);
    expect(r.code, r.stderr).to.equal(0);
    const [sig] = signatures(layout);
    const content = parseEnvelope('application/jose+json', envelopeOf(layout, sig.manifest.layers[0].digest)).verify();
    expect(content.signerInfo.certificateChain[0].subject).to.equal(other.leaf.subject);
    expect(content.signerInfo.signatureAlgorithm).to.equal('ECDSA-SHA-384');
    const bad = await env.cli(['sign', '--oci-layout', '-k', 'nope', `img@${digest}`]);
    expect(bad).to.include({ code: 1, stderr: 'Error: signing key nope not found\n' });
  });

  it('without a default key says how to fix it', async () => {
    setKeys(env, [{ name: 'k', keyPem: pki.leaf.keyPem, chainPem: pki.chainPem }]);
    const r = await env.cli(['sign', '--oci-layout', `img@${digest}`]);
    expect(r).to.include({ code: 1, stderr: 'Error: default signing key not set. Please set default signing key or specify a key name\n' });
  });

  it('refuses a digest that is not in the layout and a missing layout', async () => {
    const wrong = `sha256:${'0'.repeat(64)}`;
    const r = await env.cli(['sign', '--oci-layout', `img@${wrong}`]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^Error: failed to get manifest descriptor: /);
    const m = await env.cli(['sign', '--oci-layout', `nowhere@${digest}`]);
    expect(m.code).to.equal(1);
    expect(m.stderr).to.contain('nowhere');
    expect(signatures(layout)).to.have.length(0);
  });

  it('--recursive signs every manifest of an image index, then the index', async () => {
    // Wrap the image in an index tagged "multi".
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; size: number }[] };
    const child = index.manifests[0];
    const idx = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: child.digest, size: child.size, platform: { os: 'linux', architecture: 'amd64' } }] }),
    );
    const idxHex = sha256(idx);
    writeFileSync(join(layout, 'blobs', 'sha256', idxHex), idx);
    index.manifests.push({ mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${idxHex}`, size: idx.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } } as never);
    writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
    const r = await env.cli(['sign', '--oci-layout', '--recursive', `img@sha256:${idxHex}`]);
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).to.equal(`Successfully signed img@${digest}`);
    expect(lines[2]).to.equal(`Successfully signed img@sha256:${idxHex}`);
    expect(signatures(layout).map((x) => x.manifest.subject.digest).sort()).to.deep.equal([digest, `sha256:${idxHex}`].sort());
    expect((await env.cli(['verify', '--oci-layout', '--scope', 'local/test', `img@${digest}`])).code).to.equal(0);
  });

  describe('flag rules (cobra groups and pflag parsing, notation texts)', () => {
    const cases: [string[], string][] = [
      [['--key', 'k', '--id', 'x'], 'Error: if any flags in the group [id plugin] are set they must all be set; missing [plugin]'],
      [['--plugin', 'p'], 'Error: if any flags in the group [id plugin] are set they must all be set; missing [id]'],
      [['--key', 'k', '--id', 'x', '--plugin', 'p'], 'Error: if any flags in the group [key id] are set none of the others can be; [id key] were all set'],
      [['--force-referrers-tag'], 'Error: if any flags in the group [oci-layout force-referrers-tag allow-referrers-api] are set none of the others can be; [force-referrers-tag oci-layout] were all set'],
      [['--timestamp-url', 'http://127.0.0.1:1/'], 'Error: if any flags in the group [timestamp-url timestamp-root-cert] are set they must all be set; missing [timestamp-root-cert]'],
      [['--timestamp-url', '', '--timestamp-root-cert', 'x'], 'Error: timestamping: tsa url cannot be empty'],
      [['--timestamp-url', 'http://x', '--timestamp-root-cert', ''], 'Error: timestamping: tsa root certificate path cannot be empty'],
      [['-e', '1d'], 'Error: invalid argument "1d" for "-e, --expiry" flag: time: unknown unit "d" in duration "1d"'],
      [['-e', '10'], 'Error: invalid argument "10" for "-e, --expiry" flag: time: missing unit in duration "10"'],
      [['-e', 'abc'], 'Error: invalid argument "abc" for "-e, --expiry" flag: time: invalid duration "abc"'],
      [['-e', '1500ms'], 'Error: expiry duration supports minimum granularity of seconds'],
      [['-e', '-1h'], 'Error: expiry duration cannot be a negative value'],
      [['--signature-format', 'pem'], 'Error: signature format "pem" not supported\nSupported signature envelope formats are "jws" and "cose"'],
      [['-m', 'novalue'], 'Error: could not parse flag user-metadata: key-value pair requires "=" as separator'],
      [['-m', 'io.cncf.notary.x=1'], 'Error: error adding user metadata: metadata key io.cncf.notary.x has reserved prefix io.cncf.notary'],
    ];
    for (const [flags, msg] of cases) {
      it(`${flags.join(' ')} -> ${msg.split('\n')[0]}`, async () => {
        const r = await env.cli(['sign', '--oci-layout', ...flags, `img@${digest}`]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal(msg + '\n');
        expect(r.stdout).to.equal('');
        expect(signatures(layout)).to.have.length(0);
      });
    }
  });

  describe('certificates and keys notation refuses (clear error, exit 1, layout untouched)', () => {
    const refusals: [BadLeaf | 'wrongKey' | 'brokenChain', RegExp][] = [
      ['wrongKey', /^Error: tls: private key does not match public key\n$/],
      ['serverAuth', /^Error: certificate-chain is invalid, certificate with subject "CN=bad-serverAuth leaf,[^"]*": extended key usage must not contain ServerAuth eku\n$/],
      ['caLeaf', /^Error: certificate-chain is invalid, certificate with subject "[^"]*": if the basic constraints extension is present, the ca field must be set to false\n$/],
      ['keyEncipherment', /^Error: certificate-chain is invalid, the certificate with subject "[^"]*" is invalid. The key usage must be "Digital Signature" only, but found "KeyEncipherment"\n$/],
      ['rsa1024', /^Error: rsa key size 1024 bits is not supported\n$/],
      ['expired', /^Error: certificate-chain is invalid, certificate with subject "[^"]*" was invalid at signing time of .* UTC. Certificate is valid from \[.*\] to \[.*\]\n$/],
      ['notYetValid', /^Error: certificate-chain is invalid, certificate with subject "[^"]*" was invalid at signing time of .* UTC. Certificate is valid from \[.*\] to \[.*\]\n$/],
      ['brokenChain', /^Error: certificate-chain is invalid, invalid certificates or certificate with subject "CN=bad-brokenChain leaf,[^"]*" is not issued by "CN=bad-brokenChain Root CA,[^"]*". Error: .+\n$/],
    ];
    for (const [what, msg] of refusals) {
      it(what, async () => {
        const bad = await makePki({ name: `bad-${what}`, ...(what === 'wrongKey' || what === 'brokenChain' ? {} : { bad: what }) });
        let keyPem = bad.leaf.keyPem;
        let chainPem = bad.chainPem;
        if (what === 'wrongKey') keyPem = (await makePki({ name: 'another', keySpec: 'EC-384' })).leaf.keyPem;
        if (what === 'brokenChain') chainPem = bad.leaf.certPem + bad.root.certPem;
        setKeys(env, [{ name: 'bad', keyPem, chainPem }], 'bad');
        const indexBefore = readFileSync(join(layout, 'index.json'));
        const blobsBefore = readdirSync(join(layout, 'blobs', 'sha256')).sort();
        for (const format of ['jws', 'cose']) {
          const r = await env.cli(['sign', '--oci-layout', '--signature-format', format, `img@${digest}`]);
          expect(r.code, r.stderr).to.equal(1);
          expect(r.stderr).to.match(msg);
          expect(r.stdout).to.equal('');
        }
        expect(readFileSync(join(layout, 'index.json'))).to.deep.equal(indexBefore);
        expect(readdirSync(join(layout, 'blobs', 'sha256')).sort()).to.deep.equal(blobsBefore);
        writeFileSync(join(env.dir, 'a.txt'), 'blob');
        const b = await env.cli(['blob', 'sign', 'a.txt']);
        expect(b.code).to.equal(1);
        expect(b.stderr).to.match(msg);
        expect(readdirSync(env.dir).filter((f) => f.endsWith('.sig'))).to.deep.equal([]);
      });
    }
  });
});

describe('cli blob sign', function () {
  this.timeout(60_000);
  let env: Env;
  let pki: Pki;

  before(async () => {
    pki = await makePki({ name: 'cli-blob', keySpec: 'RSA-3072' });
  });
  beforeEach(() => {
    env = newEnv();
    setKeys(env, [{ name: 'k', keyPem: pki.leaf.keyPem, chainPem: pki.chainPem }], 'k');
    trustPolicies(env, pki);
    mkdirSync(join(env.dir, 'data'));
    writeFileSync(join(env.dir, 'data', 'a.txt'), 'hello blob\n');
  });
  afterEach(() => {
    try {
      chmodSync(join(env.dir, 'ro'), 0o700);
    } catch {
      /* not made by this test */
    }
    rmSync(env.dir, { recursive: true, force: true });
  });

  for (const format of ['jws', 'cose'] as const) {
    it(`writes <blob>.${format}.sig next to the blob by default and it verifies`, async () => {
      const r = await env.cli(['blob', 'sign', '--signature-format', format, 'data/a.txt']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
      expect(r.stdout).to.equal(`Successfully signed data/a.txt\n Signature file written to data/a.txt.${format}.sig\n`);
      const v = await env.cli(['blob', 'verify', '-s', `data/a.txt.${format}.sig`, 'data/a.txt']);
      expect(v.code, v.stderr).to.equal(0);
      expect(v.stdout).to.equal('Successfully verified signature for data/a.txt\n');
      // RSA-3072 signs with SHA-384, and notation digests the blob with the same hash.
      const content = parseEnvelope(format === 'jws' ? 'application/jose+json' : 'application/cose', readFileSync(join(env.dir, 'data', `a.txt.${format}.sig`))).verify();
      const ta = JSON.parse(Buffer.from(content.payload.content).toString('utf8')).targetArtifact;
      expect(ta).to.deep.equal({ mediaType: 'application/octet-stream', digest: `sha384:${createHash('sha384').update('hello blob\n').digest('hex')}`, size: 11 });
    });
  }

  it('honours --signature-directory, --media-type and -m', async () => {
    const r = await env.cli(['blob', 'sign', '--signature-directory', 'sigs/out', '--media-type', 'text/plain', '-m', 'k=v', 'data/a.txt']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('Successfully signed data/a.txt\n Signature file written to sigs/out/a.txt.jws.sig\n');
    const v = await env.cli(['blob', 'verify', '-s', 'sigs/out/a.txt.jws.sig', '--media-type', 'text/plain', '-m', 'k=v', 'data/a.txt']);
    expect(v.code, v.stderr).to.equal(0);
    const wrongType = await env.cli(['blob', 'verify', '-s', 'sigs/out/a.txt.jws.sig', '--media-type', 'text/html', 'data/a.txt']);
    expect(wrongType.code).to.equal(1);
  });

  it('refuses to overwrite a signature file without --force and keeps it intact', async () => {
    const sigPath = join(env.dir, 'data', 'a.txt.jws.sig');
    writeFileSync(sigPath, 'previous');
    const r = await env.cli(['blob', 'sign', 'data/a.txt']);
    expect(r).to.include({ code: 1, stdout: '' });
    expect(r.stderr).to.equal('Error: signature file data/a.txt.jws.sig already exists; use --force to overwrite it\n');
    expect(readFileSync(sigPath, 'utf8')).to.equal('previous');
    const f = await env.cli(['blob', 'sign', '--force', 'data/a.txt']);
    expect(f.code, f.stderr).to.equal(0);
    expect(f.stderr).to.equal('Warning: existing signature file will be overwritten\n');
    expect((await env.cli(['blob', 'verify', '-s', 'data/a.txt.jws.sig', 'data/a.txt'])).code).to.equal(0);
  });

  it('reports an unwritable signature directory and writes nothing', async function () {
    if (process.getuid?.() === 0) {
      // root ignores directory permissions: use a path below a regular file instead.
      writeFileSync(join(env.dir, 'ro'), 'file');
      const r = await env.cli(['blob', 'sign', '--signature-directory', 'ro/sub', 'data/a.txt']);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/^Error: failed to write signature to file: /);
      return;
    }
    mkdirSync(join(env.dir, 'ro'));
    chmodSync(join(env.dir, 'ro'), 0o500);
    const r = await env.cli(['blob', 'sign', '--signature-directory', 'ro', 'data/a.txt']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^Error: failed to write signature to file: .*(EACCES|permission denied)/);
    expect(readdirSync(join(env.dir, 'ro'))).to.deep.equal([]);
  });

  it('rejects bad arguments with notation texts', async () => {
    expect(await env.cli(['blob', 'sign'])).to.include({ code: 1, stderr: 'Error: missing file path to the blob artifact: use `notation blob sign --help` to see what parameters are required\n' });
    expect(await env.cli(['blob', 'sign', ''])).to.include({ code: 1, stderr: 'Error: blob path cannot be empty\n' });
    expect(await env.cli(['blob', 'sign', '--signature-directory', '', 'data/a.txt'])).to.include({ code: 1, stderr: 'Error: signature directory cannot be empty\n' });
    expect(await env.cli(['blob', 'sign', 'data/missing.txt'])).to.include({ code: 1, stderr: 'Error: open data/missing.txt: no such file or directory\n' });
    expect(await env.cli(['blob', 'sign', '--media-type', 'not a type', 'data/a.txt'])).to.include({ code: 1 });
    expect(await env.cli(['blob', 'sign', '--timestamp-root-cert', '', 'data/a.txt'])).to.include({ code: 1, stderr: 'Error: timestamping: tsa root certificate path cannot be empty\n' });
    expect(readdirSync(join(env.dir, 'data'))).to.deep.equal(['a.txt']);
  });
});

describe('cli sign --timestamp-url (real TSA)', function () {
  this.timeout(60_000);
  let tsa: Tsa;
  let env: Env;
  let pki: Pki;
  let digest: string;

  before(async () => {
    tsa = await startTsa();
    pki = await makePki({ name: 'cli-tsa' });
  });
  after(async () => tsa?.stop());
  beforeEach(() => {
    env = newEnv();
    digest = makeLayout(join(env.dir, 'img'));
    setKeys(env, [{ name: 'k', keyPem: pki.leaf.keyPem, chainPem: pki.chainPem }], 'k');
    trustPolicies(env, pki, true);
    writeTrustStore(env.cfg, 'tsa', 'test-tsa', [tsa.rootCertPem]);
    writeFileSync(join(env.dir, 'tsa-root.crt'), tsa.rootCertPem);
  });
  afterEach(() => rmSync(env.dir, { recursive: true, force: true }));

  for (const format of ['jws', 'cose'] as const) {
    it(`${format}: the token is stored and the signature verifies under a policy with a tsa store`, async () => {
      const before = tsa.requests;
      const r = await env.cli(['sign', '--oci-layout', '--signature-format', format, '--timestamp-url', tsa.url, '--timestamp-root-cert', 'tsa-root.crt', `img@${digest}`]);
      expect(r.code, r.stderr).to.equal(0);
      expect(tsa.requests).to.equal(before + 1);
      const [sig] = signatures(join(env.dir, 'img'));
      const content = parseEnvelope(sig.manifest.layers[0].mediaType, envelopeOf(join(env.dir, 'img'), sig.manifest.layers[0].digest)).verify();
      expect(content.signerInfo.unsignedAttributes.timestampSignature?.length ?? 0).to.be.greaterThan(0);
      const v = await env.cli(['verify', '--oci-layout', '--scope', 'local/test', `img@${digest}`]);
      expect(v.code, v.stderr).to.equal(0);
      expect(v.stdout).to.equal(`Successfully verified signature for img@${digest}\n`);
    });
  }

  it('blob sign with a timestamp verifies', async () => {
    writeFileSync(join(env.dir, 'b.bin'), Buffer.from([1, 2, 3]));
    const r = await env.cli(['blob', 'sign', '--timestamp-url', tsa.url, '--timestamp-root-cert', 'tsa-root.crt', 'b.bin']);
    expect(r.code, r.stderr).to.equal(0);
    const v = await env.cli(['blob', 'verify', '-s', 'b.bin.jws.sig', 'b.bin']);
    expect(v.code, v.stderr).to.equal(0);
  });

  it('refuses a root file that is not exactly one self-signed root, and a token from another root', async () => {
    writeFileSync(join(env.dir, 'two.crt'), tsa.rootCertPem + pki.root.certPem);
    const two = await env.cli(['sign', '--oci-layout', '--timestamp-url', tsa.url, '--timestamp-root-cert', 'two.crt', `img@${digest}`]);
    expect(two).to.include({ code: 1, stderr: 'Error: found more than one certificates from "two.crt". Expecting single x509 root certificate in PEM or DER format from the file\n' });
    writeFileSync(join(env.dir, 'inter.crt'), pki.intermediate.certPem);
    const inter = await env.cli(['sign', '--oci-layout', '--timestamp-url', tsa.url, '--timestamp-root-cert', 'inter.crt', `img@${digest}`]);
    expect(inter.code).to.equal(1);
    expect(inter.stderr).to.match(/^Error: (certificate from "inter.crt" is not a root certificate|failed to check root certificate with error)/);
    writeFileSync(join(env.dir, 'empty.crt'), '');
    const empty = await env.cli(['sign', '--oci-layout', '--timestamp-url', tsa.url, '--timestamp-root-cert', 'empty.crt', `img@${digest}`]);
    expect(empty.stderr).to.equal('Error: cannot find any certificate from "empty.crt". Expecting single x509 root certificate in PEM or DER format from the file\n');
    writeFileSync(join(env.dir, 'other-root.crt'), pki.root.certPem);
    const other = await env.cli(['sign', '--oci-layout', '--timestamp-url', tsa.url, '--timestamp-root-cert', 'other-root.crt', `img@${digest}`]);
    expect(other.code).to.equal(1);
    expect(other.stderr).to.match(/^Error: timestamp: /);
    expect(signatures(join(env.dir, 'img'))).to.have.length(0);
  });

  it('fails the signing when the TSA misbehaves', async () => {
    tsa.setMode('wrong-nonce');
    try {
      const r = await env.cli(['sign', '--oci-layout', '--timestamp-url', tsa.url, '--timestamp-root-cert', 'tsa-root.crt', `img@${digest}`]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/^Error: timestamp: .*nonce/i);
      expect(signatures(join(env.dir, 'img'))).to.have.length(0);
    } finally {
      tsa.setMode('ok');
    }
  });

  it('a signature without a token fails strict verification when the policy names a tsa store', async () => {
    const r = await env.cli(['sign', '--oci-layout', `img@${digest}`]);
    expect(r.code).to.equal(0);
    const v = await env.cli(['verify', '--oci-layout', '--scope', 'local/test', `img@${digest}`]);
    expect(v.code).to.equal(1);
    expect(existsSync(join(env.dir, 'img', 'index.json'))).to.equal(true);
  });
});
