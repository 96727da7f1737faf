/**
 * `notation-ts inspect`: every signature of an artifact, as notation v2 prints
 * it (tree or json). Signatures that cannot be fetched or parsed are reported on
 * stderr and skipped; the command then fails after printing the rest.
 */
import type { CliContext } from '../context.js';
import { UsageError, NotationError } from '../../errors.js';
import { openTarget, resolveWithWarning, warnAllowReferrersApi } from '../common.js';
import { parseEnvelope } from '../../envelope/index.js';
import { inspectEnvelope, inspectJson, localOffsetFromEnv, InspectTreeWriter, type SignatureInspection } from '../inspect.js';
import type { Descriptor } from '../../oci/types.js';

export async function run(ctx: CliContext): Promise<number> {
  const format = ctx.flags.output as string;
  // cobra PreRunE: the format is checked before anything else.
  if (format !== 'tree' && format !== 'json') throw new UsageError('INVALID_OUTPUT_FORMAT', `invalid format: ${JSON.stringify(format)}`);
  const max = ctx.flags['max-signatures'] as number;
  if (max <= 0) throw new UsageError('INVALID_MAX_SIGNATURES', `max-signatures value ${max} must be a positive number`);
  warnAllowReferrersApi(ctx, 'inspect');

  const target = await openTarget(ctx, ctx.args[0]);
  const { descriptor, resolvedRef } = await resolveWithWarning(ctx, target, 'inspect');
  const localOffset = localOffsetFromEnv(ctx.env);
  const tree = format === 'tree' ? new InspectTreeWriter(resolvedRef, (s) => ctx.stdout.write(s)) : undefined;
  const shown: SignatureInspection[] = [];
  let skipped = false;
  const skip = (d: Descriptor, e: unknown) => {
    ctx.stderr.write(`Warning: Skipping signature ${d.digest} because of error: ${(e as Error)?.message ?? String(e)}\n`);
    skipped = true;
  };

  let examined = 0;
  let exceeded = false;
  outer: for await (const page of target.repository.listSignatures(descriptor)) {
    for (const sigManifest of page) {
      if (examined >= max) {
        exceeded = true;
        break outer;
      }
      examined++;
      let fetched: { blob: Uint8Array; descriptor: Descriptor };
      try {
        fetched = await target.repository.fetchSignatureBlob(sigManifest);
      } catch (e) {
        ctx.stderr.write(`Warning: unable to fetch signature ${sigManifest.digest} due to error: ${(e as Error)?.message ?? String(e)}\n`);
        skipped = true;
        continue;
      }
      let inspection: SignatureInspection;
      try {
        const envelope = parseEnvelope(fetched.descriptor.mediaType, fetched.blob);
        inspection = inspectEnvelope(envelope, { digest: sigManifest.digest, localOffset });
      } catch (e) {
        skip(sigManifest, e);
        continue;
      }
      if (tree) tree.add(sigManifest.digest, inspection);
      else shown.push(inspection);
    }
  }

  if (tree) tree.flush();
  else ctx.stdout.write(inspectJson(descriptor.mediaType, shown));
  // notation prints this with fmt.Println, on stdout, after the output.
  if (exceeded) ctx.stdout.write(`Warning: exceeded configured limit of max signatures ${max} to examine\n`);
  if (skipped) throw new NotationError('SIGNATURES_SKIPPED', 'at least one signature was skipped and not displayed');
  return 0;
}
