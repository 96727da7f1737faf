/**
 * `notation-ts policy explain`: which trust policy statement applies to an
 * artifact and why, and what each verification check will do under it.
 * Selection is src/trustpolicy's (the verifier's own), so the answer is the
 * statement `verify` will use; nothing is fetched and no signature is needed.
 */
import { join } from 'node:path';
import { NotationError, NoApplicableTrustPolicyError } from '../errors.js';
import {
  BLOB_TRUST_POLICY_FILE,
  LEGACY_TRUST_POLICY_FILE,
  OCI_TRUST_POLICY_FILE,
  TRUST_POLICY_ERROR as TP,
  VALIDATION_TYPES,
  artifactPathFromReference,
  getApplicableBlobPolicy,
  getApplicableOciPolicy,
  loadBlobTrustPolicy,
  loadOciTrustPolicy,
  readTrustPolicyFile,
  resolveVerificationLevel,
  validateTrustStoreValues,
  type TrustPolicyStatement,
  type ValidationAction,
  type ValidationType,
} from '../trustpolicy/index.js';
import { X509TrustStore, isValidStoreType, TrustStoreErrorCode, type TrustStoreProvider } from '../truststore/index.js';
import { goQuote } from '../x509/goformat.js';

export interface CheckExplanation {
  type: ValidationType;
  action: ValidationAction;
  /** What the action does with a failure of this check. */
  effect: string;
  /** What the check verifies under this statement. */
  description: string;
}

export interface TrustStoreStatus {
  /** As written in the statement, `type:name`. */
  value: string;
  type: string;
  name: string;
  exists: boolean;
  /** Certificates the store holds when it loads. */
  certificates?: number;
  /** Why the store cannot be used (missing, empty, bad certificate). */
  error?: { code: string; message: string };
}

export interface Explanation {
  kind: 'oci' | 'blob';
  /** OCI: the reference as given, and the repository part that selects the statement. */
  reference?: string;
  repository?: string;
  policyFile: string;
  statement: TrustPolicyStatement;
  /** exact: a registry scope equals the repository; wildcard: the `*` statement; name: --policy-name; global: the global blob statement. */
  match: { kind: 'exact' | 'wildcard' | 'name' | 'global'; value: string; reason: string };
  verificationLevel: { name: string; base: string; overrides: Partial<Record<ValidationType, ValidationAction>> };
  checks: CheckExplanation[];
  verifyTimestamp: string;
  trustStores: TrustStoreStatus[];
  trustedIdentities: string[];
  notes: string[];
}

const EFFECT: Record<ValidationAction, string> = {
  enforce: 'a failure fails verification',
  log: 'a failure is only logged as a warning; verification goes on',
  skip: 'not checked',
};

function hasTsaStore(st: TrustPolicyStatement): boolean {
  return (st.trustStores ?? []).some((s) => s.startsWith('tsa:'));
}

function describeCheck(type: ValidationType, st: TrustPolicyStatement): string {
  switch (type) {
    case 'integrity':
      return 'the envelope parses, its signature verifies with the signing certificate\'s key, and the certificate chain follows the Notary Project certificate rules';
    case 'authenticity':
      return 'the certificate chain ends in a certificate of the statement\'s ca or signingAuthority trust stores, and the signing certificate matches a trusted identity';
    case 'authenticTimestamp': {
      const vt = st.signatureVerification?.verifyTimestamp || 'always';
      if (!hasTsaStore(st)) {
        return 'no tsa trust store is configured, so timestamps are not used: every certificate of the signing chain must be valid at verification time (signingAuthority signatures: valid at their signing time)';
      }
      return vt === 'afterCertExpiry'
        ? 'while the signing chain is valid nothing more is needed; once a signing certificate has expired, the signature must carry an RFC 3161 timestamp that verifies against the tsa trust stores and lies within the chain\'s validity'
        : 'the signature must carry an RFC 3161 timestamp that verifies against the tsa trust stores, and the signing chain must have been valid at the timestamped time';
    }
    case 'expiry':
      return 'the signature\'s own expiry time (set with `sign --expiry`), if it has one, has not passed';
    case 'revocation':
      return 'no certificate of the signing chain is revoked (OCSP first, then CRL)';
  }
}

function storeStatus(value: string, provider: TrustStoreProvider): TrustStoreStatus | undefined {
  const i = value.indexOf(':');
  if (i < 0) return undefined;
  const type = value.slice(0, i);
  const name = value.slice(i + 1);
  try {
    validateTrustStoreValues('explain', [value]);
  } catch {
    return undefined;
  }
  if (!isValidStoreType(type)) return undefined;
  try {
    return { value, type, name, exists: true, certificates: provider.getCertificates(type, name).length };
  } catch (e) {
    if (!(e instanceof NotationError)) throw e;
    let message = e.message;
    if (e.cause instanceof NotationError && !message.includes(e.cause.message)) message += `: ${e.cause.message}`;
    return { value, type, name, exists: e.code !== TrustStoreErrorCode.notFound, error: { code: e.code, message } };
  }
}

function explainStatement(
  kind: 'oci' | 'blob',
  st: TrustPolicyStatement,
  policyFile: string,
  match: Explanation['match'],
  provider: TrustStoreProvider,
  notes: string[],
): Explanation {
  const level = resolveVerificationLevel(st.signatureVerification);
  const checks = VALIDATION_TYPES.map((type) => ({
    type,
    action: level.enforcement[type],
    effect: EFFECT[level.enforcement[type]],
    description: describeCheck(type, st),
  }));
  if (level.name === 'skip') notes.push('verification level "skip": no signature is needed and none is checked for artifacts this statement covers');
  const trustStores = (st.trustStores ?? []).map((v) => storeStatus(v, provider)).filter((s): s is TrustStoreStatus => s !== undefined);
  for (const s of trustStores) {
    if (!s.error) continue;
    const check = s.type === 'tsa' ? 'authenticTimestamp' : 'authenticity';
    notes.push(`trust store ${goQuote(s.value)} cannot be used, so the ${check} check will fail (${EFFECT[level.enforcement[check]]})`);
  }
  const ids = st.trustedIdentities ?? [];
  if (ids.includes('*')) notes.push('trusted identity "*": any signing certificate whose chain the trust stores trust is accepted');
  return {
    kind,
    policyFile,
    statement: st,
    match,
    verificationLevel: { name: level.name, base: st.signatureVerification.level, overrides: { ...(st.signatureVerification.override ?? {}) } as Explanation['verificationLevel']['overrides'] },
    checks,
    verifyTimestamp: st.signatureVerification.verifyTimestamp || 'always',
    trustStores,
    trustedIdentities: [...ids],
    notes,
  };
}

function withLintHint(e: unknown): unknown {
  if (e instanceof NotationError && e.code !== TP.NOT_PRESENT) {
    return new (e.constructor as typeof NotationError)(e.code, `${e.message}\n(run \`notation-ts policy lint\` to list every problem of the trust policy files)`, { cause: e.cause });
  }
  return e;
}

function ociPolicyFile(configDir: string): string {
  const p = join(configDir, OCI_TRUST_POLICY_FILE);
  try {
    readTrustPolicyFile(p);
    return p;
  } catch (e) {
    return (e as NotationError).code === TP.NOT_PRESENT ? join(configDir, LEGACY_TRUST_POLICY_FILE) : p;
  }
}

/** The repository part of an OCI reference given with a digest, a tag, or neither. */
export function repositoryOf(reference: string): { repository: string; digest?: string; tag?: string } {
  const at = reference.lastIndexOf('@');
  if (at >= 0) return { repository: reference.slice(0, at), digest: reference.slice(at + 1) };
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  if (colon > slash && slash >= 0) return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repository: reference };
}

/** Explains the OCI statement that applies to `reference` (`repo@digest`, `repo:tag` or `repo`). */
export function explainOci(configDir: string, reference: string, opts: { trustStore?: TrustStoreProvider } = {}): Explanation {
  let doc;
  try {
    doc = loadOciTrustPolicy(configDir);
  } catch (e) {
    throw withLintHint(e);
  }
  const { repository, digest, tag } = repositoryOf(reference);
  const notes: string[] = [];
  if (tag !== undefined) notes.push(`tag ${goQuote(tag)}: \`verify\` resolves it to a digest first; sign and verify by digest, tags are mutable`);
  if (digest === undefined && tag === undefined) notes.push('no tag or digest given: only the repository part selects the statement');
  // Same selection code as `verify`; a digest-less reference gets a stand-in digest.
  const full = digest !== undefined ? reference : `${repository}@sha256:${'0'.repeat(64)}`;
  artifactPathFromReference(full); // throws notation's invalid-reference error
  let st;
  try {
    st = getApplicableOciPolicy(doc, full);
  } catch (e) {
    if (e instanceof NoApplicableTrustPolicyError && e.code === TP.NO_APPLICABLE_POLICY && digest === undefined) {
      throw new NoApplicableTrustPolicyError(
        e.code,
        `repository ${goQuote(repository)} has no applicable oci trust policy statement: no statement lists it in registryScopes and there is no "*" statement`,
      );
    }
    throw e;
  }
  const exact = st.registryScopes.includes(repository);
  const match: Explanation['match'] = exact
    ? { kind: 'exact', value: repository, reason: `registry scope ${goQuote(repository)} equals the repository (an exact scope wins over "*")` }
    : { kind: 'wildcard', value: '*', reason: `no statement lists ${goQuote(repository)} in registryScopes, so the "*" statement applies` };
  for (const other of doc.trustPolicies) {
    for (const scope of other.registryScopes ?? []) {
      if (scope !== '*' && scope !== repository && (repository.startsWith(scope + '/') || scope.startsWith(repository + '/'))) {
        notes.push(`registry scope ${goQuote(scope)} of statement ${goQuote(other.name)} does not cover ${goQuote(repository)}: scopes match whole repository names, never prefixes`);
      }
    }
  }
  const ex = explainStatement('oci', st, ociPolicyFile(configDir), match, opts.trustStore ?? new X509TrustStore(configDir), notes);
  const { kind, ...rest } = ex;
  return { kind, reference, repository, ...rest };
}

/** Explains the blob statement `blob verify` would use (`--policy-name`, else the global statement). */
export function explainBlob(configDir: string, policyName: string | undefined, opts: { trustStore?: TrustStoreProvider } = {}): Explanation {
  let doc;
  try {
    doc = loadBlobTrustPolicy(configDir);
  } catch (e) {
    throw withLintHint(e);
  }
  const st = getApplicableBlobPolicy(doc, policyName);
  const match: Explanation['match'] =
    policyName !== undefined
      ? { kind: 'name', value: policyName, reason: `--policy-name ${goQuote(policyName)} names it` }
      : { kind: 'global', value: st.name, reason: 'no --policy-name given, so the statement with "globalPolicy": true applies' };
  return explainStatement('blob', st, join(configDir, BLOB_TRUST_POLICY_FILE), match, opts.trustStore ?? new X509TrustStore(configDir), []);
}

/** Human-readable form of an explanation. */
export function formatExplanation(ex: Explanation): string {
  const out: string[] = [];
  const row = (k: string, v: string) => out.push(`${(k + ':').padEnd(20)}${v}`);
  if (ex.reference !== undefined) row('Reference', ex.reference);
  if (ex.repository !== undefined && ex.repository !== ex.reference) row('Repository', ex.repository);
  row('Policy file', ex.policyFile);
  row('Statement', goQuote(ex.statement.name));
  row('Why', ex.match.reason);
  const lvl = ex.verificationLevel;
  row('Verification level', lvl.name === 'custom' ? `custom (${lvl.base} with override ${Object.entries(lvl.overrides).map(([k, v]) => `${k}=${v}`).join(', ')})` : lvl.name);
  out.push('Checks:');
  for (const c of ex.checks) {
    out.push(`  ${(c.type + ':').padEnd(20)}${c.action.padEnd(9)}${c.effect}`);
    if (c.action !== 'skip') out.push(`  ${''.padEnd(20)}${c.description}`);
  }
  if (lvl.name !== 'skip') {
    row('verifyTimestamp', ex.verifyTimestamp);
    out.push('Trust stores:');
    const w = Math.max(0, ...ex.trustStores.map((s) => s.value.length)) + 3;
    for (const s of ex.trustStores) {
      const status = s.error ? `${s.exists ? 'unusable' : 'missing'}: ${s.error.message}` : `${s.certificates} certificate${s.certificates === 1 ? '' : 's'}`;
      out.push(`  ${s.value.padEnd(w)}${status}`);
    }
    out.push('Trusted identities:');
    for (const id of ex.trustedIdentities) out.push(`  ${id}`);
  }
  if (ex.notes.length) {
    out.push('Notes:');
    for (const n of ex.notes) out.push(`  - ${n}`);
  }
  return out.join('\n') + '\n';
}
