import { CHAIN_KEYS, makeAnchor, freshChain, makeFixture, newVerifier, verifyOnce, MEDIA_TYPES } from './lib.js';
const a = await makeAnchor(CHAIN_KEYS[0]);
const fmt = (process.argv[2] ?? 'cose') as 'cose' | 'jws';
const fx = [];
for (let i = 0; i < 150; i++) fx.push(await makeFixture(a, await freshChain(a), MEDIA_TYPES[fmt], i));
const t0 = performance.now();
for (let k = 0; k < 4; k++) for (const f of fx) await verifyOnce(newVerifier(a), f);
console.log('per verify us', ((performance.now() - t0) * 1000) / (fx.length * 4));
