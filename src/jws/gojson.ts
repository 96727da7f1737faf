/**
 * JSON and base64 the way Go's encoding/json and encoding/base64 behave, because
 * notation-core-go's JWS is built on them: the bytes we emit must equal Go's
 * (maps with sorted keys, '<' '>' '&' U+2028 U+2029 escaped) and the errors we
 * report on bad input should read like Go's ("illegal base64 data at input byte 242",
 * "invalid character 'x' looking for beginning of value").
 */

import { compareUtf8, escapeLikeGo } from '../util/gojson.js';
import { setOwn } from '../util/own.js';

export class GoJsonError extends Error {}

// ---------------------------------------------------------------------------
// base64 (Go's decoder: \r and \n are skipped; padding per encoding; trailing
// bits not checked; the error names the offending input offset).

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function decodeMap(alphabet: string): Int16Array {
  const m = new Int16Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) m[alphabet.charCodeAt(i)] = i;
  return m;
}
const STD_MAP = decodeMap(STD);
const URL_MAP = decodeMap(URL);

// With length % 4 === 0, at most two trailing '=' means exact padding.
const STD_CANONICAL = /^[A-Za-z0-9+/]*={0,2}$/;
const RAWURL_CANONICAL = /^[A-Za-z0-9_-]*$/;

/** Go base64.RawURLEncoding ('rawurl') or base64.StdEncoding ('std') DecodeString. */
export function goBase64Decode(s: string, enc: 'rawurl' | 'std'): Uint8Array {
  // Well-formed input (no newlines, exact padding) decodes the same in Node's
  // native decoder, 10x faster; anything else takes Go's exact path and errors.
  if (enc === 'std' ? s.length % 4 === 0 : s.length % 4 !== 1) {
    const b = Buffer.from(s, enc === 'std' ? 'base64' : 'base64url');
    // Canonical input is exactly what re-encoding the decoded bytes gives back
    // (alphabet, padding, zero trailing bits): much cheaper than a regex over it.
    if (b.toString(enc === 'std' ? 'base64' : 'base64url') === s) return new Uint8Array(b.buffer, b.byteOffset, b.length);
    if (enc === 'std' ? STD_CANONICAL.test(s) : RAWURL_CANONICAL.test(s)) return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  const map = enc === 'rawurl' ? URL_MAP : STD_MAP;
  const padded = enc === 'std';
  const src = Buffer.from(s, 'latin1');
  const out = new Uint8Array(Math.floor((src.length * 3) / 4) + 3);
  let n = 0;
  let si = 0;
  const fail = (at: number) => new GoJsonError(`illegal base64 data at input byte ${at}`);
  for (;;) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let j = 0;
    let done = false;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return out.subarray(0, n);
        if (j === 1 || padded) throw fail(si - j);
        dlen = j;
        done = true;
        break;
      }
      const c = src[si++];
      const v = map[c];
      if (v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (c === 0x0a || c === 0x0d) {
        j--;
        continue;
      }
      if (!padded || c !== 0x3d) throw fail(si - 1);
      // Padding: only after 2 or 3 symbols, "==" after 2, then nothing but newlines.
      if (j === 0 || j === 1) throw fail(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === src.length) throw fail(src.length);
        if (src[si] !== 0x3d) throw fail(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < src.length) throw fail(si);
      dlen = j;
      done = true;
      break;
    }
    const val = (dbuf[0] << 18) | (dbuf[1] << 12) | (dbuf[2] << 6) | dbuf[3];
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    for (let k = 0; k < dlen - 1; k++) out[n++] = bytes[k];
    if (done) return out.subarray(0, n);
  }
}

export function base64url(b: Uint8Array): string {
  return Buffer.from(b).toString('base64url');
}

export function base64std(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

// ---------------------------------------------------------------------------
// Parsing: a strict RFC 8259 parser with Go's error wording. Objects keep their
// own properties (setOwn: a "__proto__" key is data, not a prototype).

export interface ParseOptions {
  /** Refuse an object with the same key twice (Go keeps the last one). */
  rejectDuplicateKeys?: boolean;
  maxDepth?: number;
}

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = JSON.stringify(c);
  return `'${q.slice(1, -1)}'`;
}

/**
 * Whether a control character occurs (Go refuses them raw in strings). Long
 * strings (x5c certificates) go to the native JSON parser, which refuses exactly
 * those in a quoted string without escapes and is ~5x faster than a loop here.
 */
function hasControl(s: string): boolean {
  if (s.length >= 64) {
    try {
      JSON.parse(`"${s}"`);
      return false;
    } catch {
      return true;
    }
  }
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return true;
  return false;
}

export function goJsonParse(text: string, opts: ParseOptions = {}): unknown {
  const p = new Parser(text, opts);
  p.ws();
  if (p.i >= text.length) throw new GoJsonError('unexpected end of JSON input');
  const v = p.value(0);
  p.ws();
  if (p.i < text.length) throw new GoJsonError(`invalid character ${quoteChar(text[p.i])} after top-level value`);
  return v;
}

class Parser {
  i = 0;
  private readonly maxDepth: number;
  constructor(
    private readonly s: string,
    private readonly opts: ParseOptions,
  ) {
    this.maxDepth = opts.maxDepth ?? 1000;
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else break;
    }
  }

  private eof(): never {
    throw new GoJsonError('unexpected end of JSON input');
  }

  private bad(context: string): never {
    if (this.i >= this.s.length) this.eof();
    throw new GoJsonError(`invalid character ${quoteChar(this.s[this.i])} ${context}`);
  }

  value(depth: number): unknown {
    if (depth > this.maxDepth) throw new GoJsonError('exceeded max depth');
    const s = this.s;
    if (this.i >= s.length) this.eof();
    const c = s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    this.bad('looking for beginning of value');
  }

  private literal<T>(word: string, v: T): T {
    for (let k = 0; k < word.length; k++) {
      if (this.i >= this.s.length) this.eof();
      if (this.s[this.i] !== word[k]) this.bad(`in literal ${word} (expecting ${quoteChar(word[k])})`);
      this.i++;
    }
    return v;
  }

  private number(): number {
    const s = this.s;
    const start = this.i;
    if (s[this.i] === '-') this.i++;
    if (this.i >= s.length) this.eof();
    if (s[this.i] === '0') this.i++;
    else if (s[this.i] >= '1' && s[this.i] <= '9') while (this.i < s.length && s[this.i] >= '0' && s[this.i] <= '9') this.i++;
    else this.bad('in numeric literal');
    if (s[this.i] === '.') {
      this.i++;
      if (this.i >= s.length) this.eof();
      if (!(s[this.i] >= '0' && s[this.i] <= '9')) this.bad('after decimal point in numeric literal');
      while (this.i < s.length && s[this.i] >= '0' && s[this.i] <= '9') this.i++;
    }
    if (s[this.i] === 'e' || s[this.i] === 'E') {
      this.i++;
      if (s[this.i] === '+' || s[this.i] === '-') this.i++;
      if (this.i >= s.length) this.eof();
      if (!(s[this.i] >= '0' && s[this.i] <= '9')) this.bad('in exponent of numeric literal');
      while (this.i < s.length && s[this.i] >= '0' && s[this.i] <= '9') this.i++;
    }
    const lit = s.slice(start, this.i);
    const v = Number(lit);
    if (!Number.isFinite(v)) throw new GoJsonError(`json: cannot unmarshal number ${lit} into Go value of type float64`);
    return v;
  }

  private string(): string {
    const s = this.s;
    this.i++; // opening quote
    // Common case (certificates in x5c are kilobytes of base64): no escape and no
    // control character before the closing quote; found natively, not char by char.
    const end = s.indexOf('"', this.i);
    if (end >= 0) {
      const plain = s.slice(this.i, end);
      if (plain.indexOf('\\') < 0 && !hasControl(plain)) {
        this.i = end + 1;
        return plain;
      }
    }
    let out = '';
    let run = this.i;
    for (;;) {
      if (this.i >= s.length) this.eof();
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(run, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.bad('in string literal');
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += s.slice(run, this.i);
      this.i++;
      if (this.i >= s.length) this.eof();
      const e = s[this.i];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e in simple) {
        out += simple[e];
        this.i++;
      } else if (e === 'u') {
        this.i++;
        for (let k = 0; k < 4; k++) {
          if (this.i + k >= s.length) this.eof();
          if (!/[0-9a-fA-F]/.test(s[this.i + k])) {
            this.i += k;
            this.bad('in \\u hexadecimal character escape');
          }
        }
        out += String.fromCharCode(parseInt(s.slice(this.i, this.i + 4), 16));
        this.i += 4;
      } else this.bad('in string escape code');
      run = this.i;
    }
  }

  private array(depth: number): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.s[this.i] === ']') {
        this.i++;
        return out;
      }
      this.bad('after array element');
    }
  }

  private object(depth: number): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.bad('looking for beginning of object key string');
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.bad('after object key');
      this.i++;
      this.ws();
      const v = this.value(depth + 1);
      if (seen.has(key) && this.opts.rejectDuplicateKeys) throw new GoJsonError(`duplicate key ${JSON.stringify(key)}`);
      seen.add(key);
      // An own data property either way; only "__proto__" would hit the prototype setter.
      setOwn(out, key, v);
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      this.bad('after object key:value pair');
    }
  }
}

/** Go's name for the JSON type of a value, as in "cannot unmarshal <type> into ...". */
export function goJsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);
}

// ---------------------------------------------------------------------------
// Marshalling

function sortedCopy(v: unknown, depth: number): unknown {
  if (depth > 1000) throw new RangeError('value nested too deeply');
  if (Array.isArray(v)) return v.map((e) => sortedCopy(e, depth + 1));
  if (v instanceof Date) return v.toISOString().replace(/\.000Z$/, 'Z');
  if (v instanceof Uint8Array) return base64std(v);
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort(compareUtf8);
    const o: Record<string, unknown> = {};
    for (const k of keys) {
      setOwn(o, k, sortedCopy(v[k], depth + 1));
    }
    return o;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) throw new RangeError(`json: unsupported value: ${v}`);
  if (typeof v === 'bigint') return Number(v);
  return v;
}

/** json.Marshal of a Go map/interface value: object keys sorted bytewise, Go escaping. */
export function goMarshalSorted(v: unknown): string {
  return escapeLikeGo(JSON.stringify(sortedCopy(v, 0)));
}
