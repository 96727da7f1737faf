/** `policy lint`: every problem at once, each with the validator's code and message; trust store checks; exit codes. */
import { expect } from 'chai';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.js';
import { makePki, makeTsaPki, writeTrustStore } from './helpers/pki.js';
import { NotationError } from '../src/errors.js';
import { lintBlobDocument, lintOciDocument, lintTrustPolicies, type LintReport } from '../src/cli/policy-lint.js';
import { checkGoUnmarshal } from '../src/cli/policy-json.js';
import { validateBlobTrustPolicy, validateOciTrustPolicy, type TrustPolicyStatement } from '../src/trustpolicy/index.js';
import { sharedPath } from './helpers/shared.js';

const statement = (over: Partial<TrustPolicyStatement> = {}): TrustPolicyStatement => ({
  name: 'prod',
  registryScopes: ['registry.example/app'],
  signatureVerification: { level: 'strict' },
  trustStores: ['ca:acme'],
  trustedIdentities: ['*'],
  ...over,
});

interface CorpusCase {
  id: string;
  operation: string;
  params?: Record<string, unknown>;
  inputs: { trustPolicy: string };
  expected: { outcome: string; errorMessage?: string; errorMessageMatch?: string };
}

const codes = (r: LintReport | { severity: string; code: string; index?: number }[]) =>
  (Array.isArray(r) ? r : r.problems).map((p) => `${p.severity} ${p.index ?? '-'} ${p.code}`);

describe('cli policy lint', () => {
  let root: string;
  let cfg: string;
  const cli = (...argv: string[]) => runCli(argv, { env: { NOTATION_CONFIG: cfg }, cwd: root });
  const put = (file: string, doc: unknown) => {
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, file), typeof doc === 'string' ? doc : JSON.stringify(doc));
  };

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'ntl-'));
    cfg = join(root, 'config');
    const pki = await makePki({ name: 'lint' });
    writeTrustStore(cfg, 'ca', 'acme', [pki.root]);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('passes a clean configuration with exit 0', async () => {
    put('trustpolicy.oci.json', { version: '1.0', trustPolicies: [statement()] });
    put('trustpolicy.blob.json', { version: '1.0', trustPolicies: [{ ...statement(), registryScopes: undefined, globalPolicy: true }] });
    const r = await cli('policy', 'lint');
    expect(r).to.deep.equal({ code: 0, stdout: 'Checked trustpolicy.oci.json, trustpolicy.blob.json: 0 error(s), 0 warning(s)\n', stderr: '' });
  });

  it('reports every problem of a statement, not just the first, with exit 1', async () => {
    put('trustpolicy.oci.json', {
      version: '1.0',
      trustPolicies: [
        statement({
          name: 'a',
          registryScopes: ['registry.example/app', '*'],
          signatureVerification: { level: 'strict', override: { integrity: 'log', expiry: 'skip' }, verifyTimestamp: 'sometimes' },
          trustStores: ['ca', 'car:x', 'ca:acme'],
          trustedIdentities: ['x509.subject:C=US,ST=WA', 'x509.subject:C=US,ST=WA,O=x', 'x509.subject:C=US,S=WA,O=x,OU=y', 'nocolon'],
        }),
        statement({ name: 'a', registryScopes: ['registry.example/app', 'Example.com/rep:tag'] }),
      ],
    });
    put('trustpolicy.blob.json', { version: '1.0', trustPolicies: [{ ...statement(), registryScopes: undefined }] });
    const r = await cli('policy', 'lint');
    expect(r.code).to.equal(1);
    const report = lintTrustPolicies(cfg);
    expect(codes(report)).to.deep.equal([
      'error 0 TRUST_POLICY_OVERRIDE_INTEGRITY',
      'error 0 TRUST_POLICY_OVERRIDE_SKIP_NOT_ALLOWED',
      'error 0 TRUST_POLICY_INVALID_VERIFY_TIMESTAMP',
      'error 0 TRUST_POLICY_STORE_MISSING_SEPARATOR',
      'error 0 TRUST_POLICY_UNSUPPORTED_STORE_TYPE',
      'error 0 TRUST_POLICY_INVALID_IDENTITY_DN',
      'error 0 TRUST_POLICY_IDENTITY_MISSING_SEPARATOR',
      'error 0 TRUST_POLICY_OVERLAPPING_IDENTITIES',
      'error 0 TRUST_POLICY_WILDCARD_SCOPE_WITH_OTHERS',
      'error 1 TRUST_POLICY_DUPLICATE_STATEMENT_NAME',
      'error 1 TRUST_POLICY_DUPLICATE_REGISTRY_SCOPE',
      'error 1 TRUST_POLICY_INVALID_REGISTRY_SCOPE',
    ]);
    const lines = r.stdout.split('\n');
    expect(lines).to.include(
      'trustpolicy.oci.json [statement 0 "a"]: error TRUST_POLICY_OVERLAPPING_IDENTITIES: oci trust policy: trust policy statement "a" has overlapping x509 trustedIdentities, "x509.subject:C=US,ST=WA,O=x" overlaps with "x509.subject:C=US,S=WA,O=x,OU=y"',
    );
    expect(lines).to.include('trustpolicy.oci.json [statement 1 "a"]: error TRUST_POLICY_DUPLICATE_STATEMENT_NAME: multiple oci trust policy statements use the same name "a", statement names must be unique');
    expect(lines[lines.length - 2]).to.equal('Checked trustpolicy.oci.json, trustpolicy.blob.json: 12 error(s), 0 warning(s)');
  });

  it('warns about what notation accepts but the spec forbids', () => {
    const oci = lintOciDocument({ version: '1.0', trustPolicies: [statement({ name: 'w', registryScopes: ['*'], signatureVerification: { level: 'skip' }, trustStores: [], trustedIdentities: [] })] }, 'p.json');
    expect(codes(oci)).to.deep.equal(['warning 0 TRUST_POLICY_SKIP_ON_WILDCARD_SCOPE']);
    const blob = lintBlobDocument({ version: '1.0', trustPolicies: [{ name: 'g', globalPolicy: true, signatureVerification: { level: 'skip' }, trustStores: [], trustedIdentities: [] }] }, 'b.json');
    expect(codes(blob)).to.deep.equal(['warning 0 TRUST_POLICY_GLOBAL_POLICY_SKIP']);
    const plugin = lintOciDocument({ version: '1.0', trustPolicies: [statement({ trustedIdentities: ['wabbit.id:release'] })] }, 'p.json');
    expect(codes(plugin)).to.deep.equal(['warning 0 NO_X509_TRUSTED_IDENTITIES']);
  });

  it('checks the stores a statement names; severity follows the level', async () => {
    const tsa = await makeTsaPki();
    const pki = await makePki({ name: 'lint-leaf' });
    writeTrustStore(cfg, 'ca', 'leafonly', [pki.leaf]);
    writeTrustStore(cfg, 'tsa', 'tsa-leaf', [tsa.leaf]);
    mkdirSync(join(cfg, 'truststore', 'x509', 'ca', 'empty'), { recursive: true });
    put('trustpolicy.oci.json', {
      version: '1.0',
      trustPolicies: [
        statement({ name: 'strict', trustStores: ['ca:acme', 'ca:missing', 'ca:leafonly', 'ca:empty', 'tsa:tsa-leaf'] }),
        statement({ name: 'audit', registryScopes: ['registry.example/b'], signatureVerification: { level: 'audit' }, trustStores: ['ca:missing'] }),
      ],
    });
    const report = lintTrustPolicies(cfg);
    expect(codes(report).filter((c) => c.includes('TRUST_STORE'))).to.deep.equal([
      'error 0 TRUST_STORE_NOT_FOUND',
      'error 0 TRUST_STORE_CERT_INVALID',
      'error 0 TRUST_STORE_EMPTY',
      'error 0 TRUST_STORE_CERT_INVALID',
      'warning 1 TRUST_STORE_NOT_FOUND',
    ]);
    const leaf = report.problems.find((p) => p.message.includes('ca:leafonly'))!;
    expect(leaf.message).to.contain('is not a CA certificate or self-signed signing certificate');
    const tsaLeaf = report.problems.find((p) => p.message.includes('tsa:tsa-leaf'))!;
    expect(tsaLeaf.message).to.contain('tsa-leaf');
    expect(report.problems.find((p) => p.code === 'TRUST_STORE_NOT_FOUND')!.message).to.equal(
      'trust store "ca:missing" of trust policy statement "strict": the trust store "missing" of type "ca" does not exist',
    );
    expect(report.problems.find((p) => p.code === 'TRUST_POLICY_NOT_PRESENT')!.severity).to.equal('warning');
  });

  it('reports unreadable, malformed and legacy files', async () => {
    put('trustpolicy.json', { version: '1.0', trustPolicies: [statement()] });
    const legacy = lintTrustPolicies(cfg);
    expect(codes(legacy)).to.deep.equal(['warning - TRUST_POLICY_LEGACY_FILE', 'warning - TRUST_POLICY_NOT_PRESENT']);
    expect(legacy.files[0]).to.deep.include({ file: 'trustpolicy.json', present: true });
    put('trustpolicy.oci.json', '{"version": "1.0", "trustPolicies": [');
    put('trustpolicy.blob.json', JSON.stringify({ version: '1.0', trustPolicies: [{ ...statement(), registryScopes: undefined }] }) + 'junk');
    const r = await cli('policy', 'lint', '-o', 'json');
    expect(r.code).to.equal(1);
    const report = JSON.parse(r.stdout) as LintReport;
    expect(codes(report)).to.deep.equal(['error - TRUST_POLICY_MALFORMED', 'warning - TRUST_POLICY_LEGACY_FILE_IGNORED', 'warning - TRUST_POLICY_TRAILING_DATA']);
    expect(report.problems[0].message).to.equal('malformed trust policy. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy (unexpected end of JSON input)');
    expect(report.errors).to.equal(1);
    expect(report.warnings).to.equal(2);
    expect((await cli('policy', 'lint', '-o', 'yaml')).stderr).to.equal('Error: invalid format type: "yaml"\n');
  });

  it('a missing config dir is only warnings', async () => {
    rmSync(cfg, { recursive: true, force: true });
    const r = await cli('policy', 'lint');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal(
      'trustpolicy.oci.json: warning TRUST_POLICY_NOT_PRESENT: OCI trust policy is not present: every OCI verification will fail\n' +
        'trustpolicy.blob.json: warning TRUST_POLICY_NOT_PRESENT: blob trust policy is not present: every blob verification will fail\n' +
        '0 error(s), 2 warning(s)\n',
    );
  });

  it("lint and import agree with notation's policy cases of the conformance corpus", async () => {
    const corpus = new URL('file://' + sharedPath('conformance/'));
    const cases = (JSON.parse(readFileSync(new URL('cases.json', corpus), 'utf8')) as { cases: CorpusCase[] }).cases.filter(
      (c) => (c.operation === 'validate-oci-trust-policy' || c.operation === 'validate-blob-trust-policy') && Object.keys(c.params ?? {}).length === 0,
    );
    expect(cases.length).to.be.greaterThan(30);
    for (const c of cases) {
      rmSync(cfg, { recursive: true, force: true });
      mkdirSync(cfg, { recursive: true });
      const file = c.operation === 'validate-oci-trust-policy' ? 'trustpolicy.oci.json' : 'trustpolicy.blob.json';
      writeFileSync(join(cfg, file), readFileSync(new URL(c.inputs.trustPolicy, corpus)));
      const errors = lintTrustPolicies(cfg, { skipStores: true }).problems.filter((p) => p.severity === 'error');
      rmSync(join(cfg, file));
      const imported = await cli(...(file === 'trustpolicy.oci.json' ? ['policy'] : ['blob', 'policy']), 'import', fileURLToPath(new URL(c.inputs.trustPolicy, corpus)));
      const want = c.expected.errorMessage;
      if (c.expected.outcome === 'valid') {
        expect(errors, c.id).to.deep.equal([]);
        expect(imported.code, c.id).to.equal(0);
        continue;
      }
      expect(errors.length, c.id).to.be.greaterThan(0);
      expect(imported.code, c.id).to.equal(1);
      if (want) expect(imported.stderr.toLowerCase(), c.id).to.contain(want.toLowerCase());
      if (c.id.includes('e2e-import')) continue; // messages of the import command itself
      if (want && c.expected.errorMessageMatch === 'exact') expect(errors.map((e) => e.message), c.id).to.include(want);
      if (want && c.expected.errorMessageMatch?.startsWith('contains')) {
        const ci = c.expected.errorMessageMatch === 'contains-ci';
        expect(errors.some((e) => (ci ? e.message.toLowerCase().includes(want.toLowerCase()) : e.message.includes(want))), `${c.id}: ${want}`).to.equal(true);
      }
    }
  });

  describe('agrees with the validators (property)', () => {
    const pick = <T>(xs: T[]) => fc.constantFrom(...xs);
    // Mostly valid values, so that a single broken rule often decides the verdict.
    const mostly = <T>(good: T[], bad: T[]) => fc.oneof({ arbitrary: pick(good), weight: 5 }, { arbitrary: pick(bad), weight: 1 });
    const list = (good: string[], bad: string[], min = 1) =>
      fc.tuple(fc.subarray(good, { minLength: Math.min(min, good.length), maxLength: Math.min(3, good.length) }), fc.option(pick(bad), { freq: 4 })).map(([g, b]) => (b === null ? g : [...g, b]));
    const stmt = (kind: 'oci' | 'blob') =>
      fc.record({
        name: mostly(['a', 'b', 'c', 'd'], ['', 'a']),
        level: mostly(['strict', 'permissive', 'audit'], ['skip', '', 'bogus']),
        override: mostly<Record<string, string> | undefined>([undefined, {}, { revocation: 'skip' }, { authenticity: 'log', revocation: 'enforce' }], [{ integrity: 'log' }, { expiry: 'skip' }, { foo: 'log' }, { authenticity: 'maybe' }]),
        verifyTimestamp: mostly<string | undefined>([undefined, 'always', 'afterCertExpiry'], ['x']),
        trustStores: list(['ca:a', 'tsa:t', 'signingAuthority:s'], ['ca', 'x:y', 'ca:', 'ca:bad name']),
        trustedIdentities: fc.oneof(
          fc.constant<string[]>(['*']),
          list(['x509.subject:C=US,ST=WA,O=a', 'x509.subject:C=US,ST=WA,O=b,OU=c', 'plugin:x'], ['*', 'x509.subject:C=US', '', 'noColon', 'x509.subject:', 'x509.subject:C=US,ST=WA,O=a,OU=z', 'x509.subject:C=US,ST=WA,O=a']),
        ),
        registryScopes: kind === 'oci' ? list(['registry.example/a', 'registry.example/b', 'localhost:5000/c', 'r.io/d'], ['*', 'example.com', 'bad/Scope', 'example.com/*'], 0) : fc.constant<string[]>([]),
        globalPolicy: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
      }).map((r): TrustPolicyStatement => ({
        name: r.name,
        signatureVerification: { level: r.level, ...(r.override ? { override: r.override } : {}), ...(r.verifyTimestamp !== undefined ? { verifyTimestamp: r.verifyTimestamp } : {}) },
        trustStores: r.trustStores,
        trustedIdentities: [...r.trustedIdentities],
        ...(kind === 'oci' ? { registryScopes: r.registryScopes } : { globalPolicy: r.globalPolicy }),
      }));
    const docOf = (kind: 'oci' | 'blob') => fc.record({ version: mostly(['1.0'], ['', '2.0']), trustPolicies: fc.array(stmt(kind), { maxLength: 3 }) });

    for (const kind of ['oci', 'blob'] as const) {
      it(`${kind}: an error iff the validator rejects, and the validator's error is among lint's (code and message)`, () => {
        fc.assert(
          fc.property(docOf(kind), (doc) => {
            let first: NotationError | undefined;
            try {
              if (kind === 'oci') validateOciTrustPolicy(doc as never);
              else validateBlobTrustPolicy(doc);
            } catch (e) {
              first = e as NotationError;
            }
            const problems = (kind === 'oci' ? lintOciDocument : lintBlobDocument)(doc, 'x.json');
            const errors = problems.filter((p) => p.severity === 'error');
            expect(errors.length > 0, JSON.stringify({ first: first?.message, errors })).to.equal(first !== undefined);
            if (first) expect(errors.map((p) => `${p.code} ${p.message}`)).to.include(`${first.code} ${first.message}`);
          }),
          { numRuns: 1000 },
        );
      });
    }

    it('checkGoUnmarshal never throws anything but a typed error on arbitrary JSON text', () => {
      fc.assert(
        fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
          try {
            checkGoUnmarshal(text, 'oci');
          } catch (e) {
            expect(e).to.be.instanceOf(NotationError);
            expect((e as NotationError).code).to.equal('TRUST_POLICY_MALFORMED');
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
