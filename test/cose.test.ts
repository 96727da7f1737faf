import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { sign as cryptoSign, constants, type KeyObject } from 'node:crypto';
import { parseEnvelope, algorithmByCose, algorithmByKeySpec, MEDIA_TYPE_COSE, PAYLOAD_CONTENT_TYPE } from '../src/envelope/index.js';
import { decodeCbor, encodeCbor, toJs, CborError, Tagged, type CborValue } from '../src/cose/cbor.js';
import { encodeProtectedHeaders, encodeCoseSign1, toBeSigned } from '../src/cose/envelope.js';
import { NotationError, EnvelopeError } from '../src/errors.js';
import { makePki, type Pki } from './helpers/pki.js';
import { sharedPath } from './helpers/shared.js';

const SCHEME = 'io.cncf.notary.signingScheme';
const STIME = 'io.cncf.notary.signingTime';
const ATIME = 'io.cncf.notary.authenticSigningTime';
const EXPIRY = 'io.cncf.notary.expiry';
const PAYLOAD = Buffer.from('{"targetArtifact":{"digest":"sha256:00","mediaType":"a/b","size":1}}');
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function protectedMap(fields: Map<CborValue, CborValue | undefined> = new Map()): Map<CborValue, CborValue> {
  const m = new Map<CborValue, CborValue>([
    [1, -7],
    [2, [SCHEME]],
    [3, PAYLOAD_CONTENT_TYPE],
    [SCHEME, 'notary.x509'],
    [STIME, new Tagged(1, 1704164645)],
  ]);
  for (const [k, v] of fields) {
    if (v === undefined) m.delete(k);
    else m.set(k, v);
  }
  return m;
}

/** Builds and signs a COSE_Sign1 with arbitrary protected/unprotected content. */
function craft(prot: Uint8Array, unprotected: Map<CborValue, CborValue>, key: KeyObject, coseAlg: number, opts: { salt?: number; payload?: Uint8Array } = {}): Uint8Array {
  const alg = algorithmByCose(coseAlg)!;
  const payload = opts.payload ?? PAYLOAD;
  const tbs = toBeSigned(prot, payload);
  const sig =
    alg.kind === 'rsa'
      ? cryptoSign(alg.nodeHash, tbs, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: opts.salt ?? alg.hashLength })
      : cryptoSign(alg.nodeHash, tbs, { key, dsaEncoding: 'ieee-p1363' });
  return encodeCbor(new Tagged(18, [prot, unprotected, payload, new Uint8Array(sig)]));
}

function failsWith(bytes: Uint8Array, cls: typeof NotationError, code: string, msg?: string | RegExp): void {
  try {
    parseEnvelope(MEDIA_TYPE_COSE, bytes).verify();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(cls);
    expect((e as NotationError).code, (e as Error).message).to.equal(code);
    if (typeof msg === 'string') expect((e as Error).message).to.equal(msg);
    else if (msg) expect((e as Error).message).to.match(msg);
    return;
  }
  throw new Error('expected verification to fail');
}

describe('cose: strict CBOR decoding', () => {
  const bad = (h: string, msg: RegExp) => expect(() => decodeCbor(hex(h))).to.throw(CborError, msg);
  it('rejects duplicate map keys (int and text)', () => {
    bad('a2 01 01 01 02', /duplicate map key "1"/);
    bad('a2 61 61 01 61 61 02', /duplicate map key "a"/);
  });
  it('rejects indefinite lengths', () => {
    bad('9f 01 ff', /indefinite-length array isn't allowed/);
    bad('bf 01 01 ff', /indefinite-length map isn't allowed/);
    bad('5f 41 00 ff', /indefinite-length byte string/);
  });
  it('rejects non-minimal heads', () => {
    bad('18 05', /non-minimal/);
    bad('b9 00 01 01 01', /non-minimal/);
    bad('59 00 01 00', /non-minimal/);
  });
  it('rejects trailing bytes, truncation, invalid UTF-8, reserved info, deep nesting', () => {
    bad('01 01', /extraneous data/);
    bad('43 01 02', /unexpected EOF/);
    bad('62 c3 28', /invalid UTF-8/);
    bad('1c', /invalid additional information/);
    bad('81'.repeat(40) + '01', /max nested level/);
    bad('f8 10', /invalid simple value/);
  });
  it('rejects tags where forbidden and bad date-time tag content', () => {
    expect(() => decodeCbor(hex('c1 01'), { forbidTags: true })).to.throw(/tag isn't allowed/);
    bad('c1 61 61', /tag number 1 must be followed by integer or floating-point/);
    bad('c0 01', /tag number 0 must be followed by text string/);
  });
  it('huge declared lengths do not allocate', () => {
    bad('5b 00 00 00 ff ff ff ff ff', /unexpected EOF/);
    bad('9b 00 00 00 ff ff ff ff ff', /unexpected EOF/);
  });
  it('property: encode then decode is the identity on generated values, and output is minimal/sorted', () => {
    const value: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }),
        fc.string(),
        fc.uint8Array({ maxLength: 40 }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.uniqueArray(fc.tuple(fc.oneof(fc.integer(), fc.string()), tie('v')), { maxLength: 4, selector: ([k]) => (typeof k === 'number' ? `n${k}` : `s${k}`) }).map((es) => new Map<CborValue, CborValue>(es)),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const enc = encodeCbor(v);
        const dec = decodeCbor(enc);
        // Re-encoding the decoded value gives the same bytes (deterministic encoding).
        expect(Buffer.from(encodeCbor(toJs(dec) as CborValue)).toString('hex')).to.equal(Buffer.from(enc).toString('hex'));
        expect(dec.end).to.equal(enc.length);
      }),
      { numRuns: 300 },
    );
  });
  it('property: random bytes never throw anything but CborError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        try {
          decodeCbor(b);
        } catch (e) {
          expect(e).to.be.instanceOf(CborError);
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('map keys are sorted bytewise by encoding (core deterministic)', () => {
    const enc = encodeCbor(new Map<CborValue, CborValue>([['bb', 1], [10, 2], ['a', 3], [-1, 4], [1, 5]]));
    expect(Buffer.from(enc).toString('hex')).to.equal('a5' + '0105' + '0a02' + '2004' + '616103' + '62626201');
  });
});

describe('cose: envelope rules (checklist 1.4)', function () {
  this.timeout(60_000);
  let ec: Pki;
  let rsa: Pki;
  let x5: Map<CborValue, CborValue>;
  before(async () => {
    ec = await makePki({ keySpec: 'EC-256', name: 'cose-ec' });
    rsa = await makePki({ keySpec: 'RSA-2048', name: 'cose-rsa' });
    x5 = new Map<CborValue, CborValue>([[33, ec.chain.map((c) => c.raw)]]);
  });
  const env = (fields?: Map<CborValue, CborValue | undefined>, unprot?: Map<CborValue, CborValue>) => craft(encodeCbor(protectedMap(fields)), unprot ?? x5, ec.leaf.key, -7);

  it('a valid hand-made envelope verifies', () => {
    const c = parseEnvelope(MEDIA_TYPE_COSE, env()).verify();
    expect(c.signerInfo.signedAttributes.signingTime.toISOString()).to.equal('2024-01-02T03:04:05.000Z');
  });
  it('untagged COSE_Sign1 is a parse failure', () => {
    const tagged = env();
    expect(() => parseEnvelope(MEDIA_TYPE_COSE, tagged.subarray(1))).to.throw(EnvelopeError, 'cbor: invalid COSE_Sign1_Tagged object');
  });
  it('signingTime as tag 0 or untagged integer is invalid', () => {
    failsWith(env(new Map([[STIME, new Tagged(0, '2024-01-02T03:04:05Z')]])), NotationError, 'INVALID_SIGNED_ATTRIBUTES', 'invalid signingTime: only Tag `1` Datetime CBOR object is supported');
    failsWith(env(new Map([[STIME, 1704164645]])), NotationError, 'INVALID_SIGNED_ATTRIBUTES', 'invalid signingTime: invalid timeValue type');
    failsWith(env(new Map([[STIME, undefined]])), NotationError, 'INVALID_SIGNED_ATTRIBUTES', `invalid signingTime: protected header "${STIME}" is missing`);
  });
  it('x5chain as a single bstr is rejected; missing chain too', () => {
    failsWith(env(undefined, new Map([[33, ec.leaf.der]])), NotationError, 'INVALID_CERTIFICATE_CHAIN', 'certificate chain is not present');
    failsWith(env(undefined, new Map()), NotationError, 'INVALID_CERTIFICATE_CHAIN', 'certificate chain is not present');
  });
  it('cty as uint is refused (tstr required)', () => {
    failsWith(env(new Map([[3, 50]])), NotationError, 'INVALID_SIGNATURE_ENVELOPE', "content type should be of 'tstr' type");
  });
  it('cty other than the Notary type: content() works, verify() fails', () => {
    const b = env(new Map([[3, 'application/json']]));
    expect(parseEnvelope(MEDIA_TYPE_COSE, b).content().payload.contentType).to.equal('application/json');
    failsWith(b, NotationError, 'UNSUPPORTED_PAYLOAD_CONTENT_TYPE');
  });
  it('crit: listed label must be present (go-cose), required labels must be listed', () => {
    expect(() => parseEnvelope(MEDIA_TYPE_COSE, env(new Map([[2, [SCHEME, 'nope']]])))).to.throw(EnvelopeError, /missing critical header: nope/);
    expect(() => parseEnvelope(MEDIA_TYPE_COSE, env(new Map([[2, []]])))).to.throw(EnvelopeError, /empty crit header/);
    failsWith(env(new Map([[2, [3]]])), NotationError, 'INVALID_SIGNED_ATTRIBUTES', `these required headers are not marked as critical: [${SCHEME}]`);
    failsWith(env(new Map([[EXPIRY, new Tagged(1, 1804164645)]])), NotationError, 'INVALID_SIGNED_ATTRIBUTES', `these required headers are not marked as critical: [${EXPIRY}]`);
    failsWith(
      env(new Map<CborValue, CborValue | undefined>([[SCHEME, 'notary.x509.signingAuthority'], [STIME, undefined], [ATIME, new Tagged(1, 1704164645)]])),
      NotationError,
      'INVALID_SIGNED_ATTRIBUTES',
      `these required headers are not marked as critical: [${ATIME}]`,
    );
  });
  it('unknown scheme and expiry not after signing time', () => {
    failsWith(env(new Map([[SCHEME, 'notary.x509.v2']])), NotationError, 'INVALID_SIGNED_ATTRIBUTES', 'unsupported signingScheme: notary.x509.v2');
    failsWith(env(new Map<CborValue, CborValue>([[EXPIRY, new Tagged(1, 1704164645)], [2, [SCHEME, EXPIRY]]])), NotationError, 'INVALID_SIGNED_ATTRIBUTES', 'expiry cannot be equal or before the signing time');
  });
  it('protected alg must match the leaf (algorithm confusion)', () => {
    failsWith(env(new Map([[1, -37]])), NotationError, 'ALGORITHM_MISMATCH', 'signature is invalid. Error: algorithm mismatch: verifier ES256: header PS256');
    failsWith(env(new Map([[1, 'ES256']])), NotationError, 'SIGNATURE_INVALID', 'signature is invalid. Error: Algorithm("ES256")');
    failsWith(env(new Map([[1, undefined]])), NotationError, 'SIGNATURE_INVALID', 'signature is invalid. Error: algorithm not found');
    const rsaSigned = craft(encodeCbor(protectedMap(new Map([[1, -7]]))), new Map([[33, rsa.chain.map((c) => c.raw)]]), ec.leaf.key, -7);
    failsWith(rsaSigned, NotationError, 'ALGORITHM_MISMATCH', 'signature is invalid. Error: algorithm mismatch: verifier PS256: header ES256');
  });
  it('RSA-PSS salt must equal the hash length (salt 0 fails, unlike JWS)', () => {
    const u = new Map<CborValue, CborValue>([[33, rsa.chain.map((c) => c.raw)]]);
    const good = craft(encodeCbor(protectedMap(new Map([[1, -37]]))), u, rsa.leaf.key, -37);
    parseEnvelope(MEDIA_TYPE_COSE, good).verify();
    const salt0 = craft(encodeCbor(protectedMap(new Map([[1, -37]]))), u, rsa.leaf.key, -37, { salt: 0 });
    failsWith(salt0, NotationError, 'SIGNATURE_INVALID', 'signature is invalid. Error: verification error');
  });
  it('duplicate labels in the protected header are a parse failure', () => {
    const prot = encodeCbor(protectedMap());
    // Rewrite the map header count +1 and append a second signingScheme entry.
    const dup = Buffer.concat([Uint8Array.of(prot[0] + 1), prot.subarray(1), encodeCbor(SCHEME), encodeCbor('notary.x509.signingAuthority')]);
    expect(() => parseEnvelope(MEDIA_TYPE_COSE, craft(dup, x5, ec.leaf.key, -7))).to.throw(EnvelopeError, /duplicate map key/);
  });
  it('indefinite-length unprotected map and tags in the unprotected map are parse failures', () => {
    const b = Buffer.from(env());
    const prot = encodeCbor(protectedMap());
    const protLen = encodeCbor(prot).length;
    const unprotAt = 2 + protLen;
    const indef = Buffer.concat([b.subarray(0, unprotAt), Uint8Array.of(0xbf), b.subarray(unprotAt + 1, b.length)]);
    expect(() => parseEnvelope(MEDIA_TYPE_COSE, indef)).to.throw(EnvelopeError);
    const tagged = craft(prot, new Map<CborValue, CborValue>([[33, ec.chain.map((c) => c.raw)], ['x', new Tagged(1, 5)]]), ec.leaf.key, -7);
    expect(() => parseEnvelope(MEDIA_TYPE_COSE, tagged)).to.throw(EnvelopeError, "cbor: CBOR tag isn't allowed");
  });
  it('crit in the unprotected header is refused', () => {
    expect(() => parseEnvelope(MEDIA_TYPE_COSE, env(undefined, new Map<CborValue, CborValue>([[33, ec.chain.map((c) => c.raw)], [2, [SCHEME]]])))).to.throw(EnvelopeError, /crit: not allowed/);
  });
  it('detached (nil) payload fails verification', () => {
    const prot = encodeCbor(protectedMap());
    const b = encodeCbor(new Tagged(18, [prot, x5, null, new Uint8Array(64)]));
    failsWith(b, NotationError, 'SIGNATURE_INVALID', 'signature is invalid. Error: missing payload');
  });
  it('integer extended labels are kept (as decimal strings)', () => {
    const c = parseEnvelope(MEDIA_TYPE_COSE, env(new Map<CborValue, CborValue>([[4, new Uint8Array([1])], ['com.acme', { a: 1 }]]))).verify();
    expect(c.signerInfo.signedAttributes.extendedAttributes.map((a) => a.key)).to.have.members(['4', 'com.acme']);
  });

  it('fast-check: mutations of a valid envelope never crash and never verify with other content', () => {
    const good = env();
    const ref = parseEnvelope(MEDIA_TYPE_COSE, good).verify();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (muts) => {
        const t = Buffer.from(good);
        for (const [i, x] of muts) t[i] ^= x;
        try {
          const c = parseEnvelope(MEDIA_TYPE_COSE, t).verify();
          // Only unsigned bytes (the x5chain copy of the root, say) may change without failing.
          expect(Buffer.from(c.payload.content).equals(Buffer.from(ref.payload.content))).to.equal(true);
          expect(Buffer.from(c.signerInfo.signature).equals(Buffer.from(ref.signerInfo.signature))).to.equal(true);
        } catch (e) {
          if (!(e instanceof NotationError)) throw e;
        }
      }),
      { numRuns: 400 },
    );
  });
  it('fast-check: random bytes with the COSE prefix never crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        try {
          parseEnvelope(MEDIA_TYPE_COSE, Buffer.concat([Uint8Array.of(0xd2, 0x84), b])).verify();
          expect.fail('random bytes verified');
        } catch (e) {
          if (!(e instanceof NotationError)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('cose: encoding matches notation-core-go', () => {
  const doc = JSON.parse(readFileSync(sharedPath('conformance/fixtures/notation-core-go/signature/cose/testdata/conformance.json'), 'utf8'));
  it('protected header bytes of conformance.json', () => {
    const prot = encodeProtectedHeaders({
      alg: algorithmByKeySpec('RSA-3072')!,
      contentType: PAYLOAD_CONTENT_TYPE,
      signingScheme: 'notary.x509',
      signingTime: new Date(1661321924 * 1000),
      expiry: new Date(1661408324 * 1000),
      extendedSignedAttributes: [
        { key: 'signedCritKey1', value: 'signedCritValue1', critical: true },
        { key: 'signedKey1', value: 'signedValue1', critical: false },
      ],
    });
    expect(Buffer.from(prot).toString('hex').toUpperCase()).to.equal(doc.protectedHeaders.cborHex);
  });
  it('whole COSE_Sign1_Tagged layout (tag 18, bstr protected, map, payload, signature)', () => {
    const prot = hex('a10126');
    const out = encodeCoseSign1(prot, { signingAgent: 'a', certificateChain: [Uint8Array.of(1)] }, Buffer.from('p'), Uint8Array.of(9));
    // d2 84 | 43 a10126 | a2 1821 81 41 01 | 78 1b <label> 61 'a' | 41 'p' | 41 09
    expect(Buffer.from(out).toString('hex')).to.equal('d28443a10126a2182181410178' + '1b' + Buffer.from('io.cncf.notary.signingAgent').toString('hex') + '6161' + '4170' + '4109');
  });
});
