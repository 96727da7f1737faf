/**
 * Trusted-identity check at verification time (part of authenticity), as
 * notation-go's verifyX509TrustedIdentities: `*` accepts every leaf; otherwise
 * some `x509.subject:` identity must be a subset of the leaf's subject (leaf only).
 */
import { TrustPolicyError, VerificationFailedError } from '../errors.js';
import type { Certificate } from '../x509/certificate.js';
import { goQuote, goQuoteDNList, isSubsetDN, parseDistinguishedName } from '../x509/dn.js';
import { TP } from './codes.js';
import { WILDCARD, X509_SUBJECT } from './types.js';

/**
 * Throws when the leaf does not satisfy the statement's trusted identities:
 * TRUST_POLICY_IDENTITY_MISSING_SEPARATOR / _IDENTITY_WITHOUT_VALUE (malformed
 * identity), TRUSTED_IDENTITY_INVALID_DN, NO_X509_TRUSTED_IDENTITIES,
 * LEAF_SUBJECT_UNPARSABLE or TRUSTED_IDENTITY_MISMATCH, with notation's messages.
 */
/**
 * The DN of an `x509.subject:` identity, undefined for other prefixes (plugin
 * identities); notation's errors for a missing separator or an empty value.
 */
export function x509SubjectOf(policyName: string, identity: string): string | undefined {
  const i = identity.indexOf(':');
  if (i < 0) {
    throw new TrustPolicyError(
      TP.IDENTITY_MISSING_SEPARATOR,
      `trust policy statement ${goQuote(policyName)} has trusted identity ${goQuote(identity)} missing separator`,
    );
  }
  if (identity.slice(0, i) !== X509_SUBJECT) return undefined;
  const value = identity.slice(i + 1);
  if (value === '') {
    throw new TrustPolicyError(
      TP.IDENTITY_WITHOUT_VALUE,
      `trust policy statement ${goQuote(policyName)} has trusted identity ${goQuote(identity)} without an identity value`,
    );
  }
  return value;
}

export function verifyX509TrustedIdentities(policyName: string, trustedIdentities: readonly string[], leaf: Certificate): void {
  if (trustedIdentities.includes(WILDCARD)) return;
  const identities: Map<string, string>[] = [];
  for (const identity of trustedIdentities) {
    const value = x509SubjectOf(policyName, identity);
    if (value === undefined) continue;
    try {
      identities.push(parseDistinguishedName(value));
    } catch (e) {
      // REF returns the DN error as is; the code says it happened while matching.
      throw new TrustPolicyError(TP.IDENTITY_DN_INVALID_AT_VERIFY, (e as Error).message, { cause: e });
    }
  }
  if (identities.length === 0) {
    throw new VerificationFailedError(TP.NO_X509_IDENTITIES, `no x509 trusted identities are configured in the trust policy ${goQuote(policyName)}`);
  }
  let leafDN: Map<string, string>;
  try {
    leafDN = parseDistinguishedName(leaf.subject);
  } catch (e) {
    throw new VerificationFailedError(
      TP.LEAF_SUBJECT_UNPARSABLE,
      `error while parsing the certificate subject from the digital signature. error : ${goQuote((e as Error).message)}`,
      { cause: e },
    );
  }
  if (identities.some((id) => isSubsetDN(id, leafDN))) return;
  throw new VerificationFailedError(
    TP.IDENTITY_MISMATCH,
    `signing certificate from the digital signature does not match the X.509 trusted identities ${goQuoteDNList(identities)} defined in the trust policy ${goQuote(policyName)}`,
  );
}
