/**
 * signingkeys.json, loaded, validated and saved exactly as notation-go's config
 * package does (checklist 8):
 * `{"default"?: name, "keys": [{"name","keyPath","certPath"} | {"name","id","pluginName","pluginConfig"?}]}`.
 * Names are non-empty and unique, `default` names an existing key, the file must be
 * regular (no symlink), a missing file means no keys. Saved 0600 in a 0700 dir,
 * atomically, with Go's 4-space indentation.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { loadLocalSigner } from '../signer/local.js';
import { SIGNING_KEYS_FILE, configPaths } from './dirs.js';
import { readRegularFile, writeFileAtomic } from './fsutil.js';
import { goEncodeIndent, goMap } from './gojson.js';
import { parseJsonFile } from './config.js';

export interface KeySuite {
  name: string;
  /** Local key: PEM private key. */
  keyPath?: string;
  /** Local key: PEM chain, leaf first. */
  certPath?: string;
  /** Plugin key id. */
  id?: string;
  pluginName?: string;
  pluginConfig?: Record<string, string>;
}

/** Plugins that run in process and need no installed executable (design.md, PKCS#11). */
export const BUILTIN_PLUGINS: readonly string[] = ['pkcs11'];

export class SigningKeys {
  default?: string;
  keys: KeySuite[];

  constructor(keys: KeySuite[] = [], defaultKey?: string) {
    this.keys = keys;
    this.default = defaultKey;
  }

  /**
   * Adds a local key after checking that the key file is the leaf's key and that
   * the chain file parses (notation-go Add runs tls.LoadX509KeyPair).
   */
  add(name: string, keyPath: string, certPath: string, markDefault = false): void {
    if (!name) throw new ConfigError('KEY_NAME_EMPTY', 'key name cannot be empty');
    loadLocalSigner(keyPath, certPath);
    this.addSuite({ name, keyPath, certPath }, markDefault);
  }

  /** Adds a plugin key. Whether the plugin is installed is checked by `addPluginKey`. */
  addPlugin(name: string, id: string, pluginName: string, pluginConfig: Record<string, string> | undefined, markDefault = false): void {
    if (!name) throw new ConfigError('KEY_NAME_EMPTY', 'key name cannot be empty');
    if (!id) throw new ConfigError('KEY_ID_MISSING', 'missing key id');
    if (!pluginName) throw new ConfigError('PLUGIN_NAME_EMPTY', 'plugin name cannot be empty');
    const suite: KeySuite = { name, id, pluginName };
    if (pluginConfig && Object.keys(pluginConfig).length) suite.pluginConfig = { ...pluginConfig };
    this.addSuite(suite, markDefault);
  }

  private addSuite(suite: KeySuite, markDefault: boolean): void {
    if (this.keys.some((k) => k.name === suite.name)) {
      throw new ConfigError('KEY_ALREADY_EXISTS', `signing key with name ${JSON.stringify(suite.name)} already exists`);
    }
    this.keys.push(suite);
    if (markDefault) this.default = suite.name;
  }

  get(name: string): KeySuite {
    if (!name) throw new ConfigError('KEY_NAME_EMPTY', 'key name cannot be empty');
    const k = this.keys.find((x) => x.name === name);
    if (!k) throw new ConfigError('KEY_NOT_FOUND', `signing key ${name} not found`);
    return k;
  }

  getDefault(): KeySuite {
    if (this.default === undefined) {
      throw new ConfigError('DEFAULT_KEY_NOT_SET', 'default signing key not set. Please set default signing key or specify a key name');
    }
    return this.get(this.default);
  }

  /** The named key, or the default one when `name` is empty/undefined (what `sign --key` does). */
  resolve(name?: string): KeySuite {
    return name ? this.get(name) : this.getDefault();
  }

  /**
   * Removes keys in order; returns the removed names. On an unknown name it throws
   * (callers using loadExecSave then save nothing, as notation does).
   */
  remove(...names: string[]): string[] {
    const removed: string[] = [];
    for (const name of names) {
      if (!name) throw new ConfigError('KEY_NAME_EMPTY', 'key name cannot be empty');
      const i = this.keys.findIndex((k) => k.name === name);
      if (i < 0) throw new ConfigError('KEY_NOT_FOUND', `signing key ${name} not found`);
      this.keys.splice(i, 1);
      removed.push(name);
      if (this.default === name) this.default = undefined;
    }
    return removed;
  }

  updateDefault(name: string): void {
    if (!name) throw new ConfigError('KEY_NAME_EMPTY', 'key name cannot be empty');
    if (!this.keys.some((k) => k.name === name)) throw new ConfigError('KEY_NOT_FOUND', `signing key ${name} not found`);
    this.default = name;
  }

  /** The file content notation would write. */
  serialize(): string {
    return goEncodeIndent({
      default: this.default,
      keys: this.keys.map((k) => ({
        name: k.name,
        keyPath: k.keyPath || undefined,
        certPath: k.certPath || undefined,
        id: k.id || undefined,
        pluginName: k.pluginName || undefined,
        pluginConfig: k.pluginConfig && Object.keys(k.pluginConfig).length ? goMap(k.pluginConfig) : undefined,
      })),
    });
  }
}

/** notation-go validateKeys, with its messages. */
export function validateSigningKeys(sk: SigningKeys): void {
  const names = new Set<string>();
  for (const k of sk.keys) {
    if (!k.name) throw new ConfigError('MALFORMED_SIGNING_KEYS', `malformed ${SIGNING_KEYS_FILE}: key name cannot be empty`);
    if (names.has(k.name)) throw new ConfigError('MALFORMED_SIGNING_KEYS', `malformed ${SIGNING_KEYS_FILE}: multiple keys with name '${k.name}' found`);
    names.add(k.name);
  }
  if (sk.default !== undefined) {
    if (!sk.default) throw new ConfigError('MALFORMED_SIGNING_KEYS', `malformed ${SIGNING_KEYS_FILE}: default key name cannot be empty`);
    if (!names.has(sk.default)) throw new ConfigError('MALFORMED_SIGNING_KEYS', `malformed ${SIGNING_KEYS_FILE}: default key '${sk.default}' not found`);
  }
}

function malformed(path: string, what: string): ConfigError {
  return new ConfigError('MALFORMED_SIGNING_KEYS', `malformed ${path}: ${what}`);
}

function str(path: string, o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw malformed(path, `${where}: "${key}" must be a string`);
  return v;
}

/** Parses signingkeys.json text (`path` is used in messages). */
export function parseSigningKeys(data: Buffer, path = SIGNING_KEYS_FILE): SigningKeys {
  const o = parseJsonFile(path, data);
  const def = o.default;
  if (def !== undefined && def !== null && typeof def !== 'string') throw malformed(path, '"default" must be a string');
  const rawKeys = o.keys ?? [];
  if (!Array.isArray(rawKeys)) throw malformed(path, '"keys" must be an array');
  const keys: KeySuite[] = rawKeys.map((x, i) => {
    const where = `keys[${i}]`;
    if (typeof x !== 'object' || x === null || Array.isArray(x)) throw malformed(path, `${where} must be an object`);
    const e = x as Record<string, unknown>;
    const suite: KeySuite = { name: str(path, e, 'name', where) ?? '' };
    const opt = (k: 'keyPath' | 'certPath' | 'id' | 'pluginName') => {
      const v = str(path, e, k, where);
      if (v !== undefined) suite[k] = v;
    };
    opt('keyPath');
    opt('certPath');
    opt('id');
    opt('pluginName');
    const pc = e.pluginConfig;
    if (pc !== undefined && pc !== null) {
      if (typeof pc !== 'object' || Array.isArray(pc) || !Object.values(pc).every((v) => typeof v === 'string')) {
        throw malformed(path, `${where}: "pluginConfig" must map strings to strings`);
      }
      suite.pluginConfig = { ...(pc as Record<string, string>) };
    }
    return suite;
  });
  const sk = new SigningKeys(keys, typeof def === 'string' ? def : undefined);
  validateSigningKeys(sk);
  return sk;
}

/** Loads `<configDir>/signingkeys.json`; a missing file gives an empty key list. */
export function loadSigningKeys(configDir: string): SigningKeys {
  const path = configPaths(configDir).signingKeys;
  const data = readRegularFile(path);
  if (!data) return new SigningKeys();
  return parseSigningKeys(data, path);
}

/** Validates and writes `<configDir>/signingkeys.json` (0600, atomic). */
export function saveSigningKeys(configDir: string, sk: SigningKeys): void {
  validateSigningKeys(sk);
  writeFileAtomic(configPaths(configDir).signingKeys, sk.serialize());
}

/** Load, apply `fn`, save; nothing is written if `fn` throws. Returns what `fn` returns. */
export function loadExecSaveSigningKeys<T>(configDir: string, fn: (sk: SigningKeys) => T): T {
  const sk = loadSigningKeys(configDir);
  const out = fn(sk);
  saveSigningKeys(configDir, sk);
  return out;
}

// ---- library functions behind `notation key ...` ----

export interface AddPluginKeyOptions {
  name: string;
  id: string;
  pluginName: string;
  pluginConfig?: Record<string, string>;
  isDefault?: boolean;
  /** Where installed plugins live (default `<configDir>/plugins`). */
  pluginsDir?: string;
  /** Overrides the installed-plugin check. */
  pluginExists?: (pluginName: string) => boolean;
}

/** Whether `<pluginsDir>/<name>/notation-<name>` exists as a file (notation's plugin layout). */
export function isPluginInstalled(pluginsDir: string, pluginName: string): boolean {
  if (BUILTIN_PLUGINS.includes(pluginName)) return true;
  if (!/^[A-Za-z0-9_.-]+$/.test(pluginName)) return false;
  const dir = join(pluginsDir, pluginName);
  for (const exe of [`notation-${pluginName}`, `notation-${pluginName}.exe`]) {
    const p = join(dir, exe);
    if (existsSync(p) && statSync(p).isFile()) return true;
  }
  return false;
}

/** `notation key add --plugin P --id ID [--plugin-config k=v] [--default] NAME`. */
export function addPluginKey(configDir: string, opts: AddPluginKeyOptions): KeySuite {
  return loadExecSaveSigningKeys(configDir, (sk) => {
    if (!opts.name) throw new ConfigError('KEY_NAME_EMPTY', 'key name cannot be empty');
    if (!opts.id) throw new ConfigError('KEY_ID_MISSING', 'missing key id');
    if (!opts.pluginName) throw new ConfigError('PLUGIN_NAME_EMPTY', 'plugin name cannot be empty');
    const exists = opts.pluginExists ?? ((p: string) => isPluginInstalled(opts.pluginsDir ?? join(configDir, 'plugins'), p));
    if (!exists(opts.pluginName)) throw new ConfigError('PLUGIN_NOT_FOUND', `plugin ${opts.pluginName} not found`);
    sk.addPlugin(opts.name, opts.id, opts.pluginName, opts.pluginConfig, !!opts.isDefault);
    return sk.get(opts.name);
  });
}

/** Adds a local key pair (what `cert generate-test` records; also usable directly). */
export function addLocalKey(configDir: string, name: string, keyPath: string, certPath: string, isDefault = false): KeySuite {
  return loadExecSaveSigningKeys(configDir, (sk) => {
    sk.add(name, keyPath, certPath, isDefault);
    return sk.get(name);
  });
}

/** `notation key update --default NAME`. */
export function setDefaultKey(configDir: string, name: string): void {
  loadExecSaveSigningKeys(configDir, (sk) => sk.updateDefault(name));
}

/** `notation key delete NAME...`: returns the removed names and the default before removal. */
export function deleteKeys(configDir: string, names: string[]): { deleted: string[]; previousDefault?: string } {
  return loadExecSaveSigningKeys(configDir, (sk) => {
    const previousDefault = sk.default;
    return { deleted: sk.remove(...names), previousDefault };
  });
}

/** `notation key list`: the table notation prints (Go tabwriter, padding 3, trailing cells padded). */
export function formatKeyList(sk: SigningKeys): string {
  const rows: string[][] = [['NAME', 'KEY PATH', 'CERTIFICATE PATH', 'ID', 'PLUGIN NAME']];
  for (const k of sk.keys) {
    rows.push([(sk.default !== undefined && k.name === sk.default ? '* ' : '') + k.name, k.keyPath ?? '', k.certPath ?? '', k.id ?? '', k.pluginName ?? '']);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)) + 3);
  return rows.map((r) => r.map((cell, c) => cell + ' '.repeat(widths[c] - [...cell].length)).join('') + '\n').join('');
}
