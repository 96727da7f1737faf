/**
 * Registry authentication as oras-go's auth.Client does it: try the request,
 * answer a 401 challenge with Basic credentials or a Bearer token fetched from the
 * challenge's realm (distribution token GET with Basic credentials, or OAuth2 POST
 * with a refresh/identity token), cache the token per scope set and fetch a fresh
 * one when it expires or the registry refuses it.
 */
import type { HttpResponse, HttpTransport } from './http.js';
import { describeErrorResponse, safeUrl } from './http.js';

export interface Credential {
  username?: string;
  password?: string;
  /** Identity / refresh token (docker `identitytoken`, or a password with an empty username). */
  refreshToken?: string;
  /** Registry access token used as-is (docker `registrytoken`). */
  accessToken?: string;
}

/** Supplies credentials for a registry host (`host[:port]`). */
export interface CredentialProvider {
  get(registry: string): Promise<Credential | undefined>;
}

export interface Challenge {
  scheme: 'basic' | 'bearer' | 'other';
  params: Record<string, string>;
}

/** Parses the first challenge of a WWW-Authenticate header (RFC 7235 auth-params). */
export function parseChallenge(header: string | null): Challenge {
  if (!header) return { scheme: 'other', params: {} };
  const m = /^\s*([A-Za-z][A-Za-z0-9._~+/-]*)\s*(.*)$/s.exec(header);
  if (!m) return { scheme: 'other', params: {} };
  const scheme = m[1]!.toLowerCase();
  const params: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/gy;
  const rest = m[2]!;
  re.lastIndex = 0;
  let p: RegExpExecArray | null;
  while (re.lastIndex < rest.length && (p = re.exec(rest)) !== null) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
    if (p[0] === '') break;
  }
  return { scheme: scheme === 'basic' ? 'basic' : scheme === 'bearer' ? 'bearer' : 'other', params };
}

/** Merges scopes as oras does: per resource, actions unioned and sorted; `*` absorbs others. */
export function mergeScopes(scopes: string[]): string[] {
  const byResource = new Map<string, Set<string>>();
  const others: string[] = [];
  for (const s of scopes) {
    const i = s.lastIndexOf(':');
    const j = s.indexOf(':');
    if (i <= j) {
      if (s) others.push(s);
      continue;
    }
    const resource = s.slice(0, i);
    const set = byResource.get(resource) ?? new Set<string>();
    for (const a of s.slice(i + 1).split(',')) if (a) set.add(a);
    byResource.set(resource, set);
  }
  const out: string[] = [];
  for (const [r, set] of byResource) {
    const actions = set.has('*') ? ['*'] : [...set].sort();
    out.push(`${r}:${actions.join(',')}`);
  }
  return [...new Set([...out, ...others])].sort();
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const TOKEN_MAX_BYTES = 1024 * 1024;

export class Authenticator {
  private readonly transport: HttpTransport;
  private readonly credentials?: CredentialProvider;
  private readonly now: () => number;
  private basic?: string;
  private readonly tokens = new Map<string, CachedToken>();
  private challenge?: Challenge;
  private credential?: Promise<Credential | undefined>;

  constructor(transport: HttpTransport, credentials?: CredentialProvider, now: () => number = Date.now) {
    this.transport = transport;
    this.credentials = credentials;
    this.now = now;
  }

  private getCredential(): Promise<Credential | undefined> {
    this.credential ??= (this.credentials?.get(this.transport.registry) ?? Promise.resolve(undefined)).catch((e: unknown) => {
      throw this.transport.error('CREDENTIALS_UNAVAILABLE', `cannot read credentials: ${(e as Error).message}`, e);
    });
    return this.credential;
  }

  /** The Authorization header to send up front for `scopes`, if one is known. */
  private cachedHeader(scopes: string[]): string | undefined {
    if (this.challenge?.scheme === 'basic') return this.basic;
    if (this.challenge?.scheme === 'bearer') {
      const t = this.tokens.get(mergeScopes(scopes).join(' '));
      if (t && t.expiresAt > this.now()) return `Bearer ${t.token}`;
    }
    return undefined;
  }

  /**
   * Sends `build(authHeader)` and answers one 401 challenge. `scopes` are the
   * repository scopes the request needs (e.g. `repository:a/b:pull,push`).
   */
  async send(scopes: string[], build: (authorization?: string) => Parameters<HttpTransport['send']>[0]): Promise<HttpResponse> {
    const cached = this.cachedHeader(scopes);
    const first = await this.transport.send(withAuth(build(cached), cached));
    if (first.status !== 401) return first;
    const challenge = parseChallenge(first.headers.get('www-authenticate'));
    this.challenge = challenge;
    const header = await this.authorize(challenge, scopes, cached !== undefined);
    if (!header) {
      const req = build(undefined);
      throw this.transport.error('UNAUTHORIZED', `${describeErrorResponse(req.method, req.url, first)}; the registry requires credentials and none are configured`);
    }
    const second = await this.transport.send(withAuth(build(header), header));
    if (second.status === 401) {
      const cred = await this.getCredential();
      const hint = cred ? 'the registry refused the credentials (wrong username or password?)' : 'the registry requires credentials and none are configured';
      const req = build(header);
      throw this.transport.error('UNAUTHORIZED', `${describeErrorResponse(req.method, req.url, second)}; ${hint}`);
    }
    return second;
  }

  private async authorize(challenge: Challenge, scopes: string[], hadCached: boolean): Promise<string | undefined> {
    const cred = await this.getCredential();
    if (challenge.scheme === 'basic') {
      if (!cred?.username && !cred?.password) return undefined;
      this.basic = 'Basic ' + Buffer.from(`${cred.username ?? ''}:${cred.password ?? ''}`).toString('base64');
      return this.basic;
    }
    if (challenge.scheme !== 'bearer') return undefined;
    if (cred?.accessToken) return `Bearer ${cred.accessToken}`;
    const realm = challenge.params.realm;
    if (!realm) throw this.transport.error('AUTH_CHALLENGE_INVALID', 'bearer challenge without realm');
    const all = mergeScopes([...scopes, ...(challenge.params.scope ? challenge.params.scope.split(' ') : [])]);
    const key = mergeScopes(scopes).join(' ');
    if (hadCached) this.tokens.delete(key); // refused or expired: fetch a fresh one
    const token = await this.fetchToken(realm, challenge.params.service, all, cred);
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  private async fetchToken(realm: string, service: string | undefined, scopes: string[], cred: Credential | undefined): Promise<CachedToken> {
    let url: URL;
    try {
      url = new URL(realm);
    } catch (e) {
      throw this.transport.error('AUTH_CHALLENGE_INVALID', 'bearer challenge realm is not a URL', e);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw this.transport.error('AUTH_CHALLENGE_INVALID', 'bearer realm must be http(s)');
    let res: HttpResponse;
    if (cred?.refreshToken) {
      const form = new URLSearchParams();
      form.set('grant_type', 'refresh_token');
      form.set('refresh_token', cred.refreshToken);
      if (service) form.set('service', service);
      form.set('client_id', 'notation');
      if (scopes.length) form.set('scope', scopes.join(' '));
      res = await this.transport.send({
        method: 'POST',
        url: url.toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(form.toString()),
        maxBytes: TOKEN_MAX_BYTES,
      });
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (cred?.username || cred?.password) {
        headers.Authorization = 'Basic ' + Buffer.from(`${cred.username ?? ''}:${cred.password ?? ''}`).toString('base64');
      }
      res = await this.transport.send({ method: 'GET', url: url.toString(), headers, maxBytes: TOKEN_MAX_BYTES, idempotent: true });
    }
    if (res.status === 401 || res.status === 403) {
      throw this.transport.error('UNAUTHORIZED', `token request to ${safeUrl(url.toString())} was refused (status ${res.status}): check the username and password`);
    }
    if (res.status !== 200) throw this.transport.error('AUTH_FAILED', `token request: ${describeErrorResponse('GET', url.toString(), res)}`);
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(res.body.toString('utf8'));
    } catch (e) {
      throw this.transport.error('AUTH_FAILED', `token response from ${safeUrl(url.toString())} is not JSON`, e);
    }
    const token = typeof doc.access_token === 'string' && doc.access_token ? doc.access_token : doc.token;
    if (typeof token !== 'string' || !token) throw this.transport.error('AUTH_FAILED', `token response from ${safeUrl(url.toString())} has no token`);
    // The token spec's default lifetime is 60 s; refresh a little early.
    const expiresIn = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : 60;
    return { token, expiresAt: this.now() + Math.max(expiresIn - 5, 1) * 1000 };
  }
}

function withAuth<T extends { headers?: Record<string, string> }>(req: T, header: string | undefined): T {
  if (!header) return req;
  return { ...req, headers: { ...(req.headers ?? {}), Authorization: header } };
}
