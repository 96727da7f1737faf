import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { CertificateError } from '../src/errors.js';
import { Certificate, parseCertificates, toPem } from '../src/x509/certificate.js';
import { parseCertificateFileContent, pemDecode } from '../src/x509/filecontent.js';
import { validateCodeSigningChain, validateTimestampingChain } from '../src/x509/chain.js';
import { validateTrustStoreCertificates } from '../src/truststore/index.js';
import { sharedPath } from './helpers/shared.js';

const CONF = sharedPath('conformance/');
const NM = sharedPath('notation-made/');
const rootDer = parseCertificateFileContent(readFileSync(NM + 'pki/root.crt'))[0].raw;
const leafDer = parseCertificateFileContent(readFileSync(NM + 'pki/leaf-ec.crt'))[0].raw;
const tsaDer = parseCertificateFileContent(readFileSync(CONF + 'fixtures/notation-core-go/x509/testdata/timestamp_leaf.crt'))[0].raw;

describe('certificate file content (Go ReadCertificateFile semantics)', () => {
  it('reads PEM, multi-PEM, DER and concatenated DER', () => {
    expect(parseCertificateFileContent(readFileSync(CONF + 'fixtures/notation-core-go/x509/testdata/pem.crt'))).to.have.length(1);
    expect(parseCertificateFileContent(readFileSync(CONF + 'fixtures/notation-core-go/x509/testdata/multi-pem.crt'))).to.have.length(2);
    expect(parseCertificateFileContent(readFileSync(CONF + 'fixtures/notation-core-go/x509/testdata/der.der'))).to.have.length(1);
    expect(parseCertificateFileContent(readFileSync(CONF + 'fixtures/notation-core-go/x509/testdata/multi-der.der'))).to.have.length(2);
    expect(parseCertificateFileContent(Buffer.concat([rootDer, leafDer]))).to.have.length(2);
  });

  it('gives an empty list for empty input and x509: malformed certificate for junk', () => {
    expect(parseCertificateFileContent(new Uint8Array())).to.deep.equal([]);
    for (const junk of ['hello world', '\x30\x03\x02\x01', '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n']) {
      expect(() => parseCertificateFileContent(Buffer.from(junk, 'latin1'))).to.throw(CertificateError, /^x509: malformed certificate$/);
    }
  });

  it('parses every PEM block as a certificate, whatever its type (as Go does)', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n';
    expect(() => parseCertificateFileContent(Buffer.from(toPem(rootDer) + key))).to.throw(CertificateError);
    const other = toPem(rootDer).replace(/CERTIFICATE/g, 'TRUSTED CERTIFICATE');
    expect(parseCertificateFileContent(Buffer.from(other))).to.have.length(1);
  });

  it('skips text around blocks and a malformed block before a good one', () => {
    const text = `leading text\r\n${toPem(rootDer)}between\n-----BEGIN CERTIFICATE-----\nno end\n${toPem(leafDer)}trailing`;
    const certs = parseCertificateFileContent(Buffer.from(text));
    expect(certs.map((c) => c.fingerprint256)).to.deep.equal([new Certificate(rootDer).fingerprint256, new Certificate(leafDer).fingerprint256]);
  });

  it('decodes PEM like encoding/pem (CRLF, headers, END line rules)', () => {
    const pem = toPem(rootDer).replace(/\n/g, '\r\n');
    expect(pemDecode(pem)?.block.bytes).to.deep.equal(Buffer.from(rootDer));
    const withHeaders = toPem(rootDer).replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\n\n');
    expect(pemDecode(withHeaders)?.block.type).to.equal('CERTIFICATE');
    // END type must match the BEGIN type, and nothing but spaces may follow it.
    expect(pemDecode(toPem(rootDer).replace('END CERTIFICATE', 'END X509 CRL'))).to.equal(undefined);
    expect(pemDecode(toPem(rootDer).replace(/-----\n$/, '----- junk\n'))).to.equal(undefined);
  });
});

/** Every certificate yielded must survive the rules with a pass or a CertificateError. */
function judgeAll(certs: Certificate[]): void {
  for (const run of [
    () => validateCodeSigningChain(certs, new Date()),
    () => validateTimestampingChain(certs, new Date()),
    () => validateCodeSigningChain([certs[0]]),
    () => void certs[0].subject,
  ]) {
    try {
      run();
    } catch (e) {
      if (!(e instanceof CertificateError)) throw e;
    }
  }
  try {
    validateTrustStoreCertificates(certs);
  } catch (e) {
    if (!(e instanceof CertificateError) && (e as Error).name !== 'TrustStoreError') throw e;
  }
}

function onlyCertificatesOrCertificateError(parse: (b: Uint8Array) => Certificate[], bytes: Uint8Array): void {
  let certs: Certificate[];
  try {
    certs = parse(bytes);
  } catch (e) {
    expect(e, (e as Error)?.stack).to.be.instanceOf(CertificateError);
    return;
  }
  for (const c of certs) expect(c).to.be.instanceOf(Certificate);
  if (certs.length) judgeAll(certs);
}

describe('certificate parsing: property tests', () => {
  const seeds = [rootDer, leafDer, tsaDer];
  // A mutation: flip, set or delete bytes, or truncate, at random positions of a real certificate.
  const mutated = fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'xor', 'del', 'cut')), { minLength: 1, maxLength: 6 }),
    )
    .map(([seed, edits]) => {
      let b = Buffer.from(seed);
      for (const [pos, v, op] of edits) {
        const p = pos % Math.max(1, b.length);
        if (op === 'set') b[p] = v;
        else if (op === 'xor') b[p] ^= v || 1;
        else if (op === 'del') b = Buffer.concat([b.subarray(0, p), b.subarray(p + 1)]);
        else b = b.subarray(0, p);
      }
      return new Uint8Array(b);
    });

  for (const [name, parse] of [
    ['parseCertificates', (b: Uint8Array) => parseCertificates(b)],
    ['parseCertificateFileContent', parseCertificateFileContent],
  ] as const) {
    it(`${name}: random bytes yield Certificates or a CertificateError`, () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (b) => onlyCertificatesOrCertificateError(parse, b)), { numRuns: 500 });
    });

    it(`${name}: mutated certificates yield Certificates or a CertificateError, and the rules stay typed`, () => {
      fc.assert(fc.property(mutated, (b) => onlyCertificatesOrCertificateError(parse, b)), { numRuns: 1500 });
    });

    it(`${name}: mutated PEM text yields Certificates or a CertificateError`, () => {
      const pemMut = mutated.map((b) => {
        const pem = toPem(rootDer) + Buffer.from(b).toString('base64');
        return new Uint8Array(Buffer.from(pem, 'latin1'));
      });
      fc.assert(fc.property(pemMut, (b) => onlyCertificatesOrCertificateError(parse, b)), { numRuns: 300 });
    });
  }
});
