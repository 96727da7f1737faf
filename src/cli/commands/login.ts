/**
 * `notation-ts login` / `logout`, as notation's cmd/notation/login.go and
 * logout.go (with oras credentials.Login/Logout): the credential is checked with
 * `GET /v2/` before it is saved; it is saved only to a credentials helper
 * (credHelpers / credsStore, or the platform default), never in plaintext; when no
 * helper is configured the login fails unless the very same credential is already
 * saved, which notation accepts with a warning.
 */
import type { CliContext } from '../context.js';
import { NotationError, RepositoryError } from '../../errors.js';
import { registryHost } from '../../oci/reference.js';
import { Authenticator, type Credential } from '../../oci/registry/auth.js';
import { StaticCredentials, serverAddressFor } from '../../oci/registry/credentials.js';
import { HttpTransport, describeErrorResponse } from '../../oci/registry/http.js';
import { credentialsStore, flagCredentials, PlaintextPutDisabledError, usePlainHttp, type CredentialsStore } from '../registry.js';

const DOC_URL = 'https://notaryproject.dev/docs/how-to/registry-authentication/';

export async function run(ctx: CliContext): Promise<number> {
  const command = (ctx as CliContext & { command?: string[] }).command ?? ['login'];
  return command[0] === 'logout' ? logout(ctx) : login(ctx);
}

/** oras registry.Reference.ValidateRegistry: the name must be exactly a URL host[:port]. */
function validateRegistry(name: string): void {
  let host = '';
  try {
    host = new URL(`dummy://${name}`).host;
  } catch {
    host = '';
  }
  if (!name || host !== name) throw new RepositoryError('INVALID_REFERENCE', `failed to get registry client: invalid reference: invalid registry ${JSON.stringify(name)}`);
}

/** Reads username and password (flags, env, --password-stdin, else prompts on stdout reading stdin). */
async function readCredential(ctx: CliContext): Promise<Credential> {
  let { username, password } = flagCredentials(ctx);
  let input: string | undefined;
  const stdin = async () => (input ??= await ctx.readStdin());
  if (ctx.flags['password-stdin']) password = trimLine(await stdin());
  if (password === '') {
    let isToken = false;
    let rest = await stdin();
    if (username === '') {
      ctx.stdout.write('Username: ');
      const nl = rest.indexOf('\n');
      if (nl === -1) throw new NotationError('PROMPT_FAILED', 'error reading username: EOF');
      username = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      isToken = username === '';
    }
    ctx.stdout.write(isToken ? 'Token: ' : 'Password: ');
    password = trimLine(rest);
    ctx.stdout.write('\n');
    if (password === '') throw new NotationError(isToken ? 'TOKEN_REQUIRED' : 'PASSWORD_REQUIRED', isToken ? 'token required' : 'password required');
  }
  // notation SecureFlagOpts.Credential: an empty username makes the password an identity token.
  return username === '' ? { refreshToken: password } : { username, password };
}

function trimLine(s: string): string {
  let out = s.endsWith('\n') ? s.slice(0, -1) : s;
  if (out.endsWith('\r')) out = out.slice(0, -1);
  return out;
}

/** oras Registry.Ping with a static credential: GET /v2/ must answer 200. */
async function ping(ctx: CliContext, registry: string, credential: Credential): Promise<void> {
  const transport = new HttpTransport(registry, { userAgent: 'notation-ts/0.1.0' });
  const provider = credential.refreshToken
    ? StaticCredentials.fromUsernamePassword(registry, '', credential.refreshToken)
    : StaticCredentials.fromUsernamePassword(registry, credential.username ?? '', credential.password ?? '');
  const auth = new Authenticator(transport, provider);
  const url = `${usePlainHttp(ctx, registry) ? 'http' : 'https'}://${registryHost(registry)}/v2/`;
  const req = { method: 'GET' as const, url, maxBytes: 64 * 1024, idempotent: true };
  const res = await auth.send([], () => req);
  if (res.status === 200) return;
  if (res.status === 404) throw new RepositoryError('NOT_FOUND', 'not found');
  throw new RepositoryError(res.status === 401 || res.status === 403 ? 'UNAUTHORIZED' : 'UNEXPECTED_RESPONSE', describeErrorResponse('GET', url, res));
}

/** Our registry errors start with `registry <host>: `; notation's text does not. */
function bare(e: unknown, registry: string): string {
  const m = (e as Error).message ?? String(e);
  const prefix = `registry ${registry}: `;
  return m.startsWith(prefix) ? m.slice(prefix.length) : m;
}

function sameCredential(a: Credential | undefined, b: Credential): boolean {
  const f = (c: Credential | undefined) => [c?.username ?? '', c?.password ?? '', c?.refreshToken ?? '', c?.accessToken ?? ''].join('\0');
  return f(a) === f(b);
}

async function login(ctx: CliContext): Promise<number> {
  const registry = ctx.args[0]!;
  const credential = await readCredential(ctx);
  let store: CredentialsStore;
  try {
    store = credentialsStore(ctx);
  } catch (e) {
    throw new NotationError((e as NotationError).code ?? 'CREDENTIALS_STORE', `failed to get credentials store: ${(e as Error).message}`, { cause: e });
  }
  validateRegistry(registry);
  try {
    await ping(ctx, registry, credential);
  } catch (e) {
    throw new NotationError((e as NotationError).code ?? 'LOGIN_FAILED', `failed to log in to ${registry}: failed to validate the credentials for ${registry}: ${bare(e, registry)}`, { cause: e });
  }
  const server = serverAddressFor(registry);
  try {
    await store.put(server, credential);
  } catch (e) {
    if (!(e instanceof PlaintextPutDisabledError)) {
      throw new NotationError((e as NotationError).code ?? 'LOGIN_FAILED', `failed to log in to ${registry}: failed to store the credentials for ${server}: ${(e as Error).message}`, { cause: e });
    }
    // Checked but not saved: acceptable only if this exact credential is already there.
    let saved: Credential | undefined;
    let readFailed = false;
    try {
      saved = await store.get(registry);
    } catch (err) {
      readFailed = true;
      if (ctx.flags.debug || ctx.flags.verbose) ctx.stderr.write(`level=warning msg=${JSON.stringify(`Failed to get the existing credentials for ${registry}: ${(err as Error).message}`)}\n`);
    }
    if (readFailed || !sameCredential(saved, credential)) {
      throw new NotationError(
        'CREDENTIALS_STORE_REQUIRED',
        `failed to log in to ${registry}: the credential could not be saved because a credentials store is required to securely store the password. See ${DOC_URL}`,
      );
    }
    ctx.stderr.write(`Warning: The credentials store is not set up. It is recommended to configure the credentials store to securely store your credentials. See ${DOC_URL}.\n`);
    ctx.stdout.write('Authenticated with existing credentials\n');
  }
  ctx.stdout.write('Login Succeeded\n');
  return 0;
}

async function logout(ctx: CliContext): Promise<number> {
  const registry = ctx.args[0]!;
  let store: CredentialsStore;
  try {
    store = credentialsStore(ctx);
  } catch (e) {
    throw new NotationError((e as NotationError).code ?? 'CREDENTIALS_STORE', `failed to get credentials store: ${(e as Error).message}`, { cause: e });
  }
  const server = serverAddressFor(registry);
  try {
    await store.delete(server);
  } catch (e) {
    throw new NotationError((e as NotationError).code ?? 'LOGOUT_FAILED', `failed to log out of ${registry}: failed to delete the credential for ${server}: ${(e as Error).message}`, { cause: e });
  }
  ctx.stdout.write('Logout Succeeded\n');
  return 0;
}
