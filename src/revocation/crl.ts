/**
 * CRLs the way notation-core-go handles them (revocation/crl, revocation/internal/crl):
 * a lean bounded DER reader for the CertificateList (pkijs/@peculiar choke on
 * large lists), the signature checked with node:crypto over the raw TBS bytes,
 * revoked serials indexed in a Map (entry details decoded only on a match), the
 * FreshestCRL / CDP URL parser, base + delta fetch, validation and the status
 * decision.
 */
import type { Certificate, Extension } from '../x509/certificate.js';
import { DerError } from '../x509/der.js';
import {
  Asn1Error, readTlv, children, content, expectTag, decodeOid, parseTime, isTime, parseExtensions, parseAlgorithm,
  serialKey, integerValue, checkSignature, publicKeyOf, certVersion, goTime, type AlgorithmIdentifier,
} from './asn1.js';
import { RevocationCode as C, revErr, wrapErr } from './errors.js';
import { FetchError, type Fetcher, type ServerResult, type CertRevocationResult } from './types.js';
import { RevocationError } from '../errors.js';

export const OID_CRL = {
  authorityKeyIdentifier: '2.5.29.35',
  crlNumber: '2.5.29.20',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  freshestCrl: '2.5.29.46',
  crlDistributionPoints: '2.5.29.31',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
} as const;

/** 32 MiB, as notation-core-go. */
export const MAX_CRL_BYTES = 32 * 1024 * 1024;
/** Hard cap on entries so a hostile CRL cannot exhaust memory (a 32 MiB CRL holds ~700k). */
export const MAX_CRL_ENTRIES = 2_000_000;

const REASON_CERTIFICATE_HOLD = 6;
const REASON_REMOVE_FROM_CRL = 8;

export interface CrlEntry {
  serial: string;
  revocationTime: Date;
  /** CRLReason code; 0 (unspecified) when absent, as Go. */
  reasonCode: number;
  extensions: Extension[];
}

/** A parsed CRL: header fields eagerly, revoked entries indexed by serial. */
export class ParsedCrl {
  /** Issuer fingerprints whose key verified this CRL's signature (memoised: the hash over a large TBS is the cost). */
  private readonly verifiedBy = new Set<string>();

  constructor(
    readonly raw: Uint8Array,
    readonly tbs: Uint8Array,
    readonly signatureAlgorithm: AlgorithmIdentifier,
    readonly signature: Uint8Array,
    readonly rawIssuer: Uint8Array,
    readonly thisUpdate: Date,
    readonly nextUpdate: Date | undefined,
    readonly extensions: Extension[],
    readonly number: bigint | undefined,
    /** Serial key -> offset(s) of the entry TLV in `raw`. */
    private readonly index: Map<string, number | number[]>,
    readonly entryCount: number,
  ) {}

  extension(oid: string): Extension | undefined {
    return this.extensions.find((e) => e.oid === oid);
  }

  /** Entries for a serial (INTEGER content bytes), in CRL order. */
  entriesFor(serial: Uint8Array): CrlEntry[] {
    const hit = this.index.get(serialKey(serial));
    if (hit === undefined) return [];
    try {
      return (typeof hit === 'number' ? [hit] : hit).map((off) => decodeEntry(this.raw, off));
    } catch (e) {
      throw revErr(C.CRL_MALFORMED, `x509: malformed crl entry: ${(e as Error).message}`, e);
    }
  }

  /** Verifies the signature with `issuer`'s key the way Go's RevocationList.CheckSignatureFrom does. */
  checkSignatureFrom(issuer: Certificate): string | undefined {
    if (this.verifiedBy.has(issuer.fingerprint256)) return undefined;
    let bc;
    let ku;
    try {
      bc = issuer.basicConstraints;
      ku = issuer.keyUsage;
    } catch (e) {
      return (e as Error).message;
    }
    if ((certVersion(issuer) === 3 && !bc) || (bc && !bc.cA)) return 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
    if (ku && ku.bits !== 0 && (ku.bits & (1 << 6)) === 0) return 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
    const key = publicKeyOf(issuer);
    if (typeof key === 'string') return key;
    const err = checkSignature(this.signatureAlgorithm, this.tbs, this.signature, key);
    if (!err) this.verifiedBy.add(issuer.fingerprint256);
    return err;
  }
}

function malformed(msg: string): never {
  throw revErr(C.CRL_MALFORMED, `x509: ${msg}`);
}

/**
 * Parses a DER CertificateList with the checks of Go's x509.ParseRevocationList
 * (v2 only, inner/outer algorithm equal, well-formed entries and extensions).
 * Throws RevocationError CRL_MALFORMED with Go's message texts.
 */
export function parseCrl(der: Uint8Array): ParsedCrl {
  if (der.length > MAX_CRL_BYTES) throw revErr(C.CRL_TOO_LARGE, `CRL size exceeds the limit: ${MAX_CRL_BYTES}`);
  try {
    return parseCrlInner(der);
  } catch (e) {
    if ((e as RevocationError).code === C.CRL_MALFORMED || (e as RevocationError).code === C.CRL_TOO_LARGE) throw e;
    if (e instanceof Asn1Error || e instanceof DerError) malformed(`malformed crl: ${e.message}`);
    throw e;
  }
}

function parseCrlInner(buf: Uint8Array): ParsedCrl {
  let top;
  try {
    top = readTlv(buf, 0);
  } catch {
    malformed('malformed crl');
  }
  if (top.tag !== 0x30) malformed('malformed crl');
  // Go reads the first element only; bytes after it are ignored.
  const raw = buf.subarray(0, top.end);
  let outer;
  try {
    outer = children(buf, top);
  } catch {
    malformed('malformed crl');
  }
  const [tbsT, algT, sigT] = outer;
  if (!tbsT || tbsT.tag !== 0x30) malformed('malformed tbs crl');
  const f = children(buf, tbsT);
  let i = 0;
  if (f[i]?.tag !== 0x02) malformed('unsupported crl version');
  const version = integerValue(content(buf, f[i++]));
  if (version !== 1n) malformed(`unsupported crl version: ${version}`);
  const innerAlgT = f[i++];
  if (!innerAlgT || innerAlgT.tag !== 0x30) malformed('malformed signature algorithm identifier');
  if (!algT || algT.tag !== 0x30) malformed('malformed algorithm identifier');
  if (Buffer.compare(content(buf, innerAlgT), content(buf, algT)) !== 0) malformed("inner and outer signature algorithm identifiers don't match");
  const sigAlg = parseAlgorithm(buf, algT);
  if (!sigT || sigT.tag !== 0x03 || sigT.end - sigT.contentStart < 1 || buf[sigT.contentStart] > 7) malformed('malformed signature');
  const signature = content(buf, sigT).subarray(1);
  const issuerT = f[i++];
  if (!issuerT || issuerT.tag !== 0x30) malformed('malformed issuer');
  for (const set of children(buf, issuerT)) if (set.tag !== 0x31) malformed('invalid RDNSequence');
  if (!isTime(f[i])) malformed('malformed time');
  const thisUpdate = parseTime(buf, f[i++]);
  let nextUpdate: Date | undefined;
  if (isTime(f[i])) nextUpdate = parseTime(buf, f[i++]);
  const index = new Map<string, number | number[]>();
  let count = 0;
  if (f[i]?.tag === 0x30) {
    const list = f[i++];
    let p = list.contentStart;
    while (p < list.end) {
      const e = readTlv(buf, p, list.end);
      if (e.tag !== 0x30) malformed('malformed crl');
      if (++count > MAX_CRL_ENTRIES) throw revErr(C.CRL_TOO_LARGE, `CRL holds more than ${MAX_CRL_ENTRIES} entries`);
      const serialT = readTlv(buf, e.contentStart, e.end);
      if (serialT.tag !== 0x02 || serialT.end === serialT.contentStart) malformed('malformed serial number');
      checkEntryShape(buf, serialT.end, e.end);
      const key = serialKey(content(buf, serialT));
      const prev = index.get(key);
      if (prev === undefined) index.set(key, e.start);
      else if (typeof prev === 'number') index.set(key, [prev, e.start]);
      else prev.push(e.start);
      p = e.end;
    }
  }
  let extensions: Extension[] = [];
  let number: bigint | undefined;
  if (f[i]?.tag === 0xa0) {
    const wrap = children(buf, f[i++]);
    if (wrap.length !== 1 || wrap[0].tag !== 0x30) malformed('malformed extensions');
    extensions = parseExtensions(buf, wrap[0]);
    const n = extensions.find((x) => x.oid === OID_CRL.crlNumber);
    if (n) number = readInteger(n.value, 'malformed crl number');
  }
  return new ParsedCrl(raw, buf.subarray(tbsT.start, tbsT.end), sigAlg, signature, buf.subarray(issuerT.start, issuerT.end), thisUpdate, nextUpdate, extensions, number, index, count);
}

/** Structure check of the rest of an entry (time + optional extensions) without building objects. */
function checkEntryShape(buf: Uint8Array, p: number, end: number): void {
  const t = readTlv(buf, p, end);
  if (!isTime(t)) malformed('malformed time');
  parseTime(buf, t); // Go rejects the whole CRL for one bad time
  if (t.end === end) return;
  const exts = readTlv(buf, t.end, end);
  if (exts.tag !== 0x30 || exts.end !== end) malformed('malformed extensions');
  let q = exts.contentStart;
  while (q < exts.end) {
    const x = readTlv(buf, q, exts.end);
    if (x.tag !== 0x30) malformed('malformed extension');
    const oid = readTlv(buf, x.contentStart, x.end);
    if (oid.tag !== 0x06) malformed('malformed extension OID field');
    let v = readTlv(buf, oid.end, x.end);
    if (v.tag === 0x01) v = readTlv(buf, v.end, x.end);
    if (v.tag !== 0x04 || v.end !== x.end) malformed('malformed extension');
    // reasonCode (2.5.29.21 = 55 1d 15) must hold an ENUMERATED, as Go checks while parsing.
    if (oid.end - oid.contentStart === 3 && buf[oid.contentStart] === 0x55 && buf[oid.contentStart + 1] === 0x1d && buf[oid.contentStart + 2] === 0x15) {
      const en = readTlv(buf, v.contentStart, v.end);
      if (en.tag !== 0x0a || en.end === en.contentStart || en.end - en.contentStart > 4) malformed('malformed reasonCode extension');
    }
    q = x.end;
  }
}

function decodeEntry(buf: Uint8Array, off: number): CrlEntry {
  const e = readTlv(buf, off);
  const [serialT, timeT, extT] = children(buf, e);
  const extensions = extT ? parseExtensions(buf, extT) : [];
  let reasonCode = 0;
  const r = extensions.find((x) => x.oid === OID_CRL.reasonCode);
  if (r) {
    const t = readTlv(r.value, 0);
    reasonCode = Number(integerValue(content(r.value, t)));
  }
  return { serial: serialKey(content(buf, serialT)), revocationTime: parseTime(buf, timeT), reasonCode, extensions };
}

function readInteger(der: Uint8Array, what: string): bigint {
  try {
    const t = readTlv(der, 0);
    if (t.tag !== 0x02 || t.end === t.contentStart) throw new Asn1Error(what);
    return integerValue(content(der, t));
  } catch {
    malformed(what);
  }
}

/**
 * URIs of a CRLDistributionPoints / FreshestCRL extension value, read exactly as
 * Go's crypto/x509 (and notation-core-go's copy) does: fullName URIs only,
 * stopping at the first non-URI general name, DPs without a name skipped.
 * Throws FRESHEST_CRL_MALFORMED with Go's texts.
 */
export function parseDistributionPointUrls(value: Uint8Array): string[] {
  const bad = (plural = false): never => {
    throw revErr(C.FRESHEST_CRL_MALFORMED, plural ? 'x509: invalid CRL distribution points' : 'x509: invalid CRL distribution point');
  };
  let top;
  try {
    top = readTlv(value, 0);
  } catch {
    return bad(true);
  }
  if (top.tag !== 0x30) bad(true);
  const urls: string[] = [];
  let p = top.contentStart;
  while (p < top.end) {
    let dp;
    try {
      dp = readTlv(value, p, top.end);
    } catch {
      return bad();
    }
    if (dp.tag !== 0x30) bad();
    p = dp.end;
    // Go peeks the tag byte first: anything but [0] means "no distributionPoint".
    if (dp.contentStart === dp.end || value[dp.contentStart] !== 0xa0) continue;
    let name;
    try {
      name = readTlv(value, dp.contentStart, dp.end);
    } catch {
      return bad();
    }
    let full;
    try {
      full = name.contentStart < name.end ? readTlv(value, name.contentStart, name.end) : undefined;
    } catch {
      return bad();
    }
    if (!full || full.tag !== 0xa0) return bad();
    let q = full.contentStart;
    while (q < full.end) {
      let gn;
      try {
        gn = readTlv(value, q, full.end);
      } catch {
        // Go peeks the tag before reading: a truncated non-URI name just ends the list.
        if (value[q] !== 0x86) break;
        return bad();
      }
      if (gn.tag !== 0x86) break;
      urls.push(Buffer.from(content(value, gn)).toString('latin1'));
      q = gn.end;
    }
  }
  return urls;
}

/** CRL distribution point URLs of a certificate (Go's cert.CRLDistributionPoints). */
export function certificateCrlUrls(cert: Certificate): string[] {
  const e = cert.extension(OID_CRL.crlDistributionPoints);
  return e ? parseDistributionPointUrls(e.value) : [];
}

/** A base CRL and the delta CRL its FreshestCRL extension points at, if any. */
export interface CrlBundle {
  base: ParsedCrl;
  delta?: ParsedCrl;
}

export interface CrlDownloadOptions {
  fetcher: Fetcher;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Downloads and parses one CRL (Go's fetchCRL): http only, GET, 32 MiB cap. */
export async function downloadCrl(url: string, o: CrlDownloadOptions): Promise<ParsedCrl> {
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    throw revErr(C.CRL_FETCH_FAILED, `invalid CRL URL: parse ${JSON.stringify(url)}: ${(e as Error).message}`, e);
  }
  if (u.protocol !== 'http:') throw revErr(C.CRL_UNSUPPORTED, `unsupported scheme: ${u.protocol.replace(/:$/, '')}. Only supports CRL URL in HTTP protocol`);
  let res;
  try {
    res = await o.fetcher(url, { method: 'GET', timeoutMs: o.timeoutMs, maxBytes: MAX_CRL_BYTES - 1, signal: o.signal });
  } catch (e) {
    if (e instanceof FetchError && e.kind === 'too-large') throw revErr(C.CRL_TOO_LARGE, `CRL size exceeds the limit: ${MAX_CRL_BYTES}`, e);
    throw revErr(C.CRL_FETCH_FAILED, `request failed: Get ${JSON.stringify(url)}: ${(e as Error)?.message ?? String(e)}`, e);
  }
  if (res.status !== 200) throw revErr(C.CRL_FETCH_FAILED, `failed to download with status code: ${res.status}`);
  if (res.body.length >= MAX_CRL_BYTES) throw revErr(C.CRL_TOO_LARGE, `CRL size exceeds the limit: ${MAX_CRL_BYTES}`);
  return parseCrl(res.body);
}

/**
 * Delta CRL named by a FreshestCRL extension among `extensions` (Go's
 * fetchDeltaCRL): its URLs are tried in order until one succeeds. Throws
 * DELTA_CRL_NOT_FOUND when there is no such extension or no URL.
 */
export async function fetchDeltaCrl(extensions: Extension[], o: CrlDownloadOptions): Promise<ParsedCrl> {
  const ext = extensions.find((e) => e.oid === OID_CRL.freshestCrl);
  if (!ext) throw revErr(C.DELTA_CRL_NOT_FOUND, 'delta CRL not found');
  let urls: string[];
  try {
    urls = parseDistributionPointUrls(ext.value);
  } catch (e) {
    throw wrapErr('failed to parse Freshest CRL extension', e, C.FRESHEST_CRL_MALFORMED);
  }
  if (urls.length === 0) throw revErr(C.DELTA_CRL_NOT_FOUND, 'delta CRL not found');
  let last: unknown;
  for (const url of urls) {
    try {
      return await downloadCrl(url, o);
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/** Downloads a base CRL and its delta (Go's HTTPFetcher.fetch, without the cache). */
export async function downloadCrlBundle(url: string, o: CrlDownloadOptions): Promise<CrlBundle> {
  const base = await downloadCrl(url, o);
  try {
    return { base, delta: await fetchDeltaCrl(base.extensions, o) };
  } catch (e) {
    if ((e as RevocationError).code === C.DELTA_CRL_NOT_FOUND) return { base };
    throw e;
  }
}

/**
 * Go's HTTPFetcher.Fetch without a cache: base CRL plus the delta CRL its
 * FreshestCRL names. Errors read "failed to retrieve CRL: <cause>".
 */
export async function fetchCrlBundle(url: string, o: CrlDownloadOptions): Promise<CrlBundle> {
  if (!url) throw revErr(C.CRL_FETCH_FAILED, 'CRL URL cannot be empty');
  try {
    return await downloadCrlBundle(url, o);
  } catch (e) {
    throw wrapErr('failed to retrieve CRL', e, C.CRL_FETCH_FAILED);
  }
}

/** Whether a CRL may still be used at `now` (NextUpdate set and not passed). */
export function isEffective(crl: ParsedCrl, now: Date): boolean {
  return crl.nextUpdate !== undefined && now.getTime() <= crl.nextUpdate.getTime();
}

/** Freshness check with an actionable message (used for cached CRLs). */
export function checkCrlFreshness(crl: ParsedCrl, now: Date): void {
  if (!crl.nextUpdate) throw revErr(C.CRL_INVALID, 'CRL NextUpdate is not set');
  if (now.getTime() > crl.nextUpdate.getTime()) throw revErr(C.CRL_EXPIRED, `CRL has expired at ${goTime(crl.nextUpdate)}`);
}

function validateOne(crl: ParsedCrl, issuer: Certificate, now: Date): void {
  const sigErr = crl.checkSignatureFrom(issuer);
  if (sigErr) throw revErr(C.CRL_INVALID, `CRL is not signed by CA ${issuer.subject}: ${sigErr},`);
  if (!crl.nextUpdate) throw revErr(C.CRL_INVALID, 'CRL NextUpdate is not set');
  if (now.getTime() > crl.nextUpdate.getTime()) throw revErr(C.CRL_EXPIRED, `expired CRL. Current time ${goTime(now)} is after CRL NextUpdate ${goTime(crl.nextUpdate)}`);
  for (const ext of crl.extensions) {
    if (ext.oid === OID_CRL.issuingDistributionPoint || ext.oid === OID_CRL.deltaCrlIndicator) continue;
    if (ext.critical) throw revErr(C.CRL_UNSUPPORTED, `unsupported critical extension found in CRL: ${ext.oid}`);
  }
}

/** Go's validate(bundle, issuer): signatures, freshness, critical extensions, delta numbering. */
export function validateCrlBundle(b: CrlBundle, issuer: Certificate, now: Date): void {
  try {
    validateOne(b.base, issuer, now);
  } catch (e) {
    throw wrapErr('failed to validate base CRL', e, C.CRL_INVALID);
  }
  const d = b.delta;
  if (!d) return;
  try {
    validateOne(d, issuer, now);
  } catch (e) {
    throw wrapErr('failed to validate delta CRL', e, C.CRL_INVALID);
  }
  if (d.number === undefined || b.base.number === undefined || d.number <= b.base.number) {
    throw revErr(C.CRL_INVALID, `delta CRL number ${d.number ?? '<nil>'} is not greater than the base CRL number ${b.base.number ?? '<nil>'}`);
  }
  const ind = d.extension(OID_CRL.deltaCrlIndicator);
  if (!ind) throw revErr(C.CRL_INVALID, 'delta CRL indicator extension is not found');
  let min: bigint;
  try {
    min = readInteger(ind.value, 'x');
  } catch {
    throw revErr(C.CRL_INVALID, 'failed to parse delta CRL indicator extension');
  }
  if (min > b.base.number) throw revErr(C.CRL_INVALID, `delta CRL indicator ${min} is not less than or equal to the base CRL number ${b.base.number}`);
}

/**
 * Status of `cert` in a validated bundle (Go's checkRevocation): an
 * invalidityDate after the signing time clears the entry; certificateHold
 * counts unless a later removeFromCRL exists; any other reason revokes.
 */
export function crlStatus(cert: Certificate, b: CrlBundle, url: string, signingTime?: Date): ServerResult {
  const entries = [...b.base.entriesFor(cert.serialNumber), ...(b.delta ? b.delta.entriesFor(cert.serialNumber) : [])];
  let latestTemp: CrlEntry | undefined;
  for (const e of entries) {
    let invalidityDate: Date | undefined;
    for (const x of e.extensions) {
      if (x.oid === OID_CRL.invalidityDate) {
        try {
          const t = readTlv(x.value, 0);
          if (t.tag !== 0x18) throw new Asn1Error('not a GeneralizedTime');
          if (t.end !== x.value.length) throw revErr(C.CRL_MALFORMED, 'invalid invalidity date extension: trailing data');
          invalidityDate = parseTime(x.value, t);
        } catch (err) {
          if (err instanceof RevocationError) throw err;
          throw revErr(C.CRL_MALFORMED, `failed to parse invalidity date: ${(err as Error).message}`, err);
        }
      } else if (x.critical) {
        throw revErr(C.CRL_UNSUPPORTED, `unsupported critical extension found in CRL: ${x.oid}`);
      }
    }
    if (signingTime && invalidityDate && signingTime.getTime() < invalidityDate.getTime()) {
      return { result: 'OK', server: url, method: 'CRL' };
    }
    if (e.reasonCode === REASON_CERTIFICATE_HOLD || e.reasonCode === REASON_REMOVE_FROM_CRL) {
      if (!latestTemp || latestTemp.revocationTime.getTime() < e.revocationTime.getTime()) latestTemp = e;
    } else {
      return { result: 'Revoked', server: url, method: 'CRL' };
    }
  }
  if (latestTemp && latestTemp.reasonCode === REASON_CERTIFICATE_HOLD) {
    return { result: 'Revoked', server: url, method: 'CRL' };
  }
  return { result: 'OK', server: url, method: 'CRL' };
}

/** Source of CRL bundles (with caching) used by checkCrl. */
export type CrlBundleSource = (url: string) => Promise<CrlBundle>;

/**
 * CRL check of one certificate (Go's internal/crl CertCheckStatus): every CDP
 * URL is fetched and validated; the first error makes the result Unknown.
 */
export async function checkCrl(cert: Certificate, issuer: Certificate, o: { source: CrlBundleSource; now: () => Date; signingTime?: Date }): Promise<CertRevocationResult> {
  let urls: string[];
  try {
    urls = certificateCrlUrls(cert);
  } catch (e) {
    return unknown('', wrapErr('failed to parse CRL distribution points', e, C.CRL_INVALID));
  }
  if (urls.length === 0) {
    return { result: 'NonRevokable', method: 'CRL', serverResults: [{ result: 'NonRevokable', server: '', method: 'CRL', error: revErr(C.CRL_UNSUPPORTED, 'CRL is not supported') }] };
  }
  const hasFreshestInCert = cert.extension(OID_CRL.freshestCrl) !== undefined;
  const results: ServerResult[] = [];
  for (const url of urls) {
    let bundle: CrlBundle;
    try {
      bundle = await o.source(url);
    } catch (e) {
      return unknown(url, wrapErr(`failed to download CRL from ${url}`, e, C.CRL_FETCH_FAILED));
    }
    if (hasFreshestInCert && !bundle.delta) return unknown(url, revErr(C.CRL_UNSUPPORTED, 'freshest CRL from certificate extension is not supported'));
    try {
      validateCrlBundle(bundle, issuer, o.now());
    } catch (e) {
      return unknown(url, wrapErr(`failed to validate CRL from ${url}`, e, C.CRL_INVALID));
    }
    let r: ServerResult;
    try {
      r = crlStatus(cert, bundle, url, o.signingTime);
    } catch (e) {
      return unknown(url, wrapErr(`failed to check revocation status from ${url}`, e, C.CRL_INVALID));
    }
    if (r.result === 'Revoked') return { result: 'Revoked', method: 'CRL', serverResults: [r] };
    results.push(r);
  }
  return { result: 'OK', method: 'CRL', serverResults: results };
}

function unknown(server: string, error: RevocationError): CertRevocationResult {
  return { result: 'Unknown', method: 'CRL', serverResults: [{ result: 'Unknown', server, error, method: 'CRL' }] };
}

export { decodeOid, expectTag };
