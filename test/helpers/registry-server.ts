/**
 * A small OCI distribution registry on 127.0.0.1 for tests: manifests and blobs
 * (digest-checked), monolithic and chunked uploads, manifest DELETE, the referrers
 * API with `OCI-Subject`, artifactType filtering and `Link` paging (or none, to
 * exercise the tag-schema fallback), optional Basic or Bearer auth with a token
 * endpoint, and injectable faults (status codes, truncated bodies, wrong digests).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault {
  method?: string;
  /** Matched against the request path (no query). */
  path: RegExp;
  kind: 'status' | 'truncate' | 'wrong-digest-header' | 'corrupt-body' | 'oversize-body' | 'not-index' | 'drop-connection';
  status?: number;
  /** How many matching requests are hit (default: all). */
  times?: number;
  headers?: Record<string, string>;
}

export interface TestRegistryOptions {
  /** Serve the referrers API and answer OCI-Subject (default true). */
  referrers?: boolean;
  /** Referrers page size; more entries are paged with Link (default 1000). */
  pageSize?: number;
  /** Honour artifactType server-side and say so in OCI-Filters-Applied (default true). */
  serverFiltering?: boolean;
  auth?: { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; username: string; password: string; tokenTtlSeconds?: number };
  faults?: Fault[];
}

interface Stored {
  mediaType: string;
  body: Buffer;
}

const sha256 = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

export class TestRegistry {
  readonly manifests = new Map<string, Map<string, Stored>>(); // repo -> digest -> manifest
  readonly tags = new Map<string, Map<string, string>>(); // repo -> tag -> digest
  readonly blobs = new Map<string, Buffer>(); // digest -> bytes (shared across repos)
  readonly requests: { method: string; path: string; authorization?: string }[] = [];
  readonly tokensIssued: { scope: string[]; token: string }[] = [];
  private uploads = new Map<string, Buffer[]>();
  private server?: Server;
  private validTokens = new Map<string, number>();
  opts: TestRegistryOptions;
  host = '';

  constructor(opts: TestRegistryOptions = {}) {
    this.opts = opts;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.host;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }

  /** Stores a manifest directly (test setup). */
  putManifest(repo: string, body: Buffer, mediaType: string, tag?: string): string {
    const d = sha256(body);
    this.repoManifests(repo).set(d, { mediaType, body });
    if (tag) this.repoTags(repo).set(tag, d);
    return d;
  }

  private repoManifests(repo: string) {
    let m = this.manifests.get(repo);
    if (!m) this.manifests.set(repo, (m = new Map()));
    return m;
  }
  private repoTags(repo: string) {
    let m = this.tags.get(repo);
    if (!m) this.tags.set(repo, (m = new Map()));
    return m;
  }

  private fault(method: string, path: string): Fault | undefined {
    for (const f of this.opts.faults ?? []) {
      if ((f.method && f.method !== method) || !f.path.test(path)) continue;
      if (f.times !== undefined) {
        if (f.times <= 0) continue;
        f.times--;
      }
      return f;
    }
    return undefined;
  }

  private authorized(req: IncomingMessage, res: ServerResponse, scope: string): boolean {
    const a = this.opts.auth;
    if (!a) return true;
    const h = req.headers.authorization ?? '';
    if (a.kind === 'basic') {
      if (h === 'Basic ' + Buffer.from(`${a.username}:${a.password}`).toString('base64')) return true;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test-registry"', 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return false;
    }
    const tok = h.startsWith('Bearer ') ? h.slice(7) : '';
    const exp = this.validTokens.get(tok);
    if (exp !== undefined && exp > Date.now()) return true;
    res.writeHead(401, {
      'WWW-Authenticate': `Bearer realm="http://${this.host}/token",service="test-registry",scope="${scope}"`,
      'Content-Type': 'application/json',
    });
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    return false;
  }

  /** Invalidates every issued bearer token (forces a refresh). */
  expireTokens(): void {
    this.validTokens.clear();
  }

  private async body(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  private send(res: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string>, fault?: Fault): void {
    let b = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const h: Record<string, string> = { ...headers, ...(fault?.headers ?? {}) };
    if (fault?.kind === 'wrong-digest-header') h['Docker-Content-Digest'] = 'sha256:' + 'f'.repeat(64);
    if (fault?.kind === 'corrupt-body' && b.length > 0) {
      b = Buffer.from(b);
      b[b.length - 1] ^= 0x01;
    }
    if (fault?.kind === 'not-index') {
      b = Buffer.from('<html>not an index</html>');
      h['Content-Type'] = 'application/vnd.oci.image.index.v1+json';
    }
    if (fault?.kind === 'oversize-body') b = Buffer.concat([b, Buffer.alloc(5 * 1024 * 1024, 0x20)]);
    if (fault?.kind === 'truncate') {
      res.writeHead(status, { ...h, 'Content-Length': String(b.length) });
      res.write(b.subarray(0, Math.floor(b.length / 2)));
      res.socket?.destroy();
      return;
    }
    res.writeHead(status, { ...h, 'Content-Length': String(b.length) });
    res.end(res.req.method === 'HEAD' ? undefined : b);
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    this.send(res, status, JSON.stringify({ errors: [{ code, message }] }), { 'Content-Type': 'application/json' });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    this.requests.push({ method, path, authorization: req.headers.authorization });
    if (path === '/token') return this.token(req, res, url);
    const fault = this.fault(method, path);
    if (fault?.kind === 'status') {
      await this.body(req);
      this.send(res, fault.status ?? 500, JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'injected fault' }] }), { 'Content-Type': 'application/json' });
      return;
    }
    if (fault?.kind === 'drop-connection') {
      res.socket?.destroy();
      return;
    }
    if (path === '/v2/' || path === '/v2') {
      if (!this.authorized(req, res, '')) return;
      return this.send(res, 200, '{}', { 'Content-Type': 'application/json' });
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs|referrers)\/([^/]+)$/.exec(path);
    const up = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(path);
    const repo = (up ?? m)?.[1];
    if (!repo) return this.error(res, 404, 'NOT_FOUND', 'no route');
    const write = method !== 'GET' && method !== 'HEAD';
    const scope = `repository:${repo}:${method === 'DELETE' ? 'delete' : write ? 'pull,push' : 'pull'}`;
    if (!this.authorized(req, res, scope)) {
      await this.body(req);
      return;
    }
    if (up) return this.upload(req, res, repo, up[2]!, url, fault);
    const [, , kind, ref] = m!;
    if (kind === 'blobs') {
      const b = this.blobs.get(ref!);
      if (!b) return this.error(res, 404, 'BLOB_UNKNOWN', 'blob unknown');
      return this.send(res, 200, b, { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': ref! }, fault);
    }
    if (kind === 'referrers') {
      if (this.opts.referrers === false) return this.send(res, 404, '404 page not found', { 'Content-Type': 'text/plain' });
      return this.referrers(res, repo, ref!, url, fault);
    }
    return this.manifest(req, res, repo, ref!, method, fault);
  }

  private token(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const a = this.opts.auth;
    if (a?.kind !== 'bearer') return this.error(res, 404, 'NOT_FOUND', 'no token service');
    const h = req.headers.authorization ?? '';
    if (h !== 'Basic ' + Buffer.from(`${a.username}:${a.password}`).toString('base64')) {
      return this.error(res, 401, 'UNAUTHORIZED', 'bad credentials');
    }
    const token = randomUUID();
    const ttl = a.tokenTtlSeconds ?? 300;
    this.validTokens.set(token, Date.now() + ttl * 1000);
    this.tokensIssued.push({ scope: url.searchParams.getAll('scope'), token });
    this.send(res, 200, JSON.stringify({ token, expires_in: ttl }), { 'Content-Type': 'application/json' });
  }

  private async upload(req: IncomingMessage, res: ServerResponse, repo: string, id: string, url: URL, fault?: Fault): Promise<void> {
    const method = req.method;
    const body = await this.body(req);
    if (method === 'POST' && id === '') {
      const uuid = randomUUID();
      this.uploads.set(uuid, []);
      return this.send(res, 202, '', { Location: `/v2/${repo}/blobs/uploads/${uuid}`, 'Docker-Upload-UUID': uuid, Range: '0-0' });
    }
    const parts = this.uploads.get(id);
    if (!parts) return this.error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'upload unknown');
    if (method === 'PATCH') {
      const have = parts.reduce((n, p) => n + p.length, 0);
      const range = req.headers['content-range'];
      if (range && !String(range).startsWith(`${have}-`)) return this.error(res, 416, 'BLOB_UPLOAD_INVALID', 'bad range');
      parts.push(body);
      const total = have + body.length;
      return this.send(res, 202, '', { Location: `/v2/${repo}/blobs/uploads/${id}`, Range: `0-${total - 1}` });
    }
    if (method === 'PUT') {
      parts.push(body);
      const all = Buffer.concat(parts);
      const digest = url.searchParams.get('digest') ?? '';
      if (sha256(all) !== digest) return this.error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
      this.uploads.delete(id);
      this.blobs.set(digest, all);
      return this.send(res, 201, '', { Location: `/v2/${repo}/blobs/${digest}`, 'Docker-Content-Digest': digest }, fault);
    }
    return this.error(res, 405, 'UNSUPPORTED', 'method not allowed');
  }

  private async manifest(req: IncomingMessage, res: ServerResponse, repo: string, ref: string, method: string, fault?: Fault): Promise<void> {
    const mans = this.repoManifests(repo);
    const tags = this.repoTags(repo);
    if (method === 'PUT') {
      const body = await this.body(req);
      const mediaType = String(req.headers['content-type'] ?? '');
      const digest = sha256(body);
      if (ref.includes(':') && ref !== digest) return this.error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
      let doc: { subject?: { digest?: string }; config?: { digest?: string }; layers?: { digest?: string }[]; mediaType?: string };
      try {
        doc = JSON.parse(body.toString('utf8'));
      } catch {
        return this.error(res, 400, 'MANIFEST_INVALID', 'not JSON');
      }
      if (doc.mediaType && doc.mediaType !== mediaType) return this.error(res, 400, 'MANIFEST_INVALID', 'media type mismatch');
      for (const b of [doc.config, ...(doc.layers ?? [])]) {
        if (b?.digest && !this.blobs.has(b.digest)) return this.error(res, 400, 'MANIFEST_BLOB_UNKNOWN', `blob ${b.digest} unknown`);
      }
      mans.set(digest, { mediaType, body });
      if (!ref.includes(':')) tags.set(ref, digest);
      const h: Record<string, string> = { Location: `/v2/${repo}/manifests/${digest}`, 'Docker-Content-Digest': digest };
      if (doc.subject?.digest && this.opts.referrers !== false) h['OCI-Subject'] = doc.subject.digest;
      return this.send(res, 201, '', h, fault);
    }
    const digest = ref.includes(':') ? ref : tags.get(ref);
    const stored = digest ? mans.get(digest) : undefined;
    if (method === 'DELETE') {
      if (!stored) return this.error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      mans.delete(digest!);
      for (const [t, d] of tags) if (d === digest) tags.delete(t);
      return this.send(res, 202, '', {});
    }
    if (!stored) return this.error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    return this.send(res, 200, stored.body, { 'Content-Type': stored.mediaType, 'Docker-Content-Digest': digest! }, fault);
  }

  private referrers(res: ServerResponse, repo: string, subject: string, url: URL, fault?: Fault): void {
    const artifactType = url.searchParams.get('artifactType');
    const all: Record<string, unknown>[] = [];
    for (const [digest, m] of this.repoManifests(repo)) {
      let doc: { subject?: { digest?: string }; artifactType?: string; config?: { mediaType?: string }; annotations?: Record<string, string> };
      try {
        doc = JSON.parse(m.body.toString('utf8'));
      } catch {
        continue;
      }
      if (doc.subject?.digest !== subject) continue;
      const at = doc.artifactType ?? doc.config?.mediaType;
      if (artifactType && this.opts.serverFiltering !== false && at !== artifactType) continue;
      const d: Record<string, unknown> = { mediaType: m.mediaType, digest, size: m.body.length };
      if (doc.annotations) d.annotations = doc.annotations;
      if (at) d.artifactType = at;
      all.push(d);
    }
    const size = this.opts.pageSize ?? 1000;
    const start = Number(url.searchParams.get('last') ?? '0');
    const page = all.slice(start, start + size);
    const h: Record<string, string> = { 'Content-Type': 'application/vnd.oci.image.index.v1+json' };
    if (artifactType && this.opts.serverFiltering !== false) h['OCI-Filters-Applied'] = 'artifactType';
    if (start + size < all.length) {
      const next = new URL(url.toString());
      next.searchParams.set('last', String(start + size));
      h.Link = `<${next.pathname}${next.search}>; rel="next"`;
    }
    this.send(res, 200, JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: page }), h, fault);
  }
}
