/**
 * Performance regression check (issue 9): a quick run of the benchmarks with
 * small iteration counts. Ratios only (ours / a baseline measured in the same
 * run), never absolute times; a ratio more than twice its target fails.
 */
import { expect } from 'chai';
import { runAll } from '../bench/run.js';
import type { BenchResult } from '../bench/lib.js';

describe('bench regression (ratios within 2x of their targets)', function () {
  this.timeout(600_000); // only a loaded machine needs the retries
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
    // The machine may be shared (a loaded 2-core box makes single rounds several
    // times slower): a ratio over the limit is measured again, that benchmark
    // alone, up to RETRIES more times, and the best attempt counts. A real
    // regression stays over the limit in every attempt.
    const RETRIES = 3;
    for (const [k, r] of measured.entries()) {
      for (let attempt = 0; attempt < RETRIES && measured[k].ratio > 2 * r.target!; attempt++) {
        const again = (await runAll({ quick: true, only: [r.name] })).find((x) => x.name === r.name && x.keys === r.keys);
        if (again && !again.skipped && again.ratio < measured[k].ratio) measured[k] = again;
      }
    }
    for (const r of measured) {
      expect(r.ratio, `${r.name} (${r.keys ?? ''}): ratio ${r.ratio}, target ${r.target}`).to.be.greaterThan(0);
      expect(r.ratio, `${r.name} (${r.keys ?? ''}): ratio ${r.ratio}, target ${r.target}`).to.be.at.most(2 * r.target!);
    }
  });
});
