/**
 * Default HTTP transport for OCSP and CRL: node:http only (notation refuses
 * https for both), a whole-request timeout, a byte cap while reading, and
 * redirects followed like Go's http.Client (at most 10, http only).
 */
import type * as Http from 'node:http';
import { FetchError, type Fetcher, type FetchInit, type FetchResponse } from './types.js';

const MAX_REDIRECTS = 10;

// Loaded on the first request: most verifications never fetch (no URLs, or a
// cached CRL), and loading node:http costs ~4 ms of every CLI start.
let httpModule: Promise<typeof Http> | undefined;
const loadHttp = () => (httpModule ??= import('node:http'));

export const httpFetcher: Fetcher = async (url, init) => {
  const deadline = Date.now() + init.timeoutMs;
  const http = await loadHttp();
  let current = url;
  let method = init.method;
  let body = init.body;
  for (let hop = 0; ; hop++) {
    const left = deadline - Date.now();
    if (left <= 0) throw new FetchError('timeout', `request to ${url} timed out after ${init.timeoutMs} ms`);
    const r = await once(http, current, { ...init, method, body, timeoutMs: left });
    if (r.location === undefined) return { status: r.status, body: r.body };
    if (hop >= MAX_REDIRECTS) throw new FetchError('network', `stopped after ${MAX_REDIRECTS} redirects`);
    const next = new URL(r.location, current);
    if (next.protocol !== 'http:') throw new FetchError('network', `redirect to unsupported scheme ${next.protocol.replace(':', '')}`);
    current = next.href;
    // Like Go: 301/302/303 turn a POST into a GET without body; 307/308 keep it.
    if (r.status !== 307 && r.status !== 308) {
      method = 'GET';
      body = undefined;
    }
  }
};

function once(http: typeof Http, url: string, init: FetchInit): Promise<FetchResponse & { location?: string }> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch (e) {
      reject(new FetchError('network', `invalid URL ${JSON.stringify(url)}`, { cause: e }));
      return;
    }
    if (u.protocol !== 'http:') {
      reject(new FetchError('network', `unsupported scheme ${u.protocol.replace(':', '')}`));
      return;
    }
    let settled = false;
    const finish = (err: Error | undefined, value?: FetchResponse & { location?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(value!);
    };
    const onAbort = () => finish(new FetchError('aborted', `request to ${url} was aborted`));
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.body) headers['content-length'] = String(init.body.length);
    const req = http.request(u, { method: init.method, headers, agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && status !== 304 && res.headers.location) {
        res.resume();
        finish(undefined, { status, body: new Uint8Array(), location: res.headers.location });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      const total = Number(res.headers['content-length']) || undefined;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > init.maxBytes) {
          finish(new FetchError('too-large', `response exceeds ${init.maxBytes} bytes`));
          return;
        }
        chunks.push(c);
        init.onBytes?.(size, total);
      });
      res.on('end', () => finish(undefined, { status, body: new Uint8Array(Buffer.concat(chunks)) }));
      res.on('error', (e) => finish(new FetchError('network', e.message, { cause: e })));
      res.on('aborted', () => finish(new FetchError('network', 'connection closed while reading the response')));
    });
    const timer = setTimeout(() => finish(new FetchError('timeout', `request to ${url} timed out after ${Math.round(init.timeoutMs)} ms`)), init.timeoutMs);
    req.on('error', (e) => finish(new FetchError('network', e.message, { cause: e })));
    if (init.signal?.aborted) {
      onAbort();
      return;
    }
    init.signal?.addEventListener('abort', onAbort);
    req.end(init.body ? Buffer.from(init.body) : undefined);
  });
}
