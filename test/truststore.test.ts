import 'reflect-metadata';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateError, TrustStoreError } from '../src/errors.js';
import {
  MAX_TRUST_STORE_FILES,
  MemoryTrustStore,
  X509TrustStore,
  readCertificateFile,
  validateTrustStoreCertificates,
  type TrustStoreType,
} from '../src/truststore/index.js';
import { makePki, makeSelfSigned, makeTsaPki, type Pki } from './helpers/pki.js';
import { sharedPath } from './helpers/shared.js';

const NM = sharedPath('notation-made/');
const CONF = sharedPath('conformance/');

function storeError(fn: () => unknown): TrustStoreError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(TrustStoreError);
    return e as TrustStoreError;
  }
  expect.fail('expected a TrustStoreError');
}

describe('X509TrustStore (file system)', () => {
  let cfg: string;
  let pki: Pki;
  const dir = (type: TrustStoreType, name: string) => join(cfg, 'truststore', 'x509', type, name);
  const put = (type: TrustStoreType, name: string, file: string, data: string | Uint8Array) => {
    mkdirSync(dir(type, name), { recursive: true });
    writeFileSync(join(dir(type, name), file), data);
  };

  before(async () => {
    pki = await makePki({ name: 'store' });
  });
  beforeEach(() => {
    cfg = mkdtempSync(join(tmpdir(), 'ntx-store-'));
  });
  afterEach(() => rmSync(cfg, { recursive: true, force: true }));

  it('loads PEM and DER files of CA and self-signed certificates, in name order', async () => {
    const ss = await makeSelfSigned();
    put('ca', 'mixed', 'b-root.der', pki.root.der);
    put('ca', 'mixed', 'a-inter.pem', pki.intermediate.certPem + ss.certPem);
    const certs = new X509TrustStore(cfg).getCertificates('ca', 'mixed');
    expect(certs.map((c) => c.subject)).to.deep.equal([pki.intermediate.subject, ss.subject, pki.root.subject]);
  });

  it('loads every store notation-made ships', () => {
    const store = new X509TrustStore(NM);
    for (const type of ['ca', 'signingAuthority', 'tsa'] as const) {
      for (const name of readdirSync(join(NM, 'truststore/x509', type))) expect(store.getCertificates(type, name)).to.not.be.empty;
    }
  });

  it('reports a missing store, a bad name and a bad type with notation-go texts', () => {
    const store = new X509TrustStore(cfg);
    let e = storeError(() => store.getCertificates('ca', 'nope'));
    expect(e.code).to.equal('TRUST_STORE_NOT_FOUND');
    expect(e.message).to.equal('the trust store "nope" of type "ca" does not exist');
    for (const bad of ['a/b', '..', '.', '', 'x y']) {
      e = storeError(() => store.getCertificates('ca', bad));
      expect(e.code).to.equal('TRUST_STORE_INVALID_NAME');
    }
    expect(storeError(() => store.getCertificates('ca', 'a/b')).message).to.equal('trust store name needs to follow [a-zA-Z0-9_.-]+ format, a/b is invalid');
    e = storeError(() => store.getCertificates('x509' as TrustStoreType, 'a'));
    expect(e.message).to.equal('unsupported trust store type: x509');
  });

  it('refuses a symlinked or non-directory store, and subdirectories or symlinks inside', () => {
    put('ca', 'real', 'root.pem', pki.root.certPem);
    symlinkSync(dir('ca', 'real'), dir('ca', 'link'));
    const store = new X509TrustStore(cfg);
    let e = storeError(() => store.getCertificates('ca', 'link'));
    expect(e.code).to.equal('TRUST_STORE_NOT_DIRECTORY');
    expect(e.message).to.equal(`the trust store link of type ca with path ${dir('ca', 'link')} is not a regular directory (symlinks are not supported)`);
    writeFileSync(dir('ca', 'file'), 'x');
    expect(storeError(() => store.getCertificates('ca', 'file')).code).to.equal('TRUST_STORE_NOT_DIRECTORY');

    put('ca', 'withdir', 'root.pem', pki.root.certPem);
    mkdirSync(join(dir('ca', 'withdir'), 'sub'));
    e = storeError(() => store.getCertificates('ca', 'withdir'));
    expect(e.message).to.equal('trusted certificate sub in trust store withdir of type ca is not a regular file (directories or symlinks are not supported)');
    put('ca', 'withlink', 'root.pem', pki.root.certPem);
    symlinkSync(join(dir('ca', 'withlink'), 'root.pem'), join(dir('ca', 'withlink'), 'alias.pem'));
    expect(storeError(() => store.getCertificates('ca', 'withlink')).code).to.equal('TRUST_STORE_ENTRY_NOT_REGULAR_FILE');
  });

  it('refuses an empty store, a non-certificate file and a leaf certificate', () => {
    mkdirSync(dir('ca', 'empty'), { recursive: true });
    const store = new X509TrustStore(cfg);
    let e = storeError(() => store.getCertificates('ca', 'empty'));
    expect(e.code).to.equal('TRUST_STORE_EMPTY');
    expect(e.message).to.equal('no x509 certificates were found in trust store "empty" of type "ca"');

    put('ca', 'junk', 'notes.txt', 'remember the milk');
    e = storeError(() => store.getCertificates('ca', 'junk'));
    expect(e.message).to.equal('failed to read the trusted certificate notes.txt in trust store junk of type ca');
    expect((e.cause as Error).message).to.equal('x509: malformed certificate');

    put('ca', 'emptyfile', 'zero.pem', '');
    expect(storeError(() => store.getCertificates('ca', 'emptyfile')).message).to.equal(
      'failed to validate the trusted certificate zero.pem in trust store emptyfile of type ca',
    );

    put('ca', 'leaf', 'leaf.pem', pki.leaf.certPem);
    e = storeError(() => store.getCertificates('ca', 'leaf'));
    expect(e.code).to.equal('TRUST_STORE_CERT_INVALID');
    expect(e.message).to.equal('failed to validate the trusted certificate leaf.pem in trust store leaf of type ca');
    expect((e.cause as Error).message).to.equal(`certificate with subject "${pki.leaf.subject}" is not a CA certificate or self-signed signing certificate`);
  });

  it('holds only self-signed root CAs in tsa stores', async () => {
    const tsa = await makeTsaPki();
    put('tsa', 'good', 'root.pem', tsa.root.certPem);
    const store = new X509TrustStore(cfg);
    expect(store.getCertificates('tsa', 'good')).to.have.length(1);

    put('tsa', 'inter', 'inter.pem', pki.intermediate.certPem);
    expect(storeError(() => store.getCertificates('tsa', 'inter')).message).to.equal(
      `trusted certificate inter.pem in trust store inter of type tsa is invalid: certificate with subject "${pki.intermediate.subject}" is not a root CA certificate: x509: ECDSA verification failure`,
    );
    const ss = await makeSelfSigned();
    put('tsa', 'ssleaf', 'ss.pem', ss.certPem);
    expect(storeError(() => store.getCertificates('tsa', 'ssleaf')).message).to.match(
      /is not a root CA certificate: x509: invalid signature: parent certificate cannot sign this kind of certificate$/,
    );
  });

  it('caches a store until one of its files changes', async () => {
    put('ca', 'c', 'root.pem', pki.root.certPem);
    const store = new X509TrustStore(cfg);
    const first = store.getCertificates('ca', 'c');
    const again = store.getCertificates('ca', 'c');
    expect(again[0]).to.equal(first[0]); // same object: served from the cache
    again.pop();
    expect(store.getCertificates('ca', 'c')).to.have.length(1); // callers cannot mutate the cache

    const other = await makePki({ name: 'other', freshKeys: true });
    writeFileSync(join(dir('ca', 'c'), 'root.pem'), other.root.certPem);
    const future = new Date(Date.now() + 10_000);
    utimesSync(join(dir('ca', 'c'), 'root.pem'), future, future);
    expect(store.getCertificates('ca', 'c')[0].fingerprint256).to.equal(other.root.cert.fingerprint256);

    writeFileSync(join(dir('ca', 'c'), 'second.pem'), pki.root.certPem);
    expect(store.getCertificates('ca', 'c')).to.have.length(2);
  });

  it('bounds the number of files and their size', () => {
    mkdirSync(dir('ca', 'many'), { recursive: true });
    for (let i = 0; i <= MAX_TRUST_STORE_FILES; i++) writeFileSync(join(dir('ca', 'many'), `c${i}.pem`), pki.root.certPem);
    expect(storeError(() => new X509TrustStore(cfg).getCertificates('ca', 'many')).code).to.equal('TRUST_STORE_TOO_LARGE');
    put('ca', 'big', 'big.pem', Buffer.alloc(8 * 1024 * 1024 + 1, 0x41));
    const e = storeError(() => new X509TrustStore(cfg).getCertificates('ca', 'big'));
    expect(e.code).to.equal('TRUST_STORE_CERT_READ_FAILED');
    expect((e.cause as CertificateError).code).to.equal('CERTIFICATE_FILE_TOO_LARGE');
  });
});

describe('MemoryTrustStore', () => {
  it('applies the same rules and messages as the file-system store', async () => {
    const pki = await makePki({ name: 'mem' });
    const store = new MemoryTrustStore({
      'ca:certs': [pki.root.cert, pki.intermediate.cert],
      'ca:files': [{ name: 'root.pem', data: Buffer.from(pki.root.certPem) }],
      'ca:leaf': [pki.root.cert, pki.leaf.cert],
      'ca:leaffile': [{ name: 'leaf.crt', data: pki.leaf.der }],
      'ca:gone': null,
      'ca:empty': [],
      'tsa:inter': [pki.intermediate.cert],
    });
    expect(store.getCertificates('ca', 'certs')).to.have.length(2);
    expect(store.getCertificates('ca', 'files')[0].fingerprint256).to.equal(pki.root.cert.fingerprint256);
    expect(storeError(() => store.getCertificates('ca', 'leaf')).message).to.equal('failed to validate the trusted certificate #2 in trust store leaf of type ca');
    expect(storeError(() => store.getCertificates('ca', 'leaffile')).message).to.equal('failed to validate the trusted certificate leaf.crt in trust store leaffile of type ca');
    expect(storeError(() => store.getCertificates('ca', 'gone')).code).to.equal('TRUST_STORE_NOT_FOUND');
    expect(storeError(() => store.getCertificates('ca', 'absent')).code).to.equal('TRUST_STORE_NOT_FOUND');
    expect(storeError(() => store.getCertificates('ca', 'empty')).code).to.equal('TRUST_STORE_EMPTY');
    expect(storeError(() => store.getCertificates('tsa', 'inter')).message).to.match(/^trusted certificate #1 in trust store inter of type tsa is invalid: /);
    expect(storeError(() => store.getCertificates('signingAuthority', 'bad name')).code).to.equal('TRUST_STORE_INVALID_NAME');
  });

  it('builds from files named by their base name', () => {
    const base = CONF + 'fixtures/notation-go/verifier/testdata/truststore/x509/ca/';
    const store = MemoryTrustStore.fromFiles(
      { 'ca:bad': [base + 'trust-store-with-invalid-certs/invalid'], 'ca:good': [base + 'valid-trust-store/GlobalSign.der'] },
      (p) => readFileSync(p),
    );
    expect(store.getCertificates('ca', 'good')).to.have.length(1);
    expect(storeError(() => store.getCertificates('ca', 'bad')).message).to.equal('failed to read the trusted certificate invalid in trust store bad of type ca');
  });
});

describe('readCertificateFile and validateTrustStoreCertificates', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'ntx-read-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads certificates, gives [] for an empty file, and Go-worded I/O errors', async () => {
    const pki = await makePki({ name: 'read' });
    writeFileSync(join(tmp, 'chain.pem'), pki.chainPem);
    expect(readCertificateFile(join(tmp, 'chain.pem'))).to.have.length(3);
    writeFileSync(join(tmp, 'empty'), '');
    expect(readCertificateFile(join(tmp, 'empty'))).to.deep.equal([]);
    expect(() => readCertificateFile(join(tmp, 'missing'))).to.throw(CertificateError, `open ${join(tmp, 'missing')}: no such file or directory`);
    expect(() => readCertificateFile(tmp)).to.throw(CertificateError, `read ${tmp}: is a directory`);
  });

  it('does not hang on a FIFO', () => {
    const fifo = join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => readCertificateFile(fifo)).to.throw(CertificateError, 'not a regular file');
  });

  it('accepts CA and self-signed certificates only', async () => {
    const pki = await makePki({ name: 'anchors' });
    validateTrustStoreCertificates([pki.root.cert, pki.intermediate.cert, (await makeSelfSigned()).cert]);
    expect(storeError(() => validateTrustStoreCertificates([])).message).to.equal('input certs cannot be empty');
    expect(storeError(() => validateTrustStoreCertificates([pki.leaf.cert])).code).to.equal('TRUST_STORE_CERT_INVALID');
  });
});
