/**
 * Conformance adapters for the `timestamp` category (RFC 3161 / CMS), except
 * verify-oci-artifact (verifier) and load-tsa-trust-stores (x509).
 */
import { parseEnvelope } from '../../../src/envelope/index.js';
import { parseCertificates, type Certificate } from '../../../src/x509/certificate.js';
import { MemoryTrustStore } from '../../../src/truststore/index.js';
import { parseTimestampToken } from '../../../src/timestamp/token.js';
import { parseSignedData, verifySignedData, verifySigner, verifySignedAttributes } from '../../../src/timestamp/cms.js';
import { parseTimestampResponse, validateTimestampResponse, createTimestampRequest, type TimestampRequest } from '../../../src/timestamp/client.js';
import { loadTimestampLib, verifyAuthenticTimestamp } from '../../../src/verifier/authentic-timestamp.js';
import type { EnvelopeContent } from '../../../src/envelope/types.js';
import { invalid, type Adapter, type AdapterResult, type Case, type CaseContext } from '../framework.js';

export const errorKinds: Record<string, string> = {
  TIMESTAMP_MALFORMED: 'timestamp malformed',
  TIMESTAMP_UNSUPPORTED_HASH: 'timestamp malformed',
  TIMESTAMP_MISSING: 'timestamp missing',
  TSA_SIGNING_CERT_MISSING: 'timestamp signing certificate missing',
  TSA_SIGNING_CERT_MALFORMED: 'timestamp signing certificate malformed',
  TSA_SIGNING_CERT_MISMATCH: 'timestamp signing certificate mismatch',
  TIMESTAMP_UNTRUSTED: 'untrusted timestamp',
  TIMESTAMP_CERT_NOT_VALID: 'untrusted timestamp',
  TSA_TRUST_STORE_EMPTY: 'untrusted timestamp',
  TSA_CERT_EKU_INVALID: 'invalid timestamping certificate: extended key usage',
  TIMESTAMP_SIGNATURE_INVALID: 'timestamp signature integrity',
  TIMESTAMP_INVALID: 'timestamp invalid',
  TIMESTAMP_IMPRINT_MISMATCH: 'timestamp message imprint mismatch',
  TIMESTAMP_RESPONSE_MISMATCH: 'timestamp response mismatch',
  TIMESTAMP_REJECTED: 'timestamp rejected',
  TIMESTAMP_OUTSIDE_CERT_VALIDITY: 'timestamp outside certificate validity',
  SIGNING_CERT_EXPIRED: 'expired certificate',
  SIGNING_CERT_NOT_YET_VALID: 'certificate not yet valid',
  AUTHENTIC_SIGNING_TIME_OUTSIDE_CERT_VALIDITY: 'certificate not valid at signing time',
  TSA_TIMEOUT: 'timestamp request failed',
  TSA_HTTP_ERROR: 'timestamp request failed',
  TSA_UNREACHABLE: 'timestamp request failed',
  TSA_RESPONSE_TOO_LARGE: 'timestamp request failed',
};

const ok: AdapterResult = { outcome: 'valid' };

async function run(fn: () => AdapterResult | void | Promise<AdapterResult | void>, kind?: (e: unknown) => string | undefined): Promise<AdapterResult> {
  try {
    return (await fn()) ?? ok;
  } catch (e) {
    return invalid(e, kind?.(e));
  }
}

function certsOf(ctx: CaseContext, paths: string[] | undefined): Certificate[] {
  return (paths ?? []).flatMap((p) => parseCertificates(ctx.read(p), p));
}

/** Kinds for the CMS-level operations: the corpus calls every failure there "timestamp invalid", unknown authority "untrusted". */
const cmsKind = (e: unknown) => ((e as { code?: string })?.code === 'TIMESTAMP_UNTRUSTED' ? 'untrusted' : (e as { code?: string })?.code === 'TIMESTAMP_MALFORMED' ? 'timestamp malformed' : 'timestamp invalid');

/** Roots for cms-verify-*: explicit `roots`, or the token's last certificate (none when it has none). */
function cmsRoots(c: Case, ctx: CaseContext, embedded: Certificate[]): Certificate[] {
  if (Array.isArray(c.inputs.roots)) return certsOf(ctx, c.inputs.roots);
  if (c.params.trustAnchor === 'last-embedded-certificate') return embedded.length ? [embedded[embedded.length - 1]] : [];
  return [];
}

function embeddedIndex(ref: string | undefined): number {
  const m = /^embedded\[(\d+)\]$/.exec(ref ?? '');
  return m ? Number(m[1]) : 0;
}

function hex(s: string): Uint8Array {
  return Buffer.from(s, 'hex');
}

function requestFromParams(p: Record<string, any>): TimestampRequest {
  const mi = p.messageImprint ?? {};
  return {
    version: p.version ?? 0,
    messageImprint: {
      hashAlgorithm: mi.hashAlgorithm ?? '',
      parameters: mi.hashAlgorithmParameters === 'NULL' ? Uint8Array.from([5, 0]) : undefined,
      hashedMessage: hex(mi.hashedMessageHex ?? ''),
    },
    reqPolicy: p.reqPolicy,
    nonce: p.nonce !== undefined ? BigInt(p.nonce) : undefined,
    certReq: !!p.certReq,
  };
}

const STATUS: Record<string, number> = { granted: 0, grantedWithMods: 1, rejection: 2, waiting: 3, revocationWarning: 4, revocationNotification: 5 };

// ---- envelopes

function envelopeContent(mediaType: string, bytes: Uint8Array): EnvelopeContent {
  return parseEnvelope(mediaType, bytes).content();
}

export const adapters: Record<string, Adapter> = {
  'verify-authentic-timestamp': (c, ctx) =>
    run(async () => {
      const content = envelopeContent(c.params.signatureMediaType, ctx.read(c.inputs.envelope));
      const ov = c.params.envelopeContentOverrides ?? {};
      const si = content.signerInfo;
      if (ov['signerInfo.unsignedAttributes.timestampSignature']) si.unsignedAttributes = { ...si.unsignedAttributes, timestampSignature: ctx.read(c.inputs.timestampToken) };
      const sigOv = ov['signerInfo.signature'];
      if (sigOv?.utf8 !== undefined) (si as { signature: Uint8Array }).signature = Buffer.from(sigOv.utf8, 'utf8');
      const doc = JSON.parse(ctx.read(c.inputs.trustPolicy).toString('utf8'));
      const st = doc.trustPolicies[0];
      const trustStore = MemoryTrustStore.fromFiles(c.inputs.trustStores ?? {}, (p) => ctx.read(p));
      verifyAuthenticTimestamp({
        content,
        statement: { name: st.name, trustStores: st.trustStores ?? [], signatureVerification: st.signatureVerification ?? {} },
        trustStore,
        now: ctx.now ?? new Date(),
        timestampLib: await loadTimestampLib(),
      });
    }),

  'verify-timestamp-token': (c, ctx) =>
    run(() => {
      const token = parseTimestampToken(ctx.read(c.inputs.timestampToken));
      const roots = c.inputs.tsaRoots ? certsOf(ctx, c.inputs.tsaRoots) : undefined;
      token.verifySignedToken({ roots, currentTime: ctx.now ?? new Date() });
    }),

  'parse-timestamp-token': (c, ctx) => run(() => void parseTimestampToken(ctx.read(c.inputs.timestampToken))),

  'parse-tstinfo': (c, ctx) => run(() => void parseTimestampToken(ctx.read(c.inputs.timestampToken)).info),

  'validate-tstinfo': (c, ctx) =>
    run(() => {
      const token = parseTimestampToken(ctx.read(c.inputs.timestampToken));
      const ts = token.validate(Buffer.from(c.params.messageUtf8 ?? '', 'utf8'));
      const exp = c.expected;
      if (exp.timestampValue !== undefined && ts.value.toISOString().replace('.000Z', 'Z') !== exp.timestampValue) {
        return { outcome: 'valid', mismatch: `timestamp ${ts.value.toISOString()} != ${exp.timestampValue}` };
      }
      if (exp.accuracySeconds !== undefined && ts.accuracyMs !== exp.accuracySeconds * 1000) {
        return { outcome: 'valid', mismatch: `accuracy ${ts.accuracyMs} ms != ${exp.accuracySeconds} s` };
      }
    }),

  'get-timestamp-signing-certificate': (c, ctx) =>
    run(() => {
      const token = parseTimestampToken(ctx.read(c.inputs.timestampToken));
      token.signingCertificate(token.signerInfos[c.params.signerInfoIndex ?? 0]);
    }),

  'validate-timestamp-response': (c, ctx) =>
    run(() => {
      const req = requestFromParams(c.params.request ?? {});
      const token = c.inputs.timestampToken ? ctx.read(c.inputs.timestampToken) : undefined;
      validateTimestampResponse({ status: STATUS[c.params.responseStatus ?? 'granted'] ?? 0, failInfo: [], token }, req);
    }),

  'process-timestamp-response': (c, ctx) =>
    run(() => {
      const resp = parseTimestampResponse(ctx.read(c.inputs.timestampResponse));
      const req = createTimestampRequest({ data: Buffer.from(c.params.messageUtf8 ?? '', 'utf8'), hash: c.params.hashAlgorithm ?? 'SHA-256' });
      validateTimestampResponse(resp, { ...req, nonce: undefined });
    }),

  'parse-cms-signed-data': (c, ctx) => run(() => void parseSignedData(ctx.read(c.inputs.signedData))),

  'cms-verify-signed-data': (c, ctx) =>
    run(() => {
      const sd = parseSignedData(ctx.read(c.inputs.signedData));
      const chains = verifySignedData(sd, { roots: cmsRoots(c, ctx, sd.certificates), currentTime: ctx.now ?? new Date() });
      const exp = c.expected;
      if (exp.certificateCount !== undefined && sd.certificates.length !== exp.certificateCount) return { outcome: 'valid', mismatch: `certificate count ${sd.certificates.length}` };
      if (exp.signerInfoCount !== undefined && sd.signerInfos.length !== exp.signerInfoCount) return { outcome: 'valid', mismatch: `signer info count ${sd.signerInfos.length}` };
      if (exp.verifiedChainEqualsEmbeddedCertificates) {
        const same = chains.length === 1 && chains[0].length === sd.certificates.length && chains[0].every((x, i) => x.fingerprint256 === sd.certificates[i].fingerprint256);
        if (!same) return { outcome: 'valid', mismatch: 'verified chain differs from the embedded certificates' };
      }
    }, cmsKind),

  'cms-verify-signer': (c, ctx) =>
    run(() => {
      const sd = parseSignedData(ctx.read(c.inputs.signedData));
      const cert = sd.certificates[embeddedIndex(c.params.signingCertificate)];
      verifySigner(sd, sd.signerInfos[0], cert, { roots: cmsRoots(c, ctx, sd.certificates), currentTime: ctx.now ?? new Date() });
    }, cmsKind),

  'cms-verify-signed-attributes': (c, ctx) =>
    run(() => {
      const sd = parseSignedData(ctx.read(c.inputs.signedData));
      verifySignedAttributes(sd, sd.signerInfos[0], [sd.certificates]);
    }, cmsKind),
};


