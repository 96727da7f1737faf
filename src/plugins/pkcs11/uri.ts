/**
 * RFC 7512 `pkcs11:` URIs: `pkcs11:<path attrs separated by ;>[?<query attrs separated by &>]`.
 *
 * Values are percent-decoded; `id` is raw bytes, everything else must be UTF-8.
 * Every attribute may appear once. Unknown path attributes are refused (RFC 7512 lets
 * a consumer treat them as matching nothing, and an error says why better than
 * "key not found"); unknown query attributes are refused too, so a typo such as
 * `modul-path` is not silently ignored. Vendor attributes (`x-...`) are accepted and
 * ignored. `pin-value` is refused: the URI is stored in signingkeys.json, and a PIN
 * must never be stored there.
 */
import { Pkcs11Error, Pkcs11ErrorCodes } from './errors.js';

/** Longest URI we parse (real ones are well under 1 KiB). */
export const MAX_PKCS11_URI_LENGTH = 4096;

export type ObjectType = 'private' | 'public' | 'cert' | 'secret-key' | 'data';

export interface Pkcs11Uri {
  /** Token label (CKA/CK_TOKEN_INFO label). */
  token?: string;
  manufacturer?: string;
  serial?: string;
  model?: string;
  /** CK_SLOT_ID, decimal. */
  slotId?: bigint;
  slotDescription?: string;
  slotManufacturer?: string;
  libraryManufacturer?: string;
  libraryDescription?: string;
  libraryVersion?: string;
  /** Object label (CKA_LABEL). */
  object?: string;
  /** Object id (CKA_ID), raw bytes. */
  id?: Uint8Array;
  type?: ObjectType;
  /** Query: the PKCS#11 module (shared library) to load. */
  modulePath?: string;
  /** Query: module name (p11-kit); recorded, only usable together with module-path. */
  moduleName?: string;
  /** Query: where the PIN comes from, e.g. `file:/run/secrets/pin`. */
  pinSource?: string;
}

const PATH_ATTRS: Record<string, keyof Pkcs11Uri> = {
  token: 'token',
  manufacturer: 'manufacturer',
  serial: 'serial',
  model: 'model',
  'slot-id': 'slotId',
  'slot-description': 'slotDescription',
  'slot-manufacturer': 'slotManufacturer',
  'library-manufacturer': 'libraryManufacturer',
  'library-description': 'libraryDescription',
  'library-version': 'libraryVersion',
  object: 'object',
  id: 'id',
  type: 'type',
};
const QUERY_ATTRS: Record<string, keyof Pkcs11Uri> = {
  'module-path': 'modulePath',
  'module-name': 'moduleName',
  'pin-source': 'pinSource',
};
const OBJECT_TYPES: readonly ObjectType[] = ['private', 'public', 'cert', 'secret-key', 'data'];

function bad(uri: string, why: string): Pkcs11Error {
  // The URI cannot contain a PIN (pin-value is refused before any echo), so quoting it is safe.
  return new Pkcs11Error(Pkcs11ErrorCodes.invalidUri, `invalid PKCS#11 URI ${JSON.stringify(redact(uri))}: ${why}`);
}

/** The URI with any pin-value removed, for messages. */
function redact(uri: string): string {
  const short = uri.length > 300 ? uri.slice(0, 300) + '...' : uri;
  return short.replace(/(pin-value=)[^&;]*/gi, '$1***');
}

/** Percent-decodes to bytes; throws on a malformed escape. */
export function percentDecode(s: string): Uint8Array {
  const out: number[] = [];
  const raw = Buffer.from(s, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== 0x25) {
      out.push(c);
      continue;
    }
    const hex = raw.subarray(i + 1, i + 3).toString('latin1');
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`malformed percent-encoding near "%${hex}"`);
    out.push(parseInt(hex, 16));
    i += 2;
  }
  return Uint8Array.from(out);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(value: string, name: string): string {
  let bytes: Uint8Array;
  try {
    bytes = percentDecode(value);
  } catch (e) {
    throw new Error(`attribute ${name}: ${(e as Error).message}`);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Error(`attribute ${name} is not valid UTF-8 after percent-decoding`);
  }
}

/** Parses a `pkcs11:` URI. Throws PKCS11_INVALID_URI with the reason. */
export function parsePkcs11Uri(uri: string): Pkcs11Uri {
  if (typeof uri !== 'string' || uri.length === 0) throw bad(String(uri ?? ''), 'empty key id');
  if (uri.length > MAX_PKCS11_URI_LENGTH) throw bad(uri, `longer than ${MAX_PKCS11_URI_LENGTH} characters`);
  if (!/^pkcs11:/i.test(uri)) throw bad(uri, 'it must start with "pkcs11:" (RFC 7512), e.g. pkcs11:token=release;object=signing-key');
  if (/[\x00-\x20\x7f]/.test(uri)) throw bad(uri, 'it contains whitespace or control characters; percent-encode them');
  const body = uri.slice('pkcs11:'.length);
  const q = body.indexOf('?');
  const pathPart = q < 0 ? body : body.slice(0, q);
  const queryPart = q < 0 ? undefined : body.slice(q + 1);
  if (body.includes('#')) throw bad(uri, 'fragments (#) are not allowed');
  const out: Pkcs11Uri = {};
  const seen = new Set<string>();

  const take = (part: string, sep: string, table: Record<string, keyof Pkcs11Uri>, where: 'path' | 'query') => {
    if (part === '') return;
    for (const item of part.split(sep)) {
      if (item === '') {
        if (where === 'path') throw bad(uri, 'empty path attribute (";;" or a trailing ";")');
        throw bad(uri, 'empty query attribute ("&&" or a trailing "&")');
      }
      const eq = item.indexOf('=');
      if (eq <= 0) throw bad(uri, `${where} attribute ${JSON.stringify(item)} has no "name=value" form`);
      const name = item.slice(0, eq);
      const value = item.slice(eq + 1);
      if (!/^[a-z][a-z0-9-]*$/i.test(name)) throw bad(uri, `invalid attribute name ${JSON.stringify(name)}`);
      const lname = name.toLowerCase();
      if (seen.has(lname)) throw bad(uri, `attribute ${lname} appears more than once`);
      seen.add(lname);
      if (lname.startsWith('x-')) continue;
      if (where === 'query' && lname === 'pin-value') {
        throw bad(uri, 'pin-value is not accepted: the key id is stored in signingkeys.json; use pin-source=file:<path> or the NOTATION_PKCS11_PIN environment variable');
      }
      const field = table[lname];
      if (!field) {
        const other = where === 'path' ? QUERY_ATTRS[lname] : PATH_ATTRS[lname];
        if (other) throw bad(uri, `${lname} is a ${where === 'path' ? 'query' : 'path'} attribute; write it ${where === 'path' ? 'after "?"' : 'before "?"'}`);
        throw bad(uri, `unknown ${where} attribute ${JSON.stringify(lname)}`);
      }
      let decoded: string | Uint8Array;
      try {
        decoded = field === 'id' ? percentDecode(value) : decodeText(value, lname);
      } catch (e) {
        throw bad(uri, (e as Error).message);
      }
      if (field === 'id') {
        if ((decoded as Uint8Array).length === 0) throw bad(uri, 'id is empty');
        out.id = decoded as Uint8Array;
        continue;
      }
      const text = decoded as string;
      if (text.includes('\0')) throw bad(uri, `attribute ${lname} contains a NUL character`);
      if (field === 'slotId') {
        if (!/^[0-9]{1,20}$/.test(text) || BigInt(text) > 0xffffffffffffffffn) throw bad(uri, `slot-id ${JSON.stringify(text)} is not a decimal number`);
        out.slotId = BigInt(text);
      } else if (field === 'type') {
        if (!(OBJECT_TYPES as readonly string[]).includes(text)) throw bad(uri, `type ${JSON.stringify(text)} is not one of ${OBJECT_TYPES.join(', ')}`);
        out.type = text as ObjectType;
      } else {
        (out as Record<string, unknown>)[field] = text;
      }
    }
  };
  take(pathPart, ';', PATH_ATTRS, 'path');
  if (queryPart !== undefined) take(queryPart, '&', QUERY_ATTRS, 'query');

  if (out.object === undefined && out.id === undefined) {
    throw bad(uri, 'it names no key: add object=<label> and/or id=<hex as %XX>');
  }
  if (out.type === 'secret-key' || out.type === 'data') throw bad(uri, `type=${out.type} cannot sign; the signing key is a private key (type=private)`);
  if (out.modulePath !== undefined && out.modulePath === '') throw bad(uri, 'module-path is empty');
  return out;
}

/** Hex of bytes, for messages about CKA_ID. */
export function idHex(id: Uint8Array): string {
  return Buffer.from(id).toString('hex');
}

/** A short human description of which key the URI names: `token "x", object "y", id 01`. */
export function describeKey(u: Pkcs11Uri): string {
  const parts: string[] = [];
  parts.push(u.token !== undefined ? `token ${JSON.stringify(u.token)}` : u.slotId !== undefined ? `slot ${u.slotId}` : 'the only token');
  if (u.object !== undefined) parts.push(`object ${JSON.stringify(u.object)}`);
  if (u.id !== undefined) parts.push(`id ${idHex(u.id)}`);
  return parts.join(', ');
}
