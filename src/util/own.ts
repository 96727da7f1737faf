/**
 * Sets `key` on a plain object as an own enumerable data property. Assignment does
 * that for every key but "__proto__", which it would take as the prototype: keys
 * from JSON, CBOR or a policy file are data, whatever they are.
 */
export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}
