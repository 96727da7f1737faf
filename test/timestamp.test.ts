import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { TimestampError, NotationError } from '../src/errors.js';
import { parseCertificates, type Certificate } from '../src/x509/certificate.js';
import { parseTimestampToken } from '../src/timestamp/token.js';
import { convertToDer } from '../src/timestamp/ber.js';
import { parseGeneralizedTime } from '../src/timestamp/tstinfo.js';
import { loadTimestampLib, verifyAuthenticTimestamp, type AuthenticTimestampArgs, type TimestampLib } from '../src/verifier/authentic-timestamp.js';
import type { EnvelopeContent } from '../src/envelope/types.js';
import { sharedPath } from './helpers/shared.js';

const TSP = sharedPath('conformance/fixtures/tspclient-go/testdata/');
const NM = sharedPath('notation-made/');
const token = readFileSync(TSP + 'TimeStampToken.p7s');
const globalSignRoot = parseCertificates(readFileSync(TSP + 'GlobalSignRootCA.crt'));
const genTime = new Date('2021-09-17T14:09:10Z');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as NotationError).code;
  }
  return undefined;
}

describe('timestamp token', () => {
  it('parses TSTInfo and verifies against its root at genTime', () => {
    const t = parseTimestampToken(token);
    expect(t.genTime.toISOString()).to.equal('2021-09-17T14:09:10.000Z');
    expect(t.policy).to.equal('1.3.6.1.4.1.4146.2.3');
    expect(t.accuracy.seconds).to.equal(1);
    const r = t.verify({ signature: Buffer.from('notation'), roots: globalSignRoot });
    expect(r.range.map((d) => d.toISOString())).to.deep.equal(['2021-09-17T14:09:09.000Z', '2021-09-17T14:09:11.000Z']);
    expect(r.tsaChain[0].subject).to.equal('CN=Globalsign TSA for Advanced - G4,O=GlobalSign nv-sa,C=BE');
    expect(r.tsaChain[r.tsaChain.length - 1].fingerprint256).to.equal(globalSignRoot[0].fingerprint256);
  });

  it('fails with an untrusted root', () => {
    const other = parseCertificates(readFileSync(NM + 'pki/tsa-root.crt'));
    const t = parseTimestampToken(token);
    expect(() => t.verify({ signature: Buffer.from('notation'), roots: other })).to.throw(TimestampError, 'certificate signed by unknown authority');
  });

  it('fails when the imprint does not cover the signature', () => {
    const t = parseTimestampToken(token);
    expect(codeOf(() => t.verify({ signature: Buffer.from('notation!'), roots: globalSignRoot }))).to.equal('TIMESTAMP_IMPRINT_MISMATCH');
  });

  it('fails when the TSA chain is not valid at the given time', () => {
    const t = parseTimestampToken(token);
    const err = codeOf(() => t.verifySignedToken({ roots: globalSignRoot, currentTime: new Date('2040-01-01T00:00:00Z') }));
    expect(err).to.equal('TIMESTAMP_CERT_NOT_VALID');
  });

  it('rejects a non-TSTInfo content type with the reference text', () => {
    expect(() => parseTimestampToken(readFileSync(TSP + 'TimeStampTokenWithInvalideContentType.p7s'))).to.throw(
      'unexpected content type: 1.2.840.113549.1.7.1. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)',
    );
  });

  it('never crashes on mutated tokens, and a mutation never changes what a verified token vouches for', () => {
    const original = parseTimestampToken(token);
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.integer({ min: 1, max: 255 }), (pos, x) => {
        const m = Buffer.from(token);
        m[pos] ^= x;
        try {
          const t = parseTimestampToken(m);
          const r = t.verify({ signature: Buffer.from('notation'), roots: globalSignRoot, chainTime: genTime });
          // Only bytes outside the signed content (e.g. digestAlgorithms) may change and still verify.
          expect(r.genTime.getTime()).to.equal(original.genTime.getTime());
          expect(Buffer.from(t.messageImprint.hashedMessage)).to.deep.equal(Buffer.from(original.messageImprint.hashedMessage));
        } catch (e) {
          expect(e, String(e)).to.be.instanceOf(NotationError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never crashes on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          parseTimestampToken(b).info;
        } catch (e) {
          expect(e, String(e)).to.be.instanceOf(NotationError);
        }
      }),
    );
  });
});

describe('BER length normalisation', () => {
  it('rewrites non-minimal lengths and refuses indefinite lengths and trailing data', () => {
    expect(Buffer.from(convertToDer(Buffer.from('3081030201 05'.replace(/ /g, ''), 'hex'))).toString('hex')).to.equal('3003020105');
    expect(() => convertToDer(Buffer.from('3080020105 0000'.replace(/ /g, ''), 'hex'))).to.throw('indefinite length not supported');
    expect(() => convertToDer(Buffer.from('300302010500', 'hex'))).to.throw('does not match with content length');
    expect(() => convertToDer(new Uint8Array(0))).to.throw('BER-encoded ASN.1 data structures is empty');
  });

  it('is the identity on DER (property)', () => {
    const leaf = fc.uint8Array({ maxLength: 200 }).map((b) => enc(0x04, b));
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }).map((kids) => enc(0x30, Buffer.concat(kids as Buffer[])))),
    })).node as fc.Arbitrary<Buffer>;
    fc.assert(
      fc.property(tree, (der) => {
        expect(Buffer.from(convertToDer(der)).equals(der)).to.equal(true);
      }),
    );
  });
});

function enc(tag: number, body: Uint8Array): Buffer {
  const len = body.length;
  const hdr = len < 0x80 ? [len] : len < 0x100 ? [0x81, len] : [0x82, len >> 8, len & 0xff];
  return Buffer.concat([Buffer.from([tag, ...hdr]), body]);
}

describe('GeneralizedTime', () => {
  it('accepts UTC and offsets, refuses what Go would not round-trip', () => {
    expect(parseGeneralizedTime('20210917140910Z')).to.deep.equal({ date: new Date('2021-09-17T14:09:10Z'), utc: true });
    expect(parseGeneralizedTime('20210917140910.5Z').date.getUTCMilliseconds()).to.equal(500);
    expect(parseGeneralizedTime('20210917150910+0100')).to.deep.equal({ date: new Date('2021-09-17T14:09:10Z'), utc: false });
    expect(() => parseGeneralizedTime('20210917140910.50Z')).to.throw(TimestampError);
    expect(() => parseGeneralizedTime('20210231140910Z')).to.throw(TimestampError);
  });
});

// ---- authentic timestamp, on signatures made by the real notation.

function jwsContent(path: string): EnvelopeContent {
  const env = JSON.parse(readFileSync(path, 'utf8'));
  const prot = JSON.parse(Buffer.from(env.protected, 'base64url').toString('utf8'));
  const t = env.header['io.cncf.notary.timestampSignature'];
  return {
    signerInfo: {
      signedAttributes: { signingScheme: prot['io.cncf.notary.signingScheme'], signingTime: new Date(prot['io.cncf.notary.signingTime']), extendedAttributes: [] },
      unsignedAttributes: { timestampSignature: t ? Buffer.from(t, 'base64url') : undefined },
      signatureAlgorithm: 'RSASSA-PSS-SHA-256',
      certificateChain: env.header.x5c.map((c: string) => parseCertificates(Buffer.from(c, 'base64'))[0]),
      signature: Buffer.from(env.signature, 'base64url'),
    },
    payload: { contentType: prot.cty, content: Buffer.from(env.payload, 'base64url') },
  };
}

const tsaRoot = parseCertificates(readFileSync(NM + 'pki/tsa-root.crt'));
const stores: Record<string, Certificate[]> = { 'tsa:interop-tsa': tsaRoot };
const trustStore: AuthenticTimestampArgs['trustStore'] = {
  getCertificates(type, name) {
    const c = stores[`${type}:${name}`];
    if (!c) throw new NotationError('TRUST_STORE_NOT_FOUND', `the trust store "${name}" of type "${type}" does not exist`);
    return c;
  },
};
const afterExpiry = new Date('2026-11-22T06:13:15Z');

let timestampLib: TimestampLib | undefined;
function args(content: EnvelopeContent, trustStores: string[], verifyTimestamp?: string, now = afterExpiry): AuthenticTimestampArgs {
  return { content, statement: { name: 'interop', trustStores, signatureVerification: { verifyTimestamp } }, trustStore, now, timestampLib };
}

describe('verifyAuthenticTimestamp (notation-made signatures)', () => {
  before(async () => {
    timestampLib = await loadTimestampLib();
  });

  const expiredTs = jwsContent(NM + 'envelopes/oci-jws-expired-leaf-timestamped.jws');
  const expired = jwsContent(NM + 'envelopes/oci-jws-expired-leaf.jws');
  const fresh = jwsContent(NM + 'envelopes/oci-jws-timestamped.jws');

  it('an expired leaf verifies with a tsa store when the signature was timestamped', () => {
    const r = verifyAuthenticTimestamp(args(expiredTs, ['ca:interop', 'tsa:interop-tsa'], 'afterCertExpiry'));
    expect(r.timestampVerified?.genTime.toISOString().slice(0, 16)).to.equal('2026-11-22T06:10');
    expect(r.tsaChain?.[0].subject).to.match(/CN=/);
  });

  it('a token cannot be read without the timestamp reader (the verifier loads it for signatures that carry one)', () => {
    expect(codeOf(() => verifyAuthenticTimestamp({ ...args(expiredTs, ['ca:interop', 'tsa:interop-tsa'], 'afterCertExpiry'), timestampLib: undefined }))).to.equal('TIMESTAMP_READER_MISSING');
  });

  it('an expired leaf fails without a tsa store, with notation’s message', () => {
    expect(() => verifyAuthenticTimestamp(args(expiredTs, ['ca:interop']))).to.throw(
      'verification time is after certificate "CN=public-interop-leaf-shortlived,O=Public Interop,L=Seattle,ST=WA,C=US" validity period, it was expired at "Sun, 22 Nov 2026 06:13:10 +0000"',
    );
  });

  it('an expired leaf without a token fails under a tsa store', () => {
    expect(() => verifyAuthenticTimestamp(args(expired, ['ca:interop', 'tsa:interop-tsa']))).to.throw('no timestamp countersignature was found in the signature envelope');
  });

  it('a timestamp from an untrusted TSA fails', () => {
    stores['tsa:other'] = globalSignRoot;
    expect(() => verifyAuthenticTimestamp(args(fresh, ['ca:interop', 'tsa:other']))).to.throw(TimestampError, 'failed to verify the timestamp countersignature with error:');
  });

  it('afterCertExpiry with a valid chain never reads the token', () => {
    const corrupt: EnvelopeContent = { ...fresh, signerInfo: { ...fresh.signerInfo, unsignedAttributes: { timestampSignature: Buffer.from('garbage') } } };
    expect(verifyAuthenticTimestamp(args(corrupt, ['ca:interop', 'tsa:interop-tsa'], 'afterCertExpiry'))).to.deep.equal({});
    expect(() => verifyAuthenticTimestamp(args(corrupt, ['ca:interop', 'tsa:interop-tsa']))).to.throw('failed to parse timestamp countersignature');
  });

  it('a genTime outside the signing chain validity fails', () => {
    // The token was made in 2026; a chain whose leaf starts later cannot be covered by it.
    const late = parseCertificates(readFileSync(sharedPath('conformance/fixtures/notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store/TestTimestampNotYetValid.crt')));
    const content: EnvelopeContent = { ...fresh, signerInfo: { ...fresh.signerInfo, certificateChain: late } };
    const err = codeOf(() => verifyAuthenticTimestamp(args(content, ['ca:interop', 'tsa:interop-tsa'], undefined, new Date('2026-11-22T06:20:00Z'))));
    expect(err).to.equal('TIMESTAMP_OUTSIDE_CERT_VALIDITY');
  });

  it('signing-authority signatures ignore the token and check authenticSigningTime', () => {
    const sa: EnvelopeContent = {
      ...fresh,
      signerInfo: { ...fresh.signerInfo, signedAttributes: { ...fresh.signerInfo.signedAttributes, signingScheme: 'notary.x509.signingAuthority' }, unsignedAttributes: { timestampSignature: Buffer.from('x') } },
    };
    expect(verifyAuthenticTimestamp(args(sa, ['signingAuthority:x', 'tsa:interop-tsa']))).to.deep.equal({});
    const early = { ...sa, signerInfo: { ...sa.signerInfo, signedAttributes: { ...sa.signerInfo.signedAttributes, signingTime: new Date('2020-01-01T00:00:00Z') } } };
    expect(() => verifyAuthenticTimestamp(args(early, ['signingAuthority:x']))).to.throw('was not valid when the digital signature was produced at "Wed, 01 Jan 2020 00:00:00 +0000"');
  });

  it('a missing tsa store is reported with notation’s prefix', () => {
    expect(() => verifyAuthenticTimestamp(args(fresh, ['ca:interop', 'tsa:nope']))).to.throw(
      'failed to load tsa trust store with error: the trust store "nope" of type "tsa" does not exist',
    );
  });
});
