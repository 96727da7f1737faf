/**
 * Output parity with the real notation found by the interop run: the -v/-d log
 * lines (logrus text, Go %+v renderings), not-found texts for OCI layouts, net/http
 * wording of registry connection failures, `sign --expiry` after the tag warning,
 * and the deprecated hidden `--allow-referrers-api` flag (notation v1.3.2).
 */
import { expect } from 'chai';
import { createServer as createHttpServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from './helpers/cli.js';
import { makePki, makeSelfSigned, writeTrustStore, type Pki } from './helpers/pki.js';
import { goDescriptorString, goStatementString } from '../src/verifier/artifact.js';
import { HttpTransport, networkErrorText } from '../src/oci/registry/http.js';
import { rfc3339Local } from '../src/cli/common.js';
import { writeImageLayout } from './helpers/layout.js';


/** A one-image OCI layout tagged v1; returns the manifest's digest and size. */
function makeLayout(dir: string): { digest: string; size: number } {
  return writeImageLayout(dir, { config: '{"architecture":"amd64","os":"linux"}', layer: 'parity layer\n', tag: 'v1' });
}

interface Env {
  dir: string;
  cfg: string;
  cli(args: string[]): Promise<CliResult>;
}

function policies(env: Env, signatureVerification: Record<string, unknown>): void {
  const common = { signatureVerification, trustStores: ['ca:test'], trustedIdentities: ['*'] };
  writeFileSync(join(env.cfg, 'trustpolicy.oci.json'), JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['local/test'], ...common }] }));
  writeFileSync(join(env.cfg, 'trustpolicy.blob.json'), JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'b', globalPolicy: true, ...common }] }));
}

const infoLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('level=info '));

describe('cli output parity with notation', function () {
  this.timeout(60_000);
  let pki: Pki;
  let env: Env;
  let image: { digest: string; size: number };
  let sigDigest: string;

  before(async () => {
    pki = await makePki({ name: 'cli-parity' });
  });
  beforeEach(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notation-ts-parity-'));
    const cfg = join(dir, 'config');
    mkdirSync(cfg, { recursive: true });
    env = { dir, cfg, cli: (args) => runCli(args, { env: { NOTATION_CONFIG: cfg, NOTATION_CACHE: join(dir, 'cache') }, cwd: dir }) };
    image = makeLayout(join(dir, 'img'));
    writeFileSync(join(dir, 'k.key'), pki.leaf.keyPem);
    writeFileSync(join(dir, 'k.crt'), pki.chainPem);
    writeFileSync(join(cfg, 'signingkeys.json'), JSON.stringify({ default: 'k', keys: [{ name: 'k', keyPath: join(dir, 'k.key'), certPath: join(dir, 'k.crt') }] }));
    writeTrustStore(cfg, 'ca', 'test', [pki.root]);
    policies(env, { level: 'strict' });
    const s = await env.cli(['sign', '--oci-layout', `img@${image.digest}`]);
    expect(s.code, s.stderr).to.equal(0);
    sigDigest = /Pushed the signature to img@(\S+)/.exec(s.stdout)![1];
  });
  afterEach(() => rmSync(env.dir, { recursive: true, force: true }));

  describe('-v and -d log lines', () => {
    it('verify -v prints notation v1.3.2\'s info lines in its order', async () => {
      const r = await env.cli(['verify', '-v', '--oci-layout', '--scope', 'local/test', 'img:v1']);
      expect(r.code, r.stderr).to.equal(0);
      const policy = '&{Name:p RegistryScopes:[local/test] SignatureVerification:{VerificationLevel:strict Override:map[] VerifyTimestamp:} TrustStores:[ca:test] TrustedIdentities:[*]}';
      expect(infoLines(r.stderr)).to.deep.equal([
        `level=info msg=Reference v1 resolved to manifest descriptor: {MediaType:application/vnd.oci.image.manifest.v1+json Digest:${image.digest} Size:${image.size} URLs:[] Annotations:map[org.opencontainers.image.ref.name:v1] Data:[] Platform:<nil> ArtifactType:}`,
        'level=info msg=Checking whether signature verification should be skipped or not',
        `level=info msg=Trust policy configuration: ${policy}`,
        "level=info msg=Check over. The signature verification level is not set to 'skip' in the trust policy.",
        `level=info msg=Processing signature with manifest mediaType: application/vnd.oci.image.manifest.v1+json and digest: ${sigDigest}`,
        `level=info msg=Trust policy configuration: ${policy}`,
        'level=info msg=Timestamp verification disabled: no tsa trust store is configured in trust policy',
      ]);
      // The descriptor line comes before the tag warning, as notation prints them.
      expect(r.stderr.indexOf('resolved to manifest descriptor')).to.be.lessThan(r.stderr.indexOf('Warning: Always verify'));
      expect(r.stderr).to.not.match(/level=debug|time=/);
    });

    it('without -v nothing is logged; -d adds the debug lines, each with an RFC 3339 time', async () => {
      const quiet = await env.cli(['verify', '--oci-layout', '--scope', 'local/test', `img@${image.digest}`]);
      expect(quiet.stderr).to.equal('');
      const r = await env.cli(['verify', '-d', '--oci-layout', '--scope', 'local/test', `img@${image.digest}`]);
      expect(r.code, r.stderr).to.equal(0);
      const lines = r.stderr.trim().split('\n');
      for (const l of lines) expect(l).to.match(/^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) level=(debug|info|warning) msg=/);
      const msgs = lines.map((l) => l.replace(/^time=\S+ level=\w+ msg=/, ''));
      const order = [
        'Check verification level against artifact local/test@' + image.digest,
        'Fetching signature manifests',
        `Verify signature against artifact ${image.digest} referenced as local/test@${image.digest} in signature media type application/jose+json`,
        'Validating cert chain',
        'Validating trust identity',
        'Validating expiry',
        'Validating authentic timestamp',
        'Under signing scheme notary.x509...',
        'Validating revocation',
        `Signature verification succeeded for artifact ${image.digest} with signature digest ${sigDigest}`,
      ].map((m) => msgs.indexOf(m));
      expect(order.every((i) => i >= 0), msgs.join('\n')).to.equal(true);
      expect([...order].sort((a, b) => a - b)).to.deep.equal(order);
    });

    it('prints the statement as Go does: overrides as a sorted map, verifyTimestamp, skip', async () => {
      policies(env, { level: 'strict', override: { revocation: 'skip', expiry: 'log' }, verifyTimestamp: 'afterCertExpiry' });
      const r = await env.cli(['verify', '-v', '--oci-layout', '--scope', 'local/test', `img@${image.digest}`]);
      expect(r.code, r.stderr).to.equal(0);
      expect(infoLines(r.stderr)).to.include(
        'level=info msg=Trust policy configuration: &{Name:p RegistryScopes:[local/test] SignatureVerification:{VerificationLevel:strict Override:map[expiry:log revocation:skip] VerifyTimestamp:afterCertExpiry} TrustStores:[ca:test] TrustedIdentities:[*]}',
      );
      // A skip statement names no stores or identities.
      writeFileSync(join(env.cfg, 'trustpolicy.oci.json'), JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['local/test'], signatureVerification: { level: 'skip' } }] }));
      const s = await env.cli(['verify', '-v', '--oci-layout', '--scope', 'local/test', `img@${image.digest}`]);
      expect(s.code, s.stderr).to.equal(0);
      expect(infoLines(s.stderr).slice(-1)).to.deep.equal([`level=info msg=Signature verification skipped for local/test@${image.digest}`]);
    });

    it('logs the unmatched user metadata at error level, as notation-go does', async () => {
      const r = await env.cli(['verify', '-v', '-m', 'team=x', '--oci-layout', '--scope', 'local/test', `img@${image.digest}`]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain('level=error msg=User required metadata team=x is not present in the signature\n');
    });

    it('blob verify -v prints notation v2\'s blob statement', async () => {
      writeFileSync(join(env.dir, 'b.txt'), 'blob\n');
      const s = await env.cli(['blob', 'sign', 'b.txt']);
      expect(s.code, s.stderr).to.equal(0);
      const r = await env.cli(['blob', 'verify', '-v', '--signature', 'b.txt.jws.sig', 'b.txt']);
      expect(r.code, r.stderr).to.equal(0);
      expect(infoLines(r.stderr)).to.deep.equal([
        'level=info msg=Trust policy configuration: &{Name:b SignatureVerification:{VerificationLevel:strict Override:map[] VerifyTimestamp:} TrustStores:[ca:test] TrustedIdentities:[*] GlobalPolicy:true}',
        'level=info msg=Timestamp verification disabled: no tsa trust store is configured in trust policy',
      ]);
    });
  });

  describe('messages', () => {
    it('blob verify words an untrusted chain as notation v2 does; OCI verify as v1.3.2', async () => {
      writeTrustStore(env.cfg, 'ca', 'other', [await makeSelfSigned('EC-256')]);
      const pol = { signatureVerification: { level: 'strict' }, trustStores: ['ca:other'], trustedIdentities: ['*'] };
      writeFileSync(join(env.cfg, 'trustpolicy.blob.json'), JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'b', globalPolicy: true, ...pol }] }));
      writeFileSync(join(env.cfg, 'trustpolicy.oci.json'), JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['local/test'], ...pol }] }));
      writeFileSync(join(env.dir, 'b.txt'), 'blob\n');
      expect((await env.cli(['blob', 'sign', 'b.txt'])).code).to.equal(0);
      const blob = await env.cli(['blob', 'verify', '--signature', 'b.txt.jws.sig', 'b.txt']);
      expect(blob.stderr).to.equal('Error: signature verification failed: signature is not produced by a trusted signer\n');
      const oci = await env.cli(['verify', '-v', '--oci-layout', '--scope', 'local/test', `img@${image.digest}`]);
      expect(oci.stderr).to.contain("level=error msg=authenticity validation failed. Failure reason: the signature's certificate chain does not contain any trusted certificate\n");
    });

    it('OCI layout: a missing tag or digest is "not found"; a missing or non-directory path fails creating the store', async () => {
      const tag = await env.cli(['list', '--oci-layout', 'img:nope']);
      expect(tag.stderr).to.equal('Error: failed to get manifest descriptor: not found\n');
      const dig = await env.cli(['verify', '--oci-layout', '--scope', 'local/test', `img@sha256:${'0'.repeat(64)}`]);
      expect(dig.stderr).to.equal('Error: failed to get manifest descriptor: not found\n');
      const none = await env.cli(['list', '--oci-layout', 'nolay:v1']);
      expect(none.stderr).to.equal('Error: failed to create OCI store: stat nolay: no such file or directory\n');
      const file = await env.cli(['list', '--oci-layout', 'k.key:v1']);
      expect(file.stderr).to.equal('Error: failed to create OCI store: the input path is not a directory\n');
      expect([tag.code, dig.code, none.code, file.code]).to.deep.equal([1, 1, 1, 1]);
    });

    it('sign --expiry: a bad value is judged after the tag warning (notation-go checks it when signing starts)', async () => {
      const tag = await env.cli(['sign', '--oci-layout', '--expiry', '-1h', 'img:v1']);
      expect(tag.code).to.equal(1);
      expect(tag.stderr).to.equal(
        'Warning: Always sign the artifact using digest(@sha256:...) rather than a tag(:v1) because tags are mutable and a tag reference can point to a different artifact than the one signed.\n' +
          'Error: expiry duration cannot be a negative value\n',
      );
      const dig = await env.cli(['sign', '--oci-layout', '--expiry', '1.5s', `img@${image.digest}`]);
      expect(dig.stderr).to.equal('Error: expiry duration supports minimum granularity of seconds\n');
      // A value pflag cannot parse still fails first.
      const bad = await env.cli(['sign', '--oci-layout', '--expiry', '1d', '--key', 'nope', 'img:v1']);
      expect(bad.stderr).to.equal('Error: invalid argument "1d" for "-e, --expiry" flag: time: unknown unit "d" in duration "1d"\n');
    });

    it('--allow-referrers-api: hidden, in the sign flag group, and warned about as deprecated', async () => {
      const both = await env.cli(['sign', '--oci-layout', '--force-referrers-tag', 'img:v1']);
      expect(both.stderr).to.equal(
        'Error: if any flags in the group [oci-layout force-referrers-tag allow-referrers-api] are set none of the others can be; [force-referrers-tag oci-layout] were all set\n',
      );
      const api = await env.cli(['sign', '--oci-layout', '--allow-referrers-api', 'img:v1']);
      expect(api.stderr).to.contain('[allow-referrers-api oci-layout] were all set');
      const list = await env.cli(['list', '--allow-referrers-api', '--oci-layout', `img@${image.digest}`]);
      expect(list.code).to.equal(0);
      expect(list.stderr).to.equal("Warning: flag '--allow-referrers-api' is deprecated and will be removed in future versions.\n");
      const verify = await env.cli(['verify', '--allow-referrers-api=false', '--oci-layout', '--scope', 'local/test', `img@${image.digest}`]);
      expect(verify.code).to.equal(0);
      expect(verify.stderr).to.equal("Warning: flag '--allow-referrers-api' is deprecated and will be removed in future versions.\n");
      const help = await env.cli(['sign', '--help']);
      expect(help.stdout).to.contain('--force-referrers-tag').and.not.contain('allow-referrers-api');
    });
  });

  describe('Go renderings', () => {
    it('%+v of a descriptor with every field, and of a blob statement', () => {
      expect(
        goDescriptorString({
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: 'sha256:ab',
          size: 2,
          urls: ['https://a', 'https://b'],
          annotations: { z: '1', a: '2' },
          data: Buffer.from('{}').toString('base64'),
          platform: { architecture: 'arm64', os: 'linux', variant: 'v8', 'os.features': ['x'] },
          artifactType: 'application/x',
        }),
      ).to.equal(
        '{MediaType:application/vnd.oci.image.manifest.v1+json Digest:sha256:ab Size:2 URLs:[https://a https://b] Annotations:map[a:2 z:1] Data:[123 125] Platform:&{Architecture:arm64 OS:linux OSVersion: OSFeatures:[x] Variant:v8} ArtifactType:application/x}',
      );
      expect(goStatementString({ name: 'n', signatureVerification: { level: 'audit' }, trustStores: [], trustedIdentities: ['x509.subject:C=US, O=A'] }, 'blob')).to.equal(
        '&{Name:n SignatureVerification:{VerificationLevel:audit Override:map[] VerifyTimestamp:} TrustStores:[] TrustedIdentities:[x509.subject:C=US, O=A] GlobalPolicy:false}',
      );
    });

    it('RFC 3339 local time: Z for UTC, the offset otherwise', () => {
      const d = new Date(Date.UTC(2026, 10, 22, 7, 5, 9));
      const s = rfc3339Local(d);
      if (d.getTimezoneOffset() === 0) expect(s).to.equal('2026-11-22T07:05:09Z');
      else expect(s).to.match(/^2026-11-2\dT\d\d:\d\d:09[+-]\d\d:\d\d$/);
    });
  });

  describe('registry connection failures in net/http words', () => {
    let server: Server;
    let port: number;
    before(async () => {
      server = createHttpServer((_req, res) => res.end('{}'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    const failure = async (url: string) => {
      const t = new HttpTransport(`127.0.0.1:${new URL(url).port}`, { retries: 0, timeoutMs: 5000 });
      try {
        await t.send({ method: 'HEAD', url, maxBytes: 1024, idempotent: true });
      } catch (e) {
        return e as Error & { code?: string };
      }
      throw new Error('expected a failure');
    };

    it('HTTPS to a plain-HTTP server says so (not an OpenSSL dump); the URL names the registry', async () => {
      const e = await failure(`https://127.0.0.1:${port}/v2/`);
      expect(e.code).to.equal('REGISTRY_UNREACHABLE');
      expect(e.message).to.equal(`Head "https://127.0.0.1:${port}/v2/": http: server gave HTTP response to HTTPS client`);
    });

    it('a refused connection reads as Go\'s dial error', async () => {
      const closed = createHttpServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const p = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const e = await failure(`http://127.0.0.1:${p}/v2/`);
      expect(e.message).to.equal(`Head "http://127.0.0.1:${p}/v2/": dial tcp 127.0.0.1:${p}: connect: connection refused`);
    });

    it('unknown hosts and untrusted certificates; anything else keeps Node\'s text', () => {
      const wrap = (cause: object) => Object.assign(new TypeError('fetch failed'), { cause });
      expect(networkErrorText(wrap({ code: 'ENOTFOUND', hostname: 'nosuch.invalid', message: 'getaddrinfo ENOTFOUND nosuch.invalid' }))).to.equal('dial tcp: lookup nosuch.invalid: no such host');
      expect(networkErrorText(wrap({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }))).to.equal(
        'tls: failed to verify certificate: x509: certificate signed by unknown authority',
      );
      expect(networkErrorText(wrap({ code: 'ECONNRESET', message: 'socket hang up' }))).to.equal('socket hang up');
    });
  });
});
