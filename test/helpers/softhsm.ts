/**
 * SoftHSM for tests: one private SOFTHSM2_CONF and token directory per test process
 * (never /var/lib/softhsm), tokens made with `softhsm2-util`, keys generated *in* the
 * token and certificates imported into it through graphene-pk11.
 *
 * Token provisioning runs in a child node process: a PKCS#11 module is initialised
 * once per process, and finalising it here would pull the rug from under the
 * signers under test. libsofthsm2 reads SOFTHSM2_CONF when it is initialised, so
 * this helper sets it in process.env (tests may; src/ never reads the env).
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeySpec } from '../../src/envelope/types.js';
import { issueCertificate, makePki, type Pki, type PkiCert, type TestKey } from './pki.js';
import { writeImageLayout } from './layout.js';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
export const SO_PIN = '5678';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SoftHsm {
  dir: string;
  conf: string;
  tokenDir: string;
  module: string;
}

let current: SoftHsm | undefined;

/** The process-wide SoftHSM set-up (created on first use, removed at exit). */
export function softhsm(): SoftHsm {
  if (current) return current;
  if (!existsSync(SOFTHSM_MODULE)) throw new Error(`SoftHSM is not installed (${SOFTHSM_MODULE} missing): apt-get install softhsm2`);
  const dir = mkdtempSync(join(tmpdir(), 'nts-softhsm-'));
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir, { mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  process.env.SOFTHSM2_CONF = conf;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  current = { dir, conf, tokenDir, module: SOFTHSM_MODULE };
  return current;
}

function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, SOFTHSM2_CONF: softhsm().conf };
}

/** `softhsm2-util --init-token --free` with the given label and PINs. */
export function initToken(label: string, pin: string, soPin = SO_PIN): void {
  softhsm();
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', soPin, '--pin', pin], { env: childEnv(), stdio: 'pipe' });
}

// Runs in a child: {module, token, pin, ops:[...]} on stdin, JSON results on stdout.
const PROVISION_SCRIPT = `
const g = require(process.env.NTS_GRAPHENE);
const pk = require(process.env.NTS_PKCS11JS);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const mod = g.Module.load(input.module, 'softhsm');
mod.initialize();
const out = [];
try {
  const slots = mod.getSlots(true);
  let slot;
  for (let i = 0; i < slots.length; i++) if (slots.items(i).getToken().label === input.token) slot = slots.items(i);
  if (!slot) throw new Error('token not found: ' + input.token);
  const s = slot.open(g.SessionFlag.SERIAL_SESSION | g.SessionFlag.RW_SESSION);
  s.login(input.pin, g.UserType.USER);
  for (const op of input.ops) {
    const id = Buffer.from(op.id, 'hex');
    if (op.op === 'rsa') {
      const kp = s.generateKeyPair(g.KeyGenMechanism.RSA,
        { keyType: g.KeyType.RSA, token: true, verify: true, modulusBits: op.bits, publicExponent: Buffer.from([1, 0, 1]), label: op.label, id },
        { keyType: g.KeyType.RSA, token: true, private: true, sensitive: true, extractable: false, sign: op.sign !== false, label: op.label, id });
      const a = kp.publicKey.getAttribute({ modulus: null, publicExponent: null });
      out.push({ n: a.modulus.toString('base64url'), e: a.publicExponent.toString('base64url') });
    } else if (op.op === 'ec') {
      const kp = s.generateKeyPair(g.KeyGenMechanism.EC,
        { keyType: g.KeyType.EC, token: true, verify: true, paramsEC: Buffer.from(op.params, 'hex'), label: op.label, id },
        { keyType: g.KeyType.EC, token: true, private: true, sensitive: true, extractable: false, sign: true, label: op.label, id });
      out.push({ point: kp.publicKey.getAttribute(pk.CKA_EC_POINT).toString('hex') });
    } else if (op.op === 'aes') {
      s.generateKey(g.KeyGenMechanism.AES, { keyType: g.KeyType.AES, token: true, valueLen: 32, label: op.label, id, sign: true });
      out.push({});
    } else if (op.op === 'cert') {
      s.create({ class: g.ObjectClass.CERTIFICATE, certType: g.CertificateType.X_509, token: true, private: false,
        label: op.label, id, value: Buffer.from(op.der, 'hex'), subject: Buffer.from(op.subject, 'hex') });
      out.push({});
    } else if (op.op === 'delete') {
      const f = s.find({ label: op.label });
      for (let i = 0; i < f.length; i++) f.items(i).destroy();
      out.push({ deleted: f.length });
    }
  }
  s.logout();
  s.close();
} finally {
  mod.finalize();
}
process.stdout.write(JSON.stringify(out));
`;

type Op =
  | { op: 'rsa'; bits: number; label: string; id: string; sign?: boolean }
  | { op: 'ec'; params: string; label: string; id: string }
  | { op: 'aes'; label: string; id: string }
  | { op: 'cert'; der: string; subject: string; label: string; id: string }
  | { op: 'delete'; label: string; id: string };

function provision(token: string, pin: string, ops: Op[]): Array<Record<string, string>> {
  const out = execFileSync(process.execPath, ['-e', PROVISION_SCRIPT], {
    input: JSON.stringify({ module: SOFTHSM_MODULE, token, pin, ops }),
    env: { ...childEnv(), NTS_GRAPHENE: join(ROOT, 'node_modules/graphene-pk11'), NTS_PKCS11JS: join(ROOT, 'node_modules/pkcs11js') },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8')) as Array<Record<string, string>>;
}

const EC_PARAMS: Record<string, { params: string; crv: string; size: number }> = {
  'EC-256': { params: '06082a8648ce3d030107', crv: 'P-256', size: 32 },
  'EC-384': { params: '06052b81040022', crv: 'P-384', size: 48 },
  'EC-521': { params: '06052b81040023', crv: 'P-521', size: 66 },
};

function ecPublicKey(spec: string, pointHex: string): KeyObject {
  const c = EC_PARAMS[spec]!;
  let p = Buffer.from(pointHex, 'hex');
  if (p[0] === 0x04 && p.length !== 1 + 2 * c.size) p = p.subarray(p[1] === 0x81 ? 3 : 2); // DER OCTET STRING
  const x = p.subarray(1, 1 + c.size);
  const y = p.subarray(1 + c.size);
  return createPublicKey({ key: { kty: 'EC', crv: c.crv, x: x.toString('base64url'), y: y.toString('base64url') }, format: 'jwk' });
}

/** Generates a key pair in the token; returns the public key. */
export function generateKey(token: string, pin: string, spec: KeySpec | 'RSA-1024', label: string, idHex: string, opts: { sign?: boolean } = {}): KeyObject {
  if (spec.startsWith('RSA-')) {
    const [r] = provision(token, pin, [{ op: 'rsa', bits: Number(spec.slice(4)), label, id: idHex, ...(opts.sign === false ? { sign: false } : {}) }]);
    return createPublicKey({ key: { kty: 'RSA', n: r!.n!, e: r!.e! }, format: 'jwk' });
  }
  const [r] = provision(token, pin, [{ op: 'ec', params: EC_PARAMS[spec]!.params, label, id: idHex }]);
  return ecPublicKey(spec, r!.point!);
}

/** Generates an AES key (a key the signer must refuse). */
export function generateSecretKey(token: string, pin: string, label: string, idHex: string): void {
  provision(token, pin, [{ op: 'aes', label, id: idHex }]);
}

/** Imports certificates as CKO_CERTIFICATE objects. */
export function importCertificates(token: string, pin: string, certs: Array<{ cert: PkiCert; label: string; idHex: string }>): void {
  provision(
    token,
    pin,
    certs.map((c) => ({ op: 'cert' as const, der: Buffer.from(c.cert.der).toString('hex'), subject: Buffer.from(c.cert.cert.rawSubject).toString('hex'), label: c.label, id: c.idHex })),
  );
}

/** Destroys every object with this label. */
export function deleteObjects(token: string, pin: string, label: string): number {
  const [r] = provision(token, pin, [{ op: 'delete', label, id: '' }]);
  return Number(r!.deleted);
}

/** Issues a code-signing leaf for a token key from the test CA. */
export async function issueForTokenKey(publicKey: KeyObject, spec: KeySpec, ca: PkiCert, subject: string): Promise<PkiCert> {
  // issueCertificate only reads the subject key's public half when an issuer signs.
  const subjectKey = { keySpec: spec, publicKey } as unknown as TestKey;
  return issueCertificate(subjectKey, ca, 'leaf', { subject });
}

export interface HsmKey {
  spec: KeySpec;
  label: string;
  idHex: string;
  publicKey: KeyObject;
  leaf: PkiCert;
  /** pkcs11: URI with module-path, no PIN. */
  uri: string;
}

export interface ProvisionedToken {
  label: string;
  pin: string;
  pki: Pki;
  keys: Map<KeySpec, HsmKey>;
}

/**
 * A token holding one key per spec (labels `key-<spec>`, ids 01..06), each with a
 * leaf from a test CA; the CA's intermediate and root are on the token too.
 */
export async function provisionToken(label: string, pin: string, specs: readonly KeySpec[], caName = label): Promise<ProvisionedToken> {
  initToken(label, pin);
  const pki = await makePki({ name: caName });
  const keys = new Map<KeySpec, HsmKey>();
  const certs: Array<{ cert: PkiCert; label: string; idHex: string }> = [];
  let n = 1;
  for (const spec of specs) {
    const keyLabel = `key-${spec.toLowerCase()}`;
    const idHex = (n++).toString(16).padStart(2, '0');
    const publicKey = generateKey(label, pin, spec, keyLabel, idHex);
    const leaf = await issueForTokenKey(publicKey, spec, pki.intermediate, `CN=${caName} hsm ${spec},O=Notation TS Test,L=Seattle,ST=WA,C=US`);
    certs.push({ cert: leaf, label: keyLabel, idHex });
    keys.set(spec, { spec, label: keyLabel, idHex, publicKey, leaf, uri: `pkcs11:token=${encodeURIComponent(label)};object=${encodeURIComponent(keyLabel)}?module-path=${SOFTHSM_MODULE}` });
  }
  certs.push({ cert: pki.intermediate, label: 'ca-intermediate', idHex: 'a1' }, { cert: pki.root, label: 'ca-root', idHex: 'a2' });
  importCertificates(label, pin, certs);
  return { label, pin, pki, keys };
}

/**
 * Marks the token's user PIN as locked in SoftHSM's token file (CKA_OS_TOKENFLAGS),
 * the state a real HSM enters after too many wrong PINs; SoftHSM itself never locks.
 * Only call while no module instance in this process has the token open.
 */
export function markUserPinLocked(label: string): void {
  const { tokenDir } = softhsm();
  const padded = Buffer.from(label.padEnd(32, ' '), 'utf8');
  for (const d of readdirSync(tokenDir)) {
    const f = join(tokenDir, d, 'token.object');
    if (!existsSync(f)) continue;
    const b = readFileSync(f);
    if (b.indexOf(padded) < 0) continue;
    const tag = Buffer.from('000000008000534b0000000000000002', 'hex');
    const at = b.indexOf(tag);
    if (at < 0) throw new Error('token flags attribute not found in ' + f);
    const off = at + tag.length;
    const flags = b.readBigUInt64BE(off);
    b.writeBigUInt64BE(flags | 0x40000n, off);
    writeFileSync(f, b);
    return;
  }
  throw new Error(`token ${label} not found under ${tokenDir}`);
}

/** A one-manifest OCI layout tagged v1; returns its path and the manifest digest. */
export function makeLayout(dir: string): { path: string; digest: string; size: number } {
  const path = join(dir, 'layout');
  return { path, ...writeImageLayout(path, { layer: 'hello from the hsm test', tag: 'v1', indexMediaType: true }) };
}

