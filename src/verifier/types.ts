/**
 * Verification outcome model, isomorphic to notation-go's VerificationOutcome so
 * that users of notation recognise it (checklist 5.4).
 */
import type { EnvelopeContent, Descriptor } from '../envelope/types.js';

export type ValidationType = 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';
export type ValidationAction = 'enforce' | 'log' | 'skip';
export const VALIDATION_TYPES: readonly ValidationType[] = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'];

export interface VerificationLevel {
  name: string;
  enforcement: Record<ValidationType, ValidationAction>;
}

export interface ValidationResult {
  type: ValidationType;
  action: ValidationAction;
  /** Set when the check failed (an enforced failure stops verification). */
  error?: Error;
}

/** The trust policy statement that applied (OCI or blob). */
export interface AppliedStatement {
  name: string;
  registryScopes?: string[];
  signatureVerification: { level: string; override?: Record<string, string>; verifyTimestamp?: string };
  trustStores?: string[];
  trustedIdentities?: string[];
  globalPolicy?: boolean;
}

export interface VerificationOutcome {
  /** The envelope bytes verified. */
  rawSignature?: Uint8Array;
  /** Envelope media type. */
  signatureMediaType?: string;
  /** Digest of the signature manifest (OCI) when known. */
  signatureManifestDigest?: string;
  envelopeContent?: EnvelopeContent;
  /** The payload's targetArtifact once integrity passed. */
  targetArtifact?: Descriptor;
  verificationLevel: VerificationLevel;
  verificationResults: ValidationResult[];
  statement?: AppliedStatement;
  /** Set when verification of this signature failed. */
  error?: Error;
}

/** The user metadata (targetArtifact annotations) of a verified signature. */
export function userMetadata(outcome: VerificationOutcome): Record<string, string> {
  return { ...(outcome.targetArtifact?.annotations ?? {}) };
}
