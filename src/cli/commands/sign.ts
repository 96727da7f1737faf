/**
 * `notation-ts sign`: sign an OCI artifact in a registry or an OCI image layout and
 * store the signature next to it (notation cmd/notation/sign.go, v2 output).
 */
import type { CliContext } from '../context.js';
import { PushSignatureFailedError, errorMessage } from '../../errors.js';
import { parseFlagMap } from '../args.js';
import { logger, openTarget, resolveWithWarning, warnAllowReferrersApi, type Target } from '../common.js';
import {
  SIGNER_FLAG_GROUPS,
  checkFlagGroups,
  checkTimestampFlagValues,
  checkExpiry,
  parseExpiryFlag,
  resolveSigningBackend,
  signatureFormatFromFlags,
  timestamperFromFlags,
  type SigningBackend,
} from '../signing.js';
import { sign, addUserMetadata, signatureManifestAnnotations } from '../../signer/sign.js';
import { generateEnvelopeWithPlugin } from '../../signer/plugin.js';
import type { Descriptor } from '../../envelope/types.js';

interface SignSettings {
  backend: SigningBackend;
  mediaType: string;
  expiryMs?: number;
  pluginConfig: Record<string, string>;
  userMetadata: Record<string, string>;
  timestamper?: Awaited<ReturnType<typeof timestamperFromFlags>>;
}

export async function run(ctx: CliContext): Promise<number> {
  // pflag parses --expiry while reading the command line, before any other check;
  // notation-go judges its value only once signing starts (after the tag warning).
  const expiryNs = parseExpiryFlag(ctx);
  checkFlagGroups(ctx, {
    together: SIGNER_FLAG_GROUPS.together,
    exclusive: [...SIGNER_FLAG_GROUPS.exclusive, ['oci-layout', 'force-referrers-tag', 'allow-referrers-api']],
  });
  checkTimestampFlagValues(ctx, 'sign');
  warnAllowReferrersApi(ctx, 'sign');

  const pluginConfig = parseFlagMap(ctx.flags['plugin-config'] as string[], 'plugin-config');
  const backend = await resolveSigningBackend(ctx, pluginConfig, 'oci');
  try {
    const target = await openTarget(ctx, ctx.args[0], { forceReferrersTag: !!ctx.flags['force-referrers-tag'] });
    const { mediaType } = signatureFormatFromFlags(ctx);
    const userMetadata = parseFlagMap(ctx.flags['user-metadata'] as string[], 'user-metadata');
    const timestamper = await timestamperFromFlags(ctx);
    const settings: SignSettings = { backend, mediaType, pluginConfig, userMetadata, timestamper };

    if (ctx.flags.recursive) {
      // Ours (src/cli/recursive.ts): every manifest under the index, then the index itself.
      const { signRecursive } = await import('../recursive.js');
      return await signRecursive(ctx, target, async (item) => {
        settings.expiryMs = checkExpiry(expiryNs);
        const sigManifest = await signOne(ctx, target, item.descriptor, settings);
        printSigned(ctx, target, item.descriptor, sigManifest);
      });
    }
    const artifact = (await resolveWithWarning(ctx, target, 'sign')).descriptor;
    settings.expiryMs = checkExpiry(expiryNs);
    const sigManifest = await signOne(ctx, target, artifact, settings);
    printSigned(ctx, target, artifact, sigManifest);
    return 0;
  } finally {
    if (backend.kind === 'signer') await backend.close?.();
  }
}

/** notation v2's two lines (v1.3.2 printed only the first), with the repository part of the reference. */
function printSigned(ctx: CliContext, target: Target, artifact: Descriptor, sigManifest: Descriptor): void {
  ctx.stdout.write(`Successfully signed ${target.name}@${artifact.digest}\n`);
  ctx.stdout.write(`Pushed the signature to ${target.name}@${sigManifest.digest}\n`);
}

/** Signs one manifest and pushes the signature; returns the signature manifest's descriptor. */
async function signOne(ctx: CliContext, target: Target, artifact: Descriptor, s: SignSettings): Promise<Descriptor> {
  if (s.backend.kind === 'signer') {
    const r = await sign({
      signer: s.backend.signer,
      repository: target.repository,
      reference: artifact.digest,
      signatureMediaType: s.mediaType,
      ...(s.expiryMs !== undefined ? { expiry: s.expiryMs } : {}),
      userMetadata: s.userMetadata,
      ...(s.timestamper ? { timestamper: s.timestamper } : {}),
      onWarning: (m) => logger(ctx).warn(m),
    });
    return r.signatureManifestDescriptor;
  }
  // ENVELOPE plugin: it builds (and timestamps) the whole envelope; we check and push it.
  const described = addUserMetadata(artifact, s.userMetadata);
  const gen = await generateEnvelopeWithPlugin({
    plugin: s.backend.plugin,
    keyId: s.backend.keyId,
    descriptor: described,
    signatureMediaType: s.mediaType,
    ...(s.expiryMs !== undefined ? { expirySeconds: s.expiryMs / 1000 } : {}),
    pluginConfig: s.backend.pluginConfig,
  });
  const annotations = signatureManifestAnnotations(gen.content.signerInfo, gen.annotations);
  try {
    const pushed = await target.repository.pushSignature(s.mediaType, gen.envelope, artifact, annotations);
    return pushed.manifestDescriptor;
  } catch (e) {
    throw new PushSignatureFailedError('PUSH_SIGNATURE_FAILED', `failed to push signature to registry with error: ${errorMessage(e)}`, { cause: e });
  }
}
