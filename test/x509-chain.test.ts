import 'reflect-metadata';
import { expect } from 'chai';
import * as x509 from '@peculiar/x509';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { CertificateError } from '../src/errors.js';
import { Certificate } from '../src/x509/certificate.js';
import { isRootCertificate, isSelfSigned, validateCodeSigningChain, validateTimestampingChain, MAX_CHAIN_LENGTH } from '../src/x509/chain.js';
import { checkSignature, checkSignatureFrom, certificateVersion } from '../src/x509/signature.js';
import { issueCertificate, makeKey, makePki, makeSelfSigned, makeTsaPki, type PkiCert } from './helpers/pki.js';

function thrown(fn: () => unknown): CertificateError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(CertificateError);
    return e as CertificateError;
  }
  expect.fail('expected a CertificateError');
}

const now = () => new Date();

describe('x509 chain: code signing', () => {
  it('accepts leaf -> intermediate -> root for EC and RSA CAs, and leaf -> root', async () => {
    for (const caKeySpec of ['EC-384', 'RSA-2048'] as const) {
      const pki = await makePki({ caKeySpec, keySpec: 'RSA-3072', name: `ok-${caKeySpec}` });
      validateCodeSigningChain(pki.chain, now());
      validateCodeSigningChain(pki.chain); // no signing time: validity not checked
    }
    const pki = await makePki({ name: 'two' });
    const leaf = await issueCertificate(await makeKey('EC-256', 'leaf'), pki.root, 'leaf');
    validateCodeSigningChain([leaf.cert, pki.root.cert], now());
  });

  it('accepts a one-certificate self-signed leaf and judges it by leaf rules', async () => {
    const ss = await makeSelfSigned('RSA-2048');
    validateCodeSigningChain([ss.cert], now());
    const bad = await makeSelfSigned('EC-256', { eku: ['1.3.6.1.5.5.7.3.1'] });
    const e = thrown(() => validateCodeSigningChain([bad.cert], now()));
    expect(e.code).to.equal('LEAF_EXT_KEY_USAGE');
    expect(e.message).to.equal(`invalid self-signed certificate. Error: certificate with subject "${bad.cert.subject}": extended key usage must not contain ServerAuth eku`);
  });

  it('checks every certificate against the signing time', async () => {
    const t = new Date(Date.now() - 5 * 86_400_000);
    const pki = await makePki({ leaf: { notBefore: new Date(Date.now() - 10 * 86_400_000) }, intermediate: { notBefore: new Date(Date.now() - 86_400_000) }, name: 'time' });
    const e = thrown(() => validateCodeSigningChain(pki.chain, t));
    expect(e.code).to.equal('CERT_NOT_VALID_AT_SIGNING_TIME');
    expect(e.message).to.include(`"${pki.intermediate.cert.subject}" was invalid at signing time of`);
  });

  it('refuses empty and overlong chains', async () => {
    expect(thrown(() => validateCodeSigningChain([])).message).to.equal('certificate chain must contain at least one certificate');
    const pki = await makePki();
    expect(thrown(() => validateCodeSigningChain(new Array(MAX_CHAIN_LENGTH + 1).fill(pki.leaf.cert))).code).to.equal('CHAIN_TOO_LONG');
  });

  it('reports wrong order, missing links and a bad root with notation-core-go texts', async () => {
    const pki = await makePki({ name: 'shape' });
    const [leaf, inter, root] = pki.chain;
    const s = (c: Certificate) => `"${c.subject}"`;

    let e = thrown(() => validateCodeSigningChain([leaf, root], now()));
    expect(e.code).to.equal('CHAIN_NOT_ISSUED_BY');
    expect(e.message).to.equal(`invalid certificates or certificate with subject ${s(leaf)} is not issued by ${s(root)}. Error: x509: ECDSA verification failure`);

    e = thrown(() => validateCodeSigningChain([leaf, inter], now()));
    expect(e.code).to.equal('CHAIN_INVALID_ROOT');
    expect(e.message).to.match(/^root certificate with subject ".*Intermediate CA.*" is invalid or not self-signed\. Certificate chain must end with a valid self-signed root certificate\. Error: x509: ECDSA verification failure$/);

    e = thrown(() => validateCodeSigningChain([leaf], now()));
    expect(e.code).to.equal('CHAIN_INVALID_SELF_SIGNED');
    expect(e.message).to.equal(`invalid self-signed certificate. subject: ${s(leaf)}. Error: x509: ECDSA verification failure`);

    e = thrown(() => validateCodeSigningChain([root, root], now()));
    expect(e.code).to.equal('CHAIN_SELF_SIGNED_LEAF');
    e = thrown(() => validateCodeSigningChain([leaf, inter, root, root], now()));
    expect(e.code).to.equal('CHAIN_SELF_SIGNED_INTERMEDIATE');
    expect(e.message).to.equal(`intermediate certificate with subject ${s(root)} is self-signed. Certificate chain must not contain self-signed intermediate certificate`);
  });

  it('enforces pathLen against the number of CAs below', async () => {
    const pki = await makePki({ name: 'pathlen' });
    const inter2 = await issueCertificate(await makeKey('EC-256', 'inter2'), pki.intermediate, 'ca', { subject: 'CN=inter2' });
    const leaf = await issueCertificate(await makeKey('EC-256', 'leaf'), inter2, 'leaf');
    const e = thrown(() => validateCodeSigningChain([leaf.cert, inter2.cert, pki.intermediate.cert, pki.root.cert], now()));
    expect(e.code).to.equal('CA_PATH_LENGTH');
    expect(e.message).to.equal(`certificate with subject "${pki.intermediate.cert.subject}": expected path length of 1 but certificate has path length 0 instead`);
  });

  it('refuses an issuer that is not a CA (Go constraint violation)', async () => {
    const pki = await makePki({ name: 'notca' });
    const under = await issueCertificate(await makeKey('EC-256', 'under'), pki.leaf, 'leaf', { subject: 'CN=under' });
    const e = thrown(() => validateCodeSigningChain([under.cert, ...pki.chain], now()));
    expect(e.message).to.match(/Error: x509: invalid signature: parent certificate cannot sign this kind of certificate$/);
  });

  it('refuses SHA-1 signed certificates', async () => {
    const pki = await makePki({ leaf: { signatureHash: 'SHA-1' }, name: 'sha1' });
    const e = thrown(() => validateCodeSigningChain(pki.chain, now()));
    expect(e.message).to.match(/Error: x509: cannot verify signature: insecure algorithm ECDSA-SHA1$/);
  });

  it('ignores name constraints that would exclude the leaf', async () => {
    // NameConstraints permitting only dNSName x.test, marked critical.
    const nc = new x509.Extension('2.5.29.30', true, Buffer.from('300ca00a30088206782e74657374', 'hex'));
    const pki = await makePki({ intermediate: { extensions: [nc], pathLen: 0 }, name: 'nc' });
    validateCodeSigningChain(pki.chain, now());
  });

  it('keeps each validator\'s wording for a one-certificate chain whose issuer name differs', async () => {
    const key = await makeKey('EC-256', 'renamed');
    const fakeIssuer = { ...key, name: 'CN=Someone Else' } as unknown as PkiCert;
    const cert = (await issueCertificate(key, fakeIssuer, 'leaf', { subject: 'CN=Me' })).cert;
    expect(thrown(() => validateCodeSigningChain([cert])).message).to.equal(
      'invalid self-signed certificate. subject: "CN=Me". Error: issuer(CN=Someone Else) and subject(CN=Me) are not the same',
    );
    const tsaCert = (await issueCertificate(key, fakeIssuer, 'tsa', { subject: 'CN=Me' })).cert;
    expect(thrown(() => validateTimestampingChain([tsaCert])).message).to.equal(
      'invalid self-signed certificate. subject: "CN=Me". Error: issuer (CN=Someone Else) and subject (CN=Me) are not the same',
    );
  });
});

describe('x509 chain: timestamping', () => {
  it('accepts a TSA chain, with and without a time', async () => {
    const tsa = await makeTsaPki();
    validateTimestampingChain(tsa.chain);
    validateTimestampingChain(tsa.chain, now());
  });

  it('checks validity at the given time with Go x509 wording', async () => {
    const tsa = await makeTsaPki();
    const e = thrown(() => validateTimestampingChain(tsa.chain, new Date(Date.now() + 4000 * 86_400_000)));
    expect(e.code).to.equal('CERT_EXPIRED_OR_NOT_YET_VALID');
    expect(e.message).to.match(/x509: certificate has expired or is not yet valid: current time \S+Z is after \S+Z$/);
  });

  it('refuses a code-signing leaf as TSA leaf', async () => {
    const pki = await makePki({ name: 'cs-as-tsa' });
    expect(thrown(() => validateTimestampingChain(pki.chain)).code).to.equal('TSA_LEAF_EXT_KEY_USAGE');
  });
});

describe('x509 signature checks', () => {
  it('isSelfSigned and isRootCertificate follow Go CheckSignatureFrom', async () => {
    const pki = await makePki({ name: 'roots' });
    expect(isSelfSigned(pki.root.cert)).to.deep.equal({ ok: true });
    expect(isSelfSigned(pki.leaf.cert).ok).to.equal(false);
    expect(isRootCertificate(pki.root.cert)).to.equal(true);
    const ss = await makeSelfSigned();
    // A self-signed leaf (cA=false) cannot be its own parent in Go.
    const e = thrown(() => isRootCertificate(ss.cert));
    expect(e.code).to.equal('CERT_SIGNATURE_INVALID');
    expect(e.message).to.equal('x509: invalid signature: parent certificate cannot sign this kind of certificate');
    expect(checkSignature(ss.cert, ss.cert)).to.equal(undefined);
    expect(certificateVersion(ss.cert)).to.equal(3);
  });

  it('reports a key type mismatch as Go does', async () => {
    const rsa = await makePki({ caKeySpec: 'RSA-2048', name: 'rsa-ca' });
    const ec = await makePki({ name: 'ec-ca' });
    expect(checkSignatureFrom(rsa.intermediate.cert, ec.root.cert)).to.equal(
      'x509: signature algorithm specifies an RSA public key, but have public key of type *ecdsa.PublicKey',
    );
    expect(checkSignatureFrom(rsa.intermediate.cert, rsa.root.cert)).to.equal(undefined);
  });

  it('verifies RSA-PSS signatures with salt = hash length only', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const alg = { name: 'RSA-PSS', hash: 'SHA-256' };
    type Params = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0];
    const keys = {
      privateKey: await webcrypto.subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), alg, false, ['sign']),
      publicKey: await webcrypto.subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), alg, true, ['verify']),
    } as unknown as Params['keys'];
    const make = async (saltLength: number) => {
      const made = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: '01',
        name: 'CN=pss',
        notBefore: new Date(Date.now() - 1000),
        notAfter: new Date(Date.now() + 86_400_000),
        keys,
        signingAlgorithm: { name: 'RSA-PSS', saltLength } as Params['signingAlgorithm'],
      });
      return new Certificate(new Uint8Array(made.rawData));
    };
    const good = await make(32);
    expect(good.signatureAlgorithmOid).to.equal('1.2.840.113549.1.1.10');
    expect(checkSignature(good, good)).to.equal(undefined);
    const tampered = Buffer.from(good.raw);
    tampered[tampered.length - 5] ^= 1;
    const t = new Certificate(new Uint8Array(tampered));
    expect(checkSignature(t, t)).to.equal('crypto/rsa: verification error');
    const odd = await make(20);
    expect(checkSignature(odd, odd)).to.equal('x509: cannot verify signature: algorithm unimplemented');
  });
});
