/**
 * Hand-written attacks, from the spec's security considerations and notation's
 * history. Each one must end in the documented failure (a typed error with a
 * stable code), never a pass and never a crash.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, sign as cryptoSign, constants } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { NotationError, SignatureIntegrityError, TrustPolicyError } from '../src/errors.js';
import { parseEnvelope, signEnvelope, MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, PAYLOAD_CONTENT_TYPE, type ExtendedAttribute } from '../src/envelope/index.js';
import { encodeCbor, Tagged } from '../src/cose/cbor.js';
import { toBeSigned } from '../src/cose/envelope.js';
import { LocalSigner } from '../src/signer/local.js';
import { Verifier, verifyIntegrity } from '../src/verifier/verifier.js';
import { MemoryTrustStore, X509TrustStore } from '../src/truststore/index.js';
import { parseOciTrustPolicy } from '../src/trustpolicy/index.js';
import { parseCertificateFileContent } from '../src/x509/filecontent.js';
import { toPem, type Certificate } from '../src/x509/certificate.js';
import { PluginManager } from '../src/plugins/manager.js';
import { checkOcsp, parseOcspResponse } from '../src/revocation/ocsp.js';
import { RegistryRepository } from '../src/oci/registry/repository.js';
import { StaticCredentials } from '../src/oci/registry/credentials.js';
import { OciLayoutRepository } from '../src/oci/layout.js';
import { makePki, makeSelfSigned, writeTrustStore, type Pki } from './helpers/pki.js';
import { buildOcspResponse, makeCert } from './helpers/revocation-servers.js';
import { writeStandalonePlugin } from './helpers/plugins/index.js';
import { runCli } from './helpers/cli.js';

const SCHEME = 'io.cncf.notary.signingScheme';
const STIME = 'io.cncf.notary.signingTime';
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DESC_A = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST_A, size: 100 };
const payloadFor = (d: object) => Buffer.from(JSON.stringify({ targetArtifact: d }));
const REF_A = `registry.example/app@${DIGEST_A}`;

function policy(level = 'strict'): ReturnType<typeof parseOciTrustPolicy> {
  return parseOciTrustPolicy(
    JSON.stringify({
      version: '1.0',
      trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level }, trustStores: ['ca:trusted'], trustedIdentities: ['*'] }],
    }),
  );
}

function verifier(trusted: Certificate[], level = 'strict'): Verifier {
  return new Verifier({ ociTrustPolicy: policy(level), trustStore: new MemoryTrustStore({ 'ca:trusted': trusted }) });
}

async function sign(pki: Pki, mediaType: string, opts: { desc?: object; ext?: ExtendedAttribute[]; chain?: Certificate[] } = {}): Promise<Uint8Array> {
  const signer = new LocalSigner(pki.leaf.key, pki.chain);
  const wrapped = opts.chain ? { keySpec: () => signer.keySpec(), sign: async (b: Uint8Array, h: never) => ({ ...(await signer.sign(b, h)), certificateChain: opts.chain! }) } : signer;
  return signEnvelope(mediaType, {
    payload: { contentType: PAYLOAD_CONTENT_TYPE, content: payloadFor(opts.desc ?? DESC_A) },
    signingScheme: 'notary.x509',
    signingTime: new Date(Date.now() - 60_000),
    extendedSignedAttributes: opts.ext,
  }, wrapped as never);
}

function integrityCode(mediaType: string, bytes: Uint8Array): string {
  try {
    verifyIntegrity(mediaType, bytes);
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(SignatureIntegrityError);
    return (e as NotationError).code;
  }
  throw new Error('expected an integrity failure');
}

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

/** A flattened JWS with the given protected header, signed with `key` the way `alg` says (or not at all). */
function jws(pki: Pki, header: Record<string, unknown>, signature: (input: Buffer) => Buffer, chain = pki.chain): Uint8Array {
  const prot = b64url(JSON.stringify(header));
  const payload = b64url(payloadFor(DESC_A));
  const sig = signature(Buffer.from(`${prot}.${payload}`, 'ascii'));
  return Buffer.from(JSON.stringify({ payload, protected: prot, header: { x5c: chain.map((c) => Buffer.from(c.raw).toString('base64')) }, signature: b64url(sig) }));
}

const hdr = (alg: string, extra: Record<string, unknown> = {}) => ({ alg, crit: [SCHEME], cty: PAYLOAD_CONTENT_TYPE, [SCHEME]: 'notary.x509', [STIME]: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'), ...extra });

describe('adversarial: envelopes', () => {
  let ec: Pki;
  let rsa: Pki;
  before(async () => {
    ec = await makePki({ name: 'adv-ec' });
    rsa = await makePki({ name: 'adv-rsa', keySpec: 'RSA-2048' });
  });

  it('JWS alg "none" with an empty signature is refused', () => {
    expect(integrityCode(MEDIA_TYPE_JWS, jws(ec, hdr('none'), () => Buffer.alloc(0)))).to.match(/SIGNATURE_INVALID|UNSUPPORTED_SIGNATURE_ALGORITHM|INVALID_SIGNATURE_ENVELOPE/);
    expect(integrityCode(MEDIA_TYPE_JWS, jws(ec, hdr('none'), () => Buffer.from('x')))).to.match(/SIGNATURE_INVALID|UNSUPPORTED_SIGNATURE_ALGORITHM/);
  });

  it('JWS HMAC with the certificate bytes as the secret (key confusion) is refused', () => {
    const bytes = jws(ec, hdr('HS256'), (input) => createHash('sha256').update(Buffer.concat([ec.leaf.der, input])).digest());
    expect(integrityCode(MEDIA_TYPE_JWS, bytes)).to.match(/SIGNATURE_INVALID|UNSUPPORTED_SIGNATURE_ALGORITHM/);
  });

  it('algorithm confusion: an RSA leaf with an EC alg, and an EC leaf with an RSA alg', () => {
    // Both are correctly signed with the leaf key under its own algorithm; only the header lies.
    const rsaSig = (input: Buffer) => cryptoSign('sha256', input, { key: rsa.leaf.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    const ecSig = (input: Buffer) => cryptoSign('sha256', input, { key: ec.leaf.key, dsaEncoding: 'ieee-p1363' });
    expect(integrityCode(MEDIA_TYPE_JWS, jws(rsa, hdr('ES256'), rsaSig, rsa.chain))).to.be.oneOf(['SIGNATURE_INVALID', 'ALGORITHM_MISMATCH']);
    expect(integrityCode(MEDIA_TYPE_JWS, jws(ec, hdr('PS256'), ecSig))).to.be.oneOf(['SIGNATURE_INVALID', 'ALGORITHM_MISMATCH']);
    // COSE: alg -37 (PS256) over an EC leaf, and -7 (ES256) over an RSA leaf.
    const cose = (pki: Pki, alg: number, sig: (b: Buffer) => Buffer) => {
      const prot = encodeCbor(new Map<unknown, unknown>([[1, alg], [2, [SCHEME]], [3, PAYLOAD_CONTENT_TYPE], [SCHEME, 'notary.x509'], [STIME, new Tagged(1, Math.floor(Date.now() / 1000) - 60)]]) as never);
      const payload = payloadFor(DESC_A);
      return encodeCbor(new Tagged(18, [prot, new Map([[33, pki.chain.map((c) => c.raw)]]), payload, sig(Buffer.from(toBeSigned(prot, payload)))]) as never);
    };
    expect(integrityCode(MEDIA_TYPE_COSE, cose(ec, -37, ecSig))).to.be.oneOf(['SIGNATURE_INVALID', 'ALGORITHM_MISMATCH']);
    expect(integrityCode(MEDIA_TYPE_COSE, cose(rsa, -7, rsaSig))).to.be.oneOf(['SIGNATURE_INVALID', 'ALGORITHM_MISMATCH']);
  });

  it('crit listing a header that is not present is refused', () => {
    const sig = (input: Buffer) => cryptoSign('sha256', input, { key: ec.leaf.key, dsaEncoding: 'ieee-p1363' });
    expect(integrityCode(MEDIA_TYPE_JWS, jws(ec, hdr('ES256', { crit: [SCHEME, 'com.acme.absent'] }), sig))).to.equal('INVALID_SIGNED_ATTRIBUTES');
  });

  it('an unknown critical extended attribute without a plugin fails verification at every level (spec; notation accepts)', async () => {
    for (const mt of [MEDIA_TYPE_JWS, MEDIA_TYPE_COSE]) {
      const bytes = await sign(ec, mt, { ext: [{ key: 'com.acme.must-understand', value: 'x', critical: true }] });
      for (const level of ['strict', 'audit']) {
        const out = await verifier([ec.root.cert], level).verify(DESC_A, bytes, { artifactReference: REF_A, signatureMediaType: mt });
        expect(out.error, `${mt} ${level}`).to.be.instanceOf(NotationError);
        expect((out.error as NotationError).code).to.equal('UNKNOWN_CRITICAL_ATTRIBUTE');
      }
      // the same attribute, not critical, is fine
      const ok = await sign(ec, mt, { ext: [{ key: 'com.acme.note', value: 'x', critical: false }] });
      const out = await verifier([ec.root.cert]).verify(DESC_A, ok, { artifactReference: REF_A, signatureMediaType: mt });
      expect(out.error, String(out.error)).to.equal(undefined);
    }
  });

  it('a payload digest that does not match the subject fails at every level', async () => {
    const bytes = await sign(ec, MEDIA_TYPE_JWS);
    for (const level of ['strict', 'permissive', 'audit']) {
      for (const other of [{ ...DESC_A, digest: `sha256:${'b'.repeat(64)}` }, { ...DESC_A, size: 101 }, { ...DESC_A, mediaType: 'application/vnd.oci.image.index.v1+json' }]) {
        const out = await verifier([ec.root.cert], level).verify(other, bytes, { artifactReference: `registry.example/app@${other.digest}`, signatureMediaType: MEDIA_TYPE_JWS });
        expect((out.error as NotationError)?.code, level).to.equal('CONTENT_DESCRIPTOR_MISMATCH');
      }
    }
  });

  it('a signature over a tag: a signature of what the tag pointed to does not verify the artifact the tag points to now', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notation-ts-adv-tag-'));
    const cfg = mkdtempSync(join(tmpdir(), 'notation-ts-adv-cfg-'));
    try {
      const layout = join(dir, 'layout');
      mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
      const put = (b: Buffer) => {
        const d = createHash('sha256').update(b).digest('hex');
        writeFileSync(join(layout, 'blobs', 'sha256', d), b);
        return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${d}`, size: b.length };
      };
      const empty = { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 };
      put(Buffer.from('{}'));
      const a = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: empty, layers: [], annotations: { v: 'a' } })));
      const b = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: empty, layers: [], annotations: { v: 'b' } })));
      // `v1` pointed at A when A was signed; now it points at B, and A's envelope is attached to B.
      writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...b, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }] }));
      writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
      await new OciLayoutRepository(layout).pushSignature(MEDIA_TYPE_JWS, Buffer.from(await sign(ec, MEDIA_TYPE_JWS, { desc: a })), b, {});
      const conf = join(cfg, 'notation');
      writeTrustStore(conf, 'ca', 'trusted', [ec.root]);
      writeFileSync(join(conf, 'trustpolicy.oci.json'), JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['local/app'], signatureVerification: { level: 'audit' }, trustStores: ['ca:trusted'], trustedIdentities: ['*'] }] }));
      const r = await runCli(['verify', '--oci-layout', `${layout}:v1`, '--scope', 'local/app', '-o', 'json'], { env: { XDG_CONFIG_HOME: cfg, NOTATION_CONFIG: conf } });
      expect(r.code, r.stdout + r.stderr).to.not.equal(0);

      // The JSON outcome names the reason: the signed digest is not the tag's current one.
      expect(r.stdout + r.stderr).to.match(/content descriptor mismatch/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(cfg, { recursive: true, force: true });
    }
  });
});

describe('adversarial: certificate chains', () => {
  let trusted: Pki;
  let rogue: Pki;
  before(async () => {
    trusted = await makePki({ name: 'adv-trusted' });
    rogue = await makePki({ name: 'adv-rogue', freshKeys: true });
  });

  async function verdict(pki: Pki, chain: Certificate[], store: Certificate[]): Promise<string | undefined> {
    const bytes = await sign(pki, MEDIA_TYPE_COSE, { chain }).catch((e: NotationError) => {
      // The signer refuses such chains too; build the envelope regardless to test the verifier.
      expect(e).to.be.instanceOf(NotationError);
      return undefined;
    });
    if (!bytes) return 'REFUSED_AT_SIGNING';
    const out = await verifier(store, 'audit').verify(DESC_A, bytes, { artifactReference: REF_A, signatureMediaType: MEDIA_TYPE_COSE });
    return (out.error as NotationError | undefined)?.code;
  }

  it('a trusted root appended after an untrusted chain does not lend its trust', async () => {
    expect(await verdict(rogue, [...rogue.chain, trusted.root.cert], [trusted.root.cert])).to.be.oneOf(['REFUSED_AT_SIGNING', 'INVALID_CERTIFICATE_CHAIN']);
    expect(await verdict(rogue, [rogue.leaf.cert, rogue.intermediate.cert, trusted.root.cert], [trusted.root.cert])).to.be.oneOf(['REFUSED_AT_SIGNING', 'INVALID_CERTIFICATE_CHAIN']);
    // and the envelope-level check (what an attacker sends, signer bypassed)
    const bytes = await sign(rogue, MEDIA_TYPE_JWS);
    const doc = JSON.parse(Buffer.from(bytes).toString());
    doc.header.x5c.push(Buffer.from(trusted.root.cert.raw).toString('base64'));
    expect(integrityCode(MEDIA_TYPE_JWS, Buffer.from(JSON.stringify(doc)))).to.equal('INVALID_CERTIFICATE_CHAIN');
  });

  it('a CA certificate used as the leaf is refused', async () => {
    const caLeaf = await makePki({ name: 'adv-caleaf', bad: 'caLeaf' });
    expect(await verdict(caLeaf, caLeaf.chain, [caLeaf.root.cert])).to.be.oneOf(['REFUSED_AT_SIGNING', 'INVALID_CERTIFICATE_CHAIN']);
    // The intermediate CA's own key signing, chain [intermediate, root].
    const asLeaf: Pki = { ...trusted, leaf: trusted.intermediate, chain: [trusted.intermediate.cert, trusted.root.cert] };
    const bytes = jws(asLeaf, hdr('ES256'), (input) => cryptoSign('sha256', input, { key: trusted.intermediate.key, dsaEncoding: 'ieee-p1363' }), asLeaf.chain);
    expect(integrityCode(MEDIA_TYPE_JWS, bytes)).to.equal('INVALID_CERTIFICATE_CHAIN');
  });

  it('a leaf issued by an intermediate without keyCertSign is refused', async () => {
    const p = await makePki({ name: 'adv-nokcs', intermediate: { keyUsage: x509.KeyUsageFlags.digitalSignature } });
    const bytes = jws(p, hdr('ES256'), (input) => cryptoSign('sha256', input, { key: p.leaf.key, dsaEncoding: 'ieee-p1363' }));
    expect(integrityCode(MEDIA_TYPE_JWS, bytes)).to.equal('INVALID_CERTIFICATE_CHAIN');
  });

  it('oversized chains (hundreds of certificates) are refused quickly, in both formats and in trust store files', async () => {
    const many = Array.from({ length: 400 }, () => trusted.intermediate.cert);
    const chain = [trusted.leaf.cert, ...many, trusted.root.cert];
    const t0 = performance.now();
    const j = jws(trusted, hdr('ES256'), (input) => cryptoSign('sha256', input, { key: trusted.leaf.key, dsaEncoding: 'ieee-p1363' }), chain);
    expect(() => verifyIntegrity(MEDIA_TYPE_JWS, j)).to.throw(NotationError, /more than 32/);
    const prot = encodeCbor(new Map<unknown, unknown>([[1, -7], [2, [SCHEME]], [3, PAYLOAD_CONTENT_TYPE], [SCHEME, 'notary.x509'], [STIME, new Tagged(1, Math.floor(Date.now() / 1000) - 60)]]) as never);
    const payload = payloadFor(DESC_A);
    const c = encodeCbor(new Tagged(18, [prot, new Map([[33, chain.map((x) => x.raw)]]), payload, cryptoSign('sha256', Buffer.from(toBeSigned(prot, payload)), { key: trusted.leaf.key, dsaEncoding: 'ieee-p1363' })]) as never);
    expect(() => verifyIntegrity(MEDIA_TYPE_COSE, c)).to.throw(NotationError);
    // a PEM file of 1001 certificates (MAX_CERTIFICATES_PER_FILE)
    expect(() => parseCertificateFileContent(Buffer.from(toPem(trusted.root.cert).repeat(1001)))).to.throw(NotationError);
    expect(performance.now() - t0).to.be.below(5000);
  });
});

describe('adversarial: paths and links', () => {
  let dir: string;
  let pki: Pki;
  before(async () => {
    pki = await makePki({ name: 'adv-paths' });
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'notation-ts-adv-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a policy naming a store with path traversal is rejected when parsed', () => {
    for (const ts of ['ca:../../etc', 'ca:../x', 'ca:a/b', 'ca:/etc', 'tsa:..\\x', 'ca:']) {
      const doc = { version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: [ts], trustedIdentities: ['*'] }] };
      expect(() => parseOciTrustPolicy(JSON.stringify(doc)), ts).to.throw(TrustPolicyError);
    }
  });

  it('"ca:.." passes the store-name pattern (as in notation) but cannot load the parent directory', () => {
    const conf = join(dir, 'notation');
    writeTrustStore(conf, 'ca', 'real', [pki.root]);
    writeFileSync(join(conf, 'truststore', 'x509', 'ca', 'stray.pem'), pki.root.certPem);
    const store = new X509TrustStore(conf);
    for (const name of ['..', '.']) expect(() => store.getCertificates('ca', name), name).to.throw(NotationError);
    expect(() => store.getCertificates('ca', '../ca/real')).to.throw(NotationError);
  });

  it('a symlinked trust store, or a symlink inside one, is refused', () => {
    const conf = join(dir, 'notation');
    const real = writeTrustStore(join(dir, 'elsewhere'), 'ca', 'real', [pki.root]);
    mkdirSync(join(conf, 'truststore', 'x509', 'ca'), { recursive: true });
    symlinkSync(real, join(conf, 'truststore', 'x509', 'ca', 'linked'));
    expect(() => new X509TrustStore(conf).getCertificates('ca', 'linked')).to.throw(NotationError, /symlink|regular directory/);
    const inner = writeTrustStore(conf, 'ca', 'inner', [pki.root]);
    symlinkSync(join(real, 'cert-0.crt'), join(inner, 'linked.crt'));
    expect(() => new X509TrustStore(conf).getCertificates('ca', 'inner')).to.throw(NotationError);
  });

  it('plugin names with path separators or "..", and symlinked plugin executables, are refused', async () => {
    const libexec = join(dir, 'libexec');
    mkdirSync(join(libexec, 'plugins'), { recursive: true });
    const mgr = new PluginManager(libexec);
    for (const name of ['../evil', '..', 'a/b', '/etc/passwd', 'x/../../y']) {
      let err: unknown;
      await mgr.get(name).catch((e) => (err = e));
      expect(err, name).to.be.instanceOf(NotationError);
    }
    // notation-<name> a symlink to an executable elsewhere (spec: forbidden; notation accepts)
    const target = join(dir, 'real-plugin');
    writeStandalonePlugin(target, { name: 'linked', version: '1.0.0' });
    mkdirSync(join(libexec, 'plugins', 'linked'));
    symlinkSync(target, join(libexec, 'plugins', 'linked', 'notation-linked'));
    let err: unknown;
    await mgr.get('linked').catch((e) => (err = e));
    expect(err).to.be.instanceOf(NotationError);
    // a symlinked plugin directory is skipped by the listing
    mkdirSync(join(dir, 'pdir'));
    copyFileSync(target, join(dir, 'pdir', 'notation-dirlink'));
    chmodSync(join(dir, 'pdir', 'notation-dirlink'), 0o755);
    symlinkSync(join(dir, 'pdir'), join(libexec, 'plugins', 'dirlink'));
    expect(await mgr.list()).to.not.include('dirlink');
  });
});

describe('adversarial: revocation and registry answers', () => {
  it('an OCSP answer about another serial is never taken as the status of our certificate', async () => {
    const ca = await makeCert({ cn: 'Adv OCSP CA', ca: true });
    const leaf = await makeCert({ cn: 'Adv Leaf', issuer: ca, serial: '1001', ocspUrls: ['http://127.0.0.1:9/ocsp'] });
    const other = buildOcspResponse(ca, { serial: '2002', status: 'good' });
    expect(() => parseOcspResponse(other, leaf.cert, ca.cert)).to.throw(NotationError);
    const r = await checkOcsp(leaf.cert, ca.cert, { fetcher: async () => ({ status: 200, body: other }), timeoutMs: 2000, now: () => new Date() });
    expect(r.result).to.equal('Unknown');
  });

  it('a registry redirect to another host gets no registry credentials, and a redirect to a non-HTTP scheme is refused', async () => {
    const blob = Buffer.from('{"the":"envelope"}');
    const blobDigest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.cncf.notary.signature', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 }, layers: [{ mediaType: 'application/jose+json', digest: blobDigest, size: blob.length }] }));
    const manifestDesc = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`, size: manifest.length };
    const storageSaw: Array<string | undefined> = [];
    let redirectTo = '';
    const storage = http.createServer((req, res) => {
      storageSaw.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(blob);
    });
    const registry = http.createServer((req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="adv"' }).end();
        return;
      }
      if (req.url === '/v2/') res.writeHead(200).end('{}');
      else if (req.url?.includes('/manifests/')) res.writeHead(200, { 'content-type': manifestDesc.mediaType, 'docker-content-digest': manifestDesc.digest }).end(manifest);
      else if (req.url?.includes('/blobs/')) res.writeHead(307, { location: redirectTo }).end();
      else res.writeHead(404).end();
    });
    await Promise.all([new Promise<void>((r) => storage.listen(0, '127.0.0.1', r)), new Promise<void>((r) => registry.listen(0, '127.0.0.1', r))]);
    try {
      const port = (registry.address() as AddressInfo).port;
      // localhost vs 127.0.0.1 and another port: another origin.
      redirectTo = `http://localhost:${(storage.address() as AddressInfo).port}/bucket/blob`;
      const repo = new RegistryRepository(`127.0.0.1:${port}/app`, { plainHttp: true, credentials: StaticCredentials.fromUsernamePassword(`127.0.0.1:${port}`, 'u', 'p') });
      const got = await repo.fetchSignatureBlob(manifestDesc);
      expect(Buffer.from(got.blob).equals(blob)).to.equal(true);
      expect(storageSaw.length).to.be.greaterThan(0);
      expect(storageSaw.every((h) => h === undefined), 'credentials leaked to the redirect target').to.equal(true);
      redirectTo = 'file:///etc/passwd';
      let err: unknown;
      await repo.fetchSignatureBlob(manifestDesc).catch((e) => (err = e));
      expect(err).to.be.instanceOf(NotationError);
    } finally {
      registry.close();
      storage.close();
      registry.closeAllConnections();
      storage.closeAllConnections();
    }
  });
});
