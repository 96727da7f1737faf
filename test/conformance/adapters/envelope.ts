/**
 * Conformance adapter for the envelope formats: parse-envelope (ParseEnvelope +
 * Content must succeed or fail as REF does), encode-jws-envelope and
 * encode-cose-sign1 (byte-level comparison with notation-core-go's conformance
 * documents; the signature and x5chain come from keys made here, so they are
 * substituted/left out the way the Go tests do).
 */
import { sign as cryptoSign, constants, type KeyObject } from 'node:crypto';
import { parseEnvelope, signEnvelope, INTEGRITY_CODES, algorithmByKeySpec, MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, type KeySpec, type SignRequest, type ExtendedAttribute } from '../../../src/envelope/index.js';
import { parseCose, encodeCoseSign1, encodeUnprotected } from '../../../src/cose/envelope.js';
import { decodeCbor, encodeCbor } from '../../../src/cose/cbor.js';
import type { Signer } from '../../../src/signer/types.js';
import type { Certificate } from '../../../src/x509/certificate.js';
import { makeSelfSigned } from '../../helpers/pki.js';
import { invalid, type Adapter, type Case } from '../framework.js';

export const errorKinds: Record<string, string> = {
  UNSUPPORTED_ENVELOPE_MEDIA_TYPE: 'unsupported envelope media type',
  MALFORMED_ENVELOPE: 'malformed envelope',
  ENVELOPE_TOO_LARGE: 'malformed envelope',
  ...Object.fromEntries(INTEGRITY_CODES.map((c) => [c, 'signature integrity'])),
};

/** A local key as a Signer: RSASSA-PSS with salt = hash length, ECDSA raw r||s. */
export function localSigner(key: KeyObject, chain: Certificate[], keySpec: KeySpec): Signer {
  const alg = algorithmByKeySpec(keySpec)!;
  return {
    keySpec: () => keySpec,
    sign: async (data) => ({
      signature: new Uint8Array(
        alg.kind === 'rsa'
          ? cryptoSign(alg.nodeHash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
          : cryptoSign(alg.nodeHash, data, { key, dsaEncoding: 'ieee-p1363' }),
      ),
      certificateChain: chain,
    }),
  };
}

const KEY_SPEC_OF: Record<string, KeySpec> = { PS256: 'RSA-2048', PS384: 'RSA-3072', PS512: 'RSA-4096', ES256: 'EC-256', ES384: 'EC-384', ES512: 'EC-521' };

interface EncodeParams {
  payload: { contentType: string; contentUtf8: string };
  signingTime: string | number;
  expiry?: string | number;
  extendedSignedAttributes?: ExtendedAttribute[];
  signingAgent?: string;
  signingScheme: SignRequest['signingScheme'];
  signatureAlgorithm: string;
}

function toDate(v: string | number): Date {
  return typeof v === 'number' ? new Date(v * 1000) : new Date(v);
}

async function signFor(c: Case, mediaType: string): Promise<Uint8Array> {
  const p = c.params as EncodeParams;
  const keySpec = KEY_SPEC_OF[p.signatureAlgorithm.split(' ')[0]];
  if (!keySpec) throw new Error(`unknown signatureAlgorithm ${p.signatureAlgorithm}`);
  const signingTime = toDate(p.signingTime);
  const cert = await makeSelfSigned(keySpec, { notBefore: new Date(signingTime.getTime() - 86_400_000), notAfter: new Date('2199-01-01T00:00:00Z') });
  const req: SignRequest = {
    payload: { contentType: p.payload.contentType, content: Buffer.from(p.payload.contentUtf8, 'utf8') },
    signingScheme: p.signingScheme,
    signingTime,
    expiry: p.expiry !== undefined ? toDate(p.expiry) : undefined,
    extendedSignedAttributes: p.extendedSignedAttributes,
    signingAgent: p.signingAgent,
  };
  return signEnvelope(mediaType, req, localSigner(cert.key, [cert.cert], keySpec));
}

const parseEnvelopeAdapter: Adapter = (c, ctx) => {
  try {
    const env = parseEnvelope(c.params.signatureMediaType, ctx.read(c.inputs.envelope));
    env.content();
    return { outcome: 'valid' };
  } catch (e) {
    return invalid(e);
  }
};

const encodeJws: Adapter = async (c) => {
  let out: Uint8Array;
  try {
    out = await signFor(c, MEDIA_TYPE_JWS);
  } catch (e) {
    return invalid(e);
  }
  const doc = JSON.parse(Buffer.from(out).toString('utf8'));
  const mismatches: string[] = [];
  if (doc.payload !== c.expected.payload) mismatches.push(`payload ${doc.payload} != ${c.expected.payload}`);
  if (doc.protected !== c.expected.protected) mismatches.push(`protected ${doc.protected} != ${c.expected.protected}`);
  if (doc.header?.['io.cncf.notary.signingAgent'] !== c.expected.signingAgent) mismatches.push('signingAgent differs');
  // What we produce must also pass our own integrity check.
  try {
    parseEnvelope(MEDIA_TYPE_JWS, out).content();
  } catch (e) {
    mismatches.push(`produced envelope does not parse: ${(e as Error).message}`);
  }
  return { outcome: 'valid', mismatch: mismatches.length ? mismatches.join('; ') : undefined };
};

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

const encodeCose: Adapter = async (c) => {
  let out: Uint8Array;
  try {
    out = await signFor(c, MEDIA_TYPE_COSE);
  } catch (e) {
    return invalid(e);
  }
  const msg = parseCose(out);
  const p = c.params as EncodeParams;
  const mismatches: string[] = [];
  if (hex(msg.protectedBytes) !== c.expected.protectedHeadersCborHex) mismatches.push(`protected header ${hex(msg.protectedBytes)} != ${c.expected.protectedHeadersCborHex}`);
  const unprotected = encodeCbor(encodeUnprotected({ signingAgent: p.signingAgent }));
  if (hex(unprotected) !== c.expected.unprotectedHeadersCborHex) mismatches.push(`unprotected header ${hex(unprotected)} != ${c.expected.unprotectedHeadersCborHex}`);
  // The Go test swaps in the document's signature and leaves x5chain out before comparing.
  const expected = decodeCbor(Buffer.from(c.expected.encodedCborHex, 'hex').subarray(1));
  const expectedSig = expected.kind === 'array' && expected.value[3].kind === 'bytes' ? expected.value[3].value : new Uint8Array(0);
  const whole = encodeCoseSign1(msg.protectedBytes, { signingAgent: p.signingAgent }, msg.payload ?? new Uint8Array(0), expectedSig);
  if (hex(whole) !== c.expected.encodedCborHex) mismatches.push('COSE_Sign1_Tagged bytes differ');
  try {
    parseEnvelope(MEDIA_TYPE_COSE, out).verify();
  } catch (e) {
    mismatches.push(`produced envelope does not verify: ${(e as Error).message}`);
  }
  return { outcome: 'valid', mismatch: mismatches.length ? mismatches.join('; ') : undefined };
};

export const adapters: Record<string, Adapter> = {
  'parse-envelope': parseEnvelopeAdapter,
  'encode-jws-envelope': encodeJws,
  'encode-cose-sign1': encodeCose,
};
