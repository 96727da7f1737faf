/**
 * Plugins as real processes: discovery rules, the runner's error handling, RAW and
 * ENVELOPE signing, verify-signature, and install/uninstall. The plugins are
 * test/helpers/plugins/test-plugin.mjs copies laid out under a temporary libexec dir.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createPublicKey, verify as cryptoVerify, constants } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PluginError, type NotationError } from '../src/errors.js';
import {
  CLIPlugin,
  PluginManager,
  PluginProcess,
  PluginProtocolError,
  checkVerificationPluginRequirements,
  runVerificationPlugin,
} from '../src/plugins/index.js';
import { PluginSigner, generateEnvelopeWithPlugin, resolvePluginSigningMode } from '../src/signer/plugin.js';
import { HEADER, type EnvelopeContent } from '../src/envelope/types.js';
import { parseCertificates } from '../src/x509/certificate.js';
import { makePki, type Pki } from './helpers/pki.js';
import { installTestPlugin, makeTempDir, removeDir, writeStandalonePlugin, type Behaviour } from './helpers/plugins/index.js';

const RAW = 'SIGNATURE_GENERATOR.RAW';
const ENV = 'SIGNATURE_GENERATOR.ENVELOPE';
const TI = 'SIGNATURE_VERIFIER.TRUSTED_IDENTITY';
const RC = 'SIGNATURE_VERIFIER.REVOCATION_CHECK';

async function rejection(p: Promise<unknown>): Promise<NotationError> {
  return p.then(
    () => expect.fail('expected a rejection'),
    (e: NotationError) => e,
  );
}

describe('plugins (real processes)', function () {
  this.timeout(60_000);
  let dir: string;
  let libexec: string;
  let pki: Pki;
  let keyPath: string;
  let chainPath: string;
  let manager: PluginManager;

  before(async () => {
    dir = makeTempDir();
    libexec = join(dir, 'libexec');
    pki = await makePki({ name: 'plugin-test' });
    keyPath = join(dir, 'leaf.key');
    chainPath = join(dir, 'chain.pem');
    writeFileSync(keyPath, pki.leaf.keyPem);
    writeFileSync(chainPath, pki.chainPem);
    manager = new PluginManager(libexec, { timeoutMs: 10_000 });
  });
  after(() => removeDir(dir));

  const signer = (extra: Behaviour = {}): Behaviour => ({ capabilities: [RAW], keySpec: 'EC-256', keyPath, chainPath, ...extra });

  describe('discovery', () => {
    it('lists plugin directories and gets a plugin whose metadata names its directory', async () => {
      installTestPlugin(libexec, 'alpha', signer());
      installTestPlugin(libexec, 'beta', signer());
      expect(await manager.list()).to.include.members(['alpha', 'beta']);
      const p = await manager.get('alpha');
      const m = await p.getMetadata();
      expect(m).to.include({ name: 'alpha', version: '1.0.0' });
    });

    it('rejects metadata whose name differs from the directory', async () => {
      installTestPlugin(libexec, 'misnamed', signer({ name: 'other' }));
      const e = await rejection((await manager.get('misnamed')).getMetadata());
      expect(e.code).to.equal('PLUGIN_NAME_MISMATCH');
      expect(e.message).to.equal('plugin executable file name must be "notation-other" instead of "notation-misnamed"');
    });

    it('rejects metadata without contract version 1.0', async () => {
      installTestPlugin(libexec, 'future', signer({ supportedContractVersions: ['2.0'] }));
      const e = await rejection((await manager.get('future')).getMetadata());
      expect(e.code).to.equal('PLUGIN_MALFORMED_METADATA');
      expect(e.message).to.contain('contract version "1.0" is not in the list of the plugin supported versions [2.0]');
    });

    it('refuses a symlinked executable and skips a symlinked plugin directory', async () => {
      const real = installTestPlugin(libexec, 'realone', signer());
      mkdirSync(join(libexec, 'plugins', 'linked'), { recursive: true });
      symlinkSync(real, join(libexec, 'plugins', 'linked', 'notation-linked'));
      const e = await rejection(manager.get('linked'));
      expect(e.code).to.equal('PLUGIN_NOT_FOUND');
      expect(e.message).to.contain('symbolic link');
      symlinkSync(join(libexec, 'plugins', 'realone'), join(libexec, 'plugins', 'dirlink'));
      expect(await manager.list()).to.not.include('dirlink');
      expect((await rejection(manager.get('dirlink'))).message).to.contain('symbolic link');
    });

    it('refuses missing, non-executable and path-like names', async () => {
      expect((await rejection(manager.get('absent'))).code).to.equal('PLUGIN_NOT_FOUND');
      const exe = installTestPlugin(libexec, 'noexec', signer());
      chmodSync(exe, 0o644);
      expect((await rejection(manager.get('noexec'))).message).to.contain('is not executable');
      expect((await rejection(manager.get('../alpha'))).code).to.equal('PLUGIN_NOT_FOUND');
    });
  });

  describe('runner', () => {
    const run = async (name: string, b: Behaviour, opts: { timeoutMs?: number; maxOutputBytes?: number } = {}) => {
      const exe = installTestPlugin(libexec, name, b);
      return new PluginProcess(exe, opts).run('describe-key', { contractVersion: '1.0', keyId: 'k' });
    };

    it('turns error JSON on stderr into a typed error carrying the plugin code', async () => {
      const e = await rejection(run('denied', signer({ deniedKeyId: 'k' })));
      expect(e).to.be.instanceOf(PluginProtocolError);
      expect(e.code).to.equal('PLUGIN_ACCESS_DENIED');
      expect((e as PluginProtocolError).pluginErrorCode).to.equal('ACCESS_DENIED');
      expect(e.message).to.equal('access to key k denied');
    });

    it('reports garbage on stderr as malformed and an empty stderr as executable error', async () => {
      let e = await rejection(run('garbage', { commands: { 'describe-key': { stderr: 'segfault!', exitCode: 2 } } }));
      expect(e.code).to.equal('PLUGIN_MALFORMED');
      expect(e.message).to.contain('malformed plugin');
      e = await rejection(run('silent', { commands: { 'describe-key': { exitCode: 3 } } }));
      expect(e.code).to.equal('PLUGIN_EXECUTABLE_ERROR');
      expect(e.message).to.contain('executable error');
    });

    it('rejects stdout that is not the response JSON', async () => {
      const e = await rejection(run('badjson', { commands: { 'describe-key': { stdout: '{"keyId": ' } } }));
      expect(e.code).to.equal('PLUGIN_MALFORMED');
      expect(e.message).to.contain('failed to unmarshal the response of describe-key command for plugin badjson');
    });

    it('kills a plugin that does not answer in time', async () => {
      const t0 = Date.now();
      const e = await rejection(run('sleepy', { commands: { 'describe-key': { sleepMs: 20_000 } } }, { timeoutMs: 500 }));
      expect(e.code).to.equal('PLUGIN_TIMEOUT');
      expect(Date.now() - t0).to.be.below(5_000);
    });

    it('caps stdout and stderr', async () => {
      let e = await rejection(run('huge', { commands: { 'describe-key': { hugeOutputBytes: 4 * 1024 * 1024 } } }, { maxOutputBytes: 1024 * 1024 }));
      expect(e.code).to.equal('PLUGIN_OUTPUT_TOO_LARGE');
      e = await rejection(run('hugeerr', { commands: { 'describe-key': { hugeOutputBytes: 4 * 1024 * 1024, hugeStream: 'stderr', exitCode: 1 } } }, { maxOutputBytes: 1024 * 1024 }));
      expect(e.code).to.equal('PLUGIN_OUTPUT_TOO_LARGE');
    });
  });

  describe('RAW signing', () => {
    it('signs the exact bytes with a key spec from describe-key and returns the chain leaf first', async () => {
      const record = join(dir, 'raw-record.jsonl');
      installTestPlugin(libexec, 'raw', signer({ recordPath: record }));
      const plugin = await manager.get('raw');
      const mode = await resolvePluginSigningMode(plugin, { a: 'b' });
      expect(mode.mode).to.equal('raw');
      const s = new PluginSigner(plugin, 'my-key', { pluginConfig: { a: 'b' } });
      expect(await s.keySpec()).to.equal('EC-256');
      const data = new Uint8Array(Buffer.from('eyJhbGciOiJFUzI1NiJ9.cGF5bG9hZA'));
      const r = await s.sign(data, 'SHA-256');
      expect(r.certificateChain.map((c) => c.subject)).to.deep.equal(pki.chain.map((c) => c.subject));
      expect(cryptoVerify('sha256', data, { key: createPublicKey(pki.leaf.publicKey.export({ type: 'spki', format: 'pem' })), dsaEncoding: 'ieee-p1363' }, r.signature)).to.equal(true);
      const reqs = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { command: string; request: string });
      const gen = JSON.parse(reqs.find((x) => x.command === 'generate-signature')!.request);
      expect(gen).to.deep.include({ contractVersion: '1.0', keyId: 'my-key', keySpec: 'EC-256', hashAlgorithm: 'SHA-256', pluginConfig: { a: 'b' } });
      expect(gen.payload).to.equal(Buffer.from(data).toString('base64'));
    });

    it('signs with RSA-PSS, salt = hash length', async () => {
      const rsa = await makePki({ name: 'plugin-rsa', keySpec: 'RSA-2048' });
      const k = join(dir, 'rsa.key');
      const c = join(dir, 'rsa.pem');
      writeFileSync(k, rsa.leaf.keyPem);
      writeFileSync(c, rsa.chainPem);
      installTestPlugin(libexec, 'rsa', { capabilities: [RAW, ENV], keySpec: 'RSA-2048', keyPath: k, chainPath: c });
      const plugin = await manager.get('rsa');
      expect((await resolvePluginSigningMode(plugin)).mode).to.equal('raw');
      const data = new Uint8Array(Buffer.from('to be signed'));
      const r = await new PluginSigner(plugin, 'rsa-key').sign(data, 'SHA-256');
      expect(cryptoVerify('sha256', data, { key: rsa.leaf.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, r.signature)).to.equal(true);
    });

    const failure = async (name: string, b: Behaviour) => {
      installTestPlugin(libexec, name, signer(b));
      return rejection(new PluginSigner(await manager.get(name), 'my-key').sign(new Uint8Array([1, 2, 3]), 'SHA-256'));
    };

    it('rejects a wrong keyId in describe-key and in generate-signature', async () => {
      let e = await failure('wrongdesc', { describeKeyId: 'other' });
      expect(e.message).to.equal('failed to sign with the plugin wrongdesc: keyID in describeKey response "other" does not match request "my-key"');
      e = await failure('wrongsign', { signKeyId: 'other' });
      expect(e.message).to.equal('failed to sign with the plugin wrongsign: keyID in generateSignature response "other" does not match request "my-key"');
    });

    it('rejects a DER ECDSA signature, a chain not starting at the signer, and a mismatched signingAlgorithm', async () => {
      expect((await failure('der', { derSignature: true })).code).to.equal('PLUGIN_RESPONSE_INVALID');
      expect((await failure('reversed', { reverseChain: true })).message).to.contain('does not verify with the public key of the leaf certificate');
      expect((await failure('wrongalg', { signingAlgorithm: 'ECDSA-SHA-384' })).message).to.contain('does not match key spec EC-256');
    });

    it('passes ACCESS_DENIED through with the plugin code', async () => {
      const e = await failure('deny', { deniedKeyId: 'my-key' });
      expect(e).to.be.instanceOf(PluginProtocolError);
      expect(e.code).to.equal('PLUGIN_ACCESS_DENIED');
    });
  });

  describe('ENVELOPE signing', () => {
    const descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:' + 'a'.repeat(64), size: 1234, annotations: { buildId: '42' } };
    // Minimal flattened-JWS check (the envelope module's verifier is injected in production).
    const verifyJws = (mediaType: string, bytes: Uint8Array): EnvelopeContent => {
      const env = JSON.parse(Buffer.from(bytes).toString('utf8'));
      const leaf = parseCertificates(Buffer.from(env.header.x5c[0], 'base64'), 'x5c')[0]!;
      const ok = cryptoVerify('sha256', Buffer.from(`${env.protected}.${env.payload}`), { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(env.signature, 'base64url'));
      if (!ok || mediaType !== 'application/jose+json') throw new PluginError('SIGNATURE_INVALID', 'signature is invalid');
      const prot = JSON.parse(Buffer.from(env.protected, 'base64url').toString());
      return { payload: { contentType: prot.cty, content: new Uint8Array(Buffer.from(env.payload, 'base64url')) } } as unknown as EnvelopeContent;
    };
    const gen = async (name: string, e: Behaviour['envelope'] = {}) => {
      installTestPlugin(libexec, name, signer({ capabilities: [ENV], envelope: e }));
      return generateEnvelopeWithPlugin({ plugin: await manager.get(name), keyId: 'k', descriptor, signatureMediaType: 'application/jose+json', expirySeconds: 3600, verifyEnvelope: verifyJws });
    };

    it('accepts an envelope that keeps the descriptor and returns the plugin annotations', async () => {
      const r = await gen('env-ok', { addAnnotation: { extra: 'yes' }, responseAnnotations: { 'com.example/signed-by': 'hsm' } });
      expect(r.annotations).to.deep.equal({ 'com.example/signed-by': 'hsm' });
      const payload = JSON.parse(Buffer.from(r.content.payload.content).toString());
      expect(payload.targetArtifact.annotations).to.deep.equal({ buildId: '42', extra: 'yes' });
      expect((await resolvePluginSigningMode(await manager.get('env-ok'))).mode).to.equal('envelope');
    });

    it('rejects a dropped annotation, a changed size, unknown fields and a wrong envelope type', async () => {
      expect((await rejection(gen('env-drop', { dropAnnotation: 'buildId' }))).message).to.contain('during signing descriptor subject has changed');
      expect((await rejection(gen('env-size', { changeSize: true }))).message).to.contain('Size:1235');
      expect((await rejection(gen('env-field', { extraField: 'foo' }))).message).to.contain('following unknown attributes were added to subject descriptor: ["foo"]');
      expect((await rejection(gen('env-top', { extraTopLevel: 'bar' }))).message).to.contain('["bar"]');
      expect((await rejection(gen('env-type', { type: 'application/cose' }))).message).to.contain(
        'signatureEnvelopeType in generateEnvelope response "application/cose" does not match request "application/jose+json"',
      );
    });

    it('verifies with the envelope module by default', async () => {
      installTestPlugin(libexec, 'env-default', signer({ capabilities: [ENV] }));
      const r = await generateEnvelopeWithPlugin({ plugin: await manager.get('env-default'), keyId: 'k', descriptor, signatureMediaType: 'application/jose+json' });
      expect(r.content.signerInfo.certificateChain).to.have.length(3);
    });
  });

  describe('verification plugin', () => {
    const content = (min?: string): EnvelopeContent => ({
      payload: { contentType: 'application/vnd.cncf.notary.payload.v1+json', content: new Uint8Array(Buffer.from('{}')) },
      signerInfo: {
        signedAttributes: {
          signingScheme: 'notary.x509.signingAuthority',
          signingTime: new Date('2025-01-01T00:00:00Z'),
          extendedAttributes: [
            { key: HEADER.verificationPlugin, critical: true, value: 'verifier' },
            ...(min ? [{ key: HEADER.verificationPluginMinVersion, critical: true, value: min }] : []),
            { key: 'SomeKey', critical: true, value: 'v' },
          ],
        },
        unsignedAttributes: {},
        signatureAlgorithm: 'ECDSA-SHA-256',
        certificateChain: pki.chain,
        signature: new Uint8Array(64),
      },
    });

    it('runs verify-signature with the capabilities to verify and the REF-shaped request', async () => {
      const record = join(dir, 'verify-record.jsonl');
      installTestPlugin(libexec, 'verifier', { capabilities: [TI, RC], version: '1.2.0', recordPath: record });
      const req = (await checkVerificationPluginRequirements(content('1.1.0'), manager, { pluginConfig: { p: 'q' } }))!;
      expect(req.capabilities).to.deep.equal([TI, RC]);
      const run = await runVerificationPlugin({
        plugin: req.plugin,
        pluginName: req.pluginName,
        content: content('1.1.0'),
        statement: { trustedIdentities: ['x509.subject:CN=x'] },
        level: { enforcement: { authenticity: 'enforce', revocation: 'skip' } },
        capabilities: req.capabilities,
        pluginConfig: { p: 'q' },
      });
      expect(run.failure).to.equal(undefined);
      expect(run.results.map((r) => [r.capability, r.success])).to.deep.equal([[TI, true]]);
      const sent = JSON.parse(readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((x) => x.command === 'verify-signature').request);
      expect(sent.trustPolicy.signatureVerification).to.deep.equal([TI]);
      expect(sent.signature.criticalAttributes).to.include({ expiry: '0001-01-01T00:00:00Z', authenticSigningTime: '2025-01-01T00:00:00Z', signingScheme: 'notary.x509.signingAuthority' });
      expect(sent.signature.unprocessedAttributes).to.deep.equal(['SomeKey']);
      expect(sent.pluginConfig).to.deep.equal({ p: 'q' });
    });

    it('fails hard when the installed plugin is older than required', async () => {
      const e = await rejection(checkVerificationPluginRequirements(content('2.0.0'), manager));
      expect(e.code).to.equal('PLUGIN_VERSION_TOO_OLD');
    });

    it('reports a plugin that forgot a processed attribute', async () => {
      installTestPlugin(libexec, 'verifier', { capabilities: [TI], verifyResponse: { verificationResults: { [TI]: { success: true } }, processedAttributes: [] } });
      const req = (await checkVerificationPluginRequirements(content(), manager))!;
      const e = await rejection(
        runVerificationPlugin({ plugin: req.plugin, content: content(), statement: { trustedIdentities: [] }, level: { enforcement: {} }, capabilities: req.capabilities }),
      );
      expect(e.code).to.equal('PLUGIN_ATTRIBUTE_NOT_PROCESSED');
    });
  });

  describe('install and uninstall', () => {
    let lib: string;
    let mgr: PluginManager;
    before(() => {
      lib = join(dir, 'install-libexec');
      mgr = new PluginManager(lib);
    });

    it('installs a bare executable and refuses the same or a lower version without force', async () => {
      const src = join(dir, 'notation-wabbit');
      writeStandalonePlugin(src, { name: 'wabbit', version: '1.0.0' });
      expect((await mgr.install(src)).installed.version).to.equal('1.0.0');
      expect((await mgr.get('wabbit')).path).to.equal(join(lib, 'plugins', 'wabbit', 'notation-wabbit'));
      expect((await rejection(mgr.install(src))).code).to.equal('PLUGIN_SAME_VERSION');
      writeStandalonePlugin(src, { name: 'wabbit', version: '0.9.0' });
      expect((await rejection(mgr.install(src))).message).to.contain('is lower than the existing plugin version 1.0.0');
      const forced = await mgr.install(src, { force: true });
      expect(forced.previous!.version).to.equal('1.0.0');
      writeStandalonePlugin(src, { name: 'wabbit', version: '1.1.0' });
      expect((await mgr.install(src)).installed.version).to.equal('1.1.0');
      await mgr.uninstall('wabbit');
      expect(await mgr.list()).to.not.include('wabbit');
      expect((await rejection(mgr.uninstall('wabbit'))).code).to.equal('PLUGIN_NOT_FOUND');
    });

    it('installs from zip and tar.gz archives with exactly one notation-* executable', async () => {
      const stage = join(dir, 'stage');
      mkdirSync(stage, { recursive: true });
      writeStandalonePlugin(join(stage, 'notation-zipped'), { name: 'zipped', version: '2.0.0' });
      writeFileSync(join(stage, 'LICENSE'), 'license');
      execFileSync('zip', ['-q', join(dir, 'p.zip'), 'notation-zipped', 'LICENSE'], { cwd: stage });
      expect((await mgr.install(join(dir, 'p.zip'))).installed.name).to.equal('zipped');
      expect(existsSync(join(lib, 'plugins', 'zipped', 'LICENSE'))).to.equal(true);

      const tstage = join(dir, 'tstage', 'sub');
      mkdirSync(tstage, { recursive: true });
      writeStandalonePlugin(join(tstage, 'notation-tarred'), { name: 'tarred', version: '3.0.0' });
      execFileSync('tar', ['-czf', join(dir, 'p.tar.gz'), '-C', join(dir, 'tstage'), 'sub']);
      expect((await mgr.install(join(dir, 'p.tar.gz'))).installed.name).to.equal('tarred');

      copyFileSync(join(stage, 'notation-zipped'), join(stage, 'notation-second'));
      execFileSync('zip', ['-q', join(dir, 'two.zip'), 'notation-zipped', 'notation-second'], { cwd: stage });
      expect((await rejection(mgr.install(join(dir, 'two.zip')))).message).to.contain('found more than one plugin executable files');
    });

    it('refuses a source file not named notation-<name> or not executable', async () => {
      const bad = join(dir, 'wabbit');
      writeStandalonePlugin(bad, { name: 'wabbit', version: '1.0.0' });
      expect((await rejection(mgr.install(bad))).message).to.contain('Plugin file name requires format notation-{plugin-name}');
      const noexec = join(dir, 'notation-noexec');
      writeStandalonePlugin(noexec, { name: 'noexec', version: '1.0.0' }, 0o644);
      expect((await rejection(mgr.install(noexec))).message).to.contain('is not executable');
      // The metadata name must match the file name.
      const other = join(dir, 'notation-renamed');
      writeStandalonePlugin(other, { name: 'original', version: '1.0.0' });
      expect((await rejection(mgr.install(other))).code).to.equal('PLUGIN_NAME_MISMATCH');
    });
  });

  it('CLIPlugin fills the contract version', async () => {
    const record = join(dir, 'cv-record.jsonl');
    const exe = installTestPlugin(libexec, 'cv', signer({ recordPath: record }));
    await new CLIPlugin('cv', exe).describeKey({ contractVersion: '', keyId: 'k' });
    expect(JSON.parse(JSON.parse(readFileSync(record, 'utf8').trim()).request).contractVersion).to.equal('1.0');
  });
});
