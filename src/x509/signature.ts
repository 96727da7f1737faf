/**
 * Certificate signature checks with Go crypto/x509's semantics and error texts
 * (CheckSignature / CheckSignatureFrom), because notation prints those texts
 * inside its chain errors ("... Error: crypto/rsa: verification error").
 *
 * Stricter than Go in one place: SHA-1 is refused everywhere (Go still accepts
 * it in Certificate.CheckSignature), per the Notary rule "no SHA-1/MD5".
 */
import { verify as cryptoVerify, constants, type KeyObject } from 'node:crypto';
import type { Certificate } from './certificate.js';
import { readTlv, children, content, slice, decodeOid } from './der.js';

type PubAlg = 'RSA' | 'DSA' | 'ECDSA' | 'Ed25519';
type Hash = 'md2' | 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface SignatureAlgorithm {
  /** Go's SignatureAlgorithm.String(), e.g. `SHA256-RSA`, `ECDSA-SHA384`. */
  name: string;
  pub: PubAlg;
  /** Absent for Ed25519. */
  hash?: Hash;
  pss?: boolean;
}

const BY_OID: Record<string, SignatureAlgorithm> = {
  '1.2.840.113549.1.1.2': { name: 'MD2-RSA', pub: 'RSA', hash: 'md2' },
  '1.2.840.113549.1.1.4': { name: 'MD5-RSA', pub: 'RSA', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'SHA1-RSA', pub: 'RSA', hash: 'sha1' },
  '1.3.14.3.2.29': { name: 'SHA1-RSA', pub: 'RSA', hash: 'sha1' },
  '1.2.840.113549.1.1.11': { name: 'SHA256-RSA', pub: 'RSA', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'SHA384-RSA', pub: 'RSA', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'SHA512-RSA', pub: 'RSA', hash: 'sha512' },
  '1.2.840.10040.4.3': { name: 'DSA-SHA1', pub: 'DSA', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.2': { name: 'DSA-SHA256', pub: 'DSA', hash: 'sha256' },
  '1.2.840.10045.4.1': { name: 'ECDSA-SHA1', pub: 'ECDSA', hash: 'sha1' },
  '1.2.840.10045.4.3.2': { name: 'ECDSA-SHA256', pub: 'ECDSA', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ECDSA-SHA384', pub: 'ECDSA', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ECDSA-SHA512', pub: 'ECDSA', hash: 'sha512' },
  '1.3.101.112': { name: 'Ed25519', pub: 'Ed25519' },
};
const OID_PSS = '1.2.840.113549.1.1.10';
const OID_MGF1 = '1.2.840.113549.1.1.8';
const PSS_HASHES: Record<string, { hash: Hash; len: number }> = {
  '2.16.840.1.101.3.4.2.1': { hash: 'sha256', len: 32 },
  '2.16.840.1.101.3.4.2.2': { hash: 'sha384', len: 48 },
  '2.16.840.1.101.3.4.2.3': { hash: 'sha512', len: 64 },
};

export const ERR_UNSUPPORTED_ALGORITHM = 'x509: cannot verify signature: algorithm unimplemented';
export const ERR_CONSTRAINT_VIOLATION = 'x509: invalid signature: parent certificate cannot sign this kind of certificate';

function oidOf(der: Uint8Array): string {
  const t = readTlv(der, 0);
  if (t.tag !== 0x06) throw new Error('not an OID');
  return decodeOid(content(der, t));
}

/** AlgorithmIdentifier -> [oid, params DER or undefined]. */
function algId(der: Uint8Array): [string, Uint8Array | undefined] {
  const seq = readTlv(der, 0);
  const [o, p] = children(der, seq);
  return [oidOf(slice(der, o)), p ? slice(der, p) : undefined];
}

const isNullOrAbsent = (p?: Uint8Array) => !p || (p.length === 2 && p[0] === 0x05 && p[1] === 0x00);

/** Go accepts exactly three PSS profiles: SHA-2 hash, MGF1 with the same hash, salt = hash length, trailer 1. */
function pssAlgorithm(params?: Uint8Array): SignatureAlgorithm | undefined {
  if (!params) return undefined;
  try {
    const top = readTlv(params, 0);
    if (top.tag !== 0x30 || top.end !== params.length) return undefined;
    let hashOid = '1.3.14.3.2.26';
    let mgfOk = false;
    let mgfHash = '1.3.14.3.2.26';
    let salt = 20;
    let trailer = 1;
    for (const f of children(params, top)) {
      const inner = slice(params, children(params, f)[0]);
      if (f.tag === 0xa0) {
        const [o, p] = algId(inner);
        if (!isNullOrAbsent(p)) return undefined;
        hashOid = o;
      } else if (f.tag === 0xa1) {
        const [o, p] = algId(inner);
        if (o !== OID_MGF1 || !p) return undefined;
        const [ho, hp] = algId(p);
        if (!isNullOrAbsent(hp)) return undefined;
        mgfOk = true;
        mgfHash = ho;
      } else if (f.tag === 0xa2 || f.tag === 0xa3) {
        const t = readTlv(inner, 0);
        const c = content(inner, t);
        if (t.tag !== 0x02 || c.length === 0 || c.length > 4) return undefined;
        const n = c.reduce((a, b) => a * 256 + b, 0);
        if (f.tag === 0xa2) salt = n;
        else trailer = n;
      } else return undefined;
    }
    if (!mgfOk) mgfHash = '1.3.14.3.2.26';
    const h = PSS_HASHES[hashOid];
    if (!h || mgfHash !== hashOid || trailer !== 1 || salt !== h.len) return undefined;
    return { name: `${h.hash.toUpperCase()}-RSAPSS`, pub: 'RSA', hash: h.hash, pss: true };
  } catch {
    return undefined;
  }
}

/** The certificate's signature algorithm as Go identifies it; undefined = Go's UnknownSignatureAlgorithm. */
export function signatureAlgorithmOf(cert: Certificate): SignatureAlgorithm | undefined {
  if (cert.signatureAlgorithmOid === OID_PSS) return pssAlgorithm(cert.signatureAlgorithmParams);
  return BY_OID[cert.signatureAlgorithmOid];
}

/** X.509 version (1, 2 or 3) read from the TBS. */
export function certificateVersion(cert: Certificate): number {
  try {
    const tbs = cert.tbs;
    const first = children(tbs, readTlv(tbs, 0))[0];
    if (!first || first.tag !== 0xa0) return 1;
    const intT = children(tbs, first)[0];
    const c = content(tbs, intT);
    return c.length === 1 ? c[0] + 1 : 0;
  } catch {
    return 0;
  }
}

function keyOf(cert: Certificate): KeyObject | undefined {
  try {
    return cert.publicKey;
  } catch {
    return undefined;
  }
}

const GO_KEY_TYPE: Record<string, string> = { rsa: '*rsa.PublicKey', ec: '*ecdsa.PublicKey', ed25519: 'ed25519.PublicKey' };
const GO_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1', 'secp224r1']);

/**
 * Verifies `cert`'s signature under `signer`'s public key like Go's
 * checkSignature. Returns Go's error text, or undefined when it verifies.
 */
export function checkSignature(cert: Certificate, signer: Certificate): string | undefined {
  const alg = signatureAlgorithmOf(cert);
  if (!alg || alg.hash === 'md2') return ERR_UNSUPPORTED_ALGORITHM;
  if (alg.hash === 'md5' || alg.hash === 'sha1') return `x509: cannot verify signature: insecure algorithm ${alg.name}`;
  const key = keyOf(signer);
  const type = key?.asymmetricKeyType;
  // Go only knows these key types (RSA-PSS SPKI keys and other curves fail to parse there).
  if (!key || !type || !GO_KEY_TYPE[type] || (type === 'ec' && !GO_CURVES.has(key.asymmetricKeyDetails?.namedCurve ?? ''))) {
    return ERR_UNSUPPORTED_ALGORITHM;
  }
  const want = type === 'rsa' ? 'RSA' : type === 'ec' ? 'ECDSA' : 'Ed25519';
  if (alg.pub !== want) {
    if (alg.pub === 'DSA') return ERR_UNSUPPORTED_ALGORITHM;
    return `x509: signature algorithm specifies an ${alg.pub} public key, but have public key of type ${GO_KEY_TYPE[type]}`;
  }
  const data = cert.tbs;
  const sig = cert.signatureValue;
  try {
    if (want === 'RSA') {
      const ok = alg.pss
        ? cryptoVerify(alg.hash!, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, sig)
        : cryptoVerify(alg.hash!, data, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
      return ok ? undefined : 'crypto/rsa: verification error';
    }
    if (want === 'ECDSA') {
      return cryptoVerify(alg.hash!, data, { key, dsaEncoding: 'der' }, sig) ? undefined : 'x509: ECDSA verification failure';
    }
    return cryptoVerify(null, data, key, sig) ? undefined : 'x509: Ed25519 verification failure';
  } catch {
    // OpenSSL throws on malformed signatures (wrong length, bad DER); Go reports a plain failure.
    return want === 'RSA' ? 'crypto/rsa: verification error' : want === 'ECDSA' ? 'x509: ECDSA verification failure' : 'x509: Ed25519 verification failure';
  }
}

/**
 * Go's Certificate.CheckSignatureFrom: the parent must be allowed to sign
 * certificates (basicConstraints cA for v3, keyCertSign if key usage is present),
 * then the signature must verify. Returns Go's error text or undefined.
 */
export function checkSignatureFrom(child: Certificate, parent: Certificate): string | undefined {
  let bc;
  let ku;
  try {
    bc = parent.basicConstraints;
    ku = parent.keyUsage;
  } catch {
    return ERR_CONSTRAINT_VIOLATION;
  }
  if ((certificateVersion(parent) === 3 && !bc) || (bc && !bc.cA)) return ERR_CONSTRAINT_VIOLATION;
  // Go's KeyUsage holds the nine RFC 5280 bits only.
  if (ku && (ku.bits & 0x1ff) !== 0 && (ku.bits & (1 << 5)) === 0) return ERR_CONSTRAINT_VIOLATION;
  return checkSignature(child, parent);
}
