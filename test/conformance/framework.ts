/**
 * Conformance runner core: loads a cases.json in the format of
 * ../shared/conformance, maps each case onto our API through one adapter per
 * `operation`, and judges outcome + error kind (message parity counted apart).
 *
 * Adapters live in test/conformance/adapters/*.ts; each module exports
 * `adapters: Record<operation, Adapter>` and may export `errorKinds:
 * Record<errorCode, corpusErrorKind>` (merged into one table, see kindOf).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sharedPath } from '../helpers/shared.js';

export interface Case {
  id: string;
  category: string;
  operation: string;
  description: string;
  inputs: Record<string, any>;
  params: Record<string, any>;
  verificationTime: string | null;
  verificationTimeSource?: string;
  expected: {
    scope?: string;
    outcome: 'valid' | 'invalid';
    errorKind?: string;
    errorMessage?: string;
    errorMessageMatch?: 'exact' | 'contains' | 'contains-ci';
    action?: string;
    overallOutcome?: string;
    [k: string]: any;
  };
  notes?: string;
}

export interface CaseContext {
  /** Folder the case inputs are relative to. */
  root: string;
  /** Absolute path of an input path. */
  path(p: string): string;
  /** Bytes of an input file. */
  read(p: string): Buffer;
  /** Verification time of the case, if any. */
  now?: Date;
}

export interface AdapterResult {
  outcome: 'valid' | 'invalid';
  /** Corpus vocabulary error kind (use kindOf(err) to derive it from an error). */
  errorKind?: string;
  errorMessage?: string;
  /** Set when operation-specific expected values (actions, selectedPolicy, bytes...) differ. */
  mismatch?: string;
}

export type Adapter = (c: Case, ctx: CaseContext) => AdapterResult | Promise<AdapterResult>;

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_CASES = sharedPath('conformance/cases.json');

// Kept on globalThis: test runners may load this module twice (ESM and CJS views).
const shared = ((globalThis as Record<string, unknown>).__notationConformance ??= {
  errorKindTable: {},
  adapterTable: {},
  loadErrors: [],
  loaded: false,
}) as { errorKindTable: Record<string, string>; adapterTable: Record<string, Adapter>; loadErrors: string[]; loaded: boolean };
const { errorKindTable, adapterTable, loadErrors } = shared;

export async function loadAdapters(): Promise<{ adapters: Record<string, Adapter>; loadErrors: string[] }> {
  if (!shared.loaded) {
    shared.loaded = true;
    const dir = join(here, 'adapters');
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
      try {
        const m = await import(pathToFileURL(join(dir, f)).href);
        Object.assign(errorKindTable, m.errorKinds ?? {});
        for (const [op, fn] of Object.entries(m.adapters ?? {})) {
          if (adapterTable[op]) loadErrors.push(`operation ${op} has adapters in two files (${f})`);
          adapterTable[op] = fn as Adapter;
        }
      } catch (e) {
        loadErrors.push(`adapter module ${f} failed to load: ${(e as Error).message}`);
      }
    }
  }
  return { adapters: adapterTable, loadErrors };
}

/** Maps an error to the corpus error-kind vocabulary through its `code`. */
export function kindOf(err: unknown): string | undefined {
  const e = err as { code?: string; errorKind?: string };
  if (e?.errorKind) return e.errorKind;
  if (e?.code && errorKindTable[e.code]) return errorKindTable[e.code];
  return e?.code ? `code:${e.code}` : undefined;
}

/** Result for an error thrown by the operation under test. */
export function invalid(err: unknown, kind?: string): AdapterResult {
  return { outcome: 'invalid', errorKind: kind ?? kindOf(err), errorMessage: (err as Error)?.message ?? String(err) };
}

export function loadCases(file: string): { cases: Case[]; root: string } {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  return { cases: doc.cases as Case[], root: dirname(file) };
}

export function contextFor(c: Case, root: string): CaseContext {
  return {
    root,
    path: (p) => resolve(root, p),
    read: (p) => readFileSync(resolve(root, p)),
    now: c.verificationTime ? new Date(c.verificationTime) : undefined,
  };
}

export interface Judgement {
  pass: boolean;
  reason?: string;
  /** undefined when the case has no expected message. */
  messageParity?: boolean;
}

export function judge(c: Case, r: AdapterResult): Judgement {
  const exp = c.expected;
  let messageParity: boolean | undefined;
  if (exp.errorMessage !== undefined && r.errorMessage !== undefined) {
    const m = exp.errorMessageMatch ?? 'exact';
    messageParity =
      m === 'exact' ? r.errorMessage === exp.errorMessage
        : m === 'contains' ? r.errorMessage.includes(exp.errorMessage)
          : r.errorMessage.toLowerCase().includes(exp.errorMessage.toLowerCase());
  } else if (exp.errorMessage !== undefined) messageParity = false;
  if (r.outcome !== exp.outcome) {
    return { pass: false, reason: `expected ${exp.outcome}, got ${r.outcome}${r.errorMessage ? ` (${r.errorKind}: ${r.errorMessage})` : ''}`, messageParity };
  }
  if (exp.outcome === 'invalid' && exp.errorKind && r.errorKind !== exp.errorKind) {
    return { pass: false, reason: `expected error kind "${exp.errorKind}", got "${r.errorKind}" (${r.errorMessage})`, messageParity };
  }
  if (r.mismatch) return { pass: false, reason: r.mismatch, messageParity };
  return { pass: true, messageParity };
}

export async function runCase(c: Case, root: string): Promise<Judgement> {
  const { adapters } = await loadAdapters();
  const a = adapters[c.operation];
  if (!a) return { pass: false, reason: `no adapter for operation ${c.operation}` };
  let r: AdapterResult;
  try {
    r = await a(c, contextFor(c, root));
  } catch (e) {
    return { pass: false, reason: `adapter crashed: ${(e as Error)?.stack ?? e}` };
  }
  return judge(c, r);
}

/** Deep equality for comparing operation-specific expected values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) o[k] = canon((v as Record<string, unknown>)[k]);
    return o;
  }
  return v;
}
