/**
 * Just enough zip and tar.gz reading to install a plugin the way `notation plugin
 * install --file` does: regular files only, names containing ".." refused (zip slip),
 * total size below 256 MiB (zip bomb), zip entries from the archive root only, tar
 * entries flattened to their base names. Every offset and length is bounds-checked;
 * bad input is an ArchiveError, never a crash.
 */
import { gunzipSync, inflateRawSync } from 'node:zlib';

/** notation's limit: the total must stay strictly below 256 MiB. */
export const MAX_PLUGIN_BYTES = 256 * 1024 * 1024;
const MAX_ENTRIES = 10_000;

export class ArchiveError extends Error {}

export interface ArchiveFile {
  /** Base name (no directories). */
  name: string;
  /** Unix permission bits (0o777 mask). */
  mode: number;
  data: Uint8Array;
}

export type ArchiveKind = 'zip' | 'gzip' | 'other';

/** Content sniffing as Go's http.DetectContentType does for these two types. */
export function detectArchiveKind(head: Uint8Array): ArchiveKind {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'zip';
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return 'gzip';
  return 'other';
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function need(buf: Uint8Array, off: number, len: number, what: string): void {
  if (off < 0 || len < 0 || off + len > buf.length) throw new ArchiveError(`zip: truncated ${what}`);
}

/** Regular files at the root of a zip archive. */
export function readZip(buf: Uint8Array): ArchiveFile[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // End of central directory: last 22 bytes plus up to 65535 bytes of comment.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ArchiveError('zip: not a valid zip file');
  const count = dv.getUint16(eocd + 10, true);
  const cdSize = dv.getUint32(eocd + 12, true);
  let p = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || p === 0xffffffff) throw new ArchiveError('zip: zip64 archives are not supported');
  if (count > MAX_ENTRIES) throw new ArchiveError(`zip: more than ${MAX_ENTRIES} entries`);
  need(buf, p, cdSize, 'central directory');
  const entries: { name: string; mode: number; regular: boolean; method: number; flags: number; crc: number; csize: number; usize: number; lho: number }[] = [];
  for (let i = 0; i < count; i++) {
    need(buf, p, 46, 'central directory entry');
    if (dv.getUint32(p, true) !== 0x02014b50) throw new ArchiveError('zip: bad central directory entry');
    const madeBy = dv.getUint16(p + 4, true) >> 8;
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    const csize = dv.getUint32(p + 20, true);
    const usize = dv.getUint32(p + 24, true);
    const nlen = dv.getUint16(p + 28, true);
    const xlen = dv.getUint16(p + 30, true);
    const clen = dv.getUint16(p + 32, true);
    const ext = dv.getUint32(p + 38, true);
    const lho = dv.getUint32(p + 42, true);
    need(buf, p + 46, nlen + xlen + clen, 'central directory entry');
    const name = Buffer.from(buf.subarray(p + 46, p + 46 + nlen)).toString('utf8');
    p += 46 + nlen + xlen + clen;
    // Same rule as notation: any ".." in any name refuses the whole archive.
    if (name.includes('..')) throw new ArchiveError(`file name in zip cannot contain '..', but found ${JSON.stringify(name)}`);
    let mode: number;
    let regular: boolean;
    if (madeBy === 3 && ext >>> 16 !== 0) {
      const m = ext >>> 16;
      mode = m & 0o777;
      regular = (m & 0o170000) === 0o100000;
    } else {
      mode = 0o666;
      regular = (ext & 0x10) === 0;
    }
    if (name.endsWith('/')) regular = false;
    entries.push({ name, mode, regular, method, flags, crc, csize, usize, lho });
  }
  const out = new Map<string, ArchiveFile>();
  let total = 0;
  for (const e of entries) {
    // Only the archive root, as notation walks the zip FS skipping directories.
    if (!e.regular || e.name.includes('/') || e.name.includes('\\') || e.name === '') continue;
    total += e.usize;
    if (total >= MAX_PLUGIN_BYTES) throw new ArchiveError(`total file size reached the ${MAX_PLUGIN_BYTES / 1024 / 1024} MiB size limit`);
    if (e.flags & 1) throw new ArchiveError(`zip: ${e.name} is encrypted`);
    need(buf, e.lho, 30, 'local header');
    if (dv.getUint32(e.lho, true) !== 0x04034b50) throw new ArchiveError('zip: bad local file header');
    const start = e.lho + 30 + dv.getUint16(e.lho + 26, true) + dv.getUint16(e.lho + 28, true);
    need(buf, start, e.csize, `data of ${e.name}`);
    const raw = buf.subarray(start, start + e.csize);
    let data: Uint8Array;
    if (e.method === 0) data = raw;
    else if (e.method === 8) {
      try {
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, e.usize) });
      } catch (err) {
        throw new ArchiveError(`zip: cannot inflate ${e.name}: ${(err as Error).message}`);
      }
    } else throw new ArchiveError(`zip: unsupported compression method ${e.method} for ${e.name}`);
    if (data.length !== e.usize || crc32(data) !== e.crc) throw new ArchiveError(`zip: checksum error in ${e.name}`);
    out.set(e.name, { name: e.name, mode: e.mode, data: new Uint8Array(data) });
  }
  return [...out.values()];
}

function octal(b: Uint8Array, what: string): number {
  // GNU base-256 for big numbers.
  if (b.length && b[0]! & 0x80) {
    let n = b[0]! & 0x7f;
    for (let i = 1; i < b.length; i++) {
      n = n * 256 + b[i]!;
      if (n > Number.MAX_SAFE_INTEGER) throw new ArchiveError(`tar: ${what} too large`);
    }
    return n;
  }
  const s = Buffer.from(b).toString('latin1').replace(/\0.*$/s, '').trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new ArchiveError(`tar: invalid ${what}`);
  return parseInt(s, 8);
}

function cstr(b: Uint8Array): string {
  const z = b.indexOf(0);
  return Buffer.from(z < 0 ? b : b.subarray(0, z)).toString('utf8');
}

function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const s = Buffer.from(data).toString('utf8');
  let i = 0;
  while (i < s.length) {
    const sp = s.indexOf(' ', i);
    if (sp < 0) break;
    const len = parseInt(s.slice(i, sp), 10);
    if (!Number.isFinite(len) || len <= 0 || i + len > s.length) throw new ArchiveError('tar: invalid PAX record');
    const rec = s.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Regular files of a tar archive, flattened to base names (later entries win). */
export function readTar(buf: Uint8Array): ArchiveFile[] {
  const out = new Map<string, ArchiveFile>();
  let p = 0;
  let total = 0;
  let entries = 0;
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  while (p + 512 <= buf.length) {
    const h = buf.subarray(p, p + 512);
    if (h.every((x) => x === 0)) break;
    if (++entries > MAX_ENTRIES * 2) throw new ArchiveError(`tar: more than ${MAX_ENTRIES} entries`);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (octal(h.subarray(148, 156), 'checksum') !== sum) throw new ArchiveError('tar: invalid header checksum');
    const type = String.fromCharCode(h[156]!);
    let size = octal(h.subarray(124, 136), 'size');
    if (pax.size !== undefined) size = Number(pax.size);
    if (!Number.isSafeInteger(size) || size < 0) throw new ArchiveError('tar: invalid size');
    const start = p + 512;
    if (start + size > buf.length) throw new ArchiveError('tar: truncated entry');
    const data = buf.subarray(start, start + size);
    p = start + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = cstr(data);
      continue;
    }
    if (type === 'x') {
      pax = parsePax(data);
      continue;
    }
    if (type === 'g' || type === 'K') continue;
    const magic = Buffer.from(h.subarray(257, 263)).toString('latin1');
    const prefix = magic.startsWith('ustar') ? cstr(h.subarray(345, 500)) : '';
    let name = pax.path ?? longName ?? (prefix ? `${prefix}/${cstr(h.subarray(0, 100))}` : cstr(h.subarray(0, 100)));
    longName = undefined;
    pax = {};
    if (name.includes('..')) throw new ArchiveError(`file name in tar.gz cannot contain '..', but found ${JSON.stringify(name)}`);
    if (!(type === '0' || type === '\0' || type === '7')) continue;
    name = name.replace(/\/+$/, '');
    const base = name.slice(name.lastIndexOf('/') + 1);
    if (base === '') continue;
    total += size;
    if (total >= MAX_PLUGIN_BYTES) throw new ArchiveError(`total file size reached the ${MAX_PLUGIN_BYTES / 1024 / 1024} MiB size limit`);
    out.set(base, { name: base, mode: octal(h.subarray(100, 108), 'mode') & 0o777, data: new Uint8Array(data) });
  }
  return [...out.values()];
}

/** Gunzips (bounded) and reads the tar inside. */
export function readTarGz(buf: Uint8Array): ArchiveFile[] {
  let tar: Buffer;
  try {
    // Headers add at most a few blocks per file; the file-size cap is applied in readTar.
    tar = gunzipSync(buf, { maxOutputLength: MAX_PLUGIN_BYTES + 64 * 1024 * 1024 });
  } catch (e) {
    throw new ArchiveError(`gzip: ${(e as Error).message}`);
  }
  return readTar(tar);
}
