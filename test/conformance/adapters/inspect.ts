/**
 * Conformance adapters for what `notation inspect` / `notation blob inspect`
 * print: inspect-envelope (one envelope file) and inspect-oci-artifact (every
 * signature of an artifact in an OCI layout). The expected `inspect` object is
 * notation's JSON output; ours is rendered the same way and compared whole,
 * key order included. Times Go decodes into time.Local are rendered in UTC, as
 * on the machine that produced the expectations.
 */
import { parseEnvelope } from '../../../src/envelope/index.js';
import { OciLayoutRepository } from '../../../src/oci/layout.js';
import { inspectEnvelope, inspectJson, blobInspectJson, UTC_OFFSET, type SignatureInspection } from '../../../src/cli/inspect.js';
import { EnvelopeError, type NotationError } from '../../../src/errors.js';
import { invalid, type Adapter, type AdapterResult } from '../framework.js';

export const errorKinds: Record<string, string> = {
  INSPECT_MALFORMED_PAYLOAD: 'malformed payload',
  INSPECT_UNSUPPORTED_PAYLOAD: 'unsupported payload content type',
};

function compare(expected: unknown, json: string): AdapterResult {
  const got = JSON.stringify(JSON.parse(json));
  const want = JSON.stringify(expected);
  if (got === want) return { outcome: 'valid' };
  return { outcome: 'valid', mismatch: `inspect output differs:\n  expected ${want}\n  got      ${got}` };
}

const inspectEnvelopeAdapter: Adapter = (c, ctx) => {
  let envelope;
  try {
    envelope = parseEnvelope(c.params.signatureMediaType, ctx.read(c.inputs.envelope));
  } catch (e) {
    // notation blob inspect wraps parse failures this way.
    const err = e as NotationError;
    return invalid(new EnvelopeError(err.code ?? 'MALFORMED_ENVELOPE', `failed to parse signature: ${err.message}`, { cause: e }));
  }
  try {
    return compare(c.expected.inspect, blobInspectJson(inspectEnvelope(envelope, { localOffset: UTC_OFFSET })));
  } catch (e) {
    return invalid(e);
  }
};

const inspectOciArtifact: Adapter = async (c, ctx) => {
  try {
    const repo = new OciLayoutRepository(ctx.path(c.inputs.ociLayout));
    const ref = String(c.params.artifactReference);
    const at = ref.lastIndexOf('@');
    const subject = await repo.resolve(at >= 0 ? ref.slice(at + 1) : ref.slice(ref.lastIndexOf(':') + 1));
    const shown: SignatureInspection[] = [];
    const skipped: string[] = [];
    for await (const page of repo.listSignatures(subject)) {
      for (const m of page) {
        try {
          const { blob, descriptor } = await repo.fetchSignatureBlob(m);
          shown.push(inspectEnvelope(parseEnvelope(descriptor.mediaType, blob), { digest: m.digest, localOffset: UTC_OFFSET }));
        } catch (e) {
          skipped.push(`${m.digest}: ${(e as Error).message}`);
        }
      }
    }
    const r = compare(c.expected.inspect, inspectJson(subject.mediaType, shown));
    // notation exits non-zero when a signature had to be skipped.
    if (!r.mismatch && skipped.length) return { outcome: 'invalid', errorKind: 'skipped signature', errorMessage: `at least one signature was skipped and not displayed (${skipped.join('; ')})` };
    return r;
  } catch (e) {
    return invalid(e);
  }
};

export const adapters: Record<string, Adapter> = {
  'inspect-envelope': inspectEnvelopeAdapter,
  'inspect-oci-artifact': inspectOciArtifact,
};
