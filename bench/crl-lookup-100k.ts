/**
 * crl-lookup-100k: the signature checks of a 3-certificate chain verification
 * plus a revocation check against a cached 100,000-entry CRL, versus the same
 * checks without revocation. Target (issue 6): ratio <= 1.3.
 *
 * Run alone: `npx tsx bench/crl-lookup-100k.ts` (prints one JSON line).
 */
import { sign, verify } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { RevocationValidator, RevocationMemoryCache, type Fetcher } from '../src/revocation/index.js';
import { buildCrl, makeCert } from '../test/helpers/revocation-servers.js';
import type { BenchResult } from './lib.js';

export type { BenchResult } from './lib.js';

async function timeIt(fn: () => unknown | Promise<unknown>, minMs = 1500): Promise<number> {
  for (let i = 0; i < 50; i++) await fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
  }
  return n / ((performance.now() - t0) / 1000);
}

export async function run(): Promise<BenchResult> {
  const LEAF_CRL = 'http://bench.test/ca.crl';
  const ROOT_CRL = 'http://bench.test/root.crl';
  const root = await makeCert({ cn: 'Bench Root', ca: true });
  const ca = await makeCert({ cn: 'Bench CA', ca: true, issuer: root, crlUrls: [ROOT_CRL] });
  const leaf = await makeCert({ cn: 'Bench Leaf', issuer: ca, crlUrls: [LEAF_CRL], serial: '7fffffff01' });
  const entries = Array.from({ length: 100000 }, (_, i) => ({ serial: (0x10000000 + i).toString(16) }));
  const routes: Record<string, Uint8Array> = { [LEAF_CRL]: buildCrl(ca, { entries }), [ROOT_CRL]: buildCrl(root, {}) };
  const fetcher: Fetcher = async (url) => ({ status: 200, body: routes[url] });
  const chain = [leaf.cert, ca.cert, root.cert];
  const payload = Buffer.alloc(150, 1);
  const sig = sign('sha256', payload, { key: leaf.key, dsaEncoding: 'ieee-p1363' });

  // What a verification without revocation must do: the envelope signature and the chain signatures.
  const baseline = () => {
    if (!verify('sha256', payload, { key: leaf.cert.publicKey, dsaEncoding: 'ieee-p1363' }, sig)) throw new Error('bad sig');
    if (!leaf.cert.isSignedBy(ca.cert) || !ca.cert.isSignedBy(root.cert) || !root.cert.isSignedBy(root.cert)) throw new Error('bad chain');
  };
  const validator = new RevocationValidator({ fetcher, memoryCache: new RevocationMemoryCache() });
  const withRevocation = async () => {
    baseline();
    const r = await validator.check(chain, { purpose: 'codeSigning' });
    if (r.result !== 'ok') throw new Error(`unexpected ${r.result}`);
  };
  await withRevocation(); // fills the cache: one download and one parse of the 100k CRL
  // Interleaved rounds, best of each, so CPU frequency drift does not favour either side.
  let base = 0;
  let ours = 0;
  for (let round = 0; round < 3; round++) {
    base = Math.max(base, await timeIt(baseline, 500));
    ours = Math.max(ours, await timeIt(withRevocation, 500));
  }
  return { name: 'crl-lookup-100k', ops_per_s: Math.round(ours), baseline: 'same verification signature checks without revocation (node:crypto)', baseline_ops_per_s: Math.round(base), ratio: Number((base / ours).toFixed(3)) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await run()));
}
