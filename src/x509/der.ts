/**
 * A small, bounded DER reader: enough to slice the raw bytes of TLV elements
 * (TBS bytes, names, extension values) without building a full object tree.
 */
import { NotationError } from '../errors.js';

export class DerError extends NotationError {
  constructor(message: string) {
    super('MALFORMED_DER', message);
  }
}

export interface Tlv {
  /** Tag byte (single-byte tags only: DER in X.509/CMS never needs more here). */
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

/** Reads one TLV at `pos`, checking definite, minimal lengths inside `limit`. */
export function readTlv(buf: Uint8Array, pos: number, limit = buf.length): Tlv {
  if (pos + 2 > limit) throw new DerError('truncated DER element');
  const tag = buf[pos];
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not supported');
  let len = buf[pos + 1];
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError('indefinite length is not allowed in DER');
    if (n > 4) throw new DerError('DER length too large');
    if (p + n > limit) throw new DerError('truncated DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
    if (len < 0x80 || (n > 1 && buf[p] === 0)) throw new DerError('non-minimal DER length');
    p += n;
  }
  const end = p + len;
  if (end > limit) throw new DerError('DER element exceeds its container');
  return { tag, start: pos, contentStart: p, end };
}

/** All child TLVs of a constructed element. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.contentStart;
  while (p < parent.end) {
    const t = readTlv(buf, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

export function slice(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.start, t.end);
}

export function content(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.contentStart, t.end);
}

/**
 * The dotted form of an OBJECT IDENTIFIER's content bytes. Strict: non-empty, at
 * most 64 bytes, minimal base-128 arcs, no truncated last arc, arcs within 2^53.
 */
export function decodeOid(c: Uint8Array): string {
  if (c.length === 0 || c.length > 64 || (c[c.length - 1] & 0x80) !== 0) throw new DerError('malformed object identifier');
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < c.length; i++) {
    if (v === 0 && c[i] === 0x80) throw new DerError('malformed object identifier');
    v = v * 128 + (c[i] & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) throw new DerError('object identifier arc too large');
    if (!(c[i] & 0x80)) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** A DER TLV with the given (single-byte) tag around `body`, definite minimal length. */
export function encodeTlv(tag: number, ...body: Uint8Array[]): Uint8Array {
  const b = Buffer.concat(body);
  const len = b.length;
  let hdr: number[];
  if (len < 0x80) hdr = [tag, len];
  else {
    const bytes: number[] = [];
    for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
    hdr = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(hdr), b]);
}
