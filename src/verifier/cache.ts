/**
 * Per-Verifier memo of the work that depends only on certificate bytes: parsed
 * certificates (with their imported keys) and leaves that matched a statement's
 * trusted identities. With x509/chain.ts's memo of chains that passed the rules,
 * a batch of signatures by one signer costs one signature check plus parsing each.
 *
 * Keys are the exact DER bytes (never a digest or a name), only successes are
 * remembered, and every map is a bounded LRU, so memory stays flat however many
 * signatures go through one Verifier. Validity times, expiry, timestamps and
 * revocation are never cached: they depend on the clock.
 */
import type { CertificateCache } from '../envelope/base.js';
import type { Certificate } from '../x509/certificate.js';

export interface VerificationCacheOptions {
  /** Distinct certificates kept (default 1024). */
  maxCertificates?: number;
}

/** A Map that forgets its least recently used entry beyond `max`. */
class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
  get size(): number {
    return this.map.size;
  }
}

export class VerificationCache implements CertificateCache {
  private readonly certs: Lru<string, Certificate>;
  /** Ids of the certificates this cache handed out (only those get identity memos). */
  private readonly ids = new WeakMap<Certificate, number>();
  private nextId = 1;
  /** Leaf -> identity-list keys it satisfied (weak: lives as long as the certificate). */
  private readonly identities = new WeakMap<Certificate, Set<string>>();

  constructor(opts: VerificationCacheOptions = {}) {
    this.certs = new Lru(opts.maxCertificates ?? 1024);
  }

  certificate(der: Uint8Array, parse: (der: Uint8Array) => Certificate): Certificate {
    const key = shortKey(der);
    const hit = this.certs.get(key);
    // The short key only narrows the search: a hit must be byte-equal.
    if (hit && view(hit.raw).equals(view(der))) return hit;
    const cert = parse(der);
    this.certs.set(key, cert);
    this.ids.set(cert, this.nextId++);
    return cert;
  }

  /** Remembers already parsed certificates (a trust store's) under their bytes. */
  seed(certs: readonly Certificate[]): void {
    for (const cert of certs) {
      const key = shortKey(cert.raw);
      const hit = this.certs.get(key);
      if (hit && view(hit.raw).equals(view(cert.raw))) continue;
      this.certs.set(key, cert);
      if (!this.ids.has(cert)) this.ids.set(cert, this.nextId++);
    }
  }

  /** Whether `leaf` already satisfied this exact identity list (see identityKey). */
  identityMatched(leaf: Certificate, key: string): boolean {
    return this.identities.get(leaf)?.has(key) ?? false;
  }

  markIdentityMatched(leaf: Certificate, key: string): void {
    if (!this.ids.has(leaf)) return; // only certificates whose lifetime the LRU bounds
    let set = this.identities.get(leaf);
    if (!set) this.identities.set(leaf, (set = new Set()));
    if (set.size < 64) set.add(key);
  }

  /** Sizes, for tests and the memory benchmark. */
  stats(): { certificates: number } {
    return { certificates: this.certs.size };
  }
}

const view = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/**
 * Length plus the last 48 bytes (inside the signature value, so effectively
 * random): hashing a whole certificate as a string key costs more than the
 * lookup saves. Two certificates sharing a key just evict each other.
 */
function shortKey(der: Uint8Array): string {
  return `${der.length}:${view(der).toString('latin1', Math.max(0, der.length - 48))}`;
}

/** The identity-list key: policy name and identities, joined unambiguously. */
export function identityKey(policyName: string, identities: readonly string[]): string {
  return JSON.stringify([policyName, ...identities]);
}
