/**
 * Artifact-level verification (checklist 5.1): select the policy, resolve the
 * artifact, walk its signatures until one passes or the attempt limit is hit.
 * Mirrors notation-go's notation.Verify, including its error texts.
 */
import type { Descriptor } from '../envelope/types.js';
import type { Repository } from '../oci/types.js';
import { SignatureRetrievalFailedError, VerificationFailedError } from '../errors.js';
import type { Logger, Verifier } from './verifier.js';
import type { TrustPolicyStatement } from '../trustpolicy/index.js';
import type { VerificationOutcome } from './types.js';

export interface VerifyArtifactOptions {
  verifier: Verifier;
  repository: Repository;
  /**
   * Reference whose repository part selects the trust policy: `<scope>@<digest>`,
   * or `<scope>:<tag>` / `<scope>@<digest>` to be resolved in `repository`.
   */
  artifactReference: string;
  /** Default 100, as notation. */
  maxSignatureAttempts?: number;
  userMetadata?: Record<string, string>;
  pluginConfig?: Record<string, string>;
  signal?: AbortSignal;
  /** Called with each signature that failed verification. */
  onSignatureFailure?: (signatureDigest: string, error: Error) => void;
  /** notation's info/debug lines of this walk; default: the verifier's logger. */
  logger?: Logger;
}

export interface VerifyArtifactResult {
  /** The artifact descriptor that was verified (absent when the level is skip). */
  descriptor?: Descriptor;
  /** The successful outcome (one element), or the skip outcome. */
  outcomes: VerificationOutcome[];
  /** Every failed signature's outcome, in the order tried. */
  failedOutcomes: VerificationOutcome[];
}

/** Splits `name@digest` / `name:tag` at the last `@`, else the last `:` after the last `/`. */
export function splitReference(ref: string): { name: string; reference: string; isDigest: boolean } {
  const at = ref.lastIndexOf('@');
  if (at >= 0) return { name: ref.slice(0, at), reference: ref.slice(at + 1), isDigest: true };
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { name: ref.slice(0, colon), reference: ref.slice(colon + 1), isDigest: false };
  return { name: ref, reference: '', isDigest: false };
}

export const DIGEST_RE = /^sha256:[a-f0-9]{64}$|^sha384:[a-f0-9]{96}$|^sha512:[a-f0-9]{128}$/;

export async function verifyArtifact(opts: VerifyArtifactOptions): Promise<VerifyArtifactResult> {
  const max = opts.maxSignatureAttempts ?? 100;
  if (!(max > 0)) {
    throw new SignatureRetrievalFailedError('INVALID_MAX_SIGNATURES', `verifyOptions.MaxSignatureAttempts expects a positive number, got ${max}`);
  }
  const log = opts.logger ?? opts.verifier.logger;
  log?.info?.('Checking whether signature verification should be skipped or not');
  log?.debug?.(`Check verification level against artifact ${opts.artifactReference}`);
  const { skip, level, statement } = opts.verifier.skipVerify(opts.artifactReference);
  log?.info?.(`Trust policy configuration: ${goStatementString(statement, 'oci')}`);
  if (skip) {
    log?.debug?.('Skipping signature verification');
    log?.info?.(`Signature verification skipped for ${opts.artifactReference}`);
  } else log?.info?.("Check over. The signature verification level is not set to 'skip' in the trust policy.");
  if (skip) return { outcomes: [{ verificationLevel: level, verificationResults: [], statement: JSON.parse(JSON.stringify(statement)) }], failedOutcomes: [] };

  const ref = splitReference(opts.artifactReference);
  if (!ref.reference) throw new SignatureRetrievalFailedError('REFERENCE_MISSING_DIGEST', 'reference is missing digest or tag');
  let desc: Descriptor;
  try {
    desc = await opts.repository.resolve(ref.reference);
  } catch (e) {
    throw new SignatureRetrievalFailedError('RESOLVE_FAILED', (e as Error).message, { cause: e });
  }
  if (ref.isDigest && ref.reference !== desc.digest) {
    throw new SignatureRetrievalFailedError('DIGEST_MISMATCH', `user input digest ${ref.reference} does not match the resolved digest ${desc.digest}`);
  }
  if (!ref.isDigest) {
    log?.info?.(`Resolved artifact tag \`${ref.reference}\` to digest \`${desc.digest}\` before verification`);
    log?.warn('The resolved digest may not point to the same signed artifact, since tags are mutable');
  }
  const digestRef = `${ref.name}@${desc.digest}`;

  let processed = 0;
  const failed: VerificationOutcome[] = [];
  log?.debug?.('Fetching signature manifests');
  outer: for await (const page of opts.repository.listSignatures(desc)) {
    for (const sigDesc of page) {
      if (processed >= max) break outer;
      processed++;
      log?.info?.(`Processing signature with manifest mediaType: ${sigDesc.mediaType} and digest: ${sigDesc.digest}`);
      let blob: Uint8Array;
      let blobDesc: Descriptor;
      try {
        ({ blob, descriptor: blobDesc } = await opts.repository.fetchSignatureBlob(sigDesc));
      } catch (e) {
        throw new SignatureRetrievalFailedError(
          'SIGNATURE_RETRIEVAL_FAILED',
          `unable to retrieve digital signature with digest "${sigDesc.digest}" associated with "${opts.artifactReference}" from the Repository, error : ${(e as Error).message}`,
          { cause: e },
        );
      }
      // Logged by notation-go's verifier.Verify; the statement is the one selected above.
      log?.debug?.(`Verify signature against artifact ${desc.digest} referenced as ${digestRef} in signature media type ${blobDesc.mediaType}`);
      log?.info?.(`Trust policy configuration: ${goStatementString(statement, 'oci')}`);
      const outcome = await opts.verifier.verify(desc, blob, {
        artifactReference: digestRef,
        signatureMediaType: blobDesc.mediaType,
        pluginConfig: opts.pluginConfig,
        userMetadata: opts.userMetadata,
        signal: opts.signal,
      });
      outcome.signatureManifestDigest = sigDesc.digest;
      if (outcome.error) {
        opts.onSignatureFailure?.(sigDesc.digest, outcome.error);
        failed.push(outcome);
        continue;
      }
      log?.debug?.(`Signature verification succeeded for artifact ${desc.digest} with signature digest ${sigDesc.digest}`);
      return { descriptor: desc, outcomes: [outcome], failedOutcomes: failed };
    }
  }
  if (processed === 0) {
    throw new SignatureRetrievalFailedError('NO_SIGNATURE', `no signature is associated with "${opts.artifactReference}", make sure the artifact was signed successfully`);
  }
  if (processed >= max) {
    throw Object.assign(
      new VerificationFailedError('MAX_SIGNATURES_EXCEEDED', `signature evaluation stopped. The configured limit of ${max} signatures to verify per artifact exceeded`),
      { failedOutcomes: failed },
    );
  }
  log?.debug?.(`Signature verification failed for all the signatures associated with artifact ${desc.digest}`);
  const err = new VerificationFailedError(
    'VERIFICATION_FAILED',
    ['signature verification failed', ...failed.map((o) => `failed to verify signature with digest ${o.signatureManifestDigest}, ${o.error?.message}`)].join('\n'),
  );
  throw Object.assign(err, { failedOutcomes: failed });
}

// ---- Go fmt renderings for notation's log lines ---------------------------------------
// notation logs Go values with %v / %+v; these render our values the same way.

/** Go's %v of a []string. */
export function goList(xs: readonly string[] | undefined): string {
  return `[${(xs ?? []).join(' ')}]`;
}

/** Go's %v of a map[string]string (keys sorted, as fmt prints maps). */
export function goMap(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return `map[${keys.map((k) => `${k}:${m![k]}`).join(' ')}]`;
}

/** Go's %+v of an ocispec.Descriptor (image-spec v1.1 field order; Data as decimal bytes). */
export function goDescriptorString(d: Descriptor): string {
  const data = d.data ? [...Buffer.from(d.data, 'base64')].join(' ') : '';
  const p = d.platform;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const features = p && Array.isArray(p['os.features']) ? (p['os.features'] as unknown[]).map(str) : [];
  const platform = p ? `&{Architecture:${str(p.architecture)} OS:${str(p.os)} OSVersion:${str(p['os.version'])} OSFeatures:${goList(features)} Variant:${str(p.variant)}}` : '<nil>';
  return `{MediaType:${d.mediaType ?? ''} Digest:${d.digest ?? ''} Size:${d.size ?? 0} URLs:${goList(d.urls)} Annotations:${goMap(d.annotations)} Data:[${data}] Platform:${platform} ArtifactType:${d.artifactType ?? ''}}`;
}

/**
 * Go's %+v of the applicable statement: notation v1.3's *trustpolicy.TrustPolicy for
 * OCI, notation v2's *trustpolicy.BlobTrustPolicy for blobs; values as written in
 * the policy file.
 */
export function goStatementString(s: TrustPolicyStatement, kind: 'oci' | 'blob'): string {
  const sv = s.signatureVerification ?? { level: '' };
  const verification = `{VerificationLevel:${sv.level ?? ''} Override:${goMap(sv.override)} VerifyTimestamp:${sv.verifyTimestamp ?? ''}}`;
  const common = `SignatureVerification:${verification} TrustStores:${goList(s.trustStores)} TrustedIdentities:${goList(s.trustedIdentities)}`;
  return kind === 'oci'
    ? `&{Name:${s.name} RegistryScopes:${goList(s.registryScopes)} ${common}}`
    : `&{Name:${s.name} ${common} GlobalPolicy:${!!s.globalPolicy}}`;
}
