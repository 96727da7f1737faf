/**
 * Renders values the way the Go reference prints them in error messages
 * (time layouts, big integers, %+v of a few structs), so our messages match
 * notation's word for word where a user may compare them.
 */
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** Go's time.RFC1123Z for a UTC instant: `Sun, 22 Nov 2026 06:13:10 +0000`. */
export function rfc1123z(d: Date): string {
  return `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}

/** Go's time.RFC3339 for a UTC instant (no fractional seconds). */
export function rfc3339(d: Date): string {
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}Z`;
}

/** Go's time.Time.String() for a UTC instant: `2021-09-17 14:09:10 +0000 UTC`. */
export function goTimeString(d: Date): string {
  const ms = d.getUTCMilliseconds();
  const frac = ms ? '.' + String(ms).padStart(3, '0').replace(/0+$/, '') : '';
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}${frac} +0000 UTC`;
}

/** Two's-complement big-endian bytes to a bigint (ASN.1 INTEGER content). */
export function bytesToBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  if (b[0] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v;
}

/** Minimal two's-complement encoding of a non-negative bigint. */
export function bigIntToBytes(v: bigint): Uint8Array {
  if (v < 0n) throw new RangeError('negative integer');
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const b = Buffer.from(hex, 'hex');
  return b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
}

/** Go's %v of a byte slice: `[1 2 3]`. */
export function goBytes(b: Uint8Array | undefined): string {
  return `[${Array.from(b ?? []).join(' ')}]`;
}

/** Go's %+v of an asn1.RawValue given its full DER (or nothing). */
export function goRawValue(full: Uint8Array | undefined): string {
  if (!full || full.length === 0) return '{Class:0 Tag:0 IsCompound:false Bytes:[] FullBytes:[]}';
  const cls = full[0] >> 6;
  const compound = (full[0] & 0x20) !== 0;
  const tag = full[0] & 0x1f;
  // Content starts after the (short or long form) length octets.
  let p = 2;
  if (full[1] & 0x80) p += full[1] & 0x7f;
  return `{Class:${cls} Tag:${tag} IsCompound:${compound} Bytes:${goBytes(full.subarray(p))} FullBytes:${goBytes(full)}}`;
}

/** Go's %+v of tspclient's MessageImprint. */
export function goMessageImprint(m: { hashAlgorithm: string; parameters?: Uint8Array; hashedMessage: Uint8Array }): string {
  return `{HashAlgorithm:{Algorithm:${m.hashAlgorithm} Parameters:${goRawValue(m.parameters)}} HashedMessage:${goBytes(m.hashedMessage)}}`;
}
