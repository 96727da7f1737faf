/** Go encoding/json output for config files (see src/util/gojson.ts for the rules). */
import { goMarshal as marshal } from '../util/gojson.js';

export { compareUtf8 } from '../util/gojson.js';

/** json.Marshal. */
export function goMarshal(value: unknown): string {
  return marshal(value);
}

/** json.Encoder with SetIndent("", indent): indented, trailing newline. */
export function goEncodeIndent(value: unknown, indent = '    '): string {
  return marshal(value, indent) + '\n';
}

/** A Map of a string record, for map-typed fields (serialised with sorted keys). */
export function goMap(m: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(m));
}
