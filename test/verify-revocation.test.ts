/**
 * Revocation inside the verification pipeline, against real components: an
 * `openssl ocsp` responder and `openssl ca -gencrl` CRLs on loopback (issue 6).
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRevocationEnv, type RevocationTestEnv } from './helpers/revocation-servers.js';
import { LocalSigner } from '../src/signer/local.js';
import { signDescriptor } from '../src/signer/sign.js';
import { Verifier } from '../src/verifier/verifier.js';
import { RevocationValidator, RevocationMemoryCache } from '../src/revocation/index.js';
import { MemoryTrustStore } from '../src/truststore/index.js';
import type { OciTrustPolicyDocument } from '../src/trustpolicy/index.js';
import { toPem } from '../src/x509/certificate.js';
import type { Descriptor } from '../src/envelope/types.js';

const target: Descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'ab'.repeat(32)}`, size: 123 };
const REF = `registry.test/app@${target.digest}`;

function policy(level: string, override?: Record<string, string>): OciTrustPolicyDocument {
  return {
    version: '1.0',
    trustPolicies: [
      { name: 'p', registryScopes: ['*'], signatureVerification: { level, ...(override ? { override } : {}) }, trustStores: ['ca:test'], trustedIdentities: ['*'] },
    ],
  } as OciTrustPolicyDocument;
}

describe('verification with revocation checking (live OCSP + CRL servers)', function () {
  this.timeout(120000);
  let env: RevocationTestEnv;
  let cache: string;

  before(async () => {
    env = await startRevocationEnv();
    cache = mkdtempSync(join(tmpdir(), 'nts-revcache-'));
  });
  after(async () => {
    await env?.stop();
    rmSync(cache, { recursive: true, force: true });
  });

  async function signWith(name: string): Promise<Uint8Array> {
    const chain = await env.chain(name);
    const signer = LocalSigner.fromPem(readFileSync(join(env.dir, `${name}.key`)), chain.slice(0, -1).map(toPem).join('') + toPem(chain[chain.length - 1]));
    const r = await signDescriptor(target, { signer, signatureMediaType: 'application/jose+json' });
    return r.envelope;
  }

  async function verify(name: string, level: string, override?: Record<string, string>) {
    const chain = await env.chain(name);
    const root = chain[chain.length - 1];
    // A fresh memory cache per verification so each one asks the servers.
    const rev = new RevocationValidator({ cacheDir: cache, memoryCache: new RevocationMemoryCache(), ocspTimeoutMs: 2000, crlTimeoutMs: 3000 });
    const verifier = new Verifier({ ociTrustPolicy: policy(level, override), trustStore: new MemoryTrustStore({ 'ca:test': [root] }), revocation: { codeSigning: rev, timestamping: rev } });
    return verifier.verify(target, await signWith(name), { artifactReference: REF, signatureMediaType: 'application/jose+json' });
  }

  const revocationResult = (o: { verificationResults: { type: string; action: string; error?: Error }[] }) => o.verificationResults.find((r) => r.type === 'revocation');

  it('a good leaf passes under strict', async () => {
    const o = await verify('leaf', 'strict');
    expect(o.error).to.equal(undefined);
    expect(revocationResult(o)?.error).to.equal(undefined);
  });

  it('a revoked leaf fails under strict, is logged under permissive and audit, is ignored with revocation: skip', async () => {
    await env.revoke('leaf-revoked');
    const strict = await verify('leaf-revoked', 'strict');
    expect(strict.error?.message).to.match(/signing certificate with subject ".*Test Revoked Leaf.*" is revoked/);
    for (const level of ['permissive', 'audit']) {
      const o = await verify('leaf-revoked', level);
      expect(o.error, level).to.equal(undefined);
      expect(revocationResult(o)?.error?.message).to.match(/is revoked/);
      expect(revocationResult(o)?.action).to.equal('log');
    }
    const skipped = await verify('leaf-revoked', 'strict', { revocation: 'skip' });
    expect(skipped.error).to.equal(undefined);
    expect(revocationResult(skipped)).to.equal(undefined);
  });

  it('a revoked intermediate fails under strict', async () => {
    await env.revoke('inter2');
    const o = await verify('leaf2', 'strict');
    expect(o.error?.message).to.match(/is revoked/);
  });

  it('OCSP down with a good CRL passes; both down is unknown and fails strict', async () => {
    env.setOcspMode({ kind: 'down' });
    try {
      const ok = await verify('leaf', 'strict');
      expect(ok.error).to.equal(undefined);
      env.setCrlMode({ kind: 'down' });
      rmSync(join(cache, 'crl'), { recursive: true, force: true });
      const unknown = await verify('leaf', 'strict');
      expect(unknown.error?.message).to.match(/revocation status is unknown/);
    } finally {
      env.setOcspMode({ kind: 'normal' });
      env.setCrlMode({ kind: 'normal' });
    }
  });
});

describe('notation-ts cache crl fetch (offline verification)', function () {
  this.timeout(120000);
  it('pre-fills the CRL cache so a verification with both servers down still passes', async () => {
    const { runCli } = await import('./helpers/cli.js');
    const env = await startRevocationEnv();
    const cache = mkdtempSync(join(tmpdir(), 'nts-prefetch-'));
    try {
      const chainPath = join(cache, 'chain.pem');
      const chain = await env.chain('leaf-crl');
      writeFileSync(chainPath, chain.map(toPem).join(''));
      const r2 = await runCli(['cache', 'crl', 'fetch', chainPath], { env: { NOTATION_CACHE: cache } });
      expect(r2.code, r2.stderr).to.equal(0);
      expect(r2.stdout).to.match(/Cached CRL http:\/\/127\.0\.0\.1:\d+\/.*Test CRL-only Leaf/);
      env.setOcspMode({ kind: 'down' });
      await env.stopCrlServer();
      const rev = new RevocationValidator({ cacheDir: cache, memoryCache: new RevocationMemoryCache() });
      const checked = await rev.check(chain, { purpose: 'codeSigning' });
      expect(checked.result).to.equal('ok');
    } finally {
      await env.stop();
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('timestamp countersignature: revocation of the TSA chain', function () {
  this.timeout(120000);
  it('a timestamped signature passes while the TSA certificate is good and fails once it is revoked', async () => {
    const { startTsa } = await import('./helpers/tsa.js');
    const { requestTimestamp } = await import('../src/timestamp/index.js');
    const env = await startRevocationEnv();
    const tsa = await startTsa({ signer: { certPath: env.certs.tsa, keyPath: join(env.dir, 'tsa.key'), chainPaths: [env.certs.inter, env.certs.root] } });
    const cache = mkdtempSync(join(tmpdir(), 'nts-tsarev-'));
    try {
      const chain = await env.chain('leaf');
      const root = chain[chain.length - 1];
      const signer = LocalSigner.fromPem(readFileSync(join(env.dir, 'leaf.key')), chain.map(toPem).join(''));
      // The leaf was issued a moment ago; the TSA's ±1 s accuracy must fall inside its validity.
      await new Promise((r) => setTimeout(r, Math.max(0, chain[0].notBefore.getTime() + 2500 - Date.now())));
      const { envelope } = await signDescriptor(target, {
        signer,
        signatureMediaType: 'application/cose',
        timestamper: (data, hash) => requestTimestamp({ url: tsa.url, data, hash }),
      });
      const verifyNow = async () => {
        const rev = new RevocationValidator({ cacheDir: cache, memoryCache: new RevocationMemoryCache() });
        const doc = policy('strict');
        doc.trustPolicies[0].trustStores = ['ca:test', 'tsa:tsa'];
        const verifier = new Verifier({ ociTrustPolicy: doc, trustStore: new MemoryTrustStore({ 'ca:test': [root], 'tsa:tsa': [root] }), revocation: { codeSigning: rev, timestamping: rev } });
        return verifier.verify(target, envelope, { artifactReference: REF, signatureMediaType: 'application/cose' });
      };
      const good = await verifyNow();
      expect(good.error).to.equal(undefined);
      expect(good.verificationResults.find((r) => r.type === 'authenticTimestamp')?.error).to.equal(undefined);
      await env.revoke('tsa');
      rmSync(join(cache, 'crl'), { recursive: true, force: true });
      const bad = await verifyNow();
      expect(bad.error?.message).to.match(/^timestamping certificate with subject ".*Test TSA.*" is revoked$/);
    } finally {
      await tsa.stop();
      await env.stop();
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
