/**
 * OCSP client as notation-core-go's revocation/internal/ocsp uses it: SHA-1
 * CertID, no nonce, GET with the base64 request in the path when short enough
 * else POST, 20 KiB cap, responses signed by the issuer or by a responder
 * certificate the issuer issued (with the OCSPSigning EKU), serial match,
 * nextUpdate required and not passed, invalidityDate vs the signing time.
 */
import { createHash } from 'node:crypto';
import { Certificate, OID } from '../x509/certificate.js';
import { DerError } from '../x509/der.js';
import { RevocationError } from '../errors.js';
import {
  Asn1Error, readTlv, children, content, expectTag, decodeOid, encodeOid, tlv, parseTime, parseExtensions, parseAlgorithm,
  serialKey, canonicalInteger, checkSignature, publicKeyOf, spkiKeyBits, HASH_BY_OID, type AlgorithmIdentifier,
} from './asn1.js';
import { RevocationCode as C, revErr } from './errors.js';
import { FetchError, type CertRevocationResult, type Fetcher, type ServerResult } from './types.js';
import type { Extension } from '../x509/certificate.js';

/** 20 KiB, as notation-core-go. */
export const MAX_OCSP_RESPONSE_BYTES = 20480;
const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_INVALIDITY_DATE = '2.5.29.24';
const OID_SHA1 = '1.3.14.3.2.26';

const RESPONSE_STATUS_TEXT: Record<number, string> = {
  1: 'OCSP malformed',
  2: 'OCSP internal error',
  3: 'OCSP try later',
  5: 'OCSP signature required',
  6: 'OCSP unauthorized',
};

/** OCSP URLs of a certificate's AIA extension, read as Go's cert.OCSPServer. */
export function certificateOcspUrls(cert: Certificate): string[] {
  const e = cert.extension(OID.authorityInfoAccess);
  if (!e) return [];
  const v = e.value;
  const top = readTlv(v, 0);
  if (top.tag !== 0x30) throw new Asn1Error('x509: invalid authority info access');
  const out: string[] = [];
  for (const ad of children(v, top)) {
    if (ad.tag !== 0x30) throw new Asn1Error('x509: invalid authority info access');
    const [m, loc] = children(v, ad);
    if (!m || m.tag !== 0x06 || !loc) throw new Asn1Error('x509: invalid authority info access');
    if (loc.tag !== 0x86) continue;
    if (decodeOid(content(v, m)) === OID.adOCSP) out.push(Buffer.from(content(v, loc)).toString('latin1'));
  }
  return out;
}

/** DER OCSPRequest for `cert` (SHA-1 CertID with a NULL parameter, no nonce, unsigned). */
export function createOcspRequest(cert: Certificate, issuer: Certificate): Uint8Array {
  const nameHash = createHash('sha1').update(issuer.rawSubject).digest();
  const keyHash = createHash('sha1').update(spkiKeyBits(issuer.spki)).digest();
  const certId = tlv(0x30,
    tlv(0x30, tlv(0x06, encodeOid(OID_SHA1)), Uint8Array.from([0x05, 0x00])),
    tlv(0x04, nameHash),
    tlv(0x04, keyHash),
    tlv(0x02, canonicalInteger(cert.serialNumber)),
  );
  return tlv(0x30, tlv(0x30, tlv(0x30, tlv(0x30, certId))));
}

/** URL and method for a request (Go: GET when the escaped base64 is under 255 chars). */
export function ocspRequestTarget(server: string, req: Uint8Array): { method: 'GET' | 'POST'; url: string } {
  const b64 = Buffer.from(req).toString('base64');
  if (b64.length >= 255) return { method: 'POST', url: server };
  const escaped = goQueryEscape(b64);
  if (escaped.length >= 255) return { method: 'POST', url: server };
  const u = new URL(server);
  const path = u.pathname.endsWith('/') ? u.pathname + escaped : `${u.pathname}/${escaped}`;
  return { method: 'GET', url: `${u.protocol}//${u.host}${path.replace(/^\/+/, '/')}${u.search}` };
}

/** Go's url.QueryEscape for the base64 alphabet. */
function goQueryEscape(s: string): string {
  return s.replace(/[+/=]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

export interface OcspResponse {
  status: OcspCertStatus;
  serial: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  revokedAt?: Date;
  revocationReason?: number;
  /** singleExtensions of the matching response. */
  extensions: Extension[];
  /** The embedded responder certificate, if any. */
  responder?: Certificate;
}

function perr(message: string): never {
  throw revErr(C.OCSP_ERROR, message);
}

/**
 * Parses and authenticates an OCSP response for `cert` issued by `issuer`
 * (golang.org/x/crypto/ocsp ParseResponseForCert, plus the OCSPSigning EKU and
 * CertID issuer-hash checks). Throws RevocationError OCSP_ERROR.
 */
export function parseOcspResponse(der: Uint8Array, cert: Certificate, issuer: Certificate): OcspResponse {
  try {
    return parseInner(der, cert, issuer);
  } catch (e) {
    if (e instanceof RevocationError) throw e;
    if (e instanceof Asn1Error || e instanceof DerError) perr(`asn1: ${e.message}`);
    perr((e as Error).message); // e.g. CertificateError from a malformed embedded certificate
  }
}

function parseInner(der: Uint8Array, cert: Certificate, issuer: Certificate): OcspResponse {
  const top = readTlv(der, 0);
  if (top.tag !== 0x30) perr('asn1: structure error: OCSP response is not a SEQUENCE');
  if (top.end !== der.length) perr('trailing data in OCSP response');
  const [statusT, bytesT] = children(der, top);
  const st = expectTag(statusT, 0x0a, 'malformed response status');
  const sc = content(der, st);
  if (sc.length !== 1) perr('asn1: malformed response status');
  if (sc[0] !== 0) perr(RESPONSE_STATUS_TEXT[sc[0]] ?? `ocsp: error from server: unknown status ${sc[0]}`);
  if (!bytesT || bytesT.tag !== 0xa0) perr('asn1: OCSP response has no responseBytes');
  const rb = expectTag(children(der, bytesT)[0], 0x30, 'malformed responseBytes');
  const [typeT, respT] = children(der, rb);
  if (decodeOid(content(der, expectTag(typeT, 0x06, 'malformed response type'))) !== OID_OCSP_BASIC) perr('bad OCSP response type');
  const basic = content(der, expectTag(respT, 0x04, 'malformed response'));

  const b = readTlv(basic, 0);
  if (b.tag !== 0x30) perr('asn1: malformed BasicOCSPResponse');
  if (b.end !== basic.length) perr('trailing data in OCSP response');
  const [tbsT, algT, sigT, certsT] = children(basic, b);
  expectTag(tbsT, 0x30, 'malformed tbsResponseData');
  const sigAlg: AlgorithmIdentifier = parseAlgorithm(basic, expectTag(algT, 0x30, 'malformed signature algorithm'));
  const sigBits = content(basic, expectTag(sigT, 0x03, 'malformed signature'));
  if (sigBits.length < 1 || sigBits[0] !== 0) perr('asn1: malformed signature');
  const signature = sigBits.subarray(1);
  const tbs = basic.subarray(tbsT.start, tbsT.end);

  const f = children(basic, tbsT);
  let i = 0;
  if (f[i]?.tag === 0xa0) i++; // version
  const rid = f[i++];
  if (!rid || (rid.tag !== 0xa1 && rid.tag !== 0xa2)) perr('invalid responder id tag');
  const producedT = f[i++];
  if (!producedT || producedT.tag !== 0x18) perr('asn1: malformed producedAt');
  parseTime(basic, producedT);
  const listT = expectTag(f[i++], 0x30, 'malformed responses');
  const singles = children(basic, listT);
  if (singles.length === 0) perr('OCSP response contains bad number of responses');
  if (singles.length > 1000) perr('OCSP response contains too many responses');

  // Pick the response for our serial (Go: first matching serial).
  const want = serialKey(cert.serialNumber);
  let chosen: ReturnType<typeof children> | undefined;
  let certIdParts: ReturnType<typeof children> | undefined;
  for (const s of singles) {
    if (s.tag !== 0x30) perr('asn1: malformed SingleResponse');
    const parts = children(basic, s);
    const cid = children(basic, expectTag(parts[0], 0x30, 'malformed CertID'));
    const serialT = expectTag(cid[3], 0x02, 'malformed CertID serial');
    if (serialKey(content(basic, serialT)) === want) {
      chosen = parts;
      certIdParts = cid;
      break;
    }
  }
  if (!chosen || !certIdParts) perr('no response matching the supplied certificate');

  // Signature: an embedded responder certificate issued by the issuer, or the issuer itself.
  let responder: Certificate | undefined;
  if (certsT) {
    if (certsT.tag !== 0xa0) perr('asn1: malformed certs');
    const seq = expectTag(children(basic, certsT)[0], 0x30, 'malformed certs');
    const first = children(basic, seq)[0];
    if (first) responder = new Certificate(basic.slice(first.start, first.end));
  }
  const signer = responder ?? issuer;
  const key = publicKeyOf(signer);
  if (typeof key === 'string') perr(`bad OCSP signature: ${key}`);
  const sigErr = checkSignature(sigAlg, tbs, signature, key);
  if (sigErr) perr(responder ? `bad signature on embedded certificate: ${sigErr}` : `bad OCSP signature: ${sigErr}`);
  if (responder && Buffer.compare(Buffer.from(responder.raw), Buffer.from(issuer.raw)) !== 0) {
    const ikey = publicKeyOf(issuer);
    if (typeof ikey === 'string') perr(`bad OCSP signature: ${ikey}`);
    const algT2 = children(responder.raw, readTlv(responder.raw, 0))[1];
    const rErr = checkSignature(parseAlgorithm(responder.raw, algT2), responder.tbs, responder.signatureValue, ikey);
    if (rErr) perr(`bad OCSP signature: ${rErr}`);
    // RFC 6960 4.2.2.2: a delegated responder must carry id-kp-OCSPSigning.
    let eku;
    try {
      eku = responder.extKeyUsage;
    } catch (e) {
      perr(`bad OCSP signature: ${(e as Error).message}`);
    }
    if (!eku || !eku.oids.includes(OID.ekuOCSPSigning)) perr(`bad OCSP signature: responder certificate with subject ${JSON.stringify(responder.subject)} is not authorized for OCSP signing (no OCSPSigning extended key usage)`);
  }

  // The single response.
  const p = chosen;
  let k = 1;
  const statusT2 = p[k++];
  if (!statusT2) perr('asn1: malformed certStatus');
  let status: OcspCertStatus;
  let revokedAt: Date | undefined;
  let revocationReason: number | undefined;
  if (statusT2.tag === 0x80) status = 'good';
  else if (statusT2.tag === 0x82) status = 'unknown';
  else if (statusT2.tag === 0xa1) {
    status = 'revoked';
    const ri = children(basic, statusT2);
    revokedAt = parseTime(basic, expectTag(ri[0], 0x18, 'malformed revocationTime'));
    if (ri[1]) {
      const en = expectTag(children(basic, expectTag(ri[1], 0xa0, 'malformed revocationReason'))[0], 0x0a, 'malformed revocationReason');
      revocationReason = content(basic, en)[0];
    }
  } else perr('asn1: malformed certStatus');
  const thisUpdate = parseTime(basic, expectTag(p[k++], 0x18, 'malformed thisUpdate'));
  let nextUpdate: Date | undefined;
  if (p[k]?.tag === 0xa0) nextUpdate = parseTime(basic, expectTag(children(basic, p[k++])[0], 0x18, 'malformed nextUpdate'));
  let extensions: Extension[] = [];
  if (p[k]?.tag === 0xa1) extensions = parseExtensions(basic, expectTag(children(basic, p[k++])[0], 0x30, 'malformed singleExtensions'));
  for (const x of extensions) if (x.critical) perr('unsupported critical extension');

  // CertID issuer hashes must be those of our issuer (same hash as the response uses).
  const hashName = HASH_BY_OID[decodeOid(content(basic, expectTag(children(basic, expectTag(certIdParts[0], 0x30, 'malformed CertID'))[0], 0x06, 'malformed CertID')))];
  if (!hashName) perr('unsupported issuer hash algorithm');
  const nameHash = content(basic, expectTag(certIdParts[1], 0x04, 'malformed CertID'));
  const keyHash = content(basic, expectTag(certIdParts[2], 0x04, 'malformed CertID'));
  const wantName = createHash(hashName).update(issuer.rawSubject).digest();
  const wantKey = createHash(hashName).update(spkiKeyBits(issuer.spki)).digest();
  if (!wantName.equals(nameHash) || !wantKey.equals(keyHash)) perr('OCSP response is for a certificate of another issuer');

  return { status, serial: want, thisUpdate, nextUpdate, revokedAt, revocationReason, extensions, responder };
}

export interface OcspCheckOptions {
  fetcher: Fetcher;
  timeoutMs: number;
  now: () => Date;
  signingTime?: Date;
  signal?: AbortSignal;
  /** Cache of authenticated answers by responder + issuer + serial, kept until nextUpdate. */
  cache?: Map<string, OcspResponse>;
}

/** Go's checkStatusFromServer for one responder URL. */
async function checkServer(cert: Certificate, issuer: Certificate, server: string, o: OcspCheckOptions): Promise<ServerResult> {
  const res = (error?: RevocationError, result?: ServerResult['result']): ServerResult => ({
    result: result ?? (error ? 'Unknown' : 'OK'), server, error, method: 'OCSP',
  });
  let scheme = '';
  try {
    scheme = new URL(server).protocol.replace(/:$/, '');
  } catch {
    scheme = '';
  }
  if (scheme.toLowerCase() !== 'http') return res(revErr(C.OCSP_ERROR, `error checking revocation status via OCSP: OCSPServer protocol ${scheme} is not supported`));

  const key = `${server}\u0000${issuer.fingerprint256}\u0000${serialKey(cert.serialNumber)}`;
  let resp = o.cache?.get(key);
  if (resp && (!resp.nextUpdate || o.now().getTime() > resp.nextUpdate.getTime())) {
    o.cache?.delete(key);
    resp = undefined;
  }
  if (!resp) {
    const req = createOcspRequest(cert, issuer);
    const target = ocspRequestTarget(server, req);
    let body: Uint8Array;
    try {
      const r = await o.fetcher(target.url, {
        method: target.method,
        headers: target.method === 'POST' ? { 'content-type': 'application/ocsp-request' } : undefined,
        body: target.method === 'POST' ? req : undefined,
        timeoutMs: o.timeoutMs,
        maxBytes: MAX_OCSP_RESPONSE_BYTES,
        signal: o.signal,
      });
      if (r.status !== 200) return res(revErr(C.OCSP_ERROR, `failed to retrieve OCSP: response had status code ${r.status}`));
      body = r.body;
    } catch (e) {
      if (e instanceof FetchError && e.kind === 'timeout') {
        return res(revErr(C.OCSP_TIMEOUT, `exceeded timeout threshold of ${(o.timeoutMs / 1000).toFixed(2)} seconds for OCSP check`, e));
      }
      const target2 = target.method === 'GET' ? `Get ${JSON.stringify(target.url)}` : `Post ${JSON.stringify(server)}`;
      return res(revErr(C.OCSP_ERROR, `error checking revocation status via OCSP: ${target2}: ${(e as Error)?.message ?? String(e)}`, e));
    }
    try {
      resp = parseOcspResponse(body, cert, issuer);
    } catch (e) {
      const m = (e as Error).message;
      return res(revErr(C.OCSP_ERROR, m.startsWith('error checking') ? m : `error checking revocation status via OCSP: ${m}`, e));
    }
    if (resp.nextUpdate && o.now().getTime() <= resp.nextUpdate.getTime()) o.cache?.set(key, resp);
  }
  // Go treats an absent nextUpdate as the zero time, i.e. already expired.
  if (!resp.nextUpdate || o.now().getTime() > resp.nextUpdate.getTime()) return res(revErr(C.OCSP_ERROR, 'error checking revocation status via OCSP: expired OCSP response'));
  if (resp.status === 'revoked' && o.signingTime) {
    const ext = resp.extensions.find((x) => x.oid === OID_INVALIDITY_DATE);
    if (ext) {
      try {
        const t = readTlv(ext.value, 0);
        if (t.tag === 0x18 && t.end === ext.value.length && o.signingTime.getTime() < parseTime(ext.value, t).getTime()) return res();
      } catch {
        // malformed invalidityDate: ignored, as Go does
      }
    }
  }
  if (resp.status === 'good') return res();
  if (resp.status === 'revoked') return res(revErr(C.OCSP_REVOKED, 'certificate is revoked via OCSP'), 'Revoked');
  return res(revErr(C.OCSP_UNKNOWN_STATUS, 'certificate has unknown status via OCSP'));
}

/**
 * OCSP check of one certificate (Go's internal/ocsp CertCheckStatus): responders
 * in order; the first definitive answer (good, revoked, or "unknown" status)
 * wins, otherwise every responder's error is kept and the result is Unknown.
 */
export async function checkOcsp(cert: Certificate, issuer: Certificate, o: OcspCheckOptions): Promise<CertRevocationResult> {
  let urls: string[];
  try {
    urls = certificateOcspUrls(cert);
  } catch (e) {
    return { result: 'Unknown', method: 'OCSP', serverResults: [{ result: 'Unknown', server: '', method: 'OCSP', error: revErr(C.OCSP_ERROR, `error checking revocation status via OCSP: ${(e as Error).message}`) }] };
  }
  if (urls.length === 0) {
    return { result: 'NonRevokable', method: 'OCSP', serverResults: [{ result: 'NonRevokable', server: '', method: 'OCSP' }] };
  }
  const results: ServerResult[] = [];
  for (const server of urls) {
    const r = await checkServer(cert, issuer, server, o);
    if (r.result === 'OK' || r.result === 'Revoked' || (r.result === 'Unknown' && r.error?.code === C.OCSP_UNKNOWN_STATUS)) {
      return { result: r.result, method: 'OCSP', serverResults: [r] };
    }
    results.push(r);
  }
  return { result: results[results.length - 1].result, method: 'OCSP', serverResults: results };
}
