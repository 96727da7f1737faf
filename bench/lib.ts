/**
 * Shared pieces of the benchmarks: fixtures (3-certificate chains, envelopes,
 * verifiers) and the timing discipline (interleaved rounds, median + spread).
 *
 * Every figure is a ratio of our time per operation to a baseline's, measured in
 * the same process and the same rounds, so machine speed and load cancel out.
 */
import { constants, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { issueCertificate, makeKey, type PkiCert, type TestKey } from '../test/helpers/pki.js';
import { Certificate } from '../src/x509/certificate.js';
import { signEnvelope } from '../src/envelope/index.js';
import { ALGORITHMS, MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, PAYLOAD_CONTENT_TYPE, SIGNING_SCHEME_X509, type AlgorithmInfo, type KeySpec } from '../src/envelope/types.js';
import { LocalSigner } from '../src/signer/local.js';
import { MemoryTrustStore } from '../src/truststore/index.js';
import { Verifier } from '../src/verifier/verifier.js';
import type { OciTrustPolicyDocument } from '../src/trustpolicy/index.js';

export interface BenchResult {
  name: string;
  ops_per_s: number;
  baseline: string;
  baseline_ops_per_s: number;
  ratio: number;
  /** [min, max] of the per-round ratios; `ratio` is their median. */
  spread?: [number, number];
  /** Key specs of the chain (leaf/CAs), when the benchmark depends on them. */
  keys?: string;
  target?: number;
  skipped?: string;
  [extra: string]: unknown;
}

export const TARGETS: Record<string, number> = {
  'verify-cose-chain3-cold': 2.5,
  'verify-jws-chain3-cold': 2.5,
  'verify-cose-chain3-warm': 1.5,
  'verify-jws-chain3-warm': 1.5,
  'verify-batch-same-signer': 1.43,
  'sign-cose-local': 1.3,
  'sign-jws-local': 1.3,
  'cli-verify-oci-layout': 1.5,
  'cli-sign-oci-layout': 1.5,
  'inprocess-verify-vs-notation-cli': 0.05,
  'crl-lookup-100k': 1.3,
};

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const r3 = (x: number) => Number(x.toFixed(3));

/**
 * Seconds of wall time per call of `fn` over `n` calls (sync or async).
 *
 * Wall time, not CPU time: process CPU time (getrusage) also counts V8's background
 * GC and compiler threads, which run beside the main thread on another core and
 * added 100-300 us of noise per call in either direction; Linux's per-thread counter
 * readable from Node 20 (/proc/thread-self/schedstat) advances only at scheduler
 * ticks (4 ms here). Everything measured runs on the main thread (node:crypto
 * one-shot calls are synchronous), so on an idle machine wall time is its CPU time;
 * descheduling by a busy neighbour is what the interleaved rounds and their median
 * are for.
 */
export async function timeCalls(n: number, fn: (i: number) => unknown): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = fn(i);
    if (r instanceof Promise) await r;
  }
  return (performance.now() - t0) / 1000 / n;
}

/**
 * Runs `rounds` interleaved rounds of baseline then ours (order alternating),
 * `n` calls each, and reports the median ratio with its min/max.
 */
export async function compare(
  meta: { name: string; baseline: string; keys?: string },
  rounds: number,
  n: number,
  ours: (round: number, i: number) => unknown,
  base: (round: number, i: number) => unknown,
  warmup = true,
): Promise<BenchResult> {
  if (warmup) {
    // JIT warm-up on throw-away calls of the last round's inputs.
    const w = Math.min(n, 50);
    await timeCalls(w, (i) => base(rounds - 1, i));
    await timeCalls(w, (i) => ours(rounds - 1, i));
  }
  const ratios: number[] = [];
  const oursT: number[] = [];
  const baseT: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let b: number;
    let o: number;
    if (r % 2 === 0) {
      b = await timeCalls(n, (i) => base(r, i));
      o = await timeCalls(n, (i) => ours(r, i));
    } else {
      o = await timeCalls(n, (i) => ours(r, i));
      b = await timeCalls(n, (i) => base(r, i));
    }
    oursT.push(o);
    baseT.push(b);
    ratios.push(o / b);
  }
  return result(meta, median(oursT), median(baseT), ratios);
}

export function result(meta: { name: string; baseline: string; keys?: string }, oursSec: number, baseSec: number, ratios: number[]): BenchResult {
  const out: BenchResult = {
    name: meta.name,
    ops_per_s: Math.round(1 / oursSec),
    baseline: meta.baseline,
    baseline_ops_per_s: Math.round(1 / baseSec),
    ratio: r3(median(ratios)),
    spread: [r3(Math.min(...ratios)), r3(Math.max(...ratios))],
    clock: 'wall',
  };
  if (meta.keys) out.keys = meta.keys;
  if (TARGETS[meta.name] !== undefined) out.target = TARGETS[meta.name];
  return out;
}

// ---------------------------------------------------------------------------
// Fixtures

export const LEAF_SUBJECT = 'CN=bench leaf,O=Notation TS Test,L=Seattle,ST=WA,C=US';
export const REFERENCE = 'localhost:5000/bench/app@sha256:' + 'ab'.repeat(32);
export const TARGET = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:' + 'ab'.repeat(32), size: 1234 };

export interface ChainKeys {
  label: string;
  leaf: KeySpec;
  ca: KeySpec;
}
/** The key combinations of the issue: RSA-3072 throughout, EC P-256 and EC P-384 throughout. */
export const CHAIN_KEYS: ChainKeys[] = [
  { label: 'RSA-3072', leaf: 'RSA-3072', ca: 'RSA-3072' },
  { label: 'EC-256', leaf: 'EC-256', ca: 'EC-256' },
  { label: 'EC-384', leaf: 'EC-384', ca: 'EC-384' },
];

export interface Anchor {
  keys: ChainKeys;
  rootKey: TestKey;
  interKey: TestKey;
  leafKey: TestKey;
  root: PkiCert;
  trustStore: MemoryTrustStore;
  policy: OciTrustPolicyDocument;
}

export async function makeAnchor(keys: ChainKeys): Promise<Anchor> {
  const [rootKey, interKey, leafKey] = await Promise.all([makeKey(keys.ca, 'bench-root'), makeKey(keys.ca, 'bench-inter'), makeKey(keys.leaf, 'bench-leaf')]);
  const root = await issueCertificate(rootKey, undefined, 'ca', { subject: `CN=bench root ${keys.label},O=Notation TS Test,C=US` });
  const trustStore = new MemoryTrustStore({ 'ca:bench': [root.cert] });
  trustStore.getCertificates('ca', 'bench'); // a configured store is loaded once per process
  const policy: OciTrustPolicyDocument = {
    version: '1.0',
    trustPolicies: [
      {
        name: 'bench',
        registryScopes: ['*'],
        signatureVerification: { level: 'strict' },
        trustStores: ['ca:bench'],
        trustedIdentities: [`x509.subject:${LEAF_SUBJECT}`],
      },
    ],
  };
  return { keys, rootKey, interKey, leafKey, root, trustStore, policy };
}

export interface Fixture {
  envelope: Uint8Array;
  /** The artifact descriptor the envelope signs. */
  descriptor: typeof TARGET;
  mediaType: string;
  /** What the raw baseline verifies: the envelope signature and the three certificate signatures. */
  raw: () => void;
  /** The envelope's signed bytes and signature, for a raw-only check. */
  rawEnvelopeOnly: () => void;
}

/** A fresh leaf + intermediate under the anchor (bytes never seen before). */
export async function freshChain(a: Anchor): Promise<Certificate[]> {
  const inter = await issueCertificate(a.interKey, a.root, 'ca', { subject: `CN=bench intermediate ${a.keys.label},O=Notation TS Test,C=US`, pathLen: 0 });
  const leaf = await issueCertificate(a.leafKey, inter, 'leaf', { subject: LEAF_SUBJECT });
  return [leaf.cert, inter.cert, a.root.cert];
}

const algOf = (spec: KeySpec): AlgorithmInfo => ALGORITHMS.find((x) => x.keySpec === spec)!;

/** Raw signature check of a certificate's TBS with a prepared key (what any verifier must do). */
function rawCertCheck(cert: Certificate, key: KeyObject): () => boolean {
  const oid = cert.signatureAlgorithmOid;
  const hash = oid.endsWith('.11') || oid.endsWith('4.3.2') ? 'sha256' : oid.endsWith('.12') || oid.endsWith('4.3.3') ? 'sha384' : 'sha512';
  const isEc = key.asymmetricKeyType === 'ec';
  const tbs = Buffer.from(cert.tbs);
  const sig = Buffer.from(cert.signatureValue);
  return () => (isEc ? cryptoVerify(hash, tbs, { key, dsaEncoding: 'der' }, sig) : cryptoVerify(hash, tbs, { key, padding: constants.RSA_PKCS1_PADDING }, sig));
}

/** Signs one envelope with `chain` and returns it with its raw baseline. */
export async function makeFixture(a: Anchor, chain: Certificate[], mediaType: string, nonce = 0): Promise<Fixture> {
  const signer = new LocalSigner(a.leafKey.key, chain);
  const signingTime = new Date(Date.now() - 60_000);
  const target = { ...TARGET, size: TARGET.size + nonce };
  const content = Buffer.from(JSON.stringify({ targetArtifact: target }), 'utf8');
  let signed: { data: Uint8Array; sig: Uint8Array } | undefined;
  const recording = {
    keySpec: () => signer.keySpec(),
    sign: async (data: Uint8Array, hash: Parameters<LocalSigner['sign']>[1]) => {
      const r = await signer.sign(data, hash);
      signed = { data: Buffer.from(data), sig: Buffer.from(r.signature) };
      return r;
    },
  };
  const envelope = await signEnvelope(mediaType, { payload: { contentType: PAYLOAD_CONTENT_TYPE, content }, signingScheme: SIGNING_SCHEME_X509, signingTime, signingAgent: 'bench' }, recording);
  const alg = algOf(a.keys.leaf);
  const leafKey = a.leafKey.publicKey;
  const { data, sig } = signed!;
  const envCheck =
    alg.kind === 'rsa'
      ? () => cryptoVerify(alg.nodeHash, data, { key: leafKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, sig)
      : () => cryptoVerify(alg.nodeHash, data, { key: leafKey, dsaEncoding: 'ieee-p1363' }, sig);
  const certChecks = [rawCertCheck(chain[0], a.interKey.publicKey), rawCertCheck(chain[1], a.rootKey.publicKey), rawCertCheck(chain[2], a.rootKey.publicKey)];
  return {
    envelope,
    descriptor: target,
    mediaType,
    raw: () => {
      if (!envCheck()) throw new Error('raw envelope check failed');
      for (const c of certChecks) if (!c()) throw new Error('raw certificate check failed');
    },
    rawEnvelopeOnly: () => {
      if (!envCheck()) throw new Error('raw envelope check failed');
    },
  };
}

export function newVerifier(a: Anchor): Verifier {
  return new Verifier({ ociTrustPolicy: a.policy, trustStore: a.trustStore });
}

/** Full library verification of one envelope; throws unless it passes. */
export async function verifyOnce(v: Verifier, f: Fixture): Promise<void> {
  const o = await v.verify(f.descriptor, f.envelope, { artifactReference: REFERENCE, signatureMediaType: f.mediaType });
  if (o.error) throw o.error;
}

export const MEDIA_TYPES = { cose: MEDIA_TYPE_COSE, jws: MEDIA_TYPE_JWS } as const;
