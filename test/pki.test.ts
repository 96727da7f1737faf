import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePki, makeSelfSigned, makeTsaPki, writeTrustStore, KEY_SPECS } from './helpers/pki.js';
import { KeyUsageBit, OID, parseCertificates } from '../src/x509/certificate.js';

describe('test PKI helper', function () {
  this.timeout(60_000);

  it('builds a root -> intermediate -> leaf chain with the Notary profiles', async () => {
    const pki = await makePki({ keySpec: 'EC-384', name: 'acme' });
    const [leaf, inter, root] = pki.chain;
    expect(leaf.isSignedBy(inter)).to.equal(true);
    expect(inter.isSignedBy(root)).to.equal(true);
    expect(root.isSelfSigned()).to.equal(true);
    expect(leaf.isSelfSigned()).to.equal(false);
    expect(Buffer.from(leaf.rawIssuer).equals(Buffer.from(inter.rawSubject))).to.equal(true);
    for (const ca of [inter, root]) {
      expect(ca.basicConstraints).to.include({ cA: true, critical: true });
      expect(ca.keyUsage?.critical).to.equal(true);
      expect(ca.hasKeyUsage(KeyUsageBit.keyCertSign)).to.equal(true);
      expect(ca.hasKeyUsage(KeyUsageBit.cRLSign)).to.equal(true);
    }
    expect(leaf.basicConstraints?.cA).to.equal(false);
    expect(leaf.keyUsage).to.deep.equal({ critical: true, bits: 1 << KeyUsageBit.digitalSignature });
    expect(leaf.extKeyUsage?.oids).to.deep.equal([OID.ekuCodeSigning]);
    expect(leaf.keyKind).to.deep.equal({ type: 'ec', curve: 'secp384r1', bits: 384 });
    expect(pki.leaf.subject).to.equal('CN=acme leaf,O=Notation TS Test,L=Seattle,ST=WA,C=US');
    expect(parseCertificates(Buffer.from(pki.chainPem)).map((c) => c.fingerprint256)).to.deep.equal(pki.chain.map((c) => c.fingerprint256));
    const now = Date.now();
    for (const c of pki.chain) expect(c.notBefore.getTime() < now && now < c.notAfter.getTime()).to.equal(true);
  });

  it('produces each of the six key specs', async () => {
    for (const ks of KEY_SPECS) {
      const pki = await makePki({ keySpec: ks });
      const kind = pki.leaf.cert.keyKind;
      const expected = ks.startsWith('RSA') ? { type: 'rsa', bits: Number(ks.slice(4)) } : { type: 'ec', bits: Number(ks.slice(3)) };
      expect(kind).to.include(expected);
      expect(pki.leaf.key.asymmetricKeyType).to.equal(expected.type);
    }
  });

  it('adds OCSP and CRL URLs when asked', async () => {
    const pki = await makePki({ leaf: { ocspUrls: ['http://127.0.0.1:9/ocsp'], crlUrls: ['http://127.0.0.1:9/leaf.crl'] }, intermediate: { crlUrls: ['http://127.0.0.1:9/inter.crl'] } });
    expect(pki.leaf.cert.ocspUrls).to.deep.equal(['http://127.0.0.1:9/ocsp']);
    expect(pki.leaf.cert.crlUrls).to.deep.equal(['http://127.0.0.1:9/leaf.crl']);
    expect(pki.intermediate.cert.crlUrls).to.deep.equal(['http://127.0.0.1:9/inter.crl']);
    expect(pki.root.cert.crlUrls).to.deep.equal([]);
  });

  it('makes the bad variants', async () => {
    const now = Date.now();
    const leafOf = async (bad: Parameters<typeof makePki>[0] extends infer O ? (O extends { bad?: infer B } ? B : never) : never) => (await makePki({ bad })).leaf.cert;
    expect((await leafOf('serverAuth')).extKeyUsage?.oids).to.include(OID.ekuServerAuth);
    expect((await leafOf('caLeaf')).basicConstraints?.cA).to.equal(true);
    expect((await leafOf('keyEncipherment')).hasKeyUsage(KeyUsageBit.keyEncipherment)).to.equal(true);
    expect((await leafOf('kuNotCritical')).keyUsage?.critical).to.equal(false);
    expect((await leafOf('noKeyUsage')).keyUsage).to.equal(undefined);
    expect((await leafOf('rsa1024')).keyKind).to.deep.equal({ type: 'rsa', bits: 1024 });
    expect((await leafOf('expired')).notAfter.getTime()).to.be.below(now);
    expect((await leafOf('notYetValid')).notBefore.getTime()).to.be.above(now);
  });

  it('makes self-signed leaves and TSA chains', async () => {
    const s = await makeSelfSigned('RSA-2048');
    expect(s.cert.isSelfSigned()).to.equal(true);
    expect(s.cert.basicConstraints?.cA).to.equal(false);
    const tsa = await makeTsaPki();
    expect(tsa.leaf.cert.extKeyUsage).to.deep.equal({ critical: true, oids: [OID.ekuTimeStamping] });
    expect(tsa.leaf.cert.isSignedBy(tsa.root.cert)).to.equal(true);
  });

  it('uses fresh keys when asked, so two roots of the same name differ', async () => {
    const a = await makePki();
    const b = await makePki({ freshKeys: true });
    expect(a.root.subject).to.equal(b.root.subject);
    expect(a.root.cert.spki).to.not.deep.equal(b.root.cert.spki);
    expect(a.leaf.cert.isSignedBy(b.intermediate.cert)).to.equal(false);
  });

  it('writes a trust store in notation layout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pki-'));
    try {
      const pki = await makePki();
      const store = writeTrustStore(dir, 'ca', 'acme', [pki.root, pki.intermediate.cert]);
      expect(store).to.equal(join(dir, 'truststore', 'x509', 'ca', 'acme'));
      const files = readdirSync(store).sort();
      expect(files).to.have.length(2);
      const certs = files.map((f) => parseCertificates(readFileSync(join(store, f)))[0].fingerprint256);
      expect(certs).to.have.members([pki.root.cert.fingerprint256, pki.intermediate.cert.fingerprint256]);
      expect(statSync(join(store, files[0])).mode & 0o777).to.equal(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
