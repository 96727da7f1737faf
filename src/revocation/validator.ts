/**
 * Chain revocation checking as notation does it (notation-core-go revocation.go,
 * notation-go verifier revocationFinalResult, notation cli/internal/revocation):
 * every certificate but the root, in parallel, OCSP first and CRL when OCSP ends
 * Unknown; then one verdict for the chain.
 */
import type { Certificate } from '../x509/certificate.js';
import { type RevocationError, errorMessage } from '../errors.js';
import { checkOcsp, certificateOcspUrls } from './ocsp.js';
import { checkCrl, certificateCrlUrls, fetchCrlBundle, type CrlBundle } from './crl.js';
import { FileCrlCache, RevocationMemoryCache, defaultRevocationCache, type CrlCache } from './cache.js';
import { RevocationCode as C, revErr } from './errors.js';
import { goQuote } from './asn1.js';
import { validateCodeSigningChain, validateTimestampingChain } from '../x509/chain.js';
import { httpFetcher } from './http.js';
import type { CertRevocationResult, Fetcher, Purpose, RevocationLogger, RevocationResult } from './types.js';

export interface RevocationValidatorOptions {
  /** HTTP transport (default: node:http with timeouts and byte caps). */
  fetcher?: Fetcher;
  /** notation's cache root; CRLs are cached in `<cacheDir>/crl/`. No file cache when absent. */
  cacheDir?: string;
  /** Or any CrlCache (takes precedence over cacheDir). */
  crlCache?: CrlCache;
  /** Warnings (cache errors discarded, OCSP fallback, no revocation method) and debug lines. */
  logger?: RevocationLogger;
  /** OCSP whole-request timeout; notation uses 2 s. */
  ocspTimeoutMs?: number;
  /** CRL whole-request timeout; notation uses 5 s. */
  crlTimeoutMs?: number;
  /** Clock for nextUpdate checks (default: wall clock). */
  now?: () => Date;
  /** In-process cache of parsed CRLs and OCSP answers; default the process-wide one, `false` for none. */
  memoryCache?: RevocationMemoryCache | false;
  /**
   * Validation of the chain for its purpose, run first as notation-core-go does
   * (ValidateCodeSigningCertChain / ValidateTimestampingCertChain). Throw to
   * reject. Default: validateChainForPurpose (src/x509/chain.ts rules).
   */
  validateChain?: (chain: Certificate[], purpose: Purpose) => void;
}

export interface ValidateOptions {
  purpose: Purpose;
  /** Authentic signing time (signingAuthority signatures only): an invalidityDate after it clears a revocation. */
  signingTime?: Date;
  signal?: AbortSignal;
}

export interface RevocationLogLine {
  level: 'debug' | 'warn' | 'error';
  message: string;
}

export interface RevocationVerdict {
  result: 'ok' | 'revoked' | 'unknown';
  /** Subject (Go pkix.Name.String() form) of the certificate the verdict names, unless ok. */
  subject?: string;
  /** Set unless result is ok: "<purpose> certificate with subject "..." is revoked" / "... revocation status is unknown". */
  error?: RevocationError;
  /** The lines notation's verifier logs for these results (server errors, fallbacks, non-revokable certificates). */
  logs: RevocationLogLine[];
}

export interface RevocationCheck extends RevocationVerdict {
  /** Per-certificate results, leaf first (undefined when the check could not run). */
  certResults?: CertRevocationResult[];
}

const NON_REVOKABLE_ROOT: CertRevocationResult = {
  result: 'NonRevokable',
  method: 'Unknown',
  serverResults: [{ result: 'NonRevokable', server: '', method: 'Unknown' }],
};

export class RevocationValidator {
  private readonly fetcher: Fetcher;
  private readonly fileCache?: CrlCache;
  private readonly memory?: RevocationMemoryCache;
  private readonly clock: () => Date;
  private readonly ocspTimeoutMs: number;
  private readonly crlTimeoutMs: number;
  private readonly inflight = new Map<string, Promise<CrlBundle>>();
  private cacheWarningLogged = false;

  constructor(private readonly opts: RevocationValidatorOptions = {}) {
    this.fetcher = opts.fetcher ?? httpFetcher;
    this.fileCache = opts.crlCache ?? (opts.cacheDir ? new FileCrlCache(opts.cacheDir, (m) => opts.logger?.debug?.(m)) : undefined);
    this.memory = opts.memoryCache === false ? undefined : (opts.memoryCache ?? defaultRevocationCache);
    this.clock = opts.now ?? (() => new Date());
    this.ocspTimeoutMs = opts.ocspTimeoutMs ?? 2000;
    this.crlTimeoutMs = opts.crlTimeoutMs ?? 5000;
  }

  /**
   * Revocation status of every certificate of `chain` (leaf first, root last;
   * the root is NonRevokable). Throws RevocationError REVOCATION_INVALID_CHAIN
   * when the chain is empty or invalid for its purpose.
   */
  async validate(chain: Certificate[], opts: ValidateOptions): Promise<CertRevocationResult[]> {
    if (opts.purpose !== 'codeSigning' && opts.purpose !== 'timestamping') {
      throw revErr(C.INVALID_CHAIN, `invalid chain: expected chain to be correct and complete: unsupported certificate chain purpose ${String(opts.purpose)}`);
    }
    if (chain.length === 0) throw revErr(C.INVALID_CHAIN, 'invalid chain: expected chain to be correct and complete: chain does not contain any certificates');
    try {
      (this.opts.validateChain ?? validateChainForPurpose)(chain, opts.purpose);
    } catch (e) {
      throw revErr(C.INVALID_CHAIN, `invalid chain: expected chain to be correct and complete: ${errorMessage(e)}`, e);
    }
    const ocspCache = this.memory?.ocsp;
    const checks = chain.slice(0, -1).map(async (cert, i): Promise<CertRevocationResult> => {
      const issuer = chain[i + 1];
      const crlOpts = { source: (url: string) => this.crlBundle(url, opts.signal), now: this.clock, signingTime: opts.signingTime };
      if (hasUrls(() => certificateOcspUrls(cert))) {
        const o = await checkOcsp(cert, issuer, { fetcher: this.fetcher, timeoutMs: this.ocspTimeoutMs, now: this.clock, signingTime: opts.signingTime, signal: opts.signal, cache: ocspCache });
        if (o.result === 'Unknown' && hasUrls(() => certificateCrlUrls(cert))) {
          const c = await checkCrl(cert, issuer, crlOpts);
          return { result: c.result, method: 'OCSPFallbackCRL', serverResults: [...o.serverResults, ...c.serverResults] };
        }
        return o;
      }
      if (hasUrls(() => certificateCrlUrls(cert))) return checkCrl(cert, issuer, crlOpts);
      return { result: 'NonRevokable', method: 'Unknown', serverResults: [{ result: 'NonRevokable', server: '', method: 'Unknown' }] };
    });
    const results = await Promise.all(checks);
    results.push(structuredClone(NON_REVOKABLE_ROOT));
    return results;
  }

  /** The chain verdict for results of validate(): see aggregateRevocationResults. */
  aggregate(results: CertRevocationResult[], chain: Array<{ subject: string }>, purpose: Purpose): RevocationVerdict {
    return aggregateRevocationResults(results, chain, purpose);
  }

  /**
   * validate + aggregate in one call; the logged lines also go to the logger.
   * Throws (as validate) RevocationError REVOCATION_INVALID_CHAIN when the chain
   * cannot be checked: notation then reports "unable to check revocation status,
   * err: <message>" (signing chain) or "failed to check timestamping certificate
   * chain revocation with error: <message>" (TSA chain).
   */
  async check(chain: Certificate[], opts: ValidateOptions): Promise<RevocationCheck> {
    const certResults = await this.validate(chain, opts);
    const v = aggregateRevocationResults(certResults, chain, opts.purpose);
    const log = this.opts.logger;
    for (const l of v.logs) {
      if (l.level === 'warn') log?.warn(l.message);
      else if (l.level === 'error') (log?.error ?? log?.warn)?.call(log, l.message);
      else log?.debug?.(l.message);
    }
    return { ...v, certResults };
  }

  /** Base + delta CRL for a URL: memory cache, then file cache, then the network (deduplicated per URL). */
  private crlBundle(url: string, signal?: AbortSignal): Promise<CrlBundle> {
    if (!url) return Promise.reject(revErr(C.CRL_FETCH_FAILED, 'CRL URL cannot be empty'));
    const now = this.clock();
    const hit = this.memory?.getCrl(url, now);
    if (hit) return Promise.resolve(hit);
    const running = this.inflight.get(url);
    if (running) return running;
    const p = this.loadBundle(url, now, signal).finally(() => this.inflight.delete(url));
    this.inflight.set(url, p);
    return p;
  }

  private async loadBundle(url: string, now: Date, signal?: AbortSignal): Promise<CrlBundle> {
    if (this.fileCache) {
      try {
        const cached = await this.fileCache.get(url, now);
        if (cached) {
          this.memory?.setCrl(url, cached);
          return cached;
        }
      } catch (e) {
        this.cacheError(e);
      }
    }
    const bundle = await fetchCrlBundle(url, { fetcher: this.fetcher, timeoutMs: this.crlTimeoutMs, signal });
    if (this.fileCache) {
      try {
        await this.fileCache.set(url, bundle);
      } catch (e) {
        this.cacheError(e);
      }
    }
    this.memory?.setCrl(url, bundle);
    return bundle;
  }

  /** notation discards cache errors and warns once per validator (details at debug level). */
  private cacheError(e: unknown): void {
    if (!this.cacheWarningLogged) {
      this.cacheWarningLogged = true;
      this.opts.logger?.warn("CRL cache error discarded. Enable debug log through '-d' for error details.");
    }
    this.opts.logger?.debug?.(errorMessage(e));
  }
}

function hasUrls(get: () => string[]): boolean {
  try {
    return get().length > 0;
  } catch {
    return true; // a malformed extension still names the method; the check reports it as Unknown
  }
}

/**
 * Default chain check before revocation checking, as notation-core-go's
 * x509util.ValidateChain: the Notary rules for the purpose (no validity time,
 * as Go passes none). Successes are remembered by fingerprints, since the
 * verifier has usually validated the same chain moments before.
 */
export function validateChainForPurpose(chain: Certificate[], purpose: Purpose): void {
  const key = purpose + ':' + chain.map((c) => c.fingerprint256).join(':');
  if (shapeOk.has(key)) return;
  if (purpose === 'timestamping') validateTimestampingChain(chain);
  else validateCodeSigningChain(chain);
  if (shapeOk.size >= 1000) shapeOk.clear();
  shapeOk.add(key);
}

/**
 * Lighter chain check (used by prefetchCrls): notation-core-go's chain
 * shape rules (a single self-signed certificate, or each certificate issued and
 * signed by the next with a self-signed root last). The verifier may pass the
 * full Notary rules through RevocationValidatorOptions.validateChain.
 */
export function validateChainShape(chain: Certificate[]): void {
  // Verified chains are remembered by fingerprint: re-checking costs signature verifications on every verification.
  const key = chain.map((c) => c.fingerprint256).join(':');
  if (shapeOk.has(key)) return;
  checkShape(chain);
  if (shapeOk.size >= 1000) shapeOk.clear();
  shapeOk.add(key);
}
const shapeOk = new Set<string>();

function checkShape(chain: Certificate[]): void {
  const q = (c: Certificate) => goQuote(c.subject);
  if (chain.length === 1) {
    const c = chain[0];
    if (!c.isSignedBy(c)) throw new Error(`invalid self-signed certificate. subject: ${q(c)}. Error: signature verification failed`);
    if (Buffer.compare(Buffer.from(c.rawIssuer), Buffer.from(c.rawSubject)) !== 0) {
      throw new Error(`invalid self-signed certificate. subject: ${q(c)}. Error: issuer (${c.issuer}) and subject (${c.subject}) are not the same`);
    }
    return;
  }
  chain.forEach((c, i) => {
    if (i === chain.length - 1) {
      if (!c.isSelfSigned()) throw new Error(`root certificate with subject ${q(c)} is not self-signed. Certificate chain must end with a valid self-signed root certificate`);
      return;
    }
    if (c.isSelfSigned()) {
      throw new Error(i === 0
        ? `leaf certificate with subject ${q(c)} is self-signed. Certificate chain must not contain self-signed leaf certificate`
        : `intermediate certificate with subject ${q(c)} is self-signed. Certificate chain must not contain self-signed intermediate certificate`);
    }
    const parent = chain[i + 1];
    if (Buffer.compare(Buffer.from(c.rawIssuer), Buffer.from(parent.rawSubject)) !== 0 || !c.isSignedBy(parent)) {
      throw new Error(`certificate with subject ${q(c)} is not issued by ${q(parent)}`);
    }
  });
}

/**
 * One verdict for a chain (notation-go revocationFinalResult and the TSA
 * variant): all OK/NonRevokable -> ok; any Revoked -> revoked (the revoked
 * certificate nearest the leaf is named); else unknown (the Unknown certificate
 * nearest the leaf is named). Also returns the lines notation logs.
 */
export function aggregateRevocationResults(results: CertRevocationResult[], chain: Array<{ subject: string }>, purpose: Purpose): RevocationVerdict {
  const who = purpose === 'timestamping' ? 'timestamping certificate' : 'signing certificate';
  if (results.length === 0) return { result: 'unknown', error: revErr(C.RESULT_INVALID, 'certificate revocation result cannot be empty'), logs: [] };
  if (results.length !== chain.length) {
    return { result: 'unknown', error: revErr(C.RESULT_INVALID, `length of certificate revocation result ${results.length} does not match length of the certificate chain ${chain.length}`), logs: [] };
  }
  const logs: RevocationLogLine[] = [];
  let ok = 0;
  let revokedSubject: string | undefined;
  let unknownSubject: string | undefined;
  for (let i = results.length - 1; i >= 0; i--) {
    const r = results[i];
    const subject = chain[i].subject;
    if (r.method === 'OCSPFallbackCRL') {
      logs.push({ level: 'warn', message: `OCSP check failed with unknown error and fallback to CRL check for certificate #${i + 1} in chain with subject ${goQuote(subject)}` });
    }
    for (const s of r.serverResults) {
      if (!s.error) continue;
      const fallbackOcsp = r.method === 'OCSPFallbackCRL' && s.method === 'OCSP';
      logs.push({
        level: fallbackOcsp ? 'debug' : 'error',
        message: `Certificate #${i + 1} in chain with subject ${goQuote(subject)} encountered an error for revocation method ${s.method} at URL ${goQuote(s.server)}: ${s.error.message}`,
      });
    }
    const res: RevocationResult = r.result;
    if (res === 'OK' || res === 'NonRevokable') ok++;
    else if (res === 'Revoked') revokedSubject = subject;
    else unknownSubject = subject;
    if (i < results.length - 1 && res === 'NonRevokable') {
      logs.push({ level: 'warn', message: `Certificate #${i + 1} in the chain with subject ${goQuote(subject)} neither has an OCSP nor a CRL revocation method.` });
    }
  }
  if (ok === results.length) return { result: 'ok', logs };
  if (revokedSubject !== undefined) return { result: 'revoked', subject: revokedSubject, error: revErr(C.REVOKED, `${who} with subject ${goQuote(revokedSubject)} is revoked`), logs };
  return { result: 'unknown', subject: unknownSubject ?? '', error: revErr(C.UNKNOWN, `${who} with subject ${goQuote(unknownSubject ?? '')} revocation status is unknown`), logs };
}
