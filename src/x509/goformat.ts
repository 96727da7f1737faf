/**
 * Go formatting helpers, so our messages read exactly like notation's:
 * `%q` (strconv.Quote) and time.Time's default String() form.
 */

const NAMED_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII
// space. Built on first use: the Unicode tables cost ~1 ms, and plain ASCII never needs them.
let printable: RegExp | undefined;
const PRINTABLE = () => (printable ??= new RegExp('^[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S} ]$', 'u'));

// Printable ASCII without '"' and '\\': quoted as is (most strings are).
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Go's strconv.Quote: double-quoted with Go escapes for non-printable runes. */
export function goQuote(s: string): string {
  if (PLAIN_ASCII.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const named = NAMED_ESCAPES[ch];
    if (named) {
      out += named;
      continue;
    }
    if (PRINTABLE().test(ch)) {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    // Lone surrogates come from invalid UTF-8 that Go would print byte-wise; \ufffd is the closest honest form.
    if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x80) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + '"';
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Go's time.Time.String() of a UTC time: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function goTimeString(d: Date): string {
  const ms = d.getUTCMilliseconds();
  const frac = ms ? '.' + pad(ms, 3).replace(/0+$/, '') : '';
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac} +0000 UTC`
  );
}

/** Go's time.RFC3339 layout of a UTC time: `2006-01-02T15:04:05Z`. */
export function goRFC3339(d: Date): string {
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`
  );
}
