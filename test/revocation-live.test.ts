/**
 * Revocation against real components: `openssl ocsp` (per request, behind a
 * node server on 127.0.0.1) and `openssl ca -gencrl` CRLs served over HTTP,
 * with a PKI generated for this run.
 */
import { expect } from 'chai';
import { mkdtemp, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RevocationValidator, RevocationMemoryCache, FileCrlCache, httpFetcher, type RevocationValidatorOptions } from '../src/revocation/index.js';
import { startRevocationEnv, type RevocationTestEnv } from './helpers/revocation-servers.js';

describe('revocation (live openssl OCSP responder and CRL server)', function () {
  this.timeout(60000);
  let env: RevocationTestEnv;
  let cacheDir: string;
  const warnings: string[] = [];
  const make = (o: Partial<RevocationValidatorOptions> = {}) =>
    new RevocationValidator({ memoryCache: new RevocationMemoryCache(), logger: { warn: (m) => warnings.push(m) }, ...o });

  before(async () => {
    env = await startRevocationEnv();
    cacheDir = await mkdtemp(join(tmpdir(), 'rev-live-cache-'));
    await env.revoke('leaf-revoked');
    await env.revoke('inter2');
  });
  after(async () => {
    await env?.stop();
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    env.setOcspMode({ kind: 'normal' });
    env.setCrlMode({ kind: 'normal' });
    warnings.length = 0;
  });

  it('good leaf (OCSP from the delegated responder) is ok', async () => {
    const before = env.hits.ocsp;
    const r = await make().check(await env.chain('leaf'), { purpose: 'codeSigning' });
    expect(r.result, r.error?.message).to.equal('ok');
    expect(r.certResults!.map((c) => `${c.result}/${c.method}`)).to.deep.equal(['OK/OCSP', 'OK/OCSP', 'NonRevokable/Unknown']);
    expect(env.hits.ocsp - before).to.equal(2);
  });

  it('revoked leaf is revoked (OCSP) with notation\'s message', async () => {
    const r = await make().check(await env.chain('leaf-revoked'), { purpose: 'codeSigning' });
    expect(r.result).to.equal('revoked');
    expect(r.error!.message).to.equal('signing certificate with subject "CN=Test Revoked Leaf,O=Notation TS Test" is revoked');
  });

  it('revoked intermediate (root CRL) is revoked', async () => {
    const r = await make().check(await env.chain('leaf2'), { purpose: 'codeSigning' });
    expect(r.result).to.equal('revoked');
    expect(r.error!.message).to.contain('"CN=Test Intermediate 2,O=Notation TS Test" is revoked');
    expect(r.certResults![1].method).to.equal('CRL');
  });

  it('revoked TSA-purpose chain uses the timestamping wording', async () => {
    await env.revoke('tsa');
    const r = await make().check(await env.chain('tsa'), { purpose: 'timestamping' });
    expect(r.result).to.equal('revoked');
    expect(r.error!.message).to.equal('timestamping certificate with subject "CN=Test TSA,O=Notation TS Test" is revoked');
  });

  it('OCSP down + good CRL is ok (fallback), with the fallback warning', async () => {
    env.setOcspMode({ kind: 'down' });
    const r = await make().check(await env.chain('leaf'), { purpose: 'codeSigning' });
    expect(r.result, r.error?.message).to.equal('ok');
    expect(r.certResults![0].method).to.equal('OCSPFallbackCRL');
    expect(warnings.filter((w) => w.startsWith('OCSP check failed with unknown error and fallback to CRL'))).to.have.length(2);
  });

  it('OCSP down + revoked in the CRL is revoked', async () => {
    env.setOcspMode({ kind: 'down' });
    const r = await make().check(await env.chain('leaf-revoked'), { purpose: 'codeSigning' });
    expect(r.result).to.equal('revoked');
  });

  it('OCSP and CRL both down is unknown', async () => {
    env.setOcspMode({ kind: 'down' });
    env.setCrlMode({ kind: 'down' });
    const r = await make().check(await env.chain('leaf'), { purpose: 'codeSigning' });
    expect(r.result).to.equal('unknown');
    expect(r.error!.message).to.equal('signing certificate with subject "CN=Test Leaf,O=Notation TS Test" revocation status is unknown');
  });

  it('a hanging responder times out (configurable) and falls back', async () => {
    env.setOcspMode({ kind: 'hang' });
    const t0 = Date.now();
    const r = await make({ ocspTimeoutMs: 300 }).check(await env.chain('leaf'), { purpose: 'codeSigning' });
    expect(Date.now() - t0).to.be.lessThan(3000);
    expect(r.result).to.equal('ok');
    expect(r.certResults![0].serverResults[0].error!.message).to.equal('exceeded timeout threshold of 0.30 seconds for OCSP check');
  });

  it('responder answering for another serial -> unknown (OCSP-only leaf)', async () => {
    env.setOcspMode({ kind: 'answer-for', certPath: env.certs['leaf-crl'] });
    const r = await make().check(await env.chain('leaf-ocsp'), { purpose: 'codeSigning' });
    expect(r.result).to.equal('unknown');
    expect(r.certResults![0].serverResults[0].error!.message).to.contain('no response matching the supplied certificate');
  });

  it('garbage and HTTP errors from the responder -> unknown (OCSP-only leaf)', async () => {
    for (const m of [{ kind: 'garbage' as const }, { kind: 'status' as const, code: 503 }]) {
      env.setOcspMode(m);
      expect((await make().check(await env.chain('leaf-ocsp'), { purpose: 'codeSigning' })).result).to.equal('unknown');
    }
  });

  it('certificateHold in the CRL is revoked', async () => {
    await env.revoke('leaf-hold', { reason: 'certificateHold' });
    expect((await make().check(await env.chain('leaf-hold'), { purpose: 'codeSigning' })).result).to.equal('revoked');
  });

  it('expired CRL is unknown', async () => {
    await env.regenerateCrl('inter', { lastUpdate: '20200101000000Z', nextUpdate: '20200102000000Z' });
    try {
      const r = await make().check(await env.chain('leaf-crl'), { purpose: 'codeSigning' });
      expect(r.result).to.equal('unknown');
      expect(r.certResults![0].serverResults[0].error!.message).to.contain('expired CRL. Current time');
    } finally {
      await env.regenerateCrl('inter');
    }
  });

  it('file cache: second check with the CRL server stopped is served from the cache; corrupt file refetched with one warning', async () => {
    const chain = await env.chain('leaf-crl');
    const first = await make({ cacheDir }).check(chain, { purpose: 'codeSigning' });
    expect(first.result).to.equal('ok');
    const files = await readdir(join(cacheDir, 'crl'));
    expect(files).to.include(FileCrlCache.fileName(`${env.crlBaseUrl}/inter.crl`));

    // corrupt the leaf's CRL entry while the server is up: one warning, refetched, rewritten
    const entry = join(cacheDir, 'crl', FileCrlCache.fileName(`${env.crlBaseUrl}/inter.crl`));
    await writeFile(entry, '{"baseCRL":');
    const hits = env.hits.crl;
    const again = await make({ cacheDir }).check(chain, { purpose: 'codeSigning' });
    expect(again.result).to.equal('ok');
    expect(env.hits.crl - hits).to.equal(1);
    expect(warnings).to.deep.equal(["CRL cache error discarded. Enable debug log through '-d' for error details."]);

    // now stop the CRL server for good: the cache answers
    await env.stopCrlServer();
    const offline = await make({ cacheDir, fetcher: httpFetcher }).check(chain, { purpose: 'codeSigning' });
    expect(offline.result, offline.error?.message).to.equal('ok');
    // without the cache the same check is unknown
    const noCache = await make().check(chain, { purpose: 'codeSigning' });
    expect(noCache.result).to.equal('unknown');
  });
});
