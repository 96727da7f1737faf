/**
 * `login` / `logout` as notation's: credentials are checked against the registry
 * (docker-registry with htpasswd on 127.0.0.1) before they are saved, saved only
 * through a docker-credential helper, never in plaintext; logout erases them.
 */
import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { DockerRegistry, dockerRegistryAvailable } from './helpers/registry-docker.js';
import { TestRegistry } from './helpers/registry-server.js';
import { defaultNativeHelper, dockerConfigPath, flagCredentials } from '../src/cli/registry.js';
import type { CliContext } from '../src/cli/context.js';
import { writeCredentialHelper } from './helpers/credential-helper.js';

const DOC = 'https://notaryproject.dev/docs/how-to/registry-authentication/';


describe('CLI login / logout against docker-registry with htpasswd', function () {
  this.timeout(60_000);
  const USER = 'bob';
  const PASS = 's3cret-login-pass';
  let reg: DockerRegistry;
  let host: string;
  let dir: string;
  let cfg: string;
  let store: string;
  let env: Record<string, string>;
  const cli = (args: string[], opts: { env?: Record<string, string>; stdin?: string } = {}) => runCli(args, { env: { ...env, ...opts.env }, stdin: opts.stdin });
  const stored = () => (existsSync(store) ? (JSON.parse(readFileSync(store, 'utf8')) as Record<string, { Username: string; Secret: string }>) : {});
  const writeConfig = (o: unknown) => writeFileSync(join(cfg, 'config.json'), JSON.stringify(o));

  before(async function () {
    if (!dockerRegistryAvailable()) this.skip();
    reg = new DockerRegistry({ username: USER, password: PASS });
    host = `localhost:${(await reg.start()).split(':')[1]}`;
    dir = mkdtempSync(join(tmpdir(), 'nts-login-'));
    cfg = join(dir, 'notation');
    mkdirSync(cfg);
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'docker'));
    store = join(dir, 'helper-store.json');
    writeCredentialHelper(join(dir, 'bin'), 'test', store);
    // PATH: our helper dir and node's own dir only, so no platform helper is found.
    env = { NOTATION_CONFIG: cfg, DOCKER_CONFIG: join(dir, 'docker'), HOME: join(dir, 'home'), PATH: `${join(dir, 'bin')}:${join(process.execPath, '..')}` };
  });
  afterEach(() => {
    rmSync(join(cfg, 'config.json'), { force: true });
    rmSync(join(dir, 'docker', 'config.json'), { force: true });
    rmSync(store, { force: true });
  });
  after(async () => {
    await reg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('login with a helper saves the checked credential; list then works; logout erases it', async () => {
    writeConfig({ credsStore: 'test' });
    const a = await cli(['login', '-u', USER, '-p', PASS, host]);
    expect(a.code, a.stderr).to.equal(0);
    expect(a.stdout).to.equal('Login Succeeded\n');
    expect(a.stderr).to.equal('');
    expect(stored()).to.deep.equal({ [host]: { Username: USER, Secret: PASS } });
    expect(readFileSync(join(cfg, 'config.json'), 'utf8')).to.not.include(PASS);
    const l = await cli(['list', `${host}/none:v1`]);
    // Authenticated: the registry now answers "manifest unknown", not 401.
    expect(l.stderr).to.not.include('401');
    expect(l.stderr).to.include('not found');
    const o = await cli(['logout', host]);
    expect(o.code, o.stderr).to.equal(0);
    expect(o.stdout).to.equal('Logout Succeeded\n');
    expect(stored()).to.deep.equal({});
    const after = await cli(['list', `${host}/none:v1`]);
    expect(after.stderr).to.include('the registry requires credentials and none are configured');
    // Logging out again: the helper's own error, as notation reports it.
    const again = await cli(['logout', host]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.equal(`Error: failed to log out of ${host}: failed to delete the credential for ${host}: credentials not found in native keychain\n`);
  });

  it('a per-registry credHelper is used, and --password-stdin / NOTATION_* supply the secret', async () => {
    writeConfig({ credHelpers: { [host]: 'test' } });
    const a = await cli(['login', '-u', USER, '--password-stdin', host], { stdin: `${PASS}\n` });
    expect(a.code, a.stderr).to.equal(0);
    expect(stored()[host]).to.deep.equal({ Username: USER, Secret: PASS });
    rmSync(store);
    const b = await cli(['login', host], { env: { NOTATION_USERNAME: USER, NOTATION_PASSWORD: PASS } });
    expect(b.code, b.stderr).to.equal(0);
    expect(stored()[host]).to.deep.equal({ Username: USER, Secret: PASS });
  });

  it('prompts for username and password on stdin when none are given', async () => {
    writeConfig({ credsStore: 'test' });
    const r = await cli(['login', host], { stdin: `${USER}\n${PASS}\n` });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('Username: Password: \nLogin Succeeded\n');
    const empty = await cli(['login', host], { stdin: `${USER}\n` });
    expect(empty.code).to.equal(1);
    expect(empty.stderr).to.equal('Error: password required\n');
    const token = await cli(['login', host], { stdin: `\n` });
    expect(token.stderr).to.equal('Error: token required\n');
  });

  it('a wrong password is refused before anything is saved, and is not echoed', async () => {
    writeConfig({ credsStore: 'test' });
    const r = await cli(['login', '-u', USER, '-p', 'not-the-pass-42', host]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(
      new RegExp(`^Error: failed to log in to ${host}: failed to validate the credentials for ${host}: GET "http://${host}/v2/": response status code 401: unauthorized: authentication required`),
    );
    expect(r.stderr).to.not.include('not-the-pass-42');
    expect(stored()).to.deep.equal({});
  });

  it('refuses to save plaintext when no helper is configured (notation), unless the same credential is already there', async () => {
    const r = await cli(['login', '-u', USER, '-p', PASS, host]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal(`Error: failed to log in to ${host}: the credential could not be saved because a credentials store is required to securely store the password. See ${DOC}\n`);
    expect(existsSync(join(cfg, 'config.json'))).to.equal(false);
    // Docker's config already holds this very credential in plaintext: accepted with a warning.
    const auth = Buffer.from(`${USER}:${PASS}`).toString('base64');
    writeFileSync(join(dir, 'docker', 'config.json'), JSON.stringify({ auths: { [host]: { auth } } }));
    const ok = await cli(['login', '-u', USER, '-p', PASS, host]);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.equal('Authenticated with existing credentials\nLogin Succeeded\n');
    expect(ok.stderr).to.equal(`Warning: The credentials store is not set up. It is recommended to configure the credentials store to securely store your credentials. See ${DOC}.\n`);
    // A different credential is not written next to it.
    const other = await cli(['login', '-u', USER, '-p', `${PASS}x`, host]);
    expect(other.code).to.equal(1);
    expect(JSON.parse(readFileSync(join(dir, 'docker', 'config.json'), 'utf8'))).to.deep.equal({ auths: { [host]: { auth } } });
    // logout removes a plaintext entry (and keeps the rest of the file).
    writeFileSync(join(dir, 'docker', 'config.json'), JSON.stringify({ auths: { [host]: { auth }, 'other.example': { auth } }, psFormat: 'x' }));
    const out = await cli(['logout', host]);
    expect(out.code, out.stderr).to.equal(0);
    expect(JSON.parse(readFileSync(join(dir, 'docker', 'config.json'), 'utf8'))).to.deep.equal({ auths: { 'other.example': { auth } }, psFormat: 'x' });
  });

  it('uses the platform default helper when nothing is configured', async () => {
    // On Linux that is docker-credential-pass when `pass` exists, else docker-credential-secretservice.
    writeCredentialHelper(join(dir, 'bin'), 'secretservice', store);
    try {
      const r = await cli(['login', '-u', USER, '-p', PASS, host]);
      expect(r.code, r.stderr).to.equal(0);
      expect(stored()[host]).to.deep.equal({ Username: USER, Secret: PASS });
    } finally {
      rmSync(join(dir, 'bin', 'docker-credential-secretservice'));
    }
  });

  it('rejects a server that is not a registry host, and no server at all', async () => {
    writeConfig({ credsStore: 'test' });
    const r = await cli(['login', '-u', USER, '-p', PASS, `${host}/repo`]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal(`Error: failed to get registry client: invalid reference: invalid registry "${host}/repo"\n`);
    const n = await cli(['logout']);
    expect(n.stderr).to.equal('Error: no hostname specified\n');
  });
});

describe('CLI login with bearer tokens (test registry)', function () {
  this.timeout(30_000);
  it('checks the credential through the token endpoint before saving it', async () => {
    const reg = new TestRegistry({ auth: { kind: 'bearer', username: 'carol', password: 'tok-pass' } });
    const dir = mkdtempSync(join(tmpdir(), 'nts-login-bearer-'));
    try {
      const host = `localhost:${(await reg.start()).split(':')[1]}`;
      mkdirSync(join(dir, 'bin'));
      const store = join(dir, 'store.json');
      writeCredentialHelper(join(dir, 'bin'), 'test', store);
      mkdirSync(join(dir, 'notation'));
      writeFileSync(join(dir, 'notation', 'config.json'), JSON.stringify({ credsStore: 'test' }));
      const env = { NOTATION_CONFIG: join(dir, 'notation'), DOCKER_CONFIG: join(dir, 'docker'), PATH: `${join(dir, 'bin')}:${join(process.execPath, '..')}` };
      const ok = await runCli(['login', '-u', 'carol', '-p', 'tok-pass', host], { env });
      expect(ok.code, ok.stderr).to.equal(0);
      expect(reg.tokensIssued.length).to.be.greaterThan(0);
      const bad = await runCli(['login', '-u', 'carol', '-p', 'nope', host], { env });
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.include(`failed to validate the credentials for ${host}`);
      expect(bad.stderr).to.not.include('nope');
    } finally {
      await reg.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI registry settings', () => {
  const ctx = (flags: Record<string, string>, env: Record<string, string>): CliContext =>
    ({ flags, changed: new Set(Object.keys(flags)), env, args: [], stdout: { write() {} }, stderr: { write() {} }, cwd: '/', isTTY: false, readStdin: async () => '' }) as CliContext;

  it('-u/-p override NOTATION_USERNAME/NOTATION_PASSWORD field by field', () => {
    expect(flagCredentials(ctx({}, { NOTATION_USERNAME: 'u', NOTATION_PASSWORD: 'p' }))).to.deep.equal({ username: 'u', password: 'p' });
    expect(flagCredentials(ctx({ password: 'q' }, { NOTATION_USERNAME: 'u', NOTATION_PASSWORD: 'p' }))).to.deep.equal({ username: 'u', password: 'q' });
    expect(flagCredentials(ctx({ username: '' }, { NOTATION_USERNAME: 'u' }))).to.deep.equal({ username: '', password: '' });
  });

  it("Docker's config path: $DOCKER_CONFIG, else ~/.docker", () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/d', HOME: '/h' })).to.equal('/d/config.json');
    expect(dockerConfigPath({ HOME: '/h' })).to.equal('/h/.docker/config.json');
    expect(dockerConfigPath({})).to.equal(undefined);
  });

  it('detects the platform default helper only when its executable is on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nts-helper-'));
    try {
      expect(defaultNativeHelper({ PATH: dir }, 'linux')).to.equal(undefined);
      writeCredentialHelper(dir, 'secretservice', join(dir, 's'));
      expect(defaultNativeHelper({ PATH: dir }, 'linux')).to.equal('secretservice');
      // With `pass` installed, Linux prefers docker-credential-pass (absent here).
      writeFileSync(join(dir, 'pass'), '#!/bin/sh\n');
      chmodSync(join(dir, 'pass'), 0o755);
      expect(defaultNativeHelper({ PATH: dir }, 'linux')).to.equal(undefined);
      expect(defaultNativeHelper({ PATH: dir }, 'darwin')).to.equal(undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
