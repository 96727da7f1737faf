/** `notation-ts list`: the signature manifests of an artifact, as notation's tree. */
import type { CliContext } from '../context.js';
import { UsageError } from '../../errors.js';
import { openTarget, resolveWithWarning, warnAllowReferrersApi } from '../common.js';
import { ARTIFACT_TYPE_NOTATION } from '../../oci/types.js';

export async function run(ctx: CliContext): Promise<number> {
  const max = ctx.flags['max-signatures'] as number;
  if (max <= 0) throw new UsageError('INVALID_MAX_SIGNATURES', `max-signatures value ${max} must be a positive number`);
  warnAllowReferrersApi(ctx, 'list');
  const target = await openTarget(ctx, ctx.args[0]);
  const { descriptor, resolvedRef } = await resolveWithWarning(ctx, target, 'list');
  const digests: string[] = [];
  let exceeded = false;
  outer: for await (const page of target.repository.listSignatures(descriptor)) {
    for (const d of page) {
      if (digests.length >= max) {
        exceeded = true;
        break outer;
      }
      digests.push(d.digest);
    }
  }
  if (digests.length) {
    ctx.stdout.write(`${resolvedRef}\n└── ${ARTIFACT_TYPE_NOTATION}\n`);
    digests.forEach((d, i) => ctx.stdout.write(`    ${i === digests.length - 1 ? '└──' : '├──'} ${d}\n`));
  }
  if (exceeded) ctx.stdout.write(`Warning: exceeded configured limit of max signatures ${max} to examine\n`);
  if (!digests.length) ctx.stdout.write(`${resolvedRef} has no associated signature\n`);
  return 0;
}
