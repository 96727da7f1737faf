/**
 * Test plugin helpers: lay out real plugin executables (test-plugin.mjs, a node
 * script) under a libexec dir the way notation expects, each with its behaviour.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEST_PLUGIN_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'test-plugin.mjs');

export interface Behaviour {
  name?: string;
  version?: string;
  description?: string;
  capabilities?: string[];
  supportedContractVersions?: string[];
  keySpec?: string;
  keyPath?: string;
  chainPath?: string;
  describeKeyId?: string;
  signKeyId?: string;
  signingAlgorithm?: string;
  derSignature?: boolean;
  reverseChain?: boolean;
  deniedKeyId?: string;
  recordPath?: string;
  verifyResponse?: unknown;
  envelope?: {
    type?: string;
    dropAnnotation?: string;
    addAnnotation?: Record<string, string>;
    changeSize?: boolean;
    extraField?: string;
    extraTopLevel?: string;
    responseAnnotations?: Record<string, string>;
  };
  commands?: Record<string, { stdout?: string; stderr?: string; exitCode?: number; sleepMs?: number; hugeOutputBytes?: number; hugeStream?: 'stdout' | 'stderr'; response?: unknown }>;
}

export function makeTempDir(prefix = 'notation-ts-plugins-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Installs test-plugin.mjs as `{libexec}/plugins/<name>/notation-<name>` with a behaviour. */
export function installTestPlugin(libexecDir: string, name: string, behaviour: Behaviour = {}): string {
  const dir = join(libexecDir, 'plugins', name);
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, `notation-${name}`);
  copyFileSync(TEST_PLUGIN_SCRIPT, exe);
  chmodSync(exe, 0o755);
  writeFileSync(join(dir, 'behaviour.json'), JSON.stringify(behaviour));
  return exe;
}

/** A standalone plugin executable (behaviour embedded) for install tests. */
export function writeStandalonePlugin(path: string, metadata: { name: string; version: string; capabilities?: string[] }, mode = 0o755): void {
  const md = JSON.stringify({
    name: metadata.name,
    description: 'standalone test plugin',
    version: metadata.version,
    url: 'https://example.com',
    supportedContractVersions: ['1.0'],
    capabilities: metadata.capabilities ?? ['SIGNATURE_GENERATOR.RAW'],
  });
  writeFileSync(
    path,
    `#!/usr/bin/env node\nif (process.argv[2] === 'get-plugin-metadata') process.stdout.write(${JSON.stringify(md)});\n` +
      `else { process.stderr.write('{"errorCode":"ERROR","errorMessage":"unsupported"}'); process.exit(1); }\n`,
  );
  chmodSync(path, mode);
}
