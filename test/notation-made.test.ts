/**
 * Replays every verification the real notation ran on ../shared/notation-made and
 * expects notation's outcome and exit code. Output parity (stdout, and stderr less
 * notation's "experimental" banner) is asserted separately and counted.
 */
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli, shellSplit } from './helpers/cli.js';
import { sharedPath } from './helpers/shared.js';

const ROOT = sharedPath('notation-made');
const doc = JSON.parse(readFileSync(join(ROOT, 'cases.json'), 'utf8'));
const EXPERIMENTAL = /^Warning: This feature is experimental.*\n?/gm;

function commandArgs(command: string): string[] {
  const words = shellSplit(command).filter((w) => !/^[A-Z_]+=/.test(w));
  const i = words.findIndex((w) => w === 'notation' || w.startsWith('notation('));
  return words.slice(i + 1);
}

describe('notation-made: replay of notation\'s own verifications', function () {
  this.timeout(30000);
  let parity = 0;
  let total = 0;
  after(() => console.log(`      notation-made output parity: ${parity} of ${total}`));
  for (const c of doc.cases) {
    describe(c.id, () => {
      (c.verifications as any[]).forEach((v, i) => {
        it(`#${i} ${v.trustPolicy} -> ${v.outcome} (exit ${v.exitCode})`, async () => {
          const cfg = mkdtempSync(join(tmpdir(), 'nm-cfg-'));
          try {
            cpSync(join(ROOT, v.trustStore), join(cfg, 'truststore'), { recursive: true });
            cpSync(join(ROOT, v.trustPolicy), join(cfg, v.trustPolicyFileName));
            const r = await runCli(commandArgs(v.command), { env: { NOTATION_CONFIG: cfg, NOTATION_CACHE: join(cfg, 'cache') }, cwd: ROOT });
            total++;
            const wantErr = String(v.stderr).replace(EXPERIMENTAL, '').trim();
            if (r.stdout.trim() === String(v.stdout).trim() && r.stderr.trim() === wantErr) parity++;
            expect(r.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).to.equal(v.exitCode);
            if (v.exitCode === 0) expect(r.stdout.trim()).to.equal(String(v.stdout).trim());
          } finally {
            rmSync(cfg, { recursive: true, force: true });
          }
        });
      });
    });
  }
});
