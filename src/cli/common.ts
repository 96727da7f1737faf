/**
 * Pieces shared by the CLI commands: building a Verifier from the config dir,
 * opening the artifact's Repository, and notation's output conventions.
 */
import { statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { CliContext } from './context.js';
import { goErrnoText } from '../util/goerrno.js';
import { configDir, cacheDir, libexecDir } from './context.js';
import { UsageError, NotationError } from '../errors.js';
import type { Repository } from '../oci/types.js';
import type { VerificationOutcome } from '../verifier/types.js';
import { userMetadata } from '../verifier/types.js';
import type { Logger, VerifierOptions } from '../verifier/verifier.js';
import { goDescriptorString } from '../verifier/artifact.js';
import type { Descriptor } from '../envelope/types.js';

/**
 * notation's -v/-d log lines (logrus text format with DisableQuote): warnings,
 * errors and info with -v, everything with -d; -d lines start with the local
 * time in RFC 3339, as logrus' FullTimestamp prints it.
 */
export function logger(ctx: CliContext): Logger {
  const verbose = !!ctx.flags.verbose || !!ctx.flags.debug;
  const debug = !!ctx.flags.debug;
  const line = (level: string, m: string) => ctx.stderr.write(`${debug ? `time=${rfc3339Local(new Date())} ` : ''}level=${level} msg=${m}\n`);
  return {
    warn: (m) => void (verbose && line('warning', m)),
    error: (m) => void (verbose && line('error', m)),
    info: (m) => void (verbose && line('info', m)),
    debug: (m) => void (debug && line('debug', m)),
  };
}

/** Go's time.RFC3339 of a local time ("Z" for a zero offset). */
export function rfc3339Local(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const base = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  const off = -d.getTimezoneOffset();
  if (off === 0) return `${base}Z`;
  const a = Math.abs(off);
  return `${base}${off > 0 ? '+' : '-'}${p(Math.floor(a / 60))}:${p(a % 60)}`;
}

/**
 * The revocation HTTP transport with a progress line for big downloads (CRLs of a
 * megabyte or more) when stderr is a terminal.
 */
export async function downloadFetcher(ctx: CliContext): Promise<import('../revocation/types.js').Fetcher> {
  const { httpFetcher } = await import('../revocation/http.js');
  const { progress, DOWNLOAD_PROGRESS_THRESHOLD } = await import('./progress.js');
  // ctx.isTTY is read only when a download reports its size (asking costs a module load).
  return async (url, init) => {
    let bar: import('./progress.js').Progress | undefined;
    let seen = 0;
    try {
      return await httpFetcher(url, {
        ...init,
        onBytes: (received, total) => {
          // Without a Content-Length the size is unknown: no progress line.
          bar ??= progress(ctx.stderr, (total ?? 0) >= DOWNLOAD_PROGRESS_THRESHOLD && ctx.isTTY, `Downloading ${url}`, total ?? 0, Date.now, DOWNLOAD_PROGRESS_THRESHOLD);
          bar.advance(received - seen);
          seen = received;
        },
      });
    } finally {
      bar?.done();
    }
  };
}

/** Revocation and plugin support, wired from the config/cache dirs when their modules exist. */
export async function verifierExtras(ctx: CliContext): Promise<Pick<VerifierOptions, 'revocation' | 'plugins'>> {
  const extras: Pick<VerifierOptions, 'revocation' | 'plugins'> = {};
  try {
    const rev = await import('../revocation/cli.js');
    extras.revocation = rev.revocationCheckers({ cacheDir: cacheDir(ctx.env), logger: logger(ctx), fetcher: await downloadFetcher(ctx) });
  } catch (e) {
    if (!isModuleMissing(e)) throw e;
  }
  try {
    const plug = await import('../plugins/verifier-hooks.js');
    extras.plugins = plug.verificationPluginHooks(libexecDir(ctx.env));
  } catch (e) {
    if (!isModuleMissing(e)) throw e;
  }
  return extras;
}

function isModuleMissing(e: unknown): boolean {
  return (e as { code?: string })?.code === 'ERR_MODULE_NOT_FOUND';
}

export function configDirOf(ctx: CliContext): string {
  return configDir(ctx.env);
}

/**
 * notation v1.3's warning for the deprecated `--allow-referrers-api` (v2 removed the
 * flag). Only `sign` says what to use instead: there the flag meant "not forced".
 */
export function warnAllowReferrersApi(ctx: CliContext, command: 'sign' | 'verify' | 'list' | 'inspect'): void {
  if (!ctx.changed.has('allow-referrers-api')) return;
  const suffix = command === 'sign' && ctx.flags['allow-referrers-api'] ? ", use '--force-referrers-tag=false' instead" : '';
  ctx.stderr.write(`Warning: flag '--allow-referrers-api' is deprecated and will be removed in future versions${suffix}.\n`);
}

/** Splits an OCI layout reference as notation does (`<path>@<digest>` or `<path>:<tag>`). */
export function parseOciLayoutReference(raw: string): { path: string; reference: string } {
  let path: string;
  let ref: string;
  const at = raw.lastIndexOf('@');
  if (at !== -1) {
    path = raw.slice(0, at);
    ref = raw.slice(at + 1);
  } else {
    const idx = raw.lastIndexOf(':');
    if (idx === -1) throw new UsageError('OCI_LAYOUT_MISSING_REFERENCE', `"${raw}": invalid reference: missing tag or digest. Expecting <file_path>:<tag> or <file_path>@<digest>`);
    path = raw.slice(0, idx);
    ref = raw.slice(idx + 1);
  }
  if (path === '') throw new UsageError('OCI_LAYOUT_MISSING_PATH', `"${raw}": invalid reference: missing oci-layout file path. Expecting <file_path>:<tag> or <file_path>@<digest>`);
  if (ref === '') throw new UsageError('OCI_LAYOUT_MISSING_REFERENCE', `"${raw}": invalid reference: missing tag or digest. Expecting <file_path>:<tag> or <file_path>@<digest>`);
  return { path, reference: ref };
}

export const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export interface Target {
  repository: Repository;
  /** The part before @/: (layout path or registry/repository). */
  name: string;
  /** Tag or digest as the user gave it. */
  reference: string;
  isLayout: boolean;
}

/** Opens the repository an artifact reference points at (OCI layout or registry). */
export async function openTarget(ctx: CliContext, raw: string, opts: { forceReferrersTag?: boolean } = {}): Promise<Target> {
  if (ctx.flags['oci-layout']) {
    const { path, reference } = parseOciLayoutReference(raw);
    const abs = resolvePath(ctx.cwd, path);
    // notation-go's NewOCIRepository checks the path first, with these texts.
    let st;
    try {
      st = statSync(abs);
    } catch (e) {
      throw new UsageError('OCI_LAYOUT_NOT_FOUND', `failed to create OCI store: stat ${path}: ${goErrnoText(e)}`, { cause: e });
    }
    if (!st.isDirectory()) throw new UsageError('OCI_LAYOUT_NOT_DIR', 'failed to create OCI store: the input path is not a directory');
    const { OciLayoutRepository } = await import('../oci/layout.js');
    return { repository: new OciLayoutRepository(abs), name: path, reference, isLayout: true };
  }
  const reg = await import('./registry.js');
  return reg.openRegistryTarget(ctx, raw, opts);
}

/**
 * notation's getManifestDescriptor: resolves the tag or digest, logs the
 * descriptor at info level (Go's %+v), and wraps a failure as notation does. A tag
 * or digest missing from an OCI layout is oras' bare "not found".
 */
export async function resolveManifest(ctx: CliContext, target: Target): Promise<Descriptor> {
  let desc: Descriptor;
  try {
    desc = await target.repository.resolve(target.reference);
  } catch (e) {
    const code = (e as NotationError).code ?? 'RESOLVE_FAILED';
    const detail = target.isLayout && code === 'NOT_FOUND' ? 'not found' : (e as Error).message;
    throw new NotationError(code, `failed to get manifest descriptor: ${detail}`, { cause: e });
  }
  logger(ctx).info?.(`Reference ${target.reference} resolved to manifest descriptor: ${goDescriptorString(desc)}`);
  return desc;
}

/**
 * Resolves the user's tag or digest to a descriptor, warning on tags as notation does
 * (signing has its own wording). Returns the digest reference that notation prints.
 */
export async function resolveWithWarning(ctx: CliContext, target: Target, operation: string): Promise<{ descriptor: Descriptor; resolvedRef: string }> {
  const desc = await resolveManifest(ctx, target);
  const resolvedRef = `${target.name}@${desc.digest}`;
  if (DIGEST_RE.test(target.reference) && target.reference.includes(':')) {
    if (target.reference !== desc.digest) throw new NotationError('DIGEST_MISMATCH', `user input digest ${target.reference} does not match the resolved digest ${desc.digest}`);
  } else if (operation === 'sign') {
    ctx.stderr.write(
      `Warning: Always sign the artifact using digest(@sha256:...) rather than a tag(:${target.reference}) because tags are mutable and a tag reference can point to a different artifact than the one signed.\n`,
    );
  } else {
    ctx.stderr.write(`Warning: Always ${operation} the artifact using digest(@sha256:...) rather than a tag(:${target.reference}) because resolved digest may not point to the same signed artifact, as tags are mutable.\n`);
  }
  return { descriptor: desc, resolvedRef };
}

/** Prints notation's success output: one warning per logged failure, then the success line. */
export function reportSuccess(ctx: CliContext, outcome: VerificationOutcome, printed: string): void {
  for (const r of outcome.verificationResults) {
    if (r.error) ctx.stderr.write(`Warning: ${r.type} was set to "${r.action === 'log' ? 'log' : r.action}" and failed with error: ${r.error.message}\n`);
  }
  if (outcome.verificationLevel.name === 'skip') {
    ctx.stdout.write(`Trust policy is configured to skip signature verification for ${printed}\n`);
    return;
  }
  ctx.stdout.write(`Successfully verified signature for ${printed}\n`);
  const md = userMetadata(outcome);
  if (Object.keys(md).length > 0) {
    ctx.stdout.write('\nThe artifact was signed with the following user metadata.\n');
    ctx.stdout.write(metadataTable(md));
  }
}

/** Go tabwriter layout (min width 0, padding 3) of the KEY/VALUE table. */
export function metadataTable(md: Record<string, string>): string {
  const rows: [string, string][] = [['KEY', 'VALUE'], ...Object.keys(md).sort().map((k) => [k, md[k]] as [string, string])];
  const w0 = Math.max(...rows.map((r) => [...r[0]].length)) + 3;
  const w1 = Math.max(...rows.map((r) => [...r[1]].length)) + 3;
  return '\n' + rows.map((r) => r[0].padEnd(w0) + r[1].padEnd(w1) + '\n').join('');
}

/** JSON view of an outcome for `-o json` (docs/verify-json.md documents the schema). */
export function outcomeJson(outcome: VerificationOutcome | undefined): Record<string, unknown> | undefined {
  if (!outcome) return undefined;
  const checks = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'].map((type) => {
    const action = outcome.verificationLevel.enforcement[type as keyof typeof outcome.verificationLevel.enforcement];
    const rs = outcome.verificationResults.filter((r) => r.type === type);
    const r = rs[rs.length - 1];
    return {
      type,
      action,
      result: action === 'skip' ? 'skipped' : !r ? 'not-run' : r.error ? 'failed' : 'passed',
      ...(r?.error ? { error: r.error.message } : {}),
    };
  });
  // The descriptor and user-metadata comparisons run after the five checks and are
  // always enforced; notation reports them only as the outcome's error.
  const code = (outcome.error as { code?: string } | undefined)?.code;
  const after = outcome.verificationLevel.name === 'skip' ? [] : [
    { type: 'targetArtifact', codes: ['CONTENT_DESCRIPTOR_MISMATCH', 'BLOB_MISMATCH'] },
    { type: 'userMetadata', codes: ['USER_METADATA_MISMATCH'] },
  ].map(({ type, codes }) => {
    const failed = !!code && codes.includes(code);
    const ran = !!outcome.targetArtifact;
    return { type, action: 'enforce', result: failed ? 'failed' : ran ? 'passed' : 'not-run', ...(failed ? { error: outcome.error!.message } : {}) };
  });
  checks.push(...(after as typeof checks));
  const si = outcome.envelopeContent?.signerInfo;
  return {
    signatureDigest: outcome.signatureManifestDigest,
    signatureMediaType: outcome.signatureMediaType,
    result: outcome.error ? 'failed' : outcome.verificationLevel.name === 'skip' ? 'skipped' : 'passed',
    ...(outcome.error ? { error: outcome.error.message, ...(code ? { errorCode: code } : {}) } : {}),
    verificationLevel: outcome.verificationLevel.name,
    statement: outcome.statement,
    checks,
    ...(si
      ? {
          signingScheme: si.signedAttributes.signingScheme,
          signingTime: si.signedAttributes.signingTime.toISOString().replace('.000Z', 'Z'),
          ...(si.signedAttributes.expiry ? { expiry: si.signedAttributes.expiry.toISOString().replace('.000Z', 'Z') } : {}),
          signatureAlgorithm: si.signatureAlgorithm,
          signer: si.certificateChain[0]?.subject,
          certificateChain: si.certificateChain.map((c) => ({ subject: c.subject, issuer: c.issuer, sha256Fingerprint: c.fingerprint256, notAfter: c.notAfter.toISOString() })),
        }
      : {}),
    ...(outcome.targetArtifact ? { targetArtifact: outcome.targetArtifact, userMetadata: userMetadata(outcome) } : {}),
  };
}
