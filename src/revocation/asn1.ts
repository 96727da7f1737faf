/**
 * Small DER helpers shared by the OCSP and CRL code: OIDs, integers, times, a
 * tiny encoder for OCSP requests, signature checks the way Go's
 * Certificate.CheckSignature does them, and Go-style rendering of times and
 * quoted strings for messages.
 */
import { constants, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { readTlv, children, content, decodeOid as derDecodeOid, encodeTlv, type Tlv } from '../x509/der.js';
import type { Certificate, Extension } from '../x509/certificate.js';
import { SIGNATURE_ALGORITHMS, PSS_HASHES, parsePssParams } from '../x509/sigalg.js';

/** Thrown by the helpers below for malformed input; callers wrap it in a RevocationError. */
export class Asn1Error extends Error {}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new Asn1Error(what);
  return t;
}

export function decodeOid(c: Uint8Array): string {
  try {
    return derDecodeOid(c);
  } catch (e) {
    throw new Asn1Error((e as Error).message);
  }
}

export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  const out: number[] = [];
  const push = (n: number) => {
    const bytes = [n & 0x7f];
    for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) bytes.unshift((n & 0x7f) | 0x80);
    out.push(...bytes);
  };
  push(arcs[0] * 40 + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return Uint8Array.from(out);
}

/** DER TLV with the given tag around `body`. */
export const tlv = encodeTlv;

/**
 * Canonical two's-complement bytes of an INTEGER's content (strips redundant
 * sign bytes), so that serials compare by value as Go's big.Int.Cmp does.
 */
export function canonicalInteger(c: Uint8Array): Uint8Array {
  if (c.length === 0) throw new Asn1Error('empty integer');
  let i = 0;
  while (i < c.length - 1 && ((c[i] === 0x00 && c[i + 1] < 0x80) || (c[i] === 0xff && c[i + 1] >= 0x80))) i++;
  return c.subarray(i);
}

/** Map key for a serial number. */
export function serialKey(c: Uint8Array): string {
  return Buffer.from(canonicalInteger(c)).toString('hex');
}

/** INTEGER content as a bigint (two's complement). */
export function integerValue(c: Uint8Array): bigint {
  if (c.length === 0) throw new Asn1Error('empty integer');
  if (c.length > 64) throw new Asn1Error('integer too large');
  let v = 0n;
  for (const b of c) v = (v << 8n) | BigInt(b);
  if (c[0] & 0x80) v -= 1n << BigInt(c.length * 8);
  return v;
}

/** Whether a TLV is a UTCTime or GeneralizedTime. */
export function isTime(t: Tlv | undefined): boolean {
  return !!t && (t.tag === 0x17 || t.tag === 0x18);
}

/** Parses UTCTime / GeneralizedTime (Z form, optional fraction for GeneralizedTime). */
export function parseTime(buf: Uint8Array, t: Tlv): Date {
  const s = Buffer.from(content(buf, t)).toString('latin1');
  let m: RegExpMatchArray | null;
  let d: Date | undefined;
  if (t.tag === 0x17 && (m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/))) {
    const yy = Number(m[1]);
    d = utc(yy >= 50 ? 1900 + yy : 2000 + yy, m[2], m[3], m[4], m[5], m[6], 0);
  } else if (t.tag === 0x18 && (m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/))) {
    if (m[7] && m[7].endsWith('0')) throw new Asn1Error(`malformed time "${s}"`); // DER: no trailing zeros
    d = utc(Number(m[1]), m[2], m[3], m[4], m[5], m[6], m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0);
  }
  if (!d) throw new Asn1Error(`malformed time "${s}"`);
  return d;
}

function utc(y: number, mo: string, da: string, h: string, mi: string, se: string, ms: number): Date | undefined {
  const d = new Date(Date.UTC(y, Number(mo) - 1, Number(da), Number(h), Number(mi), Number(se), ms));
  // Reject field overflow (e.g. month 13) that Date.UTC would silently roll over.
  if (d.getUTCMonth() !== Number(mo) - 1 || d.getUTCDate() !== Number(da) || d.getUTCHours() !== Number(h) || d.getUTCMinutes() !== Number(mi) || d.getUTCSeconds() !== Number(se)) return undefined;
  return d;
}

/** Reads `SEQUENCE OF Extension` into a list (with duplicate detection as Go does). */
export function parseExtensions(buf: Uint8Array, seq: Tlv): Extension[] {
  if (seq.tag !== 0x30) throw new Asn1Error('malformed extensions');
  const out: Extension[] = [];
  for (const e of children(buf, seq)) {
    if (e.tag !== 0x30) throw new Asn1Error('malformed extension');
    const parts = children(buf, e);
    const oidT = expectTag(parts[0], 0x06, 'malformed extension OID field');
    let i = 1;
    let critical = false;
    if (parts[i]?.tag === 0x01) {
      const b = content(buf, parts[i]);
      if (b.length !== 1 || (b[0] !== 0 && b[0] !== 0xff)) throw new Asn1Error('malformed extension critical field');
      critical = b[0] === 0xff;
      i++;
    }
    const v = expectTag(parts[i], 0x04, 'malformed extension value field');
    if (parts.length !== i + 1) throw new Asn1Error('malformed extension');
    out.push({ oid: decodeOid(content(buf, oidT)), critical, value: content(buf, v) });
  }
  return out;
}

export { HASH_BY_OID } from '../x509/sigalg.js';

export interface AlgorithmIdentifier {
  oid: string;
  /** DER of the parameters, when present and not NULL. */
  params?: Uint8Array;
  /** DER of the whole AlgorithmIdentifier. */
  der: Uint8Array;
}

export function parseAlgorithm(buf: Uint8Array, t: Tlv): AlgorithmIdentifier {
  if (t.tag !== 0x30) throw new Asn1Error('malformed algorithm identifier');
  const parts = children(buf, t);
  const oidT = expectTag(parts[0], 0x06, 'malformed algorithm identifier');
  const p = parts[1];
  return { oid: decodeOid(content(buf, oidT)), params: p && p.tag !== 0x05 ? buf.subarray(p.start, p.end) : undefined, der: buf.subarray(t.start, t.end) };
}

/**
 * Verifies `signature` over `data` with `key` for the signature algorithm, as
 * Go's Certificate.CheckSignature does (SHA-1 allowed, MD5 refused; PSS salt =
 * hash length). Returns an error text, or undefined when the signature is good.
 */
export function checkSignature(alg: AlgorithmIdentifier, data: Uint8Array, signature: Uint8Array, key: KeyObject): string | undefined {
  const a = SIGNATURE_ALGORITHMS[alg.oid];
  if (!a?.revocation) return `x509: cannot verify signature: algorithm unimplemented (${alg.oid})`;
  try {
    const type = key.asymmetricKeyType;
    let ok: boolean;
    if (a.pub === 'ECDSA') {
      if (type !== 'ec') return 'x509: signature algorithm specifies an ECDSA public key, but have public key of type ' + type;
      ok = cryptoVerify(a.hash!, data, { key, dsaEncoding: 'der' }, signature);
    } else if (a.pub === 'Ed25519') {
      if (type !== 'ed25519') return 'x509: signature algorithm specifies an Ed25519 public key, but have public key of type ' + type;
      ok = cryptoVerify(null, data, key, signature);
    } else {
      if (type !== 'rsa' && type !== 'rsa-pss') return 'x509: signature algorithm specifies an RSA public key, but have public key of type ' + type;
      if (!a.pss) ok = cryptoVerify(a.hash!, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      else {
        // Only the hash is read; salt = hash length, as Go's CheckSignature.
        const p = parsePssParams(alg.params);
        const h = p && PSS_HASHES[p.hashOid];
        if (!h) return 'x509: cannot verify signature: unsupported RSA-PSS parameters';
        ok = cryptoVerify(h.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: h.len }, signature);
      }
    }
    if (ok) return undefined;
    return a.pub === 'ECDSA' ? 'x509: ECDSA verification failure' : a.pub === 'Ed25519' ? 'x509: Ed25519 verification failure' : 'crypto/rsa: verification error';
  } catch (e) {
    return `x509: cannot verify signature: ${(e as Error).message}`;
  }
}

/** Public key of a certificate, or an error text when it cannot be loaded. */
export function publicKeyOf(cert: Certificate): KeyObject | string {
  try {
    return cert.publicKey;
  } catch (e) {
    return `x509: unsupported public key: ${(e as Error).message}`;
  }
}

export function keyFromSpki(spki: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
}

/** The BIT STRING of a SubjectPublicKeyInfo (what OCSP's issuerKeyHash hashes). */
export function spkiKeyBits(spki: Uint8Array): Uint8Array {
  const top = readTlv(spki, 0);
  const parts = children(spki, top);
  const bits = expectTag(parts[1], 0x03, 'malformed subject public key info');
  return content(spki, bits).subarray(1);
}

/** Certificate version (1..3) read from the TBS, as Go's Certificate.Version. */
export function certVersion(cert: Certificate): number {
  const tbs = cert.tbs;
  const top = readTlv(tbs, 0);
  const first = readTlv(tbs, top.contentStart, top.end);
  if (first.tag !== 0xa0) return 1;
  const v = readTlv(tbs, first.contentStart, first.end);
  return Number(integerValue(content(tbs, v))) + 1;
}

/** A UTC time as Go's time.Time.String() prints it: `2023-12-25 08:15:42 +0000 UTC`. */
export function goTime(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 UTC`;
}


export { readTlv, children, content };
export { goQuote } from '../x509/goformat.js';
