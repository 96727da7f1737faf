/**
 * The format-independent envelope model. COSE and JWS parsers both produce these
 * objects; names follow notation-core-go's signature package (EnvelopeContent,
 * SignerInfo, SignedAttributes...) so users of notation find them familiar.
 */
import type { Certificate } from '../x509/certificate.js';

export const MEDIA_TYPE_JWS = 'application/jose+json';
export const MEDIA_TYPE_COSE = 'application/cose';
export const PAYLOAD_CONTENT_TYPE = 'application/vnd.cncf.notary.payload.v1+json';
export type EnvelopeMediaType = typeof MEDIA_TYPE_JWS | typeof MEDIA_TYPE_COSE;

export const SIGNING_SCHEME_X509 = 'notary.x509';
export const SIGNING_SCHEME_X509_SA = 'notary.x509.signingAuthority';
export type SigningScheme = typeof SIGNING_SCHEME_X509 | typeof SIGNING_SCHEME_X509_SA;

/** Header names of the Notary Project signature specification. */
export const HEADER = {
  signingScheme: 'io.cncf.notary.signingScheme',
  signingTime: 'io.cncf.notary.signingTime',
  authenticSigningTime: 'io.cncf.notary.authenticSigningTime',
  expiry: 'io.cncf.notary.expiry',
  verificationPlugin: 'io.cncf.notary.verificationPlugin',
  verificationPluginMinVersion: 'io.cncf.notary.verificationPluginMinVersion',
  timestampSignature: 'io.cncf.notary.timestampSignature',
  signingAgent: 'io.cncf.notary.signingAgent',
} as const;

/** The six key specs of the algorithm table (checklist 1.2). */
export type KeySpec = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'EC-256' | 'EC-384' | 'EC-521';
/** Signature algorithm names as the plugin protocol spells them. */
export type SignatureAlgorithm =
  | 'RSASSA-PSS-SHA-256'
  | 'RSASSA-PSS-SHA-384'
  | 'RSASSA-PSS-SHA-512'
  | 'ECDSA-SHA-256'
  | 'ECDSA-SHA-384'
  | 'ECDSA-SHA-512';
export type HashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** node:crypto's name of each hash (also the OCI digest algorithm name). */
export const NODE_HASH: Readonly<Record<HashAlgorithm, 'sha256' | 'sha384' | 'sha512'>> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

export interface AlgorithmInfo {
  keySpec: KeySpec;
  signatureAlgorithm: SignatureAlgorithm;
  jws: string;
  cose: number;
  hash: HashAlgorithm;
  /** node:crypto hash name. */
  nodeHash: 'sha256' | 'sha384' | 'sha512';
  /** Byte length of the hash (= RSA-PSS salt length). */
  hashLength: number;
  kind: 'rsa' | 'ec';
  /** RSA modulus bits or EC curve size. */
  bits: number;
  /** node:crypto named curve for EC. */
  curve?: string;
}

export const ALGORITHMS: readonly AlgorithmInfo[] = [
  { keySpec: 'RSA-2048', signatureAlgorithm: 'RSASSA-PSS-SHA-256', jws: 'PS256', cose: -37, hash: 'SHA-256', nodeHash: 'sha256', hashLength: 32, kind: 'rsa', bits: 2048 },
  { keySpec: 'RSA-3072', signatureAlgorithm: 'RSASSA-PSS-SHA-384', jws: 'PS384', cose: -38, hash: 'SHA-384', nodeHash: 'sha384', hashLength: 48, kind: 'rsa', bits: 3072 },
  { keySpec: 'RSA-4096', signatureAlgorithm: 'RSASSA-PSS-SHA-512', jws: 'PS512', cose: -39, hash: 'SHA-512', nodeHash: 'sha512', hashLength: 64, kind: 'rsa', bits: 4096 },
  { keySpec: 'EC-256', signatureAlgorithm: 'ECDSA-SHA-256', jws: 'ES256', cose: -7, hash: 'SHA-256', nodeHash: 'sha256', hashLength: 32, kind: 'ec', bits: 256, curve: 'prime256v1' },
  { keySpec: 'EC-384', signatureAlgorithm: 'ECDSA-SHA-384', jws: 'ES384', cose: -35, hash: 'SHA-384', nodeHash: 'sha384', hashLength: 48, kind: 'ec', bits: 384, curve: 'secp384r1' },
  { keySpec: 'EC-521', signatureAlgorithm: 'ECDSA-SHA-512', jws: 'ES512', cose: -36, hash: 'SHA-512', nodeHash: 'sha512', hashLength: 64, kind: 'ec', bits: 521, curve: 'secp521r1' },
];

export interface ExtendedAttribute {
  key: string;
  critical: boolean;
  /** JSON value for JWS, decoded CBOR value for COSE. */
  value: unknown;
}

export interface SignedAttributes {
  signingScheme: SigningScheme;
  /** notary.x509: signingTime; notary.x509.signingAuthority: authenticSigningTime. */
  signingTime: Date;
  expiry?: Date;
  extendedAttributes: ExtendedAttribute[];
}

export interface UnsignedAttributes {
  /** RFC 3161 TimeStampToken (ContentInfo DER) as stored in the envelope. */
  timestampSignature?: Uint8Array;
  signingAgent?: string;
}

export interface SignerInfo {
  signedAttributes: SignedAttributes;
  unsignedAttributes: UnsignedAttributes;
  signatureAlgorithm: SignatureAlgorithm;
  /** Leaf first. */
  certificateChain: Certificate[];
  /** The primitive signature bytes (ECDSA as r||s). */
  signature: Uint8Array;
}

export interface Payload {
  contentType: string;
  content: Uint8Array;
}

export interface EnvelopeContent {
  signerInfo: SignerInfo;
  payload: Payload;
}

/** An OCI content descriptor (the payload's targetArtifact). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
  urls?: string[];
  data?: string;
  platform?: Record<string, unknown>;
}

/** What a Notary payload holds. */
export interface NotaryPayload {
  targetArtifact: Descriptor;
}

/** Input for producing an envelope. */
export interface SignRequest {
  payload: Payload;
  signingScheme: SigningScheme;
  signingTime: Date;
  expiry?: Date;
  extendedSignedAttributes?: ExtendedAttribute[];
  signingAgent?: string;
}
