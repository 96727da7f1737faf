/** Small OCI image layouts for tests. */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ImageLayoutOptions {
  /** Config blob content (default `{}`). */
  config?: string;
  /** Content of the one layer; none when absent. */
  layer?: string;
  /** `org.opencontainers.image.ref.name` of the manifest in index.json; untagged when absent. */
  tag?: string;
  /** Write index.json's own mediaType. */
  indexMediaType?: boolean;
}

/** Writes a one-image OCI layout into `dir`; returns the manifest's digest and size. */
export function writeImageLayout(dir: string, opts: ImageLayoutOptions = {}): { digest: string; size: number } {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (bytes: Buffer) => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(dir, 'blobs', 'sha256', hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const config = put(Buffer.from(opts.config ?? '{}'));
  const layers = opts.layer === undefined ? [] : [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...put(Buffer.from(opts.layer)) }];
  const m = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers,
      }),
    ),
  );
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const entry = { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, ...(opts.tag ? { annotations: { 'org.opencontainers.image.ref.name': opts.tag } } : {}) };
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, ...(opts.indexMediaType ? { mediaType: 'application/vnd.oci.image.index.v1+json' } : {}), manifests: [entry] }),
  );
  return m;
}
