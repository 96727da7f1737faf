/**
 * Notary signature manifests: building them byte-for-byte as notation v2 does
 * (notation-go registry.uploadSignatureManifest via oras PackManifest 1.1), telling
 * notary signature manifests apart from other referrers (notation-go
 * signatureReferrers), and extracting the one envelope layer (getSignatureBlobDesc).
 */
import { createHash } from 'node:crypto';
import { RepositoryError, SignatureRetrievalFailedError } from '../errors.js';
import { goDescriptor, goMarshal, sortedMap } from './gojson.js';
import { sha256Digest } from './digest.js';
import {
  ANNOTATION_CREATED,
  ANNOTATION_THUMBPRINT,
  ARTIFACT_TYPE_NOTATION,
  EMPTY_JSON_DESCRIPTOR,
  MAX_MANIFEST_SIZE,
  MEDIA_TYPE_ARTIFACT_MANIFEST,
  MEDIA_TYPE_EMPTY_JSON,
  MEDIA_TYPE_IMAGE_MANIFEST,
  MEDIA_TYPE_NOTATION_CONFIG_LEGACY,
  type ArtifactManifest,
  type Descriptor,
  type ImageManifest,
  type OciLogger,
} from './types.js';

/** RFC 3339 in UTC with whole seconds, as Go's time.RFC3339 prints a UTC time. */
export function formatRfc3339Seconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Go time.Parse(time.RFC3339, s) acceptance. */
export function isRfc3339(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/.exec(s);
  if (!m) return false;
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return false;
  const days = new Date(Date.UTC(Number(m[1]), mo, 0)).getUTCDate();
  if (d > days) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return true;
}

/**
 * The annotations notation puts on a signature manifest: plugin annotations, then
 * the chain thumbprints (lowercase hex SHA-256 of each DER certificate, leaf first,
 * as a JSON array string) and the signing time (both overwrite plugin values).
 */
export function signatureManifestAnnotations(
  certificateChainDer: readonly Uint8Array[],
  signingTime: Date,
  pluginAnnotations?: Record<string, string>,
): Record<string, string> {
  const thumbprints = certificateChainDer.map((der) => createHash('sha256').update(der).digest('hex'));
  return {
    ...(pluginAnnotations ?? {}),
    // Go marshals a nil slice as null; a chain is never empty for a valid signature.
    [ANNOTATION_THUMBPRINT]: thumbprints.length ? JSON.stringify(thumbprints) : 'null',
    [ANNOTATION_CREATED]: formatRfc3339Seconds(signingTime),
  };
}

export interface BuiltSignatureManifest {
  manifest: ImageManifest;
  /** The exact bytes to store / PUT. */
  bytes: Uint8Array;
  /** Descriptor of the manifest, with artifactType and annotations as notation returns it. */
  descriptor: Descriptor;
}

/**
 * Which shape of signature manifest to write. `legacy` is what released notation
 * (v1.3.2, v2.0.0-alpha.1) writes: no artifactType, config.mediaType
 * `application/vnd.cncf.notary.signature` over the `{}` blob. Their OCI-layout
 * reader finds signatures only through that config media type, so it is our
 * default. `artifactType` is the OCI 1.1 form newer notation-go writes (artifactType
 * + the empty JSON config); every notation reads it from registries.
 */
export type SignatureManifestForm = 'legacy' | 'artifactType';

/**
 * Builds the signature manifest for an envelope blob: an image manifest with one
 * layer, the subject, and annotations (created time added when missing, validated
 * when given), in the given form (default `legacy`, see SignatureManifestForm).
 */
export function buildSignatureManifest(input: {
  blobDescriptor: Descriptor;
  subject: Descriptor;
  annotations?: Record<string, string> | null;
  /** Time for org.opencontainers.image.created when the annotations lack it. */
  now?: Date;
  form?: SignatureManifestForm;
}): BuiltSignatureManifest {
  const annotations: Record<string, string> = { ...(input.annotations ?? {}) };
  const created = annotations[ANNOTATION_CREATED];
  if (created === undefined) {
    annotations[ANNOTATION_CREATED] = formatRfc3339Seconds(input.now ?? new Date());
  } else if (!isRfc3339(created)) {
    throw new RepositoryError('INVALID_DATE_TIME_FORMAT', `invalid date and time format: ${ANNOTATION_CREATED} ${JSON.stringify(created)} is not RFC 3339`);
  }
  const legacy = (input.form ?? 'legacy') === 'legacy';
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_IMAGE_MANIFEST,
    ...(legacy ? {} : { artifactType: ARTIFACT_TYPE_NOTATION }),
    config: legacy
      ? { mediaType: MEDIA_TYPE_NOTATION_CONFIG_LEGACY, digest: EMPTY_JSON_DESCRIPTOR.digest, size: EMPTY_JSON_DESCRIPTOR.size }
      : { ...EMPTY_JSON_DESCRIPTOR },
    layers: [input.blobDescriptor],
    subject: input.subject,
    annotations: sortedMap(annotations),
  };
  const bytes = encodeImageManifest(manifest);
  const descriptor: Descriptor = {
    mediaType: MEDIA_TYPE_IMAGE_MANIFEST,
    digest: sha256Digest(bytes),
    size: bytes.length,
    annotations: manifest.annotations!,
    artifactType: ARTIFACT_TYPE_NOTATION,
  };
  return { manifest, bytes, descriptor };
}

/** An image manifest serialized with ocispec.Manifest's field order and omitempty. */
export function encodeImageManifest(m: ImageManifest): Uint8Array {
  const o: Record<string, unknown> = { schemaVersion: m.schemaVersion };
  if (m.mediaType) o.mediaType = m.mediaType;
  if (m.artifactType) o.artifactType = m.artifactType;
  o.config = goDescriptor(m.config);
  o.layers = m.layers.map(goDescriptor);
  if (m.subject) o.subject = goDescriptor(m.subject);
  if (m.annotations && Object.keys(m.annotations).length > 0) o.annotations = sortedMap(m.annotations);
  return goMarshal(o);
}

// ---- parsing -------------------------------------------------------------------

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Shape check mirroring what Go's json.Unmarshal into ocispec types refuses. */
export function checkDescriptorShape(v: unknown, where: string): Descriptor {
  if (!isObj(v)) throw new Error(`${where}: not a JSON object`);
  for (const k of ['mediaType', 'digest', 'artifactType', 'data'] as const) {
    if (v[k] !== undefined && v[k] !== null && typeof v[k] !== 'string') throw new Error(`${where}.${k}: not a string`);
  }
  if (v.size !== undefined && v.size !== null && !Number.isSafeInteger(v.size)) throw new Error(`${where}.size: not an integer`);
  checkStringMap(v.annotations, `${where}.annotations`);
  if (v.urls !== undefined && v.urls !== null && !(Array.isArray(v.urls) && v.urls.every((u) => typeof u === 'string'))) {
    throw new Error(`${where}.urls: not a list of strings`);
  }
  if (v.platform !== undefined && v.platform !== null && !isObj(v.platform)) throw new Error(`${where}.platform: not an object`);
  return {
    ...(v as object),
    mediaType: (v.mediaType as string | undefined) ?? '',
    digest: (v.digest as string | undefined) ?? '',
    size: (v.size as number | undefined) ?? 0,
  } as Descriptor;
}

function checkStringMap(v: unknown, where: string): void {
  if (v === undefined || v === null) return;
  if (!isObj(v) || !Object.values(v).every((x) => typeof x === 'string')) throw new Error(`${where}: not a map of strings`);
}

function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new RepositoryError('MALFORMED_SIGNATURE_MANIFEST', `${what} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!isObj(v)) throw new RepositoryError('MALFORMED_SIGNATURE_MANIFEST', `${what} is not a JSON object`);
  return v;
}

function wrapShape<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RepositoryError) throw e;
    throw new RepositoryError('MALFORMED_SIGNATURE_MANIFEST', `${what} is malformed: ${(e as Error).message}`, { cause: e });
  }
}

/** Parses an OCI image manifest (no size check: callers bound bytes before reading). */
export function parseImageManifest(bytes: Uint8Array, what = 'image manifest'): ImageManifest {
  const o = parseJsonObject(bytes, what);
  return wrapShape(what, () => {
    for (const k of ['mediaType', 'artifactType'] as const) {
      if (o[k] !== undefined && o[k] !== null && typeof o[k] !== 'string') throw new Error(`${k}: not a string`);
    }
    if (o.layers !== undefined && o.layers !== null && !Array.isArray(o.layers)) throw new Error('layers: not a list');
    checkStringMap(o.annotations, 'annotations');
    const m: ImageManifest = {
      schemaVersion: typeof o.schemaVersion === 'number' ? o.schemaVersion : 0,
      config: o.config === undefined || o.config === null ? { mediaType: '', digest: '', size: 0 } : checkDescriptorShape(o.config, 'config'),
      layers: ((o.layers as unknown[] | null | undefined) ?? []).map((l, i) => checkDescriptorShape(l, `layers[${i}]`)),
    };
    if (typeof o.mediaType === 'string') m.mediaType = o.mediaType;
    if (typeof o.artifactType === 'string') m.artifactType = o.artifactType;
    if (o.subject !== undefined && o.subject !== null) m.subject = checkDescriptorShape(o.subject, 'subject');
    if (o.annotations) m.annotations = o.annotations as Record<string, string>;
    return m;
  });
}

/** Parses an OCI artifact manifest (application/vnd.oci.artifact.manifest.v1+json). */
export function parseArtifactManifest(bytes: Uint8Array, what = 'artifact manifest'): ArtifactManifest {
  const o = parseJsonObject(bytes, what);
  return wrapShape(what, () => {
    for (const k of ['mediaType', 'artifactType'] as const) {
      if (o[k] !== undefined && o[k] !== null && typeof o[k] !== 'string') throw new Error(`${k}: not a string`);
    }
    if (o.blobs !== undefined && o.blobs !== null && !Array.isArray(o.blobs)) throw new Error('blobs: not a list');
    checkStringMap(o.annotations, 'annotations');
    const m: ArtifactManifest = {
      blobs: ((o.blobs as unknown[] | null | undefined) ?? []).map((l, i) => checkDescriptorShape(l, `blobs[${i}]`)),
    };
    if (typeof o.mediaType === 'string') m.mediaType = o.mediaType;
    if (typeof o.artifactType === 'string') m.artifactType = o.artifactType;
    if (o.subject !== undefined && o.subject !== null) m.subject = checkDescriptorShape(o.subject, 'subject');
    if (o.annotations) m.annotations = o.annotations as Record<string, string>;
    return m;
  });
}

/** oras content.Equal: same media type, digest and size. */
export function sameContent(a: Descriptor, b: Descriptor): boolean {
  return a.mediaType === b.mediaType && a.digest === b.digest && a.size === b.size;
}

/**
 * notation's rule for "this manifest is a Notary Project signature": an image
 * manifest with artifactType notary signature and the empty config, or without
 * artifactType and with config.mediaType notary signature (legacy); an artifact
 * manifest with artifactType notary signature. Returns the artifact type to
 * report, or undefined (with the reason when notation logs a warning).
 */
export function notationSignatureArtifactType(
  mediaType: string,
  manifest: ImageManifest | ArtifactManifest,
): { artifactType?: string; warning?: string } {
  if (mediaType === MEDIA_TYPE_ARTIFACT_MANIFEST) {
    return manifest.artifactType === ARTIFACT_TYPE_NOTATION ? { artifactType: ARTIFACT_TYPE_NOTATION } : {};
  }
  if (mediaType !== MEDIA_TYPE_IMAGE_MANIFEST) return {};
  const image = manifest as ImageManifest;
  const configType = image.config?.mediaType ?? '';
  switch (image.artifactType ?? '') {
    case ARTIFACT_TYPE_NOTATION:
      if (configType === MEDIA_TYPE_EMPTY_JSON) return { artifactType: ARTIFACT_TYPE_NOTATION };
      return {
        warning: `not a valid Notary Project signature with artifactType ${JSON.stringify(image.artifactType)}, but config.mediaType is ${JSON.stringify(configType)}`,
      };
    case '':
      return configType === ARTIFACT_TYPE_NOTATION ? { artifactType: configType } : {};
    default:
      return {};
  }
}

/** True when `manifest` (parsed, of media type `mediaType`) is a notary signature manifest. */
export function isNotationSignatureManifest(manifest: ImageManifest | ArtifactManifest, mediaType?: string): boolean {
  const mt = mediaType ?? manifest.mediaType ?? MEDIA_TYPE_IMAGE_MANIFEST;
  return notationSignatureArtifactType(mt, manifest).artifactType !== undefined;
}

/**
 * notation-go signatureReferrers, for one candidate node: given its descriptor and
 * its bytes (already digest-checked), returns the descriptor to list (artifactType
 * and annotations taken from the manifest) or undefined when it is not a notary
 * signature of `subject`. Oversized or malformed candidates throw.
 */
export function signatureReferrer(
  node: Descriptor,
  fetch: (d: Descriptor) => Uint8Array,
  subject: Descriptor | undefined,
  logger?: OciLogger,
): Descriptor | undefined {
  if (node.mediaType !== MEDIA_TYPE_ARTIFACT_MANIFEST && node.mediaType !== MEDIA_TYPE_IMAGE_MANIFEST) return undefined;
  if (node.size > MAX_MANIFEST_SIZE) {
    throw new RepositoryError('SIGNATURE_MANIFEST_TOO_LARGE', `referrer node too large: ${node.size} bytes`);
  }
  const bytes = fetch(node);
  const manifest =
    node.mediaType === MEDIA_TYPE_IMAGE_MANIFEST
      ? parseImageManifest(bytes, `manifest ${node.digest}`)
      : parseArtifactManifest(bytes, `manifest ${node.digest}`);
  if (!manifest.subject || (subject && !sameContent(manifest.subject, subject))) return undefined;
  const r = notationSignatureArtifactType(node.mediaType, manifest);
  if (r.warning) logger?.warn(r.warning);
  if (!r.artifactType) return undefined;
  const out: Descriptor = { mediaType: node.mediaType, digest: node.digest, size: node.size };
  if (node.urls) out.urls = node.urls;
  if (manifest.annotations) out.annotations = manifest.annotations;
  if (node.platform) out.platform = node.platform;
  out.artifactType = r.artifactType;
  return out;
}

/** notation-go getSignatureBlobDesc checks on the descriptor before fetching. */
export function checkSignatureManifestDescriptor(desc: Descriptor): void {
  if (desc.mediaType !== MEDIA_TYPE_ARTIFACT_MANIFEST && desc.mediaType !== MEDIA_TYPE_IMAGE_MANIFEST) {
    throw new SignatureRetrievalFailedError(
      'SIGNATURE_MANIFEST_MEDIA_TYPE',
      `sigManifestDesc.MediaType requires ${JSON.stringify(MEDIA_TYPE_ARTIFACT_MANIFEST)} or ${JSON.stringify(MEDIA_TYPE_IMAGE_MANIFEST)}, got ${JSON.stringify(desc.mediaType)}`,
    );
  }
  if (desc.size > MAX_MANIFEST_SIZE) {
    throw new SignatureRetrievalFailedError('SIGNATURE_MANIFEST_TOO_LARGE', `signature manifest too large: ${desc.size} bytes`);
  }
}

/** The single envelope layer of a signature manifest (bytes already digest-checked). */
export function signatureBlobDescriptor(desc: Descriptor, bytes: Uint8Array): Descriptor {
  let blobs: Descriptor[];
  try {
    blobs =
      desc.mediaType === MEDIA_TYPE_IMAGE_MANIFEST
        ? parseImageManifest(bytes, `signature manifest ${desc.digest}`).layers
        : parseArtifactManifest(bytes, `signature manifest ${desc.digest}`).blobs ?? [];
  } catch (e) {
    throw new SignatureRetrievalFailedError((e as RepositoryError).code ?? 'MALFORMED_SIGNATURE_MANIFEST', (e as Error).message, { cause: e });
  }
  if (blobs.length !== 1) {
    // Go's message, typo included, so users can search for it.
    throw new SignatureRetrievalFailedError(
      'SIGNATURE_MANIFEST_LAYER_COUNT',
      `signature manifest requries exactly one signature envelope blob, got ${blobs.length}`,
    );
  }
  return blobs[0]!;
}
