/**
 * `notation certificate generate-test` and `cleanup-test` as library functions.
 *
 * generate-test (notation cmd/notation/cert/generateTest.go + notation-core-go
 * testhelper): an RSA key of `bits` (PKCS#8 PEM) and a self-signed certificate,
 * subject `C=US, ST=WA, L=Seattle, O=Notary, CN=<name>`, valid from now for one day,
 * keyUsage digitalSignature (critical), EKU codeSigning, no basicConstraints,
 * SHA256WithRSA, small random serial. Then: localkeys/<name>.key (0600) and
 * .crt (0644), a signingkeys.json entry (optionally default), and the certificate in
 * trust store ca/<name>. Unlike notation we check every target first and roll back
 * on failure, so nothing is left half-done.
 */
import { createPublicKey, createSign, generateKeyPairSync, randomInt, type KeyObject } from 'node:crypto';
import { unlinkSync, readdirSync, rmdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';
import { Certificate, toPem } from '../x509/certificate.js';
import { localKeyPaths, x509TrustStoreDir } from './dirs.js';
import { pathExists, writeFileAtomic } from './fsutil.js';
import { loadExecSaveSigningKeys, loadSigningKeys } from './signingkeys.js';

const NAME_RE = /^[a-zA-Z0-9_.-]+$/;
const DAY_MS = 86_400_000;

// ---- minimal DER encoder for the one certificate shape we emit ----
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}
const seq = (...p: Buffer[]) => tlv(0x30, ...p);
function oid(dotted: string): Buffer {
  const a = dotted.split('.').map(Number);
  const out = [a[0] * 40 + a[1]];
  for (const n of a.slice(2)) {
    const b: number[] = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
}
function integer(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}
// Go's asn1 marshals a string as PrintableString when every character allows it.
function goString(s: string): Buffer {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?*&]*$/.test(s);
  return tlv(printable ? 0x13 : 0x0c, Buffer.from(s, 'utf8'));
}
function time(d: Date): Buffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const y = d.getUTCFullYear();
  return y >= 1950 && y < 2050 ? tlv(0x17, Buffer.from(digits.slice(2) + 'Z')) : tlv(0x18, Buffer.from(digits + 'Z'));
}
function goName(cn: string): Buffer {
  // pkix.Name.ToRDNSequence order: C, ST, L, O, CN, one attribute per RDN.
  const attrs: [string, string][] = [
    ['2.5.4.6', 'US'],
    ['2.5.4.8', 'WA'],
    ['2.5.4.7', 'Seattle'],
    ['2.5.4.10', 'Notary'],
    ['2.5.4.3', cn],
  ];
  return seq(...attrs.map(([o, v]) => tlv(0x31, seq(oid(o), goString(v)))));
}

const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

/** Builds the self-signed test certificate notation's generate-test makes. */
export function buildTestCertificate(name: string, key: KeyObject, now = new Date()): Certificate {
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const subject = goName(name);
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + DAY_MS);
  const extensions = tlv(
    0xa3,
    seq(
      // keyUsage digitalSignature, critical (Go always marks keyUsage critical)
      seq(oid('2.5.29.15'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, tlv(0x03, Buffer.from([0x07, 0x80])))),
      // extKeyUsage codeSigning, not critical
      seq(oid('2.5.29.37'), tlv(0x04, seq(oid('1.3.6.1.5.5.7.3.3')))),
    ),
  );
  const tbs = seq(
    tlv(0xa0, integer(2)), // v3
    integer(randomInt(1, 200)),
    SHA256_WITH_RSA,
    subject,
    seq(time(notBefore), time(notAfter)),
    subject,
    spki,
    extensions,
  );
  const sig = createSign('sha256').update(tbs).sign(key);
  const der = seq(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), sig])));
  return new Certificate(new Uint8Array(der));
}


export interface GenerateTestOptions {
  /** RSA key size (notation default 2048). */
  bits?: number;
  /** Mark the new key as the default signing key. */
  isDefault?: boolean;
  now?: Date;
  /** Receives the lines notation prints, in order. */
  log?: (line: string) => void;
}

export interface GenerateTestResult {
  name: string;
  keyPath: string;
  certPath: string;
  /** The trust store file the certificate was copied to. */
  trustStoreCertPath: string;
  certificate: Certificate;
  isDefault: boolean;
}

/** `notation cert generate-test [--bits N] [--default] NAME`. */
export function generateTestCertificate(configDir: string, name: string, opts: GenerateTestOptions = {}): GenerateTestResult {
  const log = opts.log ?? (() => undefined);
  if (!NAME_RE.test(name)) throw new ConfigError('INVALID_NAME', 'name needs to follow [a-zA-Z0-9_.-]+ format');
  const bits = opts.bits ?? 2048;
  if (!Number.isInteger(bits) || bits < 1024 || bits > 8192) {
    throw new ConfigError('INVALID_KEY_SIZE', `RSA key size ${bits} bits is not supported (use 2048, 3072 or 4096)`);
  }
  const { keyPath, certPath } = localKeyPaths(configDir, name);
  const storeDir = x509TrustStoreDir(configDir, 'ca', name);
  const storeCert = join(storeDir, basename(certPath));
  // Check every target before writing anything.
  if (pathExists(keyPath)) throw new ConfigError('FILE_EXISTS', `failed to write key file: open ${keyPath}: file exists`);
  if (pathExists(certPath)) throw new ConfigError('FILE_EXISTS', `failed to write certificate file: open ${certPath}: file exists`);
  if (loadSigningKeys(configDir).keys.some((k) => k.name === name)) {
    throw new ConfigError('KEY_ALREADY_EXISTS', `signing key with name ${JSON.stringify(name)} already exists`);
  }
  if (pathExists(storeCert)) throw new ConfigError('CERTIFICATE_EXISTS', 'certificate already exists in the Trust Store');

  log(`generating RSA Key with ${bits} bits`);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const cert = buildTestCertificate(name, privateKey, opts.now);
  log(`generated certificate expiring on ${cert.notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z')}`);

  const written: string[] = [];
  try {
    writeFileAtomic(keyPath, keyPem, { mode: 0o600, overwrite: false });
    written.push(keyPath);
    log(`wrote key: ${keyPath}`);
    writeFileAtomic(certPath, toPem(cert), { mode: 0o644, overwrite: false });
    written.push(certPath);
    log(`wrote certificate: ${certPath}`);
    loadExecSaveSigningKeys(configDir, (sk) => sk.add(name, keyPath, certPath, !!opts.isDefault));
    try {
      writeFileAtomic(storeCert, toPem(cert), { mode: 0o600, overwrite: false });
    } catch (e) {
      loadExecSaveSigningKeys(configDir, (sk) => sk.remove(name));
      throw e;
    }
    log(`Successfully added ${basename(certPath)} to named store ${name} of type ca`);
  } catch (e) {
    for (const p of written) {
      try {
        unlinkSync(p);
      } catch {
        /* best effort */
      }
    }
    if (e instanceof ConfigError) throw e;
    throw new ConfigError('WRITE_FAILED', `generate-test failed: ${(e as Error).message}`, { cause: e });
  }
  log(`${name}: added to the key list`);
  if (opts.isDefault) log(`${name}: marked as default signing key`);
  return { name, keyPath, certPath, trustStoreCertPath: storeCert, certificate: cert, isDefault: !!opts.isDefault };
}

export interface CleanupTestResult {
  trustStoreCertDeleted: boolean;
  keyRemoved: boolean;
  keyFileDeleted: boolean;
  certFileDeleted: boolean;
}

function unlinkIfExists(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/**
 * `notation cert cleanup-test NAME` (after confirmation, which is the CLI's job):
 * delete the trust store entry, the signing key entry and the key/cert files. Each
 * missing part is reported through `log`, as notation does, and is not an error.
 */
export function cleanupTestCertificate(configDir: string, name: string, opts: { log?: (line: string) => void } = {}): CleanupTestResult {
  const log = opts.log ?? (() => undefined);
  if (!NAME_RE.test(name)) throw new ConfigError('INVALID_NAME', 'certificate common name must follow [a-zA-Z0-9_.-]+ format');
  const { keyPath, certPath } = localKeyPaths(configDir, name);
  const certFile = basename(certPath);
  const storeCert = join(x509TrustStoreDir(configDir, 'ca', name), certFile);
  const result: CleanupTestResult = { trustStoreCertDeleted: false, keyRemoved: false, keyFileDeleted: false, certFileDeleted: false };

  try {
    result.trustStoreCertDeleted = unlinkIfExists(storeCert);
  } catch (e) {
    throw new ConfigError('DELETE_FAILED', `failed to delete certificate ${certFile} from trust store ${name} of type ca: ${(e as Error).message}`, { cause: e });
  }
  if (result.trustStoreCertDeleted) {
    log(`Successfully deleted ${certFile} from trust store ${name} of type ca`);
    const dir = dirname(storeCert);
    try {
      if (readdirSync(dir).length === 0) rmdirSync(dir);
    } catch {
      /* notation only warns here */
    }
  } else {
    log(`Certificate ${certFile} does not exist in trust store ${name} of type ca`);
  }

  try {
    loadExecSaveSigningKeys(configDir, (sk) => sk.remove(name));
    result.keyRemoved = true;
    log(`Successfully removed key ${name} from the key list`);
  } catch (e) {
    if (!(e instanceof ConfigError && e.code === 'KEY_NOT_FOUND')) {
      throw new ConfigError('DELETE_FAILED', `failed to remove key ${name} from the key list: ${(e as Error).message}`, { cause: e });
    }
    log(`Key ${name} does not exist in the key list`);
  }

  for (const [path, what, field] of [
    [keyPath, 'key', 'keyFileDeleted'],
    [certPath, 'certificate', 'certFileDeleted'],
  ] as const) {
    let deleted: boolean;
    try {
      deleted = unlinkIfExists(path);
    } catch (e) {
      throw new ConfigError('DELETE_FAILED', `failed to delete ${what} file ${path}: ${(e as Error).message}`, { cause: e });
    }
    result[field] = deleted;
    const What = what === 'key' ? 'Key' : 'Certificate';
    log(deleted ? `Successfully deleted ${what} file: ${path}` : `${What} file ${path} does not exist`);
  }
  log('Cleanup completed successfully');
  return result;
}
