/**
 * `npm run bench` (human table) / `npm run bench -- --json` (one JSON object per
 * line). Every figure is a ratio to a baseline measured in the same run; see
 * docs/performance.md for what each benchmark measures and the targets.
 *
 * Options: `--only <name-prefix>` (repeatable), `--quick` (small iteration
 * counts, used by test/bench-regression.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { constants, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  CHAIN_KEYS,
  MEDIA_TYPES,
  TARGET,
  TARGETS,
  compare,
  freshChain,
  makeAnchor,
  makeFixture,
  median,
  newVerifier,
  result,
  verifyOnce,
  type Anchor,
  type BenchResult,
  type Fixture,
} from './lib.js';
import { signDescriptor } from '../src/signer/sign.js';
import { LocalSigner } from '../src/signer/local.js';
import { ALGORITHMS } from '../src/envelope/types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = join(ROOT, '..', 'shared', 'notation-made');

export interface RunOptions {
  quick?: boolean;
  only?: string[];
  onResult?: (r: BenchResult) => void;
}

const wanted = (o: RunOptions, name: string) => !o.only?.length || o.only.some((p) => name.startsWith(p));

// ---------------------------------------------------------------------------
// Single verification, cold and warm

async function verifySingle(o: RunOptions, emit: (r: BenchResult) => void): Promise<void> {
  const rounds = o.quick ? 3 : 7;
  const n = o.quick ? 8 : 40;
  const keysList = o.quick ? CHAIN_KEYS.slice(0, 1) : CHAIN_KEYS;
  for (const keys of keysList) {
    const anchor = await makeAnchor(keys);
    for (const fmt of ['cose', 'jws'] as const) {
      const cold = `verify-${fmt}-chain3-cold`;
      const warm = `verify-${fmt}-chain3-warm`;
      if (!wanted(o, cold) && !wanted(o, warm)) continue;
      // Every cold call gets a chain whose leaf and intermediate were never seen.
      const fx: Fixture[] = [];
      for (let i = 0; i < rounds * n; i++) fx.push(await makeFixture(anchor, await freshChain(anchor), MEDIA_TYPES[fmt], i));
      const base = { baseline: 'raw node:crypto: envelope signature + 3 certificate signatures', keys: keys.label };
      if (wanted(o, cold)) {
        // JIT warm-up on fixtures of their own: compare()'s default warm-up reuses the
        // last round's inputs, whose chains would then be in the byte-keyed memos and
        // no longer cold when measured.
        const warmFx: Fixture[] = [];
        for (let i = 0; i < 20; i++) warmFx.push(await makeFixture(anchor, await freshChain(anchor), MEDIA_TYPES[fmt], rounds * n + i));
        for (const f of warmFx) {
          f.raw();
          await verifyOnce(newVerifier(anchor), f);
        }
        emit(await compare({ name: cold, ...base }, rounds, n, (r, i) => verifyOnce(newVerifier(anchor), fx[r * n + i]), (r, i) => fx[r * n + i].raw(), false));
      }
      if (wanted(o, warm)) {
        const v = newVerifier(anchor);
        const f = fx[0];
        await verifyOnce(v, f);
        emit(await compare({ name: warm, ...base }, rounds, n * 5, () => verifyOnce(v, f), () => f.raw()));
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Batch: 10,000 signatures by one signer through one Verifier, and the memory check

async function batchFixtures(anchor: Anchor, count: number): Promise<Fixture[]> {
  const chain = await freshChain(anchor);
  const out: Fixture[] = [];
  for (let i = 0; i < count; i++) out.push(await makeFixture(anchor, chain, MEDIA_TYPES.cose, i));
  return out;
}

async function batch(o: RunOptions, emit: (r: BenchResult) => void): Promise<void> {
  if (!wanted(o, 'verify-batch-same-signer') && !wanted(o, 'memory-verify-10k')) return;
  const total = o.quick ? 1000 : 10_000;
  // Many short interleaved rounds: a slow spell of the shared machine then spoils a few rounds, not the median.
  const rounds = o.quick ? 5 : 25;
  for (const keys of o.quick ? CHAIN_KEYS.slice(0, 1) : CHAIN_KEYS.slice(0, 2)) {
    const anchor = await makeAnchor(keys);
    // RSA-3072 signing costs 2.5 ms: 1,000 distinct envelopes are cycled (nothing is cached per envelope).
    const distinct = Math.min(total, keys.leaf.startsWith('RSA') ? 1000 : total);
    const fx = await batchFixtures(anchor, distinct);
    const v = newVerifier(anchor);
    const per = total / rounds;
    if (wanted(o, 'verify-batch-same-signer')) {
      const r = await compare(
        { name: 'verify-batch-same-signer', baseline: 'raw node:crypto: the envelope signature of each', keys: keys.label },
        rounds,
        per,
        (round, i) => verifyOnce(v, fx[(round * per + i) % distinct]),
        (round, i) => fx[(round * per + i) % distinct].rawEnvelopeOnly(),
      );
      emit({ ...r, signatures: total, distinct_envelopes: distinct });
    }
    if (wanted(o, 'memory-verify-10k') && keys.leaf.startsWith('RSA')) emit(await memory(anchor, fx, total));
  }
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Peak RSS while verifying `total` signatures through one Verifier: after 10% vs at the end. */
async function memory(anchor: Anchor, fx: Fixture[], total: number): Promise<BenchResult> {
  const v = newVerifier(anchor);
  const tenth = Math.floor(total / 10);
  let peakEarly = 0;
  let peak = 0;
  for (let i = 0; i < total; i++) {
    await verifyOnce(v, fx[i % fx.length]);
    if (i % 250 === 0) {
      const rss = process.memoryUsage().rss;
      if (i <= tenth) peakEarly = Math.max(peakEarly, rss);
      peak = Math.max(peak, rss);
    }
    if (i === tenth) gc();
  }
  gc();
  const mb = (b: number) => Number((b / 1048576).toFixed(1));
  return {
    name: 'memory-verify-10k',
    ops_per_s: 0,
    baseline: `peak RSS over the first ${tenth} verifications`,
    baseline_ops_per_s: 0,
    ratio: Number((peak / peakEarly).toFixed(3)),
    keys: anchor.keys.label,
    target: 1.1,
    peak_rss_mb_first_10pct: mb(peakEarly),
    peak_rss_mb: mb(peak),
    growth_mb: mb(peak - peakEarly),
    verifications: total,
  };
}

// ---------------------------------------------------------------------------
// Local signing: signDescriptor (payload, envelope, chain checks, self-verification) vs the raw sign

async function signLocal(o: RunOptions, emit: (r: BenchResult) => void): Promise<void> {
  for (const fmt of ['cose', 'jws'] as const) {
    const name = `sign-${fmt}-local`;
    if (!wanted(o, name)) continue;
    for (const keys of o.quick ? CHAIN_KEYS.slice(0, 1) : CHAIN_KEYS) {
      const anchor = await makeAnchor(keys);
      const chain = await freshChain(anchor);
      const signer = new LocalSigner(anchor.leafKey.key, chain);
      const alg = ALGORITHMS.find((a) => a.keySpec === keys.leaf)!;
      const data = Buffer.alloc(700, 7); // about what the signed bytes of an envelope are
      const key = anchor.leafKey.key;
      const raw = () =>
        alg.kind === 'rsa'
          ? cryptoSign(alg.nodeHash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.hashLength })
          : cryptoSign(alg.nodeHash, data, { key, dsaEncoding: 'ieee-p1363' });
      const ours = () => signDescriptor(TARGET, { signer, signatureMediaType: MEDIA_TYPES[fmt] });
      const rsa = alg.kind === 'rsa';
      const rounds = o.quick ? 3 : 7;
      const n = o.quick ? 5 : rsa ? 30 : 150;
      const r = await compare({ name, baseline: 'raw node:crypto sign', keys: keys.label }, rounds, n, ours, raw);
      // notation-go (and we) verify every signature made before returning it; for EC
      // keys that check costs more than the signature. Second baseline: the raw sign
      // plus a raw verify of its output, i.e. the least any self-verifying signer does.
      const pub = anchor.leafKey.publicKey;
      const rawVerify = (sig: Buffer) =>
        alg.kind === 'rsa'
          ? cryptoVerify(alg.nodeHash, data, { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.hashLength }, sig)
          : cryptoVerify(alg.nodeHash, data, { key: pub, dsaEncoding: 'ieee-p1363' }, sig);
      const rawSignVerify = () => {
        if (!rawVerify(raw())) throw new Error('raw sign + verify failed');
      };
      const r2 = await compare({ name, baseline: 'raw sign + raw verify', keys: keys.label }, rounds, n, ours, rawSignVerify);
      emit({ ...r, ratio_vs_sign_verify: r2.ratio, spread_vs_sign_verify: r2.spread, sign_verify_ops_per_s: r2.baseline_ops_per_s });
    }
  }
}

// ---------------------------------------------------------------------------
// CLI processes

function cliFixture(): { dir: string; env: NodeJS.ProcessEnv; verifyArgs: string[]; signArgs: string[] } | undefined {
  const layout = join(SHARED, 'oci', 'oci-jws-rsa');
  if (!existsSync(layout)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'notation-ts-bench-'));
  const cfg = join(dir, 'cfg');
  cpSync(join(SHARED, 'truststore'), join(cfg, 'truststore'), { recursive: true });
  cpSync(join(SHARED, 'policies', 'oci-strict.json'), join(cfg, 'trustpolicy.json'));
  cpSync(layout, join(dir, 'layout'), { recursive: true });
  // Signing adds a signature per run: its own copy, so that verification always sees one signature.
  cpSync(layout, join(dir, 'sign-layout'), { recursive: true });
  writeFileSync(
    join(cfg, 'signingkeys.json'),
    JSON.stringify({ default: 'rsa', keys: [{ name: 'rsa', keyPath: join(SHARED, 'pki', 'leaf-rsa.key'), certPath: join(SHARED, 'pki', 'leaf-rsa.chain.crt') }] }),
  );
  const digest = 'sha256:11ecf776c3fa005fa46d9548a5233014995d4322bb1e8b913c79c0388c17c993';
  return {
    dir,
    env: { ...process.env, NOTATION_CONFIG: cfg, NOTATION_CACHE: join(dir, 'cache') },
    verifyArgs: ['verify', '--oci-layout', '--scope', 'local/interop', `layout@${digest}`],
    signArgs: ['sign', '--oci-layout', '--signature-format', 'cose', '--key', 'rsa', `sign-layout@${digest}`],
  };
}

/** Median wall time of `runs` spawns of each command, interleaved. */
function spawnMedian(cmds: { cmd: string; args: string[] }[], env: NodeJS.ProcessEnv, cwd: string, runs: number): { median: number[]; ratios: number[] } {
  const times: number[][] = cmds.map(() => []);
  for (let r = 0; r < runs; r++) {
    cmds.forEach((c, k) => {
      const t0 = performance.now();
      const p = spawnSync(c.cmd, c.args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      if (p.status !== 0) throw new Error(`${c.cmd} ${c.args.join(' ')} exited ${p.status}: ${p.stderr}`);
      times[k].push(performance.now() - t0);
    });
  }
  const ratios = times[0].map((t, i) => t / times[1][i]);
  return { median: times.map(median), ratios };
}

/** Builds the CLI bundle and its code cache (what bin/notation-ts.cjs runs) when missing. */
function ensureBundle(): void {
  if (existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs')) && existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs.cache'))) return;
  const p = spawnSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: 'inherit' });
  if (p.status !== 0) throw new Error('npm run build:cli failed');
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function cli(o: RunOptions, emit: (r: BenchResult) => void): Promise<void> {
  const names = ['cli-verify-oci-layout', 'cli-sign-oci-layout', 'inprocess-verify-vs-notation-cli'];
  if (!names.some((n) => wanted(o, n))) return;
  const fx = cliFixture();
  if (!fx) {
    for (const name of names) emit(skipped(name, 'the notation-made fixtures (../shared/notation-made) are missing'));
    return;
  }
  try {
    ensureBundle();
    const bin = join(ROOT, 'bin', 'notation-ts.cjs');
    const runs = o.quick ? 5 : 31;
    const bare = { cmd: process.execPath, args: ['-e', ''] };
    const notation = onPath('notation');
    for (const [name, args] of [
      ['cli-verify-oci-layout', fx.verifyArgs],
      ['cli-sign-oci-layout', fx.signArgs],
    ] as const) {
      if (!wanted(o, name)) continue;
      const m = spawnMedian([{ cmd: process.execPath, args: [bin, ...args] }, bare], fx.env, fx.dir, runs);
      const extraCa = !!process.env.NODE_EXTRA_CA_CERTS;
      const r = result({ name, baseline: `bare \`node -e ''\` (same environment${extraCa ? ', NODE_EXTRA_CA_CERTS set' : ''})` }, m.median[0] / 1000, m.median[1] / 1000, m.ratios);
      const extra: Record<string, unknown> = { ms: Number(m.median[0].toFixed(1)), baseline_ms: Number(m.median[1].toFixed(1)), node_extra_ca_certs: extraCa };
      if (extraCa) {
        // Node loads NODE_EXTRA_CA_CERTS in every process before any script runs
        // (~50 ms here): the same pair without it shows our own share more plainly.
        const env = { ...fx.env };
        delete env.NODE_EXTRA_CA_CERTS;
        const q = spawnMedian([{ cmd: process.execPath, args: [bin, ...args] }, bare], env, fx.dir, runs);
        extra.ratio_without_extra_ca = Number(median(q.ratios).toFixed(3));
        extra.ms_without_extra_ca = Number(q.median[0].toFixed(1));
        extra.baseline_ms_without_extra_ca = Number(q.median[1].toFixed(1));
      }
      if (notation) {
        const nm = spawnMedian([{ cmd: process.execPath, args: [bin, ...args] }, { cmd: 'notation', args }], { ...fx.env, NOTATION_EXPERIMENTAL: '1' }, fx.dir, runs);
        extra.ratio_vs_notation = Number(median(nm.ratios).toFixed(3));
        extra.notation_ms = Number(nm.median[1].toFixed(1));
      } else extra.ratio_vs_notation = null;
      emit({ ...r, ...extra });
    }
    if (wanted(o, 'inprocess-verify-vs-notation-cli')) {
      emit(notation ? await inprocessVsNotation(fx, runs) : skipped('inprocess-verify-vs-notation-cli', '`notation` is not on PATH'));
    }
  } finally {
    rmSync(fx.dir, { recursive: true, force: true });
  }
}

/**
 * The library as an embedding build tool uses it against spawning `notation verify`
 * for the same artifact. Ours: one long-lived Verifier and layout (policy, trust
 * store and caches loaded once), a batch of artifacts a round; also reported,
 * `verify()` from the public entry per artifact (policy, trust store, layout and
 * Verifier anew each call, as a notation process does). Interleaved rounds: a
 * batch of ours, a few spawns of notation; the ratio is per artifact.
 */
async function inprocessVsNotation(fx: NonNullable<ReturnType<typeof cliFixture>>, runs: number): Promise<BenchResult> {
  const { verify, Verifier, verifyArtifact, OciLayoutRepository, X509TrustStore, trustpolicy } = await import('../src/index.js');
  const digest = fx.verifyArgs[fx.verifyArgs.length - 1].split('@')[1];
  const configDir = fx.env.NOTATION_CONFIG!;
  const once = () => verify({ ociLayout: join(fx.dir, 'layout'), reference: digest, scope: 'local/interop', configDir });
  const verifier = new Verifier({ ociTrustPolicy: trustpolicy.loadOciTrustPolicy(configDir), trustStore: new X509TrustStore(configDir) });
  const repository = new OciLayoutRepository(join(fx.dir, 'layout'));
  const reused = () => verifyArtifact({ verifier, repository, artifactReference: `local/interop@${digest}` });
  // Module loading and JIT warm-up are start-up, not per-artifact work.
  for (let i = 0; i < 50; i++) {
    const a = await reused();
    const b = await once();
    if (!a.outcomes.length || a.outcomes[0].error || b.outcome.error) throw new Error('in-process verification failed');
  }
  const wall = async (n: number, f: () => Promise<unknown>) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await f();
    return (performance.now() - t0) / n;
  };
  const spawnNotation = async () => {
    const p = spawnSync('notation', fx.verifyArgs, { env: { ...fx.env, NOTATION_EXPERIMENTAL: '1' }, cwd: fx.dir });
    if (p.status !== 0) throw new Error(`notation verify failed: ${p.stderr}`);
  };
  const rounds = Math.max(5, Math.round(runs / 3));
  const ours: number[] = [];
  const fresh: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(await wall(50, reused));
    fresh.push(await wall(20, once));
    theirs.push(await wall(3, spawnNotation));
  }
  const r = result(
    { name: 'inprocess-verify-vs-notation-cli', baseline: 'spawning `notation verify` for the same artifact (ours: one long-lived Verifier)' },
    median(ours) / 1000,
    median(theirs) / 1000,
    ours.map((t, i) => t / theirs[i]),
  );
  return {
    ...r,
    us_per_artifact: Number((median(ours) * 1000).toFixed(0)),
    notation_ms: Number(median(theirs).toFixed(2)),
    ratio_fresh_verifier: Number(median(fresh.map((t, i) => t / theirs[i])).toFixed(3)),
  };
}

function skipped(name: string, why: string): BenchResult {
  return { name, ops_per_s: 0, baseline: '', baseline_ops_per_s: 0, ratio: 0, skipped: why, ...(TARGETS[name] !== undefined ? { target: TARGETS[name] } : {}) };
}

// ---------------------------------------------------------------------------
// Benchmarks owned by other issues, run as they define them

async function external(o: RunOptions, emit: (r: BenchResult) => void): Promise<void> {
  for (const [name, file] of [
    ['crl-lookup-100k', 'crl-lookup-100k.ts'],
    ['sign-pkcs11-softhsm', 'sign-pkcs11-softhsm.ts'],
  ] as const) {
    if (!wanted(o, name)) continue;
    const path = join(ROOT, 'bench', file);
    if (!existsSync(path)) {
      emit(skipped(name, `bench/${file} is not there yet`));
      continue;
    }
    try {
      const mod = (await import(pathToFileURL(path).href)) as { run: () => Promise<BenchResult> };
      const r = await mod.run();
      emit({ ...r, ...(TARGETS[r.name] !== undefined && r.target === undefined ? { target: TARGETS[r.name] } : {}) });
    } catch (e) {
      emit(skipped(name, `failed: ${(e as Error).message.split('\n')[0]}`));
    }
  }
}

export async function runAll(o: RunOptions = {}): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const emit = (r: BenchResult) => {
    out.push(r);
    o.onResult?.(r);
  };
  // Process spawns first: spawning from a process whose heap the other benchmarks
  // have grown costs more (fork), and their garbage slows the in-process loop.
  await cli(o, emit);
  await verifySingle(o, emit);
  await batch(o, emit);
  await signLocal(o, emit);
  if (!o.quick) await external(o, emit);
  return out;
}

function table(rows: BenchResult[]): string {
  const head = ['name', 'keys', 'ratio', 'spread', 'target', 'ops/s', 'baseline ops/s', 'baseline'];
  const body = rows.map((r) => [
    r.name,
    r.keys ?? '',
    r.skipped ? 'skipped' : String(r.ratio),
    r.spread ? `${r.spread[0]}-${r.spread[1]}` : '',
    r.target !== undefined ? `<= ${r.target}` : '',
    r.ops_per_s ? String(r.ops_per_s) : '',
    r.baseline_ops_per_s ? String(r.baseline_ops_per_s) : '',
    r.skipped ?? r.baseline,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((row) => row.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd()).join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const only: string[] = [];
  argv.forEach((a, i) => a === '--only' && argv[i + 1] && only.push(argv[i + 1]));
  const rows = await runAll({ quick: argv.includes('--quick'), only, onResult: json ? (r) => console.log(JSON.stringify(r)) : undefined });
  if (!json) console.log(table(rows));
}
