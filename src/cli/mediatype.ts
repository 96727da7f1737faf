/** RFC 2045 media type syntax check (what Go's mime.ParseMediaType accepts for type/subtype). */
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const RE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"([^"\\\\]|\\\\.)*"))*\\s*$`);

export function isValidMediaType(s: string): boolean {
  return RE.test(s.trim()) && s.trim().length > 0;
}
