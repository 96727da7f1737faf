/**
 * Typed errors. Every error thrown for bad input or a failed check is a NotationError
 * with a stable `code` (UPPER_SNAKE, documented in docs/errors.md) and a message a
 * security engineer can act on. Modules define their codes next to their code; the
 * classes here mirror notation-go's error types so users find the familiar names.
 */
export class NotationError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A signature envelope could not be parsed (bad bytes, missing or malformed header). */
export class EnvelopeError extends NotationError {}
/** The envelope parsed but its signature, algorithm, chain or certificates are invalid (integrity). */
export class SignatureIntegrityError extends NotationError {}
/** A certificate or certificate chain violates the Notary Project certificate rules. */
export class CertificateError extends NotationError {}
/** A trust store is missing, malformed or holds a certificate it may not hold. */
export class TrustStoreError extends NotationError {}
/** A trust policy document or statement is malformed. */
export class TrustPolicyError extends NotationError {}
/** No trust policy statement applies to the artifact. */
export class NoApplicableTrustPolicyError extends NotationError {}
/** A timestamp token or TSA response is invalid. */
export class TimestampError extends NotationError {}
/** Revocation checking failed or found a revoked certificate. */
export class RevocationError extends NotationError {}
/** A plugin is missing, misbehaved or reported an error. */
export class PluginError extends NotationError {}
/** A signature verification failed (some enforced check failed). */
export class VerificationFailedError extends NotationError {}
/** Verification could not reach a verdict (e.g. plugin gave no answer). */
export class VerificationInconclusiveError extends NotationError {}
/** User metadata required by the verifier is not in the signature. */
export class UserMetadataVerificationFailedError extends NotationError {}
/** A signature manifest or envelope could not be retrieved. */
export class SignatureRetrievalFailedError extends NotationError {}
/** Pushing a signature failed. */
export class PushSignatureFailedError extends NotationError {}
/** The registry or OCI layout answered something we cannot accept. */
export class RepositoryError extends NotationError {}
/** Config dir content (config.json, signingkeys.json, keys) is invalid. */
export class ConfigError extends NotationError {}
/** Signing failed (key, certificate, envelope assembly or self-verification). */
export class SigningError extends NotationError {}
/** Bad command-line usage. */
export class UsageError extends NotationError {}

export function isNotationError(e: unknown): e is NotationError {
  return e instanceof NotationError;
}

/** Message of any thrown value, without a stack. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
