/**
 * config.json (notation-go config.Config, notation CLI internal/config):
 * `{"insecureRegistries": [...], "credsStore"?, "credHelpers"?, "signatureFormat"?}`.
 * A missing file is the empty config; a symlink is refused.
 */
import { ConfigError } from '../errors.js';
import { configPaths } from './dirs.js';
import { readRegularFile, writeFileAtomic } from './fsutil.js';
import { goEncodeIndent, goMap } from './gojson.js';

export interface NotationConfig {
  insecureRegistries: string[];
  credsStore?: string;
  credHelpers?: Record<string, string>;
  /** As written in the file; see `signatureFormatOf` for the CLI's reading of it. */
  signatureFormat?: string;
}

export type SignatureFormat = 'jws' | 'cose';

const FORMAT_MEDIA_TYPES: Record<SignatureFormat, string> = {
  jws: 'application/jose+json',
  cose: 'application/cose',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a JSON object from a config-dir file, with a typed error naming the file. */
export function parseJsonFile(path: string, data: Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new ConfigError('MALFORMED_CONFIG', `malformed ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (!isRecord(v)) throw new ConfigError('MALFORMED_CONFIG', `malformed ${path}: expected a JSON object`);
  return v;
}

function optString(path: string, o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ConfigError('MALFORMED_CONFIG', `malformed ${path}: "${key}" must be a string`);
  return v;
}

/** Loads config.json from the config dir, as notation-go LoadConfig (no defaults applied). */
export function loadConfig(configDir: string): NotationConfig {
  const path = configPaths(configDir).configFile;
  const data = readRegularFile(path);
  if (!data) return { insecureRegistries: [] };
  const o = parseJsonFile(path, data);
  const cfg: NotationConfig = { insecureRegistries: [] };
  const ir = o.insecureRegistries;
  if (ir !== undefined && ir !== null) {
    if (!Array.isArray(ir) || !ir.every((x) => typeof x === 'string')) {
      throw new ConfigError('MALFORMED_CONFIG', `malformed ${path}: "insecureRegistries" must be an array of strings`);
    }
    cfg.insecureRegistries = ir as string[];
  }
  cfg.credsStore = optString(path, o, 'credsStore');
  const ch = o.credHelpers;
  if (ch !== undefined && ch !== null) {
    if (!isRecord(ch) || !Object.values(ch).every((x) => typeof x === 'string')) {
      throw new ConfigError('MALFORMED_CONFIG', `malformed ${path}: "credHelpers" must map registries to helper names`);
    }
    cfg.credHelpers = ch as Record<string, string>;
  }
  cfg.signatureFormat = optString(path, o, 'signatureFormat');
  return cfg;
}

/** Writes config.json (0600, atomically) in notation's field order and formatting. */
export function saveConfig(configDir: string, cfg: NotationConfig): void {
  const doc = {
    insecureRegistries: cfg.insecureRegistries ?? null,
    credsStore: cfg.credsStore || undefined,
    credHelpers: cfg.credHelpers && Object.keys(cfg.credHelpers).length ? goMap(cfg.credHelpers) : undefined,
    signatureFormat: cfg.signatureFormat || undefined,
  };
  writeFileAtomic(configPaths(configDir).configFile, goEncodeIndent(doc));
}

/**
 * The default signature format as the CLI reads it: lowercased, `jws` when unset.
 * The value is validated by `signatureMediaTypeOf` when it is used.
 */
export function signatureFormatOf(cfg: NotationConfig): string {
  return (cfg.signatureFormat ?? '').toLowerCase() || 'jws';
}

/** Envelope media type for a `--signature-format` value, with notation's error text. */
export function signatureMediaTypeOf(format: string): string {
  const mt = FORMAT_MEDIA_TYPES[format as SignatureFormat];
  if (!mt || !Object.prototype.hasOwnProperty.call(FORMAT_MEDIA_TYPES, format)) {
    throw new ConfigError(
      'UNSUPPORTED_SIGNATURE_FORMAT',
      `signature format ${JSON.stringify(format)} not supported\nSupported signature envelope formats are "jws" and "cose"`,
    );
  }
  return mt;
}

/** Whether `registry` (host[:port]) is listed in insecureRegistries (case-insensitive, as notation). */
export function isRegistryInsecure(cfg: NotationConfig, registry: string): boolean {
  const r = registry.toLowerCase();
  return cfg.insecureRegistries.some((x) => x.toLowerCase() === r);
}
