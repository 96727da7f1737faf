/**
 * An OCI image layout directory as a Repository, behaving like notation's
 * oras-go oci.Store: tags come from index.json's ref.name annotations, referrers
 * are found by walking every manifest reachable from index.json (so a referrers
 * tag-schema index `sha256-<hex>` in the layout is covered too), and a pushed
 * signature manifest is added untagged to index.json.
 *
 * Every read is bounded and digest-checked; every write goes to a temporary file
 * that is renamed into place, and index.json updates are serialized with a lock
 * file so concurrent signers in one layout do not lose each other's entries.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { RepositoryError, SignatureRetrievalFailedError } from '../errors.js';
import { digestProblem, isDigest, matchesDigest, parseDigest, sha256Digest } from './digest.js';
import { goDescriptor, goMarshal } from './gojson.js';
import {
  buildSignatureManifest,
  checkDescriptorShape,
  checkSignatureManifestDescriptor,
  signatureBlobDescriptor,
  signatureReferrer,
} from './manifest.js';
import {
  ANNOTATION_REF_NAME,
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
} from './types.js';

const MEDIA_TYPE_OCTET_STREAM = 'application/octet-stream';
const LAYOUT_VERSION = '1.0.0';
/** Bound on manifests walked when looking for referrers. */
const MAX_GRAPH_NODES = 100_000;
const LOCK_WAIT_MS = 15_000;
const LOCK_STALE_MS = 60_000;

export interface OciLayoutOptions {
  /** Receives notation's warnings (e.g. a referrer with artifactType but a non-empty config). */
  logger?: OciLogger;
  /** Clock for the signature manifest's created annotation when none is given. */
  now?: () => Date;
  /**
   * Bytes of digest-checked manifests and signature envelopes kept in memory for
   * later reads (default 8 MiB; 0 turns it off). A blob is named by its digest, so
   * a verified copy stays right; index.json is read afresh every time.
   */
  blobCacheBytes?: number;
}

/** Blobs larger than this are never cached (a cache is for manifests and envelopes). */
const MAX_CACHED_BLOB = 1024 * 1024;

/** Least recently used, bounded by total bytes; holds only content that matched its digest. */
class VerifiedBlobs {
  private readonly map = new Map<string, Buffer>();
  private bytes = 0;
  constructor(private readonly max: number) {}
  get(digest: string, size: number): Uint8Array | undefined {
    const b = this.map.get(digest);
    if (!b || b.length !== size) return undefined;
    this.map.delete(digest);
    this.map.set(digest, b);
    return Buffer.from(b); // a copy: callers may keep or change what they get
  }
  add(digest: string, bytes: Uint8Array): void {
    if (bytes.length > MAX_CACHED_BLOB || bytes.length > this.max || this.map.has(digest)) return;
    while (this.bytes + bytes.length > this.max) {
      const [k, v] = this.map.entries().next().value as [string, Buffer];
      this.map.delete(k);
      this.bytes -= v.length;
    }
    this.map.set(digest, Buffer.from(bytes));
    this.bytes += bytes.length;
  }
}

interface IndexDoc {
  /** The parsed index.json object; unknown members are written back unchanged. */
  raw: Record<string, unknown>;
  manifests: Descriptor[];
  /** The manifests array as it was in the file, for byte-preserving rewrites. */
  rawManifests: unknown[];
}

function keyOf(d: Descriptor): string {
  return `${d.mediaType}|${d.digest}|${d.size}`;
}

function plain(d: Descriptor): Descriptor {
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

function withoutRefName(d: Descriptor): Descriptor {
  if (!d.annotations || !(ANNOTATION_REF_NAME in d.annotations)) return d;
  const annotations = { ...d.annotations };
  delete annotations[ANNOTATION_REF_NAME];
  const out: Descriptor = { ...d, annotations };
  if (Object.keys(annotations).length === 0) delete out.annotations;
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class OciLayoutRepository implements Repository {
  readonly root: string;
  private readonly logger?: OciLogger;
  private readonly now: () => Date;
  private readonly blobs?: VerifiedBlobs;

  /** Opens the layout at `root`: it must be a directory; oci-layout, when present, must say 1.0.0. */
  constructor(root: string, options: OciLayoutOptions = {}) {
    this.root = root;
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
    const cacheBytes = options.blobCacheBytes ?? 8 * 1024 * 1024;
    if (cacheBytes > 0) this.blobs = new VerifiedBlobs(cacheBytes);
    let st: fs.Stats;
    try {
      st = fs.statSync(root);
    } catch (e) {
      throw new RepositoryError('LAYOUT_NOT_FOUND', `failed to create OCI store: ${(e as Error).message}`, { cause: e });
    }
    if (!st.isDirectory()) {
      throw new RepositoryError('LAYOUT_NOT_DIRECTORY', 'failed to create OCI store: the input path is not a directory');
    }
    this.checkLayoutFile();
  }

  private layoutError(code: string, message: string, cause?: unknown): RepositoryError {
    return new RepositoryError(code, `OCI layout ${this.root}: ${message}`, cause === undefined ? undefined : { cause });
  }

  private checkLayoutFile(): void {
    const p = join(this.root, 'oci-layout');
    let text: string;
    try {
      text = this.readBounded(p, 64 * 1024).toString('utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // oras creates it on first write
      throw e;
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw this.layoutError('INVALID_LAYOUT', `failed to decode OCI layout file: ${(e as Error).message}`, e);
    }
    if (typeof v !== 'object' || v === null || (v as { imageLayoutVersion?: unknown }).imageLayoutVersion !== LAYOUT_VERSION) {
      throw this.layoutError('INVALID_LAYOUT', `unsupported OCI image layout version (oci-layout must say imageLayoutVersion "${LAYOUT_VERSION}")`);
    }
  }

  /** Reads a whole regular file of at most `limit` bytes. */
  private readBounded(path: string, limit: number): Buffer {
    const fd = fs.openSync(path, 'r');
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw this.layoutError('INVALID_LAYOUT', `${path} is not a regular file`);
      if (st.size > limit) throw this.layoutError('CONTENT_TOO_LARGE', `${path} is ${st.size} bytes, more than the limit of ${limit}`);
      const buf = Buffer.alloc(st.size);
      let off = 0;
      while (off < st.size) {
        const n = fs.readSync(fd, buf, off, st.size - off, off);
        if (n === 0) break;
        off += n;
      }
      return buf.subarray(0, off);
    } finally {
      fs.closeSync(fd);
    }
  }

  private blobPath(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.root, 'blobs', algorithm, hex);
  }

  /**
   * Reads the blob `desc` names, refusing more than `limit` bytes, a size other than
   * desc.size, and content whose digest differs.
   */
  readBlob(desc: Descriptor, limit: number): Uint8Array {
    const problem = digestProblem(desc.digest);
    if (problem) throw this.layoutError('INVALID_DIGEST', `invalid digest ${JSON.stringify(desc.digest)}: ${problem}`);
    if (!Number.isSafeInteger(desc.size) || desc.size < 0) {
      throw this.layoutError('INVALID_DESCRIPTOR', `descriptor of ${desc.digest} has an invalid size ${desc.size}`);
    }
    if (desc.size > limit) {
      throw this.layoutError('CONTENT_TOO_LARGE', `${desc.digest} is ${desc.size} bytes, more than the limit of ${limit}`);
    }
    let bytes: Buffer;
    try {
      bytes = this.readBounded(this.blobPath(desc.digest), limit);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw this.layoutError('NOT_FOUND', `${desc.digest}: ${desc.mediaType}: not found`, e);
      }
      throw e;
    }
    if (bytes.length !== desc.size) {
      throw this.layoutError('SIZE_MISMATCH', `${desc.digest}: blob is ${bytes.length} bytes, descriptor says ${desc.size}`);
    }
    if (!matchesDigest(bytes, desc.digest)) {
      throw this.layoutError('DIGEST_MISMATCH', `${desc.digest}: content does not match its digest`);
    }
    return bytes;
  }

  /** readBlob, answered from the verified-blob cache when it holds the digest. */
  private readBlobCached(desc: Descriptor, limit: number): Uint8Array {
    if (this.blobs && Number.isSafeInteger(desc.size) && desc.size <= limit) {
      const hit = this.blobs.get(desc.digest, desc.size);
      if (hit) return hit;
    }
    const bytes = this.readBlob(desc, limit);
    this.blobs?.add(desc.digest, bytes);
    return bytes;
  }

  /** Fetches a manifest (≤ 4 MiB, digest-checked). */
  fetchManifest(desc: Descriptor): Uint8Array {
    return this.readBlobCached(desc, MAX_MANIFEST_SIZE);
  }

  private readIndex(): IndexDoc {
    const p = join(this.root, 'index.json');
    let buf: Buffer;
    try {
      buf = this.readBounded(p, MAX_INDEX_SIZE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return { raw: { schemaVersion: 2, mediaType: MEDIA_TYPE_IMAGE_INDEX, manifests: [] }, manifests: [], rawManifests: [] };
      }
      throw e;
    }
    let v: unknown;
    try {
      v = JSON.parse(buf.toString('utf8'));
    } catch (e) {
      throw this.layoutError('INVALID_INDEX', `invalid OCI Image Index: failed to decode index file: ${(e as Error).message}`, e);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw this.layoutError('INVALID_INDEX', 'invalid OCI Image Index: index.json is not a JSON object');
    }
    const raw = v as Record<string, unknown>;
    const rawManifests = raw.manifests ?? [];
    if (!Array.isArray(rawManifests)) throw this.layoutError('INVALID_INDEX', 'invalid OCI Image Index: manifests is not a list');
    if (rawManifests.length > MAX_GRAPH_NODES) throw this.layoutError('INVALID_INDEX', `invalid OCI Image Index: more than ${MAX_GRAPH_NODES} manifests`);
    let manifests: Descriptor[];
    try {
      manifests = rawManifests.map((m, i) => checkDescriptorShape(m, `manifests[${i}]`));
    } catch (e) {
      throw this.layoutError('INVALID_INDEX', `invalid OCI Image Index: ${(e as Error).message}`, e);
    }
    return { raw, manifests, rawManifests };
  }

  /**
   * Resolves a tag (index.json ref.name; the last entry wins) or a digest of an
   * index.json entry; a digest of another blob in the layout resolves to an
   * application/octet-stream descriptor, as oras' oci.Store does.
   */
  async resolve(reference: string): Promise<Descriptor> {
    return this.resolveSync(reference);
  }

  resolveSync(reference: string): Descriptor {
    if (reference === '') throw this.layoutError('MISSING_REFERENCE', 'missing reference');
    const tags = new Map<string, Descriptor>();
    for (const d of this.readIndex().manifests) {
      tags.set(d.digest, withoutRefName(d));
      const name = d.annotations?.[ANNOTATION_REF_NAME];
      if (name) tags.set(name, d);
    }
    const found = tags.get(reference);
    if (found) return reference === found.digest ? plain(found) : found;
    if (isDigest(reference)) {
      try {
        const st = fs.statSync(this.blobPath(reference));
        if (st.isFile()) return { mediaType: MEDIA_TYPE_OCTET_STREAM, digest: reference, size: st.size };
      } catch {
        // fall through to not found
      }
    }
    throw this.layoutError('NOT_FOUND', `${reference}: not found`);
  }

  /** Successor descriptors of a node, as oras content.Successors lists them. */
  private successors(node: Descriptor): Descriptor[] | undefined {
    const mt = node.mediaType;
    const known =
      mt === MEDIA_TYPE_IMAGE_MANIFEST || mt === MEDIA_TYPE_IMAGE_INDEX || mt === MEDIA_TYPE_ARTIFACT_MANIFEST ||
      mt === MEDIA_TYPE_DOCKER_MANIFEST || mt === MEDIA_TYPE_DOCKER_MANIFEST_LIST;
    if (!known) return [];
    let bytes: Uint8Array;
    try {
      bytes = this.readBlobCached(node, MAX_MANIFEST_SIZE);
    } catch (e) {
      if ((e as RepositoryError).code === 'NOT_FOUND') return undefined; // oras skips absent nodes
      throw e;
    }
    let v: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
      v = parsed as Record<string, unknown>;
    } catch (e) {
      throw this.layoutError('INVALID_INDEX', `invalid OCI Image Index: manifest ${node.digest}: ${(e as Error).message}`, e);
    }
    const list = (x: unknown, what: string): Descriptor[] => {
      if (x === undefined || x === null) return [];
      if (!Array.isArray(x)) throw this.layoutError('INVALID_INDEX', `invalid OCI Image Index: manifest ${node.digest}: ${what} is not a list`);
      return x.map((d, i) => checkDescriptorShape(d, `${what}[${i}]`));
    };
    const one = (x: unknown, what: string): Descriptor[] => (x === undefined || x === null ? [] : [checkDescriptorShape(x, what)]);
    try {
      switch (mt) {
        case MEDIA_TYPE_DOCKER_MANIFEST:
          return [...one(v.config, 'config'), ...list(v.layers, 'layers')];
        case MEDIA_TYPE_IMAGE_MANIFEST:
          return [...one(v.subject, 'subject'), ...one(v.config, 'config'), ...list(v.layers, 'layers')];
        case MEDIA_TYPE_DOCKER_MANIFEST_LIST:
          return list(v.manifests, 'manifests');
        case MEDIA_TYPE_IMAGE_INDEX:
          return [...one(v.subject, 'subject'), ...list(v.manifests, 'manifests')];
        default:
          return [...one(v.subject, 'subject'), ...list(v.blobs, 'blobs')];
      }
    } catch (e) {
      if (e instanceof RepositoryError) throw e;
      throw this.layoutError('INVALID_INDEX', `invalid OCI Image Index: manifest ${node.digest}: ${(e as Error).message}`, e);
    }
  }

  /**
   * Manifests in the layout that point at `subject`, in discovery order (index.json
   * order, then depth-first through nested indexes). notation's order comes from a
   * Go map and is unspecified; a stable order is the useful subset of it.
   */
  private predecessors(subject: Descriptor): Descriptor[] {
    const subjectKey = keyOf(subject);
    const seen = new Set<string>();
    const nodes = new Map<string, Descriptor>();
    const preds: string[] = [];
    const predSet = new Set<string>();
    const stack: Descriptor[] = this.readIndex().manifests.map(plain).reverse();
    while (stack.length > 0) {
      const node = stack.pop()!;
      const k = keyOf(node);
      if (seen.has(k)) continue;
      seen.add(k);
      if (seen.size > MAX_GRAPH_NODES) throw this.layoutError('CONTENT_TOO_LARGE', `more than ${MAX_GRAPH_NODES} nodes reachable from index.json`);
      const succ = this.successors(node);
      if (succ === undefined) continue;
      nodes.set(k, node);
      for (const s of succ) {
        if (keyOf(s) === subjectKey && !predSet.has(k)) {
          predSet.add(k);
          preds.push(k);
        }
      }
      for (let i = succ.length - 1; i >= 0; i--) stack.push(succ[i]!);
    }
    return preds.map((k) => nodes.get(k)!);
  }

  /** Signature manifests of `subject` (one page). */
  async *listSignatures(subject: Descriptor): AsyncIterable<Descriptor[]> {
    yield this.listSignaturesSync(subject);
  }

  listSignaturesSync(subject: Descriptor): Descriptor[] {
    const out: Descriptor[] = [];
    for (const node of this.predecessors(subject)) {
      const d = signatureReferrer(node, (n) => this.readBlobCached(n, MAX_MANIFEST_SIZE), subject, this.logger);
      if (d) out.push(d);
    }
    return out;
  }

  /** The envelope of a signature manifest: exactly one layer, ≤ 32 MiB, digest-checked. */
  async fetchSignatureBlob(signatureManifest: Descriptor): Promise<{ blob: Uint8Array; descriptor: Descriptor }> {
    return this.fetchSignatureBlobSync(signatureManifest);
  }

  fetchSignatureBlobSync(signatureManifest: Descriptor): { blob: Uint8Array; descriptor: Descriptor } {
    checkSignatureManifestDescriptor(signatureManifest);
    const bytes = this.readBlobCached(signatureManifest, MAX_MANIFEST_SIZE);
    const descriptor = signatureBlobDescriptor(signatureManifest, bytes);
    if (descriptor.size > MAX_ENVELOPE_SIZE) {
      throw new SignatureRetrievalFailedError('SIGNATURE_BLOB_TOO_LARGE', `signature blob too large: ${descriptor.size} bytes`);
    }
    return { blob: this.readBlobCached(descriptor, MAX_ENVELOPE_SIZE), descriptor };
  }

  // ---- writing -------------------------------------------------------------------

  private writeAtomic(path: string, bytes: Uint8Array): void {
    const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      fs.writeFileSync(tmp, bytes, { flag: 'wx', mode: 0o644 });
      fs.renameSync(tmp, path);
    } catch (e) {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // nothing more to clean
      }
      throw this.layoutError('WRITE_FAILED', `cannot write ${path}: ${(e as Error).message}`, e);
    }
  }

  /** Writes a blob unless an intact copy is already there. */
  private putBlob(desc: Descriptor, bytes: Uint8Array): void {
    const p = this.blobPath(desc.digest);
    try {
      this.readBlob(desc, Math.max(desc.size, 1));
      return;
    } catch {
      // absent or damaged: (re)write it
    }
    fs.mkdirSync(join(this.root, 'blobs', parseDigest(desc.digest).algorithm), { recursive: true });
    this.writeAtomic(p, bytes);
  }

  private async withIndexLock<T>(f: () => T): Promise<T> {
    const lock = join(this.root, 'index.json.lock');
    const deadline = Date.now() + LOCK_WAIT_MS;
    let delay = 5;
    for (;;) {
      try {
        fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw this.layoutError('WRITE_FAILED', `cannot create ${lock}: ${(e as Error).message}`, e);
        }
        try {
          // A lock left behind by a crashed writer is taken over after a minute.
          if (Date.now() - fs.statSync(lock).mtimeMs > LOCK_STALE_MS) fs.rmSync(lock, { force: true });
        } catch {
          // it went away meanwhile
        }
        if (Date.now() > deadline) throw this.layoutError('LOCKED', `index.json is locked by another writer (${lock})`);
        await sleep(delay);
        delay = Math.min(delay * 2, 200);
      }
    }
    try {
      return f();
    } finally {
      fs.rmSync(lock, { force: true });
    }
  }

  /**
   * Stores the envelope, the `{}` config and the signature manifest, then lists the
   * manifest untagged in index.json. Blobs are written before index.json names them,
   * so a crash leaves at worst unreferenced blobs, never a listed broken signature.
   */
  async pushSignature(
    mediaType: string,
    blob: Uint8Array,
    subject: Descriptor,
    annotations: Record<string, string>,
  ): Promise<{ blobDescriptor: Descriptor; manifestDescriptor: Descriptor }> {
    if (blob.length > MAX_ENVELOPE_SIZE) {
      throw this.layoutError('CONTENT_TOO_LARGE', `signature envelope is ${blob.length} bytes, more than ${MAX_ENVELOPE_SIZE}`);
    }
    const blobDescriptor: Descriptor = { mediaType, digest: sha256Digest(blob), size: blob.length };
    const built = buildSignatureManifest({ blobDescriptor, subject, annotations, now: this.now() });
    const layoutFile = join(this.root, 'oci-layout');
    if (!fs.existsSync(layoutFile)) this.writeAtomic(layoutFile, goMarshal({ imageLayoutVersion: LAYOUT_VERSION }));
    this.putBlob(blobDescriptor, blob);
    this.putBlob(EMPTY_JSON_DESCRIPTOR, Buffer.from('{}'));
    this.putBlob(built.descriptor, built.bytes);
    await this.withIndexLock(() => {
      const index = this.readIndex();
      if (index.manifests.some((m) => m.digest === built.descriptor.digest)) return;
      // notation lists a legacy-form manifest in index.json without artifactType.
      const { artifactType, ...plain } = built.descriptor;
      const entry = built.manifest.artifactType ? built.descriptor : plain;
      void artifactType;
      index.raw.manifests = [...index.rawManifests, goDescriptor(entry)];
      this.writeAtomic(join(this.root, 'index.json'), goMarshal(index.raw));
    });
    return { blobDescriptor, manifestDescriptor: built.descriptor };
  }

  /**
   * The manifests an image index (or Docker manifest list) lists, platform
   * included; undefined when `desc` is not an index. Used by `--recursive`.
   */
  async listIndexChildren(desc: Descriptor): Promise<Descriptor[] | undefined> {
    if (desc.mediaType !== MEDIA_TYPE_IMAGE_INDEX && desc.mediaType !== MEDIA_TYPE_DOCKER_MANIFEST_LIST) return undefined;
    const list = this.successors(desc);
    if (!list) throw this.layoutError('NOT_FOUND', `${desc.digest}: ${desc.mediaType}: not found`);
    const subject = desc.mediaType === MEDIA_TYPE_IMAGE_INDEX ? parseIndexSubject(this.fetchManifest(desc)) : undefined;
    // successors() puts the index's subject first; it is not a child.
    return subject ? list.slice(1) : list;
  }
}

function parseIndexSubject(bytes: Uint8Array): unknown {
  try {
    return (JSON.parse(Buffer.from(bytes).toString('utf8')) as { subject?: unknown }).subject ?? undefined;
  } catch {
    return undefined;
  }
}
