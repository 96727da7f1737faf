/**
 * Signing workflows (notation-go SignOCI / SignBlob + GenericSigner.Sign):
 * build the Notary payload, produce the envelope through the format-independent
 * `signEnvelope`, check the certificate chain at the signing time, verify the
 * envelope we just made, then push it (OCI) or return it (blob).
 *
 * Messages of refusals are notation's, so a user sees the same text from either tool.
 */
import { createHash } from 'node:crypto';
import { produceEnvelope, type Envelope } from '../envelope/index.js';
import { validateChainForSigning } from '../envelope/base.js';
import {
  ALGORITHMS,
  MEDIA_TYPE_COSE,
  MEDIA_TYPE_JWS,
  PAYLOAD_CONTENT_TYPE,
  SIGNING_SCHEME_X509,
  type Descriptor,
  type EnvelopeContent,
  type SignRequest,
  type SignerInfo,
} from '../envelope/types.js';
import { NotationError, PushSignatureFailedError, RepositoryError, SigningError, errorMessage } from '../errors.js';
import { ANNOTATION_CREATED, ANNOTATION_THUMBPRINT, type Repository } from '../oci/types.js';
import type { Certificate } from '../x509/certificate.js';
import { goMarshal } from '../config/gojson.js';
import type { Signer } from './types.js';
import { checkMediaType } from './mediatype.js';

/** Unprotected signingAgent we write. notation writes `notation-go/<ver>`; the value is never validated. */
export const SIGNING_AGENT = 'notation-ts/0.1.0';

const RESERVED_ANNOTATION_PREFIXES = ['io.cncf.notary'];
const DIGEST_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

type SignEnvelopeOptions = NonNullable<Parameters<typeof produceEnvelope>[3]>;

export interface CommonSignOptions {
  signer: Signer;
  /** `application/jose+json` or `application/cose`. */
  signatureMediaType: string;
  /**
   * Signature expiry: a duration in milliseconds after the signing time (notation
   * `--expiry`; whole seconds, > 0) or an absolute time.
   */
  expiry?: number | Date;
  /** Added to targetArtifact.annotations; keys may not start with `io.cncf.notary` or collide. */
  userMetadata?: Readonly<Record<string, string>>;
  /** Unprotected signingAgent (default SIGNING_AGENT). */
  signingAgent?: string;
  /** RFC 3161 timestamping, passed to signEnvelope as its `timestamp` option. */
  timestamper?: SignEnvelopeOptions['timestamp'];
  /** Signing time (default: now). Truncated to whole seconds as notation does. */
  now?: Date;
  /** Receives notation's warnings (e.g. signing a tag). */
  onWarning?: (message: string) => void;
}

export interface SignOptions extends CommonSignOptions {
  repository: Repository;
  /** Tag or digest of the artifact, or a full reference ending in `:tag` / `@digest`. */
  reference: string;
}

export interface SignResult {
  /** The envelope bytes. */
  envelope: Uint8Array;
  signatureMediaType: string;
  /** The verified content of the envelope we produced. */
  content: EnvelopeContent;
  /** The payload's targetArtifact (with user metadata). */
  targetArtifact: Descriptor;
}

export interface OciSignResult extends SignResult {
  /** The artifact that was signed, as resolved. */
  artifactDescriptor: Descriptor;
  signatureManifestDescriptor: Descriptor;
  signatureBlobDescriptor: Descriptor;
  /** The annotations put on the signature manifest. */
  annotations: Record<string, string>;
  warnings: string[];
}

export interface BlobSignOptions extends CommonSignOptions {
  /** The blob: bytes or a stream of chunks (Node Readable, async iterable). */
  blob: Uint8Array | AsyncIterable<Uint8Array | string>;
  /** targetArtifact.mediaType (default `application/octet-stream`); must parse as a MIME type. */
  mediaType?: string;
}

function fail(code: string, message: string, cause?: unknown): SigningError {
  return new SigningError(code, message, cause === undefined ? undefined : { cause });
}

function validateArguments(opts: CommonSignOptions): void {
  if (!opts.signer) throw fail('INVALID_ARGUMENT', 'signer cannot be nil');
  if (typeof opts.expiry === 'number') {
    if (!Number.isFinite(opts.expiry) || opts.expiry < 0) throw fail('INVALID_EXPIRY', 'expiry duration cannot be a negative value');
    if (opts.expiry % 1000 !== 0) throw fail('INVALID_EXPIRY', 'expiry duration supports minimum granularity of seconds');
  } else if (opts.expiry !== undefined && !(opts.expiry instanceof Date && Number.isFinite(opts.expiry.getTime()))) {
    throw fail('INVALID_EXPIRY', 'expiry must be a duration in milliseconds or a valid Date');
  }
  if (!opts.signatureMediaType) throw fail('INVALID_ARGUMENT', 'signature media-type cannot be empty');
  if (opts.signatureMediaType !== MEDIA_TYPE_JWS && opts.signatureMediaType !== MEDIA_TYPE_COSE) {
    throw fail('UNSUPPORTED_SIGNATURE_MEDIA_TYPE', `invalid signature media-type ${JSON.stringify(opts.signatureMediaType)}`);
  }
}

/** notation-go addUserMetadataToDescriptor. */
export function addUserMetadata(desc: Descriptor, userMetadata: Readonly<Record<string, string>> | undefined): Descriptor {
  const entries = Object.entries(userMetadata ?? {});
  if (entries.length === 0) return desc;
  const annotations: Record<string, string> = { ...(desc.annotations ?? {}) };
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw fail('INVALID_USER_METADATA', `error adding user metadata: metadata key ${k} must have a string value`);
    for (const prefix of RESERVED_ANNOTATION_PREFIXES) {
      if (k.startsWith(prefix)) throw fail('INVALID_USER_METADATA', `error adding user metadata: metadata key ${k} has reserved prefix ${prefix}`);
    }
    if (Object.prototype.hasOwnProperty.call(annotations, k)) {
      throw fail('INVALID_USER_METADATA', `error adding user metadata: metadata key ${k} is already present in the target artifact`);
    }
    annotations[k] = v;
  }
  return { ...desc, annotations };
}

/**
 * The payload bytes notation signs: `{"targetArtifact":{mediaType,digest,size,annotations?}}`
 * in ocispec.Descriptor field order (SanitizeTargetArtifact keeps only these four).
 */
export function buildPayload(target: Descriptor): Uint8Array {
  const ta: Record<string, unknown> = { mediaType: target.mediaType, digest: target.digest, size: target.size };
  if (target.annotations && Object.keys(target.annotations).length > 0) ta.annotations = new Map(Object.entries(target.annotations));
  return Buffer.from(goMarshal({ targetArtifact: ta }), 'utf8');
}

/** Equality of two JSON.parse results (plain objects, arrays, primitives). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => jsonEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const ob = b as Record<string, unknown>;
  return ka.length === Object.keys(ob).length && ka.every((k) => Object.prototype.hasOwnProperty.call(ob, k) && jsonEqual((a as Record<string, unknown>)[k], ob[k]));
}

/** Whether two payloads hold the same JSON value (JWS re-marshals with sorted keys). Exported for tests. */
export function samePayload(a: Uint8Array, b: Uint8Array): boolean {
  if (Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)) return true;
  try {
    return jsonEqual(JSON.parse(Buffer.from(a).toString('utf8')), JSON.parse(Buffer.from(b).toString('utf8')));
  } catch {
    return false;
  }
}

function truncateToSecond(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** Signs a descriptor (GenericSigner.Sign): payload -> envelope -> checks -> self-verification. */
export async function signDescriptor(target: Descriptor, opts: CommonSignOptions): Promise<SignResult> {
  validateArguments(opts);
  const signingTime = truncateToSecond(opts.now ?? new Date());
  let expiry: Date | undefined;
  if (typeof opts.expiry === 'number') expiry = opts.expiry > 0 ? new Date(signingTime.getTime() + opts.expiry) : undefined;
  else if (opts.expiry) expiry = truncateToSecond(opts.expiry);
  if (expiry && expiry.getTime() <= signingTime.getTime()) throw fail('INVALID_EXPIRY', 'expiry cannot be equal or before the signing time');

  // A signer that exposes its chain up front is checked before any key operation.
  const known = (opts.signer as { certificateChain?: readonly Certificate[] }).certificateChain;
  const keySpec = await opts.signer.keySpec();
  const alg = ALGORITHMS.find((a) => a.keySpec === keySpec);
  if (!alg) throw fail('UNSUPPORTED_SIGNING_KEY', `signing key spec ${String(keySpec)} is not supported`);
  if (known && known.length > 0) validateChainForSigning([...known], signingTime, alg.signatureAlgorithm);

  const req: SignRequest = {
    payload: { contentType: PAYLOAD_CONTENT_TYPE, content: buildPayload(target) },
    signingScheme: SIGNING_SCHEME_X509,
    signingTime,
    expiry,
    signingAgent: opts.signingAgent || SIGNING_AGENT,
  };
  let envelope: Uint8Array;
  let parsed: Envelope;
  try {
    ({ bytes: envelope, envelope: parsed } = await produceEnvelope(opts.signatureMediaType, req, opts.signer, opts.timestamper ? { timestamp: opts.timestamper } : undefined));
  } catch (e) {
    if (e instanceof NotationError) throw e;
    throw fail('SIGNING_FAILED', errorMessage(e), e);
  }

  // produceEnvelope parsed the produced bytes and judged the chain the signer
  // returned at the signing time (REF does this after signing); this checks the
  // signature on that parse.
  let content: EnvelopeContent;
  try {
    content = parsed.verify();
  } catch (e) {
    throw fail('SELF_VERIFICATION_FAILED', `generated signature failed verification: ${errorMessage(e)}`, e);
  }
  if (content.payload.contentType !== PAYLOAD_CONTENT_TYPE) {
    throw fail('SELF_VERIFICATION_FAILED', `payload content type ${JSON.stringify(content.payload.contentType)} not supported`);
  }
  // JWS re-marshals the payload with sorted keys (as REF does), so compare the JSON values.
  if (!samePayload(content.payload.content, req.payload.content)) {
    throw fail('SELF_VERIFICATION_FAILED', 'generated signature failed verification: payload differs from the signed descriptor');
  }
  return { envelope, signatureMediaType: opts.signatureMediaType, content, targetArtifact: target };
}

/** The artifact part of a reference: a digest or tag as is, else what follows the last `@` or `:`. */
export function referencePart(reference: string): string {
  if (DIGEST_RE.test(reference)) return reference;
  const at = reference.lastIndexOf('@');
  if (at >= 0) return reference.slice(at + 1);
  const colon = reference.lastIndexOf(':');
  if (colon >= 0 && !reference.slice(colon + 1).includes('/') && reference.includes('/')) return reference.slice(colon + 1);
  return reference;
}

/** notation-go generateAnnotations: chain thumbprints and the created time, over any plugin annotations. */
export function signatureManifestAnnotations(info: SignerInfo, pluginAnnotations?: Readonly<Record<string, string>>): Record<string, string> {
  const thumbprints = info.certificateChain.map((c) => createHash('sha256').update(c.raw).digest('hex'));
  return {
    ...(pluginAnnotations ?? {}),
    [ANNOTATION_THUMBPRINT]: goMarshal(thumbprints),
    [ANNOTATION_CREATED]: info.signedAttributes.signingTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

/**
 * Signs an OCI artifact and pushes the signature manifest (notation-go SignOCI).
 * A tag is resolved to its digest with notation's warning; a digest that resolves
 * to something else is refused.
 */
export async function sign(opts: SignOptions): Promise<OciSignResult> {
  validateArguments(opts);
  if (!opts.repository) throw fail('INVALID_ARGUMENT', 'repo cannot be nil');
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    opts.onWarning?.(m);
  };
  const ref = referencePart(opts.reference);
  let artifact: Descriptor;
  try {
    artifact = await opts.repository.resolve(ref);
  } catch (e) {
    const msg = `failed to resolve reference: ${errorMessage(e)}`;
    throw e instanceof NotationError ? new RepositoryError(e.code, msg, { cause: e }) : new RepositoryError('RESOLVE_FAILED', msg, { cause: e });
  }
  if (ref !== artifact.digest) {
    if (DIGEST_RE.test(ref)) throw fail('DIGEST_MISMATCH', `user input digest ${ref} does not match the resolved digest ${artifact.digest}`);
    warn(
      `Always sign the artifact using digest(\`@sha256:...\`) rather than a tag(\`:${ref}\`) because tags are mutable and a tag reference can point to a different artifact than the one signed`,
    );
  }
  const target = addUserMetadata(artifact, opts.userMetadata);
  const result = await signDescriptor(target, opts);
  const pluginAnnotations = (opts.signer as { pluginAnnotations?: () => Record<string, string> | undefined }).pluginAnnotations?.();
  const annotations = signatureManifestAnnotations(result.content.signerInfo, pluginAnnotations);
  let pushed: { blobDescriptor: Descriptor; manifestDescriptor: Descriptor };
  try {
    pushed = await opts.repository.pushSignature(opts.signatureMediaType, result.envelope, artifact, annotations);
  } catch (e) {
    throw new PushSignatureFailedError('PUSH_SIGNATURE_FAILED', `failed to push signature to registry with error: ${errorMessage(e)}`, { cause: e });
  }
  return {
    ...result,
    artifactDescriptor: artifact,
    signatureManifestDescriptor: pushed.manifestDescriptor,
    signatureBlobDescriptor: pushed.blobDescriptor,
    annotations,
    warnings,
  };
}

async function digestBlob(blob: BlobSignOptions['blob'], nodeHash: string): Promise<{ digest: string; size: number }> {
  const h = createHash(nodeHash);
  let size = 0;
  if (blob instanceof Uint8Array) {
    h.update(blob);
    size = blob.length;
  } else if (blob && typeof (blob as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    for await (const chunk of blob) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      h.update(b);
      size += b.length;
      if (!Number.isSafeInteger(size)) throw fail('BLOB_TOO_LARGE', 'blob is too large');
    }
  } else {
    throw fail('INVALID_ARGUMENT', 'blobReader cannot be nil');
  }
  // OCI digest algorithm names equal node's hash names: sha256, sha384, sha512.
  return { digest: `${nodeHash}:${h.digest('hex')}`, size };
}

/**
 * Signs arbitrary bytes (notation-go SignBlob): the descriptor's digest uses the
 * hash of the signing key's algorithm (sha256/sha384/sha512). Returns the envelope;
 * writing `<blob>.<format>.sig` is `writeBlobSignature`'s job.
 */
export async function signBlob(opts: BlobSignOptions): Promise<SignResult> {
  validateArguments(opts);
  if (opts.blob === undefined || opts.blob === null) throw fail('INVALID_ARGUMENT', 'blobReader cannot be nil');
  const mediaType = opts.mediaType ?? 'application/octet-stream';
  if (mediaType === '') throw fail('INVALID_ARGUMENT', 'content media-type cannot be empty');
  const mtErr = checkMediaType(mediaType);
  if (mtErr) throw fail('INVALID_MEDIA_TYPE', `invalid content media-type ${JSON.stringify(mediaType)}: ${mtErr}`);
  const keySpec = await opts.signer.keySpec();
  const alg = ALGORITHMS.find((a) => a.keySpec === keySpec);
  if (!alg) throw fail('UNSUPPORTED_SIGNING_KEY', `signing key spec ${String(keySpec)} is not supported`);
  const { digest, size } = await digestBlob(opts.blob, alg.nodeHash);
  const target = addUserMetadata({ mediaType, digest, size }, opts.userMetadata);
  return signDescriptor(target, opts);
}
