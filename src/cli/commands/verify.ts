/** `notation-ts verify`: verify the signatures of an OCI artifact (registry or OCI layout). */
import type { CliContext } from '../context.js';
import { UsageError, NotationError, VerificationFailedError, TrustStoreError, CertificateError } from '../../errors.js';
import { parseFlagMap } from '../args.js';
import { openTarget, resolveWithWarning, reportSuccess, outcomeJson, logger, verifierExtras, configDirOf, warnAllowReferrersApi } from '../common.js';
import { Verifier } from '../../verifier/verifier.js';
import { verifyArtifact } from '../../verifier/artifact.js';
import type { VerificationOutcome } from '../../verifier/types.js';
import { loadOciTrustPolicy } from '../../trustpolicy/index.js';
import { X509TrustStore } from '../../truststore/index.js';

export async function run(ctx: CliContext): Promise<number> {
  const max = ctx.flags['max-signatures'] as number;
  if (max <= 0) throw new UsageError('INVALID_MAX_SIGNATURES', `max-signatures value ${max} must be a positive number`);
  warnAllowReferrersApi(ctx, 'verify');
  const layout = !!ctx.flags['oci-layout'];
  const scope = ctx.flags.scope as string | undefined;
  if (layout !== (scope !== undefined)) {
    throw new UsageError('FLAGS_REQUIRED_TOGETHER', `if any flags in the group [oci-layout scope] are set they must all be set; missing [${layout ? 'scope' : 'oci-layout'}]`);
  }
  const json = ctx.flags.output === 'json';
  if (ctx.flags.output !== 'text' && !json) throw new UsageError('INVALID_OUTPUT', `invalid format type: "${ctx.flags.output}"`);
  const pluginConfig = parseFlagMap(ctx.flags['plugin-config'] as string[], 'plugin-config');
  const userMetadata = parseFlagMap(ctx.flags['user-metadata'] as string[], 'user-metadata');

  const cfg = configDirOf(ctx);
  const verifier = new Verifier({
    ociTrustPolicy: loadOciTrustPolicy(cfg),
    trustStore: new X509TrustStore(cfg),
    logger: logger(ctx),
    ...(await verifierExtras(ctx)),
  });

  const target = await openTarget(ctx, ctx.args[0]);
  if (ctx.flags.recursive) return runRecursive(ctx, verifier, target, { max, pluginConfig, userMetadata, scope, json });
  const { descriptor, resolvedRef } = await resolveWithWarning(ctx, target, 'verify');
  const intended = scope ? `${scope}@${descriptor.digest}` : resolvedRef;
  const res = await verifyOne(ctx, verifier, target.repository, intended, resolvedRef, { max, pluginConfig, userMetadata });
  if (json) {
    ctx.stdout.write(JSON.stringify(jsonReport(resolvedRef, res), null, 2) + '\n');
    return res.ok ? 0 : 1;
  }
  if (!res.ok) throw res.error!;
  reportSuccess(ctx, res.outcome!, resolvedRef);
  return 0;
}

interface OneResult {
  ok: boolean;
  outcome?: VerificationOutcome;
  failed: VerificationOutcome[];
  error?: Error;
}

async function verifyOne(
  ctx: CliContext,
  verifier: Verifier,
  repository: import('../../oci/types.js').Repository,
  intended: string,
  printed: string,
  o: { max: number; pluginConfig: Record<string, string>; userMetadata: Record<string, string> },
): Promise<OneResult> {
  const log = logger(ctx);
  try {
    const r = await verifyArtifact({
      verifier,
      repository,
      artifactReference: intended,
      maxSignatureAttempts: o.max,
      pluginConfig: o.pluginConfig,
      userMetadata: o.userMetadata,
      onSignatureFailure: (d, e) => log.warn(`Signature ${d} failed verification with error: ${e.message}`),
    });
    return { ok: true, outcome: r.outcomes[0], failed: r.failedOutcomes };
  } catch (e) {
    return { ok: false, failed: (e as { failedOutcomes?: VerificationOutcome[] }).failedOutcomes ?? [], error: cliError(e as Error, printed) };
  }
}

/** notation's mapping of verification errors to the printed message (checkVerificationFailure). */
export function cliError(err: Error, printed: string): Error {
  if (err instanceof TrustStoreError || err instanceof CertificateError) return err;
  if (err instanceof VerificationFailedError) {
    return new NotationError(err.code, `signature verification failed for all the signatures associated with ${printed}`, { cause: err });
  }
  return new NotationError((err as NotationError).code ?? 'VERIFICATION_FAILED', `signature verification failed: ${err.message}`, { cause: err });
}

function jsonReport(reference: string, r: OneResult): Record<string, unknown> {
  return {
    reference,
    result: r.ok ? (r.outcome?.verificationLevel.name === 'skip' ? 'skipped' : 'passed') : 'failed',
    ...(r.error ? { error: r.error.message } : {}),
    ...(r.outcome ? { verified: outcomeJson(r.outcome) } : {}),
    failedSignatures: r.failed.map(outcomeJson),
  };
}

async function runRecursive(
  ctx: CliContext,
  verifier: Verifier,
  target: import('../common.js').Target,
  o: { max: number; pluginConfig: Record<string, string>; userMetadata: Record<string, string>; scope?: string; json: boolean },
): Promise<number> {
  const { planRecursive, verifyRecursive } = await import('../recursive.js');
  const intendedOf = (digest: string, printed: string) => (o.scope ? `${o.scope}@${digest}` : printed);
  if (o.json) {
    const plan = await planRecursive(ctx, target, 'verify');
    const reports: Record<string, unknown>[] = [];
    let failures = 0;
    for (const item of plan.items) {
      const r = await verifyOne(ctx, verifier, target.repository, intendedOf(item.descriptor.digest, item.reference), item.reference, o);
      reports.push({ platform: item.platform, ...jsonReport(item.reference, r) });
      if (!r.ok) failures++;
    }
    ctx.stdout.write(JSON.stringify({ reference: plan.resolvedRef, result: failures ? 'failed' : 'passed', manifests: reports }, null, 2) + '\n');
    return failures ? 1 : 0;
  }
  return verifyRecursive(ctx, target, async (item) => {
    const r = await verifyOne(ctx, verifier, target.repository, intendedOf(item.descriptor.digest, item.reference), item.reference, o);
    if (!r.ok) throw r.error!;
    reportSuccess(ctx, r.outcome!, item.reference);
  });
}
