/**
 * `notation-ts version`: notation's version block (cmd/notation/version.go),
 * with the Node.js runtime in place of Go's and Go's GOOS/GOARCH names, so
 * scripts that read the `Version:` line work unchanged.
 */
import { readFileSync } from 'node:fs';
import type { CliContext } from '../context.js';

// Go's GOARCH for Node's process.arch values that differ.
const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386' };
const GOOS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };

/** The package version (src/ and dist/ sit at the same depth below package.json). */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function versionText(): string {
  const os = GOOS[process.platform] ?? process.platform;
  const arch = GOARCH[process.arch] ?? process.arch;
  return (
    'notation-ts - a tool to sign and verify artifacts.\n\n' +
    `Version:      ${packageVersion()}\n` +
    `Node version: ${process.version}\n` +
    `OS/Arch:      ${os}/${arch}\n`
  );
}

export async function run(ctx: CliContext): Promise<number> {
  ctx.stdout.write(versionText());
  return 0;
}
