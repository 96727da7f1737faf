/**
 * Notary Project certificate rules, one certificate at a time (checklist 1.6),
 * mirroring notation-core-go x509/{codesigning,timestamp}_cert_validations.go
 * and helper.go, with their message texts.
 *
 * Only basicConstraints, keyUsage and extendedKeyUsage are judged (plus the leaf
 * key spec and validity at signing time); any other extension, critical or not,
 * is ignored on purpose: notation does not let unknown extensions fail a chain.
 */
import { CertificateError } from '../errors.js';
import type { KeySpec } from '../envelope/types.js';
import { OID, KeyUsageBit, keyDetails, type Certificate, type KeyUsage, type ExtKeyUsage } from './certificate.js';
import { goQuote, goTimeString, goRFC3339 } from './goformat.js';

/** Stable codes of the CertificateErrors thrown by rules.ts and chain.ts. */
export const CertificateErrorCode = {
  malformed: 'MALFORMED_CERTIFICATE',
  notValidAtSigningTime: 'CERT_NOT_VALID_AT_SIGNING_TIME',
  notValidAtTime: 'CERT_EXPIRED_OR_NOT_YET_VALID',
  caBasicConstraints: 'CA_BASIC_CONSTRAINTS',
  caPathLength: 'CA_PATH_LENGTH',
  caKeyUsage: 'CA_KEY_USAGE',
  leafBasicConstraints: 'LEAF_BASIC_CONSTRAINTS',
  leafKeyUsage: 'LEAF_KEY_USAGE',
  leafExtKeyUsage: 'LEAF_EXT_KEY_USAGE',
  leafKeySpec: 'LEAF_KEY_SPEC',
  tsaLeafBasicConstraints: 'TSA_LEAF_BASIC_CONSTRAINTS',
  tsaLeafKeyUsage: 'TSA_LEAF_KEY_USAGE',
  tsaLeafExtKeyUsage: 'TSA_LEAF_EXT_KEY_USAGE',
  tsaLeafKeySpec: 'TSA_LEAF_KEY_SPEC',
  chainEmpty: 'CHAIN_EMPTY',
  chainTooLong: 'CHAIN_TOO_LONG',
  chainInvalidSelfSigned: 'CHAIN_INVALID_SELF_SIGNED',
  chainInvalidRoot: 'CHAIN_INVALID_ROOT',
  chainSelfSignedLeaf: 'CHAIN_SELF_SIGNED_LEAF',
  chainSelfSignedIntermediate: 'CHAIN_SELF_SIGNED_INTERMEDIATE',
  chainNotIssuedBy: 'CHAIN_NOT_ISSUED_BY',
  signatureInvalid: 'CERT_SIGNATURE_INVALID',
} as const;
export type CertificateErrorCode = (typeof CertificateErrorCode)[keyof typeof CertificateErrorCode];

const C = CertificateErrorCode;

/** Which certificate profile a check applies: code signing or RFC 3161 time stamping. */
export type CertificatePurpose = 'codeSigning' | 'timestamping';

export interface CodeSigningRuleOptions {
  /**
   * Accept anyExtendedKeyUsage in a code-signing leaf, as notation-go does. The
   * spec forbids it and we follow the spec by default (checklist appendix item 2).
   */
  allowAnyExtendedKeyUsage?: boolean;
}

/** The fields the key usage checks read; a Certificate satisfies it. */
export interface KeyUsageView {
  readonly subject: string;
  readonly keyUsage: KeyUsage | undefined;
}

const q = goQuote;

/** Signing time must fall inside [notBefore, notAfter] (inclusive); no check without a time. */
export function validateSigningTime(cert: Certificate, signingTime?: Date): void {
  if (!signingTime) return;
  const t = signingTime.getTime();
  if (t < cert.notBefore.getTime() || t > cert.notAfter.getTime()) {
    throw new CertificateError(
      C.notValidAtSigningTime,
      `certificate with subject ${q(cert.subject)} was invalid at signing time of ${goTimeString(signingTime)}. ` +
        `Certificate is valid from [${goTimeString(cert.notBefore)}] to [${goTimeString(cert.notAfter)}]`,
    );
  }
}

/** Validity at a point in time, worded as Go's x509.Verify (used for TSA chains at genTime). */
export function validateValidAt(cert: Certificate, at?: Date): void {
  if (!at) return;
  const t = at.getTime();
  if (t < cert.notBefore.getTime()) {
    throw new CertificateError(
      C.notValidAtTime,
      `certificate with subject ${q(cert.subject)}: x509: certificate has expired or is not yet valid: current time ${goRFC3339(at)} is before ${goRFC3339(cert.notBefore)}`,
    );
  }
  if (t > cert.notAfter.getTime()) {
    throw new CertificateError(
      C.notValidAtTime,
      `certificate with subject ${q(cert.subject)}: x509: certificate has expired or is not yet valid: current time ${goRFC3339(at)} is after ${goRFC3339(cert.notAfter)}`,
    );
  }
}

/**
 * A CA certificate needs basicConstraints with cA=true, and a pathLen (when
 * present) of at least `expectedPathLen` (the number of CA certificates below it).
 */
export function validateCABasicConstraints(cert: Certificate, expectedPathLen: number): void {
  const bc = rethrowTyped(() => cert.basicConstraints);
  if (!bc || !bc.cA) {
    throw new CertificateError(C.caBasicConstraints, `certificate with subject ${q(cert.subject)}: ca field in basic constraints must be present, critical, and set to true`);
  }
  if (bc.pathLen !== undefined && bc.pathLen < expectedPathLen) {
    throw new CertificateError(
      C.caPathLength,
      `certificate with subject ${q(cert.subject)}: expected path length of ${expectedPathLen} but certificate has path length ${bc.pathLen} instead`,
    );
  }
}

/** A leaf's basicConstraints, if present, must say cA=false. */
export function validateLeafBasicConstraints(cert: Certificate, purpose: CertificatePurpose = 'codeSigning'): void {
  const bc = rethrowTyped(() => cert.basicConstraints);
  if (bc?.cA) {
    throw new CertificateError(
      purpose === 'codeSigning' ? C.leafBasicConstraints : C.tsaLeafBasicConstraints,
      `certificate with subject ${q(cert.subject)}: if the basic constraints extension is present, the ca field must be set to false`,
    );
  }
}

/** Key usage must be present, and for code signing also critical. */
export function validateKeyUsagePresent(cert: KeyUsageView, purpose: CertificatePurpose, code: string): void {
  const ku = rethrowTyped(() => cert.keyUsage);
  if (!ku) throw new CertificateError(code, `certificate with subject ${q(cert.subject)}: key usage extension must be present`);
  if (purpose === 'codeSigning' && !ku.critical) {
    throw new CertificateError(code, `certificate with subject ${q(cert.subject)}: key usage extension must be marked critical`);
  }
}

const FORBIDDEN_LEAF_USAGES: [number, string][] = [
  [KeyUsageBit.keyEncipherment, 'KeyEncipherment'],
  [KeyUsageBit.dataEncipherment, 'DataEncipherment'],
  [KeyUsageBit.keyAgreement, 'KeyAgreement'],
  [KeyUsageBit.keyCertSign, 'CertSign'],
  [KeyUsageBit.cRLSign, 'CRLSign'],
  [KeyUsageBit.encipherOnly, 'EncipherOnly'],
  [KeyUsageBit.decipherOnly, 'DecipherOnly'],
];

/** A leaf's key usage bits: digitalSignature set, none of the encipherment/CA bits. */
export function validateLeafKeyUsage(cert: KeyUsageView, code: string = C.leafKeyUsage): void {
  const bits = rethrowTyped(() => cert.keyUsage)?.bits ?? 0;
  if (!(bits & (1 << KeyUsageBit.digitalSignature))) {
    throw new CertificateError(code, `the certificate with subject ${q(cert.subject)} is invalid. The key usage must have the bit positions for "Digital Signature" set`);
  }
  const found = FORBIDDEN_LEAF_USAGES.filter(([bit]) => bits & (1 << bit)).map(([, name]) => `"${name}"`);
  if (found.length) {
    throw new CertificateError(code, `the certificate with subject ${q(cert.subject)} is invalid. The key usage must be "Digital Signature" only, but found ${found.join(', ')}`);
  }
}

/** Key usage of a code-signing leaf: present, critical, digitalSignature only. */
export function validateCodeSigningLeafKeyUsage(cert: KeyUsageView): void {
  validateKeyUsagePresent(cert, 'codeSigning', C.leafKeyUsage);
  validateLeafKeyUsage(cert, C.leafKeyUsage);
}

/** Key usage of a CA: present (critical for code signing) with keyCertSign. */
export function validateCAKeyUsage(cert: KeyUsageView, purpose: CertificatePurpose = 'codeSigning'): void {
  validateKeyUsagePresent(cert, purpose, C.caKeyUsage);
  const bits = rethrowTyped(() => cert.keyUsage)?.bits ?? 0;
  if (!(bits & (1 << KeyUsageBit.keyCertSign))) {
    throw new CertificateError(C.caKeyUsage, `certificate with subject ${q(cert.subject)}: key usage must have the bit positions for key cert sign set`);
  }
}

// Go's names for the EKUs it knows (ekuToString), in the order notation checks them.
const EXCLUDED_CODE_SIGNING_EKUS: [string, string][] = [
  [OID.ekuServerAuth, 'ServerAuth'],
  [OID.ekuClientAuth, 'ClientAuth'],
  [OID.ekuEmailProtection, 'EmailProtection'],
  [OID.ekuTimeStamping, 'Timestamping'],
  [OID.ekuOCSPSigning, 'OCSPSigning'],
];

/** A code-signing leaf's EKU, if present, must not name another purpose. codeSigning is allowed, not required. */
export function validateCodeSigningExtendedKeyUsage(cert: Certificate, opts: CodeSigningRuleOptions = {}): void {
  const eku: ExtKeyUsage | undefined = rethrowTyped(() => cert.extKeyUsage);
  if (!eku) return;
  const excluded = opts.allowAnyExtendedKeyUsage ? EXCLUDED_CODE_SIGNING_EKUS : [...EXCLUDED_CODE_SIGNING_EKUS, [OID.ekuAny, 'Any'] as [string, string]];
  for (const oid of eku.oids) {
    const hit = excluded.find(([o]) => o === oid);
    if (hit) {
      throw new CertificateError(C.leafExtKeyUsage, `certificate with subject ${q(cert.subject)}: extended key usage must not contain ${hit[1]} eku`);
    }
  }
}

/** A TSA leaf's EKU must be exactly [timeStamping] and critical (RFC 3161 2.3). */
export function validateTimestampingExtendedKeyUsage(cert: Certificate): void {
  const eku = rethrowTyped(() => cert.extKeyUsage);
  if (!eku || eku.oids.length !== 1 || eku.oids[0] !== OID.ekuTimeStamping) {
    throw new CertificateError(C.tsaLeafExtKeyUsage, `timestamp signing certificate with subject ${q(cert.subject)} must have and only have Timestamping as extended key usage`);
  }
  if (!eku.critical) {
    throw new CertificateError(C.tsaLeafExtKeyUsage, `timestamp signing certificate with subject ${q(cert.subject)} must have extended key usage extension marked as critical`);
  }
}

/**
 * The key spec of a certificate's public key (one of the six Notary specs), or
 * the Go error text naming why it is not one.
 */
export function keySpecOf(cert: Certificate): { keySpec: KeySpec } | { error: string } {
  let key;
  try {
    key = cert.publicKey;
  } catch {
    return { error: 'unsupported public key type' };
  }
  const details = keyDetails(key);
  if (key.asymmetricKeyType === 'rsa') {
    // Go measures the modulus in whole bytes (key.Size() << 3).
    const bits = Math.ceil((details.modulusLength ?? 0) / 8) * 8;
    if (bits === 2048 || bits === 3072 || bits === 4096) return { keySpec: `RSA-${bits}` as KeySpec };
    return { error: `rsa key size ${bits} bits is not supported` };
  }
  if (key.asymmetricKeyType === 'ec') {
    const bits = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp224r1: 224 }[details.namedCurve ?? ''];
    if (bits === 256 || bits === 384 || bits === 521) return { keySpec: `EC-${bits}` as KeySpec };
    if (bits) return { error: `ecdsa key size ${bits} bits is not supported` };
  }
  return { error: 'unsupported public key type' };
}

/** A leaf's public key must be one of the six key specs. */
export function validateLeafKeySpec(cert: Certificate, purpose: CertificatePurpose = 'codeSigning'): KeySpec {
  const r = keySpecOf(cert);
  if ('error' in r) {
    throw new CertificateError(purpose === 'codeSigning' ? C.leafKeySpec : C.tsaLeafKeySpec, `certificate with subject ${q(cert.subject)}: ${r.error}`);
  }
  return r.keySpec;
}

/** All Notary rules for a code-signing leaf (not validity, not chain shape). */
export function validateCodeSigningLeafCertificate(cert: Certificate, opts: CodeSigningRuleOptions = {}): void {
  rethrowTyped(() => {
    validateLeafBasicConstraints(cert, 'codeSigning');
    validateCodeSigningLeafKeyUsage(cert);
    validateCodeSigningExtendedKeyUsage(cert, opts);
    validateLeafKeySpec(cert, 'codeSigning');
  });
}

/** All Notary rules for a code-signing CA at `expectedPathLen` CA certificates above the leaf's issuer. */
export function validateCodeSigningCACertificate(cert: Certificate, expectedPathLen: number): void {
  rethrowTyped(() => {
    validateCABasicConstraints(cert, expectedPathLen);
    validateCAKeyUsage(cert, 'codeSigning');
  });
}

/** All Notary rules for a TSA leaf. */
export function validateTimestampingLeafCertificate(cert: Certificate): void {
  rethrowTyped(() => {
    validateLeafBasicConstraints(cert, 'timestamping');
    validateKeyUsagePresent(cert, 'timestamping', C.tsaLeafKeyUsage);
    validateLeafKeyUsage(cert, C.tsaLeafKeyUsage);
    validateTimestampingExtendedKeyUsage(cert);
    validateLeafKeySpec(cert, 'timestamping');
  });
}

/** All Notary rules for a TSA CA. */
export function validateTimestampingCACertificate(cert: Certificate, expectedPathLen: number): void {
  rethrowTyped(() => {
    validateCABasicConstraints(cert, expectedPathLen);
    validateCAKeyUsage(cert, 'timestamping');
  });
}

/** Any non-Notary error escaping a check (an extension or name that fails to decode, say) becomes a typed one. */
export function rethrowTyped<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CertificateError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new CertificateError(C.malformed, `malformed certificate: ${msg}`, { cause: e });
  }
}
