/**
 * Conformance adapters for trust policy documents, levels, selection and
 * trusted identities (categories trustpolicy-validation, trustpolicy-scope-match,
 * trusted-identity-match; the verify-* operations live in verifier.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepEqual, invalid, type Adapter, type AdapterResult, type Case } from '../framework.js';
import { TP } from '../../../src/trustpolicy/codes.js';
import {
  getApplicableBlobPolicy,
  getApplicableOciPolicy,
  getGlobalBlobPolicy,
  loadOciTrustPolicy,
  parseBlobTrustPolicy,
  parseOciTrustPolicy,
  resolveVerificationLevel,
  validateNamedStoreName,
  validateTrustPolicyStatement,
  validateTrustStoreValues,
  validateTrustedIdentities,
  verifyX509TrustedIdentities,
} from '../../../src/trustpolicy/index.js';
import { DN_ERROR, isSubsetDN, parseDistinguishedName } from '../../../src/x509/dn.js';
import { parseCertificates } from '../../../src/x509/certificate.js';

const MALFORMED = 'malformed policy: ';

/** Our codes -> the corpus error-kind vocabulary. */
export const errorKinds: Record<string, string> = {
  [TP.NOT_PRESENT]: 'trust policy not found',
  [TP.NOT_REGULAR_FILE]: 'trust policy not a regular file',
  [TP.UNREADABLE]: 'trust policy unreadable',
  [TP.MALFORMED]: MALFORMED + 'invalid JSON',
  [TP.LIMIT_EXCEEDED]: MALFORMED + 'too large',
  [TP.NIL_DOCUMENT]: MALFORMED + 'nil document',
  [TP.EMPTY_VERSION]: MALFORMED + 'empty version',
  [TP.UNSUPPORTED_VERSION]: MALFORMED + 'unsupported version',
  [TP.NO_STATEMENTS]: MALFORMED + 'no statements',
  [TP.DUPLICATE_STATEMENT_NAME]: MALFORMED + 'duplicate statement name',
  [TP.STATEMENT_WITHOUT_NAME]: MALFORMED + 'statement without name',
  [TP.MISSING_LEVEL]: MALFORMED + 'missing verification level',
  [TP.INVALID_LEVEL]: MALFORMED + 'invalid verification level',
  [TP.OVERRIDE_ON_SKIP]: MALFORMED + 'invalid override',
  [TP.OVERRIDE_UNKNOWN_TYPE]: MALFORMED + 'invalid override',
  [TP.OVERRIDE_UNKNOWN_ACTION]: MALFORMED + 'invalid override',
  [TP.OVERRIDE_INTEGRITY]: MALFORMED + 'invalid override',
  [TP.OVERRIDE_SKIP_NOT_ALLOWED]: MALFORMED + 'invalid override',
  [TP.OVERRIDE_UNKNOWN_BASE_LEVEL]: MALFORMED + 'invalid override',
  [TP.INVALID_VERIFY_TIMESTAMP]: MALFORMED + 'invalid verifyTimestamp',
  [TP.SKIP_WITH_STORES_OR_IDENTITIES]: MALFORMED + 'skip with trust stores or identities',
  [TP.MISSING_STORES_OR_IDENTITIES]: MALFORMED + 'missing trust stores or identities',
  [TP.STORE_MISSING_SEPARATOR]: MALFORMED + 'trust store value missing separator',
  [TP.UNSUPPORTED_STORE_TYPE]: MALFORMED + 'unsupported trust store type',
  [TP.INVALID_STORE_NAME]: MALFORMED + 'invalid trust store name',
  [TP.WILDCARD_IDENTITY_WITH_OTHERS]: MALFORMED + 'wildcard identity combined with other identities',
  [TP.EMPTY_IDENTITY]: MALFORMED + 'empty trusted identity',
  [TP.IDENTITY_MISSING_SEPARATOR]: MALFORMED + 'trusted identity missing separator',
  [TP.IDENTITY_WITHOUT_VALUE]: MALFORMED + 'trusted identity without value',
  [TP.INVALID_IDENTITY_DN]: MALFORMED + 'invalid distinguished name',
  [TP.OVERLAPPING_IDENTITIES]: MALFORMED + 'overlapping identities',
  [TP.NO_REGISTRY_SCOPES]: MALFORMED + 'no registry scopes',
  [TP.WILDCARD_SCOPE_WITH_OTHERS]: MALFORMED + 'wildcard scope combined with other scopes',
  [TP.INVALID_REGISTRY_SCOPE]: MALFORMED + 'invalid registry scope',
  [TP.WILDCARD_IN_REGISTRY_SCOPE]: MALFORMED + 'invalid registry scope',
  [TP.DUPLICATE_REGISTRY_SCOPE]: MALFORMED + 'duplicate scope',
  [TP.MULTIPLE_GLOBAL_POLICIES]: MALFORMED + 'multiple global policies',
  [TP.GLOBAL_POLICY_SKIP]: MALFORMED + 'global policy with skip',
  [TP.SKIP_ON_WILDCARD_SCOPE]: MALFORMED + 'skip on wildcard scope',
  [TP.NO_APPLICABLE_POLICY]: 'no applicable trust policy',
  [TP.INVALID_ARTIFACT_REFERENCE]: 'invalid artifact reference or no applicable trust policy',
  [TP.EMPTY_POLICY_NAME]: 'no applicable trust policy',
  [TP.NO_BLOB_POLICY_WITH_NAME]: 'no applicable trust policy',
  [TP.NO_GLOBAL_BLOB_POLICY]: 'no applicable trust policy',
  [TP.IDENTITY_MISMATCH]: 'trusted identity mismatch',
  [TP.NO_X509_IDENTITIES]: 'trusted identity mismatch',
  [TP.LEAF_SUBJECT_UNPARSABLE]: 'trusted identity mismatch',
  [TP.IDENTITY_DN_INVALID_AT_VERIFY]: 'trusted identity mismatch',
  [TP.INVALID_NAMED_STORE_NAME]: 'invalid trust store name',
  [DN_ERROR.HEX_VALUE]: 'invalid distinguished name',
  [DN_ERROR.PARSE]: 'invalid distinguished name',
  [DN_ERROR.MULTI_VALUED_RDN]: 'invalid distinguished name',
  [DN_ERROR.DUPLICATE_ATTRIBUTE]: 'invalid distinguished name',
  [DN_ERROR.MISSING_MANDATORY]: 'invalid distinguished name',
};

/** Runs `f`; a thrown error becomes an invalid result, success a valid one (plus optional checks). */
function attempt(f: () => string | undefined | void): AdapterResult {
  try {
    const mismatch = f();
    return mismatch ? { outcome: 'valid', mismatch } : { outcome: 'valid' };
  } catch (e) {
    return invalid(e);
  }
}

function expectSelected(c: Case, name: string): string | undefined {
  const want = c.expected.selectedPolicy;
  return want !== undefined && want !== name ? `selected "${name}", expected "${want}"` : undefined;
}

export const adapters: Record<string, Adapter> = {
  'validate-oci-trust-policy': (c, ctx) => attempt(() => void parseOciTrustPolicy(ctx.read(c.inputs.trustPolicy), c.inputs.trustPolicy)),

  'validate-blob-trust-policy': (c, ctx) => attempt(() => void parseBlobTrustPolicy(ctx.read(c.inputs.trustPolicy), c.inputs.trustPolicy)),

  'validate-trust-policy-statement': (c, ctx) =>
    attempt(() => {
      const doc = parseOciTrustPolicy(
        JSON.stringify({ version: '1.0', trustPolicies: [JSON.parse(ctx.read(c.inputs.statement).toString('utf8'))] }),
        c.inputs.statement,
        { validate: false },
      );
      validateTrustPolicyStatement(doc.trustPolicies[0]);
    }),

  'validate-trust-store-values': (c) => attempt(() => validateTrustStoreValues(c.params.trustPolicyName, c.params.trustStores)),

  'validate-trusted-identities': (c) => attempt(() => validateTrustedIdentities(c.params.trustPolicyName, c.params.trustedIdentities)),

  'validate-named-store-name': (c) => attempt(() => validateNamedStoreName(c.params.storeType, c.params.storeName)),

  'load-trust-policy': (c, ctx) => {
    // Exercise the real loader: place the file in a scratch config dir.
    const dir = mkdtempSync(join(tmpdir(), 'notation-ts-tp-'));
    try {
      writeFileSync(join(dir, 'trustpolicy.oci.json'), ctx.read(c.inputs.trustPolicy));
      return attempt(() => void loadOciTrustPolicy(dir, { validate: false }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },

  'resolve-verification-level': (c) =>
    attempt(() => {
      const level = resolveVerificationLevel(c.params.signatureVerification);
      if (c.expected.actions && !deepEqual(level.enforcement, c.expected.actions)) {
        return `actions ${JSON.stringify(level.enforcement)} != ${JSON.stringify(c.expected.actions)}`;
      }
    }),

  'select-oci-trust-policy': (c, ctx) =>
    attempt(() => {
      const doc = parseOciTrustPolicy(ctx.read(c.inputs.trustPolicy), c.inputs.trustPolicy, { validate: false });
      return expectSelected(c, getApplicableOciPolicy(doc, c.params.artifactReference).name);
    }),

  'select-blob-trust-policy': (c, ctx) =>
    attempt(() => {
      const doc = parseBlobTrustPolicy(ctx.read(c.inputs.trustPolicy), c.inputs.trustPolicy, { validate: false });
      return expectSelected(c, getApplicableBlobPolicy(doc, c.params.policyName ?? undefined).name);
    }),

  'select-blob-global-trust-policy': (c, ctx) =>
    attempt(() => {
      const doc = parseBlobTrustPolicy(ctx.read(c.inputs.trustPolicy), c.inputs.trustPolicy, { validate: false });
      return expectSelected(c, getGlobalBlobPolicy(doc).name);
    }),

  'parse-distinguished-name': (c) => attempt(() => void parseDistinguishedName(c.params.dn)),

  'is-subset-dn': (c) =>
    attempt(() => {
      const toMap = (o: Record<string, string>) => new Map(Object.entries(o));
      const result = isSubsetDN(toMap(c.params.dn1), toMap(c.params.dn2));
      if (c.expected.result !== undefined && result !== c.expected.result) return `isSubsetDN returned ${result}, expected ${c.expected.result}`;
    }),

  'match-trusted-identities': (c, ctx) =>
    attempt(() => {
      const chain = (c.inputs.certificateChain as string[]).flatMap((p) => parseCertificates(ctx.read(p), p));
      verifyX509TrustedIdentities(c.params.trustPolicyName, c.params.trustedIdentities, chain[0]);
    }),
};
