/**
 * The model behind `inspect` and `blob inspect`: a parsed envelope turned into
 * what notation v2 shows (cmd/notation/internal/display/metadata/{json,tree}),
 * and the two renderings. Nothing here verifies anything: the envelope is
 * parsed and its content read (with notation-core-go Content() checks), the
 * payload descriptor is decoded as Go's json.Unmarshal would, and a timestamp
 * countersignature is decoded and checked against the signature only.
 */
import { EnvelopeError, NotationError } from '../errors.js';
import { MEDIA_TYPE_JWS, PAYLOAD_CONTENT_TYPE, SIGNING_SCHEME_X509, HEADER, type Descriptor, type SignatureAlgorithm } from '../envelope/types.js';
import type { Envelope } from '../envelope/index.js';
import type { Certificate } from '../x509/certificate.js';
import { parseTimestampToken, timestampRange } from '../timestamp/index.js';
import { parseJws } from '../jws/envelope.js';
import { goBase64Decode, goJsonParse, base64std } from '../jws/gojson.js';
import { goEncodeIndent, compareUtf8 } from '../config/gojson.js';
import { goDescriptor } from '../oci/gojson.js';
import { setOwn } from '../util/own.js';

// ---------------------------------------------------------------------------
// Go time values

/** A Go time.Time as far as printing goes: an instant plus the offset of its location. */
export interface GoTime {
  /** Whole seconds since the epoch. */
  seconds: number;
  /** Nanoseconds within the second (0..999999999). */
  nanos: number;
  /** Offset of the time's location east of UTC, in minutes. */
  offsetMinutes: number;
}

/** Minutes east of UTC of Go's time.Local at an instant. */
export type LocalOffset = (d: Date) => number;

export const UTC_OFFSET: LocalOffset = () => 0;

export function goTime(d: Date, offsetMinutes = 0): GoTime {
  const ms = d.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000, offsetMinutes };
}

function inLocal(d: Date, local: LocalOffset): GoTime {
  return goTime(d, local(d));
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** Wall-clock fields of a GoTime in its own location. */
function wall(t: GoTime): Date {
  return new Date((t.seconds + t.offsetMinutes * 60) * 1000);
}

function goYear(y: number): string {
  return y < 0 ? '-' + String(-y).padStart(4, '0') : String(y).padStart(4, '0');
}

/** Go's time.RFC3339Nano layout (as time.Time.MarshalJSON writes it, without quotes). */
export function formatRfc3339Nano(t: GoTime): string {
  const w = wall(t);
  const frac = t.nanos ? '.' + String(t.nanos).padStart(9, '0').replace(/0+$/, '') : '';
  let zone = 'Z';
  if (t.offsetMinutes !== 0) {
    const a = Math.abs(t.offsetMinutes);
    zone = `${t.offsetMinutes < 0 ? '-' : '+'}${p2(Math.floor(a / 60))}:${p2(a % 60)}`;
  }
  return `${goYear(w.getUTCFullYear())}-${p2(w.getUTCMonth() + 1)}-${p2(w.getUTCDate())}T${p2(w.getUTCHours())}:${p2(w.getUTCMinutes())}:${p2(w.getUTCSeconds())}${frac}${zone}`;
}

/** Go's time.ANSIC layout: `Mon Jan _2 15:04:05 2006`, wall clock of the time's location. */
export function formatAnsic(t: GoTime): string {
  const w = wall(t);
  return `${DAYS[w.getUTCDay()]} ${MONTHS[w.getUTCMonth()]} ${String(w.getUTCDate()).padStart(2, ' ')} ${p2(w.getUTCHours())}:${p2(w.getUTCMinutes())}:${p2(w.getUTCSeconds())} ${goYear(w.getUTCFullYear())}`;
}

/** time.Time.MarshalJSON refuses years outside [0, 9999]; json.Encoder then fails. */
function jsonTime(t: GoTime): string {
  const y = wall(t).getUTCFullYear();
  if (y < 0 || y > 9999) {
    throw new NotationError('INSPECT_TIME_OUT_OF_RANGE', 'json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]');
  }
  return formatRfc3339Nano(t);
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of an IANA zone at an instant, through Intl (undefined for an unknown zone). */
function zoneOffset(zone: string, d: Date): number | undefined {
  let f = zoneFormatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short' });
    } catch {
      return undefined;
    }
    zoneFormatters.set(zone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(d)) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const asUtc = new Date(0);
  asUtc.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
  asUtc.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  const secs = Math.floor(d.getTime() / 1000) * 1000;
  return Math.round((asUtc.getTime() - secs) / 60_000);
}

/**
 * Go's time.Local as the Go runtime picks it from the environment: TZ unset means
 * the system zone, TZ="" or "UTC" means UTC, an unknown zone falls back to UTC.
 */
export function localOffsetFromEnv(env: Record<string, string | undefined>): LocalOffset {
  const tz = env.TZ;
  if (tz === undefined) return (d) => -d.getTimezoneOffset() || 0;
  const zone = tz.startsWith(':') ? tz.slice(1) : tz;
  if (zone === '' || zone === 'UTC') return UTC_OFFSET;
  if (zoneOffset(zone, new Date(0)) === undefined) return UTC_OFFSET;
  return (d) => zoneOffset(zone, d) ?? 0;
}

// ---------------------------------------------------------------------------
// Go's fmt.Sprint for decoded attribute values

/** fmt's %v of a float64 (strconv 'g', shortest digits, exponent form when exp < -4 or exp >= 6). */
export function goFormatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, e] = f.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  // In this range JS prints the same shortest digits without an exponent.
  return String(f);
}

/**
 * fmt.Sprint of a value Go decoded from the envelope: JSON values (numbers are
 * float64) for JWS, CBOR values (integers stay integers) for COSE.
 */
export function goSprint(v: unknown, jsonNumbers: boolean, depth = 0): string {
  if (depth > 32) return '...';
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return !jsonNumbers && Number.isInteger(v) ? v.toFixed(0) : goFormatFloat(v);
  if (v instanceof Uint8Array) return `[${[...v].join(' ')}]`;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '<nil>' : `${formatRfc3339Nano(goTime(v)).replace('T', ' ').replace(/Z$/, '')} +0000 UTC`;
  if (Array.isArray(v)) return `[${v.map((e) => goSprint(e, jsonNumbers, depth + 1)).join(' ')}]`;
  const entries: [unknown, unknown][] = v instanceof Map ? [...v.entries()] : Object.entries(v as Record<string, unknown>);
  // fmt prints maps with their keys sorted.
  entries.sort(([a], [b]) => (typeof a === 'number' && typeof b === 'number' ? a - b : compareUtf8(goSprint(a, jsonNumbers), goSprint(b, jsonNumbers))));
  return `map[${entries.map(([k, x]) => `${goSprint(k, jsonNumbers, depth + 1)}:${goSprint(x, jsonNumbers, depth + 1)}`).join(' ')}]`;
}

// ---------------------------------------------------------------------------
// The payload's descriptor, decoded as Go's json.Unmarshal into ocispec.Descriptor

const PAYLOAD_ERROR = 'failed to unmarshall the payload content to Payload';

function payloadError(): EnvelopeError {
  return new EnvelopeError('INSPECT_MALFORMED_PAYLOAD', PAYLOAD_ERROR);
}

/** Go matches JSON keys to struct fields exactly first, then case-insensitively. */
function fieldFor(key: string, fields: readonly string[]): string | undefined {
  if (fields.includes(key)) return key;
  const low = key.toLowerCase();
  return fields.find((f) => f.toLowerCase() === low);
}

function str(v: unknown): string {
  if (typeof v !== 'string') throw payloadError();
  return v;
}

function strings(v: unknown): string[] {
  if (!Array.isArray(v)) throw payloadError();
  return v.map((x) => (x === null ? '' : str(x)));
}

const DESCRIPTOR_FIELDS = ['mediaType', 'digest', 'size', 'urls', 'annotations', 'data', 'platform', 'artifactType'] as const;
const PLATFORM_FIELDS = ['architecture', 'os', 'os.version', 'os.features', 'variant'] as const;

function decodePlatform(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw payloadError();
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const f = fieldFor(k, PLATFORM_FIELDS);
    if (!f || x === null) continue;
    out[f] = f === 'os.features' ? strings(x) : str(x);
  }
  return out;
}

function decodeDescriptor(v: unknown): Descriptor & { annotations?: Record<string, string> | null } {
  const d: Descriptor & { annotations?: Record<string, string> | null } = { mediaType: '', digest: '', size: 0 };
  if (v === null) return d;
  if (typeof v !== 'object' || Array.isArray(v)) throw payloadError();
  for (const [k, x] of Object.entries(v)) {
    const f = fieldFor(k, DESCRIPTOR_FIELDS);
    // JSON null leaves a Go field as it is.
    if (!f || x === null) continue;
    switch (f) {
      case 'mediaType':
      case 'digest':
      case 'artifactType':
        d[f] = str(x);
        break;
      case 'size':
        // int64: integers only (a fraction or an out-of-range value is a type error in Go).
        if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw payloadError();
        d.size = x;
        break;
      case 'urls':
        d.urls = strings(x);
        break;
      case 'annotations': {
        if (typeof x !== 'object' || Array.isArray(x)) throw payloadError();
        const m: Record<string, string> = d.annotations ?? {};
        for (const [ak, av] of Object.entries(x as Record<string, unknown>)) {
          setOwn(m, ak, av === null ? '' : str(av));
        }
        d.annotations = m;
        break;
      }
      case 'data':
        try {
          // []byte: base64 in, re-encoded on output (so the output is Go's canonical form).
          d.data = base64std(goBase64Decode(str(x), 'std'));
        } catch {
          throw payloadError();
        }
        break;
      case 'platform':
        d.platform = decodePlatform(x);
        break;
    }
  }
  return d;
}

/**
 * notation's DescriptorFromSignaturePayload: the Notary payload type only, then
 * `{"targetArtifact": <descriptor>}` decoded as Go does. `annotations` is null when
 * the payload has none (Go's nil map), {} when it has an empty object.
 */
export function descriptorFromPayload(payload: { contentType: string; content: Uint8Array }): Descriptor & { annotations?: Record<string, string> | null } {
  if (payload.contentType !== PAYLOAD_CONTENT_TYPE) {
    throw new EnvelopeError('INSPECT_UNSUPPORTED_PAYLOAD', `payload content type ${JSON.stringify(payload.contentType)} not supported`);
  }
  let doc: unknown;
  try {
    doc = goJsonParse(new TextDecoder('utf-8').decode(payload.content));
  } catch {
    throw payloadError();
  }
  if (doc === null) return decodeDescriptor(null);
  if (typeof doc !== 'object' || Array.isArray(doc)) throw payloadError();
  let target: unknown = null;
  for (const [k, x] of Object.entries(doc)) {
    if (fieldFor(k, ['targetArtifact']) && x !== null) target = x;
  }
  return decodeDescriptor(target);
}

// ---------------------------------------------------------------------------
// The inspection model

export interface InspectCertificate {
  sha256Fingerprint: string;
  issuedTo: string;
  issuedBy: string;
  expiry: GoTime;
}

export interface InspectTimestamp {
  /** [genTime - accuracy, genTime + accuracy], in UTC. */
  range?: [GoTime, GoTime];
  certificates?: InspectCertificate[];
  error?: string;
}

export interface SignatureInspection {
  /** Signature manifest digest (OCI); absent for blob signatures. */
  digest?: string;
  signatureAlgorithm: SignatureAlgorithm;
  signatureEnvelopeType: string;
  contentType: string;
  signingScheme: string;
  signingTime: GoTime;
  expiry?: GoTime;
  /** Extended signed attributes, key and value as fmt.Sprint renders them, in envelope order. */
  extendedAttributes: [string, string][];
  /** targetArtifact annotations: null for none (Go nil map). */
  userDefinedAttributes: Record<string, string> | null;
  signingAgent?: string;
  timestampSignature?: InspectTimestamp;
  certificates: InspectCertificate[];
  /** targetArtifact without its annotations. */
  signedArtifact: Descriptor;
}

export interface InspectOptions {
  /** Signature manifest digest, shown for OCI signatures. */
  digest?: string;
  /** Go's time.Local: COSE times are decoded into it (time.Unix). Default UTC. */
  localOffset?: LocalOffset;
}

function certificates(chain: readonly Certificate[]): InspectCertificate[] {
  return chain.map((c) => ({ sha256Fingerprint: c.fingerprint256, issuedTo: c.subject, issuedBy: c.issuer, expiry: goTime(c.notAfter) }));
}

/** The offsets JWS times were written with (Go keeps the parsed location). */
function jwsHeaderTimes(raw: Uint8Array): Map<string, GoTime> {
  const out = new Map<string, GoTime>();
  let header: unknown;
  try {
    header = goJsonParse(new TextDecoder('utf-8').decode(goBase64Decode(parseJws(raw).protected, 'rawurl')));
  } catch {
    return out;
  }
  if (typeof header !== 'object' || header === null) return out;
  for (const key of [HEADER.signingTime, HEADER.authenticSigningTime, HEADER.expiry]) {
    const s = (header as Record<string, unknown>)[key];
    const m = typeof s === 'string' ? /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/.exec(s) : null;
    if (!m) continue;
    const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
    const off = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) : 0;
    const at = new Date(0);
    at.setUTCFullYear(y, mo - 1, d);
    at.setUTCHours(h, mi, se, 0);
    out.set(key, { seconds: at.getTime() / 1000 - off * 60, nanos: m[7] ? Number(m[7].padEnd(9, '0')) : 0, offsetMinutes: off });
  }
  return out;
}

/** notation's parseTimestamp: decode the token, then TSTInfo, then check it covers the signature. */
function inspectTimestamp(token: Uint8Array, signature: Uint8Array): InspectTimestamp {
  try {
    const t = parseTimestampToken(token);
    const range = timestampRange(t.validate(signature));
    return { range: [goTime(range[0]), goTime(range[1])], certificates: certificates(t.certificates) };
  } catch (e) {
    return { error: `failed to parse timestamp countersignature: ${(e as Error)?.message ?? String(e)}` };
  }
}

/**
 * What notation shows for one envelope. Throws what notation's newSignature
 * returns: Content() errors, the payload errors of descriptorFromPayload.
 */
export function inspectEnvelope(envelope: Envelope, opts: InspectOptions = {}): SignatureInspection {
  const content = envelope.content();
  const target = descriptorFromPayload(content.payload);
  const sa = content.signerInfo.signedAttributes;
  const ua = content.signerInfo.unsignedAttributes;
  const isJws = envelope.mediaType === MEDIA_TYPE_JWS;
  const local = opts.localOffset ?? UTC_OFFSET;
  let signingTime: GoTime;
  let expiry: GoTime | undefined;
  if (isJws) {
    const times = jwsHeaderTimes(envelope.raw);
    const label = sa.signingScheme === SIGNING_SCHEME_X509 ? HEADER.signingTime : HEADER.authenticSigningTime;
    signingTime = times.get(label) ?? goTime(sa.signingTime);
    expiry = sa.expiry ? (times.get(HEADER.expiry) ?? goTime(sa.expiry)) : undefined;
  } else {
    signingTime = inLocal(sa.signingTime, local);
    expiry = sa.expiry ? inLocal(sa.expiry, local) : undefined;
  }
  const { annotations, ...artifact } = target;
  return {
    ...(opts.digest ? { digest: opts.digest } : {}),
    signatureAlgorithm: content.signerInfo.signatureAlgorithm,
    signatureEnvelopeType: envelope.mediaType,
    contentType: content.payload.contentType,
    signingScheme: sa.signingScheme,
    signingTime,
    ...(expiry ? { expiry } : {}),
    extendedAttributes: sa.extendedAttributes.map((a) => [goSprint(a.key, isJws), goSprint(a.value, isJws)]),
    userDefinedAttributes: annotations ?? null,
    ...(ua.signingAgent ? { signingAgent: ua.signingAgent } : {}),
    ...(ua.timestampSignature ? { timestampSignature: inspectTimestamp(ua.timestampSignature, content.signerInfo.signature) } : {}),
    certificates: certificates(content.signerInfo.certificateChain),
    signedArtifact: artifact,
  };
}

// ---------------------------------------------------------------------------
// JSON rendering (json/inspect_helper.go; Go maps get sorted keys, structs keep field order)

function certificateJson(c: InspectCertificate): Record<string, unknown> {
  return { SHA256Fingerprint: c.sha256Fingerprint, issuedTo: c.issuedTo, issuedBy: c.issuedBy, expiry: jsonTime(c.expiry) };
}

/** The `signature` struct of notation's JSON output, ready for goEncodeIndent. */
export function signatureJsonValue(s: SignatureInspection): Record<string, unknown> {
  const signed = new Map<string, unknown>([
    ['contentType', s.contentType],
    ['signingScheme', s.signingScheme],
    ['signingTime', jsonTime(s.signingTime)],
  ]);
  if (s.expiry) signed.set('expiry', jsonTime(s.expiry));
  for (const [k, v] of s.extendedAttributes) signed.set(k, v);
  const unsigned = new Map<string, unknown>();
  if (s.signingAgent) unsigned.set('signingAgent', s.signingAgent);
  if (s.timestampSignature) {
    const t = s.timestampSignature;
    unsigned.set('timestampSignature', {
      timestamp: t.range ? `[${formatRfc3339Nano(t.range[0])}, ${formatRfc3339Nano(t.range[1])}]` : undefined,
      certificates: t.certificates?.length ? t.certificates.map(certificateJson) : undefined,
      error: t.error || undefined,
    });
  }
  return {
    digest: s.digest || undefined,
    signatureAlgorithm: s.signatureAlgorithm,
    signatureEnvelopeType: s.signatureEnvelopeType,
    signedAttributes: signed,
    userDefinedAttributes: s.userDefinedAttributes === null ? null : new Map(Object.entries(s.userDefinedAttributes)),
    unsignedAttributes: unsigned,
    certificates: s.certificates.length ? s.certificates.map(certificateJson) : null,
    signedArtifact: goDescriptor(s.signedArtifact),
  };
}

/** `notation blob inspect -o json`: the signature object, 2-space indent, trailing newline. */
export function blobInspectJson(s: SignatureInspection): string {
  return goEncodeIndent(signatureJsonValue(s), '  ');
}

/** `notation inspect -o json`: `{"mediaType": ..., "signatures": [...]}`. */
export function inspectJson(mediaType: string, signatures: readonly SignatureInspection[]): string {
  return goEncodeIndent({ mediaType, signatures: signatures.map(signatureJsonValue) }, '  ');
}

// ---------------------------------------------------------------------------
// Tree rendering (tree/tree.go, tree/inspect_helper.go)

const ITEM = '├── ';
const ITEM_LAST = '└── ';
const SUB = '│   ';
const SUB_LAST = '    ';

export class TreeNode {
  readonly children: TreeNode[] = [];
  constructor(readonly value: string) {}

  add(value: string): TreeNode {
    const n = new TreeNode(value);
    this.children.push(n);
    return n;
  }

  addPair(key: string, value: string): TreeNode {
    return this.add(`${key}: ${value}`);
  }
}

/** Renders a node and its subtree: the node's line is `prefix + marker + value`. */
export function renderTree(node: TreeNode, prefix = '', marker = '', childPrefix = ''): string {
  let out = `${prefix}${marker}${node.value}\n`;
  node.children.forEach((c, i) => {
    const last = i === node.children.length - 1;
    out += renderTree(c, childPrefix, last ? ITEM_LAST : ITEM, childPrefix + (last ? SUB_LAST : SUB));
  });
  return out;
}

function addCertificates(parent: TreeNode, chain: readonly InspectCertificate[]): void {
  const list = parent.add('certificates');
  for (const c of chain) {
    const n = list.addPair('SHA256 fingerprint', c.sha256Fingerprint);
    n.addPair('issued to', c.issuedTo);
    n.addPair('issued by', c.issuedBy);
    n.addPair('expiry', formatAnsic(c.expiry));
  }
}

/** One signature as notation's tree shows it, under the node `name` (digest or signature path). */
export function signatureTree(name: string, s: SignatureInspection): TreeNode {
  const root = new TreeNode(name);
  root.addPair('signature algorithm', s.signatureAlgorithm);
  root.addPair('signature envelope type', s.signatureEnvelopeType);
  const signed = root.add('signed attributes');
  signed.addPair('content type', s.contentType);
  signed.addPair('signing scheme', s.signingScheme);
  signed.addPair('signing time', formatAnsic(s.signingTime));
  if (s.expiry) signed.addPair('expiry', formatAnsic(s.expiry));
  for (const [k, v] of s.extendedAttributes) signed.addPair(k, v);
  const user = root.add('user defined attributes');
  const ann = s.userDefinedAttributes ?? {};
  const keys = Object.keys(ann).sort(compareUtf8);
  if (keys.length === 0) user.add('(empty)');
  for (const k of keys) user.addPair(k, ann[k]);
  const unsigned = root.add('unsigned attributes');
  if (s.signingAgent) unsigned.addPair('signing agent', s.signingAgent);
  if (s.timestampSignature) {
    const t = s.timestampSignature;
    const tn = unsigned.add('timestamp signature');
    if (t.error !== undefined || !t.range) tn.addPair('error', t.error ?? '');
    else {
      tn.addPair('timestamp', `[${formatAnsic(t.range[0])}, ${formatAnsic(t.range[1])}]`);
      addCertificates(tn, t.certificates ?? []);
    }
  }
  addCertificates(root, s.certificates);
  const art = root.add('signed artifact');
  art.addPair('media type', s.signedArtifact.mediaType);
  art.addPair('digest', s.signedArtifact.digest);
  art.addPair('size', String(s.signedArtifact.size));
  return root;
}

/** `notation blob inspect` (tree): the signature node named by the signature path. */
export function blobInspectTree(signaturePath: string, s: SignatureInspection): string {
  return renderTree(signatureTree(signaturePath, s));
}

/**
 * notation's streaming tree for `inspect`: the header and the reference node
 * come with the first signature; each signature node is written once the next
 * one is known (so it gets the right branch marker); flush() ends the tree.
 */
export class InspectTreeWriter {
  private pending?: TreeNode;
  private headerDone = false;

  constructor(
    private readonly reference: string,
    private readonly write: (s: string) => void,
  ) {}

  add(digest: string, s: SignatureInspection): void {
    if (!this.headerDone) {
      const root = new TreeNode(this.reference);
      root.add('application/vnd.cncf.notary.signature');
      this.write('Inspecting all signatures for signed artifact\n' + renderTree(root));
      this.headerDone = true;
    }
    const node = signatureTree(digest, s);
    if (this.pending) this.write(renderTree(this.pending, SUB_LAST, ITEM, SUB_LAST + SUB));
    this.pending = node;
  }

  /** Writes the last signature, or the no-signature line when none was shown. */
  flush(): void {
    if (this.pending) this.write(renderTree(this.pending, SUB_LAST, ITEM_LAST, SUB_LAST + SUB_LAST));
    this.pending = undefined;
    if (!this.headerDone) this.write(`${this.reference} has no associated signature\n`);
  }
}
