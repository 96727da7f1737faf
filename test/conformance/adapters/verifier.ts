/**
 * Adapters for the verification pipeline: verify-oci-signature, verify-oci-artifact,
 * verify-blob-signature. Cases name a policy, trust stores (as file lists) and an
 * envelope or OCI layout; the verification time is the case's.
 */
import { parseCertificates, type Certificate } from '../../../src/x509/certificate.js';
import { MemoryTrustStore } from '../../../src/truststore/index.js';
import { parseOciTrustPolicy, parseBlobTrustPolicy } from '../../../src/trustpolicy/index.js';
import { Verifier, type VerificationPluginHooks } from '../../../src/verifier/verifier.js';
import { verifyArtifact } from '../../../src/verifier/artifact.js';
import type { VerificationOutcome } from '../../../src/verifier/types.js';
import { OciLayoutRepository } from '../../../src/oci/layout.js';
import { type Adapter, type AdapterResult, type Case, type CaseContext, invalid, kindOf } from '../framework.js';
import { mockPluginHooks } from '../support/plugin-mock.js';
import { NoApplicableTrustPolicyError } from '../../../src/errors.js';

export const errorKinds: Record<string, string> = {
  UNTRUSTED_SIGNER: 'untrusted',
  NO_TRUSTED_CERTIFICATES: 'untrusted',
  SIGNATURE_EXPIRED: 'expired signature',
  TRUSTED_IDENTITY_MISMATCH: 'trusted identity mismatch',
  TRUST_STORE_MISSING_SEPARATOR: 'malformed policy: trust store value missing separator',
  USER_METADATA_MISMATCH: 'user metadata mismatch',
  CONTENT_DESCRIPTOR_MISMATCH: 'content descriptor mismatch',
  BLOB_MISMATCH: 'signature integrity',
  PLUGIN_TRUSTED_IDENTITY_FAILED: 'plugin verification failed: trusted identity',
  PLUGIN_REVOCATION_FAILED: 'revoked',
  CERT_REVOKED: 'revoked',
  REVOCATION_UNKNOWN: 'revocation unknown',
  NO_SIGNATURE: 'no signature',
  MAX_SIGNATURES_EXCEEDED: 'signature limit exceeded',
};

function trustStoreOf(c: Case, ctx: CaseContext): MemoryTrustStore {
  const stores: Record<string, Certificate[] | null> = {};
  for (const [k, files] of Object.entries((c.inputs.trustStores ?? {}) as Record<string, string[] | null>)) {
    stores[k] = files === null ? null : files.flatMap((f) => parseCertificates(ctx.read(f), f));
  }
  return new MemoryTrustStore(stores);
}

function pluginHooks(c: Case, ctx: CaseContext): VerificationPluginHooks | undefined {
  if (!c.params.plugin) return undefined;
  const resp = c.inputs.pluginVerifySignatureResponse ? JSON.parse(ctx.read(c.inputs.pluginVerifySignatureResponse).toString('utf8')) : undefined;
  return mockPluginHooks(c.params.plugin, resp);
}

/** Judges an outcome against the case's scope (overall or one validation type). */
function judgeOutcome(c: Case, outcome: VerificationOutcome | undefined, thrown?: unknown): AdapterResult {
  const scope = c.expected.scope ?? 'overall';
  // At this level the corpus does not tell a bad reference from a missing policy.
  if (thrown instanceof NoApplicableTrustPolicyError) return invalid(thrown, 'invalid artifact reference or no applicable trust policy');
  if (thrown !== undefined) return invalid(thrown);
  if (!outcome) return { outcome: 'invalid', errorMessage: 'no outcome' };
  if (scope === 'overall') return outcome.error ? invalid(outcome.error) : { outcome: 'valid' };
  const type = scope.replace(/^validation:/, '');
  if (type === 'verificationPluginMinVersion') {
    const e = outcome.error as { code?: string } | undefined;
    if (e && /PLUGIN_VERSION|PLUGIN_MIN_VERSION/.test(e.code ?? '')) return invalid(outcome.error);
    return { outcome: 'valid' };
  }
  const rs = outcome.verificationResults.filter((r) => r.type === type);
  const r = rs[rs.length - 1];
  const mismatch: string[] = [];
  if (c.expected.action && r && r.action !== c.expected.action) mismatch.push(`action ${r.action} != ${c.expected.action}`);
  if (c.expected.overallOutcome === 'invalid' && !outcome.error) mismatch.push('overall outcome should be invalid');
  if (!r) {
    // The step never ran: an earlier enforced failure stopped the pipeline.
    return outcome.error ? { ...invalid(outcome.error), mismatch: `no ${type} result recorded` } : { outcome: 'valid', mismatch: `no ${type} result recorded` };
  }
  const res: AdapterResult = r.error ? invalid(r.error) : { outcome: 'valid' };
  if (mismatch.length) res.mismatch = mismatch.join('; ');
  return res;
}

const verifyOciSignature: Adapter = async (c, ctx) => {
  let verifier: Verifier;
  let sig: Uint8Array;
  try {
    const policy = parseOciTrustPolicy(ctx.read(c.inputs.trustPolicy), c.inputs.trustPolicy, { validate: false });
    verifier = new Verifier({ ociTrustPolicy: policy, trustStore: trustStoreOf(c, ctx), now: () => ctx.now ?? new Date(), plugins: pluginHooks(c, ctx) });
    sig = c.inputs.envelope ? ctx.read(c.inputs.envelope) : Buffer.from(c.params.signatureBytes ?? '', 'utf8');
  } catch (e) {
    return invalid(e);
  }
  try {
    const outcome = await verifier.verify(c.params.targetDescriptor ?? {}, sig, {
      artifactReference: c.params.artifactReference,
      signatureMediaType: c.params.signatureMediaType ?? 'application/jose+json',
      userMetadata: c.params.userMetadata,
    });
    return judgeOutcome(c, outcome);
  } catch (e) {
    return judgeOutcome(c, undefined, e);
  }
};

/** notation's CLI warning line for a logged failure. */
function warningLine(type: string, action: string, msg: string): string {
  return `Warning: ${type} was set to "${action}" and failed with error: ${msg}`;
}

const verifyOciArtifact: Adapter = async (c, ctx) => {
  try {
    const policy = parseOciTrustPolicy(ctx.read(c.inputs.trustPolicy), c.inputs.trustPolicy);
    const verifier = new Verifier({ ociTrustPolicy: policy, trustStore: trustStoreOf(c, ctx), now: () => ctx.now ?? new Date() });
    const repository = new OciLayoutRepository(ctx.path(c.inputs.ociLayout));
    const r = await verifyArtifact({ verifier, repository, artifactReference: c.params.artifactReference });
    const outcome = r.outcomes[0];
    const mismatch: string[] = [];
    if (c.expected.skipped && outcome.verificationLevel.name !== 'skip') mismatch.push('expected a skipped verification');
    for (const lf of (c.expected.loggedFailures ?? []) as { type: string; action: string; messageContains: string }[]) {
      const lines = outcome.verificationResults.filter((x) => x.error).map((x) => warningLine(x.type, x.action, x.error!.message));
      if (!lines.some((l) => l.includes(lf.messageContains))) mismatch.push(`missing logged failure "${lf.messageContains}" (have: ${lines.join(' | ')})`);
    }
    return { outcome: 'valid', ...(mismatch.length ? { mismatch: mismatch.join('; ') } : {}) };
  } catch (e) {
    const failed = (e as { failedOutcomes?: VerificationOutcome[] }).failedOutcomes;
    // The e2e tests match the CLI's verbose log; the first failed signature's error carries the reason.
    const inner = failed?.[0]?.error;
    if (inner) {
      const r = failed[0].verificationResults.find((x) => x.error && x.error === inner);
      const msg = r ? `${r.type} validation failed. Failure reason: ${inner.message}` : inner.message;
      // The e2e tests classify by the failing step; integrity failures are one kind there.
      const kind = r?.type === 'integrity' ? 'signature integrity' : kindOf(inner) ?? (r ? kindForType(r.type) : undefined);
      return { outcome: 'invalid', errorKind: kind, errorMessage: msg };
    }
    return invalid(e);
  }
};

function kindForType(t: string): string | undefined {
  return { integrity: 'signature integrity', authenticity: 'untrusted', expiry: 'expired signature' }[t];
}

const verifyBlobSignature: Adapter = async (c, ctx) => {
  try {
    const policy = parseBlobTrustPolicy(ctx.read(c.inputs.trustPolicy), c.inputs.trustPolicy, { validate: false });
    const verifier = new Verifier({ blobTrustPolicy: policy, trustStore: trustStoreOf(c, ctx), now: () => ctx.now ?? new Date() });
    const sig = c.inputs.envelope ? ctx.read(c.inputs.envelope) : Buffer.from(c.params.signatureBytes ?? '', 'utf8');
    if (sig.length === 0) return { outcome: 'invalid', errorKind: 'malformed envelope', errorMessage: 'signature cannot be nil or empty' };
    const bd = c.params.blobDescriptor;
    const outcome = await verifier.verifyBlob(
      async (hash) => {
        if (bd) return { mediaType: bd.mediaType ?? '', digest: bd.digest, size: bd.size };
        const { digestOf } = await import('../../../src/verifier/verifier.js');
        const blob = ctx.read(c.inputs.blob);
        return { mediaType: '', digest: digestOf(hash, blob), size: blob.length };
      },
      sig,
      { signatureMediaType: c.params.signatureMediaType, trustPolicyName: c.params.trustPolicyName, userMetadata: c.params.userMetadata, contentMediaType: bd?.mediaType || undefined },
    );
    return outcome.error ? invalid(outcome.error) : { outcome: 'valid' };
  } catch (e) {
    return invalid(e);
  }
};

export const adapters: Record<string, Adapter> = {
  'verify-oci-signature': verifyOciSignature,
  'verify-oci-artifact': verifyOciArtifact,
  'verify-blob-signature': verifyBlobSignature,
};
