import { expect } from 'chai';
import fc from 'fast-check';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { OciLayoutRepository } from '../src/oci/layout.js';
import {
  buildSignatureManifest,
  isNotationSignatureManifest,
  parseImageManifest,
  signatureManifestAnnotations,
} from '../src/oci/manifest.js';
import { parseOciLayoutReference, parseRegistryReference } from '../src/oci/reference.js';
import { digestProblem, sha256Digest } from '../src/oci/digest.js';
import { NotationError } from '../src/errors.js';
import type { Descriptor } from '../src/oci/types.js';
import { sharedPath } from './helpers/shared.js';

const MADE = sharedPath('notation-made/oci/');
const E2E = sharedPath('conformance/fixtures/notation/test/e2e/testdata/registry/oci_layout/');
const SUBJECT: Descriptor = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: 'sha256:11ecf776c3fa005fa46d9548a5233014995d4322bb1e8b913c79c0388c17c993',
  size: 401,
};

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(NotationError);
    return (e as NotationError).code;
  }
  return undefined;
}
async function codeOfAsync(f: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await f();
  } catch (e) {
    expect(e).to.be.instanceOf(NotationError);
    return (e as NotationError).code;
  }
  return undefined;
}

function copyLayout(name: string, from = MADE): string {
  const dir = mkdtempSync(join(tmpdir(), 'oci-layout-test-'));
  cpSync(join(from, name), dir, { recursive: true });
  return dir;
}

function writeBlob(dir: string, bytes: Uint8Array): string {
  const d = sha256Digest(bytes);
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'blobs', 'sha256', d.slice(7)), bytes);
  return d;
}

function addToIndex(dir: string, desc: Descriptor): void {
  const p = join(dir, 'index.json');
  const idx = JSON.parse(readFileSync(p, 'utf8'));
  idx.manifests.push(desc);
  writeFileSync(p, JSON.stringify(idx));
}

describe('oci references', () => {
  it('splits OCI layout references at the last @, else the last :', () => {
    expect(parseOciLayoutReference('a/b@sha256:' + 'a'.repeat(64))).to.deep.equal({ path: 'a/b', reference: 'sha256:' + 'a'.repeat(64), isDigest: true });
    expect(parseOciLayoutReference('./x:y/layout:v1')).to.deep.include({ path: './x:y/layout', reference: 'v1', isDigest: false });
    expect(parseOciLayoutReference('a@b@c')).to.deep.include({ path: 'a@b', reference: 'c' });
    expect(codeOf(() => parseOciLayoutReference('layout'))).to.equal('MISSING_REFERENCE');
    expect(codeOf(() => parseOciLayoutReference('C:\\layout'))).to.equal('MISSING_REFERENCE');
    expect(codeOf(() => parseOciLayoutReference(':v1'))).to.equal('INVALID_REFERENCE');
    expect(codeOf(() => parseOciLayoutReference('layout@'))).to.equal('MISSING_REFERENCE');
    try {
      parseOciLayoutReference('layout');
    } catch (e) {
      expect((e as Error).message).to.equal('"layout": invalid reference: missing tag or digest. Expecting <file_path>:<tag> or <file_path>@<digest>');
    }
  });

  it('parses registry references as oras-go v2', () => {
    const d = 'sha256:' + 'b'.repeat(64);
    expect(parseRegistryReference('localhost:5000/net-monitor:v1')).to.deep.equal({ registry: 'localhost:5000', repository: 'net-monitor', reference: 'v1', tag: 'v1' });
    expect(parseRegistryReference(`r.io/a/b:ignored@${d}`)).to.deep.equal({ registry: 'r.io', repository: 'a/b', reference: d, digest: d });
    expect(parseRegistryReference('r.io/a')).to.deep.equal({ registry: 'r.io', repository: 'a', reference: '' });
    expect(codeOf(() => parseRegistryReference('r.io/a', { requireReference: true }))).to.equal('MISSING_REFERENCE');
    expect(codeOf(() => parseRegistryReference('alpine:v1'))).to.equal('INVALID_REFERENCE');
    expect(codeOf(() => parseRegistryReference('r.io/UPPER:v1'))).to.equal('INVALID_REFERENCE');
    expect(codeOf(() => parseRegistryReference('r.io/a:-bad'))).to.equal('INVALID_REFERENCE');
    expect(codeOf(() => parseRegistryReference('r.io/a@sha256:abc'))).to.equal('INVALID_REFERENCE');
    try {
      parseRegistryReference('r.io/a@sha256:abc');
    } catch (e) {
      expect((e as Error).message).to.equal('"r.io/a@sha256:abc": invalid reference: invalid digest "sha256:abc": invalid checksum digest length. Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>');
    }
  });

  it('never crashes on arbitrary references (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        for (const f of [() => parseRegistryReference(s), () => parseOciLayoutReference(s)]) {
          try {
            f();
          } catch (e) {
            if (!(e instanceof NotationError)) throw e;
          }
        }
      }),
    );
  });

  it('round-trips generated valid registry references (property)', () => {
    const comp = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(comp, fc.array(comp, { minLength: 1, maxLength: 3 }), fc.option(fc.stringMatching(/^\w[\w.-]{0,20}$/)), (host, parts, tag) => {
        const raw = `${host}.io/${parts.join('/')}${tag ? ':' + tag : ''}`;
        const r = parseRegistryReference(raw);
        expect(r.repository).to.equal(parts.join('/'));
        expect(r.reference).to.equal(tag ?? '');
      }),
    );
  });

  it('validates digests as go-digest does', () => {
    expect(digestProblem('sha256:' + 'a'.repeat(64))).to.equal(undefined);
    expect(digestProblem('sha256:' + 'A'.repeat(64))).to.equal('invalid checksum digest format');
    expect(digestProblem('sha256:abc')).to.equal('invalid checksum digest length');
    expect(digestProblem('md5:abc')).to.equal('unsupported digest algorithm');
    expect(digestProblem('nocolon')).to.equal('invalid checksum digest format');
    expect(digestProblem('sha512:' + 'a'.repeat(128))).to.equal(undefined);
  });
});

describe('signature manifests', () => {
  const blobDescriptor: Descriptor = { mediaType: 'application/jose+json', digest: 'sha256:' + '1'.repeat(64), size: 10 };

  it('builds the OCI 1.1 form byte-for-byte as newer notation-go (field order, empty config with data, sorted annotations)', () => {
    const built = buildSignatureManifest({
      form: 'artifactType',
      blobDescriptor,
      subject: SUBJECT,
      annotations: { 'org.opencontainers.image.created': '2026-01-02T03:04:05Z', 'io.cncf.notary.x509chain.thumbprint#S256': '["ab"]', 'z<&>': 'v' },
    });
    const expected =
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.cncf.notary.signature",' +
      '"config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},' +
      '"layers":[{"mediaType":"application/jose+json","digest":"sha256:' + '1'.repeat(64) + '","size":10}],' +
      '"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"' + SUBJECT.digest + '","size":401},' +
      '"annotations":{"io.cncf.notary.x509chain.thumbprint#S256":"[\\"ab\\"]","org.opencontainers.image.created":"2026-01-02T03:04:05Z","z\\u003c\\u0026\\u003e":"v"}}';
    expect(Buffer.from(built.bytes).toString()).to.equal(expected);
    expect(built.descriptor).to.deep.include({ mediaType: 'application/vnd.oci.image.manifest.v1+json', size: expected.length, artifactType: 'application/vnd.cncf.notary.signature' });
    expect(built.descriptor.digest).to.equal('sha256:' + createHash('sha256').update(expected).digest('hex'));
  });

  it('by default builds exactly the manifest released notation wrote (legacy config form)', () => {
    const layout = sharedPath('notation-made/oci/oci-jws-rsa');
    const want = readFileSync(join(layout, 'blobs/sha256/dafa0239ec363afad86e4b8d92eeb75ed4c69a54f92c4cfe6930e55e027af460'));
    const m = JSON.parse(want.toString());
    const built = buildSignatureManifest({ blobDescriptor: m.layers[0], subject: m.subject, annotations: m.annotations });
    expect(Buffer.from(built.bytes).toString()).to.equal(want.toString());
    expect(built.descriptor.digest).to.equal('sha256:dafa0239ec363afad86e4b8d92eeb75ed4c69a54f92c4cfe6930e55e027af460');
    expect(built.descriptor.artifactType).to.equal('application/vnd.cncf.notary.signature');
  });

  it('adds a created time when missing and rejects a non-RFC 3339 one', () => {
    const b = buildSignatureManifest({ blobDescriptor, subject: SUBJECT, now: new Date('2026-05-06T07:08:09.999Z') });
    expect(b.manifest.annotations).to.deep.equal({ 'org.opencontainers.image.created': '2026-05-06T07:08:09Z' });
    expect(codeOf(() => buildSignatureManifest({ blobDescriptor, subject: SUBJECT, annotations: { 'org.opencontainers.image.created': 'yesterday' } }))).to.equal('INVALID_DATE_TIME_FORMAT');
  });

  it('computes the thumbprint annotation in lowercase hex, chain order', () => {
    const a = signatureManifestAnnotations([Buffer.from('leaf'), Buffer.from('root')], new Date('2026-01-01T00:00:00.5Z'), {
      'io.cncf.notary.x509chain.thumbprint#S256': 'plugin value is overwritten',
      other: 'kept',
    });
    const h = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(JSON.parse(a['io.cncf.notary.x509chain.thumbprint#S256']!)).to.deep.equal([h('leaf'), h('root')]);
    expect(a['io.cncf.notary.x509chain.thumbprint#S256']).to.equal(a['io.cncf.notary.x509chain.thumbprint#S256']!.toLowerCase());
    expect(a['org.opencontainers.image.created']).to.equal('2026-01-01T00:00:00Z');
    expect(a.other).to.equal('kept');
  });

  it('recognises notary signature manifests as notation does', () => {
    const m = (o: object) => parseImageManifest(Buffer.from(JSON.stringify(o)));
    const empty = { mediaType: 'application/vnd.oci.empty.v1+json', digest: '', size: 2 };
    expect(isNotationSignatureManifest(m({ artifactType: 'application/vnd.cncf.notary.signature', config: empty }))).to.equal(true);
    expect(isNotationSignatureManifest(m({ config: { mediaType: 'application/vnd.cncf.notary.signature' } }))).to.equal(true);
    expect(isNotationSignatureManifest(m({ artifactType: 'application/vnd.cncf.notary.signature', config: { mediaType: 'other' } }))).to.equal(false);
    expect(isNotationSignatureManifest(m({ artifactType: 'other', config: empty }))).to.equal(false);
    expect(isNotationSignatureManifest(m({ config: empty }))).to.equal(false);
    expect(isNotationSignatureManifest({ artifactType: 'application/vnd.cncf.notary.signature' }, 'application/vnd.oci.artifact.manifest.v1+json')).to.equal(true);
    expect(codeOf(() => parseImageManifest(Buffer.from('[1]')))).to.equal('MALFORMED_SIGNATURE_MANIFEST');
    expect(codeOf(() => parseImageManifest(Buffer.from('{"layers":{}}')))).to.equal('MALFORMED_SIGNATURE_MANIFEST');
  });

  it('parses arbitrary bytes into a manifest or a typed error (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (s) => {
        try {
          parseImageManifest(Buffer.from(s));
        } catch (e) {
          expect((e as NotationError).code).to.equal('MALFORMED_SIGNATURE_MANIFEST');
        }
      }),
    );
  });
});

describe('OciLayoutRepository', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const layout = (name: string, from?: string) => {
    const d = copyLayout(name, from);
    dirs.push(d);
    return d;
  };

  it('resolves tags to the full index entry and digests to a plain descriptor', async () => {
    const repo = new OciLayoutRepository(join(MADE, 'oci-jws-rsa'));
    expect(await repo.resolve('v1')).to.deep.equal({ ...SUBJECT, annotations: { 'org.opencontainers.image.ref.name': 'v1' } });
    expect(await repo.resolve(SUBJECT.digest)).to.deep.equal(SUBJECT);
    expect(await codeOfAsync(() => repo.resolve('v2'))).to.equal('NOT_FOUND');
    expect(await codeOfAsync(() => repo.resolve('sha256:' + '0'.repeat(64)))).to.equal('NOT_FOUND');
    // A digest of a non-manifest blob resolves like oras' oci.Store: octet-stream.
    const cfg = 'sha256:7b7105cd3916163308e22791ef05fe85becb46006a12c50e3e6921c35c6a8828';
    expect(await repo.resolve(cfg)).to.deep.equal({ mediaType: 'application/octet-stream', digest: cfg, size: 163 });
  });

  it('lists the notation v1.3.2 (legacy) signature and fetches its envelope', async () => {
    const repo = new OciLayoutRepository(join(MADE, 'oci-jws-rsa'));
    const pages: Descriptor[][] = [];
    for await (const p of repo.listSignatures(SUBJECT)) pages.push(p);
    expect(pages).to.have.length(1);
    expect(pages[0]).to.have.length(1);
    const sig = pages[0]![0]!;
    expect(sig.artifactType).to.equal('application/vnd.cncf.notary.signature');
    expect(sig.annotations).to.have.property('io.cncf.notary.x509chain.thumbprint#S256');
    const { blob, descriptor } = await repo.fetchSignatureBlob(sig);
    expect(descriptor.mediaType).to.equal('application/jose+json');
    expect(Buffer.compare(Buffer.from(blob), readFileSync(join(MADE, '../envelopes/oci-jws-rsa.jws')))).to.equal(0);
    // Another subject (same digest, different media type) has no signatures: oras compares mediaType, digest and size.
    expect(repo.listSignaturesSync({ ...SUBJECT, mediaType: 'application/vnd.oci.image.index.v1+json' })).to.deep.equal([]);
  });

  it('finds signatures listed only in a referrers tag-schema index', () => {
    const dir = layout('e2e-valid-multiple-signatures', E2E);
    const idx = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    // Keep only the image and the sha256-<hex> index (which lists one of the two signatures).
    idx.manifests = idx.manifests.slice(0, 2);
    writeFileSync(join(dir, 'index.json'), JSON.stringify(idx));
    const repo = new OciLayoutRepository(dir);
    const sigs = repo.listSignaturesSync(repo.resolveSync('v1'));
    expect(sigs.map((s) => s.digest)).to.deep.equal(['sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f']);
  });

  it('pushes a signature exactly as notation and lists it untagged in index.json', async () => {
    const dir = layout('oci-cose-rsa');
    const before = readFileSync(join(dir, 'index.json'), 'utf8');
    const repo = new OciLayoutRepository(dir, { now: () => new Date('2026-03-04T05:06:07Z') });
    const envelope = Buffer.from('fake envelope bytes');
    const { blobDescriptor, manifestDescriptor } = await repo.pushSignature('application/cose', envelope, SUBJECT, { 'io.cncf.notary.x509chain.thumbprint#S256': '["aa"]' });
    expect(blobDescriptor).to.deep.equal({ mediaType: 'application/cose', digest: sha256Digest(envelope), size: envelope.length });
    const idx = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(idx.manifests).to.have.length(JSON.parse(before).manifests.length + 1);
    const entry = idx.manifests.at(-1);
    expect(entry).to.deep.equal({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: manifestDescriptor.digest,
      size: manifestDescriptor.size,
      annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["aa"]', 'org.opencontainers.image.created': '2026-03-04T05:06:07Z' },
    });
    expect(Object.keys(entry)).to.deep.equal(['mediaType', 'digest', 'size', 'annotations']);
    const manifest = JSON.parse(readFileSync(join(dir, 'blobs/sha256', manifestDescriptor.digest.slice(7)), 'utf8'));
    expect(manifest.config).to.deep.equal({ mediaType: 'application/vnd.cncf.notary.signature', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 });
    expect(manifest.artifactType).to.equal(undefined);
    expect(manifest.subject).to.deep.equal(SUBJECT);
    const sigs = repo.listSignaturesSync(SUBJECT);
    expect(sigs.map((s) => s.digest)).to.include(manifestDescriptor.digest).and.have.length(2);
    expect(Buffer.from((await repo.fetchSignatureBlob(manifestDescriptor)).blob).toString()).to.equal('fake envelope bytes');
    // Pushing the same signature again does not duplicate the index entry.
    await repo.pushSignature('application/cose', envelope, SUBJECT, { 'io.cncf.notary.x509chain.thumbprint#S256': '["aa"]' });
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).manifests).to.have.length(idx.manifests.length);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).to.deep.equal([]);
  });

  it('keeps every signature when 16 pushes run concurrently', async () => {
    const dir = layout('oci-cose-rsa');
    const repos = Array.from({ length: 16 }, () => new OciLayoutRepository(dir));
    const pushed = await Promise.all(repos.map((r, i) => r.pushSignature('application/cose', Buffer.from(`envelope ${i}`), SUBJECT, {})));
    const listed = new OciLayoutRepository(dir).listSignaturesSync(SUBJECT).map((d) => d.digest);
    for (const p of pushed) expect(listed).to.include(p.manifestDescriptor.digest);
    expect(listed).to.have.length(17);
  });

  it('refuses tampered, oversized and malformed content with typed errors', async () => {
    const dir = layout('oci-jws-rsa');
    // No blob cache: every read below must see the files as they are now.
    const repo = new OciLayoutRepository(dir, { blobCacheBytes: 0 });
    const [sig] = repo.listSignaturesSync(SUBJECT);
    const manifest = JSON.parse(readFileSync(join(dir, 'blobs/sha256', sig!.digest.slice(7)), 'utf8'));
    // Tampered envelope: digest mismatch.
    writeFileSync(join(dir, 'blobs/sha256', manifest.layers[0].digest.slice(7)), 'tampered');
    expect(await codeOfAsync(() => repo.fetchSignatureBlob(sig!))).to.equal('SIZE_MISMATCH');
    // Manifest descriptor over 4 MiB is refused before reading.
    expect(await codeOfAsync(() => repo.fetchSignatureBlob({ ...sig!, size: 4 * 1024 * 1024 + 1 }))).to.equal('SIGNATURE_MANIFEST_TOO_LARGE');
    expect(await codeOfAsync(() => repo.fetchSignatureBlob({ ...sig!, mediaType: 'application/json' }))).to.equal('SIGNATURE_MANIFEST_MEDIA_TYPE');
    // Two layers.
    const two = Buffer.from(JSON.stringify({ ...manifest, layers: [manifest.layers[0], manifest.layers[0]] }));
    const twoDigest = writeBlob(dir, two);
    const twoDesc = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: twoDigest, size: two.length };
    expect(await codeOfAsync(() => repo.fetchSignatureBlob(twoDesc))).to.equal('SIGNATURE_MANIFEST_LAYER_COUNT');
    // Envelope layer over 32 MiB.
    const big = Buffer.from(JSON.stringify({ ...manifest, layers: [{ ...manifest.layers[0], size: 32 * 1024 * 1024 + 1 }] }));
    const bigDesc = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: writeBlob(dir, big), size: big.length };
    expect(await codeOfAsync(() => repo.fetchSignatureBlob(bigDesc))).to.equal('SIGNATURE_BLOB_TOO_LARGE');
    // Same size, different bytes: digest mismatch.
    const manifestPath = join(dir, 'blobs/sha256', sig!.digest.slice(7));
    const mbytes = readFileSync(manifestPath);
    mbytes[mbytes.length - 2] = 0x20;
    writeFileSync(manifestPath, mbytes);
    expect(await codeOfAsync(() => repo.fetchSignatureBlob(sig!))).to.equal('DIGEST_MISMATCH');
    expect(codeOf(() => repo.listSignaturesSync(SUBJECT))).to.equal('DIGEST_MISMATCH');
  });

  it('keeps digest-checked blobs in memory; a tampered file is seen by a new instance, never cached', async () => {
    const dir = layout('oci-jws-rsa');
    const repo = new OciLayoutRepository(dir);
    const [sig] = repo.listSignaturesSync(SUBJECT);
    const first = await repo.fetchSignatureBlob(sig!);
    const manifest = JSON.parse(readFileSync(join(dir, 'blobs/sha256', sig!.digest.slice(7)), 'utf8'));
    const envelopePath = join(dir, 'blobs/sha256', manifest.layers[0].digest.slice(7));
    const original = readFileSync(envelopePath);
    expect(Buffer.from(first.blob).equals(original)).to.equal(true);
    // Same size, other bytes: the cached copy (which matched its digest) is still served.
    const tampered = Buffer.from(original);
    tampered[10] ^= 1;
    writeFileSync(envelopePath, tampered);
    const again = await repo.fetchSignatureBlob(sig!);
    expect(Buffer.from(again.blob).equals(original)).to.equal(true);
    // What a caller gets is its own copy.
    again.blob[0] ^= 1;
    expect(Buffer.from((await repo.fetchSignatureBlob(sig!)).blob).equals(original)).to.equal(true);
    // A new instance reads the file and refuses it; the bad bytes never enter its cache.
    const fresh = new OciLayoutRepository(dir);
    expect(await codeOfAsync(() => fresh.fetchSignatureBlob(sig!))).to.equal('DIGEST_MISMATCH');
    expect(await codeOfAsync(() => fresh.fetchSignatureBlob(sig!))).to.equal('DIGEST_MISMATCH');
    writeFileSync(envelopePath, original);
    expect(Buffer.from((await fresh.fetchSignatureBlob(sig!)).blob).equals(original)).to.equal(true);
  });

  it('skips artifactType signatures with a non-empty config, with a warning', () => {
    const dir = layout('oci-jws-rsa');
    const bad = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.cncf.notary.signature',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:' + '2'.repeat(64), size: 2 }, layers: [], subject: SUBJECT,
    }));
    addToIndex(dir, { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: writeBlob(dir, bad), size: bad.length });
    const warnings: string[] = [];
    const repo = new OciLayoutRepository(dir, { logger: { warn: (m) => warnings.push(m) } });
    expect(repo.listSignaturesSync(SUBJECT)).to.have.length(1);
    expect(warnings).to.deep.equal(['not a valid Notary Project signature with artifactType "application/vnd.cncf.notary.signature", but config.mediaType is "application/vnd.oci.image.config.v1+json"']);
  });

  it('rejects a path that is not a layout directory or has a bad layout/index file', () => {
    expect(codeOf(() => new OciLayoutRepository('/nonexistent/layout'))).to.equal('LAYOUT_NOT_FOUND');
    expect(codeOf(() => new OciLayoutRepository(join(MADE, 'oci-jws-rsa', 'index.json')))).to.equal('LAYOUT_NOT_DIRECTORY');
    const dir = layout('oci-jws-rsa');
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    expect(codeOf(() => new OciLayoutRepository(dir))).to.equal('INVALID_LAYOUT');
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(dir, 'index.json'), '{"manifests":5}');
    expect(codeOf(() => new OciLayoutRepository(dir).resolveSync('v1'))).to.equal('INVALID_INDEX');
  });
});
