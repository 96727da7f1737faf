/** What the verifier asks of a trust store. */
import type { Certificate } from '../x509/certificate.js';
import type { TrustStoreType } from './validate.js';

/**
 * Named trust stores of type ca / signingAuthority / tsa. `getCertificates`
 * returns the validated certificates of one store (never an empty list) or
 * throws TrustStoreError (missing store, bad name, bad or disallowed certificate).
 * Synchronous: stores are local and small.
 */
export interface TrustStoreProvider {
  getCertificates(type: TrustStoreType, name: string): Certificate[];
}
