/**
 * Chain shape and per-position Notary rules (checklist 1.6), mirroring
 * notation-core-go ValidateCodeSigningCertChain / ValidateTimestampingCertChain:
 * leaf first, each certificate signed by the next one and naming it as issuer,
 * only the last one self-signed. A one-certificate chain must be a self-signed
 * certificate judged by the leaf rules. Synchronous: it is CPU work only.
 */
import { CertificateError } from '../errors.js';
import type { Certificate } from './certificate.js';
import { goQuote as q } from './goformat.js';
import { checkSignature, checkSignatureFrom } from './signature.js';
import {
  CertificateErrorCode as C,
  rethrowTyped,
  validateSigningTime,
  validateValidAt,
  validateCodeSigningLeafCertificate,
  validateCodeSigningCACertificate,
  validateTimestampingLeafCertificate,
  validateTimestampingCACertificate,
  type CertificatePurpose,
  type CodeSigningRuleOptions,
} from './rules.js';

/** Longest chain we evaluate (each link costs a signature check); real chains have 2-5. */
export const MAX_CHAIN_LENGTH = 32;

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

/** Result of a Go-style issuance check: `error` is Go's signature error text. */
export interface IssuanceResult {
  ok: boolean;
  error?: string;
}

/** Whether `issuer` issued `subject`: CheckSignatureFrom, then issuer name bytes equal. */
export function isIssuedBy(subject: Certificate, issuer: Certificate): IssuanceResult {
  if (subject === issuer) {
    // A root (trust anchor) is self-checked in every chain that ends in it: remember
    // the verdict per certificate instance (it depends on its bytes only).
    const known = selfIssuance.get(subject);
    if (known) return { ...known };
  }
  const error = checkSignatureFrom(subject, issuer);
  if (error) return { ok: false, error };
  const r = { ok: sameBytes(issuer.rawSubject, subject.rawIssuer) };
  if (subject === issuer) selfIssuance.set(subject, r);
  return { ...r };
}
const selfIssuance = new WeakMap<Certificate, IssuanceResult>();

/** Whether the certificate issued itself (notation-core-go isSelfSigned: the CA constraint applies). */
export function isSelfSigned(cert: Certificate): IssuanceResult {
  return isIssuedBy(cert, cert);
}

/**
 * notation's IsRootCertificate: self-signed under the CA constraints and
 * self-issued. A failing signature check throws (as Go returns its error).
 */
export function isRootCertificate(cert: Certificate): boolean {
  const error = checkSignatureFrom(cert, cert);
  if (error) throw new CertificateError(C.signatureInvalid, error);
  return sameBytes(cert.rawSubject, cert.rawIssuer);
}

/**
 * Validates a code-signing chain (leaf first) against the Notary rules, and
 * every certificate's validity at `signingTime` when given. Throws CertificateError.
 */
export function validateCodeSigningChain(chain: Certificate[], signingTime?: Date, opts: CodeSigningRuleOptions = {}): void {
  const any = !!opts.allowAnyExtendedKeyUsage;
  const byIdentity = passedByIdentity(chain, opts);
  const key = byIdentity ? undefined : memoKey(chain);
  if (byIdentity || (key !== undefined && passedChains.has(key, chain, any))) {
    // The time-independent rules passed for these exact bytes; only validity remains,
    // and with no other failure possible its first error is the one a full run reports.
    if (signingTime) rethrowTyped(() => chain.forEach((c) => validateSigningTime(c, signingTime)));
    if (!byIdentity) rememberIdentity(chain, opts);
    return;
  }
  rethrowTyped(() => validateChain(chain, 'codeSigning', signingTime, opts));
  if (key !== undefined) passedChains.add(key, chain, any);
  rememberIdentity(chain, opts);
}

// The same certificate instances (a verifier's cache hands them out) skip even the
// byte key: leaf -> chains (instance lists) that passed, a few per leaf.
const passedInstances = new WeakMap<Certificate, { chain: readonly Certificate[]; any: boolean }[]>();
function passedByIdentity(chain: readonly Certificate[], opts: CodeSigningRuleOptions): boolean {
  const any = !!opts.allowAnyExtendedKeyUsage;
  return (passedInstances.get(chain[0]) ?? []).some((p) => p.any === any && p.chain.length === chain.length && p.chain.every((c, i) => c === chain[i]));
}
function rememberIdentity(chain: readonly Certificate[], opts: CodeSigningRuleOptions): void {
  if (chain.length < 1 || chain.length > MAX_CHAIN_LENGTH) return;
  const list = passedInstances.get(chain[0]) ?? [];
  if (list.length >= 4) list.shift();
  list.push({ chain: [...chain], any: !!opts.allowAnyExtendedKeyUsage });
  passedInstances.set(chain[0], list);
}

/**
 * Code-signing chains that passed the rules (signatures, shape, extensions, key
 * spec), keyed by their exact DER bytes: a signer signs and self-verifies with
 * one chain many times, and a verifier sees one signer's chain again and again.
 * Bounded; successes only; validity times are never part of the memo. A numeric
 * digest of the chain picks the bucket (hashing kilobyte string keys cost more
 * than the lookup saves); a hit requires every certificate to be byte-equal.
 */
interface PassedChain {
  ders: Uint8Array[];
  any: boolean;
}
class PassedChains {
  private readonly map = new Map<number, PassedChain[]>();
  private count = 0;
  constructor(private readonly max: number) {}
  has(k: number, chain: readonly Certificate[], any: boolean): boolean {
    const bucket = this.map.get(k);
    return !!bucket && bucket.some((p) => p.any === any && p.ders.length === chain.length && p.ders.every((d, i) => sameBytes(d, chain[i].raw)));
  }
  add(k: number, chain: readonly Certificate[], any: boolean): void {
    if (this.has(k, chain, any)) return;
    // Forget the oldest buckets first (insertion order), so memory stays bounded.
    while (this.count >= this.max) {
      const [oldest, bucket] = this.map.entries().next().value as [number, PassedChain[]];
      this.map.delete(oldest);
      this.count -= bucket.length;
    }
    const bucket = this.map.get(k) ?? [];
    bucket.push({ ders: chain.map((c) => new Uint8Array(c.raw)), any }); // copies: raw may view a whole envelope
    this.map.set(k, bucket);
    this.count++;
  }
}
const passedChains = new PassedChains(256);

/** A 32-bit mix of each certificate's length and last 16 bytes (inside its signature value). */
function memoKey(chain: readonly Certificate[]): number | undefined {
  if (chain.length < 1 || chain.length > MAX_CHAIN_LENGTH) return undefined;
  let h = chain.length;
  for (const c of chain) {
    const d = c.raw;
    h = Math.imul(h ^ d.length, 0x9e3779b1);
    for (let i = Math.max(0, d.length - 16); i < d.length; i++) h = Math.imul(h ^ d[i], 0x01000193);
  }
  return h >>> 0;
}

/**
 * Validates a TSA chain (leaf first) against the Notary rules. notation-go
 * checks no validity here; when `atTime` is given (the token's genTime) every
 * certificate must also be valid then.
 */
export function validateTimestampingChain(chain: Certificate[], atTime?: Date): void {
  rethrowTyped(() => validateChain(chain, 'timestamping', atTime, {}));
}

function validateChain(chain: Certificate[], purpose: CertificatePurpose, time: Date | undefined, opts: CodeSigningRuleOptions): void {
  if (chain.length < 1) throw new CertificateError(C.chainEmpty, 'certificate chain must contain at least one certificate');
  if (chain.length > MAX_CHAIN_LENGTH) {
    throw new CertificateError(C.chainTooLong, `certificate chain has ${chain.length} certificates, more than the ${MAX_CHAIN_LENGTH} supported`);
  }
  const checkTime = (c: Certificate) => (purpose === 'codeSigning' ? validateSigningTime(c, time) : validateValidAt(c, time));
  const leafRules = (c: Certificate) => (purpose === 'codeSigning' ? validateCodeSigningLeafCertificate(c, opts) : validateTimestampingLeafCertificate(c));
  const caRules = (c: Certificate, pathLen: number) =>
    purpose === 'codeSigning' ? validateCodeSigningCACertificate(c, pathLen) : validateTimestampingCACertificate(c, pathLen);

  if (chain.length === 1) {
    const cert = chain[0];
    // Signature under its own key only: a self-signed leaf need not be a CA.
    const sigErr = checkSignature(cert, cert);
    if (sigErr) throw new CertificateError(C.chainInvalidSelfSigned, `invalid self-signed certificate. subject: ${q(cert.subject)}. Error: ${sigErr}`);
    if (!sameBytes(cert.rawSubject, cert.rawIssuer)) {
      // The two Go validators differ by one space here; keep each one's text.
      const gap = purpose === 'codeSigning' ? '' : ' ';
      throw new CertificateError(
        C.chainInvalidSelfSigned,
        `invalid self-signed certificate. subject: ${q(cert.subject)}. Error: issuer${gap}(${cert.issuer}) and subject${gap}(${cert.subject}) are not the same`,
      );
    }
    checkTime(cert);
    try {
      leafRules(cert);
    } catch (e) {
      const inner = e as CertificateError;
      throw new CertificateError(inner.code, `invalid self-signed certificate. Error: ${inner.message}`, { cause: e });
    }
    return;
  }

  const last = chain.length - 1;
  chain.forEach((cert, i) => {
    checkTime(cert);
    if (i === last) {
      const r = isSelfSigned(cert);
      if (r.error) {
        throw new CertificateError(
          C.chainInvalidRoot,
          `root certificate with subject ${q(cert.subject)} is invalid or not self-signed. Certificate chain must end with a valid self-signed root certificate. Error: ${r.error}`,
        );
      }
      if (!r.ok) {
        throw new CertificateError(
          C.chainInvalidRoot,
          `root certificate with subject ${q(cert.subject)} is not self-signed. Certificate chain must end with a valid self-signed root certificate`,
        );
      }
    } else {
      // A certificate whose issuer name differs from its subject can never count as
      // self-signed, so the (costly) signature check only runs when the names match.
      if (sameBytes(cert.rawSubject, cert.rawIssuer) && isSelfSigned(cert).ok) {
        throw i === 0
          ? new CertificateError(
              C.chainSelfSignedLeaf,
              `leaf certificate with subject ${q(cert.subject)} is self-signed. Certificate chain must not contain self-signed leaf certificate`,
            )
          : new CertificateError(
              C.chainSelfSignedIntermediate,
              `intermediate certificate with subject ${q(cert.subject)} is self-signed. Certificate chain must not contain self-signed intermediate certificate`,
            );
      }
      const parent = chain[i + 1];
      const r = isIssuedBy(cert, parent);
      if (r.error) {
        throw new CertificateError(
          C.chainNotIssuedBy,
          `invalid certificates or certificate with subject ${q(cert.subject)} is not issued by ${q(parent.subject)}. Error: ${r.error}`,
        );
      }
      if (!r.ok) throw new CertificateError(C.chainNotIssuedBy, `certificate with subject ${q(cert.subject)} is not issued by ${q(parent.subject)}`);
    }
    if (i === 0) leafRules(cert);
    else caRules(cert, i - 1);
  });
}
