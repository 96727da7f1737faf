/**
 * Conformance adapters for certificate rules, chain validation and trust stores
 * (checklist 1.6 and 4.1): category chain-validation, plus load-tsa-trust-stores.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CertificateError } from '../../../src/errors.js';
import { KeyUsageBit, type Certificate } from '../../../src/x509/certificate.js';
import { parseCertificateFileContent } from '../../../src/x509/filecontent.js';
import {
  validateSigningTime,
  validateCodeSigningCACertificate,
  validateCodeSigningLeafCertificate,
  validateTimestampingCACertificate,
  validateTimestampingLeafCertificate,
  validateLeafKeyUsage,
} from '../../../src/x509/rules.js';
import { isRootCertificate, isSelfSigned, validateCodeSigningChain, validateTimestampingChain } from '../../../src/x509/chain.js';
import { MemoryTrustStore, X509TrustStore, readCertificateFile, validateTrustStoreCertificates, type TrustStoreType } from '../../../src/truststore/index.js';
import { invalid, type Adapter, type AdapterResult, type Case, type CaseContext } from '../framework.js';

function certsOf(ctx: CaseContext, files: string | string[] | undefined): Certificate[] {
  const list = files === undefined ? [] : Array.isArray(files) ? files : [files];
  return list.flatMap((f) => parseCertificateFileContent(ctx.read(f)));
}

function one(ctx: CaseContext, file: string): Certificate {
  const certs = certsOf(ctx, file);
  if (certs.length !== 1) throw new Error(`expected one certificate in ${file}, found ${certs.length}`);
  return certs[0];
}

/** Runs a check that throws on failure. */
function check(fn: () => void): AdapterResult {
  try {
    fn();
    return { outcome: 'valid' };
  } catch (e) {
    return invalid(e);
  }
}

/** Runs a predicate and compares it with `expected.result`. */
function predicate(c: Case, fn: () => boolean): AdapterResult {
  let got: boolean;
  try {
    got = fn();
  } catch (e) {
    return invalid(e);
  }
  const want = c.expected.result;
  return { outcome: 'valid', mismatch: want !== undefined && want !== got ? `expected result ${want}, got ${got}` : undefined };
}

const KU_NAMES: Record<string, number> = { ...KeyUsageBit };

export const adapters: Record<string, Adapter> = {
  'check-certificate-valid-at-signing-time': (c, ctx) => check(() => validateSigningTime(one(ctx, c.inputs.certificate), ctx.now)),

  'is-root-certificate': (c, ctx) => predicate(c, () => isRootCertificate(one(ctx, c.inputs.certificate))),

  'is-self-signed': (c, ctx) => predicate(c, () => isSelfSigned(one(ctx, c.inputs.certificate)).ok),

  'validate-code-signing-ca-certificate': (c, ctx) =>
    check(() => validateCodeSigningCACertificate(one(ctx, c.inputs.certificate), Number(c.params.expectedPathLength ?? 0))),

  'validate-code-signing-leaf-certificate': (c, ctx) => check(() => validateCodeSigningLeafCertificate(one(ctx, c.inputs.certificate))),

  'validate-timestamping-ca-certificate': (c, ctx) =>
    check(() => validateTimestampingCACertificate(one(ctx, c.inputs.certificate), Number(c.params.expectedPathLength ?? 0))),

  'validate-timestamping-leaf-certificate': (c, ctx) => check(() => validateTimestampingLeafCertificate(one(ctx, c.inputs.certificate))),

  'validate-code-signing-chain': (c, ctx) => check(() => validateCodeSigningChain(certsOf(ctx, c.inputs.certificateChain), ctx.now)),

  'validate-timestamping-chain': (c, ctx) => check(() => validateTimestampingChain(certsOf(ctx, c.inputs.certificateChain), ctx.now)),

  // The Go test builds a bare certificate with a subject and key usage bits only.
  'validate-leaf-key-usage': (c) =>
    check(() => {
      let bits = 0;
      for (const n of c.params.keyUsage as string[]) {
        if (KU_NAMES[n] === undefined) throw new Error(`unknown key usage ${n}`);
        bits |= 1 << KU_NAMES[n];
      }
      validateLeafKeyUsage({ subject: String(c.params.subject), keyUsage: { critical: !!c.params.keyUsageExtensionCritical, bits } });
    }),

  'read-certificate-file': (c, ctx) => {
    let certs: Certificate[];
    try {
      certs = readCertificateFile(ctx.path(c.inputs.file));
      // notation's `cert add` refuses a file without certificates.
      if (certs.length === 0) throw new CertificateError('NO_CERTIFICATE', 'no valid certificate found in the file');
    } catch (e) {
      return invalid(e);
    }
    const want = c.expected.certificateCount;
    return { outcome: 'valid', mismatch: want !== undefined && want !== certs.length ? `expected ${want} certificates, got ${certs.length}` : undefined };
  },

  'validate-trust-store-certificates': (c, ctx) =>
    check(() => validateTrustStoreCertificates(readCertificateFile(ctx.path(c.inputs.certificates)))),

  // Exercises the real file-system store: the files are copied into a fresh config dir.
  'load-trust-store': (c, ctx) => {
    const cfg = mkdtempSync(join(tmpdir(), 'ntx-ts-'));
    try {
      const type = c.params.storeType as TrustStoreType;
      const name = String(c.params.storeName);
      const dir = join(cfg, 'truststore', 'x509', type, name);
      mkdirSync(dir, { recursive: true });
      for (const f of c.inputs.trustStore as string[]) copyFileSync(ctx.path(f), join(dir, basename(f)));
      const certs = new X509TrustStore(cfg).getCertificates(type, name);
      return { outcome: 'valid', mismatch: certs.length === 0 ? 'store loaded no certificates' : undefined };
    } catch (e) {
      return invalid(e);
    } finally {
      rmSync(cfg, { recursive: true, force: true });
    }
  },

  'load-tsa-trust-stores': (c, ctx) => {
    try {
      const policy = JSON.parse(readFileSync(ctx.path(c.inputs.trustPolicy), 'utf8'));
      const store = MemoryTrustStore.fromFiles(c.inputs.trustStores, (p) => ctx.read(p));
      const scheme = String(c.params.signingScheme);
      if (scheme !== 'notary.x509') {
        throw new CertificateError('TSA_SCHEME', `error while loading the TSA trust store, signing scheme must be notary.x509, but got ${scheme}`);
      }
      // notation-go loadX509TrustStoresWithType for type tsa (kept here so this case does not hang on the verifier module).
      const certs: Certificate[] = [];
      const seen = new Set<string>();
      for (const ts of policy.trustPolicies[0].trustStores as string[]) {
        const i = ts.indexOf(':');
        if (seen.has(ts) || i < 0 || ts.slice(0, i) !== 'tsa') continue;
        certs.push(...store.getCertificates('tsa', ts.slice(i + 1)));
        seen.add(ts);
      }
      return { outcome: 'valid', mismatch: certs.length === 0 ? 'no TSA certificates loaded' : undefined };
    } catch (e) {
      return invalid(e);
    }
  },
};

/** Our error codes (x509/rules.ts, x509/chain.ts, truststore/) in the corpus vocabulary. */
export const errorKinds: Record<string, string> = {
  CHAIN_EMPTY: 'invalid certificate chain: empty',
  CHAIN_INVALID_SELF_SIGNED: 'invalid certificate chain: not self-signed',
  CHAIN_INVALID_ROOT: 'invalid certificate chain: not ending in root',
  CHAIN_SELF_SIGNED_LEAF: 'invalid certificate chain: self-signed leaf',
  CHAIN_SELF_SIGNED_INTERMEDIATE: 'invalid certificate chain: self-signed intermediate',
  CHAIN_NOT_ISSUED_BY: 'invalid certificate chain: wrong order',
  CERT_NOT_VALID_AT_SIGNING_TIME: 'certificate not valid at signing time',
  CA_BASIC_CONSTRAINTS: 'invalid CA certificate: basic constraints',
  CA_PATH_LENGTH: 'invalid CA certificate: path length',
  CA_KEY_USAGE: 'invalid CA certificate: key usage',
  LEAF_BASIC_CONSTRAINTS: 'invalid leaf certificate: basic constraints',
  LEAF_KEY_USAGE: 'invalid leaf certificate: key usage',
  LEAF_EXT_KEY_USAGE: 'invalid leaf certificate: extended key usage',
  LEAF_KEY_SPEC: 'invalid leaf certificate: key size',
  TSA_LEAF_BASIC_CONSTRAINTS: 'invalid timestamping certificate: basic constraints',
  TSA_LEAF_KEY_USAGE: 'invalid timestamping certificate: key usage',
  TSA_LEAF_EXT_KEY_USAGE: 'invalid timestamping certificate: extended key usage',
  TSA_LEAF_KEY_SPEC: 'invalid timestamping certificate: key size',
  CERT_SIGNATURE_INVALID: 'signature check failed',
  MALFORMED_CERTIFICATE: 'malformed certificate file',
  NO_CERTIFICATE: 'no certificate in file',
  TRUST_STORE_CERT_READ_FAILED: 'invalid trust store certificate',
  TRUST_STORE_CERT_INVALID: 'invalid trust store certificate',
  TRUST_STORE_ENTRY_NOT_REGULAR_FILE: 'invalid trust store certificate',
  TRUST_STORE_NOT_FOUND: 'trust store not found',
  TRUST_STORE_EMPTY: 'trust store not found',
  TRUST_STORE_INVALID_NAME: 'invalid trust store name',
};
