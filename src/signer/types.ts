/**
 * The Signer interface: whatever holds the key (a PEM file, a PKCS#11 token, a
 * notation RAW plugin) is a Signer. Envelope assembly, timestamping and the final
 * self-verification happen once, above it.
 */
import type { KeySpec, HashAlgorithm } from '../envelope/types.js';
import type { Certificate } from '../x509/certificate.js';

export interface SignResult {
  /** RSA: RSASSA-PSS with salt = hash length; ECDSA: raw r||s. */
  signature: Uint8Array;
  /** Leaf first. */
  certificateChain: Certificate[];
}

export interface Signer {
  /** The key spec of the signing key (decides alg and hash, checklist 1.2). */
  keySpec(): KeySpec | Promise<KeySpec>;
  /** Signs the exact bytes to sign (JWS signing input / COSE ToBeSigned), hashing with `hash`. */
  sign(bytesToSign: Uint8Array, hash: HashAlgorithm): Promise<SignResult>;
}
