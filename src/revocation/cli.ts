/**
 * What the CLI wires in: revocation checkers for the verifier (one validator per
 * command, sharing notation's CRL file cache under the cache dir) and the
 * `cache crl fetch` pre-fill for air-gapped verification.
 */
import type { Certificate } from '../x509/certificate.js';
import { errorMessage } from '../errors.js';
import { RevocationValidator, validateChainShape } from './validator.js';
import { FileCrlCache, RevocationMemoryCache } from './cache.js';
import { certificateCrlUrls, fetchCrlBundle, validateCrlBundle } from './crl.js';
import { httpFetcher } from './http.js';
import type { Fetcher, RevocationLogger } from './types.js';

export interface RevocationCliOptions {
  /** notation's cache root (`$NOTATION_CACHE` or `~/.cache/notation`). */
  cacheDir: string;
  logger?: RevocationLogger;
  fetcher?: Fetcher;
}

/**
 * Checkers for VerifierOptions.revocation. Both purposes share one validator so
 * the "CRL cache error discarded" warning is printed once per command, as notation.
 */
export function revocationCheckers(o: RevocationCliOptions): { codeSigning: RevocationValidator; timestamping: RevocationValidator } {
  const v = new RevocationValidator({ cacheDir: o.cacheDir, logger: o.logger, fetcher: o.fetcher });
  return { codeSigning: v, timestamping: v };
}

export interface PrefetchedCrl {
  /** Subject of the certificate whose distribution point this is. */
  subject: string;
  url: string;
  ok: boolean;
  /** nextUpdate of the base CRL stored. */
  nextUpdate?: Date;
  error?: string;
}

/**
 * Downloads the CRLs (base + delta) of every non-root certificate of `chain`
 * (leaf first), checks each against its issuer, and stores the good ones in the
 * file cache, so that a later verification works without network access.
 */
export async function prefetchCrls(chain: Certificate[], o: RevocationCliOptions & { now?: () => Date; timeoutMs?: number }): Promise<PrefetchedCrl[]> {
  validateChainShape(chain);
  const cache = new FileCrlCache(o.cacheDir, (m) => o.logger?.debug?.(m));
  const now = o.now ?? (() => new Date());
  const out: PrefetchedCrl[] = [];
  for (let i = 0; i < chain.length - 1; i++) {
    const cert = chain[i];
    let urls: string[];
    try {
      urls = certificateCrlUrls(cert);
    } catch (e) {
      out.push({ subject: cert.subject, url: '', ok: false, error: errorMessage(e) });
      continue;
    }
    for (const url of urls) {
      try {
        const b = await fetchCrlBundle(url, { fetcher: o.fetcher ?? httpFetcher, timeoutMs: o.timeoutMs ?? 5000 });
        validateCrlBundle(b, chain[i + 1], now());
        await cache.set(url, b);
        out.push({ subject: cert.subject, url, ok: true, nextUpdate: b.base.nextUpdate });
      } catch (e) {
        out.push({ subject: cert.subject, url, ok: false, error: errorMessage(e) });
      }
    }
  }
  return out;
}

export { RevocationValidator, RevocationMemoryCache };
