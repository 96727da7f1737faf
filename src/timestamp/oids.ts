import * as asn1js from 'asn1js';
/** Object identifiers used by RFC 3161 / CMS processing. */
export const TS_OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  /** RFC 3628 baseline time-stamp policy: no accuracy means ±1 s. */
  baselineTimestampPolicy: '0.4.0.2023.1.1',
} as const;

export type NodeHash = 'sha256' | 'sha384' | 'sha512';

/** Hash OIDs the reference accepts (SHA-2 only). */
export function hashFromOid(oid: string): NodeHash | undefined {
  if (oid === TS_OID.sha256) return 'sha256';
  if (oid === TS_OID.sha384) return 'sha384';
  if (oid === TS_OID.sha512) return 'sha512';
  return undefined;
}

export const HASH_OID: Record<NodeHash, string> = { sha256: TS_OID.sha256, sha384: TS_OID.sha384, sha512: TS_OID.sha512 };

/** Text of a DER OBJECT IDENTIFIER element (decoded by asn1js). */
export function oidFromDer(tlv: Uint8Array): string {
  const parsed = asn1js.fromBER(tlv);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.ObjectIdentifier)) throw new Error('asn1: syntax error: invalid object identifier');
  return parsed.result.valueBlock.toString();
}
