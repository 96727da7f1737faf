/**
 * notation-ts public API.
 *
 * The facade (`verify`, `verifyBlob`, `sign`, `signBlob`, `list`) covers what the
 * notation CLI does; the building blocks below it (Verifier, Repository
 * implementations, Signers, trust policy and trust store) are exported for callers
 * that need more control. Nothing here keeps global state: the config dir, cache
 * dir, clock and logger are options with notation's defaults.
 */
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { Verifier, type Logger, type ChainRevocationChecker, type VerificationPluginHooks } from './verifier/verifier.js';
import { verifyArtifact } from './verifier/artifact.js';
import type { VerificationOutcome } from './verifier/types.js';
import { loadOciTrustPolicy, loadBlobTrustPolicy, type OciTrustPolicyDocument, type BlobTrustPolicyDocument } from './trustpolicy/index.js';
import { X509TrustStore, type TrustStoreProvider } from './truststore/index.js';
import { resolveNotationDirs } from './config/dirs.js';
import { NODE_HASH, type Descriptor } from './envelope/types.js';
import type { Repository } from './oci/types.js';
import { OciLayoutRepository } from './oci/layout.js';
import { VerificationFailedError } from './errors.js';

export * from './errors.js';
export type { Descriptor, EnvelopeContent, SignerInfo, SignedAttributes, UnsignedAttributes, KeySpec, HashAlgorithm, SignatureAlgorithm } from './envelope/types.js';
export { MEDIA_TYPE_JWS, MEDIA_TYPE_COSE, ALGORITHMS } from './envelope/types.js';
export { parseEnvelope, signEnvelope, type Envelope } from './envelope/index.js';
export { Certificate, parseCertificates, toPem } from './x509/certificate.js';
export { validateCodeSigningChain, validateTimestampingChain } from './x509/chain.js';
export { Verifier, type VerifierOptions, type VerifyOptions, type BlobVerifyOptions, type Logger, type ChainRevocationChecker, type VerificationPluginHooks } from './verifier/verifier.js';
export { verifyArtifact, type VerifyArtifactOptions, type VerifyArtifactResult } from './verifier/artifact.js';
export { userMetadata, type VerificationOutcome, type VerificationLevel, type ValidationResult, type ValidationType, type ValidationAction } from './verifier/types.js';
export * as trustpolicy from './trustpolicy/index.js';
export { X509TrustStore, MemoryTrustStore, type TrustStoreProvider } from './truststore/index.js';
export { OciLayoutRepository, RegistryRepository, type Repository } from './oci/index.js';
export { LocalSigner, loadLocalSigner, sign, signBlob, writeBlobSignature, type Signer, type SignOptions, type BlobSignOptions, type SignResult, type OciSignResult } from './signer/index.js';
export { RevocationValidator } from './revocation/index.js';
export { requestTimestamp, parseTimestampToken } from './timestamp/index.js';
export { resolveNotationDirs } from './config/dirs.js';

/** Where trust material comes from: notation's config dir by default. */
export interface TrustOptions {
  /** notation config dir (default: NOTATION_CONFIG / ~/.config/notation, as notation resolves it). */
  configDir?: string;
  /** A trust store to use instead of `<configDir>/truststore`. */
  trustStore?: TrustStoreProvider;
  /** Revocation checkers (e.g. `new RevocationValidator({ cacheDir })` for both); default: no revocation checking. */
  revocation?: { codeSigning?: ChainRevocationChecker; timestamping?: ChainRevocationChecker };
  /** Verification plugin support (see src/plugins createVerificationPluginHooks). */
  plugins?: VerificationPluginHooks;
  /** Clock (default: the system clock). */
  now?: () => Date;
  logger?: Logger;
}

export interface VerifyArtifactFacadeOptions extends TrustOptions {
  /** Where the artifact and its signatures live: a Repository, or an OCI image layout directory. */
  repository?: Repository;
  ociLayout?: string;
  /** Tag or digest of the artifact inside the repository. */
  reference: string;
  /** Trust policy scope (`registry/repo`, or for layouts a scope like `local/app`). */
  scope: string;
  trustPolicy?: OciTrustPolicyDocument;
  maxSignatures?: number;
  userMetadata?: Record<string, string>;
  pluginConfig?: Record<string, string>;
  signal?: AbortSignal;
}

export interface VerifyResult {
  /** The artifact that was verified (absent when the policy level is skip). */
  descriptor?: Descriptor;
  /** The outcome of the signature that verified (or of the skip). */
  outcome: VerificationOutcome;
  /** Outcomes of the signatures that failed before one passed. */
  failed: VerificationOutcome[];
}

/** The config dir, and the Verifier options every facade passes the same way. */
function trust(opts: TrustOptions) {
  const configDir = opts.configDir ?? resolveNotationDirs().configDir;
  const verifierOptions = {
    trustStore: opts.trustStore ?? new X509TrustStore(configDir),
    revocation: opts.revocation,
    plugins: opts.plugins,
    now: opts.now,
    logger: opts.logger,
  };
  return { configDir, verifierOptions };
}

/**
 * Verifies an OCI artifact's signatures as `notation verify` does: the first
 * signature that passes wins. Throws a typed error when none passes.
 */
export async function verify(opts: VerifyArtifactFacadeOptions): Promise<VerifyResult> {
  const { configDir, verifierOptions } = trust(opts);
  const repository = opts.repository ?? (opts.ociLayout ? new OciLayoutRepository(opts.ociLayout) : undefined);
  if (!repository) throw new VerificationFailedError('NO_REPOSITORY', 'verify needs a repository or an ociLayout path');
  const verifier = new Verifier({ ociTrustPolicy: opts.trustPolicy ?? loadOciTrustPolicy(configDir), ...verifierOptions });
  const descriptor = await repository.resolve(opts.reference);
  const r = await verifyArtifact({
    verifier,
    repository,
    artifactReference: `${opts.scope}@${descriptor.digest}`,
    maxSignatureAttempts: opts.maxSignatures,
    userMetadata: opts.userMetadata,
    pluginConfig: opts.pluginConfig,
    signal: opts.signal,
  });
  return { descriptor: r.descriptor, outcome: r.outcomes[0], failed: r.failedOutcomes };
}

export interface VerifyBlobFacadeOptions extends TrustOptions {
  /** The blob: bytes or a file path. */
  blob: Uint8Array | string;
  /** The signature envelope bytes. */
  signature: Uint8Array;
  /** `application/jose+json` or `application/cose`. */
  signatureMediaType: string;
  /** Blob trust policy statement name (default: the global statement). */
  policyName?: string;
  trustPolicy?: BlobTrustPolicyDocument;
  /** When given, must equal the signed media type. */
  mediaType?: string;
  userMetadata?: Record<string, string>;
  pluginConfig?: Record<string, string>;
}


/** Verifies a detached blob signature as `notation blob verify` does. Throws on failure. */
export async function verifyBlob(opts: VerifyBlobFacadeOptions): Promise<VerificationOutcome> {
  const { configDir, verifierOptions } = trust(opts);
  const verifier = new Verifier({ blobTrustPolicy: opts.trustPolicy ?? loadBlobTrustPolicy(configDir), ...verifierOptions });
  const outcome = await verifier.verifyBlob(
    async (hash) => {
      const h = createHash(NODE_HASH[hash]);
      let size = 0;
      if (typeof opts.blob === 'string') {
        for await (const c of createReadStream(opts.blob)) {
          h.update(c as Buffer);
          size += (c as Buffer).length;
        }
      } else {
        h.update(opts.blob);
        size = opts.blob.length;
      }
      return { mediaType: opts.mediaType ?? '', digest: `${NODE_HASH[hash]}:${h.digest('hex')}`, size };
    },
    opts.signature,
    { signatureMediaType: opts.signatureMediaType, trustPolicyName: opts.policyName, contentMediaType: opts.mediaType, userMetadata: opts.userMetadata, pluginConfig: opts.pluginConfig },
  );
  if (outcome.error) throw outcome.error;
  return outcome;
}

/** The signature manifests of an artifact (`notation list`). */
export async function list(repository: Repository, reference: string, maxSignatures = 100): Promise<{ descriptor: Descriptor; signatures: Descriptor[] }> {
  const descriptor = await repository.resolve(reference);
  const signatures: Descriptor[] = [];
  for await (const page of repository.listSignatures(descriptor)) {
    for (const d of page) {
      if (signatures.length >= maxSignatures) return { descriptor, signatures };
      signatures.push(d);
    }
  }
  return { descriptor, signatures };
}

/**
 * A Signer over a PKCS#11 token key (RFC 7512 `pkcs11:` URI). Loaded lazily so that
 * importing notation-ts never loads the native PKCS#11 binding unless it is used.
 */
export async function createPkcs11Signer(
  keyId: string,
  pluginConfig?: Record<string, string>,
  opts?: { env?: Record<string, string | undefined> },
): Promise<import('./plugins/pkcs11/index.js').Pkcs11Signer> {
  const m = await import('./plugins/pkcs11/index.js');
  return m.createPkcs11Signer(keyId, pluginConfig, opts);
}
