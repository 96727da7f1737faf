/**
 * Revocation result model, named after notation-core-go's revocation/result so
 * that users of notation recognise it.
 */
import { RevocationError } from '../errors.js';

/** Purpose of the chain being checked (notation-core-go revocation/purpose). */
export type Purpose = 'codeSigning' | 'timestamping';

/** Per-certificate / per-server verdict. */
export type RevocationResult = 'OK' | 'NonRevokable' | 'Unknown' | 'Revoked';

/** How the verdict was reached. */
export type RevocationMethod = 'Unknown' | 'OCSP' | 'CRL' | 'OCSPFallbackCRL';

export interface ServerResult {
  result: RevocationResult;
  /** OCSP responder or CRL URL; '' when none applies. */
  server: string;
  /** Why the server gave no good answer (Unknown), or the revocation (Revoked). */
  error?: RevocationError;
  method: RevocationMethod;
}

export interface CertRevocationResult {
  result: RevocationResult;
  /** OCSP: one entry when a definitive answer came, else one per responder. CRL: one per URL, or one on error/revoked. Fallback: OCSP entries then CRL entries. */
  serverResults: ServerResult[];
  method: RevocationMethod;
}

/** What an HTTP round trip returned. */
export interface FetchResponse {
  status: number;
  body: Uint8Array;
}

export interface FetchInit {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Whole-request timeout. */
  timeoutMs: number;
  /** Read at most this many bytes; more is an error of kind 'too-large'. */
  maxBytes: number;
  signal?: AbortSignal;
  /** Reports body bytes as they arrive (`total` from Content-Length when known): progress for big CRLs. */
  onBytes?: (received: number, total: number | undefined) => void;
}

/**
 * HTTP transport used for OCSP and CRL downloads. Throw a FetchError (or any
 * error: it counts as a network failure) when no HTTP response was obtained.
 */
export type Fetcher = (url: string, init: FetchInit) => Promise<FetchResponse>;

export class FetchError extends Error {
  constructor(
    readonly kind: 'timeout' | 'too-large' | 'network' | 'aborted',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Sink for the warnings and debug lines notation prints. */
export interface RevocationLogger {
  warn(message: string): void;
  debug?(message: string): void;
  error?(message: string): void;
}
