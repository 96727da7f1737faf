/**
 * Runs a snippet of TypeScript as an unprivileged user (uid/gid 65534) so that
 * permission tests mean something when the suite runs as root, as CI does.
 * The snippet's stdout is returned; it exits non-zero on failure.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** Makes `dir` and its parents traversable by others (temp dirs are 0700). */
export function openUp(dir: string): void {
  for (let d = dir; d !== '/' && d.startsWith('/tmp'); d = dirname(d)) chmodSync(d, 0o777);
}

export function runAsNobody(code: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: repo,
    uid: 65534,
    gid: 65534,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: '/tmp' },
    timeout: 60000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const isRoot = () => process.getuid?.() === 0;
