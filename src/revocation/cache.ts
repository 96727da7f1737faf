/**
 * CRL caches.
 *
 * - FileCrlCache: notation-go's verifier/crl FileCache format and place, so
 *   notation and notation-ts share one cache: `<cacheDir>/crl/<hex sha256(url)>`
 *   holding JSON `{"baseCRL": "<base64 DER>", "deltaCRL"?: "<base64 DER>"}`.
 *   An expired entry is a miss; a corrupt one is an error (the fetcher logs one
 *   warning and downloads again). Writes are atomic (temp file + rename).
 * - RevocationMemoryCache: parsed CRL bundles by URL until their nextUpdate and
 *   authenticated OCSP answers, shared by every verification that uses it, so a
 *   large CRL is parsed once and each lookup is a Map get.
 */
import { createHash, randomBytes } from 'node:crypto';
// fs.promises, read where used: loading node:fs/promises costs ~1 ms of every CLI
// start, and most verifications never touch the CRL cache.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { parseCrl, isEffective, type CrlBundle } from './crl.js';
import { RevocationCode as C, revErr, wrapErr } from './errors.js';
import type { OcspResponse } from './ocsp.js';
import { goTime } from './asn1.js';

/** Storage for CRL bundles keyed by URL (notation-core-go's crl.Cache). */
export interface CrlCache {
  /** The bundle, or undefined on a miss (absent or expired). Throws on a corrupt entry. */
  get(url: string, now: Date): Promise<CrlBundle | undefined>;
  set(url: string, bundle: CrlBundle): Promise<void>;
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class FileCrlCache implements CrlCache {
  /** Directory holding the entries: `<cacheDir>/crl`. */
  readonly root: string;

  /** `cacheDir` is notation's cache root (`$NOTATION_CACHE` or `~/.cache/notation`). */
  constructor(cacheDir: string, private readonly debug?: (m: string) => void) {
    this.root = join(cacheDir, 'crl');
  }

  static fileName(url: string): string {
    return createHash('sha256').update(url, 'utf8').digest('hex');
  }

  async get(url: string, now: Date): Promise<CrlBundle | undefined> {
    const path = join(this.root, FileCrlCache.fileName(url));
    let text: string;
    try {
      text = await fsp.readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.debug?.(`CRL file cache miss. Key ${JSON.stringify(url)} does not exist`);
        return undefined;
      }
      throw revErr(C.CRL_CACHE_ERROR, `failed to get crl bundle from file cache with key ${JSON.stringify(url)}: ${(e as Error).message}`, e);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw revErr(C.CRL_CACHE_ERROR, `failed to decode file retrieved from file cache: ${(e as Error).message}`, e);
    }
    const o = (doc && typeof doc === 'object' ? doc : {}) as { baseCRL?: unknown; deltaCRL?: unknown };
    const bytes = (v: unknown, name: string): Uint8Array | undefined => {
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string' || !B64.test(v)) throw revErr(C.CRL_CACHE_ERROR, `failed to decode file retrieved from file cache: ${name} is not base64`);
      return Buffer.from(v, 'base64');
    };
    const baseDer = bytes(o.baseCRL, 'baseCRL') ?? new Uint8Array();
    const deltaDer = bytes(o.deltaCRL, 'deltaCRL');
    let bundle: CrlBundle;
    try {
      bundle = { base: parseCrl(baseDer) };
    } catch (e) {
      throw wrapErr('failed to parse base CRL of file retrieved from file cache', e, C.CRL_CACHE_ERROR);
    }
    if (deltaDer) {
      try {
        bundle.delta = parseCrl(deltaDer);
      } catch (e) {
        throw wrapErr('failed to parse delta CRL of file retrieved from file cache', e, C.CRL_CACHE_ERROR);
      }
    }
    for (const [name, crl] of [['BaseCRL', bundle.base], ['DeltaCRL', bundle.delta]] as const) {
      if (!crl) continue;
      if (!crl.nextUpdate) throw revErr(C.CRL_CACHE_ERROR, `check ${name} expiry failed: crl bundle retrieved from file cache does not contain valid NextUpdate`);
      if (!isEffective(crl, now)) {
        this.debug?.(`CRL bundle retrieved from file cache has expired at ${goTime(crl.nextUpdate)}`);
        return undefined;
      }
    }
    return bundle;
  }

  async set(url: string, bundle: CrlBundle): Promise<void> {
    const doc: { baseCRL: string; deltaCRL?: string } = { baseCRL: Buffer.from(bundle.base.raw).toString('base64') };
    if (bundle.delta) doc.deltaCRL = Buffer.from(bundle.delta.raw).toString('base64');
    const path = join(this.root, FileCrlCache.fileName(url));
    const tmp = join(this.root, `.${FileCrlCache.fileName(url)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await fsp.mkdir(this.root, { recursive: true, mode: 0o700 });
      await fsp.writeFile(tmp, JSON.stringify(doc), { mode: 0o600 });
      await fsp.rename(tmp, path);
    } catch (e) {
      await fsp.unlink(tmp).catch(() => undefined);
      throw revErr(C.CRL_CACHE_ERROR, `failed to store crl bundle in file cache: ${(e as Error).message}`, e);
    }
  }
}

/** In-process cache of parsed CRL bundles and OCSP answers. */
export class RevocationMemoryCache {
  private readonly crls = new Map<string, CrlBundle>();
  /** OCSP answers by responder URL + issuer + serial (used by the OCSP client). */
  readonly ocsp = new Map<string, OcspResponse>();
  /** Bound on entries so a long-running process does not grow without limit. */
  constructor(readonly maxEntries = 1000) {}

  getCrl(url: string, now: Date): CrlBundle | undefined {
    const b = this.crls.get(url);
    if (!b) return undefined;
    if (!isEffective(b.base, now) || (b.delta && !isEffective(b.delta, now))) {
      this.crls.delete(url);
      return undefined;
    }
    return b;
  }

  setCrl(url: string, b: CrlBundle): void {
    if (this.crls.size >= this.maxEntries && !this.crls.has(url)) this.crls.delete(this.crls.keys().next().value!);
    this.crls.set(url, b);
    if (this.ocsp.size > this.maxEntries * 10) this.ocsp.clear();
  }

  clear(): void {
    this.crls.clear();
    this.ocsp.clear();
  }
}

/** The process-wide cache used by validators that are not given one. */
export const defaultRevocationCache = new RevocationMemoryCache();
