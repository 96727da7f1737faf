import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { sign as cryptoSign, constants } from 'node:crypto';
import {
  parseEnvelope,
  signEnvelope,
  algorithmForCertificate,
  algorithmByKeySpec,
  algorithmBySignatureAlgorithm,
  hashBytes,
  MEDIA_TYPE_COSE,
  MEDIA_TYPE_JWS,
  PAYLOAD_CONTENT_TYPE,
  MAX_ENVELOPE_SIZE,
  type SignRequest,
  type KeySpec,
} from '../src/envelope/index.js';
import { EnvelopeError, SignatureIntegrityError, SigningError, NotationError } from '../src/errors.js';
import { parseCertificates } from '../src/x509/certificate.js';
import { makePki, makeSelfSigned, KEY_SPECS, type Pki } from './helpers/pki.js';
import { localSigner } from './conformance/adapters/envelope.js';
import { sharedPath } from './helpers/shared.js';

const FORMATS = [MEDIA_TYPE_JWS, MEDIA_TYPE_COSE] as const;
const PAYLOAD = Buffer.from(JSON.stringify({ targetArtifact: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:' + 'a'.repeat(64), size: 16724 } }));
const NOW = new Date();

function request(extra: Partial<SignRequest> = {}): SignRequest {
  return {
    payload: { contentType: PAYLOAD_CONTENT_TYPE, content: PAYLOAD },
    signingScheme: 'notary.x509',
    signingTime: NOW,
    signingAgent: 'notation-ts/test',
    ...extra,
  };
}

function expectThrows(fn: () => unknown, cls: new (...a: never[]) => NotationError, code?: string, msg?: string | RegExp): NotationError {
  try {
    fn();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(cls);
    if (code) expect((e as NotationError).code, (e as Error).message).to.equal(code);
    if (typeof msg === 'string') expect((e as Error).message).to.equal(msg);
    else if (msg) expect((e as Error).message).to.match(msg);
    return e as NotationError;
  }
  throw new Error('expected an error');
}

async function expectRejects(p: Promise<unknown>, cls: new (...a: never[]) => NotationError, code?: string, msg?: string | RegExp): Promise<NotationError> {
  try {
    await p;
  } catch (e) {
    return expectThrows(() => {
      throw e;
    }, cls, code, msg);
  }
  throw new Error('expected a rejection');
}

describe('envelope: sign -> verify roundtrip', function () {
  this.timeout(120_000);
  const pkis = new Map<KeySpec, Pki>();
  before(async () => {
    for (const spec of KEY_SPECS) pkis.set(spec, await makePki({ keySpec: spec, name: `env-${spec}` }));
  });

  for (const spec of KEY_SPECS) {
    for (const mt of FORMATS) {
      it(`${spec} ${mt}`, async () => {
        const pki = pkis.get(spec)!;
        const expiry = new Date(NOW.getTime() + 3600_000);
        const bytes = await signEnvelope(
          mt,
          request({ expiry, extendedSignedAttributes: [{ key: 'com.example.a', value: 'x', critical: false }] }),
          localSigner(pki.leaf.key, pki.chain, spec),
        );
        const content = parseEnvelope(mt, bytes).verify();
        const alg = algorithmByKeySpec(spec)!;
        expect(content.signerInfo.signatureAlgorithm).to.equal(alg.signatureAlgorithm);
        // JWS carries the payload re-serialized the way golang-jwt does (keys sorted); same JSON value.
        if (mt === MEDIA_TYPE_COSE) expect(Buffer.from(content.payload.content).equals(PAYLOAD)).to.equal(true);
        else expect(JSON.parse(Buffer.from(content.payload.content).toString())).to.deep.equal(JSON.parse(PAYLOAD.toString()));
        expect(content.payload.contentType).to.equal(PAYLOAD_CONTENT_TYPE);
        expect(content.signerInfo.signedAttributes.signingScheme).to.equal('notary.x509');
        expect(content.signerInfo.signedAttributes.signingTime.getTime()).to.equal(Math.floor(NOW.getTime() / 1000) * 1000);
        expect(content.signerInfo.signedAttributes.expiry!.getTime()).to.equal(Math.floor(expiry.getTime() / 1000) * 1000);
        expect(content.signerInfo.signedAttributes.extendedAttributes).to.deep.equal([{ key: 'com.example.a', value: 'x', critical: false }]);
        expect(content.signerInfo.unsignedAttributes.signingAgent).to.equal('notation-ts/test');
        expect(content.signerInfo.certificateChain.map((c) => c.fingerprint256)).to.deep.equal(pki.chain.map((c) => c.fingerprint256));
      });
    }
  }

  for (const mt of FORMATS) {
    it(`${mt}: timestamp hook gets the primitive signature and hash; token is stored`, async () => {
      const pki = pkis.get('EC-384')!;
      const calls: { sig: Uint8Array; hash: string }[] = [];
      const token = Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x07]);
      const bytes = await signEnvelope(mt, request(), localSigner(pki.leaf.key, pki.chain, 'EC-384'), {
        timestamp: async (sig, hash) => {
          calls.push({ sig, hash });
          return token;
        },
      });
      const c = parseEnvelope(mt, bytes).verify();
      expect(calls).to.have.length(1);
      expect(calls[0].hash).to.equal('SHA-384');
      expect(Buffer.from(calls[0].sig).equals(Buffer.from(c.signerInfo.signature))).to.equal(true);
      expect(Buffer.from(c.signerInfo.unsignedAttributes.timestampSignature!).equals(Buffer.from(token))).to.equal(true);
    });

    it(`${mt}: signingAuthority scheme roundtrips (authenticSigningTime, no timestamp)`, async () => {
      const pki = pkis.get('EC-256')!;
      let called = false;
      const bytes = await signEnvelope(mt, request({ signingScheme: 'notary.x509.signingAuthority' }), localSigner(pki.leaf.key, pki.chain, 'EC-256'), {
        timestamp: async () => {
          called = true;
          return new Uint8Array(1);
        },
      });
      const c = parseEnvelope(mt, bytes).verify();
      expect(called).to.equal(false);
      expect(c.signerInfo.signedAttributes.signingScheme).to.equal('notary.x509.signingAuthority');
    });

    it(`${mt}: the signer's key spec must match the leaf`, async () => {
      const pki = pkis.get('EC-256')!;
      await expectRejects(
        signEnvelope(mt, request(), localSigner(pki.leaf.key, pki.chain, 'EC-384')),
        SigningError,
        'ALGORITHM_MISMATCH',
        /mismatch between signature algorithm derived from signing certificate \(ES256\) and signing algorithm specified \(ES384\)/,
      );
    });

    it(`${mt}: a chain that breaks the certificate rules is refused at sign time`, async () => {
      const bad = await makePki({ name: 'env-bad', bad: 'serverAuth' });
      await expectRejects(signEnvelope(mt, request(), localSigner(bad.leaf.key, bad.chain, 'EC-256')), SigningError, 'INVALID_CERTIFICATE_CHAIN', /^certificate-chain is invalid, /);
    });

    it(`${mt}: a leaf not yet valid at the signing time is refused`, async () => {
      const bad = await makePki({ name: 'env-nyv', bad: 'notYetValid' });
      await expectRejects(signEnvelope(mt, request(), localSigner(bad.leaf.key, bad.chain, 'EC-256')), SigningError, 'INVALID_CERTIFICATE_CHAIN');
    });

    it(`${mt}: bad sign requests`, async () => {
      const pki = pkis.get('EC-256')!;
      const s = localSigner(pki.leaf.key, pki.chain, 'EC-256');
      await expectRejects(signEnvelope(mt, request({ payload: { contentType: PAYLOAD_CONTENT_TYPE, content: new Uint8Array(0) } }), s), SigningError, 'INVALID_SIGN_REQUEST', 'content not present');
      // Later by 800 ms but in the same second: equal once both are truncated to seconds.
      const second = Math.floor(NOW.getTime() / 1000) * 1000;
      const sameSecond = request({ signingTime: new Date(second + 100), expiry: new Date(second + 900) });
      await expectRejects(signEnvelope(mt, sameSecond, s), SigningError, 'INVALID_SIGN_REQUEST', 'expiry cannot be equal or before the signing time');
    });

    it(`${mt}: tampering with any byte never verifies`, async () => {
      const pki = pkis.get('EC-256')!;
      const bytes = await signEnvelope(mt, request(), localSigner(pki.leaf.key, pki.chain, 'EC-256'));
      parseEnvelope(mt, bytes).verify();
      // Flip one bit at many positions across the whole envelope.
      for (let i = 0; i < bytes.length; i += Math.max(1, Math.floor(bytes.length / 300))) {
        const t = Buffer.from(bytes);
        t[i] ^= 0x01;
        let ok = false;
        try {
          parseEnvelope(mt, t).verify();
          ok = true;
        } catch (e) {
          expect(e, `byte ${i}: ${e}`).to.be.instanceOf(NotationError);
        }
        // JWS base64 padding bits and JSON whitespace are not signed: accept only when the content is unchanged.
        if (ok) {
          const a = parseEnvelope(mt, t).verify();
          const b = parseEnvelope(mt, bytes).verify();
          expect(Buffer.from(a.payload.content).equals(Buffer.from(b.payload.content)), `byte ${i}`).to.equal(true);
          expect(Buffer.from(a.signerInfo.signature).equals(Buffer.from(b.signerInfo.signature)), `byte ${i}`).to.equal(true);
        }
      }
    });
  }

  it('the same signing input verifies in both formats only with its own bytes (COSE signature in JWS fails)', async () => {
    const pki = pkis.get('EC-256')!;
    const cose = parseEnvelope(MEDIA_TYPE_COSE, await signEnvelope(MEDIA_TYPE_COSE, request(), localSigner(pki.leaf.key, pki.chain, 'EC-256'))).verify();
    const jws = JSON.parse(Buffer.from(await signEnvelope(MEDIA_TYPE_JWS, request(), localSigner(pki.leaf.key, pki.chain, 'EC-256'))).toString());
    jws.signature = Buffer.from(cose.signerInfo.signature).toString('base64url');
    expectThrows(() => parseEnvelope(MEDIA_TYPE_JWS, Buffer.from(JSON.stringify(jws))).verify(), SignatureIntegrityError, 'SIGNATURE_INVALID', 'signature is invalid. Error: crypto/ecdsa: verification error');
  });
});

describe('envelope: parseEnvelope', () => {
  it('refuses unknown media types with notation-core-go text', () => {
    expectThrows(() => parseEnvelope('application/json', Buffer.from('{}')), EnvelopeError, 'UNSUPPORTED_ENVELOPE_MEDIA_TYPE', 'signature envelope format with media type "application/json" is not supported');
  });
  it('refuses envelopes over 32 MiB before parsing', () => {
    const big = Buffer.alloc(MAX_ENVELOPE_SIZE + 1, 0x20);
    expectThrows(() => parseEnvelope(MEDIA_TYPE_JWS, big), EnvelopeError, 'ENVELOPE_TOO_LARGE');
    expectThrows(() => parseEnvelope(MEDIA_TYPE_COSE, big), EnvelopeError, 'ENVELOPE_TOO_LARGE');
  });
  it('empty input: JWS as Go json ("unexpected end of JSON input"), COSE as go-cose', () => {
    expectThrows(() => parseEnvelope(MEDIA_TYPE_JWS, new Uint8Array(0)), EnvelopeError, 'MALFORMED_ENVELOPE', 'unexpected end of JSON input');
    expectThrows(() => parseEnvelope(MEDIA_TYPE_COSE, new Uint8Array(0)), EnvelopeError, 'MALFORMED_ENVELOPE', 'cbor: invalid COSE_Sign1_Tagged object');
  });

  // Envelopes made by the real notation (v1.3.2 / v2.0.0-alpha.1) must verify; the tampered ones must not, with notation's message.
  const made = sharedPath('notation-made/envelopes/');
  for (const [f, mt] of [
    ['oci-jws-rsa.jws', MEDIA_TYPE_JWS],
    ['oci-jws-ec384.jws', MEDIA_TYPE_JWS],
    ['oci-jws-timestamped.jws', MEDIA_TYPE_JWS],
    ['oci-cose-rsa.cose', MEDIA_TYPE_COSE],
    ['oci-cose-ec384.cose', MEDIA_TYPE_COSE],
    ['oci-cose-timestamped.cose', MEDIA_TYPE_COSE],
  ] as const) {
    it(`verifies notation-made ${f}`, () => {
      const c = parseEnvelope(mt, readFileSync(made + f)).verify();
      expect(c.signerInfo.signedAttributes.signingScheme).to.equal('notary.x509');
      expect(c.signerInfo.unsignedAttributes.signingAgent).to.match(/^notation-go\//);
      if (f.includes('timestamped')) expect(c.signerInfo.unsignedAttributes.timestampSignature?.length).to.be.greaterThan(100);
    });
  }
  it('notation-made tampered JWS fails with notation text', () => {
    expectThrows(() => parseEnvelope(MEDIA_TYPE_JWS, readFileSync(made + 'oci-jws-tampered.jws')).verify(), SignatureIntegrityError, 'SIGNATURE_INVALID', 'signature is invalid. Error: crypto/rsa: verification error');
  });
  it('notation-made tampered COSE fails with notation text', () => {
    expectThrows(() => parseEnvelope(MEDIA_TYPE_COSE, readFileSync(made + 'oci-cose-tampered.cose')).verify(), SignatureIntegrityError, 'SIGNATURE_INVALID', 'signature is invalid. Error: verification error');
  });
  it('notation-go fixture with a broken payload: verify reports the base64 offset as REF', () => {
    const b = readFileSync(sharedPath('conformance/fixtures/notation-go/internal/mock/testdata/ca_invalid_sig_env.json'));
    expectThrows(() => parseEnvelope(MEDIA_TYPE_JWS, b).verify(), SignatureIntegrityError, 'SIGNATURE_INVALID', 'signature is invalid. Error: illegal base64 data at input byte 242');
  });
});

describe('envelope: algorithm helpers', () => {
  it('derives the algorithm from the leaf and refuses keys outside the table', async function () {
    this.timeout(60_000);
    const ec = await makeSelfSigned('EC-521');
    expect(algorithmForCertificate(ec.cert).jws).to.equal('ES512');
    const rsa1024 = await makeSelfSigned('RSA-1024');
    expectThrows(() => algorithmForCertificate(rsa1024.cert), SignatureIntegrityError, 'UNSUPPORTED_SIGNING_KEY', 'rsa key size 1024 bits is not supported');
  });
  it('looks up by key spec and by signature algorithm', () => {
    expect(algorithmByKeySpec('RSA-3072')!.jws).to.equal('PS384');
    expect(algorithmBySignatureAlgorithm('ECDSA-SHA-512')!.cose).to.equal(-36);
    expect(algorithmByKeySpec('RSA-1024')).to.equal(undefined);
  });
  it('hashBytes', () => {
    expect(Buffer.from(hashBytes('SHA-256', Buffer.from('abc'))).toString('hex')).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashBytes('SHA-512', new Uint8Array(0))).to.have.length(64);
  });
  it('verify refuses an RSA-1024 leaf even with a valid signature (COSE and JWS)', async function () {
    this.timeout(60_000);
    const bad = await makeSelfSigned('RSA-1024');
    // Hand-made JWS: PS256 with the 1024-bit key.
    const hdr = Buffer.from(JSON.stringify({ alg: 'PS256', crit: ['io.cncf.notary.signingScheme'], cty: PAYLOAD_CONTENT_TYPE, 'io.cncf.notary.signingScheme': 'notary.x509', 'io.cncf.notary.signingTime': '2024-01-02T03:04:05Z' })).toString('base64url');
    const pl = PAYLOAD.toString('base64url');
    const sig = cryptoSign('sha256', Buffer.from(`${hdr}.${pl}`), { key: bad.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    const env = JSON.stringify({ payload: pl, protected: hdr, header: { x5c: [Buffer.from(bad.der).toString('base64')] }, signature: sig.toString('base64url') });
    const e = expectThrows(() => parseEnvelope(MEDIA_TYPE_JWS, Buffer.from(env)).verify(), SignatureIntegrityError);
    expect(['UNSUPPORTED_SIGNING_KEY', 'INVALID_CERTIFICATE_CHAIN']).to.include(e.code);
    expect(parseCertificates(bad.der)).to.have.length(1);
  });
});

describe('envelope: byte-identical to notation (re-signing notation-made envelopes)', function () {
  this.timeout(30_000);
  const made = sharedPath('notation-made/');
  for (const [f, mt, leaf, spec] of [
    ['envelopes/oci-jws-timestamped.jws', MEDIA_TYPE_JWS, 'leaf-rsa', 'RSA-3072'],
    ['envelopes/oci-cose-rsa.cose', MEDIA_TYPE_COSE, 'leaf-rsa', 'RSA-3072'],
    ['envelopes/oci-jws-user-metadata.jws', MEDIA_TYPE_JWS, 'leaf-rsa', 'RSA-3072'],
    ['envelopes/oci-cose-timestamped.cose', MEDIA_TYPE_COSE, 'leaf-ec', 'EC-384'],
    ['envelopes/oci-jws-ec384.jws', MEDIA_TYPE_JWS, 'leaf-ec', 'EC-384'],
  ] as const) {
    it(f, async () => {
      const original = readFileSync(made + f);
      const c = parseEnvelope(mt, original).verify();
      const { createPrivateKey } = await import('node:crypto');
      const key = createPrivateKey(readFileSync(made + `pki/${leaf}.key`));
      const chain = parseCertificates(readFileSync(made + `pki/${leaf}.chain.crt`));
      const tst = c.signerInfo.unsignedAttributes.timestampSignature;
      const ours = await signEnvelope(
        mt,
        {
          payload: c.payload,
          signingScheme: c.signerInfo.signedAttributes.signingScheme,
          signingTime: c.signerInfo.signedAttributes.signingTime,
          expiry: c.signerInfo.signedAttributes.expiry,
          extendedSignedAttributes: c.signerInfo.signedAttributes.extendedAttributes,
          signingAgent: c.signerInfo.unsignedAttributes.signingAgent,
        },
        localSigner(key, chain, spec),
        tst ? { timestamp: async () => tst } : {},
      );
      const mine = parseEnvelope(mt, ours).verify();
      // RSA-PSS and ECDSA are randomized: splice notation's signature into ours, then the bytes must be equal.
      let spliced: Buffer;
      if (mt === MEDIA_TYPE_JWS) {
        const doc = JSON.parse(Buffer.from(ours).toString());
        doc.signature = JSON.parse(original.toString()).signature;
        spliced = Buffer.from(JSON.stringify(doc).replace(/[<>&]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0')));
      } else {
        const sigLen = c.signerInfo.signature.length;
        spliced = Buffer.concat([Buffer.from(ours).subarray(0, ours.length - sigLen), Buffer.from(c.signerInfo.signature)]);
        expect(mine.signerInfo.signature.length).to.equal(sigLen);
      }
      expect(spliced.toString('hex')).to.equal(original.toString('hex'));
    });
  }
});
