/** `npm run demo` (scripts/demo.mjs): runs it as a user would and checks its verdict and key lines. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('npm run demo', function () {
  this.timeout(240_000);

  before(() => {
    // The demo runs the built CLI (npm install builds dist/ through `prepare`).
    if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
      const b = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
      if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error(`build failed: ${b.stdout}${b.stderr}`);
    }
  });

  it('signs, verifies, detects tampering and exits 0', () => {
    const started = Date.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'demo.mjs')], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' } });
    const out = r.stdout + r.stderr;
    expect(r.status, out).to.equal(0);
    const ref = /\$ notation-ts sign --oci-layout (image@sha256:[0-9a-f]{64})/.exec(out)?.[1];
    expect(ref, out).to.be.a('string');
    for (const line of [
      `$ notation-ts sign --oci-layout ${ref}`,
      `  Successfully signed ${ref}`,
      '$ notation-ts sign --oci-layout --signature-format cose -m build=42 --expiry 720h image:v1',
      '  Warning: Always sign the artifact using digest(@sha256:...) rather than a tag(:v1)',
      `$ notation-ts verify --oci-layout --scope local/demo ${ref}`,
      `  Successfully verified signature for ${ref}`,
      `  Error: signature verification failed for all the signatures associated with ${ref}`,
      '  ✓ failed as expected (exit 1)',
      '  Signature file written to release-notes.txt.jws.sig',
      '  Successfully verified signature for release-notes.txt',
      '  Error: signature verification failed: integrity check failed. signature does not match the given blob',
    ]) {
      expect(out, line).to.contain(line);
    }
    expect(out).to.match(/demo: all \d+ steps behaved as expected/);
    expect(out).to.not.contain('✗');
    // Two signatures listed under the image.
    expect(out.match(/[├└]── sha256:[0-9a-f]{64}/g)).to.have.length(2);
    expect(Date.now() - started).to.be.below(60_000);
  });
});
