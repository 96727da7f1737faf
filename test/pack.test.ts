/**
 * The package as users get it: `npm pack`, install the tarball into an empty
 * project, then run the CLI and import the library from there.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..');

describe('npm pack + install in an empty project', function () {
  this.timeout(300000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nts-pack-'));
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const tarball = join(dir, out.trim().split('\n').pop()!);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
    execFileSync('npm', ['install', '--no-fund', '--no-audit', '--silent', tarball], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('npx notation-ts version prints the package version', () => {
    const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
    const out = execFileSync('npx', ['--no-install', 'notation-ts', 'version'], { cwd: dir, encoding: 'utf8' });
    expect(out).to.contain(version);
  });

  it('the library entry and its types are published', () => {
    const js = `import { verify, sign, signBlob, verifyBlob, Verifier, LocalSigner, NotationError } from 'notation-ts';
      console.log([verify, sign, signBlob, verifyBlob, Verifier, LocalSigner, NotationError].every((x) => typeof x === 'function'));`;
    writeFileSync(join(dir, 'use.mjs'), js);
    expect(execFileSync('node', ['use.mjs'], { cwd: dir, encoding: 'utf8' }).trim()).to.equal('true');
    const pkg = JSON.parse(readFileSync(join(dir, 'node_modules/notation-ts/package.json'), 'utf8'));
    expect(readFileSync(join(dir, 'node_modules/notation-ts', pkg.types), 'utf8')).to.contain('export declare function verify(');
  });
});
