/**
 * JSON bytes as Go's encoding/json writes them, so manifests we write are
 * byte-identical to notation's: struct fields in declaration order with omitempty,
 * map keys sorted, and '<', '>', '&', U+2028, U+2029 escaped as \u00XX.
 */
import type { Descriptor } from './types.js';
import { goMarshal as marshal, sortedMap } from '../util/gojson.js';

export { sortedMap };

/** An OCI descriptor with ocispec.Descriptor field order and omitempty rules. */
export function goDescriptor(d: Descriptor): Record<string, unknown> {
  const o: Record<string, unknown> = { mediaType: d.mediaType ?? '', digest: d.digest ?? '', size: d.size ?? 0 };
  if (d.urls && d.urls.length > 0) o.urls = d.urls;
  if (d.annotations && Object.keys(d.annotations).length > 0) o.annotations = sortedMap(d.annotations);
  if (d.data) o.data = d.data;
  if (d.platform) o.platform = goPlatform(d.platform);
  if (d.artifactType) o.artifactType = d.artifactType;
  return o;
}

function goPlatform(p: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = { architecture: p.architecture ?? '', os: p.os ?? '' };
  if (p['os.version']) o['os.version'] = p['os.version'];
  if (Array.isArray(p['os.features']) && p['os.features'].length > 0) o['os.features'] = p['os.features'];
  if (p.variant) o.variant = p.variant;
  return o;
}

/** Serializes an already Go-ordered value. */
export function goMarshal(v: unknown): Uint8Array {
  return Buffer.from(marshal(v), 'utf8');
}
