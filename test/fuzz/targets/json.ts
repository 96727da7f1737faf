/**
 * JSON documents from untrusted places: trust policies (OCI and blob), plugin
 * stdout/stderr for every command, and OCI manifests / indexes / descriptors.
 * Seeds are real documents (notation's e2e policies, notation-made policies,
 * marshalled plugin responses, signature manifests); mutations include deep
 * nesting, duplicate keys and retyped values (harness.mutatedJson).
 *
 * Oracle: a document or a typed error; an accepted policy only names trust stores
 * whose names cannot leave the trust store directory; an accepted manifest is one.
 */
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseOciTrustPolicy, parseBlobTrustPolicy, getApplicableOciPolicy, getApplicableBlobPolicy } from '../../../src/trustpolicy/index.js';
import { COMMANDS, parseResponse, parseRequest, parsePluginError, validateMetadata, type Command } from '../../../src/plugins/protocol.js';
import { parseImageManifest, parseArtifactManifest, signatureReferrer, buildSignatureManifest } from '../../../src/oci/manifest.js';
import { Finding, mutatedJson, target, typed } from '../harness.js';
import { sharedPath } from '../../helpers/shared.js';

const E2E = sharedPath('conformance/fixtures/notation/test/e2e/testdata/config/trustpolicies/');
const NM = sharedPath('notation-made/policies/');
const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;

function files(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
}

// ---------------------------------------------------------------------------

interface PolicyCtx {
  oci: string[];
  blob: string[];
}

type PolicyInput = { blob: boolean; text: string; ref: string; name?: string };

export const trustPolicyTarget = target<PolicyCtx, PolicyInput>({
  name: 'trustpolicy',
  weight: 2,
  quickRuns: 800,
  async setup() {
    const all = [...files(E2E), ...files(NM)];
    const isBlob = (s: string) => !s.includes('registryScopes');
    return { oci: all.filter((s) => !isBlob(s)), blob: all.filter(isBlob) };
  },
  arbitrary(ctx) {
    const ref = fc.oneof(
      fc.constantFrom('localhost:5000/net-monitor@sha256:' + 'a'.repeat(64), 'registry.acme-rockets.io/software/net-monitor@sha256:' + 'b'.repeat(64), 'x', '@', 'a@b@c'),
      fc.string({ maxLength: 60 }),
    );
    return fc.oneof(
      fc.record({ blob: fc.constant(false), text: mutatedJson(ctx.oci), ref }),
      fc.record({ blob: fc.constant(true), text: mutatedJson(ctx.blob), ref, name: fc.option(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('wabbit-networks-images', 'blob-strict', '')), { nil: undefined }) }),
    );
  },
  check(_ctx, input) {
    if (input.blob) {
      const doc = typed(() => parseBlobTrustPolicy(input.text, 'fuzz.json')).value;
      if (!doc) return;
      checkStores(doc.trustPolicies);
      typed(() => getApplicableBlobPolicy(doc, input.name));
      return;
    }
    const doc = typed(() => parseOciTrustPolicy(input.text, 'fuzz.json')).value;
    if (!doc) return;
    checkStores(doc.trustPolicies);
    typed(() => getApplicableOciPolicy(doc, input.ref));
  },
});

function checkStores(statements: Array<{ trustStores?: string[] }>): void {
  for (const s of statements) {
    for (const ts of s.trustStores ?? []) {
      const name = ts.slice(ts.indexOf(':') + 1);
      if (!STORE_NAME.test(name) || name.includes('/') || name.includes('\\')) throw new Finding(`accepted policy names trust store ${JSON.stringify(ts)}`);
    }
  }
}

// ---------------------------------------------------------------------------

interface PluginCtx {
  responses: Record<Command, string[]>;
  requests: Record<Command, string[]>;
  errors: string[];
}

type PluginInput = { command: Command; side: 'response' | 'request' | 'error'; text: string };

const B64 = Buffer.from('payload').toString('base64');
const CERT = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]).toString('base64');

export const pluginJsonTarget = target<PluginCtx, PluginInput>({
  name: 'plugin-json',
  weight: 2,
  quickRuns: 800,
  async setup() {
    const responses: Record<Command, string[]> = {
      'get-plugin-metadata': [
        JSON.stringify({ name: 'acme', description: 'd', version: '1.0.0', url: 'https://x', supportedContractVersions: ['1.0'], capabilities: ['SIGNATURE_GENERATOR.RAW', 'SIGNATURE_VERIFIER.TRUSTED_IDENTITY'] }),
      ],
      'describe-key': [JSON.stringify({ keyId: 'k', keySpec: 'EC-256' })],
      'generate-signature': [JSON.stringify({ keyId: 'k', signature: B64, signingAlgorithm: 'ECDSA-SHA-256', certificateChain: [CERT, CERT] })],
      'generate-envelope': [JSON.stringify({ signatureEnvelope: B64, signatureEnvelopeType: 'application/jose+json', annotations: { a: 'b' } })],
      'verify-signature': [
        JSON.stringify({ verificationResults: { 'SIGNATURE_VERIFIER.TRUSTED_IDENTITY': { success: true, reason: 'ok' }, 'SIGNATURE_VERIFIER.REVOCATION_CHECK': { success: false } }, processedAttributes: ['com.acme'] }),
      ],
    };
    const requests: Record<Command, string[]> = {
      'get-plugin-metadata': [JSON.stringify({ pluginConfig: { a: 'b' } })],
      'describe-key': [JSON.stringify({ contractVersion: '1.0', keyId: 'k', pluginConfig: { a: 'b' } })],
      'generate-signature': [JSON.stringify({ contractVersion: '1.0', keyId: 'k', keySpec: 'RSA-2048', hashAlgorithm: 'SHA-256', payload: B64 })],
      'generate-envelope': [JSON.stringify({ contractVersion: '1.0', keyId: 'k', payloadType: 'application/vnd.cncf.notary.payload.v1+json', signatureEnvelopeType: 'application/cose', payload: B64, expiryDurationInSeconds: 60 })],
      'verify-signature': [
        JSON.stringify({
          contractVersion: '1.0',
          signature: { criticalAttributes: { contentType: 'application/vnd.cncf.notary.payload.v1+json', signingScheme: 'notary.x509', expiry: '0001-01-01T00:00:00Z', extendedAttributes: { 'com.acme': 1 } }, unprocessedAttributes: ['com.acme'], certificateChain: [CERT] },
          trustPolicy: { trustedIdentities: ['*'], signatureVerification: ['SIGNATURE_VERIFIER.TRUSTED_IDENTITY'] },
        }),
      ],
    };
    const errors = [JSON.stringify({ errorCode: 'ACCESS_DENIED', errorMessage: 'no', errorMetadata: { a: 'b' } })];
    return { responses, requests, errors };
  },
  arbitrary(ctx) {
    return fc.constantFrom(...COMMANDS).chain((command) =>
      fc.oneof(
        { weight: 3, arbitrary: fc.record({ command: fc.constant(command), side: fc.constant('response' as const), text: mutatedJson(ctx.responses[command]) }) },
        { weight: 2, arbitrary: fc.record({ command: fc.constant(command), side: fc.constant('request' as const), text: mutatedJson(ctx.requests[command]) }) },
        { weight: 1, arbitrary: fc.record({ command: fc.constant(command), side: fc.constant('error' as const), text: mutatedJson(ctx.errors) }) },
      ),
    );
  },
  check(_ctx, input) {
    if (input.side === 'error') {
      // Never throws: stderr that is not error JSON is reported as "malformed plugin" upstream.
      const e = parsePluginError(input.text);
      if (e !== undefined && !(e instanceof Error)) throw new Finding('parsePluginError returned a non-error');
      return;
    }
    if (input.side === 'request') {
      typed(() => parseRequest(input.command, input.text));
      return;
    }
    const r = typed(() => parseResponse(input.command, input.text, 'fuzz'));
    if (r.value && input.command === 'get-plugin-metadata') typed(() => validateMetadata(r.value as never, 'acme'));
  },
});

// ---------------------------------------------------------------------------

interface OciCtx {
  manifests: string[];
  artifact: string[];
  descriptors: string[];
  subject: { mediaType: string; digest: string; size: number };
}

type OciInput = { kind: 'image' | 'artifact' | 'descriptor' | 'referrer'; text: string };

export const ociManifestTarget = target<OciCtx, OciInput>({
  name: 'oci-manifest',
  weight: 2,
  quickRuns: 800,
  async setup() {
    const subject = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 42 };
    const built = buildSignatureManifest({
      blobDescriptor: { mediaType: 'application/cose', digest: `sha256:${'e'.repeat(64)}`, size: 8 },
      subject,
      annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["aa"]', 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
    });
    const img = Buffer.from(built.bytes).toString('utf8');
    const legacy = JSON.stringify({ ...JSON.parse(img), artifactType: undefined, config: { mediaType: 'application/vnd.cncf.notary.signature', digest: `sha256:${'d'.repeat(64)}`, size: 2 } });
    const artifact = JSON.stringify({ mediaType: 'application/vnd.oci.artifact.manifest.v1+json', artifactType: 'application/vnd.cncf.notary.signature', blobs: [{ mediaType: 'application/jose+json', digest: `sha256:${'e'.repeat(64)}`, size: 3 }], subject });
    const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ ...subject, artifactType: 'application/vnd.cncf.notary.signature', annotations: { a: 'b' } }] });
    return { manifests: [img, legacy, index], artifact: [artifact], descriptors: [JSON.stringify({ ...subject, annotations: { a: 'b' }, urls: ['https://x'], platform: { os: 'linux', architecture: 'amd64' } })], subject };
  },
  arbitrary(ctx) {
    return fc.oneof(
      fc.record({ kind: fc.constant('image' as const), text: mutatedJson(ctx.manifests) }),
      fc.record({ kind: fc.constant('artifact' as const), text: mutatedJson(ctx.artifact) }),
      fc.record({ kind: fc.constant('descriptor' as const), text: mutatedJson(ctx.descriptors) }),
      fc.record({ kind: fc.constant('referrer' as const), text: mutatedJson([...ctx.manifests, ...ctx.artifact]) }),
    );
  },
  check(ctx, input) {
    const bytes = Buffer.from(input.text, 'latin1');
    switch (input.kind) {
      case 'image': {
        const m = typed(() => parseImageManifest(bytes)).value;
        if (m && (typeof m !== 'object' || m === null)) throw new Finding('parseImageManifest returned a non-object');
        return;
      }
      case 'artifact':
        typed(() => parseArtifactManifest(bytes));
        return;
      case 'descriptor': {
        // Descriptors reach us inside manifests (checkDescriptorShape is a helper whose callers wrap it).
        const doc = Buffer.from(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","subject":${input.text}}`, 'latin1');
        const m = typed(() => parseImageManifest(doc)).value;
        const d = m?.subject;
        if (d && (typeof d.digest !== 'string' || typeof d.size !== 'number' || typeof d.mediaType !== 'string')) throw new Finding('accepted descriptor without digest/size/mediaType');
        return;
      }
      case 'referrer': {
        const node = { mediaType: input.text.includes('artifact.manifest') ? 'application/vnd.oci.artifact.manifest.v1+json' : 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'f'.repeat(64)}`, size: bytes.length };
        typed(() => signatureReferrer(node, () => bytes, ctx.subject, { warn: () => undefined }));
        return;
      }
    }
  },
});
