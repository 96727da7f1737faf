/** Signing: Signer implementations and the OCI / blob signing workflows. */
export type { Signer, SignResult as SignerSignResult } from './types.js';
export {
  LocalSigner,
  loadLocalSigner,
  keySpecOf,
  algorithmOf,
  parsePrivateKeyPem,
  parseCertificateChainPem,
  keyMatchesCertificate,
  MAX_KEY_FILE_BYTES,
} from './local.js';
export {
  sign,
  signBlob,
  signDescriptor,
  addUserMetadata,
  buildPayload,
  referencePart,
  signatureManifestAnnotations,
  SIGNING_AGENT,
  type CommonSignOptions,
  type SignOptions,
  type BlobSignOptions,
  type SignResult,
  type OciSignResult,
} from './sign.js';
export { writeBlobSignature, blobSignaturePath } from './blobfile.js';
export { checkMediaType } from './mediatype.js';
export { signerForKey, type PluginSignerFactory } from './keys.js';
