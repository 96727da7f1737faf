/**
 * Profiling aid (not part of `npm run bench`): runs one verification benchmark
 * alone so that `node --cpu-prof` sees only it.
 *
 *   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile.ts batch RSA-3072 cose
 *   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile.ts cold EC-256 jws
 *
 * batch: one signer's envelopes (1,000 distinct, cycled) through one Verifier, 20,000 calls;
 * cold: a new Verifier and a never-seen leaf + intermediate per call, 700 calls.
 * Prints the ratio as `npm run bench` computes it.
 */
import { CHAIN_KEYS, MEDIA_TYPES, compare, freshChain, makeAnchor, makeFixture, newVerifier, verifyOnce, type Fixture } from './lib.js';

const [mode = 'batch', label = 'RSA-3072', fmt = 'cose'] = process.argv.slice(2);
const keys = CHAIN_KEYS.find((k) => k.label === label);
if (!keys || (mode !== 'batch' && mode !== 'cold') || (fmt !== 'cose' && fmt !== 'jws')) {
  console.error('usage: bench/profile.ts batch|cold RSA-3072|EC-256|EC-384 cose|jws');
  process.exit(2);
}
const mediaType = MEDIA_TYPES[fmt];
const anchor = await makeAnchor(keys);
const fx: Fixture[] = [];
if (mode === 'batch') {
  const chain = await freshChain(anchor);
  for (let i = 0; i < 1000; i++) fx.push(await makeFixture(anchor, chain, mediaType, i));
  const v = newVerifier(anchor);
  const per = 4000;
  const r = await compare(
    { name: 'batch', baseline: 'raw envelope signature' },
    5,
    per,
    (round, i) => verifyOnce(v, fx[(round * per + i) % fx.length]),
    (round, i) => fx[(round * per + i) % fx.length].rawEnvelopeOnly(),
  );
  console.log(mode, label, fmt, 'ratio', r.ratio, 'spread', r.spread, 'ops/s', r.ops_per_s, 'baseline ops/s', r.baseline_ops_per_s);
} else {
  const rounds = 7;
  const n = 100;
  for (let i = 0; i < rounds * n + 20; i++) fx.push(await makeFixture(anchor, await freshChain(anchor), mediaType, i));
  // Warm-up on the 20 extra fixtures only (see verifySingle in run.ts).
  for (const f of fx.slice(rounds * n)) {
    f.raw();
    await verifyOnce(newVerifier(anchor), f);
  }
  const r = await compare(
    { name: 'cold', baseline: 'raw envelope + 3 certificate signatures' },
    rounds,
    n,
    (round, i) => verifyOnce(newVerifier(anchor), fx[round * n + i]),
    (round, i) => fx[round * n + i].raw(),
    false,
  );
  console.log(mode, label, fmt, 'ratio', r.ratio, 'spread', r.spread, 'ops/s', r.ops_per_s, 'baseline ops/s', r.baseline_ops_per_s);
}
