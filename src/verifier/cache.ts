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
  /** Distinct encoded chains kept (default 128). */
  maxChains?: number;
}

/** Chains longer than this are not remembered (real ones have 2-4 certificates). */
const MAX_REMEMBERED_CHAIN = 8;

/** A Map that forgets its least recently used entry beyond `max`. */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  /** The most recently used key: a hit on it needs no reordering (batches repeat one key). */
  private newest: K | undefined;
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined && k !== this.newest) {
      this.map.delete(k);
      this.map.set(k, v);
      this.newest = k;
    }
    return v;
  }
  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    this.newest = k;
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
  get size(): number {
    return this.map.size;
  }
}

export class VerificationCache implements CertificateCache {
  private readonly certs: Lru<number, Certificate>;
  /** Ids of the certificates this cache handed out (only those get identity memos). */
  private readonly ids = new WeakMap<Certificate, number>();
  private nextId = 1;
  /** Leaf -> identity-list keys it satisfied (weak: lives as long as the certificate). */
  private readonly identities = new WeakMap<Certificate, Set<string>>();

  /** Encoded chain (own copy of the bytes) -> its parsed certificates. */
  private readonly chains: Lru<number, { encoded: Uint8Array; chain: readonly Certificate[] }>;

  constructor(opts: VerificationCacheOptions = {}) {
    this.certs = new Lru(opts.maxCertificates ?? 1024);
    this.chains = new Lru(opts.maxChains ?? 128);
  }

  chainFor(encoded: Uint8Array): readonly Certificate[] | undefined {
    const hit = this.chains.get(shortKey(encoded));
    return hit && view(hit.encoded).equals(view(encoded)) ? hit.chain : undefined;
  }

  rememberChain(encoded: Uint8Array, chain: readonly Certificate[]): void {
    if (chain.length === 0 || chain.length > MAX_REMEMBERED_CHAIN) return;
    // A copy: the encoded bytes are a view into the whole envelope.
    this.chains.set(shortKey(encoded), { encoded: new Uint8Array(encoded), chain: [...chain] });
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
  stats(): { certificates: number; chains: number } {
    return { certificates: this.certs.size, chains: this.chains.size };
  }
}

const view = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/**
 * A 32-bit mix of the length and the last 16 bytes (inside the signature value,
 * so effectively random): a number keys a Map faster than any string of the bytes.
 * The key only narrows the search: every hit is compared byte for byte, and two
 * encodings sharing a key just evict each other.
 */
function shortKey(der: Uint8Array): number {
  let h = Math.imul(der.length, 0x9e3779b1);
  const end = der.length;
  for (let i = Math.max(0, end - 16); i < end; i++) h = Math.imul(h ^ der[i], 0x01000193);
  return h >>> 0;
}

/** The identity-list key: policy name and identities, joined unambiguously. */
export function identityKey(policyName: string, identities: readonly string[]): string {
  return JSON.stringify([policyName, ...identities]);
}
