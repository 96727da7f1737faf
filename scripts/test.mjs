#!/usr/bin/env node
// `npm test`: make sure the real components the tests use are installed, then run mocha.
// Missing packages are installed with apt-get when we are root; otherwise we fail loudly:
// a real-component test is never skipped silently.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needed = [
  { pkg: 'openssl', check: () => has('openssl') },
  { pkg: 'softhsm2', check: () => existsSync('/usr/lib/softhsm/libsofthsm2.so') && has('softhsm2-util') },
  { pkg: 'docker-registry', check: () => has('docker-registry') || existsSync('/usr/bin/docker-registry') },
  // htpasswd for the registry basic-auth tests, pkcs11-tool for the HSM guide's commands.
  { pkg: 'apache2-utils', check: () => has('htpasswd') },
  { pkg: 'opensc', check: () => has('pkcs11-tool') },
];

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const missing = needed.filter((n) => !n.check()).map((n) => n.pkg);
if (missing.length) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(`npm test: missing system packages ${missing.join(', ')}; install them (apt-get install ${missing.join(' ')}) or run as root.`);
    process.exit(2);
  }
  console.log(`npm test: installing ${missing.join(', ')} with apt-get`);
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  } catch (e) {
    console.error(`npm test: apt-get failed to install ${missing.join(', ')}: ${e.message}`);
    process.exit(2);
  }
  const still = needed.filter((n) => !n.check()).map((n) => n.pkg);
  if (still.length) {
    console.error(`npm test: ${still.join(', ')} still missing after apt-get`);
    process.exit(2);
  }
}

// Tests that spawn bin/notation-ts.cjs run dist/: build it from the sources under test.
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('npm test: the build failed');
  process.exit(build.status ?? 1);
}

const extra = process.argv.slice(2);
const args = ['mocha', ...(extra.some((a) => !a.startsWith('-')) ? extra : [...extra, 'test/**/*.test.ts'])];
const r = spawnSync('npx', ['--no-install', ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
