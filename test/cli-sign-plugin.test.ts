/**
 * `sign` / `blob sign` through plugin keys: a RAW plugin (PluginSigner), an ENVELOPE
 * plugin (the plugin builds the envelope; its annotations reach the manifest), the
 * on-demand `--id`/`--plugin` form, `--plugin-config` overriding the key's config,
 * and the in-process `pkcs11` hook.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeImageLayout } from './helpers/layout.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { makePki, writeTrustStore, type Pki } from './helpers/pki.js';
import { installTestPlugin, type Behaviour } from './helpers/plugins/index.js';


function makeLayout(dir: string): string {
  return writeImageLayout(dir).digest;
}

function signatureManifests(layout: string): { annotations: Record<string, string>; layers: { mediaType: string }[] }[] {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  return index.manifests
    .map((d) => JSON.parse(readFileSync(join(layout, 'blobs', ...d.digest.split(':')), 'utf8')))
    .filter((m) => m.artifactType === 'application/vnd.cncf.notary.signature' || m.config?.mediaType === 'application/vnd.cncf.notary.signature');
}

describe('cli sign with plugin keys', function () {
  this.timeout(60_000);
  let pki: Pki;
  let dir: string;
  let cfg: string;
  let digest: string;
  let cli: (args: string[]) => Promise<CliResult>;

  before(async () => {
    pki = await makePki({ name: 'cli-plugin', keySpec: 'EC-256' });
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'notation-ts-cli-plugin-'));
    cfg = join(dir, 'config');
    mkdirSync(cfg, { recursive: true });
    cli = (args) => runCli(args, { env: { NOTATION_CONFIG: cfg, NOTATION_CACHE: join(dir, 'cache') }, cwd: dir });
    digest = makeLayout(join(dir, 'img'));
    writeFileSync(join(dir, 'leaf.key'), pki.leaf.keyPem);
    writeFileSync(join(dir, 'chain.crt'), pki.chainPem);
    writeTrustStore(cfg, 'ca', 'test', [pki.root]);
    writeFileSync(
      join(cfg, 'trustpolicy.oci.json'),
      JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:test'], trustedIdentities: ['*'] }] }),
    );
    writeFileSync(
      join(cfg, 'trustpolicy.blob.json'),
      JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'b', globalPolicy: true, signatureVerification: { level: 'strict' }, trustStores: ['ca:test'], trustedIdentities: ['*'] }] }),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const plugin = (name: string, b: Behaviour = {}) =>
    installTestPlugin(cfg, name, { keySpec: 'EC-256', keyPath: join(dir, 'leaf.key'), chainPath: join(dir, 'chain.crt'), recordPath: join(dir, `${name}.log`), ...b });

  it('RAW plugin key: signs both formats and the signatures verify; --plugin-config overrides the key config', async () => {
    plugin('raw');
    expect((await cli(['key', 'add', '--plugin', 'raw', '--id', 'kid', '--plugin-config', 'a=key', '--plugin-config', 'b=key', '--default', 'rk'])).code).to.equal(0);
    for (const format of ['jws', 'cose']) {
      const r = await cli(['sign', '--oci-layout', '--signature-format', format, '--plugin-config', 'b=flag', `img@${digest}`]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`^Successfully signed img@${digest}\nPushed the signature to img@sha256:[0-9a-f]{64}\n$`));
    }
    const v = await cli(['verify', '--oci-layout', '--scope', 'local/x', `img@${digest}`]);
    expect(v.code, v.stderr).to.equal(0);
    const log = readFileSync(join(dir, 'raw.log'), 'utf8');
    expect(log).to.contain('generate-signature');
    // The test plugin records each command with its raw request text.
    const calls = log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { command: string; request: string });
    const gen = calls.filter((c) => c.command === 'generate-signature');
    expect(gen.length).to.equal(2);
    for (const g of gen) expect((JSON.parse(g.request) as { pluginConfig?: Record<string, string> }).pluginConfig).to.deep.equal({ a: 'key', b: 'flag' });
  });

  it('on-demand --id/--plugin signs a blob', async () => {
    plugin('raw');
    writeFileSync(join(dir, 'f.txt'), 'data');
    const r = await cli(['blob', 'sign', '--id', 'kid', '--plugin', 'raw', 'f.txt']);
    expect(r.code, r.stderr).to.equal(0);
    const v = await cli(['blob', 'verify', '-s', 'f.txt.jws.sig', 'f.txt']);
    expect(v.code, v.stderr).to.equal(0);
  });

  it('ENVELOPE plugin: its envelope is checked and pushed with its annotations; blob signing is refused', async () => {
    plugin('env', { capabilities: ['SIGNATURE_GENERATOR.ENVELOPE'], envelope: { responseAnnotations: { 'com.example.kms': 'yes' } } });
    const r = await cli(['sign', '--oci-layout', '--id', 'kid', '--plugin', 'env', '-m', 'k=v', `img@${digest}`]);
    expect(r.code, r.stderr).to.equal(0);
    const [m] = signatureManifests(join(dir, 'img'));
    expect(m.annotations['com.example.kms']).to.equal('yes');
    expect(JSON.parse(m.annotations['io.cncf.notary.x509chain.thumbprint#S256'])).to.have.length(3);
    const v = await cli(['verify', '--oci-layout', '--scope', 'local/x', '-m', 'k=v', `img@${digest}`]);
    expect(v.code, v.stderr).to.equal(0);
    writeFileSync(join(dir, 'f.txt'), 'data');
    const b = await cli(['blob', 'sign', '--id', 'kid', '--plugin', 'env', 'f.txt']);
    expect(b).to.deep.equal({ code: 1, stdout: '', stderr: 'Error: the plugin "env" lacks the signature generator capability required for blob signing\n' });
  });

  it('ENVELOPE plugin that drops user metadata is refused and nothing is pushed', async () => {
    plugin('env', { capabilities: ['SIGNATURE_GENERATOR.ENVELOPE'], envelope: { dropAnnotation: 'k' } });
    const r = await cli(['sign', '--oci-layout', '--id', 'kid', '--plugin', 'env', '-m', 'k=v', `img@${digest}`]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^Error: failed to sign with the plugin env: during signing descriptor subject has changed/);
    expect(signatureManifests(join(dir, 'img'))).to.have.length(0);
  });

  it('a RAW plugin returning a DER ECDSA signature fails the signing', async () => {
    plugin('raw', { derSignature: true });
    const r = await cli(['sign', '--oci-layout', '--id', 'kid', '--plugin', 'raw', `img@${digest}`]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^Error: failed to sign with the plugin raw: /);
    expect(signatureManifests(join(dir, 'img'))).to.have.length(0);
  });

  it('an uninstalled plugin is reported', async () => {
    const r = await cli(['sign', '--oci-layout', '--id', 'kid', '--plugin', 'absent', `img@${digest}`]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('absent');
  });

  it('pkcs11 keys go to the in-process PKCS#11 signer (no executable needed)', async () => {
    expect(existsSync(join(cfg, 'plugins', 'pkcs11'))).to.equal(false);
    const r = await cli(['sign', '--oci-layout', '--id', 'pkcs11:token=none;object=none', '--plugin', 'pkcs11', `img@${digest}`]);
    expect(r.code).to.equal(1);
    // Without a module path the PKCS#11 signer says what is missing: proof that the call reached it.
    expect(r.stderr).to.match(/^Error: no PKCS#11 module for token "none"/);
    expect(r.stderr).to.not.contain('plugin executable');
  });
});
