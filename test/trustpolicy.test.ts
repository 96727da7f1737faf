import { expect } from 'chai';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoApplicableTrustPolicyError, TrustPolicyError } from '../src/errors.js';
import {
  TRUST_POLICY_ERROR as TP,
  DN_ERROR,
  getApplicableBlobPolicy,
  getApplicableOciPolicy,
  getGlobalBlobPolicy,
  loadBlobTrustPolicy,
  loadOciTrustPolicy,
  parseBlobTrustPolicy,
  parseOciTrustPolicy,
  resolveVerificationLevel,
  validateBlobTrustPolicy,
  validateNamedStoreName,
  validateOciTrustPolicy,
  validateTrustPolicyStatement,
  type BlobTrustPolicyDocument,
  type OciTrustPolicyDocument,
  type OciTrustPolicyStatement,
} from '../src/trustpolicy/index.js';
import { isRoot, openUp, runAsNobody } from './helpers/unprivileged.js';

function stmt(over: Partial<OciTrustPolicyStatement> = {}): OciTrustPolicyStatement {
  return {
    name: 'st',
    registryScopes: ['registry.io/a'],
    signatureVerification: { level: 'strict' },
    trustStores: ['ca:store'],
    trustedIdentities: ['*'],
    ...over,
  };
}
const oci = (...s: OciTrustPolicyStatement[]): OciTrustPolicyDocument => ({ version: '1.0', trustPolicies: s });
const blob = (...s: Partial<OciTrustPolicyStatement>[]): BlobTrustPolicyDocument => ({
  version: '1.0',
  trustPolicies: s.map((x) => {
    const { registryScopes: _unused, ...rest } = stmt(x);
    return rest;
  }),
});

/** Runs f and returns the error it throws (fails when it does not throw). */
type Thrown = TrustPolicyError & { cause?: { code?: string } };
function thrown(f: () => unknown): Thrown {
  try {
    f();
  } catch (e) {
    return e as Thrown;
  }
  throw new Error('expected an error');
}
function expectCode(f: () => unknown, code: string): Thrown {
  const e = thrown(f);
  expect(e, e.message).to.be.instanceOf(TrustPolicyError);
  expect(e.code, e.message).to.equal(code);
  return e;
}
const ociErr = (doc: unknown, code: string) => expectCode(() => validateOciTrustPolicy(doc as OciTrustPolicyDocument), code);
const idErr = (ids: string[], code: string) => ociErr(oci(stmt({ trustedIdentities: ids })), code);

describe('trust policy validation: numbered errors of checklist 4.7', () => {
  it('(1) nil document', () => {
    ociErr(null, TP.NIL_DOCUMENT);
    expectCode(() => validateBlobTrustPolicy(undefined as unknown as BlobTrustPolicyDocument), TP.NIL_DOCUMENT);
  });
  it('(2) empty version, (3) unsupported version', () => {
    expect(ociErr({ ...oci(stmt()), version: '' }, TP.EMPTY_VERSION).message).to.equal(
      'oci trust policy document has empty version, version must be specified',
    );
    expect(ociErr({ ...oci(stmt()), version: '2.0' }, TP.UNSUPPORTED_VERSION).message).to.equal(
      'oci trust policy document uses unsupported version "2.0"',
    );
  });
  it('(4) zero statements', () => {
    ociErr(oci(), TP.NO_STATEMENTS);
    ociErr({ version: '1.0', trustPolicies: null }, TP.NO_STATEMENTS);
  });
  it('(5) duplicate statement name, (6) statement without name', () => {
    ociErr(oci(stmt(), stmt({ registryScopes: ['registry.io/b'] })), TP.DUPLICATE_STATEMENT_NAME);
    const e = ociErr(oci(stmt({ name: '' })), TP.STATEMENT_WITHOUT_NAME);
    expect(e.message).to.equal('oci trust policy: a trust policy statement is missing a name, every statement requires a name');
  });
  it('(7) level missing, (8) unknown level, (9) override on skip', () => {
    ociErr(oci(stmt({ signatureVerification: { level: '' } })), TP.MISSING_LEVEL);
    expect(ociErr(oci(stmt({ signatureVerification: { level: 'lax' } })), TP.INVALID_LEVEL).message).to.equal(
      'oci trust policy: trust policy statement "st" has invalid signatureVerification: invalid signature verification level "lax"',
    );
    ociErr(oci(stmt({ signatureVerification: { level: 'skip', override: { revocation: 'log' } }, trustStores: [], trustedIdentities: [] })), TP.OVERRIDE_ON_SKIP);
  });
  it('(10)-(13) override type, action, integrity, skip', () => {
    const sv = (override: Record<string, string>) => oci(stmt({ signatureVerification: { level: 'strict', override } }));
    ociErr(sv({ integrityX: 'log' }), TP.OVERRIDE_UNKNOWN_TYPE);
    expect(ociErr(sv({ expiry: 'warn' }), TP.OVERRIDE_UNKNOWN_ACTION).message).to.contain(
      'verification action "warn" in custom signature verification is not supported, supported values are ["enforce" "log" "skip"]',
    );
    ociErr(sv({ integrity: 'log' }), TP.OVERRIDE_INTEGRITY);
    ociErr(sv({ authenticity: 'skip' }), TP.OVERRIDE_SKIP_NOT_ALLOWED);
    ociErr(sv({ authenticTimestamp: 'skip' }), TP.OVERRIDE_SKIP_NOT_ALLOWED);
  });
  it('(14) verifyTimestamp', () => {
    const doc = oci(stmt({ signatureVerification: { level: 'strict', verifyTimestamp: 'never' } }));
    expect(ociErr(doc, TP.INVALID_VERIFY_TIMESTAMP).message).to.equal(
      'oci trust policy: trust policy statement "st" has invalid signatureVerification: verifyTimestamp must be "always" or "afterCertExpiry", but got "never"',
    );
    validateOciTrustPolicy(oci(stmt({ signatureVerification: { level: 'strict', verifyTimestamp: 'afterCertExpiry' } })));
  });
  it('(15) skip with stores or identities, (16) non-skip without them', () => {
    ociErr(oci(stmt({ signatureVerification: { level: 'skip' }, trustedIdentities: [] })), TP.SKIP_WITH_STORES_OR_IDENTITIES);
    ociErr(oci(stmt({ trustStores: [] })), TP.MISSING_STORES_OR_IDENTITIES);
    ociErr(oci(stmt({ trustedIdentities: [] })), TP.MISSING_STORES_OR_IDENTITIES);
  });
  it('(17)-(19) trust store values', () => {
    ociErr(oci(stmt({ trustStores: ['ca'] })), TP.STORE_MISSING_SEPARATOR);
    ociErr(oci(stmt({ trustStores: ['x509:store'] })), TP.UNSUPPORTED_STORE_TYPE);
    ociErr(oci(stmt({ trustStores: ['ca:'] })), TP.INVALID_STORE_NAME);
    ociErr(oci(stmt({ trustStores: ['tsa:a/b'] })), TP.INVALID_STORE_NAME);
    validateOciTrustPolicy(oci(stmt({ trustStores: ['ca:a', 'signingAuthority:b.c_d-e', 'tsa:t'] })));
  });
  it('(20)-(23) identities', () => {
    idErr(['*', 'x509.subject:C=US,ST=WA,O=x'], TP.WILDCARD_IDENTITY_WITH_OTHERS);
    idErr([''], TP.EMPTY_IDENTITY);
    idErr(['x509.subject C=US'], TP.IDENTITY_MISSING_SEPARATOR);
    idErr(['x509.subject:'], TP.IDENTITY_WITHOUT_VALUE);
    validateOciTrustPolicy(oci(stmt({ trustedIdentities: ['plugin.thing:whatever'] })));
  });
  it('(24)-(28) DN errors carry the DN code as cause', () => {
    const cases: [string, string][] = [
      [',,,', DN_ERROR.PARSE],
      ['C=US+ST=WA,O=x', DN_ERROR.MULTI_VALUED_RDN],
      ['C=US,C=IN,ST=WA,O=x', DN_ERROR.DUPLICATE_ATTRIBUTE],
      ['C=US,ST=WA', DN_ERROR.MISSING_MANDATORY],
      ['C=US,ST=WA,O=#0403616263', DN_ERROR.HEX_VALUE],
    ];
    for (const [dn, cause] of cases) {
      const e = idErr([`x509.subject:${dn}`], TP.INVALID_IDENTITY_DN);
      expect(e.cause?.code, dn).to.equal(cause);
    }
  });
  it('(29) overlapping identities, including S vs ST and duplicates', () => {
    const e = idErr(['x509.subject:C=US,ST=WA,O=MyOrg', 'x509.subject:C=US,ST=WA,O=MyOrg,X=Y'], TP.OVERLAPPING_IDENTITIES);
    expect(e.message).to.equal(
      'oci trust policy: trust policy statement "st" has overlapping x509 trustedIdentities, "x509.subject:C=US,ST=WA,O=MyOrg" overlaps with "x509.subject:C=US,ST=WA,O=MyOrg,X=Y"',
    );
    idErr(['x509.subject:C=US,ST=WA,O=x', 'x509.subject:C=US,S=WA,O=x,OU=y'], TP.OVERLAPPING_IDENTITIES);
    idErr(['x509.subject:C=US,ST=WA,O=x', 'x509.subject:C=US,ST=WA,O=x'], TP.OVERLAPPING_IDENTITIES);
    validateOciTrustPolicy(oci(stmt({ trustedIdentities: ['x509.subject:C=US,ST=WA,O=x', 'x509.subject:C=US,ST=WA,O=y'] })));
  });
  it('(30) zero scopes, (31) wildcard with others', () => {
    ociErr(oci(stmt({ registryScopes: [] })), TP.NO_REGISTRY_SCOPES);
    ociErr(oci(stmt({ registryScopes: ['*', 'registry.io/a'] })), TP.WILDCARD_SCOPE_WITH_OTHERS);
  });
  it('(32) invalid scope formats', () => {
    for (const s of ['', '1:1', 'a,b', 'abcd', 'example.com', 'example.com/rep:tag', '10.10.10.10', 'repository', 'https://x.io/a', 'x.io/a@sha256:00', 'x.io/A']) {
      const e = ociErr(oci(stmt({ registryScopes: [s] })), TP.INVALID_REGISTRY_SCOPE);
      expect(e.message).to.match(/^registry scope ".*" is not valid, make sure/);
    }
    for (const s of ['localhost/repo', 'example.com:8080/rep/rep2', '10.10.10.10:8080/a', 'x.io/a__b/c-d.e']) {
      validateOciTrustPolicy(oci(stmt({ registryScopes: [s] })));
    }
  });
  it('(33) wildcard inside a scope', () => {
    for (const s of ['example.com/*', '*/', 'example*/', 'ex*test']) ociErr(oci(stmt({ registryScopes: [s] })), TP.WILDCARD_IN_REGISTRY_SCOPE);
  });
  it('(34) the same scope in two statements (including two `*`)', () => {
    const e = ociErr(oci(stmt(), stmt({ name: 'b' })), TP.DUPLICATE_REGISTRY_SCOPE);
    expect(e.message).to.contain('registry scope "registry.io/a" is present in multiple oci trust policy statements');
    ociErr(oci(stmt({ registryScopes: ['*'] }), stmt({ name: 'b', registryScopes: ['*'] })), TP.DUPLICATE_REGISTRY_SCOPE);
  });
  it('(35) two global blob policies', () => {
    expectCode(() => validateBlobTrustPolicy(blob({ name: 'a', globalPolicy: true }, { name: 'b', globalPolicy: true })), TP.MULTIPLE_GLOBAL_POLICIES);
  });
  it('(36) global + skip (blob) and (37) skip on `*` are accepted as notation does, rejected in strict mode', () => {
    const skip = { signatureVerification: { level: 'skip' }, trustStores: [], trustedIdentities: [] };
    const b = blob({ name: 'g', globalPolicy: true, ...skip });
    expectCode(() => validateBlobTrustPolicy(b, { allowSkipOnWildcardAndGlobal: false }), TP.GLOBAL_POLICY_SKIP);
    validateBlobTrustPolicy(b);
    const o = oci(stmt({ registryScopes: ['*'], ...skip }));
    expectCode(() => validateOciTrustPolicy(o, { allowSkipOnWildcardAndGlobal: false }), TP.SKIP_ON_WILDCARD_SCOPE);
    validateOciTrustPolicy(o);
    validateOciTrustPolicy(oci(stmt({ registryScopes: ['registry.io/skip'], ...skip })));
  });
  it('(38) no applicable OCI policy, or a reference without @digest', () => {
    const doc = oci(stmt());
    const e = thrown(() => getApplicableOciPolicy(doc, 'registry.io/b@sha256:abc'));
    expect(e).to.be.instanceOf(NoApplicableTrustPolicyError);
    expect(e.code).to.equal(TP.NO_APPLICABLE_POLICY);
    expect(thrown(() => getApplicableOciPolicy(doc, 'registry.io/a')).code).to.equal(TP.INVALID_ARTIFACT_REFERENCE);
    expect(thrown(() => getApplicableOciPolicy(doc, 'https://registry.io/a@sha256:x')).code).to.equal(TP.INVALID_ARTIFACT_REFERENCE);
  });
  it('(39) blob policy name not found, no global policy, empty name', () => {
    const doc = blob({ name: 'a' });
    expect(thrown(() => getApplicableBlobPolicy(doc, 'b')).code).to.equal(TP.NO_BLOB_POLICY_WITH_NAME);
    expect(thrown(() => getApplicableBlobPolicy(doc)).code).to.equal(TP.NO_GLOBAL_BLOB_POLICY);
    expect(thrown(() => getApplicableBlobPolicy(doc, '  ')).code).to.equal(TP.EMPTY_POLICY_NAME);
    expect(thrown(() => getGlobalBlobPolicy(doc))).to.be.instanceOf(NoApplicableTrustPolicyError);
  });
});

describe('trust policy statement validation without document prefix', () => {
  it('reports REF messages', () => {
    const e = expectCode(
      () => validateTrustPolicyStatement({ name: 'n', signatureVerification: { level: 'skip' }, trustStores: ['ca:x'], trustedIdentities: [] }),
      TP.SKIP_WITH_STORES_OR_IDENTITIES,
    );
    expect(e.message).to.match(/^trust policy statement "n" is set to skip/);
  });
  it('named store names outside a policy', () => {
    expect(expectCode(() => validateNamedStoreName('ca', 'test%'), TP.INVALID_NAMED_STORE_NAME).message).to.equal(
      'named store name needs to follow [a-zA-Z0-9_.-]+ format',
    );
    validateNamedStoreName('tsa', 'ok_name-1.2');
  });
});

describe('scope and policy selection', () => {
  const doc = oci(
    stmt({ name: 'exact', registryScopes: ['registry.io/a'] }),
    stmt({ name: 'wild', registryScopes: ['*'] }),
    stmt({ name: 'other', registryScopes: ['registry.io/c', 'localhost:5000/d'] }),
  );
  it('exact scope beats `*`, and is not a prefix match', () => {
    expect(getApplicableOciPolicy(doc, 'registry.io/a@sha256:1').name).to.equal('exact');
    expect(getApplicableOciPolicy(doc, 'registry.io/a/b@sha256:1').name).to.equal('wild');
    expect(getApplicableOciPolicy(doc, 'localhost:5000/d@sha256:1').name).to.equal('other');
  });
  it('uses the part before the last @, which must itself be a valid scope', () => {
    expect(thrown(() => getApplicableOciPolicy(doc, 'registry.io/c@sha256:1@sha256:2')).code).to.equal(TP.INVALID_ARTIFACT_REFERENCE);
    expect(getApplicableOciPolicy(doc, 'registry.io/c@sha256:2').name).to.equal('other');
  });
  it('returns a copy', () => {
    const st = getApplicableOciPolicy(doc, 'registry.io/a@sha256:1');
    st.trustStores.push('ca:evil');
    expect(doc.trustPolicies[0].trustStores).to.deep.equal(['ca:store']);
  });
  it('selects blob statements by name or the global one', () => {
    const b = blob({ name: 'a' }, { name: 'g', globalPolicy: true });
    expect(getApplicableBlobPolicy(b, 'a').name).to.equal('a');
    expect(getApplicableBlobPolicy(b).name).to.equal('g');
  });
});

describe('verification levels', () => {
  const actions = (level: string, override?: Record<string, string>) => {
    const l = resolveVerificationLevel({ level, override });
    return [l.name, ...['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'].map((t) => l.enforcement[t as 'expiry'])];
  };
  it('presets', () => {
    expect(actions('strict')).to.deep.equal(['strict', 'enforce', 'enforce', 'enforce', 'enforce', 'enforce']);
    expect(actions('permissive')).to.deep.equal(['permissive', 'enforce', 'enforce', 'log', 'log', 'log']);
    expect(actions('audit')).to.deep.equal(['audit', 'enforce', 'log', 'log', 'log', 'log']);
    expect(actions('skip')).to.deep.equal(['skip', 'skip', 'skip', 'skip', 'skip', 'skip']);
  });
  it('override makes a custom level and may tighten', () => {
    expect(actions('permissive', { revocation: 'enforce' })).to.deep.equal(['custom', 'enforce', 'enforce', 'log', 'log', 'enforce']);
    expect(actions('strict', { revocation: 'skip', expiry: 'log' })).to.deep.equal(['custom', 'enforce', 'enforce', 'enforce', 'log', 'skip']);
  });
  it('returned presets cannot change the shared tables', () => {
    const l = resolveVerificationLevel({ level: 'strict' });
    l.enforcement.authenticity = 'log';
    expect(resolveVerificationLevel({ level: 'strict' }).enforcement.authenticity).to.equal('enforce');
  });
  it('override on an unknown level has its own code and the REF message', () => {
    const e = expectCode(() => resolveVerificationLevel({ level: 'nope', override: { expiry: 'log' } }), TP.OVERRIDE_UNKNOWN_BASE_LEVEL);
    expect(e.message).to.equal('invalid signature verification level "nope"');
  });
});

describe('trust policy JSON as notation decodes it', () => {
  const base = {
    version: '1.0',
    trustPolicies: [{ name: 'st', registryScopes: ['registry.io/a'], signatureVerification: { level: 'strict' }, trustStores: ['ca:s'], trustedIdentities: ['*'] }],
  };
  it('accepts unknown keys and case-insensitive field names', () => {
    const text = JSON.stringify({
      VERSION: '1.0',
      foo: 1,
      trustpolicies: [{ NAME: 'st', RegistryScopes: ['registry.io/a'], signatureverification: { LEVEL: 'strict', extra: true }, truststores: ['ca:s'], TrustedIdentities: ['*'], x: [] }],
    });
    const doc = parseOciTrustPolicy(text);
    expect(doc.trustPolicies[0].name).to.equal('st');
    expect(doc.trustPolicies[0].signatureVerification.level).to.equal('strict');
    // Go's fold maps U+017F to S.
    expect(parseOciTrustPolicy(JSON.stringify({ ...base, ['ver\u017fion']: '1.0', version: undefined })).version).to.equal('1.0');
  });
  it('rejects bad JSON and wrong JSON types as malformed', () => {
    for (const t of ['{"invalid', '[]', '"x"', '{"version":1}', '{"version":"1.0","trustPolicies":{}}', '\ufeff{}', '{"version":"1.0","trustPolicies":[{"name":7}]}']) {
      const e = expectCode(() => parseOciTrustPolicy(t, 'p', { validate: false }), TP.MALFORMED);
      expect(e.message).to.equal('malformed trust policy. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy');
    }
    // globalPolicy is no OCI field, so it is ignored there; in a blob policy a string is malformed.
    expectCode(() => parseBlobTrustPolicy('{"version":"1.0","trustPolicies":[{"globalPolicy":"yes"}]}', 'p', { validate: false }), TP.MALFORMED);
  });
  it('null means the zero value', () => {
    expectCode(() => parseOciTrustPolicy('null'), TP.EMPTY_VERSION);
    expectCode(() => parseOciTrustPolicy('{"version":"1.0","trustPolicies":[null]}'), TP.STATEMENT_WITHOUT_NAME);
    const doc = parseOciTrustPolicy(JSON.stringify({ ...base, trustPolicies: [{ ...base.trustPolicies[0], trustStores: ['ca:s', null] }] }), 'p', { validate: false });
    expect(doc.trustPolicies[0].trustStores).to.deep.equal(['ca:s', '']);
  });
  it('trailing data: ignored when loading (json.Decoder), rejected otherwise', () => {
    const t = JSON.stringify(base) + ' trailing';
    expectCode(() => parseOciTrustPolicy(t), TP.MALFORMED);
    expect(parseOciTrustPolicy(t, 'p', { allowTrailingData: true }).trustPolicies).to.have.length(1);
  });
  it('bounds sizes', () => {
    const many = { ...base, trustPolicies: [{ ...base.trustPolicies[0], trustedIdentities: Array.from({ length: 1001 }, (_, i) => `x:${i}`) }] };
    expectCode(() => parseOciTrustPolicy(JSON.stringify(many)), TP.LIMIT_EXCEEDED);
    expectCode(() => parseOciTrustPolicy(new Uint8Array(4 * 1024 * 1024 + 1)), TP.LIMIT_EXCEEDED);
  });
  it('accepts an unknown `"foo":1` and validates by default', () => {
    parseOciTrustPolicy(JSON.stringify({ ...base, foo: 1 }));
    expectCode(() => parseOciTrustPolicy(JSON.stringify({ ...base, version: '2' })), TP.UNSUPPORTED_VERSION);
  });
});

describe('loading policy files', () => {
  let dir: string;
  const base = JSON.stringify({
    version: '1.0',
    trustPolicies: [{ name: 'legacy', registryScopes: ['*'], signatureVerification: { level: 'audit' }, trustStores: ['ca:s'], trustedIdentities: ['*'] }],
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tp-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports an absent policy as notation does', () => {
    const e = expectCode(() => loadOciTrustPolicy(dir), TP.NOT_PRESENT);
    expect(e.message).to.equal('trust policy is not present. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy');
    expectCode(() => loadBlobTrustPolicy(dir), TP.NOT_PRESENT);
  });
  it('prefers trustpolicy.oci.json over trustpolicy.json', () => {
    writeFileSync(join(dir, 'trustpolicy.json'), base);
    expect(loadOciTrustPolicy(dir).trustPolicies[0].name).to.equal('legacy');
    writeFileSync(join(dir, 'trustpolicy.oci.json'), base.replace('legacy', 'new'));
    expect(loadOciTrustPolicy(dir).trustPolicies[0].name).to.equal('new');
  });
  it('does not fall back when trustpolicy.oci.json is present but broken', () => {
    writeFileSync(join(dir, 'trustpolicy.json'), base);
    writeFileSync(join(dir, 'trustpolicy.oci.json'), '{');
    expectCode(() => loadOciTrustPolicy(dir), TP.MALFORMED);
  });
  it('refuses symlinks and directories', () => {
    writeFileSync(join(dir, 'real.json'), base);
    symlinkSync(join(dir, 'real.json'), join(dir, 'trustpolicy.oci.json'));
    expect(expectCode(() => loadOciTrustPolicy(dir), TP.NOT_REGULAR_FILE).message).to.match(/^trust policy is not a regular file \(symlinks are not supported\)/);
    mkdirSync(join(dir, 'trustpolicy.blob.json'));
    expectCode(() => loadBlobTrustPolicy(dir), TP.NOT_REGULAR_FILE);
  });
  it('reports unreadable files', function () {
    const p = join(dir, 'trustpolicy.blob.json');
    writeFileSync(p, base);
    chmodSync(p, 0o000);
    const want = `unable to read trust policy due to file permissions, please verify the permissions of ${p}`;
    if (isRoot()) {
      // Root reads anything: load the policy as an unprivileged user.
      openUp(dir);
      const r = runAsNobody(
        `import { loadBlobTrustPolicy } from './src/trustpolicy/index.ts';\ntry { loadBlobTrustPolicy(${JSON.stringify(dir)}); console.log('loaded'); } catch (e) { console.log(e.code + ' ' + e.message); }`,
      );
      expect(r.stdout.trim()).to.equal(`${TP.UNREADABLE} ${want}`);
    } else expect(expectCode(() => loadBlobTrustPolicy(dir), TP.UNREADABLE).message).to.equal(want);
  });
  it('ignores trailing bytes after the object, as json.Decoder', () => {
    writeFileSync(join(dir, 'trustpolicy.oci.json'), base + '}}garbage');
    expect(loadOciTrustPolicy(dir).trustPolicies).to.have.length(1);
  });
});

describe('property: parsers and validators fail only with typed errors', () => {
  const key = fc.constantFrom('version', 'trustPolicies', 'name', 'registryScopes', 'signatureVerification', 'level', 'override', 'verifyTimestamp', 'trustStores', 'trustedIdentities', 'globalPolicy', 'NAME', 'x');
  const leaf = fc.oneof(
    fc.constantFrom('1.0', 'strict', 'skip', 'permissive', 'audit', '*', 'ca:s', 'x509.subject:C=US,ST=WA,O=x', 'registry.io/a', 'log', 'revocation', 'x509.subject:,,,', ''),
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const tree = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 6 })),
  })).node;
  const onlyTyped = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof TrustPolicyError) && !(e instanceof NoApplicableTrustPolicyError)) throw e;
    }
  };
  it('random JSON trees', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const text = JSON.stringify(t) ?? 'null';
        onlyTyped(() => parseOciTrustPolicy(text));
        onlyTyped(() => parseBlobTrustPolicy(text));
        onlyTyped(() => validateOciTrustPolicy(t as unknown as OciTrustPolicyDocument));
        onlyTyped(() => validateBlobTrustPolicy(t as unknown as BlobTrustPolicyDocument));
        onlyTyped(() => {
          const d = parseOciTrustPolicy(text, 'p', { validate: false });
          getApplicableOciPolicy(d, 'registry.io/a@sha256:1');
        });
      }),
      { numRuns: 1500 },
    );
  });
  it('random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 64 }), (s, b) => {
        onlyTyped(() => parseOciTrustPolicy(s, 'p', { allowTrailingData: true }));
        onlyTyped(() => parseBlobTrustPolicy(b));
      }),
      { numRuns: 1500 },
    );
  });
});
