/**
 * The acceptance test of Go's mime.ParseMediaType, which notation applies to a blob's
 * `--media-type`: returns Go's error text, or undefined when the value parses.
 * (RFC 2231 continuations are accepted the way Go accepts any `name*=` parameter.)
 */
const TSPECIALS = new Set('()<>@,;:\\"/[]?=');
const isTokenChar = (c: string) => {
  const code = c.codePointAt(0) ?? 0;
  return code > 0x20 && code < 0x7f && !TSPECIALS.has(c);
};
const isSpace = (c: string) => /\s/u.test(c);

function consumeToken(v: string): [string, string] {
  let i = 0;
  while (i < v.length && isTokenChar(v[i])) i++;
  return [v.slice(0, i), v.slice(i)];
}

function trimLeftSpace(v: string): string {
  let i = 0;
  while (i < v.length && isSpace(v[i])) i++;
  return v.slice(i);
}

/** Go consumeValue: a token or a quoted-string. Returns [value, rest, ok]. */
function consumeValue(v: string): [string, string, boolean] {
  if (v === '') return ['', v, false];
  if (v[0] !== '"') {
    const [t, rest] = consumeToken(v);
    return [t, rest, t !== ''];
  }
  let out = '';
  for (let i = 1; i < v.length; i++) {
    const c = v[i];
    if (c === '"') return [out, v.slice(i + 1), true];
    if (c === '\\' && i + 1 < v.length && TSPECIALS.has(v[i + 1])) {
      out += v[++i];
      continue;
    }
    if (c === '\r' || c === '\n') return ['', v, false];
    out += c;
  }
  return ['', v, false]; // no closing quote
}

function consumeMediaParam(v: string): [string, string, string] {
  let rest = trimLeftSpace(v);
  if (!rest.startsWith(';')) return ['', '', v];
  rest = trimLeftSpace(rest.slice(1));
  let param: string;
  [param, rest] = consumeToken(rest);
  param = param.toLowerCase();
  if (param === '') return ['', '', v];
  rest = trimLeftSpace(rest);
  if (!rest.startsWith('=')) return ['', '', v];
  rest = trimLeftSpace(rest.slice(1));
  const [value, after, ok] = consumeValue(rest);
  if (!ok && value === '') return ['', '', v];
  return [param, value, after];
}

export function checkMediaType(v: string): string | undefined {
  const semi = v.indexOf(';');
  const base = (semi >= 0 ? v.slice(0, semi) : v).toLowerCase().trim();
  const [typ, rest] = consumeToken(base);
  if (typ === '') return 'mime: no media type';
  if (rest !== '') {
    if (!rest.startsWith('/')) return 'mime: expected slash after first token';
    const [sub, rest2] = consumeToken(rest.slice(1));
    if (sub === '') return 'mime: expected token after slash';
    if (rest2 !== '') return 'mime: unexpected content after media subtype';
  }
  let params = semi >= 0 ? v.slice(semi) : '';
  const seen = new Map<string, string>();
  while (params.length > 0) {
    params = trimLeftSpace(params);
    if (params.length === 0) break;
    const [key, value, rest3] = consumeMediaParam(params);
    if (key === '') {
      if (rest3.trim() === ';') break; // a trailing semicolon is ignored
      return 'mime: invalid media parameter';
    }
    // Go tolerates a repeated parameter with the same value.
    if (seen.has(key) && seen.get(key) !== value) return 'mime: duplicate parameter name';
    seen.set(key, value);
    params = rest3;
  }
  return undefined;
}
