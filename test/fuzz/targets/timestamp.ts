/**
 * RFC 3161 timestamp tokens (CMS SignedData, BER accepted) and TSA responses.
 * Seeds: the tspclient-go test tokens (valid and each of its broken variants) and
 * the GlobalSign response. Oracle: a mutated token that still verifies against the
 * root vouches for the same time and the same message imprint as the original.
 */
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { parseCertificates, type Certificate } from '../../../src/x509/certificate.js';
import { parseTimestampToken } from '../../../src/timestamp/token.js';
import { parseTimestampResponse } from '../../../src/timestamp/client.js';
import { convertToDer } from '../../../src/timestamp/ber.js';
import { Finding, applyMutations, mutations, sameBytes, target, typed, type Mutation } from '../harness.js';
import { sharedPath } from '../../helpers/shared.js';

const TSP = sharedPath('conformance/fixtures/tspclient-go/testdata/');

interface Ctx {
  tokens: Uint8Array[];
  responses: Uint8Array[];
  roots: Certificate[];
  good: { genTime: number; imprint: Uint8Array };
}

type Input = { kind: 'token'; seed: number; muts: Mutation[] } | { kind: 'response'; seed: number; muts: Mutation[] } | { kind: 'random'; bytes: Uint8Array };

const SIGNED = Buffer.from('notation');

export const timestampTarget = target<Ctx, Input>({
  name: 'timestamp',
  weight: 2,
  quickRuns: 500,
  async setup() {
    const files = readdirSync(TSP).filter((f) => f.endsWith('.p7s')).sort();
    // The valid token first: most mutations start from it.
    const tokens = [readFileSync(TSP + 'TimeStampToken.p7s'), ...files.map((f) => readFileSync(TSP + f))];
    const responses = readdirSync(TSP).filter((f) => f.endsWith('.tsr')).map((f) => readFileSync(TSP + f));
    const roots = parseCertificates(readFileSync(TSP + 'GlobalSignRootCA.crt'));
    const t = parseTimestampToken(tokens[0]);
    return { tokens, responses, roots, good: { genTime: t.genTime.getTime(), imprint: t.messageImprint.hashedMessage } };
  },
  arbitrary(ctx) {
    return fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('token' as const), seed: fc.oneof(fc.constant(0), fc.nat(ctx.tokens.length - 1)), muts: mutations(3) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('response' as const), seed: fc.nat(Math.max(0, ctx.responses.length - 1)), muts: mutations(3) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 400 }) }) },
    );
  },
  check(ctx, input) {
    if (input.kind === 'response') {
      if (ctx.responses.length === 0) return;
      const bytes = applyMutations(ctx.responses[input.seed], input.muts);
      const r = typed(() => parseTimestampResponse(bytes));
      if (r.value?.token) typed(() => parseTimestampToken(r.value!.token!).info);
      return;
    }
    const bytes = input.kind === 'random' ? Buffer.from(input.bytes) : applyMutations(ctx.tokens[input.seed], input.muts);
    typed(() => convertToDer(bytes));
    const parsed = typed(() => parseTimestampToken(bytes));
    if (!parsed.value) return;
    const t = parsed.value;
    typed(() => {
      void t.info;
      void t.genTime;
      void t.accuracy;
      void t.policy;
    });
    const v = typed(() => t.verify({ signature: SIGNED, roots: ctx.roots }));
    if (v.value) {
      if (v.value.genTime.getTime() !== ctx.good.genTime || !sameBytes(t.messageImprint.hashedMessage, ctx.good.imprint)) {
        throw new Finding('a mutated token verified and vouches for another time or imprint');
      }
    }
  },
});
