/**
 * CMS SignedData (RFC 5652) as used by RFC 3161 tokens, mirroring
 * tspclient-go/internal/cms: parse (BER lengths normalised, version 3, X.509
 * certificates only), and per-signer verification (chain to the given roots at a
 * given time, signature over the signed attributes, contentType / messageDigest /
 * signingTime attributes). Structure comes from the @peculiar/asn1-cms schema;
 * raw byte ranges we must hash or compare come from the bounded DER reader.
 */
import { createHash, verify as cryptoVerify, constants } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as cms from '@peculiar/asn1-cms';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { TimestampError } from '../errors.js';
import { Certificate } from '../x509/certificate.js';
import { readTlv, children, content, slice, type Tlv } from '../x509/der.js';
import { convertToDer } from './ber.js';
import { buildChains, certificateVersion, X509VerifyError } from './chain.js';
import { goTimeString, bytesToBigInt } from './goformat.js';
import { TS_OID, hashFromOid, oidFromDer, type NodeHash } from './oids.js';

/** Limits on what a token may carry (a real TSA token has a handful of each). */
export const CMS_LIMITS = { maxBytes: 1024 * 1024, maxCertificates: 32, maxSignerInfos: 8, maxAttributes: 64 } as const;

export interface CmsAttribute {
  type: string;
  /** Content of the SET of values (Go unmarshals the first value from it). */
  values: Uint8Array;
}

export interface CmsSignerInfo {
  version: number;
  /** issuerAndSerialNumber: raw issuer Name DER and serial INTEGER content; absent for an SKI sid. */
  issuer?: Uint8Array;
  serial?: Uint8Array;
  digestAlgorithm: string;
  signedAttributes: CmsAttribute[];
  /** DER of the signed attributes as a SET (what the signature covers), if present. */
  signedAttributesDer?: Uint8Array;
  signatureAlgorithm: string;
  signatureAlgorithmParams?: Uint8Array;
  signature: Uint8Array;
}

export interface ParsedSignedData {
  contentType: string;
  content: Uint8Array;
  certificates: Certificate[];
  signerInfos: CmsSignerInfo[];
}

function syntaxError(msg: string, cause?: unknown): TimestampError {
  return new TimestampError('TIMESTAMP_MALFORMED', `cms: syntax error: ${msg}`, { cause });
}

/** A CMS verification failure; `code` says which kind. */
export function cmsVerificationError(code: string, msg: string, cause?: unknown): TimestampError {
  return new TimestampError(code, `cms verification failure${msg ? ': ' + msg : ''}`, { cause });
}

function detail(e: unknown): string {
  return (e as Error)?.message ?? String(e);
}

/** Go's DER SET OF ordering: elements sorted by their encodings. */
function derSet(elements: Uint8Array[]): Uint8Array {
  const sorted = [...elements].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const body = Buffer.concat(sorted);
  const len = body.length;
  let hdr: number[];
  if (len < 0x80) hdr = [0x31, len];
  else {
    const bytes: number[] = [];
    for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
    hdr = [0x31, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(hdr), body]);
}

/** Parses a (BER or DER) ContentInfo holding SignedData. Throws TIMESTAMP_MALFORMED. */
export function parseSignedData(ber: Uint8Array): ParsedSignedData {
  if (ber.length > CMS_LIMITS.maxBytes) throw syntaxError(`signed data of ${ber.length} bytes exceeds the ${CMS_LIMITS.maxBytes} byte limit`);
  let der: Uint8Array;
  try {
    der = convertToDer(ber);
  } catch (e) {
    throw syntaxError(`invalid signed data: failed to convert from BER to DER: ${detail(e)}`, e);
  }
  let ci: cms.ContentInfo;
  try {
    ci = AsnConvert.parse(der, cms.ContentInfo);
  } catch (e) {
    throw syntaxError(`invalid content info: failed to unmarshal DER to ContentInfo: ${detail(e)}`, e);
  }
  if (ci.contentType !== TS_OID.signedData) throw new TimestampError('TIMESTAMP_MALFORMED', 'cms: content type is not signed-data');
  // SignedData is walked field by field rather than through the asn1-cms
  // SignedData schema: that schema insists on attribute values being a SET, while
  // the reference keeps them as raw values and only fails when one is used (a
  // malformed signingTime must give a verification error, not a parse error).
  // Leaf structures still go through the schema package.
  try {
    const sdDer = new Uint8Array(ci.content);
    const sdT = readTlv(sdDer, 0);
    if (sdT.tag !== 0x30) throw new Error('signed data is not a SEQUENCE');
    const f = children(sdDer, sdT);
    if (f.length < 4 || f[0].tag !== 0x02 || f[1].tag !== 0x31 || f[2].tag !== 0x30) throw new Error('malformed SignedData');
    const version = Number(bytesToBigInt(content(sdDer, f[0])));
    const encap = AsnConvert.parse(slice(sdDer, f[2]), cms.EncapsulatedContentInfo);
    let certField: Tlv | undefined;
    let i = 3;
    if (f[i]?.tag === 0xa0) certField = f[i++];
    if (f[i]?.tag === 0xa1) i++;
    const siSet = f[i];
    if (!siSet || siSet.tag !== 0x31 || i !== f.length - 1) throw new Error('malformed SignedData');
    if (version !== 3) throw syntaxError(`unsupported signed data version: got ${version}, want 3`);
    let certs: Certificate[] = [];
    if (certField) {
      const list = children(sdDer, certField);
      if (list.length > CMS_LIMITS.maxCertificates) throw syntaxError(`too many certificates (${list.length})`);
      try {
        certs = list.map((t) => {
          if (t.tag !== 0x30) throw new Error('only X.509 certificates are supported');
          const cert = new Certificate(slice(sdDer, t));
          const v = certificateVersion(cert);
          if (v < 1 || v > 3) throw new Error('x509: invalid version');
          return cert;
        });
      } catch (e) {
        throw syntaxError(`failed to parse X.509 certificates from signed data. Only X.509 certificates are supported: ${detail(e)}`, e);
      }
    }
    const siList = children(sdDer, siSet);
    if (siList.length > CMS_LIMITS.maxSignerInfos) throw syntaxError(`too many signer infos (${siList.length})`);
    const signerInfos = siList.map((t) => readSignerInfo(sdDer, t));
    const ec = encap.eContent;
    const contentBytes = ec?.single ? new Uint8Array(ec.single.buffer) : ec?.any ? new Uint8Array(ec.any) : new Uint8Array(0);
    return { contentType: encap.eContentType, content: contentBytes, certificates: certs, signerInfos };
  } catch (e) {
    if (e instanceof TimestampError) throw e;
    throw syntaxError(`invalid signed data: ${detail(e)}`, e);
  }
}

function algorithm(der: Uint8Array, t: Tlv): { oid: string; params?: Uint8Array } {
  const alg = AsnConvert.parse(slice(der, t), AlgorithmIdentifier);
  const parts = children(der, t);
  return { oid: alg.algorithm, params: parts[1] ? slice(der, parts[1]) : undefined };
}

function readSignerInfo(der: Uint8Array, siT: Tlv): CmsSignerInfo {
  if (siT.tag !== 0x30) throw new Error('signer info is not a SEQUENCE');
  const f = children(der, siT);
  let i = 0;
  const versionT = f[i++];
  const sidT = f[i++];
  const digestT = f[i++];
  if (!versionT || versionT.tag !== 0x02 || !sidT || !digestT || digestT.tag !== 0x30) throw new Error('malformed SignerInfo');
  let issuer: Uint8Array | undefined;
  let serial: Uint8Array | undefined;
  if (sidT.tag === 0x30) {
    const [iT, sT] = children(der, sidT);
    if (!iT || iT.tag !== 0x30 || !sT || sT.tag !== 0x02) throw new Error('malformed IssuerAndSerialNumber');
    issuer = slice(der, iT);
    serial = content(der, sT);
  }
  const signedAttributes: CmsAttribute[] = [];
  let signedAttributesDer: Uint8Array | undefined;
  if (f[i]?.tag === 0xa0) {
    const list = children(der, f[i++]);
    if (list.length > CMS_LIMITS.maxAttributes) throw syntaxError(`too many signed attributes (${list.length})`);
    for (const a of list) {
      const [typeT, valuesT] = a.tag === 0x30 ? children(der, a) : [];
      if (!typeT || typeT.tag !== 0x06 || !valuesT) throw new Error('malformed attribute');
      // Like Go's RawValue: the values field is kept whatever its tag.
      signedAttributes.push({ type: oidFromDer(slice(der, typeT)), values: content(der, valuesT) });
    }
    signedAttributesDer = derSet(list.map((a) => slice(der, a)));
  }
  const sigAlgT = f[i++];
  const sigT = f[i++];
  if (!sigAlgT || sigAlgT.tag !== 0x30 || !sigT || sigT.tag !== 0x04) throw new Error('malformed SignerInfo');
  if (f[i] && f[i].tag !== 0xa1) throw new Error('malformed SignerInfo');
  const digest = algorithm(der, digestT);
  const sigAlg = algorithm(der, sigAlgT);
  return {
    version: Number(bytesToBigInt(content(der, versionT))),
    issuer,
    serial,
    digestAlgorithm: digest.oid,
    signedAttributes,
    signedAttributesDer,
    signatureAlgorithm: sigAlg.oid,
    signatureAlgorithmParams: sigAlg.params,
    signature: content(der, sigT),
  };
}

/** The first value of a signed attribute, or undefined when absent (Go's Attributes.Get). */
export function getAttribute(si: CmsSignerInfo, type: string): Uint8Array | undefined {
  return si.signedAttributes.find((a) => a.type === type)?.values;
}

/** Certificate matching an issuer Name (raw bytes) and serial number (Go's GetCertificate). */
export function findCertificate(sd: ParsedSignedData, issuer: Uint8Array | undefined, serial: Uint8Array | undefined): Certificate | undefined {
  if (!issuer || !serial) return undefined;
  const want = bytesToBigInt(serial);
  return sd.certificates.find((c) => Buffer.from(c.rawIssuer).equals(Buffer.from(issuer)) && bytesToBigInt(c.serialNumber) === want);
}

type SigAlg = { kind: 'rsa' | 'pss' | 'ecdsa'; hash: NodeHash };

/** tspclient-go oid.ToSignatureAlgorithm: digest + signature OIDs to an algorithm, SHA-2 only. */
function signatureAlgorithm(digestOid: string, sigOid: string): SigAlg | undefined {
  const dh = hashFromOid(digestOid);
  switch (sigOid) {
    case TS_OID.rsaEncryption: return dh ? { kind: 'rsa', hash: dh } : undefined;
    case TS_OID.rsaPss: return dh ? { kind: 'pss', hash: dh } : undefined;
    case TS_OID.sha256WithRSA: return { kind: 'rsa', hash: 'sha256' };
    case TS_OID.sha384WithRSA: return { kind: 'rsa', hash: 'sha384' };
    case TS_OID.sha512WithRSA: return { kind: 'rsa', hash: 'sha512' };
    case TS_OID.ecdsaWithSHA256: return { kind: 'ecdsa', hash: 'sha256' };
    case TS_OID.ecdsaWithSHA384: return { kind: 'ecdsa', hash: 'sha384' };
    case TS_OID.ecdsaWithSHA512: return { kind: 'ecdsa', hash: 'sha512' };
  }
  return undefined;
}

const HASH_LEN: Record<NodeHash, number> = { sha256: 32, sha384: 48, sha512: 64 };

function verifySignature(sd: ParsedSignedData, si: CmsSignerInfo, cert: Certificate): void {
  const alg = signatureAlgorithm(si.digestAlgorithm, si.signatureAlgorithm);
  if (!alg) throw cmsVerificationError('TIMESTAMP_SIGNATURE_INVALID', 'unknown signature algorithm');
  const signed = si.signedAttributesDer ?? sd.content;
  const key = cert.publicKey;
  const keyType = key.asymmetricKeyType;
  let ok = false;
  let failure: string;
  try {
    if (alg.kind === 'ecdsa') {
      if (keyType !== 'ec') throw new Error(`x509: signature algorithm specifies an ECDSA public key, but have public key of type ${keyType}`);
      failure = 'x509: ECDSA verification failure';
      ok = cryptoVerify(alg.hash, signed, { key, dsaEncoding: 'der' }, si.signature);
    } else {
      if (keyType !== 'rsa' && keyType !== 'rsa-pss') throw new Error(`x509: signature algorithm specifies an RSA public key, but have public key of type ${keyType}`);
      failure = 'crypto/rsa: verification error';
      ok = alg.kind === 'rsa'
        ? cryptoVerify(alg.hash, signed, { key, padding: constants.RSA_PKCS1_PADDING }, si.signature)
        : cryptoVerify(alg.hash, signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_LEN[alg.hash] }, si.signature);
    }
  } catch (e) {
    throw cmsVerificationError('TIMESTAMP_SIGNATURE_INVALID', detail(e), e);
  }
  if (!ok) throw cmsVerificationError('TIMESTAMP_SIGNATURE_INVALID', failure);
}

/** A UTCTime or GeneralizedTime value (the signingTime attribute). */
function parseAsn1Time(der: Uint8Array): Date {
  const t = readTlv(der, 0);
  const s = Buffer.from(content(der, t)).toString('latin1');
  let m: RegExpMatchArray | null;
  if (t.tag === 0x17 && (m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/))) {
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy >= 50 ? 1900 + yy : 2000 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  if (t.tag === 0x18 && (m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/))) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] ? Math.floor(Number('0.' + m[7]) * 1000) : 0));
  }
  throw new Error(`asn1: structure error: invalid time ${JSON.stringify(s)}`);
}

function readOid(der: Uint8Array): string {
  const t = readTlv(der, 0);
  if (t.tag !== 0x06) throw new Error("asn1: structure error: tags don't match");
  return oidFromDer(slice(der, t));
}

/**
 * Checks the signed attributes of `si` (tspclient-go verifySignedAttributes):
 * present, contentType equal to the eContentType (id-ct-TSTInfo), messageDigest
 * equal to the hash of the content, and signingTime, if present, inside the
 * validity of every certificate of one of `chains`. Returns that chain.
 */
export function verifySignedAttributes(sd: ParsedSignedData, si: CmsSignerInfo, chains: Certificate[][]): Certificate[] {
  const fail = (msg: string, cause?: unknown) => cmsVerificationError('TIMESTAMP_INVALID', msg, cause);
  if (chains.length === 0) throw fail('Failed to verify signed attributes because the certificate chain is empty.');
  if (si.signedAttributes.length === 0) throw fail('missing signed attributes');
  if (sd.contentType !== TS_OID.tstInfo) {
    throw new TimestampError('TIMESTAMP_INVALID', `unexpected content type: ${sd.contentType}. Expected to be id-ct-TSTInfo (${TS_OID.tstInfo})`);
  }
  const ct = getAttribute(si, TS_OID.contentType);
  if (!ct) throw fail('invalid content type: attribute not found');
  let ctOid: string;
  try {
    ctOid = readOid(ct);
  } catch (e) {
    throw fail(`invalid content type: ${detail(e)}`, e);
  }
  if (ctOid !== sd.contentType) throw fail(`mismatch content type: found "${ctOid}" in signer info, and "${sd.contentType}" in signed data`);
  const md = getAttribute(si, TS_OID.messageDigest);
  if (!md) throw fail('invalid message digest: attribute not found');
  let expected: Uint8Array;
  try {
    const t = readTlv(md, 0);
    if (t.tag !== 0x04) throw new Error('asn1: structure error: tags don\'t match');
    expected = content(md, t);
  } catch (e) {
    throw fail(`invalid message digest: ${detail(e)}`, e);
  }
  const hash = hashFromOid(si.digestAlgorithm);
  if (!hash) throw fail('unsupported digest algorithm');
  if (!createHash(hash).update(sd.content).digest().equals(Buffer.from(expected))) throw fail('mismatch message digest');
  const st = getAttribute(si, TS_OID.signingTime);
  if (!st) return chains[0];
  let signingTime: Date;
  try {
    signingTime = parseAsn1Time(st);
  } catch (e) {
    throw fail(`invalid signing time: ${detail(e)}`, e);
  }
  for (const chain of chains) {
    if (chain.every((c) => signingTime >= c.notBefore && signingTime <= c.notAfter)) return chain;
  }
  throw fail(`signing time, ${goTimeString(signingTime)}, is outside certificate's validity period`);
}

export interface VerifyOptions {
  roots: Certificate[];
  currentTime: Date;
  /** Extended key usage required along the chain (default timeStamping). */
  keyUsage?: string;
}

/**
 * tspclient-go VerifySigner: SignerInfo version 1, chain from `signingCert` to the
 * roots (token certificates as intermediates) at `currentTime`, signature, signed
 * attributes. Returns the chain, leaf first.
 */
export function verifySigner(sd: ParsedSignedData, si: CmsSignerInfo, signingCert: Certificate, opts: VerifyOptions): Certificate[] {
  if (si.version !== 1) throw cmsVerificationError('TIMESTAMP_INVALID', `invalid signer info version: only version 1 is supported; got ${si.version}`);
  let chains: Certificate[][];
  try {
    chains = buildChains(signingCert, { roots: opts.roots, intermediates: sd.certificates, currentTime: opts.currentTime, keyUsage: opts.keyUsage });
  } catch (e) {
    if (e instanceof X509VerifyError) {
      const code = e.reason === 'expired' ? 'TIMESTAMP_CERT_NOT_VALID' : e.reason === 'incompatible-usage' ? 'TSA_CERT_EKU_INVALID' : 'TIMESTAMP_UNTRUSTED';
      throw cmsVerificationError(code, e.message, e);
    }
    throw e;
  }
  verifySignature(sd, si, signingCert);
  return verifySignedAttributes(sd, si, chains);
}

/**
 * tspclient-go ParsedSignedData.Verify: every signer whose sid names an embedded
 * certificate is tried; returns the verified chains (one per distinct signer).
 */
export function verifySignedData(sd: ParsedSignedData, opts: VerifyOptions): Certificate[][] {
  if (sd.signerInfos.length === 0) throw cmsVerificationError('TIMESTAMP_INVALID', 'signerInfo not found');
  if (sd.certificates.length === 0) throw cmsVerificationError('TSA_SIGNING_CERT_MISSING', 'certificate not found');
  const verified = new Map<string, Certificate[]>();
  let lastErr: unknown;
  for (const si of sd.signerInfos) {
    const cert = findCertificate(sd, si.issuer, si.serial);
    if (!cert) {
      lastErr = cmsVerificationError('TSA_SIGNING_CERT_MISSING', 'certificate not found');
      continue;
    }
    try {
      verified.set(cert.fingerprint256, verifySigner(sd, si, cert, opts));
    } catch (e) {
      lastErr = e;
    }
  }
  if (verified.size === 0) throw lastErr;
  return [...verified.values()];
}
