/**
 * What bin/notation-ts.cjs runs: the one-file CLI bundle (dist/bundle/cli.cjs)
 * with its V8 code cache, built by `npm run build:cli` (scripts/build-cli.mjs).
 * Built here when missing. The commands run as real processes.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants as fsc, cpSync, createReadStream, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sharedPath } from './helpers/shared.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = join(ROOT, 'dist', 'bundle', 'cli.cjs');
const SHARED = sharedPath('notation-made');
const DIGEST = 'sha256:11ecf776c3fa005fa46d9548a5233014995d4322bb1e8b913c79c0388c17c993';

describe('CLI bundle (dist/bundle/cli.cjs + code cache)', function () {
  this.timeout(120_000);
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'notation-ts.cjs'), ...args], { cwd: dir, env, encoding: 'utf8' });

  before(() => {
    if (!existsSync(BUNDLE) || !existsSync(`${BUNDLE}.cache`)) {
      const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { cwd: ROOT, encoding: 'utf8' });
      expect(b.status, b.stderr).to.equal(0);
    }
    dir = mkdtempSync(join(tmpdir(), 'nts-bundle-'));
    cpSync(join(SHARED, 'truststore'), join(dir, 'cfg', 'truststore'), { recursive: true });
    cpSync(join(SHARED, 'policies', 'oci-strict.json'), join(dir, 'cfg', 'trustpolicy.json'));
    cpSync(join(SHARED, 'oci', 'oci-jws-rsa'), join(dir, 'layout'), { recursive: true });
    env = { PATH: process.env.PATH, HOME: dir, NOTATION_CONFIG: join(dir, 'cfg'), NOTATION_CACHE: join(dir, 'cache') };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is what bin/notation-ts.cjs loads, and this Node accepts its code cache', () => {
    // In a fresh process: V8 ties a code cache to its flags, and other tests in this
    // process may have changed them (the bench sets --expose-gc).
    const loader = pathToFileURL(join(ROOT, 'bin', 'load-cli.cjs')).href;
    const code = `const { loadCli } = await import(${JSON.stringify(loader)}); const r = await loadCli(); console.log(JSON.stringify({ bundle: r.script !== undefined, rejected: r.cacheRejected }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ bundle: true, rejected: false });
  });

  it('holds no bare import() (they cannot run in the vm script) and only ASCII (it is read as latin1)', () => {
    const text = readFileSync(BUNDLE, 'latin1');
    expect(text.match(/(?<![\w$.])import\(/g)).to.equal(null);
    expect(/[^\0-\x7f]/.test(text)).to.equal(false);
    expect(text).to.include('__notationTsImport("node:http")');
  });

  it('verifies an OCI layout as the in-process CLI does', () => {
    const r = cli('verify', '--oci-layout', '--scope', 'local/interop', `layout@${DIGEST}`);
    expect(r.stderr).to.equal('');
    expect(r.stdout).to.equal(`Successfully verified signature for layout@${DIGEST}\n`);
    expect(r.status).to.equal(0);
  });

  it('finds package.json from the bundle (version) and reaches the PKCS#11 module loader through import()', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(cli('version').stdout).to.include(`Version:      ${pkg.version}\n`);
    writeFileSync(join(dir, 'cfg', 'signingkeys.json'), JSON.stringify({ default: 'hsm', keys: [{ name: 'hsm', id: 'pkcs11:token=none;object=none?module-path=/nonexistent/p11.so', pluginName: 'pkcs11' }] }));
    const r = cli('sign', '--oci-layout', `layout@${DIGEST}`);
    expect(r.status).to.equal(1);
    // Either the signer module ran (dist/ built) or the build lacks it; never a vm import failure.
    expect(r.stderr).to.match(/^Error: (failed to load PKCS#11 module \/nonexistent\/p11\.so|the built-in pkcs11 plugin is not available)/);
  });

  it('has a code cache per start-up command, and picks it from the command line', () => {
    const { cacheFile, cacheProfile, CACHE_PROFILES } = createRequire(import.meta.url)('../bin/load-cli.cjs') as {
      cacheFile: (p?: string) => string;
      cacheProfile: (argv: string[]) => string | undefined;
      CACHE_PROFILES: string[];
    };
    expect(CACHE_PROFILES).to.have.members(['sign', 'verify', 'blob-sign', 'blob-verify']);
    expect(cacheProfile(['verify', '--oci-layout', 'x'])).to.equal('verify');
    expect(cacheProfile(['blob', 'sign', 'f'])).to.equal('blob-sign');
    expect(cacheProfile(['blob', 'inspect', 'f'])).to.equal(undefined);
    expect(cacheProfile(['list', 'x'])).to.equal(undefined);
    expect(cacheProfile([])).to.equal(undefined);
    const files = readdirSync(dirname(BUNDLE));
    for (const p of [undefined, ...CACHE_PROFILES]) expect(files).to.include(basename(cacheFile(p)));
    // Each command's cache is accepted by this Node (fresh process: flags as in a normal run).
    const loader = pathToFileURL(join(ROOT, 'bin', 'load-cli.cjs')).href;
    for (const argv of [['sign'], ['verify'], ['blob', 'sign'], ['blob', 'verify']]) {
      const code = `const { loadCli } = await import(${JSON.stringify(loader)}); const r = await loadCli(${JSON.stringify(argv)}); console.log(JSON.stringify({ rejected: r.cacheRejected }));`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout), argv.join(' ')).to.deep.equal({ rejected: false });
    }
  });

  describe('output written with write(2) (bin/load-cli.cjs fdWriter)', () => {
    const writer = (body: string) =>
      `const { fdWriter } = require(${JSON.stringify(join(ROOT, 'bin', 'load-cli.cjs'))}); const w = fdWriter(1, () => process.stdout); ${body}`;
    const expected = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(200)}\n`).join('');

    it('writes everything, in order, to a non-blocking pipe that pushes back (EAGAIN)', async () => {
      const fifo = join(dir, 'out.fifo');
      expect(spawnSync('mkfifo', [fifo]).status).to.equal(0);
      // O_RDWR opens a FIFO without waiting for a reader; O_NONBLOCK is shared with the child.
      const wfd = openSync(fifo, fsc.O_RDWR | fsc.O_NONBLOCK);
      const child = spawn(process.execPath, ['-e', writer(`for (let i = 0; i < 3000; i++) w('line ' + i + ' ' + 'x'.repeat(200) + '\\n'); process.stderr.write(String(!!process.stdout._handle));`)], {
        stdio: ['ignore', wfd, 'pipe'],
      });
      closeSync(wfd);
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      // Nobody reads until the child has filled the pipe (64 KiB) and moved on to the stream.
      await new Promise((r) => setTimeout(r, 300));
      const chunks: Buffer[] = [];
      const reader = createReadStream(fifo);
      reader.on('data', (d) => chunks.push(d as Buffer));
      const status = await new Promise<number | null>((r) => child.on('close', r));
      reader.destroy();
      expect(status, err).to.equal(0);
      expect(err).to.equal('true'); // it had to fall back to the stream
      expect(Buffer.concat(chunks).toString('utf8')).to.equal(expected);
    });

    it('drops output to a reader that has gone (EPIPE) and keeps running', async () => {
      const child = spawn(process.execPath, ['-e', writer(`setTimeout(() => { for (let i = 0; i < 3000; i++) w('line ' + i + ' ' + 'x'.repeat(200) + '\\n'); process.stderr.write('done'); process.exitCode = 3; }, 200);`)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.destroy();
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const status = await new Promise<number | null>((r) => child.on('close', r));
      expect(err).to.equal('done');
      expect(status).to.equal(3);
    });
  });
});
