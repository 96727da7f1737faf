/**
 * JSON as Go's encoding/json reads and writes it, for the plugin contract.
 *
 * Decoding follows the rules that change verdicts: keys match struct fields
 * case-insensitively (last key wins), null leaves a field at its zero value, unknown
 * keys are ignored, a type mismatch is an error, []byte is padded standard base64.
 * Absent/null slices and maps decode to `undefined` and empty ones to `[]`/`{}`, so
 * validation can tell Go's nil from empty where the framework does.
 *
 * Encoding escapes like Go (<, >, & and U+2028/9 as \u escapes, control characters
 * as \u00xx) so byte-exact outputs (the error JSON) match.
 */
import { goMarshal as marshal, sortedMap as sortMap, goTimeJson } from '../util/gojson.js';
import { setOwn } from '../util/own.js';

export type Spec =
  | 'string'
  | 'bytes'
  | 'bool'
  | 'uint'
  | 'time'
  | 'any'
  | { map: Spec }
  | { array: Spec }
  | { ptr: Spec }
  | { struct: Record<string, Spec> };

export class GoJsonError extends Error {}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Standard padded base64 as Go's base64.StdEncoding decodes it (CR/LF ignored). */
export function decodeBase64Std(s: string): Uint8Array {
  const t = s.replace(/[\r\n]/g, '');
  if (!B64.test(t)) throw new GoJsonError('illegal base64 data');
  return new Uint8Array(Buffer.from(t, 'base64'));
}

export function encodeBase64Std(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function decodeTime(s: string): Date {
  const m = RFC3339.exec(s);
  if (!m) throw new GoJsonError(`parsing time ${JSON.stringify(s)} as RFC 3339`);
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new GoJsonError(`parsing time ${JSON.stringify(s)}: out of range`);
  return d;
}

/** Decodes an already-parsed JSON value against a spec; null gives undefined (Go zero). */
export function decodeValue(v: unknown, spec: Spec, path = '$'): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof spec === 'string') {
    switch (spec) {
      case 'any':
        return v;
      case 'string':
        if (typeof v !== 'string') throw new GoJsonError(`${path}: cannot unmarshal ${typeName(v)} into string`);
        return v;
      case 'bool':
        if (typeof v !== 'boolean') throw new GoJsonError(`${path}: cannot unmarshal ${typeName(v)} into bool`);
        return v;
      case 'uint':
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
          throw new GoJsonError(`${path}: cannot unmarshal ${typeName(v)} ${String(v)} into uint64`);
        }
        return v;
      case 'bytes':
        if (typeof v !== 'string') throw new GoJsonError(`${path}: cannot unmarshal ${typeName(v)} into []byte`);
        return decodeBase64Std(v);
      case 'time':
        if (typeof v !== 'string') throw new GoJsonError(`${path}: cannot unmarshal ${typeName(v)} into time`);
        return decodeTime(v);
    }
  }
  if ('ptr' in spec) return decodeValue(v, spec.ptr, path);
  if ('array' in spec) {
    if (!Array.isArray(v)) throw new GoJsonError(`${path}: cannot unmarshal ${typeName(v)} into slice`);
    return v.map((x, i) => {
      const d = decodeValue(x, spec.array, `${path}[${i}]`);
      // A null element of a value slice is the element's zero value.
      return d === undefined ? zeroOf(spec.array) : d;
    });
  }
  if ('map' in spec) {
    if (typeof v !== 'object' || Array.isArray(v)) throw new GoJsonError(`${path}: cannot unmarshal ${typeName(v)} into map`);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const d = decodeValue(x, spec.map, `${path}.${k}`);
      setOwn(out, k, d === undefined ? (typeof spec.map === 'object' && 'ptr' in spec.map ? null : zeroOf(spec.map)) : d);
    }
    return out;
  }
  // struct
  if (typeof v !== 'object' || Array.isArray(v)) throw new GoJsonError(`${path}: cannot unmarshal ${typeName(v)} into object`);
  const fields = Object.keys(spec.struct);
  const lower = new Map(fields.map((f) => [f.toLowerCase(), f]));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const f = Object.hasOwn(spec.struct, k) ? k : lower.get(k.toLowerCase());
    if (f === undefined) continue;
    const d = decodeValue(x, spec.struct[f]!, `${path}.${f}`);
    if (d === undefined) {
      // null leaves a value field alone and sets a slice/map/pointer to nil.
      if (isNilable(spec.struct[f]!)) delete out[f];
      continue;
    }
    out[f] = d;
  }
  return out;
}

function isNilable(s: Spec): boolean {
  return typeof s === 'object' || s === 'bytes' || s === 'any';
}

function zeroOf(s: Spec): unknown {
  if (s === 'string') return '';
  if (s === 'bool') return false;
  if (s === 'uint') return 0;
  if (typeof s === 'object' && 'struct' in s) return {};
  return null;
}

/** Parses JSON text (bounded by the caller) and decodes it against a spec. */
export function decodeJson(text: string, spec: Spec): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new GoJsonError(`invalid JSON: ${(e as Error).message}`);
  }
  return decodeValue(parsed, spec);
}

/** json.Marshal (see src/util/gojson.ts); build objects in Go struct field order. */
export function goMarshal(v: unknown): string {
  return marshal(v);
}

/** A Go map: keys sorted as Go sorts them. */
export function sortedMap<T>(m: Record<string, T> | undefined): Record<string, T> | undefined {
  return m ? sortMap(m) : m;
}

/** The zero time.Time, as REF serialises an absent expiry. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** RFC 3339 in UTC with Go's RFC3339Nano fraction trimming. */
export function formatGoTime(d: Date): string {
  if (d.getTime() === Date.parse(GO_ZERO_TIME)) return GO_ZERO_TIME;
  return goTimeJson(d);
}
