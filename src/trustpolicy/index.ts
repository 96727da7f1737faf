/** Trust policy documents: parsing, validation, selection, levels and identities (checklist 4.2-4.7). */
export * from './types.js';
export { TP as TRUST_POLICY_ERROR, type TrustPolicyErrorCode } from './codes.js';
export { parseOciTrustPolicy, parseBlobTrustPolicy, type ParseOptions } from './parse.js';
export { checkShape, MAX_POLICY_BYTES, MAX_STATEMENTS, MAX_LIST_ENTRIES, MAX_TRUSTED_IDENTITIES, type PolicyKind } from './shape.js';
export {
  validateOciTrustPolicy,
  validateBlobTrustPolicy,
  validateTrustPolicyStatement,
  validateTrustStoreValues,
  validateTrustedIdentities,
  validateRegistryScopeFormat,
  validateNamedStoreName,
  isValidTrustStoreName,
  type TrustPolicyValidationOptions,
} from './validate.js';
export { resolveVerificationLevel, LEVEL_STRICT, LEVEL_PERMISSIVE, LEVEL_AUDIT, LEVEL_SKIP, VERIFICATION_LEVELS } from './level.js';
export { getApplicableOciPolicy, getApplicableBlobPolicy, getGlobalBlobPolicy, artifactPathFromReference } from './select.js';
export { verifyX509TrustedIdentities } from './identity.js';
export {
  loadOciTrustPolicy,
  loadBlobTrustPolicy,
  readTrustPolicyFile,
  OCI_TRUST_POLICY_FILE,
  LEGACY_TRUST_POLICY_FILE,
  BLOB_TRUST_POLICY_FILE,
} from './load.js';
export { parseDistinguishedName, isSubsetDN, matchTrustedIdentities, DN_ERROR } from '../x509/dn.js';
