/**
 * `npm run conformance -- --cases <cases.json> --root <dir>`: runs every case,
 * prints failing ids with the reason, then `conformance: N passed, N failed` and
 * `message parity: N of M`. Exit 0 only when none failed.
 */
import { DEFAULT_CASES, loadCases, loadAdapters, runCase } from './framework.js';
import { dirname, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (n: string) => {
  const i = args.indexOf(n);
  return i >= 0 ? args[i + 1] : undefined;
};
const casesFile = resolve(opt('--cases') ?? DEFAULT_CASES);
const { cases } = loadCases(casesFile);
const root = resolve(opt('--root') ?? dirname(casesFile));
const only = opt('--category');
const verbose = args.includes('--verbose');

const { loadErrors } = await loadAdapters();
for (const e of loadErrors) console.log(`adapter load error: ${e}`);
let passed = 0, failed = 0, parity = 0, parityOf = 0;
const perCategory = new Map<string, [number, number]>();
for (const c of cases) {
  if (only && c.category !== only) continue;
  const j = await runCase(c, root);
  const pc = perCategory.get(c.category) ?? [0, 0];
  if (j.pass) { passed++; pc[0]++; } else { failed++; pc[1]++; console.log(`FAIL ${c.id}: ${j.reason}`); }
  perCategory.set(c.category, pc);
  if (j.messageParity !== undefined) { parityOf++; if (j.messageParity) parity++; }
  if (verbose && j.pass) console.log(`ok   ${c.id}`);
}
for (const [k, [p, f]] of perCategory) console.log(`  ${k}: ${p} passed, ${f} failed`);
console.log(`message parity: ${parity} of ${parityOf}`);
console.log(`conformance: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && loadErrors.length === 0 ? 0 : 1);
