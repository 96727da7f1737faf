import fc from 'fast-check';
import { envelopeTarget as t, buildCose, buildJws } from './targets/envelope.js';
import { parseEnvelope, MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from '../../src/envelope/index.js';
const ctx = await t.setup();
const counts: Record<string, number> = {};
const samples = fc.sample(t.arbitrary(ctx), { numRuns: 3000, seed: 1 });
for (const s of samples) {
  if (s.kind !== 'cose-header' && s.kind !== 'jws-header') continue;
  const { bytes, expectReject } = s.kind === 'cose-header' ? buildCose(ctx, s.c) : buildJws(ctx, s.c);
  let label = s.kind + (expectReject ? ':expReject' : ':any');
  try { parseEnvelope(s.kind === 'cose-header' ? MEDIA_TYPE_COSE : MEDIA_TYPE_JWS, bytes).verify(); label += ':PASS'; } catch (e) { label += ':' + (e as any).code; }
  counts[label] = (counts[label] ?? 0) + 1;
}
console.log(counts);
