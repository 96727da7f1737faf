/**
 * The notation plugin contract 1.0: commands, request/response types, their
 * validation with the framework's messages, the error JSON, and the key spec /
 * hash / signing algorithm vocabulary (checklist 7.1, 7.2).
 *
 * Byte fields are Uint8Array here and padded standard base64 on the wire.
 */
import { ALGORITHMS, type HashAlgorithm, type KeySpec, type SignatureAlgorithm } from '../envelope/types.js';
import { PluginError } from '../errors.js';
import { PluginErrorCodes, PluginProtocolError, validationError } from './errors.js';
import { GoJsonError, decodeJson, decodeValue, goMarshal, sortedMap, type Spec } from './gojson.js';

export const CONTRACT_VERSION = '1.0';
export const BINARY_PREFIX = 'notation-';

export const COMMANDS = ['get-plugin-metadata', 'describe-key', 'generate-signature', 'generate-envelope', 'verify-signature'] as const;
export type Command = (typeof COMMANDS)[number];

export const Capability = {
  signatureGenerator: 'SIGNATURE_GENERATOR.RAW',
  envelopeGenerator: 'SIGNATURE_GENERATOR.ENVELOPE',
  trustedIdentityVerifier: 'SIGNATURE_VERIFIER.TRUSTED_IDENTITY',
  revocationCheckVerifier: 'SIGNATURE_VERIFIER.REVOCATION_CHECK',
} as const;
export type KnownCapability = (typeof Capability)[keyof typeof Capability];

// ---- requests and responses (field order = the Go structs' order) ----

export interface GetMetadataRequest {
  pluginConfig?: Record<string, string>;
}
export interface GetMetadataResponse {
  name: string;
  description: string;
  version: string;
  url: string;
  supportedContractVersions?: string[];
  capabilities?: string[];
}
export interface DescribeKeyRequest {
  contractVersion: string;
  keyId: string;
  pluginConfig?: Record<string, string>;
}
export interface DescribeKeyResponse {
  keyId: string;
  keySpec: string;
}
export interface GenerateSignatureRequest {
  contractVersion: string;
  keyId: string;
  keySpec: string;
  hashAlgorithm: string;
  payload?: Uint8Array;
  pluginConfig?: Record<string, string>;
}
export interface GenerateSignatureResponse {
  keyId: string;
  signature?: Uint8Array;
  signingAlgorithm: string;
  /** Leaf first. */
  certificateChain?: Uint8Array[];
}
export interface GenerateEnvelopeRequest {
  contractVersion: string;
  keyId: string;
  payloadType: string;
  signatureEnvelopeType: string;
  payload?: Uint8Array;
  /** Omitted when 0. */
  expiryDurationInSeconds?: number;
  pluginConfig?: Record<string, string>;
}
export interface GenerateEnvelopeResponse {
  signatureEnvelope?: Uint8Array;
  signatureEnvelopeType: string;
  annotations?: Record<string, string>;
}
export interface CriticalAttributes {
  contentType: string;
  signingScheme: string;
  expiry?: Date;
  authenticSigningTime?: Date;
  extendedAttributes?: Record<string, unknown>;
}
export interface SignatureInfo {
  criticalAttributes: CriticalAttributes;
  unprocessedAttributes?: string[];
  certificateChain?: Uint8Array[];
}
export interface PluginTrustPolicy {
  trustedIdentities?: string[];
  signatureVerification?: string[];
}
export interface VerifySignatureRequest {
  contractVersion: string;
  signature: SignatureInfo;
  trustPolicy: PluginTrustPolicy;
  pluginConfig?: Record<string, string>;
}
export interface VerificationResult {
  success: boolean;
  reason?: string;
}
export interface VerifySignatureResponse {
  /** A capability mapped to null means the plugin answered `null` for it (no result). */
  verificationResults?: Record<string, VerificationResult | null>;
  processedAttributes?: unknown[];
}

export interface RequestOf {
  'get-plugin-metadata': GetMetadataRequest;
  'describe-key': DescribeKeyRequest;
  'generate-signature': GenerateSignatureRequest;
  'generate-envelope': GenerateEnvelopeRequest;
  'verify-signature': VerifySignatureRequest;
}
export interface ResponseOf {
  'get-plugin-metadata': GetMetadataResponse;
  'describe-key': DescribeKeyResponse;
  'generate-signature': GenerateSignatureResponse;
  'generate-envelope': GenerateEnvelopeResponse;
  'verify-signature': VerifySignatureResponse;
}

const strMap: Spec = { map: 'string' };
const REQUEST_SPECS: Record<Command, Spec> = {
  'get-plugin-metadata': { struct: { pluginConfig: strMap } },
  'describe-key': { struct: { contractVersion: 'string', keyId: 'string', pluginConfig: strMap } },
  'generate-signature': {
    struct: { contractVersion: 'string', keyId: 'string', keySpec: 'string', hashAlgorithm: 'string', payload: 'bytes', pluginConfig: strMap },
  },
  'generate-envelope': {
    struct: {
      contractVersion: 'string',
      keyId: 'string',
      payloadType: 'string',
      signatureEnvelopeType: 'string',
      payload: 'bytes',
      expiryDurationInSeconds: 'uint',
      pluginConfig: strMap,
    },
  },
  'verify-signature': {
    struct: {
      contractVersion: 'string',
      signature: {
        struct: {
          criticalAttributes: {
            struct: {
              contentType: 'string',
              signingScheme: 'string',
              expiry: { ptr: 'time' },
              authenticSigningTime: { ptr: 'time' },
              extendedAttributes: { map: 'any' },
            },
          },
          unprocessedAttributes: { array: 'string' },
          certificateChain: { array: 'bytes' },
        },
      },
      trustPolicy: { struct: { trustedIdentities: { array: 'string' }, signatureVerification: { array: 'string' } } },
      pluginConfig: strMap,
    },
  },
};
const RESPONSE_SPECS: Record<Command, Spec> = {
  'get-plugin-metadata': {
    struct: {
      name: 'string',
      description: 'string',
      version: 'string',
      url: 'string',
      supportedContractVersions: { array: 'string' },
      capabilities: { array: 'string' },
    },
  },
  'describe-key': { struct: { keyId: 'string', keySpec: 'string' } },
  'generate-signature': {
    struct: { keyId: 'string', signature: 'bytes', signingAlgorithm: 'string', certificateChain: { array: 'bytes' } },
  },
  'generate-envelope': { struct: { signatureEnvelope: 'bytes', signatureEnvelopeType: 'string', annotations: strMap } },
  'verify-signature': {
    struct: {
      verificationResults: { map: { ptr: { struct: { success: 'bool', reason: 'string' } } } },
      processedAttributes: { array: 'any' },
    },
  },
};

/** The framework's message for a request that is not JSON of the right shape. */
export const MSG_MALFORMED_INPUT = 'Input is not a valid JSON';

export function isCommand(s: string): s is Command {
  return (COMMANDS as readonly string[]).includes(s);
}

/** Applies Go zero values so decoded objects satisfy the TS types. */
function withZeroStrings<T>(o: Record<string, unknown>, keys: string[]): T {
  for (const k of keys) if (o[k] === undefined) o[k] = '';
  return o as T;
}

function normaliseRequest(command: Command, o: Record<string, unknown>): unknown {
  switch (command) {
    case 'get-plugin-metadata':
      return o;
    case 'describe-key':
      return withZeroStrings(o, ['contractVersion', 'keyId']);
    case 'generate-signature':
      return withZeroStrings(o, ['contractVersion', 'keyId', 'keySpec', 'hashAlgorithm']);
    case 'generate-envelope':
      return withZeroStrings(o, ['contractVersion', 'keyId', 'payloadType', 'signatureEnvelopeType']);
    case 'verify-signature': {
      withZeroStrings(o, ['contractVersion']);
      const sig = (o.signature ?? {}) as Record<string, unknown>;
      sig.criticalAttributes = withZeroStrings((sig.criticalAttributes ?? {}) as Record<string, unknown>, ['contentType', 'signingScheme']);
      o.signature = sig;
      o.trustPolicy = o.trustPolicy ?? {};
      return o;
    }
  }
}

function normaliseResponse(command: Command, o: Record<string, unknown>): unknown {
  switch (command) {
    case 'get-plugin-metadata':
      return withZeroStrings(o, ['name', 'description', 'version', 'url']);
    case 'describe-key':
      return withZeroStrings(o, ['keyId', 'keySpec']);
    case 'generate-signature':
      return withZeroStrings(o, ['keyId', 'signingAlgorithm']);
    case 'generate-envelope':
      return withZeroStrings(o, ['signatureEnvelopeType']);
    case 'verify-signature': {
      const r = o.verificationResults as Record<string, Record<string, unknown> | null> | undefined;
      if (r) for (const v of Object.values(r)) if (v && v.success === undefined) v.success = false;
      return o;
    }
  }
}

/**
 * Decodes a request as the plugin framework does (json decode, then Validate). Any
 * failure is a VALIDATION_ERROR: "Input is not a valid JSON" for decode errors, the
 * framework's Validate() message otherwise (without the CLI's prefix).
 */
export function parseRequest<C extends Command>(command: C, text: string): RequestOf[C] {
  let o: Record<string, unknown> | undefined;
  try {
    o = decodeJson(text, REQUEST_SPECS[command]) as Record<string, unknown> | undefined;
  } catch (e) {
    throw new PluginProtocolError('VALIDATION_ERROR', MSG_MALFORMED_INPUT, undefined, { cause: e });
  }
  // A JSON null decodes to the zero request in Go, which Validate() then judges.
  const req = normaliseRequest(command, o ?? {}) as RequestOf[C];
  validateRequest(command, req);
  return req;
}

/** Decodes an already-parsed JSON value as a request (no Validate). */
export function decodeRequestValue<C extends Command>(command: C, value: unknown): RequestOf[C] {
  let o: Record<string, unknown> | undefined;
  try {
    o = decodeValue(value, REQUEST_SPECS[command]) as Record<string, unknown> | undefined;
  } catch (e) {
    throw new PluginProtocolError('VALIDATION_ERROR', MSG_MALFORMED_INPUT, undefined, { cause: e });
  }
  return normaliseRequest(command, o ?? {}) as RequestOf[C];
}

function isZeroCritical(c: CriticalAttributes): boolean {
  return c.contentType === '' && c.signingScheme === '' && c.expiry === undefined && c.authenticSigningTime === undefined && c.extendedAttributes === undefined;
}

/** The framework's Validate() for each request type; throws a VALIDATION_ERROR. */
export function validateRequest<C extends Command>(command: C, request: RequestOf[C]): void {
  switch (command) {
    case 'get-plugin-metadata':
      return;
    case 'describe-key': {
      const r = request as DescribeKeyRequest;
      if (!r.contractVersion) throw validationError('contractVersion cannot be empty');
      if (!r.keyId) throw validationError('keyId cannot be empty');
      return;
    }
    case 'generate-signature': {
      const r = request as GenerateSignatureRequest;
      if (!r.contractVersion) throw validationError('contractVersion cannot be empty');
      if (!r.keyId) throw validationError('keyId cannot be empty');
      if (!r.keySpec) throw validationError('keySpec cannot be empty');
      if (!r.hashAlgorithm) throw validationError('hashAlgorithm cannot be empty');
      if (!r.payload || r.payload.length === 0) throw validationError('payload cannot be empty');
      return;
    }
    case 'generate-envelope': {
      const r = request as GenerateEnvelopeRequest;
      if (!r.contractVersion) throw validationError('contractVersion cannot be empty');
      if (!r.keyId) throw validationError('keyId cannot be empty');
      if (!r.payloadType) throw validationError('payloadType cannot be empty');
      if (!r.signatureEnvelopeType) throw validationError('signatureEnvelopeType cannot be empty');
      if (!r.payload || r.payload.length === 0) throw validationError('payload cannot be empty');
      return;
    }
    case 'verify-signature': {
      const r = request as VerifySignatureRequest;
      if (!r.contractVersion) throw validationError('contractVersion cannot be empty');
      const s = r.signature;
      // Go compares with reflect.DeepEqual, so an empty (non-nil) slice is not "empty".
      if (isZeroCritical(s.criticalAttributes) && s.unprocessedAttributes === undefined && s.certificateChain === undefined) {
        throw validationError('signature cannot be empty');
      }
      if (isZeroCritical(s.criticalAttributes)) throw validationError("signature's criticalAttributes cannot be empty");
      if (!s.criticalAttributes.contentType) throw validationError("signature's criticalAttributes's contentType cannot be empty");
      if (!s.criticalAttributes.signingScheme) throw validationError("signature's criticalAttributes's signingScheme cannot be empty");
      if (!s.certificateChain || s.certificateChain.length === 0) {
        throw validationError("signature's criticalAttributes's certificateChain cannot be empty");
      }
      const tp = r.trustPolicy;
      if (tp.trustedIdentities === undefined && tp.signatureVerification === undefined) {
        throw validationError("signature's trustPolicy cannot be empty");
      }
      if (!tp.signatureVerification || tp.signatureVerification.length === 0) {
        throw validationError("signature's trustPolicy's signatureVerification cannot be empty");
      }
      return;
    }
  }
}

/** Decodes a plugin's stdout for a command. Throws PLUGIN_MALFORMED with notation's message. */
export function parseResponse<C extends Command>(command: C, text: string, pluginName: string): ResponseOf[C] {
  try {
    const o = decodeJson(text, RESPONSE_SPECS[command]) as Record<string, unknown> | undefined;
    return normaliseResponse(command, o ?? {}) as ResponseOf[C];
  } catch (e) {
    if (!(e instanceof GoJsonError)) throw e;
    throw new PluginError(
      PluginErrorCodes.malformed,
      `failed to unmarshal the response of ${command} command for plugin ${pluginName}: ${e.message}`,
      { cause: e },
    );
  }
}

/** Decodes an already-parsed response value (for tests and the conformance runner). */
export function decodeResponseValue<C extends Command>(command: C, value: unknown): ResponseOf[C] {
  const o = decodeValue(value, RESPONSE_SPECS[command]) as Record<string, unknown> | undefined;
  return normaliseResponse(command, o ?? {}) as ResponseOf[C];
}

// ---- serialisation (Go field order, omitempty where the Go struct has it) ----

function b64List(l: Uint8Array[] | undefined): Uint8Array[] | null {
  return l ?? null;
}

/** Request JSON exactly as notation sends it. */
export function marshalRequest<C extends Command>(command: C, request: RequestOf[C]): string {
  switch (command) {
    case 'get-plugin-metadata': {
      const r = request as GetMetadataRequest;
      return goMarshal({ pluginConfig: nonEmptyMap(r.pluginConfig) });
    }
    case 'describe-key': {
      const r = request as DescribeKeyRequest;
      return goMarshal({ contractVersion: r.contractVersion, keyId: r.keyId, pluginConfig: nonEmptyMap(r.pluginConfig) });
    }
    case 'generate-signature': {
      const r = request as GenerateSignatureRequest;
      return goMarshal({
        contractVersion: r.contractVersion,
        keyId: r.keyId,
        keySpec: r.keySpec,
        hashAlgorithm: r.hashAlgorithm,
        payload: r.payload ?? null,
        pluginConfig: nonEmptyMap(r.pluginConfig),
      });
    }
    case 'generate-envelope': {
      const r = request as GenerateEnvelopeRequest;
      return goMarshal({
        contractVersion: r.contractVersion,
        keyId: r.keyId,
        payloadType: r.payloadType,
        signatureEnvelopeType: r.signatureEnvelopeType,
        payload: r.payload ?? null,
        expiryDurationInSeconds: r.expiryDurationInSeconds ? r.expiryDurationInSeconds : undefined,
        pluginConfig: nonEmptyMap(r.pluginConfig),
      });
    }
    case 'verify-signature': {
      const r = request as VerifySignatureRequest;
      const c = r.signature.criticalAttributes;
      return goMarshal({
        contractVersion: r.contractVersion,
        signature: {
          criticalAttributes: {
            contentType: c.contentType,
            signingScheme: c.signingScheme,
            expiry: c.expiry,
            authenticSigningTime: c.authenticSigningTime,
            extendedAttributes: c.extendedAttributes && Object.keys(c.extendedAttributes).length ? sortedMap(c.extendedAttributes) : undefined,
          },
          unprocessedAttributes: r.signature.unprocessedAttributes ?? null,
          certificateChain: b64List(r.signature.certificateChain),
        },
        trustPolicy: {
          trustedIdentities: r.trustPolicy.trustedIdentities ?? null,
          signatureVerification: r.trustPolicy.signatureVerification ?? null,
        },
        pluginConfig: nonEmptyMap(r.pluginConfig),
      });
    }
  }
  throw new PluginError(PluginErrorCodes.malformed, `unknown plugin command ${String(command)}`);
}

function nonEmptyMap(m: Record<string, string> | undefined): Record<string, string> | undefined {
  return m && Object.keys(m).length ? sortedMap(m) : undefined;
}

/** Response JSON as a framework-based plugin prints it. */
export function marshalResponse<C extends Command>(command: C, response: ResponseOf[C]): string {
  switch (command) {
    case 'get-plugin-metadata': {
      const r = response as GetMetadataResponse;
      return goMarshal({
        name: r.name,
        description: r.description,
        version: r.version,
        url: r.url,
        supportedContractVersions: r.supportedContractVersions?.length ? r.supportedContractVersions : undefined,
        capabilities: r.capabilities ?? null,
      });
    }
    case 'describe-key': {
      const r = response as DescribeKeyResponse;
      return goMarshal({ keyId: r.keyId, keySpec: r.keySpec });
    }
    case 'generate-signature': {
      const r = response as GenerateSignatureResponse;
      return goMarshal({ keyId: r.keyId, signature: r.signature ?? null, signingAlgorithm: r.signingAlgorithm, certificateChain: b64List(r.certificateChain) });
    }
    case 'generate-envelope': {
      const r = response as GenerateEnvelopeResponse;
      return goMarshal({ signatureEnvelope: r.signatureEnvelope ?? null, signatureEnvelopeType: r.signatureEnvelopeType, annotations: nonEmptyMap(r.annotations) });
    }
    case 'verify-signature': {
      const r = response as VerifySignatureResponse;
      const results = r.verificationResults
        ? Object.fromEntries(
            Object.keys(r.verificationResults)
              .sort()
              .map((k) => {
                const v = r.verificationResults![k];
                return [k, v ? { success: v.success, reason: v.reason || undefined } : null];
              }),
          )
        : null;
      return goMarshal({ verificationResults: results, processedAttributes: r.processedAttributes ?? null });
    }
  }
  throw new PluginError(PluginErrorCodes.malformed, `unknown plugin command ${String(command)}`);
}

// ---- error JSON ----

export interface PluginErrorJson {
  errorCode: string;
  errorMessage?: string;
  errorMetadata?: Record<string, string>;
}

/** `{errorCode, errorMessage?, errorMetadata?}` byte-exact as the framework's Error(). */
export function marshalPluginError(code: string, message?: string, metadata?: Record<string, string>): string {
  return goMarshal({
    errorCode: code,
    errorMessage: message ? message : undefined,
    errorMetadata: metadata && Object.keys(metadata).length ? sortedMap(metadata) : undefined,
  });
}

/** The error JSON of a PluginProtocolError (what a plugin would print on stderr). */
export function pluginErrorToJson(e: PluginProtocolError): string {
  return marshalPluginError(e.pluginErrorCode, e.pluginErrorMessage, e.errorMetadata);
}

const ERROR_SPEC: Spec = { struct: { errorCode: 'string', errorMessage: 'string', errorMetadata: strMap } };

/**
 * Parses a plugin's stderr error JSON into a PluginProtocolError carrying its code.
 * Returns undefined when stderr is not such JSON (notation: "incomplete json" when
 * code, message and metadata are all absent).
 */
export function parsePluginError(text: string): PluginProtocolError | undefined {
  let o: { errorCode?: string; errorMessage?: string; errorMetadata?: Record<string, string> } | undefined;
  try {
    o = decodeJson(text, ERROR_SPEC) as typeof o;
  } catch {
    return undefined;
  }
  if (!o || (!o.errorCode && !o.errorMessage && o.errorMetadata === undefined)) return undefined;
  return new PluginProtocolError(o.errorCode ?? '', o.errorMessage ?? '', o.errorMetadata);
}

// ---- metadata ----

/** notation's validate() of get-plugin-metadata (messages as REF). Throws PLUGIN_MALFORMED_METADATA. */
export function validateMetadata(m: GetMetadataResponse, pluginName?: string): void {
  let problem: string | undefined;
  if (!m.name) problem = 'empty name';
  else if (!m.description) problem = 'empty description';
  else if (!m.version) problem = 'empty version';
  else if (!m.url) problem = 'empty url';
  else if (!m.capabilities || m.capabilities.length === 0) problem = 'empty capabilities';
  else if (!m.supportedContractVersions || m.supportedContractVersions.length === 0) problem = 'supported contract versions not specified';
  else if (!m.supportedContractVersions.includes(CONTRACT_VERSION)) {
    problem = `contract version "${CONTRACT_VERSION}" is not in the list of the plugin supported versions [${m.supportedContractVersions.join(' ')}]`;
  }
  if (problem) {
    throw new PluginError(
      PluginErrorCodes.malformedMetadata,
      pluginName !== undefined ? `metadata validation failed for plugin ${pluginName}: ${problem}` : problem,
    );
  }
}

/** The framework's HasCapability (an empty capability is always "present"). */
export function hasCapability(m: Pick<GetMetadataResponse, 'capabilities'>, capability: string): boolean {
  if (capability === '') return true;
  return (m.capabilities ?? []).includes(capability);
}

// ---- key spec / hash / signing algorithm ----

export type KeyType = 'RSA' | 'EC';

export function encodeKeySpec(type: KeyType | string, size: number): KeySpec {
  const a = ALGORITHMS.find((x) => (type === 'RSA' ? x.kind === 'rsa' : type === 'EC' ? x.kind === 'ec' : false) && x.bits === size);
  if (!a) throw new PluginError(PluginErrorCodes.unsupportedKeySpec, `invalid KeySpec {${type} ${size}}`);
  return a.keySpec;
}

export function decodeKeySpec(keySpec: string): { type: KeyType; size: number; keySpec: KeySpec } {
  const a = ALGORITHMS.find((x) => x.keySpec === keySpec);
  if (!a) throw new PluginError(PluginErrorCodes.unsupportedKeySpec, `unknown key spec ${JSON.stringify(keySpec)}`);
  return { type: a.kind === 'rsa' ? 'RSA' : 'EC', size: a.bits, keySpec: a.keySpec };
}

export function hashAlgorithmForKeySpec(keySpec: string): HashAlgorithm {
  const a = ALGORITHMS.find((x) => x.keySpec === keySpec);
  if (!a) throw new PluginError(PluginErrorCodes.unsupportedKeySpec, `invalid KeySpec ${JSON.stringify(keySpec)}`);
  return a.hash;
}

/** JWS name (PS256...) to the plugin's signingAlgorithm string. */
export function encodeSigningAlgorithm(jwsAlg: string): SignatureAlgorithm {
  const a = ALGORITHMS.find((x) => x.jws === jwsAlg);
  if (!a) throw new PluginError(PluginErrorCodes.unsupportedSigningAlgorithm, `invalid algorithm ${JSON.stringify(jwsAlg)}`);
  return a.signatureAlgorithm;
}

/** The plugin's signingAlgorithm string to the JWS name (PS256...). */
export function decodeSigningAlgorithm(signingAlgorithm: string): { jws: string; signatureAlgorithm: SignatureAlgorithm; keySpec: KeySpec } {
  const a = ALGORITHMS.find((x) => x.signatureAlgorithm === signingAlgorithm);
  if (!a) throw new PluginError(PluginErrorCodes.unsupportedSigningAlgorithm, `unknown signing algorithm ${JSON.stringify(signingAlgorithm)}`);
  return { jws: a.jws, signatureAlgorithm: a.signatureAlgorithm, keySpec: a.keySpec };
}

export function isHashAlgorithm(s: string): s is HashAlgorithm {
  return s === 'SHA-256' || s === 'SHA-384' || s === 'SHA-512';
}
