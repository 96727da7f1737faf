/**
 * X.509 certificate model used everywhere in notation-ts.
 *
 * Parsing walks the DER ourselves for the structure, raw byte ranges (TBS, names,
 * key) and the extension values in their usual DER forms; @peculiar/asn1-x509
 * reads any other form of an extension value, loaded on first need (evaluating its
 * schema classes costs ~3 ms of every CLI start otherwise).
 * Signature math is node:crypto. Nothing here applies Notary rules: see rules.ts.
 */
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject, constants } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as AsnSchema from '@peculiar/asn1-schema';
import type * as AsnX509 from '@peculiar/asn1-x509';
import { CertificateError } from '../errors.js';
import { readTlv, children, slice, content, decodeOid, encodeTlv, type Tlv } from './der.js';
import { SIGNATURE_ALGORITHMS, PSS_HASHES, parsePssParams } from './sigalg.js';

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  crlDistributionPoints: '2.5.29.31',
  freshestCRL: '2.5.29.46',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  ekuServerAuth: '1.3.6.1.5.5.7.3.1',
  ekuClientAuth: '1.3.6.1.5.5.7.3.2',
  ekuCodeSigning: '1.3.6.1.5.5.7.3.3',
  ekuEmailProtection: '1.3.6.1.5.5.7.3.4',
  ekuTimeStamping: '1.3.6.1.5.5.7.3.8',
  ekuOCSPSigning: '1.3.6.1.5.5.7.3.9',
  ekuAny: '2.5.29.37.0',
  adOCSP: '1.3.6.1.5.5.7.48.1',
  adCaIssuers: '1.3.6.1.5.5.7.48.2',
} as const;

/** Key usage bits, numbered as RFC 5280 (and Go's x509.KeyUsage, 1 << bit). */
export const KeyUsageBit = {
  digitalSignature: 0,
  contentCommitment: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

export interface Extension {
  oid: string;
  critical: boolean;
  /** DER of extnValue's content (the inner encoding). */
  value: Uint8Array;
}

export interface BasicConstraints {
  critical: boolean;
  cA: boolean;
  /** undefined when absent. */
  pathLen?: number;
}

export interface KeyUsage {
  critical: boolean;
  /** Bitmask with bit `1 << KeyUsageBit.x`. */
  bits: number;
}

export interface ExtKeyUsage {
  critical: boolean;
  oids: string[];
}

export type PublicKeyKind =
  | { type: 'rsa'; bits: number }
  | { type: 'ec'; curve: string; bits: number }
  | { type: 'other'; name: string };

const ATTR_NAMES: Record<string, string> = {
  '2.5.4.6': 'C',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.17': 'POSTALCODE',
};
// Order in which Go's pkix.Name.ToRDNSequence emits the well-known attributes.
const GO_ORDER = ['2.5.4.6', '2.5.4.8', '2.5.4.7', '2.5.4.9', '2.5.4.17', '2.5.4.10', '2.5.4.11', '2.5.4.3', '2.5.4.5'];

/** One attribute of a distinguished name, as it sits in the certificate. */
export interface NameAttribute {
  oid: string;
  /** Decoded string value when the value is an ASN.1 string type. */
  value?: string;
  /** DER of the value (tag + length + content). */
  der: Uint8Array;
}

const STRING_TAGS = new Set([0x0c, 0x12, 0x13, 0x14, 0x16, 0x1a, 0x1e, 0x1c]);

function decodeString(tag: number, c: Uint8Array): string | undefined {
  if (!STRING_TAGS.has(tag)) return undefined;
  if (tag === 0x1e) {
    // BMPString: UTF-16BE
    let s = '';
    for (let i = 0; i + 1 < c.length; i += 2) s += String.fromCharCode((c[i] << 8) | c[i + 1]);
    return s;
  }
  if (tag === 0x1c) {
    // UniversalString: UTF-32BE
    let s = '';
    for (let i = 0; i + 3 < c.length; i += 4) s += String.fromCodePoint(((c[i] << 24) | (c[i + 1] << 16) | (c[i + 2] << 8) | c[i + 3]) >>> 0);
    return s;
  }
  return Buffer.from(c).toString(tag === 0x0c ? 'utf8' : 'latin1');
}


/** Parses a Name (RDNSequence) into RDNs of attributes. */
export function parseName(der: Uint8Array): NameAttribute[][] {
  const seq = readTlv(der, 0);
  if (seq.tag !== 0x30) throw new CertificateError('MALFORMED_CERTIFICATE', 'name is not a SEQUENCE');
  const rdns: NameAttribute[][] = [];
  for (const set of children(der, seq)) {
    if (set.tag !== 0x31) throw new CertificateError('MALFORMED_CERTIFICATE', 'relative distinguished name is not a SET');
    const rdn: NameAttribute[] = [];
    for (const atv of children(der, set)) {
      const [t, v] = children(der, atv);
      if (!t || !v || t.tag !== 0x06) throw new CertificateError('MALFORMED_CERTIFICATE', 'malformed attribute in name');
      rdn.push({ oid: decodeOid(content(der, t)), value: decodeString(v.tag, content(der, v)), der: slice(der, v) });
    }
    rdns.push(rdn);
  }
  return rdns;
}

function escapeDnValue(v: string): string {
  const chars = Array.from(v);
  let out = '';
  chars.forEach((c, k) => {
    let esc = false;
    if (',+"\\<>;'.includes(c)) esc = true;
    else if (c === ' ') esc = k === 0 || k === chars.length - 1;
    else if (c === '#') esc = k === 0;
    out += esc ? '\\' + c : c;
  });
  return out;
}

function isPrintable(s: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
}

/**
 * Renders a Name exactly as Go's pkix.Name.String() does, which is what notation
 * prints and what trusted-identity matching parses (see checklist 4.4).
 */
export function goNameString(rdns: NameAttribute[][]): string {
  const known = new Map<string, string[]>();
  const extra: NameAttribute[] = [];
  for (const rdn of rdns) {
    for (const atv of rdn) {
      if (ATTR_NAMES[atv.oid]) {
        if (atv.value === undefined) continue; // Go keeps only string values of known types
        const list = known.get(atv.oid) ?? [];
        if (atv.oid === '2.5.4.3' || atv.oid === '2.5.4.5') list.splice(0, list.length, atv.value);
        else list.push(atv.value);
        known.set(atv.oid, list);
      } else extra.push(atv);
    }
  }
  const seq: { oid: string; value?: string; der?: Uint8Array }[][] = [];
  for (const atv of extra) seq.push([atv]);
  for (const oid of GO_ORDER) {
    const vals = known.get(oid);
    if (vals && vals.length) seq.push(vals.map((value) => ({ oid, value })));
  }
  const parts: string[] = [];
  for (let i = seq.length - 1; i >= 0; i--) {
    parts.push(
      seq[i]
        .map((a) => {
          const name = ATTR_NAMES[a.oid];
          if (!name) {
            // Go re-marshals the decoded value: strings become PrintableString or UTF8String.
            let der = a.der!;
            const s = (a as NameAttribute).value;
            if (s !== undefined) {
              const body = Buffer.from(s, 'utf8');
              const tag = isPrintable(s) ? 0x13 : 0x0c;
              der = encodeTlv(tag, body);
            }
            return `${a.oid}=#${Buffer.from(der).toString('hex')}`;
          }
          return `${name}=${escapeDnValue(a.value!)}`;
        })
        .join('+'),
    );
  }
  return parts.join(',');
}

// Names rendered before, by their DER: the same issuers and subjects recur in
// every chain (a CA, a signer), and parsing + rendering one costs ~10 us.
const MAX_RENDERED_NAMES = 1024;
const MAX_RENDERED_NAME_BYTES = 4096;
const renderedNames = new Map<string, string>();

/** goNameString(parseName(der)), memoized by the DER bytes; throws as parseName does. */
function renderName(der: Uint8Array): string {
  if (der.length > MAX_RENDERED_NAME_BYTES) return goNameString(parseName(der));
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');
  let s = renderedNames.get(key);
  if (s === undefined) {
    s = goNameString(parseName(der));
    if (renderedNames.size >= MAX_RENDERED_NAMES) renderedNames.delete(renderedNames.keys().next().value!);
    renderedNames.set(key, s);
  }
  return s;
}


function parseTime(buf: Uint8Array, t: Tlv): Date {
  const s = Buffer.from(content(buf, t)).toString('latin1');
  let m: RegExpMatchArray | null;
  if (t.tag === 0x17 && (m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/))) {
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy >= 50 ? 1900 + yy : 2000 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  if (t.tag === 0x18 && (m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/))) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  throw new CertificateError('MALFORMED_CERTIFICATE', `malformed validity time "${s}"`);
}

export class Certificate {
  /** The DER bytes. */
  readonly raw: Uint8Array;
  readonly tbs: Uint8Array;
  readonly serialNumber: Uint8Array;
  readonly rawIssuer: Uint8Array;
  readonly rawSubject: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: Uint8Array;
  readonly signatureAlgorithmOid: string;
  readonly signatureAlgorithmParams?: Uint8Array;
  readonly signatureValue: Uint8Array;
  readonly extensions: Extension[];
  private readonly _subject: string;
  private readonly _issuer: string;
  private _publicKey?: KeyObject;
  private _fingerprint?: string;
  // Decoded extensions, memoized (null = absent); getters hand out copies.
  private _bc?: BasicConstraints | null;
  private _eku?: ExtKeyUsage | null;

  constructor(der: Uint8Array) {
    try {
      this.raw = der;
      const top = readTlv(der, 0);
      if (top.tag !== 0x30 || top.end !== der.length) throw new Error('not a single DER SEQUENCE');
      const [tbsT, algT, sigT] = children(der, top);
      if (!tbsT || !algT || !sigT || tbsT.tag !== 0x30 || algT.tag !== 0x30 || sigT.tag !== 0x03) throw new Error('bad certificate structure');
      this.tbs = slice(der, tbsT);
      const alg = children(der, algT);
      if (!alg[0] || alg[0].tag !== 0x06) throw new Error('signature algorithm is not an object identifier');
      this.signatureAlgorithmOid = decodeOid(content(der, alg[0]));
      if (alg[1] && alg[1].tag !== 0x05) this.signatureAlgorithmParams = slice(der, alg[1]);
      // The signature is whole bytes: unused bits in its BIT STRING would make the
      // certificate bytes malleable without touching the signature.
      const sigBits = content(der, sigT);
      if (sigBits.length === 0 || sigBits[0] !== 0) throw new Error('signature BIT STRING has unused bits');
      this.signatureValue = sigBits.subarray(1);
      const f = children(der, tbsT);
      let i = 0;
      if (f[i]?.tag === 0xa0) i++;
      const serialT = f[i++];
      // The signed algorithm must be the one outside the signature (Go refuses a mismatch too).
      const innerAlg = f[i++];
      if (!innerAlg || Buffer.compare(Buffer.from(slice(der, innerAlg)), Buffer.from(slice(der, algT))) !== 0) {
        throw new Error("inner and outer signature algorithm identifiers don't match");
      }
      const issuerT = f[i++];
      const validityT = f[i++];
      const subjectT = f[i++];
      const spkiT = f[i++];
      if (!serialT || serialT.tag !== 0x02 || !issuerT || !validityT || !subjectT || !spkiT) throw new Error('bad TBSCertificate');
      this.serialNumber = content(der, serialT);
      this.rawIssuer = slice(der, issuerT);
      this.rawSubject = slice(der, subjectT);
      // Decode both names now so a malformed one fails parsing (as in Go), not a later `subject` read.
      this._issuer = renderName(this.rawIssuer);
      this._subject = renderName(this.rawSubject);
      const [nb, na] = children(der, validityT);
      this.notBefore = parseTime(der, nb);
      this.notAfter = parseTime(der, na);
      this.spki = slice(der, spkiT);
      this.extensions = [];
      for (; i < f.length; i++) {
        if (f[i].tag !== 0xa3) continue;
        const extsSeq = children(der, f[i])[0];
        const seen = new Set<string>();
        for (const e of children(der, extsSeq)) {
          const parts = children(der, e);
          const oid = decodeOid(content(der, parts[0]));
          if (seen.has(oid)) throw new Error(`duplicate extension ${oid}`);
          seen.add(oid);
          let critical = false;
          let v = parts[1];
          if (v.tag === 0x01) {
            critical = content(der, v)[0] !== 0;
            v = parts[2];
          }
          if (!v || v.tag !== 0x04) throw new Error('bad extension value');
          this.extensions.push({ oid, critical, value: content(der, v) });
        }
      }
    } catch (e) {
      if (e instanceof CertificateError) throw e;
      throw new CertificateError('MALFORMED_CERTIFICATE', `malformed certificate: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Subject as Go's pkix.Name.String() renders it (what notation prints and matches). */
  get subject(): string {
    return this._subject;
  }

  get issuer(): string {
    return this._issuer;
  }

  get publicKey(): KeyObject {
    if (!this._publicKey) {
      try {
        this._publicKey = importPublicKey(this.spki);
      } catch (e) {
        // A key OpenSSL cannot load is bad input, not a crash: keep OpenSSL's text
        // (callers such as envelope/base.ts prefix it) but make it typed.
        throw new CertificateError('MALFORMED_PUBLIC_KEY', (e as Error)?.message ?? String(e), { cause: e });
      }
    }
    return this._publicKey;
  }

  get keyKind(): PublicKeyKind {
    const k = this.publicKey;
    const d = keyDetails(k);
    if (k.asymmetricKeyType === 'rsa') return { type: 'rsa', bits: d.modulusLength ?? 0 };
    if (k.asymmetricKeyType === 'ec') {
      const curve = d.namedCurve ?? '';
      const bits = curve === 'prime256v1' ? 256 : curve === 'secp384r1' ? 384 : curve === 'secp521r1' ? 521 : 0;
      return { type: 'ec', curve, bits };
    }
    return { type: 'other', name: k.asymmetricKeyType ?? 'unknown' };
  }

  /** Lowercase hex SHA-256 of the DER. */
  get fingerprint256(): string {
    return (this._fingerprint ??= createHash('sha256').update(this.raw).digest('hex'));
  }

  get serialHex(): string {
    return Buffer.from(this.serialNumber).toString('hex');
  }

  extension(oid: string): Extension | undefined {
    return this.extensions.find((e) => e.oid === oid);
  }

  get basicConstraints(): BasicConstraints | undefined {
    if (this._bc !== undefined) return this._bc ? { ...this._bc } : undefined;
    const e = this.extension(OID.basicConstraints);
    if (!e) {
      this._bc = null;
      return undefined;
    }
    const fast = fastBasicConstraints(e.value);
    const bc = fast ?? parseExt(e, asn().x509.BasicConstraints);
    this._bc = { critical: e.critical, cA: !!bc.cA, pathLen: bc.pathLenConstraint };
    return { ...this._bc };
  }

  get keyUsage(): KeyUsage | undefined {
    const e = this.extension(OID.keyUsage);
    if (!e) return undefined;
    const t = readTlv(e.value, 0);
    if (t.tag !== 0x03) throw new CertificateError('MALFORMED_CERTIFICATE', 'malformed key usage extension');
    const c = content(e.value, t).subarray(1);
    let bits = 0;
    for (let i = 0; i < Math.min(c.length * 8, 16); i++) if (c[i >> 3] & (0x80 >> (i & 7))) bits |= 1 << i;
    return { critical: e.critical, bits };
  }

  hasKeyUsage(bit: number): boolean {
    const ku = this.keyUsage;
    return !!ku && (ku.bits & (1 << bit)) !== 0;
  }

  get extKeyUsage(): ExtKeyUsage | undefined {
    if (this._eku !== undefined) return this._eku ? { critical: this._eku.critical, oids: [...this._eku.oids] } : undefined;
    const e = this.extension(OID.extKeyUsage);
    if (!e) {
      this._eku = null;
      return undefined;
    }
    const oids = fastOidSequence(e.value) ?? (Array.from(parseExt(e, asn().x509.ExtendedKeyUsage)) as string[]);
    this._eku = { critical: e.critical, oids };
    return { critical: e.critical, oids: [...oids] };
  }

  /** OCSP responder URLs from the AIA extension. */
  get ocspUrls(): string[] {
    const e = this.extension(OID.authorityInfoAccess);
    if (!e) return [];
    const fast = fastAccessUris(e.value, OID.adOCSP);
    if (fast) return fast;
    const aia = parseExt(e, asn().x509.AuthorityInfoAccessSyntax);
    return Array.from(aia)
      .filter((a) => a.accessMethod === OID.adOCSP && a.accessLocation.uniformResourceIdentifier)
      .map((a) => a.accessLocation.uniformResourceIdentifier!);
  }

  /** Full-name URIs of the CRL distribution points. */
  get crlUrls(): string[] {
    const e = this.extension(OID.crlDistributionPoints);
    if (!e) return [];
    const fast = fastDistributionPointUris(e.value);
    if (fast) return fast;
    const cdp = parseExt(e, asn().x509.CRLDistributionPoints);
    const out: string[] = [];
    for (const dp of Array.from(cdp)) {
      for (const gn of dp.distributionPoint?.fullName ?? []) if (gn.uniformResourceIdentifier) out.push(gn.uniformResourceIdentifier);
    }
    return out;
  }

  /** Whether issuer bytes equal subject bytes and the certificate verifies under its own key. */
  isSelfSigned(): boolean {
    return Buffer.compare(Buffer.from(this.rawIssuer), Buffer.from(this.rawSubject)) === 0 && this.isSignedBy(this);
  }

  /** Whether the signature over the TBS verifies under `issuer`'s key (no other checks). */
  isSignedBy(issuer: Certificate): boolean {
    const alg = SIGNATURE_ALGORITHMS[this.signatureAlgorithmOid];
    if (!alg?.chain) return false; // SHA-1, MD5 and unknown algorithms are refused
    try {
      const key = issuer.publicKey;
      if (alg.pub === 'ECDSA') {
        if (key.asymmetricKeyType !== 'ec') return false;
        return cryptoVerify(alg.hash!, this.tbs, { key, dsaEncoding: 'der' }, this.signatureValue);
      }
      if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') return false;
      if (!alg.pss) return cryptoVerify(alg.hash!, this.tbs, { key, padding: constants.RSA_PKCS1_PADDING }, this.signatureValue);
      const pss = parsePssParams(this.signatureAlgorithmParams);
      const h = pss && PSS_HASHES[pss.hashOid];
      if (!h || pss.saltLength === undefined) return false;
      return cryptoVerify(h.hash, this.tbs, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength }, this.signatureValue);
    } catch {
      return false;
    }
  }

  /** Name of the certificate for messages: its subject. */
  toString(): string {
    return this.subject;
  }
}

let asnLibs: { schema: typeof AsnSchema; x509: typeof AsnX509 } | undefined;
/** @peculiar's schema and X.509 modules, loaded on first use (see the file comment). */
function asn(): { schema: typeof AsnSchema; x509: typeof AsnX509 } {
  if (!asnLibs) {
    const require = createRequire(import.meta.url);
    asnLibs = { schema: require('@peculiar/asn1-schema') as typeof AsnSchema, x509: require('@peculiar/asn1-x509') as typeof AsnX509 };
  }
  return asnLibs;
}

function parseExt<T>(e: Extension, type: new () => T): T {
  try {
    return asn().schema.AsnConvert.parse(e.value, type);
  } catch (err) {
    throw new CertificateError('MALFORMED_CERTIFICATE', `malformed extension ${e.oid}: ${(err as Error).message}`, { cause: err });
  }
}

const DETAILS = new WeakMap<KeyObject, NonNullable<KeyObject['asymmetricKeyDetails']>>();

/**
 * `key.asymmetricKeyDetails`, memoized per key: Node recomputes it on every read,
 * converting the RSA exponent to a BigInt each time (~10 us).
 */
export function keyDetails(key: KeyObject): NonNullable<KeyObject['asymmetricKeyDetails']> {
  let d = DETAILS.get(key);
  if (!d) DETAILS.set(key, (d = key.asymmetricKeyDetails ?? {}));
  return d;
}

const RSA_ALG_ID = Buffer.from('300d06092a864886f70d0101010500', 'hex');
// SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (66 bytes, 0 unused bits) }
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

/**
 * SPKI -> KeyObject. OpenSSL 3's generic SPKI decoder costs ~200 us per key
 * (its decoder framework tries many decoders); an RSA key in the canonical
 * rsaEncryption/NULL form loads through the PKCS#1 path in ~10 us with the same
 * result. Anything else takes the generic path.
 */
export function importPublicKey(spki: Uint8Array): KeyObject {
  const buf = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength);
  try {
    const top = readTlv(buf, 0);
    if (top.tag === 0x30 && top.end === buf.length) {
      const alg = readTlv(buf, top.contentStart, top.end);
      if (alg.tag === 0x30 && buf.subarray(alg.start, alg.end).equals(RSA_ALG_ID)) {
        const bits = readTlv(buf, alg.end, top.end);
        if (bits.tag === 0x03 && bits.end === top.end && bits.end - bits.contentStart > 1 && buf[bits.contentStart] === 0) {
          const pkcs1 = buf.subarray(bits.contentStart + 1, bits.end);
          const inner = readTlv(pkcs1, 0);
          if (inner.tag === 0x30 && inner.end === pkcs1.length) return createPublicKey({ key: pkcs1, format: 'der', type: 'pkcs1' });
        }
      }
    }
    if (buf.length === P256_SPKI_PREFIX.length + 65 && buf.subarray(0, P256_SPKI_PREFIX.length).equals(P256_SPKI_PREFIX) && buf[P256_SPKI_PREFIX.length] === 0x04) {
      // P-256 with an uncompressed point: the JWK path (~95 us) checks the point as strictly.
      const x = buf.subarray(P256_SPKI_PREFIX.length + 1, P256_SPKI_PREFIX.length + 33).toString('base64url');
      const y = buf.subarray(P256_SPKI_PREFIX.length + 33).toString('base64url');
      return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' });
    }
  } catch {
    // fall through: the generic decoder gives the authoritative answer
  }
  return createPublicKey({ key: buf, format: 'der', type: 'spki' });
}

/**
 * BasicConstraints in its DER forms (cA TRUE as 0xff, small non-negative
 * pathLen); undefined for anything else, which the full ASN.1 parser handles.
 */
function fastBasicConstraints(v: Uint8Array): { cA?: boolean; pathLenConstraint?: number } | undefined {
  try {
    const top = readTlv(v, 0);
    if (top.tag !== 0x30 || top.end !== v.length) return undefined;
    const kids = children(v, top);
    const out: { cA?: boolean; pathLenConstraint?: number } = {};
    let k = 0;
    if (kids[k]?.tag === 0x01) {
      const c = content(v, kids[k]);
      if (c.length !== 1 || (c[0] !== 0xff && c[0] !== 0x00)) return undefined;
      out.cA = c[0] === 0xff;
      k++;
    }
    if (kids[k]?.tag === 0x02) {
      const c = content(v, kids[k]);
      if (c.length < 1 || c.length > 3 || c[0] & 0x80 || (c.length > 1 && c[0] === 0 && !(c[1] & 0x80))) return undefined;
      out.pathLenConstraint = c.reduce((a, b) => a * 256 + b, 0);
      k++;
    }
    return k === kids.length ? out : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A value that is one DER SEQUENCE, read element by element: the concatenation of
 * what `each` returns, or undefined when the value or any element is in another
 * form (`each` gives undefined, or the DER is malformed).
 */
function fastSequence<T>(v: Uint8Array, each: (t: Tlv) => T[] | undefined): T[] | undefined {
  try {
    const top = readTlv(v, 0);
    if (top.tag !== 0x30 || top.end !== v.length) return undefined;
    const out: T[] = [];
    for (const t of children(v, top)) {
      const got = each(t);
      if (!got) return undefined;
      out.push(...got);
    }
    return out;
  } catch {
    return undefined;
  }
}

/** A DER SEQUENCE OF minimal OBJECT IDENTIFIERs (decodeOid refuses any other encoding); undefined for anything else. */
function fastOidSequence(v: Uint8Array): string[] | undefined {
  return fastSequence(v, (t) => (t.tag === 0x06 ? [decodeOid(content(v, t))] : undefined));
}

/** A URI GeneralName ([6] IA5String) of printable ASCII, else undefined. */
function uriOf(v: Uint8Array, t: Tlv): string | undefined {
  if (t.tag !== 0x86) return undefined;
  const c = content(v, t);
  for (let i = 0; i < c.length; i++) if (c[i] < 0x20 || c[i] > 0x7e) return undefined;
  return Buffer.from(c.buffer, c.byteOffset, c.length).toString('latin1');
}

/**
 * AuthorityInfoAccessSyntax in its usual DER form (every accessLocation a URI):
 * the URIs of `method`. Undefined for anything else, which the full parser reads.
 */
export function fastAccessUris(v: Uint8Array, method: string): string[] | undefined {
  return fastSequence(v, (ad) => {
    if (ad.tag !== 0x30) return undefined;
    const parts = children(v, ad);
    if (parts.length !== 2 || parts[0].tag !== 0x06) return undefined;
    const oid = decodeOid(content(v, parts[0]));
    const uri = uriOf(v, parts[1]);
    if (uri === undefined) return undefined;
    // An empty URI names nothing (the full path drops it too).
    return uri && oid === method ? [uri] : [];
  });
}

/**
 * CRLDistributionPoints in its usual DER form (each point only a fullName of URIs):
 * the URIs. Undefined for anything else (reasons, cRLIssuer, relative names, other
 * name forms), which the full parser reads.
 */
export function fastDistributionPointUris(v: Uint8Array): string[] | undefined {
  return fastSequence(v, (dp) => {
    if (dp.tag !== 0x30) return undefined;
    const fields = children(v, dp);
    if (fields.length !== 1 || fields[0].tag !== 0xa0) return undefined;
    const name = children(v, fields[0]);
    if (name.length !== 1 || name[0].tag !== 0xa0) return undefined;
    const out: string[] = [];
    for (const gn of children(v, name[0])) {
      const uri = uriOf(v, gn);
      if (uri === undefined) return undefined;
      if (uri) out.push(uri);
    }
    return out;
  });
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Splits PEM text into its blocks. */
export function pemBlocks(text: string): { type: string; der: Uint8Array }[] {
  const out: { type: string; der: Uint8Array }[] = [];
  for (const m of text.matchAll(PEM_RE)) out.push({ type: m[1], der: Buffer.from(m[2].replace(/\s+/g, ''), 'base64') });
  return out;
}

/**
 * Parses certificates from PEM (one or more CERTIFICATE blocks) or DER (one or more
 * concatenated certificates). Throws on anything else.
 */
export function parseCertificates(data: Uint8Array, source = 'input'): Certificate[] {
  const text = Buffer.from(data).toString('latin1');
  if (text.includes('-----BEGIN')) {
    const blocks = pemBlocks(text).filter((b) => b.type === 'CERTIFICATE');
    if (blocks.length === 0) throw new CertificateError('NO_CERTIFICATE', `no certificate found in ${source}`);
    return blocks.map((b) => new Certificate(b.der));
  }
  const certs: Certificate[] = [];
  let p = 0;
  while (p < data.length) {
    let t: Tlv;
    try {
      t = readTlv(data, p);
    } catch (e) {
      throw new CertificateError('MALFORMED_CERTIFICATE', `malformed certificate in ${source}: ${(e as Error).message}`);
    }
    certs.push(new Certificate(data.subarray(p, t.end)));
    p = t.end;
  }
  if (certs.length === 0) throw new CertificateError('NO_CERTIFICATE', `no certificate found in ${source}`);
  return certs;
}

export function toPem(cert: Certificate | Uint8Array): string {
  const der = cert instanceof Certificate ? cert.raw : cert;
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
