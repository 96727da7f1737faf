/**
 * The verification-plugin steps of the per-signature pipeline (checklist 5.2 steps 3
 * and 9, 7.4), independent of the verifier module:
 *
 *  - checkVerificationPluginRequirements: after integrity, when the signature names
 *    `io.cncf.notary.verificationPlugin`: the plugin must be installed, its version
 *    SemVer and >= `io.cncf.notary.verificationPluginMinVersion`, and it must offer a
 *    SIGNATURE_VERIFIER capability. Every failure is a hard error at any level.
 *  - runVerificationPlugin: sends verify-signature for the capabilities to verify and
 *    applies REF's response rules (processedAttributes must cover every extended
 *    attribute; a missing result is inconclusive; failures become per-capability
 *    results carrying notation's messages, stopping where REF stops).
 */
import { HEADER, SIGNING_SCHEME_X509_SA, type EnvelopeContent, type ExtendedAttribute } from '../envelope/types.js';
import { NotationError, PluginError, RevocationError, VerificationInconclusiveError } from '../errors.js';
import { PluginErrorCodes } from './errors.js';
import { GO_ZERO_TIME } from './gojson.js';
import type { PluginLocator } from './manager.js';
import type { Plugin } from './plugin.js';
import type { RunOptions } from './process.js';
import { CONTRACT_VERSION, Capability, type GetMetadataResponse, type VerifySignatureRequest, type VerifySignatureResponse } from './protocol.js';
import { comparePluginVersion, isValidSemver } from './semver.js';
import { setOwn } from '../util/own.js';

export type VerifierCapability = typeof Capability.trustedIdentityVerifier | typeof Capability.revocationCheckVerifier;

const PLUGIN_HEADERS: readonly string[] = [HEADER.verificationPlugin, HEADER.verificationPluginMinVersion];

export interface VerificationPluginRequirement {
  /** The plugin name the signature asks for. */
  pluginName: string;
  minVersion?: string;
  plugin: Plugin;
  metadata: GetMetadataResponse;
  /** The plugin's verifier capabilities, in its metadata order. */
  capabilities: VerifierCapability[];
}

/** Extended attributes REF hands to the plugin: all of them except the two plugin headers. */
export function nonPluginExtendedAttributes(content: EnvelopeContent): ExtendedAttribute[] {
  return content.signerInfo.signedAttributes.extendedAttributes.filter((a) => typeof a.key === 'string' && !PLUGIN_HEADERS.includes(a.key));
}

function criticalString(content: EnvelopeContent, key: string): string | undefined {
  const attr = content.signerInfo.signedAttributes.extendedAttributes.find((a) => a.key === key);
  if (!attr) return undefined;
  if (!attr.critical) throw new PluginError(PluginErrorCodes.attributeInvalid, `${key} is not a critical Extended attribute`);
  if (typeof attr.value !== 'string') throw new PluginError(PluginErrorCodes.attributeInvalid, `${key} from extended attribute is not a string`);
  return attr.value;
}

/** The verification plugin named by the signature, if any (errors as REF). */
export function verificationPluginName(content: EnvelopeContent): string | undefined {
  const name = criticalString(content, HEADER.verificationPlugin);
  if (name === undefined) return undefined;
  if (name.trim() === '') throw new PluginError(PluginErrorCodes.attributeInvalid, `${HEADER.verificationPlugin} from extended attribute is an empty string`);
  return name;
}

function minVersionOf(content: EnvelopeContent): string | undefined {
  try {
    const v = criticalString(content, HEADER.verificationPluginMinVersion);
    if (v === undefined) return undefined;
    if (v.trim() === '') throw new PluginError(PluginErrorCodes.attributeInvalid, `${HEADER.verificationPluginMinVersion} from extended attribute is an empty string`);
    if (!isValidSemver(v)) throw new PluginError(PluginErrorCodes.attributeInvalid, `${HEADER.verificationPluginMinVersion} from extended attribute is not a valid SemVer`);
    return v;
  } catch (e) {
    throw new VerificationInconclusiveError(PluginErrorCodes.attributeInvalid, `error while getting plugin minimum version, error: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * 5.2 step 3. Returns undefined when the signature names no verification plugin.
 * `manager` undefined means plugins are unsupported here (REF: nil plugin manager).
 */
export async function checkVerificationPluginRequirements(
  content: EnvelopeContent,
  manager: PluginLocator | undefined,
  options: { pluginConfig?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<VerificationPluginRequirement | undefined> {
  const pluginName = verificationPluginName(content);
  if (pluginName === undefined) return undefined;
  const minVersion = minVersionOf(content);
  if (!manager) throw new VerificationInconclusiveError(PluginErrorCodes.notFound, 'plugin unsupported due to nil verifier.pluginManager');
  let plugin: Plugin;
  try {
    plugin = await manager.get(pluginName);
  } catch (e) {
    throw new VerificationInconclusiveError(
      PluginErrorCodes.notFound,
      `error while locating the verification plugin "${pluginName}", make sure the plugin is installed successfully before verifying the signature. error: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const runOptions: RunOptions = options.signal ? { signal: options.signal } : {};
  const metadata = await plugin.getMetadata(options.pluginConfig ? { pluginConfig: options.pluginConfig } : {}, runOptions);
  if (!isValidSemver(metadata.version)) {
    throw new VerificationInconclusiveError(
      PluginErrorCodes.invalidVersion,
      `plugin ${pluginName} has pluginVersion ${metadata.version} which is not in valid semver format`,
    );
  }
  if (minVersion !== undefined && comparePluginVersion(metadata.version, minVersion) < 0) {
    throw new VerificationInconclusiveError(
      PluginErrorCodes.versionTooOld,
      `found plugin ${pluginName} with version ${metadata.version} but signature verification needs plugin version greater than or equal to ${minVersion}`,
    );
  }
  const capabilities = (metadata.capabilities ?? []).filter(
    (c): c is VerifierCapability => c === Capability.trustedIdentityVerifier || c === Capability.revocationCheckVerifier,
  );
  if (capabilities.length === 0) {
    throw new VerificationInconclusiveError(
      PluginErrorCodes.noVerificationCapability,
      `digital signature requires plugin "${pluginName}" with signature verification capabilities ("${Capability.trustedIdentityVerifier}" and/or "${Capability.revocationCheckVerifier}") installed`,
    );
  }
  return { pluginName, ...(minVersion !== undefined ? { minVersion } : {}), plugin, metadata, capabilities };
}

/** Actions of the applied verification level, keyed like notation (authenticity, revocation...). */
export interface VerificationLevelLike {
  enforcement: Readonly<Partial<Record<string, string>>>;
}

export interface PluginCapabilityResult {
  capability: VerifierCapability;
  success: boolean;
  reason?: string;
  /**
   * Set when success is false: for TRUSTED_IDENTITY the error to write into the
   * authenticity result; for REVOCATION_CHECK the revocation result's error.
   */
  error?: NotationError;
  /** The level's action for the validation this result belongs to. */
  action: string;
}

export interface VerificationPluginRun {
  /** Capabilities sent to the plugin (REVOCATION_CHECK left out when revocation is skip). */
  capabilities: VerifierCapability[];
  /**
   * Results in capability order. REF stops at the first failure whose action is
   * "enforce"; that failure is then the last entry and the signature fails with its error.
   */
  results: PluginCapabilityResult[];
  /** The first enforced failure, if any (REF's return value). */
  failure?: NotationError;
  response?: VerifySignatureResponse;
}

export interface RunVerificationPluginOptions {
  plugin: Plugin;
  /** Name from the signature (defaults to plugin.name); used in messages. */
  pluginName?: string;
  content: EnvelopeContent;
  statement: { trustedIdentities: readonly string[] };
  level: VerificationLevelLike;
  /** From checkVerificationPluginRequirements. */
  capabilities: readonly VerifierCapability[];
  pluginConfig?: Record<string, string>;
  signal?: AbortSignal;
}

/** Builds the verify-signature request exactly as REF fills it (7.4 quirks included). */
export function buildVerifySignatureRequest(
  content: EnvelopeContent,
  trustedIdentities: readonly string[],
  capabilities: readonly string[],
  pluginConfig?: Record<string, string>,
): VerifySignatureRequest {
  const si = content.signerInfo;
  const attrs = nonPluginExtendedAttributes(content);
  const extendedAttributes: Record<string, unknown> = {};
  for (const a of attrs) setOwn(extendedAttributes, a.key, a.value);
  const sa = si.signedAttributes;
  return {
    contractVersion: CONTRACT_VERSION,
    signature: {
      criticalAttributes: {
        contentType: content.payload.contentType,
        signingScheme: sa.signingScheme,
        // REF always sends expiry; absent means the zero time.
        expiry: sa.expiry ?? new Date(GO_ZERO_TIME),
        ...(sa.signingScheme === SIGNING_SCHEME_X509_SA ? { authenticSigningTime: sa.signingTime } : {}),
        extendedAttributes,
      },
      ...(attrs.length ? { unprocessedAttributes: attrs.map((a) => a.key) } : {}),
      certificateChain: si.certificateChain.map((c) => c.raw),
    },
    trustPolicy: {
      trustedIdentities: [...trustedIdentities],
      signatureVerification: [...capabilities],
    },
    ...(pluginConfig && Object.keys(pluginConfig).length ? { pluginConfig } : {}),
  };
}

/** 5.2 step 9 (see the module comment). */
export async function runVerificationPlugin(o: RunVerificationPluginOptions): Promise<VerificationPluginRun> {
  const name = o.pluginName ?? o.plugin.name;
  const revocationAction = o.level.enforcement.revocation ?? 'enforce';
  const authenticityAction = o.level.enforcement.authenticity ?? 'enforce';
  const capabilities = o.capabilities.filter((c) => !(c === Capability.revocationCheckVerifier && revocationAction === 'skip'));
  if (capabilities.length === 0) return { capabilities, results: [] };

  const request = buildVerifySignatureRequest(o.content, o.statement.trustedIdentities, capabilities, o.pluginConfig);
  let response: VerifySignatureResponse;
  try {
    response = await o.plugin.verifySignature(request, o.signal ? { signal: o.signal } : {});
  } catch (e) {
    const code = e instanceof NotationError ? e.code : PluginErrorCodes.malformed;
    throw new PluginError(code, `failed to verify with plugin ${name}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  if (!response || typeof response !== 'object') {
    throw new PluginError(PluginErrorCodes.malformed, `failed to verify with plugin ${name}: invalid plugin response`);
  }

  const processed = response.processedAttributes ?? [];
  for (const a of nonPluginExtendedAttributes(o.content)) {
    if (!processed.some((p) => p === a.key)) {
      throw new PluginError(
        PluginErrorCodes.attributeNotProcessed,
        `extended critical attribute "${a.key}" was not processed by the verification plugin "${name}" (all extended critical attributes must be processed by the verification plugin)`,
      );
    }
  }

  const results: PluginCapabilityResult[] = [];
  for (const capability of capabilities) {
    const r = response.verificationResults?.[capability];
    if (!r) {
      throw new VerificationInconclusiveError(PluginErrorCodes.resultMissing, `verification plugin "${name}" failed to verify "${capability}"`);
    }
    const reason = typeof r.reason === 'string' ? r.reason : '';
    const success = r.success === true;
    if (capability === Capability.trustedIdentityVerifier) {
      const entry: PluginCapabilityResult = { capability, success, action: authenticityAction, ...(reason ? { reason } : {}) };
      if (!success) {
        entry.error = new PluginError(PluginErrorCodes.trustedIdentityFailed, `trusted identify verification by plugin "${name}" failed with reason "${goQuoteInner(reason)}"`);
      }
      results.push(entry);
      if (!success && authenticityAction === 'enforce') return { capabilities, results, failure: entry.error!, response };
    } else {
      const entry: PluginCapabilityResult = { capability, success, action: revocationAction, ...(reason ? { reason } : {}) };
      if (!success) {
        entry.error = new RevocationError(PluginErrorCodes.revocationCheckFailed, `revocation check by verification plugin "${name}" failed with reason "${goQuoteInner(reason)}"`);
      }
      results.push(entry);
      if (!success && revocationAction === 'enforce') return { capabilities, results, failure: entry.error!, response };
    }
  }
  return { capabilities, results, response };
}

/** The inside of Go's %q for a plugin-supplied reason (escapes quotes, backslashes, controls). */
function goQuoteInner(s: string): string {
  return JSON.stringify(s.length > 1024 ? s.slice(0, 1024) + '...' : s).slice(1, -1);
}

/** What the verifier pipeline's plugin hook receives after step 3 (see createVerificationPluginHooks). */
export interface PreparedVerificationPlugin {
  name: string;
  capabilities: VerifierCapability[];
  verify(
    capabilities: string[],
    content: EnvelopeContent,
    trustedIdentities: string[],
    pluginConfig: Record<string, string>,
  ): Promise<{ verificationResults: Record<string, { success: boolean; reason?: string } | undefined>; processedAttributes: string[] }>;
}

/**
 * Hooks for src/verifier (structurally its VerificationPluginHooks): `prepare` is
 * checkVerificationPluginRequirements; `verify` sends the REF-shaped verify-signature
 * request and returns the decoded response (null results as undefined, only string
 * processed attributes) for the pipeline to judge.
 */
export function createVerificationPluginHooks(manager: PluginLocator | undefined, options: { signal?: AbortSignal } = {}) {
  return {
    async prepare(content: EnvelopeContent, pluginConfig: Record<string, string>): Promise<PreparedVerificationPlugin | undefined> {
      const req = await checkVerificationPluginRequirements(content, manager, { pluginConfig, ...(options.signal ? { signal: options.signal } : {}) });
      if (!req) return undefined;
      return {
        name: req.pluginName,
        capabilities: req.capabilities,
        async verify(capabilities, content, trustedIdentities, pluginConfig) {
          const resp = await req.plugin.verifySignature(
            buildVerifySignatureRequest(content, trustedIdentities, capabilities, pluginConfig),
            options.signal ? { signal: options.signal } : {},
          );
          const verificationResults: Record<string, { success: boolean; reason?: string } | undefined> = {};
          for (const [k, v] of Object.entries(resp?.verificationResults ?? {})) {
            verificationResults[k] = v ? { success: v.success === true, ...(v.reason ? { reason: v.reason } : {}) } : undefined;
          }
          const processedAttributes = (resp?.processedAttributes ?? []).filter((a): a is string => typeof a === 'string');
          return { verificationResults, processedAttributes };
        },
      };
    },
  };
}
