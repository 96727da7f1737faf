/**
 * docs/trust-policy.md runs: every `$ notation-ts ...` line of its ```sh blocks is
 * executed in order (repository root as cwd, one fresh NOTATION_CONFIG for the
 * whole guide) and must print exactly the output shown under it (stdout, then
 * stderr; the config dir shown as `$NOTATION_CONFIG`).
 * `UPDATE_DOCS=1` rewrites the outputs in the guide instead of comparing.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, shellSplit } from './helpers/cli.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const guide = join(repoRoot, 'docs', 'trust-policy.md');

interface Step {
  command: string;
  shown: string;
  actual?: string;
}

/** Runs the guide's commands; returns the guide with the actual outputs and the steps. */
async function runGuide(md: string, cfg: string): Promise<{ rendered: string; steps: Step[] }> {
  const lines = md.split('\n');
  const out: string[] = [];
  const steps: Step[] = [];
  let inSh = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!inSh) {
      out.push(line);
      if (line === '```sh') inSh = true;
      continue;
    }
    if (line === '```') {
      out.push(line);
      inSh = false;
      continue;
    }
    if (!line.startsWith('$ ')) continue; // old output: replaced below
    const shown: string[] = [];
    for (let j = i + 1; j < lines.length && !lines[j].startsWith('$ ') && lines[j] !== '```'; j++) shown.push(lines[j]);
    const argv = shellSplit(line.slice(2));
    expect(argv[0], line).to.equal('notation-ts');
    const r = await runCli(argv.slice(1), { env: { NOTATION_CONFIG: cfg }, cwd: repoRoot });
    const actual = [r.stdout, r.stderr]
      .filter((x) => x !== '')
      .map((x) => x.replace(/\n+$/, ''))
      .join('\n')
      .split(cfg)
      .join('$NOTATION_CONFIG');
    steps.push({ command: line, shown: shown.join('\n'), actual });
    out.push(line);
    if (actual !== '') out.push(actual);
  }
  return { rendered: out.join('\n'), steps };
}

describe('docs/trust-policy.md', () => {
  let cfg: string;
  beforeEach(() => {
    cfg = mkdtempSync(join(tmpdir(), 'ntdoc-'));
  });
  afterEach(() => rmSync(cfg, { recursive: true, force: true }));

  it('every shell command prints what the guide shows', async () => {
    const md = readFileSync(guide, 'utf8');
    const { rendered, steps } = await runGuide(md, cfg);
    expect(steps.length).to.be.greaterThan(15);
    if (process.env.UPDATE_DOCS) {
      writeFileSync(guide, rendered);
      return;
    }
    for (const s of steps) expect(s.actual, s.command).to.equal(s.shown);
  });
});
