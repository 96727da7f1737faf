/**
 * sign-pkcs11-softhsm: a complete in-process HSM signature (payload, envelope,
 * C_Sign through the PKCS#11 Signer, chain checks, self-verification) versus the
 * raw graphene C_Sign it performs (same token, same key, same mechanism, async
 * C_Sign over a local digest). Target (issue 7): ratio <= 1.2, i.e. envelope
 * assembly is negligible next to the token.
 *
 * The key is RSA-3072 (notation's default size, PS384). Wall time, interleaved
 * rounds: C_Sign runs on a worker thread, so CPU time of the main thread would hide it.
 * Also reported: the same figures for an EC-256 key (`ec256_*`), where the token is
 * so fast that the envelope is a larger share.
 *
 * Run alone: `npx tsx bench/sign-pkcs11-softhsm.ts` (prints one JSON line).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as GrapheneNs from 'graphene-pk11';
import { MEDIA_TYPE_JWS, type KeySpec } from '../src/envelope/types.js';
import { createPkcs11Signer, type Pkcs11Signer } from '../src/plugins/pkcs11/index.js';
import { signBlob } from '../src/signer/index.js';
import { SOFTHSM_MODULE, provisionToken } from '../test/helpers/softhsm.js';
import type { BenchResult } from './lib.js';

export type { BenchResult } from './lib.js';

const require = createRequire(import.meta.url);
const PIN = 'bench-pin-1357';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function timePer(n: number, fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - t0) / 1000 / n;
}

interface Pair {
  ours: number;
  base: number;
  ratio: number;
  spread: [number, number];
}

async function measure(signer: Pkcs11Signer, keyLabel: string, spec: KeySpec, rounds: number, n: number): Promise<Pair> {
  const g = require('graphene-pk11') as typeof GrapheneNs;
  // A second handle on the already initialised module: the token is logged in for the process.
  const mod = g.Module.load(SOFTHSM_MODULE, 'bench');
  mod.initialize();
  const slots = mod.getSlots(true);
  let slot: GrapheneNs.Slot | undefined;
  for (let i = 0; i < slots.length; i++) if (slots.items(i).getToken().label === 'nts-bench') slot = slots.items(i);
  const session = slot!.open(g.SessionFlag.SERIAL_SESSION);
  try {
    const key = session.find({ class: g.ObjectClass.PRIVATE_KEY, label: keyLabel }).items(0);
    const rsa = spec.startsWith('RSA');
    const mech: GrapheneNs.MechanismType = rsa ? { name: 'RSA_PKCS_PSS', params: new g.RsaPssParams(g.MechanismEnum.SHA384, g.RsaMgf.MGF1_SHA384, 48) } : 'ECDSA';
    const hash = rsa ? 'sha384' : 'sha256';
    const blob = randomBytes(256);
    const raw = () =>
      new Promise<Buffer>((resolve, reject) => {
        const digest = createHash(hash).update(blob).digest();
        session.createSign(mech, key as GrapheneNs.Key).once(digest, (e: Error | null, s: Buffer) => (e ? reject(e) : resolve(s)));
      });
    const full = () => signBlob({ signer, blob, signatureMediaType: MEDIA_TYPE_JWS });
    for (let i = 0; i < 5; i++) {
      await raw();
      await full();
    }
    const ours: number[] = [];
    const base: number[] = [];
    for (let r = 0; r < rounds; r++) {
      if (r % 2) {
        ours.push(await timePer(n, full));
        base.push(await timePer(n, raw));
      } else {
        base.push(await timePer(n, raw));
        ours.push(await timePer(n, full));
      }
    }
    const ratios = ours.map((o, i) => o / base[i]!);
    return { ours: median(ours), base: median(base), ratio: median(ratios), spread: [Math.min(...ratios), Math.max(...ratios)] };
  } finally {
    session.close();
    // Not finalised: the signer's handle owns the module's life.
  }
}

export async function run(): Promise<BenchResult> {
  const tok = await provisionToken('nts-bench', PIN, ['RSA-3072', 'EC-256'], 'nts-bench');
  const env = { NOTATION_PKCS11_PIN: PIN };
  const rsa = await createPkcs11Signer(tok.keys.get('RSA-3072')!.uri, {}, { env });
  const ec = await createPkcs11Signer(tok.keys.get('EC-256')!.uri, {}, { env });
  try {
    const r = await measure(rsa, tok.keys.get('RSA-3072')!.label, 'RSA-3072', 21, 40);
    const e = await measure(ec, tok.keys.get('EC-256')!.label, 'EC-256', 7, 300);
    const r3 = (x: number) => Number(x.toFixed(3));
    return {
      name: 'sign-pkcs11-softhsm',
      ops_per_s: Math.round(1 / r.ours),
      baseline: 'raw graphene C_Sign (CKM_RSA_PKCS_PSS over a SHA-384 digest, same SoftHSM key)',
      baseline_ops_per_s: Math.round(1 / r.base),
      ratio: r3(r.ratio),
      spread: [r3(r.spread[0]), r3(r.spread[1])],
      keys: 'RSA-3072 (SoftHSM 2)',
      target: 1.2,
      ec256_ops_per_s: Math.round(1 / e.ours),
      ec256_baseline_ops_per_s: Math.round(1 / e.base),
      ec256_ratio: r3(e.ratio),
    };
  } finally {
    await rsa.close();
    await ec.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().then(
    (r) => console.log(JSON.stringify(r)),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
