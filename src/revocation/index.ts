/** Revocation checking (checklist section 6): public surface of src/revocation. */
export { RevocationValidator, aggregateRevocationResults, validateChainShape, validateChainForPurpose } from './validator.js';
export type { RevocationValidatorOptions, ValidateOptions, RevocationVerdict, RevocationCheck, RevocationLogLine } from './validator.js';
export type { Purpose, RevocationResult, RevocationMethod, ServerResult, CertRevocationResult, Fetcher, FetchInit, FetchResponse, RevocationLogger } from './types.js';
export { FetchError } from './types.js';
export { RevocationCode } from './errors.js';
export { httpFetcher } from './http.js';
export { FileCrlCache, RevocationMemoryCache, defaultRevocationCache } from './cache.js';
export type { CrlCache } from './cache.js';
export {
  parseCrl, ParsedCrl, parseDistributionPointUrls, certificateCrlUrls, downloadCrl, downloadCrlBundle, fetchCrlBundle, fetchDeltaCrl,
  validateCrlBundle, checkCrlFreshness, crlStatus, checkCrl, MAX_CRL_BYTES,
} from './crl.js';
export type { CrlBundle, CrlEntry } from './crl.js';
export { createOcspRequest, parseOcspResponse, ocspRequestTarget, certificateOcspUrls, checkOcsp, MAX_OCSP_RESPONSE_BYTES } from './ocsp.js';
export type { OcspResponse, OcspCertStatus } from './ocsp.js';
export { revocationCheckers, prefetchCrls } from './cli.js';
export type { RevocationCliOptions, PrefetchedCrl } from './cli.js';
