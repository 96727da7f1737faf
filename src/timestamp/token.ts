/**
 * RFC 3161 TimeStampToken: parsing, the signing-certificate lookup through
 * ESSCertIDv2 (RFC 5035), and verification, mirroring tspclient-go token.go.
 */
import { createHash } from 'node:crypto';
import { TimestampError } from '../errors.js';
import { Certificate, OID } from '../x509/certificate.js';
import { validateTimestampingChain } from '../x509/chain.js';
import { readTlv, children, content, slice, type Tlv } from '../x509/der.js';
import { parseSignedData, verifySigner, findCertificate, getAttribute, type ParsedSignedData, type CmsSignerInfo } from './cms.js';
import { TS_OID, hashFromOid, oidFromDer } from './oids.js';
import { parseTSTInfo, validateTSTInfo, timestampRange, type TSTInfo, type Timestamp, type MessageImprint, type Accuracy } from './tstinfo.js';

export interface TokenVerifyOptions {
  /** The primitive signature bytes that were timestamped. */
  signature: Uint8Array;
  /** Trusted TSA roots (from `tsa` trust stores). */
  roots: Certificate[];
  /**
   * Time at which the TSA chain must be valid. Default: the token's genTime (what
   * notation does at verification). notation checks at the current time when signing.
   */
  chainTime?: Date;
}

export interface TokenVerifyResult {
  genTime: Date;
  /** [genTime − accuracy, genTime + accuracy]. */
  range: [Date, Date];
  /** Verified TSA chain, signing certificate first, trusted root last. */
  tsaChain: Certificate[];
}

function tokenVerificationError(code: string, msg: string, cause?: unknown): TimestampError {
  return new TimestampError(code, `failed to verify signed token: ${msg}`, { cause });
}

/** Reads ESSCertIDv2 fields the reference uses; Go-style messages on malformed input. */
function readSigningCertificateV2(v: Uint8Array): { hashOid?: string; certHash: Uint8Array; issuerName?: Uint8Array | null; serial?: Uint8Array } | 'empty' {
  const truncated = () => new Error('asn1: syntax error: sequence truncated');
  if (v.length === 0) throw truncated();
  const top = readTlv(v, 0);
  if (top.tag !== 0x30) throw new Error("asn1: structure error: tags don't match");
  const f = children(v, top);
  if (f.length === 0) throw truncated();
  if (f[0].tag !== 0x30) throw new Error("asn1: structure error: tags don't match");
  const certs = children(v, f[0]);
  if (certs.length === 0) return 'empty';
  const id = children(v, certs[0]);
  let i = 0;
  let hashOid: string | undefined;
  if (id[i]?.tag === 0x30) {
    const alg = children(v, id[i++]);
    if (alg[0]?.tag !== 0x06) throw new Error("asn1: structure error: tags don't match");
    hashOid = oidFromDer(slice(v, alg[0]));
  }
  if (id[i]?.tag !== 0x04) throw id[i] ? new Error("asn1: structure error: tags don't match") : truncated();
  const certHash = content(v, id[i++]);
  let issuerName: Uint8Array | null | undefined;
  let serial: Uint8Array | undefined;
  const is: Tlv | undefined = id[i];
  if (is?.tag === 0x30) {
    const [names, sn] = children(v, is);
    if (!names || names.tag !== 0x30 || !sn || sn.tag !== 0x02) throw new Error("asn1: structure error: tags don't match");
    // GeneralNames: only a directoryName [4] carries the issuer; any other choice leaves it empty.
    const dir = children(v, names).find((g) => g.tag === 0xa4);
    issuerName = dir ? content(v, dir) : null;
    serial = content(v, sn);
  }
  return { hashOid, certHash, issuerName, serial };
}

export class TimestampToken {
  private _info?: TSTInfo;

  constructor(
    /** The token bytes as given (ContentInfo, BER or DER). */
    readonly raw: Uint8Array,
    readonly signedData: ParsedSignedData,
  ) {}

  /** Certificates embedded in the token. */
  get certificates(): Certificate[] {
    return this.signedData.certificates;
  }

  get signerInfos(): CmsSignerInfo[] {
    return this.signedData.signerInfos;
  }

  /** The decoded TSTInfo. Throws TIMESTAMP_MALFORMED ("cannot unmarshal TSTInfo ..."). */
  get info(): TSTInfo {
    return (this._info ??= parseTSTInfo(this.signedData.content));
  }

  get genTime(): Date {
    return this.info.genTime;
  }
  get accuracy(): Accuracy {
    return this.info.accuracy;
  }
  get messageImprint(): MessageImprint {
    return this.info.messageImprint;
  }
  get policy(): string {
    return this.info.policy;
  }
  get nonce(): bigint | undefined {
    return this.info.nonce;
  }

  /**
   * The TSA signing certificate named by the signingCertificateV2 attribute of
   * `si` (tspclient-go SigningCertificate): issuerSerial if present, else the sid;
   * its hash must equal certHash.
   */
  signingCertificate(si: CmsSignerInfo): Certificate {
    const attr = getAttribute(si, TS_OID.signingCertificateV2);
    if (!attr) throw new TimestampError('TSA_SIGNING_CERT_MISSING', 'failed to get SigningCertificateV2 from signed attributes: attribute not found');
    let sc: ReturnType<typeof readSigningCertificateV2>;
    try {
      sc = readSigningCertificateV2(attr);
    } catch (e) {
      throw new TimestampError('TSA_SIGNING_CERT_MALFORMED', `failed to get SigningCertificateV2 from signed attributes: ${(e as Error).message}`, { cause: e });
    }
    if (sc === 'empty') throw new TimestampError('TSA_SIGNING_CERT_MISSING', 'signingCertificateV2 does not contain any certificate');
    let cert: Certificate | undefined;
    if (sc.serial) {
      if (!sc.issuerName) throw new TimestampError('TSA_SIGNING_CERT_MALFORMED', 'issuer name is missing in IssuerSerial');
      let issuer: Uint8Array;
      try {
        issuer = slice(sc.issuerName, readTlv(sc.issuerName, 0));
      } catch (e) {
        throw new TimestampError('TSA_SIGNING_CERT_MALFORMED', `failed to unmarshal issuer name: ${(e as Error).message}`, { cause: e });
      }
      cert = findCertificate(this.signedData, issuer, sc.serial);
    } else cert = findCertificate(this.signedData, si.issuer, si.serial);
    if (!cert) throw new TimestampError('TSA_SIGNING_CERT_MISSING', 'signing certificate not found in the timestamp token');
    let hash = 'sha256';
    if (sc.hashOid !== undefined) {
      const h = hashFromOid(sc.hashOid);
      if (!h) throw new TimestampError('TSA_SIGNING_CERT_MALFORMED', 'unsupported certificate hash algorithm in SigningCertificateV2 attribute');
      hash = h;
    }
    if (!createHash(hash).update(cert.raw).digest().equals(Buffer.from(sc.certHash))) {
      throw new TimestampError('TSA_SIGNING_CERT_MISMATCH', 'signing certificate hash does not match CertHash in signed attribute');
    }
    return cert;
  }

  /**
   * tspclient-go SignedToken.Verify: the first signer whose signing certificate,
   * chain (to `roots`, valid at `currentTime`), signature and signed attributes
   * verify, and whose certificate has exactly the critical timeStamping EKU.
   * Returns its chain. `roots` undefined means "no pool" (an error, as in Go).
   */
  verifySignedToken(opts: { roots: Certificate[] | undefined; currentTime: Date }): Certificate[] {
    if (this.signerInfos.length === 0) throw tokenVerificationError('TIMESTAMP_INVALID', 'signerInfo not found');
    if (!opts.roots) throw tokenVerificationError('TIMESTAMP_UNTRUSTED', 'tsa root certificate pool cannot be nil');
    let lastErr: TimestampError | undefined;
    for (const si of this.signerInfos) {
      let cert: Certificate;
      let chain: Certificate[];
      try {
        cert = this.signingCertificate(si);
        chain = verifySigner(this.signedData, si, cert, { roots: opts.roots, currentTime: opts.currentTime, keyUsage: OID.ekuTimeStamping });
      } catch (e) {
        const te = e as TimestampError;
        lastErr = tokenVerificationError(te.code ?? 'TIMESTAMP_INVALID', te.message, e);
        continue;
      }
      const eku = cert.extKeyUsage;
      if (eku && eku.oids.length === 1 && eku.oids[0] === OID.ekuTimeStamping) {
        if (eku.critical) return chain;
        lastErr = tokenVerificationError('TSA_CERT_EKU_INVALID', 'signing certificate extended key usage extension must be set as critical');
      } else {
        lastErr = tokenVerificationError('TSA_CERT_EKU_INVALID', 'signing certificate must have and only have ExtKeyUsageTimeStamping as extended key usage');
      }
    }
    throw lastErr!;
  }

  /** TSTInfo checks against the stamped bytes (tspclient-go TSTInfo.Validate). */
  validate(signature: Uint8Array): Timestamp {
    return validateTSTInfo(this.info, signature);
  }

  /**
   * Checklist 2.3 steps 3, 5 and 6: the imprint covers `signature`, the token
   * verifies to one of `roots` with the chain valid at genTime, and the TSA chain
   * passes the Notary TSA certificate rules. Throws TimestampError / CertificateError.
   */
  verify(opts: TokenVerifyOptions): TokenVerifyResult {
    const ts = this.validate(opts.signature);
    const tsaChain = this.verifySignedToken({ roots: opts.roots, currentTime: opts.chainTime ?? ts.value });
    validateTimestampingChain(tsaChain);
    return { genTime: ts.value, range: timestampRange(ts), tsaChain };
  }
}

/**
 * Parses a TimeStampToken (CMS ContentInfo with SignedData, BER lengths accepted,
 * version 3, eContentType id-ct-TSTInfo). TSTInfo is decoded on first use of
 * `info`/`genTime`/... Throws TimestampError TIMESTAMP_MALFORMED.
 */
export function parseTimestampToken(der: Uint8Array): TimestampToken {
  const sd = parseSignedData(der);
  if (sd.contentType !== TS_OID.tstInfo) {
    throw new TimestampError('TIMESTAMP_MALFORMED', `unexpected content type: ${sd.contentType}. Expected to be id-ct-TSTInfo (${TS_OID.tstInfo})`);
  }
  return new TimestampToken(der, sd);
}

