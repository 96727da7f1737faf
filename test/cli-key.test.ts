/** `key add|list|update|delete` and `cert generate-test|cleanup-test`, in process, with notation's output. */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from './helpers/cli.js';
import { installTestPlugin } from './helpers/plugins/index.js';
import { Certificate, parseCertificates } from '../src/x509/certificate.js';

interface Env {
  dir: string;
  cfg: string;
  cli(args: string[], stdin?: string): Promise<CliResult>;
  keys(): { default?: string; keys: Record<string, unknown>[] };
}

function newEnv(): Env {
  const dir = mkdtempSync(join(tmpdir(), 'notation-ts-cli-key-'));
  const cfg = join(dir, 'config');
  return {
    dir,
    cfg,
    cli: (args, stdin) => runCli(args, { env: { NOTATION_CONFIG: cfg, NOTATION_CACHE: join(dir, 'cache') }, cwd: dir, stdin }),
    keys: () => JSON.parse(readFileSync(join(cfg, 'signingkeys.json'), 'utf8')),
  };
}

describe('cli key', function () {
  this.timeout(30_000);
  let env: Env;
  beforeEach(() => {
    env = newEnv();
    installTestPlugin(env.cfg, 'kms', { keySpec: 'EC-256' });
  });
  afterEach(() => rmSync(env.dir, { recursive: true, force: true }));

  it('add, list, update, delete with notation output and signingkeys.json as notation writes it', async () => {
    expect(await env.cli(['key', 'add', '--plugin', 'kms', '--id', 'key-1', 'one'])).to.deep.equal({ code: 0, stdout: 'one\n', stderr: '' });
    expect(await env.cli(['key', 'add', '--plugin', 'kms', '--id', 'key-2', '--plugin-config', 'region=eu', '--plugin-config', 'a=b', '--default', 'two'])).to.deep.equal({
      code: 0,
      stdout: 'two: marked as default\n',
      stderr: '',
    });
    expect(readFileSync(join(env.cfg, 'signingkeys.json'), 'utf8')).to.equal(
      '{\n    "default": "two",\n    "keys": [\n        {\n            "name": "one",\n            "id": "key-1",\n            "pluginName": "kms"\n        },\n' +
        '        {\n            "name": "two",\n            "id": "key-2",\n            "pluginName": "kms",\n            "pluginConfig": {\n                "a": "b",\n                "region": "eu"\n            }\n        }\n    ]\n}\n',
    );
    expect((statSync(join(env.cfg, 'signingkeys.json')).mode & 0o777).toString(8)).to.equal('600');

    const list = await env.cli(['key', 'ls']);
    expect(list.code).to.equal(0);
    expect(list.stdout).to.equal(
      // Go tabwriter, padding 3: NAME 5+3, KEY PATH 8+3, CERTIFICATE PATH 16+3, ID 5+3, PLUGIN NAME 11+3.
      'NAME    KEY PATH   CERTIFICATE PATH   ID      PLUGIN NAME   \n' + `one${' '.repeat(5 + 11 + 19)}key-1   kms           \n` + `* two${' '.repeat(3 + 11 + 19)}key-2   kms           \n`,
    );

    expect(await env.cli(['key', 'update', '--default', 'one'])).to.deep.equal({ code: 0, stdout: 'one: marked as default\n', stderr: '' });
    expect(env.keys().default).to.equal('one');
    // Without --default notation does nothing (and only says so in debug mode).
    expect(await env.cli(['key', 'set', 'two'])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    expect(env.keys().default).to.equal('one');
    expect((await env.cli(['key', 'update', '-d', 'two'])).stderr).to.contain('--default flag is not set, command did not take effect');

    expect(await env.cli(['key', 'delete', 'one'])).to.deep.equal({ code: 0, stdout: 'Removed default key one from Notation signing key list. The source key still exists.\n', stderr: '' });
    expect(env.keys().default).to.equal(undefined);
    expect(await env.cli(['key', 'delete', 'two'])).to.deep.equal({ code: 0, stdout: 'Removed two from Notation signing key list. The source key still exists.\n', stderr: '' });
    expect(env.keys().keys).to.deep.equal([]);
  });

  it('deletes several keys at once, marking the default', async () => {
    for (const n of ['a', 'b', 'c']) expect((await env.cli(['key', 'add', '--plugin', 'kms', '--id', n, ...(n === 'b' ? ['--default'] : []), n])).code).to.equal(0);
    const r = await env.cli(['key', 'rm', 'a', 'b']);
    expect(r.stdout).to.equal('Removed the following keys from Notation signing key list. The source keys still exist.\na\nb (default)\n');
    expect(env.keys().keys.map((k) => k.name)).to.deep.equal(['c']);
  });

  it('an unknown name in a delete changes nothing', async () => {
    await env.cli(['key', 'add', '--plugin', 'kms', '--id', 'x', 'a']);
    const before = readFileSync(join(env.cfg, 'signingkeys.json'));
    const r = await env.cli(['key', 'delete', 'a', 'missing']);
    expect(r).to.deep.equal({ code: 1, stdout: '', stderr: 'Error: signing key missing not found\n' });
    expect(readFileSync(join(env.cfg, 'signingkeys.json'))).to.deep.equal(before);
  });

  it('refuses bad key add input with notation texts', async () => {
    const cases: [string[], string][] = [
      [['key', 'add', '--id', 'x', 'a'], 'Error: required flag(s) "plugin" not set\n'],
      [['key', 'add', '--plugin', 'kms', '--id', 'x'], 'Error: either missing key name or unnecessary parameters passed\n'],
      [['key', 'add', '--plugin', 'kms', '--id', 'x', 'a', 'b'], 'Error: either missing key name or unnecessary parameters passed\n'],
      [['key', 'add', '--plugin', 'kms', 'a'], 'Error: missing key id\n'],
      [['key', 'add', '--plugin', 'absent', '--id', 'x', 'a'], 'Error: plugin absent not found\n'],
      [['key', 'add', '--plugin', 'kms', '--id', 'x', '--plugin-config', 'novalue', 'a'], 'Error: could not parse flag plugin-config: key-value pair requires "=" as separator\n'],
      [['key', 'update', '--default', 'nope'], 'Error: signing key nope not found\n'],
      [['key', 'update'], 'Error: missing key name\n'],
      [['key', 'delete'], 'Error: missing key names\n'],
    ];
    for (const [args, msg] of cases) {
      const r = await env.cli(args);
      expect(r, args.join(' ')).to.deep.equal({ code: 1, stdout: '', stderr: msg });
    }
    expect(existsSync(join(env.cfg, 'signingkeys.json'))).to.equal(false);
    await env.cli(['key', 'add', '--plugin', 'kms', '--id', 'x', 'a']);
    expect(await env.cli(['key', 'add', '--plugin', 'kms', '--id', 'y', 'a'])).to.deep.equal({ code: 1, stdout: '', stderr: 'Error: signing key with name "a" already exists\n' });
  });

  it('accepts the built-in pkcs11 plugin without an installed executable', async () => {
    const r = await env.cli(['key', 'add', '--plugin', 'pkcs11', '--id', 'pkcs11:token=t;object=k', '--plugin-config', 'module=/usr/lib/softhsm/libsofthsm2.so', 'hsm']);
    expect(r).to.deep.equal({ code: 0, stdout: 'hsm\n', stderr: '' });
    expect(env.keys().keys[0]).to.deep.equal({ name: 'hsm', id: 'pkcs11:token=t;object=k', pluginName: 'pkcs11', pluginConfig: { module: '/usr/lib/softhsm/libsofthsm2.so' } });
  });

  it('a malformed signingkeys.json is reported, not overwritten', async () => {
    mkdirSync(env.cfg, { recursive: true });
    writeFileSync(join(env.cfg, 'signingkeys.json'), '{"keys":[{"name":"a"},{"name":"a"}]}');
    const r = await env.cli(['key', 'list']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("multiple keys with name 'a' found");
    const a = await env.cli(['key', 'add', '--plugin', 'kms', '--id', 'x', 'b']);
    expect(a.code).to.equal(1);
    expect(readFileSync(join(env.cfg, 'signingkeys.json'), 'utf8')).to.equal('{"keys":[{"name":"a"},{"name":"a"}]}');
  });
});

describe('cli cert generate-test / cleanup-test', function () {
  this.timeout(60_000);
  let env: Env;
  beforeEach(() => {
    env = newEnv();
  });
  afterEach(() => rmSync(env.dir, { recursive: true, force: true }));

  it('generate-test writes key, certificate, key entry and trust store entry as notation; the key signs and verifies', async () => {
    const r = await env.cli(['cert', 'generate-test', '--default', 'wabbit-networks.io']);
    expect(r.code, r.stderr).to.equal(0);
    const keyPath = join(env.cfg, 'localkeys', 'wabbit-networks.io.key');
    const certPath = join(env.cfg, 'localkeys', 'wabbit-networks.io.crt');
    const lines = r.stdout.split('\n');
    expect(lines[0]).to.equal('generating RSA Key with 2048 bits');
    expect(lines[1]).to.match(/^generated certificate expiring on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(lines.slice(2)).to.deep.equal([
      `wrote key: ${keyPath}`,
      `wrote certificate: ${certPath}`,
      'Successfully added wabbit-networks.io.crt to named store wabbit-networks.io of type ca',
      'wabbit-networks.io: added to the key list',
      'wabbit-networks.io: marked as default signing key',
      '',
    ]);
    const cert = parseCertificates(readFileSync(certPath), 'cert')[0] as Certificate;
    expect(cert.subject).to.equal('CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US');
    expect(readFileSync(join(env.cfg, 'truststore', 'x509', 'ca', 'wabbit-networks.io', 'wabbit-networks.io.crt'))).to.deep.equal(readFileSync(certPath));
    expect(env.keys()).to.deep.equal({ default: 'wabbit-networks.io', keys: [{ name: 'wabbit-networks.io', keyPath, certPath }] });

    // A blob signed with the generated key verifies against the generated trust store entry.
    writeFileSync(join(env.cfg, 'trustpolicy.blob.json'), JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'g', globalPolicy: true, signatureVerification: { level: 'strict' }, trustStores: ['ca:wabbit-networks.io'], trustedIdentities: ['*'] }] }));
    writeFileSync(join(env.dir, 'f.txt'), 'x');
    expect((await env.cli(['blob', 'sign', 'f.txt'])).code).to.equal(0);
    const v = await env.cli(['blob', 'verify', '-s', 'f.txt.jws.sig', 'f.txt']);
    expect(v.code, v.stderr).to.equal(0);

    // A second generate-test with the same name changes nothing.
    const keyBefore = createHash('sha256').update(readFileSync(keyPath)).digest('hex');
    const again = await env.cli(['cert', 'generate-test', 'wabbit-networks.io']);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/^Error: failed to write key file: .*file exists\n$/);
    expect(createHash('sha256').update(readFileSync(keyPath)).digest('hex')).to.equal(keyBefore);
  });

  it('generate-test honours --bits and refuses bad names', async () => {
    const r = await env.cli(['certificate', 'generate-test', '-b', '3072', 'big']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.split('\n')[0]).to.equal('generating RSA Key with 3072 bits');
    expect(r.stdout).to.not.contain('marked as default');
    expect(env.keys().default).to.equal(undefined);
    expect(await env.cli(['cert', 'generate-test', 'bad/name'])).to.deep.equal({ code: 1, stdout: '', stderr: 'Error: name needs to follow [a-zA-Z0-9_.-]+ format\n' });
    expect(await env.cli(['cert', 'generate-test'])).to.deep.equal({ code: 1, stdout: '', stderr: 'Error: missing certificate common_name\n' });
  });

  it('cleanup-test -y removes everything with notation lines; a second run reports what is missing', async () => {
    expect((await env.cli(['cert', 'generate-test', '--default', 'demo'])).code).to.equal(0);
    const keyPath = join(env.cfg, 'localkeys', 'demo.key');
    const certPath = join(env.cfg, 'localkeys', 'demo.crt');
    const r = await env.cli(['cert', 'cleanup-test', '-y', 'demo']);
    expect(r).to.deep.equal({
      code: 0,
      stderr: '',
      stdout:
        'Successfully deleted demo.crt from trust store demo of type ca\n' +
        'Successfully removed key demo from the key list\n' +
        `Successfully deleted key file: ${keyPath}\n` +
        `Successfully deleted certificate file: ${certPath}\n` +
        'Cleanup completed successfully\n',
    });
    expect(existsSync(keyPath) || existsSync(certPath)).to.equal(false);
    expect(existsSync(join(env.cfg, 'truststore', 'x509', 'ca', 'demo'))).to.equal(false);
    expect(env.keys()).to.deep.equal({ keys: [] });
    const again = await env.cli(['cert', 'cleanup-test', '--yes', 'demo']);
    expect(again.stdout).to.equal(
      'Certificate demo.crt does not exist in trust store demo of type ca\n' +
        'Key demo does not exist in the key list\n' +
        `Key file ${keyPath} does not exist\n` +
        `Certificate file ${certPath} does not exist\n` +
        'Cleanup completed successfully\n',
    );
  });

  it('cleanup-test asks first and does nothing unless confirmed', async () => {
    expect((await env.cli(['cert', 'generate-test', 'demo'])).code).to.equal(0);
    const keyPath = join(env.cfg, 'localkeys', 'demo.key');
    const no = await env.cli(['cert', 'cleanup-test', 'demo'], 'n\n');
    expect(no.code).to.equal(0);
    expect(no.stdout).to.equal(
      'The test key demo and its corresponding certificate will be cleaned up with the following changes:\n' +
        '- Delete certificate demo.crt from trust store demo of type ca\n' +
        '- Remove key demo from the key list\n' +
        `- Delete key file: ${keyPath}\n` +
        `- Delete certificate file: ${join(env.cfg, 'localkeys', 'demo.crt')}\n\n` +
        'Are you sure you want to continue? [y/N] Operation cancelled.\n',
    );
    expect(existsSync(keyPath)).to.equal(true);
    const eof = await env.cli(['cert', 'cleanup-test', 'demo'], '');
    expect(eof.code).to.equal(0);
    expect(eof.stdout).to.match(/\[y\/N\] $/);
    expect(existsSync(keyPath)).to.equal(true);
    const yes = await env.cli(['cert', 'cleanup-test', 'demo'], 'YES\n');
    expect(yes.stdout).to.contain('Cleanup completed successfully\n');
    expect(existsSync(keyPath)).to.equal(false);
    expect(await env.cli(['cert', 'cleanup-test', '-y', '../x'])).to.deep.equal({ code: 1, stdout: '', stderr: 'Error: certificate common name must follow [a-zA-Z0-9_.-]+ format\n' });
  });
});
