/**
 * Runs the shell and TypeScript examples of a Markdown document and compares what
 * they print with what the document shows.
 *
 * Document conventions (see docs/getting-started.md for a worked example):
 * - In a ```sh block every command line starts with `$ `; the lines below it, up to
 *   the next `$ ` or the fence, are its output: standard output, then standard error.
 *   A command with a heredoc (`<<'EOF'`) continues up to the terminator line.
 * - `<!-- not-run: <why> -->` right before a fence skips that block; ```text blocks
 *   are never run. A ```sh block without any `$ ` line is an error (fence it as text).
 * - `<!-- docs-test: run-ts -->` right before a ```ts block runs it with tsx
 *   (`from 'notation-ts'` imports this repository's src/index.ts); when the next
 *   fenced block is ```text, it holds the expected output.
 * - `<!-- docs-test: ... -->` anywhere else declares the document's environment:
 *   `cwd=repo` (run from the repository root instead of a fresh temp dir),
 *   `registry=docker-registry [basic-auth user=U pass=P] [images=net-monitor:v1,web:v2]`,
 *   `credential-helper=<name>`, `softhsm`, `oci-layout=<dir>`, `shell-only` (run
 *   `notation-ts` as a process for every command), `vary /<regex>/` (text that differs
 *   between runs).
 *
 * Every document runs in one bash session (exports, functions and `cd` carry over)
 * with HOME, NOTATION_CONFIG and NOTATION_CACHE fresh; `notation-ts` on PATH is a shim
 * to this checkout. Plain `notation-ts ...` lines run in process (runCli) for speed.
 *
 * Comparison is exact after normalising what changes between runs, in both texts:
 * the config/cache/home/work dirs (shown as `$NOTATION_CONFIG`, `$NOTATION_CACHE`,
 * `$HOME`, `$PWD`), the registry address (shown as `127.0.0.1:5000` / `localhost:5000`),
 * date-times, `vary` matches, and 64-hex values (digests, fingerprints). A 64-hex value
 * shown in the document is bound to the value printed in its place on first sight;
 * later commands get the bound value, and later outputs must repeat it consistently.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runCli, shellSplit } from './cli.js';
import { DockerRegistry, dockerRegistryAvailable } from './registry-docker.js';
import { SHARED } from './shared.js';
import { writeCredentialHelper } from './credential-helper.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const DOC_REGISTRY = '5000';

// ------------------------------------------------------------------ parsing

export interface ShStep {
  kind: 'sh';
  /** Index of the `$ ` line in the document. */
  line: number;
  /** The command as written (heredoc lines included, joined by \n). */
  command: string;
  /** The output lines shown under it, trailing blank lines excluded. */
  shown: string[];
  /** Lines [outStart, outEnd) of the document hold the shown output (incl. trailing blanks). */
  outStart: number;
  outEnd: number;
  trailingBlank: number;
}

export interface TsStep {
  kind: 'ts';
  line: number;
  code: string;
  /** Expected output block (lines [outStart, outEnd) of the document), if any. */
  shown?: string[];
  outStart?: number;
  outEnd?: number;
}

export type Step = ShStep | TsStep;

export interface DocSpec {
  directives: Map<string, string>;
  vary: RegExp[];
  steps: Step[];
  /** Fenced blocks skipped with not-run, with their reasons. */
  skipped: { line: number; reason: string }[];
  lines: string[];
}

const FENCE_OPEN = /^```(\w*)\s*$/;

function parseDirective(body: string, into: Map<string, string>, vary: RegExp[]): void {
  const v = /^vary\s+\/(.*)\/([gimsu]*)$/.exec(body.trim());
  if (v) {
    vary.push(new RegExp(v[1]!, v[2]!.includes('g') ? v[2]! : v[2]! + 'g'));
    return;
  }
  for (const tok of shellSplit(body)) {
    const eq = tok.indexOf('=');
    if (eq < 0) into.set(tok, 'true');
    else into.set(tok.slice(0, eq), tok.slice(eq + 1));
  }
}

/** Heredoc terminators of a command line (`<<EOF`, `<<'EOF'`, `<<-"EOF"`). */
function heredocWords(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/g)) out.push(m[2]!);
  return out;
}

export function parseDoc(md: string): DocSpec {
  const lines = md.split('\n');
  const directives = new Map<string, string>();
  const vary: RegExp[] = [];
  const steps: Step[] = [];
  const skipped: { line: number; reason: string }[] = [];
  let marker: { kind: 'run-ts' } | { kind: 'not-run'; reason: string } | undefined;
  let lastTs: TsStep | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const notRun = /^<!--\s*not-run:(.*)-->\s*$/.exec(line);
    if (notRun) {
      const reason = notRun[1]!.trim();
      if (!reason) throw new Error(`line ${i + 1}: not-run needs a reason`);
      marker = { kind: 'not-run', reason };
      continue;
    }
    const dir = /^<!--\s*docs-test:(.*)-->\s*$/.exec(line);
    if (dir) {
      if (dir[1]!.trim() === 'run-ts') marker = { kind: 'run-ts' };
      else parseDirective(dir[1]!, directives, vary);
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (!open) {
      // A marker applies to the fence right below it (blank lines allowed).
      if (line.trim() !== '') marker = undefined;
      continue;
    }
    // A fenced block: find its end.
    const lang = open[1]!;
    let end = i + 1;
    while (end < lines.length && lines[end] !== '```') end++;
    if (end >= lines.length) throw new Error(`line ${i + 1}: unterminated code fence`);
    const body = lines.slice(i + 1, end);
    const m = marker;
    marker = undefined;
    if (m?.kind === 'not-run') {
      skipped.push({ line: i + 1, reason: m.reason });
      lastTs = undefined;
    } else if (lang === 'sh') {
      if (m?.kind === 'run-ts') throw new Error(`line ${i + 1}: run-ts marks a ts block, not sh`);
      parseShBlock(lines, i + 1, end, steps);
      lastTs = undefined;
    } else if (lang === 'ts' && m?.kind === 'run-ts') {
      lastTs = { kind: 'ts', line: i + 1, code: body.join('\n') };
      steps.push(lastTs);
    } else if (lang === 'text' && lastTs) {
      lastTs.shown = trimTrailingBlank(body);
      lastTs.outStart = i + 1;
      lastTs.outEnd = end;
      lastTs = undefined;
    } else {
      lastTs = undefined;
    }
    i = end;
  }
  return { directives, vary, steps, skipped, lines };
}

function trimTrailingBlank(a: string[]): string[] {
  const b = [...a];
  while (b.length && b[b.length - 1] === '') b.pop();
  return b;
}

function parseShBlock(lines: string[], start: number, end: number, steps: Step[]): void {
  let i = start;
  if (i < end && !lines[i]!.startsWith('$ ')) throw new Error(`line ${i + 1}: a sh block must start with a \`$ \` command line (fence examples as text, or mark the block not-run)`);
  while (i < end) {
    const cmdLine = i;
    const cmd = [lines[i]!.slice(2)];
    i++;
    for (const word of heredocWords(cmd[0]!)) {
      while (i < end && lines[i] !== word) cmd.push(lines[i++]!);
      if (i >= end) throw new Error(`line ${cmdLine + 1}: heredoc ${word} not terminated inside the block`);
      cmd.push(lines[i++]!);
    }
    const outStart = i;
    while (i < end && !lines[i]!.startsWith('$ ')) i++;
    const out = lines.slice(outStart, i);
    const shown = trimTrailingBlank(out);
    steps.push({ kind: 'sh', line: cmdLine + 1, command: cmd.join('\n'), shown, outStart, outEnd: i, trailingBlank: out.length - shown.length });
  }
}

// ------------------------------------------------------------------ environment

/** Newest modification time under a directory (files ending in `suffix`). */
function newestMtime(dir: string, suffix: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestMtime(p, suffix));
    else if (e.name.endsWith(suffix)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/**
 * The `notation-ts` shim: bin/notation-ts.cjs when dist/ is current (built first if
 * missing); when src/ has changed since the build it runs the source through tsx, so
 * the docs always test this checkout (dist/ is shared with other work: never rebuilt here).
 */
function writeShim(binDir: string): void {
  const distMain = join(REPO_ROOT, 'dist', 'cli', 'main.js');
  if (!existsSync(distMain)) {
    const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (!existsSync(distMain)) throw new Error(`building dist/ failed: ${r.stdout}${r.stderr}`);
  }
  const bundle = join(REPO_ROOT, 'dist', 'bundle', 'main.js');
  const built = Math.min(statSync(distMain).mtimeMs, existsSync(bundle) ? statSync(bundle).mtimeMs : Infinity);
  const fresh = newestMtime(join(REPO_ROOT, 'src'), '.ts') <= built;
  let exec: string;
  if (fresh) exec = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(REPO_ROOT, 'bin', 'notation-ts.cjs'))} "$@"`;
  else {
    const entry = join(binDir, 'notation-ts-src.mjs');
    writeFileSync(
      entry,
      `const { run } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src', 'cli', 'main.ts')).href)});
const code = await run(process.argv.slice(2), {
  stdout: { write: (s) => process.stdout.write(s) },
  stderr: { write: (s) => process.stderr.write(s) },
  env: process.env, cwd: process.cwd(), isTTY: false,
  readStdin: async () => { const c = []; for await (const x of process.stdin) c.push(x); return Buffer.concat(c).toString('utf8'); },
});
process.exitCode = code;
`,
    );
    const loader = pathToFileURL(join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
    exec = `exec ${JSON.stringify(process.execPath)} --import ${JSON.stringify(loader)} ${JSON.stringify(entry)} "$@"`;
  }
  writeFileSync(join(binDir, 'notation-ts'), `#!/bin/sh\n${exec}\n`);
  chmodSync(join(binDir, 'notation-ts'), 0o755);
}


function sha256hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

const MT_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MT_INDEX = 'application/vnd.oci.image.index.v1+json';

/** Deterministic image content: a config and one layer, so digests are stable across runs. */
function imageParts(name: string, platform?: { os: string; architecture: string }) {
  const config = Buffer.from(JSON.stringify({ architecture: platform?.architecture ?? 'amd64', os: platform?.os ?? 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = Buffer.from(`${name} ${platform ? `${platform.os}/${platform.architecture}` : ''}\n`);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MT_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha256hex(config)}`, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${sha256hex(layer)}`, size: layer.length }],
    }),
  );
  return { blobs: [config, layer], manifest };
}

/** Writes a one-image OCI layout (tag v1) at `dir`; returns the manifest digest. */
export function writeOciLayout(dir: string, name: string): string {
  const { blobs, manifest } = imageParts(name);
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const b of [...blobs, manifest]) writeFileSync(join(dir, 'blobs', 'sha256', sha256hex(b)), b);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const digest = `sha256:${sha256hex(manifest)}`;
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: MT_INDEX, manifests: [{ mediaType: MT_MANIFEST, digest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }] }),
  );
  return digest;
}

/** Pushes deterministic images the way any OCI client would (monolithic blob uploads). */
async function pushImage(host: string, auth: string | undefined, repo: string, tag: string, multiPlatform: boolean): Promise<void> {
  const headers: Record<string, string> = auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {};
  const base = `http://${host}/v2/${repo}`;
  const putBlob = async (b: Buffer) => {
    const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST', headers });
    if (start.status !== 202) throw new Error(`blob upload to ${repo}: ${start.status}`);
    const loc = new URL(start.headers.get('location')!, `http://${host}`);
    loc.searchParams.set('digest', `sha256:${sha256hex(b)}`);
    const r = await fetch(loc, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: b });
    if (r.status !== 201) throw new Error(`blob upload to ${repo}: ${r.status}`);
  };
  const putManifest = async (ref: string, b: Buffer, mediaType: string) => {
    const r = await fetch(`${base}/manifests/${ref}`, { method: 'PUT', headers: { ...headers, 'content-type': mediaType }, body: b });
    if (r.status !== 201) throw new Error(`manifest push ${repo}:${ref}: ${r.status} ${await r.text()}`);
  };
  if (!multiPlatform) {
    const { blobs, manifest } = imageParts(repo);
    for (const b of blobs) await putBlob(b);
    await putManifest(tag, manifest, MT_MANIFEST);
    return;
  }
  const entries = [];
  for (const architecture of ['amd64', 'arm64']) {
    const platform = { os: 'linux', architecture };
    const { blobs, manifest } = imageParts(repo, platform);
    for (const b of blobs) await putBlob(b);
    const digest = `sha256:${sha256hex(manifest)}`;
    await putManifest(digest, manifest, MT_MANIFEST);
    entries.push({ mediaType: MT_MANIFEST, digest, size: manifest.length, platform });
  }
  await putManifest(tag, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT_INDEX, manifests: entries })), MT_INDEX);
}

// ------------------------------------------------------------------ the bash session

interface ShellResult {
  stdout: string;
  stderr: string;
  rc: number;
}

class Session {
  private proc: ChildProcessWithoutNullStreams;
  private buf = '';
  private waiter?: () => void;
  env: Record<string, string> = {};
  cwd: string;

  constructor(
    private readonly stateDir: string,
    cwd: string,
    env: Record<string, string>,
  ) {
    this.cwd = cwd;
    this.proc = spawn('bash', ['--noprofile', '--norc'], { cwd, env, stdio: 'pipe' });
    this.proc.stdout.on('data', (c: Buffer) => {
      this.buf += c.toString('utf8');
      this.waiter?.();
    });
    this.proc.stderr.on('data', () => {});
    this.proc.on('exit', () => this.waiter?.());
  }

  async run(command: string, timeoutMs = 180_000): Promise<ShellResult> {
    const d = this.stateDir;
    const marker = `__DOCS_DONE_${Math.random().toString(36).slice(2)}__`;
    const script =
      `{ ${command}\n} >${d}/out 2>${d}/err </dev/null\n` +
      `echo $? >${d}/rc; pwd >${d}/pwd; env -0 >${d}/env; echo ${marker}\n`;
    this.buf = '';
    this.proc.stdin.write(script);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`command timed out after ${timeoutMs} ms: ${command}`)), timeoutMs);
      const check = () => {
        if (this.buf.includes(marker)) {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        } else if (this.proc.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`the shell exited (${this.proc.exitCode}) running: ${command}`));
        }
      };
      this.waiter = check;
      check();
    });
    this.cwd = readFileSync(join(d, 'pwd'), 'utf8').replace(/\n$/, '');
    this.env = {};
    for (const kv of readFileSync(join(d, 'env'), 'utf8').split('\0')) {
      const eq = kv.indexOf('=');
      if (eq > 0) this.env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    return { stdout: readFileSync(join(d, 'out'), 'utf8'), stderr: readFileSync(join(d, 'err'), 'utf8'), rc: Number(readFileSync(join(d, 'rc'), 'utf8')) };
  }

  close(): void {
    if (this.proc.exitCode === null) this.proc.kill('SIGTERM');
  }
}

/** True when the line is `notation-ts ...` with nothing for a shell to expand or redirect. */
export function isPlainNotationCommand(cmd: string): boolean {
  if (!/^notation-ts(\s|$)/.test(cmd) || cmd.includes('\n')) return false;
  let q: string | null = null;
  for (const ch of cmd) {
    if (q === "'") {
      if (ch === q) q = null;
    } else if (q === '"') {
      if (ch === q) q = null;
      else if ('$`\\'.includes(ch)) return false;
    } else if (ch === "'" || ch === '"') q = ch;
    else if ('|&;<>()$`\\*?~[]{}#'.includes(ch)) return false;
  }
  return q === null;
}

// ------------------------------------------------------------------ normalising and binding

const HEX64 = /(?<![0-9a-fA-F])[0-9a-f]{64}(?![0-9a-fA-F])/g;
const DATETIME = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z| [+-]\d{4} [A-Z]+|[+-]\d{2}:\d{2})?/g;

export interface StepResult {
  step: Step;
  /** Output as it should appear in the document (paths and addresses as documented). */
  actual: string[];
  /** Normalised texts that must be equal. */
  normShown: string;
  normActual: string;
  ok: boolean;
  /** The command actually run (bindings applied), for messages. */
  ran: string;
  problem?: string;
}

export interface DocRun {
  results: StepResult[];
  /** The document with actual outputs (and commands updated with bound values), for UPDATE_DOCS. */
  rendered: string;
  skipped: { line: number; reason: string }[];
}

class Bindings {
  private d2a = new Map<string, string>();
  private a2d = new Map<string, string>();
  private ids = new Map<string, number>();

  /** Binds the documented hex values to the actual ones in order; returns an error text on inconsistency. */
  pair(shown: string, actual: string): string | undefined {
    const ds = shown.match(HEX64) ?? [];
    const as = actual.match(HEX64) ?? [];
    if (ds.length !== as.length) return undefined; // the texts differ anyway
    for (let i = 0; i < ds.length; i++) {
      const d = ds[i]!;
      const a = as[i]!;
      const bd = this.d2a.get(d);
      const ba = this.a2d.get(a);
      if (bd !== undefined && bd !== a) return `${d} was bound to ${bd}, now printed as ${a}`;
      if (ba !== undefined && ba !== d) return `${a} was shown as ${ba}, here as ${d}`;
      this.d2a.set(d, a);
      this.a2d.set(a, d);
    }
    return undefined;
  }

  id(hex: string, documented: boolean): string {
    const key = documented ? hex : (this.a2d.get(hex) ?? `actual:${hex}`);
    if (!this.ids.has(key)) this.ids.set(key, this.ids.size + 1);
    return `<hex-${this.ids.get(key)}>`;
  }

  apply(text: string): string {
    return text.replace(HEX64, (h) => this.d2a.get(h) ?? h);
  }

  /** Actual → documented (for UPDATE_DOCS: keep the documented values where bound). */
  unapply(text: string): string {
    return text.replace(HEX64, (h) => this.a2d.get(h) ?? h);
  }
}

// ------------------------------------------------------------------ running a document

export interface RunOptions {
  /** Abort the run at the first mismatch (default: run everything). */
  stopAtFirstFailure?: boolean;
}

export async function runDoc(file: string, opts: RunOptions = {}): Promise<DocRun> {
  const md = readFileSync(file, 'utf8');
  const spec = parseDoc(md);
  const dir = spec.directives;
  const base = mkdtempSync(join(tmpdir(), 'nts-docs-'));
  const home = join(base, 'home');
  const work = join(base, 'work');
  const cfg = join(base, 'config');
  const cache = join(base, 'cache');
  const bin = join(base, 'bin');
  const state = join(base, 'state');
  for (const d of [home, work, cfg, cache, bin, state]) mkdirSync(d, { recursive: true });
  const cwd = dir.get('cwd') === 'repo' ? REPO_ROOT : work;
  writeShim(bin);
  if (dir.has('credential-helper')) writeCredentialHelper(bin, dir.get('credential-helper')!, join(base, 'credentials.json'));
  if (dir.has('oci-layout')) writeOciLayout(join(cwd, dir.get('oci-layout')!), dir.get('oci-layout')!);

  let registry: DockerRegistry | undefined;
  let port = '';
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(base, { recursive: true, force: true })];
  let session: Session | undefined;
  try {
    if (dir.get('registry') === 'docker-registry') {
      if (!dockerRegistryAvailable()) throw new Error(`${file} needs docker-registry (apt-get install docker-registry)`);
      const user = dir.get('user');
      const pass = dir.get('pass');
      registry = new DockerRegistry(dir.has('basic-auth') ? { username: user!, password: pass! } : undefined);
      cleanups.push(() => registry!.stop());
      const host = await registry.start();
      port = host.split(':')[1]!;
      for (const img of (dir.get('images') ?? '').split(',').filter(Boolean)) {
        const [repo, tag] = img.split(':') as [string, string];
        await pushImage(host, dir.has('basic-auth') ? `${user}:${pass}` : undefined, repo, tag, tag !== 'v1');
      }
    }
    if (dir.has('softhsm')) {
      for (const tool of ['/usr/lib/softhsm/libsofthsm2.so', '/usr/bin/softhsm2-util', '/usr/bin/pkcs11-tool']) {
        if (!existsSync(tool)) throw new Error(`${file} needs ${tool} (apt-get install softhsm2 opensc)`);
      }
    }
    const env: Record<string, string> = {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: home,
      NOTATION_CONFIG: cfg,
      NOTATION_CACHE: cache,
      LANG: 'C.UTF-8',
      TZ: 'UTC',
    };
    session = new Session(state, cwd, env);
    await session.run('true');

    // Docs name the fixtures as `../shared/...` (beside the repository, as in CI); a
    // clone elsewhere finds them through the shared resolver instead.
    const sharedBeside = existsSync(join(REPO_ROOT, '..', 'shared'));
    const toActual = (s: string) => {
      let t = port ? s.replaceAll(`127.0.0.1:${DOC_REGISTRY}`, `127.0.0.1:${port}`).replaceAll(`localhost:${DOC_REGISTRY}`, `localhost:${port}`) : s;
      if (!sharedBeside) t = t.replaceAll('../shared/', `${SHARED}/`);
      return t;
    };
    const toDoc = (s: string) => {
      let t = sharedBeside ? s : s.split(`${SHARED}/`).join('../shared/');
      // Longest paths first: the config dir may live under another of them.
      const paths: [string, string][] = [
        [cfg, '$NOTATION_CONFIG'],
        [cache, '$NOTATION_CACHE'],
        [home, '$HOME'],
        [work, '$PWD'],
      ];
      for (const [p, name] of paths.sort((a, b) => b[0].length - a[0].length)) t = t.split(p).join(name);
      if (port) t = t.replaceAll(`127.0.0.1:${port}`, `127.0.0.1:${DOC_REGISTRY}`).replaceAll(`localhost:${port}`, `localhost:${DOC_REGISTRY}`);
      return t;
    };
    const bindings = new Bindings();
    const normalise = (text: string, documented: boolean) => {
      let t = text.replace(DATETIME, '<time>');
      for (const re of spec.vary) t = t.replace(re, '<vary>');
      return t.replace(HEX64, (h) => bindings.id(h, documented));
    };

    const results: StepResult[] = [];
    let failed = false;
    for (const step of spec.steps) {
      if (failed && opts.stopAtFirstFailure) break;
      const ran = toActual(bindings.apply(step.kind === 'sh' ? step.command : step.code));
      let out: { stdout: string; stderr: string; rc: number };
      if (step.kind === 'sh') {
        if (isPlainNotationCommand(ran) && !dir.has('shell-only') && !dir.has('softhsm')) {
          const r = await runCli(shellSplit(ran).slice(1), { env: session.env, cwd: session.cwd });
          out = { stdout: r.stdout, stderr: r.stderr, rc: r.code };
        } else out = await session.run(ran);
      } else out = runTs(ran, base, session);
      const actualText = toDoc(
        [out.stdout, out.stderr]
          .filter((x) => x !== '')
          .map((x) => x.replace(/\n+$/, ''))
          .join('\n'),
      );
      const actual = actualText === '' ? [] : actualText.split('\n');
      const shown = (step.shown ?? []).join('\n');
      const problem = bindings.pair(shown, actual.join('\n'));
      const normShown = normalise(shown, true);
      const normActual = normalise(actual.join('\n'), false);
      let ok = !problem && normShown === normActual;
      let why = problem;
      if (step.kind === 'ts' && out.rc !== 0) {
        ok = false;
        why = `exit code ${out.rc}`;
      }
      if (!ok) failed = true;
      results.push({ step, actual, normShown, normActual, ok, ran, ...(why ? { problem: why } : {}) });
    }

    return { results, rendered: render(spec, results, bindings), skipped: spec.skipped };
  } finally {
    session?.close();
    for (const c of cleanups.reverse()) await c();
  }
}

function runTs(code: string, base: string, session: Session): ShellResult {
  const srcIndex = pathToFileURL(join(REPO_ROOT, 'src', 'index.ts')).href;
  const file = join(base, `example-${sha256hex(Buffer.from(code)).slice(0, 8)}.mts`);
  writeFileSync(file, code.replace(/from\s+(['"])notation-ts\1/g, `from ${JSON.stringify(srcIndex)}`));
  const r = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [file], { cwd: session.cwd, env: session.env, encoding: 'utf8', timeout: 120_000 });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', rc: r.status ?? 1 };
}

/** The document with each step's shown output replaced by the actual one. */
function render(spec: DocSpec, results: StepResult[], bindings: Bindings): string {
  const lines = [...spec.lines];
  // Replace from the bottom up so earlier indices stay valid.
  const edits: { start: number; end: number; text: string[] }[] = [];
  for (const r of results) {
    const actual = r.actual.map((l) => bindings.unapply(l));
    if (r.step.kind === 'sh') {
      edits.push({ start: r.step.outStart, end: r.step.outEnd, text: [...actual, ...Array<string>(r.step.trailingBlank).fill('')] });
    } else if (r.step.outStart !== undefined) {
      edits.push({ start: r.step.outStart, end: r.step.outEnd!, text: actual });
    }
  }
  for (const e of edits.sort((a, b) => b.start - a.start)) lines.splice(e.start, e.end - e.start, ...e.text);
  return lines.join('\n');
}

/** Every document the docs test runs. */
export function documents(): string[] {
  const docs = readdirSync(join(REPO_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md') && f !== 'performance.md')
    .map((f) => join(REPO_ROOT, 'docs', f));
  return [join(REPO_ROOT, 'README.md'), ...docs.sort()];
}
