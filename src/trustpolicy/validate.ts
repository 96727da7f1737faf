/**
 * Semantic validation of trust policy documents (checklist 4.3-4.7), in
 * notation-go's order and with its messages, each failure with a stable code
 * (codes.ts). Two spec rules REF never enforces are enforced here by default
 * (checklist appendix 4): `skip` on the `*` scope and `skip` on the global blob
 * statement. notation accepts both, so we do too by default (its signatures and
 * recorded outcomes must replay); `allowSkipOnWildcardAndGlobal: false` is the spec-strict mode.
 */
import { TrustPolicyError } from '../errors.js';
import { goQuote, isSubsetDN, parseDistinguishedName } from '../x509/dn.js';
import { TP } from './codes.js';
import { resolveVerificationLevel } from './level.js';
import { checkShape, MAX_TRUSTED_IDENTITIES } from './shape.js';
import {
  SUPPORTED_POLICY_VERSIONS,
  TIMESTAMP_AFTER_CERT_EXPIRY,
  TIMESTAMP_ALWAYS,
  TRUST_STORE_TYPES,
  WILDCARD,
  X509_SUBJECT,
  type BlobTrustPolicyDocument,
  type OciTrustPolicyDocument,
  type SignatureVerification,
} from './types.js';
import { x509SubjectOf } from './identity.js';

export interface TrustPolicyValidationOptions {
  /**
   * Accept `skip` on the `*` registry scope and on the global blob statement, as
   * notation does (the spec forbids both). Default false.
   */
  allowSkipOnWildcardAndGlobal?: boolean;
}

const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;

/** Whether a named store name is valid (`^[a-zA-Z0-9_.-]+$`). */
export function isValidTrustStoreName(name: string): boolean {
  return STORE_NAME.test(name);
}

/**
 * Checks a store type and name given outside a policy (notation `cert add|show|delete`).
 * Throws TRUST_STORE_INVALID_NAME / TRUST_POLICY_UNSUPPORTED_STORE_TYPE.
 */
export function validateNamedStoreName(storeType: string, storeName: string): void {
  if (!TRUST_STORE_TYPES.includes(storeType)) {
    throw new TrustPolicyError(TP.UNSUPPORTED_STORE_TYPE, `unsupported store type: ${storeType}`);
  }
  if (!isValidTrustStoreName(storeName)) {
    throw new TrustPolicyError(TP.INVALID_NAMED_STORE_NAME, 'named store name needs to follow [a-zA-Z0-9_.-]+ format');
  }
}

/** Rethrows a statement error with the document prefix, keeping its code. */
function prefixed(prefix: string, e: unknown): unknown {
  if (e instanceof TrustPolicyError) {
    const out = new TrustPolicyError(e.code, prefix + e.message, { cause: e.cause });
    return out;
  }
  return e;
}

const list = (v: readonly string[] | null | undefined): readonly string[] => v ?? [];

/**
 * Validates one statement's name, signatureVerification, trust stores and
 * identities (REF validatePolicyCore); messages carry no document prefix.
 */
export function validateTrustPolicyStatement(statement: {
  name: string;
  signatureVerification: SignatureVerification;
  trustStores?: readonly string[] | null;
  trustedIdentities?: readonly string[] | null;
}): void {
  const name = statement?.name ?? '';
  if (name === '') {
    throw new TrustPolicyError(TP.STATEMENT_WITHOUT_NAME, 'a trust policy statement is missing a name, every statement requires a name');
  }
  const sv: SignatureVerification = statement.signatureVerification ?? { level: '' };
  let levelName: string;
  try {
    levelName = resolveVerificationLevel(sv).name;
  } catch (e) {
    throw prefixed(`trust policy statement ${goQuote(name)} has invalid signatureVerification: `, e);
  }
  const vt = sv.verifyTimestamp ?? '';
  if (vt !== '' && vt !== TIMESTAMP_ALWAYS && vt !== TIMESTAMP_AFTER_CERT_EXPIRY) {
    throw new TrustPolicyError(
      TP.INVALID_VERIFY_TIMESTAMP,
      `trust policy statement ${goQuote(name)} has invalid signatureVerification: verifyTimestamp must be ${goQuote(TIMESTAMP_ALWAYS)} or ${goQuote(TIMESTAMP_AFTER_CERT_EXPIRY)}, but got ${goQuote(vt)}`,
    );
  }
  const stores = list(statement.trustStores);
  const identities = list(statement.trustedIdentities);
  if (levelName === 'skip') {
    if (stores.length > 0 || identities.length > 0) {
      throw new TrustPolicyError(
        TP.SKIP_WITH_STORES_OR_IDENTITIES,
        `trust policy statement ${goQuote(name)} is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped`,
      );
    }
    return;
  }
  if (stores.length === 0 || identities.length === 0) {
    throw new TrustPolicyError(
      TP.MISSING_STORES_OR_IDENTITIES,
      `trust policy statement ${goQuote(name)} is either missing trust stores or trusted identities, both must be specified`,
    );
  }
  validateTrustStoreValues(name, stores);
  validateTrustedIdentities(name, identities);
}

/** Validates `type:name` trust store values of a statement (REF validateTrustStore). */
export function validateTrustStoreValues(policyName: string, trustStores: readonly string[]): void {
  for (const value of trustStores) {
    const i = value.indexOf(':');
    if (i < 0) {
      throw new TrustPolicyError(
        TP.STORE_MISSING_SEPARATOR,
        `trust policy statement ${goQuote(policyName)} has malformed trust store value ${goQuote(value)}. The required format is <TrustStoreType>:<TrustStoreName>`,
      );
    }
    const type = value.slice(0, i);
    const store = value.slice(i + 1);
    if (!TRUST_STORE_TYPES.includes(type)) {
      throw new TrustPolicyError(
        TP.UNSUPPORTED_STORE_TYPE,
        `trust policy statement ${goQuote(policyName)} uses an unsupported trust store type ${goQuote(type)} in trust store value ${goQuote(value)}`,
      );
    }
    if (!isValidTrustStoreName(store)) {
      throw new TrustPolicyError(
        TP.INVALID_STORE_NAME,
        `trust policy statement ${goQuote(policyName)} uses an unsupported trust store name ${goQuote(store)} in trust store value ${goQuote(value)}. Named store name needs to follow [a-zA-Z0-9_.-]+ format`,
      );
    }
  }
}

/**
 * Validates trusted identities (REF validateTrustedIdentities): `*` alone, every
 * entry `prefix:value`, `x509.subject` values parse as DNs, and no x509 identity
 * is a subset of another (duplicates included).
 */
export function validateTrustedIdentities(policyName: string, identities: readonly string[]): void {
  if (identities.length > MAX_TRUSTED_IDENTITIES) {
    throw new TrustPolicyError(TP.LIMIT_EXCEEDED, `trust policy statement ${goQuote(policyName)} has more than ${MAX_TRUSTED_IDENTITIES} trusted identities`);
  }
  if (identities.length > 1 && identities.includes(WILDCARD)) {
    throw new TrustPolicyError(
      TP.WILDCARD_IDENTITY_WITH_OTHERS,
      `trust policy statement ${goQuote(policyName)} uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values`,
    );
  }
  const parsed: { raw: string; dn: Map<string, string> }[] = [];
  for (const identity of identities) {
    if (identity === '') {
      throw new TrustPolicyError(TP.EMPTY_IDENTITY, `trust policy statement ${goQuote(policyName)} has an empty trusted identity`);
    }
    if (identity === WILDCARD) continue;
    // Other prefixes are for plugins: accepted here, judged at verification time.
    const value = x509SubjectOf(policyName, identity);
    if (value === undefined) continue;
    try {
      parsed.push({ raw: identity, dn: parseDistinguishedName(value) });
    } catch (e) {
      throw new TrustPolicyError(
        TP.INVALID_IDENTITY_DN,
        `trust policy statement ${goQuote(policyName)} has trusted identity ${goQuote(identity)} with invalid identity value: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }
  for (let a = 0; a < parsed.length; a++) {
    for (let b = 0; b < parsed.length; b++) {
      if (a !== b && isSubsetDN(parsed[a].dn, parsed[b].dn)) {
        throw new TrustPolicyError(
          TP.OVERLAPPING_IDENTITIES,
          `trust policy statement ${goQuote(policyName)} has overlapping x509 trustedIdentities, ${goQuote(parsed[a].raw)} overlaps with ${goQuote(parsed[b].raw)}`,
        );
      }
    }
  }
}

// Domain and repository grammar as notation-go adapts them from distribution/reference.
const DOMAIN_RE = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?$/;
const REPOSITORY_RE = /^[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?(?:(?:\/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$/;
const SCOPE_HINT =
  'make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout';
/** Longest scope we run the regexes on; OCI repository names are capped far below this. */
const MAX_SCOPE_LENGTH = 4096;

/**
 * Checks one registry scope (not `*`): `host[:port]/repo/path`, no tag, digest,
 * scheme or embedded `*`. Throws TRUST_POLICY_INVALID_REGISTRY_SCOPE or
 * TRUST_POLICY_WILDCARD_IN_REGISTRY_SCOPE.
 */
export function validateRegistryScopeFormat(scope: string): void {
  if (scope.length > 1 && scope.includes('*')) {
    throw new TrustPolicyError(TP.WILDCARD_IN_REGISTRY_SCOPE, `registry scope ${goQuote(scope)} with wild card(s) is not valid, ${SCOPE_HINT}`);
  }
  const invalid = () => new TrustPolicyError(TP.INVALID_REGISTRY_SCOPE, `registry scope ${goQuote(scope)} is not valid, ${SCOPE_HINT}`);
  const i = scope.indexOf('/');
  if (i < 0 || scope.length > MAX_SCOPE_LENGTH) throw invalid();
  const domain = scope.slice(0, i);
  const repository = scope.slice(i + 1);
  if (domain === '' || repository === '' || !DOMAIN_RE.test(domain) || !REPOSITORY_RE.test(repository)) throw invalid();
}

function levelOf(sv: SignatureVerification | undefined): string {
  return sv?.level ?? '';
}

function checkDocumentHeader(doc: { version?: string; trustPolicies?: unknown[] | null } | null | undefined, label: 'oci' | 'blob'): void {
  if (doc === null || doc === undefined) {
    throw new TrustPolicyError(TP.NIL_DOCUMENT, `${label} trust policy document cannot be nil`);
  }
  checkShape(doc, label);
  const version = doc.version ?? '';
  if (version === '') {
    throw new TrustPolicyError(TP.EMPTY_VERSION, `${label} trust policy document has empty version, version must be specified`);
  }
  if (!SUPPORTED_POLICY_VERSIONS.includes(version)) {
    throw new TrustPolicyError(TP.UNSUPPORTED_VERSION, `${label} trust policy document uses unsupported version ${goQuote(version)}`);
  }
  if (!doc.trustPolicies || doc.trustPolicies.length === 0) {
    throw new TrustPolicyError(TP.NO_STATEMENTS, `${label} trust policy document can not have zero trust policy statements`);
  }
}

/**
 * The rules every statement of a document follows, in REF's order: a name not used
 * before, the statement's own rules (messages prefixed with the document kind), then
 * the document kind's `extra` rule.
 */
function checkStatements<S extends Parameters<typeof validateTrustPolicyStatement>[0]>(statements: S[], label: 'oci' | 'blob', extra?: (st: S) => void): void {
  const names = new Set<string>();
  for (const st of statements) {
    const name = st?.name ?? '';
    if (names.has(name)) {
      throw new TrustPolicyError(
        TP.DUPLICATE_STATEMENT_NAME,
        `multiple ${label} trust policy statements use the same name ${goQuote(name)}, statement names must be unique`,
      );
    }
    try {
      validateTrustPolicyStatement(st ?? { name: '', signatureVerification: { level: '' } });
    } catch (e) {
      throw prefixed(`${label} trust policy: `, e);
    }
    extra?.(st);
    names.add(name);
  }
}

/** Validates an OCI trust policy document; throws TrustPolicyError with a TP code. */
export function validateOciTrustPolicy(doc: OciTrustPolicyDocument, options: TrustPolicyValidationOptions = {}): void {
  checkDocumentHeader(doc, 'oci');
  checkStatements(doc.trustPolicies, 'oci');

  const count = new Map<string, number>();
  for (const st of doc.trustPolicies) {
    const scopes = list(st?.registryScopes);
    const stName = st?.name ?? '';
    if (scopes.length === 0) {
      throw new TrustPolicyError(
        TP.NO_REGISTRY_SCOPES,
        `oci trust policy statement ${goQuote(stName)} has zero registry scopes, it must specify registry scopes with at least one value`,
      );
    }
    if (scopes.length > 1 && scopes.includes(WILDCARD)) {
      throw new TrustPolicyError(
        TP.WILDCARD_SCOPE_WITH_OTHERS,
        `oci trust policy statement ${goQuote(stName)} uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values`,
      );
    }
    if (!(options.allowSkipOnWildcardAndGlobal ?? true) && scopes[0] === WILDCARD && levelOf(st?.signatureVerification) === 'skip') {
      throw new TrustPolicyError(
        TP.SKIP_ON_WILDCARD_SCOPE,
        `oci trust policy statement ${goQuote(stName)} uses wildcard registry scope '*' with verification level "skip", which would skip signature verification for every artifact; use "skip" only on specific registry scopes`,
      );
    }
    for (const scope of scopes) {
      if (scope !== WILDCARD) validateRegistryScopeFormat(scope);
      count.set(scope, (count.get(scope) ?? 0) + 1);
    }
  }
  for (const [scope, n] of count) {
    if (n > 1) {
      throw new TrustPolicyError(
        TP.DUPLICATE_REGISTRY_SCOPE,
        `registry scope ${goQuote(scope)} is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement`,
      );
    }
  }
}

/** Validates a blob trust policy document; throws TrustPolicyError with a TP code. */
export function validateBlobTrustPolicy(doc: BlobTrustPolicyDocument, options: TrustPolicyValidationOptions = {}): void {
  checkDocumentHeader(doc, 'blob');
  let foundGlobal = false;
  checkStatements(doc.trustPolicies, 'blob', (st) => {
    if (st?.globalPolicy) {
      if (foundGlobal) {
        throw new TrustPolicyError(
          TP.MULTIPLE_GLOBAL_POLICIES,
          'multiple blob trust policy statements have globalPolicy set to true. Only one trust policy statement can be marked as global policy',
        );
      }
      if (!(options.allowSkipOnWildcardAndGlobal ?? true) && levelOf(st.signatureVerification) === 'skip') {
        throw new TrustPolicyError(TP.GLOBAL_POLICY_SKIP, 'global blob trust policy statement cannot have verification level set to skip');
      }
      foundGlobal = true;
    }
  });
}
