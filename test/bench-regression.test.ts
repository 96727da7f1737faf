/**
 * Performance regression check (issue 9): a quick run of the benchmarks with
 * small iteration counts. Ratios only (ours / a baseline measured in the same
 * run), never absolute times; a ratio more than twice its target fails.
 */
import { expect } from 'chai';
import { runAll } from '../bench/run.js';
import type { BenchResult } from '../bench/lib.js';

describe('bench regression (ratios within 2x of their targets)', function () {
  this.timeout(180_000);
  let rows: BenchResult[] = [];

  before(async () => {
    rows = await runAll({
      quick: true,
      only: ['verify-cose-chain3', 'verify-jws-chain3-warm', 'verify-batch-same-signer', 'memory-verify-10k', 'sign-cose-local', 'cli-verify-oci-layout'],
    });
  });

  it('measured every benchmark it asked for', () => {
    const names = new Set(rows.map((r) => r.name));
    for (const n of ['verify-cose-chain3-cold', 'verify-cose-chain3-warm', 'verify-jws-chain3-warm', 'verify-batch-same-signer', 'memory-verify-10k', 'sign-cose-local', 'cli-verify-oci-layout']) {
      expect(names.has(n), n).to.equal(true);
    }
  });

  it('keeps every measured ratio within twice its target', async () => {
    const measured = rows.filter((r) => !r.skipped && r.target !== undefined);
    expect(measured.length).to.be.greaterThan(0);
    // The machine may be shared: a ratio over the limit is measured once more
    // (that benchmark alone) and the better of the two counts.
    for (const [k, r] of measured.entries()) {
      if (r.ratio <= 2 * r.target!) continue;
      const again = (await runAll({ quick: true, only: [r.name] })).find((x) => x.name === r.name && x.keys === r.keys);
      if (again && !again.skipped && again.ratio < r.ratio) measured[k] = again;
    }
    for (const r of measured) {
      expect(r.ratio, `${r.name} (${r.keys ?? ''}): ratio ${r.ratio}, target ${r.target}`).to.be.greaterThan(0);
      expect(r.ratio, `${r.name} (${r.keys ?? ''}): ratio ${r.ratio}, target ${r.target}`).to.be.at.most(2 * r.target!);
    }
  });
});
