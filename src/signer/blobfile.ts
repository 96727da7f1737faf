/**
 * Blob signature files as `notation blob sign` writes them:
 * `<signature dir>/<blob file name>.<jws|cose>.sig`, mode 0600, parent dirs 0700.
 * Writes are atomic (temp file + rename), and an existing file is kept unless
 * `force` is set, so a failure never leaves a truncated signature behind.
 */
import { basename, join } from 'node:path';
import { SigningError } from '../errors.js';
import { pathExists, writeFileAtomic } from '../config/fsutil.js';

export type SignatureFormat = 'jws' | 'cose';

/** notation's signatureFilepath: `<dir>/<basename(blob)>.<format>.sig`. */
export function blobSignaturePath(signatureDir: string, blobPath: string, format: SignatureFormat | string): string {
  return join(signatureDir, `${basename(blobPath)}.${format}.sig`);
}

/**
 * Writes the signature; returns its path. Without `force` an existing file is an
 * error (SIGNATURE_FILE_EXISTS); with it the file is replaced atomically.
 */
export function writeBlobSignature(
  dir: string,
  blobName: string,
  format: SignatureFormat | string,
  bytes: Uint8Array,
  opts: { force?: boolean } = {},
): string {
  if (format !== 'jws' && format !== 'cose') {
    throw new SigningError('UNSUPPORTED_SIGNATURE_FORMAT', `signature format ${JSON.stringify(format)} not supported\nSupported signature envelope formats are "jws" and "cose"`);
  }
  const path = blobSignaturePath(dir, blobName, format);
  if (!opts.force && pathExists(path)) {
    throw new SigningError('SIGNATURE_FILE_EXISTS', `signature file ${path} already exists; use --force to overwrite it`);
  }
  try {
    writeFileAtomic(path, bytes, { mode: 0o600, overwrite: !!opts.force });
  } catch (e) {
    // EEXIST from the final link means the file appeared meanwhile; from mkdir it is a bad directory.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && (e as NodeJS.ErrnoException).syscall === 'link') {
      throw new SigningError('SIGNATURE_FILE_EXISTS', `signature file ${path} already exists; use --force to overwrite it`, { cause: e });
    }
    throw new SigningError('SIGNATURE_WRITE_FAILED', `failed to write signature to file: ${(e as Error).message}`, { cause: e });
  }
  return path;
}
