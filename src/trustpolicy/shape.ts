/**
 * Shape of trust policy documents: the JSON types notation's Go structs accept,
 * over documents whose keys are already the canonical field names (parse.ts folds
 * keys first), plus our size bounds. The schema is shape-schema.ts; its validator
 * is generated ahead of time (shape.generated.ts), so loading a policy compiles nothing.
 */
import { TrustPolicyError } from '../errors.js';
import { TP } from './codes.js';
import { TRUST_POLICY_LINK } from './types.js';
import * as generated from './shape.generated.js';
import type { PolicyKind } from './shape-schema.js';

export { MAX_POLICY_BYTES, MAX_STATEMENTS, MAX_LIST_ENTRIES, MAX_TRUSTED_IDENTITIES, type PolicyKind } from './shape-schema.js';

export const MALFORMED_MESSAGE = `malformed trust policy. To create a trust policy, see: ${TRUST_POLICY_LINK}`;

export function malformed(source: string | undefined, cause?: unknown, detail?: string): TrustPolicyError {
  const err = new TrustPolicyError(TP.MALFORMED, MALFORMED_MESSAGE, { cause: cause ?? (detail ? new Error(detail) : undefined) });
  if (source || detail) Object.assign(err, { source, detail });
  return err;
}

export function limit(message: string): TrustPolicyError {
  return new TrustPolicyError(TP.LIMIT_EXCEEDED, message);
}

/** The part of ajv's ErrorObject the generated validators report and we read. */
interface ShapeError {
  keyword: string;
  instancePath: string;
  message?: string;
}
interface ShapeValidator {
  (data: unknown): boolean;
  errors?: ShapeError[] | null;
}
const validators = generated as unknown as Record<PolicyKind, ShapeValidator>;

function describe(e: ShapeError): string {
  return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`;
}

/**
 * Checks the shape of a (key-normalised) document: every present field has the
 * JSON type notation's structs expect. Throws TRUST_POLICY_MALFORMED, or
 * TRUST_POLICY_LIMIT_EXCEEDED for lists beyond our bounds.
 */
export function checkShape(doc: unknown, kind: PolicyKind, source?: string): void {
  const v = validators[kind];
  if (v(doc)) return;
  const e = v.errors?.[0];
  if (e && (e.keyword === 'maxItems' || e.keyword === 'maxProperties')) {
    throw limit(`trust policy ${source ? `${source} ` : ''}exceeds a size limit: ${describe(e)}`);
  }
  throw malformed(source, undefined, e ? describe(e) : 'invalid shape');
}
