/**
 * Where notation keeps its files, resolved exactly as the Go CLI does:
 * NOTATION_CONFIG / NOTATION_CACHE / NOTATION_LIBEXEC override; otherwise Go's
 * os.UserConfigDir / os.UserCacheDir + "notation" (on Linux `$XDG_CONFIG_HOME`,
 * else `~/.config`; `$XDG_CACHE_HOME`, else `~/.cache`). If Go cannot determine a
 * user dir it falls back to the relative `.notation` (and `.notation/cache`).
 *
 * This module and src/cli are the only places that read the environment; the
 * default `env` argument is the process environment.
 */
import { homedir } from 'node:os';
import { join, posix, win32 } from 'node:path';

export interface NotationDirs {
  /** {NOTATION_CONFIG}: config.json, signingkeys.json, truststore/, localkeys/, trust policies. */
  configDir: string;
  /** {NOTATION_CACHE}: CRL cache. */
  cacheDir: string;
  /** {NOTATION_LIBEXEC}: parent of plugins/ (the config dir unless overridden). */
  libexecDir: string;
  pluginsDir: string;
  crlCacheDir: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface ResolveOptions {
  platform?: NodeJS.Platform;
  /** Overrides the home directory (default: $HOME on unix, %USERPROFILE% on Windows). */
  home?: string;
}

const NOTATION = 'notation';

function pathFor(platform: NodeJS.Platform) {
  return platform === 'win32' ? win32 : posix;
}

/** Go's os.UserConfigDir. Returns undefined where Go returns an error. */
function goUserConfigDir(env: Env, platform: NodeJS.Platform, home: string | undefined): string | undefined {
  const p = pathFor(platform);
  if (platform === 'win32') return env.AppData || env.APPDATA || undefined;
  if (platform === 'darwin') return home ? p.join(home, 'Library', 'Application Support') : undefined;
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg) return p.isAbsolute(xdg) ? xdg : undefined; // Go rejects a relative XDG path
  return home ? p.join(home, '.config') : undefined;
}

/** Go's os.UserCacheDir. */
function goUserCacheDir(env: Env, platform: NodeJS.Platform, home: string | undefined): string | undefined {
  const p = pathFor(platform);
  if (platform === 'win32') return env.LocalAppData || env.LOCALAPPDATA || undefined;
  if (platform === 'darwin') return home ? p.join(home, 'Library', 'Caches') : undefined;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg) return p.isAbsolute(xdg) ? xdg : undefined;
  return home ? p.join(home, '.cache') : undefined;
}

/** Resolves notation's directories from an environment (default: this process's). */
export function resolveNotationDirs(env: Env = process.env, opts: ResolveOptions = {}): NotationDirs {
  const platform = opts.platform ?? process.platform;
  const p = pathFor(platform);
  // Go reads $HOME on unix (not getpwuid), so an unset HOME is an error there.
  const home = opts.home ?? (platform === 'win32' ? env.USERPROFILE || homedir() : env.HOME || undefined);
  const userConfig = goUserConfigDir(env, platform, home);
  const userCache = goUserCacheDir(env, platform, home);
  const configDir = env.NOTATION_CONFIG || (userConfig ? p.join(userConfig, NOTATION) : '.' + NOTATION);
  const cacheDir = env.NOTATION_CACHE || (userCache ? p.join(userCache, NOTATION) : p.join('.' + NOTATION, 'cache'));
  const libexecDir = env.NOTATION_LIBEXEC || configDir;
  return {
    configDir,
    cacheDir,
    libexecDir,
    pluginsDir: p.join(libexecDir, 'plugins'),
    crlCacheDir: p.join(cacheDir, 'crl'),
  };
}

/** File and directory names inside the config dir (notation-go dir package). */
export const CONFIG_FILE = 'config.json';
export const SIGNING_KEYS_FILE = 'signingkeys.json';
/** Legacy OCI policy name (notation v1.x); v2 prefers trustpolicy.oci.json. */
export const TRUST_POLICY_FILE = 'trustpolicy.json';
export const OCI_TRUST_POLICY_FILE = 'trustpolicy.oci.json';
export const BLOB_TRUST_POLICY_FILE = 'trustpolicy.blob.json';
export const LOCAL_KEYS_DIR = 'localkeys';
export const TRUST_STORE_DIR = 'truststore';

export interface ConfigPaths {
  configFile: string;
  signingKeys: string;
  trustPolicy: string;
  ociTrustPolicy: string;
  blobTrustPolicy: string;
  localKeysDir: string;
  trustStoreDir: string;
}

export function configPaths(configDir: string): ConfigPaths {
  return {
    configFile: join(configDir, CONFIG_FILE),
    signingKeys: join(configDir, SIGNING_KEYS_FILE),
    trustPolicy: join(configDir, TRUST_POLICY_FILE),
    ociTrustPolicy: join(configDir, OCI_TRUST_POLICY_FILE),
    blobTrustPolicy: join(configDir, BLOB_TRUST_POLICY_FILE),
    localKeysDir: join(configDir, LOCAL_KEYS_DIR),
    trustStoreDir: join(configDir, TRUST_STORE_DIR),
  };
}

/** `localkeys/<name>.key` and `localkeys/<name>.crt` (dir.LocalKeyPath). */
export function localKeyPaths(configDir: string, name: string): { keyPath: string; certPath: string } {
  const base = join(configDir, LOCAL_KEYS_DIR, name);
  return { keyPath: base + '.key', certPath: base + '.crt' };
}

/** `truststore/x509/<items...>` (dir.X509TrustStoreDir). */
export function x509TrustStoreDir(configDir: string, ...items: string[]): string {
  return join(configDir, TRUST_STORE_DIR, 'x509', ...items);
}
