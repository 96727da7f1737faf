/**
 * File helpers shared by the config dir code and the blob-signature writer:
 * bounded reads that refuse symlinks (as notation-go's config loader does) and
 * atomic writes (temp file in the same directory, fsync, rename) so a failure never
 * leaves a half-written file behind.
 */
import { closeSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';

/** Files in the config dir are small; this bounds what a hostile file can make us read. */
export const MAX_CONFIG_FILE_BYTES = 16 * 1024 * 1024;

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Reads a regular file. Returns undefined when it does not exist; throws
 * ConfigError for a symlink, a directory, or a file over `maxBytes`.
 */
export function readRegularFile(path: string, maxBytes = MAX_CONFIG_FILE_BYTES): Buffer | undefined {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return undefined;
    throw new ConfigError('CONFIG_READ_FAILED', `failed to read ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (!st.isFile()) {
    throw new ConfigError('CONFIG_NOT_REGULAR_FILE', `${JSON.stringify(path)} is not a regular file (symlinks are not supported)`);
  }
  if (st.size > maxBytes) throw new ConfigError('CONFIG_FILE_TOO_LARGE', `${path} is larger than ${maxBytes} bytes`);
  const data = readFileSync(path);
  if (data.length > maxBytes) throw new ConfigError('CONFIG_FILE_TOO_LARGE', `${path} is larger than ${maxBytes} bytes`);
  return data;
}

export interface AtomicWriteOptions {
  /** File mode (default 0600, as notation writes). */
  mode?: number;
  /** Replace an existing file (default true). When false an existing file is an EEXIST error. */
  overwrite?: boolean;
  /** Mode of created parent directories (default 0700). */
  dirMode?: number;
}

/**
 * Writes `data` to `path` atomically: the content goes to a temp file next to the
 * target, is flushed, then renamed (or hard-linked when overwrite is false, which
 * fails atomically if the target appeared meanwhile). Throws the raw fs error.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, opts: AtomicWriteOptions = {}): void {
  const mode = opts.mode ?? 0o600;
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: opts.dirMode ?? 0o700 });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  let moved = false;
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    if (opts.overwrite === false) {
      linkSync(tmp, path); // EEXIST if the target exists
      unlinkSync(tmp);
    } else {
      renameSync(tmp, path);
    }
    moved = true;
  } finally {
    if (!moved) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
      try {
        unlinkSync(tmp);
      } catch {
        /* best effort */
      }
    }
  }
}

/** Whether something (file, dir or dangling symlink) exists at `path`. */
export function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return false;
    throw e;
  }
}
