/**
 * The fuzz harness shared by the bounded suite (fuzz.test.ts, run by `npm test`) and
 * the long runner (long.ts, `npm run fuzz`).
 *
 * A target owns one parser (or one parser pipeline). Its property is the issue's:
 * every input ends in the right verdict or a typed NotationError; anything else
 * (a TypeError, a RangeError from a blown stack, a pass for a mutated signature,
 * a run slower than the time budget) is a finding, reported with fast-check's seed,
 * path and shrunk counterexample so it replays exactly.
 */
import fc from 'fast-check';
import { NotationError } from '../../src/errors.js';

/** A property violation that is not an exception from the code under test. */
export class Finding extends Error {}

export interface FuzzTarget<C = unknown, T = unknown> {
  name: string;
  /** Share of the long run's cases (relative to the other targets). */
  weight: number;
  /** Cases in the bounded `npm test` run. */
  quickRuns: number;
  /** Builds the seeds and fixtures (keys, certificates, temp dirs) once. */
  setup(): Promise<C>;
  arbitrary(ctx: C): fc.Arbitrary<T>;
  /** Runs one input; throws Finding (or lets a non-Notation error escape) on a finding. */
  check(ctx: C, input: T): void | Promise<void>;
  teardown?(ctx: C): void | Promise<void>;
  /** Per-case time budget in ms (default 2000): a slower case is a hang finding. */
  budgetMs?: number;
}

/** Declares a target with its context type inferred. */
export function target<C, T>(t: FuzzTarget<C, T>): FuzzTarget<C, T> {
  return t;
}

/**
 * Runs `fn`; a NotationError is an acceptable verdict (returns it), anything else
 * thrown escapes as a finding. Returns undefined when `fn` completed.
 */
export function typed<R>(fn: () => R): { value?: R; error?: NotationError } {
  try {
    return { value: fn() };
  } catch (e) {
    if (e instanceof NotationError) return { error: e };
    throw untyped(e);
  }
}

export async function typedAsync<R>(fn: () => Promise<R>): Promise<{ value?: R; error?: NotationError }> {
  try {
    return { value: await fn() };
  } catch (e) {
    if (e instanceof NotationError) return { error: e };
    throw untyped(e);
  }
}

function untyped(e: unknown): Finding {
  const err = e as Error;
  const f = new Finding(`untyped exception ${err?.name ?? typeof e}: ${err?.message ?? String(e)}`);
  f.cause = e;
  if (err?.stack) f.stack = `${f.message}\n--- original stack ---\n${err.stack}`;
  return f;
}

export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

// ---------------------------------------------------------------------------
// Byte mutators: the generic hostile transformations every binary parser gets.

/** Length prefixes that claim far more data than there is (DER, CBOR and JSON-ish). */
const HUGE_LENGTHS: readonly number[][] = [
  [0x84, 0xff, 0xff, 0xff, 0xff], // DER: 4 GiB length
  [0x88, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // DER: 8-byte length
  [0x80], // DER: indefinite length
  [0x5b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00], // CBOR bstr of 4 GiB
  [0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // CBOR array of 2^64-1 items
  [0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // CBOR map of 2^63 pairs
  [0x9f], // CBOR indefinite array
];

export type Mutation =
  | { op: 'xor'; at: number; mask: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'truncate'; keep: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'duplicate'; at: number; count: number }
  | { op: 'huge'; at: number; which: number };

/** Arbitrary mutation list for a seed of `len` bytes (positions are taken modulo the current length). */
export function mutations(maxOps = 4): fc.Arbitrary<Mutation[]> {
  const pos = fc.nat();
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('xor' as const), at: pos, mask: fc.integer({ min: 1, max: 255 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), at: pos, byte: fc.constantFrom(0x00, 0xff, 0x7f, 0x80, 0x81, 0x30, 0xa0, 0x04, 0x22, 0x7b) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), keep: pos }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('insert' as const), at: pos, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), at: pos, count: fc.integer({ min: 1, max: 32 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('duplicate' as const), at: pos, count: fc.integer({ min: 1, max: 64 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('huge' as const), at: pos, which: fc.nat(HUGE_LENGTHS.length - 1) }) },
  );
  return fc.array(one, { minLength: 1, maxLength: maxOps });
}

export function applyMutations(seed: Uint8Array, muts: readonly Mutation[]): Buffer {
  let b = Buffer.from(seed);
  for (const m of muts) {
    const n = b.length;
    if (n === 0) break;
    switch (m.op) {
      case 'xor':
        b[m.at % n] ^= m.mask;
        break;
      case 'set':
        b[m.at % n] = m.byte;
        break;
      case 'truncate':
        b = b.subarray(0, m.keep % n);
        break;
      case 'insert': {
        const at = m.at % (n + 1);
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      }
      case 'delete': {
        const at = m.at % n;
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
        break;
      }
      case 'duplicate': {
        const at = m.at % n;
        const piece = b.subarray(at, at + m.count);
        b = Buffer.concat([b.subarray(0, at + piece.length), piece, b.subarray(at + piece.length)]);
        break;
      }
      case 'huge': {
        // Overwrite a length position: the byte after a tag-looking byte.
        const at = m.at % n;
        const h = Buffer.from(HUGE_LENGTHS[m.which]);
        b = Buffer.concat([b.subarray(0, at), h, b.subarray(Math.min(n, at + 1))]);
        break;
      }
    }
  }
  return b;
}

/** Mutated copies of one of the seeds, or (with weight) plain random bytes. */
export function mutatedOrRandom(seeds: readonly Uint8Array[], opts: { randomMax?: number; prefix?: Uint8Array } = {}): fc.Arbitrary<Buffer> {
  const mutated = fc.tuple(fc.nat(seeds.length - 1), mutations()).map(([i, m]) => applyMutations(seeds[i], m));
  const random = fc.uint8Array({ maxLength: opts.randomMax ?? 512 }).map((r) => Buffer.concat([opts.prefix ?? Buffer.alloc(0), r]));
  return fc.oneof({ weight: 8, arbitrary: mutated }, { weight: 1, arbitrary: random });
}

/** Text mutations for JSON documents: the byte mutators plus structural JSON edits. */
export function mutatedJson(seeds: readonly string[]): fc.Arbitrary<string> {
  const bytes = fc.tuple(fc.nat(seeds.length - 1), mutations(3)).map(([i, m]) => applyMutations(Buffer.from(seeds[i]), m).toString('latin1'));
  const nest = fc.tuple(fc.nat(seeds.length - 1), fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 2000 }) }, { weight: 1, arbitrary: fc.integer({ min: 2000, max: 100_000 }) }), fc.constantFrom('[', '{"a":')).map(([i, depth, open]) => {
    // Deep nesting spliced into a value position.
    const s = seeds[i];
    const at = Math.max(s.indexOf(':') + 1, 1);
    const close = open === '[' ? ']' : '}';
    return s.slice(0, at) + open.repeat(depth) + '1' + close.repeat(depth) + ',"x":' + s.slice(at);
  });
  const dupKeys = fc.tuple(fc.nat(seeds.length - 1), fc.jsonValue({ maxDepth: 2 })).map(([i, v]) => {
    const s = seeds[i];
    const m = /"([^"]+)"\s*:/.exec(s);
    if (!m) return s;
    return s.replace('{', `{"${m[1]}":${JSON.stringify(v) ?? 'null'},`);
  });
  const retype = fc.tuple(fc.nat(seeds.length - 1), fc.jsonValue({ maxDepth: 3 })).map(([i, v]) => {
    // Replace one value (the k-th string) with a value of another JSON type.
    const s = seeds[i];
    const strs = [...s.matchAll(/:\s*("(?:[^"\\]|\\.)*")/g)];
    if (strs.length === 0) return s;
    const m = strs[(JSON.stringify(v) ?? '').length % strs.length];
    const start = m.index! + m[0].indexOf(m[1]);
    return s.slice(0, start) + (JSON.stringify(v) ?? 'null') + s.slice(start + m[1].length);
  });
  return fc.oneof(
    { weight: 4, arbitrary: bytes },
    { weight: 1, arbitrary: nest },
    { weight: 2, arbitrary: dupKeys },
    { weight: 3, arbitrary: retype },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
}

// ---------------------------------------------------------------------------
// Running a target

export interface RunReport {
  name: string;
  runs: number;
  ms: number;
  failed: boolean;
  seed: number;
  /** fast-check's report: seed, path and the shrunk counterexample. */
  message?: string;
  /** Slowest case (ms). */
  slowestMs: number;
}

/** Builds the property for a target with a per-case time budget. */
function property<C, T>(t: FuzzTarget<C, T>, ctx: C, slowest: { ms: number }) {
  const budget = t.budgetMs ?? 2000;
  return fc.asyncProperty(t.arbitrary(ctx), async (input) => {
    const t0 = performance.now();
    await t.check(ctx, input);
    let ms = performance.now() - t0;
    if (ms > budget) {
      // On a loaded machine a GC pause or a busy neighbour can stall one case: time it
      // again, and call it a hang only when it is slow twice.
      const t1 = performance.now();
      await t.check(ctx, input);
      ms = Math.min(ms, performance.now() - t1);
    }
    if (ms > slowest.ms) slowest.ms = ms;
    if (ms > budget) throw new Finding(`case took ${ms.toFixed(0)} ms twice, over the ${budget} ms budget (hang or super-linear work)`);
  });
}

export async function runTarget<C, T>(t: FuzzTarget<C, T>, ctx: C, opts: { numRuns: number; seed?: number; path?: string }): Promise<RunReport> {
  const seed = opts.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  const slowest = { ms: 0 };
  const t0 = performance.now();
  const details = await fc.check(property(t, ctx, slowest), {
    numRuns: opts.numRuns,
    seed,
    path: opts.path,
    endOnFailure: false,
    // A finding is shrunk, but not forever.
    maxSkipsPerRun: 100,
  });
  const ms = performance.now() - t0;
  const report: RunReport = { name: t.name, runs: details.numRuns, ms, failed: details.failed, seed, slowestMs: slowest.ms };
  if (details.failed) {
    const ce = details.counterexample ? describeCounterexample(details.counterexample[0]) : '(none)';
    const err = details.errorInstance as Error | undefined;
    report.message =
      `fuzz target "${t.name}" found a problem after ${details.numRuns} runs\n` +
      `  replay: FUZZ_TARGET=${t.name} FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''}\n` +
      `  counterexample (${details.numShrinks} shrinks): ${ce}\n` +
      `  error: ${err?.stack ?? err?.message ?? String(details.errorInstance)}`;
  }
  return report;
}

function describeCounterexample(v: unknown): string {
  const s = fc.stringify(v);
  if (v instanceof Uint8Array) return `${v.length} bytes, hex ${Buffer.from(v).toString('hex').slice(0, 4000)}`;
  return s.length > 4000 ? `${s.slice(0, 4000)}... (${s.length} chars)` : s;
}
