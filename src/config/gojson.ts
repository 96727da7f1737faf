/**
 * JSON text as Go's encoding/json writes it, so files and payloads we produce are
 * byte-identical to notation's:
 * - Go escapes <, > and & (HTML safety) and U+2028/U+2029 inside strings;
 * - struct fields keep their declared order (plain objects here, insertion order,
 *   `undefined` members omitted like `omitempty`);
 * - map keys are sorted by their UTF-8 bytes (pass a `Map` for map-typed fields:
 *   a JS object would put integer-like keys such as "10" first);
 * - json.Encoder adds a trailing newline.
 */
const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]);
}

/** Go sorts map keys by their UTF-8 bytes; JS sorts strings by UTF-16 units. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function encode(v: unknown, indent: string, depth: number): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return goString(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError('json: unsupported value: ' + String(v));
      return JSON.stringify(v);
    case 'object':
      break;
    default:
      throw new TypeError(`json: unsupported type ${typeof v}`);
  }
  const nl = indent ? '\n' + indent.repeat(depth + 1) : '';
  const end = indent ? '\n' + indent.repeat(depth) : '';
  const sep = indent ? ': ' : ':';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[' + v.map((x) => nl + encode(x, indent, depth + 1)).join(',') + end + ']';
  }
  let entries: [string, unknown][];
  if (v instanceof Map) {
    entries = [...(v as Map<string, unknown>).entries()].sort((a, b) => compareUtf8(a[0], b[0]));
  } else {
    entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  }
  if (entries.length === 0) return '{}';
  return '{' + entries.map(([k, x]) => nl + goString(k) + sep + encode(x, indent, depth + 1)).join(',') + end + '}';
}

/** json.Marshal. */
export function goMarshal(value: unknown): string {
  return encode(value, '', 0);
}

/** json.Encoder with SetIndent("", indent): indented, trailing newline. */
export function goEncodeIndent(value: unknown, indent = '    '): string {
  return encode(value, indent, 0) + '\n';
}

/** A Map of a string record, for map-typed fields (serialised with sorted keys). */
export function goMap(m: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(m));
}
