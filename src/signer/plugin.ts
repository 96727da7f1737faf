/**
 * Signing through a notation plugin (checklist 7.3).
 *
 * RAW (SIGNATURE_GENERATOR.RAW): PluginSigner is a Signer. describe-key gives the key
 * spec (keyId must be echoed); generate-signature gets the exact bytes to sign and
 * returns the primitive signature and the chain, leaf first. Beyond REF we check the
 * returned signingAlgorithm against the key spec and the signature against the
 * leaf key, so a DER-encoded ECDSA signature or a wrong key fails here with a clear
 * message instead of at self-verification.
 *
 * ENVELOPE (SIGNATURE_GENERATOR.ENVELOPE): generateEnvelopeWithPlugin asks the plugin
 * for the whole envelope and accepts it only if the type matches, it verifies, the
 * payload is a Notary payload describing the same artifact (annotations kept,
 * additions allowed) and nothing but descriptor fields was added.
 */
import { ALGORITHMS, MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, PAYLOAD_CONTENT_TYPE, type AlgorithmInfo, type Descriptor, type EnvelopeContent, type HashAlgorithm, type KeySpec } from '../envelope/types.js';
import { NotationError, PluginError, SigningError } from '../errors.js';
import { verifyPrimitive } from '../envelope/algorithm.js';
import { parseEnvelope } from '../envelope/index.js';
import { PluginErrorCodes, PluginProtocolError } from '../plugins/errors.js';
import { goMarshal, sortedMap } from '../plugins/gojson.js';
import type { Plugin } from '../plugins/plugin.js';
import { CONTRACT_VERSION, Capability, decodeKeySpec, decodeSigningAlgorithm, hasCapability, type GetMetadataResponse } from '../plugins/protocol.js';
import { Certificate, parseCertificates } from '../x509/certificate.js';
import type { SignResult, Signer } from './types.js';

/** Longest chain we accept from a plugin (real chains have 2-4 certificates). */
export const MAX_PLUGIN_CHAIN_LENGTH = 32;
/** Largest envelope we accept from a plugin (same bound as envelopes read from registries). */
export const MAX_PLUGIN_ENVELOPE_BYTES = 32 * 1024 * 1024;

export type PluginSigningMode = 'raw' | 'envelope';

/** Merges the key's config with per-call overrides, key by key (REF mergeConfig). */
export function mergePluginConfig(base?: Record<string, string>, overrides?: Record<string, string>): Record<string, string> {
  return { ...(base ?? {}), ...(overrides ?? {}) };
}

/** Runs get-plugin-metadata and picks the signing mode: RAW wins when both are offered. */
export async function resolvePluginSigningMode(
  plugin: Plugin,
  pluginConfig?: Record<string, string>,
  signal?: AbortSignal,
): Promise<{ mode: PluginSigningMode; metadata: GetMetadataResponse }> {
  const metadata = await plugin.getMetadata({ pluginConfig: pluginConfig ?? {} }, signal ? { signal } : {});
  if (hasCapability(metadata, Capability.signatureGenerator)) return { mode: 'raw', metadata };
  if (hasCapability(metadata, Capability.envelopeGenerator)) return { mode: 'envelope', metadata };
  throw new PluginError(PluginErrorCodes.capabilityMissing, `plugin ${plugin.name} does not have signing capabilities`);
}

/** Re-throws `e` with "failed to sign with the plugin <name>: " in front, keeping its code. */
function signFailure(name: string, e: unknown): NotationError {
  const prefix = `failed to sign with the plugin ${name}: `;
  if (e instanceof PluginProtocolError) return new PluginProtocolError(e.pluginErrorCode, prefix + e.message, e.errorMetadata, { cause: e });
  if (e instanceof NotationError) return new PluginError(e.code, prefix + e.message, { cause: e });
  return new PluginError(PluginErrorCodes.malformed, prefix + String((e as Error)?.message ?? e), { cause: e });
}

function invalid(message: string): PluginError {
  return new PluginError(PluginErrorCodes.responseInvalid, message);
}

export interface PluginSignerOptions {
  pluginConfig?: Record<string, string>;
  signal?: AbortSignal;
}

/** A Signer backed by a plugin with SIGNATURE_GENERATOR.RAW. */
export class PluginSigner implements Signer {
  readonly plugin: Plugin;
  readonly keyId: string;
  readonly pluginConfig: Record<string, string>;
  private readonly signal?: AbortSignal;
  private keySpecPromise?: Promise<KeySpec>;

  constructor(plugin: Plugin, keyId: string, options: PluginSignerOptions = {}) {
    if (!keyId) throw new SigningError('PLUGIN_KEY_ID_MISSING', 'keyID not specified');
    this.plugin = plugin;
    this.keyId = keyId;
    this.pluginConfig = options.pluginConfig ?? {};
    if (options.signal) this.signal = options.signal;
  }

  private get runOptions() {
    return this.signal ? { signal: this.signal } : {};
  }

  /** get-plugin-metadata with this key's config (never cached, as REF). */
  metadata(): Promise<GetMetadataResponse> {
    return this.plugin.getMetadata({ pluginConfig: this.pluginConfig }, this.runOptions);
  }

  /** describe-key once per signer; the keyId must be echoed. */
  keySpec(): Promise<KeySpec> {
    this.keySpecPromise ??= this.describeKey();
    // A failed describe-key is not cached, so a retry runs the plugin again.
    this.keySpecPromise.catch(() => (this.keySpecPromise = undefined));
    return this.keySpecPromise;
  }

  private async describeKey(): Promise<KeySpec> {
    try {
      const resp = await this.plugin.describeKey({ contractVersion: CONTRACT_VERSION, keyId: this.keyId, pluginConfig: this.pluginConfig }, this.runOptions);
      if (resp.keyId !== this.keyId) throw invalid(`keyID in describeKey response ${JSON.stringify(resp.keyId)} does not match request ${JSON.stringify(this.keyId)}`);
      return decodeKeySpec(resp.keySpec).keySpec;
    } catch (e) {
      throw signFailure(this.plugin.name, e);
    }
  }

  async sign(bytesToSign: Uint8Array, hash: HashAlgorithm): Promise<SignResult> {
    const keySpec = await this.keySpec();
    const alg = ALGORITHMS.find((a) => a.keySpec === keySpec)!;
    if (hash !== alg.hash) throw new SigningError('ALGORITHM_MISMATCH', `hash ${hash} requested for key spec ${keySpec}, which signs with ${alg.hash}`);
    try {
      return await this.generateSignature(bytesToSign, alg);
    } catch (e) {
      throw signFailure(this.plugin.name, e);
    }
  }

  private async generateSignature(bytesToSign: Uint8Array, alg: AlgorithmInfo): Promise<SignResult> {
    const resp = await this.plugin.generateSignature(
      { contractVersion: CONTRACT_VERSION, keyId: this.keyId, keySpec: alg.keySpec, hashAlgorithm: alg.hash, payload: bytesToSign, pluginConfig: this.pluginConfig },
      this.runOptions,
    );
    if (resp.keyId !== this.keyId) throw invalid(`keyID in generateSignature response ${JSON.stringify(resp.keyId)} does not match request ${JSON.stringify(this.keyId)}`);
    const returned = decodeSigningAlgorithm(resp.signingAlgorithm);
    if (returned.signatureAlgorithm !== alg.signatureAlgorithm) {
      throw invalid(`signingAlgorithm in generateSignature response ${JSON.stringify(resp.signingAlgorithm)} does not match key spec ${alg.keySpec}, which requires ${JSON.stringify(alg.signatureAlgorithm)}`);
    }
    const signature = resp.signature;
    if (!signature || signature.length === 0) throw invalid('generateSignature response has an empty signature');
    const raw = resp.certificateChain ?? [];
    if (raw.length === 0) throw invalid('generateSignature response has an empty certificateChain');
    if (raw.length > MAX_PLUGIN_CHAIN_LENGTH) throw invalid(`generateSignature response has ${raw.length} certificates; at most ${MAX_PLUGIN_CHAIN_LENGTH} are accepted`);
    const chain: Certificate[] = raw.map((der, i) => {
      const certs = parseCertificates(der, `certificateChain[${i}] of plugin ${this.plugin.name}`);
      if (certs.length !== 1) throw invalid(`certificateChain[${i}] must hold exactly one DER certificate`);
      return certs[0]!;
    });
    const leaf = chain[0]!;
    if (!verifyPrimitive(alg, leaf.publicKey, bytesToSign, signature, 'hash')) {
      throw invalid(
        `the ${alg.signatureAlgorithm} signature returned by the plugin does not verify with the public key of the leaf certificate "${leaf.subject}" ` +
          `(ECDSA must be raw r||s, RSASSA-PSS must use salt length = hash length, and the chain must start with the signing certificate)`,
      );
    }
    return { signature, certificateChain: chain };
  }
}

// ---------------- ENVELOPE flow ----------------

/** Verifies envelope bytes and returns their content (parseEnvelope(mediaType, bytes).verify()). */
export type EnvelopeVerifier = (mediaType: string, envelope: Uint8Array) => EnvelopeContent | Promise<EnvelopeContent>;

function defaultEnvelopeVerifier(mediaType: string, envelope: Uint8Array): EnvelopeContent {
  return parseEnvelope(mediaType, envelope).verify();
}

export interface GenerateEnvelopeOptions {
  plugin: Plugin;
  keyId: string;
  /** The artifact to sign; only mediaType, digest, size and annotations are sent (REF). */
  descriptor: Descriptor;
  /** application/jose+json or application/cose. */
  signatureMediaType: string;
  /** Signature validity in seconds; 0 or absent = no expiry. */
  expirySeconds?: number;
  pluginConfig?: Record<string, string>;
  signal?: AbortSignal;
  /** Override of envelope verification (default: the envelope module's parseEnvelope().verify()). */
  verifyEnvelope?: EnvelopeVerifier;
}

export interface GeneratedEnvelope {
  envelope: Uint8Array;
  mediaType: string;
  /** Annotations the plugin asks to put on the signature manifest. */
  annotations: Record<string, string>;
  content: EnvelopeContent;
}

/** The Notary payload REF sends to an envelope plugin. */
export function notaryPayloadBytes(d: Descriptor): Uint8Array {
  const target = {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    annotations: d.annotations && Object.keys(d.annotations).length ? sortedMap(d.annotations) : undefined,
  };
  return Buffer.from(goMarshal({ targetArtifact: target }), 'utf8');
}

const DESCRIPTOR_FIELDS = new Set(['mediaType', 'digest', 'size', 'urls', 'annotations', 'data', 'platform', 'artifactType']);

function describe(d: { mediaType?: unknown; digest?: unknown; size?: unknown }): string {
  return `{MediaType:${String(d.mediaType ?? '')} Digest:${String(d.digest ?? '')} Size:${String(d.size ?? 0)}}`;
}

/** Generates an envelope with a SIGNATURE_GENERATOR.ENVELOPE plugin and checks it (7.3). */
export async function generateEnvelopeWithPlugin(o: GenerateEnvelopeOptions): Promise<GeneratedEnvelope> {
  const name = o.plugin.name;
  try {
    return await generateEnvelope(o);
  } catch (e) {
    throw signFailure(name, e);
  }
}

async function generateEnvelope(o: GenerateEnvelopeOptions): Promise<GeneratedEnvelope> {
  if (!o.keyId) throw new SigningError('PLUGIN_KEY_ID_MISSING', 'keyID not specified');
  if (o.signatureMediaType !== MEDIA_TYPE_JWS && o.signatureMediaType !== MEDIA_TYPE_COSE) {
    throw new SigningError('UNSUPPORTED_SIGNATURE_FORMAT', `signature envelope type ${JSON.stringify(o.signatureMediaType)} is not supported`);
  }
  const expiry = o.expirySeconds ? Math.floor(o.expirySeconds) : 0;
  if (!Number.isSafeInteger(expiry) || expiry < 0) throw new SigningError('INVALID_EXPIRY', `invalid expiry duration ${String(o.expirySeconds)}`);
  const resp = await o.plugin.generateEnvelope(
    {
      contractVersion: CONTRACT_VERSION,
      keyId: o.keyId,
      payloadType: PAYLOAD_CONTENT_TYPE,
      signatureEnvelopeType: o.signatureMediaType,
      payload: notaryPayloadBytes(o.descriptor),
      ...(expiry ? { expiryDurationInSeconds: expiry } : {}),
      pluginConfig: o.pluginConfig ?? {},
    },
    o.signal ? { signal: o.signal } : {},
  );
  if (resp.signatureEnvelopeType !== o.signatureMediaType) {
    throw invalid(`signatureEnvelopeType in generateEnvelope response ${JSON.stringify(resp.signatureEnvelopeType)} does not match request ${JSON.stringify(o.signatureMediaType)}`);
  }
  const envelope = resp.signatureEnvelope;
  if (!envelope || envelope.length === 0) throw invalid('generateEnvelope response has an empty signatureEnvelope');
  if (envelope.length > MAX_PLUGIN_ENVELOPE_BYTES) throw invalid(`generateEnvelope response envelope exceeds ${MAX_PLUGIN_ENVELOPE_BYTES} bytes`);

  let content: EnvelopeContent;
  try {
    content = await (o.verifyEnvelope ?? defaultEnvelopeVerifier)(o.signatureMediaType, envelope);
  } catch (e) {
    const code = e instanceof NotationError ? e.code : PluginErrorCodes.responseInvalid;
    throw new SigningError(code, `generated signature failed verification: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  if (content.payload.contentType !== PAYLOAD_CONTENT_TYPE) {
    throw invalid(`payload content type ${JSON.stringify(content.payload.contentType)} not supported`);
  }
  let signed: unknown;
  try {
    signed = JSON.parse(Buffer.from(content.payload.content).toString('utf8'));
  } catch (e) {
    throw invalid(`signed envelope payload can't be unmarshalled: ${(e as Error).message}`);
  }
  if (!signed || typeof signed !== 'object' || Array.isArray(signed)) throw invalid("signed envelope payload can't be unmarshalled: not a JSON object");
  const top = signed as Record<string, unknown>;
  const ta = top.targetArtifact;
  if (!ta || typeof ta !== 'object' || Array.isArray(ta)) throw invalid("signed envelope payload can't be unmarshalled: targetArtifact is not an object");
  const target = ta as Record<string, unknown>;
  const d = o.descriptor;
  const annotations = target.annotations;
  const annOk =
    annotations === undefined || annotations === null || (typeof annotations === 'object' && !Array.isArray(annotations) && Object.values(annotations).every((v) => typeof v === 'string'));
  const kept = Object.entries(d.annotations ?? {}).every(([k, v]) => annOk && (annotations as Record<string, string> | null)?.[k] === v);
  if (target.mediaType !== d.mediaType || target.digest !== d.digest || target.size !== d.size || !annOk || !kept) {
    throw invalid(`during signing descriptor subject has changed from ${describe(d)} to ${describe(target)}`);
  }
  const unknown = [...Object.keys(target).filter((k) => !DESCRIPTOR_FIELDS.has(k)), ...Object.keys(top).filter((k) => k !== 'targetArtifact')];
  if (unknown.length) {
    throw invalid(`during signing, following unknown attributes were added to subject descriptor: [${unknown.map((k) => JSON.stringify(k)).join(' ')}]`);
  }
  return { envelope, mediaType: o.signatureMediaType, annotations: { ...(resp.annotations ?? {}) }, content };
}
