/**
 * The algorithm table of checklist 1.2 as lookups, plus the primitive signature
 * checks both envelope formats share. Mirrors notation-core-go's
 * internal/algorithm: only the six key specs exist; anything else is refused with
 * the same wording ("rsa key size 1024 bits is not supported").
 */
import { createHash, constants, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { SignatureIntegrityError } from '../errors.js';
import { keyDetails, type Certificate } from '../x509/certificate.js';
import { ALGORITHMS, NODE_HASH, type AlgorithmInfo, type HashAlgorithm, type KeySpec, type SignatureAlgorithm } from './types.js';

/** Derives the signature algorithm from a signing certificate's public key (REF ExtractKeySpec). */
export function algorithmForCertificate(cert: Certificate): AlgorithmInfo {
  return algorithmForPublicKey(cert.publicKey);
}

export function algorithmForPublicKey(key: KeyObject): AlgorithmInfo {
  const type = key.asymmetricKeyType;
  const d = keyDetails(key);
  if (type === 'rsa') {
    const bits = d.modulusLength ?? 0;
    // Go reports the byte length times 8, so odd moduli round up.
    const goBits = Math.ceil(bits / 8) * 8;
    const alg = ALGORITHMS.find((a) => a.kind === 'rsa' && a.bits === goBits);
    if (!alg) throw new SignatureIntegrityError('UNSUPPORTED_SIGNING_KEY', `rsa key size ${goBits} bits is not supported`);
    return alg;
  }
  if (type === 'ec') {
    const alg = ALGORITHMS.find((a) => a.kind === 'ec' && a.curve === d.namedCurve);
    if (!alg) {
      const bits = CURVE_BITS[d.namedCurve ?? ''];
      throw new SignatureIntegrityError(
        'UNSUPPORTED_SIGNING_KEY',
        bits ? `ecdsa key size ${bits} bits is not supported` : `ecdsa curve ${d.namedCurve ?? 'unknown'} is not supported`,
      );
    }
    return alg;
  }
  throw new SignatureIntegrityError('UNSUPPORTED_SIGNING_KEY', 'unsupported public key type');
}

const CURVE_BITS: Record<string, number> = { secp224r1: 224, secp256k1: 256, prime192v1: 192 };

export function algorithmByKeySpec(keySpec: KeySpec | string): AlgorithmInfo | undefined {
  return ALGORITHMS.find((a) => a.keySpec === keySpec);
}

export function algorithmBySignatureAlgorithm(name: SignatureAlgorithm | string): AlgorithmInfo | undefined {
  return ALGORITHMS.find((a) => a.signatureAlgorithm === name);
}

export function algorithmByJws(alg: string): AlgorithmInfo | undefined {
  return ALGORITHMS.find((a) => a.jws === alg);
}

export function algorithmByCose(alg: number): AlgorithmInfo | undefined {
  return ALGORITHMS.find((a) => a.cose === alg);
}


export function hashBytes(hash: HashAlgorithm, data: Uint8Array): Uint8Array {
  const h = NODE_HASH[hash];
  if (!h) throw new TypeError(`unsupported hash algorithm ${String(hash)}`);
  return new Uint8Array(createHash(h).update(data).digest());
}

/**
 * Verifies a primitive signature: RSASSA-PSS (MGF1 with the same hash) or ECDSA
 * with raw r||s. `pssSalt` 'hash' requires salt = hash length (COSE, go-cose);
 * 'auto' accepts any salt (JWS, golang-jwt). Never throws: false on any mismatch.
 */
export function verifyPrimitive(
  alg: AlgorithmInfo,
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
  pssSalt: 'hash' | 'auto' = 'hash',
): boolean {
  try {
    if (alg.kind === 'rsa') {
      if (key.asymmetricKeyType !== 'rsa') return false;
      const saltLength = pssSalt === 'hash' ? constants.RSA_PSS_SALTLEN_DIGEST : constants.RSA_PSS_SALTLEN_AUTO;
      return cryptoVerify(alg.nodeHash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
    }
    if (key.asymmetricKeyType !== 'ec') return false;
    // Raw r||s of exactly twice the field size, as go-cose and golang-jwt require.
    const half = Math.ceil(curveBits(key) / 8);
    if (half === 0 || signature.length !== 2 * half) return false;
    return cryptoVerify(alg.nodeHash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

function curveBits(key: KeyObject): number {
  switch (keyDetails(key).namedCurve) {
    case 'prime256v1':
      return 256;
    case 'secp384r1':
      return 384;
    case 'secp521r1':
      return 521;
    default:
      return 0;
  }
}

/** Go's %v of a notation-core-go Algorithm, rendered by name for readable messages. */
export function algorithmLabel(alg: AlgorithmInfo | undefined): string {
  return alg ? alg.jws : 'unknown';
}
