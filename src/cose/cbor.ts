/**
 * A small strict CBOR (RFC 8949) decoder and a core-deterministic encoder, just
 * what COSE_Sign1 needs. Decoding is strict the way go-cose configures
 * fxamacker/cbor (duplicate map keys and indefinite lengths rejected), and also
 * refuses non-minimal heads, invalid UTF-8, reserved additional info, overlong
 * nesting and trailing bytes, so two parsers can never read one envelope two ways.
 * Items keep their byte range: COSE verification must use the received bytes.
 */
import { setOwn } from '../util/own.js';

export type CborItem =
  | { kind: 'int'; value: bigint; start: number; end: number }
  | { kind: 'bytes'; value: Uint8Array; start: number; end: number }
  | { kind: 'text'; value: string; start: number; end: number }
  | { kind: 'array'; value: CborItem[]; start: number; end: number }
  | { kind: 'map'; value: CborEntry[]; start: number; end: number }
  | { kind: 'tag'; tag: bigint; value: CborItem; start: number; end: number }
  | { kind: 'simple'; value: boolean | null | undefined | number; start: number; end: number }
  | { kind: 'float'; value: number; start: number; end: number };

export interface CborEntry {
  key: CborItem;
  value: CborItem;
}

export class CborError extends Error {}

export interface DecodeOptions {
  /** Reject any tag (go-cose decodes the Sign1 array with tags forbidden). */
  forbidTags?: boolean;
  /** fxamacker's defaults. */
  maxDepth?: number;
  maxElements?: number;
}

const TYPE_NAMES = ['positive integer', 'negative integer', 'byte string', 'UTF-8 text string', 'array', 'map', 'tag', 'primitives'];
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes exactly one item spanning all of `data`. Throws CborError. */
export function decodeCbor(data: Uint8Array, opts: DecodeOptions = {}): CborItem {
  const d = new Decoder(data, opts);
  if (data.length === 0) throw new CborError('EOF');
  const item = d.item(0);
  if (d.pos !== data.length) {
    throw new CborError(`cbor: ${data.length - d.pos} bytes of extraneous data starting at index ${d.pos}`);
  }
  return item;
}

class Decoder {
  pos = 0;
  private readonly maxDepth: number;
  private readonly maxElements: number;
  constructor(
    private readonly data: Uint8Array,
    private readonly opts: DecodeOptions,
  ) {
    this.maxDepth = opts.maxDepth ?? 32;
    this.maxElements = opts.maxElements ?? 131072;
  }

  private need(n: number): void {
    if (this.pos + n > this.data.length) throw new CborError('unexpected EOF');
  }

  /**
   * Reads a head into major/ai/arg. The argument is a number up to 4 bytes wide
   * (always exact); an 8-byte argument is kept as a bigint in `big` (then `arg`
   * is its approximation, used only for comparisons it cannot change).
   */
  private major = 0;
  private ai = 0;
  private arg = 0;
  private big: bigint | undefined;
  private head(): void {
    this.need(1);
    const start = this.pos;
    const b = this.data[this.pos++];
    const major = b >> 5;
    const ai = b & 0x1f;
    this.major = major;
    this.ai = ai;
    this.big = undefined;
    if (ai < 24) {
      this.arg = ai;
      return;
    }
    if (ai >= 28 && ai <= 30) throw new CborError(`cbor: invalid additional information ${ai} for type ${TYPE_NAMES[major]}`);
    if (ai === 31) {
      if (major === 7) throw new CborError('cbor: unexpected "break" code');
      if (major === 0 || major === 1 || major === 6) throw new CborError(`cbor: invalid additional information 31 for type ${TYPE_NAMES[major]}`);
      throw new CborError(`cbor: indefinite-length ${TYPE_NAMES[major]} isn't allowed`);
    }
    const len = 1 << (ai - 24);
    this.need(len);
    const d = this.data;
    let p = this.pos;
    let arg: number;
    if (len === 8) {
      let big = 0n;
      for (let i = 0; i < 8; i++) big = (big << 8n) | BigInt(d[p++]);
      this.big = big;
      arg = Number(big);
    } else {
      arg = 0;
      for (let i = 0; i < len; i++) arg = arg * 256 + d[p++];
    }
    this.pos = p;
    this.arg = arg;
    // Major 7 with ai 25..27 are floats: their width is the value, not a length.
    if (major !== 7) {
      const min = ai === 24 ? 24 : ai === 25 ? 0x100 : ai === 26 ? 0x10000 : 0x100000000;
      if (this.big !== undefined ? this.big < 0x100000000n : arg < min) throw new CborError(`cbor: non-minimal encoding of ${TYPE_NAMES[major]} head at index ${start}`);
    }
  }

  /** The head's argument as a bigint (integers and tags). */
  private bigArg(): bigint {
    return this.big ?? BigInt(this.arg);
  }

  private length(): number {
    if (this.big !== undefined || this.arg > this.data.length - this.pos) throw new CborError('unexpected EOF');
    return this.arg;
  }

  item(depth: number): CborItem {
    if (depth > this.maxDepth) throw new CborError(`cbor: exceeded max nested level ${this.maxDepth}`);
    const start = this.pos;
    this.head();
    const major = this.major;
    const ai = this.ai;
    switch (major) {
      case 0:
        return { kind: 'int', value: this.bigArg(), start, end: this.pos };
      case 1:
        return { kind: 'int', value: -1n - this.bigArg(), start, end: this.pos };
      case 2: {
        const n = this.length();
        const value = this.data.subarray(this.pos, this.pos + n);
        this.pos += n;
        return { kind: 'bytes', value, start, end: this.pos };
      }
      case 3: {
        const n = this.length();
        let value: string;
        if (n <= 64 && isAscii(this.data, this.pos, this.pos + n)) {
          // Header labels and values are short ASCII: skip the decoder's per-call overhead.
          value = latin1Slice.call(this.data, this.pos, this.pos + n);
        } else {
          try {
            value = utf8.decode(this.data.subarray(this.pos, this.pos + n));
          } catch {
            throw new CborError('cbor: invalid UTF-8 string');
          }
        }
        this.pos += n;
        return { kind: 'text', value, start, end: this.pos };
      }
      case 4: {
        const n = this.length();
        if (n > this.maxElements) throw new CborError(`cbor: exceeded max number of elements ${this.maxElements} for CBOR array`);
        const value: CborItem[] = [];
        for (let i = 0; i < n; i++) value.push(this.item(depth + 1));
        return { kind: 'array', value, start, end: this.pos };
      }
      case 5: {
        const n = this.length();
        if (n > this.maxElements) throw new CborError(`cbor: exceeded max number of key-value pairs ${this.maxElements} for CBOR map`);
        const value: CborEntry[] = [];
        const seen = new Set<string>();
        for (let i = 0; i < n; i++) {
          const key = this.item(depth + 1);
          const id = keyIdentity(this.data, key);
          if (seen.has(id)) throw new CborError(`cbor: found duplicate map key "${describeKey(key)}" at map element index ${i}`);
          seen.add(id);
          value.push({ key, value: this.item(depth + 1) });
        }
        return { kind: 'map', value, start, end: this.pos };
      }
      case 6: {
        if (this.opts.forbidTags) throw new CborError("cbor: CBOR tag isn't allowed");
        const arg = this.bigArg();
        const value = this.item(depth + 1);
        // Tags 0 and 1 are date-times; fxamacker refuses them with the wrong content type.
        if (arg === 0n && value.kind !== 'text') throw new CborError(`cbor: tag number 0 must be followed by text string, got ${kindName(value)}`);
        if (arg === 1n && value.kind !== 'int' && value.kind !== 'float') {
          throw new CborError(`cbor: tag number 1 must be followed by integer or floating-point number, got ${kindName(value)}`);
        }
        return { kind: 'tag', tag: arg, value, start, end: this.pos };
      }
      default: {
        if (ai < 24) {
          const v = ai === 20 ? false : ai === 21 ? true : ai === 22 ? null : ai === 23 ? undefined : ai;
          return { kind: 'simple', value: v, start, end: this.pos };
        }
        if (ai === 24) {
          const arg = this.arg;
          if (arg < 32) throw new CborError(`cbor: invalid simple value ${arg} for type primitives`);
          return { kind: 'simple', value: arg, start, end: this.pos };
        }
        const bytes = this.data.subarray(start + 1, this.pos);
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const value = ai === 25 ? halfToNumber(dv.getUint16(0)) : ai === 26 ? dv.getFloat32(0) : dv.getFloat64(0);
        return { kind: 'float', value, start, end: this.pos };
      }
    }
  }
}

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

function isAscii(d: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (d[i] > 0x7f) return false;
  return true;
}

/** Identity for duplicate detection: numbers compare by value, everything else by its (minimal) bytes. */
function keyIdentity(data: Uint8Array, key: CborItem): string {
  if (key.kind === 'int') return `i:${key.value}`;
  if (key.kind === 'float') return Number.isInteger(key.value) ? `i:${key.value}` : `f:${key.value}`;
  if (key.kind === 'text') return `t:${key.value}`;
  return `b:${Buffer.from(data.subarray(key.start, key.end)).toString('hex')}`;
}

function describeKey(key: CborItem): string {
  if (key.kind === 'int') return key.value.toString();
  if (key.kind === 'text') return key.value;
  return kindName(key);
}

function kindName(i: CborItem): string {
  switch (i.kind) {
    case 'int':
      return i.value < 0n ? 'negative integer' : 'positive integer';
    case 'bytes':
      return 'byte string';
    case 'text':
      return 'UTF-8 text string';
    case 'float':
      return 'primitives';
    case 'simple':
      return 'primitives';
    default:
      return i.kind;
  }
}

function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

// ---------------------------------------------------------------------------
// Encoding (core deterministic: minimal heads, definite lengths, map keys sorted
// bytewise by their encoding), as go-cose's SortCoreDeterministic encoder.

/** A value to encode. Uint8Array is a bstr; Map/plain objects are maps; Tagged is a tag. */
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | CborValue[]
  | Map<CborValue, CborValue>
  | Tagged
  | RawCbor
  | { [k: string]: CborValue };

export class Tagged {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

/** Already-encoded CBOR bytes, inserted verbatim. */
export class RawCbor {
  constructor(readonly bytes: Uint8Array) {}
}

export function encodeHead(major: number, arg: bigint | number): Uint8Array {
  // Lengths and small integers skip BigInt (the common case when signing and verifying).
  if (typeof arg === 'number' && arg >= 0 && arg < 0x100000000 && Number.isInteger(arg)) {
    const m = major << 5;
    if (arg < 24) return Uint8Array.of(m | arg);
    if (arg < 0x100) return Uint8Array.of(m | 24, arg);
    if (arg < 0x10000) return Uint8Array.of(m | 25, arg >>> 8, arg & 0xff);
    return Uint8Array.of(m | 26, arg >>> 24, (arg >>> 16) & 0xff, (arg >>> 8) & 0xff, arg & 0xff);
  }
  const n = BigInt(arg);
  const m = major << 5;
  if (n < 24n) return Uint8Array.of(m | Number(n));
  if (n < 0x100n) return Uint8Array.of(m | 24, Number(n));
  if (n < 0x10000n) return Uint8Array.of(m | 25, Number(n >> 8n), Number(n & 0xffn));
  if (n < 0x100000000n) {
    const b = new Uint8Array(5);
    b[0] = m | 26;
    new DataView(b.buffer).setUint32(1, Number(n));
    return b;
  }
  if (n < 1n << 64n) {
    const b = new Uint8Array(9);
    b[0] = m | 27;
    new DataView(b.buffer).setBigUint64(1, n);
    return b;
  }
  throw new RangeError('integer too large for CBOR');
}

export function encodeCbor(v: CborValue): Uint8Array {
  const parts: Uint8Array[] = [];
  encodeInto(v, parts, 0);
  return Buffer.concat(parts);
}

function encodeInto(v: CborValue, out: Uint8Array[], depth: number): void {
  if (depth > 64) throw new RangeError('CBOR value nested too deeply');
  if (v === null) return void out.push(Uint8Array.of(0xf6));
  if (v === undefined) return void out.push(Uint8Array.of(0xf7));
  if (typeof v === 'boolean') return void out.push(Uint8Array.of(v ? 0xf5 : 0xf4));
  if (typeof v === 'bigint') return void out.push(v < 0n ? encodeHead(1, -1n - v) : encodeHead(0, v));
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return void out.push(v < 0 ? encodeHead(1, BigInt(-1 - v)) : encodeHead(0, v));
    const b = new Uint8Array(9);
    b[0] = 0xfb;
    new DataView(b.buffer).setFloat64(1, v);
    return void out.push(b);
  }
  if (typeof v === 'string') {
    const bytes = Buffer.from(v, 'utf8');
    out.push(encodeHead(3, bytes.length), bytes);
    return;
  }
  if (v instanceof Uint8Array) {
    out.push(encodeHead(2, v.length), v);
    return;
  }
  if (v instanceof RawCbor) return void out.push(v.bytes);
  if (v instanceof Tagged) {
    out.push(encodeHead(6, v.tag));
    encodeInto(v.value, out, depth + 1);
    return;
  }
  if (Array.isArray(v)) {
    out.push(encodeHead(4, v.length));
    for (const e of v) encodeInto(e, out, depth + 1);
    return;
  }
  const entries: [CborValue, CborValue][] = v instanceof Map ? [...v.entries()] : Object.entries(v);
  const encoded = entries.map(([k, val]) => {
    const kb = encodeCbor(k);
    const vp: Uint8Array[] = [];
    encodeInto(val, vp, depth + 1);
    return { kb, vb: Buffer.concat(vp) };
  });
  encoded.sort((a, b) => Buffer.compare(a.kb, b.kb));
  for (let i = 1; i < encoded.length; i++) {
    if (Buffer.compare(encoded[i - 1].kb, encoded[i].kb) === 0) throw new RangeError('duplicate CBOR map key');
  }
  out.push(encodeHead(5, encoded.length));
  for (const e of encoded) out.push(e.kb, e.vb);
}

/** The head + content of a bstr wrapping `content` (the COSE protected header form). */
export function encodeBstr(content: Uint8Array): Uint8Array {
  return Buffer.concat([encodeHead(2, content.length), content]);
}

/** Converts a decoded item into a plain JS value (for extended attributes and inspection). */
export function toJs(i: CborItem): unknown {
  switch (i.kind) {
    case 'int':
      return i.value >= BigInt(Number.MIN_SAFE_INTEGER) && i.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(i.value) : i.value;
    case 'bytes':
      return new Uint8Array(i.value);
    case 'text':
    case 'float':
    case 'simple':
      return i.value;
    case 'array':
      return i.value.map(toJs);
    case 'map': {
      if (i.value.every((e) => e.key.kind === 'text')) {
        const o: Record<string, unknown> = {};
        for (const e of i.value) setOwn(o, (e.key as { value: string }).value, toJs(e.value));
        return o;
      }
      return new Map(i.value.map((e) => [toJs(e.key), toJs(e.value)]));
    }
    case 'tag':
      if (i.tag === 1n) return new Date(Number(i.value.value) * 1000);
      if (i.tag === 0n) return new Date(String(i.value.value));
      return { tag: Number(i.tag), value: toJs(i.value) };
  }
}
