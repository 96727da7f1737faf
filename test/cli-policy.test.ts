/** `policy import|show|init|explain`, `blob policy import|show|init`, `version`: output, files and errors as notation v2. */
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { run } from '../src/cli/main.js';
import { makePki, makeTsaPki, writeTrustStore } from './helpers/pki.js';

const OCI_POLICY = {
  version: '1.0',
  trustPolicies: [
    {
      name: 'prod',
      registryScopes: ['registry.example/app'],
      signatureVerification: { level: 'strict' },
      trustStores: ['ca:acme', 'tsa:acme-tsa'],
      trustedIdentities: ['x509.subject:C=US, ST=WA, O=acme'],
    },
    { name: 'default', registryScopes: ['*'], signatureVerification: { level: 'audit' }, trustStores: ['ca:acme'], trustedIdentities: ['*'] },
  ],
};
const BLOB_POLICY = {
  version: '1.0',
  trustPolicies: [
    { name: 'release', signatureVerification: { level: 'strict' }, trustStores: ['ca:acme'], trustedIdentities: ['*'], globalPolicy: true },
    { name: 'nightly', signatureVerification: { level: 'permissive' }, trustStores: ['ca:acme'], trustedIdentities: ['*'] },
  ],
};

describe('cli policy commands', () => {
  let root: string;
  let cfg: string;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => runCli(argv, { env, cwd: root });
  const write = (name: string, content: unknown) => {
    const p = join(root, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return p;
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ntp-'));
    cfg = join(root, 'config');
    env = { NOTATION_CONFIG: cfg };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  describe('policy import / show', () => {
    it('show without a policy fails with notation\'s message', async () => {
      const r = await cli('policy', 'show');
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal('Error: failed to show OCI trust policy as it does not exist.\nYou can import one using `notation policy import <path-to-policy.json>`\n');
      const b = await cli('blob', 'policy', 'show');
      expect(b.stderr).to.equal('Error: failed to show blob trust policy as the configuration does not exist.\nYou can import one using `notation blob policy import <path-to-policy.json>`\n');
    });

    it('imports to trustpolicy.oci.json (0600 in a 0700 dir) and shows the bytes as written', async () => {
      const text = JSON.stringify(OCI_POLICY, null, 4) + '\n';
      write('p.json', text);
      const r = await cli('policy', 'import', 'p.json');
      expect(r.code).to.equal(0);
      expect(r.stdout).to.equal(`Successfully imported OCI trust policy configuration to ${join(cfg, 'trustpolicy.oci.json')}.\n`);
      expect(r.stderr).to.equal('');
      const file = join(cfg, 'trustpolicy.oci.json');
      expect(readFileSync(file, 'utf8')).to.equal(text);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(statSync(cfg).mode & 0o777).to.equal(0o700);
      const s = await cli('policy', 'show');
      expect(s).to.deep.equal({ code: 0, stdout: text, stderr: '' });
    });

    it('refuses to overwrite without --force when it cannot ask, and overwrites with --force', async () => {
      write('p.json', OCI_POLICY);
      expect((await cli('policy', 'import', 'p.json')).code).to.equal(0);
      const second = { ...OCI_POLICY, trustPolicies: [OCI_POLICY.trustPolicies[1]] };
      write('q.json', second);
      const r = await cli('policy', 'import', 'q.json');
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/^Error: the OCI trust policy configuration already exists; use --force to overwrite it/);
      expect(JSON.parse(readFileSync(join(cfg, 'trustpolicy.oci.json'), 'utf8'))).to.deep.equal(OCI_POLICY);
      const f = await cli('policy', 'import', '--force', 'q.json');
      expect(f.code).to.equal(0);
      expect(f.stderr).to.equal('Warning: existing OCI trust policy configuration will be overwritten\n');
      expect(JSON.parse(readFileSync(join(cfg, 'trustpolicy.oci.json'), 'utf8'))).to.deep.equal(second);
    });

    it('asks on a terminal: "y" overwrites, anything else cancels and exits 0', async () => {
      write('p.json', OCI_POLICY);
      await cli('policy', 'import', 'p.json');
      const second = { ...OCI_POLICY, trustPolicies: [OCI_POLICY.trustPolicies[1]] };
      write('q.json', second);
      const ask = async (answer: string | undefined) => {
        let stdout = '';
        const code = await run(['policy', 'import', 'q.json'], {
          stdout: { write: (s) => void (stdout += s) },
          stderr: { write: () => undefined },
          env,
          cwd: root,
          readLine: async () => answer,
        });
        return { code, stdout };
      };
      const no = await ask('n');
      expect(no.code).to.equal(0);
      expect(no.stdout).to.equal('The OCI trust policy configuration already exists, do you want to overwrite it? [y/N] Operation cancelled.\n');
      expect(JSON.parse(readFileSync(join(cfg, 'trustpolicy.oci.json'), 'utf8'))).to.deep.equal(OCI_POLICY);
      const eof = await ask(undefined);
      expect(eof.code).to.equal(0);
      expect(JSON.parse(readFileSync(join(cfg, 'trustpolicy.oci.json'), 'utf8'))).to.deep.equal(OCI_POLICY);
      const yes = await ask('Yes');
      expect(yes.code).to.equal(0);
      expect(yes.stdout).to.contain('Successfully imported OCI trust policy configuration');
      expect(JSON.parse(readFileSync(join(cfg, 'trustpolicy.oci.json'), 'utf8'))).to.deep.equal(second);
    });

    it('deletes the old trustpolicy.json, as notation v2 does', async () => {
      mkdirSync(cfg, { recursive: true });
      writeFileSync(join(cfg, 'trustpolicy.json'), JSON.stringify(OCI_POLICY));
      write('p.json', OCI_POLICY);
      const r = await cli('policy', 'import', '--force', 'p.json');
      expect(r.code).to.equal(0);
      expect(r.stdout).to.equal(`Deleted old trust policy configuration trustpolicy.json.\nSuccessfully imported OCI trust policy configuration to ${join(cfg, 'trustpolicy.oci.json')}.\n`);
      expect(existsSync(join(cfg, 'trustpolicy.json'))).to.equal(false);
    });

    it('shows a legacy trustpolicy.json with the deprecation warning', async () => {
      mkdirSync(cfg, { recursive: true });
      writeFileSync(join(cfg, 'trustpolicy.json'), '{"version":"1.0","trustPolicies":[{"name":"a","registryScopes":["*"],"signatureVerification":{"level":"skip"}}]}');
      const r = await cli('policy', 'show');
      expect(r.code).to.equal(0);
      expect(r.stderr).to.equal('Warning: old trust policy `trustpolicy.json` is deprecated; please update the trust policy configuration via `notation policy import`.\n');
      expect(r.stdout).to.contain('"name":"a"');
    });

    it('reports read, parse and validation failures with notation\'s prefixes and writes nothing', async () => {
      const cases: [string, string, RegExp | string][] = [
        ['missing.json', '', 'Error: failed to read OCI trust policy configuration: open missing.json: no such file or directory\n'],
        ['syntax.json', '{"version": x}', "Error: failed to parse OCI trust policy configuration: invalid character 'x' looking for beginning of value\n"],
        ['trailing.json', JSON.stringify(OCI_POLICY) + ' {}', "Error: failed to parse OCI trust policy configuration: invalid character '{' after top-level value\n"],
        ['type.json', '{"version":"1.0","trustPolicies":[{"name":7}]}', 'Error: failed to parse OCI trust policy configuration: json: cannot unmarshal number into Go struct field OCITrustPolicy.trustPolicies.name of type string\n'],
        ['level-type.json', '{"version":"1.0","trustPolicies":[{"name":"a","signatureVerification":{"level":true}}]}', 'Error: failed to parse OCI trust policy configuration: json: cannot unmarshal bool into Go struct field SignatureVerification.trustPolicies.signatureVerification.level of type string\n'],
        ['array.json', '[]', 'Error: failed to parse OCI trust policy configuration: json: cannot unmarshal array into Go value of type trustpolicy.OCIDocument\n'],
        [
          'invalid.json',
          JSON.stringify({ ...OCI_POLICY, trustPolicies: [{ ...OCI_POLICY.trustPolicies[0], registryScopes: ['example.com/*'] }] }),
          'Error: failed to validate OCI trust policy configuration: registry scope "example.com/*" with wild card(s) is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout\n',
        ],
        ['level.json', JSON.stringify({ ...OCI_POLICY, trustPolicies: [{ ...OCI_POLICY.trustPolicies[0], signatureVerification: { level: 'lax' } }] }), 'Error: failed to validate OCI trust policy configuration: oci trust policy: trust policy statement "prod" has invalid signatureVerification: invalid signature verification level "lax"\n'],
      ];
      for (const [name, content, expected] of cases) {
        if (content) write(name, content);
        const r = await cli('policy', 'import', name);
        expect(r.code, name).to.equal(1);
        expect(r.stderr, name).to.equal(expected);
        expect(existsSync(join(cfg, 'trustpolicy.oci.json')), name).to.equal(false);
      }
    });

    it('checks the argument count with notation\'s message', async () => {
      const r = await cli('policy', 'import');
      expect(r.stderr).to.equal('Error: requires 1 argument but received 0.\nUsage: notation policy import <path-to-policy.json>\nPlease specify a trust policy file location as the argument\n');
      const b = await cli('blob', 'policy', 'import', 'a', 'b');
      expect(b.stderr).to.equal('Error: requires 1 argument but received 2.\nUsage: notation blob policy import <path-to-policy.json>\nPlease specify a trust policy configuration location as the argument\n');
    });

    it('show prints an invalid policy, warns, and fails with the validation error', async () => {
      mkdirSync(cfg, { recursive: true });
      const bad = '{"version":"1.0","trustPolicies":[]}';
      writeFileSync(join(cfg, 'trustpolicy.oci.json'), bad);
      const r = await cli('policy', 'show');
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal(bad);
      expect(r.stderr).to.equal(
        'Existing OCI trust policy configuration is invalid, you may update or create a new one via `notation policy import <path-to-policy.json>`. See https://github.com/notaryproject/specifications/blob/8cf800c60b7315a43f0adbcae463d848a353b412/specs/trust-store-trust-policy.md#trust-policy-for-oci-artifacts for a trust policy example.\n' +
          'Error: oci trust policy document can not have zero trust policy statements\n',
      );
    });

    it('blob policy import and show', async () => {
      const text = JSON.stringify(BLOB_POLICY, null, 2);
      write('b.json', text);
      const r = await cli('blob', 'policy', 'import', 'b.json');
      expect(r).to.deep.equal({ code: 0, stdout: `Successfully imported blob trust policy configuration to ${join(cfg, 'trustpolicy.blob.json')}.\n`, stderr: '' });
      expect(await cli('blob', 'policy', 'show')).to.deep.equal({ code: 0, stdout: text, stderr: '' });
      const again = await cli('blob', 'policy', 'import', 'b.json');
      expect(again.code).to.equal(1);
      expect(again.stderr).to.match(/^Error: the blob trust policy configuration already exists; use --force/);
      write('bad.json', JSON.stringify({ ...BLOB_POLICY, trustPolicies: [BLOB_POLICY.trustPolicies[0], { ...BLOB_POLICY.trustPolicies[1], globalPolicy: true }] }));
      const bad = await cli('blob', 'policy', 'import', '--force', 'bad.json');
      expect(bad.stderr).to.equal('Error: failed to validate blob trust policy configuration: multiple blob trust policy statements have globalPolicy set to true. Only one trust policy statement can be marked as global policy\n');
      const missing = await cli('blob', 'policy', 'import', 'nope.json');
      expect(missing.stderr).to.equal('Error: failed to read blob trust policy file: open nope.json: no such file or directory\n');
      writeFileSync(join(cfg, 'trustpolicy.blob.json'), '{"version":""}');
      const show = await cli('blob', 'policy', 'show');
      expect(show.code).to.equal(1);
      expect(show.stdout).to.equal('{"version":""}');
      expect(show.stderr).to.contain('Existing blob trust policy configuration is invalid');
      expect(show.stderr).to.contain('#trust-policy-for-blobs');
      expect(show.stderr).to.match(/Error: blob trust policy document has empty version, version must be specified\n$/);
    });
  });

  describe('policy init / blob policy init', () => {
    it('blob policy init requires its flags (cobra\'s message, sorted)', async () => {
      const r = await cli('blob', 'policy', 'init');
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal('Error: required flag(s) "name", "trust-store", "trusted-identity" not set\n');
      const r2 = await cli('blob', 'policy', 'init', '--name', 'x');
      expect(r2.stderr).to.equal('Error: required flag(s) "trust-store", "trusted-identity" not set\n');
    });

    it('blob policy init writes notation\'s JSON (two-space indent, no trailing newline)', async () => {
      const r = await cli('blob', 'policy', 'init', '-n', 'wabbit', '--trust-store', 'ca:acme', '--trust-store', 'ca:other', '--trusted-identity', 'x509.subject:C=US, ST=WA, O=acme-rockets.io', '--global');
      expect(r).to.deep.equal({ code: 0, stdout: `Successfully initialized blob trust policy file to ${join(cfg, 'trustpolicy.blob.json')}.\n`, stderr: '' });
      expect(readFileSync(join(cfg, 'trustpolicy.blob.json'), 'utf8')).to.equal(
        '{\n  "version": "1.0",\n  "trustPolicies": [\n    {\n      "name": "wabbit",\n      "signatureVerification": {\n        "level": "strict"\n      },\n' +
          '      "trustStores": [\n        "ca:acme",\n        "ca:other"\n      ],\n      "trustedIdentities": [\n        "x509.subject:C=US, ST=WA, O=acme-rockets.io"\n      ],\n      "globalPolicy": true\n    }\n  ]\n}',
      );
      expect(statSync(join(cfg, 'trustpolicy.blob.json')).mode & 0o777).to.equal(0o600);
      const again = await cli('blob', 'policy', 'init', '-n', 'w2', '--trust-store', 'ca:acme', '--trusted-identity', '*');
      expect(again.code).to.equal(1);
      const forced = await cli('blob', 'policy', 'init', '-n', 'w2', '--trust-store', 'ca:acme', '--trusted-identity', '*', '--force');
      expect(forced.code).to.equal(0);
      expect(forced.stderr).to.equal('Warning: existing blob trust policy configuration will be overwritten\n');
      expect(JSON.parse(readFileSync(join(cfg, 'trustpolicy.blob.json'), 'utf8')).trustPolicies[0]).to.not.have.property('globalPolicy');
    });

    it('blob policy init validates before writing', async () => {
      const r = await cli('blob', 'policy', 'init', '-n', 'x', '--trust-store', 'ca', '--trusted-identity', '*');
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal('Error: invalid blob policy: blob trust policy: trust policy statement "x" has malformed trust store value "ca". The required format is <TrustStoreType>:<TrustStoreName>\n');
      expect(existsSync(join(cfg, 'trustpolicy.blob.json'))).to.equal(false);
    });

    it('policy init writes an OCI statement (scope "*" unless --scope) and removes trustpolicy.json', async () => {
      mkdirSync(cfg, { recursive: true });
      writeFileSync(join(cfg, 'trustpolicy.json'), 'old');
      const r = await cli('policy', 'init', '--name', 'p', '--trust-store', 'ca:acme', '--trusted-identity', '*', '--level', 'permissive');
      expect(r.code).to.equal(0);
      expect(r.stdout).to.equal(`Deleted old trust policy configuration trustpolicy.json.\nSuccessfully initialized OCI trust policy file to ${join(cfg, 'trustpolicy.oci.json')}.\n`);
      const doc = JSON.parse(readFileSync(join(cfg, 'trustpolicy.oci.json'), 'utf8'));
      expect(doc).to.deep.equal({
        version: '1.0',
        trustPolicies: [{ name: 'p', signatureVerification: { level: 'permissive' }, trustStores: ['ca:acme'], trustedIdentities: ['*'], registryScopes: ['*'] }],
      });
      const s = await cli('policy', 'init', '--force', '--name', 'q', '--scope', 'registry.example/a', '--scope', 'registry.example/b', '--trust-store', 'ca:acme', '--trusted-identity', '*');
      expect(s.code).to.equal(0);
      expect(JSON.parse(readFileSync(join(cfg, 'trustpolicy.oci.json'), 'utf8')).trustPolicies[0].registryScopes).to.deep.equal(['registry.example/a', 'registry.example/b']);
    });

    it('policy init --override and --verify-timestamp (sorted override keys, validated)', async () => {
      const r = await cli('policy', 'init', '-n', 'o', '--trust-store', 'ca:a', '--trust-store', 'tsa:t', '--trusted-identity', '*', '--level', 'permissive', '--override', 'revocation=enforce', '--override', 'expiry=enforce', '--verify-timestamp', 'afterCertExpiry');
      expect(r.code).to.equal(0);
      const text = readFileSync(join(cfg, 'trustpolicy.oci.json'), 'utf8');
      expect(text).to.contain('"signatureVerification": {\n        "level": "permissive",\n        "override": {\n          "expiry": "enforce",\n          "revocation": "enforce"\n        },\n        "verifyTimestamp": "afterCertExpiry"\n      },');
      const bad = await cli('policy', 'init', '--force', '-n', 'o', '--trust-store', 'ca:a', '--trusted-identity', '*', '--override', 'integrity=log');
      expect(bad.stderr).to.equal('Error: invalid OCI policy: oci trust policy: trust policy statement "o" has invalid signatureVerification: "integrity" verification can not be overridden in custom signature verification\n');
      const malformed = await cli('policy', 'init', '--force', '-n', 'o', '--trust-store', 'ca:a', '--trusted-identity', '*', '--override', 'revocation');
      expect(malformed.stderr).to.equal('Error: could not parse flag override: key-value pair requires "=" as separator\n');
      const vt = await cli('policy', 'init', '--force', '-n', 'o', '--trust-store', 'ca:a', '--trusted-identity', '*', '--verify-timestamp', 'never');
      expect(vt.stderr).to.contain('verifyTimestamp must be "always" or "afterCertExpiry", but got "never"');
      expect(text).to.equal(readFileSync(join(cfg, 'trustpolicy.oci.json'), 'utf8'));
    });

    it('policy init --level skip needs no stores, but never on the "*" scope', async () => {
      const star = await cli('policy', 'init', '--name', 's', '--level', 'skip');
      expect(star.code).to.equal(1);
      expect(star.stderr).to.match(/^Error: invalid OCI policy: oci trust policy statement "s" uses wildcard registry scope '\*' with verification level "skip"/);
      const ok = await cli('policy', 'init', '--name', 's', '--level', 'skip', '--scope', 'localhost:5000/scratch');
      expect(ok.code).to.equal(0);
      expect(JSON.parse(readFileSync(join(cfg, 'trustpolicy.oci.json'), 'utf8')).trustPolicies[0]).to.deep.equal({
        name: 's',
        signatureVerification: { level: 'skip' },
        trustStores: [],
        trustedIdentities: [],
        registryScopes: ['localhost:5000/scratch'],
      });
      const missing = await cli('policy', 'init', '--name', 's');
      expect(missing.stderr).to.equal('Error: required flag(s) "trust-store", "trusted-identity" not set\n');
      const badLevel = await cli('policy', 'init', '--name', 's', '--level', 'lenient', '--trust-store', 'ca:a', '--trusted-identity', '*');
      expect(badLevel.stderr).to.equal('Error: invalid OCI policy: oci trust policy: trust policy statement "s" has invalid signatureVerification: invalid signature verification level "lenient"\n');
    });
  });

  describe('policy explain', () => {
    beforeEach(async () => {
      const pki = await makePki({ name: 'explain' });
      writeTrustStore(cfg, 'ca', 'acme', [pki.root, pki.intermediate]);
      write('p.json', OCI_POLICY);
      write('b.json', BLOB_POLICY);
      expect((await cli('policy', 'import', 'p.json')).code).to.equal(0);
      expect((await cli('blob', 'policy', 'import', 'b.json')).code).to.equal(0);
    });

    it('names the exact-scope statement, the actions of its level and its stores', async () => {
      const r = await cli('policy', 'explain', 'registry.example/app@sha256:' + 'a'.repeat(64));
      expect(r.code).to.equal(0);
      const lines = r.stdout.split('\n');
      expect(lines).to.include('Statement:          "prod"');
      expect(lines).to.include('Why:                registry scope "registry.example/app" equals the repository (an exact scope wins over "*")');
      expect(lines).to.include('Verification level: strict');
      expect(lines).to.include('  integrity:          enforce  a failure fails verification');
      expect(lines).to.include('  ca:acme        2 certificates');
      expect(lines.find((l) => l.startsWith('  tsa:acme-tsa'))).to.equal('  tsa:acme-tsa   missing: the trust store "acme-tsa" of type "tsa" does not exist');
      expect(lines).to.include('  x509.subject:C=US, ST=WA, O=acme');
    });

    it('falls back to "*" and says why, including scopes that only look like prefixes', async () => {
      const r = await cli('policy', 'explain', '-o', 'json', 'registry.example/app/web:v1');
      expect(r.code).to.equal(0);
      const ex = JSON.parse(r.stdout);
      expect(ex.statement.name).to.equal('default');
      expect(ex.match).to.deep.include({ kind: 'wildcard', value: '*' });
      expect(ex.repository).to.equal('registry.example/app/web');
      expect(ex.verificationLevel.name).to.equal('audit');
      expect(ex.checks.map((c: { type: string; action: string }) => `${c.type}=${c.action}`)).to.deep.equal([
        'integrity=enforce',
        'authenticity=log',
        'authenticTimestamp=log',
        'expiry=log',
        'revocation=log',
      ]);
      expect(ex.trustStores).to.deep.equal([{ value: 'ca:acme', type: 'ca', name: 'acme', exists: true, certificates: 2 }]);
      expect(ex.notes.join('\n')).to.contain('registry scope "registry.example/app" of statement "prod" does not cover "registry.example/app/web"');
      expect(ex.notes.join('\n')).to.contain('tag "v1"');
    });

    it('explains blob statements: the global one, or the one --policy-name names', async () => {
      const g = JSON.parse((await cli('policy', 'explain', '--blob', '-o', 'json')).stdout);
      expect(g.statement.name).to.equal('release');
      expect(g.match.kind).to.equal('global');
      const n = JSON.parse((await cli('policy', 'explain', '--blob', '--policy-name', 'nightly', '-o', 'json')).stdout);
      expect(n.statement.name).to.equal('nightly');
      expect(n.verificationLevel.name).to.equal('permissive');
      const missing = await cli('policy', 'explain', '--blob', '--policy-name', 'weekly');
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.equal('Error: no applicable blob trust policy with name "weekly"\n');
    });

    it('fails clearly without a statement, a reference, or a valid policy', async () => {
      const tsa = await makeTsaPki();
      writeTrustStore(cfg, 'tsa', 'acme-tsa', [tsa.root]);
      write('only.json', { version: '1.0', trustPolicies: [OCI_POLICY.trustPolicies[0]] });
      await cli('policy', 'import', '--force', 'only.json');
      const none = await cli('policy', 'explain', 'registry.example/other');
      expect(none.code).to.equal(1);
      expect(none.stderr).to.equal('Error: repository "registry.example/other" has no applicable oci trust policy statement: no statement lists it in registryScopes and there is no "*" statement\n');
      const noRef = await cli('policy', 'explain');
      expect(noRef.code).to.equal(1);
      expect(noRef.stderr).to.contain('missing reference');
      writeFileSync(join(cfg, 'trustpolicy.oci.json'), '{"version":"1.0","trustPolicies":[]}');
      const bad = await cli('policy', 'explain', 'registry.example/app');
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.contain('oci trust policy document can not have zero trust policy statements');
      expect(bad.stderr).to.contain('notation-ts policy lint');
    });
  });

  it('version prints notation\'s block with the package version and the Node runtime', async () => {
    const r = await cli('version');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(r.code).to.equal(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).to.equal('notation-ts - a tool to sign and verify artifacts.');
    expect(lines[1]).to.equal('');
    expect(lines[2]).to.equal(`Version:      ${pkg.version}`);
    expect(lines[3]).to.equal(`Node version: ${process.version}`);
    expect(lines[4]).to.match(/^OS\/Arch: {6}[a-z0-9]+\/[a-z0-9]+$/);
    expect((await cli('version', 'extra')).code).to.equal(1);
  });
});
