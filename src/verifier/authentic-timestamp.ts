/**
 * The "authenticTimestamp" verification step (checklist 2.2, 2.3, 5.2 step 7),
 * mirroring notation-go verifier.go verifyAuthenticTimestamp / verifyTimestamp
 * with its message texts.
 *
 * - notary.x509: when the policy lists a `tsa:` store and verifyTimestamp is
 *   `always` (or absent), or `afterCertExpiry` with an expired signing chain, the
 *   countersignature must verify against the tsa roots and its time range must lie
 *   inside every signing certificate's validity. Otherwise every signing
 *   certificate must be valid now.
 * - notary.x509.signingAuthority: authenticSigningTime must lie inside every
 *   certificate's validity; any timestamp token is ignored.
 *
 * Synchronous on purpose: TSA chain revocation is the caller's (it is network
 * bound); the verified TSA chain is returned for that.
 */
import { NotationError, TimestampError, TrustStoreError, VerificationFailedError } from '../errors.js';
import { SIGNING_SCHEME_X509, type EnvelopeContent } from '../envelope/types.js';
import type { Certificate } from '../x509/certificate.js';
import { validateTimestampingChain } from '../x509/chain.js';
import { rfc1123z } from '../timestamp/goformat.js';
import type { parseTimestampToken } from '../timestamp/token.js';
import type { timestampRange } from '../timestamp/tstinfo.js';

/**
 * The timestamp token reader. Loaded only for a signature that carries a token:
 * its CMS/TSP schema modules cost ~2 ms to evaluate, which every CLI start paid.
 */
export interface TimestampLib {
  parseTimestampToken: typeof parseTimestampToken;
  timestampRange: typeof timestampRange;
}

let timestampLib: Promise<TimestampLib> | undefined;
export function loadTimestampLib(): Promise<TimestampLib> {
  timestampLib ??= Promise.all([import('../timestamp/token.js'), import('../timestamp/tstinfo.js')]).then(([token, info]) => ({
    parseTimestampToken: token.parseTimestampToken,
    timestampRange: info.timestampRange,
  }));
  return timestampLib;
}

export interface AuthenticTimestampArgs {
  content: EnvelopeContent;
  statement: {
    /** Statement name, for messages. */
    name?: string;
    trustStores: string[];
    signatureVerification: { verifyTimestamp?: string };
  };
  trustStore: { getCertificates(type: 'ca' | 'signingAuthority' | 'tsa', name: string): Certificate[] };
  now: Date;
  /** Required when the signature carries a token (loadTimestampLib). */
  timestampLib?: TimestampLib;
}

export interface AuthenticTimestampResult {
  /** Set when a timestamp countersignature was verified. */
  timestampVerified?: { genTime: Date; range: [Date, Date] };
  /** The verified TSA chain (signing certificate first): check its revocation (timestamping purpose). */
  tsaChain?: Certificate[];
}

const q = (s: string) => JSON.stringify(s);

/** Re-wraps an error with notation's prefix, keeping its code so its kind survives. */
function wrap(prefix: string, e: unknown, fallbackCode: string): TimestampError {
  const code = e instanceof NotationError ? e.code : fallbackCode;
  return new TimestampError(code, `${prefix}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

function isTsaStoreInPolicy(name: string, trustStores: string[]): boolean {
  for (const ts of trustStores) {
    const i = ts.indexOf(':');
    if (i < 0) {
      throw new TrustStoreError(
        'TRUST_STORE_VALUE_MISSING_SEPARATOR',
        `failed to check tsa trust store configuration in turst policy with error: invalid trust policy statement: ${q(name)} is missing separator in trust store value ${q(ts)}. The required format is <TrustStoreType>:<TrustStoreName>`,
      );
    }
    if (ts.slice(0, i) === 'tsa') return true;
  }
  return false;
}

function loadTsaRoots(args: AuthenticTimestampArgs): Certificate[] {
  const seen = new Set<string>();
  const certs: Certificate[] = [];
  const name = args.statement.name ?? '';
  for (const ts of args.statement.trustStores) {
    if (seen.has(ts)) continue;
    const i = ts.indexOf(':');
    if (i < 0) {
      throw new TrustStoreError(
        'TRUST_STORE_VALUE_MISSING_SEPARATOR',
        `error while loading the trust store, trust policy statement ${q(name)} is missing separator in trust store value ${q(ts)}. The required format is <TrustStoreType>:<TrustStoreName>`,
      );
    }
    if (ts.slice(0, i) !== 'tsa') continue;
    certs.push(...args.trustStore.getCertificates('tsa', ts.slice(i + 1)));
    seen.add(ts);
  }
  return certs;
}

/** Every certificate valid at `now` (the check when no timestamp is verified). */
function chainValidNow(chain: Certificate[], now: Date): void {
  const t = now.getTime();
  for (const cert of chain) {
    if (t < cert.notBefore.getTime()) {
      throw new VerificationFailedError('SIGNING_CERT_NOT_YET_VALID', `verification time is before certificate ${q(cert.subject)} validity period, it will be valid from ${q(rfc1123z(cert.notBefore))}`);
    }
    if (t > cert.notAfter.getTime()) {
      throw new VerificationFailedError('SIGNING_CERT_EXPIRED', `verification time is after certificate ${q(cert.subject)} validity period, it was expired at ${q(rfc1123z(cert.notAfter))}`);
    }
  }
}

/**
 * Runs the authentic-timestamp step. Returns what was verified; throws
 * TimestampError / VerificationFailedError / TrustStoreError with notation's texts.
 */
export function verifyAuthenticTimestamp(args: AuthenticTimestampArgs): AuthenticTimestampResult {
  const { signerInfo } = args.content;
  const chain = signerInfo.certificateChain;
  const now = args.now;

  if (signerInfo.signedAttributes.signingScheme !== SIGNING_SCHEME_X509) {
    const ast = signerInfo.signedAttributes.signingTime;
    for (const cert of chain) {
      if (ast < cert.notBefore || ast > cert.notAfter) {
        throw new VerificationFailedError('AUTHENTIC_SIGNING_TIME_OUTSIDE_CERT_VALIDITY', `certificate ${q(cert.subject)} was not valid when the digital signature was produced at ${q(rfc1123z(ast))}`);
      }
    }
    return {};
  }

  let perform = isTsaStoreInPolicy(args.statement.name ?? '', args.statement.trustStores);
  if (perform && args.statement.signatureVerification.verifyTimestamp === 'afterCertExpiry') {
    perform = chain.some((c) => now > c.notAfter);
  }
  if (!perform) {
    chainValidNow(chain, now);
    return {};
  }

  const raw = signerInfo.unsignedAttributes.timestampSignature;
  if (!raw || raw.length === 0) throw new TimestampError('TIMESTAMP_MISSING', 'no timestamp countersignature was found in the signature envelope');

  const lib = args.timestampLib;
  if (!lib) throw new TimestampError('TIMESTAMP_READER_MISSING', 'the timestamp countersignature cannot be read: the timestamp reader was not loaded (loadTimestampLib)');
  let token;
  try {
    token = lib.parseTimestampToken(raw);
  } catch (e) {
    throw wrap('failed to parse timestamp countersignature with error', e, 'TIMESTAMP_MALFORMED');
  }
  try {
    void token.info;
  } catch (e) {
    throw wrap('failed to get the timestamp TSTInfo with error', e, 'TIMESTAMP_MALFORMED');
  }
  let ts;
  try {
    ts = token.validate(signerInfo.signature);
  } catch (e) {
    throw wrap('failed to get timestamp from timestamp countersignature with error', e, 'TIMESTAMP_INVALID');
  }
  let roots: Certificate[];
  try {
    roots = loadTsaRoots(args);
  } catch (e) {
    throw wrap('failed to load tsa trust store with error', e, 'TRUST_STORE_ERROR');
  }
  if (roots.length === 0) throw new TimestampError('TSA_TRUST_STORE_EMPTY', 'no trusted TSA certificate found in trust store');
  let tsaChain: Certificate[];
  try {
    tsaChain = token.verifySignedToken({ roots, currentTime: ts.value });
  } catch (e) {
    throw wrap('failed to verify the timestamp countersignature with error', e, 'TIMESTAMP_INVALID');
  }
  try {
    validateTimestampingChain(tsaChain);
  } catch (e) {
    throw wrap('failed to validate the timestamping certificate chain with error', e, 'TSA_CHAIN_INVALID');
  }
  const range = lib.timestampRange(ts);
  for (const cert of chain) {
    if (range[0] < cert.notBefore) {
      throw new TimestampError('TIMESTAMP_OUTSIDE_CERT_VALIDITY', `timestamp can be before certificate ${q(cert.subject)} validity period, it will be valid from ${q(rfc1123z(cert.notBefore))}`);
    }
    if (range[1] > cert.notAfter) {
      throw new TimestampError('TIMESTAMP_OUTSIDE_CERT_VALIDITY', `timestamp can be after certificate ${q(cert.subject)} validity period, it was expired at ${q(rfc1123z(cert.notAfter))}`);
    }
  }
  return { timestampVerified: { genTime: ts.value, range }, tsaChain };
}
