import { expect } from 'chai';
import fc from 'fast-check';
import { sign as cryptoSign, constants, type KeyObject } from 'node:crypto';
import { parseEnvelope, signEnvelope, algorithmByJws, MEDIA_TYPE_JWS, PAYLOAD_CONTENT_TYPE } from '../src/envelope/index.js';
import { encodeProtectedHeader, encodePayload, parseRfc3339 } from '../src/jws/envelope.js';
import { goBase64Decode, goJsonParse, goMarshalSorted } from '../src/jws/gojson.js';
import { NotationError, SignatureIntegrityError, EnvelopeError } from '../src/errors.js';
import { makePki, type Pki } from './helpers/pki.js';
import { localSigner } from './conformance/adapters/envelope.js';

const SCHEME = 'io.cncf.notary.signingScheme';
const STIME = 'io.cncf.notary.signingTime';
const ATIME = 'io.cncf.notary.authenticSigningTime';
const EXPIRY = 'io.cncf.notary.expiry';
const PAYLOAD = JSON.stringify({ targetArtifact: { digest: 'sha256:' + 'b'.repeat(64), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1 } });

/** Signs an arbitrary protected header (raw JSON text) with `key` under JWS alg `alg`. */
function craft(headerJson: string, key: KeyObject, alg: string, x5c: Uint8Array[], opts: { payload?: string; pssSalt?: number; der?: boolean } = {}): Buffer {
  const h = Buffer.from(headerJson).toString('base64url');
  const p = Buffer.from(opts.payload ?? PAYLOAD).toString('base64url');
  const input = Buffer.from(`${h}.${p}`);
  const info = algorithmByJws(alg);
  let sig: Buffer;
  if (!info) sig = Buffer.alloc(0);
  else if (info.kind === 'rsa') sig = cryptoSign(info.nodeHash, input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: opts.pssSalt ?? info.hashLength });
  else sig = cryptoSign(info.nodeHash, input, { key, dsaEncoding: opts.der ? 'der' : 'ieee-p1363' });
  return Buffer.from(JSON.stringify({ payload: p, protected: h, header: { x5c: x5c.map((d) => Buffer.from(d).toString('base64')) }, signature: sig.toString('base64url') }));
}

function header(fields: Record<string, unknown>): string {
  return JSON.stringify({ alg: 'ES256', cty: PAYLOAD_CONTENT_TYPE, crit: [SCHEME], [SCHEME]: 'notary.x509', [STIME]: '2024-01-02T03:04:05Z', ...fields });
}

function failsWith(bytes: Uint8Array, code: string, msg?: string | RegExp): void {
  try {
    parseEnvelope(MEDIA_TYPE_JWS, bytes).verify();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(NotationError);
    expect((e as NotationError).code, (e as Error).message).to.equal(code);
    if (typeof msg === 'string') expect((e as Error).message).to.equal(msg);
    else if (msg) expect((e as Error).message).to.match(msg);
    return;
  }
  throw new Error('expected verification to fail');
}

describe('jws: header rules (checklist 1.3, 1.5, 1.7)', function () {
  this.timeout(60_000);
  let ec: Pki;
  let rsa: Pki;
  let x5c: Uint8Array[];
  before(async () => {
    ec = await makePki({ keySpec: 'EC-256', name: 'jws-ec' });
    rsa = await makePki({ keySpec: 'RSA-2048', name: 'jws-rsa' });
    x5c = ec.chain.map((c) => c.raw);
  });
  const ok = (fields: Record<string, unknown>) => parseEnvelope(MEDIA_TYPE_JWS, craft(header(fields), ec.leaf.key, 'ES256', x5c)).verify();
  const bad = (fields: Record<string, unknown>, code: string, msg?: string | RegExp) => failsWith(craft(header(fields), ec.leaf.key, 'ES256', x5c), code, msg);

  it('accepts a minimal valid header', () => {
    expect(ok({}).signerInfo.signedAttributes.signingTime.toISOString()).to.equal('2024-01-02T03:04:05.000Z');
  });
  it('accepts RFC 3339 offsets (notation writes local time)', () => {
    expect(ok({ [STIME]: '2024-01-02T03:04:05+08:00' }).signerInfo.signedAttributes.signingTime.toISOString()).to.equal('2024-01-01T19:04:05.000Z');
  });
  it('refuses a malformed time', () => {
    bad({ [STIME]: '2024-01-02 03:04:05Z' }, 'INVALID_SIGNATURE_ENVELOPE', /^jws envelope protected header can't be decoded: parsing time/);
    bad({ [STIME]: 1700000000 }, 'INVALID_SIGNATURE_ENVELOPE', /input is not a JSON string/);
  });
  it('crit missing / empty', () => {
    bad({ crit: undefined }, 'INVALID_SIGNED_ATTRIBUTES', 'missing "crit" header');
    bad({ crit: [] }, 'INVALID_SIGNED_ATTRIBUTES', 'missing "crit" header');
  });
  it('crit without signingScheme', () => {
    bad({ crit: ['x'], x: 1 }, 'INVALID_SIGNED_ATTRIBUTES', 'these required headers are not marked as critical: [io.cncf.notary.signingScheme]');
  });
  it('expiry present but not critical', () => {
    bad({ [EXPIRY]: '2099-01-01T00:00:00Z' }, 'INVALID_SIGNED_ATTRIBUTES', 'these required headers are not marked as critical: [io.cncf.notary.expiry]');
  });
  it('crit naming alg or signingTime (not extended headers)', () => {
    bad({ crit: [SCHEME, 'alg'] }, 'INVALID_SIGNED_ATTRIBUTES', '"alg" header is marked critical but not present');
    bad({ crit: [SCHEME, STIME] }, 'INVALID_SIGNED_ATTRIBUTES', `"${STIME}" header is marked critical but not present`);
    bad({ crit: [SCHEME, 'absent'] }, 'INVALID_SIGNED_ATTRIBUTES', '"absent" header is marked critical but not present');
  });
  it('extended critical attribute is reported as critical', () => {
    const c = ok({ crit: [SCHEME, 'com.acme.x'], 'com.acme.x': { a: 1 } });
    expect(c.signerInfo.signedAttributes.extendedAttributes).to.deep.equal([{ key: 'com.acme.x', critical: true, value: { a: 1 } }]);
  });
  it('x509 scheme with authenticSigningTime', () => {
    bad({ [ATIME]: '2024-01-02T03:04:05Z' }, 'INVALID_SIGNED_ATTRIBUTES', `"${ATIME}" header must not be present for notary.x509 signing scheme`);
  });
  it('signingAuthority without authenticSigningTime, and with signingTime', () => {
    bad({ [SCHEME]: 'notary.x509.signingAuthority', [STIME]: undefined, crit: [SCHEME, ATIME] }, 'INVALID_SIGNED_ATTRIBUTES', /must be present for notary.x509.signingAuthority/);
    bad({ [SCHEME]: 'notary.x509.signingAuthority', [ATIME]: '2024-01-02T03:04:05Z', crit: [SCHEME, ATIME] }, 'INVALID_SIGNED_ATTRIBUTES', `"${STIME}" header must not be present for notary.x509.signingAuthority signing scheme`);
  });
  it('signingAuthority with authenticSigningTime not critical', () => {
    bad({ [SCHEME]: 'notary.x509.signingAuthority', [STIME]: undefined, [ATIME]: '2024-01-02T03:04:05Z' }, 'INVALID_SIGNED_ATTRIBUTES', `these required headers are not marked as critical: [${ATIME}]`);
  });
  it('unknown scheme', () => {
    bad({ [SCHEME]: 'notary.x509.v2' }, 'INVALID_SIGNED_ATTRIBUTES', 'unsupported SigningScheme: `notary.x509.v2`');
  });
  it('missing signing time', () => {
    bad({ [STIME]: undefined }, 'INVALID_SIGNED_ATTRIBUTES', 'signing-time not present');
  });
  it('expiry equal to signing time', () => {
    bad({ [EXPIRY]: '2024-01-02T03:04:05Z', crit: [SCHEME, EXPIRY] }, 'INVALID_SIGNED_ATTRIBUTES', 'expiry cannot be equal or before the signing time');
  });
  it('cty other than the Notary payload type: content() works, verify() fails', () => {
    const b = craft(header({ cty: 'application/json' }), ec.leaf.key, 'ES256', x5c);
    expect(parseEnvelope(MEDIA_TYPE_JWS, b).content().payload.contentType).to.equal('application/json');
    failsWith(b, 'UNSUPPORTED_PAYLOAD_CONTENT_TYPE', 'payload content type "application/json" not supported');
  });
  it('duplicate protected header names are refused', () => {
    const h = header({}).replace('{', `{"${SCHEME}":"notary.x509.signingAuthority",`);
    failsWith(craft(h, ec.leaf.key, 'ES256', x5c), 'INVALID_SIGNATURE_ENVELOPE', /duplicate key/);
  });
  it('payload that is not JSON fails', () => {
    failsWith(craft(header({}), ec.leaf.key, 'ES256', x5c, { payload: 'not json' }), 'SIGNATURE_INVALID', /^signature is invalid. Error: invalid character/);
  });
  it('no certificate chain', () => {
    failsWith(craft(header({}), ec.leaf.key, 'ES256', []), 'INVALID_CERTIFICATE_CHAIN', 'certificate chain is not present');
  });
  it('chain out of order is an integrity failure with REF prefix', () => {
    failsWith(craft(header({}), ec.leaf.key, 'ES256', [x5c[0], x5c[2], x5c[1]]), 'INVALID_CERTIFICATE_CHAIN', /^certificate-chain is invalid, /);
  });

  describe('algorithm confusion', () => {
    it('RSA leaf, header ES256', () => {
      const b = craft(header({ alg: 'ES256' }), ec.leaf.key, 'ES256', rsa.chain.map((c) => c.raw));
      failsWith(b, 'ALGORITHM_MISMATCH', 'signature is invalid. Error: key is of invalid type');
    });
    it('EC leaf, header PS256', () => {
      const b = craft(header({ alg: 'PS256' }), rsa.leaf.key, 'PS256', x5c);
      failsWith(b, 'ALGORITHM_MISMATCH', 'signature is invalid. Error: key is invalid');
    });
    it('RSA-2048 leaf, valid PS384 signature: the leaf-derived algorithm wins', () => {
      const b = craft(header({ alg: 'PS384' }), rsa.leaf.key, 'PS384', rsa.chain.map((c) => c.raw));
      failsWith(b, 'ALGORITHM_MISMATCH', /derived from signing certificate \(PS256\) and signing algorithm specified \(PS384\)/);
    });
    it('alg none / HS256 / unknown', () => {
      failsWith(craft(header({ alg: 'none' }), ec.leaf.key, 'none', x5c), 'UNSUPPORTED_SIGNATURE_ALGORITHM', 'signature is invalid. Error: signing method none is invalid');
      failsWith(craft(header({ alg: 'HS256' }), ec.leaf.key, 'HS256', x5c), 'UNSUPPORTED_SIGNATURE_ALGORITHM', 'signature is invalid. Error: signing method HS256 is invalid');
      failsWith(craft(header({ alg: 'XX' }), ec.leaf.key, 'XX', x5c), 'SIGNATURE_INVALID', 'signature is invalid. Error: signing method (alg) is unavailable.');
      failsWith(craft(header({ alg: undefined }), ec.leaf.key, 'XX', x5c), 'SIGNATURE_INVALID', 'signature is invalid. Error: signing method (alg) is unspecified.');
    });
    it('ECDSA signature in DER form fails', () => {
      failsWith(craft(header({}), ec.leaf.key, 'ES256', x5c, { der: true }), 'SIGNATURE_INVALID', 'signature is invalid. Error: crypto/ecdsa: verification error');
    });
    it('RSA-PSS with salt 0 verifies in JWS (golang-jwt auto salt)', () => {
      const b = craft(header({ alg: 'PS256' }), rsa.leaf.key, 'PS256', rsa.chain.map((c) => c.raw), { pssSalt: 0 });
      expect(parseEnvelope(MEDIA_TYPE_JWS, b).verify().signerInfo.signatureAlgorithm).to.equal('RSASSA-PSS-SHA-256');
    });
  });

  it('Go struct decoding: field names match case-insensitively (notation-go fixtures rely on it)', () => {
    const doc = JSON.parse(craft(header({}), ec.leaf.key, 'ES256', x5c).toString());
    doc.header['io.cncf.notary.SigningAgent'] = 'agent/1';
    doc.Payload = doc.payload;
    delete doc.payload;
    const c = parseEnvelope(MEDIA_TYPE_JWS, Buffer.from(JSON.stringify(doc))).verify();
    expect(c.signerInfo.unsignedAttributes.signingAgent).to.equal('agent/1');
  });
  it('outer JSON type errors are parse failures', () => {
    expect(() => parseEnvelope(MEDIA_TYPE_JWS, Buffer.from('[1]'))).to.throw(EnvelopeError, 'json: cannot unmarshal array into Go value of type jws.jwsEnvelope');
    expect(() => parseEnvelope(MEDIA_TYPE_JWS, Buffer.from('{"payload":5}'))).to.throw(EnvelopeError, /cannot unmarshal number into Go struct field jwsEnvelope.payload of type string/);
    expect(() => parseEnvelope(MEDIA_TYPE_JWS, Buffer.from('{"header":{"x5c":["@@@@"]}}'))).to.throw(EnvelopeError, 'illegal base64 data at input byte 0');
  });

  it('fast-check: random mutations of a valid envelope never crash and never verify with changed content', () => {
    const good = craft(header({}), ec.leaf.key, 'ES256', x5c);
    const reference = parseEnvelope(MEDIA_TYPE_JWS, good).verify();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (muts) => {
        const t = Buffer.from(good);
        for (const [i, x] of muts) t[i] ^= x;
        try {
          const c = parseEnvelope(MEDIA_TYPE_JWS, t).verify();
          expect(Buffer.from(c.payload.content).equals(Buffer.from(reference.payload.content))).to.equal(true);
          expect(Buffer.from(c.signerInfo.signature).equals(Buffer.from(reference.signerInfo.signature))).to.equal(true);
        } catch (e) {
          if (!(e instanceof NotationError)) throw e;
        }
      }),
      { numRuns: 400 },
    );
  });
  it('fast-check: arbitrary JSON-ish input never crashes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string(), fc.uint8Array()), (v) => {
        const bytes = typeof v === 'string' ? Buffer.from(v) : Buffer.from(v);
        try {
          parseEnvelope(MEDIA_TYPE_JWS, bytes).verify();
          expect.fail('random input verified');
        } catch (e) {
          if (!(e instanceof NotationError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('jws: encoding matches notation-core-go', () => {
  it('conformance.json protected header (crit order: scheme, extended, expiry; keys sorted)', () => {
    const h = encodeProtectedHeader({
      alg: algorithmByJws('ES256')!,
      contentType: PAYLOAD_CONTENT_TYPE,
      signingScheme: 'notary.x509',
      signingTime: new Date('2022-08-29T13:50:00Z'),
      expiry: new Date('2099-08-30T13:50:00Z'),
      extendedSignedAttributes: [
        { key: 'signedCritKey1', value: 'signedCritValue1', critical: true },
        { key: 'signedKey1', value: 'signedValue1', critical: false },
      ],
    });
    expect(h).to.equal(
      '{"alg":"ES256","crit":["io.cncf.notary.signingScheme","signedCritKey1","io.cncf.notary.expiry"],"cty":"application/vnd.cncf.notary.payload.v1+json","io.cncf.notary.expiry":"2099-08-30T13:50:00Z","io.cncf.notary.signingScheme":"notary.x509","io.cncf.notary.signingTime":"2022-08-29T13:50:00Z","signedCritKey1":"signedCritValue1","signedKey1":"signedValue1"}',
    );
  });
  it('signingAuthority: authenticSigningTime is critical after extended ones', () => {
    const h = JSON.parse(encodeProtectedHeader({ alg: algorithmByJws('PS256')!, contentType: 'a/b', signingScheme: 'notary.x509.signingAuthority', signingTime: new Date(0), extendedSignedAttributes: [{ key: 'k', value: 1, critical: true }] }));
    expect(h.crit).to.deep.equal([SCHEME, 'k', ATIME]);
    expect(h[ATIME]).to.equal('1970-01-01T00:00:00Z');
    expect(h[STIME]).to.equal(undefined);
  });
  it('colliding extended attribute keys are refused', () => {
    expect(() => encodeProtectedHeader({ alg: algorithmByJws('PS256')!, contentType: 'a/b', signingScheme: 'notary.x509', signingTime: new Date(0), extendedSignedAttributes: [{ key: 'cty', value: 1, critical: false }] })).to.throw('attribute key:cty repeated');
  });
  it('payload is re-serialized like Go (sorted keys, HTML-safe escaping), and must be an object', () => {
    expect(encodePayload(Buffer.from('{"b":"<&>","a":[1,2.5,{"d":1,"c":null}]}'))).to.equal('{"a":[1,2.5,{"c":null,"d":1}],"b":"\\u003c\\u0026\\u003e"}');
    expect(() => encodePayload(Buffer.from('[1]'))).to.throw(/payload format error: json: cannot unmarshal array into Go value of type jwt.MapClaims/);
  });
  it('signEnvelope rejects a non-JSON payload for JWS', async function () {
    this.timeout(30_000);
    const pki = await makePki({ name: 'jws-enc' });
    try {
      await signEnvelope(MEDIA_TYPE_JWS, { payload: { contentType: PAYLOAD_CONTENT_TYPE, content: Buffer.from('x') }, signingScheme: 'notary.x509', signingTime: new Date() }, localSigner(pki.leaf.key, pki.chain, 'EC-256'));
      expect.fail('signed');
    } catch (e) {
      expect((e as NotationError).code).to.equal('INVALID_SIGN_REQUEST');
    }
  });
});

describe('jws: Go JSON and base64', () => {
  it('base64 errors name the offset as Go does', () => {
    const s = 'A'.repeat(242) + '=';
    expect(() => goBase64Decode(s, 'rawurl')).to.throw('illegal base64 data at input byte 242');
    expect(() => goBase64Decode('AAAAA', 'rawurl')).to.throw('illegal base64 data at input byte 4');
    expect(() => goBase64Decode('QQ', 'std')).to.throw('illegal base64 data at input byte 0');
    expect(Buffer.from(goBase64Decode('QQ==', 'std')).toString()).to.equal('A');
    expect(Buffer.from(goBase64Decode('Q\nQ', 'rawurl')).toString()).to.equal('A');
  });
  it('property: decodes whatever Buffer encodes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        expect(Buffer.from(goBase64Decode(Buffer.from(b).toString('base64url'), 'rawurl')).equals(Buffer.from(b))).to.equal(true);
        expect(Buffer.from(goBase64Decode(Buffer.from(b).toString('base64'), 'std')).equals(Buffer.from(b))).to.equal(true);
      }),
    );
  });
  it('JSON parser agrees with JSON.parse on valid JSON and throws typed errors otherwise', () => {
    fc.assert(
      fc.property(fc.json(), (j) => {
        expect(goJsonParse(j)).to.deep.equal(JSON.parse(j));
      }),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        let ours: unknown;
        let theirs: unknown;
        let oursOk = true;
        let theirsOk = true;
        try {
          ours = goJsonParse(s);
        } catch {
          oursOk = false;
        }
        try {
          theirs = JSON.parse(s);
        } catch {
          theirsOk = false;
        }
        // JSON.parse allows non-finite results (1e999); we refuse them as Go does.
        if (theirsOk && typeof theirs === 'number' && !Number.isFinite(theirs)) return;
        expect(oursOk).to.equal(theirsOk);
        if (oursOk) expect(ours).to.deep.equal(theirs);
      }),
    );
    expect(() => goJsonParse('')).to.throw('unexpected end of JSON input');
    expect(() => goJsonParse('x')).to.throw("invalid character 'x' looking for beginning of value");
    expect(() => goJsonParse('{"a":1}}')).to.throw("invalid character '}' after top-level value");
  });
  it('__proto__ is data', () => {
    const v = goJsonParse('{"__proto__":{"x":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).to.equal(Object.prototype);
    expect(Object.keys(v)).to.deep.equal(['__proto__']);
    expect(goMarshalSorted(v)).to.equal('{"__proto__":{"x":1}}');
  });
  it('RFC 3339 parsing', () => {
    expect(parseRfc3339('2024-02-29T23:59:59.999999Z')!.toISOString()).to.equal('2024-02-29T23:59:59.999Z');
    expect(parseRfc3339('2023-02-29T00:00:00Z')).to.equal(undefined);
    expect(parseRfc3339('2024-01-01T24:00:00Z')).to.equal(undefined);
    expect(parseRfc3339('2024-01-01T00:00:00-05:30')!.toISOString()).to.equal('2024-01-01T05:30:00.000Z');
  });
});

// Keep the unused import checker honest: SignatureIntegrityError is the class of every verify failure above.
void SignatureIntegrityError;
