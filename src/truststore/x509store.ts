/**
 * The file-system trust store: `<configDir>/truststore/x509/<type>/<name>/`,
 * read as notation-go does (checklist 4.1): the store directory must exist and
 * not be a symlink; every entry must be a regular file (a subdirectory or
 * symlink inside is an error, not skipped); every file is read whatever its
 * extension. Loaded stores are cached and re-read when any entry changes.
 */
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync, constants, type Stats } from 'node:fs';
import { join } from 'node:path';
import { CertificateError, TrustStoreError } from '../errors.js';
import type { Certificate } from '../x509/certificate.js';
import { parseCertificateFileContent } from '../x509/filecontent.js';
import {
  MAX_CERTIFICATE_FILE_BYTES,
  MAX_TRUST_STORE_FILES,
  TrustStoreErrorCode as E,
  checkStoreIdentity,
  emptyStore,
  loadTrustStoreFile,
  storeNotFound,
  type TrustStoreType,
} from './validate.js';
import type { TrustStoreProvider } from './provider.js';
import { goPathError } from '../util/goerrno.js';

/**
 * Reads a whole file of at most `maxBytes`, refusing anything but a regular
 * file (O_NONBLOCK so a FIFO cannot hang us). Errors read like Go's os.ReadFile.
 */
function readBoundedFile(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new CertificateError('CERTIFICATE_FILE_READ_FAILED', goPathError('open', path, e), { cause: e });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new CertificateError('CERTIFICATE_FILE_READ_FAILED', `read ${path}: is a directory`);
    if (!st.isFile()) throw new CertificateError('CERTIFICATE_FILE_READ_FAILED', `read ${path}: not a regular file`);
    if (st.size > maxBytes) throw new CertificateError('CERTIFICATE_FILE_TOO_LARGE', `read ${path}: file is larger than ${maxBytes} bytes`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } catch (e) {
    if (e instanceof CertificateError) throw e;
    throw new CertificateError('CERTIFICATE_FILE_READ_FAILED', goPathError('read', path, e), { cause: e });
  } finally {
    closeSync(fd);
  }
}

/**
 * notation-core-go ReadCertificateFile: the certificates of a PEM or DER file.
 * An empty file gives an empty list (as in Go); a file that is neither throws
 * CertificateError MALFORMED_CERTIFICATE ("x509: malformed certificate").
 */
export function readCertificateFile(path: string): Certificate[] {
  return parseCertificateFileContent(readBoundedFile(path, MAX_CERTIFICATE_FILE_BYTES));
}

interface CacheEntry {
  stamp: string;
  certs: Certificate[];
}

function stampOf(st: Stats): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** Trust stores under a notation config directory. */
export class X509TrustStore implements TrustStoreProvider {
  readonly configDir: string;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(configDir: string) {
    this.configDir = configDir;
  }

  /** Directory of a named store. */
  storePath(type: TrustStoreType, name: string): string {
    return join(this.configDir, 'truststore', 'x509', type, name);
  }

  getCertificates(type: TrustStoreType, name: string): Certificate[] {
    checkStoreIdentity(type, name);
    const path = this.storePath(type, name);
    let dirStat: Stats;
    try {
      dirStat = lstatSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw storeNotFound(type, name, e);
      throw new TrustStoreError(E.accessFailed, `failed to access the trust store "${name}" of type "${type}"`, { cause: e });
    }
    if (!dirStat.isDirectory() || dirStat.isSymbolicLink()) {
      throw new TrustStoreError(
        E.notDirectory,
        `the trust store ${name} of type ${type} with path ${path} is not a regular directory (symlinks are not supported)`,
      );
    }
    let entries: string[];
    try {
      entries = readdirSync(path);
    } catch (e) {
      throw new TrustStoreError(E.accessFailed, `failed to access the trust store "${name}" of type "${type}"`, { cause: e });
    }
    if (entries.length > MAX_TRUST_STORE_FILES) {
      throw new TrustStoreError(E.tooLarge, `the trust store "${name}" of type "${type}" has ${entries.length} entries, more than the ${MAX_TRUST_STORE_FILES} supported`);
    }
    // Go's os.ReadDir order: by name, byte-wise.
    entries.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

    const stats: Stats[] = [];
    for (const file of entries) {
      let st: Stats;
      try {
        st = lstatSync(join(path, file));
      } catch (e) {
        throw new TrustStoreError(E.accessFailed, `failed to access the trust store "${name}" of type "${type}"`, { cause: e });
      }
      // Directories and symlinks are errors in notation-go; other non-regular files (FIFOs, sockets) are too here.
      if (!st.isFile()) {
        throw new TrustStoreError(
          E.entryNotRegularFile,
          `trusted certificate ${file} in trust store ${name} of type ${type} is not a regular file (directories or symlinks are not supported)`,
        );
      }
      stats.push(st);
    }
    const stamp = stampOf(dirStat) + '|' + entries.map((f, i) => `${f}/${stampOf(stats[i])}`).join('|');
    const hit = this.cache.get(path);
    if (hit && hit.stamp === stamp) return hit.certs.slice();

    const certs: Certificate[] = [];
    for (const file of entries) {
      let data: Buffer;
      try {
        data = readBoundedFile(join(path, file), MAX_CERTIFICATE_FILE_BYTES);
      } catch (e) {
        throw new TrustStoreError(E.certificateReadFailed, `failed to read the trusted certificate ${file} in trust store ${name} of type ${type}`, { cause: e });
      }
      certs.push(...loadTrustStoreFile(file, data, type, name));
    }
    if (certs.length < 1) throw emptyStore(type, name);
    this.cache.set(path, { stamp, certs });
    return certs.slice();
  }

  /** Forgets every cached store. */
  clearCache(): void {
    this.cache.clear();
  }
}

