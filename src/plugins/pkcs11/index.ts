/**
 * The built-in `pkcs11` plugin: PKCS#11 keys (HSMs, smart cards, SoftHSM) as an
 * in-process Signer, and the same code behind the notation plugin protocol
 * (bin/notation-pkcs11.js, see ./plugin-main.ts).
 */
export { createPkcs11Signer, PIN_ENV, PKCS11_CONFIG_KEYS, MAX_PIN_FILE_BYTES, MAX_CERT_CHAIN_FILE_BYTES, type Pkcs11Signer, type Pkcs11SignerOptions } from './signer.js';
export { parsePkcs11Uri, percentDecode, describeKey, MAX_PKCS11_URI_LENGTH, type Pkcs11Uri, type ObjectType } from './uri.js';
export { Pkcs11Error, Pkcs11SigningError, Pkcs11ErrorCodes, type Pkcs11ErrorCode } from './errors.js';
export { MAX_SESSIONS_PER_TOKEN, openHandleCounts } from './session.js';
export { PKCS11_PLUGIN_NAME, PKCS11_PLUGIN_VERSION, runPkcs11Plugin, type PluginRunResult } from './plugin-main.js';
