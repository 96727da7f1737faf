/**
 * Distinguished-name parsing for trusted identities (checklist 4.4).
 *
 * notation-go parses `x509.subject:` values, and the leaf subject rendered like
 * Go's pkix.Name.String(), with go-ldap v3.4.11's RFC 4514 parser, then applies
 * its own rules: no `=#` anywhere, no multi-valued RDN, no repeated attribute,
 * `S` is an alias of `ST`, and C, ST and O must be present and non-empty. We
 * reproduce that parser's exact behaviour (including its quirks) so the same
 * identities are accepted, the same leaves match, and the error texts agree.
 */
import { TrustPolicyError } from '../errors.js';
import type { Certificate } from './certificate.js';
import { goQuote } from './goformat.js';
export { goQuote };

/** Stable codes of DN errors (all are TrustPolicyError). */
export const DN_ERROR = {
  /** `=#` (hex-encoded BER value) anywhere in the DN. */
  HEX_VALUE: 'DN_UNSUPPORTED_HEX_VALUE',
  /** go-ldap could not parse the DN (syntax, bad escape). */
  PARSE: 'DN_PARSE_FAILED',
  /** An RDN with more than one attribute (`+`). */
  MULTI_VALUED_RDN: 'DN_MULTI_VALUED_RDN',
  /** The same attribute type twice (after S -> ST). */
  DUPLICATE_ATTRIBUTE: 'DN_DUPLICATE_ATTRIBUTE',
  /** C, ST or O missing or empty. */
  MISSING_MANDATORY: 'DN_MISSING_MANDATORY_ATTRIBUTE',
} as const;

/** Longest DN we parse; trust policy identities and certificate subjects are far shorter. */
export const MAX_DN_LENGTH = 64 * 1024;

const MANDATORY = ['C', 'ST', 'O'] as const;

/**
 * Parses a DN into attribute type -> value with notation's rules.
 * Throws TrustPolicyError with a DN_ERROR code and notation-go's message.
 */
export function parseDistinguishedName(name: string): Map<string, string> {
  if (typeof name !== 'string') throw new TrustPolicyError(DN_ERROR.PARSE, 'distinguished name (DN) must be a string');
  // The result depends on the text alone, and the same few DNs (a policy's
  // identities, a signer's subject) come back on every verification: remember
  // successful parses (errors are rare and recomputed). Callers get their own copy.
  const known = parsedDNs.get(name);
  if (known) return new Map(known);
  const parsed = parseDistinguishedNameUncached(name);
  if (name.length <= MAX_CACHED_DN_LENGTH) {
    if (parsedDNs.size >= MAX_CACHED_DNS) parsedDNs.delete(parsedDNs.keys().next().value!);
    parsedDNs.set(name, new Map(parsed));
  }
  return parsed;
}

const MAX_CACHED_DNS = 512;
const MAX_CACHED_DN_LENGTH = 1024;
const parsedDNs = new Map<string, Map<string, string>>();

function parseDistinguishedNameUncached(name: string): Map<string, string> {
  if (name.length > MAX_DN_LENGTH) {
    throw new TrustPolicyError(DN_ERROR.PARSE, `distinguished name (DN) is longer than ${MAX_DN_LENGTH} characters`);
  }
  if (name.includes('=#')) {
    throw new TrustPolicyError(
      DN_ERROR.HEX_VALUE,
      `unsupported distinguished name (DN) ${goQuote(name)}: notation does not support x509.subject identities containing "=#"`,
    );
  }
  let rdns: { type: string; value: string }[][];
  try {
    rdns = ldapParseDN(name);
  } catch (e) {
    throw new TrustPolicyError(
      DN_ERROR.PARSE,
      `parsing distinguished name (DN) ${goQuote(name)} failed with err: ${(e as Error).message}. A valid DN must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum, and follow RFC 4514 standard`,
    );
  }
  const out = new Map<string, string>();
  for (const rdn of rdns) {
    if (rdn.length > 1) {
      throw new TrustPolicyError(
        DN_ERROR.MULTI_VALUED_RDN,
        `distinguished name (DN) ${goQuote(name)} has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported`,
      );
    }
    for (const attr of rdn) {
      const type = attr.type === 'S' ? 'ST' : attr.type;
      // REF only sees a duplicate when the earlier value is non-empty (it tests for "").
      if ((out.get(type) ?? '') !== '') {
        throw new TrustPolicyError(
          DN_ERROR.DUPLICATE_ATTRIBUTE,
          `distinguished name (DN) ${goQuote(name)} has duplicate RDN attribute for ${goQuote(type)}, DN can only have unique RDN attributes`,
        );
      }
      out.set(type, attr.value);
    }
  }
  for (const field of MANDATORY) {
    if ((out.get(field) ?? '') === '') {
      throw new TrustPolicyError(
        DN_ERROR.MISSING_MANDATORY,
        `distinguished name (DN) ${goQuote(name)} has no mandatory RDN attribute for ${goQuote(field)}, it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum`,
      );
    }
  }
  return out;
}

/** Whether every attribute of `a` has the same value in `b` (absent counts as ""), as notation's IsSubsetDN. */
export function isSubsetDN(a: Map<string, string>, b: Map<string, string>): boolean {
  for (const [k, v] of a) if ((b.get(k) ?? '') !== v) return false;
  return true;
}

/**
 * Whether the leaf certificate satisfies the trusted identities: `*` matches every
 * leaf; otherwise some `x509.subject:` identity must be a subset of the leaf's
 * subject. Never throws: a malformed identity or an unparsable leaf subject is
 * simply no match (trust policy validation reports malformed identities).
 */
export function matchTrustedIdentities(trustedIdentities: readonly string[], leaf: Certificate): boolean {
  if (trustedIdentities.includes('*')) return true;
  const identities: Map<string, string>[] = [];
  for (const identity of trustedIdentities) {
    const i = identity.indexOf(':');
    if (i < 0) return false;
    if (identity.slice(0, i) !== 'x509.subject') continue;
    const value = identity.slice(i + 1);
    if (value === '') return false;
    try {
      identities.push(parseDistinguishedName(value));
    } catch {
      return false;
    }
  }
  if (identities.length === 0) return false;
  let leafDN: Map<string, string>;
  try {
    leafDN = parseDistinguishedName(leaf.subject);
  } catch {
    return false;
  }
  return identities.some((id) => isSubsetDN(id, leafDN));
}

// ---------------------------------------------------------------------------
// go-ldap v3.4.11 ParseDN, transcribed in behaviour (not code): separators are
// ASCII, so walking UTF-16 code units finds the same positions as Go's bytes.

interface Attr {
  type: string;
  value: string;
}

function ldapParseDN(str: string): Attr[][] {
  const rdns: Attr[][] = [];
  if (goTrimSpace(str) === '') return rdns;
  let rdn: Attr[] = [];
  let type = '';
  let escaping = false;
  let start = 0;
  for (let i = 0; i < str.length; i++) {
    const ch = str[i];
    if (escaping) {
      escaping = false;
    } else if (ch === '\\') {
      escaping = true;
    } else if (ch === '=' && type.length === 0) {
      // A type that decodes to "" leaves the pair open: the next '=' sets it again (as REF).
      type = decodeLdapString(str.slice(start, i));
      start = i + 1;
    } else if (ch === ',' || ch === '+' || ch === ';') {
      if (type.length === 0) throw new Error('incomplete type, value pair');
      rdn.push({ type, value: decodeLdapValue(str.slice(start, i)) });
      type = '';
      start = i + 1;
      if (ch !== '+') {
        rdns.push(rdn);
        rdn = [];
      }
    }
  }
  if (type.length === 0) throw new Error('DN ended with incomplete type, value pair');
  rdn.push({ type, value: decodeLdapValue(str.slice(start)) });
  rdns.push(rdn);
  return rdns;
}

function decodeLdapValue(s: string): string {
  // `#hex` BER values never reach here: parseDistinguishedName rejects "=#" first,
  // and a value can only start with '#' right after '='.
  if (s.startsWith('#')) throw new Error('failed to decode BER encoding: hex-encoded values are not supported');
  return decodeLdapString(s);
}

const SPECIAL_AFTER_BACKSLASH = new Set([' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\']);

// Text that decodes to itself: no escapes, no surrogates (a lone one would
// become U+FFFD in the UTF-8 round trip below) and no U+FEFF (TextDecoder drops a
// leading BOM).
const UNESCAPED = /^[^\\\ud800-\udfff\ufeff]*$/;

/** Trims spaces, then unescapes `\c` and `\XX` (bytes, reassembled as UTF-8). */
function decodeLdapString(raw: string): string {
  let trimmed = raw.replace(/^ +/, '').replace(/ +$/, '');
  if (UNESCAPED.test(trimmed)) return trimmed;
  // REF re-adds one trailing space when the trimmed text ends with a backslash
  // (v3.4.11 does not check whether that backslash is itself escaped).
  if (trimmed.endsWith('\\') && raw.endsWith(' ')) trimmed += ' ';
  const s = Array.from(trimmed);
  const bytes: number[] = [];
  const pushText = (t: string) => {
    for (const b of Buffer.from(t, 'utf8')) bytes.push(b);
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      pushText(c);
      continue;
    }
    if (i + 1 >= s.length) throw new Error(`got corrupted escaped character: '${trimmed}'`);
    const next = s[i + 1];
    if (SPECIAL_AFTER_BACKSLASH.has(next)) {
      pushText(next);
      i++;
      continue;
    }
    if (i + 2 >= s.length) throw new Error('failed to decode escaped character: encoding/hex: invalid byte: ' + next);
    const xx = s[i + 1] + s[i + 2];
    if (Buffer.byteLength(xx, 'utf8') !== 2) throw new Error('failed to decode escaped character: invalid byte: ' + xx);
    for (const h of xx) {
      if (!/^[0-9a-fA-F]$/.test(h)) {
        throw new Error('failed to decode escaped character: encoding/hex: invalid byte: ' + goRuneU(h.codePointAt(0)!));
      }
    }
    bytes.push(parseInt(xx, 16));
    i += 2;
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}

/** Go's %#U of a rune: `U+0067 'g'`, or just `U+0007` when not printable. */
function goRuneU(cp: number): string {
  const hex = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  const ch = String.fromCodePoint(cp);
  return isGoPrint(ch) ? `${hex} '${ch}'` : hex;
}

// Go's unicode.IsSpace set, which differs from JS's trim() (U+0085 yes, U+FEFF no).
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
function goTrimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && GO_SPACE.test(s[a])) a++;
  while (b > a && GO_SPACE.test(s[b - 1])) b--;
  return s.slice(a, b);
}

const PRINT = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
function isGoPrint(ch: string): boolean {
  return PRINT.test(ch);
}


/** Go's `%q` of a []map[string]string, e.g. `[map["C":"US" "O":"x"]]` (keys sorted bytewise). */
export function goQuoteDNList(dns: readonly Map<string, string>[]): string {
  const one = (m: Map<string, string>) =>
    'map[' +
    [...m.keys()]
      .sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
      .map((k) => `${goQuote(k)}:${goQuote(m.get(k)!)}`)
      .join(' ') +
    ']';
  return '[' + dns.map(one).join(' ') + ']';
}
