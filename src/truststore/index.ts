/** Named trust stores (checklist 4.1). */
export type { TrustStoreProvider } from './provider.js';
export { X509TrustStore, readCertificateFile } from './x509store.js';
export { MemoryTrustStore, type MemoryTrustStoreEntry, type MemoryTrustStoreSpec } from './memory.js';
export {
  TRUST_STORE_TYPES,
  TrustStoreErrorCode,
  MAX_TRUST_STORE_FILES,
  MAX_CERTIFICATE_FILE_BYTES,
  isValidStoreType,
  isValidStoreName,
  validateTrustStoreCertificates,
  rootCACertificateError,
  loadTrustStoreFile,
  type TrustStoreType,
} from './validate.js';
