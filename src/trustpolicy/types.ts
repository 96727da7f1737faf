/**
 * Trust policy document model (checklist 4.2), named after notation-go's
 * verifier/trustpolicy types so users find the familiar terms.
 */

/** `signatureVerification` of a statement. Strings are kept as written; validation judges them. */
export interface SignatureVerification {
  /** `strict`, `permissive`, `audit` or `skip`. */
  level: string;
  /** Validation type -> action (`enforce`, `log`, `skip`); turns the level into `custom`. */
  override?: Record<string, string>;
  /** `always` (default when absent) or `afterCertExpiry`. */
  verifyTimestamp?: string;
}

/** One statement, common to OCI and blob documents. */
export interface TrustPolicyStatement {
  name: string;
  /** OCI only: repositories (`host[:port]/path`) or `*`. */
  registryScopes?: string[];
  signatureVerification: SignatureVerification;
  /** `type:name` with type `ca`, `signingAuthority` or `tsa`. */
  trustStores: string[];
  /** `*`, `x509.subject:<DN>`, or `<prefix>:<value>` for plugins. */
  trustedIdentities: string[];
  /** Blob only: the statement used when no policy name is given. */
  globalPolicy?: boolean;
}

export interface OciTrustPolicyStatement extends TrustPolicyStatement {
  registryScopes: string[];
}

export type BlobTrustPolicyStatement = TrustPolicyStatement;

export interface OciTrustPolicyDocument {
  version: string;
  trustPolicies: OciTrustPolicyStatement[];
}

export interface BlobTrustPolicyDocument {
  version: string;
  trustPolicies: BlobTrustPolicyStatement[];
}

export type ValidationType = 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';
export type ValidationAction = 'enforce' | 'log' | 'skip';

/** The validation types in notation-go's order. */
export const VALIDATION_TYPES: readonly ValidationType[] = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'];
export const VALIDATION_ACTIONS: readonly ValidationAction[] = ['enforce', 'log', 'skip'];

/** A preset (`strict`, `permissive`, `audit`, `skip`) or `custom` when `override` was applied. */
export interface VerificationLevel {
  name: 'strict' | 'permissive' | 'audit' | 'skip' | 'custom';
  enforcement: Record<ValidationType, ValidationAction>;
}

export const TIMESTAMP_ALWAYS = 'always';
export const TIMESTAMP_AFTER_CERT_EXPIRY = 'afterCertExpiry';

export const SUPPORTED_POLICY_VERSIONS: readonly string[] = ['1.0'];

/** Trust store types a statement may name. */
export const TRUST_STORE_TYPES: readonly string[] = ['ca', 'signingAuthority', 'tsa'];

/** Link notation appends to policy-file errors. */
export const TRUST_POLICY_LINK = 'https://notaryproject.dev/docs/quickstart/#create-a-trust-policy';

export const WILDCARD = '*';
export const X509_SUBJECT = 'x509.subject';
