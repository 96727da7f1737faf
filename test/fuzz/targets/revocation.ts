/**
 * OCSP responses and CRLs. Seeds are real signed answers that say the leaf is
 * revoked (and one OCSP answer about another serial). Oracle: no mutation turns a
 * revoked certificate into a good one, no answer about another serial is accepted,
 * and every failure is a RevocationError (a verdict of "unknown" upstream).
 */
import fc from 'fast-check';
import { parseCrl, validateCrlBundle, crlStatus, checkCrl } from '../../../src/revocation/crl.js';
import { parseOcspResponse } from '../../../src/revocation/ocsp.js';
import { buildCrl, buildOcspResponse, makeCert, type TestCa } from '../../helpers/revocation-servers.js';
import { Finding, applyMutations, mutations, target, typed, typedAsync, type Mutation } from '../harness.js';

interface Ctx {
  ca: TestCa;
  responder: TestCa;
  leaf: TestCa;
  crls: Uint8Array[];
  /** Answers whose status for the leaf is "revoked". */
  ocspRevoked: Uint8Array[];
  /** Good answers about serial 2002 (not the leaf). */
  ocspOther: Uint8Array[];
}

type Input =
  | { kind: 'crl'; seed: number; muts: Mutation[] }
  | { kind: 'ocsp-revoked'; seed: number; muts: Mutation[] }
  | { kind: 'ocsp-other'; seed: number; muts: Mutation[] }
  | { kind: 'random'; crl: boolean; bytes: Uint8Array };

const LEAF_SERIAL = '1001';

export const revocationTarget = target<Ctx, Input>({
  name: 'revocation',
  weight: 3,
  quickRuns: 800,
  async setup() {
    const ca = await makeCert({ cn: 'Fuzz Revocation CA', ca: true });
    const responder = await makeCert({ cn: 'Fuzz OCSP Responder', issuer: ca, eku: ['1.3.6.1.5.5.7.3.9'] });
    const leaf = await makeCert({ cn: 'Fuzz Revoked Leaf', issuer: ca, serial: LEAF_SERIAL, crlUrls: ['http://127.0.0.1:1/ca.crl'], eku: ['1.3.6.1.5.5.7.3.3'] });
    const crls = [
      buildCrl(ca, { entries: [{ serial: LEAF_SERIAL, reason: 1 }] }),
      buildCrl(ca, { entries: [{ serial: '05' }, { serial: LEAF_SERIAL, reason: 6 }, { serial: LEAF_SERIAL, reason: 1, invalidity: new Date(Date.now() - 7200e3) }], number: 7 }),
      buildCrl(ca, { entries: Array.from({ length: 40 }, (_, i) => ({ serial: (0x2000 + i).toString(16) })).concat([{ serial: LEAF_SERIAL }]) }),
    ];
    const ocspRevoked = [
      buildOcspResponse(ca, { serial: LEAF_SERIAL, status: 'revoked' }),
      buildOcspResponse(ca, { serial: LEAF_SERIAL, status: 'revoked', signer: responder }),
    ];
    const ocspOther = [buildOcspResponse(ca, { serial: '2002', status: 'good' }), buildOcspResponse(ca, { serial: '2002', status: 'good', signer: responder })];
    return { ca, responder, leaf, crls, ocspRevoked, ocspOther };
  },
  arbitrary(ctx) {
    return fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('crl' as const), seed: fc.nat(ctx.crls.length - 1), muts: mutations(3) }) },
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('ocsp-revoked' as const), seed: fc.nat(ctx.ocspRevoked.length - 1), muts: mutations(3) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('ocsp-other' as const), seed: fc.nat(ctx.ocspOther.length - 1), muts: mutations(3) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('random' as const), crl: fc.boolean(), bytes: fc.uint8Array({ maxLength: 400 }) }) },
    );
  },
  async check(ctx, input) {
    const now = new Date();
    if (input.kind === 'crl' || (input.kind === 'random' && input.crl)) {
      const bytes = input.kind === 'crl' ? applyMutations(ctx.crls[input.seed], input.muts) : Buffer.from(input.bytes);
      const parsed = typed(() => parseCrl(bytes));
      if (!parsed.value) return;
      const crl = parsed.value;
      const valid = typed(() => validateCrlBundle({ base: crl }, ctx.ca.cert, now));
      if (valid.error) return;
      const st = typed(() => crlStatus(ctx.leaf.cert, { base: crl }, 'fuzz'));
      if (st.value?.result === 'OK') throw new Finding('a mutated CRL validated and cleared a revoked certificate');
      // The full per-certificate check: revoked or unknown, never OK, never a throw.
      const r = await typedAsync(() => checkCrl(ctx.leaf.cert, ctx.ca.cert, { source: async () => ({ base: crl }), now: () => now }));
      if (r.error) throw new Finding(`checkCrl threw instead of returning a result: ${r.error.message}`);
      if (r.value?.result === 'OK') throw new Finding('checkCrl returned OK for a revoked certificate');
      return;
    }
    const seeds = input.kind === 'ocsp-other' ? ctx.ocspOther : ctx.ocspRevoked;
    const bytes = input.kind === 'random' ? Buffer.from(input.bytes) : applyMutations(seeds[input.seed], input.muts);
    const r = typed(() => parseOcspResponse(bytes, ctx.leaf.cert, ctx.ca.cert));
    if (!r.value) return;
    if (input.kind === 'ocsp-other' || input.kind === 'random') throw new Finding(`an OCSP answer about another serial was accepted (${r.value.status})`);
    if (r.value.status !== 'revoked') throw new Finding(`a mutated OCSP answer turned revoked into ${r.value.status}`);
  },
});
