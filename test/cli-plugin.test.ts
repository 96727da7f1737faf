/**
 * `notation-ts plugin list|install|uninstall`, and signing with a SoftHSM key
 * through the CLI: in process (built-in plugin `pkcs11`) and through
 * bin/notation-pkcs11.js installed as a notation plugin (RAW protocol), for every
 * key spec in both formats, each signature verified by `notation-ts verify` /
 * `blob verify`.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { downloadPlugin, tabwrite } from '../src/cli/commands/plugin.js';
import type { KeySpec } from '../src/envelope/types.js';
import { runCli } from './helpers/cli.js';
import { KEY_SPECS, writeTrustStore } from './helpers/pki.js';
import { installTestPlugin, writeStandalonePlugin } from './helpers/plugins/index.js';
import { SOFTHSM_MODULE, makeLayout, provisionToken, softhsm, type ProvisionedToken } from './helpers/softhsm.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PIN = '2468-cli-pin';

describe('cli: plugin list|install|uninstall', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nts-cli-plugin-'));
    env = { NOTATION_CONFIG: join(dir, 'config'), NOTATION_LIBEXEC: join(dir, 'libexec') };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('installs a bare executable, refuses the same or a lower version without --force, updates with a higher one', async () => {
    const src = join(dir, 'src');
    mkdirSync(src, { recursive: true });
    writeStandalonePlugin(join(src, 'notation-alpha'), { name: 'alpha', version: '1.2.0' });
    let r = await runCli(['plugin', 'install', '--file', join(src, 'notation-alpha')], { env });
    expect(r).to.deep.include({ code: 0, stdout: 'Successfully installed plugin alpha, version 1.2.0\n' });
    r = await runCli(['plugin', 'install', '--file', join(src, 'notation-alpha')], { env });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal('Error: plugin installation failed: plugin alpha with version 1.2.0 already exists\n');
    writeStandalonePlugin(join(src, 'notation-alpha'), { name: 'alpha', version: '1.0.0' });
    r = await runCli(['plugin', 'add', '--file', join(src, 'notation-alpha')], { env });
    expect(r.stderr).to.equal(
      'Error: plugin installation failed: failed to install plugin alpha. The installing plugin version 1.0.0 is lower than the existing plugin version 1.2.0.\nIt is not recommended to install an older version. To force the installation, use the "--force" option\n',
    );
    r = await runCli(['plugin', 'install', '--file', join(src, 'notation-alpha'), '--force'], { env });
    expect(r.stdout).to.equal('Successfully updated plugin alpha from version 1.2.0 to 1.0.0\n');
    writeStandalonePlugin(join(src, 'notation-alpha'), { name: 'alpha', version: '2.0.0' });
    const sum = createHash('sha256').update(readFileSync(join(src, 'notation-alpha'))).digest('hex');
    r = await runCli(['plugin', 'install', '--file', join(src, 'notation-alpha'), '--sha256sum', sum.toUpperCase()], { env });
    expect(r.stdout).to.equal('Successfully updated plugin alpha from version 1.0.0 to 2.0.0\n');
    r = await runCli(['plugin', 'install', '--file', join(src, 'notation-alpha'), '--sha256sum', '00'.repeat(32), '--force'], { env });
    expect(r.stderr).to.equal(`Error: plugin installation failed: plugin SHA-256 checksum does not match user input. Expecting ${'00'.repeat(32)}\n`);
  });

  it('installs from a tar.gz holding one notation-* executable', async () => {
    const src = join(dir, 'tgz');
    mkdirSync(src, { recursive: true });
    writeStandalonePlugin(join(src, 'notation-beta'), { name: 'beta', version: '0.3.0' });
    writeFileSync(join(src, 'LICENSE'), 'license text');
    execFileSync('tar', ['-czf', join(dir, 'beta.tar.gz'), '-C', src, 'notation-beta', 'LICENSE']);
    const r = await runCli(['plugin', 'install', '--file', join(dir, 'beta.tar.gz')], { env });
    expect(r).to.deep.include({ code: 0, stdout: 'Successfully installed plugin beta, version 0.3.0\n' });
    expect(readdirSync(join(dir, 'libexec', 'plugins', 'beta')).sort()).to.deep.equal(['LICENSE', 'notation-beta']);
  });

  it('lists plugins as notation does, with an error column for broken ones', async () => {
    installTestPlugin(join(dir, 'libexec'), 'gamma', { version: '1.0.0', description: 'gamma plugin', capabilities: ['SIGNATURE_GENERATOR.RAW', 'SIGNATURE_VERIFIER.TRUSTED_IDENTITY'] });
    mkdirSync(join(dir, 'libexec', 'plugins', 'broken'), { recursive: true });
    const r = await runCli(['plugin', 'ls'], { env });
    expect(r.code).to.equal(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).to.match(/^NAME {3,}DESCRIPTION {3,}VERSION {3,}CAPABILITIES {3,}ERROR {3,}$/);
    const row = (name: string) => lines.find((l) => l.startsWith(name + ' '))!.replace(/ {2,}/g, '|').replace(/\|$/, '');
    expect(row('alpha')).to.equal('alpha|standalone test plugin|2.0.0|[SIGNATURE_GENERATOR.RAW]|<nil>');
    expect(row('gamma')).to.equal('gamma|gamma plugin|1.0.0|[SIGNATURE_GENERATOR.RAW SIGNATURE_VERIFIER.TRUSTED_IDENTITY]|<nil>');
    expect(row('broken')).to.equal('broken|[]|plugin executable file `notation-broken` not found. Use `notation plugin install` command to install the plugin');
    expect(tabwrite([['a', 'bb'], ['ccc', 'd']])).to.equal('a     bb   \nccc   d    \n');
  });

  it('uninstalls with -y, and names what is missing', async () => {
    let r = await runCli(['plugin', 'uninstall', 'beta', '-y'], { env });
    expect(r).to.deep.include({ code: 0, stdout: 'Successfully uninstalled plugin beta\n' });
    expect(existsSync(join(dir, 'libexec', 'plugins', 'beta'))).to.equal(false);
    r = await runCli(['plugin', 'rm', 'beta', '-y'], { env });
    expect(r.stderr).to.equal('Error: unable to find plugin beta.\nTo view a list of installed plugins, use `notation plugin list`\n');
    r = await runCli(['plugin', 'uninstall', 'alpha'], { env });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/uninstalling plugin "alpha" needs confirmation; use -y\/--yes to confirm/);
    expect(existsSync(join(dir, 'libexec', 'plugins', 'alpha'))).to.equal(true);
    r = await runCli(['plugin', 'uninstall', 'a', 'b'], { env });
    expect(r.stderr).to.equal('Error: only one plugin can be removed at a time\n');
  });

  it('checks install arguments and --url rules as notation does', async () => {
    const cases: Array<[string[], string]> = [
      [['plugin', 'install'], 'missing plugin source location'],
      [['plugin', 'install', '--file'], 'missing plugin file path'],
      [['plugin', 'install', '--url'], 'missing plugin URL'],
      [['plugin', 'install', '--file', 'a', 'b'], 'can only install one plugin at a time, but got [a b]'],
      [['plugin', 'install', 'x'], 'at least one of the flags in the group [file url] is required'],
      [['plugin', 'install', '--file', '--url', 'x'], 'if any flags in the group [file url] are set none of the others can be; [file url] were all set'],
      [['plugin', 'install', '--url', 'https://example.invalid/p'], 'installing from URL requires non-empty SHA256 checksum of the plugin source'],
      [['plugin', 'install', '--url', 'http://127.0.0.1/p', '--sha256sum', 'ab'], 'failed to download plugin from URL: only the HTTPS scheme is supported, but got http'],
      [['plugin', 'install', '--file', join(dir, 'absent')], `plugin installation failed: stat ${join(dir, 'absent')}: no such file or directory`],
      [['plugin', 'install', '--file', dir], `plugin installation failed: ${dir} is not a valid file`],
    ];
    for (const [argv, msg] of cases) {
      const r = await runCli(argv, { env, cwd: dir });
      expect(r.code, argv.join(' ')).to.equal(1);
      expect(r.stderr, argv.join(' ')).to.equal(`Error: ${msg}\n`);
    }
  });

  describe('downloads over https (local server)', () => {
    let server: Server;
    let base: string;
    let caPem: string;
    let body = Buffer.from('');
    before(async () => {
      const tls = join(dir, 'tls');
      mkdirSync(tls, { recursive: true });
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(tls, 'k.pem'), '-out', join(tls, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
      caPem = readFileSync(join(tls, 'c.pem'), 'utf8');
      server = createServer({ key: readFileSync(join(tls, 'k.pem')), cert: caPem }, (req, res) => {
        if (req.url === '/redirect') {
          res.writeHead(302, { location: '/notation-delta' });
          res.end();
        } else if (req.url === '/notation-delta') {
          res.writeHead(200);
          res.end(body);
        } else {
          res.writeHead(404);
          res.end();
        }
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
      writeStandalonePlugin(join(dir, 'notation-delta'), { name: 'delta', version: '1.0.0' });
      body = readFileSync(join(dir, 'notation-delta'));
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    it('downloads, follows redirects, refuses bad statuses and oversized bodies', async () => {
      const out = join(dir, 'dl');
      await downloadPlugin(`${base}/redirect`, out, { ca: caPem });
      expect(readFileSync(out).equals(body)).to.equal(true);
      const e404 = await downloadPlugin(`${base}/absent`, out, { ca: caPem }).catch((e: Error) => e);
      expect((e404 as Error).message).to.equal(`GET "${base}/absent": https response bad status: 404 Not Found`);
      const big = await downloadPlugin(`${base}/notation-delta`, out, { ca: caPem, maxBytes: 10 }).catch((e: Error) => e);
      expect((big as Error).message).to.match(/https response reached the 0 MiB size limit/);
      // The server's self-signed certificate is not trusted by default.
      const untrusted = await downloadPlugin(`${base}/notation-delta`, out).catch((e: Error) => e);
      expect((untrusted as Error).message).to.match(/self-signed|self signed/);
    });

    it('plugin install --url reports a download failure with notation\'s wording', async () => {
      const r = await runCli(['plugin', 'install', '--url', `${base}/notation-delta`, '--sha256sum', createHash('sha256').update(body).digest('hex')], { env });
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal(`Downloading plugin from ${base}/notation-delta\n`);
      expect(r.stderr).to.match(new RegExp(`^Error: failed to download plugin from URL ${base.replace(/[.]/g, '\\.')}/notation-delta with error: .*self.signed`));
    });
  });
});

describe('cli: signing with a SoftHSM key (built-in pkcs11 and the notation-pkcs11 plugin)', function () {
  this.timeout(600_000);
  let dir: string;
  let tok: ProvisionedToken;
  let env: Record<string, string>;
  let pinFile: string;

  before(async () => {
    softhsm();
    dir = mkdtempSync(join(tmpdir(), 'nts-cli-hsm-'));
    tok = await provisionToken('nts-cli', PIN, KEY_SPECS, 'nts-cli');
    const config = join(dir, 'config');
    env = { NOTATION_CONFIG: config, NOTATION_LIBEXEC: join(dir, 'libexec'), NOTATION_CACHE: join(dir, 'cache'), NOTATION_PKCS11_PIN: PIN };
    writeTrustStore(config, 'ca', 'hsm', [tok.pki.root]);
    const statement = { name: 'hsm', signatureVerification: { level: 'strict' }, trustStores: ['ca:hsm'], trustedIdentities: ['*'] };
    writeFileSync(join(config, 'trustpolicy.oci.json'), JSON.stringify({ version: '1.0', trustPolicies: [{ ...statement, registryScopes: ['local/hsm'] }] }));
    writeFileSync(join(config, 'trustpolicy.blob.json'), JSON.stringify({ version: '1.0', trustPolicies: [{ ...statement, globalPolicy: true }] }));
    pinFile = join(dir, 'pin');
    writeFileSync(pinFile, PIN, { mode: 0o600 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Signs a fresh layout and a blob with key `keyName` in `format`, then verifies both with the CLI. */
  async function signAndVerify(keyName: string, format: 'jws' | 'cose', tag: string): Promise<void> {
    const work = mkdtempSync(join(dir, `${tag}-`));
    const layout = makeLayout(work);
    let r = await runCli(['sign', '--oci-layout', '--key', keyName, '--signature-format', format, `${layout.path}@${layout.digest}`], { env, cwd: work });
    expect(r.code, `${tag}: ${r.stderr}`).to.equal(0);
    expect(r.stdout).to.equal(`Successfully signed ${layout.path}@${layout.digest}\nPushed the signature to ${layout.path}@${r.stdout.match(/@(sha256:[0-9a-f]{64})\n$/)?.[1]}\n`);
    expect(r.stdout.split('\n')[1]).to.match(/^Pushed the signature to .*@sha256:[0-9a-f]{64}$/);
    r = await runCli(['verify', '--oci-layout', '--scope', 'local/hsm', `${layout.path}@${layout.digest}`], { env, cwd: work });
    expect(r.code, `${tag}: ${r.stderr}`).to.equal(0);
    expect(r.stdout).to.equal(`Successfully verified signature for ${layout.path}@${layout.digest}\n`);

    const blob = join(work, 'artifact.bin');
    writeFileSync(blob, `blob for ${tag}`);
    r = await runCli(['blob', 'sign', '--key', keyName, '--signature-format', format, '--signature-directory', work, blob], { env, cwd: work });
    expect(r.code, `${tag}: ${r.stderr}`).to.equal(0);
    const sig = join(work, `artifact.bin.${format}.sig`);
    expect(r.stdout).to.include(`Successfully signed ${blob}`);
    r = await runCli(['blob', 'verify', '--signature', sig, blob], { env, cwd: work });
    expect(r.code, `${tag}: ${r.stderr}`).to.equal(0);
    expect(r.stdout).to.match(/^Successfully verified signature /);
    // The same signature does not verify another blob.
    writeFileSync(blob, 'tampered');
    r = await runCli(['blob', 'verify', '--signature', sig, blob], { env, cwd: work });
    expect(r.code, tag).to.equal(1);
  }

  it('key add --plugin pkcs11 needs no installed plugin; sign/verify every key spec in both formats in process', async () => {
    for (const spec of KEY_SPECS) {
      const k = tok.keys.get(spec)!;
      const name = `hsm-${spec.toLowerCase()}`;
      const r = await runCli(['key', 'add', name, '--plugin', 'pkcs11', '--id', k.uri, '--default'], { env });
      expect(r, spec).to.deep.include({ code: 0, stdout: `${name}: marked as default\n` });
      for (const format of ['jws', 'cose'] as const) await signAndVerify(name, format, `${spec}-${format}`);
    }
    const keys = JSON.parse(readFileSync(join(env.NOTATION_CONFIG!, 'signingkeys.json'), 'utf8')) as { keys: Array<{ id: string; pluginName: string }> };
    expect(keys.keys.every((k) => k.pluginName === 'pkcs11' && !k.id.includes(PIN))).to.equal(true);
    expect(readFileSync(join(env.NOTATION_CONFIG!, 'signingkeys.json'), 'utf8')).not.to.include(PIN);
  });

  it('reports a wrong PIN as an error naming the token and key, without the PIN', async () => {
    const work = mkdtempSync(join(dir, 'badpin-'));
    const layout = makeLayout(work);
    const r = await runCli(['sign', '--oci-layout', '--id', tok.keys.get('EC-256')!.uri, '--plugin', 'pkcs11', `${layout.path}@${layout.digest}`], { env: { ...env, NOTATION_PKCS11_PIN: '999999' } });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/PKCS#11 token "nts-cli" refused the PIN from NOTATION_PKCS11_PIN \(CKR_PIN_INCORRECT\) for token "nts-cli", object "key-ec-256"/);
    expect(r.stderr + r.stdout).not.to.include('999999');
  });

  it('signs through bin/notation-pkcs11.js installed with `plugin install --file` (plugin protocol, RAW)', async () => {
    // A package-shaped directory: the real bin file, and a dist/ entry that runs the TS source.
    const pkg = join(dir, 'pkg');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    mkdirSync(join(pkg, 'dist', 'plugins', 'pkcs11'), { recursive: true });
    copyFileSync(join(ROOT, 'bin', 'notation-pkcs11.js'), join(pkg, 'bin', 'notation-pkcs11.js'));
    chmodSync(join(pkg, 'bin', 'notation-pkcs11.js'), 0o755);
    writeFileSync(join(pkg, 'package.json'), '{"type":"module"}');
    writeFileSync(
      join(pkg, 'dist', 'plugins', 'pkcs11', 'plugin-main.js'),
      `import { register } from ${JSON.stringify(pathToFileURL(join(ROOT, 'node_modules/tsx/dist/esm/api/index.mjs')).href)};\nregister();\n` +
        `const m = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/plugins/pkcs11/plugin-main.ts')).href)});\nexport const runPkcs11Plugin = m.runPkcs11Plugin;\n`,
    );
    const launcher = join(dir, 'notation-pkcs11-ext');
    writeFileSync(launcher, execFileSync(process.execPath, [join(pkg, 'bin', 'notation-pkcs11.js'), 'launcher', '--name', 'pkcs11-ext']), { mode: 0o755 });
    let r = await runCli(['plugin', 'install', '--file', launcher], { env });
    expect(r, r.stderr).to.deep.include({ code: 0 });
    expect(r.stdout).to.match(/^Successfully installed plugin pkcs11-ext, version \d+\.\d+\.\d+\n$/);
    r = await runCli(['plugin', 'list'], { env });
    expect(r.stdout).to.match(/\npkcs11-ext {3,}Signs with a key in a PKCS#11 token .* {3,}\[SIGNATURE_GENERATOR\.RAW\] {3,}<nil>/);

    // The plugin runs as a child process: the PIN comes from a pin-source file here.
    for (const spec of ['RSA-3072', 'EC-384'] as KeySpec[]) {
      const k = tok.keys.get(spec)!;
      const name = `ext-${spec.toLowerCase()}`;
      r = await runCli(['key', 'add', name, '--plugin', 'pkcs11-ext', '--id', `${k.uri}&pin-source=file:${pinFile}`], { env });
      expect(r.code, r.stderr).to.equal(0);
      for (const format of ['jws', 'cose'] as const) await signAndVerify(name, format, `ext-${spec}-${format}`);
    }
    // A protocol error from the plugin reaches the user with the plugin's code.
    const work = mkdtempSync(join(dir, 'ext-missing-'));
    const layout = makeLayout(work);
    r = await runCli(['sign', '--oci-layout', '--id', `pkcs11:token=nts-cli;object=absent?module-path=${SOFTHSM_MODULE}&pin-source=file:${pinFile}`, '--plugin', 'pkcs11-ext', `${layout.path}@${layout.digest}`], { env });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/failed to sign with the plugin pkcs11-ext: no private key found on PKCS#11 token "nts-cli", object "absent"/);
  });

  it('the bin file run outside its package explains how to install it', () => {
    const lone = join(dir, 'lone');
    mkdirSync(lone, { recursive: true });
    copyFileSync(join(ROOT, 'bin', 'notation-pkcs11.js'), join(lone, 'notation-pkcs11.mjs'));
    let stderr = '';
    try {
      execFileSync(process.execPath, [join(lone, 'notation-pkcs11.mjs'), 'get-plugin-metadata'], { input: '{}', stdio: 'pipe' });
    } catch (e) {
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    expect(JSON.parse(stderr).errorMessage).to.match(/cannot load its code .* install the output of `notation-pkcs11 launcher` as the plugin/);
  });
});
