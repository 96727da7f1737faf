/**
 * JSON text as Go's encoding/json writes it, so what we write (manifests, config
 * files, plugin requests) is byte-identical to notation's:
 * - strings escaped as Go does (see goString);
 * - objects keep insertion order (build them in Go struct field order), and
 *   `undefined` members are omitted (omitempty);
 * - `Map`s are Go maps: keys sorted by their UTF-8 bytes;
 * - Uint8Array is standard padded base64 ([]byte), Date is RFC 3339 in UTC with
 *   Go's trimmed fraction (time.Time).
 */
import { setOwn } from './own.js';
// Nothing Go would escape or replace: written as is.
const PLAIN_STRING = /^[^"\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]*$/;
const SURROGATE = /[\ud800-\udfff]/;

/**
 * A JSON string literal as Go (1.22 and later, which notation is built with) writes
 * it: \b \f \n \r \t short, other control characters as \u00XX, the HTML-unsafe
 * characters escaped, and a lone surrogate (invalid UTF-8 to Go) as U+FFFD.
 */
export function goString(s: string): string {
  if (PLAIN_STRING.test(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) out += '\\u' + c.toString(16).padStart(4, '0');
    else if (c >= 0xd800 && c <= 0xdbff) {
      const n = s.charCodeAt(i + 1);
      if (n >= 0xdc00 && n <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
      } else out += '\ufffd';
    } else if (c >= 0xdc00 && c <= 0xdfff) out += '\ufffd';
    else out += s[i];
  }
  return out + '"';
}

/** Go orders map keys by their UTF-8 bytes (JS sorts UTF-16 code units). */
export function compareUtf8(a: string, b: string): number {
  // Without surrogates, UTF-16 code unit order is code point order, i.e. UTF-8 byte order.
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A copy of a string map with Go's key order (for maps built as plain objects). */
export function sortedMap<T>(m: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(m).sort(compareUtf8)) setOwn(out, k, m[k]);
  return out;
}

/** RFC 3339 in UTC with RFC3339Nano's trimmed fraction, as Go marshals a time.Time. */
export function goTimeJson(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z');
}

function encode(v: unknown, indent: string, depth: number): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return goString(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`json: unsupported value: ${String(v)}`);
      return JSON.stringify(v);
    case 'bigint':
      return v.toString();
    case 'object':
      break;
    default:
      throw new TypeError(`json: unsupported type ${typeof v}`);
  }
  if (depth > 1000) throw new RangeError('json: value nested too deeply');
  if (v instanceof Uint8Array) return goString(Buffer.from(v).toString('base64'));
  if (v instanceof Date) return goString(goTimeJson(v));
  const nl = indent ? '\n' + indent.repeat(depth + 1) : '';
  const end = indent ? '\n' + indent.repeat(depth) : '';
  const sep = indent ? ': ' : ':';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[' + v.map((x) => nl + encode(x, indent, depth + 1)).join(',') + end + ']';
  }
  const entries: [string, unknown][] =
    v instanceof Map
      ? [...(v as Map<string, unknown>).entries()].sort((a, b) => compareUtf8(a[0], b[0]))
      : Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  return '{' + entries.map(([k, x]) => nl + goString(k) + sep + encode(x, indent, depth + 1)).join(',') + end + '}';
}

/**
 * Whether JSON.stringify writes `v` as `encode` does, up to the string escapes
 * goMarshal fixes after it: only plain objects and arrays of strings, finite
 * numbers, booleans and null (what JSON.parse returns), nothing with a toJSON
 * function, a Map, Date, bytes or bigint, and nesting within encode's limit.
 */
function isPlainJson(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
    case 'undefined': // omitted from objects, null in arrays: the same in both
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object': {
      if (v === null) return true;
      if (depth > 1000) return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!(i in v) || !isPlainJson(v[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k of Object.keys(v)) if (!isPlainJson((v as Record<string, unknown>)[k], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

// What Go escapes and JSON.stringify writes as is (only ever inside strings).
const HTML_UNSAFE = /[<>&\u2028\u2029]/g;
const HTML_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** JSON.stringify output with the characters Go's encoder escapes as \u00XX escaped. */
export function escapeLikeGo(json: string): string {
  return json.replace(HTML_UNSAFE, (c) => HTML_ESCAPES[c]);
}
// JSON.stringify escapes a lone surrogate, where Go writes U+FFFD (or text that looks like one).
const ESCAPED_SURROGATE = /\\u[dD][89a-fA-F]/;

/** json.Marshal (compact), or json.MarshalIndent with `indent` (no trailing newline). */
export function goMarshal(value: unknown, indent = ''): string {
  // Plain JSON data (a parsed index.json with hundreds of entries) through the native
  // encoder: the same bytes, ~50x faster than encode in a short-lived CLI process.
  if (indent === '' && isPlainJson(value, 0)) {
    const text = JSON.stringify(value);
    if (text !== undefined && !ESCAPED_SURROGATE.test(text)) return escapeLikeGo(text);
  }
  return encode(value, indent, 0);
}

/** goMarshal without its plain-JSON fast path (the tests hold the two to the same bytes). */
export function goMarshalGeneric(value: unknown, indent = ''): string {
  return encode(value, indent, 0);
}
