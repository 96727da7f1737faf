/**
 * Decoding a trust policy file the way `notation policy import|show` does
 * (json.Unmarshal into notation-go's document structs), so their errors read
 * like notation's: Go's syntax error text, or the first UnmarshalTypeError
 * ("json: cannot unmarshal number into Go struct field OCITrustPolicy.trustPolicies.name of type string").
 * The typed document then comes from src/trustpolicy, which accepts the same inputs.
 */
import { TrustPolicyError } from '../errors.js';
import { GoJsonError, goJsonParse, goJsonTypeName } from '../jws/gojson.js';
import {
  TRUST_POLICY_ERROR as TP,
  parseBlobTrustPolicy,
  parseOciTrustPolicy,
  type BlobTrustPolicyDocument,
  type OciTrustPolicyDocument,
  type PolicyKind,
} from '../trustpolicy/index.js';

/** A Go type as json.Unmarshal sees it: name (for messages) and what JSON it takes. */
type GoType =
  | { kind: 'string' | 'bool'; name: string }
  | { kind: 'slice'; name: string; elem: GoType }
  | { kind: 'map'; name: string; elem: GoType }
  | { kind: 'struct'; name: string; fields: Record<string, GoType> };

const str = (name = 'string'): GoType => ({ kind: 'string', name });
const strings: GoType = { kind: 'slice', name: '[]string', elem: str() };

const SIGNATURE_VERIFICATION: GoType = {
  kind: 'struct',
  name: 'trustpolicy.SignatureVerification',
  fields: {
    level: str(),
    override: { kind: 'map', name: 'map[trustpolicy.ValidationType]trustpolicy.ValidationAction', elem: str('trustpolicy.ValidationAction') },
    verifyTimestamp: str('trustpolicy.TimestampOption'),
  },
};

function documentType(kind: PolicyKind): GoType {
  const prefix = kind === 'oci' ? 'OCI' : 'Blob';
  const statementFields: Record<string, GoType> = {
    name: str(),
    signatureVerification: SIGNATURE_VERIFICATION,
    trustStores: strings,
    trustedIdentities: strings,
  };
  if (kind === 'oci') statementFields.registryScopes = strings;
  else statementFields.globalPolicy = { kind: 'bool', name: 'bool' };
  const statement: GoType = { kind: 'struct', name: `trustpolicy.${prefix}TrustPolicy`, fields: statementFields };
  return {
    kind: 'struct',
    name: `trustpolicy.${prefix}Document`,
    fields: { version: str(), trustPolicies: { kind: 'slice', name: `[]trustpolicy.${prefix}TrustPolicy`, elem: statement } },
  };
}

/** Go's case-insensitive key match (ASCII fold plus the two Unicode folds Go applies). */
function fold(s: string): string {
  return s.replace(/\u017f/g, 's').replace(/\u212a/g, 'k').toLowerCase();
}

function fieldFor(fields: Record<string, GoType>, key: string): string | undefined {
  if (key in fields) return key;
  const f = fold(key);
  return Object.keys(fields).find((n) => fold(n) === f);
}

/** Go's UnmarshalTypeError text for the first mismatch in document order, or undefined. */
function firstTypeError(v: unknown, t: GoType, path: string[], struct: string): string | undefined {
  if (v === null) return undefined; // null leaves the zero value
  const mismatch = () =>
    path.length > 0
      ? `json: cannot unmarshal ${goJsonTypeName(v)} into Go struct field ${struct}.${path.join('.')} of type ${t.name}`
      : `json: cannot unmarshal ${goJsonTypeName(v)} into Go value of type ${t.name}`;
  switch (t.kind) {
    case 'string':
      return typeof v === 'string' ? undefined : mismatch();
    case 'bool':
      return typeof v === 'boolean' ? undefined : mismatch();
    case 'slice':
      if (!Array.isArray(v)) return mismatch();
      for (const x of v) {
        const e = firstTypeError(x, t.elem, path, struct);
        if (e) return e;
      }
      return undefined;
    case 'map':
      if (goJsonTypeName(v) !== 'object') return mismatch();
      for (const x of Object.values(v as Record<string, unknown>)) {
        const e = firstTypeError(x, t.elem, path, struct);
        if (e) return e;
      }
      return undefined;
    case 'struct': {
      if (goJsonTypeName(v) !== 'object') return mismatch();
      const structName = t.name.replace(/^.*\./, '');
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const f = fieldFor(t.fields, k);
        if (f === undefined) continue; // unknown keys are ignored
        const e = firstTypeError(x, t.fields[f], [...path, f], structName);
        if (e) return e;
      }
      return undefined;
    }
  }
}

function goDecodeError(message: string, cause?: unknown): TrustPolicyError {
  return new TrustPolicyError(TP.MALFORMED, message, { cause });
}

/** Checks `text` as json.Unmarshal would; throws TrustPolicyError TRUST_POLICY_MALFORMED with Go's message. */
export function checkGoUnmarshal(text: string, kind: PolicyKind): void {
  let value: unknown;
  try {
    value = goJsonParse(text, { maxDepth: 10_000 });
  } catch (e) {
    if (e instanceof GoJsonError) throw goDecodeError(e.message, e);
    throw e;
  }
  const err = firstTypeError(value, documentType(kind), [], '');
  if (err) throw goDecodeError(err);
}

/**
 * Decodes (without semantic validation) an OCI or blob policy file as
 * `notation policy import|show` would. Throws TrustPolicyError: MALFORMED with
 * Go's decoder message, or LIMIT_EXCEEDED beyond our size bounds.
 */
export function decodePolicyLikeGo(bytes: Uint8Array, kind: 'oci'): OciTrustPolicyDocument;
export function decodePolicyLikeGo(bytes: Uint8Array, kind: 'blob'): BlobTrustPolicyDocument;
export function decodePolicyLikeGo(bytes: Uint8Array, kind: PolicyKind): OciTrustPolicyDocument | BlobTrustPolicyDocument;
export function decodePolicyLikeGo(bytes: Uint8Array, kind: PolicyKind): OciTrustPolicyDocument | BlobTrustPolicyDocument {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  checkGoUnmarshal(text, kind);
  const opts = { validate: false, allowTrailingData: false };
  return kind === 'oci' ? parseOciTrustPolicy(bytes, undefined, opts) : parseBlobTrustPolicy(bytes, undefined, opts);
}
