/**
 * The envelope facade: parse either format into an Envelope, read its content,
 * verify its integrity, and produce new envelopes from a SignRequest and a Signer.
 * Behaviour and messages follow notation-core-go's signature package.
 */
import { EnvelopeError, SigningError, isNotationError } from '../errors.js';
import type { Signer } from '../signer/types.js';
import { parseCose, coseContent, verifyCoseSignature, encodeProtectedHeaders, encodeCoseSign1, toBeSigned, type CoseMessage } from '../cose/envelope.js';
import { parseJws, jwsContent, verifyJwsSignature, encodeProtectedHeader, encodePayload, encodeJwsEnvelope, base64url, type JwsMessage } from '../jws/envelope.js';
import { algorithmByKeySpec } from './algorithm.js';
import { integrity, validateEnvelopeContent, validateChainForSigning, certificateParser, knownChainCache, MAX_ENVELOPE_SIZE, type CertificateCache, type CertificateParser } from './base.js';
import type { Certificate } from '../x509/certificate.js';
import {
  MEDIA_TYPE_COSE,
  MEDIA_TYPE_JWS,
  PAYLOAD_CONTENT_TYPE,
  SIGNING_SCHEME_X509,
  SIGNING_SCHEME_X509_SA,
  type EnvelopeContent,
  type EnvelopeMediaType,
  type HashAlgorithm,
  type SignRequest,
} from './types.js';

export * from './types.js';
export { algorithmForCertificate, algorithmForPublicKey, algorithmByKeySpec, algorithmBySignatureAlgorithm, algorithmByJws, algorithmByCose, hashBytes, verifyPrimitive } from './algorithm.js';
export { MAX_ENVELOPE_SIZE, INTEGRITY_CODES, type IntegrityCode, type CertificateCache } from './base.js';

export interface Envelope {
  readonly mediaType: EnvelopeMediaType;
  /** The envelope bytes as received. */
  readonly raw: Uint8Array;
  /**
   * Payload and signer info, not yet trusted (what `inspect` shows). As in REF,
   * the structural rules, times and the certificate chain rules are applied.
   */
  content(): EnvelopeContent;
  /**
   * Integrity: the signature verifies under the leaf key over the received bytes,
   * `alg` equals the leaf-derived algorithm, header/crit/time rules hold, the chain
   * satisfies the Notary certificate rules and the payload type is the Notary one.
   * Throws SignatureIntegrityError.
   */
  verify(): EnvelopeContent;
}

export interface SignOptions {
  /** Called with the primitive signature for `notary.x509` signatures; returns the RFC 3161 token (DER). */
  timestamp?: (primitiveSignature: Uint8Array, hash: HashAlgorithm) => Promise<Uint8Array>;
}

function unsupported(mediaType: string): EnvelopeError {
  return new EnvelopeError('UNSUPPORTED_ENVELOPE_MEDIA_TYPE', `signature envelope format with media type ${JSON.stringify(mediaType)} is not supported`);
}

function checkSize(bytes: Uint8Array): void {
  if (bytes.length > MAX_ENVELOPE_SIZE) {
    throw new EnvelopeError('ENVELOPE_TOO_LARGE', `signature envelope is ${bytes.length} bytes, more than the ${MAX_ENVELOPE_SIZE}-byte limit`);
  }
}

/** Bad input must surface as a typed error: anything untyped from below becomes an integrity failure. */
function typedError(e: unknown): Error {
  if (isNotationError(e)) return e;
  return integrity('INVALID_SIGNATURE_ENVELOPE', `invalid signature envelope: ${(e as Error)?.message ?? String(e)}`, e);
}

/** One parse of the envelope bytes, in its format. */
type FormatMessage = { kind: 'jws'; msg: JwsMessage } | { kind: 'cose'; msg: CoseMessage };

function parseFormat(mediaType: EnvelopeMediaType, bytes: Uint8Array): FormatMessage {
  return mediaType === MEDIA_TYPE_JWS ? { kind: 'jws', msg: parseJws(bytes) } : { kind: 'cose', msg: parseCose(bytes) };
}

// No closures per envelope: a verifier parses thousands of them.
class ParsedEnvelope implements Envelope {
  private cached?: EnvelopeContent;
  constructor(
    readonly mediaType: EnvelopeMediaType,
    readonly raw: Uint8Array,
    private readonly message: FormatMessage,
    private readonly parse: CertificateParser,
    private readonly cache?: CertificateCache,
    /** The format's content of these very bytes, when the caller already read it. */
    private readonly formatContent?: EnvelopeContent,
  ) {}

  content(): EnvelopeContent {
    if (!this.cached) {
      if (this.raw.length === 0) throw integrity('INVALID_SIGNATURE_ENVELOPE', 'signature envelope is not present');
      let c: EnvelopeContent;
      try {
        c = this.formatContent ?? readContent(this.message, this.parse, this.cache);
        validateEnvelopeContent(c);
      } catch (e) {
        throw typedError(e);
      }
      this.cached = c;
    }
    return this.cached;
  }

  verify(): EnvelopeContent {
    if (this.raw.length === 0) throw integrity('INVALID_SIGNATURE_ENVELOPE', 'signature envelope is not present');
    try {
      if (this.message.kind === 'jws') verifyJwsSignature(this.message.msg, this.parse);
      else verifyCoseSignature(this.message.msg, this.parse, this.cache);
    } catch (e) {
      throw typedError(e);
    }
    const c = this.content();
    // notation-go's verifier: only the Notary payload type is accepted.
    if (c.payload.contentType !== PAYLOAD_CONTENT_TYPE) {
      throw integrity('UNSUPPORTED_PAYLOAD_CONTENT_TYPE', `payload content type ${JSON.stringify(c.payload.contentType)} not supported`);
    }
    return c;
  }
}

function readContent(m: FormatMessage, parse: CertificateParser, cache?: CertificateCache): EnvelopeContent {
  return m.kind === 'jws' ? jwsContent(m.msg, parse) : coseContent(m.msg, parse, cache);
}

export interface ParseEnvelopeOptions {
  /** Shares certificate parsing and chain verdicts across envelopes (see CertificateCache). */
  cache?: CertificateCache;
}

/** Parses an envelope of the given media type. Throws EnvelopeError for what REF's ParseEnvelope refuses. */
export function parseEnvelope(mediaType: string, bytes: Uint8Array, opts: ParseEnvelopeOptions = {}): Envelope {
  if (mediaType !== MEDIA_TYPE_JWS && mediaType !== MEDIA_TYPE_COSE) throw unsupported(mediaType);
  checkSize(bytes);
  return new ParsedEnvelope(mediaType, bytes, parseFormat(mediaType, bytes), certificateParser(opts.cache), opts.cache);
}

function signError(code: string, message: string, cause?: unknown): SigningError {
  return new SigningError(code, message, cause === undefined ? undefined : { cause });
}

/** Whole seconds, as REF truncates signing time and expiry before signing. */
function truncate(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/**
 * Produces an envelope byte-identical in layout to notation's: JWS protected header
 * as a sorted Go map with REF's crit order, COSE core-deterministic protected map,
 * x5chain array in the unprotected map. The chain the signer returns is checked
 * (Notary rules at the signing time, leaf-derived algorithm = key spec's).
 * Throws SigningError (or the signer's / timestamper's own errors).
 */
export async function signEnvelope(mediaType: string, req: SignRequest, signer: Signer, opts: SignOptions = {}): Promise<Uint8Array> {
  return (await produceEnvelope(mediaType, req, signer, opts)).bytes;
}

/**
 * signEnvelope, also returning the envelope parsed from the produced bytes (its
 * content already read and checked), so that the self-verification parses once.
 */
export async function produceEnvelope(mediaType: string, req: SignRequest, signer: Signer, opts: SignOptions = {}): Promise<{ bytes: Uint8Array; envelope: Envelope }> {
  if (mediaType !== MEDIA_TYPE_JWS && mediaType !== MEDIA_TYPE_COSE) throw unsupported(mediaType);
  const signingTime = truncate(req.signingTime);
  const expiry = req.expiry ? truncate(req.expiry) : undefined;
  if (!req.payload?.content || req.payload.content.length === 0) throw signError('INVALID_SIGN_REQUEST', 'content not present');
  if (Number.isNaN(signingTime.getTime())) throw signError('INVALID_SIGN_REQUEST', 'signing-time not present');
  if (expiry && expiry.getTime() <= signingTime.getTime()) throw signError('INVALID_SIGN_REQUEST', 'expiry cannot be equal or before the signing time');
  if (!req.signingScheme) throw signError('INVALID_SIGN_REQUEST', 'SigningScheme not present');
  if (req.signingScheme !== SIGNING_SCHEME_X509 && req.signingScheme !== SIGNING_SCHEME_X509_SA) {
    throw signError('INVALID_SIGN_REQUEST', `unsupported SigningScheme: \`${String(req.signingScheme)}\``);
  }
  const keySpec = await signer.keySpec();
  const alg = algorithmByKeySpec(keySpec);
  if (!alg) throw signError('UNSUPPORTED_KEY_SPEC', `signature algorithm for key spec ${JSON.stringify(keySpec)} is not supported`);
  const params = {
    alg,
    contentType: req.payload.contentType,
    signingScheme: req.signingScheme,
    signingTime,
    expiry,
    extendedSignedAttributes: req.extendedSignedAttributes,
  };
  const wantTimestamp = req.signingScheme === SIGNING_SCHEME_X509 && opts.timestamp;

  let out: Uint8Array;
  let signedChain: readonly Certificate[] = [];
  if (mediaType === MEDIA_TYPE_JWS) {
    let protectedB64: string;
    let payloadB64: string;
    try {
      protectedB64 = base64url(Buffer.from(encodeProtectedHeader(params), 'utf8'));
      payloadB64 = base64url(Buffer.from(encodePayload(req.payload.content), 'utf8'));
    } catch (e) {
      throw signError('INVALID_SIGN_REQUEST', (e as Error).message, e);
    }
    const { signature, certificateChain } = await signer.sign(Buffer.from(`${protectedB64}.${payloadB64}`, 'ascii'), alg.hash);
    signedChain = certificateChain;
    const timestampSignature = wantTimestamp ? await opts.timestamp!(signature, alg.hash) : undefined;
    out = encodeJwsEnvelope({
      protected: protectedB64,
      payload: payloadB64,
      signature,
      certificateChain: certificateChain.map((c) => c.raw),
      signingAgent: req.signingAgent,
      timestampSignature,
    });
  } else {
    let protectedBytes: Uint8Array;
    try {
      protectedBytes = encodeProtectedHeaders(params);
    } catch (e) {
      throw signError('INVALID_SIGN_REQUEST', (e as Error).message, e);
    }
    const { signature, certificateChain } = await signer.sign(toBeSigned(protectedBytes, req.payload.content), alg.hash);
    signedChain = certificateChain;
    const timestampSignature = wantTimestamp ? await opts.timestamp!(signature, alg.hash) : undefined;
    out = encodeCoseSign1(
      protectedBytes,
      { certificateChain: certificateChain.map((c) => c.raw), signingAgent: req.signingAgent, timestampSignature },
      req.payload.content,
      signature,
    );
  }

  // REF re-reads what it produced and validates the chain at the signing time.
  // The parse is kept: a caller's self-verification checks the signature on it.
  let content: EnvelopeContent;
  let envelope: Envelope;
  try {
    // The signer's Certificate objects stand for the bytes it returned (keys already imported).
    const parse = certificateParser(knownChainCache(signedChain));
    const message = parseFormat(mediaType, out);
    content = readContent(message, parse);
    envelope = new ParsedEnvelope(mediaType, out, message, parse, undefined, content);
  } catch (e) {
    if (isNotationError(e)) throw signError(e.code, e.message, e);
    throw e;
  }
  validateChainForSigning(content.signerInfo.certificateChain, signingTime, alg.signatureAlgorithm);
  return { bytes: out, envelope };
}
