import { expect } from 'chai';
import { DEFAULT_CASES, loadCases, loadAdapters, runCase } from './framework.js';
import { PENDING_CATEGORIES } from './status.js';

const { cases, root } = loadCases(DEFAULT_CASES);

describe('conformance corpus (../shared/conformance)', function () {
  this.timeout(20000);
  it('all adapter modules load', async () => {
    const { loadErrors } = await loadAdapters();
    expect(loadErrors).to.deep.equal([]);
  });
  const byCategory = new Map<string, typeof cases>();
  for (const c of cases) byCategory.set(c.category, [...(byCategory.get(c.category) ?? []), c]);
  for (const [category, list] of byCategory) {
    describe(category, () => {
      for (const c of list) {
        if (PENDING_CATEGORIES.has(category)) {
          it(`${c.id} (pending: its issue has not landed)`);
          continue;
        }
        it(c.id, async () => {
          const j = await runCase(c, root);
          expect(j.pass, j.reason).to.equal(true);
        });
      }
    });
  }
});
