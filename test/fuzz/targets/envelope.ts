/**
 * COSE and JWS envelopes: byte mutations of real signatures, random bytes, hostile
 * but correctly re-signed protected headers (permuted, duplicated, deeply nested,
 * wrong alg), and hostile unprotected parts (x5c/x5chain reshuffles, deep nesting).
 *
 * Verdict oracle: an envelope that verifies must carry exactly the signed content
 * of the seed it came from (payload, signature, signed attributes, leaf), i.e. a
 * mutation of signed bytes never passes; re-signed headers pass only when they are
 * a valid Notary header (no duplicate labels, alg = the leaf's).
 */
import fc from 'fast-check';
import { sign as cryptoSign, constants, type KeyObject } from 'node:crypto';
import { parseEnvelope, signEnvelope, MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, PAYLOAD_CONTENT_TYPE, algorithmByKeySpec, type EnvelopeContent } from '../../../src/envelope/index.js';
import { encodeCbor, Tagged, type CborValue } from '../../../src/cose/cbor.js';
import { toBeSigned } from '../../../src/cose/envelope.js';
import { LocalSigner } from '../../../src/signer/local.js';
import { parseTargetArtifact } from '../../../src/verifier/verifier.js';
import { makePki, type Pki } from '../../helpers/pki.js';
import { Finding, applyMutations, mutations, sameBytes, target, typed } from '../harness.js';

const SCHEME = 'io.cncf.notary.signingScheme';
const STIME = 'io.cncf.notary.signingTime';
const EXPIRY = 'io.cncf.notary.expiry';
const PAYLOAD = Buffer.from(
  JSON.stringify({ targetArtifact: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'ab'.repeat(32)}`, size: 1234, annotations: { a: 'b' } } }),
);

interface Seed {
  mediaType: typeof MEDIA_TYPE_COSE | typeof MEDIA_TYPE_JWS;
  bytes: Uint8Array;
  ref: EnvelopeContent;
  pki: Pki;
}

interface Ctx {
  seeds: Seed[];
  pkis: Pki[];
}

/** What "the same signed content" means for the oracle. */
function sameSigned(a: EnvelopeContent, b: EnvelopeContent): boolean {
  const sa = a.signerInfo.signedAttributes;
  const sb = b.signerInfo.signedAttributes;
  return (
    sameBytes(a.payload.content, b.payload.content) &&
    a.payload.contentType === b.payload.contentType &&
    sameBytes(a.signerInfo.signature, b.signerInfo.signature) &&
    a.signerInfo.signatureAlgorithm === b.signerInfo.signatureAlgorithm &&
    sa.signingScheme === sb.signingScheme &&
    sa.signingTime.getTime() === sb.signingTime.getTime() &&
    (sa.expiry?.getTime() ?? 0) === (sb.expiry?.getTime() ?? 0) &&
    JSON.stringify(sa.extendedAttributes) === JSON.stringify(sb.extendedAttributes) &&
    sameBytes(a.signerInfo.certificateChain[0].raw, b.signerInfo.certificateChain[0].raw)
  );
}

/** Full integrity path as the verifier runs it, plus the post-verification payload parse. */
function verifyAll(mediaType: string, bytes: Uint8Array): EnvelopeContent | undefined {
  const r = typed(() => {
    const env = parseEnvelope(mediaType, bytes);
    env.content();
    const c = env.verify();
    parseTargetArtifact(c);
    return c;
  });
  return r.value;
}

// ---- COSE protected headers built by hand (duplicates and any order allowed) ----

type Entry = [CborValue, CborValue];

function cborMap(entries: Entry[]): Buffer {
  const n = entries.length;
  const head = n < 24 ? Buffer.of(0xa0 | n) : Buffer.of(0xb8, n);
  return Buffer.concat([head, ...entries.flatMap(([k, v]) => [Buffer.from(encodeCbor(k)), Buffer.from(encodeCbor(v))])]);
}

function nestedArray(depth: number): Buffer {
  return Buffer.concat([Buffer.alloc(depth, 0x81), Buffer.of(0x01)]);
}

function signWith(pki: Pki, coseOrJwsAlg: { kind: 'rsa' | 'ec'; nodeHash: string; hashLength: number }, data: Uint8Array): Buffer {
  const key: KeyObject = pki.leaf.key;
  return coseOrJwsAlg.kind === 'rsa'
    ? cryptoSign(coseOrJwsAlg.nodeHash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: coseOrJwsAlg.hashLength })
    : cryptoSign(coseOrJwsAlg.nodeHash, data, { key, dsaEncoding: 'ieee-p1363' });
}

interface CoseHeaderCase {
  pki: number;
  /** Base entries, permuted. */
  order: number[];
  /** Duplicate one entry (index) with another value. */
  dup?: { index: number; value: CborValue };
  /** Extra entries (extended attributes, maybe critical, maybe deeply nested). */
  extra: Array<{ key: string | number; value: CborValue; critical: boolean }>;
  /** Override alg. */
  alg?: number;
  /** Deep nesting spliced into the unprotected header (not signed). */
  unprotectedDepth?: number;
  /** x5chain reshuffle (indices into the real chain; may repeat or drop). */
  chain?: number[];
}

const cborValue: fc.Arbitrary<CborValue> = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.uint8Array({ maxLength: 20 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 4 }),
  fc.integer({ min: 0, max: 2 ** 31 }).map((n) => new Tagged(1, n)),
);

/** Mostly absent: each hostile feature shows up in about one case in four. */
function rarely<T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
}

/** A permutation of the five base header entries, sometimes with one dropped. */
const headerOrder = fc.oneof(
  { weight: 4, arbitrary: fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5, maxLength: 5 }) },
  { weight: 1, arbitrary: fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 4, maxLength: 4 }) },
);

function coseHeaderCase(npki: number): fc.Arbitrary<CoseHeaderCase> {
  return fc.record(
    {
      pki: fc.nat(npki - 1),
      order: headerOrder,
      dup: rarely(fc.record({ index: fc.nat(4), value: cborValue })),
      extra: fc.array(
        fc.record({ key: fc.oneof(fc.constantFrom('com.acme.x', 'io.cncf.notary.verificationPlugin', EXPIRY, 'crit'), fc.integer({ min: -40, max: 40 })), value: cborValue, critical: fc.boolean() }),
        { maxLength: 3 },
      ),
      alg: rarely(fc.constantFrom(-7, -35, -36, -37, -38, -39, -8, 0, -257)),
      unprotectedDepth: rarely(fc.integer({ min: 1, max: 5000 })),
      chain: rarely(fc.array(fc.nat(2), { maxLength: 5 })),
    },
  );
}

export function buildCose(ctx: Ctx, c: CoseHeaderCase): { bytes: Buffer; expectReject: boolean } {
  const pki = ctx.pkis[c.pki];
  const alg = algorithmByKeySpec(pki.keySpec as 'EC-256')!;
  const crit: CborValue[] = [SCHEME, ...c.extra.filter((e) => e.critical).map((e) => e.key)];
  const base: Entry[] = [
    [1, c.alg ?? alg.cose],
    [2, crit],
    [3, PAYLOAD_CONTENT_TYPE],
    [SCHEME, 'notary.x509'],
    [STIME, new Tagged(1, Math.floor(Date.now() / 1000) - 60)],
  ];
  const entries: Entry[] = c.order.map((i) => base[i]);
  for (const e of c.extra) entries.push([e.key, e.value]);
  let duplicated = false;
  if (c.dup) {
    entries.push([base[c.dup.index][0], c.dup.value]);
    duplicated = true;
  }
  const keys = entries.map(([k]) => Buffer.from(encodeCbor(k)).toString('hex'));
  duplicated = new Set(keys).size !== keys.length;
  const prot = cborMap(entries);
  const sig = signWith(pki, alg, toBeSigned(prot, PAYLOAD));
  const chain = (c.chain && c.chain.length ? c.chain : [0, 1, 2]).map((i) => Buffer.from(pki.chain[i].raw));
  const unprot: Buffer[] = [Buffer.from(encodeCbor(33)), Buffer.from(encodeCbor(chain))];
  let n = 1;
  if (c.unprotectedDepth) {
    unprot.push(Buffer.from(encodeCbor('com.acme.deep')), nestedArray(c.unprotectedDepth));
    n++;
  }
  const bytes = Buffer.concat([Buffer.of(0xd2, 0x84), Buffer.from(encodeCbor(prot)), Buffer.of(0xa0 | n), ...unprot, Buffer.from(encodeCbor(PAYLOAD)), Buffer.from(encodeCbor(sig))]);
  const wrongAlg = c.alg !== undefined && c.alg !== alg.cose;
  // A dropped base entry may come back through `dup` (found by the long run).
  const missingBase = base.some(([k]) => !keys.includes(Buffer.from(encodeCbor(k)).toString('hex')));
  return { bytes, expectReject: duplicated || wrongAlg || missingBase || (c.unprotectedDepth ?? 0) > 32 };
}

// ---- JWS protected headers as JSON text (permutation, duplicates, nesting) ----

interface JwsHeaderCase {
  pki: number;
  order: number[];
  dup?: { index: number; value: unknown };
  extra: Array<{ key: string; value: unknown; critical: boolean }>;
  alg?: string;
  depth?: number;
  /** Reorder / repeat x5c entries. */
  chain?: number[];
  /** Rename an outer member with another case ("Payload"), as Go matches case-insensitively. */
  outerCase?: boolean;
}

function jwsHeaderCase(npki: number): fc.Arbitrary<JwsHeaderCase> {
  return fc.record(
    {
      pki: fc.nat(npki - 1),
      order: headerOrder,
      dup: rarely(fc.record({ index: fc.nat(4), value: fc.jsonValue({ maxDepth: 2 }) })),
      extra: fc.array(fc.record({ key: fc.constantFrom('com.acme.x', 'io.cncf.notary.verificationPlugin', EXPIRY, 'x5c', 'kid', 'b64'), value: fc.jsonValue({ maxDepth: 2 }), critical: fc.boolean() }), { maxLength: 3 }),
      alg: rarely(fc.constantFrom('none', 'HS256', 'RS256', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'es256', '')),
      depth: rarely(fc.integer({ min: 1, max: 3000 })),
      chain: rarely(fc.array(fc.nat(2), { maxLength: 5 })),
      outerCase: fc.boolean(),
    },
  );
}

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

export function buildJws(ctx: Ctx, c: JwsHeaderCase): { bytes: Buffer; expectReject: boolean } {
  const pki = ctx.pkis[c.pki];
  const alg = algorithmByKeySpec(pki.keySpec as 'EC-256')!;
  const crit = [SCHEME, ...c.extra.filter((e) => e.critical).map((e) => e.key)];
  const t = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString().replace('.000Z', 'Z');
  const base: Array<[string, unknown]> = [
    ['alg', c.alg ?? alg.jws],
    ['crit', crit],
    ['cty', PAYLOAD_CONTENT_TYPE],
    [SCHEME, 'notary.x509'],
    [STIME, t],
  ];
  const parts = c.order.map((i) => `${JSON.stringify(base[i][0])}:${JSON.stringify(base[i][1])}`);
  for (const e of c.extra) parts.push(`${JSON.stringify(e.key)}:${JSON.stringify(e.value) ?? 'null'}`);
  if (c.dup) parts.push(`${JSON.stringify(base[c.dup.index][0])}:${JSON.stringify(c.dup.value) ?? 'null'}`);
  if (c.depth) parts.push(`"com.acme.deep":${'['.repeat(c.depth)}${']'.repeat(c.depth)}`);
  const protectedB64 = b64url(`{${parts.join(',')}}`);
  const payloadB64 = b64url(PAYLOAD);
  const sig = signWith(pki, alg, Buffer.from(`${protectedB64}.${payloadB64}`, 'ascii'));
  const chain = (c.chain && c.chain.length ? c.chain : [0, 1, 2]).map((i) => Buffer.from(pki.chain[i].raw).toString('base64'));
  const p = c.outerCase ? 'Payload' : 'payload';
  const doc = `{"${p}":${JSON.stringify(payloadB64)},"protected":${JSON.stringify(protectedB64)},"header":{"x5c":${JSON.stringify(chain)}},"signature":${JSON.stringify(b64url(sig))}}`;
  // Go's JSON keeps the last duplicate: the effective alg is the last one written.
  const effAlg = c.dup && c.dup.index === 0 ? c.dup.value : c.order.includes(0) ? (c.alg ?? alg.jws) : undefined;
  const expectReject = effAlg !== alg.jws || c.order.length < 5 || (c.depth ?? 0) > 1000;
  return { bytes: Buffer.from(doc), expectReject };
}

type Input =
  | { kind: 'mutate'; seed: number; muts: ReturnType<typeof mutations> extends fc.Arbitrary<infer M> ? M : never }
  | { kind: 'random'; cose: boolean; bytes: Uint8Array }
  | { kind: 'cose-header'; c: CoseHeaderCase }
  | { kind: 'jws-header'; c: JwsHeaderCase };

export const envelopeTarget = target<Ctx, Input>({
  name: 'envelope',
  weight: 4,
  quickRuns: 600,
  async setup() {
    const pkis = [await makePki({ name: 'fuzz-ec', keySpec: 'EC-256' }), await makePki({ name: 'fuzz-rsa', keySpec: 'RSA-2048' })];
    const seeds: Seed[] = [];
    for (const pki of pkis) {
      const signer = new LocalSigner(pki.leaf.key, pki.chain);
      for (const mediaType of [MEDIA_TYPE_COSE, MEDIA_TYPE_JWS] as const) {
        for (const expiry of [undefined, new Date(Date.now() + 86400e3)]) {
          const bytes = await signEnvelope(mediaType, {
            payload: { contentType: PAYLOAD_CONTENT_TYPE, content: PAYLOAD },
            signingScheme: 'notary.x509',
            signingTime: new Date(Date.now() - 60_000),
            expiry,
            extendedSignedAttributes: expiry ? [{ key: 'com.acme.note', value: 'x', critical: false }] : undefined,
            signingAgent: 'fuzz',
          }, signer);
          seeds.push({ mediaType, bytes, ref: parseEnvelope(mediaType, bytes).verify(), pki });
        }
      }
    }
    return { seeds, pkis };
  },
  arbitrary(ctx) {
    return fc.oneof(
      { weight: 10, arbitrary: fc.record({ kind: fc.constant('mutate' as const), seed: fc.nat(ctx.seeds.length - 1), muts: mutations(4) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('random' as const), cose: fc.boolean(), bytes: fc.uint8Array({ maxLength: 600 }) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('cose-header' as const), c: coseHeaderCase(ctx.pkis.length) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('jws-header' as const), c: jwsHeaderCase(ctx.pkis.length) }) },
    );
  },
  check(ctx, input) {
    switch (input.kind) {
      case 'mutate': {
        const seed = ctx.seeds[input.seed];
        const bytes = applyMutations(seed.bytes, input.muts);
        const c = verifyAll(seed.mediaType, bytes);
        if (c && !sameSigned(c, seed.ref)) {
          throw new Finding(
            `a mutated envelope verified with different signed content (${seed.mediaType}, ${bytes.length} bytes, mutated hex ${bytes.toString('hex')}, seed hex ${Buffer.from(seed.bytes).toString('hex')})`,
          );
        }
        return;
      }
      case 'random': {
        const bytes = input.cose ? Buffer.concat([Buffer.of(0xd2, 0x84), input.bytes]) : Buffer.from(input.bytes);
        if (verifyAll(input.cose ? MEDIA_TYPE_COSE : MEDIA_TYPE_JWS, bytes)) throw new Finding('random bytes verified');
        return;
      }
      case 'cose-header': {
        const { bytes, expectReject } = buildCose(ctx, input.c);
        const c = verifyAll(MEDIA_TYPE_COSE, bytes);
        if (c && expectReject) throw new Finding('a COSE envelope with duplicate/missing labels, a wrong alg or over-deep nesting verified');
        return;
      }
      case 'jws-header': {
        const { bytes, expectReject } = buildJws(ctx, input.c);
        const c = verifyAll(MEDIA_TYPE_JWS, bytes);
        if (c && expectReject) throw new Finding('a JWS envelope with a wrong/none alg, missing headers or over-deep nesting verified');
        return;
      }
    }
  },
});
