/**
 * Format-independent checks every parsed envelope goes through, after the format
 * specific parsing (notation-core-go signature/internal/base): payload present,
 * signature present, signing time and expiry, scheme, then the certificate chain
 * against the Notary certificate rules and the algorithm derived from the leaf.
 * Error codes live here so both formats share them.
 */
import { NotationError, SignatureIntegrityError, SigningError, errorMessage } from '../errors.js';
import { Certificate } from '../x509/certificate.js';
import { validateCodeSigningChain } from '../x509/chain.js';
import { algorithmForCertificate, algorithmBySignatureAlgorithm } from './algorithm.js';
import type { EnvelopeContent, SignatureAlgorithm, SignerInfo } from './types.js';

/** Stable codes of the integrity failures this module raises (all SignatureIntegrityError). */
export const INTEGRITY_CODES = [
  'SIGNATURE_INVALID',
  'ALGORITHM_MISMATCH',
  'UNSUPPORTED_SIGNING_KEY',
  'UNSUPPORTED_SIGNATURE_ALGORITHM',
  'INVALID_CERTIFICATE_CHAIN',
  'INVALID_SIGNED_ATTRIBUTES',
  'INVALID_PAYLOAD',
  'UNSUPPORTED_PAYLOAD_CONTENT_TYPE',
  'INVALID_SIGNATURE_ENVELOPE',
] as const;
export type IntegrityCode = (typeof INTEGRITY_CODES)[number];

export function integrity(code: IntegrityCode, message: string, cause?: unknown): SignatureIntegrityError {
  return new SignatureIntegrityError(code, message, cause === undefined ? undefined : { cause });
}

/** REF's SignatureIntegrityError text: "signature is invalid. Error: <inner>". */
export function signatureInvalid(inner: string, code: IntegrityCode = 'SIGNATURE_INVALID'): SignatureIntegrityError {
  return integrity(code, `signature is invalid. Error: ${inner}`);
}

/**
 * Parses one DER certificate including its public key, as Go's x509.ParseCertificate
 * does: a certificate whose key node:crypto cannot load is malformed, not a crash later.
 */
export function parseCertificate(der: Uint8Array): Certificate {
  const cert = new Certificate(der);
  try {
    void cert.publicKey.asymmetricKeyType;
  } catch (e) {
    throw integrity('INVALID_CERTIFICATE_CHAIN', `x509: malformed public key: ${errorMessage(e)}`, e);
  }
  return cert;
}

/** DER bytes -> Certificate: how envelope code reads the certificates it carries. */
export type CertificateParser = (der: Uint8Array) => Certificate;

/**
 * A memo of certificate parsing across envelopes (a Verifier owns one, see
 * src/verifier/cache.ts). Keys are exact DER bytes, so a hit is the same
 * certificate. (Chain verdicts are memoized by x509/chain.ts itself.)
 */
export interface CertificateCache {
  /** The certificate for these DER bytes: a remembered instance, else `parse(der)`. */
  certificate(der: Uint8Array, parse: CertificateParser): Certificate;
  /**
   * A chain that parsed completely before from exactly these bytes (the encoded
   * x5chain array of a COSE envelope), or undefined. Optional.
   */
  chainFor?(encoded: Uint8Array): readonly Certificate[] | undefined;
  /** Remembers a chain that parsed completely from `encoded`. Optional. */
  rememberChain?(encoded: Uint8Array, chain: readonly Certificate[]): void;
}

/** A cache that returns these Certificate objects for their exact DER bytes (a signer's own chain). */
export function knownChainCache(chain: readonly Certificate[]): CertificateCache {
  return {
    certificate: (der, parse) => chain.find((c) => c.raw.length === der.length && Buffer.compare(Buffer.from(c.raw), Buffer.from(der)) === 0) ?? parse(der),
  };
}

/** Parses certificates of one envelope: each byte array once (the leaf is read twice), through `cache` when given. */
export function certificateParser(cache?: CertificateCache): CertificateParser {
  const seen = new Map<Uint8Array, Certificate>();
  return (der) => {
    let c = seen.get(der);
    if (!c) {
      c = cache ? cache.certificate(der, parseCertificate) : parseCertificate(der);
      seen.set(der, c);
    }
    return c;
  };
}

/** Envelopes larger than this are refused before parsing. */
export const MAX_ENVELOPE_SIZE = 32 * 1024 * 1024;
/** More certificates than this in x5c / x5chain is refused (REF has no bound; real chains have 2-4). */
export const MAX_CHAIN_LENGTH = 32;

/**
 * validateEnvelopeContent of REF: runs on every content() and verify(). The chain
 * is judged without a signing time here, as REF does when verifying; the signing
 * time check is a sign-time rule (validateChainForSigning).
 */
export function validateEnvelopeContent(content: EnvelopeContent): void {
  if (content.payload.content.length === 0) throw integrity('INVALID_PAYLOAD', 'content not present');
  validateSignerInfo(content.signerInfo);
}

function validateSignerInfo(info: SignerInfo): void {
  if (info.signature.length === 0) throw integrity('INVALID_SIGNATURE_ENVELOPE', 'signature not present or is empty');
  validateTimes(info.signedAttributes.signingTime, info.signedAttributes.expiry);
  if (!info.signedAttributes.signingScheme) throw integrity('INVALID_SIGNED_ATTRIBUTES', 'SigningScheme not present');
  validateChain(info.certificateChain, undefined, info.signatureAlgorithm, (code, msg, cause) => integrity(code, msg, cause));
}

export function validateTimes(signingTime: Date | undefined, expiry: Date | undefined): void {
  if (!signingTime || Number.isNaN(signingTime.getTime())) throw integrity('INVALID_SIGNED_ATTRIBUTES', 'signing-time not present');
  if (expiry && expiry.getTime() <= signingTime.getTime()) {
    throw integrity('INVALID_SIGNED_ATTRIBUTES', 'expiry cannot be equal or before the signing time');
  }
}

type ErrorFactory = (code: IntegrityCode, message: string, cause?: unknown) => NotationError;

/** REF validateCertificateChain: chain rules, then leaf key spec, then algorithm agreement. */
export function validateChain(chain: Certificate[], signingTime: Date | undefined, expected: SignatureAlgorithm, fail: ErrorFactory): void {
  if (chain.length === 0) throw fail('INVALID_CERTIFICATE_CHAIN', 'certificate-chain not present or is empty');
  try {
    validateCodeSigningChain(chain, signingTime);
  } catch (e) {
    throw fail('INVALID_CERTIFICATE_CHAIN', `certificate-chain is invalid, ${errorMessage(e)}`, e);
  }
  let derived;
  try {
    derived = algorithmForCertificate(chain[0]);
  } catch (e) {
    throw fail('UNSUPPORTED_SIGNING_KEY', errorMessage(e), e);
  }
  if (derived.signatureAlgorithm !== expected) {
    const specified = algorithmBySignatureAlgorithm(expected);
    throw fail(
      'ALGORITHM_MISMATCH',
      `mismatch between signature algorithm derived from signing certificate (${derived.jws}) and signing algorithm specified (${specified?.jws ?? expected})`,
    );
  }
}

/** The sign-time variant: same checks, with the certificates judged at the signing time. */
export function validateChainForSigning(chain: Certificate[], signingTime: Date, expected: SignatureAlgorithm): void {
  validateChain(chain, signingTime, expected, (code, msg, cause) => new SigningError(code, msg, cause === undefined ? undefined : { cause }));
}
