/**
 * A repository in a remote OCI registry as a Repository, following notation
 * (oras-go remote.Repository): manifests resolved and fetched with our own digest
 * checks, blobs uploaded with POST + PUT (PATCH chunks for large ones), signature
 * manifests pushed by digest, referrers listed through the referrers API with
 * `Link` paging and client-side artifactType filtering, and the `sha256-<hex>`
 * referrers tag schema when the registry lacks the API (detected as oras does:
 * `OCI-Subject` on manifest PUT; 404 or non-index content from the referrers
 * endpoint).
 *
 * Unlike notation, the tag-schema update cannot lose a concurrent signer's entry
 * unnoticed: after writing the index we wait, re-read it, and merge again until
 * our entry is there in a settled read (bounded); superseded indexes are deleted
 * only when the tag no longer points at them, and only after that check.
 */
import { RepositoryError, SignatureRetrievalFailedError } from '../../errors.js';
import { isDigest, matchesDigest, digestWithAlgorithmOf, parseDigest, sha256Digest } from '../digest.js';
import { goDescriptor, goMarshal } from '../gojson.js';
import {
  buildSignatureManifest,
  checkDescriptorShape,
  checkSignatureManifestDescriptor,
  sameContent,
  signatureBlobDescriptor,
} from '../manifest.js';
import { registryHost, type RegistryReference, parseRegistryReference } from '../reference.js';
import {
  ARTIFACT_TYPE_NOTATION,
  EMPTY_JSON_DESCRIPTOR,
  MAX_ENVELOPE_SIZE,
  MAX_INDEX_SIZE,
  MAX_MANIFEST_SIZE,
  MEDIA_TYPE_ARTIFACT_MANIFEST,
  MEDIA_TYPE_DOCKER_MANIFEST,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  MEDIA_TYPE_IMAGE_INDEX,
  MEDIA_TYPE_IMAGE_MANIFEST,
  type Descriptor,
  type OciLogger,
  type Repository,
} from '../types.js';
import { Authenticator, type CredentialProvider } from './auth.js';
import { describeErrorResponse, hasErrorCode, HttpTransport, sleep, type HttpOptions, type HttpRequest, type HttpResponse } from './http.js';

const MANIFEST_ACCEPT = [
  MEDIA_TYPE_DOCKER_MANIFEST,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  MEDIA_TYPE_IMAGE_MANIFEST,
  MEDIA_TYPE_IMAGE_INDEX,
  MEDIA_TYPE_ARTIFACT_MANIFEST,
].join(', ');
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const ANNOTATION_FILTERS_APPLIED = 'org.opencontainers.referrers.filtersApplied';
const MAX_REFERRER_PAGES = 1000;
const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
const MAX_INDEX_CHILDREN = 10_000;

export type ReferrersCapability = 'unknown' | 'supported' | 'unsupported';

export interface RegistryRepositoryOptions extends HttpOptions {
  /** Talk plain HTTP (notation's --insecure-registry). */
  plainHttp?: boolean;
  /** config.json insecureRegistries (matched case-insensitively). `localhost:<port>` is always plain HTTP. */
  insecureRegistries?: string[];
  credentials?: CredentialProvider;
  /** Always store signatures with the referrers tag schema (notation --force-referrers-tag). */
  forceReferrersTag?: boolean;
  logger?: OciLogger;
  /** Clock for the created annotation when the caller gives none. */
  now?: () => Date;
  /** Blobs larger than this are uploaded in PATCH chunks of this size. */
  chunkSize?: number;
  /** Tag-schema update: attempts before giving up, and the settle delay before a confirming read. */
  tagIndexMaxAttempts?: number;
  tagIndexSettleMs?: number;
}

interface TagIndex {
  descriptor: Descriptor;
  manifests: Descriptor[];
}

function contentKey(d: Descriptor): string {
  return `${d.mediaType}|${d.digest}|${d.size}`;
}

/** Media type of a Content-Type header, without parameters. */
function mediaTypeOf(res: HttpResponse): string {
  return (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
}

/** The referrers tag of a subject: `<alg>-<hex>`. */
export function referrersTag(subject: Descriptor): string {
  const { algorithm, hex } = parseDigest(subject.digest);
  return `${algorithm}-${hex}`;
}

/** Image index bytes exactly as oras generateIndex writes them. */
export function encodeReferrersIndex(manifests: Descriptor[]): { bytes: Uint8Array; descriptor: Descriptor } {
  const bytes = goMarshal({ schemaVersion: 2, mediaType: MEDIA_TYPE_IMAGE_INDEX, manifests: manifests.map(goDescriptor) });
  return { bytes, descriptor: { mediaType: MEDIA_TYPE_IMAGE_INDEX, digest: sha256Digest(bytes), size: bytes.length } };
}

export function isInsecureRegistry(registry: string, insecureRegistries: string[] = []): boolean {
  if (insecureRegistries.some((r) => r.toLowerCase() === registry.toLowerCase())) return true;
  // notation: net.SplitHostPort(registry) host == "localhost" (a port is required).
  const m = /^(.*):(\d*)$/.exec(registry);
  return !!m && m[1] === 'localhost';
}

export class RegistryRepository implements Repository {
  readonly reference: RegistryReference;
  readonly registry: string;
  readonly repository: string;
  private readonly base: string;
  private readonly http: HttpTransport;
  private readonly auth: Authenticator;
  private readonly logger?: OciLogger;
  private readonly now: () => Date;
  private readonly chunkSize: number;
  private readonly tagIndexMaxAttempts: number;
  private readonly tagIndexSettleMs: number;
  private capability: ReferrersCapability;
  private tagQueue: Promise<unknown> = Promise.resolve();

  /** `reference` is `host[:port]/repository[:tag|@digest]` (the tag/digest is kept in `reference`, not used). */
  constructor(reference: string | RegistryReference, options: RegistryRepositoryOptions = {}) {
    this.reference = typeof reference === 'string' ? parseRegistryReference(reference) : reference;
    this.registry = this.reference.registry;
    this.repository = this.reference.repository;
    const plain = options.plainHttp || isInsecureRegistry(this.registry, options.insecureRegistries);
    this.base = `${plain ? 'http' : 'https'}://${registryHost(this.registry)}/v2/${this.repository}`;
    this.http = new HttpTransport(this.registry, options);
    this.auth = new Authenticator(this.http, options.credentials);
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
    this.chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    this.tagIndexMaxAttempts = options.tagIndexMaxAttempts ?? 50;
    this.tagIndexSettleMs = options.tagIndexSettleMs ?? 250;
    this.capability = options.forceReferrersTag ? 'unsupported' : 'unknown';
  }

  /** Whether the registry is known to serve the referrers API. */
  get referrersCapability(): ReferrersCapability {
    return this.capability;
  }

  private scope(actions: string): string[] {
    return [`repository:${this.repository}:${actions}`];
  }

  private fail(code: string, message: string, cause?: unknown): RepositoryError {
    return this.http.error(code, message, cause);
  }

  private async request(actions: string, req: HttpRequest): Promise<HttpResponse> {
    // Never send registry credentials to another origin (e.g. an upload URL elsewhere).
    if (new URL(req.url).origin !== new URL(this.base).origin) return this.http.send(req);
    return this.auth.send(this.scope(actions), () => req);
  }

  private unexpected(req: HttpRequest, res: HttpResponse, code = 'UNEXPECTED_RESPONSE'): RepositoryError {
    if (res.status === 401 || res.status === 403) return this.fail('UNAUTHORIZED', describeErrorResponse(req.method, req.url, res));
    return this.fail(code, describeErrorResponse(req.method, req.url, res));
  }

  private refLabel(ref: string): string {
    return `${this.registry}/${this.repository}${isDigest(ref) ? '@' : ':'}${ref}`;
  }

  // ---- manifests -------------------------------------------------------------------

  /**
   * Resolves a tag or digest to the manifest descriptor. The manifest is fetched
   * (≤ 4 MiB) and hashed here; a Docker-Content-Digest that disagrees, or a digest
   * reference whose content differs, is an error.
   */
  async resolve(reference: string): Promise<Descriptor> {
    if (!isDigest(reference) && !TAG_RE.test(reference)) {
      throw this.fail('INVALID_REFERENCE', `invalid tag or digest ${JSON.stringify(reference)}`);
    }
    const { descriptor } = await this.getManifest(reference, MANIFEST_ACCEPT, MAX_MANIFEST_SIZE);
    if (!descriptor) throw this.fail('NOT_FOUND', `${this.refLabel(reference)}: not found`);
    return descriptor;
  }

  private async getManifest(reference: string, accept: string, limit: number): Promise<{ descriptor?: Descriptor; body?: Buffer }> {
    const req: HttpRequest = { method: 'GET', url: `${this.base}/manifests/${reference}`, headers: { Accept: accept }, maxBytes: limit, idempotent: true };
    const res = await this.request('pull', req);
    if (res.status === 404) return {};
    if (res.status !== 200) throw this.unexpected(req, res);
    const mediaType = mediaTypeOf(res);
    if (!mediaType) throw this.fail('MALFORMED_RESPONSE', `GET ${this.refLabel(reference)}: response has no Content-Type`);
    const header = res.headers.get('docker-content-digest');
    const algorithmOf = isDigest(reference) ? reference : header && isDigest(header) ? header : 'sha256:' + '0'.repeat(64);
    const digest = digestWithAlgorithmOf(algorithmOf, res.body);
    if (isDigest(reference) && digest !== reference) {
      throw this.fail('DIGEST_MISMATCH', `GET ${this.refLabel(reference)}: the registry returned content with digest ${digest}`);
    }
    if (header && header !== digest) {
      throw this.fail('DIGEST_MISMATCH', `GET ${this.refLabel(reference)}: Docker-Content-Digest ${JSON.stringify(header)} does not match the content digest ${digest}`);
    }
    return { descriptor: { mediaType, digest, size: res.body.length }, body: res.body };
  }

  /** Fetches the manifest `desc` names (≤ `limit`, media type, size and digest checked). */
  async fetchManifest(desc: Descriptor, limit = MAX_MANIFEST_SIZE): Promise<Uint8Array> {
    if (!isDigest(desc.digest)) throw this.fail('INVALID_DIGEST', `invalid digest ${JSON.stringify(desc.digest)}`);
    if (desc.size > limit) throw this.fail('CONTENT_TOO_LARGE', `manifest ${desc.digest} is ${desc.size} bytes, more than the limit of ${limit}`);
    const req: HttpRequest = { method: 'GET', url: `${this.base}/manifests/${desc.digest}`, headers: { Accept: desc.mediaType }, maxBytes: limit, idempotent: true };
    const res = await this.request('pull', req);
    if (res.status === 404) throw this.fail('NOT_FOUND', `${this.refLabel(desc.digest)}: not found`);
    if (res.status !== 200) throw this.unexpected(req, res);
    const mt = mediaTypeOf(res);
    if (mt !== desc.mediaType) {
      throw this.fail('MEDIA_TYPE_MISMATCH', `GET ${this.refLabel(desc.digest)}: mismatch response Content-Type ${JSON.stringify(mt)}: expect ${JSON.stringify(desc.mediaType)}`);
    }
    this.checkContent(`manifest ${desc.digest}`, res.body, desc);
    return res.body;
  }

  private checkContent(what: string, body: Uint8Array, desc: Descriptor): void {
    if (body.length !== desc.size) throw this.fail('SIZE_MISMATCH', `${what}: received ${body.length} bytes, descriptor says ${desc.size}`);
    if (!matchesDigest(body, desc.digest)) throw this.fail('DIGEST_MISMATCH', `${what}: content does not match its digest`);
  }

  /** PUTs a manifest under `reference` (its digest or a tag); 201 required, Docker-Content-Digest checked. */
  async pushManifest(desc: Descriptor, bytes: Uint8Array, reference: string): Promise<HttpResponse> {
    const req: HttpRequest = {
      method: 'PUT',
      url: `${this.base}/manifests/${reference}`,
      headers: { 'Content-Type': desc.mediaType },
      body: bytes,
      maxBytes: 64 * 1024,
      idempotent: true,
    };
    const res = await this.request('pull,push', req);
    if (res.status !== 201) throw this.unexpected(req, res, 'PUSH_FAILED');
    const header = res.headers.get('docker-content-digest');
    if (header && header !== desc.digest) {
      throw this.fail('DIGEST_MISMATCH', `PUT ${this.refLabel(reference)}: Docker-Content-Digest ${JSON.stringify(header)} does not match ${desc.digest}`);
    }
    return res;
  }

  // ---- blobs -----------------------------------------------------------------------

  /** Fetches a blob (≤ `limit`), following redirects without credentials; size and digest checked. */
  async fetchBlob(desc: Descriptor, limit: number): Promise<Uint8Array> {
    if (!isDigest(desc.digest)) throw this.fail('INVALID_DIGEST', `invalid digest ${JSON.stringify(desc.digest)}`);
    if (desc.size > limit) throw this.fail('CONTENT_TOO_LARGE', `blob ${desc.digest} is ${desc.size} bytes, more than the limit of ${limit}`);
    const req: HttpRequest = { method: 'GET', url: `${this.base}/blobs/${desc.digest}`, maxBytes: limit, idempotent: true, followRedirects: true };
    const res = await this.request('pull', req);
    if (res.status === 404) throw this.fail('NOT_FOUND', `blob ${desc.digest}: not found`);
    if (res.status !== 200) throw this.unexpected(req, res);
    this.checkContent(`blob ${desc.digest}`, res.body, desc);
    return res.body;
  }

  private async blobExists(desc: Descriptor): Promise<boolean> {
    const req: HttpRequest = { method: 'HEAD', url: `${this.base}/blobs/${desc.digest}`, maxBytes: 0, idempotent: true, followRedirects: true };
    const res = await this.request('pull', req);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw this.unexpected(req, res);
  }

  /** Uploads a blob: POST, then one PUT, or PATCH chunks and a closing PUT for large blobs. */
  async pushBlob(desc: Descriptor, bytes: Uint8Array): Promise<void> {
    if (bytes.length !== desc.size || sha256Digest(bytes) !== desc.digest) {
      throw this.fail('DIGEST_MISMATCH', `blob to push does not match its descriptor ${desc.digest}`);
    }
    const start: HttpRequest = { method: 'POST', url: `${this.base}/blobs/uploads/`, headers: { 'Content-Length': '0' }, maxBytes: 64 * 1024 };
    const started = await this.request('pull,push', start);
    if (started.status !== 202) throw this.unexpected(start, started, 'PUSH_FAILED');
    let location = this.uploadLocation(started, start.url);
    let offset = 0;
    if (bytes.length > this.chunkSize) {
      while (offset < bytes.length) {
        const chunk = bytes.subarray(offset, Math.min(offset + this.chunkSize, bytes.length));
        const patch: HttpRequest = {
          method: 'PATCH',
          url: location,
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${offset + chunk.length - 1}` },
          body: chunk,
          maxBytes: 64 * 1024,
        };
        const res = await this.request('pull,push', patch);
        if (res.status !== 202) throw this.unexpected(patch, res, 'PUSH_FAILED');
        location = this.uploadLocation(res, location);
        offset += chunk.length;
      }
    }
    const url = new URL(location);
    url.searchParams.set('digest', desc.digest);
    const put: HttpRequest = {
      method: 'PUT',
      url: url.toString(),
      headers: { 'Content-Type': 'application/octet-stream' },
      body: offset === 0 ? bytes : new Uint8Array(0),
      maxBytes: 64 * 1024,
    };
    const done = await this.request('pull,push', put);
    if (done.status !== 201) throw this.unexpected(put, done, 'PUSH_FAILED');
    const header = done.headers.get('docker-content-digest');
    if (header && header !== desc.digest) {
      throw this.fail('DIGEST_MISMATCH', `blob upload: Docker-Content-Digest ${JSON.stringify(header)} does not match ${desc.digest}`);
    }
  }

  private uploadLocation(res: HttpResponse, requestUrl: string): string {
    const loc = res.headers.get('location');
    if (!loc) throw this.fail('MALFORMED_RESPONSE', 'blob upload: the registry sent no Location');
    let u: URL;
    try {
      u = new URL(loc, requestUrl);
    } catch (e) {
      throw this.fail('MALFORMED_RESPONSE', 'blob upload: invalid Location', e);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw this.fail('MALFORMED_RESPONSE', 'blob upload: Location is not http(s)');
    return u.toString();
  }

  private async pushBlobIfMissing(desc: Descriptor, bytes: Uint8Array): Promise<void> {
    if (await this.blobExists(desc)) return;
    await this.pushBlob(desc, bytes);
  }

  // ---- referrers -------------------------------------------------------------------

  /**
   * Notary signature manifests referring to `subject`, page by page: the referrers
   * API when the registry has it, else the referrers tag schema. Descriptors are
   * those of the referrers index (artifactType and annotations included).
   */
  async *listSignatures(subject: Descriptor): AsyncIterable<Descriptor[]> {
    yield* this.listReferrers(subject, ARTIFACT_TYPE_NOTATION);
  }

  async *listReferrers(subject: Descriptor, artifactType: string): AsyncIterable<Descriptor[]> {
    parseDigest(subject.digest);
    if (this.capability !== 'unsupported') {
      let url: string | undefined = `${this.base}/referrers/${subject.digest}` + (artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : '');
      let pages = 0;
      while (url) {
        const page = await this.referrersPage(url, artifactType);
        if (page === 'unsupported') {
          if (this.capability === 'supported' || pages > 0) {
            throw this.fail('REFERRERS_UNSUPPORTED', `the referrers API stopped answering for ${subject.digest}`);
          }
          this.capability = 'unsupported';
          break;
        }
        this.capability = 'supported';
        if (page.referrers.length > 0) yield page.referrers;
        url = page.next;
        if (++pages >= MAX_REFERRER_PAGES && url) throw this.fail('TOO_MANY_PAGES', `more than ${MAX_REFERRER_PAGES} referrers pages for ${subject.digest}`);
      }
      if (this.capability === 'supported') return;
    }
    const index = await this.readTagIndex(referrersTag(subject));
    if (!index) return;
    const filtered = artifactType ? index.manifests.filter((d) => d.artifactType === artifactType) : index.manifests;
    if (filtered.length > 0) yield filtered;
  }

  private async referrersPage(url: string, artifactType: string): Promise<'unsupported' | { referrers: Descriptor[]; next?: string }> {
    const req: HttpRequest = { method: 'GET', url, headers: { Accept: MEDIA_TYPE_IMAGE_INDEX }, maxBytes: MAX_INDEX_SIZE, idempotent: true };
    const res = await this.request('pull', req);
    if (res.status === 404) {
      if (hasErrorCode(res, 'NAME_UNKNOWN')) throw this.fail('NOT_FOUND', describeErrorResponse('GET', url, res));
      return 'unsupported';
    }
    if (res.status !== 200) throw this.unexpected(req, res);
    if (mediaTypeOf(res) !== MEDIA_TYPE_IMAGE_INDEX) return 'unsupported';
    const manifests = this.parseIndex(res.body, 'referrers response');
    let referrers = manifests.manifests;
    if (artifactType) {
      const applied = (v: string | null | undefined) => !!v && v.split(',').includes('artifactType');
      if (!applied(res.headers.get('oci-filters-applied')) && !applied(manifests.annotations?.[ANNOTATION_FILTERS_APPLIED])) {
        referrers = referrers.filter((d) => d.artifactType === artifactType);
      }
    }
    return { referrers, next: this.nextLink(res, url) };
  }

  private nextLink(res: HttpResponse, url: string): string | undefined {
    const link = res.headers.get('link');
    if (!link) return undefined;
    const m = /<([^>]*)>\s*;[^,]*rel="?next"?/i.exec(link);
    if (!m) return undefined;
    let next: URL;
    try {
      next = new URL(m[1]!, url);
    } catch (e) {
      throw this.fail('MALFORMED_RESPONSE', 'referrers response has an invalid Link header', e);
    }
    // Paging stays on the registry: credentials must not follow a link elsewhere.
    if (next.origin !== new URL(this.base).origin) throw this.fail('MALFORMED_RESPONSE', 'referrers Link points to another host');
    return next.toString();
  }

  private parseIndex(body: Uint8Array, what: string): { manifests: Descriptor[]; annotations?: Record<string, string> } {
    let v: unknown;
    try {
      v = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch (e) {
      throw this.fail('REFERRERS_INDEX_MALFORMED', `${what} is not JSON: ${(e as Error).message}`, e);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw this.fail('REFERRERS_INDEX_MALFORMED', `${what} is not an image index`);
    const o = v as Record<string, unknown>;
    if (o.manifests !== undefined && o.manifests !== null && !Array.isArray(o.manifests)) {
      throw this.fail('REFERRERS_INDEX_MALFORMED', `${what} is not an image index (manifests is not a list)`);
    }
    const list = (o.manifests as unknown[] | undefined | null) ?? [];
    if (list.length > 100_000) throw this.fail('REFERRERS_INDEX_MALFORMED', `${what} lists more than 100000 manifests`);
    try {
      const manifests = list.map((d, i) => checkDescriptorShape(d, `manifests[${i}]`));
      const annotations = o.annotations && typeof o.annotations === 'object' ? (o.annotations as Record<string, string>) : undefined;
      return { manifests, annotations };
    } catch (e) {
      throw this.fail('REFERRERS_INDEX_MALFORMED', `${what}: ${(e as Error).message}`, e);
    }
  }

  private async readTagIndex(tag: string): Promise<TagIndex | undefined> {
    const { descriptor, body } = await this.getManifest(tag, `${MEDIA_TYPE_IMAGE_INDEX}, ${MANIFEST_ACCEPT}`, MAX_INDEX_SIZE);
    if (!descriptor || !body) return undefined;
    return { descriptor, manifests: this.parseIndex(body, `referrers index ${tag}`).manifests };
  }

  // ---- signatures ------------------------------------------------------------------

  /** The envelope of a signature manifest: exactly one layer, ≤ 32 MiB, digest-checked. */
  async fetchSignatureBlob(signatureManifest: Descriptor): Promise<{ blob: Uint8Array; descriptor: Descriptor }> {
    checkSignatureManifestDescriptor(signatureManifest);
    const bytes = await this.fetchManifest(signatureManifest, MAX_MANIFEST_SIZE);
    const descriptor = signatureBlobDescriptor(signatureManifest, bytes);
    if (descriptor.size > MAX_ENVELOPE_SIZE) {
      throw new SignatureRetrievalFailedError('SIGNATURE_BLOB_TOO_LARGE', `signature blob too large: ${descriptor.size} bytes`);
    }
    return { blob: await this.fetchBlob(descriptor, MAX_ENVELOPE_SIZE), descriptor };
  }

  /**
   * Pushes the envelope, the `{}` config and the signature manifest (in that order,
   * so a listed signature always has its blobs), then indexes it under the referrers
   * tag unless the registry took the subject (OCI-Subject on the manifest PUT).
   */
  async pushSignature(
    mediaType: string,
    blob: Uint8Array,
    subject: Descriptor,
    annotations: Record<string, string>,
  ): Promise<{ blobDescriptor: Descriptor; manifestDescriptor: Descriptor }> {
    if (blob.length > MAX_ENVELOPE_SIZE) throw this.fail('CONTENT_TOO_LARGE', `signature envelope is ${blob.length} bytes, more than ${MAX_ENVELOPE_SIZE}`);
    parseDigest(subject.digest);
    const blobDescriptor: Descriptor = { mediaType, digest: sha256Digest(blob), size: blob.length };
    const built = buildSignatureManifest({ blobDescriptor, subject, annotations, now: this.now() });
    await this.pushBlobIfMissing(blobDescriptor, blob);
    await this.pushBlobIfMissing(EMPTY_JSON_DESCRIPTOR, Buffer.from('{}'));
    let res: HttpResponse;
    try {
      res = await this.pushManifest(built.descriptor, built.bytes, built.descriptor.digest);
    } catch (e) {
      // distribution 2.8 can lose the race between concurrent uploads of the same
      // blob (the shared `{}` config): upload both blobs again and retry once.
      if (!(e instanceof RepositoryError) || !e.message.includes('manifest blob unknown')) throw e;
      await this.pushBlob(blobDescriptor, blob);
      await this.pushBlob(EMPTY_JSON_DESCRIPTOR, Buffer.from('{}'));
      res = await this.pushManifest(built.descriptor, built.bytes, built.descriptor.digest);
    }
    if (res.headers.get('oci-subject') && this.capability === 'unknown') this.capability = 'supported';
    if (this.capability !== 'supported') {
      this.capability = 'unsupported';
      await this.serialize(() => this.addToTagIndex(subject, built.descriptor));
    }
    return { blobDescriptor, manifestDescriptor: built.descriptor };
  }

  private serialize<T>(f: () => Promise<T>): Promise<T> {
    const run = this.tagQueue.then(f, f);
    this.tagQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * Read-modify-write of the referrers tag index, repeated until a read made after
   * a settle delay shows our entry (another writer may have replaced the index
   * with one built before ours existed). Then the indexes we replaced are deleted
   * unless the tag points at them again; a failed delete is only a warning.
   */
  private async addToTagIndex(subject: Descriptor, entry: Descriptor): Promise<void> {
    const tag = referrersTag(subject);
    const key = contentKey(entry);
    const superseded = new Set<string>();
    // Every referrer seen in any read of this operation. One missing from a later
    // read was dropped by a writer that read an older index; it is put back if its
    // manifest still exists (a referrer deleted on purpose is not resurrected).
    const known = new Map<string, Descriptor>();
    let lastWritten: string | undefined;
    let slowestCycleMs = 0;
    const settle = () => sleep(Math.max(this.tagIndexSettleMs, 2 * slowestCycleMs) * (1 + Math.random()), undefined);
    for (let round = 0; round < 3; round++) {
      let settled = false;
      let confirmed = false;
      for (let attempt = 0; attempt < this.tagIndexMaxAttempts; attempt++) {
        const started = Date.now();
        const current = await this.readTagIndex(tag);
        const currentKeys = new Set((current?.manifests ?? []).map(contentKey));
        const present = currentKeys.has(key);
        const dropped = [...known.entries()].filter(([k]) => !currentKeys.has(k));
        for (const d of current?.manifests ?? []) if (d.digest) known.set(contentKey(d), d);
        if (present && settled && dropped.length === 0) {
          confirmed = true;
          break;
        }
        const restore: Descriptor[] = [];
        for (const [k, d] of dropped) {
          if (k !== key && (await this.manifestExists(d))) restore.push(d);
          else if (k !== key) known.delete(k);
        }
        if (!present || restore.length > 0) {
          const merged: Descriptor[] = [];
          const seen = new Set<string>();
          for (const d of [...(current?.manifests ?? []), ...restore]) {
            const k = contentKey(d);
            if (!d.digest || seen.has(k)) continue; // drop empty and duplicate entries, as oras does
            seen.add(k);
            merged.push(d);
          }
          if (!seen.has(key)) merged.push(entry);
          const next = encodeReferrersIndex(merged);
          await this.pushManifest(next.descriptor, next.bytes, tag);
          slowestCycleMs = Math.max(slowestCycleMs, Date.now() - started);
          for (const d of merged) known.set(contentKey(d), d);
          // Candidates for deletion: the index we replaced and our own earlier writes
          // (never the one just written); each is re-checked against the tag first.
          if (current && current.descriptor.digest !== next.descriptor.digest) superseded.add(current.descriptor.digest);
          if (lastWritten && lastWritten !== next.descriptor.digest) superseded.add(lastWritten);
          lastWritten = next.descriptor.digest;
          superseded.delete(next.descriptor.digest);
        }
        await settle();
        settled = true;
      }
      if (!confirmed) {
        throw this.fail('REFERRERS_INDEX_CONFLICT', `referrers index ${tag} kept changing; signature ${entry.digest} was pushed but could not be listed after ${this.tagIndexMaxAttempts} attempts`);
      }
      if (superseded.size === 0) return;
      const deleted = await this.deleteSuperseded(tag, superseded);
      superseded.clear();
      if (!deleted) return;
      // A delete can only hurt if another writer re-created that exact index meanwhile: check once more.
      const after = await this.readTagIndex(tag);
      if (after?.manifests.some((d) => contentKey(d) === key)) return;
    }
    throw this.fail('REFERRERS_INDEX_CONFLICT', `referrers index ${tag} lost signature ${entry.digest} repeatedly; it was pushed but is not listed`);
  }

  private async manifestExists(d: Descriptor): Promise<boolean> {
    if (!isDigest(d.digest)) return false;
    const req: HttpRequest = { method: 'HEAD', url: `${this.base}/manifests/${d.digest}`, headers: { Accept: d.mediaType || MANIFEST_ACCEPT }, maxBytes: 0, idempotent: true };
    const res = await this.request('pull', req);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw this.unexpected(req, res);
  }

  private async deleteSuperseded(tag: string, digests: Set<string>): Promise<boolean> {
    let deleted = false;
    for (const digest of digests) {
      const current = await this.readTagIndex(tag);
      if (current?.descriptor.digest === digest) continue; // the tag points at it again: keep it
      const req: HttpRequest = { method: 'DELETE', url: `${this.base}/manifests/${digest}`, maxBytes: 64 * 1024, idempotent: true };
      try {
        const res = await this.request('delete', req);
        if (res.status === 202 || res.status === 200 || res.status === 404) {
          deleted = deleted || res.status !== 404;
          continue;
        }
        this.logger?.warn(`Removal of outdated referrers index ${digest} from remote registry failed (${describeErrorResponse('DELETE', req.url, res)}). Garbage collection may be required.`);
      } catch (e) {
        this.logger?.warn(`Removal of outdated referrers index ${digest} from remote registry failed (${(e as Error).message}). Garbage collection may be required.`);
      }
    }
    return deleted;
  }

  /**
   * The manifests an image index (or Docker manifest list) lists, platform
   * included; undefined when `desc` is not an index. Used by `--recursive`.
   */
  async listIndexChildren(desc: Descriptor): Promise<Descriptor[] | undefined> {
    if (desc.mediaType !== MEDIA_TYPE_IMAGE_INDEX && desc.mediaType !== MEDIA_TYPE_DOCKER_MANIFEST_LIST) return undefined;
    const bytes = await this.fetchManifest(desc, MAX_MANIFEST_SIZE);
    let v: unknown;
    try {
      v = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch (e) {
      throw this.fail('INVALID_INDEX', `image index ${desc.digest} is not JSON: ${(e as Error).message}`, e);
    }
    const list = (v as { manifests?: unknown } | null)?.manifests ?? [];
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Array.isArray(list)) {
      throw this.fail('INVALID_INDEX', `image index ${desc.digest} is not an image index`);
    }
    if (list.length > MAX_INDEX_CHILDREN) throw this.fail('INVALID_INDEX', `image index ${desc.digest} lists more than ${MAX_INDEX_CHILDREN} manifests`);
    try {
      return list.map((d, i) => checkDescriptorShape(d, `manifests[${i}]`));
    } catch (e) {
      throw this.fail('INVALID_INDEX', `image index ${desc.digest}: ${(e as Error).message}`, e);
    }
  }
}
