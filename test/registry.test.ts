import { expect } from 'chai';
import fc from 'fast-check';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryRepository, type RegistryRepositoryOptions } from '../src/oci/registry/repository.js';
import { parseChallenge, mergeScopes } from '../src/oci/registry/auth.js';
import { ConfigFileCredentials, StaticCredentials, notationCredentialStore } from '../src/oci/registry/credentials.js';
import { sha256Digest } from '../src/oci/digest.js';
import { encodeImageManifest } from '../src/oci/manifest.js';
import { NotationError, RepositoryError } from '../src/errors.js';
import type { Descriptor } from '../src/oci/types.js';
import { TestRegistry, type TestRegistryOptions } from './helpers/registry-server.js';
import { DockerRegistry, dockerRegistryAvailable } from './helpers/registry-docker.js';

const JWS = 'application/jose+json';
const COSE = 'application/cose';
const FAST: RegistryRepositoryOptions = { plainHttp: true, backoffMs: 5, tagIndexSettleMs: 20, timeoutMs: 5000 };

/** Pushes a small image (config + layer + manifest tagged v1) and returns its descriptor. */
async function pushImage(repo: RegistryRepository, seed = 'layer'): Promise<Descriptor> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
  const layer = Buffer.from(`layer bytes ${seed}`);
  const cd = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Digest(config), size: config.length };
  const ld = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256Digest(layer), size: layer.length };
  await repo.pushBlob(cd, config);
  await repo.pushBlob(ld, layer);
  const bytes = encodeImageManifest({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cd, layers: [ld] });
  const desc = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256Digest(bytes), size: bytes.length };
  await repo.pushManifest(desc, bytes, 'v1');
  return desc;
}

async function listAll(repo: RegistryRepository, subject: Descriptor): Promise<Descriptor[][]> {
  const pages: Descriptor[][] = [];
  for await (const p of repo.listSignatures(subject)) pages.push(p);
  return pages;
}

async function rejects(p: Promise<unknown>): Promise<RepositoryError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(NotationError);
    return e as RepositoryError;
  }
  throw new Error('expected a rejection');
}

/** Every listed signature can be fetched (the invariant after any failure). */
async function allListedFetchable(repo: RegistryRepository, subject: Descriptor): Promise<number> {
  let n = 0;
  for (const page of await listAll(repo, subject)) {
    for (const d of page) {
      await repo.fetchSignatureBlob(d);
      n++;
    }
  }
  return n;
}

describe('registry client: referrers-API test registry', function () {
  this.timeout(60_000);
  let reg: TestRegistry;
  const start = async (opts: TestRegistryOptions = {}) => {
    reg = new TestRegistry(opts);
    return reg.start();
  };
  afterEach(async () => reg?.stop());

  it('resolves, pushes via the referrers API (OCI-Subject), lists and fetches', async () => {
    const host = await start();
    const repo = new RegistryRepository(`${host}/net-monitor:v1`, FAST);
    const image = await pushImage(repo);
    expect(await repo.resolve('v1')).to.deep.equal(image);
    expect(await repo.resolve(image.digest)).to.deep.equal(image);
    expect((await rejects(repo.resolve('v2'))).code).to.equal('NOT_FOUND');
    const a = await repo.pushSignature(JWS, Buffer.from('jws envelope'), image, { k: 'v' });
    const b = await repo.pushSignature(COSE, Buffer.from('cose envelope'), image, {});
    expect(repo.referrersCapability).to.equal('supported');
    expect(reg.tags.get('net-monitor')!.has('sha256-' + image.digest.slice(7))).to.equal(false);
    const listed = (await listAll(new RegistryRepository(`${host}/net-monitor`, FAST), image)).flat();
    expect(listed.map((d) => d.digest).sort()).to.deep.equal([a.manifestDescriptor.digest, b.manifestDescriptor.digest].sort());
    expect(listed.every((d) => d.artifactType === 'application/vnd.cncf.notary.signature')).to.equal(true);
    const fetched = await repo.fetchSignatureBlob(a.manifestDescriptor);
    expect(Buffer.from(fetched.blob).toString()).to.equal('jws envelope');
    expect(fetched.descriptor.mediaType).to.equal(JWS);
  });

  it('follows Link paging and filters client-side when the server did not', async () => {
    const host = await start({ pageSize: 2, serverFiltering: false });
    const repo = new RegistryRepository(`${host}/paged`, FAST);
    const image = await pushImage(repo);
    for (let i = 0; i < 5; i++) await repo.pushSignature(JWS, Buffer.from(`sig ${i}`), image, {});
    // A non-notary referrer (e.g. an SBOM) must not be listed.
    const sbom = encodeImageManifest({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/spdx+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 }, layers: [], subject: image });
    reg.putManifest('paged', Buffer.from(sbom), 'application/vnd.oci.image.manifest.v1+json');
    const pages = await listAll(new RegistryRepository(`${host}/paged`, FAST), image);
    expect(pages.flat()).to.have.length(5);
    expect(pages.length).to.be.greaterThan(1);
    expect(reg.requests.filter((r) => r.path.includes('/referrers/')).length).to.be.greaterThanOrEqual(3);
  });

  it('stores with the tag schema when forced, and keeps 16 concurrent signatures', async () => {
    const host = await start();
    const setup = new RegistryRepository(`${host}/forced`, FAST);
    const image = await pushImage(setup);
    const pushed = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        new RegistryRepository(`${host}/forced`, { ...FAST, forceReferrersTag: true }).pushSignature(JWS, Buffer.from(`concurrent ${i}`), image, {}),
      ),
    );
    const tagged = reg.tags.get('forced')!.get('sha256-' + image.digest.slice(7));
    expect(tagged).to.be.a('string');
    const index = JSON.parse(reg.manifests.get('forced')!.get(tagged!)!.body.toString());
    expect(index.manifests.map((d: Descriptor) => d.digest).sort()).to.deep.equal(pushed.map((p) => p.manifestDescriptor.digest).sort());
  });

  it('deletes the referrers index it replaced (sequential tag-schema pushes)', async () => {
    const host = await start({ referrers: false });
    const image = await pushImage(new RegistryRepository(`${host}/seq`, FAST));
    for (let i = 0; i < 3; i++) await new RegistryRepository(`${host}/seq`, FAST).pushSignature(JWS, Buffer.from(`s ${i}`), image, {});
    const indexes = [...reg.manifests.get('seq')!.values()].filter((m) => m.mediaType === 'application/vnd.oci.image.index.v1+json');
    expect(indexes).to.have.length(1);
    expect(JSON.parse(indexes[0]!.body.toString()).manifests).to.have.length(3);
    // A registry refusing DELETE only causes a warning.
    reg.opts.faults = [{ method: 'DELETE', path: /manifests\//, kind: 'status', status: 405 }];
    const warnings: string[] = [];
    await new RegistryRepository(`${host}/seq`, { ...FAST, logger: { warn: (m) => warnings.push(m) } }).pushSignature(JWS, Buffer.from('s 4'), image, {});
    expect(warnings.join('\n')).to.contain('Garbage collection may be required');
    expect((await listAll(new RegistryRepository(`${host}/seq`, FAST), image)).flat()).to.have.length(4);
  });

  it('falls back to the tag schema on a registry without the API, losing nothing under 16 concurrent pushes', async () => {
    const host = await start({ referrers: false });
    const image = await pushImage(new RegistryRepository(`${host}/fallback`, FAST));
    const pushed = await Promise.all(
      Array.from({ length: 16 }, (_, i) => new RegistryRepository(`${host}/fallback`, FAST).pushSignature(i % 2 ? JWS : COSE, Buffer.from(`fb ${i}`), image, {})),
    );
    const lister = new RegistryRepository(`${host}/fallback`, FAST);
    const listed = (await listAll(lister, image)).flat().map((d) => d.digest);
    expect(lister.referrersCapability).to.equal('unsupported');
    expect(listed.sort()).to.deep.equal(pushed.map((p) => p.manifestDescriptor.digest).sort());
    expect(await allListedFetchable(lister, image)).to.equal(16);
  });

  describe('faults give typed errors naming the registry and leave listings consistent', () => {
    const cases: { name: string; opts: (host: string) => TestRegistryOptions; fallback?: boolean; code: string }[] = [
      { name: '500 mid-upload (blob PUT)', opts: () => ({ faults: [{ method: 'PUT', path: /blobs\/uploads\//, kind: 'status', status: 500 }] }), code: 'PUSH_FAILED' },
      { name: '500 on the signature manifest PUT', opts: () => ({ faults: [{ method: 'PUT', path: /manifests\/sha256:/, kind: 'status', status: 500 }] }), code: 'PUSH_FAILED' },
      { name: '500 on the referrers index PUT (fallback)', opts: () => ({ referrers: false, faults: [{ method: 'PUT', path: /manifests\/sha256-/, kind: 'status', status: 500 }] }), code: 'PUSH_FAILED' },
      { name: 'wrong Docker-Content-Digest on manifest PUT', opts: () => ({ faults: [{ method: 'PUT', path: /manifests\/sha256:/, kind: 'wrong-digest-header' }] }), code: 'DIGEST_MISMATCH' },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const host = await start();
        const image = await pushImage(new RegistryRepository(`${host}/f`, FAST));
        reg.opts = c.opts(host);
        const repo = new RegistryRepository(`${host}/f`, FAST);
        const e = await rejects(repo.pushSignature(JWS, Buffer.from('envelope'), image, {}));
        expect(e).to.be.instanceOf(RepositoryError);
        expect(e.code).to.equal(c.code);
        expect(e.message).to.contain(host);
        reg.opts = { ...c.opts(host), faults: [] };
        expect(await allListedFetchable(new RegistryRepository(`${host}/f`, FAST), image)).to.be.at.most(c.code === 'DIGEST_MISMATCH' ? 1 : 0);
      });
    }

    it('retries 429 and 5xx on reads, then succeeds', async () => {
      const host = await start({ faults: [{ method: 'GET', path: /manifests\/v1$/, kind: 'status', status: 429, times: 2, headers: { 'Retry-After': '0' } }] });
      const repo = new RegistryRepository(`${host}/r`, FAST);
      const image = await pushImage(repo);
      reg.opts.faults = [{ method: 'GET', path: /manifests\/v1$/, kind: 'status', status: 429, times: 2, headers: { 'Retry-After': '0' } }, { method: 'GET', path: /manifests\/v1$/, kind: 'status', status: 503, times: 1 }];
      expect(await repo.resolve('v1')).to.deep.equal(image);
      reg.opts.faults = [{ method: 'GET', path: /manifests\/v1$/, kind: 'status', status: 500 }];
      const e = await rejects(repo.resolve('v1'));
      expect(e.code).to.equal('UNEXPECTED_RESPONSE');
      expect(e.message).to.contain(host).and.contain('500');
    });

    it('truncated bodies, corrupt blobs, wrong digests, oversized manifests, non-index referrers responses', async () => {
      const host = await start();
      const repo = new RegistryRepository(`${host}/t`, FAST);
      const image = await pushImage(repo);
      const sig = await repo.pushSignature(JWS, Buffer.from('envelope'), image, {});
      const check = async (fault: TestRegistryOptions['faults'], op: () => Promise<unknown>, code: string) => {
        reg.opts.faults = fault;
        const e = await rejects(op());
        expect(e.code, e.message).to.equal(code);
        expect(e.message).to.contain(host);
        reg.opts.faults = [];
      };
      await check([{ method: 'GET', path: /manifests\/v1$/, kind: 'truncate' }], () => repo.resolve('v1'), 'REGISTRY_UNREACHABLE');
      await check([{ method: 'GET', path: /manifests\/v1$/, kind: 'wrong-digest-header' }], () => repo.resolve('v1'), 'DIGEST_MISMATCH');
      await check([{ method: 'GET', path: /manifests\/sha256:/, kind: 'corrupt-body' }], () => repo.resolve(image.digest), 'DIGEST_MISMATCH');
      await check([{ method: 'GET', path: /blobs\/sha256:/, kind: 'corrupt-body' }], () => repo.fetchSignatureBlob(sig.manifestDescriptor), 'DIGEST_MISMATCH');
      await check([{ method: 'GET', path: /manifests\/v1$/, kind: 'oversize-body' }], () => repo.resolve('v1'), 'CONTENT_TOO_LARGE');
      await check([{ method: 'GET', path: /referrers\//, kind: 'not-index' }], async () => listAll(new RegistryRepository(`${host}/t`, FAST), image), 'REFERRERS_INDEX_MALFORMED');
      await check([{ method: 'GET', path: /referrers\//, kind: 'status', status: 500 }], async () => listAll(new RegistryRepository(`${host}/t`, FAST), image), 'UNEXPECTED_RESPONSE');
      expect(await allListedFetchable(repo, image)).to.equal(1);
    });
  });

  describe('auth', () => {
    it('basic auth: right credentials work, a wrong password is a clear error without the password', async () => {
      const host = await start({ auth: { kind: 'basic', username: 'alice', password: 's3cret' } });
      const good = new RegistryRepository(`${host}/a`, { ...FAST, credentials: new StaticCredentials(host, { username: 'alice', password: 's3cret' }) });
      const image = await pushImage(good);
      await good.pushSignature(JWS, Buffer.from('x'), image, {});
      const bad = new RegistryRepository(`${host}/a`, { ...FAST, credentials: new StaticCredentials(host, { username: 'alice', password: 'wrong-pass' }) });
      const e = await rejects(bad.resolve('v1'));
      expect(e.code).to.equal('UNAUTHORIZED');
      expect(e.message).to.contain(host).and.contain('wrong username or password');
      expect(e.message).not.to.contain('wrong-pass');
      const anon = await rejects(new RegistryRepository(`${host}/a`, FAST).resolve('v1'));
      expect(anon.message).to.contain('none are configured');
    });

    it('bearer tokens: scoped, cached, refreshed when refused', async () => {
      const host = await start({ auth: { kind: 'bearer', username: 'bob', password: 'pw' } });
      const repo = new RegistryRepository(`${host}/b/c`, { ...FAST, credentials: new StaticCredentials(host, { username: 'bob', password: 'pw' }) });
      const image = await pushImage(repo);
      expect(reg.tokensIssued.some((t) => t.scope.includes('repository:b/c:pull,push'))).to.equal(true);
      const before = reg.tokensIssued.length;
      await repo.resolve('v1');
      await repo.resolve('v1');
      expect(reg.tokensIssued.length).to.equal(before + 1); // pull scope fetched once, then cached
      reg.expireTokens();
      expect(await repo.resolve('v1')).to.deep.equal(image);
      expect(reg.tokensIssued.length).to.equal(before + 2);
      const wrong = new RegistryRepository(`${host}/b/c`, { ...FAST, credentials: new StaticCredentials(host, { username: 'bob', password: 'nope-secret' }) });
      const e = await rejects(wrong.resolve('v1'));
      expect(e.code).to.equal('UNAUTHORIZED');
      expect(e.message).not.to.contain('nope-secret');
    });
  });
});

describe('registry client: docker-registry 2.8', function () {
  this.timeout(120_000);
  let reg: DockerRegistry | undefined;
  before(function () {
    if (!dockerRegistryAvailable()) this.skip();
  });
  afterEach(async () => reg?.stop());

  it('signs by tag schema, lists and fetches JWS and COSE, chunked uploads work', async () => {
    reg = new DockerRegistry();
    const host = await reg.start();
    const repo = new RegistryRepository(`${host}/app`, { ...FAST, chunkSize: 1000 });
    const image = await pushImage(repo);
    expect(await repo.resolve('v1')).to.deep.equal(image);
    const big = Buffer.alloc(5000, 7);
    const a = await repo.pushSignature(JWS, big, image, {});
    const b = await repo.pushSignature(COSE, Buffer.from('cose'), image, {});
    expect(repo.referrersCapability).to.equal('unsupported');
    const lister = new RegistryRepository(`${host}/app`, FAST);
    const listed = (await listAll(lister, image)).flat();
    expect(listed.map((d) => d.digest).sort()).to.deep.equal([a.manifestDescriptor.digest, b.manifestDescriptor.digest].sort());
    expect(Buffer.compare(Buffer.from((await lister.fetchSignatureBlob(a.manifestDescriptor)).blob), big)).to.equal(0);
  });

  it('16 concurrent pushes on one image leave 16 signatures listed, all fetchable', async () => {
    reg = new DockerRegistry();
    const host = await reg.start();
    const image = await pushImage(new RegistryRepository(`${host}/many`, FAST));
    const pushed = await Promise.all(
      Array.from({ length: 16 }, (_, i) => new RegistryRepository(`${host}/many`, { ...FAST, tagIndexSettleMs: 50 }).pushSignature(JWS, Buffer.from(`sig ${i}`), image, {})),
    );
    const lister = new RegistryRepository(`${host}/many`, FAST);
    const listed = (await listAll(lister, image)).flat().map((d) => d.digest);
    expect(listed.sort()).to.deep.equal(pushed.map((p) => p.manifestDescriptor.digest).sort());
    expect(await allListedFetchable(lister, image)).to.equal(16);
  });

  it('basic auth (htpasswd): correct credentials work, a wrong password fails clearly', async () => {
    reg = new DockerRegistry({ username: 'alice', password: 's3cret' });
    const host = await reg.start();
    const repo = new RegistryRepository(`${host}/secure`, { ...FAST, credentials: new StaticCredentials(host, { username: 'alice', password: 's3cret' }) });
    const image = await pushImage(repo);
    await repo.pushSignature(JWS, Buffer.from('x'), image, {});
    expect((await listAll(repo, image)).flat()).to.have.length(1);
    const e = await rejects(new RegistryRepository(`${host}/secure`, { ...FAST, credentials: new StaticCredentials(host, { username: 'alice', password: 'bad-pw' }) }).resolve('v1'));
    expect(e.code).to.equal('UNAUTHORIZED');
    expect(e.message).to.contain(host).and.not.contain('bad-pw');
  });
});

describe('registry credentials and challenges', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'creds-'));
    dirs.push(d);
    return d;
  };

  it('parses WWW-Authenticate challenges and merges scopes', () => {
    expect(parseChallenge('Bearer realm="https://auth.io/token",service="registry.io",scope="repository:a/b:pull"')).to.deep.equal({
      scheme: 'bearer',
      params: { realm: 'https://auth.io/token', service: 'registry.io', scope: 'repository:a/b:pull' },
    });
    expect(parseChallenge('Basic realm="basic-realm"').scheme).to.equal('basic');
    expect(parseChallenge(null).scheme).to.equal('other');
    expect(mergeScopes(['repository:a:push', 'repository:a:pull', 'repository:b:pull'])).to.deep.equal(['repository:a:pull,push', 'repository:b:pull']);
    fc.assert(fc.property(fc.string(), (s) => void parseChallenge(s)));
  });

  it('reads auths (including legacy https:// keys and identity tokens) from a config file', async () => {
    const d = tmp();
    const p = join(d, 'config.json');
    writeFileSync(p, JSON.stringify({ auths: {
      'r.io': { auth: Buffer.from('u:p:with:colons').toString('base64') },
      'https://legacy.io/v1/': { username: 'l', password: 'lp' },
      'tok.io': { identitytoken: 'refresh' },
      'bad.io': { auth: Buffer.from('nocolon').toString('base64') },
    } }));
    const c = new ConfigFileCredentials(p);
    expect(c.isAuthConfigured()).to.equal(true);
    expect(await c.get('r.io')).to.deep.equal({ username: 'u', password: 'p:with:colons' });
    expect(await c.get('legacy.io')).to.deep.equal({ username: 'l', password: 'lp' });
    expect(await c.get('tok.io')).to.deep.equal({ refreshToken: 'refresh' });
    expect(await c.get('none.io')).to.equal(undefined);
    const e = await rejects(c.get('bad.io'));
    expect(e.code).to.equal('CONFIG_INVALID');
    expect(e.message).not.to.contain('nocolon');
    writeFileSync(p, '{not json');
    expect(() => new ConfigFileCredentials(p)).to.throw(RepositoryError);
  });

  it('asks docker-credential-* helpers (credHelpers over credsStore), and prefers notation config over Docker config', async () => {
    const d = tmp();
    const bin = join(d, 'bin');
    rmSync(bin, { recursive: true, force: true });
    (await import('node:fs')).mkdirSync(bin);
    const helper = (name: string, body: string) => {
      writeFileSync(join(bin, `docker-credential-${name}`), `#!/bin/sh\nread server\n${body}\n`);
      chmodSync(join(bin, `docker-credential-${name}`), 0o755);
    };
    helper('per', 'echo "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"per-user\\",\\"Secret\\":\\"per-secret\\"}"');
    helper('store', 'if [ "$server" = "tok.io" ]; then echo "{\\"Username\\":\\"<token>\\",\\"Secret\\":\\"idtok\\"}"; exit 0; fi; echo "credentials not found in native keychain"; exit 1');
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      const notationCfg = join(d, 'notation.json');
      const dockerCfg = join(d, 'docker.json');
      writeFileSync(dockerCfg, JSON.stringify({ credsStore: 'store', credHelpers: { 'per.io': 'per' } }));
      writeFileSync(notationCfg, JSON.stringify({ insecureRegistries: [] }));
      const store = notationCredentialStore({ notationConfigPath: notationCfg, dockerConfigPath: dockerCfg });
      expect(await store.get('per.io')).to.deep.equal({ username: 'per-user', password: 'per-secret' });
      expect(await store.get('tok.io')).to.deep.equal({ refreshToken: 'idtok' });
      expect(await store.get('other.io')).to.equal(undefined);
      writeFileSync(notationCfg, JSON.stringify({ auths: { 'per.io': { username: 'n', password: 'np' } } }));
      expect(await notationCredentialStore({ notationConfigPath: notationCfg, dockerConfigPath: dockerCfg }).get('per.io')).to.deep.equal({ username: 'n', password: 'np' });
      writeFileSync(dockerCfg, JSON.stringify({ credsStore: 'missing-helper' }));
      const e = await rejects(new ConfigFileCredentials(dockerCfg).get('x.io'));
      expect(e.code).to.equal('CREDENTIAL_HELPER_FAILED');
    } finally {
      process.env.PATH = oldPath;
    }
  });

  it('treats a password with an empty username as an identity token', async () => {
    expect(await StaticCredentials.fromUsernamePassword('r.io', '', 'tok').get('r.io')).to.deep.equal({ refreshToken: 'tok' });
    expect(await StaticCredentials.fromUsernamePassword('r.io', 'u', 'p').get('other.io')).to.equal(undefined);
  });
});
