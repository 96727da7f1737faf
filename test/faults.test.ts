/**
 * Faults: network peers that hang or trickle bytes (OCSP, CRL, TSA) must give a
 * typed error or an "unknown" verdict within a bounded time; a CLI process killed
 * with SIGKILL in the middle of `blob sign` or `cert add` must leave either nothing
 * or a complete, usable result. (Registry faults are covered by the registry tests.)
 */
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NotationError } from '../src/errors.js';
import { requestTimestamp } from '../src/timestamp/client.js';
import { checkOcsp } from '../src/revocation/ocsp.js';
import { downloadCrl } from '../src/revocation/crl.js';
import { httpFetcher } from '../src/revocation/http.js';
import { parseEnvelope, MEDIA_TYPE_JWS } from '../src/envelope/index.js';
import { X509TrustStore } from '../src/truststore/index.js';
import { makeCert } from './helpers/revocation-servers.js';
import { makePki, type Pki } from './helpers/pki.js';

type Mode = 'hang' | 'trickle' | 'headers-then-hang' | 'flood';

/** A loopback peer that misbehaves in one of the modes. */
async function badPeer(mode: Mode): Promise<{ url: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    req.resume();
    if (mode === 'hang') return;
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    if (mode === 'headers-then-hang') return;
    if (mode === 'flood') {
      // Endless body, as fast as the client reads it.
      const chunk = Buffer.alloc(64 * 1024, 0x30);
      const pump = () => {
        while (res.write(chunk));
      };
      res.on('drain', pump);
      pump();
      return;
    }
    // trickle: one byte every 100 ms, forever.
    const t = setInterval(() => res.write(Buffer.of(0x30)), 100);
    timers.add(t);
    res.on('close', () => clearInterval(t));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

async function timed<T>(p: Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const t0 = performance.now();
  try {
    const value = await p;
    return { ms: performance.now() - t0, value };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}

describe('faults: peers that hang or trickle', function () {
  this.timeout(60_000);
  const modes: Mode[] = ['hang', 'headers-then-hang', 'trickle', 'flood'];
  let ca: Awaited<ReturnType<typeof makeCert>>;
  before(async () => {
    ca = await makeCert({ cn: 'Fault CA', ca: true });
  });

  for (const mode of modes) {
    it(`TSA (${mode}): TimestampError within the timeout`, async () => {
      const peer = await badPeer(mode);
      try {
        const r = await timed(requestTimestamp({ url: peer.url, data: Buffer.from('sig'), hash: 'SHA-256', timeoutMs: 1000 }));
        expect(r.error, String(r.error)).to.be.instanceOf(NotationError);
        expect(r.ms).to.be.below(mode === 'flood' ? 5000 : 3000);
      } finally {
        await peer.stop();
      }
    });

    it(`OCSP (${mode}): verdict "Unknown" within the timeout`, async () => {
      const peer = await badPeer(mode);
      try {
        const cert = await makeCert({ cn: 'Fault OCSP Leaf', issuer: ca, serial: '1002', ocspUrls: [`${peer.url}/ocsp`] });
        const r = await timed(checkOcsp(cert.cert, ca.cert, { fetcher: httpFetcher, timeoutMs: 1000, now: () => new Date() }));
        expect(r.error, String(r.error)).to.equal(undefined);
        expect(r.value!.result).to.equal('Unknown');
        expect(r.ms).to.be.below(3000);
      } finally {
        await peer.stop();
      }
    });

    it(`CRL (${mode}): typed error within the timeout`, async () => {
      const peer = await badPeer(mode);
      try {
        const r = await timed(downloadCrl(`${peer.url}/x.crl`, { fetcher: httpFetcher, timeoutMs: 1000 }));
        expect(r.error, String(r.error)).to.be.instanceOf(NotationError);
        // A flood stops at the 32 MiB cap or the timeout, whichever comes first.
        expect(r.ms).to.be.below(mode === 'flood' ? 8000 : 3000);
      } finally {
        await peer.stop();
      }
    });
  }
});

// ---------------------------------------------------------------------------
// SIGKILL in the middle of CLI commands

const MAIN = resolve('src/cli/main.ts');

/** Runs the CLI in a child process (TypeScript through tsx, as bin/notation-ts.cjs does with dist/). */
function spawnCli(argv: string[], env: Record<string, string>) {
  const code = `import { run } from ${JSON.stringify(MAIN)};
const code = await run(${JSON.stringify(argv)}, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), isTTY: false, readStdin: async () => '' });
process.exitCode = code;`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts the command, kills it with SIGKILL after `ms` (or lets it finish), resolves with its exit. */
function runAndKill(argv: string[], env: Record<string, string>, ms: number): Promise<{ killed: boolean; code: number | null; stderr: string }> {
  return new Promise((done) => {
    const p = spawnCli(argv, env);
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('exit', (code, signal) => {
      clearTimeout(t);
      done({ killed: signal === 'SIGKILL', code, stderr });
    });
  });
}

describe('faults: process killed mid-command', function () {
  this.timeout(240_000);
  let dir: string;
  let pki: Pki;
  let env: Record<string, string>;
  before(async () => {
    pki = await makePki({ name: 'fault-kill', keySpec: 'RSA-4096' });
    dir = mkdtempSync(join(tmpdir(), 'notation-ts-faults-'));
    const conf = join(dir, 'config', 'notation');
    mkdirSync(join(conf, 'localkeys'), { recursive: true, mode: 0o700 });
    writeFileSync(join(conf, 'localkeys', 'k.key'), pki.leaf.keyPem, { mode: 0o600 });
    writeFileSync(join(conf, 'localkeys', 'k.crt'), pki.chainPem, { mode: 0o600 });
    writeFileSync(join(conf, 'signingkeys.json'), JSON.stringify({ default: 'k', keys: [{ name: 'k', keyPath: join(conf, 'localkeys', 'k.key'), certPath: join(conf, 'localkeys', 'k.crt') }] }), { mode: 0o600 });
    writeFileSync(join(dir, 'blob.bin'), Buffer.alloc(4 * 1024 * 1024, 7));
    writeFileSync(join(dir, 'root.pem'), pki.root.certPem);
    env = { XDG_CONFIG_HOME: join(dir, 'config'), NOTATION_CONFIG: conf };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // Kill points spread over start-up, signing and writing; the last one lets it finish.
  const delays = [400, 900, 1400, 1900, 2600, 30_000];

  it('blob sign: the signature file is either absent or complete and valid', async () => {
    const sigDir = join(dir, 'sigs');
    let completed = 0;
    for (const ms of delays) {
      rmSync(sigDir, { recursive: true, force: true });
      const r = await runAndKill(['blob', 'sign', '--signature-directory', sigDir, '--force', join(dir, 'blob.bin')], env, ms);
      const sig = join(sigDir, 'blob.bin.jws.sig');
      if (existsSync(sig)) {
        // Whatever is at the final name must be a whole, verifying envelope.
        const content = parseEnvelope(MEDIA_TYPE_JWS, readFileSync(sig)).verify();
        expect(Buffer.from(content.payload.content).toString()).to.contain('targetArtifact');
        completed++;
      } else {
        expect(r.killed, `not killed and no signature: ${r.stderr}`).to.equal(true);
      }
      // Leftovers may only be hidden temp files, never a partial file under the real name.
      const names = existsSync(sigDir) ? readdirSync(sigDir) : [];
      for (const n of names) expect(n === 'blob.bin.jws.sig' || (n.startsWith('.') && n.endsWith('.tmp')), n).to.equal(true);
    }
    expect(completed, 'the unkilled run must produce a signature').to.be.greaterThan(0);
  });

  it('cert add: the trust store is either without the certificate or loads with it', async () => {
    const conf = env.NOTATION_CONFIG;
    let completed = 0;
    for (const ms of delays) {
      rmSync(join(conf, 'truststore'), { recursive: true, force: true });
      const r = await runAndKill(['cert', 'add', '-t', 'ca', '-s', 'killed', join(dir, 'root.pem')], env, ms);
      const storeDir = join(conf, 'truststore', 'x509', 'ca', 'killed');
      const files = existsSync(storeDir) ? readdirSync(storeDir) : [];
      if (files.includes('root.pem')) {
        const certs = new X509TrustStore(conf).getCertificates('ca', 'killed');
        expect(certs.map((c) => c.fingerprint256)).to.include(pki.root.cert.fingerprint256);
        completed++;
      } else {
        expect(r.killed, `not killed and no certificate: ${r.stderr}`).to.equal(true);
        // No half-written certificate under its final name.
        expect(files.filter((f) => !f.startsWith('.')), files.join(',')).to.deep.equal([]);
      }
    }
    expect(completed).to.be.greaterThan(0);
  });
});
