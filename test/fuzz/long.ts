/**
 * `npm run fuzz`: the long fuzz run. FUZZ_RUNS cases (default 1,000,000) are split
 * over the targets by weight; each target runs in its own child process (as many at
 * once as there are CPUs) with a heap cap, in chunks with their own seeds.
 *
 * A finding is: a property failure (fast-check prints seed, path and the shrunk
 * counterexample), a child that dies (e.g. out of memory under the heap cap) or a
 * child that reports no progress for FUZZ_STALL_S seconds (a hang). The run prints
 * per-target counts and times and exits 1 on any finding.
 *
 * Environment: FUZZ_RUNS, FUZZ_TARGET (comma list), FUZZ_SEED (+ FUZZ_PATH: replay
 * one chunk), FUZZ_CHUNK (cases per chunk, 2000), FUZZ_STALL_S (120),
 * FUZZ_HEAP_MB (1536), FUZZ_JOBS (CPU count).
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { TARGETS } from './targets/index.js';
import { runTarget } from './harness.js';

type Msg =
  | { type: 'chunk'; seed: number; runs: number }
  | { type: 'progress'; runs: number; ms: number; slowestMs: number }
  | { type: 'finding'; message: string }
  | { type: 'done'; runs: number; ms: number; slowestMs: number };

const env = process.env;
const int = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d);

async function child(name: string, runs: number, baseSeed: number): Promise<void> {
  const t = TARGETS.find((x) => x.name === name)!;
  const send = (m: Msg) => process.send!(m);
  const ctx = await t.setup();
  const chunk = int(env.FUZZ_CHUNK, 2000);
  let done = 0;
  let ms = 0;
  let slowest = 0;
  try {
    for (let i = 0; done < runs; i++) {
      const n = Math.min(chunk, runs - done);
      const seed = (baseSeed + i * 7919) | 0;
      send({ type: 'chunk', seed, runs: n });
      const r = await runTarget(t, ctx, { numRuns: n, seed, path: env.FUZZ_PATH || undefined });
      done += r.runs;
      ms += r.ms;
      slowest = Math.max(slowest, r.slowestMs);
      if (r.failed) {
        send({ type: 'finding', message: r.message! });
        process.exitCode = 1;
        return;
      }
      send({ type: 'progress', runs: done, ms, slowestMs: slowest });
      if (env.FUZZ_PATH) break; // a replay is one chunk
    }
  } finally {
    await t.teardown?.(ctx);
  }
  send({ type: 'done', runs: done, ms, slowestMs: slowest });
}

interface Row {
  name: string;
  planned: number;
  runs: number;
  ms: number;
  slowestMs: number;
  status: 'pending' | 'running' | 'ok' | 'finding';
  detail?: string;
}

async function parent(): Promise<number> {
  const total = int(env.FUZZ_RUNS, 1_000_000);
  const only = env.FUZZ_TARGET ? new Set(env.FUZZ_TARGET.split(',')) : undefined;
  const targets = TARGETS.filter((t) => !only || only.has(t.name));
  if (targets.length === 0) {
    console.error(`fuzz: no target named ${env.FUZZ_TARGET}; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
    return 2;
  }
  const weight = targets.reduce((s, t) => s + t.weight, 0);
  const baseSeed = env.FUZZ_SEED ? Number(env.FUZZ_SEED) : (Date.now() & 0x7fffffff);
  const rows: Row[] = targets.map((t, i) => ({
    name: t.name,
    // The last target takes the rounding remainder so the total is exact.
    planned: i === targets.length - 1 ? total - targets.slice(0, -1).reduce((s, x) => s + Math.floor((total * x.weight) / weight), 0) : Math.floor((total * t.weight) / weight),
    runs: 0,
    ms: 0,
    slowestMs: 0,
    status: 'pending',
  }));
  const jobs = Math.max(1, int(env.FUZZ_JOBS, availableParallelism()));
  const stallMs = int(env.FUZZ_STALL_S, 120) * 1000;
  const heap = int(env.FUZZ_HEAP_MB, 1536);
  console.log(`fuzz: ${total} cases over ${targets.length} targets, ${jobs} at a time, base seed ${baseSeed}`);
  const t0 = performance.now();

  const runOne = (row: Row, index: number) =>
    new Promise<void>((resolve) => {
      row.status = 'running';
      const seed = (baseSeed + index * 104729) | 0;
      const p = fork(fileURLToPath(import.meta.url), ['--child', row.name, String(row.planned), String(seed)], {
        execArgv: [...process.execArgv, `--max-old-space-size=${heap}`],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      let chunk = { seed, runs: 0 };
      let last = Date.now();
      const watchdog = setInterval(() => {
        if (Date.now() - last > stallMs) {
          row.status = 'finding';
          row.detail = `no progress for ${stallMs / 1000} s in the chunk with FUZZ_SEED=${chunk.seed} (${chunk.runs} cases): a hang. Replay: FUZZ_TARGET=${row.name} FUZZ_SEED=${chunk.seed} FUZZ_CHUNK=${chunk.runs} FUZZ_RUNS=${chunk.runs}`;
          p.kill('SIGKILL');
        }
      }, 1000);
      p.on('message', (m: Msg) => {
        last = Date.now();
        if (m.type === 'chunk') chunk = { seed: m.seed, runs: m.runs };
        else if (m.type === 'progress' || m.type === 'done') {
          row.runs = m.runs;
          row.ms = m.ms;
          row.slowestMs = m.slowestMs;
          if (m.type === 'done') row.status = 'ok';
        } else if (m.type === 'finding') {
          row.status = 'finding';
          row.detail = m.message;
          console.error(`\nFINDING in ${row.name} (run base seed ${baseSeed}):\n${m.message}\n`);
        }
      });
      p.on('exit', (code, signal) => {
        clearInterval(watchdog);
        if (row.status === 'running') {
          row.status = 'finding';
          row.detail = `child died (code ${code}, signal ${signal}) in the chunk with FUZZ_SEED=${chunk.seed}: a crash or out of memory (heap cap ${heap} MiB). Replay: FUZZ_TARGET=${row.name} FUZZ_SEED=${chunk.seed} FUZZ_CHUNK=${chunk.runs} FUZZ_RUNS=${chunk.runs}`;
        }
        const r = row;
        console.log(`  ${r.name.padEnd(16)} ${r.status.padEnd(8)} ${String(r.runs).padStart(8)} cases ${(r.ms / 1000).toFixed(1).padStart(7)} s  slowest case ${r.slowestMs.toFixed(0)} ms`);
        resolve();
      });
    });

  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, rows.length) }, async () => {
      while (next < rows.length) {
        const i = next++;
        await runOne(rows[i], i);
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const runs = rows.reduce((s, r) => s + r.runs, 0);
  const findings = rows.filter((r) => r.status !== 'ok');
  for (const r of findings) console.error(`\nFINDING in ${r.name}:\n${r.detail ?? 'no detail'}`);
  console.log(`fuzz: ${runs} cases in ${wall.toFixed(1)} s wall clock, ${findings.length} finding(s)`);
  return findings.length ? 1 : 0;
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
} else {
  process.exitCode = await parent();
}
