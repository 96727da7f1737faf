/**
 * HTTP for the registry client: bounded bodies, per-request timeouts, retries with
 * backoff on 429/5xx/network errors for idempotent requests only, and redirects
 * followed only when the caller allows it (blob downloads), never carrying the
 * Authorization header to another origin. Errors name the registry and never
 * contain credentials.
 */
import { RepositoryError } from '../../errors.js';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Largest body accepted; a longer body (or Content-Length) fails with CONTENT_TOO_LARGE. */
  maxBytes: number;
  /** Safe to repeat (GET, HEAD, DELETE, PUT of a manifest). */
  idempotent?: boolean;
  followRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: Headers;
  body: Buffer;
  /** Final URL (after redirects). */
  url: string;
}

export interface HttpOptions {
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** Retries after the first attempt for idempotent requests. */
  retries?: number;
  /** First backoff delay; doubles per retry, with jitter. */
  backoffMs?: number;
  /** Longest wait honoured from Retry-After. */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  userAgent?: string;
  fetch?: typeof fetch;
}

const MAX_REDIRECTS = 5;

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** URL without query and fragment, for messages (a signed URL's query may hold secrets). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

export class HttpTransport {
  readonly registry: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly signal?: AbortSignal;
  private readonly userAgent: string;
  private readonly fetchImpl: typeof fetch;

  constructor(registry: string, opts: HttpOptions = {}) {
    this.registry = registry;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retries = opts.retries ?? 3;
    this.backoffMs = opts.backoffMs ?? 200;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 10_000;
    this.signal = opts.signal;
    this.userAgent = opts.userAgent ?? 'notation-ts';
    this.fetchImpl = opts.fetch ?? fetch;
  }

  /** A RepositoryError naming the registry, unless the message already does (a URL or reference). */
  error(code: string, message: string, cause?: unknown): RepositoryError {
    const text = message.includes(`${this.registry}/`) ? message : `registry ${this.registry}: ${message}`;
    return new RepositoryError(code, text, cause === undefined ? undefined : { cause });
  }

  /** Sends with retries (idempotent requests) and redirects (when allowed). */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const attempts = req.idempotent ? this.retries + 1 : 1;
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) {
        const retryAfter = last instanceof RetryableStatus ? last.retryAfterMs : undefined;
        const backoff = this.backoffMs * 2 ** (i - 1) * (0.5 + Math.random());
        await sleep(Math.min(retryAfter ?? backoff, this.maxRetryAfterMs), this.signal);
      }
      try {
        const res = await this.sendFollowing(req);
        if (req.idempotent && (res.status === 429 || res.status >= 500) && i < attempts - 1) {
          last = new RetryableStatus(res, parseRetryAfter(res.headers.get('retry-after')));
          continue;
        }
        return res;
      } catch (e) {
        if (e instanceof RepositoryError || this.signal?.aborted) throw e;
        last = e;
        if (i === attempts - 1) break;
      }
    }
    if (last instanceof RetryableStatus) return last.res;
    const msg = (last as Error)?.name === 'TimeoutError' ? `timed out after ${this.timeoutMs} ms` : networkErrorText(last);
    throw this.error('REGISTRY_UNREACHABLE', `${goMethod(req.method)} "${safeUrl(req.url)}": ${msg}`, last);
  }

  private async sendFollowing(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    let headers = { ...(req.headers ?? {}) };
    const origin = new URL(url).origin;
    for (let hop = 0; ; hop++) {
      const res = await this.once(req, url, headers);
      if (!req.followRedirects || ![301, 302, 303, 307, 308].includes(res.status)) return res;
      const loc = res.headers.get('location');
      if (!loc || hop >= MAX_REDIRECTS) throw this.error('BAD_REDIRECT', `${req.method} ${safeUrl(url)}: too many or empty redirects`);
      const next = new URL(loc, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw this.error('BAD_REDIRECT', `${req.method} ${safeUrl(url)}: redirect to unsupported scheme`);
      if (next.origin !== origin) {
        // Blob storage behind a redirect gets no registry credentials.
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
      }
      url = next.toString();
    }
  }

  private async once(req: HttpRequest, url: string, headers: Record<string, string>): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([this.signal, timeout]) : timeout;
    const res = await this.fetchImpl(url, {
      method: req.method,
      headers: { 'User-Agent': this.userAgent, ...headers },
      body: req.body,
      redirect: 'manual',
      signal,
    });
    const body = req.method === 'HEAD' ? Buffer.alloc(0) : await this.readBounded(res, req, url);
    return { status: res.status, statusText: res.statusText, headers: res.headers, body, url };
  }

  private async readBounded(res: Response, req: HttpRequest, url: string): Promise<Buffer> {
    const declared = res.headers.get('content-length');
    // Error bodies are read only up to a small bound; their status is what matters.
    const limit = res.status >= 200 && res.status < 300 ? req.maxBytes : Math.min(req.maxBytes, 64 * 1024);
    if (declared !== null && Number(declared) > limit && res.status >= 200 && res.status < 300) {
      await res.body?.cancel().catch(() => undefined);
      throw this.error('CONTENT_TOO_LARGE', `${req.method} ${safeUrl(url)}: response of ${declared} bytes exceeds the limit of ${limit} bytes`);
    }
    if (!res.body) return Buffer.alloc(0);
    const reader = res.body.getReader();
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > limit) {
          await reader.cancel().catch(() => undefined);
          if (res.status >= 200 && res.status < 300) {
            throw this.error('CONTENT_TOO_LARGE', `${req.method} ${safeUrl(url)}: response exceeds the limit of ${limit} bytes`);
          }
          break;
        }
        chunks.push(Buffer.from(value));
      }
    } catch (e) {
      if (e instanceof RepositoryError) throw e;
      throw this.error('TRUNCATED_RESPONSE', `${req.method} ${safeUrl(url)}: response body could not be read completely: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`, e);
    }
    const body = Buffer.concat(chunks);
    if (declared !== null && res.status >= 200 && res.status < 300 && Number(declared) !== body.length) {
      throw this.error('TRUNCATED_RESPONSE', `${req.method} ${safeUrl(url)}: response body has ${body.length} bytes, Content-Length says ${declared}`);
    }
    return body;
  }
}

/** Go's url.Error operation name for a method ("Get", "Head", ...). */
function goMethod(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase();
}

// OpenSSL's codes for a chain that does not reach a trusted root (one string: these are not our error codes).
const UNKNOWN_AUTHORITY = new Set('DEPTH_ZERO_SELF_SIGNED_CERT SELF_SIGNED_CERT_IN_CHAIN UNABLE_TO_VERIFY_LEAF_SIGNATURE UNABLE_TO_GET_ISSUER_CERT_LOCALLY UNABLE_TO_GET_ISSUER_CERT'.split(' '));

/**
 * A failed fetch as Go's net/http words it where the failure is common and the
 * cause certain (refused connection, unknown host, TLS to a plain-HTTP server,
 * untrusted certificate), else Node's own message.
 */
export function networkErrorText(e: unknown): string {
  const err = e as Error & { cause?: unknown };
  const cause = (err?.cause ?? err) as (Error & { code?: string; address?: string; port?: number; hostname?: string }) | undefined;
  const code = cause?.code;
  if (code === 'ECONNREFUSED' && cause?.address) return `dial tcp ${cause.address.includes(':') ? `[${cause.address}]` : cause.address}:${cause.port}: connect: connection refused`;
  if (code === 'ENOTFOUND' && cause?.hostname) return `dial tcp: lookup ${cause.hostname}: no such host`;
  // OpenSSL reads an HTTP status line where a TLS record should be.
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') return 'http: server gave HTTP response to HTTPS client';
  if (code && UNKNOWN_AUTHORITY.has(code)) return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  return cause?.message ?? err?.message ?? String(e);
}

class RetryableStatus {
  constructor(
    readonly res: HttpResponse,
    readonly retryAfterMs: number | undefined,
  ) {}
}

function parseRetryAfter(v: string | null): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

/**
 * Describes a registry error response as oras does: status, then the
 * distribution error codes and messages when the body carries them.
 */
export function describeErrorResponse(method: string, url: string, res: HttpResponse): string {
  let detail = '';
  try {
    const doc = JSON.parse(res.body.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
    if (Array.isArray(doc.errors) && doc.errors.length > 0) {
      detail = doc.errors
        .slice(0, 5)
        .map((e) => {
          const code = typeof e.code === 'string' ? e.code.toLowerCase().replace(/_/g, ' ') : '';
          const msg = typeof e.message === 'string' ? e.message.slice(0, 200) : '';
          return [code, msg].filter(Boolean).join(': ');
        })
        .join('; ');
    }
  } catch {
    // not a distribution error body
  }
  return `${method} "${safeUrl(url)}": response status code ${res.status}: ${detail || res.statusText || 'no detail'}`;
}

/** True when the body is a distribution error with the given code (e.g. NAME_UNKNOWN). */
export function hasErrorCode(res: HttpResponse, code: string): boolean {
  try {
    const doc = JSON.parse(res.body.toString('utf8')) as { errors?: { code?: unknown }[] };
    return Array.isArray(doc.errors) && doc.errors.some((e) => e.code === code);
  } catch {
    return false;
  }
}
