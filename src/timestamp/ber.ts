/**
 * BER length normalisation, as tspclient-go does before decoding a token: every
 * definite length is rewritten in minimal (DER) form and the input must be exactly
 * one element. Indefinite lengths are refused, like the reference. Error texts
 * follow the reference so messages stay comparable.
 */
import { TimestampError } from '../errors.js';

/** Upper bound on the number of elements we are willing to walk in one token. */
const MAX_NODES = 20000;
const MAX_DEPTH = 64;

function syntax(msg: string): TimestampError {
  return new TimestampError('TIMESTAMP_MALFORMED', `asn1: syntax error: ${msg}`);
}
function structural(msg: string): TimestampError {
  return new TimestampError('TIMESTAMP_MALFORMED', `asn1: structure error: ${msg}`);
}

interface Node {
  id: Uint8Array;
  /** primitive content, or undefined for constructed */
  content?: Uint8Array;
  members: Node[];
  /** DER length of the content */
  length: number;
}

function readMeta(buf: Uint8Array, pos: number, end: number): { id: Uint8Array; len: number; start: number } {
  if (pos >= end) throw syntax('decoding BER identifier octets: identifier octets is empty');
  let p = pos + 1;
  if ((buf[pos] & 0x1f) === 0x1f) {
    while (p < end && buf[p] & 0x80) p++;
    if (p >= end) throw syntax('decoding BER identifier octets: high-tag-number form with early EOF');
    p++;
  }
  if (p >= end) throw syntax('decoding BER identifier octets: early EOF due to missing length and content octets');
  const id = buf.subarray(pos, p);
  const b = buf[p++];
  if (b < 0x80) {
    if (b > end - p) throw syntax('decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length');
    return { id, len: b, start: p };
  }
  if (b === 0x80) throw structural('decoding BER length octets: indefinite length not supported');
  const n = b & 0x7f;
  if (n > 4) throw structural(`decoding BER length octets: length of encoded data (${n} bytes) cannot exceed 4 bytes`);
  if (p + n >= end) throw syntax('decoding BER length octets: long form length octets with early EOF');
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + buf[p++];
  if (len > 0x7fffffff) throw structural(`decoding BER length octets: length ${len} does not fit the memory space of int32`);
  if (len > end - p) throw syntax('decoding BER length octets: long form length octets value should be less or equal to the subsequent octets length');
  return { id, len, start: p };
}

function lenBytes(len: number): number[] {
  if (len < 0x80) return [len];
  const out: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) out.unshift(l & 0xff);
  return [0x80 | out.length, ...out];
}

function encodedLen(n: Node): number {
  return n.id.length + lenBytes(n.length).length + n.length;
}

/** Converts a BER element with definite lengths to DER lengths. Throws TIMESTAMP_MALFORMED. */
export function convertToDer(ber: Uint8Array): Uint8Array {
  if (ber.length === 0) throw syntax('BER-encoded ASN.1 data structures is empty');
  const top = readMeta(ber, 0, ber.length);
  if (top.start + top.len !== ber.length) {
    throw syntax(`decoding BER: length octets value ${top.len} does not match with content length ${ber.length - top.start}`);
  }
  let count = 0;
  const build = (id: Uint8Array, start: number, end: number, depth: number): Node => {
    if (++count > MAX_NODES) throw syntax('too many ASN.1 elements');
    if (depth > MAX_DEPTH) throw syntax('ASN.1 nesting too deep');
    if ((id[0] & 0x20) === 0) return { id, content: ber.subarray(start, end), members: [], length: end - start };
    const node: Node = { id, members: [], length: 0 };
    let p = start;
    while (p < end) {
      const m = readMeta(ber, p, end);
      const child = build(m.id, m.start, m.start + m.len, depth + 1);
      node.members.push(child);
      node.length += encodedLen(child);
      p = m.start + m.len;
    }
    return node;
  };
  const root = build(top.id, top.start, top.start + top.len, 0);
  const out = new Uint8Array(encodedLen(root));
  let o = 0;
  const emit = (n: Node) => {
    out.set(n.id, o);
    o += n.id.length;
    const l = lenBytes(n.length);
    out.set(l, o);
    o += l.length;
    if (n.content) {
      out.set(n.content, o);
      o += n.content.length;
    } else for (const m of n.members) emit(m);
  };
  emit(root);
  return out;
}
