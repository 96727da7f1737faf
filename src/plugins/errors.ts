/**
 * Plugin error codes and classes. Every failure of the plugin layer is a PluginError
 * (or, on the verification side, a VerificationInconclusiveError) with a stable code.
 * Errors reported *by* a plugin through its stderr JSON keep the plugin's own code in
 * `pluginErrorCode` and are coded `PLUGIN_<pluginErrorCode>`.
 */
import { PluginError } from '../errors.js';

/** Error codes of the plugin contract (`errorCode` in the error JSON). */
export const PLUGIN_ERROR_CODES = [
  'VALIDATION_ERROR',
  'UNSUPPORTED_CONTRACT_VERSION',
  'ACCESS_DENIED',
  'TIMEOUT',
  'THROTTLED',
  'ERROR',
] as const;
export type PluginErrorCode = (typeof PLUGIN_ERROR_CODES)[number];

/** Our stable codes for the plugin layer. */
export const PluginErrorCodes = {
  /** The plugin executable is missing, not a regular file, a symlink, or not executable. */
  notFound: 'PLUGIN_NOT_FOUND',
  /** The plugin could not be run or exited non-zero with an empty stderr. */
  executableError: 'PLUGIN_EXECUTABLE_ERROR',
  /** The plugin answered something that is not the JSON the contract requires. */
  malformed: 'PLUGIN_MALFORMED',
  /** get-plugin-metadata response failed validation. */
  malformedMetadata: 'PLUGIN_MALFORMED_METADATA',
  /** Metadata name differs from the plugin directory name. */
  nameMismatch: 'PLUGIN_NAME_MISMATCH',
  /** The plugin did not finish in time and was killed. */
  timeout: 'PLUGIN_TIMEOUT',
  /** stdout or stderr exceeded the cap. */
  outputTooLarge: 'PLUGIN_OUTPUT_TOO_LARGE',
  /** A response violated the contract (keyId echo, envelope type, descriptor, algorithm...). */
  responseInvalid: 'PLUGIN_RESPONSE_INVALID',
  /** Plugin lacks the capability the operation needs. */
  capabilityMissing: 'PLUGIN_CAPABILITY_MISSING',
  /** Key spec string not in the algorithm table. */
  unsupportedKeySpec: 'PLUGIN_UNSUPPORTED_KEY_SPEC',
  /** Signing algorithm string not in the algorithm table. */
  unsupportedSigningAlgorithm: 'PLUGIN_UNSUPPORTED_SIGNING_ALGORITHM',
  /** Hash algorithm string not SHA-256/384/512. */
  unsupportedHashAlgorithm: 'PLUGIN_UNSUPPORTED_HASH_ALGORITHM',
  /** A version string is not SemVer 2.0. */
  invalidVersion: 'PLUGIN_INVALID_VERSION',
  /** Installed plugin version is below the required minimum. */
  versionTooOld: 'PLUGIN_VERSION_TOO_OLD',
  /** Installing a lower version without force. */
  downgrade: 'PLUGIN_DOWNGRADE',
  /** Installing the same version without force. */
  sameVersion: 'PLUGIN_SAME_VERSION',
  /** io.cncf.notary.verificationPlugin / ...MinVersion is not a critical, non-empty (SemVer) string. */
  attributeInvalid: 'PLUGIN_ATTRIBUTE_INVALID',
  /** The signature's verification plugin offers neither verifier capability. */
  noVerificationCapability: 'PLUGIN_NO_VERIFICATION_CAPABILITY',
  /** verify-signature did not list an extended attribute in processedAttributes. */
  attributeNotProcessed: 'PLUGIN_ATTRIBUTE_NOT_PROCESSED',
  /** verify-signature gave no result for a requested capability (inconclusive). */
  resultMissing: 'PLUGIN_RESULT_MISSING',
  /** The plugin's TRUSTED_IDENTITY verification failed. */
  trustedIdentityFailed: 'PLUGIN_TRUSTED_IDENTITY_FAILED',
  /** The plugin's REVOCATION_CHECK verification failed. */
  revocationCheckFailed: 'PLUGIN_REVOCATION_CHECK_FAILED',
  /** Install source (file / archive) is unusable. */
  installSource: 'PLUGIN_INSTALL_SOURCE_INVALID',
} as const;

/**
 * An error reported by a plugin (stderr JSON) or a contract validation error in the
 * plugin's vocabulary. `code` is `PLUGIN_<pluginErrorCode>`.
 */
export class PluginProtocolError extends PluginError {
  readonly pluginErrorCode: string;
  readonly pluginErrorMessage: string;
  readonly errorMetadata?: Record<string, string>;
  constructor(pluginErrorCode: string, message: string, metadata?: Record<string, string>, options?: { cause?: unknown }) {
    super(`PLUGIN_${/^[A-Z0-9_]{1,64}$/.test(pluginErrorCode) ? pluginErrorCode : 'ERROR'}`, message || `plugin reported error ${pluginErrorCode || '(no code)'}`, options);
    this.pluginErrorCode = pluginErrorCode;
    this.pluginErrorMessage = message;
    if (metadata) this.errorMetadata = metadata;
  }
}

/** A VALIDATION_ERROR in the framework's words (e.g. "keyId cannot be empty"). */
export function validationError(message: string): PluginProtocolError {
  return new PluginProtocolError('VALIDATION_ERROR', message);
}

export { PluginError };
