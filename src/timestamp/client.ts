/**
 * RFC 3161 client side: TimeStampReq construction, TimeStampResp decoding and the
 * response checks of tspclient-go (request.go, response.go), and the HTTP
 * transport (http.go) with a timeout, a response size cap and cancellation.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import * as tsp from '@peculiar/asn1-tsp';
import { TimestampError } from '../errors.js';
import { NODE_HASH, type HashAlgorithm } from '../envelope/types.js';
import type { Certificate } from '../x509/certificate.js';
import { validateTimestampingChain } from '../x509/chain.js';
import { readTlv, children, content, slice } from '../x509/der.js';
import { bigIntToBytes, bytesToBigInt, goMessageImprint } from './goformat.js';
import { HASH_OID } from './oids.js';
import { parseTimestampToken, type TimestampToken } from './token.js';
import type { MessageImprint } from './tstinfo.js';

export const MEDIA_TYPE_TIMESTAMP_QUERY = 'application/timestamp-query';
export const MEDIA_TYPE_TIMESTAMP_REPLY = 'application/timestamp-reply';
/** notation's TSA request timeout (the CLI's; tspclient-go's own default is 5 s). */
export const DEFAULT_TSA_TIMEOUT_MS = 15_000;
export const MAX_TSA_RESPONSE_BYTES = 1024 * 1024;

const NULL_PARAMS = Uint8Array.from([0x05, 0x00]);

export interface TimestampRequest {
  version: number;
  messageImprint: MessageImprint;
  reqPolicy?: string;
  nonce?: bigint;
  certReq: boolean;
}


/** tspclient-go NewRequest: version 1, imprint with NULL parameters, nonce < 2^159, certReq unless noCert. */
export function createTimestampRequest(opts: { data: Uint8Array; hash: HashAlgorithm; reqPolicy?: string; noCert?: boolean }): TimestampRequest {
  const h = NODE_HASH[opts.hash];
  if (!h) throw new TimestampError('TIMESTAMP_REQUEST_MALFORMED', `malformed timestamping request: unsupported hashing algorithm: ${String(opts.hash)}`);
  const nonceBytes = randomBytes(20);
  nonceBytes[0] &= 0x7f; // 159 random bits
  return {
    version: 1,
    messageImprint: { hashAlgorithm: HASH_OID[h], parameters: NULL_PARAMS, hashedMessage: createHash(h).update(opts.data).digest() },
    reqPolicy: opts.reqPolicy,
    nonce: bytesToBigInt(Uint8Array.from([0, ...nonceBytes])),
    certReq: !opts.noCert,
  };
}

/** DER of a TimeStampReq (encoded with the @peculiar/asn1-tsp schema). */
export function encodeTimestampRequest(req: TimestampRequest): Uint8Array {
  const msg = new tsp.TimeStampReq({
    version: req.version,
    messageImprint: new tsp.MessageImprint({
      hashAlgorithm: new AlgorithmIdentifier({ algorithm: req.messageImprint.hashAlgorithm, parameters: req.messageImprint.parameters ? null : undefined }),
      hashedMessage: new OctetString(req.messageImprint.hashedMessage),
    }),
    reqPolicy: req.reqPolicy,
    nonce: req.nonce !== undefined ? (new Uint8Array(bigIntToBytes(req.nonce)).buffer as ArrayBuffer) : undefined,
    certReq: req.certReq,
  });
  return new Uint8Array(AsnConvert.serialize(msg));
}

export interface TimestampResponse {
  status: number;
  statusString?: string[];
  /** PKIFailureInfo bits set (bit numbers as in RFC 3161). */
  failInfo: number[];
  /** TimeStampToken DER (ContentInfo), if present. */
  token?: Uint8Array;
}

const STATUS_TEXT: Record<number, string> = {
  0: 'granted',
  1: 'granted with modifications',
  2: 'rejected',
  3: 'the request body part has not yet been processed, expect to hear more later',
  4: 'warning: a revocation is imminent',
  5: 'a revocation has occurred',
};
const FAILURE_TEXT: [number, string][] = [
  [0, 'unrecognized or unsupported Algorithm Identifier'],
  [2, 'transaction not permitted or supported'],
  [5, 'the data submitted has the wrong format'],
  [14, "the TSA's time source is not available"],
  [15, 'the requested TSA policy is not supported by the TSA'],
  [16, 'the requested extension is not supported by the TSA'],
  [17, 'the additional information requested could not be understood or is not available'],
  [25, 'the request cannot be handled due to system failure'],
];

function invalidResponse(code: string, msg: string, cause?: unknown): TimestampError {
  return new TimestampError(code, `invalid timestamping response: ${msg}`, { cause });
}

/** Decodes a TimeStampResp. Throws TIMESTAMP_MALFORMED. */
export function parseTimestampResponse(der: Uint8Array): TimestampResponse {
  try {
    const resp = AsnConvert.parse(der, tsp.TimeStampResp);
    const top = readTlv(der, 0);
    const [statusT, tokenT] = children(der, top);
    const failInfo: number[] = [];
    const bits = children(der, statusT).find((t) => t.tag === 0x03);
    if (bits) {
      const c = content(der, bits).subarray(1);
      for (let i = 0; i < Math.min(c.length * 8, 64); i++) if (c[i >> 3] & (0x80 >> (i & 7))) failInfo.push(i);
    }
    return {
      status: resp.status.status,
      statusString: resp.status.statusString ? Array.from(resp.status.statusString) : undefined,
      failInfo,
      token: tokenT ? slice(der, tokenT) : undefined,
    };
  } catch (e) {
    if (e instanceof TimestampError) throw e;
    throw new TimestampError('TIMESTAMP_MALFORMED', `malformed timestamping response: ${(e as Error).message}`, { cause: e });
  }
}

/** The PKIStatusInfo error text of tspclient-go, or undefined for granted / grantedWithMods. */
export function statusError(resp: Pick<TimestampResponse, 'status' | 'failInfo'>): TimestampError | undefined {
  if (resp.status === 0 || resp.status === 1) return undefined;
  const text = STATUS_TEXT[resp.status] ?? `unknown PKIStatus ${resp.status}`;
  const infos = FAILURE_TEXT.filter(([bit]) => resp.failInfo.includes(bit)).map(([, t]) => t);
  let msg = `invalid response with status code ${resp.status}: ${text}`;
  if (infos.length) msg += `. Failure info: ${infos.join('; ')}`;
  return invalidResponse('TIMESTAMP_REJECTED', msg);
}

function sameImprint(a: MessageImprint, b: MessageImprint): boolean {
  const eq = (x?: Uint8Array, y?: Uint8Array) => Buffer.from(x ?? []).equals(Buffer.from(y ?? []));
  return a.hashAlgorithm === b.hashAlgorithm && eq(a.parameters, b.parameters) && eq(a.hashedMessage, b.hashedMessage);
}

/**
 * tspclient-go Response.Validate: status, token parse, TSTInfo version 1, policy,
 * message imprint, UTC genTime, nonce, and certReq ⇒ a signing certificate in
 * the token (certReq false ⇒ no certificates). Returns the parsed token.
 */
export function validateTimestampResponse(resp: TimestampResponse, req: TimestampRequest): TimestampToken {
  const se = statusError(resp);
  if (se) throw se;
  let token: TimestampToken;
  let info;
  try {
    token = parseTimestampToken(resp.token ?? new Uint8Array(0));
    info = token.info;
  } catch (e) {
    const te = e as TimestampError;
    throw invalidResponse(te.code ?? 'TIMESTAMP_MALFORMED', te.message, e);
  }
  const M = 'TIMESTAMP_RESPONSE_MISMATCH';
  if (info.version !== 1) throw invalidResponse('TIMESTAMP_MALFORMED', `timestamp token info version must be 1, but got ${info.version}`);
  if (req.reqPolicy !== undefined && req.reqPolicy !== info.policy) {
    throw invalidResponse(M, `policy in response ${info.policy} does not match policy in request ${req.reqPolicy}`);
  }
  if (!sameImprint(info.messageImprint, req.messageImprint)) {
    throw invalidResponse(M, `message imprint in response ${goMessageImprint(info.messageImprint)} does not match with request ${goMessageImprint(req.messageImprint)}`);
  }
  if (!info.genTimeUTC) throw invalidResponse(M, 'TSTInfo genTime must be in UTC');
  if (req.nonce !== undefined && info.nonce !== req.nonce) {
    throw invalidResponse(M, `nonce in response ${info.nonce ?? '<nil>'} does not match nonce in request ${req.nonce}`);
  }
  if (req.certReq) {
    for (const si of token.signerInfos) {
      try {
        token.signingCertificate(si);
        return token;
      } catch {
        // try the next signer
      }
    }
    throw invalidResponse(M, 'certReq is True in request, but did not find any TSA signing certificate in the response');
  }
  if (token.certificates.length !== 0) throw invalidResponse(M, 'certReq is False in request, but certificates field is included in the response');
  return token;
}

export interface RequestTimestampOptions {
  /** TSA endpoint, http or https. */
  url: string;
  /** The primitive signature bytes to stamp. */
  data: Uint8Array;
  /** Hash for the message imprint (notation: the signing key's hash). */
  hash: HashAlgorithm;
  timeoutMs?: number;
  maxResponseBytes?: number;
  signal?: AbortSignal;
}

function transportError(code: string, url: string, msg: string, cause?: unknown): TimestampError {
  return new TimestampError(code, `POST ${JSON.stringify(url)}: ${msg}`, { cause });
}

/**
 * Sends a TimeStampReq for `data` to the TSA and returns the TimeStampToken DER
 * after the response checks. Does not verify the token's signature or chain: use
 * parseTimestampToken(...).verify(...) (or timestampSignature) for that.
 */
export async function requestTimestamp(opts: RequestTimestampOptions): Promise<Uint8Array> {
  const { url } = opts;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TSA_TIMEOUT_MS;
  const maxBytes = opts.maxResponseBytes ?? MAX_TSA_RESPONSE_BYTES;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (e) {
    throw new TimestampError('TSA_URL_INVALID', `endpoint ${JSON.stringify(url)}: invalid URL`, { cause: e });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TimestampError('TSA_URL_INVALID', `endpoint ${JSON.stringify(url)}: scheme must be http or https, but got ${JSON.stringify(parsed.protocol.replace(/:$/, ''))}`);
  }
  if (!parsed.host) throw new TimestampError('TSA_URL_INVALID', `endpoint ${JSON.stringify(url)}: host cannot be empty`);

  const req = createTimestampRequest({ data: opts.data, hash: opts.hash });
  const body = encodeTimestampRequest(req);
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const aborted = (e: unknown) =>
    timeout.aborted
      ? transportError('TSA_TIMEOUT', url, `no response from the timestamp authority within ${timeoutMs} ms`, e)
      : transportError('TSA_REQUEST_ABORTED', url, 'request aborted', e);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'Content-Type': MEDIA_TYPE_TIMESTAMP_QUERY }, body, signal, redirect: 'error' });
  } catch (e) {
    if (signal.aborted) throw aborted(e);
    throw transportError('TSA_UNREACHABLE', url, (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message, e);
  }
  try {
    if (res.status !== 200) throw transportError('TSA_HTTP_ERROR', url, `https response bad status: ${res.status} ${res.statusText}`);
    const ct = res.headers.get('content-type');
    if (ct !== MEDIA_TYPE_TIMESTAMP_REPLY) throw transportError('TSA_HTTP_ERROR', url, `unexpected response content type: ${ct ?? ''}`);
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = res.body!.getReader();
    for (;;) {
      let r: Awaited<ReturnType<typeof reader.read>>;
      try {
        r = await reader.read();
      } catch (e) {
        if (signal.aborted) throw aborted(e);
        throw transportError('TSA_UNREACHABLE', url, (e as Error).message, e);
      }
      if (r.done) break;
      total += r.value.length;
      if (total >= maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw transportError('TSA_RESPONSE_TOO_LARGE', url, `unexpected large http response, max response body size allowed is ${maxBytes} bytes`);
      }
      chunks.push(r.value);
    }
    const resp = parseTimestampResponse(Buffer.concat(chunks));
    validateTimestampResponse(resp, req);
    return resp.token!;
  } finally {
    if (!res.bodyUsed) await res.body?.cancel().catch(() => undefined);
  }
}

/**
 * What notation does when signing with a TSA: request a token for the primitive
 * signature, verify it against `roots` (chain valid now) and apply the TSA
 * certificate rules. Returns the token DER to store in the envelope and the TSA
 * chain (for the caller's revocation check).
 */
export async function timestampSignature(opts: RequestTimestampOptions & { roots: Certificate[]; now?: Date }): Promise<{ token: Uint8Array; tsaChain: Certificate[] }> {
  const token = await requestTimestamp(opts);
  const parsed = parseTimestampToken(token);
  const tsaChain = parsed.verifySignedToken({ roots: opts.roots, currentTime: opts.now ?? new Date() });
  validateTimestampingChain(tsaChain);
  return { token, tsaChain };
}
