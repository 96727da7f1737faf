/**
 * `notation-ts certificate|cert add|list|show|delete`: the trust store under
 * `<config>/truststore/x509/<type>/<store>/`, with notation's output and
 * errors (cmd/notation/cert, cmd/notation/internal/truststore).
 *
 * One deliberate difference: `add` refuses a certificate the store could not
 * use (not a CA and not self-signed; not a root CA in a tsa store), with the
 * reason notation-go gives when it loads the store at verification time.
 * notation copies such files, and then every verification that uses the store
 * fails. Files are written atomically with mode 0600 (directories 0700), so an
 * error never leaves a partial file behind.
 */
import { lstatSync, readFileSync, readdirSync, rmSync, rmdirSync, unlinkSync, type Dirent } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { CliContext } from '../context.js';
import { configDir } from '../context.js';
import { NotationError, UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../config/index.js';
import { MAX_CERTIFICATE_FILE_BYTES, MAX_TRUST_STORE_FILES, TRUST_STORE_TYPES, isValidStoreName, isValidStoreType, loadTrustStoreFile, readCertificateFile } from '../../truststore/index.js';
import { goQuote, goTimeString } from '../../x509/goformat.js';
import type { Certificate } from '../../x509/certificate.js';
import { askForConfirmation } from '../policy-confirm.js';
import { goPathError } from '../../util/goerrno.js';

const errno = (e: unknown) => (e as NodeJS.ErrnoException)?.code;

function certError(code: string, message: string, cause?: unknown): NotationError {
  return new NotationError(code, message, { cause });
}

/** cobra's MarkFlagRequired check: every missing flag, sorted by name. */
function requireFlags(ctx: CliContext, names: string[]): void {
  const missing = names.filter((n) => !ctx.changed.has(n)).sort();
  if (missing.length) throw new UsageError('REQUIRED_FLAG_MISSING', `required flag(s) "${missing.join('", "')}" not set`);
}

function checkType(type: string): void {
  if (type === '') throw new UsageError('STORE_TYPE_EMPTY', 'store type cannot be empty');
  if (!isValidStoreType(type)) throw new UsageError('TRUST_STORE_UNSUPPORTED_TYPE', `unsupported store type: ${type}`);
}

function checkStoreName(name: string): void {
  // notation's pattern alone would accept "." and "..", which name other directories.
  if (!isValidStoreName(name)) throw new UsageError('TRUST_STORE_INVALID_NAME', 'named store name needs to follow [a-zA-Z0-9_.-]+ format');
}

/** A certificate file name inside a store: a plain name, never a path out of it. */
function checkFileName(name: string): void {
  if (name === '.' || name === '..' || name.includes('/') || name.includes('\\') || name.includes('\0')) {
    throw new UsageError('CERTIFICATE_FILE_NAME_INVALID', `certificate fileName ${goQuote(name)} must be the name of a file in the trust store, not a path`);
  }
}

function storeDir(cfg: string, ...items: string[]): string {
  return join(cfg, 'truststore', 'x509', ...items);
}

// ---------------------------------------------------------------- add

/** Checks one file and copies it into the store; returns nothing, throws the reason it was not added. */
function addCert(cfg: string, cwd: string, path: string, type: string, store: string): void {
  const abs = resolve(cwd, path);
  const certs = readCertificateFile(abs); // Go's ReadCertificateFile errors ("open ...", "x509: malformed certificate")
  if (certs.length === 0) throw certError('CERTIFICATE_NOT_FOUND', 'no valid certificate found in the file');
  const dir = storeDir(cfg, type, store);
  const target = join(dir, basename(abs));
  let exists = true;
  try {
    lstatSync(target);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
    exists = false;
  }
  if (exists) throw certError('CERTIFICATE_EXISTS', 'certificate already exists in the Trust Store');
  // The trust store rules run on the bytes that are written, not on an earlier read.
  const data = readBytes(abs);
  try {
    loadTrustStoreFile(basename(abs), data, type as (typeof TRUST_STORE_TYPES)[number], store);
  } catch (e) {
    const err = e as NotationError;
    const why = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw certError(err.code ?? 'TRUST_STORE_CERT_INVALID', `${err.message}${why}`, e);
  }
  try {
    writeFileAtomic(target, data, { mode: 0o600, dirMode: 0o700, overwrite: false });
  } catch (e) {
    if (errno(e) === 'EEXIST') throw certError('CERTIFICATE_EXISTS', 'certificate already exists in the Trust Store');
    throw certError('CERTIFICATE_WRITE_FAILED', goPathError('open', target, e), e);
  }
}

/** The file's bytes for the copy (bounded; readCertificateFile has already vetted the path). */
function readBytes(path: string): Uint8Array {
  const data = readFileSync(path);
  if (data.length > MAX_CERTIFICATE_FILE_BYTES) throw certError('CERTIFICATE_FILE_TOO_LARGE', `read ${path}: file is larger than ${MAX_CERTIFICATE_FILE_BYTES} bytes`);
  return data;
}

function runAdd(ctx: CliContext): number {
  requireFlags(ctx, ['store', 'type']);
  const type = String(ctx.flags.type ?? '');
  const store = String(ctx.flags.store ?? '');
  checkType(type);
  checkStoreName(store);
  const cfg = configDir(ctx.env);
  const success: string[] = [];
  const failure: [string, string][] = [];
  for (const p of ctx.args) {
    try {
      addCert(cfg, ctx.cwd, p, type, store);
      success.push(p);
    } catch (e) {
      failure.push([p, (e as Error).message]);
    }
  }
  if (success.length) {
    ctx.stdout.write(`Successfully added following certificates to named store ${store} of type ${type}:\n`);
    for (const p of success) ctx.stdout.write(`${p}\n`);
  }
  if (failure.length) {
    let msg = `Failed to add following certificates to named store ${store} of type ${type}:\n`;
    for (const [p, m] of failure) msg += `${p}, with error ${goQuote(m)}\n`;
    throw new NotationError('CERTIFICATE_ADD_FAILED', msg);
  }
  return 0;
}

// ---------------------------------------------------------------- list

/**
 * notation's ListCerts: regular files up to `depth` directory levels below
 * `root` that hold at least one certificate, in lexical walk order. A file that is
 * not a certificate file aborts the listing, as in notation. Bounded in count.
 */
function listCerts(root: string, depth: number): string[] {
  const out: string[] = [];
  let seen = 0;
  const walk = (dir: string, level: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      if (level === 0 && errno(e) === 'ENOENT') return;
      throw e;
    }
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    for (const ent of entries) {
      if (++seen > MAX_TRUST_STORE_FILES * 16) throw new NotationError('TRUST_STORE_TOO_LARGE', `more than ${MAX_TRUST_STORE_FILES * 16} entries under ${root}`);
      const p = join(dir, ent.name);
      if (ent.isDirectory()) {
        if (level < depth) walk(p, level + 1);
      } else if (ent.isFile()) {
        if (readCertificateFile(p).length) out.push(p);
      }
    }
  };
  walk(root, 0);
  return out;
}

/** Go tabwriter (padding 3, every cell tab-terminated) of the STORE TYPE / STORE NAME / CERTIFICATE table. */
function certTable(paths: string[]): string {
  if (paths.length === 0) return '';
  const rows: string[][] = [['STORE TYPE', 'STORE NAME', 'CERTIFICATE'], ...paths.map((p) => {
    const parts = p.split('/');
    return [parts[parts.length - 3], parts[parts.length - 2], parts[parts.length - 1]];
  })];
  const width = [0, 1, 2].map((c) => Math.max(...rows.map((r) => [...r[c]].length)) + 3);
  return rows.map((r) => r.map((cell, c) => cell + ' '.repeat(width[c] - [...cell].length)).join('') + '\n').join('');
}

function runList(ctx: CliContext): number {
  const type = String(ctx.flags.type ?? '');
  const store = String(ctx.flags.store ?? '');
  const cfg = configDir(ctx.env);
  const list = (root: string, depth: number, failure: string) => {
    try {
      return listCerts(root, depth);
    } catch (e) {
      if (errno(e) === 'ENOENT') return [];
      throw new NotationError((e as NotationError).code ?? 'CERTIFICATE_LIST_FAILED', `${failure}, with error: ${(e as Error).message}`, { cause: e });
    }
  };
  let paths: string[] = [];
  if (type === '' && store === '') {
    for (const t of TRUST_STORE_TYPES) paths.push(...list(storeDir(cfg, t), 1, 'failed to list all certificates stored in the trust store'));
  } else if (type !== '' && store !== '') {
    // An unknown type or a store name that is not a plain name lists nothing, as in notation.
    if (!isValidStoreType(type) || !isValidStoreName(store)) return 0;
    paths = list(storeDir(cfg, type, store), 0, `failed to list all certificates stored in the named store ${store} of type ${type}`);
  } else if (type !== '') {
    if (!isValidStoreType(type)) return 0;
    paths = list(storeDir(cfg, type), 1, `failed to list all certificates stored of type ${type}`);
  } else {
    if (!isValidStoreName(store)) return 0;
    for (const t of TRUST_STORE_TYPES) paths.push(...list(storeDir(cfg, t, store), 0, `failed to list all certificates stored in the named store ${store}`));
  }
  ctx.stdout.write(certTable(paths));
  return 0;
}

// ---------------------------------------------------------------- show

function showCert(c: Certificate): string {
  return (
    `Issuer: ${c.issuer}\n` +
    `Subject: ${c.subject}\n` +
    `Valid from: ${goTimeString(c.notBefore)}\n` +
    `Valid to: ${goTimeString(c.notAfter)}\n` +
    `IsCA: ${c.basicConstraints?.cA ? 'true' : 'false'}\n` +
    `SHA256 Thumbprint: ${c.fingerprint256.toLowerCase()}\n`
  );
}

const RULE = '-'.repeat(80);

function runShow(ctx: CliContext): number {
  if (ctx.args.length === 0) throw new UsageError('MISSING_ARGUMENT', 'missing certificate file name');
  if (ctx.args.length > 1) throw new UsageError('TOO_MANY_ARGUMENTS', 'show only supports single certificate file');
  requireFlags(ctx, ['store', 'type']);
  const type = String(ctx.flags.type ?? '');
  const store = String(ctx.flags.store ?? '');
  checkType(type);
  checkStoreName(store);
  const cert = ctx.args[0];
  if (cert === '') throw new UsageError('MISSING_ARGUMENT', 'certificate fileName cannot be empty');
  checkFileName(cert);
  const path = storeDir(configDir(ctx.env), type, store, cert);
  let certs: Certificate[];
  try {
    certs = readCertificateFile(path);
    for (const c of certs) void c.basicConstraints;
  } catch (e) {
    throw new NotationError((e as NotationError).code ?? 'CERTIFICATE_READ_FAILED', `failed to show details of certificate ${cert}, with error: ${(e as Error).message}`, { cause: e });
  }
  if (certs.length === 0) throw new NotationError('CERTIFICATE_NOT_FOUND', `failed to show details of certificate ${cert}, with error: no valid certificate found in the file`);
  ctx.stdout.write(`Certificate details\n${RULE}\n` + certs.map(showCert).join(`${RULE}\n`));
  return 0;
}

// ---------------------------------------------------------------- delete

async function runDelete(ctx: CliContext): Promise<number> {
  const all = !!ctx.flags.all;
  if (all && ctx.args.length !== 0) throw new UsageError('UNEXPECTED_ARGUMENT', 'cannot delete a single certificate file when --all flag is set. use --help flag for more details');
  if (!all && ctx.args.length === 0) {
    throw new UsageError('MISSING_ARGUMENT', 'delete requires either the certificate file name that needs to be deleted or --all flag to delete all certificates in the given named trust store');
  }
  requireFlags(ctx, ['store', 'type']);
  const store = String(ctx.flags.store ?? '');
  const type = String(ctx.flags.type ?? '');
  checkStoreName(store);
  checkType(type);
  const cfg = configDir(ctx.env);
  const yes = !!ctx.flags.yes;
  if (all) {
    const path = storeDir(cfg, type, store);
    const ok = await askForConfirmation(ctx, `Are you sure you want to delete all certificates in ${goQuote(store)} of type ${goQuote(type)}?`, yes, `deleting all certificates in ${goQuote(store)} of type ${goQuote(type)} needs confirmation; use -y/--yes to confirm`);
    if (!ok) return 0;
    try {
      const st = lstatSync(path);
      if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      rmSync(path, { recursive: true });
    } catch (e) {
      throw new NotationError('TRUST_STORE_DELETE_FAILED', `failed to delete the named trust store: ${goPathError('stat', path, e)}`, { cause: e });
    }
    ctx.stdout.write(`Successfully deleted ${path}\n`);
    return 0;
  }
  const cert = ctx.args[0];
  if (cert === '') throw new UsageError('MISSING_ARGUMENT', 'to delete a specific certificate, certificate fileName cannot be empty');
  checkFileName(cert);
  const storePath = storeDir(cfg, type, store);
  const path = join(storePath, cert);
  const ok = await askForConfirmation(ctx, `Are you sure you want to delete ${goQuote(cert)} in ${goQuote(store)} of type ${goQuote(type)}?`, yes, `deleting ${goQuote(cert)} in ${goQuote(store)} of type ${goQuote(type)} needs confirmation; use -y/--yes to confirm`);
  if (!ok) return 0;
  try {
    lstatSync(path);
    unlinkSync(path);
  } catch (e) {
    throw new NotationError('CERTIFICATE_DELETE_FAILED', `failed to delete the certificate file: ${goPathError(errno(e) === 'ENOENT' ? 'stat' : 'remove', path, e)}`, { cause: e });
  }
  // An emptied store is removed, as notation v2 does.
  try {
    if (readdirSync(storePath).length === 0) {
      try {
        rmdirSync(storePath);
      } catch (e) {
        ctx.stderr.write(`Warning: failed to remove the empty trust store directory ${storePath}: ${(e as Error).message}\n`);
      }
    }
  } catch (e) {
    ctx.stderr.write(`Warning: failed to check if the trust store directory ${storePath} is empty: ${(e as Error).message}\n`);
  }
  ctx.stdout.write(`Successfully deleted ${cert} from trust store ${store} of type ${type}\n`);
  return 0;
}

export async function run(ctx: CliContext): Promise<number> {
  const path = (ctx as CliContext & { command?: string[] }).command ?? [];
  switch (path[path.length - 1]) {
    case 'add':
      return runAdd(ctx);
    case 'list':
      return runList(ctx);
    case 'show':
      return runShow(ctx);
    case 'delete':
      return runDelete(ctx);
    default:
      throw new UsageError('UNKNOWN_COMMAND', `unknown certificate command "${path.join(' ')}"`);
  }
}
