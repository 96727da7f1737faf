/**
 * What `sign` and `blob sign` share (notation cmd/notation/internal/sign and the
 * flag handling of both commands): cobra's flag-group rules, Go duration parsing
 * for `--expiry`, the envelope format, the signing key (local key, plugin key,
 * on-demand `--id`/`--plugin`, the in-process `pkcs11` plugin), and the
 * timestamper behind `--timestamp-url`/`--timestamp-root-cert`.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { CliContext } from './context.js';
import { cacheDir, configDir, libexecDir } from './context.js';
import { logger } from './common.js';
import { NotationError, SigningError, TimestampError, UsageError, errorMessage } from '../errors.js';
import { loadConfig, signatureFormatOf, signatureMediaTypeOf } from '../config/config.js';
import { loadSigningKeys, type KeySuite } from '../config/signingkeys.js';
import { signerForKey, type PluginSignerFactory } from '../signer/keys.js';
import type { Signer } from '../signer/types.js';
import type { CommonSignOptions } from '../signer/sign.js';
import { PluginSigner, mergePluginConfig, resolvePluginSigningMode } from '../signer/plugin.js';
import type { Plugin } from '../plugins/plugin.js';
import type { HashAlgorithm } from '../envelope/types.js';
import type { Certificate } from '../x509/certificate.js';
import { parseCertificateFileContent } from '../x509/filecontent.js';
import { isRootCertificate } from '../x509/chain.js';

// ---------------------------------------------------------------- flag groups

/**
 * cobra's ValidateFlagGroups: required-together groups first, then mutually
 * exclusive ones, each kind in sorted group-name order, with cobra's messages.
 */
export function checkFlagGroups(ctx: Pick<CliContext, 'changed'>, groups: { together?: string[][]; exclusive?: string[][] }): void {
  const byName = (gs: string[][] | undefined) => [...(gs ?? [])].sort((a, b) => (a.join(' ') < b.join(' ') ? -1 : a.join(' ') > b.join(' ') ? 1 : 0));
  for (const g of byName(groups.together)) {
    const unset = g.filter((f) => !ctx.changed.has(f)).sort();
    if (unset.length > 0 && unset.length < g.length) {
      throw new UsageError('FLAGS_REQUIRED_TOGETHER', `if any flags in the group [${g.join(' ')}] are set they must all be set; missing [${unset.join(' ')}]`);
    }
  }
  for (const g of byName(groups.exclusive)) {
    const set = g.filter((f) => ctx.changed.has(f)).sort();
    if (set.length > 1) {
      throw new UsageError('FLAGS_MUTUALLY_EXCLUSIVE', `if any flags in the group [${g.join(' ')}] are set none of the others can be; [${set.join(' ')}] were all set`);
    }
  }
}

/** The groups notation's SignerFlagOpts and the timestamp flags declare. */
export const SIGNER_FLAG_GROUPS = {
  together: [
    ['id', 'plugin'],
    ['timestamp-url', 'timestamp-root-cert'],
  ],
  exclusive: [
    ['key', 'id'],
    ['key', 'plugin'],
  ],
};

// ---------------------------------------------------------------- Go durations

const NS = 1n;
const UNITS: Record<string, bigint> = {
  ns: NS,
  us: 1000n,
  'µs': 1000n, // U+00B5
  'μs': 1000n, // U+03BC
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_U = 1n << 63n;

/** Go's time quote(): ASCII printable kept (with `"` and `\` escaped), other bytes as \xNN. */
export function goTimeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 || c < 0x20) {
      for (const b of Buffer.from(ch, 'utf8')) out += `\\x${b.toString(16).padStart(2, '0')}`;
    } else {
      if (ch === '"' || ch === '\\') out += '\\';
      out += ch;
    }
  }
  return out + '"';
}

/**
 * Go's time.ParseDuration, in nanoseconds, with its error texts
 * (`time: invalid duration "x"`, `time: missing unit in duration "1"`,
 * `time: unknown unit "d" in duration "1d"`). Parsing runs over the UTF-8 bytes, as Go does.
 */
export function parseGoDuration(orig: string): bigint {
  const invalid = () => new UsageError('INVALID_DURATION', `time: invalid duration ${goTimeQuote(orig)}`);
  let s = Buffer.from(orig, 'utf8');
  let neg = false;
  if (s.length > 0 && (s[0] === 0x2d || s[0] === 0x2b)) {
    neg = s[0] === 0x2d;
    s = s.subarray(1);
  }
  if (s.length === 1 && s[0] === 0x30) return 0n;
  if (s.length === 0) throw invalid();
  const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
  let d = 0n;
  while (s.length > 0) {
    if (!(s[0] === 0x2e || isDigit(s[0]))) throw invalid();
    // leadingInt
    let v = 0n;
    let i = 0;
    for (; i < s.length && isDigit(s[i]); i++) {
      if (v > MAX_U / 10n) throw invalid();
      v = v * 10n + BigInt(s[i] - 0x30);
      if (v > MAX_U) throw invalid();
    }
    const pre = i > 0;
    s = s.subarray(i);
    // leadingFraction
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s.length > 0 && s[0] === 0x2e) {
      s = s.subarray(1);
      let j = 0;
      let overflow = false;
      for (; j < s.length && isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > (MAX_U - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s[j] - 0x30);
        if (y > MAX_U) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.subarray(j);
    }
    if (!pre && !post) throw invalid();
    let k = 0;
    for (; k < s.length && !(s[k] === 0x2e || isDigit(s[k])); k++);
    if (k === 0) throw new UsageError('INVALID_DURATION', `time: missing unit in duration ${goTimeQuote(orig)}`);
    const u = s.subarray(0, k).toString('utf8');
    s = s.subarray(k);
    const unit = Object.prototype.hasOwnProperty.call(UNITS, u) ? UNITS[u] : undefined;
    if (unit === undefined) throw new UsageError('INVALID_DURATION', `time: unknown unit ${goTimeQuote(u)} in duration ${goTimeQuote(orig)}`);
    if (v > MAX_U / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // Go does this step in float64 (nanosecond-accurate for fractions of hours).
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > MAX_U) throw invalid();
    }
    d += v;
    if (d > MAX_U) throw invalid();
  }
  if (neg) return -d;
  if (d > MAX_U - 1n) throw invalid();
  return d;
}

/**
 * `-e/--expiry` as notation reads it: pflag's duration parse error, then notation-go's
 * checks (not negative, whole seconds). Returns milliseconds, or undefined for none.
 */
export function expiryFromFlags(ctx: Pick<CliContext, 'flags'>): number | undefined {
  return checkExpiry(parseExpiryFlag(ctx));
}

/** pflag's part of `--expiry`: the Go duration in nanoseconds (undefined when not given). */
export function parseExpiryFlag(ctx: Pick<CliContext, 'flags'>): bigint | undefined {
  const raw = ctx.flags.expiry as string | undefined;
  if (raw === undefined) return undefined;
  try {
    return parseGoDuration(raw);
  } catch (e) {
    throw new UsageError('INVALID_FLAG_VALUE', `invalid argument ${JSON.stringify(raw)} for "-e, --expiry" flag: ${errorMessage(e)}`, { cause: e });
  }
}

/** notation-go's part of `--expiry` (checked when signing starts): milliseconds, or undefined for none. */
export function checkExpiry(ns: bigint | undefined): number | undefined {
  if (ns === undefined) return undefined;
  if (ns < 0n) throw new SigningError('INVALID_EXPIRY', 'expiry duration cannot be a negative value');
  if (ns % 1_000_000_000n !== 0n) throw new SigningError('INVALID_EXPIRY', 'expiry duration supports minimum granularity of seconds');
  return ns === 0n ? undefined : Number(ns / 1_000_000n);
}

// ---------------------------------------------------------------- envelope format

/**
 * `--signature-format`, defaulting to config.json's `signatureFormat` (lowercased),
 * else jws. As notation, an unreadable config.json silently means the jws default.
 */
export function signatureFormatFromFlags(ctx: CliContext): { format: string; mediaType: string } {
  let format = ctx.flags['signature-format'] as string | undefined;
  if (format === undefined) {
    try {
      format = signatureFormatOf(loadConfig(configDir(ctx.env)));
    } catch {
      format = 'jws';
    }
  }
  return { format, mediaType: signatureMediaTypeOf(format) };
}

// ---------------------------------------------------------------- signing keys

/** What the commands sign with: a Signer (local key, RAW plugin, pkcs11) or an ENVELOPE plugin. */
export type SigningBackend =
  | { kind: 'signer'; signer: Signer; close?: () => void | Promise<void> }
  | { kind: 'envelope'; plugin: Plugin; keyId: string; pluginConfig: Record<string, string> };

/** The in-process PKCS#11 signer's module contract (src/plugins/pkcs11). */
interface Pkcs11Module {
  createPkcs11Signer(keyId: string, pluginConfig: Record<string, string>, opts: { env?: Record<string, string | undefined> }): Signer | Promise<Signer>;
}

/** Plugins served in process instead of by an installed executable. */
export const BUILTIN_SIGNER_PLUGINS = ['pkcs11'] as const;

/**
 * The factory for keys of built-in plugins: `pkcs11` keys become
 * src/plugins/pkcs11's createPkcs11Signer(keyId, pluginConfig, {env}) (env for
 * NOTATION_PKCS11_PIN). Any other plugin name is refused: those run as executables.
 */
export function pluginSignerFactory(env: Record<string, string | undefined>): PluginSignerFactory {
  return async (key) => {
    if (key.pluginName !== 'pkcs11') throw new SigningError('PLUGIN_SIGNER_UNAVAILABLE', `plugin ${key.pluginName} has no in-process signer`);
    // A variable specifier keeps this module loadable in a build without pkcs11 support.
    const spec = '../plugins/pkcs11/index.js';
    let mod: Pkcs11Module;
    try {
      mod = (await import(spec)) as Pkcs11Module;
    } catch (e) {
      if ((e as { code?: string })?.code === 'ERR_MODULE_NOT_FOUND') {
        throw new SigningError('PLUGIN_NOT_FOUND', 'the built-in pkcs11 plugin is not available in this build of notation-ts', { cause: e });
      }
      throw e;
    }
    return mod.createPkcs11Signer(key.id, key.pluginConfig ?? {}, { env });
  };
}

function closerOf(signer: Signer): (() => void | Promise<void>) | undefined {
  const c = (signer as { close?: () => void | Promise<void> }).close;
  return typeof c === 'function' ? () => c.call(signer) : undefined;
}

/** notation's resolveKey: the named key, else the default one. Relative paths are taken from the command's cwd. */
function resolveKey(ctx: CliContext, name: string | undefined): KeySuite {
  const key = loadSigningKeys(configDir(ctx.env)).resolve(name);
  const out: KeySuite = { ...key };
  if (out.keyPath) out.keyPath = resolvePath(ctx.cwd, out.keyPath);
  if (out.certPath) out.certPath = resolvePath(ctx.cwd, out.certPath);
  return out;
}

/**
 * notation's GetSigner: `--id` + `--plugin` (on-demand key, empty key config), else
 * `--key` or the default key from signingkeys.json. `pluginConfig` (from
 * `--plugin-config`) overrides the key's config key by key. For an executable plugin
 * get-plugin-metadata decides RAW (a PluginSigner) or ENVELOPE; `blob` refuses ENVELOPE.
 */
export async function resolveSigningBackend(
  ctx: CliContext,
  pluginConfig: Record<string, string>,
  purpose: 'oci' | 'blob',
): Promise<SigningBackend> {
  const keyName = (ctx.flags.key as string | undefined) || undefined;
  const id = (ctx.flags.id as string | undefined) || '';
  const pluginName = (ctx.flags.plugin as string | undefined) || '';
  let key: KeySuite;
  if (id && pluginName && !keyName) key = { name: '', id, pluginName };
  else key = resolveKey(ctx, keyName);

  if (key.keyPath || key.certPath) {
    const signer = await signerForKey(key);
    return { kind: 'signer', signer };
  }
  if (!key.pluginName || !key.id) {
    throw new SigningError(
      'UNSUPPORTED_KEY',
      'unsupported key, either provide a local key and certificate file paths, or a key name in config.json, check https://notaryproject.dev/docs/user-guides/how-to/notation-config-file/ for details',
    );
  }
  const merged = mergePluginConfig(key.pluginConfig, pluginConfig);
  if ((BUILTIN_SIGNER_PLUGINS as readonly string[]).includes(key.pluginName)) {
    const signer = await signerForKey({ ...key, pluginConfig: merged }, pluginSignerFactory(ctx.env));
    return { kind: 'signer', signer, close: closerOf(signer) };
  }
  const { PluginManager } = await import('../plugins/manager.js');
  const plugin = await new PluginManager(libexecDir(ctx.env)).get(key.pluginName);
  const { mode, metadata } = await resolvePluginSigningMode(plugin, merged);
  if (mode === 'envelope') {
    if (purpose === 'blob') {
      throw new SigningError('PLUGIN_CAPABILITY_MISSING', `the plugin ${JSON.stringify(metadata.name)} lacks the signature generator capability required for blob signing`);
    }
    return { kind: 'envelope', plugin, keyId: key.id, pluginConfig: merged };
  }
  return { kind: 'signer', signer: new PluginSigner(plugin, key.id, { pluginConfig: merged }) };
}

// ---------------------------------------------------------------- timestamping

/** TSA request timeout of the notation CLI. */
export const TIMESTAMPING_TIMEOUT_MS = 15_000;

/**
 * notation's NewRootCertPool: the file must hold exactly one certificate (PEM or
 * DER) and it must be a self-signed, self-issued root.
 */
export function loadTsaRootCertificate(path: string, cwd: string): Certificate {
  const abs = resolvePath(cwd, path);
  let data: Buffer;
  try {
    const st = statSync(abs);
    if (st.isDirectory()) throw new UsageError('TSA_ROOT_UNREADABLE', `read ${path}: is a directory`);
    if (st.size > 4 * 1024 * 1024) throw new UsageError('TSA_ROOT_UNREADABLE', `timestamp root certificate file ${path} is larger than 4 MiB`);
    data = readFileSync(abs);
  } catch (e) {
    if (e instanceof NotationError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError('TSA_ROOT_UNREADABLE', `open ${path}: ${code === 'ENOENT' ? 'no such file or directory' : errorMessage(e)}`, { cause: e });
  }
  const certs = parseCertificateFileContent(data);
  const expect = 'Expecting single x509 root certificate in PEM or DER format from the file';
  if (certs.length === 0) throw new UsageError('TSA_ROOT_INVALID', `cannot find any certificate from ${JSON.stringify(path)}. ${expect}`);
  if (certs.length > 1) throw new UsageError('TSA_ROOT_INVALID', `found more than one certificates from ${JSON.stringify(path)}. ${expect}`);
  let isRoot: boolean;
  try {
    isRoot = isRootCertificate(certs[0]);
  } catch (e) {
    throw new UsageError('TSA_ROOT_INVALID', `failed to check root certificate with error: ${errorMessage(e)}`, { cause: e });
  }
  if (!isRoot) throw new UsageError('TSA_ROOT_INVALID', `certificate from ${JSON.stringify(path)} is not a root certificate. ${expect}`);
  return certs[0];
}

type Timestamper = NonNullable<CommonSignOptions['timestamper']>;

/**
 * The timestamp hook notation-core-go runs after the primitive signature: request
 * a token, verify it against the one TSA root (chain valid now, TSA certificate
 * rules), then check the TSA chain's revocation (timestamping purpose). Any failure
 * fails the signing with `timestamp: <detail>`, as notation prints it.
 */
export async function makeTimestamper(ctx: CliContext, url: string, root: Certificate): Promise<Timestamper> {
  const { timestampSignature } = await import('../timestamp/client.js');
  const { revocationCheckers } = await import('../revocation/cli.js');
  const checker = revocationCheckers({ cacheDir: cacheDir(ctx.env), logger: logger(ctx) }).timestamping;
  const log = logger(ctx);
  log.info?.(`Configured to timestamp with TSA ${JSON.stringify(url)}`);
  return async (primitiveSignature: Uint8Array, hash: HashAlgorithm) => {
    try {
      const { token, tsaChain } = await timestampSignature({ url, data: primitiveSignature, hash, roots: [root], timeoutMs: TIMESTAMPING_TIMEOUT_MS });
      let verdict;
      try {
        verdict = await checker.check(tsaChain, { purpose: 'timestamping' });
      } catch (e) {
        throw new TimestampError(
          (e as NotationError).code ?? 'TSA_REVOCATION_CHECK_FAILED',
          `failed to validate the revocation status of timestamping certificate chain with error: ${errorMessage(e)}`,
          { cause: e },
        );
      }
      if (verdict.result !== 'ok') {
        throw verdict.error ?? new TimestampError('TSA_CERTIFICATE_REVOCATION', `timestamping certificate revocation status is ${verdict.result}`);
      }
      return token;
    } catch (e) {
      const code = e instanceof NotationError ? e.code : 'TIMESTAMP_FAILED';
      throw new TimestampError(code, `timestamp: ${errorMessage(e)}`, { cause: e });
    }
  };
}

/**
 * The timestamp flags as notation checks them (after the flag groups): set but
 * empty is an error; both present gives a timestamper.
 */
export async function timestamperFromFlags(ctx: CliContext): Promise<Timestamper | undefined> {
  const url = ctx.flags['timestamp-url'] as string | undefined;
  const rootPath = ctx.flags['timestamp-root-cert'] as string | undefined;
  if (!url) return undefined;
  if (!rootPath) throw new UsageError('TSA_ROOT_EMPTY', 'timestamping: tsa root certificate path cannot be empty');
  const root = loadTsaRootCertificate(rootPath, ctx.cwd);
  return makeTimestamper(ctx, url, root);
}

/**
 * Empty timestamp flag values. `sign` checks them once `--timestamp-url` is set
 * (its RunE); `blob sign` checks each flag that was given (its PreRunE).
 */
export function checkTimestampFlagValues(ctx: Pick<CliContext, 'flags' | 'changed'>, command: 'sign' | 'blob'): void {
  const urlGiven = ctx.changed.has('timestamp-url');
  if (urlGiven && !ctx.flags['timestamp-url']) throw new UsageError('TSA_URL_EMPTY', 'timestamping: tsa url cannot be empty');
  const checkRoot = command === 'sign' ? urlGiven : ctx.changed.has('timestamp-root-cert');
  if (checkRoot && !ctx.flags['timestamp-root-cert']) throw new UsageError('TSA_ROOT_EMPTY', 'timestamping: tsa root certificate path cannot be empty');
}
