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
import { readTlv, children, content } from './der.js';
import { SIGNATURE_ALGORITHMS, OID_RSASSA_PSS, PSS_HASHES, parsePssParams, type SignatureAlgorithm } from './sigalg.js';

export type { SignatureAlgorithm } from './sigalg.js';

export const ERR_UNSUPPORTED_ALGORITHM = 'x509: cannot verify signature: algorithm unimplemented';
export const ERR_CONSTRAINT_VIOLATION = 'x509: invalid signature: parent certificate cannot sign this kind of certificate';

/** Go accepts exactly three PSS profiles: SHA-2 hash, MGF1 with the same hash, salt = hash length, trailer 1. */
function pssAlgorithm(params?: Uint8Array): SignatureAlgorithm | undefined {
  const p = parsePssParams(params);
  if (!p?.strict) return undefined;
  const h = PSS_HASHES[p.hashOid];
  if (!h || p.mgfHashOid !== p.hashOid || p.trailerField !== 1 || p.saltLength !== h.len) return undefined;
  return { name: `${h.hash.toUpperCase()}-RSAPSS`, pub: 'RSA', hash: h.hash, pss: true };
}

/** The certificate's signature algorithm as Go identifies it; undefined = Go's UnknownSignatureAlgorithm. */
export function signatureAlgorithmOf(cert: Certificate): SignatureAlgorithm | undefined {
  if (cert.signatureAlgorithmOid === OID_RSASSA_PSS) return pssAlgorithm(cert.signatureAlgorithmParams);
  return SIGNATURE_ALGORITHMS[cert.signatureAlgorithmOid];
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
