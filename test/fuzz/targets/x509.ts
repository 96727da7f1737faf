/**
 * Certificates (DER and PEM files) and chains. Every getter a verifier reads is
 * touched, then the Notary chain rules run over the mutated certificate in place.
 * Oracle: a chain with a mutated certificate validates only if that certificate's
 * signed part (TBS) is unchanged; a chain longer than the limit never validates.
 */
import fc from 'fast-check';
import { Certificate, parseCertificates, toPem } from '../../../src/x509/certificate.js';
import { parseCertificateFileContent } from '../../../src/x509/filecontent.js';
import { validateCodeSigningChain, validateTimestampingChain, MAX_CHAIN_LENGTH } from '../../../src/x509/chain.js';
import { makePki, makeTsaPki, type Pki } from '../../helpers/pki.js';
import { Finding, applyMutations, mutations, sameBytes, target, typed, type Mutation } from '../harness.js';

interface Ctx {
  pkis: Pki[];
  tsaChain: Certificate[];
  ders: Uint8Array[];
}

type Input =
  | { kind: 'der'; cert: number; muts: Mutation[] }
  | { kind: 'pem'; cert: number; muts: Mutation[]; many: number }
  | { kind: 'chain'; pki: number; pos: number; muts: Mutation[] }
  | { kind: 'long'; pki: number; repeat: number }
  | { kind: 'random'; bytes: Uint8Array };

/** Reads every derived field, as trust store loading, rules and revocation do. */
export function touch(c: Certificate): void {
  void c.subject;
  void c.issuer;
  void c.serialHex;
  void c.fingerprint256;
  void c.basicConstraints;
  void c.keyUsage;
  void c.extKeyUsage;
  void c.ocspUrls;
  void c.crlUrls;
  void c.keyKind;
  c.isSelfSigned();
  void c.toString();
}

export const x509Target = target<Ctx, Input>({
  name: 'x509',
  weight: 3,
  quickRuns: 800,
  async setup() {
    const pkis = [await makePki({ name: 'fuzz-x509-ec' }), await makePki({ name: 'fuzz-x509-rsa', keySpec: 'RSA-2048', caKeySpec: 'RSA-2048' })];
    const tsa = await makeTsaPki();
    return { pkis, tsaChain: tsa.chain, ders: [...pkis.flatMap((p) => p.chain.map((c) => c.raw)), ...tsa.chain.map((c) => c.raw)] };
  },
  arbitrary(ctx) {
    const n = ctx.ders.length;
    return fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('der' as const), cert: fc.nat(n - 1), muts: mutations(3) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('pem' as const), cert: fc.nat(n - 1), muts: mutations(3), many: fc.integer({ min: 1, max: 3 }) }) },
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('chain' as const), pki: fc.nat(ctx.pkis.length - 1), pos: fc.nat(2), muts: mutations(2) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('long' as const), pki: fc.nat(ctx.pkis.length - 1), repeat: fc.integer({ min: 11, max: 400 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 400 }) }) },
    );
  },
  check(ctx, input) {
    switch (input.kind) {
      case 'der':
      case 'random': {
        const bytes = input.kind === 'der' ? applyMutations(ctx.ders[input.cert], input.muts) : Buffer.from(input.bytes);
        const r = typed(() => parseCertificateFileContent(bytes));
        for (const c of r.value ?? []) typed(() => touch(c));
        typed(() => parseCertificates(bytes, 'fuzz').forEach(touch));
        return;
      }
      case 'pem': {
        const pem = Array.from({ length: input.many }, () => toPem(ctx.ders[input.cert])).join('');
        const bytes = applyMutations(Buffer.from(pem), input.muts);
        typed(() => parseCertificateFileContent(bytes).forEach(touch));
        return;
      }
      case 'chain': {
        const pki = ctx.pkis[input.pki];
        const orig = pki.chain[input.pos];
        const mutated = applyMutations(orig.raw, input.muts);
        const parsed = typed(() => new Certificate(mutated));
        if (!parsed.value) return;
        const chain = [...pki.chain];
        chain[input.pos] = parsed.value;
        const ok = typed(() => validateCodeSigningChain(chain));
        if (!ok.error && !sameBytes(parsed.value.tbs, orig.tbs)) throw new Finding('a chain validated with a certificate whose signed TBS was changed');
        typed(() => validateTimestampingChain(ctx.tsaChain.map((c, i) => (i === 0 && input.pos === 0 ? parsed.value! : c))));
        return;
      }
      case 'long': {
        const pki = ctx.pkis[input.pki];
        const chain = [pki.leaf.cert, ...Array.from({ length: input.repeat }, () => pki.intermediate.cert), pki.root.cert];
        const r = typed(() => validateCodeSigningChain(chain));
        if (!r.error) throw new Finding(`a chain of ${chain.length} certificates validated`);
        if (chain.length > MAX_CHAIN_LENGTH && r.error.code !== 'CHAIN_TOO_LONG') {
          throw new Finding(`an over-long chain failed for another reason: ${r.error.code}`);
        }
        return;
      }
    }
  },
});
