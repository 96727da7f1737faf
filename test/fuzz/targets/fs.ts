/**
 * Directory-shaped inputs: trust store directories (files of every kind, stray
 * subdirectories, symlinks to files and to directories, a symlinked store) and
 * OCI image layouts (hostile index.json and signature manifests).
 *
 * Oracles: a trust store loads only when it is a real directory holding only
 * regular certificate files, and yields only CA/self-signed certificates (roots
 * for tsa); a layout never returns a blob whose bytes do not match its digest.
 */
import fc from 'fast-check';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509TrustStore } from '../../../src/truststore/index.js';
import { OciLayoutRepository } from '../../../src/oci/layout.js';
import { toPem } from '../../../src/x509/certificate.js';
import { makePki, makeTsaPki, type Pki } from '../../helpers/pki.js';
import { Finding, applyMutations, mutatedJson, mutations, target, typed, type Mutation } from '../harness.js';

type FileKind =
  | { kind: 'pem'; cert: number; count: number }
  | { kind: 'der'; cert: number }
  | { kind: 'mutated'; cert: number; muts: Mutation[] }
  | { kind: 'empty' }
  | { kind: 'garbage'; bytes: Uint8Array }
  | { kind: 'subdir' }
  | { kind: 'symlink-file'; cert: number }
  | { kind: 'symlink-dir' };

interface StoreInput {
  type: 'ca' | 'signingAuthority' | 'tsa';
  files: Array<{ name: string; file: FileKind }>;
  storeIsSymlink: boolean;
}

interface StoreCtx {
  dir: string;
  outside: string;
  certs: Uint8Array[];
  seq: number;
}

export const trustStoreTarget = target<StoreCtx, StoreInput>({
  name: 'truststore-dir',
  weight: 1,
  quickRuns: 300,
  async setup() {
    const pki: Pki = await makePki({ name: 'fuzz-store' });
    const tsa = await makeTsaPki();
    const dir = mkdtempSync(join(tmpdir(), 'notation-ts-fuzz-store-'));
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'root.pem'), pki.root.certPem);
    // leaf, intermediate, root, TSA root, TSA leaf
    return { dir, outside, certs: [pki.leaf.der, pki.intermediate.der, pki.root.der, tsa.root.der, tsa.leaf.der], seq: 0 };
  },
  teardown(ctx) {
    rmSync(ctx.dir, { recursive: true, force: true });
  },
  arbitrary(ctx) {
    const cert = fc.nat(ctx.certs.length - 1);
    const file: fc.Arbitrary<FileKind> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('pem' as const), cert, count: fc.integer({ min: 1, max: 3 }) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('der' as const), cert }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('mutated' as const), cert, muts: mutations(2) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'empty' as const }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ maxLength: 64 }) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'subdir' as const }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('symlink-file' as const), cert }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'symlink-dir' as const }) },
    );
    return fc.record({
      type: fc.constantFrom('ca' as const, 'signingAuthority' as const, 'tsa' as const),
      files: fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,11}$/), file }), { minLength: 0, maxLength: 5, selector: (f) => f.name }),
      storeIsSymlink: fc.boolean().map((b) => b && Math.random() < 0.3),
    });
  },
  check(ctx, input) {
    const config = join(ctx.dir, `c${ctx.seq++}`);
    const name = 'store';
    const typeDir = join(config, 'truststore', 'x509', input.type);
    const storeDir = join(typeDir, name);
    const real = input.storeIsSymlink ? join(ctx.dir, `real${ctx.seq}`) : storeDir;
    mkdirSync(typeDir, { recursive: true });
    mkdirSync(real, { recursive: true });
    if (input.storeIsSymlink) symlinkSync(real, storeDir);
    let hostileEntry = false;
    for (const { name: f, file } of input.files) {
      const p = join(real, f);
      switch (file.kind) {
        case 'pem':
          writeFileSync(p, Array.from({ length: file.count }, () => toPem(ctx.certs[file.cert])).join(''));
          break;
        case 'der':
          writeFileSync(p, ctx.certs[file.cert]);
          break;
        case 'mutated':
          writeFileSync(p, applyMutations(ctx.certs[file.cert], file.muts));
          break;
        case 'empty':
          writeFileSync(p, '');
          break;
        case 'garbage':
          writeFileSync(p, file.bytes);
          break;
        case 'subdir':
          mkdirSync(p);
          hostileEntry = true;
          break;
        case 'symlink-file':
          symlinkSync(join(ctx.outside, 'root.pem'), p);
          hostileEntry = true;
          break;
        case 'symlink-dir':
          symlinkSync(ctx.outside, p);
          hostileEntry = true;
          break;
      }
    }
    try {
      const r = typed(() => new X509TrustStore(config).getCertificates(input.type, name));
      if (!r.value) return;
      if (input.storeIsSymlink) throw new Finding('a symlinked trust store directory was loaded');
      if (hostileEntry) throw new Finding('a trust store with a subdirectory or a symlink inside was loaded');
      if (r.value.length === 0) throw new Finding('an empty trust store was loaded');
      for (const c of r.value) {
        const selfSigned = c.isSelfSigned();
        if (input.type === 'tsa' && !selfSigned) throw new Finding(`tsa store yielded a non-root ${c.subject}`);
        if (!selfSigned && !c.basicConstraints?.cA) throw new Finding(`trust store yielded a non-CA, non-self-signed ${c.subject}`);
      }
    } finally {
      rmSync(config, { recursive: true, force: true });
      if (input.storeIsSymlink) rmSync(real, { recursive: true, force: true });
    }
  },
});

// ---------------------------------------------------------------------------

interface LayoutCtx {
  dir: string;
  index: string;
  manifest: string;
  subject: { mediaType: string; digest: string; size: number };
}

type LayoutInput = { kind: 'index'; text: string } | { kind: 'manifest'; text: string };

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export const ociLayoutTarget = target<LayoutCtx, LayoutInput>({
  name: 'oci-layout',
  weight: 1,
  quickRuns: 300,
  async setup() {
    const dir = mkdtempSync(join(tmpdir(), 'notation-ts-fuzz-layout-'));
    const repo = new OciLayoutRepository(dir);
    const art = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 }, layers: [] }));
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'blobs', 'sha256', sha(art).slice(7)), art);
    const subject = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(art), size: art.length };
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...subject, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }] }));
    const { manifestDescriptor } = await repo.pushSignature('application/jose+json', Buffer.from('{"payload":"x"}'), subject, {});
    const manifest = Buffer.from(repo.fetchManifest(manifestDescriptor)).toString('utf8');
    return { dir, index: JSON.stringify({ schemaVersion: 2, manifests: [{ ...subject, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }] }), manifest, subject };
  },
  teardown(ctx) {
    rmSync(ctx.dir, { recursive: true, force: true });
  },
  arbitrary(ctx) {
    return fc.oneof(fc.record({ kind: fc.constant('index' as const), text: mutatedJson([ctx.index]) }), fc.record({ kind: fc.constant('manifest' as const), text: mutatedJson([ctx.manifest]) }));
  },
  check(ctx, input) {
    let index = input.text;
    if (input.kind === 'manifest') {
      // A hostile signature manifest, stored under its own digest and listed in index.json.
      const bytes = Buffer.from(input.text, 'latin1');
      writeFileSync(join(ctx.dir, 'blobs', 'sha256', sha(bytes).slice(7)), bytes);
      const doc = JSON.parse(ctx.index);
      doc.manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(bytes), size: bytes.length });
      index = JSON.stringify(doc);
    }
    writeFileSync(join(ctx.dir, 'index.json'), index, 'latin1');
    const repo = typed(() => new OciLayoutRepository(ctx.dir)).value;
    if (!repo) return;
    const subject = typed(() => repo.resolveSync('v1')).value ?? ctx.subject;
    const sigs = typed(() => repo.listSignaturesSync(subject)).value ?? [];
    for (const s of sigs) {
      const r = typed(() => repo.fetchSignatureBlobSync(s)).value;
      if (r && sha(r.blob) !== r.descriptor.digest) throw new Finding('layout returned a signature blob that does not match its digest');
    }
  },
});
