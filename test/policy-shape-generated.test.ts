/**
 * The trust policy shape validator is generated ahead of time (ajv standalone
 * code, scripts/gen-policy-shape.ts). These tests keep it honest: the committed
 * file is exactly what the generator prints today, and it judges every document
 * exactly as ajv compiling the schema at run time does (verdict and first error).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Ajv, type ValidateFunction } from 'ajv';
import { GENERATED_PATH, policyShapeSource } from '../scripts/gen-policy-shape.js';
import { AJV_OPTIONS, documentSchema, MAX_OVERRIDES, type PolicyKind } from '../src/trustpolicy/shape-schema.js';
import * as generated from '../src/trustpolicy/shape.generated.js';
import { checkShape } from '../src/trustpolicy/shape.js';
import { TrustPolicyError } from '../src/errors.js';

type Validator = ((d: unknown) => boolean) & { errors?: { keyword: string; instancePath: string; message?: string }[] | null };
const gen = generated as unknown as Record<PolicyKind, Validator>;

function runtime(kind: PolicyKind): ValidateFunction {
  return new Ajv({ ...AJV_OPTIONS }).compile(documentSchema(kind));
}

const firstError = (v: Validator | ValidateFunction) => {
  const e = v.errors?.[0];
  return e ? { keyword: e.keyword, instancePath: e.instancePath, message: e.message } : undefined;
};

// Values of every JSON type, so each field is tried with right and wrong types.
const anyJson = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}), fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const stringList = fc.oneof(fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.constant(null)), { maxLength: 4 }), anyJson);
const statement = fc.oneof(
  fc.record(
    {
      name: maybe(fc.oneof(fc.string({ maxLength: 6 }), anyJson)),
      signatureVerification: maybe(
        fc.oneof(
          fc.record(
            {
              level: maybe(fc.oneof(fc.constantFrom('strict', 'audit'), anyJson)),
              override: maybe(fc.oneof(fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 4 }), anyJson), { maxKeys: 4 }), anyJson)),
              verifyTimestamp: maybe(anyJson),
            },
            { requiredKeys: [] },
          ),
          anyJson,
        ),
      ),
      trustStores: maybe(stringList),
      trustedIdentities: maybe(stringList),
      registryScopes: maybe(stringList),
      globalPolicy: maybe(fc.oneof(fc.boolean(), anyJson)),
    },
    { requiredKeys: [] },
  ),
  anyJson,
);
const documentArb = fc.oneof(
  fc.record({ version: maybe(fc.oneof(fc.constant('1.0'), anyJson)), trustPolicies: maybe(fc.oneof(fc.array(statement, { maxLength: 4 }), anyJson)) }, { requiredKeys: [] }),
  anyJson,
);

describe('trust policy shape validator (generated ahead of time)', () => {
  it('is exactly what scripts/gen-policy-shape.ts generates from the schema today', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8') === policyShapeSource(), 'src/trustpolicy/shape.generated.ts is stale: run npx tsx scripts/gen-policy-shape.ts').to.equal(true);
  });

  for (const kind of ['oci', 'blob'] as const) {
    it(`judges ${kind} documents exactly as ajv compiling the schema at run time`, () => {
      const rt = runtime(kind);
      let invalid = 0;
      fc.assert(
        fc.property(documentArb, (doc) => {
          const a = rt(doc);
          const b = gen[kind](doc);
          expect(b).to.equal(a);
          if (!a) invalid++;
          expect(firstError(gen[kind])).to.deep.equal(a ? undefined : firstError(rt));
        }),
        { numRuns: 1500 },
      );
      expect(invalid).to.be.greaterThan(100); // the generator reaches wrong shapes too
    });
  }

  it('reports the first wrong field and the size limits as before', () => {
    const shape = (doc: unknown, kind: PolicyKind = 'oci') => {
      try {
        checkShape(doc, kind, 'p.json');
        return 'ok';
      } catch (e) {
        expect(e).to.be.instanceOf(TrustPolicyError);
        const t = e as TrustPolicyError & { detail?: string };
        return `${t.code}: ${t.detail ?? t.message}`;
      }
    };
    expect(shape({ version: '1.0', trustPolicies: [{ name: 'a', registryScopes: ['*'] }] })).to.equal('ok');
    expect(shape({ version: 1 })).to.equal('TRUST_POLICY_MALFORMED: /version must be string,null');
    expect(shape({ trustPolicies: [{ name: 'a' }, { trustStores: 'ca:x' }] })).to.equal('TRUST_POLICY_MALFORMED: /trustPolicies/1/trustStores must be array,null');
    expect(shape({ trustPolicies: [{ globalPolicy: 'yes' }] }, 'blob')).to.equal('TRUST_POLICY_MALFORMED: /trustPolicies/0/globalPolicy must be boolean,null');
    expect(shape({ trustPolicies: [{ globalPolicy: 'yes' }] }, 'oci')).to.equal('ok'); // not a field of OCI statements
    const override = Object.fromEntries(Array.from({ length: MAX_OVERRIDES + 1 }, (_, i) => [`k${i}`, 'log']));
    expect(shape({ trustPolicies: [{ signatureVerification: { override } }] })).to.equal(
      'TRUST_POLICY_LIMIT_EXCEEDED: trust policy p.json exceeds a size limit: /trustPolicies/0/signatureVerification/override must NOT have more than 64 properties',
    );
    expect(shape([])).to.equal('TRUST_POLICY_MALFORMED: / must be object,null');
  });
});
