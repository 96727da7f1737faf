/**
 * Path building for the TSA signing certificate, with the semantics (and error
 * texts) of Go's x509.Certificate.Verify as tspclient-go uses it: the chain runs
 * from the signing certificate through the token's certificates to one of the
 * trusted roots, every certificate valid at `currentTime` (the genTime), and the
 * chain must allow the timeStamping extended key usage. Notary's own TSA rules
 * (table 1.6) are applied afterwards by validateTimestampingChain.
 */
import { Certificate, OID, KeyUsageBit, parseName } from '../x509/certificate.js';
import { readTlv, children, content } from '../x509/der.js';
import { rfc3339, bytesToBigInt } from './goformat.js';

/** Bounds the search like Go's maxChainSignatureChecks. */
const MAX_SIGNATURE_CHECKS = 100;
const MAX_CHAIN_LENGTH = 10;

export class X509VerifyError extends Error {
  constructor(
    message: string,
    readonly reason: 'expired' | 'unknown-authority' | 'incompatible-usage' | 'not-authorized' | 'path-length' | 'limit',
  ) {
    super(message);
  }
}

export interface ChainOptions {
  roots: Certificate[];
  intermediates: Certificate[];
  currentTime: Date;
  /** Required extended key usage OID (Go ExtKeyUsage); default timeStamping. */
  keyUsage?: string;
}

function same(a: Certificate, b: Certificate): boolean {
  return Buffer.compare(Buffer.from(a.raw), Buffer.from(b.raw)) === 0;
}

/** X.509 version (1..3) from the TBS; -1 when the version field is unreadable. */
export function certificateVersion(c: Certificate): number {
  try {
    const top = readTlv(c.tbs, 0);
    const first = children(c.tbs, top)[0];
    if (first?.tag !== 0xa0) return 1;
    const inner = children(c.tbs, first)[0];
    if (!inner || inner.tag !== 0x02) return -1;
    return Number(bytesToBigInt(content(c.tbs, inner))) + 1;
  } catch {
    return -1;
  }
}

function expiredError(c: Certificate, now: Date): X509VerifyError | undefined {
  let detail: string | undefined;
  if (now < c.notBefore) detail = `current time ${rfc3339(now)} is before ${rfc3339(c.notBefore)}`;
  else if (now > c.notAfter) detail = `current time ${rfc3339(now)} is after ${rfc3339(c.notAfter)}`;
  return detail ? new X509VerifyError(`x509: certificate has expired or is not yet valid: ${detail}`, 'expired') : undefined;
}

/** Go's CheckSignatureFrom: parent must be allowed to sign certificates, then the signature must verify. */
function checkSignatureFrom(c: Certificate, parent: Certificate): string | undefined {
  const bc = parent.basicConstraints;
  if ((certificateVersion(parent) === 3 && !bc) || (bc && !bc.cA)) return 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
  const ku = parent.keyUsage;
  if (ku && ku.bits !== 0 && !(ku.bits & (1 << KeyUsageBit.keyCertSign))) return 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
  if (c.isSignedBy(parent)) return undefined;
  return parent.publicKey.asymmetricKeyType === 'ec' ? 'x509: ECDSA verification failure' : 'crypto/rsa: verification error';
}

function candidateName(c: Certificate): string {
  const attrs = parseName(c.rawSubject).flat();
  const cn = attrs.find((a) => a.oid === '2.5.4.3' && a.value)?.value;
  if (cn) return cn;
  const o = attrs.find((a) => a.oid === '2.5.4.10' && a.value)?.value;
  if (o) return o;
  return 'serial:' + bytesToBigInt(c.serialNumber).toString();
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function ekuAllows(chain: Certificate[], usage: string): boolean {
  for (let i = chain.length - 1; i >= 0; i--) {
    const eku = chain[i].extKeyUsage;
    if (!eku || eku.oids.length === 0) continue;
    if (eku.oids.includes(OID.ekuAny)) continue;
    if (!eku.oids.includes(usage)) return false;
  }
  return true;
}

/**
 * Returns every chain (leaf first, trusted root last) that Go's Verify would
 * return for `leaf`. Throws X509VerifyError with Go's message otherwise.
 */
export function buildChains(leaf: Certificate, opts: ChainOptions): Certificate[][] {
  const now = opts.currentTime;
  const usage = opts.keyUsage ?? OID.ekuTimeStamping;
  const leafErr = expiredError(leaf, now);
  if (leafErr) throw leafErr;

  let candidates: Certificate[][];
  if (opts.roots.some((r) => same(r, leaf))) candidates = [[leaf]];
  else {
    let sigChecks = 0;
    let hint: { err: string; cert: Certificate } | undefined;
    let hardErr: X509VerifyError | undefined;
    const found: Certificate[][] = [];
    const walk = (chain: Certificate[]) => {
      const c = chain[chain.length - 1];
      const consider = (cand: Certificate, isRoot: boolean) => {
        if (hardErr || chain.some((x) => same(x, cand))) return;
        if (++sigChecks > MAX_SIGNATURE_CHECKS) {
          hardErr = new X509VerifyError('x509: signature check attempts limit reached while verifying certificate chain', 'limit');
          return;
        }
        const sigErr = checkSignatureFrom(c, cand);
        if (sigErr) {
          hint ??= { err: sigErr, cert: cand };
          return;
        }
        let validErr: string | undefined = expiredError(cand, now)?.message;
        if (!validErr && !isRoot) {
          const bc = cand.basicConstraints;
          if (!bc || !bc.cA) validErr = 'x509: certificate is not authorized to sign other certificates';
        }
        if (!validErr) {
          const bc = cand.basicConstraints;
          if (bc && bc.pathLen !== undefined && chain.length - 1 > bc.pathLen) validErr = 'x509: too many intermediates for path length constraint';
        }
        if (validErr) {
          hint ??= { err: validErr, cert: cand };
          return;
        }
        if (isRoot) found.push([...chain, cand]);
        else if (chain.length < MAX_CHAIN_LENGTH) walk([...chain, cand]);
      };
      const issuer = Buffer.from(c.rawIssuer);
      for (const r of opts.roots) if (issuer.equals(Buffer.from(r.rawSubject))) consider(r, true);
      for (const i of opts.intermediates) if (issuer.equals(Buffer.from(i.rawSubject))) consider(i, false);
    };
    walk([leaf]);
    if (hardErr) throw hardErr;
    if (found.length === 0) {
      let msg = 'x509: certificate signed by unknown authority';
      if (hint) msg += ` (possibly because of ${quote(hint.err)} while trying to verify candidate authority certificate ${quote(candidateName(hint.cert))})`;
      throw new X509VerifyError(msg, 'unknown-authority');
    }
    candidates = found;
  }
  if (usage === OID.ekuAny) return candidates;
  const chains = candidates.filter((ch) => ekuAllows(ch, usage));
  if (chains.length === 0) throw new X509VerifyError('x509: certificate specifies an incompatible key usage', 'incompatible-usage');
  return chains;
}
