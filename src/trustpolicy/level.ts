/**
 * Verification levels and `override` (checklist 4.5), as notation-go's
 * SignatureVerification.GetVerificationLevel.
 */
import { TrustPolicyError } from '../errors.js';
import { goQuote } from '../x509/dn.js';
import { TP } from './codes.js';
import {
  VALIDATION_ACTIONS,
  VALIDATION_TYPES,
  type ValidationAction,
  type ValidationType,
  type VerificationLevel,
} from './types.js';

const E: ValidationAction = 'enforce';
const L: ValidationAction = 'log';
const S: ValidationAction = 'skip';

function preset(name: VerificationLevel['name'], a: ValidationAction[]): Readonly<VerificationLevel> {
  const enforcement = Object.freeze(Object.fromEntries(VALIDATION_TYPES.map((t, i) => [t, a[i]]))) as Record<ValidationType, ValidationAction>;
  return Object.freeze({ name, enforcement });
}

export const LEVEL_STRICT = preset('strict', [E, E, E, E, E]);
export const LEVEL_PERMISSIVE = preset('permissive', [E, E, L, L, L]);
export const LEVEL_AUDIT = preset('audit', [E, L, L, L, L]);
export const LEVEL_SKIP = preset('skip', [S, S, S, S, S]);

export const VERIFICATION_LEVELS: readonly Readonly<VerificationLevel>[] = [LEVEL_STRICT, LEVEL_PERMISSIVE, LEVEL_AUDIT, LEVEL_SKIP];

/** Go's %q of a string slice, e.g. `["integrity" "authenticity"]`. */
function goQuoteList(xs: readonly string[]): string {
  return '[' + xs.map(goQuote).join(' ') + ']';
}

/**
 * Resolves `{level, override}` to the action of each validation. Presets come back
 * as fresh copies; with a non-empty override the result is named `custom`.
 * Throws TrustPolicyError (codes TRUST_POLICY_MISSING_LEVEL, _INVALID_LEVEL,
 * _OVERRIDE_*) with notation-go's messages.
 */
export function resolveVerificationLevel(sv: { level?: string; override?: Record<string, string> | null }): VerificationLevel {
  const levelName = sv?.level ?? '';
  if (levelName === '') {
    throw new TrustPolicyError(TP.MISSING_LEVEL, 'signature verification level is empty or missing in the trust policy statement');
  }
  const base = VERIFICATION_LEVELS.find((l) => l.name === levelName);
  const override = sv.override ?? {};
  const entries = Object.entries(override);
  if (!base) {
    // Same message either way; a separate code lets callers tell a broken custom level apart.
    const code = entries.length > 0 ? TP.OVERRIDE_UNKNOWN_BASE_LEVEL : TP.INVALID_LEVEL;
    throw new TrustPolicyError(code, `invalid signature verification level ${goQuote(levelName)}`);
  }
  if (entries.length === 0) return { name: base.name, enforcement: { ...base.enforcement } };
  if (base === LEVEL_SKIP) {
    throw new TrustPolicyError(
      TP.OVERRIDE_ON_SKIP,
      `signature verification level ${goQuote(base.name)} can't be used to customize signature verification`,
    );
  }
  const custom: VerificationLevel = { name: 'custom', enforcement: { ...base.enforcement } };
  for (const [key, value] of entries) {
    const type = VALIDATION_TYPES.find((t) => t === key);
    if (!type) {
      throw new TrustPolicyError(
        TP.OVERRIDE_UNKNOWN_TYPE,
        `verification type ${goQuote(key)} in custom signature verification is not supported, supported values are ${goQuoteList(VALIDATION_TYPES)}`,
      );
    }
    const action = VALIDATION_ACTIONS.find((a) => a === value);
    if (!action) {
      throw new TrustPolicyError(
        TP.OVERRIDE_UNKNOWN_ACTION,
        `verification action ${goQuote(String(value))} in custom signature verification is not supported, supported values are ${goQuoteList(VALIDATION_ACTIONS)}`,
      );
    }
    if (type === 'integrity') {
      throw new TrustPolicyError(TP.OVERRIDE_INTEGRITY, `${goQuote(key)} verification can not be overridden in custom signature verification`);
    }
    if (type !== 'revocation' && action === 'skip') {
      throw new TrustPolicyError(TP.OVERRIDE_SKIP_NOT_ALLOWED, `${goQuote(key)} verification can not be skipped in custom signature verification`);
    }
    custom.enforcement[type] = action;
  }
  return custom;
}
