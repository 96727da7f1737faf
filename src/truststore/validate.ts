/**
 * Rules every trust store follows, whatever holds its files (notation-go
 * verifier/truststore): store types and names, what each certificate file must
 * contain, and the TSA-store root-only rule. Messages are notation-go's.
 */
import { TrustStoreError } from '../errors.js';
import type { Certificate } from '../x509/certificate.js';
import { parseCertificateFileContent } from '../x509/filecontent.js';
import { goQuote as q } from '../x509/goformat.js';
import { checkSignature, checkSignatureFrom } from '../x509/signature.js';

export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';
export const TRUST_STORE_TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];

/** Stable codes of the TrustStoreErrors this module throws. */
export const TrustStoreErrorCode = {
  unsupportedType: 'TRUST_STORE_UNSUPPORTED_TYPE',
  invalidName: 'TRUST_STORE_INVALID_NAME',
  notFound: 'TRUST_STORE_NOT_FOUND',
  accessFailed: 'TRUST_STORE_ACCESS_FAILED',
  notDirectory: 'TRUST_STORE_NOT_DIRECTORY',
  entryNotRegularFile: 'TRUST_STORE_ENTRY_NOT_REGULAR_FILE',
  certificateReadFailed: 'TRUST_STORE_CERT_READ_FAILED',
  certificateInvalid: 'TRUST_STORE_CERT_INVALID',
  empty: 'TRUST_STORE_EMPTY',
  tooLarge: 'TRUST_STORE_TOO_LARGE',
} as const;
const E = TrustStoreErrorCode;

/** Most files one store may hold, and the largest file we read (bounds on untrusted directories). */
export const MAX_TRUST_STORE_FILES = 1024;
export const MAX_CERTIFICATE_FILE_BYTES = 8 * 1024 * 1024;

const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;

export function isValidStoreType(type: string): type is TrustStoreType {
  return (TRUST_STORE_TYPES as readonly string[]).includes(type);
}

export function isValidStoreName(name: string): boolean {
  // notation-go's pattern alone lets "." and ".." through, which would name a parent directory.
  return STORE_NAME.test(name) && name !== '.' && name !== '..';
}

/** Type and name checks done before any store is looked up. */
export function checkStoreIdentity(type: string, name: string): asserts type is TrustStoreType {
  if (!isValidStoreType(type)) throw new TrustStoreError(E.unsupportedType, `unsupported trust store type: ${type}`);
  if (!isValidStoreName(name)) {
    throw new TrustStoreError(E.invalidName, `trust store name needs to follow [a-zA-Z0-9_.-]+ format, ${name} is invalid`);
  }
}

export function storeNotFound(type: string, name: string, cause?: unknown): TrustStoreError {
  return new TrustStoreError(E.notFound, `the trust store ${q(name)} of type ${q(type)} does not exist`, { cause });
}

/**
 * notation-go ValidateCertificates: each trusted certificate must be a CA
 * (basicConstraints cA=true) or verify under its own key (a self-signed signing certificate).
 */
export function validateTrustStoreCertificates(certs: readonly Certificate[]): void {
  if (certs.length < 1) throw new TrustStoreError(E.certificateInvalid, 'input certs cannot be empty');
  for (const cert of certs) {
    if (cert.basicConstraints?.cA) continue;
    if (checkSignature(cert, cert) !== undefined) {
      throw new TrustStoreError(E.certificateInvalid, `certificate with subject ${q(cert.subject)} is not a CA certificate or self-signed signing certificate`);
    }
  }
}

/** Why `cert` is not a root CA (self-signed under the CA constraints and self-issued), or undefined. */
export function rootCACertificateError(cert: Certificate): string | undefined {
  const err = checkSignatureFrom(cert, cert);
  if (err) return `certificate with subject ${q(cert.subject)} is not a root CA certificate: ${err}`;
  if (Buffer.compare(Buffer.from(cert.rawSubject), Buffer.from(cert.rawIssuer)) !== 0) {
    return `certificate with subject ${q(cert.subject)} is not a root CA certificate: issuer (${cert.issuer}) and subject (${cert.subject}) are not the same`;
  }
  return undefined;
}

/** Decodes everything the rules will read, so a bad extension fails at load time as in Go's parser. */
function touch(cert: Certificate): void {
  void cert.subject;
  void cert.issuer;
  void cert.basicConstraints;
  void cert.keyUsage;
  void cert.extKeyUsage;
}

/**
 * The certificates of one trust store file, checked as notation-go does when
 * loading a store: readable as PEM/DER, CA or self-signed, and for `tsa` stores
 * root CAs only.
 */
export function loadTrustStoreFile(fileName: string, data: Uint8Array, type: TrustStoreType, name: string): Certificate[] {
  let certs: Certificate[];
  try {
    certs = parseCertificateFileContent(data);
    certs.forEach(touch);
  } catch (e) {
    throw new TrustStoreError(E.certificateReadFailed, `failed to read the trusted certificate ${fileName} in trust store ${name} of type ${type}`, { cause: e });
  }
  try {
    validateTrustStoreCertificates(certs);
  } catch (e) {
    throw new TrustStoreError(E.certificateInvalid, `failed to validate the trusted certificate ${fileName} in trust store ${name} of type ${type}`, { cause: e });
  }
  if (type === 'tsa') {
    for (const cert of certs) {
      const err = rootCACertificateError(cert);
      if (err) throw new TrustStoreError(E.certificateInvalid, `trusted certificate ${fileName} in trust store ${name} of type ${type} is invalid: ${err}`);
    }
  }
  return certs;
}

export function emptyStore(type: string, name: string): TrustStoreError {
  return new TrustStoreError(E.empty, `no x509 certificates were found in trust store ${q(name)} of type ${q(type)}`);
}

/** Same checks for a certificate handed over already parsed (no file name: it is named by position). */
export function checkTrustedCertificate(cert: Certificate, label: string, type: TrustStoreType, name: string): void {
  try {
    touch(cert);
  } catch (e) {
    throw new TrustStoreError(E.certificateReadFailed, `failed to read the trusted certificate ${label} in trust store ${name} of type ${type}`, { cause: e });
  }
  try {
    validateTrustStoreCertificates([cert]);
  } catch (e) {
    throw new TrustStoreError(E.certificateInvalid, `failed to validate the trusted certificate ${label} in trust store ${name} of type ${type}`, { cause: e });
  }
  if (type === 'tsa') {
    const err = rootCACertificateError(cert);
    if (err) throw new TrustStoreError(E.certificateInvalid, `trusted certificate ${label} in trust store ${name} of type ${type} is invalid: ${err}`);
  }
}
