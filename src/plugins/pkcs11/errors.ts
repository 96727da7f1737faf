/**
 * Error codes of the PKCS#11 signer. Configuration, token and key problems are
 * PluginErrors (the key is a `pkcs11` plugin key); failures of the signing operation
 * itself are SigningErrors. No message ever contains the PIN: messages are built
 * from the URI's token/object names, never from the PIN source's content.
 */
import { PluginError, SigningError } from '../../errors.js';

export const Pkcs11ErrorCodes = {
  /** The key id is not a usable RFC 7512 `pkcs11:` URI. */
  invalidUri: 'PKCS11_INVALID_URI',
  /** Plugin config holds something it must not (e.g. a PIN) or an invalid value. */
  invalidConfig: 'PKCS11_INVALID_CONFIG',
  /** No module path in the URI (`module-path`) nor in plugin config (`module`). */
  moduleMissing: 'PKCS11_MODULE_MISSING',
  /** The module could not be loaded or initialised. */
  moduleLoadFailed: 'PKCS11_MODULE_LOAD_FAILED',
  /** No initialised token matches the URI. */
  tokenNotFound: 'PKCS11_TOKEN_NOT_FOUND',
  /** Several tokens match the URI. */
  tokenAmbiguous: 'PKCS11_TOKEN_AMBIGUOUS',
  /** The token needs a login and no PIN was given. */
  pinMissing: 'PKCS11_PIN_MISSING',
  /** `pin-source` could not be read. */
  pinSourceInvalid: 'PKCS11_PIN_SOURCE_INVALID',
  /** The token refused the PIN. */
  pinIncorrect: 'PKCS11_PIN_INCORRECT',
  /** The user PIN is locked (or not initialised / expired): the token refuses logins. */
  tokenLocked: 'PKCS11_TOKEN_LOCKED',
  /** The token is already logged in by this process with a different PIN. */
  pinConflict: 'PKCS11_PIN_CONFLICT',
  /** No private key matches the URI's object/id. */
  keyNotFound: 'PKCS11_KEY_NOT_FOUND',
  /** Several private keys match. */
  keyAmbiguous: 'PKCS11_KEY_AMBIGUOUS',
  /** The key is not one of the six Notary key specs, or cannot sign. */
  unsupportedKey: 'PKCS11_UNSUPPORTED_KEY',
  /** No certificate for the key on the token and no `certChain` config. */
  certificateNotFound: 'PKCS11_CERTIFICATE_NOT_FOUND',
  /** The `certChain` file is unreadable or holds no certificate. */
  certChainInvalid: 'PKCS11_CERT_CHAIN_INVALID',
  /** The leaf certificate's public key is not the token key's. */
  keyCertificateMismatch: 'PKCS11_KEY_CERTIFICATE_MISMATCH',
  /** The signing operation failed on the token. */
  signFailed: 'PKCS11_SIGN_FAILED',
  /** The signer was closed. */
  closed: 'PKCS11_SIGNER_CLOSED',
} as const;
export type Pkcs11ErrorCode = (typeof Pkcs11ErrorCodes)[keyof typeof Pkcs11ErrorCodes];

/** A PKCS#11 configuration, token or key error. */
export class Pkcs11Error extends PluginError {
  constructor(code: Pkcs11ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A PKCS#11 signing operation failed. */
export class Pkcs11SigningError extends SigningError {
  constructor(code: Pkcs11ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The PKCS#11 return value name of a pkcs11js error (`CKR_PIN_INCORRECT`), if any. */
export function ckrName(e: unknown): string | undefined {
  const m = /\bCKR_[A-Z0-9_]+/.exec(String((e as Error)?.message ?? ''));
  return m ? m[0] : undefined;
}

/**
 * A description of a native failure that is safe to show: the CKR name and the
 * native method, never the arguments (which could include the PIN).
 */
export function nativeReason(e: unknown): string {
  const ckr = ckrName(e);
  const method = (e as { method?: unknown })?.method;
  if (ckr) return typeof method === 'string' && method ? `${method} returned ${ckr}` : ckr;
  return 'native error';
}
