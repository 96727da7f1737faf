/**
 * `notation-ts policy lint`: every problem of the OCI and blob trust policy
 * files at once. notation (and src/trustpolicy) stop at the first error; here each
 * rule runs on its own, by calling the same validators on one statement, field
 * or pair at a time, so every problem carries the code and the exact message
 * notation would print if it were the first one.
 *
 * Beyond validation it reports, as warnings, what notation accepts but the spec
 * forbids (skip on the `*` scope, skip on the global blob statement), identities
 * only a plugin can match, content notation's decoder ignores, the legacy
 * policy file name, and the trust stores each statement names: missing, empty or
 * holding a certificate verification will refuse. A store problem is an error when the
 * statement's level enforces the check that reads the store, a warning otherwise.
 */
import { join } from 'node:path';
import { NotationError, TrustPolicyError } from '../errors.js';
import {
  BLOB_TRUST_POLICY_FILE,
  LEGACY_TRUST_POLICY_FILE,
  OCI_TRUST_POLICY_FILE,
  MAX_TRUSTED_IDENTITIES,
  TRUST_POLICY_ERROR as TP,
  parseBlobTrustPolicy,
  parseOciTrustPolicy,
  readTrustPolicyFile,
  resolveVerificationLevel,
  validateBlobTrustPolicy,
  validateOciTrustPolicy,
  validateRegistryScopeFormat,
  validateTrustPolicyStatement,
  validateTrustStoreValues,
  validateTrustedIdentities,
  type PolicyKind,
  type TrustPolicyStatement,
  type VerificationLevel,
} from '../trustpolicy/index.js';
import { X509TrustStore, isValidStoreType, type TrustStoreProvider } from '../truststore/index.js';
import { goQuote } from '../x509/goformat.js';
import { checkGoUnmarshal } from './policy-json.js';

export type LintSeverity = 'error' | 'warning';

export interface LintProblem {
  severity: LintSeverity;
  /** Stable code: a TRUST_POLICY_* / TRUST_STORE_* code, or one of LINT_CODE. */
  code: string;
  /** Policy file name (`trustpolicy.oci.json`, `trustpolicy.json`, `trustpolicy.blob.json`). */
  file: string;
  /** Statement name and position, when the problem belongs to one statement. */
  statement?: string;
  index?: number;
  message: string;
}

export interface LintedFile {
  kind: PolicyKind;
  file: string;
  path: string;
  present: boolean;
}

export interface LintReport {
  files: LintedFile[];
  problems: LintProblem[];
  errors: number;
  warnings: number;
}

/** Codes of problems the validators have no code for. */
export const LINT_CODE = {
  LEGACY_FILE: 'TRUST_POLICY_LEGACY_FILE',
  LEGACY_FILE_IGNORED: 'TRUST_POLICY_LEGACY_FILE_IGNORED',
  TRAILING_DATA: 'TRUST_POLICY_TRAILING_DATA',
} as const;

type Push = (p: Omit<LintProblem, 'file'>) => void;

/** Runs `fn`; returns the NotationError it threw (other exceptions propagate). */
function capture(fn: () => void): NotationError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof NotationError) return e;
    throw e;
  }
}

/** Message with the messages of its typed causes, so a store error says which certificate and why. */
function fullMessage(e: Error): string {
  let msg = e.message;
  let c: unknown = e.cause;
  for (let depth = 0; c instanceof NotationError && depth < 5; depth++, c = c.cause) {
    if (!msg.includes(c.message)) msg += `: ${c.message}`;
  }
  return msg;
}

// validateTrustPolicyStatement stops at a missing name; checks of a nameless
// statement run under this stand-in, which is then put back to "" in the message.
const STAND_IN = 'notation-ts-lint-unnamed-statement';

function underName(name: string, fn: (n: string) => void): NotationError | undefined {
  const e = capture(() => fn(name === '' ? STAND_IN : name));
  if (e && name === '') {
    return new TrustPolicyError(e.code, e.message.split(goQuote(STAND_IN)).join(goQuote('')), { cause: e.cause });
  }
  return e;
}

/** The statement fields a single check leaves valid, so only that check can fail (skip wants no stores). */
const neutral = (name: string, level = 'strict'): TrustPolicyStatement => ({
  name,
  signatureVerification: { level },
  trustStores: level === 'skip' ? [] : ['ca:lint'],
  trustedIdentities: level === 'skip' ? [] : ['*'],
});

/** A statement that passes every statement rule, for document-level checks. */
const filler = (name: string, extra: Partial<TrustPolicyStatement>): TrustPolicyStatement => ({
  name,
  signatureVerification: { level: 'skip' },
  trustStores: [],
  trustedIdentities: [],
  ...extra,
});

interface StatementFacts {
  level?: VerificationLevel;
}

/** Every problem of one statement's core (REF validatePolicyCore), each rule on its own. */
function lintStatementCore(st: TrustPolicyStatement, kind: PolicyKind, push: Push, where: { statement: string; index: number }): StatementFacts {
  const prefix = `${kind} trust policy: `;
  const err = (e: NotationError | undefined, severity: LintSeverity = 'error') => {
    if (e) push({ severity, code: e.code, message: prefix + e.message, ...where });
  };
  const name = st.name ?? '';
  if (name === '') err(capture(() => validateTrustPolicyStatement({ ...neutral(''), name: '' })));

  const sv = st.signatureVerification ?? { level: '' };
  const override = Object.entries(sv.override ?? {});
  let levelError = underName(name, (n) => validateTrustPolicyStatement({ ...neutral(n, sv.level), signatureVerification: { level: sv.level } }));
  if (levelError?.code === TP.INVALID_LEVEL && override.length > 0) {
    // An unknown level under an override has its own code (same message).
    levelError = underName(name, (n) => validateTrustPolicyStatement({ ...neutral(n), signatureVerification: { level: sv.level, override: sv.override } }));
  }
  err(levelError);
  if (override.length > 0) {
    if (!levelError && sv.level === 'skip') {
      err(underName(name, (n) => validateTrustPolicyStatement({ ...neutral(n, 'skip'), signatureVerification: { level: sv.level, override: sv.override } })));
    } else {
      // Each entry against the level (or strict when the level itself is broken).
      const base = levelError ? 'strict' : sv.level;
      for (const [k, v] of override) {
        err(underName(name, (n) => validateTrustPolicyStatement({ ...neutral(n), signatureVerification: { level: base, override: { [k]: v } } })));
      }
    }
  }
  if (sv.verifyTimestamp !== undefined) {
    err(underName(name, (n) => validateTrustPolicyStatement({ ...neutral(n), signatureVerification: { level: 'strict', verifyTimestamp: sv.verifyTimestamp } })));
  }
  let level: VerificationLevel | undefined;
  try {
    level = resolveVerificationLevel(sv);
  } catch {
    level = undefined;
  }

  const stores = st.trustStores ?? [];
  const identities = st.trustedIdentities ?? [];
  const skip = level?.name === 'skip' || (!levelError && sv.level === 'skip');
  // Presence rules, with stand-in values so the value rules below report the values.
  err(
    underName(name, (n) =>
      validateTrustPolicyStatement({
        name: n,
        signatureVerification: { level: skip ? 'skip' : 'strict' },
        trustStores: stores.length ? ['ca:lint'] : [],
        trustedIdentities: identities.length ? ['*'] : [],
      }),
    ),
  );
  if (skip) return { level };

  for (const value of stores) err(capture(() => validateTrustStoreValues(name, [value])));

  if (identities.length > MAX_TRUSTED_IDENTITIES) {
    err(capture(() => validateTrustedIdentities(name, identities)));
    return { level };
  }
  if (identities.length > 1 && identities.includes('*')) err(capture(() => validateTrustedIdentities(name, identities)));
  const good: string[] = [];
  for (const id of identities) {
    if (id === '*') continue;
    const e = capture(() => validateTrustedIdentities(name, [id]));
    err(e);
    if (!e && id.startsWith('x509.subject:')) good.push(id);
  }
  // Pairwise overlap; beyond a hundred identities one pass reports the first overlap only.
  if (good.length <= 100) {
    for (let a = 0; a < good.length; a++) {
      for (let b = a + 1; b < good.length; b++) err(capture(() => validateTrustedIdentities(name, [good[a], good[b]])));
    }
  } else err(capture(() => validateTrustedIdentities(name, good)));

  const pluginOnly = identities.length > 0 && !identities.includes('*') && identities.every((id) => id.includes(':') && !id.startsWith('x509.subject:'));
  if (pluginOnly) {
    push({
      severity: 'warning',
      code: TP.NO_X509_IDENTITIES,
      message: `trust policy statement ${goQuote(name)} has no x509.subject trusted identity: verification fails unless a plugin verifies these identities (${identities.map(goQuote).join(', ')})`,
      ...where,
    });
  }
  return { level };
}

/** Problems of the trust stores a statement names (existence, emptiness, certificates). */
function lintStores(st: TrustPolicyStatement, facts: StatementFacts, push: Push, where: { statement: string; index: number }, provider: TrustStoreProvider, cache: Map<string, NotationError | number>): void {
  if (facts.level?.name === 'skip') return;
  const seen = new Set<string>();
  for (const value of st.trustStores ?? []) {
    const i = value.indexOf(':');
    if (i < 0 || seen.has(value)) continue;
    seen.add(value);
    const type = value.slice(0, i);
    const name = value.slice(i + 1);
    if (!isValidStoreType(type) || capture(() => validateTrustStoreValues('lint', [value]))) continue;
    let result = cache.get(value);
    if (result === undefined) {
      try {
        result = provider.getCertificates(type, name).length;
      } catch (e) {
        if (!(e instanceof NotationError)) throw e;
        result = e;
      }
      cache.set(value, result);
    }
    if (typeof result === 'number') continue;
    const check = type === 'tsa' ? 'authenticTimestamp' : 'authenticity';
    const action = facts.level?.enforcement[check] ?? 'enforce';
    push({
      severity: action === 'enforce' ? 'error' : 'warning',
      code: result.code,
      message: `trust store ${goQuote(value)} of trust policy statement ${goQuote(st.name ?? '')}: ${fullMessage(result)}`,
      ...where,
    });
  }
}

export interface LintOptions {
  /** Where the stores live (default: the config dir's truststore/). */
  trustStore?: TrustStoreProvider;
  /** Skip the trust store checks. */
  skipStores?: boolean;
}

/** Every problem of a decoded OCI document (file-independent; `file` only labels the problems). */
export function lintOciDocument(doc: { version: string; trustPolicies: TrustPolicyStatement[] }, file: string, opts: LintOptions & { provider?: TrustStoreProvider } = {}): LintProblem[] {
  return lintDocument('oci', doc, file, opts);
}

/** Every problem of a decoded blob document. */
export function lintBlobDocument(doc: { version: string; trustPolicies: TrustPolicyStatement[] }, file: string, opts: LintOptions & { provider?: TrustStoreProvider } = {}): LintProblem[] {
  return lintDocument('blob', doc, file, opts);
}

function lintDocument(kind: PolicyKind, doc: { version: string; trustPolicies: TrustPolicyStatement[] }, file: string, opts: LintOptions & { provider?: TrustStoreProvider }): LintProblem[] {
  const out: LintProblem[] = [];
  const push: Push = (p) => out.push({ ...p, file });
  const docErr = (e: NotationError | undefined, severity: LintSeverity = 'error', where: { statement?: string; index?: number } = {}) => {
    if (e) push({ severity, code: e.code, message: e.message, ...where });
  };
  const validate = (d: { version: string; trustPolicies: TrustPolicyStatement[] }, strict = false) =>
    capture(() => (kind === 'oci' ? validateOciTrustPolicy(d as never, { allowSkipOnWildcardAndGlobal: !strict }) : validateBlobTrustPolicy(d, { allowSkipOnWildcardAndGlobal: !strict })));
  const validateOne = (st: TrustPolicyStatement, strict = false) => {
    const e = validate({ version: '1.0', trustPolicies: [st] }, strict);
    if (e) throw e;
  };
  const scoped = (name: string, extra: Partial<TrustPolicyStatement> = {}) => filler(name, kind === 'oci' ? { registryScopes: ['lint.invalid/lint'], ...extra } : extra);

  const statements = doc.trustPolicies ?? [];
  // Document header: version, then the statement count, each judged on its own.
  docErr(validate({ version: doc.version, trustPolicies: [scoped('lint')] }));
  if (statements.length === 0) docErr(validate({ version: '1.0', trustPolicies: [] }));

  const names = new Map<string, number>();
  const provider = opts.skipStores ? undefined : opts.provider;
  const storeCache = new Map<string, NotationError | number>();
  statements.forEach((st, index) => {
    const name = st?.name ?? '';
    const where = { statement: name, index };
    if (names.has(name) && name !== '') docErr(validate({ version: '1.0', trustPolicies: [scoped(name), scoped(name)] }), 'error', where);
    names.set(name, index);
    const facts = lintStatementCore(st, kind, push, where);
    if (provider) lintStores(st, facts, push, where, provider, storeCache);
  });

  if (kind === 'oci') {
    const owner = new Map<string, number>();
    statements.forEach((st, index) => {
      const name = st.name ?? '';
      const where = { statement: name, index };
      const scopes = st.registryScopes ?? [];
      if (scopes.length === 0 || (scopes.length > 1 && scopes.includes('*'))) {
        docErr(underName(name, (n) => validateOne(filler(n, { registryScopes: scopes }))), 'error', where);
      }
      for (const scope of scopes) {
        if (scope !== '*') docErr(capture(() => validateRegistryScopeFormat(scope)), 'error', where);
        const first = owner.get(scope);
        if (first === undefined) owner.set(scope, index);
        else if (first !== -1) {
          // Reported once per scope, on the second statement that lists it.
          docErr(validate({ version: '1.0', trustPolicies: [filler('a', { registryScopes: [scope] }), filler('b', { registryScopes: [scope] })] }), 'error', where);
          owner.set(scope, -1);
        }
      }
      if (scopes.length === 1 && scopes[0] === '*' && st.signatureVerification?.level === 'skip') {
        docErr(underName(name, (n) => validateOne(filler(n, { registryScopes: ['*'] }), true)), 'warning', where);
      }
    });
  } else {
    let global: number | undefined;
    statements.forEach((st, index) => {
      if (!st.globalPolicy) return;
      const where = { statement: st.name ?? '', index };
      if (global !== undefined) docErr(validate({ version: '1.0', trustPolicies: [filler('a', { globalPolicy: true }), filler('b', { globalPolicy: true })] }), 'error', where);
      else global = index;
      if (st.signatureVerification?.level === 'skip') {
        docErr(underName(st.name ?? '', (n) => validateOne(filler(n, { globalPolicy: true }), true)), 'warning', where);
      }
    });
  }
  // Document-level problems first, then by statement (stable within each).
  return out.map((p, i) => ({ p, i })).sort((a, b) => (a.p.index ?? -1) - (b.p.index ?? -1) || a.i - b.i).map((x) => x.p);
}

function lintFile(kind: PolicyKind, path: string, file: string, opts: LintOptions & { provider?: TrustStoreProvider }): LintProblem[] {
  let bytes: Uint8Array;
  try {
    bytes = readTrustPolicyFile(path);
  } catch (e) {
    if (!(e instanceof NotationError)) throw e;
    return [{ severity: 'error', code: e.code, file, message: e.message }];
  }
  // Verification decodes as json.Decoder does (trailing bytes ignored); import/show as json.Unmarshal.
  let doc;
  try {
    doc = kind === 'oci' ? parseOciTrustPolicy(bytes, path, { validate: false, allowTrailingData: true }) : parseBlobTrustPolicy(bytes, path, { validate: false, allowTrailingData: true });
  } catch (e) {
    if (!(e instanceof NotationError)) throw e;
    let detail = '';
    if (e.code === TP.MALFORMED) {
      const goErr = capture(() => checkGoUnmarshal(new TextDecoder().decode(bytes), kind));
      detail = goErr ? ` (${goErr.message})` : (e as { detail?: string }).detail ? ` (${(e as { detail?: string }).detail})` : '';
    }
    return [{ severity: 'error', code: e.code, file, message: e.message + detail }];
  }
  const out: LintProblem[] = [];
  const trailing = capture(() => checkGoUnmarshal(new TextDecoder().decode(bytes), kind));
  if (trailing) {
    out.push({
      severity: 'warning',
      code: LINT_CODE.TRAILING_DATA,
      file,
      message: `content after the JSON document is ignored when verifying, but \`notation policy import\` and \`show\` reject the file: ${trailing.message}`,
    });
  }
  out.push(...lintDocument(kind, doc, file, opts));
  return out;
}

function exists(path: string): boolean {
  try {
    readTrustPolicyFile(path);
    return true;
  } catch (e) {
    return !(e instanceof TrustPolicyError && e.code === TP.NOT_PRESENT);
  }
}

/** Lints trustpolicy.oci.json (or the legacy trustpolicy.json) and trustpolicy.blob.json of a config dir. */
export function lintTrustPolicies(configDir: string, opts: LintOptions = {}): LintReport {
  const provider = opts.skipStores ? undefined : (opts.trustStore ?? new X509TrustStore(configDir));
  const o = { ...opts, provider };
  const files: LintedFile[] = [];
  const problems: LintProblem[] = [];

  const ociPath = join(configDir, OCI_TRUST_POLICY_FILE);
  const legacyPath = join(configDir, LEGACY_TRUST_POLICY_FILE);
  const ociExists = exists(ociPath);
  const legacyExists = exists(legacyPath);
  if (ociExists) {
    files.push({ kind: 'oci', file: OCI_TRUST_POLICY_FILE, path: ociPath, present: true });
    problems.push(...lintFile('oci', ociPath, OCI_TRUST_POLICY_FILE, o));
    if (legacyExists) {
      problems.push({
        severity: 'warning',
        code: LINT_CODE.LEGACY_FILE_IGNORED,
        file: LEGACY_TRUST_POLICY_FILE,
        message: `${LEGACY_TRUST_POLICY_FILE} is ignored because ${OCI_TRUST_POLICY_FILE} exists; delete it (\`policy import\` does so)`,
      });
    }
  } else if (legacyExists) {
    files.push({ kind: 'oci', file: LEGACY_TRUST_POLICY_FILE, path: legacyPath, present: true });
    problems.push({
      severity: 'warning',
      code: LINT_CODE.LEGACY_FILE,
      file: LEGACY_TRUST_POLICY_FILE,
      message: 'old trust policy `trustpolicy.json` is deprecated; please update the trust policy configuration via `notation policy import`',
    });
    problems.push(...lintFile('oci', legacyPath, LEGACY_TRUST_POLICY_FILE, o));
  } else {
    files.push({ kind: 'oci', file: OCI_TRUST_POLICY_FILE, path: ociPath, present: false });
    problems.push({ severity: 'warning', code: TP.NOT_PRESENT, file: OCI_TRUST_POLICY_FILE, message: 'OCI trust policy is not present: every OCI verification will fail' });
  }

  const blobPath = join(configDir, BLOB_TRUST_POLICY_FILE);
  if (exists(blobPath)) {
    files.push({ kind: 'blob', file: BLOB_TRUST_POLICY_FILE, path: blobPath, present: true });
    problems.push(...lintFile('blob', blobPath, BLOB_TRUST_POLICY_FILE, o));
  } else {
    files.push({ kind: 'blob', file: BLOB_TRUST_POLICY_FILE, path: blobPath, present: false });
    problems.push({ severity: 'warning', code: TP.NOT_PRESENT, file: BLOB_TRUST_POLICY_FILE, message: 'blob trust policy is not present: every blob verification will fail' });
  }
  const errors = problems.filter((p) => p.severity === 'error').length;
  return { files, problems, errors, warnings: problems.length - errors };
}

/** Text form: one line per problem, then a summary line. */
export function formatLintReport(report: LintReport): string {
  const lines = report.problems.map((p) => {
    const where = p.statement !== undefined ? ` [statement ${p.index}${p.statement !== '' ? ` ${goQuote(p.statement)}` : ''}]` : '';
    return `${p.file}${where}: ${p.severity} ${p.code}: ${p.message}`;
  });
  const linted = report.files.filter((f) => f.present).map((f) => f.file);
  lines.push(`${linted.length ? `Checked ${linted.join(', ')}: ` : ''}${report.errors} error(s), ${report.warnings} warning(s)`);
  return lines.join('\n') + '\n';
}
