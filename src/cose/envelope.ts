/**
 * COSE_Sign1 envelopes (`application/cose`, checklist 1.4), read and written the
 * way notation-core-go's signature/cose does on top of go-cose:
 *  - parse: tag 18 + 4-array, strict CBOR, protected header a bstr-wrapped map,
 *    header parameter type rules of go-cose;
 *  - verify: leaf from the unprotected x5chain array, algorithm from the leaf key,
 *    protected `alg` must match it, PSS salt = hash length, ECDSA raw r||s, over
 *    ToBeSigned built from the received protected bytes;
 *  - content: Notary headers (crit, scheme, tag-1 times, extended attributes).
 */
import { EnvelopeError } from '../errors.js';
import type { Certificate } from '../x509/certificate.js';

import { algorithmByCose, algorithmForCertificate, verifyPrimitive } from '../envelope/algorithm.js';
import { integrity, signatureInvalid, parseCertificate, MAX_CHAIN_LENGTH, type CertificateCache, type CertificateParser } from '../envelope/base.js';
import {
  HEADER,
  SIGNING_SCHEME_X509,
  SIGNING_SCHEME_X509_SA,
  type AlgorithmInfo,
  type EnvelopeContent,
  type ExtendedAttribute,
  type SigningScheme,
} from '../envelope/types.js';
import { CborError, decodeCbor, encodeBstr, encodeCbor, encodeHead, toJs, Tagged, type CborEntry, type CborItem, type CborValue } from './cbor.js';

export const LABEL = { alg: 1, crit: 2, cty: 3, kid: 4, iv: 5, partialIv: 6, counterSignature: 7, counterSignature0: 9, counterSignatureV2: 11, counterSignature0V2: 12, type: 16, x5chain: 33 } as const;

const COSE_ALG_NAMES: Record<number, string> = { [-37]: 'PS256', [-38]: 'PS384', [-39]: 'PS512', [-7]: 'ES256', [-35]: 'ES384', [-36]: 'ES512', [-8]: 'EdDSA', [-257]: 'RS256', [-258]: 'RS384', [-259]: 'RS512', 0: 'Reserved' };
function coseAlgName(n: bigint): string {
  return COSE_ALG_NAMES[Number(n)] ?? `Algorithm(${n})`;
}

export interface CoseMessage {
  raw: Uint8Array;
  /** Content of the protected-header bstr, exactly as received. */
  protectedBytes: Uint8Array;
  protected: CborEntry[];
  unprotected: CborEntry[];
  /** null when the payload is CBOR nil (detached). */
  payload: Uint8Array | null;
  signature: Uint8Array;
  /** Set by verification when a cache knew the parsed x5chain (saves content() a second lookup). */
  knownChain?: readonly Certificate[];
}

function malformed(message: string, cause?: unknown): EnvelopeError {
  return new EnvelopeError('MALFORMED_ENVELOPE', message, cause === undefined ? undefined : { cause });
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** go-cose Sign1Message.UnmarshalCBOR: what REF's ParseEnvelope refuses. */
export function parseCose(bytes: Uint8Array): CoseMessage {
  if (bytes.length < 2 || bytes[0] !== 0xd2 || bytes[1] !== 0x84) throw malformed('cbor: invalid COSE_Sign1_Tagged object');
  let top: CborItem;
  try {
    top = decodeCbor(bytes.subarray(1), { forbidTags: true });
  } catch (e) {
    throw malformed(cborMessage(e), e);
  }
  if (top.kind !== 'array' || top.value.length !== 4) throw malformed('cbor: invalid COSE_Sign1_Tagged object');
  const [p, u, pl, sig] = top.value;
  const payload = byteString(pl, 'payload');
  const signature = byteString(sig, 'signature');
  if (!signature || signature.length === 0) throw malformed('empty signature');
  // Protected header: a bstr (nil refused) holding a map or nothing.
  if (p.kind === 'simple' && p.value === null) throw malformed('cbor: invalid protected header: cbor: nil protected header');
  if (p.kind !== 'bytes') throw malformed('cbor: invalid protected header: cbor: require bstr type');
  const protectedBytes = p.value;
  let protectedEntries: CborEntry[] = [];
  if (protectedBytes.length > 0) {
    if (protectedBytes[0] >> 5 !== 5) throw malformed('cbor: invalid protected header: cbor: protected header: require map type');
    let m: CborItem;
    try {
      m = decodeCbor(protectedBytes);
    } catch (e) {
      throw malformed(`cbor: invalid protected header: ${cborMessage(e)}`, e);
    }
    protectedEntries = (m as Extract<CborItem, { kind: 'map' }>).value;
    checkHeader(protectedEntries, true, 'cbor: invalid protected header: ');
  }
  if (u.kind !== 'map') throw malformed('cbor: invalid unprotected header: cbor: unprotected header: require map type');
  checkHeader(u.value, false, 'cbor: invalid unprotected header: ');
  if (has(protectedEntries, LABEL.iv) && has(u.value, LABEL.partialIv)) throw malformed('IV (protected) and PartialIV (unprotected) parameters must not both be present');
  if (has(protectedEntries, LABEL.partialIv) && has(u.value, LABEL.iv)) throw malformed('IV (unprotected) and PartialIV (protected) parameters must not both be present');
  return { raw: bytes, protectedBytes, protected: protectedEntries, unprotected: u.value, payload, signature };
}

function cborMessage(e: unknown): string {
  if (e instanceof CborError) return e.message;
  return `cbor: ${(e as Error)?.message ?? String(e)}`;
}

function byteString(i: CborItem, what: string): Uint8Array | null {
  if (i.kind === 'simple' && i.value === null) return null;
  if (i.kind !== 'bytes') throw malformed(`cbor: require bstr type (${what})`);
  return i.value;
}

/** go-cose validateHeaderLabelCBOR + validateHeaderParameters, plus int64 range. */
function checkHeader(entries: CborEntry[], isProtected: boolean, prefix: string): void {
  const where = isProtected ? 'protected header: ' : 'unprotected header: ';
  for (const { key, value } of entries) {
    if (key.kind !== 'int' && key.kind !== 'text') throw malformed(`${prefix}cbor: header label: require int / tstr type`);
    if (key.kind === 'int' && (key.value > INT64_MAX || key.value < INT64_MIN)) {
      throw malformed(`${prefix}cbor: header label: int key must not be higher than 1<<63 - 1`);
    }
    checkIntRange(value, prefix);
    if (key.kind !== 'int') continue;
    switch (Number(key.value)) {
      case LABEL.alg:
        if (value.kind !== 'int' && value.kind !== 'text') throw paramError(prefix + where, 'alg: require int / tstr type');
        break;
      case LABEL.crit: {
        if (!isProtected) throw paramError(prefix + where, 'crit: not allowed');
        if (value.kind !== 'array') throw paramError(prefix + where, 'crit: invalid crit header');
        if (value.value.length === 0) throw paramError(prefix + where, 'crit: empty crit header');
        for (const l of value.value) {
          if (l.kind !== 'int' && l.kind !== 'text') throw paramError(prefix + where, `crit: require int / tstr type, got '${l.kind}': ${String(toJs(l))}`);
          if (!has(entries, l.value as bigint | string)) throw paramError(prefix + where, `crit: missing critical header: ${String(l.value)}`);
        }
        break;
      }
      case LABEL.type:
      case LABEL.cty: {
        const name = Number(key.value) === LABEL.cty ? 'content type' : 'type';
        if (value.kind === 'int' && value.value >= 0n) break;
        if (value.kind !== 'text') throw paramError(prefix + where, `${name}: require tstr / uint type`);
        const v = value.value;
        if (v.length === 0) throw paramError(prefix + where, `${name}: require non-empty string`);
        if (v[0] === ' ' || v[v.length - 1] === ' ') throw paramError(prefix + where, `${name}: require no leading/trailing whitespace`);
        if (v.split('/').length !== 2) throw paramError(prefix + where, `${name}: require text of form type/subtype`);
        break;
      }
      case LABEL.kid:
        if (value.kind !== 'bytes') throw paramError(prefix + where, 'kid: require bstr type');
        break;
      case LABEL.iv:
        if (value.kind !== 'bytes') throw paramError(prefix + where, 'IV: require bstr type');
        if (has(entries, LABEL.partialIv)) throw paramError(prefix + where, 'IV and PartialIV: parameters must not both be present');
        break;
      case LABEL.partialIv:
        if (value.kind !== 'bytes') throw paramError(prefix + where, 'Partial IV: require bstr type');
        if (has(entries, LABEL.iv)) throw paramError(prefix + where, 'IV and PartialIV: parameters must not both be present');
        break;
      case LABEL.counterSignature:
      case LABEL.counterSignatureV2:
        if (isProtected) throw paramError(prefix + where, 'counter signature: not allowed');
        if (value.kind !== 'array') throw malformed(`${prefix}invalid Countersignature object / list of objects`);
        break;
      case LABEL.counterSignature0:
      case LABEL.counterSignature0V2:
        if (isProtected) throw paramError(prefix + where, 'countersignature0: not allowed');
        if (value.kind !== 'bytes') throw paramError(prefix + where, 'countersignature0: require bstr type');
        break;
    }
  }
}

function paramError(prefix: string, m: string): EnvelopeError {
  return malformed(`${prefix}header parameter: ${m}`);
}

/** go-cose decodes integers as int64: anything outside is refused. */
function checkIntRange(i: CborItem, prefix: string): void {
  switch (i.kind) {
    case 'int':
      if (i.value > INT64_MAX || i.value < INT64_MIN) throw malformed(`${prefix}cbor: cannot unmarshal integer into Go value of type int64 (${i.value} overflows Go's int64)`);
      return;
    case 'array':
      for (const e of i.value) checkIntRange(e, prefix);
      return;
    case 'map':
      for (const e of i.value) {
        checkIntRange(e.key, prefix);
        checkIntRange(e.value, prefix);
      }
      return;
    case 'tag':
      checkIntRange(i.value, prefix);
      return;
  }
}

function labelEquals(k: CborItem, label: number | bigint | string): boolean {
  if (typeof label === 'string') return k.kind === 'text' && k.value === label;
  // bigint == number compares values exactly (no BigInt allocation per comparison).
  return k.kind === 'int' && k.value == label;
}

function get(entries: CborEntry[], label: number | bigint | string): CborItem | undefined {
  for (let i = 0; i < entries.length; i++) if (labelEquals(entries[i].key, label)) return entries[i].value;
  return undefined;
}

function has(entries: CborEntry[], label: number | bigint | string): boolean {
  return get(entries, label) !== undefined;
}

/** The received bytes of a top-level item (offsets count from after the tag byte, see parseCose). */
function encodedItem(msg: CoseMessage, item: CborItem): Uint8Array {
  return msg.raw.subarray(1 + item.start, 1 + item.end);
}

/** CBOR array(4), tstr "Signature1": the fixed opening of every Sig_structure. */
const SIG1_OPENING = Buffer.from('846a5369676e617475726531', 'hex');

/**
 * The Sig_structure of COSE_Sign1 with empty external AAD: the same bytes as
 * encodeCbor(['Signature1', protected, h'', payload]), written in one buffer.
 */
export function toBeSigned(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const ph = encodeHead(2, protectedBytes.length);
  const plh = encodeHead(2, payload.length);
  const out = Buffer.allocUnsafe(SIG1_OPENING.length + ph.length + protectedBytes.length + 1 + plh.length + payload.length);
  let o = SIG1_OPENING.copy(out, 0);
  out.set(ph, o);
  o += ph.length;
  out.set(protectedBytes, o);
  o += protectedBytes.length;
  out[o++] = 0x40; // h'' (external_aad)
  out.set(plh, o);
  o += plh.length;
  out.set(payload, o);
  return out;
}

/**
 * The leaf certificate and its derived algorithm (REF envelope.Verify's opening):
 * x5chain must be a non-empty array in the unprotected header.
 */
function leafOf(msg: CoseMessage, parse: CertificateParser, cache?: CertificateCache): { leaf: Certificate; alg: AlgorithmInfo } {
  const x5 = get(msg.unprotected, LABEL.x5chain);
  if (!x5 || x5.kind !== 'array' || x5.value.length === 0) throw integrity('INVALID_CERTIFICATE_CHAIN', 'certificate chain is not present');
  const first = x5.value[0];
  if (first.kind !== 'bytes') throw integrity('INVALID_CERTIFICATE_CHAIN', 'COSE envelope malformed leaf certificate');
  let leaf: Certificate;
  // A remembered chain for these exact x5chain bytes parsed completely, leaf included.
  const known = cache?.chainFor?.(encodedItem(msg, x5));
  if (known) msg.knownChain = known;
  try {
    leaf = known ? known[0] : parse(first.value);
  } catch (e) {
    throw integrity('INVALID_CERTIFICATE_CHAIN', 'malformed leaf certificate', e);
  }
  let alg: AlgorithmInfo;
  try {
    alg = algorithmForCertificate(leaf);
  } catch (e) {
    throw integrity('UNSUPPORTED_SIGNING_KEY', (e as Error).message, e);
  }
  return { leaf, alg };
}

/** The signature check of REF's envelope.Verify (before Content). */
export function verifyCoseSignature(msg: CoseMessage, parse: CertificateParser = parseCertificate, cache?: CertificateCache): void {
  const { leaf, alg } = leafOf(msg, parse, cache);
  if (msg.payload === null) throw signatureInvalid('missing payload');
  const hdrAlg = get(msg.protected, LABEL.alg);
  if (!hdrAlg) throw signatureInvalid('algorithm not found');
  if (hdrAlg.kind === 'text') throw signatureInvalid(`Algorithm(${JSON.stringify(hdrAlg.value)})`);
  if (hdrAlg.kind !== 'int') throw signatureInvalid('invalid algorithm');
  if (hdrAlg.value !== BigInt(alg.cose)) {
    throw signatureInvalid(`algorithm mismatch: verifier ${alg.jws}: header ${coseAlgName(hdrAlg.value)}`, 'ALGORITHM_MISMATCH');
  }
  const tbs = toBeSigned(msg.protectedBytes, msg.payload);
  if (!verifyPrimitive(alg, leaf.publicKey, tbs, msg.signature, 'hash')) throw signatureInvalid('verification error');
}

const SYSTEM_TEXT_LABELS = new Set<string>([HEADER.expiry, HEADER.signingScheme, HEADER.signingTime, HEADER.authenticSigningTime]);
const TIME_LABEL: Record<SigningScheme, string> = {
  [SIGNING_SCHEME_X509]: HEADER.signingTime,
  [SIGNING_SCHEME_X509_SA]: HEADER.authenticSigningTime,
};

/** REF envelope.Content for COSE (without the shared base checks). */
export function coseContent(msg: CoseMessage, parse: CertificateParser = parseCertificate, cache?: CertificateCache): EnvelopeContent {
  const cty = get(msg.protected, LABEL.cty);
  if (!cty) throw integrity('INVALID_SIGNATURE_ENVELOPE', 'missing content type');
  if (cty.kind !== 'text') throw integrity('INVALID_SIGNATURE_ENVELOPE', "content type should be of 'tstr' type");
  if (msg.signature.length === 0) throw integrity('INVALID_SIGNATURE_ENVELOPE', 'signature missing in COSE envelope');

  // Critical headers: the required ones must be listed (go-cose already checked
  // that every listed label is present).
  const crit = get(msg.protected, LABEL.crit);
  const critLabels = crit && crit.kind === 'array' ? crit.value : [];
  const schemeItem = get(msg.protected, HEADER.signingScheme);
  if (!schemeItem || schemeItem.kind !== 'text') throw integrity('INVALID_SIGNED_ATTRIBUTES', 'invalid signingScheme');
  const mustCrit: string[] = [HEADER.signingScheme];
  if (schemeItem.value === SIGNING_SCHEME_X509_SA) mustCrit.push(HEADER.authenticSigningTime);
  if (has(msg.protected, HEADER.expiry)) mustCrit.push(HEADER.expiry);
  const missing = mustCrit.filter((m) => !critLabels.some((l) => labelEquals(l, m)));
  if (missing.length > 0) {
    throw integrity('INVALID_SIGNED_ATTRIBUTES', `these required headers are not marked as critical: [${missing.join(' ')}]`);
  }

  const hdrAlg = get(msg.protected, LABEL.alg);
  if (!hdrAlg) throw integrity('INVALID_SIGNATURE_ENVELOPE', 'algorithm not found');
  if (hdrAlg.kind === 'text') throw integrity('UNSUPPORTED_SIGNATURE_ALGORITHM', `Algorithm(${JSON.stringify(hdrAlg.value)})`);
  if (hdrAlg.kind !== 'int') throw integrity('INVALID_SIGNATURE_ENVELOPE', 'invalid algorithm');
  const alg = algorithmByCose(Number(hdrAlg.value));
  if (!alg) throw integrity('UNSUPPORTED_SIGNATURE_ALGORITHM', `signature algorithm not supported: ${hdrAlg.value}`);

  const scheme = schemeItem.value;
  if (scheme !== SIGNING_SCHEME_X509 && scheme !== SIGNING_SCHEME_X509_SA) {
    throw integrity('INVALID_SIGNED_ATTRIBUTES', `unsupported signingScheme: ${scheme}`);
  }
  const signingTime = parseTime(msg.protected, TIME_LABEL[scheme], 'signingTime');
  const expiry = has(msg.protected, HEADER.expiry) ? parseTime(msg.protected, HEADER.expiry, 'expiry') : undefined;

  const extendedAttributes: ExtendedAttribute[] = [];
  for (const { key, value } of msg.protected) {
    if (key.kind === 'int' && (key.value === 1n || key.value === 2n || key.value === 3n)) continue;
    if (key.kind === 'text' && SYSTEM_TEXT_LABELS.has(key.value)) continue;
    extendedAttributes.push({
      key: key.kind === 'text' ? key.value : String(key.value),
      critical: critLabels.some((l) => l.kind === key.kind && l.value === key.value),
      value: toJs(value),
    });
  }

  const x5 = get(msg.unprotected, LABEL.x5chain);
  if (!x5 || x5.kind !== 'array' || x5.value.length === 0) throw integrity('INVALID_CERTIFICATE_CHAIN', 'certificate chain is not present');
  if (x5.value.length > MAX_CHAIN_LENGTH) throw integrity('INVALID_CERTIFICATE_CHAIN', `certificate chain has more than ${MAX_CHAIN_LENGTH} certificates`);
  const encoded = cache?.chainFor ? encodedItem(msg, x5) : undefined;
  const known = msg.knownChain ?? (encoded && cache!.chainFor!(encoded));
  let certificateChain: Certificate[];
  if (known) certificateChain = [...known];
  else {
    certificateChain = [];
    for (const c of x5.value) {
      if (c.kind !== 'bytes') throw integrity('INVALID_CERTIFICATE_CHAIN', 'certificate chain is not present');
      try {
        certificateChain.push(parse(c.value));
      } catch (e) {
        throw integrity('INVALID_CERTIFICATE_CHAIN', (e as Error).message, e);
      }
    }
    if (encoded) cache!.rememberChain?.(encoded, certificateChain);
  }
  const agent = get(msg.unprotected, HEADER.signingAgent);
  const tst = get(msg.unprotected, HEADER.timestampSignature);
  return {
    payload: { contentType: cty.value, content: msg.payload ?? new Uint8Array(0) },
    signerInfo: {
      signedAttributes: { signingScheme: scheme, signingTime, expiry, extendedAttributes },
      unsignedAttributes: {
        signingAgent: agent?.kind === 'text' ? agent.value : undefined,
        timestampSignature: tst?.kind === 'bytes' ? new Uint8Array(tst.value) : undefined,
      },
      signatureAlgorithm: alg.signatureAlgorithm,
      certificateChain,
      signature: new Uint8Array(msg.signature),
    },
  };
}

function timeError(what: string, m: string): Error {
  return integrity('INVALID_SIGNED_ATTRIBUTES', `invalid ${what}: ${m}`);
}

/** REF parseTime: only a tag-1 date-time is accepted. */
function parseTime(entries: CborEntry[], label: string, what: 'signingTime' | 'expiry'): Date {
  const v = get(entries, label);
  if (!v) throw timeError(what, `protected header ${JSON.stringify(label)} is missing`);
  if (v.kind !== 'tag' || (v.tag !== 0n && v.tag !== 1n)) throw timeError(what, 'invalid timeValue type');
  if (v.tag !== 1n) throw timeError(what, 'only Tag `1` Datetime CBOR object is supported');
  const secs = v.value.kind === 'int' ? Number(v.value.value) : v.value.kind === 'float' ? v.value.value : NaN;
  const d = new Date(Math.floor(secs * 1000));
  if (!Number.isFinite(secs) || Number.isNaN(d.getTime())) throw timeError(what, 'time value out of range');
  return d;
}

// ---------------------------------------------------------------------------
// Encoding

export interface CoseSignParams {
  alg: AlgorithmInfo;
  contentType: string;
  signingScheme: SigningScheme;
  signingTime: Date;
  expiry?: Date;
  extendedSignedAttributes?: ExtendedAttribute[];
}

/** The protected header map as REF's generateProtectedHeaders builds it, CBOR-encoded (bstr content). */
export function encodeProtectedHeaders(p: CoseSignParams): Uint8Array {
  const m = new Map<CborValue, CborValue>();
  m.set(LABEL.alg, p.alg.cose);
  const crit: string[] = [HEADER.signingScheme];
  m.set(HEADER.signingScheme, p.signingScheme);
  const timeLabel = TIME_LABEL[p.signingScheme];
  if (!timeLabel) throw new TypeError('signing scheme: require notary.x509 or notary.x509.signingAuthority');
  m.set(timeLabel, new Tagged(1, Math.floor(p.signingTime.getTime() / 1000)));
  if (timeLabel === HEADER.authenticSigningTime) crit.push(HEADER.authenticSigningTime);
  if (p.expiry) {
    crit.push(HEADER.expiry);
    m.set(HEADER.expiry, new Tagged(1, Math.floor(p.expiry.getTime() / 1000)));
  }
  for (const a of p.extendedSignedAttributes ?? []) {
    if (m.has(a.key)) throw new TypeError(`${JSON.stringify(a.key)} already exists in the protected header`);
    if (a.critical) crit.push(a.key);
    m.set(a.key, toCborValue(a.value));
  }
  m.set(LABEL.crit, crit);
  m.set(LABEL.cty, p.contentType);
  return encodeCbor(m);
}

function toCborValue(v: unknown, depth = 0): CborValue {
  if (depth > 32) throw new TypeError('extended attribute value nested too deeply');
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v;
  if (v instanceof Uint8Array) return v;
  if (v instanceof Date) return new Tagged(1, Math.floor(v.getTime() / 1000));
  if (Array.isArray(v)) return v.map((e) => toCborValue(e, depth + 1));
  if (v instanceof Map) return new Map([...v.entries()].map(([k, e]) => [toCborValue(k, depth + 1), toCborValue(e, depth + 1)]));
  if (typeof v === 'object') return new Map(Object.entries(v as Record<string, unknown>).map(([k, e]) => [k, toCborValue(e, depth + 1)]));
  throw new TypeError(`extended attribute value of type ${typeof v} cannot be encoded`);
}

export interface CoseUnprotected {
  certificateChain?: Uint8Array[];
  signingAgent?: string;
  timestampSignature?: Uint8Array;
}

/** Encodes the unprotected map: x5chain (33) as an array, then the Notary text labels. */
export function encodeUnprotected(u: CoseUnprotected): Map<CborValue, CborValue> {
  const m = new Map<CborValue, CborValue>();
  if (u.signingAgent) m.set(HEADER.signingAgent, u.signingAgent);
  if (u.certificateChain) m.set(LABEL.x5chain, u.certificateChain);
  if (u.timestampSignature) m.set(HEADER.timestampSignature, u.timestampSignature);
  return m;
}

/** COSE_Sign1_Tagged bytes. */
export function encodeCoseSign1(protectedBytes: Uint8Array, unprotected: CoseUnprotected, payload: Uint8Array, signature: Uint8Array): Uint8Array {
  return encodeCbor(new Tagged(18, [protectedBytes, encodeUnprotected(unprotected), payload, signature]));
}

export { encodeBstr };
