import 'reflect-metadata';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as x509 from '@peculiar/x509';
import { CertificateError } from '../src/errors.js';
import { OID } from '../src/x509/certificate.js';
import { parseCertificateFileContent } from '../src/x509/filecontent.js';
import { goQuote, goTimeString, goRFC3339 } from '../src/x509/goformat.js';
import {
  keySpecOf,
  validateCodeSigningCACertificate,
  validateCodeSigningLeafCertificate,
  validateLeafKeyUsage,
  validateSigningTime,
  validateTimestampingCACertificate,
  validateTimestampingLeafCertificate,
} from '../src/x509/rules.js';
import { validateCodeSigningChain } from '../src/x509/chain.js';
import { issueCertificate, makeKey, makePki, makeSelfSigned, makeTsaPki, KEY_SPECS } from './helpers/pki.js';
import { sharedPath } from './helpers/shared.js';

const NM = sharedPath('notation-made/');

function thrown(fn: () => unknown): CertificateError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(CertificateError);
    return e as CertificateError;
  }
  expect.fail('expected a CertificateError');
}

describe('x509 Go formatting', () => {
  it('quotes like strconv.Quote', () => {
    expect(goQuote('CN=a,O=DigiCert\\, Inc.')).to.equal('"CN=a,O=DigiCert\\\\, Inc."');
    expect(goQuote('say "hi"\n\x01\x7f')).to.equal('"say \\"hi\\"\\n\\x01\\x7f"');
    expect(goQuote('Zürich 東京')).to.equal('"Zürich 東京"');
    expect(goQuote('a\u200bb')).to.equal('"a\\u200bb"');
  });
  it('prints times like time.Time.String() and RFC 3339', () => {
    expect(goTimeString(new Date('2022-06-29T00:00:00Z'))).to.equal('2022-06-29 00:00:00 +0000 UTC');
    expect(goTimeString(new Date('2022-06-29T00:00:00.120Z'))).to.equal('2022-06-29 00:00:00.12 +0000 UTC');
    expect(goRFC3339(new Date('3021-10-31T19:20:03Z'))).to.equal('3021-10-31T19:20:03Z');
  });
});

describe('x509 rules: code-signing leaf', () => {
  it('accepts a leaf of every key spec and reports its key spec', async () => {
    for (const spec of KEY_SPECS) {
      const pki = await makePki({ keySpec: spec });
      validateCodeSigningLeafCertificate(pki.leaf.cert);
      expect(keySpecOf(pki.leaf.cert)).to.deep.equal({ keySpec: spec });
    }
  });

  it('refuses each broken leaf profile with its code', async () => {
    const cases = [
      ['serverAuth', 'LEAF_EXT_KEY_USAGE', ': extended key usage must not contain ServerAuth eku'],
      ['caLeaf', 'LEAF_BASIC_CONSTRAINTS', ': if the basic constraints extension is present, the ca field must be set to false'],
      ['keyEncipherment', 'LEAF_KEY_USAGE', 'The key usage must be "Digital Signature" only, but found "KeyEncipherment"'],
      ['kuNotCritical', 'LEAF_KEY_USAGE', ': key usage extension must be marked critical'],
      ['noKeyUsage', 'LEAF_KEY_USAGE', ': key usage extension must be present'],
      ['rsa1024', 'LEAF_KEY_SPEC', ': rsa key size 1024 bits is not supported'],
    ] as const;
    for (const [bad, code, text] of cases) {
      const pki = await makePki({ bad, name: `bad-${bad}` });
      const e = thrown(() => validateCodeSigningLeafCertificate(pki.leaf.cert));
      expect(e.code, bad).to.equal(code);
      expect(e.message, bad).to.include(text);
      expect(e.message).to.include(`"${pki.leaf.cert.subject}"`);
    }
  });

  it('accepts a leaf without EKU and one with codeSigning plus an unknown EKU', async () => {
    const noEku = await makePki({ leaf: { eku: null } });
    validateCodeSigningLeafCertificate(noEku.leaf.cert);
    const extra = await makePki({ leaf: { eku: [OID.ekuCodeSigning, '1.3.6.1.4.1.311.10.3.13'] } });
    validateCodeSigningLeafCertificate(extra.leaf.cert);
  });

  it('refuses anyExtendedKeyUsage unless the compatibility switch allows it', async () => {
    const pki = await makePki({ leaf: { eku: [OID.ekuAny] }, name: 'any-eku' });
    const e = thrown(() => validateCodeSigningLeafCertificate(pki.leaf.cert));
    expect(e.message).to.equal(`certificate with subject "${pki.leaf.cert.subject}": extended key usage must not contain Any eku`);
    validateCodeSigningLeafCertificate(pki.leaf.cert, { allowAnyExtendedKeyUsage: true });
  });

  it('names the first forbidden EKU in certificate order', async () => {
    const pki = await makePki({ leaf: { eku: [OID.ekuCodeSigning, OID.ekuOCSPSigning, OID.ekuClientAuth] }, name: 'eku-order' });
    expect(thrown(() => validateCodeSigningLeafCertificate(pki.leaf.cert)).message).to.match(/must not contain OCSPSigning eku$/);
  });

  it('ignores unknown critical extensions', async () => {
    const ext = new x509.Extension('1.3.6.1.4.1.55555.1', true, new Uint8Array([0x05, 0x00]));
    const pki = await makePki({ leaf: { extensions: [ext] }, intermediate: { extensions: [ext] }, name: 'unknown-critical' });
    validateCodeSigningChain(pki.chain, new Date());
  });

  it('lists every forbidden key usage in Go order', () => {
    const all = (1 << 9) - 1;
    const e = thrown(() => validateLeafKeyUsage({ subject: 'CN=Test CN', keyUsage: { critical: true, bits: all } }));
    expect(e.code).to.equal('LEAF_KEY_USAGE');
    expect(e.message).to.equal(
      'the certificate with subject "CN=Test CN" is invalid. The key usage must be "Digital Signature" only, but found "KeyEncipherment", "DataEncipherment", "KeyAgreement", "CertSign", "CRLSign", "EncipherOnly", "DecipherOnly"',
    );
    // contentCommitment (nonRepudiation) is allowed next to digitalSignature.
    validateLeafKeyUsage({ subject: 'CN=Test CN', keyUsage: { critical: true, bits: 0b11 } });
    expect(thrown(() => validateLeafKeyUsage({ subject: 'CN=x', keyUsage: undefined })).message).to.include('"Digital Signature" set');
  });
});

describe('x509 rules: CA certificates', () => {
  it('checks basicConstraints, pathLen and keyCertSign', async () => {
    const pki = await makePki({ name: 'ca-rules' });
    validateCodeSigningCACertificate(pki.intermediate.cert, 0);
    expect(thrown(() => validateCodeSigningCACertificate(pki.intermediate.cert, 1)).code).to.equal('CA_PATH_LENGTH');
    // No pathLen: any depth.
    validateCodeSigningCACertificate(pki.root.cert, 7);
    expect(thrown(() => validateCodeSigningCACertificate(pki.leaf.cert, 0)).code).to.equal('CA_BASIC_CONSTRAINTS');

    const key = await makeKey('EC-256', 'ca-rules');
    const noCertSign = await issueCertificate(key, undefined, 'ca', { keyUsage: x509.KeyUsageFlags.cRLSign });
    const e = thrown(() => validateCodeSigningCACertificate(noCertSign.cert, 0));
    expect(e.code).to.equal('CA_KEY_USAGE');
    expect(e.message).to.match(/key usage must have the bit positions for key cert sign set$/);
  });

  it('requires a critical key usage for code-signing CAs but not for TSA CAs', async () => {
    const key = await makeKey('EC-256', 'ca-rules');
    const ca = await issueCertificate(key, undefined, 'ca', { keyUsageCritical: false });
    expect(thrown(() => validateCodeSigningCACertificate(ca.cert, 0)).message).to.match(/key usage extension must be marked critical$/);
    validateTimestampingCACertificate(ca.cert, 0);
  });

  it('does not require basicConstraints to be critical (notation-go behaviour)', async () => {
    const pki = await makePki({ intermediate: { basicConstraintsCritical: false }, name: 'bc-noncritical' });
    validateCodeSigningChain(pki.chain, new Date());
  });
});

describe('x509 rules: timestamping leaf', () => {
  it('accepts a TSA leaf with a critical timeStamping-only EKU', async () => {
    const tsa = await makeTsaPki();
    validateTimestampingLeafCertificate(tsa.leaf.cert);
  });

  it('refuses a non-critical, missing or multi-valued EKU', async () => {
    for (const leaf of [{ ekuCritical: false }, { eku: null }, { eku: [OID.ekuTimeStamping, OID.ekuCodeSigning] }]) {
      const tsa = await makeTsaPki({ leaf });
      const e = thrown(() => validateTimestampingLeafCertificate(tsa.leaf.cert));
      expect(e.code).to.equal('TSA_LEAF_EXT_KEY_USAGE');
      expect(e.message).to.match(/^timestamp signing certificate with subject ".*" must have (and only have Timestamping as extended key usage|extended key usage extension marked as critical)$/);
    }
  });

  it('accepts a non-critical key usage on a TSA leaf (presence only)', async () => {
    const tsa = await makeTsaPki({ leaf: { keyUsageCritical: false } });
    validateTimestampingLeafCertificate(tsa.leaf.cert);
    const none = await makeTsaPki({ leaf: { keyUsage: null } });
    expect(thrown(() => validateTimestampingLeafCertificate(none.leaf.cert)).code).to.equal('TSA_LEAF_KEY_USAGE');
  });
});

describe('x509 rules: signing time', () => {
  it('is inclusive at both ends and prints Go times', async () => {
    const notBefore = new Date('2030-01-01T00:00:00Z');
    const notAfter = new Date('2031-01-01T00:00:00Z');
    const c = (await makeSelfSigned('EC-256', { notBefore, notAfter })).cert;
    validateSigningTime(c, notBefore);
    validateSigningTime(c, notAfter);
    validateSigningTime(c, undefined);
    const e = thrown(() => validateSigningTime(c, new Date(notAfter.getTime() + 1000)));
    expect(e.code).to.equal('CERT_NOT_VALID_AT_SIGNING_TIME');
    expect(e.message).to.equal(
      `certificate with subject "${c.subject}" was invalid at signing time of 2031-01-01 00:00:01 +0000 UTC. Certificate is valid from [2030-01-01 00:00:00 +0000 UTC] to [2031-01-01 00:00:00 +0000 UTC]`,
    );
  });
});

describe('x509 rules: notation sign-time probes (notation-made)', () => {
  const doc = JSON.parse(readFileSync(NM + 'cases.json', 'utf8'));
  for (const probe of doc.signTimeProbes as { id: string; certChain: string; jws: { outcome: string; stderr: string } }[]) {
    it(`${probe.id}: same verdict and text as notation`, () => {
      const chain = parseCertificateFileContent(readFileSync(NM + probe.certChain));
      const at = /signing time of (\S+ \S+)/.exec(probe.jws.stderr);
      const signingTime = at ? new Date(`${at[1]}Z`) : new Date('2026-11-22T06:10:00Z');
      if (probe.jws.outcome === 'signed') {
        validateCodeSigningChain(chain, signingTime);
        return;
      }
      const want = probe.jws.stderr.replace(/^Error: (certificate-chain is invalid, )?/, '');
      const e = thrown(() => validateCodeSigningChain(chain, signingTime));
      // notation reports the RSA-1024 key from its signer before the chain check: the chain message ends with it.
      if (probe.jws.stderr.startsWith('Error: certificate-chain is invalid, ')) expect(e.message).to.equal(want);
      else expect(e.message.endsWith(want), e.message).to.equal(true);
    });
  }
});
