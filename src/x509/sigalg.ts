/**
 * The signature algorithms of X.509-style structures (certificates, CRLs, OCSP
 * responses) by OID, and the one reader of RSASSA-PSS parameters. The three
 * verifiers keep their own policies:
 * - Certificate.isSignedBy (chains): `chain` entries; PSS with a SHA-2 hash, salt as given.
 * - revocation/asn1.ts checkSignature (Go's CheckSignature on CRLs and OCSP):
 *   `revocation` entries, which add SHA-1 and Ed25519; PSS with a SHA-2 hash, salt = hash length.
 * - signature.ts (Go's certificate error texts): every entry, refusing MD2, MD5,
 *   SHA-1 and DSA in Go's words; PSS only in Go's three profiles.
 */
import { readTlv, children, content, decodeOid, type Tlv } from './der.js';

export type SignatureHash = 'md2' | 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface SignatureAlgorithm {
  /** Go's SignatureAlgorithm.String(), e.g. `SHA256-RSA`, `ECDSA-SHA384`. */
  name: string;
  pub: 'RSA' | 'DSA' | 'ECDSA' | 'Ed25519';
  /** Absent for Ed25519, and for RSASSA-PSS, whose hash is in its parameters. */
  hash?: SignatureHash;
  pss?: boolean;
  /** Accepted by Certificate.isSignedBy. */
  chain?: boolean;
  /** Accepted on CRLs and OCSP responses. */
  revocation?: boolean;
}

export const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
const OID_MGF1 = '1.2.840.113549.1.1.8';
const OID_SHA1 = '1.3.14.3.2.26';

export const SIGNATURE_ALGORITHMS: Record<string, SignatureAlgorithm> = {
  '1.2.840.113549.1.1.2': { name: 'MD2-RSA', pub: 'RSA', hash: 'md2' },
  '1.2.840.113549.1.1.4': { name: 'MD5-RSA', pub: 'RSA', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'SHA1-RSA', pub: 'RSA', hash: 'sha1', revocation: true },
  '1.3.14.3.2.29': { name: 'SHA1-RSA', pub: 'RSA', hash: 'sha1' },
  '1.2.840.113549.1.1.11': { name: 'SHA256-RSA', pub: 'RSA', hash: 'sha256', chain: true, revocation: true },
  '1.2.840.113549.1.1.12': { name: 'SHA384-RSA', pub: 'RSA', hash: 'sha384', chain: true, revocation: true },
  '1.2.840.113549.1.1.13': { name: 'SHA512-RSA', pub: 'RSA', hash: 'sha512', chain: true, revocation: true },
  [OID_RSASSA_PSS]: { name: 'RSASSA-PSS', pub: 'RSA', pss: true, chain: true, revocation: true },
  '1.2.840.10040.4.3': { name: 'DSA-SHA1', pub: 'DSA', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.2': { name: 'DSA-SHA256', pub: 'DSA', hash: 'sha256' },
  '1.2.840.10045.4.1': { name: 'ECDSA-SHA1', pub: 'ECDSA', hash: 'sha1', revocation: true },
  '1.2.840.10045.4.3.2': { name: 'ECDSA-SHA256', pub: 'ECDSA', hash: 'sha256', chain: true, revocation: true },
  '1.2.840.10045.4.3.3': { name: 'ECDSA-SHA384', pub: 'ECDSA', hash: 'sha384', chain: true, revocation: true },
  '1.2.840.10045.4.3.4': { name: 'ECDSA-SHA512', pub: 'ECDSA', hash: 'sha512', chain: true, revocation: true },
  '1.3.101.112': { name: 'Ed25519', pub: 'Ed25519', revocation: true },
};

/** Digest algorithms by OID (OCSP CertID hashes). */
export const HASH_BY_OID: Record<string, 'sha1' | 'sha256' | 'sha384' | 'sha512'> = {
  [OID_SHA1]: 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** The hashes every caller accepts in PSS parameters, with their lengths. */
export const PSS_HASHES: Record<string, { hash: 'sha256' | 'sha384' | 'sha512'; len: number }> = {
  '2.16.840.1.101.3.4.2.1': { hash: 'sha256', len: 32 },
  '2.16.840.1.101.3.4.2.2': { hash: 'sha384', len: 48 },
  '2.16.840.1.101.3.4.2.3': { hash: 'sha512', len: 64 },
};

export interface PssParams {
  /** hashAlgorithm (the last one if repeated); SHA-1 when absent. */
  hashOid: string;
  /** saltLength (20 when absent); undefined when some field is unreadable, which isSignedBy refuses. */
  saltLength?: number;
  /** The MGF1 hash; meaningful only when `strict`. */
  mgfHashOid: string;
  /** trailerField; meaningful only when `strict`. */
  trailerField: number;
  /** Whether the encoding is as exact as Go's parser demands. */
  strict: boolean;
}

const nullOrAbsent = (t?: Tlv) => !t || (t.tag === 0x05 && t.end === t.contentStart);

/**
 * Reads RSASSA-PSS-params (RFC 4055), the non-NULL parameters of an
 * AlgorithmIdentifier. Undefined when even the hash cannot be read; looser
 * failures only clear `saltLength` or `strict`, as the callers always judged
 * them.
 */
export function parsePssParams(params?: Uint8Array): PssParams | undefined {
  if (!params) return undefined;
  try {
    const top = readTlv(params, 0);
    const out: PssParams = { hashOid: OID_SHA1, saltLength: 20, mgfHashOid: OID_SHA1, trailerField: 1, strict: top.tag === 0x30 && top.end === params.length };
    let readable = true;
    for (const f of children(params, top)) {
      if (f.tag === 0xa0) {
        const alg = children(params, f)[0];
        const [o, p] = alg ? children(params, alg) : [];
        if (!o) return undefined;
        out.hashOid = decodeOid(content(params, o));
        if (o.tag !== 0x06 || !nullOrAbsent(p)) out.strict = false;
        continue;
      }
      let first: Tlv | undefined;
      try {
        first = children(params, f)[0];
      } catch {
        readable = out.strict = false;
        continue;
      }
      if (!first) {
        out.strict = false;
        if (f.tag === 0xa2) readable = false;
      } else if (f.tag === 0xa1) {
        if (out.strict) out.strict = readMgf1(params, first, out);
      } else if (f.tag === 0xa2 || f.tag === 0xa3) {
        const c = content(params, first);
        if (first.tag !== 0x02 || c.length === 0 || c.length > 4) out.strict = false;
        // isSignedBy reads up to six bytes of any tag.
        const n = c.subarray(0, 6).reduce((a, b) => a * 256 + b, 0);
        if (f.tag === 0xa3) out.trailerField = n;
        else if (c.length === 0) readable = false;
        else out.saltLength = n;
      } else out.strict = false;
    }
    if (!readable) out.saltLength = undefined;
    return out;
  } catch {
    return undefined;
  }
}

/** maskGenAlgorithm: MGF1 over a hash with NULL or absent parameters, or false. */
function readMgf1(params: Uint8Array, alg: Tlv, out: PssParams): boolean {
  try {
    const [o, p] = children(params, alg);
    if (!o || o.tag !== 0x06 || decodeOid(content(params, o)) !== OID_MGF1 || !p) return false;
    const [ho, hp] = children(params, p);
    if (!ho || ho.tag !== 0x06 || !nullOrAbsent(hp)) return false;
    out.mgfHashOid = decodeOid(content(params, ho));
    return true;
  } catch {
    return false;
  }
}
