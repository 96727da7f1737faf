/**
 * Runs a snippet of TypeScript as an unprivileged user (uid/gid 65534) so that
 * permission tests mean something when the suite runs as root, as CI does. The
 * snippet (imports relative to the repository root) is bundled with esbuild into a
 * world-readable temp dir first: the checkout itself may not be readable by that
 * user. Its stdout is returned.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const repo = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** Makes `dir` and its parents under /tmp traversable by others (temp dirs are 0700). */
export function openUp(dir: string): void {
  for (let d = dir; d !== '/' && d.startsWith('/tmp'); d = dirname(d)) chmodSync(d, 0o777);
}

export function runAsNobody(code: string): { status: number | null; stdout: string; stderr: string } {
  const out = mkdtempSync(join(tmpdir(), 'nts-nobody-'));
  try {
    const file = join(out, 'snippet.mjs');
    buildSync({
      stdin: { contents: code, resolveDir: repo, loader: 'ts', sourcefile: 'snippet.ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: file,
      logLevel: 'silent',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    chmodSync(out, 0o755);
    chmodSync(file, 0o644);
    const r = spawnSync(process.execPath, [file], { cwd: '/', uid: 65534, gid: 65534, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/tmp' }, timeout: 60000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export const isRoot = () => process.getuid?.() === 0;
