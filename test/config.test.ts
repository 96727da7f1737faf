import { expect } from 'chai';
import fc from 'fast-check';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  resolveNotationDirs,
  loadConfig,
  saveConfig,
  signatureFormatOf,
  signatureMediaTypeOf,
  isRegistryInsecure,
  loadSigningKeys,
  saveSigningKeys,
  parseSigningKeys,
  SigningKeys,
  addPluginKey,
  addLocalKey,
  setDefaultKey,
  deleteKeys,
  formatKeyList,
  generateTestCertificate,
  cleanupTestCertificate,
  writeFileAtomic,
  goMarshal,
  goEncodeIndent,
} from '../src/config/index.js';
import { ConfigError, NotationError, SigningError } from '../src/errors.js';
import { loadLocalSigner } from '../src/signer/local.js';
import { OID, parseCertificates } from '../src/x509/certificate.js';
import { makePki } from './helpers/pki.js';
import { isRoot, openUp, runAsNobody } from './helpers/unprivileged.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'ntscfg-'));
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof NotationError) return e.code;
    throw e;
  }
  return undefined;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a throw');
}

describe('config: directories', () => {
  it('follows NOTATION_* overrides, then XDG, then HOME (linux)', () => {
    expect(resolveNotationDirs({ NOTATION_CONFIG: '/c', NOTATION_CACHE: '/k', HOME: '/h' }, { platform: 'linux' })).to.deep.equal({
      configDir: '/c',
      cacheDir: '/k',
      libexecDir: '/c',
      pluginsDir: '/c/plugins',
      crlCacheDir: '/k/crl',
    });
    const x = resolveNotationDirs({ XDG_CONFIG_HOME: '/x/cfg', XDG_CACHE_HOME: '/x/cache', HOME: '/h' }, { platform: 'linux' });
    expect(x.configDir).to.equal('/x/cfg/notation');
    expect(x.cacheDir).to.equal('/x/cache/notation');
    const h = resolveNotationDirs({ HOME: '/home/u' }, { platform: 'linux' });
    expect(h.configDir).to.equal('/home/u/.config/notation');
    expect(h.cacheDir).to.equal('/home/u/.cache/notation');
    expect(h.pluginsDir).to.equal('/home/u/.config/notation/plugins');
    expect(resolveNotationDirs({ HOME: '/h', NOTATION_LIBEXEC: '/lib' }, { platform: 'linux' }).pluginsDir).to.equal('/lib/plugins');
  });

  it("falls back to .notation where Go's os.UserConfigDir fails", () => {
    // Go rejects a relative $XDG_CONFIG_HOME instead of using $HOME.
    expect(resolveNotationDirs({ XDG_CONFIG_HOME: 'rel', HOME: '/h' }, { platform: 'linux' }).configDir).to.equal('.notation');
    expect(resolveNotationDirs({}, { platform: 'linux' })).to.include({ configDir: '.notation', cacheDir: '.notation/cache' });
  });

  it('uses the macOS locations on darwin', () => {
    const d = resolveNotationDirs({ HOME: '/Users/u', XDG_CONFIG_HOME: '/ignored' }, { platform: 'darwin' });
    expect(d.configDir).to.equal('/Users/u/Library/Application Support/notation');
    expect(d.cacheDir).to.equal('/Users/u/Library/Caches/notation');
  });
});

describe('config: config.json', () => {
  let dir: string;
  beforeEach(() => (dir = tmp()));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is empty when missing; signatureFormat defaults to jws and is lowercased', () => {
    const c = loadConfig(dir);
    expect(c).to.deep.equal({ insecureRegistries: [] });
    expect(signatureFormatOf(c)).to.equal('jws');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ signatureFormat: 'COSE', insecureRegistries: ['Reg.Example:5000'] }));
    const c2 = loadConfig(dir);
    expect(signatureFormatOf(c2)).to.equal('cose');
    expect(signatureMediaTypeOf(signatureFormatOf(c2))).to.equal('application/cose');
    expect(isRegistryInsecure(c2, 'reg.example:5000')).to.equal(true);
    expect(isRegistryInsecure(c2, 'reg.example')).to.equal(false);
  });

  it("rejects an unknown signature format with notation's text", () => {
    expect(messageOf(() => signatureMediaTypeOf('xml'))).to.equal('signature format "xml" not supported\nSupported signature envelope formats are "jws" and "cose"');
    expect(codeOf(() => signatureMediaTypeOf('toString'))).to.equal('UNSUPPORTED_SIGNATURE_FORMAT');
  });

  it('refuses symlinks, malformed JSON and wrong types', () => {
    const real = join(dir, 'real.json');
    writeFileSync(real, '{}');
    symlinkSync(real, join(dir, 'config.json'));
    expect(messageOf(() => loadConfig(dir))).to.equal(`"${join(dir, 'config.json')}" is not a regular file (symlinks are not supported)`);
    rmSync(join(dir, 'config.json'));
    writeFileSync(join(dir, 'config.json'), '{');
    expect(codeOf(() => loadConfig(dir))).to.equal('MALFORMED_CONFIG');
    writeFileSync(join(dir, 'config.json'), '{"insecureRegistries": "x"}');
    expect(codeOf(() => loadConfig(dir))).to.equal('MALFORMED_CONFIG');
    writeFileSync(join(dir, 'config.json'), '[]');
    expect(codeOf(() => loadConfig(dir))).to.equal('MALFORMED_CONFIG');
  });

  it('saves in Go formatting with mode 0600', () => {
    saveConfig(join(dir, 'sub'), { insecureRegistries: ['a<b'], credHelpers: { 'z.io': 'z', 'a.io': 'a' }, signatureFormat: 'cose' });
    const p = join(dir, 'sub', 'config.json');
    expect(readFileSync(p, 'utf8')).to.equal(
      '{\n    "insecureRegistries": [\n        "a\\u003cb"\n    ],\n    "credHelpers": {\n        "a.io": "a",\n        "z.io": "z"\n    },\n    "signatureFormat": "cose"\n}\n',
    );
    expect(statSync(p).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir, 'sub')).mode & 0o777).to.equal(0o700);
    expect(loadConfig(join(dir, 'sub'))).to.deep.equal({ insecureRegistries: ['a<b'], credHelpers: { 'z.io': 'z', 'a.io': 'a' }, signatureFormat: 'cose', credsStore: undefined });
  });
});

describe('config: Go JSON', () => {
  it('sorts map keys bytewise (integer-like keys too) and escapes like Go', () => {
    expect(goMarshal(new Map([['9', 'a'], ['10', 'b'], ['a', '<&>']]))).to.equal('{"10":"b","9":"a","a":"\\u003c\\u0026\\u003e"}');
    expect(goMarshal({ b: 1, a: undefined, c: [] })).to.equal('{"b":1,"c":[]}');
    expect(goEncodeIndent({ keys: [] })).to.equal('{\n    "keys": []\n}\n');
  });

  it('round-trips arbitrary values through JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(goMarshal(v))).to.deep.equal(JSON.parse(JSON.stringify(v)));
        expect(JSON.parse(goEncodeIndent(v))).to.deep.equal(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
});

describe('config: signingkeys.json', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => (dir = tmp()));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const valid = {
    default: 'wabbit-networks',
    keys: [
      { name: 'wabbit-networks', keyPath: '/k/w.key', certPath: '/k/w.crt' },
      { name: 'external-key', id: 'id1', pluginName: 'pluginX', pluginConfig: { key: 'value' } },
    ],
  };

  it('loads a valid file and writes it back byte-for-byte in Go formatting', () => {
    const text = goEncodeIndent(valid);
    writeFileSync(join(dir, 'signingkeys.json'), text);
    const sk = loadSigningKeys(dir);
    expect(sk.default).to.equal('wabbit-networks');
    expect(sk.keys).to.deep.equal(valid.keys);
    expect(sk.serialize()).to.equal(text);
    expect(sk.resolve().name).to.equal('wabbit-networks');
    expect(sk.resolve('external-key').pluginName).to.equal('pluginX');
  });

  it("is empty when missing, and rejects malformed files with notation-go's messages", () => {
    expect(loadSigningKeys(dir).keys).to.deep.equal([]);
    const write = (o: unknown) => writeFileSync(join(dir, 'signingkeys.json'), JSON.stringify(o));
    write({ keys: [{ name: 'a' }, { name: 'a' }] });
    expect(messageOf(() => loadSigningKeys(dir))).to.equal("malformed signingkeys.json: multiple keys with name 'a' found");
    write({ default: 'b', keys: [{ name: 'a' }] });
    expect(messageOf(() => loadSigningKeys(dir))).to.equal("malformed signingkeys.json: default key 'b' not found");
    write({ default: '', keys: [{ name: 'a' }] });
    expect(messageOf(() => loadSigningKeys(dir))).to.equal('malformed signingkeys.json: default key name cannot be empty');
    write({ keys: [{ keyPath: 'x' }] });
    expect(messageOf(() => loadSigningKeys(dir))).to.equal('malformed signingkeys.json: key name cannot be empty');
    write({ keys: [{ name: 1 }] });
    expect(codeOf(() => loadSigningKeys(dir))).to.equal('MALFORMED_SIGNING_KEYS');
    write({ keys: 'x' });
    expect(codeOf(() => loadSigningKeys(dir))).to.equal('MALFORMED_SIGNING_KEYS');
  });

  it('refuses a symlinked signingkeys.json', () => {
    writeFileSync(join(dir, 'other.json'), JSON.stringify(valid));
    symlinkSync(join(dir, 'other.json'), join(dir, 'signingkeys.json'));
    expect(codeOf(() => loadSigningKeys(dir))).to.equal('CONFIG_NOT_REGULAR_FILE');
  });

  it('manages keys like notation key add/update/delete', () => {
    expect(messageOf(() => new SigningKeys().getDefault())).to.equal('default signing key not set. Please set default signing key or specify a key name');
    addPluginKey(dir, { name: 'hsm', id: 'pkcs11:token=t', pluginName: 'pkcs11', pluginConfig: { b: '2', a: '1' } });
    addPluginKey(dir, { name: 'kms', id: 'arn', pluginName: 'aws', pluginExists: () => true, isDefault: true });
    expect(messageOf(() => addPluginKey(dir, { name: 'x', id: 'i', pluginName: 'missing' }))).to.equal('plugin missing not found');
    expect(messageOf(() => addPluginKey(dir, { name: 'hsm', id: 'i', pluginName: 'pkcs11' }))).to.equal('signing key with name "hsm" already exists');
    expect(messageOf(() => addPluginKey(dir, { name: 'y', id: '', pluginName: 'pkcs11' }))).to.equal('missing key id');
    let sk = loadSigningKeys(dir);
    expect(sk.default).to.equal('kms');
    expect(sk.serialize()).to.contain('"pluginConfig": {\n                "a": "1",\n                "b": "2"\n            }');
    setDefaultKey(dir, 'hsm');
    expect(loadSigningKeys(dir).default).to.equal('hsm');
    expect(messageOf(() => setDefaultKey(dir, 'nope'))).to.equal('signing key nope not found');
    // A failing delete saves nothing.
    const before = readFileSync(join(dir, 'signingkeys.json'), 'utf8');
    expect(messageOf(() => deleteKeys(dir, ['kms', 'nope']))).to.equal('signing key nope not found');
    expect(readFileSync(join(dir, 'signingkeys.json'), 'utf8')).to.equal(before);
    expect(deleteKeys(dir, ['hsm'])).to.deep.equal({ deleted: ['hsm'], previousDefault: 'hsm' });
    sk = loadSigningKeys(dir);
    expect(sk.default).to.equal(undefined);
    expect(sk.keys.map((k) => k.name)).to.deep.equal(['kms']);
    expect(statSync(join(dir, 'signingkeys.json')).mode & 0o777).to.equal(0o600);
  });

  it('lists keys as notation key list does', () => {
    const sk = parseSigningKeys(Buffer.from(JSON.stringify(valid)));
    expect(formatKeyList(sk)).to.equal(
      'NAME                KEY PATH   CERTIFICATE PATH   ID    PLUGIN NAME   \n' +
        '* wabbit-networks   /k/w.key   /k/w.crt' + ' '.repeat(11 + 6 + 14) + '\n' +
        'external-key                                      id1   pluginX       \n',
    );
  });

  it('adds a local key only when the key matches the leaf', async () => {
    const a = await makePki({ keySpec: 'EC-256' });
    const b = await makePki({ keySpec: 'EC-256', freshKeys: true });
    writeFileSync(join(dir, 'a.key'), a.leaf.keyPem);
    writeFileSync(join(dir, 'b.key'), b.leaf.keyPem);
    writeFileSync(join(dir, 'a.crt'), a.chainPem);
    expect(messageOf(() => addLocalKey(dir, 'k', join(dir, 'b.key'), join(dir, 'a.crt')))).to.equal('tls: private key does not match public key');
    expect(existsSync(join(dir, 'signingkeys.json'))).to.equal(false);
    addLocalKey(dir, 'k', join(dir, 'a.key'), join(dir, 'a.crt'), true);
    expect(loadSigningKeys(dir).getDefault()).to.deep.equal({ name: 'k', keyPath: join(dir, 'a.key'), certPath: join(dir, 'a.crt') });
  });

  it('property: any valid key list survives save and load', () => {
    const name = fc.string({ minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 6 }), fc.nat(), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), (names, d, cfg) => {
        const keys = names.map((n, i) => (i % 2 ? { name: n, keyPath: `/k/${i}`, certPath: `/c/${i}` } : { name: n, id: `id${i}`, pluginName: 'p', pluginConfig: Object.keys(cfg).length ? cfg : undefined }));
        const sk = new SigningKeys(
          keys.map((k) => JSON.parse(JSON.stringify(k))),
          names.length ? names[d % names.length] : undefined,
        );
        const back = parseSigningKeys(Buffer.from(sk.serialize()));
        expect(back.default).to.equal(sk.default);
        expect(back.keys).to.deep.equal(sk.keys);
      }),
      { numRuns: 200 },
    );
  });
});

describe('config: atomic writes', () => {
  let dir: string;
  beforeEach(() => (dir = tmp()));
  afterEach(() => {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to replace without overwrite and leaves no temp file', () => {
    const p = join(dir, 'f');
    writeFileAtomic(p, 'one', { overwrite: false });
    expect(() => writeFileAtomic(p, 'two', { overwrite: false })).to.throw(/EEXIST/);
    expect(readFileSync(p, 'utf8')).to.equal('one');
    writeFileAtomic(p, 'three');
    expect(readFileSync(p, 'utf8')).to.equal('three');
    expect(readdirSync(dir)).to.deep.equal(['f']);
  });

  it('fails cleanly in an unwritable directory', function () {
    mkdirSync(join(dir, 'ro'));
    chmodSync(join(dir, 'ro'), 0o555);
    if (isRoot()) {
      // Root ignores directory permissions: run the write as an unprivileged user.
      openUp(dir);
      const r = runAsNobody(
        `import { writeFileAtomic } from './src/config/fsutil.ts';\ntry { writeFileAtomic(${JSON.stringify(join(dir, 'ro', 'f'))}, 'x'); console.log('written'); } catch (e) { console.log(e.message); }`,
      );
      expect(r.stdout + r.stderr).to.match(/EACCES/);
    } else expect(() => writeFileAtomic(join(dir, 'ro', 'f'), 'x')).to.throw(/EACCES/);
    expect(readdirSync(join(dir, 'ro'))).to.deep.equal([]);
  });
});

describe('config: cert generate-test / cleanup-test', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = tmp()));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes what notation writes and the result signs', () => {
    const lines: string[] = [];
    const now = new Date('2030-05-06T07:08:09.500Z');
    const r = generateTestCertificate(dir, 'wabbit-networks.io', { isDefault: true, now, log: (l) => lines.push(l) });
    const keyPath = join(dir, 'localkeys', 'wabbit-networks.io.key');
    const certPath = join(dir, 'localkeys', 'wabbit-networks.io.crt');
    const storePath = join(dir, 'truststore', 'x509', 'ca', 'wabbit-networks.io', 'wabbit-networks.io.crt');
    expect(lines).to.deep.equal([
      'generating RSA Key with 2048 bits',
      'generated certificate expiring on 2030-05-07T07:08:09Z',
      `wrote key: ${keyPath}`,
      `wrote certificate: ${certPath}`,
      'Successfully added wabbit-networks.io.crt to named store wabbit-networks.io of type ca',
      'wabbit-networks.io: added to the key list',
      'wabbit-networks.io: marked as default signing key',
    ]);
    expect(statSync(keyPath).mode & 0o777).to.equal(0o600);
    expect(statSync(certPath).mode & 0o777).to.equal(0o644);
    expect(statSync(storePath).mode & 0o777).to.equal(0o600);
    expect(readFileSync(keyPath, 'utf8')).to.match(/^-----BEGIN PRIVATE KEY-----\n/);
    const [cert] = parseCertificates(readFileSync(certPath));
    expect(cert.subject).to.equal('CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US');
    expect(cert.isSelfSigned()).to.equal(true);
    expect(cert.notBefore.toISOString()).to.equal('2030-05-06T07:08:09.000Z');
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).to.equal(86_400_000);
    expect(cert.keyUsage).to.deep.equal({ critical: true, bits: 1 });
    expect(cert.extKeyUsage).to.deep.equal({ critical: false, oids: [OID.ekuCodeSigning] });
    expect(cert.basicConstraints).to.equal(undefined);
    expect(cert.keyKind).to.deep.equal({ type: 'rsa', bits: 2048 });
    expect(cert.signatureAlgorithmOid).to.equal('1.2.840.113549.1.1.11');
    expect(r.certificate.fingerprint256).to.equal(cert.fingerprint256);
    expect(readFileSync(storePath)).to.deep.equal(readFileSync(certPath));
    const sk = loadSigningKeys(dir);
    expect(sk.getDefault()).to.deep.equal({ name: 'wabbit-networks.io', keyPath, certPath });
    expect(loadLocalSigner(keyPath, certPath).keySpec()).to.equal('RSA-2048');
  });

  it('refuses a second run and bad names without changing anything', () => {
    generateTestCertificate(dir, 'dup');
    const snapshot = () => readFileSync(join(dir, 'signingkeys.json'), 'utf8') + readFileSync(join(dir, 'localkeys', 'dup.crt'), 'utf8');
    const before = snapshot();
    expect(codeOf(() => generateTestCertificate(dir, 'dup'))).to.equal('FILE_EXISTS');
    expect(snapshot()).to.equal(before);
    expect(messageOf(() => generateTestCertificate(dir, 'a/b'))).to.equal('name needs to follow [a-zA-Z0-9_.-]+ format');
    // Key entry exists under that name although the files do not: refused before writing.
    addPluginKey(dir, { name: 'taken', id: 'i', pluginName: 'pkcs11' });
    expect(messageOf(() => generateTestCertificate(dir, 'taken'))).to.equal('signing key with name "taken" already exists');
    expect(existsSync(join(dir, 'localkeys', 'taken.key'))).to.equal(false);
  });

  it('cleans up everything generate-test made, and reports missing parts', () => {
    generateTestCertificate(dir, 'tmp-key', { bits: 3072, isDefault: true });
    const lines: string[] = [];
    const res = cleanupTestCertificate(dir, 'tmp-key', { log: (l) => lines.push(l) });
    expect(res).to.deep.equal({ trustStoreCertDeleted: true, keyRemoved: true, keyFileDeleted: true, certFileDeleted: true });
    expect(lines[0]).to.equal('Successfully deleted tmp-key.crt from trust store tmp-key of type ca');
    expect(lines.at(-1)).to.equal('Cleanup completed successfully');
    expect(existsSync(join(dir, 'truststore', 'x509', 'ca', 'tmp-key'))).to.equal(false);
    expect(loadSigningKeys(dir).keys).to.deep.equal([]);
    const again: string[] = [];
    cleanupTestCertificate(dir, 'tmp-key', { log: (l) => again.push(l) });
    expect(again).to.deep.equal([
      'Certificate tmp-key.crt does not exist in trust store tmp-key of type ca',
      'Key tmp-key does not exist in the key list',
      `Key file ${join(dir, 'localkeys', 'tmp-key.key')} does not exist`,
      `Certificate file ${join(dir, 'localkeys', 'tmp-key.crt')} does not exist`,
      'Cleanup completed successfully',
    ]);
  });

  it('errors are typed', () => {
    try {
      generateTestCertificate(dir, 'x', { bits: 512 });
      expect.fail('no error');
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      expect(e).to.not.be.instanceOf(SigningError);
    }
  });
});
