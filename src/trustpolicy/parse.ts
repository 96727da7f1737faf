/**
 * Trust policy JSON -> typed document, accepting exactly what notation's Go
 * decoder accepts (checklist 4.2):
 * - object keys match struct fields case-insensitively (Go's fold: ASCII case,
 *   plus U+017F -> S and U+212A -> K); unknown keys are ignored;
 * - `null` leaves a field at its zero value (also inside lists: `""`, empty statement);
 * - a value of the wrong JSON type makes the whole file malformed;
 * - json.Decoder (used when loading policy files) ignores bytes after the first
 *   complete top-level object; json.Unmarshal (`policy import`) does not.
 * The shape check is an ajv schema over the key-normalised tree.
 */
import { checkShape, limit, malformed, MAX_POLICY_BYTES, MAX_STATEMENTS, type PolicyKind } from './shape.js';
import { type BlobTrustPolicyDocument, type OciTrustPolicyDocument, type TrustPolicyStatement } from './types.js';
import { validateBlobTrustPolicy, validateOciTrustPolicy, type TrustPolicyValidationOptions } from './validate.js';

export interface ParseOptions extends TrustPolicyValidationOptions {
  /** Validate after parsing (default true). */
  validate?: boolean;
  /** Ignore bytes after the first top-level JSON object, as json.Decoder does (default false). */
  allowTrailingData?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Parses (and by default validates) an OCI trust policy (trustpolicy.oci.json / trustpolicy.json). */
export function parseOciTrustPolicy(text: string | Uint8Array, source?: string, options: ParseOptions = {}): OciTrustPolicyDocument {
  const doc = toDocument(decodeJson(text, source, options), 'oci', source) as OciTrustPolicyDocument;
  if (options.validate ?? true) validateOciTrustPolicy(doc, options);
  return doc;
}

/** Parses (and by default validates) a blob trust policy (trustpolicy.blob.json). */
export function parseBlobTrustPolicy(text: string | Uint8Array, source?: string, options: ParseOptions = {}): BlobTrustPolicyDocument {
  const doc = toDocument(decodeJson(text, source, options), 'blob', source) as BlobTrustPolicyDocument;
  if (options.validate ?? true) validateBlobTrustPolicy(doc, options);
  return doc;
}

function decodeJson(input: string | Uint8Array, source: string | undefined, options: ParseOptions): Json {
  let text: string;
  if (typeof input === 'string') {
    text = input;
    if (text.length > MAX_POLICY_BYTES) throw limit(`trust policy is larger than ${MAX_POLICY_BYTES} bytes`);
  } else if (input instanceof Uint8Array) {
    if (input.length > MAX_POLICY_BYTES) throw limit(`trust policy is larger than ${MAX_POLICY_BYTES} bytes`);
    // Keep a BOM: Go rejects it, and so will JSON.parse.
    text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(input);
  } else {
    throw malformed(source, undefined, 'trust policy input is neither text nor bytes');
  }
  if (options.allowTrailingData) text = text.slice(0, firstValueEnd(text));
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw malformed(source, e);
  }
}

/** End of the first top-level object/array (json.Decoder stops there); whole text otherwise. */
function firstValueEnd(text: string): number {
  let i = 0;
  while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  if (text[i] !== '{' && text[i] !== '[') return text.length;
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (--depth === 0) return i + 1;
    }
  }
  return text.length;
}

// --- Go encoding/json field matching -------------------------------------

function goFold(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch >= 'a' && ch <= 'z') out += ch.toUpperCase();
    else if (ch === '\u017f') out += 'S';
    else if (ch === '\u212a') out += 'K';
    else out += ch;
  }
  return out;
}

const DOC_FIELDS = ['version', 'trustPolicies'];
const SV_FIELDS = ['level', 'override', 'verifyTimestamp'];
const STATEMENT_FIELDS: Record<PolicyKind, string[]> = {
  oci: ['name', 'signatureVerification', 'trustStores', 'trustedIdentities', 'registryScopes'],
  blob: ['name', 'signatureVerification', 'trustStores', 'trustedIdentities', 'globalPolicy'],
};

/** Keeps the keys that name a struct field (exact or folded), renamed to the field; later keys win as in Go. */
function pickFields(obj: { [k: string]: Json }, fields: string[]): { [k: string]: Json } {
  const exact = new Set(fields);
  const folded = new Map(fields.map((f) => [goFold(f), f]));
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(obj)) {
    const f = exact.has(k) ? k : folded.get(goFold(k));
    if (f !== undefined) out[f] = v;
  }
  return out;
}

const isObject = (v: Json | undefined): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Renames keys to canonical field names (drops unknown keys); leaves values for the schema to judge. */
function normaliseKeys(root: Json, kind: PolicyKind): Json {
  if (!isObject(root)) return root;
  const doc = pickFields(root, DOC_FIELDS);
  const list = doc.trustPolicies;
  if (Array.isArray(list) && list.length <= MAX_STATEMENTS) {
    doc.trustPolicies = list.map((s) => {
      if (!isObject(s)) return s;
      const st = pickFields(s, STATEMENT_FIELDS[kind]);
      if (isObject(st.signatureVerification)) st.signatureVerification = pickFields(st.signatureVerification, SV_FIELDS);
      return st;
    });
  }
  return doc;
}

// --- Typed document ---------------------------------------------------------

const strings = (v: Json | undefined): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : '')) : []);

function toStatement(s: Json, kind: PolicyKind): TrustPolicyStatement {
  const o = isObject(s) ? s : {};
  const sv = isObject(o.signatureVerification) ? o.signatureVerification : {};
  const signatureVerification: TrustPolicyStatement['signatureVerification'] = { level: typeof sv.level === 'string' ? sv.level : '' };
  if (isObject(sv.override)) {
    // Object.fromEntries defines own properties, so a "__proto__" key stays data.
    signatureVerification.override = Object.fromEntries(Object.entries(sv.override).map(([k, v]) => [k, typeof v === 'string' ? v : '']));
  }
  if (typeof sv.verifyTimestamp === 'string') signatureVerification.verifyTimestamp = sv.verifyTimestamp;
  const st: TrustPolicyStatement = {
    name: typeof o.name === 'string' ? o.name : '',
    signatureVerification,
    trustStores: strings(o.trustStores),
    trustedIdentities: strings(o.trustedIdentities),
  };
  if (kind === 'oci') st.registryScopes = strings(o.registryScopes);
  else if (typeof o.globalPolicy === 'boolean') st.globalPolicy = o.globalPolicy;
  return st;
}

function toDocument(root: Json, kind: PolicyKind, source?: string): OciTrustPolicyDocument | BlobTrustPolicyDocument {
  const normalised = normaliseKeys(root, kind);
  checkShape(normalised, kind, source);
  const o = isObject(normalised) ? normalised : {}; // top-level null decodes to the zero document in Go
  const list = Array.isArray(o.trustPolicies) ? o.trustPolicies : [];
  return {
    version: typeof o.version === 'string' ? o.version : '',
    trustPolicies: list.map((s) => toStatement(s, kind)),
  } as OciTrustPolicyDocument | BlobTrustPolicyDocument;
}
