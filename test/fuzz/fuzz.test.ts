/**
 * The bounded fuzz run of `npm test`: every target with its `quickRuns` cases and a
 * fixed seed per day (so a red run replays the same day; FUZZ_SEED overrides).
 * The long run is `npm run fuzz` (test/fuzz/long.ts).
 */
import { expect } from 'chai';
import { TARGETS } from './targets/index.js';
import { runTarget } from './harness.js';

const daySeed = Math.floor(Date.now() / 86_400_000);

describe('fuzz (bounded): every parser ends in a verdict or a typed error', function () {
  this.timeout(120_000);
  for (const t of TARGETS) {
    it(`${t.name}: ${t.quickRuns} cases`, async () => {
      const ctx = await t.setup();
      try {
        const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : daySeed ^ hash(t.name);
        const r = await runTarget(t, ctx, { numRuns: t.quickRuns, seed });
        expect(r.failed, r.message).to.equal(false);
      } finally {
        await t.teardown?.(ctx);
      }
    });
  }
});

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
