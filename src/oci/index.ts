/** OCI storage: references, signature manifests, OCI layouts and registries. */
export * from './types.js';
export * from './digest.js';
export * from './reference.js';
export * from './manifest.js';
export { OciLayoutRepository, type OciLayoutOptions } from './layout.js';
export { RegistryRepository, isInsecureRegistry, referrersTag, encodeReferrersIndex, type RegistryRepositoryOptions, type ReferrersCapability } from './registry/repository.js';
export { type Credential, type CredentialProvider, parseChallenge, mergeScopes } from './registry/auth.js';
export { ConfigFileCredentials, StaticCredentials, notationCredentialStore, runCredentialHelper, serverAddressFor, type HelperRunner } from './registry/credentials.js';
