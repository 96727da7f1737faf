/**
 * Categories whose issue has not landed yet: their cases are mocha-pending in
 * `npm test` (visible in the summary), while `npm run conformance` counts them.
 * Remove a category here when its issue lands.
 */
export const PENDING_CATEGORIES = new Set<string>(['timestamp', 'crl', 'ocsp', 'plugin-protocol-json']);
