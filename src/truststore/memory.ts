/**
 * An in-memory trust store with the same rules and messages as the file-system
 * one, for tests, conformance cases and embedders that keep certificates elsewhere.
 */
import { basename } from 'node:path';
import { Certificate } from '../x509/certificate.js';
import type { TrustStoreProvider } from './provider.js';
import {
  MAX_TRUST_STORE_FILES,
  TrustStoreErrorCode as E,
  checkStoreIdentity,
  checkTrustedCertificate,
  emptyStore,
  loadTrustStoreFile,
  storeNotFound,
  type TrustStoreType,
} from './validate.js';
import { TrustStoreError } from '../errors.js';

/** A store entry: an already parsed certificate, or a named file's bytes (checked like a store file). */
export type MemoryTrustStoreEntry = Certificate | { name: string; data: Uint8Array };

/**
 * Keys are `"<type>:<name>"`; `null` (or no key) means the store does not exist,
 * `[]` an existing empty store (which is an error to load, as on disk).
 */
export type MemoryTrustStoreSpec = Record<string, readonly MemoryTrustStoreEntry[] | null>;

export class MemoryTrustStore implements TrustStoreProvider {
  private readonly stores: Map<string, readonly MemoryTrustStoreEntry[] | null>;
  private readonly loaded = new Map<string, Certificate[]>();

  constructor(stores: MemoryTrustStoreSpec) {
    this.stores = new Map(Object.entries(stores));
  }

  /**
   * Builds a store from file paths (`"<type>:<name>" -> paths`), each file
   * named by its base name in messages, as notation names store files.
   */
  static fromFiles(spec: Record<string, readonly string[] | null>, read: (path: string) => Uint8Array): MemoryTrustStore {
    const stores: MemoryTrustStoreSpec = {};
    for (const [key, paths] of Object.entries(spec)) {
      stores[key] = paths === null ? null : paths.map((p) => ({ name: basename(p), data: read(p) }));
    }
    return new MemoryTrustStore(stores);
  }

  getCertificates(type: TrustStoreType, name: string): Certificate[] {
    checkStoreIdentity(type, name);
    const key = `${type}:${name}`;
    const hit = this.loaded.get(key);
    if (hit) return hit.slice();
    const entries = this.stores.get(key);
    if (!entries) throw storeNotFound(type, name);
    if (entries.length > MAX_TRUST_STORE_FILES) {
      throw new TrustStoreError(E.tooLarge, `the trust store "${name}" of type "${type}" has ${entries.length} entries, more than the ${MAX_TRUST_STORE_FILES} supported`);
    }
    const certs: Certificate[] = [];
    entries.forEach((entry, i) => {
      if (entry instanceof Certificate) {
        checkTrustedCertificate(entry, `#${i + 1}`, type, name);
        certs.push(entry);
      } else {
        certs.push(...loadTrustStoreFile(entry.name, entry.data, type, name));
      }
    });
    if (certs.length < 1) throw emptyStore(type, name);
    this.loaded.set(key, certs);
    return certs.slice();
  }
}
