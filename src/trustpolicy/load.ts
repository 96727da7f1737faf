/**
 * Reading the policy files from notation's config dir (checklist 4.2):
 * `trustpolicy.oci.json`, else the legacy `trustpolicy.json`; blobs use
 * `trustpolicy.blob.json`. Regular files only (no symlinks), bounded size.
 * Synchronous: a few KiB read once per command, before any network stage.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { TrustPolicyError } from '../errors.js';
import { TP } from './codes.js';
import { parseBlobTrustPolicy, parseOciTrustPolicy, type ParseOptions } from './parse.js';
import { MAX_POLICY_BYTES } from './shape.js';
import { TRUST_POLICY_LINK, type BlobTrustPolicyDocument, type OciTrustPolicyDocument } from './types.js';

export const OCI_TRUST_POLICY_FILE = 'trustpolicy.oci.json';
export const LEGACY_TRUST_POLICY_FILE = 'trustpolicy.json';
export const BLOB_TRUST_POLICY_FILE = 'trustpolicy.blob.json';

const NOT_PRESENT = `trust policy is not present. To create a trust policy, see: ${TRUST_POLICY_LINK}`;

/** Bytes of a policy file, with notation's errors for absent, non-regular and unreadable files. */
export function readTrustPolicyFile(path: string): Uint8Array {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new TrustPolicyError(TP.NOT_PRESENT, NOT_PRESENT, { cause: e });
    throw new TrustPolicyError(TP.UNREADABLE, `unable to access trust policy ${path}: ${(e as Error).message}`, { cause: e });
  }
  const notRegular = () =>
    new TrustPolicyError(TP.NOT_REGULAR_FILE, `trust policy is not a regular file (symlinks are not supported). To create a trust policy, see: ${TRUST_POLICY_LINK}`);
  // REF rejects directories and symlinks; we also refuse FIFOs and devices, which could block or never end.
  if (!st.isFile()) throw notRegular();
  let fd: number;
  try {
    // O_NOFOLLOW closes the window between lstat and open.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new TrustPolicyError(TP.UNREADABLE, `unable to read trust policy due to file permissions, please verify the permissions of ${path}`, { cause: e });
    }
    if (code === 'ELOOP') throw notRegular();
    if (code === 'ENOENT') throw new TrustPolicyError(TP.NOT_PRESENT, NOT_PRESENT, { cause: e });
    throw new TrustPolicyError(TP.UNREADABLE, `unable to read trust policy ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    if (!fstatSync(fd).isFile()) throw notRegular();
    const buf = Buffer.alloc(MAX_POLICY_BYTES + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n > MAX_POLICY_BYTES) throw new TrustPolicyError(TP.LIMIT_EXCEEDED, `trust policy ${path} is larger than ${MAX_POLICY_BYTES} bytes`);
    }
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof TrustPolicyError) throw e;
    throw new TrustPolicyError(TP.UNREADABLE, `unable to read trust policy ${path}: ${(e as Error).message}`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads and (unless `validate: false`) validates the OCI trust policy of a config
 * dir: trustpolicy.oci.json, or trustpolicy.json when the former is absent.
 * Trailing bytes after the JSON object are ignored, as notation's decoder does.
 */
export function loadOciTrustPolicy(configDir: string, options: ParseOptions = {}): OciTrustPolicyDocument {
  let path = join(configDir, OCI_TRUST_POLICY_FILE);
  let bytes: Uint8Array;
  try {
    bytes = readTrustPolicyFile(path);
  } catch (e) {
    if (!(e instanceof TrustPolicyError) || e.code !== TP.NOT_PRESENT) throw e;
    path = join(configDir, LEGACY_TRUST_POLICY_FILE);
    bytes = readTrustPolicyFile(path);
  }
  return parseOciTrustPolicy(bytes, path, { ...options, allowTrailingData: options.allowTrailingData ?? true });
}

/** Loads and (unless `validate: false`) validates trustpolicy.blob.json of a config dir. */
export function loadBlobTrustPolicy(configDir: string, options: ParseOptions = {}): BlobTrustPolicyDocument {
  const path = join(configDir, BLOB_TRUST_POLICY_FILE);
  return parseBlobTrustPolicy(readTrustPolicyFile(path), path, { ...options, allowTrailingData: options.allowTrailingData ?? true });
}
