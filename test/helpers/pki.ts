/**
 * Test PKI: builds certificate chains that satisfy (or deliberately break) the
 * Notary Project certificate rules (checklist 1.6), for every key spec of the
 * algorithm table. Keys are node:crypto keys; certificates are produced with
 * @peculiar/x509 over WebCrypto. Test-only code: never import it from src/.
 *
 * Key generation (RSA-4096 especially) is slow, so keys are cached per
 * (key spec, role) for the life of the process unless `freshKeys` is set.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { generateKeyPairSync, webcrypto, randomBytes, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Certificate, OID, toPem } from '../../src/x509/certificate.js';
import type { KeySpec } from '../../src/envelope/types.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type CryptoKey = webcrypto.CryptoKey;

/** The six supported key specs plus RSA-1024 and RSA-8192, which Notary refuses. */
export type TestKeySpec = KeySpec | 'RSA-1024' | 'RSA-8192';
export const KEY_SPECS: readonly KeySpec[] = ['RSA-2048', 'RSA-3072', 'RSA-4096', 'EC-256', 'EC-384', 'EC-521'];

/** Deliberately broken leaf variants, each one a certificate notation refuses to sign with. */
export type BadLeaf =
  | 'serverAuth' // EKU codeSigning + serverAuth
  | 'caLeaf' // basicConstraints cA=true on the leaf
  | 'keyEncipherment' // KU digitalSignature + keyEncipherment
  | 'kuNotCritical' // KU digitalSignature, not critical
  | 'noKeyUsage' // no KU extension at all
  | 'rsa1024' // RSA-1024 leaf key
  | 'expired' // leaf notAfter in the past
  | 'notYetValid'; // leaf notBefore in the future

export interface TestKey {
  keySpec: TestKeySpec;
  key: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM. */
  keyPem: string;
  /** The same key as a WebCrypto key for certificate signing. */
  cryptoKey: CryptoKey;
}

export interface PkiCert extends TestKey {
  cert: Certificate;
  certPem: string;
  der: Uint8Array;
  /** Subject as Go prints it (pkix.Name.String()). */
  subject: string;
  /** The name string the certificate was built from; reused as issuer name of its children. */
  name: string;
}

export interface CertOptions {
  /** RFC 4514-style name, written in the order given (e.g. `CN=x,O=y,C=US`). */
  subject?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** Hex serial; random when absent. */
  serial?: string;
  /** CA only: pathLenConstraint. */
  pathLen?: number;
  /** AIA OCSP responder URLs. */
  ocspUrls?: string[];
  /** AIA caIssuers URLs. */
  caIssuerUrls?: string[];
  /** CRL distribution point URLs. */
  crlUrls?: string[];
  /** Replace the EKU list (null: no EKU extension). Leaf default [codeSigning]. */
  eku?: string[] | null;
  ekuCritical?: boolean;
  /** Replace the key usage flags (x509.KeyUsageFlags bits); null: no KU extension. */
  keyUsage?: number | null;
  keyUsageCritical?: boolean;
  /** basicConstraints: 'ca', 'leaf' (cA=false, critical), 'none' (extension absent). */
  basicConstraints?: 'ca' | 'leaf' | 'none';
  basicConstraintsCritical?: boolean;
  /** Appended as is. */
  extensions?: x509.Extension[];
  /** Signature hash for the certificate signature (default from the issuer key). */
  signatureHash?: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
}

export interface PkiOptions {
  /** Leaf key spec (default EC-256). */
  keySpec?: TestKeySpec;
  /** Root and intermediate key spec (default EC-256). */
  caKeySpec?: TestKeySpec;
  /** Common-name prefix, so several PKIs are told apart in messages. */
  name?: string;
  root?: CertOptions;
  intermediate?: CertOptions;
  leaf?: CertOptions;
  bad?: BadLeaf;
  /** Generate new keys instead of the per-process cached ones. */
  freshKeys?: boolean;
}

export interface Pki {
  root: PkiCert;
  intermediate: PkiCert;
  leaf: PkiCert;
  /** Leaf, intermediate, root. */
  chain: Certificate[];
  /** PEM of leaf, intermediate, root (the notation certPath format). */
  chainPem: string;
  keySpec: TestKeySpec;
}

const DAY = 86_400_000;
const keyCache = new Map<string, TestKey>();

function rsaBits(spec: TestKeySpec): number | undefined {
  const m = /^RSA-(\d+)$/.exec(spec);
  return m ? Number(m[1]) : undefined;
}

const CURVES: Record<string, { node: string; web: string; hash: string }> = {
  'EC-256': { node: 'prime256v1', web: 'P-256', hash: 'SHA-256' },
  'EC-384': { node: 'secp384r1', web: 'P-384', hash: 'SHA-384' },
  'EC-521': { node: 'secp521r1', web: 'P-521', hash: 'SHA-512' },
};

function defaultHash(spec: TestKeySpec): string {
  if (spec === 'RSA-3072') return 'SHA-384';
  if (spec === 'RSA-4096') return 'SHA-512';
  return CURVES[spec]?.hash ?? 'SHA-256';
}

/** Generates (or reuses, per role) a key of the given spec. */
export async function makeKey(spec: TestKeySpec, role = 'leaf', fresh = false): Promise<TestKey> {
  const cacheKey = `${spec}/${role}`;
  if (!fresh) {
    const hit = keyCache.get(cacheKey);
    if (hit) return hit;
  }
  const bits = rsaBits(spec);
  let pair: { privateKey: KeyObject; publicKey: KeyObject };
  if (bits) pair = generateKeyPairSync('rsa', { modulusLength: bits });
  else {
    const c = CURVES[spec];
    if (!c) throw new Error(`unknown key spec ${spec}`);
    pair = generateKeyPairSync('ec', { namedCurve: c.node });
  }
  const k = await toTestKey(spec, pair.privateKey, pair.publicKey);
  if (!fresh) keyCache.set(cacheKey, k);
  return k;
}

async function toTestKey(spec: TestKeySpec, key: KeyObject, publicKey: KeyObject): Promise<TestKey> {
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const alg = rsaBits(spec) ? { name: 'RSASSA-PKCS1-v1_5', hash: defaultHash(spec) } : { name: 'ECDSA', namedCurve: CURVES[spec].web };
  const cryptoKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, alg, true, ['sign']);
  return { keySpec: spec, key, publicKey, keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string, cryptoKey };
}

function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x01; // positive and non-zero leading byte
  return b.toString('hex');
}

const KU = x509.KeyUsageFlags;

/**
 * Issues one certificate for `subjectKey`, signed by `issuer` (self-signed when
 * absent). `kind` picks the Notary profile: code-signing CA, code-signing leaf,
 * or TSA leaf (EKU timeStamping, critical).
 */
export async function issueCertificate(
  subjectKey: TestKey,
  issuer: PkiCert | undefined,
  kind: 'ca' | 'leaf' | 'tsa',
  opts: CertOptions = {},
): Promise<PkiCert> {
  const now = Date.now();
  const subject = opts.subject ?? `CN=test ${kind},O=Notation TS Test,L=Seattle,ST=WA,C=US`;
  const exts: x509.Extension[] = [];
  const bc = opts.basicConstraints ?? (kind === 'ca' ? 'ca' : 'leaf');
  if (bc !== 'none') exts.push(new x509.BasicConstraintsExtension(bc === 'ca', bc === 'ca' ? opts.pathLen : undefined, opts.basicConstraintsCritical ?? true));
  const ku = opts.keyUsage !== undefined ? opts.keyUsage : kind === 'ca' ? KU.keyCertSign | KU.cRLSign : KU.digitalSignature;
  if (ku !== null) exts.push(new x509.KeyUsagesExtension(ku, opts.keyUsageCritical ?? true));
  const eku = opts.eku !== undefined ? opts.eku : kind === 'leaf' ? [OID.ekuCodeSigning] : kind === 'tsa' ? [OID.ekuTimeStamping] : null;
  if (eku !== null) exts.push(new x509.ExtendedKeyUsageExtension(eku, opts.ekuCritical ?? kind === 'tsa'));
  const spki = subjectKey.publicKey.export({ type: 'spki', format: 'der' });
  exts.push(await x509.SubjectKeyIdentifierExtension.create(new Uint8Array(spki)));
  if (issuer) exts.push(await x509.AuthorityKeyIdentifierExtension.create(new Uint8Array(issuer.publicKey.export({ type: 'spki', format: 'der' }))));
  if (opts.ocspUrls?.length || opts.caIssuerUrls?.length) {
    exts.push(new x509.AuthorityInfoAccessExtension({ ocsp: opts.ocspUrls ?? [], caIssuers: opts.caIssuerUrls ?? [] }));
  }
  if (opts.crlUrls?.length) exts.push(new x509.CRLDistributionPointsExtension(opts.crlUrls));
  exts.push(...(opts.extensions ?? []));

  const signer = issuer ?? subjectKey;
  const hash = opts.signatureHash ?? defaultHash(signer.keySpec);
  const generated = await x509.X509CertificateGenerator.create({
    serialNumber: opts.serial ?? randomSerial(),
    subject,
    issuer: issuer ? issuer.name : subject,
    notBefore: opts.notBefore ?? new Date(now - DAY),
    notAfter: opts.notAfter ?? new Date(now + (kind === 'ca' ? 3650 : 365) * DAY),
    publicKey: new Uint8Array(spki),
    signingKey: signer.cryptoKey as unknown as x509.X509CertificateCreateWithKeyParams['signingKey'],
    signingAlgorithm: rsaBits(signer.keySpec) ? { name: 'RSASSA-PKCS1-v1_5', hash } : ({ name: 'ECDSA', hash } as { name: string }),
    extensions: exts,
  });
  const der = new Uint8Array(generated.rawData);
  const cert = new Certificate(der);
  return { ...subjectKey, cert, certPem: toPem(der), der, subject: cert.subject, name: subject };
}

function dn(cn: string): string {
  return `CN=${cn},O=Notation TS Test,L=Seattle,ST=WA,C=US`;
}

/** Root -> intermediate -> leaf, all valid now under the Notary rules unless `bad` says otherwise. */
export async function makePki(opts: PkiOptions = {}): Promise<Pki> {
  const name = opts.name ?? 'notation-ts';
  const bad = opts.bad;
  const leafSpec: TestKeySpec = bad === 'rsa1024' ? 'RSA-1024' : (opts.keySpec ?? 'EC-256');
  const caSpec = opts.caKeySpec ?? 'EC-256';
  const fresh = !!opts.freshKeys;
  const [rootKey, interKey, leafKey] = await Promise.all([
    makeKey(caSpec, 'root', fresh),
    makeKey(caSpec, 'intermediate', fresh),
    makeKey(leafSpec, 'leaf', fresh),
  ]);
  const root = await issueCertificate(rootKey, undefined, 'ca', { subject: dn(`${name} Root CA`), ...opts.root });
  const intermediate = await issueCertificate(interKey, root, 'ca', { subject: dn(`${name} Intermediate CA`), pathLen: 0, ...opts.intermediate });
  const leafOpts: CertOptions = { subject: dn(`${name} leaf`), ...badLeafOptions(bad), ...opts.leaf };
  const leaf = await issueCertificate(leafKey, intermediate, 'leaf', leafOpts);
  return {
    root,
    intermediate,
    leaf,
    chain: [leaf.cert, intermediate.cert, root.cert],
    chainPem: leaf.certPem + intermediate.certPem + root.certPem,
    keySpec: leafSpec,
  };
}

function badLeafOptions(bad: BadLeaf | undefined): CertOptions {
  const now = Date.now();
  switch (bad) {
    case 'serverAuth':
      return { eku: [OID.ekuCodeSigning, OID.ekuServerAuth] };
    case 'caLeaf':
      return { basicConstraints: 'ca' };
    case 'keyEncipherment':
      return { keyUsage: KU.digitalSignature | KU.keyEncipherment };
    case 'kuNotCritical':
      return { keyUsageCritical: false };
    case 'noKeyUsage':
      return { keyUsage: null };
    case 'expired':
      return { notBefore: new Date(now - 30 * DAY), notAfter: new Date(now - DAY) };
    case 'notYetValid':
      return { notBefore: new Date(now + 30 * DAY), notAfter: new Date(now + 60 * DAY) };
    default:
      return {};
  }
}

/** A self-signed certificate with the code-signing leaf profile (what `cert generate-test` makes). */
export async function makeSelfSigned(keySpec: TestKeySpec = 'EC-256', opts: CertOptions & { freshKeys?: boolean } = {}): Promise<PkiCert> {
  const key = await makeKey(keySpec, 'selfsigned', !!opts.freshKeys);
  return issueCertificate(key, undefined, 'leaf', { subject: dn(`notation-ts self-signed ${keySpec}`), ...opts });
}

/** TSA root -> TSA leaf (EKU timeStamping critical), for timestamp tests. */
export async function makeTsaPki(opts: { keySpec?: TestKeySpec; root?: CertOptions; leaf?: CertOptions; freshKeys?: boolean } = {}): Promise<{
  root: PkiCert;
  leaf: PkiCert;
  chain: Certificate[];
  chainPem: string;
}> {
  const spec = opts.keySpec ?? 'EC-256';
  const rootKey = await makeKey(spec, 'tsa-root', !!opts.freshKeys);
  const leafKey = await makeKey(spec, 'tsa-leaf', !!opts.freshKeys);
  const root = await issueCertificate(rootKey, undefined, 'ca', { subject: dn('notation-ts TSA Root'), ...opts.root });
  const leaf = await issueCertificate(leafKey, root, 'tsa', { subject: dn('notation-ts TSA'), ...opts.leaf });
  return { root, leaf, chain: [leaf.cert, root.cert], chainPem: leaf.certPem + root.certPem };
}

export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';

/**
 * Writes certificates as PEM files into `<configDir>/truststore/x509/<type>/<name>/`
 * (notation's layout), one file per certificate. Returns the store directory.
 */
export function writeTrustStore(
  configDir: string,
  type: TrustStoreType,
  name: string,
  certs: readonly (PkiCert | Certificate | Uint8Array | string)[],
): string {
  const dir = join(configDir, 'truststore', 'x509', type, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  certs.forEach((c, i) => {
    const pem = typeof c === 'string' ? c : c instanceof Certificate || c instanceof Uint8Array ? toPem(c) : c.certPem;
    writeFileSync(join(dir, `cert-${i}.crt`), pem, { mode: 0o600 });
  });
  return dir;
}
