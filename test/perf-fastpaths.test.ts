/**
 * The performance fast paths (docs/performance.md, round 3) against the plain
 * code they replace: same bytes, same verdicts, caches keyed by exact bytes.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { decodeCbor, encodeCbor, toJs } from '../src/cose/cbor.js';
import { toBeSigned } from '../src/cose/envelope.js';
import { goBase64Decode, goJsonParse } from '../src/jws/gojson.js';
import { goMarshal, goMarshalGeneric } from '../src/util/gojson.js';
import { isIssuedBy, isSelfSigned } from '../src/x509/chain.js';
import { Certificate, fastAccessUris, fastDistributionPointUris } from '../src/x509/certificate.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asnX509 from '@peculiar/asn1-x509';
import { VerificationCache } from '../src/verifier/cache.js';
import { parseCertificate } from '../src/envelope/base.js';
import { CHAIN_KEYS, LEAF_SUBJECT, REFERENCE, makeAnchor, makeFixture, freshChain, newVerifier, MEDIA_TYPES } from '../bench/lib.js';

describe('perf fast paths: COSE', () => {
  it('toBeSigned writes the bytes encodeCbor gives for the Sig_structure', () => {
    const sizes = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constantFrom(255, 256, 65535, 65536));
    fc.assert(
      fc.property(sizes, sizes, fc.integer({ min: 0, max: 255 }), (a, b, fill) => {
        const p = new Uint8Array(a).fill(fill);
        const pl = new Uint8Array(b).fill(fill ^ 0x5a);
        const want = encodeCbor(['Signature1', p, new Uint8Array(0), pl]);
        expect(Buffer.from(toBeSigned(p, pl)).equals(Buffer.from(want))).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes integer heads of every width exactly and refuses non-minimal ones', () => {
    const edge = [0n, 23n, 24n, 255n, 256n, 65535n, 65536n, 0xffffffffn, 0x100000000n, 2n ** 53n + 1n, 2n ** 64n - 1n];
    const intOf = (v: bigint) => {
      const item = decodeCbor(encodeCbor(v));
      return item.kind === 'int' ? item.value : undefined;
    };
    for (const v of [...edge, ...edge.map((x) => -1n - x)]) expect(intOf(v)).to.equal(v);
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }), (v) => {
        expect(intOf(v)).to.equal(v);
      }),
      { numRuns: 500 },
    );
    // The value 5 in each wider head, and lengths likewise: all non-minimal.
    for (const hex of ['1805', '190005', '1a00000005', '1b0000000000000005', '1b00000000ffffffff', '5800', '7800', '980000', 'b900000']) {
      expect(() => decodeCbor(Buffer.from(hex.length % 2 ? hex + '0' : hex, 'hex')), hex).to.throw(/non-minimal|EOF|extraneous/);
    }
    // An 8-byte length can never be satisfied.
    expect(() => decodeCbor(Buffer.from('5b0000000100000000', 'hex'))).to.throw('unexpected EOF');
  });

  it('decodes text (ASCII fast path and UTF-8) as the UTF-8 decoder does, refusing invalid UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (s) => {
        expect(toJs(decodeCbor(encodeCbor(s)))).to.equal(Buffer.from(s, 'utf8').toString('utf8'));
      }),
      { numRuns: 200 },
    );
    expect(() => decodeCbor(Buffer.from('62c328', 'hex'))).to.throw('invalid UTF-8');
  });
});

describe('perf fast paths: JWS JSON and base64', () => {
  const slowStd = (s: string) => goBase64Decode(s.slice(0, 2) + '\n' + s.slice(2), 'std'); // a newline forces Go's exact path

  it('canonical base64 decodes to the encoded bytes; other spellings take the exact path', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (bytes) => {
        const std = Buffer.from(bytes).toString('base64');
        expect(Buffer.from(goBase64Decode(std, 'std')).equals(Buffer.from(bytes))).to.equal(true);
        expect(Buffer.from(slowStd(std)).equals(Buffer.from(bytes))).to.equal(true);
        const url = Buffer.from(bytes).toString('base64url');
        expect(Buffer.from(goBase64Decode(url, 'rawurl')).equals(Buffer.from(bytes))).to.equal(true);
      }),
      { numRuns: 300 },
    );
    // Non-canonical or foreign alphabets: the same verdict as Go's decoder.
    expect(() => goBase64Decode('ab-_', 'std')).to.throw('illegal base64 data at input byte 2');
    expect(() => goBase64Decode('ab+/', 'rawurl')).to.throw('illegal base64 data at input byte 2');
    expect(() => goBase64Decode('QQ=', 'std')).to.throw(/illegal base64/);
    // Non-zero trailing bits are accepted by Go's non-strict decoder.
    expect(Buffer.from(goBase64Decode('QR==', 'std')).toString('hex')).to.equal('41');
  });

  it('strings without escapes parse as JSON.parse does; raw control characters are refused', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const text = JSON.stringify({ k: s, [s]: 1 });
        expect(goJsonParse(text)).to.deep.equal(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ minLength: 64, maxLength: 300 }), (s) => {
        const text = JSON.stringify([s]);
        expect(goJsonParse(text)).to.deep.equal(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
    // Long and short strings with a raw control character: Go's error, at its position.
    const long = 'A'.repeat(100);
    const ctl = (c: number) => String.fromCharCode(c);
    expect(goJsonParse(`["${long}\\u0001"]`)).to.deep.equal([`${long}${ctl(1)}`]); // escaped: fine
    expect(() => goJsonParse(`["${long}${ctl(1)}${long}"]`)).to.throw('in string literal');
    expect(() => goJsonParse(`["${long}${ctl(10)}"]`)).to.throw('in string literal');
    expect(() => goJsonParse(`["${long}${ctl(0x1f)}"]`)).to.throw('in string literal');
    expect(goJsonParse(`["${long}${ctl(0x7f)}"]`)).to.deep.equal([`${long}${ctl(0x7f)}`]);
    expect(() => goJsonParse('{"a":"x\ty"}')).to.throw('invalid character');
    expect(goJsonParse('{"a":"x\\ty"}')).to.deep.equal({ a: 'x\ty' });
    const proto = goJsonParse('{"__proto__":{"p":1},"b":2}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).to.equal(Object.prototype);
    expect(Object.keys(proto)).to.deep.equal(['__proto__', 'b']);
    expect(goJsonParse('{"a":1,"a":2}')).to.deep.equal({ a: 2 });
  });
});

describe('perf fast paths: Go JSON encoding', () => {
  // Strings over every UTF-16 unit, lone surrogates, what Go escapes (<>&, U+2028/9,
  // control characters) and text that looks like an escape.
  const str = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom('<', '>', '&', '\u2028', '\u2029', '\ud800', '\udfff', '\\', '"', '\b', '\f', '\u001f', 'a', 'u', 'd', '8', '\u00e9') }),
  );
  const plain = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, str, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), tie('arr'), tie('obj')),
    arr: fc.array(tie('v'), { maxLength: 5 }),
    obj: fc.dictionary(fc.oneof(str, fc.constantFrom('__proto__', 'toJSON', '0', '10')), tie('v'), { maxKeys: 5 }),
  })).v;
  // Values only the general encoder handles (the fast path must step aside).
  const special = fc.oneof(
    fc.constant(new Date(0)),
    fc.constant(new Uint8Array([1, 2, 250])),
    fc.constant(new Map([['b', 1], ['a', 2]])),
    fc.constant(5n),
    fc.constant({ toJSON: () => 'x' }),
    fc.constant(Object.assign(Object.create({ inherited: 1 }), { own: 2 })),
  );

  it('plain JSON through JSON.stringify gives the general encoder\u2019s bytes, or steps aside (property)', () => {
    const same = (v: unknown) => {
      let want: string | Error;
      try {
        want = goMarshalGeneric(v);
      } catch (e) {
        want = e as Error;
      }
      if (want instanceof Error) expect(() => goMarshal(v)).to.throw(want.constructor as new () => Error, want.message);
      else expect(goMarshal(v)).to.equal(want);
    };
    fc.assert(fc.property(plain, same), { numRuns: 3000 });
    fc.assert(fc.property(fc.array(fc.oneof(plain, special), { maxLength: 4 }), same), { numRuns: 500 });
    for (const v of [undefined, NaN, [1, , 2], { a: [Infinity] }, { a: 1, b: undefined }, JSON.parse('{"__proto__":{"x":"<&>"}}')]) same(v);
  });
});

describe('perf fast paths: caches', function () {
  this.timeout(60_000);

  it('a root self-check is remembered per instance with the same verdict', async () => {
    const anchor = await makeAnchor(CHAIN_KEYS[1]);
    const root = anchor.root.cert;
    const first = isSelfSigned(root);
    const again = isIssuedBy(root, root);
    expect(again).to.deep.equal(first).and.deep.equal({ ok: true });
    again.ok = false; // callers get copies
    expect(isSelfSigned(root).ok).to.equal(true);
    // A certificate with one signature byte flipped is another instance and fails.
    const bad = Buffer.from(root.raw);
    bad[bad.length - 5] ^= 1;
    const r = isSelfSigned(new Certificate(bad));
    expect(r.ok).to.equal(false);
    expect(r.error).to.be.a('string');
  });

  it('the chain memo returns a chain only for byte-equal encodings, and stays bounded', async () => {
    const anchor = await makeAnchor(CHAIN_KEYS[1]);
    const chain = await freshChain(anchor);
    const cache = new VerificationCache({ maxChains: 2 });
    const enc = encodeCbor(chain.map((c) => c.raw));
    const parsed = chain.map((c) => cache.certificate(c.raw, parseCertificate));
    cache.rememberChain(enc, parsed);
    expect(cache.chainFor(Buffer.from(enc))).to.deep.equal(parsed);
    const other = Buffer.from(enc);
    other[10] ^= 1; // same length and tail: same short key, different bytes
    expect(cache.chainFor(other)).to.equal(undefined);
    for (let i = 0; i < 5; i++) cache.rememberChain(encodeCbor([new Uint8Array(i + 1)]), parsed.slice(0, 1));
    expect(cache.stats().chains).to.equal(2);
    expect(cache.chainFor(enc)).to.equal(undefined);
  });

  it('one Verifier: repeated signatures give independent outcomes with the same verdicts', async () => {
    const anchor = await makeAnchor(CHAIN_KEYS[1]);
    const chain = await freshChain(anchor);
    const v = newVerifier(anchor);
    for (const fmt of ['cose', 'jws'] as const) {
      const fx = await makeFixture(anchor, chain, MEDIA_TYPES[fmt], 1);
      const a = await v.verify(fx.descriptor, fx.envelope, { artifactReference: REFERENCE, signatureMediaType: fx.mediaType });
      expect(a.error).to.equal(undefined);
      a.statement!.trustedIdentities!.push('x509.subject:CN=mallory');
      a.verificationLevel.enforcement.integrity = 'skip';
      const b = await v.verify(fx.descriptor, fx.envelope, { artifactReference: REFERENCE, signatureMediaType: fx.mediaType });
      expect(b.error).to.equal(undefined);
      expect(b.statement!.trustedIdentities).to.deep.equal([`x509.subject:${LEAF_SUBJECT}`]);
      expect(b.verificationLevel.enforcement.integrity).to.equal('enforce');
      expect(b.envelopeContent!.signerInfo.certificateChain.map((c) => c.fingerprint256)).to.deep.equal(chain.map((c) => c.fingerprint256));
      // A tampered copy of the same envelope (same x5chain bytes) still fails integrity.
      const bad = Buffer.from(fx.envelope);
      bad[bad.length - 3] ^= 1;
      const c = await v.verify(fx.descriptor, bad, { artifactReference: REFERENCE, signatureMediaType: fx.mediaType });
      expect(c.error?.name).to.match(/Integrity|Envelope/);
    }
  });

  it('one Verifier: a chain remembered as parsed is still judged at each verification time', async () => {
    const anchor = await makeAnchor(CHAIN_KEYS[1]);
    const chain = await freshChain(anchor);
    const fx = await makeFixture(anchor, chain, MEDIA_TYPES.cose, 2);
    let now = new Date();
    const v = new (newVerifier(anchor).constructor as typeof import('../src/verifier/verifier.js').Verifier)({ ociTrustPolicy: anchor.policy, trustStore: anchor.trustStore, now: () => now });
    const ok = await v.verify(fx.descriptor, fx.envelope, { artifactReference: REFERENCE, signatureMediaType: fx.mediaType });
    expect(ok.error).to.equal(undefined);
    now = new Date(chain[0].notAfter.getTime() + 1000);
    const late = await v.verify(fx.descriptor, fx.envelope, { artifactReference: REFERENCE, signatureMediaType: fx.mediaType });
    expect(late.error?.message).to.match(/expired|validity period/);
  });
});

describe('perf fast paths: certificate URL extensions', () => {
  // The full parser's answers, as Certificate.ocspUrls / crlUrls compute them without a fast path.
  const fullAia = (v: Uint8Array, method: string) =>
    Array.from(AsnConvert.parse(v, asnX509.AuthorityInfoAccessSyntax))
      .filter((a) => a.accessMethod === method && a.accessLocation.uniformResourceIdentifier)
      .map((a) => a.accessLocation.uniformResourceIdentifier!);
  const fullCdp = (v: Uint8Array) => {
    const out: string[] = [];
    for (const dp of Array.from(AsnConvert.parse(v, asnX509.CRLDistributionPoints))) {
      for (const gn of dp.distributionPoint?.fullName ?? []) if (gn.uniformResourceIdentifier) out.push(gn.uniformResourceIdentifier);
    }
    return out;
  };
  const OCSP = '1.3.6.1.5.5.7.48.1';
  const uri = fc.oneof(fc.webUrl(), fc.string({ unit: 'binary-ascii', maxLength: 40 }));
  const gn = fc.oneof(
    uri.map((u) => new asnX509.GeneralName({ uniformResourceIdentifier: u })),
    fc.constant(new asnX509.GeneralName({ dNSName: 'ocsp.example' })),
    fc.constant(new asnX509.GeneralName({ rfc822Name: 'a@b.example' })),
  );
  const method = fc.constantFrom(OCSP, '1.3.6.1.5.5.7.48.2', '1.2.3.4');
  const aia = fc.array(fc.tuple(method, gn), { maxLength: 4 }).map(
    (ads) => new Uint8Array(AsnConvert.serialize(new asnX509.AuthorityInfoAccessSyntax(ads.map(([m, g]) => new asnX509.AccessDescription({ accessMethod: m, accessLocation: g }))))),
  );
  const dp = fc.record({
    names: fc.array(gn, { maxLength: 3 }),
    withReasons: fc.boolean(),
    withIssuer: fc.boolean(),
  }).map(({ names, withReasons, withIssuer }) => {
    const p = new asnX509.DistributionPoint({ distributionPoint: new asnX509.DistributionPointName({ fullName: names }) });
    if (withReasons) p.reasons = new asnX509.Reason(asnX509.ReasonFlags.keyCompromise);
    if (withIssuer) p.cRLIssuer = [new asnX509.GeneralName({ dNSName: 'ca.example' })];
    return p;
  });
  const cdp = fc.array(dp, { maxLength: 3 }).map((dps) => new Uint8Array(AsnConvert.serialize(new asnX509.CRLDistributionPoints(dps))));
  // Flip, drop or append a byte: the fast path must then agree or step aside.
  const mutated = (gen: fc.Arbitrary<Uint8Array>) =>
    fc.tuple(gen, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'drop', 'append', 'none')).map(([v, i, b, how]) => {
      const out = Buffer.from(v);
      if (how === 'none' || out.length === 0) return new Uint8Array(out);
      const k = i % out.length;
      if (how === 'flip') out[k] ^= b || 1;
      if (how === 'drop') return new Uint8Array(Buffer.concat([out.subarray(0, k), out.subarray(k + 1)]));
      if (how === 'append') return new Uint8Array(Buffer.concat([out, Buffer.from([b])]));
      return new Uint8Array(out);
    });
  const agrees = (fast: string[] | undefined, full: () => string[]) => {
    if (fast === undefined) return; // the full parser decides
    expect(fast).to.deep.equal(full());
  };

  it('AIA: the fast reader gives the full parser\u2019s OCSP URIs, or steps aside (property)', () => {
    let used = 0;
    fc.assert(
      fc.property(mutated(aia), (v) => {
        const fast = fastAccessUris(v, OCSP);
        if (fast) used++;
        agrees(fast, () => fullAia(v, OCSP));
      }),
      { numRuns: 2000 },
    );
    expect(used).to.be.greaterThan(100);
  });

  it('CDP: the fast reader gives the full parser\u2019s URIs, or steps aside (property)', () => {
    let used = 0;
    fc.assert(
      fc.property(mutated(cdp), (v) => {
        const fast = fastDistributionPointUris(v);
        if (fast) used++;
        agrees(fast, () => fullCdp(v));
      }),
      { numRuns: 2000 },
    );
    expect(used).to.be.greaterThan(100);
  });

  it('reads the URLs of real certificates (OCSP and CRL test PKI)', () => {
    const aiaDer = Buffer.from(AsnConvert.serialize(new asnX509.AuthorityInfoAccessSyntax([
      new asnX509.AccessDescription({ accessMethod: OCSP, accessLocation: new asnX509.GeneralName({ uniformResourceIdentifier: 'http://127.0.0.1:8080/ocsp' }) }),
      new asnX509.AccessDescription({ accessMethod: '1.3.6.1.5.5.7.48.2', accessLocation: new asnX509.GeneralName({ uniformResourceIdentifier: 'http://127.0.0.1:8080/ca.crt' }) }),
    ])));
    expect(fastAccessUris(aiaDer, OCSP)).to.deep.equal(['http://127.0.0.1:8080/ocsp']);
    const cdpDer = Buffer.from(AsnConvert.serialize(new asnX509.CRLDistributionPoints([
      new asnX509.DistributionPoint({ distributionPoint: new asnX509.DistributionPointName({ fullName: [new asnX509.GeneralName({ uniformResourceIdentifier: 'http://127.0.0.1:8080/ca.crl' })] }) }),
    ])));
    expect(fastDistributionPointUris(cdpDer)).to.deep.equal(['http://127.0.0.1:8080/ca.crl']);
    // An unterminated OID (found by a 100,000-case run): the full parser must judge it.
    expect(fastAccessUris(Uint8Array.from([48, 9, 48, 7, 6, 3, 42, 3, 132, 134, 0]), OCSP)).to.equal(undefined);
  });
});
