/**
 * OCI types and the Repository interface: an OCI image layout on disk and a remote
 * registry both implement it, so signer and verifier do not care where artifacts live.
 */
import type { Descriptor } from '../envelope/types.js';
export type { Descriptor };

export const MEDIA_TYPE_IMAGE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_IMAGE_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_ARTIFACT_MANIFEST = 'application/vnd.oci.artifact.manifest.v1+json';
export const MEDIA_TYPE_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MEDIA_TYPE_DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const MEDIA_TYPE_EMPTY_JSON = 'application/vnd.oci.empty.v1+json';
export const ARTIFACT_TYPE_NOTATION = 'application/vnd.cncf.notary.signature';
export const ANNOTATION_THUMBPRINT = 'io.cncf.notary.x509chain.thumbprint#S256';
export const ANNOTATION_CREATED = 'org.opencontainers.image.created';
export const EMPTY_JSON_DESCRIPTOR: Descriptor = {
  mediaType: MEDIA_TYPE_EMPTY_JSON,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30=',
};
/** Limits notation applies to what it reads. */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;
export const MAX_ENVELOPE_SIZE = 32 * 1024 * 1024;

export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** A signature found for a subject: the signature manifest's descriptor. */
export interface SignatureManifestRef {
  /** Descriptor of the signature manifest. */
  descriptor: Descriptor;
}

export interface Repository {
  /** Resolves a tag or digest (as given after ':' or '@') to the artifact's descriptor. */
  resolve(reference: string): Promise<Descriptor>;
  /** Signature manifests whose subject is `subject`, in listing order, page by page. */
  listSignatures(subject: Descriptor): AsyncIterable<Descriptor[]>;
  /** Fetches a signature manifest and its envelope: returns the blob and its media type. */
  fetchSignatureBlob(signatureManifest: Descriptor): Promise<{ blob: Uint8Array; descriptor: Descriptor }>;
  /** Pushes an envelope as a signature manifest referring to `subject`. */
  pushSignature(
    mediaType: string,
    blob: Uint8Array,
    subject: Descriptor,
    annotations: Record<string, string>,
  ): Promise<{ blobDescriptor: Descriptor; manifestDescriptor: Descriptor }>;
}

/** Legacy signature manifests (OCI 1.0 registries) carry the artifact type as config.mediaType. */
export const MEDIA_TYPE_NOTATION_CONFIG_LEGACY = ARTIFACT_TYPE_NOTATION;
/** Tag of a layout / registry entry in index.json. */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
/** Limit for other JSON documents we read (index.json, referrers indexes, token responses). */
export const MAX_INDEX_SIZE = 4 * 1024 * 1024;

/** OCI artifact manifest (withdrawn from OCI 1.1, still read by notation). */
export interface ArtifactManifest {
  mediaType?: string;
  artifactType?: string;
  blobs?: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** Where a Repository reports warnings (e.g. a skipped non-notary referrer). */
export interface OciLogger {
  warn(message: string): void;
  info?(message: string): void;
  debug?(message: string): void;
}
