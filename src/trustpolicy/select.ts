/**
 * Which statement applies (checklist 4.3, 4.6), as notation-go's
 * GetApplicableTrustPolicy / GetGlobalTrustPolicy. Failures are
 * NoApplicableTrustPolicyError, as notation's verifier wraps them.
 */
import { NoApplicableTrustPolicyError } from '../errors.js';
import { goQuote } from '../x509/dn.js';
import { TP } from './codes.js';
import { validateRegistryScopeFormat } from './validate.js';
import {
  TRUST_POLICY_LINK,
  WILDCARD,
  type BlobTrustPolicyDocument,
  type BlobTrustPolicyStatement,
  type OciTrustPolicyDocument,
  type OciTrustPolicyStatement,
  type TrustPolicyStatement,
} from './types.js';

/** Deep copy, so callers cannot change the document through the result. */
function clone<T extends TrustPolicyStatement>(s: T): T {
  const sv = s.signatureVerification ?? { level: '' };
  const out: TrustPolicyStatement = {
    name: s.name,
    signatureVerification: { ...sv, ...(sv.override ? { override: { ...sv.override } } : {}) },
    trustStores: [...(s.trustStores ?? [])],
    trustedIdentities: [...(s.trustedIdentities ?? [])],
  };
  if (s.registryScopes) out.registryScopes = [...s.registryScopes];
  if (s.globalPolicy !== undefined) out.globalPolicy = s.globalPolicy;
  return out as T;
}

/**
 * The repository part of `<repository>@<digest>` (before the last `@`), checked
 * like a registry scope. Throws NoApplicableTrustPolicyError INVALID_ARTIFACT_REFERENCE.
 */
export function artifactPathFromReference(artifactReference: string): string {
  // A pure function of the string: verifying many signatures of one artifact (or
  // many verifiers in one process) repeats the same references.
  const known = validPaths.get(artifactReference);
  if (known !== undefined) return known;
  const path = parseArtifactPath(artifactReference);
  if (artifactReference.length > 2048) return path; // not worth keeping
  if (validPaths.size >= 1024) validPaths.delete(validPaths.keys().next().value as string);
  validPaths.set(artifactReference, path);
  return path;
}
/** Successful parses only (errors are built again, with their own stack, each time). */
const validPaths = new Map<string, string>();

function parseArtifactPath(artifactReference: string): string {
  const i = artifactReference.lastIndexOf('@');
  if (i < 0) {
    throw new NoApplicableTrustPolicyError(
      TP.INVALID_ARTIFACT_REFERENCE,
      `artifact URI ${goQuote(artifactReference)} could not be parsed, make sure it is the fully qualified oci artifact URI without the scheme/protocol. e.g domain.com:80/my/repository@sha256:digest`,
    );
  }
  const path = artifactReference.slice(0, i);
  try {
    validateRegistryScopeFormat(path);
  } catch (e) {
    throw new NoApplicableTrustPolicyError(TP.INVALID_ARTIFACT_REFERENCE, (e as Error).message, { cause: e });
  }
  return path;
}

/**
 * The statement whose registryScopes contain the artifact's repository exactly,
 * else the `*` statement, else NoApplicableTrustPolicyError NO_APPLICABLE_TRUST_POLICY.
 */
export function getApplicableOciPolicy(doc: OciTrustPolicyDocument, artifactReference: string): OciTrustPolicyStatement {
  const path = artifactPathFromReference(artifactReference);
  let wildcard: OciTrustPolicyStatement | undefined;
  let exact: OciTrustPolicyStatement | undefined;
  // Later statements win, as in REF (a validated document has no duplicates anyway).
  for (const st of doc?.trustPolicies ?? []) {
    const scopes = st?.registryScopes ?? [];
    if (scopes.includes(WILDCARD)) wildcard = st;
    else if (scopes.includes(path)) exact = st;
  }
  const found = exact ?? wildcard;
  if (!found) {
    throw new NoApplicableTrustPolicyError(
      TP.NO_APPLICABLE_POLICY,
      `artifact ${goQuote(artifactReference)} has no applicable oci trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: ${TRUST_POLICY_LINK}`,
    );
  }
  return clone(found);
}

/**
 * The blob statement named `policyName`; with `policyName` undefined, the global
 * statement (as `notation blob verify` without `--policy-name`). A given but
 * blank name is an error, as in REF.
 */
export function getApplicableBlobPolicy(doc: BlobTrustPolicyDocument, policyName?: string): BlobTrustPolicyStatement {
  if (policyName === undefined || policyName === null) return getGlobalBlobPolicy(doc);
  if (policyName.trim() === '') {
    throw new NoApplicableTrustPolicyError(TP.EMPTY_POLICY_NAME, 'policy name cannot be empty');
  }
  const st = (doc?.trustPolicies ?? []).find((s) => s?.name === policyName);
  if (!st) {
    throw new NoApplicableTrustPolicyError(TP.NO_BLOB_POLICY_WITH_NAME, `no applicable blob trust policy with name ${goQuote(policyName)}`);
  }
  return clone(st);
}

/** The statement with `globalPolicy: true`, else NoApplicableTrustPolicyError NO_GLOBAL_BLOB_TRUST_POLICY. */
export function getGlobalBlobPolicy(doc: BlobTrustPolicyDocument): BlobTrustPolicyStatement {
  const st = (doc?.trustPolicies ?? []).find((s) => s?.globalPolicy === true);
  if (!st) throw new NoApplicableTrustPolicyError(TP.NO_GLOBAL_BLOB_POLICY, 'no global blob trust policy');
  return clone(st);
}
