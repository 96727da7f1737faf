/**
 * Registry targets for the CLI, as notation's cmd/notation/registry.go and
 * internal/auth build them: the reference must carry a tag or digest; plain HTTP
 * only with --insecure-registry, a config.json `insecureRegistries` entry, or a
 * `localhost:<port>` registry (notation does not treat 127.0.0.1 that way);
 * credentials from -u/-p (each falling back to NOTATION_USERNAME/NOTATION_PASSWORD)
 * when either is set, else from notation's credentials store: notation's
 * config.json if it configures auth, else Docker's config.json if it does, else the
 * platform's default docker-credential helper if installed, else notation's
 * config.json again. Plaintext `auths` entries are read but never written.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { CliContext } from './context.js';
import { configDirOf, logger, type Target } from './common.js';
import { RepositoryError } from '../errors.js';
import { configPaths, loadConfig, writeFileAtomic } from '../config/index.js';
import { parseRegistryReference } from '../oci/reference.js';
import { RegistryRepository } from '../oci/registry/repository.js';
import type { Credential, CredentialProvider } from '../oci/registry/auth.js';
import { ConfigFileCredentials, StaticCredentials, serverAddressFor } from '../oci/registry/credentials.js';
import type { OciLogger } from '../oci/types.js';

const HELPER_PREFIX = 'docker-credential-';
const HELPER_NOT_FOUND = 'credentials not found in native keychain';
const HELPER_TIMEOUT_MS = 60_000;
const HELPER_MAX_OUTPUT = 1024 * 1024;
const CONFIG_MAX_BYTES = 4 * 1024 * 1024;

/** Raised by a store that would have to write a password in plaintext (oras ErrPlaintextPutDisabled). */
export class PlaintextPutDisabledError extends RepositoryError {
  constructor() {
    super('PLAINTEXT_PUT_DISABLED', 'putting plaintext credentials is disabled');
  }
}

/** A credentials store with notation's (oras credentials.Store) get/put/delete. */
export interface CredentialsStore extends CredentialProvider {
  /** `server` is a server address (ServerAddressFromRegistry of the registry). */
  put(server: string, credential: Credential): Promise<void>;
  delete(server: string): Promise<void>;
  /** Where the credentials go, for messages (a helper name or a file path). */
  describe(server: string): string;
}

// ---- environment-derived settings --------------------------------------------------

/** Docker's config.json: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: CliContext['env']): string | undefined {
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return env.HOME ? join(env.HOME, '.docker', 'config.json') : undefined;
}

/** Finds an executable on `env.PATH` (exec.LookPath). */
export function lookPath(env: CliContext['env'], name: string): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      if (statSync(p).isFile()) {
        accessSync(p, fsConstants.X_OK);
        return p;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The platform's default native store, if its helper is installed (oras
 * NewDefaultNativeStore): `pass` when the pass tool exists, else `secretservice`
 * on Linux; `osxkeychain` on macOS; `wincred` on Windows.
 */
export function defaultNativeHelper(env: CliContext['env'], platform: NodeJS.Platform = process.platform): string | undefined {
  let helper: string;
  if (platform === 'darwin') helper = 'osxkeychain';
  else if (platform === 'win32') helper = 'wincred';
  else helper = lookPath(env, 'pass') ? 'pass' : 'secretservice';
  return lookPath(env, HELPER_PREFIX + helper) ? helper : undefined;
}

/** Whether the registry is talked to over plain HTTP, as notation decides it. */
export function usePlainHttp(ctx: CliContext, registry: string): boolean {
  if (ctx.flags['insecure-registry']) return true;
  let insecure: string[] = [];
  try {
    insecure = loadConfig(configDirOf(ctx)).insecureRegistries;
  } catch {
    // notation's IsRegistryInsecure treats an unreadable config as "not insecure"
  }
  if (insecure.some((r) => r.toLowerCase() === registry.toLowerCase())) return true;
  const m = /^(.*):(\d*)$/.exec(registry);
  return !!m && m[1] === 'localhost';
}

/** -u/-p, each defaulting to NOTATION_USERNAME/NOTATION_PASSWORD (notation SecureFlagOpts). */
export function flagCredentials(ctx: CliContext): { username: string; password: string } {
  const pick = (flag: string, envName: string) => (ctx.changed.has(flag) ? String(ctx.flags[flag] ?? '') : (ctx.env[envName] ?? ''));
  return { username: pick('username', 'NOTATION_USERNAME'), password: pick('password', 'NOTATION_PASSWORD') };
}

// ---- credential helpers ------------------------------------------------------------

/**
 * Runs `docker-credential-<helper> <action>` with `input` on stdin, found on the
 * context's PATH. As oras' executer: a failing helper's trimmed stdout is the error.
 */
export function runHelper(env: CliContext['env'], helper: string, action: 'get' | 'store' | 'erase', input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!/^[A-Za-z0-9._-]+$/.test(helper)) {
      reject(new RepositoryError('CREDENTIAL_HELPER_FAILED', `invalid credential helper name ${JSON.stringify(helper)}`));
      return;
    }
    const name = HELPER_PREFIX + helper;
    const child = execFile(name, [action], { env: env as NodeJS.ProcessEnv, timeout: HELPER_TIMEOUT_MS, maxBuffer: HELPER_MAX_OUTPUT, windowsHide: true }, (err, stdout) => {
      if (!err) return resolve(String(stdout));
      const out = String(stdout ?? '').trim();
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        reject(new RepositoryError('CREDENTIAL_HELPER_FAILED', `exec: "${name}": executable file not found in $PATH`, { cause: err }));
      } else if (out) {
        // The helper's own message (e.g. "credentials not found in native keychain"); never our input.
        reject(new RepositoryError('CREDENTIAL_HELPER_FAILED', out.slice(0, 500), { cause: err }));
      } else {
        reject(new RepositoryError('CREDENTIAL_HELPER_FAILED', `${name} ${action}: ${err.killed ? 'timed out' : `exit status ${(err as { code?: unknown }).code}`}`, { cause: err }));
      }
    });
    child.stdin?.on('error', () => undefined); // a helper that exits early must not crash us (EPIPE)
    child.stdin?.end(input);
  });
}

/** A docker-credential helper as a store (oras nativeStore). */
class NativeStore implements CredentialsStore {
  constructor(
    private readonly env: CliContext['env'],
    readonly helper: string,
  ) {}

  async get(registry: string): Promise<Credential | undefined> {
    const server = serverAddressFor(registry);
    let out: string;
    try {
      out = await runHelper(this.env, this.helper, 'get', server);
    } catch (e) {
      if ((e as Error).message === HELPER_NOT_FOUND) return undefined;
      throw e;
    }
    let doc: { Username?: unknown; Secret?: unknown };
    try {
      doc = JSON.parse(out);
    } catch (e) {
      throw new RepositoryError('CREDENTIAL_HELPER_FAILED', `${HELPER_PREFIX}${this.helper} get: the helper's answer is not JSON`, { cause: e });
    }
    const username = typeof doc.Username === 'string' ? doc.Username : '';
    const secret = typeof doc.Secret === 'string' ? doc.Secret : '';
    if (!username && !secret) return undefined;
    return username === '<token>' ? { refreshToken: secret } : { username, password: secret };
  }

  async put(server: string, c: Credential): Promise<void> {
    // Go field order: ServerURL, Username, Secret; an identity token is stored under "<token>".
    const doc = c.refreshToken
      ? { ServerURL: server, Username: '<token>', Secret: c.refreshToken }
      : { ServerURL: server, Username: c.username ?? '', Secret: c.password ?? '' };
    await runHelper(this.env, this.helper, 'store', JSON.stringify(doc));
  }

  async delete(server: string): Promise<void> {
    await runHelper(this.env, this.helper, 'erase', server);
  }

  describe(): string {
    return HELPER_PREFIX + this.helper;
  }
}

interface ConfigView {
  credsStore?: string;
  credHelpers: Record<string, string>;
  auths: Record<string, unknown>;
}

function readConfigView(path: string): { view: ConfigView; content: Record<string, unknown> } {
  let text = '';
  try {
    const buf = readFileSync(path);
    if (buf.length > CONFIG_MAX_BYTES) throw new RepositoryError('CONFIG_INVALID', `failed to decode config file at ${path}: larger than ${CONFIG_MAX_BYTES} bytes`);
    text = buf.toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (e instanceof RepositoryError) throw e;
      throw new RepositoryError('CONFIG_INVALID', `failed to open config file at ${path}: ${(e as Error).message}`, { cause: e });
    }
  }
  let content: unknown = {};
  if (text.trim() !== '') {
    try {
      content = JSON.parse(text);
    } catch (e) {
      throw new RepositoryError('CONFIG_INVALID', `failed to decode config file at ${path}: invalid config format: ${(e as Error).message}`, { cause: e });
    }
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw new RepositoryError('CONFIG_INVALID', `failed to decode config file at ${path}: invalid config format`);
  }
  const c = content as Record<string, unknown>;
  const obj = (v: unknown, what: string): Record<string, unknown> => {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw new RepositoryError('CONFIG_INVALID', `failed to unmarshal ${what} field: invalid config format (${path})`);
    return v as Record<string, unknown>;
  };
  const credHelpers = obj(c.credHelpers, 'cred helpers');
  if (!Object.values(credHelpers).every((h) => typeof h === 'string')) throw new RepositoryError('CONFIG_INVALID', `failed to unmarshal cred helpers field: invalid config format (${path})`);
  if (c.credsStore !== undefined && c.credsStore !== null && typeof c.credsStore !== 'string') {
    throw new RepositoryError('CONFIG_INVALID', `failed to unmarshal creds store field: invalid config format (${path})`);
  }
  return {
    view: { credsStore: (c.credsStore as string | undefined) || undefined, credHelpers: credHelpers as Record<string, string>, auths: obj(c.auths, 'auths') },
    content: c,
  };
}

/**
 * One config.json as a store (oras DynamicStore with AllowPlaintextPut=false): a
 * per-server credHelper, else credsStore, else the detected default helper, else
 * the plaintext `auths` (read and delete only: putting there is refused).
 */
export class ConfigCredentialsStore implements CredentialsStore {
  private readonly view: ConfigView;
  private readonly reader: ConfigFileCredentials;

  constructor(
    readonly path: string,
    private readonly env: CliContext['env'],
    private readonly detectedHelper?: string,
  ) {
    this.view = readConfigView(path).view;
    this.reader = new ConfigFileCredentials(path, {
      runHelper: (helper, action, input) => runHelper(env, helper, action, input).catch((e: Error) => (e.message === HELPER_NOT_FOUND ? HELPER_NOT_FOUND : Promise.reject(e))),
      defaultHelper: detectedHelper,
    });
  }

  isAuthConfigured(): boolean {
    return !!this.view.credsStore || Object.keys(this.view.credHelpers).length > 0 || Object.keys(this.view.auths).length > 0;
  }

  private helperFor(server: string): string | undefined {
    return this.view.credHelpers[server] || this.view.credsStore || this.detectedHelper;
  }

  get(registry: string): Promise<Credential | undefined> {
    return this.reader.get(registry);
  }

  async put(server: string, c: Credential): Promise<void> {
    const helper = this.helperFor(server);
    if (!helper) throw new PlaintextPutDisabledError();
    await new NativeStore(this.env, helper).put(server, c);
  }

  async delete(server: string): Promise<void> {
    const helper = this.helperFor(server);
    if (helper) return new NativeStore(this.env, helper).delete(server);
    // Plaintext entries may be removed (oras FileStore.Delete): only the exact key.
    const { content } = readConfigView(this.path);
    const auths = { ...((content.auths as Record<string, unknown> | undefined) ?? {}) };
    if (!Object.prototype.hasOwnProperty.call(auths, server)) return;
    delete auths[server];
    const sorted = (o: Record<string, unknown>) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    const next = sorted({ ...content, auths: sorted(auths) });
    writeFileAtomic(this.path, JSON.stringify(next, null, '\t'));
  }

  describe(server: string): string {
    const helper = this.helperFor(server);
    return helper ? HELPER_PREFIX + helper : this.path;
  }
}

/** notation's internal/auth NewCredentialsStore. */
export function credentialsStore(ctx: CliContext): CredentialsStore {
  const notationPath = configPaths(configDirOf(ctx)).configFile;
  const notation = new ConfigCredentialsStore(notationPath, ctx.env);
  if (notation.isAuthConfigured()) return notation;
  const dockerPath = dockerConfigPath(ctx.env);
  if (dockerPath) {
    const docker = new ConfigCredentialsStore(dockerPath, ctx.env);
    if (docker.isAuthConfigured()) return docker;
  }
  const helper = defaultNativeHelper(ctx.env);
  if (helper) return new NativeStore(ctx.env, helper);
  return notation;
}

/** The credentials a registry command uses: the flags/env if given, else the store. */
export function registryCredentials(ctx: CliContext, registry: string): CredentialProvider {
  const { username, password } = flagCredentials(ctx);
  if (username !== '' || password !== '') return StaticCredentials.fromUsernamePassword(registry, username, password);
  let store: CredentialsStore | undefined;
  let failure: Error | undefined;
  try {
    store = credentialsStore(ctx);
  } catch (e) {
    failure = e as Error;
  }
  // The store is only consulted when the registry asks for credentials.
  return {
    get: async (r) => {
      if (failure) throw new RepositoryError('CREDENTIALS_UNAVAILABLE', `failed to get credentials store: ${failure.message}`, { cause: failure });
      return store!.get(r);
    },
  };
}

/** Repository warnings go to stderr as notation prints its own; info with -v, details with -d (logrus lines). */
export function registryLogger(ctx: CliContext): OciLogger {
  const log = logger(ctx);
  return {
    warn: (m) => ctx.stderr.write(`Warning: ${m}\n`),
    info: (m) => log.info?.(m),
    debug: (m) => log.debug?.(m),
  };
}

/** Opens `<registry>/<repository>(:<tag>|@<digest>)` as a Target. */
export async function openRegistryTarget(ctx: CliContext, raw: string, opts: { forceReferrersTag?: boolean } = {}): Promise<Target> {
  const ref = parseRegistryReference(raw, { requireReference: true });
  const log = registryLogger(ctx);
  // v2's line when forced; v1.3's line otherwise (v2 prints none then).
  log.info?.(opts.forceReferrersTag ? 'Force to store signatures using the referrers tag schema' : 'Allowed to access the referrers API, fallback if not supported');
  const repository = new RegistryRepository(ref, {
    plainHttp: usePlainHttp(ctx, ref.registry),
    credentials: registryCredentials(ctx, ref.registry),
    forceReferrersTag: !!opts.forceReferrersTag,
    logger: log,
    userAgent: 'notation-ts/0.1.0',
  });
  return { repository, name: `${ref.registry}/${ref.repository}`, reference: ref.reference, isLayout: false };
}
