/**
 * Shape of trust policy documents: the JSON types notation's Go structs accept,
 * as an ajv schema over documents whose keys are already the canonical field
 * names (parse.ts folds keys first), plus our size bounds.
 */
import { Ajv, type ValidateFunction, type ErrorObject } from 'ajv';
import { TrustPolicyError } from '../errors.js';
import { TP } from './codes.js';
import { TRUST_POLICY_LINK } from './types.js';

export type PolicyKind = 'oci' | 'blob';

/** Largest policy file we read (notation has no bound; real policies are a few KiB). */
export const MAX_POLICY_BYTES = 4 * 1024 * 1024;
/** Most statements per document, and most entries per list in a statement. */
export const MAX_STATEMENTS = 10_000;
export const MAX_LIST_ENTRIES = 10_000;
/** Identities are compared pairwise for overlap, so their count is bounded tighter. */
export const MAX_TRUSTED_IDENTITIES = 1_000;

export const MALFORMED_MESSAGE = `malformed trust policy. To create a trust policy, see: ${TRUST_POLICY_LINK}`;

export function malformed(source: string | undefined, cause?: unknown, detail?: string): TrustPolicyError {
  const err = new TrustPolicyError(TP.MALFORMED, MALFORMED_MESSAGE, { cause: cause ?? (detail ? new Error(detail) : undefined) });
  if (source || detail) Object.assign(err, { source, detail });
  return err;
}

export function limit(message: string): TrustPolicyError {
  return new TrustPolicyError(TP.LIMIT_EXCEEDED, message);
}

const nullable = (t: string) => ({ type: [t, 'null'] });
const stringList = (max: number) => ({ type: ['array', 'null'], maxItems: max, items: nullable('string') });

function statementSchema(kind: PolicyKind): object {
  const props: Record<string, object> = {
    name: nullable('string'),
    signatureVerification: {
      type: ['object', 'null'],
      properties: {
        level: nullable('string'),
        override: { type: ['object', 'null'], maxProperties: 64, additionalProperties: nullable('string') },
        verifyTimestamp: nullable('string'),
      },
    },
    trustStores: stringList(MAX_LIST_ENTRIES),
    trustedIdentities: stringList(MAX_TRUSTED_IDENTITIES),
  };
  if (kind === 'oci') props.registryScopes = stringList(MAX_LIST_ENTRIES);
  else props.globalPolicy = nullable('boolean');
  return { type: ['object', 'null'], properties: props };
}

function documentSchema(kind: PolicyKind): object {
  return {
    type: ['object', 'null'],
    properties: {
      version: nullable('string'),
      trustPolicies: { type: ['array', 'null'], maxItems: MAX_STATEMENTS, items: statementSchema(kind) },
    },
  };
}

const validators: Partial<Record<PolicyKind, ValidateFunction>> = {};
function shapeValidator(kind: PolicyKind): ValidateFunction {
  // Compiled on first use, one kind at a time; the schemas are ours and static, so
  // checking them against the meta-schema (half of ajv's start-up cost) is skipped.
  return (validators[kind] ??= new Ajv({ allErrors: false, strict: true, meta: false, validateSchema: false }).compile(documentSchema(kind)));
}

function describe(e: ErrorObject): string {
  return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`;
}

/**
 * Checks the shape of a (key-normalised) document: every present field has the
 * JSON type notation's structs expect. Throws TRUST_POLICY_MALFORMED, or
 * TRUST_POLICY_LIMIT_EXCEEDED for lists beyond our bounds.
 */
export function checkShape(doc: unknown, kind: PolicyKind, source?: string): void {
  const v = shapeValidator(kind);
  if (v(doc)) return;
  const e = v.errors?.[0];
  if (e && (e.keyword === 'maxItems' || e.keyword === 'maxProperties')) {
    throw limit(`trust policy ${source ? `${source} ` : ''}exceeds a size limit: ${describe(e)}`);
  }
  throw malformed(source, undefined, e ? describe(e) : 'invalid shape');
}

