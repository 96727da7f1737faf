/**
 * Debian's docker-registry (distribution 2.8: no referrers API) on 127.0.0.1 with an
 * ephemeral port and a temporary storage directory, optionally behind htpasswd
 * Basic auth. Stopped by PID.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DOCKER_REGISTRY = '/usr/bin/docker-registry';

export function dockerRegistryAvailable(): boolean {
  return existsSync(DOCKER_REGISTRY);
}

export class DockerRegistry {
  host = '';
  private proc?: ChildProcess;
  private dir = '';

  constructor(private readonly basicAuth?: { username: string; password: string }) {}

  async start(): Promise<string> {
    this.dir = mkdtempSync(join(tmpdir(), 'docker-registry-'));
    let auth = '';
    if (this.basicAuth) {
      const r = spawnSync('htpasswd', ['-Bbn', this.basicAuth.username, this.basicAuth.password], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
      writeFileSync(join(this.dir, 'htpasswd'), r.stdout);
      auth = `auth: {htpasswd: {realm: basic-realm, path: ${join(this.dir, 'htpasswd')}}}\n`;
    }
    writeFileSync(
      join(this.dir, 'config.yml'),
      `version: 0.1\nlog: {level: info, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: ${join(this.dir, 'data')}}, delete: {enabled: true}}\nhttp: {addr: 127.0.0.1:0}\n${auth}`,
    );
    const log = join(this.dir, 'registry.log');
    const { openSync } = await import('node:fs');
    const fd = openSync(log, 'w');
    this.proc = spawn(DOCKER_REGISTRY, ['serve', join(this.dir, 'config.yml')], { stdio: ['ignore', fd, fd] });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const m = /listening on ([0-9.]+:\d+)/.exec(readFileSync(log, 'utf8'));
      if (m) {
        this.host = m[1]!;
        return this.host;
      }
      if (this.proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`docker-registry did not start: ${readFileSync(log, 'utf8').slice(-2000)}`);
  }

  async stop(): Promise<void> {
    if (this.proc && this.proc.exitCode === null) {
      const p = this.proc;
      await new Promise<void>((r) => {
        p.once('exit', () => r());
        p.kill('SIGTERM');
      });
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
