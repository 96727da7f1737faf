/**
 * Conformance adapters for categories crl and ocsp. Network inputs are served
 * from the case files through the validator's injectable fetcher:
 * `inputs.crls` / `inputs.ocspResponses` map URLs to bytes, and
 * `params.ocspResponders` URLs marked "unreachable" fail like a refused connection.
 */
import type { Adapter, AdapterResult, Case, CaseContext } from '../framework.js';
import { invalid } from '../framework.js';
import { parseCertificates, type Certificate } from '../../../src/x509/certificate.js';
import { RevocationError } from '../../../src/errors.js';
import {
  RevocationValidator, RevocationMemoryCache, aggregateRevocationResults, parseCrl, checkCrlFreshness, fetchCrlBundle,
  fetchDeltaCrl, parseDistributionPointUrls, FetchError, type CertRevocationResult, type Fetcher, type Purpose,
} from '../../../src/revocation/index.js';

export const errorKinds: Record<string, string> = {
  CERTIFICATE_REVOKED: 'revoked',
  REVOCATION_STATUS_UNKNOWN: 'revocation unknown',
  REVOCATION_RESULT_INVALID: 'revocation unknown',
  REVOCATION_CHECK_FAILED: 'revocation unknown',
  REVOCATION_INVALID_CHAIN: 'revocation unknown',
  OCSP_REVOKED: 'revoked',
  CRL_EXPIRED: 'expired CRL',
  CRL_MALFORMED: 'malformed CRL',
  FRESHEST_CRL_MALFORMED: 'malformed freshestCRL extension',
  DELTA_CRL_NOT_FOUND: 'delta CRL not found',
};

const refused = (url: string) => new FetchError('network', `dial tcp ${new URL(url).host}: connect: connection refused`);

/** Serves the case's CRLs and OCSP responses; records a request that differs from inputs.ocspRequest. */
function caseFetcher(c: Case, ctx: CaseContext, onMismatch: (m: string) => void): Fetcher {
  const crls = (c.inputs.crls ?? {}) as Record<string, string>;
  const ocsp = (c.inputs.ocspResponses ?? {}) as Record<string, string>;
  const down = new Set(Object.entries((c.params.ocspResponders ?? {}) as Record<string, string>).filter(([, v]) => v === 'unreachable').map(([k]) => k));
  const expectedReq = c.inputs.ocspRequest ? ctx.read(c.inputs.ocspRequest) : undefined;
  return async (url, init) => {
    if (crls[url] && init.method === 'GET') return { status: 200, body: ctx.read(crls[url]) };
    for (const server of [...Object.keys(ocsp), ...down]) {
      const base = server.replace(/\/+$/, '');
      let req: Buffer | undefined;
      if (init.method === 'POST' && url === server) req = Buffer.from(init.body ?? []);
      else if (init.method === 'GET' && url.startsWith(base + '/')) req = Buffer.from(decodeURIComponent(url.slice(base.length + 1)), 'base64');
      if (!req) continue;
      if (down.has(server)) throw refused(url);
      if (expectedReq && !expectedReq.equals(req)) onMismatch(`OCSP request differs from ${c.inputs.ocspRequest}: ${req.toString('hex')}`);
      return { status: 200, body: ctx.read(ocsp[server]) };
    }
    throw refused(url);
  };
}

function loadChain(c: Case, ctx: CaseContext): Certificate[] {
  const files = ([] as string[]).concat(c.inputs.certificateChain);
  const chain = files.flatMap((f) => parseCertificates(ctx.read(f), f));
  const last = chain[chain.length - 1];
  if (c.inputs.trustAnchor && last && !last.isSelfSigned()) chain.push(...parseCertificates(ctx.read(c.inputs.trustAnchor), c.inputs.trustAnchor));
  return chain;
}

const checkChainRevocation: Adapter = async (c, ctx) => {
  let mismatch: string | undefined;
  const logs: string[] = [];
  const validator = new RevocationValidator({
    fetcher: caseFetcher(c, ctx, (m) => (mismatch ??= m)),
    now: () => ctx.now ?? new Date(),
    memoryCache: new RevocationMemoryCache(),
    logger: { warn: () => undefined, error: (m) => logs.push(m) },
  });
  const purpose = (c.params.purpose ?? 'codeSigning') as Purpose;
  const signingTime = c.params.signingTime ? new Date(c.params.signingTime) : undefined;
  let r;
  try {
    r = await validator.check(loadChain(c, ctx), { purpose, signingTime });
  } catch (e) {
    return { ...invalid(e), mismatch };
  }
  if (r.result === 'ok') return { outcome: 'valid', mismatch };
  const res = invalid(r.error);
  return { ...res, errorMessage: [...logs, r.error!.message].join('\n'), mismatch };
};

const aggregate: Adapter = (c) => {
  const subjects = (c.params.certificateChainSubjects ?? []) as string[];
  const results: CertRevocationResult[] = ((c.params.certResults ?? []) as Array<Record<string, any>>).map((r) => ({
    result: r.result,
    method: r.revocationMethod ?? 'Unknown',
    serverResults: ((r.serverResults ?? []) as Array<Record<string, any>>).map((s) => ({
      result: s.result,
      server: s.server ?? '',
      method: s.revocationMethod ?? 'Unknown',
      error: s.error ? new RevocationError('SERVER_ERROR', s.error) : undefined,
    })),
  }));
  const v = aggregateRevocationResults(results, subjects.map((subject) => ({ subject })), (c.params.purpose ?? 'codeSigning') as Purpose);
  return v.result === 'ok' ? { outcome: 'valid' } : invalid(v.error);
};

const crlFreshness: Adapter = (c, ctx) => {
  try {
    checkCrlFreshness(parseCrl(ctx.read(c.inputs.crl)), ctx.now ?? new Date());
    return { outcome: 'valid' };
  } catch (e) {
    return invalid(e);
  }
};

/** First request gets the base CRL, every later one the delta bytes (as the Go test's round tripper). */
const fetchCrl: Adapter = async (c, ctx) => {
  let n = 0;
  const fetcher: Fetcher = async (url) => {
    const file = n++ === 0 ? c.inputs.baseCrlResponse : c.inputs.deltaCrlResponse;
    if (!file) throw refused(url);
    return { status: 200, body: ctx.read(file) };
  };
  try {
    const b = await fetchCrlBundle(c.params.url ?? 'http://localhost.test', { fetcher, timeoutMs: 5000 });
    return expectFields(c, { deltaCrlFound: !!b.delta });
  } catch (e) {
    return invalid(e);
  }
};

const fetchDelta: Adapter = async (c, ctx) => {
  const cert = parseCertificates(ctx.read(c.inputs.certificate), c.inputs.certificate)[0];
  const fetcher: Fetcher = async (url) => {
    if (!c.inputs.deltaCrlResponse) throw refused(url);
    return { status: 200, body: ctx.read(c.inputs.deltaCrlResponse) };
  };
  try {
    const d = await fetchDeltaCrl(cert.extensions, { fetcher, timeoutMs: 5000 });
    return expectFields(c, { deltaCrlFound: !!d });
  } catch (e) {
    return invalid(e);
  }
};

const parseFreshest: Adapter = (c, ctx) => {
  const cert = parseCertificates(ctx.read(c.inputs.certificate), c.inputs.certificate)[0];
  const ext = cert.extension('2.5.29.46');
  if (!ext) return { outcome: 'invalid', errorKind: 'freshestCRL extension not found', errorMessage: 'freshestCRL extension not found' };
  try {
    const urls = parseDistributionPointUrls(ext.value);
    const r = expectFields(c, { urlCount: urls.length });
    if (c.expected.urlPrefix !== undefined && !(urls[0] ?? '').startsWith(c.expected.urlPrefix)) r.mismatch = `first URL ${urls[0]} lacks prefix ${c.expected.urlPrefix}`;
    return r;
  } catch (e) {
    return invalid(e);
  }
};

function expectFields(c: Case, got: Record<string, unknown>): AdapterResult {
  for (const [k, v] of Object.entries(got)) {
    if (c.expected[k] !== undefined && c.expected[k] !== v) return { outcome: 'valid', mismatch: `${k}: expected ${JSON.stringify(c.expected[k])}, got ${JSON.stringify(v)}` };
  }
  return { outcome: 'valid' };
}

export const adapters: Record<string, Adapter> = {
  'aggregate-revocation-results': aggregate,
  'check-chain-revocation': checkChainRevocation,
  'check-crl-freshness': crlFreshness,
  'fetch-crl': fetchCrl,
  'fetch-delta-crl': fetchDelta,
  'parse-freshest-crl-extension': parseFreshest,
};
