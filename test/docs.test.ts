/**
 * The docs cannot rot: every ```sh block of README.md and docs/*.md (performance.md
 * excepted) runs, and every `<!-- docs-test: run-ts -->` TypeScript example, each
 * document in its own fresh environment (test/helpers/docs-runner.ts describes the
 * conventions). `UPDATE_DOCS=1` rewrites the documented outputs instead of comparing.
 */
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { documents, isPlainNotationCommand, parseDoc, REPO_ROOT, runDoc, writeOciLayout, type StepResult } from './helpers/docs-runner.js';

function report(r: StepResult): string {
  const cmd = r.step.kind === 'sh' ? `$ ${r.ran}` : `ts example at line ${r.step.line}`;
  return `line ${r.step.line}: ${cmd}\n${r.problem ? `  ${r.problem}\n` : ''}--- documented (normalised)\n${r.normShown}\n--- actual (normalised)\n${r.normActual}`;
}

// Minimum number of runnable steps per document, so that a doc whose blocks were all
// fenced away (or mis-fenced) fails instead of passing empty.
const MIN_STEPS: Record<string, number> = {
  'README.md': 0,
  'getting-started.md': 15,
  'trust-policy.md': 15,
  'registry.md': 12,
  'hsm.md': 15,
  'migrating.md': 3,
  'verify-json.md': 2,
  'errors.md': 0,
};

describe('docs: every command prints what the document shows', function () {
  this.timeout(600_000);
  for (const file of documents()) {
    const name = basename(file);
    it(name, async () => {
      const run = await runDoc(file);
      expect(run.results.length, `${name}: runnable steps`).to.be.at.least(MIN_STEPS[name] ?? 1);
      if (process.env.UPDATE_DOCS) {
        writeFileSync(file, run.rendered);
        return;
      }
      const bad = run.results.filter((r) => !r.ok);
      expect(bad.map(report).join('\n\n'), `${name}: ${bad.length} of ${run.results.length} steps differ`).to.equal('');
    });
  }
});

describe('docs runner', () => {
  it('parses commands, heredocs, outputs, markers and directives', () => {
    const md = [
      '<!-- docs-test: registry=docker-registry basic-auth user=alice "pass=S3cret!" -->',
      '<!-- docs-test: vary /slot \\d+/ -->',
      '```sh',
      '$ echo hi',
      'hi',
      '',
      "$ cat > f <<'EOF'",
      '$ not a command',
      'EOF',
      '$ notation-ts version',
      '```',
      '<!-- not-run: needs the Go notation -->',
      '```sh',
      '$ notation sign x',
      '```',
      '```text',
      '$ ignored',
      '```',
      '<!-- docs-test: run-ts -->',
      '```ts',
      "console.log('x');",
      '```',
      '',
      '```text',
      'x',
      '```',
    ].join('\n');
    const spec = parseDoc(md);
    expect(spec.directives.get('registry')).to.equal('docker-registry');
    expect(spec.directives.get('pass')).to.equal('S3cret!');
    expect(spec.directives.get('basic-auth')).to.equal('true');
    expect(spec.vary[0]!.test('slot 12')).to.equal(true);
    expect(spec.steps.map((s) => (s.kind === 'sh' ? s.command : s.code))).to.deep.equal(['echo hi', "cat > f <<'EOF'\n$ not a command\nEOF", 'notation-ts version', "console.log('x');"]);
    expect(spec.steps.map((s) => s.shown)).to.deep.equal([['hi'], [], [], ['x']]);
    expect(spec.skipped).to.deep.equal([{ line: 13, reason: 'needs the Go notation' }]);
  });

  it('refuses sh blocks without `$ ` commands and not-run without a reason', () => {
    expect(() => parseDoc('```sh\nnpm test\n```')).to.throw(/must start with a `\$ ` command line/);
    expect(() => parseDoc('<!-- not-run: -->\n```sh\n$ x\n```')).to.throw(/needs a reason/);
    expect(() => parseDoc('```sh\n$ cat <<EOF\nno end\n```')).to.throw(/heredoc EOF not terminated/);
  });

  it('runs only unexpanded notation-ts lines in process', () => {
    expect(isPlainNotationCommand('notation-ts ls -u alice -p \'S3cret!\' localhost:5000/a:v1')).to.equal(true);
    expect(isPlainNotationCommand('notation-ts policy init --trusted-identity "x509.subject:C=US, ST=WA"')).to.equal(true);
    expect(isPlainNotationCommand('echo x | notation-ts login --password-stdin h')).to.equal(false);
    expect(isPlainNotationCommand('notation-ts blob sign --id "pkcs11:x&pin-source=file:$HOME/p" f')).to.equal(false);
    expect(isPlainNotationCommand('notation-ts cert add ~/ca.crt')).to.equal(false);
    expect(isPlainNotationCommand('NOTATION_USERNAME=a notation-ts ls h/a:v1')).to.equal(false);
  });

  it('every document the docs test runs exists and parses', () => {
    for (const f of documents()) expect(() => parseDoc(readFileSync(f, 'utf8')), f).to.not.throw();
  });
});

describe('docs/verify-json.schema.json describes real `-o json` outputs', function () {
  this.timeout(120_000);
  let dir: string;
  const env = () => ({ NOTATION_CONFIG: join(dir, 'config'), NOTATION_CACHE: join(dir, 'cache'), HOME: dir });
  const cli = (...argv: string[]) => runCli(argv, { env: env(), cwd: dir });
  const ajv = new Ajv({ allErrors: true });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/);
  const validate = ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'verify-json.schema.json'), 'utf8')) as object);
  const check = (out: string, label: string) => {
    const doc = JSON.parse(out) as Record<string, unknown>;
    expect(validate(doc), `${label}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
    return doc;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nts-vjson-'));
    writeOciLayout(join(dir, 'app'), 'app');
    writeFileSync(join(dir, 'notes.txt'), 'release notes\n');
    expect((await cli('cert', 'generate-test', '--default', 'example.io')).code).to.equal(0);
    expect((await cli('sign', '--oci-layout', 'app:v1')).code).to.equal(0);
    expect((await cli('sign', '--oci-layout', '--signature-format', 'cose', '--expiry', '24h', '--user-metadata', 'team=web', 'app:v1')).code).to.equal(0);
    expect((await cli('blob', 'sign', 'notes.txt')).code).to.equal(0);
    expect((await cli('blob', 'policy', 'init', '--name', 'files', '--trust-store', 'ca:example.io', '--trusted-identity', '*', '--global')).code).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const verify = () => cli('verify', '--oci-layout', '--scope', 'local/app', '-o', 'json', 'app:v1');
  const policy = (...extra: string[]) => cli('policy', 'init', '--force', '--name', 'app', '--scope', 'local/app', ...extra);

  it('passed, with user metadata and expiry', async () => {
    await policy('--trust-store', 'ca:example.io', '--trusted-identity', '*');
    const r = await verify();
    expect(r.code).to.equal(0);
    const doc = check(r.stdout, 'passed') as { result: string; verified: { checks: unknown[] } };
    expect(doc.result).to.equal('passed');
    expect(doc.verified.checks).to.have.length(7);
    expect((doc.verified.checks as { type: string; result: string }[]).slice(5)).to.deep.equal([
      { type: 'targetArtifact', action: 'enforce', result: 'passed' },
      { type: 'userMetadata', action: 'enforce', result: 'passed' },
    ]);
  });

  it('failed (untrusted identity): every signature in failedSignatures', async () => {
    await policy('--trust-store', 'ca:example.io', '--trusted-identity', 'x509.subject:C=US, ST=WA, O=Someone Else');
    const r = await verify();
    expect(r.code).to.equal(1);
    const doc = check(r.stdout, 'failed') as { result: string; failedSignatures: unknown[] };
    expect(doc.result).to.equal('failed');
    expect(doc.failedSignatures).to.have.length(2);
  });

  it('audit and custom levels, and skip', async () => {
    await policy('--level', 'audit', '--trust-store', 'ca:example.io', '--trusted-identity', 'x509.subject:C=US, ST=WA, O=Someone Else');
    expect((check((await verify()).stdout, 'audit') as { result: string }).result).to.equal('passed');
    await policy('--level', 'permissive', '--override', 'revocation=skip', '--trust-store', 'ca:example.io', '--trusted-identity', '*');
    expect((check((await verify()).stdout, 'custom') as { verified: { verificationLevel: string } }).verified.verificationLevel).to.equal('custom');
    await policy('--level', 'skip');
    const r = await verify();
    expect((check(r.stdout, 'skip') as { result: string }).result).to.equal('skipped');
  });

  it('blob verify: passed and failed', async () => {
    const ok = await cli('blob', 'verify', '-o', 'json', '--signature', 'notes.txt.jws.sig', 'notes.txt');
    expect((check(ok.stdout, 'blob passed') as { result: string }).result).to.equal('passed');
    appendFileSync(join(dir, 'notes.txt'), 'tampered');
    const bad = await cli('blob', 'verify', '-o', 'json', '--signature', 'notes.txt.jws.sig', 'notes.txt');
    expect(bad.code).to.equal(1);
    expect((check(bad.stdout, 'blob failed') as { result: string }).result).to.equal('failed');
    const none = await cli('blob', 'verify', '-o', 'json', '--policy-name', 'nope', '--signature', 'notes.txt.jws.sig', 'notes.txt');
    expect((check(none.stdout, 'blob without policy') as { result: string }).result).to.equal('failed');
  });

  it('the schema rejects what the CLI never prints', () => {
    expect(validate({ reference: 'x', result: 'ok', failedSignatures: [] })).to.equal(false);
    expect(validate({ reference: 'x', result: 'passed', failedSignatures: [], extra: 1 })).to.equal(false);
  });
});
