/**
 * Trust policy commands: `policy import|show|init|explain|lint` and
 * `blob policy import|show|init`, with notation v2's messages
 * (cmd/notation/policy, cmd/notation/blob/policy). `policy init`, `explain`
 * and `lint` are ours; `policy init` mirrors `blob policy init`.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CliContext } from '../context.js';
import { NotationError, UsageError, TrustPolicyError } from '../../errors.js';
import { configDir } from '../context.js';
import { goEncodeIndent, goMap, writeFileAtomic } from '../../config/index.js';
import { parseFlagMap } from '../args.js';
import {
  BLOB_TRUST_POLICY_FILE,
  LEGACY_TRUST_POLICY_FILE,
  OCI_TRUST_POLICY_FILE,
  MAX_POLICY_BYTES,
  TRUST_POLICY_ERROR as TP,
  loadBlobTrustPolicy,
  loadOciTrustPolicy,
  validateBlobTrustPolicy,
  validateOciTrustPolicy,
  type PolicyKind,
} from '../../trustpolicy/index.js';
import { decodePolicyLikeGo } from '../policy-json.js';
import { askForConfirmation } from '../policy-confirm.js';
import { formatLintReport, lintTrustPolicies } from '../policy-lint.js';
import { explainBlob, explainOci, formatExplanation } from '../policy-explain.js';
import { goPathError } from '../../util/goerrno.js';

/** os.ReadFile with a size bound; FIFOs and devices are refused rather than read forever. */
function readBounded(path: string, shownAs: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new NotationError('FILE_READ_FAILED', goPathError('open', shownAs, e), { cause: e });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new NotationError('FILE_READ_FAILED', `read ${shownAs}: is a directory`);
    if (!st.isFile()) throw new NotationError('FILE_READ_FAILED', `read ${shownAs}: not a regular file`);
    const buf = Buffer.alloc(Math.min(st.size, MAX_POLICY_BYTES) + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n > MAX_POLICY_BYTES) throw new TrustPolicyError(TP.LIMIT_EXCEEDED, `${shownAs} is larger than ${MAX_POLICY_BYTES} bytes`);
      if (n === buf.length) break;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function wrap(prefix: string, e: unknown): NotationError {
  const code = e instanceof NotationError ? e.code : 'POLICY_COMMAND_FAILED';
  return new NotationError(code, `${prefix}: ${(e as Error).message}`, { cause: e });
}

interface KindText {
  /** "OCI" / "blob" as notation writes it in messages. */
  label: string;
  file: string;
  load(cfg: string): unknown;
}

const KIND: Record<PolicyKind, KindText> = {
  oci: { label: 'OCI', file: OCI_TRUST_POLICY_FILE, load: (cfg) => loadOciTrustPolicy(cfg, { validate: false }) },
  blob: { label: 'blob', file: BLOB_TRUST_POLICY_FILE, load: (cfg) => loadBlobTrustPolicy(cfg, { validate: false }) },
};

/** Whether notation's LoadOCIDocument/LoadBlobDocument would succeed (it decodes but does not validate). */
function existingPolicyLoads(kind: PolicyKind, cfg: string): boolean {
  try {
    KIND[kind].load(cfg);
    return true;
  } catch {
    return false;
  }
}

/** notation's overwrite prompt; false means "do nothing, exit 0". */
async function confirmOverwrite(ctx: CliContext, kind: PolicyKind, cfg: string): Promise<boolean> {
  if (!existingPolicyLoads(kind, cfg)) return true;
  const label = KIND[kind].label;
  if (ctx.flags.force) {
    ctx.stderr.write(`Warning: existing ${label} trust policy configuration will be overwritten\n`);
    return true;
  }
  return askForConfirmation(
    ctx,
    `The ${label} trust policy configuration already exists, do you want to overwrite it?`,
    false,
    `the ${label} trust policy configuration already exists; use --force to overwrite it`,
  );
}

/** `policy import` also removes the v1 file, which trustpolicy.oci.json would shadow. */
function deleteOldTrustPolicyFile(ctx: CliContext, cfg: string): void {
  const old = join(cfg, LEGACY_TRUST_POLICY_FILE);
  try {
    statSync(old);
    unlinkSync(old);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      ctx.stderr.write(`Warning: failed to delete old trust policy configuration trustpolicy.json: ${goPathError('remove', old, e)}\n`);
    }
    return;
  }
  ctx.stdout.write('Deleted old trust policy configuration trustpolicy.json.\n');
}

function writePolicy(kind: PolicyKind, path: string, data: Uint8Array | string): void {
  try {
    writeFileAtomic(path, data, { mode: 0o600, dirMode: 0o700 });
  } catch (e) {
    throw wrap(`failed to write ${KIND[kind].label} trust policy configuration`, new Error(goPathError('open', path, e)));
  }
}

async function runImport(ctx: CliContext, kind: PolicyKind): Promise<number> {
  if (ctx.args.length !== 1) {
    const cmd = kind === 'oci' ? 'notation policy import' : 'notation blob policy import';
    const what = kind === 'oci' ? 'trust policy file' : 'trust policy configuration';
    throw new UsageError('MISSING_ARGUMENT', `requires 1 argument but received ${ctx.args.length}.\nUsage: ${cmd} <path-to-policy.json>\nPlease specify a ${what} location as the argument`);
  }
  const label = KIND[kind].label;
  const file = ctx.args[0];
  let bytes: Buffer;
  try {
    bytes = readBounded(resolve(ctx.cwd, file), file);
  } catch (e) {
    throw wrap(kind === 'oci' ? 'failed to read OCI trust policy configuration' : 'failed to read blob trust policy file', e);
  }
  let doc;
  try {
    doc = decodePolicyLikeGo(bytes, kind);
  } catch (e) {
    throw wrap(`failed to parse ${label} trust policy configuration`, e);
  }
  try {
    if (kind === 'oci') validateOciTrustPolicy(doc as Parameters<typeof validateOciTrustPolicy>[0]);
    else validateBlobTrustPolicy(doc);
  } catch (e) {
    throw wrap(`failed to validate ${label} trust policy configuration`, e);
  }
  const cfg = configDir(ctx.env);
  if (!(await confirmOverwrite(ctx, kind, cfg))) return 0;
  const policyPath = join(cfg, KIND[kind].file);
  writePolicy(kind, policyPath, bytes);
  if (kind === 'oci') deleteOldTrustPolicyFile(ctx, cfg);
  ctx.stdout.write(`Successfully imported ${label} trust policy configuration to ${policyPath}.\n`);
  return 0;
}

const SPEC_LINK = 'https://github.com/notaryproject/specifications/blob/8cf800c60b7315a43f0adbcae463d848a353b412/specs/trust-store-trust-policy.md';

function runShow(ctx: CliContext, kind: PolicyKind): number {
  const cfg = configDir(ctx.env);
  let bytes: Buffer;
  const ociPath = join(cfg, OCI_TRUST_POLICY_FILE);
  const path = kind === 'oci' ? ociPath : join(cfg, BLOB_TRUST_POLICY_FILE);
  const missing = (e: unknown) => (e as NotationError).cause && ((e as NotationError).cause as NodeJS.ErrnoException).code === 'ENOENT';
  try {
    bytes = readBounded(path, path);
  } catch (e) {
    if (!missing(e)) throw wrap(kind === 'oci' ? 'failed to show OCI trust policy' : 'failed to show trust policy', e);
    if (kind === 'blob') {
      throw new TrustPolicyError(TP.NOT_PRESENT, 'failed to show blob trust policy as the configuration does not exist.\nYou can import one using `notation blob policy import <path-to-policy.json>`');
    }
    const legacy = join(cfg, LEGACY_TRUST_POLICY_FILE);
    try {
      statSync(legacy);
    } catch {
      throw new TrustPolicyError(TP.NOT_PRESENT, 'failed to show OCI trust policy as it does not exist.\nYou can import one using `notation policy import <path-to-policy.json>`');
    }
    ctx.stderr.write('Warning: old trust policy `trustpolicy.json` is deprecated; please update the trust policy configuration via `notation policy import`.\n');
    try {
      bytes = readBounded(legacy, legacy);
    } catch (e2) {
      throw wrap('failed to show OCI trust policy', e2);
    }
  }
  let invalid: unknown;
  try {
    const doc = decodePolicyLikeGo(bytes, kind);
    if (kind === 'oci') validateOciTrustPolicy(doc as Parameters<typeof validateOciTrustPolicy>[0]);
    else validateBlobTrustPolicy(doc);
  } catch (e) {
    invalid = e;
  }
  if (invalid) {
    const hint =
      kind === 'oci'
        ? `Existing OCI trust policy configuration is invalid, you may update or create a new one via \`notation policy import <path-to-policy.json>\`. See ${SPEC_LINK}#trust-policy-for-oci-artifacts for a trust policy example.`
        : `Existing blob trust policy configuration is invalid, you may update or create a new one via \`notation blob policy import <path-to-policy.json>\`. See ${SPEC_LINK}#trust-policy-for-blobs for a blob trust policy example.`;
    ctx.stderr.write(hint + '\n');
    ctx.stdout.write(bytes.toString('utf8'));
    throw invalid;
  }
  ctx.stdout.write(bytes.toString('utf8'));
  return 0;
}

/** cobra's MarkFlagRequired check: every missing flag, sorted by name. */
function requireFlags(ctx: CliContext, names: string[]): void {
  const missing = names.filter((n) => !ctx.changed.has(n)).sort();
  if (missing.length) throw new UsageError('REQUIRED_FLAG_MISSING', `required flag(s) "${missing.join('", "')}" not set`);
}

async function runInit(ctx: CliContext, kind: PolicyKind): Promise<number> {
  const level = kind === 'oci' ? String(ctx.flags.level ?? 'strict') : 'strict';
  requireFlags(ctx, level === 'skip' ? ['name'] : ['name', 'trust-store', 'trusted-identity']);
  const name = String(ctx.flags.name ?? '');
  const trustStores = [...((ctx.flags['trust-store'] as string[] | undefined) ?? [])];
  const trustedIdentities = [...((ctx.flags['trusted-identity'] as string[] | undefined) ?? [])];
  const label = KIND[kind].label;
  // Field order and omitempty as notation-go's structs marshal them.
  const signatureVerification: Record<string, unknown> = { level };
  if (kind === 'oci') {
    const override = parseFlagMap((ctx.flags.override as string[] | undefined) ?? [], 'override');
    if (Object.keys(override).length) signatureVerification.override = goMap(override);
    if (ctx.changed.has('verify-timestamp')) signatureVerification.verifyTimestamp = String(ctx.flags['verify-timestamp'] ?? '');
  }
  const statement: Record<string, unknown> = {
    name,
    signatureVerification,
    trustStores,
    trustedIdentities,
  };
  if (kind === 'oci') {
    const scopes = (ctx.flags.scope as string[] | undefined) ?? [];
    statement.registryScopes = scopes.length ? [...scopes] : ['*'];
  } else if (ctx.flags.global) statement.globalPolicy = true;
  const doc = { version: '1.0', trustPolicies: [statement] };
  // The validators read plain objects; the Map only fixes the key order on disk.
  const plain = { version: '1.0', trustPolicies: [{ ...statement, signatureVerification: { ...signatureVerification, ...(signatureVerification.override ? { override: Object.fromEntries(signatureVerification.override as Map<string, string>) } : {}) } }] };
  try {
    // Our command, so the spec's rule holds: no skip on the "*" scope.
    if (kind === 'oci') validateOciTrustPolicy(plain as never, { allowSkipOnWildcardAndGlobal: false });
    else validateBlobTrustPolicy(plain as never);
  } catch (e) {
    throw wrap(`invalid ${label} policy`, e);
  }
  const cfg = configDir(ctx.env);
  if (!(await confirmOverwrite(ctx, kind, cfg))) return 0;
  const policyPath = join(cfg, KIND[kind].file);
  // json.MarshalIndent(doc, "", "  "): no trailing newline.
  writePolicy(kind, policyPath, goEncodeIndent(doc, '  ').slice(0, -1));
  if (kind === 'oci') deleteOldTrustPolicyFile(ctx, cfg);
  ctx.stdout.write(`Successfully initialized ${label} trust policy file to ${policyPath}.\n`);
  return 0;
}

function outputFormat(ctx: CliContext): 'text' | 'json' {
  const o = ctx.flags.output;
  if (o !== 'text' && o !== 'json') throw new UsageError('INVALID_OUTPUT', `invalid format type: "${o}"`);
  return o;
}

function runExplain(ctx: CliContext): number {
  const format = outputFormat(ctx);
  const cfg = configDir(ctx.env);
  let ex;
  if (ctx.flags.blob) {
    if (ctx.args.length) throw new UsageError('UNEXPECTED_ARGUMENT', 'with --blob, name the statement with --policy-name instead of a reference');
    ex = explainBlob(cfg, ctx.changed.has('policy-name') ? String(ctx.flags['policy-name'] ?? '') : undefined);
  } else {
    if (ctx.changed.has('policy-name')) throw new UsageError('FLAG_NEEDS_BLOB', '--policy-name applies to blob trust policies: use it with --blob');
    if (ctx.args.length !== 1) throw new UsageError('MISSING_ARGUMENT', 'missing reference: use `notation-ts policy explain <registry>/<repository>@<digest>`, or --blob for blob trust policies');
    ex = explainOci(cfg, ctx.args[0]);
  }
  ctx.stdout.write(format === 'json' ? JSON.stringify(ex, null, 2) + '\n' : formatExplanation(ex));
  return 0;
}

function runLint(ctx: CliContext): number {
  const format = outputFormat(ctx);
  const report = lintTrustPolicies(configDir(ctx.env));
  ctx.stdout.write(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatLintReport(report));
  return report.errors > 0 ? 1 : 0;
}

export async function run(ctx: CliContext): Promise<number> {
  const path = (ctx as CliContext & { command?: string[] }).command ?? [];
  const kind: PolicyKind = path[0] === 'blob' ? 'blob' : 'oci';
  switch (path[path.length - 1]) {
    case 'import':
      return runImport(ctx, kind);
    case 'show':
      return runShow(ctx, kind);
    case 'init':
      return runInit(ctx, kind);
    case 'explain':
      return runExplain(ctx);
    case 'lint':
      return runLint(ctx);
    default:
      throw new UsageError('UNKNOWN_COMMAND', `unknown policy command "${path.join(' ')}"`);
  }
}
