/**
 * The JSON schema of trust policy documents (keys already folded to the canonical
 * field names by parse.ts): the JSON types notation's Go structs accept, plus our
 * size bounds. Data only: the validator that checks it is generated ahead of time
 * (scripts/gen-policy-shape.ts -> shape.generated.ts), so no schema compiler
 * runs when a policy is loaded.
 */

export type PolicyKind = 'oci' | 'blob';

/** Largest policy file we read (notation has no bound; real policies are a few KiB). */
export const MAX_POLICY_BYTES = 4 * 1024 * 1024;
/** Most statements per document, and most entries per list in a statement. */
export const MAX_STATEMENTS = 10_000;
export const MAX_LIST_ENTRIES = 10_000;
/** Identities are compared pairwise for overlap, so their count is bounded tighter. */
export const MAX_TRUSTED_IDENTITIES = 1_000;
/** Most entries of signatureVerification.override. */
export const MAX_OVERRIDES = 64;

const nullable = (t: string) => ({ type: [t, 'null'] });
const stringList = (max: number) => ({ type: ['array', 'null'], maxItems: max, items: nullable('string') });

function statementSchema(kind: PolicyKind): object {
  const props: Record<string, object> = {
    name: nullable('string'),
    signatureVerification: {
      type: ['object', 'null'],
      properties: {
        level: nullable('string'),
        override: { type: ['object', 'null'], maxProperties: MAX_OVERRIDES, additionalProperties: nullable('string') },
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

/** The document schema of one policy kind ($id = the kind). */
export function documentSchema(kind: PolicyKind): object {
  return {
    $id: kind,
    type: ['object', 'null'],
    properties: {
      version: nullable('string'),
      trustPolicies: { type: ['array', 'null'], maxItems: MAX_STATEMENTS, items: statementSchema(kind) },
    },
  };
}

/** The ajv options the validators are generated with (and the equivalence test compiles with). */
export const AJV_OPTIONS = { allErrors: false, strict: true, meta: false, validateSchema: false } as const;
