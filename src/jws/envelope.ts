/**
 * Flattened JWS JSON envelopes (`application/jose+json`, checklist 1.3), read and
 * written as notation-core-go's signature/jws does over golang-jwt v4:
 *  - parse: only the outer JSON (Go struct decoding: case-insensitive field names);
 *  - verify: the JWT check of golang-jwt (segments, header and claims JSON, `alg`
 *    among PS256..ES512, key type, PSS with any salt, ECDSA raw r||s);
 *  - content: protected header fields, scheme rules and `crit` rules.
 */
import { EnvelopeError } from '../errors.js';
import type { Certificate } from '../x509/certificate.js';
import { algorithmByJws, algorithmForCertificate } from '../envelope/algorithm.js';
import { integrity, signatureInvalid, parseCertificate, MAX_CHAIN_LENGTH, type CertificateParser } from '../envelope/base.js';
import {
  HEADER,
  SIGNING_SCHEME_X509,
  SIGNING_SCHEME_X509_SA,
  type AlgorithmInfo,
  type EnvelopeContent,
  type ExtendedAttribute,
  type SigningScheme,
} from '../envelope/types.js';
import { constants, verify as cryptoVerify } from 'node:crypto';
import { base64std, base64url, goBase64Decode, goJsonParse, goJsonTypeName, goMarshalSorted, isPlainObject } from './gojson.js';
import { goString } from '../util/gojson.js';
import { setOwn } from '../util/own.js';

export interface JwsMessage {
  raw: Uint8Array;
  payload: string;
  protected: string;
  signature: string;
  /** DER certificates of header.x5c (null entries kept as empty arrays). */
  x5c: Uint8Array[];
  timestampSignature?: Uint8Array;
  signingAgent: string;
}

const utf8 = new TextDecoder('utf-8'); // replacement, as Go's decoder does for invalid UTF-8

function malformed(message: string, cause?: unknown): EnvelopeError {
  return new EnvelopeError('MALFORMED_ENVELOPE', message, cause === undefined ? undefined : { cause });
}

/** Go's case-insensitive struct field matching (exact names are tried first by Go; same result). */
function fold(k: string): string {
  return k.replace(/\u212a/g, 'k').replace(/\u017f/g, 's').toLowerCase();
}

function fieldsOf(obj: Record<string, unknown>, names: readonly string[]): Map<string, unknown> {
  const byFold = new Map(names.map((n) => [fold(n), n]));
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(obj)) {
    const name = names.includes(k) ? k : byFold.get(fold(k));
    // JSON null leaves a Go field untouched.
    if (name !== undefined && v !== null) out.set(name, v);
  }
  return out;
}

function typeError(v: unknown, field: string, type: string): EnvelopeError {
  return malformed(`json: cannot unmarshal ${goJsonTypeName(v)} into Go struct field ${field} of type ${type}`);
}

/** REF ParseEnvelope: json.Unmarshal into the envelope struct, nothing more. */
export function parseJws(bytes: Uint8Array): JwsMessage {
  let doc: unknown;
  try {
    doc = goJsonParse(utf8.decode(bytes));
  } catch (e) {
    throw malformed((e as Error).message, e);
  }
  const msg: JwsMessage = { raw: bytes, payload: '', protected: '', signature: '', x5c: [], signingAgent: '' };
  if (doc === null) return msg;
  if (!isPlainObject(doc)) throw malformed(`json: cannot unmarshal ${goJsonTypeName(doc)} into Go value of type jws.jwsEnvelope`);
  const f = fieldsOf(doc, ['payload', 'protected', 'header', 'signature']);
  for (const name of ['payload', 'protected', 'signature'] as const) {
    const v = f.get(name);
    if (v === undefined) continue;
    if (typeof v !== 'string') throw typeError(v, `jwsEnvelope.${name}`, 'string');
    msg[name] = v;
  }
  const h = f.get('header');
  if (h !== undefined) {
    if (!isPlainObject(h)) throw typeError(h, 'jwsEnvelope.header', 'jws.jwsUnprotectedHeader');
    const hf = fieldsOf(h, [HEADER.timestampSignature, 'x5c', HEADER.signingAgent]);
    const x5c = hf.get('x5c');
    if (x5c !== undefined) {
      if (!Array.isArray(x5c)) throw typeError(x5c, 'jwsEnvelope.header.x5c', '[][]uint8');
      if (x5c.length > MAX_CHAIN_LENGTH) throw malformed(`x5c has more than ${MAX_CHAIN_LENGTH} certificates`);
      msg.x5c = x5c.map((c) => {
        if (c === null) return new Uint8Array(0);
        if (typeof c !== 'string') throw typeError(c, 'jwsEnvelope.header.x5c', '[]uint8');
        return stdBytes(c);
      });
    }
    const tst = hf.get(HEADER.timestampSignature);
    if (tst !== undefined) {
      if (typeof tst !== 'string') throw typeError(tst, `jwsEnvelope.header.${HEADER.timestampSignature}`, '[]uint8');
      msg.timestampSignature = stdBytes(tst);
    }
    const agent = hf.get(HEADER.signingAgent);
    if (agent !== undefined) {
      if (typeof agent !== 'string') throw typeError(agent, `jwsEnvelope.header.${HEADER.signingAgent}`, 'string');
      msg.signingAgent = agent;
    }
  }
  return msg;
}

function stdBytes(s: string): Uint8Array {
  try {
    return goBase64Decode(s, 'std');
  } catch (e) {
    throw malformed((e as Error).message, e);
  }
}

// ---------------------------------------------------------------------------
// Verification (REF envelope.Verify + golang-jwt Parser.Parse)

const JWT_METHODS = new Set(['ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'none']);


function leafOf(msg: JwsMessage, parse: CertificateParser): Certificate {
  if (msg.x5c.length === 0) throw integrity('INVALID_CERTIFICATE_CHAIN', 'certificate chain is not present');
  try {
    return parse(msg.x5c[0]);
  } catch (e) {
    throw integrity('INVALID_CERTIFICATE_CHAIN', 'malformed leaf certificate', e);
  }
}

function decodeJsonSegment(seg: string, goType: string, allowNull: boolean): Record<string, unknown> | null {
  let v: unknown;
  try {
    v = goJsonParse(utf8.decode(goBase64Decode(seg, 'rawurl')));
  } catch (e) {
    throw signatureInvalid((e as Error).message);
  }
  if (v === null && allowNull) return null;
  if (!isPlainObject(v)) throw signatureInvalid(`json: cannot unmarshal ${goJsonTypeName(v)} into Go value of type ${goType}`);
  return v;
}

export function verifyJwsSignature(msg: JwsMessage, parse: CertificateParser = parseCertificate): void {
  const leaf = leafOf(msg, parse);
  const parts = [msg.protected, msg.payload, msg.signature].join('.').split('.');
  if (parts.length !== 3) throw signatureInvalid('token contains an invalid number of segments');
  const header = decodeJsonSegment(parts[0], 'map[string]interface {}', true);
  decodeJsonSegment(parts[1], 'jwt.MapClaims', true);
  const alg = header?.alg;
  if (typeof alg !== 'string') throw signatureInvalid('signing method (alg) is unspecified.');
  if (!JWT_METHODS.has(alg)) throw signatureInvalid('signing method (alg) is unavailable.');
  const info = algorithmByJws(alg);
  if (!info) throw signatureInvalid(`signing method ${alg} is invalid`, 'UNSUPPORTED_SIGNATURE_ALGORITHM');
  let sig: Uint8Array;
  try {
    sig = goBase64Decode(parts[2], 'rawurl');
  } catch (e) {
    throw signatureInvalid((e as Error).message);
  }
  // A header alg that disagrees with the leaf key is algorithm confusion: report it as such.
  let leafAlg: AlgorithmInfo | undefined;
  try {
    leafAlg = algorithmForCertificate(leaf);
  } catch {
    leafAlg = undefined;
  }
  const confusion = leafAlg?.jws !== info.jws ? 'ALGORITHM_MISMATCH' : 'SIGNATURE_INVALID';
  const key = leaf.publicKey;
  const data = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
  if (info.kind === 'rsa') {
    if (key.asymmetricKeyType !== 'rsa') throw signatureInvalid('key is invalid', 'ALGORITHM_MISMATCH');
    let ok = false;
    try {
      ok = cryptoVerify(info.nodeHash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, sig);
    } catch {
      ok = false;
    }
    if (!ok) throw signatureInvalid('crypto/rsa: verification error', confusion);
    return;
  }
  if (key.asymmetricKeyType !== 'ec') throw signatureInvalid('key is of invalid type', 'ALGORITHM_MISMATCH');
  // golang-jwt's fixed half sizes: 32, 48, 66 bytes.
  const half = Math.ceil(info.bits / 8);
  let ok = false;
  if (sig.length === 2 * half) {
    try {
      ok = cryptoVerify(info.nodeHash, data, { key, dsaEncoding: 'ieee-p1363' }, sig);
    } catch {
      ok = false;
    }
  }
  if (!ok) throw signatureInvalid('crypto/ecdsa: verification error', confusion);
}

// ---------------------------------------------------------------------------
// Content (REF envelope.Content)

const HEADER_KEYS = new Set(['alg', 'cty', 'crit', HEADER.expiry, HEADER.signingTime, HEADER.signingScheme, HEADER.authenticSigningTime]);

interface ProtectedHeader {
  alg?: string;
  cty?: string;
  crit?: string[];
  expiry?: Date;
  signingScheme?: string;
  signingTime?: Date;
  authenticSigningTime?: Date;
  extended: Record<string, unknown>;
}

function protectedError(m: string): never {
  throw integrity('INVALID_SIGNATURE_ENVELOPE', `jws envelope protected header can't be decoded: ${m}`);
}

function parseProtected(encoded: string): ProtectedHeader {
  let doc: unknown;
  try {
    // Duplicate names are refused: two readers must never see two different headers.
    doc = goJsonParse(utf8.decode(goBase64Decode(encoded, 'rawurl')), { rejectDuplicateKeys: true });
  } catch (e) {
    protectedError((e as Error).message);
  }
  if (doc === null) return { extended: {} };
  if (!isPlainObject(doc)) protectedError(`json: cannot unmarshal ${goJsonTypeName(doc)} into Go value of type jws.jwsProtectedHeader`);
  const h: ProtectedHeader = { extended: {} };
  const str = (k: string): string | undefined => {
    const v = doc[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') protectedError(`json: cannot unmarshal ${goJsonTypeName(v)} into Go struct field jwsProtectedHeader.${k} of type string`);
    return v;
  };
  const time = (k: string): Date | undefined => {
    const v = doc[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') protectedError('Time.UnmarshalJSON: input is not a JSON string');
    const d = parseRfc3339(v);
    if (!d) protectedError(`parsing time ${JSON.stringify(JSON.stringify(v))} as "\\"2006-01-02T15:04:05Z07:00\\"": not an RFC 3339 date-time`);
    return d;
  };
  h.alg = str('alg');
  h.cty = str('cty');
  h.signingScheme = str(HEADER.signingScheme);
  const crit = doc.crit;
  if (crit !== undefined && crit !== null) {
    if (!Array.isArray(crit)) protectedError(`json: cannot unmarshal ${goJsonTypeName(crit)} into Go struct field jwsProtectedHeader.crit of type []string`);
    h.crit = crit.map((c) => {
      if (typeof c !== 'string') protectedError(`json: cannot unmarshal ${goJsonTypeName(c)} into Go struct field jwsProtectedHeader.crit of type string`);
      return c;
    });
  }
  h.expiry = time(HEADER.expiry);
  h.signingTime = time(HEADER.signingTime);
  h.authenticSigningTime = time(HEADER.authenticSigningTime);
  for (const [k, v] of Object.entries(doc)) {
    if (!HEADER_KEYS.has(k)) setOwn(h.extended, k, v);
  }
  return h;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/;

/** Go's strict RFC 3339 (time.Time.UnmarshalJSON); any offset; sub-millisecond digits truncated. */
export function parseRfc3339(s: string): Date | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return undefined;
  const dim = new Date(Date.UTC(2000, mo, 0)).getUTCDate();
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (mo === 2 ? (leap ? 29 : 28) : dim)) return undefined;
  let offsetMin = 0;
  if (m[8] !== 'Z') {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, se, ms);
  return new Date(date.getTime() - offsetMin * 60_000);
}

/** REF validateProtectedHeaders + validateCriticalHeaders. */
function validateProtected(h: ProtectedHeader): SigningScheme {
  const bad = (m: string): never => {
    throw integrity('INVALID_SIGNED_ATTRIBUTES', m);
  };
  const scheme = h.signingScheme ?? '';
  if (scheme === SIGNING_SCHEME_X509) {
    if (h.authenticSigningTime) bad(`"${HEADER.authenticSigningTime}" header must not be present for ${SIGNING_SCHEME_X509} signing scheme`);
  } else if (scheme === SIGNING_SCHEME_X509_SA) {
    if (h.signingTime) bad(`"${HEADER.signingTime}" header must not be present for ${SIGNING_SCHEME_X509_SA} signing scheme`);
    if (!h.authenticSigningTime) bad(`"${HEADER.authenticSigningTime}" header must be present for ${SIGNING_SCHEME_X509_SA} signing scheme`);
  } else {
    bad(`unsupported SigningScheme: \`${scheme}\``);
  }
  if (!h.crit || h.crit.length === 0) bad('missing "crit" header');
  const must = new Set<string>([HEADER.signingScheme]);
  if (h.expiry) must.add(HEADER.expiry);
  if (scheme === SIGNING_SCHEME_X509_SA) must.add(HEADER.authenticSigningTime);
  for (const c of h.crit!) {
    if (must.has(c)) must.delete(c);
    else if (!Object.prototype.hasOwnProperty.call(h.extended, c)) bad(`${JSON.stringify(c)} header is marked critical but not present`);
  }
  if (must.size > 0) bad(`these required headers are not marked as critical: [${[...must].join(' ')}]`);
  return scheme as SigningScheme;
}

export function jwsContent(msg: JwsMessage, parse: CertificateParser = parseCertificate): EnvelopeContent {
  const h = parseProtected(msg.protected);
  let payload: Uint8Array;
  try {
    payload = goBase64Decode(msg.payload, 'rawurl');
  } catch (e) {
    throw integrity('INVALID_PAYLOAD', `payload error: ${(e as Error).message}`);
  }
  const scheme = validateProtected(h);
  const alg = algorithmByJws(h.alg ?? '');
  if (!alg) throw integrity('UNSUPPORTED_SIGNATURE_ALGORITHM', `signature algorithm ${JSON.stringify(h.alg ?? '')} is not supported`);
  const crit = h.crit ?? [];
  const extendedAttributes: ExtendedAttribute[] = Object.entries(h.extended).map(([key, value]) => ({ key, critical: crit.includes(key), value }));
  const signingTime = scheme === SIGNING_SCHEME_X509 ? h.signingTime : h.authenticSigningTime;
  let signature: Uint8Array;
  try {
    signature = goBase64Decode(msg.signature, 'rawurl');
  } catch (e) {
    throw integrity('INVALID_SIGNATURE_ENVELOPE', (e as Error).message);
  }
  if (signature.length === 0) throw integrity('INVALID_SIGNATURE_ENVELOPE', 'signature missing in jws-json envelope');
  const certificateChain = msg.x5c.map((der) => {
    try {
      return parse(der);
    } catch (e) {
      throw integrity('INVALID_CERTIFICATE_CHAIN', (e as Error).message, e);
    }
  });
  return {
    payload: { contentType: h.cty ?? '', content: payload },
    signerInfo: {
      signedAttributes: {
        signingScheme: scheme,
        // A missing time is reported by the shared checks ("signing-time not present").
        signingTime: signingTime ?? new Date(NaN),
        expiry: h.expiry,
        extendedAttributes,
      },
      unsignedAttributes: {
        signingAgent: msg.signingAgent || undefined,
        timestampSignature: msg.timestampSignature && msg.timestampSignature.length > 0 ? msg.timestampSignature : undefined,
      },
      signatureAlgorithm: alg.signatureAlgorithm,
      certificateChain,
      signature,
    },
  };
}

// ---------------------------------------------------------------------------
// Encoding

export interface JwsSignParams {
  alg: AlgorithmInfo;
  contentType: string;
  signingScheme: SigningScheme;
  signingTime: Date;
  expiry?: Date;
  extendedSignedAttributes?: ExtendedAttribute[];
}

/** Go's time.Time JSON form for a UTC instant with whole seconds. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The protected header JSON exactly as REF builds it (a Go map: keys sorted). */
export function encodeProtectedHeader(p: JwsSignParams): string {
  const ext: Record<string, unknown> = {};
  const crit: string[] = [HEADER.signingScheme];
  for (const a of p.extendedSignedAttributes ?? []) {
    if (Object.prototype.hasOwnProperty.call(ext, a.key)) throw new TypeError(`${JSON.stringify(a.key)} already exists in the extAttrs`);
    setOwn(ext, a.key, a.value);
    if (a.critical) crit.push(a.key);
  }
  const h: Record<string, unknown> = { alg: p.alg.jws, cty: p.contentType, [HEADER.signingScheme]: p.signingScheme };
  if (p.signingScheme === SIGNING_SCHEME_X509) h[HEADER.signingTime] = formatTime(p.signingTime);
  else if (p.signingScheme === SIGNING_SCHEME_X509_SA) {
    crit.push(HEADER.authenticSigningTime);
    h[HEADER.authenticSigningTime] = formatTime(p.signingTime);
  } else throw new TypeError(`unsupported SigningScheme: \`${String(p.signingScheme)}\``);
  if (p.expiry) {
    crit.push(HEADER.expiry);
    h[HEADER.expiry] = formatTime(p.expiry);
  }
  h.crit = crit;
  for (const k of Object.keys(ext)) {
    if (Object.prototype.hasOwnProperty.call(h, k)) throw new TypeError(`attribute key:${k} repeated`);
    setOwn(h, k, ext[k]);
  }
  return goMarshalSorted(h);
}

/** The payload as golang-jwt re-serializes it (a JSON object, keys sorted, Go escaping). */
export function encodePayload(content: Uint8Array): string {
  let v: unknown;
  try {
    v = goJsonParse(utf8.decode(content));
  } catch (e) {
    throw new TypeError(`payload format error: ${(e as Error).message}`);
  }
  if (v !== null && !isPlainObject(v)) throw new TypeError(`payload format error: json: cannot unmarshal ${goJsonTypeName(v)} into Go value of type jwt.MapClaims`);
  return goMarshalSorted(v ?? {});
}

export interface JwsEnvelopeParts {
  protected: string;
  payload: string;
  signature: Uint8Array;
  certificateChain: Uint8Array[];
  signingAgent?: string;
  timestampSignature?: Uint8Array;
}

/** The envelope JSON in REF's struct field order with omitempty (Go's json.Marshal of that struct). */
export function encodeJwsEnvelope(p: JwsEnvelopeParts): Uint8Array {
  const header: string[] = [];
  if (p.timestampSignature && p.timestampSignature.length > 0) header.push(`${goString(HEADER.timestampSignature)}:"${base64std(p.timestampSignature)}"`);
  header.push(`"x5c":[${p.certificateChain.map((c) => `"${base64std(c)}"`).join(',')}]`);
  if (p.signingAgent) header.push(`${goString(HEADER.signingAgent)}:${goString(p.signingAgent)}`);
  const json = `{"payload":${goString(p.payload)},"protected":${goString(p.protected)},"header":{${header.join(',')}},"signature":"${base64url(p.signature)}"}`;
  return Buffer.from(json, 'utf8');
}

export { base64url };
