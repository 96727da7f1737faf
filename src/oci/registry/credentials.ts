/**
 * Credentials as notation finds them (cli internal/auth + oras credentials): the
 * notation config.json if it configures any auth, else Docker's config.json, else
 * an OS-default helper; within a store a per-registry credHelper wins over
 * credsStore, which wins over plaintext `auths`. Helpers are the
 * `docker-credential-<name>` executables, asked with `get` and the server address
 * on stdin. The caller passes the file paths (this module reads no environment).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { RepositoryError } from '../../errors.js';
import type { Credential, CredentialProvider } from './auth.js';

const CONFIG_MAX_BYTES = 4 * 1024 * 1024;
const HELPER_TIMEOUT_MS = 30_000;
const HELPER_NOT_FOUND = 'credentials not found in native keychain';

/** Docker Hub's credentials live under its legacy index address. */
export function serverAddressFor(registry: string): string {
  return registry === 'docker.io' || registry === 'registry-1.docker.io' ? 'https://index.docker.io/v1/' : registry;
}

function toHostname(addr: string): string {
  let a = addr;
  if (a.startsWith('http://')) a = a.slice(7);
  else if (a.startsWith('https://')) a = a.slice(8);
  const i = a.indexOf('/');
  return i === -1 ? a : a.slice(0, i);
}

/** A fixed credential (-u/-p, NOTATION_USERNAME/PASSWORD); an empty username makes the password an identity token. */
export class StaticCredentials implements CredentialProvider {
  constructor(
    private readonly registry: string,
    private readonly credential: Credential,
  ) {}
  static fromUsernamePassword(registry: string, username: string, password: string): StaticCredentials {
    return new StaticCredentials(registry, username === '' ? { refreshToken: password } : { username, password });
  }
  async get(registry: string): Promise<Credential | undefined> {
    return registry === this.registry || serverAddressFor(registry) === serverAddressFor(this.registry) ? this.credential : undefined;
  }
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

interface ConfigDoc {
  auths: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers: Record<string, string>;
}

export type HelperRunner = (helper: string, action: 'get', input: string) => Promise<string>;

/** Runs `docker-credential-<helper> get` (found on PATH by the OS, as Docker does). */
export const runCredentialHelper: HelperRunner = (helper, action, input) =>
  new Promise((resolve, reject) => {
    if (!/^[A-Za-z0-9._-]+$/.test(helper)) {
      reject(new RepositoryError('CREDENTIAL_HELPER_FAILED', `invalid credential helper name ${JSON.stringify(helper)}`));
      return;
    }
    const child = execFile(
      `docker-credential-${helper}`,
      [action],
      { timeout: HELPER_TIMEOUT_MS, maxBuffer: 1024 * 1024, windowsHide: true },
      (err, stdout) => {
        if (err) {
          const out = String(stdout ?? '').trim();
          // The helper protocol reports "not found" on stdout with a non-zero exit.
          if (out === HELPER_NOT_FOUND) resolve(HELPER_NOT_FOUND);
          else reject(new RepositoryError('CREDENTIAL_HELPER_FAILED', `credential helper docker-credential-${helper} failed: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'executable not found' : out.slice(0, 200) || err.message}`, { cause: err }));
          return;
        }
        resolve(String(stdout));
      },
    );
    child.stdin?.end(input);
  });

/** One config file (notation's or Docker's config.json) as a credential store. */
export class ConfigFileCredentials implements CredentialProvider {
  readonly path: string;
  private readonly doc: ConfigDoc;
  private readonly runHelper: HelperRunner;
  private readonly defaultHelper?: string;

  /** A missing file is an empty store; a malformed one is a CONFIG_INVALID error. */
  constructor(path: string, opts: { runHelper?: HelperRunner; defaultHelper?: string } = {}) {
    this.path = path;
    this.runHelper = opts.runHelper ?? runCredentialHelper;
    this.defaultHelper = opts.defaultHelper;
    this.doc = ConfigFileCredentials.load(path);
  }

  private static load(path: string): ConfigDoc {
    let text: string;
    try {
      const buf = readFileSync(path);
      if (buf.length > CONFIG_MAX_BYTES) throw new RepositoryError('CONFIG_INVALID', `${path}: larger than ${CONFIG_MAX_BYTES} bytes`);
      text = buf.toString('utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { auths: {}, credHelpers: {} };
      if (e instanceof RepositoryError) throw e;
      throw new RepositoryError('CONFIG_INVALID', `${path}: ${(e as Error).message}`, { cause: e });
    }
    let v: unknown;
    try {
      v = text.trim() === '' ? {} : JSON.parse(text);
    } catch (e) {
      throw new RepositoryError('CONFIG_INVALID', `${path}: invalid config format: ${(e as Error).message}`, { cause: e });
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RepositoryError('CONFIG_INVALID', `${path}: invalid config format: not a JSON object`);
    const o = v as Record<string, unknown>;
    const obj = (x: unknown, what: string): Record<string, unknown> => {
      if (x === undefined || x === null) return {};
      if (typeof x !== 'object' || Array.isArray(x)) throw new RepositoryError('CONFIG_INVALID', `${path}: invalid config format: ${what} is not an object`);
      return x as Record<string, unknown>;
    };
    const auths = obj(o.auths, 'auths') as Record<string, AuthEntry>;
    const credHelpers = obj(o.credHelpers, 'credHelpers');
    for (const [k, h] of Object.entries(credHelpers)) {
      if (typeof h !== 'string') throw new RepositoryError('CONFIG_INVALID', `${path}: invalid config format: credHelpers[${JSON.stringify(k)}] is not a string`);
    }
    if (o.credsStore !== undefined && typeof o.credsStore !== 'string') throw new RepositoryError('CONFIG_INVALID', `${path}: invalid config format: credsStore is not a string`);
    return { auths, credsStore: o.credsStore as string | undefined, credHelpers: credHelpers as Record<string, string> };
  }

  /** oras IsAuthConfigured: a credsStore, any credHelpers or any auths. */
  isAuthConfigured(): boolean {
    return !!this.doc.credsStore || Object.keys(this.doc.credHelpers).length > 0 || Object.keys(this.doc.auths).length > 0;
  }

  async get(registry: string): Promise<Credential | undefined> {
    const server = serverAddressFor(registry);
    const helper = this.doc.credHelpers[server] || this.doc.credsStore || this.defaultHelper;
    if (helper) return this.fromHelper(helper, server);
    let entry = this.doc.auths[server];
    if (!entry) {
      const key = Object.keys(this.doc.auths).find((k) => toHostname(k) === server);
      if (key === undefined) return undefined;
      entry = this.doc.auths[key]!;
    }
    return this.fromEntry(entry, server);
  }

  private fromEntry(e: AuthEntry, server: string): Credential | undefined {
    if (typeof e !== 'object' || e === null) throw new RepositoryError('CONFIG_INVALID', `${this.path}: invalid auth entry for ${server}`);
    const c: Credential = {};
    if (typeof e.username === 'string' && e.username) c.username = e.username;
    if (typeof e.password === 'string' && e.password) c.password = e.password;
    if (typeof e.identitytoken === 'string' && e.identitytoken) c.refreshToken = e.identitytoken;
    if (typeof e.registrytoken === 'string' && e.registrytoken) c.accessToken = e.registrytoken;
    if (typeof e.auth === 'string' && e.auth) {
      const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      // Never echo the decoded value: it is the password.
      if (i === -1) throw new RepositoryError('CONFIG_INVALID', `${this.path}: the auth field for ${server} is not base64(username:password)`);
      c.username = decoded.slice(0, i);
      c.password = decoded.slice(i + 1);
    }
    return Object.keys(c).length ? c : undefined;
  }

  private async fromHelper(helper: string, server: string): Promise<Credential | undefined> {
    const out = (await this.runHelper(helper, 'get', server)).trim();
    if (out === HELPER_NOT_FOUND || out === '') return undefined;
    let doc: { Username?: unknown; Secret?: unknown };
    try {
      doc = JSON.parse(out);
    } catch (e) {
      throw new RepositoryError('CREDENTIAL_HELPER_FAILED', `credential helper docker-credential-${helper} returned invalid JSON`, { cause: e });
    }
    const username = typeof doc.Username === 'string' ? doc.Username : '';
    const secret = typeof doc.Secret === 'string' ? doc.Secret : '';
    if (!secret && !username) return undefined;
    return username === '<token>' ? { refreshToken: secret } : { username, password: secret };
  }
}

/**
 * notation's store selection: notation's config.json when it configures auth,
 * else Docker's config.json when it does, else the OS default helper if given,
 * else (still) notation's store.
 */
export function notationCredentialStore(opts: {
  notationConfigPath: string;
  dockerConfigPath?: string;
  defaultHelper?: string;
  runHelper?: HelperRunner;
}): CredentialProvider {
  const notation = new ConfigFileCredentials(opts.notationConfigPath, { runHelper: opts.runHelper });
  if (notation.isAuthConfigured()) return notation;
  if (opts.dockerConfigPath) {
    const docker = new ConfigFileCredentials(opts.dockerConfigPath, { runHelper: opts.runHelper });
    if (docker.isAuthConfigured()) return docker;
  }
  if (opts.defaultHelper) return new ConfigFileCredentials(opts.notationConfigPath, { runHelper: opts.runHelper, defaultHelper: opts.defaultHelper });
  return notation;
}
