/**
 * Conformance adapters for the plugin protocol (category plugin-protocol-json, all
 * operations except verify-oci-signature, which the verifier adapter runs through
 * src/plugins' createVerificationPluginHooks and test/helpers/plugins/mock.ts).
 */
import { deepEqual, invalid, type Adapter, type AdapterResult } from '../framework.js';
import {
  PluginProtocolError,
  comparePluginVersion,
  decodeKeySpec,
  decodeResponseValue,
  decodeSigningAlgorithm,
  encodeKeySpec,
  encodeSigningAlgorithm,
  hasCapability,
  hashAlgorithmForKeySpec,
  isCommand,
  isValidSemver,
  marshalPluginError,
  marshalResponse,
  parsePluginError,
  parseRequest,
  pluginErrorToJson,
  validateMetadata,
  type Command,
  type GetMetadataResponse,
} from '../../../src/plugins/index.js';
import { PluginError } from '../../../src/errors.js';

export const errorKinds: Record<string, string> = {
  PLUGIN_VALIDATION_ERROR: 'plugin request validation',
  PLUGIN_MALFORMED_METADATA: 'malformed plugin metadata',
  PLUGIN_VERSION_TOO_OLD: 'plugin version too old',
  PLUGIN_UNSUPPORTED_KEY_SPEC: 'unsupported key spec',
  PLUGIN_UNSUPPORTED_SIGNING_ALGORITHM: 'unsupported signing algorithm',
  PLUGIN_NOT_FOUND: 'plugin not found',
  PLUGIN_NO_VERIFICATION_CAPABILITY: 'plugin lacks verification capability',
  PLUGIN_TRUSTED_IDENTITY_FAILED: 'plugin verification failed: trusted identity',
  PLUGIN_REVOCATION_CHECK_FAILED: 'revoked',
  PLUGIN_MALFORMED: 'plugin response malformed',
  // The verifier wraps verify-signature failures under this code (src/verifier).
  PLUGIN_VERIFICATION_FAILED: 'plugin response malformed',
};

function mismatch(what: string, expected: unknown, got: unknown): AdapterResult {
  return { outcome: 'valid', mismatch: `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}` };
}

/** Plugin-side errors are judged by their JSON form, as the framework's Error() prints them. */
function pluginInvalid(err: unknown): AdapterResult {
  const r = invalid(err);
  if (err instanceof PluginProtocolError) r.errorMessage = pluginErrorToJson(err);
  return r;
}

function command(c: { params: Record<string, unknown> }): Command {
  const cmd = String(c.params.command);
  if (!isCommand(cmd)) throw new PluginError('PLUGIN_UNKNOWN_COMMAND', `unknown plugin command ${cmd}`);
  return cmd;
}

const validateRequest: Adapter = (c, ctx) => {
  try {
    parseRequest(command(c), ctx.read(c.inputs.request).toString('utf8'));
    return { outcome: 'valid' };
  } catch (e) {
    return pluginInvalid(e);
  }
};

const unmarshalRequest: Adapter = (c, ctx) => {
  let req: Record<string, unknown>;
  try {
    req = parseRequest(command(c), ctx.read(c.inputs.request).toString('utf8')) as unknown as Record<string, unknown>;
  } catch (e) {
    return pluginInvalid(e);
  }
  for (const k of ['contractVersion', 'keyId', 'pluginConfig']) {
    if (c.expected[k] !== undefined && !deepEqual(req[k], c.expected[k])) return mismatch(k, c.expected[k], req[k]);
  }
  return { outcome: 'valid' };
};

const marshalError: Adapter = (c) => {
  const e = c.params.error as { code: string; message?: string; metadata?: Record<string, string> };
  const json = marshalPluginError(e.code, e.message, e.metadata);
  if (c.expected.json !== undefined && json !== c.expected.json) return mismatch('json', c.expected.json, json);
  return { outcome: 'valid' };
};

const unmarshalError: Adapter = (c, ctx) => {
  const pe = parsePluginError(ctx.read(c.inputs.json).toString('utf8'));
  if (!pe) return invalid(new PluginError('PLUGIN_MALFORMED', 'incomplete json'));
  if (c.expected.code !== undefined && pe.pluginErrorCode !== c.expected.code) return mismatch('code', c.expected.code, pe.pluginErrorCode);
  if (c.expected.metadata !== undefined && !deepEqual(pe.errorMetadata ?? null, c.expected.metadata)) return mismatch('metadata', c.expected.metadata, pe.errorMetadata ?? null);
  return { outcome: 'valid' };
};

const marshalResp: Adapter = (c) => {
  try {
    const cmd = command(c);
    const r = { ...(c.params.response as Record<string, unknown>) };
    // The corpus gives byte fields as UTF-8 text under a `<field>Utf8` key.
    for (const k of Object.keys(r)) {
      if (k.endsWith('Utf8')) {
        r[k.slice(0, -4)] = new Uint8Array(Buffer.from(String(r[k]), 'utf8'));
        delete r[k];
      }
    }
    const json = marshalResponse(cmd, r as never);
    const exp = c.expected.json as string | undefined;
    const same = exp === undefined || (c.expected.comparison === 'case-insensitive' ? json.toLowerCase() === exp.toLowerCase() : json === exp);
    return same ? { outcome: 'valid' } : mismatch('json', exp, json);
  } catch (e) {
    return invalid(e);
  }
};

const validatePluginMetadata: Adapter = (c, ctx) => {
  try {
    const m = decodeResponseValue('get-plugin-metadata', JSON.parse(ctx.read(c.inputs.metadataResponse).toString('utf8')));
    validateMetadata(m);
    return { outcome: 'valid' };
  } catch (e) {
    return invalid(e);
  }
};

const metadataHasCapability: Adapter = (c) => {
  const m = decodeResponseValue('get-plugin-metadata', c.params.metadata) as GetMetadataResponse;
  const got = hasCapability(m, String(c.params.capability));
  return c.expected.result !== undefined && got !== c.expected.result ? mismatch('result', c.expected.result, got) : { outcome: 'valid' };
};

const minVersionSatisfied: Adapter = (c) => {
  const v = String(c.params.pluginVersion);
  const min = String(c.params.minPluginVersion);
  try {
    if (!isValidSemver(v)) throw new PluginError('PLUGIN_INVALID_VERSION', `plugin has pluginVersion ${v} which is not in valid semver format`);
    if (comparePluginVersion(v, min) < 0) {
      throw new PluginError('PLUGIN_VERSION_TOO_OLD', `found plugin with version ${v} but signature verification needs plugin version greater than or equal to ${min}`);
    }
    return { outcome: 'valid' };
  } catch (e) {
    return invalid(e);
  }
};

const compareVersion: Adapter = (c) => {
  try {
    const r = comparePluginVersion(String(c.params.a), String(c.params.b));
    const got = r < 0 ? 'negative' : r > 0 ? 'positive' : 'zero';
    return c.expected.comparison !== undefined && got !== c.expected.comparison ? mismatch('comparison', c.expected.comparison, got) : { outcome: 'valid' };
  } catch (e) {
    return invalid(e);
  }
};

function checkFields(c: { expected: Record<string, unknown> }, got: Record<string, unknown>): AdapterResult {
  for (const [k, v] of Object.entries(got)) {
    if (c.expected[k] !== undefined && !deepEqual(c.expected[k], v)) return mismatch(k, c.expected[k], v);
  }
  return { outcome: 'valid' };
}

const encodeKeySpecAdapter: Adapter = (c) => {
  try {
    return checkFields(c, { keySpec: encodeKeySpec(String(c.params.keyType), Number(c.params.keySize)) });
  } catch (e) {
    return invalid(e);
  }
};

const decodeKeySpecAdapter: Adapter = (c) => {
  try {
    const k = decodeKeySpec(String(c.params.keySpec));
    return checkFields(c, { keyType: k.type, keySize: k.size });
  } catch (e) {
    return invalid(e);
  }
};

const hashForKeySpec: Adapter = (c) => {
  try {
    const ks = encodeKeySpec(String(c.params.keyType), Number(c.params.keySize));
    return checkFields(c, { hashAlgorithm: hashAlgorithmForKeySpec(ks) });
  } catch (e) {
    return invalid(e);
  }
};

const encodeSigningAlg: Adapter = (c) => {
  try {
    return checkFields(c, { signingAlgorithm: encodeSigningAlgorithm(String(c.params.algorithm)) });
  } catch (e) {
    return invalid(e);
  }
};

const decodeSigningAlg: Adapter = (c) => {
  try {
    return checkFields(c, { algorithm: decodeSigningAlgorithm(String(c.params.signingAlgorithm)).jws });
  } catch (e) {
    return invalid(e);
  }
};

export const adapters: Record<string, Adapter> = {
  'validate-plugin-request': validateRequest,
  'unmarshal-plugin-request': unmarshalRequest,
  'marshal-plugin-response': marshalResp,
  'marshal-plugin-error': marshalError,
  'unmarshal-plugin-error': unmarshalError,
  'validate-plugin-metadata': validatePluginMetadata,
  'metadata-has-capability': metadataHasCapability,
  'plugin-min-version-satisfied': minVersionSatisfied,
  'compare-plugin-version': compareVersion,
  'encode-key-spec': encodeKeySpecAdapter,
  'decode-key-spec': decodeKeySpecAdapter,
  'hash-algorithm-for-key-spec': hashForKeySpec,
  'encode-signing-algorithm': encodeSigningAlg,
  'decode-signing-algorithm': decodeSigningAlg,
};
