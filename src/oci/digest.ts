/**
 * OCI content digests with go-digest's validation rules (sha256 / sha384 / sha512,
 * lowercase hex of the exact length), so we accept and reject what notation does.
 */
import { createHash } from 'node:crypto';
import { RepositoryError } from '../errors.js';

const ALGORITHMS: Record<string, { node: string; hexLength: number }> = {
  sha256: { node: 'sha256', hexLength: 64 },
  sha384: { node: 'sha384', hexLength: 96 },
  sha512: { node: 'sha512', hexLength: 128 },
};
// go-digest's DigestRegexp: algorithm components, then an encoded part.
const DIGEST_SHAPE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Returns go-digest's error text for an invalid digest, or undefined when valid. */
export function digestProblem(digest: string): string | undefined {
  const i = digest.indexOf(':');
  if (i <= 0 || i + 1 === digest.length) return 'invalid checksum digest format';
  const alg = ALGORITHMS[digest.slice(0, i)];
  if (!alg) return DIGEST_SHAPE.test(digest) ? 'unsupported digest algorithm' : 'invalid checksum digest format';
  const hex = digest.slice(i + 1);
  if (hex.length !== alg.hexLength) return 'invalid checksum digest length';
  if (!/^[a-f0-9]+$/.test(hex)) return 'invalid checksum digest format';
  return undefined;
}

export function isDigest(s: string): boolean {
  return digestProblem(s) === undefined;
}

/** Throws INVALID_DIGEST unless `digest` is a valid digest. */
export function parseDigest(digest: string): { algorithm: string; hex: string } {
  const p = digestProblem(digest);
  if (p) throw new RepositoryError('INVALID_DIGEST', `invalid digest ${JSON.stringify(digest)}: ${p}`);
  const i = digest.indexOf(':');
  return { algorithm: digest.slice(0, i), hex: digest.slice(i + 1) };
}

/** sha256 digest string of `bytes`. */
export function sha256Digest(bytes: Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex');
}

/** Digest of `bytes` with the algorithm of `like` (a valid digest). */
export function digestWithAlgorithmOf(like: string, bytes: Uint8Array): string {
  const { algorithm } = parseDigest(like);
  return `${algorithm}:` + createHash(ALGORITHMS[algorithm]!.node).update(bytes).digest('hex');
}

/** True when `bytes` has exactly `digest` (algorithm taken from the digest). */
export function matchesDigest(bytes: Uint8Array, digest: string): boolean {
  if (!isDigest(digest)) return false;
  return digestWithAlgorithmOf(digest, bytes) === digest;
}
