import { CHAIN_KEYS, makeAnchor, freshChain, makeFixture, newVerifier, verifyOnce, compare, MEDIA_TYPES } from './lib.js';
for (const keys of CHAIN_KEYS.slice(0, 2)) {
  const a = await makeAnchor(keys);
  for (const fmt of ['cose', 'jws'] as const) {
    const N = 40, R = 3;
    const fx = [];
    for (let i = 0; i < N * R + 20; i++) fx.push(await makeFixture(a, await freshChain(a), MEDIA_TYPES[fmt], i));
    const cold = await compare({ name: `cold-${fmt}`, baseline: 'raw', keys: keys.label }, R, N, (r, i) => verifyOnce(newVerifier(a), fx[r * N + i]), (r, i) => fx[r * N + i].raw(), false);
    const v = newVerifier(a);
    await verifyOnce(v, fx[0]);
    const warm = await compare({ name: `warm-${fmt}`, baseline: 'raw', keys: keys.label }, R, 200, () => verifyOnce(v, fx[0]), () => fx[0].raw());
    console.log(JSON.stringify(cold)); console.log(JSON.stringify(warm));
  }
}
