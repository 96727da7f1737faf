/**
 * Conformance adapters for signature manifests and OCI layouts (category
 * signature-manifest): build-signature-manifest, is-notation-signature-manifest,
 * list-signature-manifests, resolve-oci-layout-reference.
 */
import { deepEqual, invalid, type Adapter, type AdapterResult } from '../framework.js';
import { buildSignatureManifest, signatureReferrer } from '../../../src/oci/manifest.js';
import { OciLayoutRepository } from '../../../src/oci/layout.js';
import { matchesDigest, sha256Digest } from '../../../src/oci/digest.js';
import { RepositoryError } from '../../../src/errors.js';
import type { Descriptor } from '../../../src/oci/types.js';

export const errorKinds: Record<string, string> = {
  SIGNATURE_MANIFEST_TOO_LARGE: 'signature manifest too large',
  MALFORMED_SIGNATURE_MANIFEST: 'malformed signature manifest',
};

function desc(v: Record<string, unknown> | undefined): Descriptor {
  return { ...(v ?? {}), mediaType: String(v?.mediaType ?? ''), digest: String(v?.digest ?? ''), size: Number(v?.size ?? 0) } as Descriptor;
}

function mismatch(what: string, expected: unknown, got: unknown): AdapterResult {
  return { outcome: 'valid', mismatch: `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}` };
}

const buildManifest: Adapter = (c, ctx) => {
  try {
    let blobDescriptor = desc(c.params.signatureBlobDescriptor);
    if (c.inputs.signatureEnvelope) {
      const blob = ctx.read(c.inputs.signatureEnvelope);
      blobDescriptor = { mediaType: c.params.signatureMediaType, digest: sha256Digest(blob), size: blob.length };
    }
    const built = buildSignatureManifest({ blobDescriptor, subject: desc(c.params.subject), annotations: c.params.annotations });
    const e = c.expected;
    if (e.manifestMediaType !== undefined && built.descriptor.mediaType !== e.manifestMediaType) {
      return mismatch('manifest media type', e.manifestMediaType, built.descriptor.mediaType);
    }
    if (e.artifactType !== undefined && built.descriptor.artifactType !== e.artifactType) {
      return mismatch('artifactType', e.artifactType, built.descriptor.artifactType);
    }
    return { outcome: 'valid' };
  } catch (err) {
    return invalid(err);
  }
};

const isSignatureManifest: Adapter = (c, ctx) => {
  try {
    const node = desc(c.params.descriptor);
    const fetch = (d: Descriptor): Uint8Array => {
      if (!c.inputs.manifest) throw new RepositoryError('NOT_FOUND', `${d.digest}: not found`);
      const bytes = ctx.read(c.inputs.manifest);
      if (!matchesDigest(bytes, d.digest) || bytes.length !== d.size) {
        throw new RepositoryError('DIGEST_MISMATCH', `${d.digest}: content does not match its descriptor`);
      }
      return bytes;
    };
    // The Go test lists referrers of the subject each manifest names itself, so only
    // the presence of a subject is checked (subject = undefined).
    const result = signatureReferrer(node, fetch, undefined) !== undefined;
    if (c.expected.result !== undefined && result !== c.expected.result) return mismatch('result', c.expected.result, result);
    return { outcome: 'valid' };
  } catch (err) {
    return invalid(err);
  }
};

const listSignatureManifests: Adapter = (c, ctx) => {
  try {
    const repo = new OciLayoutRepository(ctx.path(c.inputs.ociLayout));
    const subject = repo.resolveSync(c.params.artifactReference);
    const got = repo.listSignaturesSync(subject);
    const want = (c.expected.signatureManifests ?? []) as Record<string, unknown>[];
    const projected = got.map((g, i) => {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(want[i] ?? { digest: 1, artifactType: 1 })) o[k] = (g as unknown as Record<string, unknown>)[k];
      return o;
    });
    if (!deepEqual(projected, want)) return mismatch('signature manifests', want, projected);
    return { outcome: 'valid' };
  } catch (err) {
    return invalid(err);
  }
};

const resolveLayoutReference: Adapter = (c, ctx) => {
  try {
    const repo = new OciLayoutRepository(ctx.path(c.inputs.ociLayout));
    const d = repo.resolveSync(c.params.reference);
    if (c.expected.descriptor !== undefined && !deepEqual(d, c.expected.descriptor)) return mismatch('descriptor', c.expected.descriptor, d);
    return { outcome: 'valid' };
  } catch (err) {
    return invalid(err);
  }
};

export const adapters: Record<string, Adapter> = {
  'build-signature-manifest': buildManifest,
  'is-notation-signature-manifest': isSignatureManifest,
  'list-signature-manifests': listSignatureManifests,
  'resolve-oci-layout-reference': resolveLayoutReference,
};
