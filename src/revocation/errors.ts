/**
 * Revocation error codes. Every failure carries one of these codes on a
 * RevocationError; messages reuse notation-core-go's texts.
 */
import { RevocationError } from '../errors.js';

export const RevocationCode = {
  /** A certificate in the chain is revoked (aggregate verdict). */
  REVOKED: 'CERTIFICATE_REVOKED',
  /** The revocation status of a certificate could not be established (aggregate verdict). */
  UNKNOWN: 'REVOCATION_STATUS_UNKNOWN',
  /** The per-certificate results do not fit the chain. */
  RESULT_INVALID: 'REVOCATION_RESULT_INVALID',
  /** The chain handed to the validator is not a valid chain for its purpose. */
  INVALID_CHAIN: 'REVOCATION_INVALID_CHAIN',
  /** Revocation checking could not be run at all. */
  CHECK_FAILED: 'REVOCATION_CHECK_FAILED',
  OCSP_REVOKED: 'OCSP_REVOKED',
  OCSP_UNKNOWN_STATUS: 'OCSP_UNKNOWN_STATUS',
  OCSP_ERROR: 'OCSP_ERROR',
  OCSP_TIMEOUT: 'OCSP_TIMEOUT',
  OCSP_NO_SERVER: 'OCSP_NO_SERVER',
  CRL_REVOKED: 'CRL_REVOKED',
  CRL_MALFORMED: 'CRL_MALFORMED',
  CRL_EXPIRED: 'CRL_EXPIRED',
  CRL_FETCH_FAILED: 'CRL_FETCH_FAILED',
  CRL_INVALID: 'CRL_INVALID',
  CRL_UNSUPPORTED: 'CRL_UNSUPPORTED',
  CRL_TOO_LARGE: 'CRL_TOO_LARGE',
  FRESHEST_CRL_MALFORMED: 'FRESHEST_CRL_MALFORMED',
  DELTA_CRL_NOT_FOUND: 'DELTA_CRL_NOT_FOUND',
  CRL_CACHE_ERROR: 'CRL_CACHE_ERROR',
} as const;
export type RevocationCodeValue = (typeof RevocationCode)[keyof typeof RevocationCode];

export function revErr(code: RevocationCodeValue, message: string, cause?: unknown): RevocationError {
  return new RevocationError(code, message, cause === undefined ? undefined : { cause });
}

/** Re-wraps an error with a prefix, keeping its code (Go's fmt.Errorf("...: %w")). */
export function wrapErr(prefix: string, e: unknown, fallback: RevocationCodeValue): RevocationError {
  const code = e instanceof RevocationError ? e.code : fallback;
  const msg = e instanceof Error ? e.message : String(e);
  return new RevocationError(code, `${prefix}: ${msg}`, { cause: e });
}
