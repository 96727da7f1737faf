/**
 * One smoke test per row of the command table: `--help` works for every command
 * (with notation's aliases), and every runnable command loads and answers bad
 * input with an `Error:` line and exit 1, never a stack trace.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS } from '../src/cli/main.js';
import { runCli } from './helpers/cli.js';

describe('CLI smoke: every command of the table', function () {
  this.timeout(30000);
  let cfg: string;
  before(() => (cfg = mkdtempSync(join(tmpdir(), 'nts-smoke-'))));
  after(() => rmSync(cfg, { recursive: true, force: true }));
  const env = () => ({ NOTATION_CONFIG: cfg, NOTATION_CACHE: join(cfg, 'cache') });

  for (const def of COMMANDS) {
    const name = def.path.join(' ');
    it(`${name}: --help`, async () => {
      const r = await runCli([...def.path, '--help'], { env: env() });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(def.short);
      expect(r.stdout).to.contain('Flags:');
      for (const f of def.flags.filter((x) => !x.hidden)) expect(r.stdout).to.contain(`--${f.name}`);
    });
    for (const alias of def.aliases ?? []) {
      it(`${name}: alias ${alias}`, async () => {
        const r = await runCli([...def.path.slice(0, -1), alias, '--help'], { env: env() });
        expect(r.code).to.equal(0);
        expect(r.stdout).to.contain(def.short);
      });
    }
    if (def.load) {
      it(`${name}: an unknown flag is a clean usage error`, async () => {
        const r = await runCli([...def.path, '--no-such-flag'], { env: env() });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal('Error: unknown flag: --no-such-flag\n');
        expect(r.stdout).to.equal('');
      });
      it(`${name}: loads and runs`, async () => {
        await def.load!();
        // With no arguments a command either does its job on the empty config dir or
        // refuses cleanly; it never throws past the CLI or prints a stack.
        const r = await runCli([...def.path], { env: env() });
        expect([0, 1]).to.include(r.code);
        expect(r.stderr).to.not.match(/\n\s+at .*\(.*:\d+:\d+\)/);
        if (r.code === 1) expect(r.stderr).to.match(/^(Error|Warning): /m);
      });
    }
  }
  it('an unknown command is refused', async () => {
    const r = await runCli(['frobnicate'], { env: env() });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal('Error: unknown command "frobnicate" for "notation-ts"\n');
  });
});
