/**
 * `--recursive` (ours; notation has no such flag): sign or verify an image index
 * together with every manifest it lists (nested indexes included, bounded), and
 * report the result per platform. Children are addressed by digest, so only the
 * index itself can draw the mutable-tag warning.
 */
import type { CliContext } from './context.js';
import { NotationError, UsageError } from '../errors.js';
import { DIGEST_RE, resolveWithWarning, type Target } from './common.js';
import type { Descriptor } from '../oci/types.js';

/** Bounds on what one recursive run walks. */
export const MAX_RECURSIVE_MANIFESTS = 1000;
export const MAX_RECURSIVE_DEPTH = 4;

export interface RecursiveItem {
  descriptor: Descriptor;
  /** `<name>@<digest>`, as notation prints references. */
  reference: string;
  /** `os/architecture[/variant]`, `index` for the top index, `index (nested)` or `manifest` when no platform is given. */
  platform: string;
  /** 0 for the index given on the command line. */
  depth: number;
}

export interface RecursivePlan {
  index: Descriptor;
  /** `<name>@<digest>` of the index. */
  resolvedRef: string;
  /** The index first, then its manifests depth-first in index order (each digest once). */
  items: RecursiveItem[];
}

interface IndexLister {
  listIndexChildren?: (desc: Descriptor) => Promise<Descriptor[] | undefined>;
}

/** `linux/arm64/v8`-style label of a descriptor's platform. */
export function platformLabel(d: Descriptor): string {
  const p = d.platform as { os?: unknown; architecture?: unknown; variant?: unknown } | undefined;
  if (!p) return '';
  return [p.os, p.architecture, p.variant].filter((x) => typeof x === 'string' && x !== '').join('/');
}

/** Resolves `target` and lists the index and everything under it. A non-index is a usage error. */
export async function planRecursive(ctx: CliContext, target: Target, operation: 'sign' | 'verify'): Promise<RecursivePlan> {
  const { descriptor, resolvedRef } = await resolveWithWarning(ctx, target, operation);
  const repo = target.repository as typeof target.repository & IndexLister;
  if (!repo.listIndexChildren) throw new UsageError('RECURSIVE_UNSUPPORTED', 'this repository cannot list the manifests of an image index');
  const top = await repo.listIndexChildren(descriptor);
  if (!top) throw new UsageError('NOT_AN_INDEX', `${resolvedRef} is not an image index (media type ${descriptor.mediaType}); --recursive needs an image index`);
  const items: RecursiveItem[] = [{ descriptor, reference: resolvedRef, platform: 'index', depth: 0 }];
  const seen = new Set([descriptor.digest]);
  const walk = async (children: Descriptor[], depth: number): Promise<void> => {
    for (const child of children) {
      if (!DIGEST_RE.test(child.digest)) throw new NotationError('INVALID_INDEX', `image index under ${resolvedRef} lists an invalid digest ${JSON.stringify(child.digest)}`);
      if (seen.has(child.digest)) continue;
      seen.add(child.digest);
      if (items.length >= MAX_RECURSIVE_MANIFESTS) throw new NotationError('TOO_MANY_MANIFESTS', `${resolvedRef} lists more than ${MAX_RECURSIVE_MANIFESTS} manifests`);
      const nested = await repo.listIndexChildren!(child);
      items.push({ descriptor: child, reference: `${target.name}@${child.digest}`, platform: platformLabel(child) || (nested ? 'index (nested)' : 'manifest'), depth });
      if (nested) {
        if (depth >= MAX_RECURSIVE_DEPTH) throw new NotationError('INDEX_TOO_DEEP', `${resolvedRef} nests image indexes more than ${MAX_RECURSIVE_DEPTH} levels deep`);
        await walk(nested, depth + 1);
      }
    }
  };
  await walk(top, 1);
  return { index: descriptor, resolvedRef, items };
}

export interface RecursiveResult {
  item: RecursiveItem;
  ok: boolean;
  error?: Error;
}

/** Prints one line per manifest: platform, reference, result (a Go tabwriter-style table). */
export function printRecursiveSummary(ctx: CliContext, verb: 'signed' | 'verified', plan: RecursivePlan, results: RecursiveResult[]): void {
  const failed = results.filter((r) => !r.ok).length;
  const out = failed ? ctx.stderr : ctx.stdout;
  const head = failed
    ? `${failed} of ${plan.items.length} manifests of ${plan.resolvedRef} failed:`
    : `All ${plan.items.length} manifests of ${plan.resolvedRef} ${verb}:`;
  const rows = results.map((r) => [r.item.platform, r.item.reference, r.ok ? verb : `FAILED: ${r.error?.message ?? 'unknown error'}`]);
  const w0 = Math.max(8, ...rows.map((r) => r[0]!.length)) + 3;
  const w1 = Math.max(...rows.map((r) => r[1]!.length)) + 3;
  out.write(`\n${head}\n` + rows.map((r) => `  ${r[0]!.padEnd(w0)}${r[1]!.padEnd(w1)}${r[2]}\n`).join(''));
}

/**
 * `sign --recursive`: signs every manifest under the index, then the index
 * itself (so a signed index implies signed platforms), stopping at the first
 * failure. `signOne` signs one manifest by digest and prints notation's lines.
 * Returns the exit code.
 */
export async function signRecursive(ctx: CliContext, target: Target, signOne: (item: RecursiveItem) => Promise<void>): Promise<number> {
  const plan = await planRecursive(ctx, target, 'sign');
  // Platforms in index order, the index last.
  const sequence = [...plan.items.slice(1), plan.items[0]!];
  const results: RecursiveResult[] = [];
  for (const item of sequence) {
    try {
      await signOne(item);
      results.push({ item, ok: true });
    } catch (e) {
      results.push({ item, ok: false, error: e as Error });
      printRecursiveSummary(ctx, 'signed', plan, results);
      throw new NotationError((e as NotationError).code ?? 'SIGN_FAILED', `failed to sign ${item.platform} manifest ${item.reference}: ${(e as Error).message}`, { cause: e });
    }
  }
  printRecursiveSummary(ctx, 'signed', plan, results);
  return 0;
}

/**
 * `verify --recursive`: verifies each manifest (index first), continuing after
 * failures so that every platform is reported. `verifyOne` prints notation's
 * per-artifact lines and throws on failure. Returns the exit code.
 */
export async function verifyRecursive(ctx: CliContext, target: Target, verifyOne: (item: RecursiveItem) => Promise<void>): Promise<number> {
  const plan = await planRecursive(ctx, target, 'verify');
  const results: RecursiveResult[] = [];
  for (const item of plan.items) {
    try {
      await verifyOne(item);
      results.push({ item, ok: true });
    } catch (e) {
      results.push({ item, ok: false, error: e as Error });
    }
  }
  printRecursiveSummary(ctx, 'verified', plan, results);
  return results.every((r) => r.ok) ? 0 : 1;
}
