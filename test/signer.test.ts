import { expect } from 'chai';
import fc from 'fast-check';
import { constants, createHash, generateKeyPairSync, verify as cryptoVerify } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseEnvelope } from '../src/envelope/index.js';
import { ALGORITHMS, MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, type Descriptor, type KeySpec } from '../src/envelope/types.js';
import { NotationError, PushSignatureFailedError, SigningError } from '../src/errors.js';
import { OciLayoutRepository } from '../src/oci/layout.js';
import type { Repository } from '../src/oci/types.js';
import {
  LocalSigner,
  loadLocalSigner,
  sign,
  signBlob,
  signDescriptor,
  buildPayload,
  referencePart,
  writeBlobSignature,
  blobSignaturePath,
  checkMediaType,
  SIGNING_AGENT,
  signerForKey,
} from '../src/signer/index.js';
import { KEY_SPECS, makePki, makeSelfSigned, type Pki } from './helpers/pki.js';
import { sharedPath } from './helpers/shared.js';

const MADE = sharedPath('notation-made/');
const made = JSON.parse(readFileSync(join(MADE, 'cases.json'), 'utf8')) as {
  cases: Array<{ id: string; kind: string; signingKey: string; certChain: string; envelope?: string; signature?: string; layout?: string; subjectDigest?: string; signCommand: string; envelopeMediaType?: string; signatureFormat: string }>;
  signTimeProbes: Array<{ id: string; signingKey: string; certChain: string; jws: { outcome: string; stderr: string }; cose: { outcome: string; stderr: string }; blobJws: { outcome: string; stderr: string } }>;
};

async function failure(p: Promise<unknown> | (() => unknown)): Promise<NotationError> {
  try {
    if (typeof p === 'function') p();
    else await p;
  } catch (e) {
    if (e instanceof NotationError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

const DESC: Descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:' + 'ab'.repeat(32), size: 123 };

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'ntssign-'));
}

describe('signer: LocalSigner', function () {
  this.timeout(60_000);
  const pkis = new Map<KeySpec, Pki>();
  before(async () => {
    for (const ks of KEY_SPECS) pkis.set(ks, await makePki({ keySpec: ks }));
  });

  it('signs with RSASSA-PSS (salt = hash length) or raw r||s ECDSA for every key spec', async () => {
    for (const ks of KEY_SPECS) {
      const pki = pkis.get(ks)!;
      const s = LocalSigner.fromPem(pki.leaf.keyPem, pki.chainPem);
      expect(s.keySpec()).to.equal(ks);
      const alg = ALGORITHMS.find((a) => a.keySpec === ks)!;
      const data = Buffer.from('bytes to sign ' + ks);
      const { signature, certificateChain } = await s.sign(data, alg.hash);
      expect(certificateChain.map((c) => c.fingerprint256)).to.deep.equal(pki.chain.map((c) => c.fingerprint256));
      if (alg.kind === 'rsa') {
        expect(signature.length).to.equal(alg.bits / 8);
        expect(cryptoVerify(alg.nodeHash, data, { key: pki.leaf.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.hashLength }, signature)).to.equal(true);
        // Salt length is exactly the hash length, not "auto"-compatible only.
        expect(cryptoVerify(alg.nodeHash, data, { key: pki.leaf.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.hashLength + 1 }, signature)).to.equal(false);
      } else {
        expect(signature.length).to.equal(2 * Math.ceil(alg.bits / 8));
        expect(cryptoVerify(alg.nodeHash, data, { key: pki.leaf.publicKey, dsaEncoding: 'ieee-p1363' }, signature)).to.equal(true);
      }
      expect((await failure(s.sign(data, alg.hash === 'SHA-256' ? 'SHA-512' : 'SHA-256'))).code).to.equal('UNSUPPORTED_HASH');
    }
  });

  it('reads PKCS#8, PKCS#1 and SEC1 keys', async () => {
    const rsa = pkis.get('RSA-2048')!;
    const ec = pkis.get('EC-256')!;
    const pkcs1 = rsa.leaf.key.export({ type: 'pkcs1', format: 'pem' }) as string;
    const sec1 = ec.leaf.key.export({ type: 'sec1', format: 'pem' }) as string;
    expect(pkcs1).to.match(/BEGIN RSA PRIVATE KEY/);
    expect(sec1).to.match(/BEGIN EC PRIVATE KEY/);
    expect(LocalSigner.fromPem(pkcs1, rsa.chainPem).keySpec()).to.equal('RSA-2048');
    expect(LocalSigner.fromPem(sec1, ec.chainPem).keySpec()).to.equal('EC-256');
    // SEC1 with its EC PARAMETERS block in front, as `openssl ecparam -genkey` writes it.
    const withParams = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n' + sec1;
    expect(LocalSigner.fromPem(withParams, ec.chainPem).keySpec()).to.equal('EC-256');
  });

  it("refuses a key that is not the leaf's, with crypto/tls's messages", async () => {
    const a = pkis.get('EC-256')!;
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect((await failure(() => LocalSigner.fromPem(other, a.chainPem))).message).to.equal('tls: private key does not match public key');
    expect((await failure(() => LocalSigner.fromPem(pkis.get('RSA-2048')!.leaf.keyPem, a.chainPem))).message).to.equal('tls: private key type does not match public key type');
    // The intermediate's key does not sign for the leaf either.
    expect((await failure(() => LocalSigner.fromPem(a.intermediate.keyPem, a.chainPem))).code).to.equal('KEY_CERTIFICATE_MISMATCH');
  });

  it('refuses unsupported keys and unusable inputs', async () => {
    const weak = await makePki({ bad: 'rsa1024' });
    expect((await failure(() => LocalSigner.fromPem(weak.leaf.keyPem, weak.chainPem))).message).to.equal('rsa key size 1024 bits is not supported');
    const ec = pkis.get('EC-256')!;
    expect((await failure(() => LocalSigner.fromPem('', ec.chainPem))).message).to.equal('tls: failed to find any PEM data in key input');
    expect((await failure(() => LocalSigner.fromPem(ec.leaf.keyPem, ''))).message).to.equal('tls: failed to find any PEM data in certificate input');
    expect((await failure(() => LocalSigner.fromPem(ec.chainPem, ec.chainPem))).message).to.equal(
      'tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: [CERTIFICATE CERTIFICATE CERTIFICATE]',
    );
    const enc = ec.leaf.key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    expect((await failure(() => LocalSigner.fromPem(enc, ec.chainPem))).message).to.equal('tls: failed to parse private key');
    const garbage = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    expect((await failure(() => LocalSigner.fromPem(garbage, ec.chainPem))).message).to.equal('tls: failed to parse private key');
    expect((await failure(() => loadLocalSigner('/nonexistent/k', '/nonexistent/c'))).message).to.equal('open /nonexistent/c: no such file or directory');
  });

  it('property: arbitrary key text never crashes, it is refused with a typed error', () => {
    const ec = pkis.get('EC-256')!;
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String().map((b) => `-----BEGIN PRIVATE KEY-----\n${b}\n-----END PRIVATE KEY-----\n`)), (text) => {
        try {
          LocalSigner.fromPem(text, ec.chainPem);
          return false;
        } catch (e) {
          return e instanceof SigningError;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('signer: refusals match notation (notation-made signTimeProbes)', function () {
  this.timeout(30_000);
  for (const probe of made.signTimeProbes) {
    it(probe.id, async () => {
      const m = /signing time of (\S+ \S+)/.exec(probe.jws.stderr);
      const now = m ? new Date(m[1] + 'Z') : new Date('2026-11-22T06:13:15Z');
      for (const [mt, rec] of [
        [MEDIA_TYPE_JWS, probe.jws],
        [MEDIA_TYPE_COSE, probe.cose],
      ] as const) {
        let got = 'signed';
        try {
          const signer = loadLocalSigner(join(MADE, probe.signingKey), join(MADE, probe.certChain));
          const res = await signDescriptor(DESC, { signer, signatureMediaType: mt, now });
          parseEnvelope(mt, res.envelope).verify();
        } catch (e) {
          expect(e).to.be.instanceOf(NotationError);
          got = 'Error: ' + (e as Error).message;
        }
        expect(got).to.equal(rec.outcome === 'signed' ? 'signed' : rec.stderr);
      }
      // Blob signing refuses the same certificates with the same text.
      let blobGot = 'signed';
      try {
        const signer = loadLocalSigner(join(MADE, probe.signingKey), join(MADE, probe.certChain));
        await signBlob({ signer, blob: Buffer.from('x'), signatureMediaType: MEDIA_TYPE_JWS, now });
      } catch (e) {
        blobGot = 'Error: ' + (e as Error).message;
      }
      expect(blobGot).to.equal(probe.blobJws.outcome === 'signed' ? 'signed' : probe.blobJws.stderr);
    });
  }

  it('refuses the bad test-PKI variants too', async () => {
    const expectations: Array<[Parameters<typeof makePki>[0], RegExp]> = [
      [{ bad: 'serverAuth' }, /extended key usage must not contain ServerAuth eku$/],
      [{ bad: 'caLeaf' }, /if the basic constraints extension is present, the ca field must be set to false$/],
      [{ bad: 'keyEncipherment' }, /The key usage must be "Digital Signature" only, but found "KeyEncipherment"$/],
      [{ bad: 'expired' }, /was invalid at signing time of/],
      [{ bad: 'notYetValid' }, /was invalid at signing time of/],
      [{ bad: 'noKeyUsage' }, /key usage/i],
    ];
    for (const [opts, re] of expectations) {
      const pki = await makePki(opts);
      const err = await failure(signDescriptor(DESC, { signer: LocalSigner.fromPem(pki.leaf.keyPem, pki.chainPem), signatureMediaType: MEDIA_TYPE_COSE }));
      expect(err).to.be.instanceOf(SigningError);
      expect(err.message).to.match(/^certificate-chain is invalid, /);
      expect(err.message).to.match(re);
    }
  });
});

describe('signer: envelopes byte-compatible with notation (notation-made)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = tmp()));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ids = ['oci-jws-rsa', 'oci-cose-rsa', 'oci-jws-ec384', 'oci-cose-ec384', 'oci-jws-user-metadata', 'oci-jws-signature-expired', 'oci-cose-signature-expired', 'oci-jws-selfsigned-longlived', 'blob-jws-media-type', 'blob-cose-ec384', 'blob-jws-signature-expired'];
  for (const id of ids) {
    it(id, async () => {
      const c = made.cases.find((x) => x.id === id)!;
      const mt = c.signatureFormat === 'cose' ? MEDIA_TYPE_COSE : MEDIA_TYPE_JWS;
      const theirs = new Uint8Array(readFileSync(join(MADE, c.envelope ?? c.signature!)));
      const ref = parseEnvelope(mt, theirs).verify();
      const info = ref.signerInfo;
      const target = (JSON.parse(Buffer.from(ref.payload.content).toString()) as { targetArtifact: Descriptor }).targetArtifact;
      const signer = loadLocalSigner(join(MADE, c.signingKey), join(MADE, c.certChain));
      const common = {
        signer,
        signatureMediaType: mt,
        now: info.signedAttributes.signingTime,
        expiry: info.signedAttributes.expiry ? info.signedAttributes.expiry.getTime() - info.signedAttributes.signingTime.getTime() : undefined,
        signingAgent: info.unsignedAttributes.signingAgent,
      };
      let ours: Uint8Array;
      if (c.kind === 'oci-layout') {
        cpSync(join(MADE, c.layout!), join(dir, 'layout'), { recursive: true });
        const repo = new OciLayoutRepository(join(dir, 'layout'));
        const userMetadata = target.annotations;
        const res = await sign({ ...common, repository: repo, reference: c.subjectDigest!, userMetadata });
        ours = res.envelope;
        expect(res.warnings).to.deep.equal([]);
        expect(res.annotations).to.deep.equal(JSON.parse(JSON.stringify((c as unknown as { signatureManifestAnnotations: Record<string, string> }).signatureManifestAnnotations)));
      } else {
        const mediaType = /--media-type (\S+)/.exec(c.signCommand)?.[1];
        const res = await signBlob({ ...common, blob: Readable.from([readFileSync(join(MADE, 'blob', 'artifact.txt'))]), mediaType });
        ours = res.envelope;
      }
      const mine = parseEnvelope(mt, ours).verify();
      // Same bytes except the primitive signature (PSS and ECDSA are randomized).
      if (mt === MEDIA_TYPE_JWS) {
        const a = JSON.parse(Buffer.from(ours).toString());
        const b = JSON.parse(Buffer.from(theirs).toString());
        expect(a.protected).to.equal(b.protected);
        expect(a.payload).to.equal(b.payload);
        expect(a.header).to.deep.equal(b.header);
        expect(Object.keys(a)).to.deep.equal(Object.keys(b));
      } else {
        const sigMine = Buffer.from(mine.signerInfo.signature);
        const at = Buffer.from(ours).indexOf(sigMine);
        expect(at).to.be.greaterThan(0);
        const spliced = Buffer.concat([Buffer.from(ours).subarray(0, at), Buffer.from(info.signature), Buffer.from(ours).subarray(at + sigMine.length)]);
        expect(spliced.equals(Buffer.from(theirs))).to.equal(true);
      }
    });
  }
});

describe('signer: sign then verify round trip (property)', function () {
  this.timeout(120_000);
  const pkis = new Map<KeySpec, Pki>();
  before(async () => {
    for (const ks of KEY_SPECS) pkis.set(ks, await makePki({ keySpec: ks }));
  });

  const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'));
  const descriptor = fc.record({
    mediaType: fc.constantFrom('application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json', 'application/octet-stream', 'text/plain; charset=utf-8'),
    digest: fc.oneof(hex(32).map((h) => 'sha256:' + h), hex(64).map((h) => 'sha512:' + h)),
    size: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  });
  const metaKey = fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !k.startsWith('io.cncf.notary'));
  const metadata = fc.dictionary(metaKey, fc.string({ maxLength: 40 }), { maxKeys: 5 });

  it('every key spec, both formats, random descriptors, metadata and expiries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...KEY_SPECS),
        fc.constantFrom(MEDIA_TYPE_JWS, MEDIA_TYPE_COSE),
        descriptor,
        metadata,
        fc.option(fc.integer({ min: 1, max: 10 * 365 * 86_400 }), { nil: undefined }),
        fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined }),
        async (ks, mt, desc, md, expirySeconds, agent) => {
          const pki = pkis.get(ks)!;
          const signer = LocalSigner.fromPem(pki.leaf.keyPem, pki.chainPem);
          const now = new Date(Date.now() - 1234);
          const res = await signDescriptor(
            Object.keys(md).length ? { ...desc, annotations: md } : desc,
            { signer, signatureMediaType: mt, now, expiry: expirySeconds === undefined ? undefined : expirySeconds * 1000, signingAgent: agent },
          );
          const content = parseEnvelope(mt, res.envelope).verify();
          const payload = JSON.parse(Buffer.from(content.payload.content).toString('utf8'));
          const expected: Record<string, unknown> = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
          if (Object.keys(md).length) expected.annotations = md;
          expect(payload).to.deep.equal({ targetArtifact: expected });
          const sa = content.signerInfo.signedAttributes;
          const t = Math.floor(now.getTime() / 1000) * 1000;
          expect(sa.signingTime.getTime()).to.equal(t);
          expect(sa.signingScheme).to.equal('notary.x509');
          expect(sa.expiry?.getTime()).to.equal(expirySeconds === undefined ? undefined : t + expirySeconds * 1000);
          expect(content.signerInfo.unsignedAttributes.signingAgent).to.equal(agent ?? SIGNING_AGENT);
          expect(content.signerInfo.signatureAlgorithm).to.equal(ALGORITHMS.find((a) => a.keySpec === ks)!.signatureAlgorithm);
          expect(content.signerInfo.certificateChain.map((c) => c.fingerprint256)).to.deep.equal(pki.chain.map((c) => c.fingerprint256));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('property: the payload is Go json.Marshal of the descriptor', () => {
    fc.assert(
      fc.property(descriptor, metadata, (d, md) => {
        const text = Buffer.from(buildPayload({ ...d, annotations: md })).toString();
        const parsed = JSON.parse(text);
        expect(Object.keys(parsed.targetArtifact)).to.deep.equal(Object.keys(md).length ? ['mediaType', 'digest', 'size', 'annotations'] : ['mediaType', 'digest', 'size']);
        expect(text).to.not.match(/[<>&]/);
        if (Object.keys(md).length) {
          // JSON.parse reorders integer-like keys, so check the order in the text itself.
          const sorted = Object.keys(md).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
          const body = text.slice(text.indexOf('"annotations":'));
          let pos = -1;
          for (const k of sorted) {
            const at = body.indexOf(JSON.stringify(k).replace(/[<>&]/g, (c) => '\\u00' + c.charCodeAt(0).toString(16)) + ':', pos + 1);
            expect(at).to.be.greaterThan(pos);
            pos = at;
          }
        }
      }),
    );
  });
});

describe('signer: OCI layouts', function () {
  this.timeout(30_000);
  let dir: string;
  let pki: Pki;
  const subject = 'sha256:11ecf776c3fa005fa46d9548a5233014995d4322bb1e8b913c79c0388c17c993';
  before(async () => (pki = await makePki({ keySpec: 'EC-384' })));
  beforeEach(() => {
    dir = tmp();
    cpSync(join(MADE, 'oci', 'oci-jws-rsa'), join(dir, 'layout'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('pushes a signature manifest the layout lists for the subject', async () => {
    const repo = new OciLayoutRepository(join(dir, 'layout'));
    const signer = LocalSigner.fromPem(pki.leaf.keyPem, pki.chainPem);
    const warnings: string[] = [];
    const res = await sign({ signer, repository: repo, reference: 'v1', signatureMediaType: MEDIA_TYPE_COSE, onWarning: (w) => warnings.push(w), userMetadata: { team: 'a&b' } });
    expect(warnings).to.deep.equal([
      'Always sign the artifact using digest(`@sha256:...`) rather than a tag(`:v1`) because tags are mutable and a tag reference can point to a different artifact than the one signed',
    ]);
    expect(res.artifactDescriptor.digest).to.equal(subject);
    expect(res.targetArtifact.annotations).to.deep.equal({ ...(res.artifactDescriptor.annotations ?? {}), team: 'a&b' });
    expect(JSON.parse(res.annotations['io.cncf.notary.x509chain.thumbprint#S256'])).to.deep.equal(pki.chain.map((c) => c.fingerprint256));
    expect(res.annotations['org.opencontainers.image.created']).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(res.signatureBlobDescriptor).to.deep.include({ mediaType: MEDIA_TYPE_COSE, digest: 'sha256:' + createHash('sha256').update(res.envelope).digest('hex'), size: res.envelope.length });
    const found: string[] = [];
    for await (const page of repo.listSignatures(res.artifactDescriptor)) for (const d of page) found.push(d.digest);
    expect(found).to.include(res.signatureManifestDescriptor.digest);
    const fetched = await repo.fetchSignatureBlob(res.signatureManifestDescriptor);
    expect(Buffer.from(fetched.blob).equals(Buffer.from(res.envelope))).to.equal(true);
    // A full reference works too.
    const again = await sign({ signer, repository: repo, reference: `localhost:5000/x/y@${subject}`, signatureMediaType: MEDIA_TYPE_JWS });
    expect(again.warnings).to.deep.equal([]);
  });

  it('refuses metadata notation refuses, a mismatching digest, and writes nothing on failure', async () => {
    const layout = join(dir, 'layout');
    const snapshot = () => readFileSync(join(layout, 'index.json'), 'utf8') + readdirSync(join(layout, 'blobs', 'sha256')).sort().join();
    const before = snapshot();
    const repo = new OciLayoutRepository(layout);
    const signer = LocalSigner.fromPem(pki.leaf.keyPem, pki.chainPem);
    const base = { signer, repository: repo, reference: subject, signatureMediaType: MEDIA_TYPE_JWS };
    expect((await failure(sign({ ...base, userMetadata: { 'io.cncf.notary.x': '1' } }))).message).to.equal('error adding user metadata: metadata key io.cncf.notary.x has reserved prefix io.cncf.notary');
    const other = 'sha256:' + '0'.repeat(64);
    expect((await failure(sign({ ...base, reference: other }))).message).to.match(/^failed to resolve reference: /);
    const bad = await makePki({ bad: 'serverAuth' });
    const badSigner = LocalSigner.fromPem(bad.leaf.keyPem, bad.chainPem);
    expect((await failure(sign({ ...base, signer: badSigner }))).message).to.match(/ServerAuth eku$/);
    expect((await failure(sign({ ...base, expiry: -1000 }))).message).to.equal('expiry duration cannot be a negative value');
    expect((await failure(sign({ ...base, expiry: 1500 }))).message).to.equal('expiry duration supports minimum granularity of seconds');
    expect((await failure(sign({ ...base, signatureMediaType: 'application/json' }))).message).to.equal('invalid signature media-type "application/json"');
    expect(snapshot()).to.equal(before);
  });

  it('refuses a digest that resolves to another digest, and reports push failures', async () => {
    const signer = LocalSigner.fromPem(pki.leaf.keyPem, pki.chainPem);
    const fake: Repository = {
      resolve: async () => ({ ...DESC }),
      listSignatures: async function* () {},
      fetchSignatureBlob: async () => {
        throw new Error('unused');
      },
      pushSignature: async () => {
        throw new Error('disk full');
      },
    };
    const asked = 'sha256:' + 'cd'.repeat(32);
    expect((await failure(sign({ signer, repository: fake, reference: asked, signatureMediaType: MEDIA_TYPE_JWS }))).message).to.equal(
      `user input digest ${asked} does not match the resolved digest ${DESC.digest}`,
    );
    const err = await failure(sign({ signer, repository: fake, reference: DESC.digest, signatureMediaType: MEDIA_TYPE_JWS }));
    expect(err).to.be.instanceOf(PushSignatureFailedError);
    expect(err.message).to.equal('failed to push signature to registry with error: disk full');
    // Metadata colliding with an annotation already on the artifact.
    const annotated: Repository = { ...fake, resolve: async () => ({ ...DESC, annotations: { team: 'x' } }) };
    expect((await failure(sign({ signer, repository: annotated, reference: DESC.digest, signatureMediaType: MEDIA_TYPE_JWS, userMetadata: { team: 'y' } }))).message).to.equal(
      'error adding user metadata: metadata key team is already present in the target artifact',
    );
  });

  it('extracts the artifact part of references', () => {
    expect(referencePart('v1')).to.equal('v1');
    expect(referencePart(subject)).to.equal(subject);
    expect(referencePart(`reg.io/a/b@${subject}`)).to.equal(subject);
    expect(referencePart('reg.io:5000/a/b:v2')).to.equal('v2');
    expect(referencePart('layout:v3')).to.equal('layout:v3');
  });
});

describe('signer: blobs', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = tmp()));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('digests with the key spec hash, from bytes or a stream', async () => {
    const data = Buffer.from('hello blob\n'.repeat(1000));
    for (const [ks, algo] of [
      ['EC-256', 'sha256'],
      ['EC-384', 'sha384'],
      ['EC-521', 'sha512'],
    ] as const) {
      const pki = await makePki({ keySpec: ks });
      const signer = LocalSigner.fromPem(pki.leaf.keyPem, pki.chainPem);
      const fromBytes = await signBlob({ signer, blob: data, signatureMediaType: MEDIA_TYPE_JWS });
      const fromStream = await signBlob({ signer, blob: Readable.from([data.subarray(0, 7), data.subarray(7)]), signatureMediaType: MEDIA_TYPE_COSE, mediaType: 'text/plain' });
      const want = `${algo}:${createHash(algo).update(data).digest('hex')}`;
      expect(fromBytes.targetArtifact).to.deep.equal({ mediaType: 'application/octet-stream', digest: want, size: data.length });
      expect(fromStream.targetArtifact).to.deep.equal({ mediaType: 'text/plain', digest: want, size: data.length });
      parseEnvelope(MEDIA_TYPE_COSE, fromStream.envelope).verify();
    }
  });

  it("validates the media type with Go's mime rules", async () => {
    const s = await makeSelfSigned('EC-256');
    const signer = LocalSigner.fromPem(s.keyPem, s.certPem);
    expect((await failure(signBlob({ signer, blob: Buffer.from('x'), signatureMediaType: MEDIA_TYPE_JWS, mediaType: 'text/' }))).message).to.equal(
      'invalid content media-type "text/": mime: expected token after slash',
    );
    expect((await failure(signBlob({ signer, blob: Buffer.from('x'), signatureMediaType: MEDIA_TYPE_JWS, mediaType: '' }))).message).to.equal('content media-type cannot be empty');
    expect(checkMediaType('application/vnd.interop.test+text')).to.equal(undefined);
    expect(checkMediaType('text')).to.equal(undefined); // Go accepts a bare type
    expect(checkMediaType('text/plain; charset=utf-8;')).to.equal(undefined);
    expect(checkMediaType('text/plain; charset="a b"')).to.equal(undefined);
    expect(checkMediaType('/plain')).to.equal('mime: no media type');
    expect(checkMediaType('text plain')).to.equal('mime: expected slash after first token');
    expect(checkMediaType('text/plain x')).to.equal('mime: unexpected content after media subtype');
    expect(checkMediaType('text/plain; x')).to.equal('mime: invalid media parameter');
    expect(checkMediaType('text/plain; a=1; a=2')).to.equal('mime: duplicate parameter name');
    expect(checkMediaType('text/plain; a=1; A=1')).to.equal(undefined);
    fc.assert(fc.property(fc.string(), (v) => ['string', 'undefined'].includes(typeof checkMediaType(v))));
  });

  it('writes <blob>.<format>.sig atomically and refuses to overwrite without force', () => {
    const env = Buffer.from('{"sig":1}');
    const p = writeBlobSignature(join(dir, 'sigs'), '/some/where/artifact.txt', 'jws', env);
    expect(p).to.equal(join(dir, 'sigs', 'artifact.txt.jws.sig'));
    expect(p).to.equal(blobSignaturePath(join(dir, 'sigs'), 'artifact.txt', 'jws'));
    expect(statSync(p).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir, 'sigs')).mode & 0o777).to.equal(0o700);
    const err = (() => {
      try {
        writeBlobSignature(join(dir, 'sigs'), 'artifact.txt', 'jws', Buffer.from('other'));
      } catch (e) {
        return e as SigningError;
      }
    })();
    expect(err?.code).to.equal('SIGNATURE_FILE_EXISTS');
    expect(readFileSync(p)).to.deep.equal(env);
    writeBlobSignature(join(dir, 'sigs'), 'artifact.txt', 'jws', Buffer.from('other'), { force: true });
    expect(readFileSync(p, 'utf8')).to.equal('other');
    expect(readdirSync(join(dir, 'sigs'))).to.deep.equal(['artifact.txt.jws.sig']);
    expect(() => writeBlobSignature(dir, 'a', 'xml', env)).to.throw(SigningError);
    // A file where the directory should be: a typed error, nothing written.
    writeFileSync(join(dir, 'file'), 'x');
    const e2 = (() => {
      try {
        writeBlobSignature(join(dir, 'file'), 'a', 'cose', env);
      } catch (e) {
        return e as SigningError;
      }
    })();
    expect(e2?.code).to.equal('SIGNATURE_WRITE_FAILED');
    expect(e2?.message).to.match(/^failed to write signature to file: /);
  });
});

describe('signer: keys from signingkeys.json', () => {
  it('loads local keys and delegates plugin keys to the factory', async () => {
    const dir = tmp();
    try {
      const pki = await makePki();
      writeFileSync(join(dir, 'k.key'), pki.leaf.keyPem);
      writeFileSync(join(dir, 'k.crt'), pki.chainPem);
      const local = await signerForKey({ name: 'k', keyPath: join(dir, 'k.key'), certPath: join(dir, 'k.crt') });
      expect(await local.keySpec()).to.equal('EC-256');
      const plugin = await signerForKey({ name: 'p', id: 'pkcs11:token=t', pluginName: 'pkcs11' }, (k) => {
        expect(k.id).to.equal('pkcs11:token=t');
        return local;
      });
      expect(plugin).to.equal(local);
      expect((await failure(signerForKey({ name: 'p', id: 'x', pluginName: 'y' }))).code).to.equal('PLUGIN_SIGNER_UNAVAILABLE');
      expect((await failure(signerForKey({ name: 'e' }))).code).to.equal('INVALID_SIGNING_KEY');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('self-verification payload comparison', () => {
  it('accepts the same JSON value in another key order and refuses any other value (property)', async () => {
    const { samePayload } = await import('../src/signer/sign.js');
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v));
    // Keys in reverse order at every level: the JSON value is unchanged.
    const reordered = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reordered) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reordered(x)])) : v;
    // Canonical text: keys sorted at every level.
    const canon = (v: unknown): string =>
      Array.isArray(v) ? `[${v.map(canon).join(',')}]` : v && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`).join(',')}}` : JSON.stringify(v);
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(samePayload(enc(a), enc(reordered(a)))).to.equal(true);
        expect(samePayload(enc(a), enc(b))).to.equal(canon(JSON.parse(JSON.stringify(a))) === canon(JSON.parse(JSON.stringify(b))));
      }),
    );
    expect(samePayload(enc({ targetArtifact: { a: 1, b: [1, 2] } }), enc({ targetArtifact: { b: [1, 2], a: 1 } }))).to.equal(true);
    expect(samePayload(enc({ targetArtifact: { a: 1 } }), enc({ targetArtifact: { a: 1, b: 2 } }))).to.equal(false);
    expect(samePayload(enc({ targetArtifact: { a: 1, b: 2 } }), enc({ targetArtifact: { a: 1 } }))).to.equal(false);
    expect(samePayload(enc({ a: [1, 2] }), enc({ a: [2, 1] }))).to.equal(false);
    expect(samePayload(enc({ a: '1' }), enc({ a: 1 }))).to.equal(false);
    expect(samePayload(enc({ a: null }), enc({}))).to.equal(false);
    expect(samePayload(enc({ a: {} }), enc({ a: [] }))).to.equal(false);
    expect(samePayload(Buffer.from('{"a":1}'), Buffer.from('not json'))).to.equal(false);
  });
});
