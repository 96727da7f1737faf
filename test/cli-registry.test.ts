/**
 * The CLI against real registries (issue 4): Debian's docker-registry 2.8 (tag
 * schema) and the referrers-API test registry, both on 127.0.0.1 with ephemeral
 * ports. sign (JWS, COSE), list, inspect, verify by tag and digest, 16 concurrent
 * `sign` processes, basic auth, a credential helper, plain-HTTP rules, and
 * `--recursive` on a multi-platform index.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliResult } from './helpers/cli.js';
import { makePki, writeTrustStore, type Pki } from './helpers/pki.js';
import { DockerRegistry, dockerRegistryAvailable } from './helpers/registry-docker.js';
import { TestRegistry } from './helpers/registry-server.js';
import { RegistryRepository } from '../src/oci/registry/repository.js';
import { StaticCredentials } from '../src/oci/registry/credentials.js';
import { encodeImageManifest } from '../src/oci/manifest.js';
import { sha256Digest } from '../src/oci/digest.js';
import { goMarshal } from '../src/oci/gojson.js';
import type { Descriptor } from '../src/oci/types.js';
import { Verifier } from '../src/verifier/verifier.js';
import { MemoryTrustStore } from '../src/truststore/index.js';
import type { OciTrustPolicyDocument } from '../src/trustpolicy/index.js';
import { writeCredentialHelper } from './helpers/credential-helper.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const POLICY = {
  version: '1.0',
  trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:test'], trustedIdentities: ['*'] }],
};

interface CliEnv {
  dir: string;
  env: Record<string, string>;
  pki: Pki;
}

/** A config dir with a signing key `test`, its root in ca:test, and a strict `*` policy. */
async function makeCliEnv(prefix: string): Promise<CliEnv> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const cfg = join(dir, 'notation');
  mkdirSync(join(cfg, 'localkeys'), { recursive: true, mode: 0o700 });
  const pki = await makePki({ name: prefix });
  writeFileSync(join(cfg, 'localkeys', 'test.key'), pki.leaf.keyPem, { mode: 0o600 });
  writeFileSync(join(cfg, 'localkeys', 'test.crt'), pki.chainPem, { mode: 0o600 });
  writeFileSync(
    join(cfg, 'signingkeys.json'),
    JSON.stringify({ default: 'test', keys: [{ name: 'test', keyPath: join(cfg, 'localkeys', 'test.key'), certPath: join(cfg, 'localkeys', 'test.crt') }] }),
    { mode: 0o600 },
  );
  writeTrustStore(cfg, 'ca', 'test', [pki.root]);
  writeFileSync(join(cfg, 'trustpolicy.oci.json'), JSON.stringify(POLICY), { mode: 0o600 });
  mkdirSync(join(dir, 'docker'), { mode: 0o700 });
  mkdirSync(join(dir, 'home'), { mode: 0o700 });
  const env = {
    NOTATION_CONFIG: cfg,
    NOTATION_CACHE: join(dir, 'cache'),
    DOCKER_CONFIG: join(dir, 'docker'),
    HOME: join(dir, 'home'),
    PATH: process.env.PATH ?? '',
  };
  return { dir, env, pki };
}

/** Pushes a small image manifest (config + layer), tagged `tag`. */
async function pushImage(repo: RegistryRepository, seed: string, tag: string, platform?: { os: string; architecture: string }): Promise<Descriptor> {
  const config = Buffer.from(JSON.stringify({ architecture: platform?.architecture ?? 'amd64', os: platform?.os ?? 'linux', seed }));
  const layer = Buffer.from(`layer ${seed}`);
  const cd = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Digest(config), size: config.length };
  const ld = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256Digest(layer), size: layer.length };
  await repo.pushBlob(cd, config);
  await repo.pushBlob(ld, layer);
  const bytes = encodeImageManifest({ schemaVersion: 2, mediaType: MANIFEST, config: cd, layers: [ld] });
  const desc = { mediaType: MANIFEST, digest: sha256Digest(bytes), size: bytes.length };
  await repo.pushManifest(desc, bytes, tag);
  return desc;
}

/** Pushes two platform manifests and an index listing them, tagged `tag`. */
async function pushIndex(repo: RegistryRepository, tag: string): Promise<{ index: Descriptor; children: Descriptor[] }> {
  const amd = await pushImage(repo, `${tag}-amd64`, `${tag}-amd64`, { os: 'linux', architecture: 'amd64' });
  const arm = await pushImage(repo, `${tag}-arm64`, `${tag}-arm64`, { os: 'linux', architecture: 'arm64' });
  const children = [
    { ...amd, platform: { architecture: 'amd64', os: 'linux' } },
    { ...arm, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
  ];
  const bytes = goMarshal({ schemaVersion: 2, mediaType: INDEX, manifests: children });
  const index = { mediaType: INDEX, digest: sha256Digest(bytes), size: bytes.length };
  await repo.pushManifest(index, bytes, tag);
  return { index, children };
}

async function signatures(repo: RegistryRepository, subject: Descriptor): Promise<Descriptor[]> {
  const out: Descriptor[] = [];
  for await (const page of repo.listSignatures(subject)) out.push(...page);
  return out;
}

/** Verifies every listed signature on its own with the library (not just "one of them"). */
async function verifyEach(repo: RegistryRepository, subject: Descriptor, pki: Pki, ref: string): Promise<number> {
  const verifier = new Verifier({ ociTrustPolicy: POLICY as OciTrustPolicyDocument, trustStore: new MemoryTrustStore({ 'ca:test': [pki.root.cert] }) });
  let ok = 0;
  for (const sig of await signatures(repo, subject)) {
    const { blob, descriptor } = await repo.fetchSignatureBlob(sig);
    const outcome = await verifier.verify(subject, blob, { artifactReference: ref, signatureMediaType: descriptor.mediaType });
    if (!outcome.error) ok++;
  }
  return ok;
}

function digestsIn(text: string): string[] {
  return [...text.matchAll(/sha256:[0-9a-f]{64}/g)].map((m) => m[0]);
}

const BUILD_DIR = join(ROOT, '.tmp', `cli-registry-build-${process.pid}`);
let built: Promise<string> | undefined;

/**
 * Builds dist/ (`tsc -p tsconfig.build.json`) into a private folder under the repo
 * (so node_modules resolve) and copies the real bin entry next to it. Async, so
 * the event loop keeps serving the test's own sockets meanwhile. Built once.
 */
function buildCli(): Promise<string> {
  built ??= new Promise((resolve) => {
    // tsc exits non-zero on type errors elsewhere in the tree but still emits.
    execFile('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', join(BUILD_DIR, 'dist')], { cwd: ROOT }, () => {
      mkdirSync(join(BUILD_DIR, 'bin'), { recursive: true });
      for (const f of readdirSync(join(ROOT, 'bin'))) copyFileSync(join(ROOT, 'bin', f), join(BUILD_DIR, 'bin', f));
      resolve(BUILD_DIR);
    });
  });
  return built;
}

before(() => void buildCli());
after(async () => {
  if (built) await built;
  rmSync(BUILD_DIR, { recursive: true, force: true });
});

function runProcess(bin: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const registries: { name: string; start: () => Promise<{ host: string; stop: () => Promise<void> }> }[] = [
  {
    name: 'docker-registry 2.8 (referrers tag schema)',
    start: async () => {
      const r = new DockerRegistry();
      const host = await r.start();
      return { host, stop: () => r.stop() };
    },
  },
  {
    name: 'referrers-API test registry',
    start: async () => {
      const r = new TestRegistry({ referrers: true });
      const host = await r.start();
      return { host, stop: () => r.stop() };
    },
  },
];

for (const reg of registries) {
  describe(`CLI against ${reg.name}`, function () {
    this.timeout(240_000);
    let server: { host: string; stop: () => Promise<void> };
    let ce: CliEnv;
    let host: string; // localhost:<port>: plain HTTP without flags, as notation
    let repo: RegistryRepository;
    let image: Descriptor;
    const cli = (...args: string[]) => runCli(args, { env: ce.env });

    before(async function () {
      if (reg.name.startsWith('docker') && !dockerRegistryAvailable()) this.skip();
      server = await reg.start();
      host = `localhost:${server.host.split(':')[1]}`;
      ce = await makeCliEnv('nts-clireg-');
      repo = new RegistryRepository(`${host}/app`, { tagIndexSettleMs: 20 });
      image = await pushImage(repo, 'app', 'v1');
    });
    after(async () => {
      await server?.stop();
      if (ce) rmSync(ce.dir, { recursive: true, force: true });
    });

    it('signs by tag (JWS, with the tag warning) and by digest (COSE)', async () => {
      const a = await cli('sign', '--key', 'test', `${host}/app:v1`);
      expect(a.code, a.stderr).to.equal(0);
      expect(a.stderr).to.include('Warning: Always sign the artifact using digest(@sha256:...) rather than a tag(:v1)');
      expect(a.stdout).to.include(`Successfully signed ${host}/app@${image.digest}\n`);
      expect(a.stdout).to.match(new RegExp(`Pushed the signature to ${host}/app@sha256:[0-9a-f]{64}\\n`));
      const b = await cli('sign', '--key', 'test', '--signature-format', 'cose', `${host}/app@${image.digest}`);
      expect(b.code, b.stderr).to.equal(0);
      expect(b.stderr).to.not.include('Warning');
      const sigs = await signatures(repo, image);
      expect(sigs.map((s) => s.digest)).to.have.members([digestsIn(a.stdout)[1], digestsIn(b.stdout)[1]]);
      const media = await Promise.all(sigs.map(async (s) => (await repo.fetchSignatureBlob(s)).descriptor.mediaType));
      expect(media).to.have.members(['application/jose+json', 'application/cose']);
    });

    it('lists and inspects both signatures', async () => {
      const sigs = (await signatures(repo, image)).map((s) => s.digest);
      const l = await cli('list', `${host}/app@${image.digest}`);
      expect(l.code, l.stderr).to.equal(0);
      expect(l.stdout.startsWith(`${host}/app@${image.digest}\n└── application/vnd.cncf.notary.signature\n`)).to.equal(true);
      expect(digestsIn(l.stdout).slice(1)).to.have.members(sigs);
      const i = await cli('inspect', '-o', 'json', `${host}/app@${image.digest}`);
      expect(i.code, i.stderr).to.equal(0);
      const doc = JSON.parse(i.stdout) as { mediaType: string; signatures: { digest: string; signatureEnvelopeType: string }[] };
      expect(doc.mediaType).to.equal(MANIFEST);
      expect(doc.signatures.map((s) => s.digest)).to.have.members(sigs);
      expect(doc.signatures.map((s) => s.signatureEnvelopeType)).to.have.members(['application/jose+json', 'application/cose']);
    });

    it('verifies by tag (notation warning) and by digest', async () => {
      const t = await cli('verify', `${host}/app:v1`);
      expect(t.code, t.stderr).to.equal(0);
      expect(t.stderr).to.equal(
        'Warning: Always verify the artifact using digest(@sha256:...) rather than a tag(:v1) because resolved digest may not point to the same signed artifact, as tags are mutable.\n',
      );
      expect(t.stdout).to.equal(`Successfully verified signature for ${host}/app@${image.digest}\n`);
      const d = await cli('verify', `${host}/app@${image.digest}`);
      expect(d.code, d.stderr).to.equal(0);
      expect(d.stderr).to.equal('');
      expect(d.stdout).to.equal(`Successfully verified signature for ${host}/app@${image.digest}\n`);
    });

    it('a reference without tag or digest, or an unsigned image, fails as notation does', async () => {
      const r = await cli('verify', `${host}/app`);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal(`Error: "${host}/app": invalid reference: no tag or digest. Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>\n`);
      const other = await pushImage(repo, 'unsigned', 'unsigned');
      const u = await cli('verify', `${host}/app@${other.digest}`);
      expect(u.code).to.equal(1);
      expect(u.stderr).to.include(`no signature is associated with "${host}/app@${other.digest}"`);
    });

    it('127.0.0.1 needs --insecure-registry or config insecureRegistries (only localhost is plain HTTP by default)', async () => {
      const ip = server.host;
      const https = await cli('list', `${ip}/app@${image.digest}`);
      expect(https.code).to.equal(1);
      expect(https.stderr).to.include(`https://${ip}/v2/app/manifests/`);
      const flag = await cli('list', '--insecure-registry', `${ip}/app@${image.digest}`);
      expect(flag.code, flag.stderr).to.equal(0);
      writeFileSync(join(ce.env.NOTATION_CONFIG, 'config.json'), JSON.stringify({ insecureRegistries: [ip.toUpperCase()] }));
      try {
        const cfg = await cli('list', `${ip}/app@${image.digest}`);
        expect(cfg.code, cfg.stderr).to.equal(0);
        expect(digestsIn(cfg.stdout)).to.have.length(3);
      } finally {
        rmSync(join(ce.env.NOTATION_CONFIG, 'config.json'));
      }
    });

    it('16 concurrent sign processes leave 16 signatures listed, all verifying', async function () {
      const build = await buildCli();
      {
        const subject = await pushImage(repo, 'concurrent', 'concurrent');
        const env = { ...ce.env, NODE_NO_WARNINGS: '1' } as Record<string, string>;
        const runs = await Promise.all(
          Array.from({ length: 16 }, (_, i) =>
            runProcess(join(build, 'bin', 'notation-ts.cjs'), ['sign', '--key', 'test', ...(i % 2 ? ['--signature-format', 'cose'] : []), `${host}/app@${subject.digest}`], env),
          ),
        );
        for (const r of runs) expect(r.code, r.stderr).to.equal(0);
        const pushed = runs.map((r) => digestsIn(r.stdout)[1]);
        const l = await cli('list', `${host}/app@${subject.digest}`);
        expect(digestsIn(l.stdout).slice(1)).to.have.members(pushed);
        expect(await verifyEach(repo, subject, ce.pki, `${host}/app@${subject.digest}`)).to.equal(16);
        const v = await cli('verify', `${host}/app@${subject.digest}`);
        expect(v.code, v.stderr).to.equal(0);
      }
    });

    it('sign --recursive signs an index and each platform; verify --recursive reports per platform', async () => {
      const { index, children } = await pushIndex(repo, 'multi');
      const s = await cli('sign', '--recursive', '--key', 'test', `${host}/app:multi`);
      expect(s.code, s.stderr).to.equal(0);
      for (const d of [index, ...children]) expect(s.stdout).to.include(`Successfully signed ${host}/app@${d.digest}\n`);
      for (const d of [index, ...children]) expect(await signatures(repo, d)).to.have.length(1);
      const v = await cli('verify', '--recursive', `${host}/app@${index.digest}`);
      expect(v.code, v.stderr).to.equal(0);
      for (const d of [index, ...children]) expect(v.stdout).to.include(`Successfully verified signature for ${host}/app@${d.digest}\n`);
      expect(v.stdout).to.include(`All 3 manifests of ${host}/app@${index.digest} verified:`);
      expect(v.stdout).to.match(new RegExp(`linux/amd64 +${host}/app@${children[0]!.digest} +verified`));
      expect(v.stdout).to.match(new RegExp(`linux/arm64/v8 +${host}/app@${children[1]!.digest} +verified`));
      // An index whose second platform is unsigned: that platform fails, the others pass.
      const more = await pushIndex(repo, 'partial');
      expect((await cli('sign', '--key', 'test', `${host}/app@${more.index.digest}`)).code).to.equal(0);
      expect((await cli('sign', '--key', 'test', `${host}/app@${more.children[0]!.digest}`)).code).to.equal(0);
      const p = await cli('verify', '--recursive', `${host}/app@${more.index.digest}`);
      expect(p.code).to.equal(1);
      expect(p.stderr).to.include(`1 of 3 manifests of ${host}/app@${more.index.digest} failed:`);
      expect(p.stderr).to.match(new RegExp(`linux/arm64/v8 +${host}/app@${more.children[1]!.digest} +FAILED: signature verification failed: no signature is associated`));
      const j = await cli('verify', '--recursive', '-o', 'json', `${host}/app@${more.index.digest}`);
      expect(j.code).to.equal(1);
      const doc = JSON.parse(j.stdout) as { result: string; manifests: { platform: string; result: string }[] };
      expect(doc.result).to.equal('failed');
      expect(doc.manifests.map((m) => [m.platform, m.result])).to.deep.equal([['index', 'passed'], ['linux/amd64', 'passed'], ['linux/arm64/v8', 'failed']]);
      const notIndex = await cli('verify', '--recursive', `${host}/app@${image.digest}`);
      expect(notIndex.code).to.equal(1);
      expect(notIndex.stderr).to.include('is not an image index');
    });
  });
}

describe('CLI registry auth against docker-registry with htpasswd', function () {
  this.timeout(120_000);
  const USER = 'alice';
  const PASS = 'correct horse battery staple';
  let reg: DockerRegistry;
  let ce: CliEnv;
  let host: string;
  let image: Descriptor;
  let helperDir: string;
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env: { ...ce.env, ...env } });

  before(async function () {
    if (!dockerRegistryAvailable()) this.skip();
    reg = new DockerRegistry({ username: USER, password: PASS });
    const ip = await reg.start();
    host = `localhost:${ip.split(':')[1]}`;
    ce = await makeCliEnv('nts-cliauth-');
    const repo = new RegistryRepository(`${host}/secure`, { credentials: StaticCredentials.fromUsernamePassword(host, USER, PASS), tagIndexSettleMs: 20 });
    image = await pushImage(repo, 'secure', 'v1');
    helperDir = join(ce.dir, 'helper-bin');
    mkdirSync(helperDir);
    writeCredentialHelper(helperDir, 'test', join(ce.dir, 'helper-store'));
  });
  after(async () => {
    await reg?.stop();
    if (ce) rmSync(ce.dir, { recursive: true, force: true });
  });

  it('-u/-p and NOTATION_USERNAME/NOTATION_PASSWORD work; sign and verify with them', async () => {
    const s = await cli(['sign', '-u', USER, '-p', PASS, `${host}/secure@${image.digest}`]);
    expect(s.code, s.stderr).to.equal(0);
    const v = await cli(['verify', `${host}/secure@${image.digest}`], { NOTATION_USERNAME: USER, NOTATION_PASSWORD: PASS });
    expect(v.code, v.stderr).to.equal(0);
    // -p overrides the environment's password, per field.
    const mixed = await cli(['list', '-p', PASS, `${host}/secure@${image.digest}`], { NOTATION_USERNAME: USER, NOTATION_PASSWORD: 'stale' });
    expect(mixed.code, mixed.stderr).to.equal(0);
  });

  it('a wrong password is a clear error that does not contain the password', async () => {
    const r = await cli(['list', '-u', USER, '-p', 'wrong-secret-123', `${host}/secure@${image.digest}`]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('response status code 401');
    expect(r.stderr).to.include('the registry refused the credentials (wrong username or password?)');
    expect(r.stderr).to.not.include('wrong-secret-123');
    const none = await cli(['list', `${host}/secure@${image.digest}`]);
    expect(none.code).to.equal(1);
    expect(none.stderr).to.include('the registry requires credentials and none are configured');
  });

  it('uses a docker-credential helper from credsStore and credHelpers (found on PATH)', async () => {
    writeFileSync(join(ce.dir, 'helper-store'), JSON.stringify({ [host]: { Username: USER, Secret: PASS } }));
    const env = { PATH: `${helperDir}:${process.env.PATH}` };
    const cfgFile = join(ce.env.NOTATION_CONFIG, 'config.json');
    try {
      writeFileSync(cfgFile, JSON.stringify({ credsStore: 'test' }));
      const a = await cli(['verify', `${host}/secure@${image.digest}`], env);
      expect(a.code, a.stderr).to.equal(0);
      writeFileSync(cfgFile, JSON.stringify({ credHelpers: { [host]: 'test' } }));
      const b = await cli(['list', `${host}/secure@${image.digest}`], env);
      expect(b.code, b.stderr).to.equal(0);
      // The helper is looked up on the command's PATH: without it, a clear error.
      const c = await cli(['list', `${host}/secure@${image.digest}`], { PATH: '/nonexistent' });
      expect(c.code).to.equal(1);
      expect(c.stderr).to.include('docker-credential-test');
    } finally {
      rmSync(cfgFile, { force: true });
    }
  });

  it("falls back to Docker's config.json (plaintext auths are read)", async () => {
    const dockerCfg = join(ce.env.DOCKER_CONFIG, 'config.json');
    writeFileSync(dockerCfg, JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${USER}:${PASS}`).toString('base64') } } }));
    try {
      const r = await cli(['list', `${host}/secure@${image.digest}`]);
      expect(r.code, r.stderr).to.equal(0);
      // notation's config wins once it configures any auth.
      writeFileSync(join(ce.env.NOTATION_CONFIG, 'config.json'), JSON.stringify({ auths: { 'other.example': { auth: 'eDp5' } } }));
      const n = await cli(['list', `${host}/secure@${image.digest}`]);
      expect(n.code).to.equal(1);
    } finally {
      rmSync(dockerCfg, { force: true });
      rmSync(join(ce.env.NOTATION_CONFIG, 'config.json'), { force: true });
    }
  });
});



describe('CLI --recursive on an OCI image layout', function () {
  this.timeout(60_000);
  it('signs and verifies an index and its platforms inside a layout', async () => {
    const ce = await makeCliEnv('nts-clilayout-');
    try {
      const dir = join(ce.dir, 'layout');
      mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
      const put = (b: Uint8Array) => {
        const d = sha256Digest(b);
        writeFileSync(join(dir, 'blobs', 'sha256', d.slice(7)), b);
        return d;
      };
      const children = ['amd64', 'arm64'].map((arch) => {
        const config = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux' }));
        const cd = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: put(config), size: config.length };
        const m = encodeImageManifest({ schemaVersion: 2, mediaType: MANIFEST, config: cd, layers: [] });
        return { mediaType: MANIFEST, digest: put(m), size: m.length, platform: { architecture: arch, os: 'linux' } };
      });
      const idx = Buffer.from(goMarshal({ schemaVersion: 2, mediaType: INDEX, manifests: children }));
      const index = { mediaType: INDEX, digest: put(idx), size: idx.length };
      writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
      writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...index, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }] }));
      const s = await runCli(['sign', '--oci-layout', '--recursive', '--key', 'test', `${dir}:multi`], { env: ce.env });
      expect(s.code, s.stderr).to.equal(0);
      for (const d of [index, ...children]) expect(s.stdout).to.include(`Successfully signed ${dir}@${d.digest}\n`);
      const v = await runCli(['verify', '--oci-layout', '--scope', 'local/multi', '--recursive', `${dir}@${index.digest}`], { env: ce.env });
      expect(v.code, v.stderr).to.equal(0);
      expect(v.stdout).to.include(`All 3 manifests of ${dir}@${index.digest} verified:`);
      expect(v.stdout).to.match(/linux\/arm64 +\S+ +verified/);
    } finally {
      rmSync(ce.dir, { recursive: true, force: true });
    }
  });
});
