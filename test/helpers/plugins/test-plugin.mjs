#!/usr/bin/env node
// A real notation plugin executable for the tests (contract 1.0), configurable
// through `behaviour.json` beside it. It signs with a local key (RAW), builds JWS
// envelopes (ENVELOPE), answers verify-signature, and can misbehave on request:
// bad JSON, wrong keyId, DER signatures, sleeping, huge output, error JSON.
import { createPrivateKey, sign as cryptoSign, constants } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const here = dirname(process.argv[1]);
const cfgPath = join(here, 'behaviour.json');
const cfg = existsSync(cfgPath) ? JSON.parse(readFileSync(cfgPath, 'utf8')) : {};
const command = process.argv[2];
const override = (cfg.commands ?? {})[command] ?? {};

const HASH = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const ALG = {
  'RSA-2048': ['RSASSA-PSS-SHA-256', 'PS256', 'SHA-256'],
  'RSA-3072': ['RSASSA-PSS-SHA-384', 'PS384', 'SHA-384'],
  'RSA-4096': ['RSASSA-PSS-SHA-512', 'PS512', 'SHA-512'],
  'EC-256': ['ECDSA-SHA-256', 'ES256', 'SHA-256'],
  'EC-384': ['ECDSA-SHA-384', 'ES384', 'SHA-384'],
  'EC-521': ['ECDSA-SHA-512', 'ES512', 'SHA-512'],
};

function fail(code, message, exit = 1) {
  process.stderr.write(JSON.stringify({ errorCode: code, errorMessage: message }));
  process.exit(exit);
}

function readStdin() {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

function derChain() {
  const pem = readFileSync(cfg.chainPath, 'utf8');
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => m[1].replace(/\s+/g, ''));
}

function primitiveSign(keySpec, data, der = false) {
  const key = createPrivateKey(readFileSync(cfg.keyPath, 'utf8'));
  const hash = HASH[ALG[keySpec][2]];
  if (keySpec.startsWith('RSA')) {
    return cryptoSign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  }
  return cryptoSign(hash, data, { key, dsaEncoding: der ? 'der' : 'ieee-p1363' });
}

const b64url = (b) => Buffer.from(b).toString('base64url');

function buildJws(payload, expirySeconds) {
  const keySpec = cfg.keySpec;
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const prot = {
    alg: ALG[keySpec][1],
    crit: ['io.cncf.notary.signingScheme'],
    cty: 'application/vnd.cncf.notary.payload.v1+json',
    'io.cncf.notary.signingScheme': 'notary.x509',
    'io.cncf.notary.signingTime': now.toISOString().replace('.000Z', 'Z'),
  };
  if (expirySeconds) {
    prot.crit.push('io.cncf.notary.expiry');
    prot['io.cncf.notary.expiry'] = new Date(now.getTime() + expirySeconds * 1000).toISOString().replace('.000Z', 'Z');
  }
  const p = b64url(JSON.stringify(prot));
  const pl = b64url(payload);
  const sig = primitiveSign(keySpec, Buffer.from(`${p}.${pl}`, 'ascii'));
  return JSON.stringify({ payload: pl, protected: p, header: { x5c: derChain(), 'io.cncf.notary.signingAgent': 'test-plugin/1.0' }, signature: b64url(sig) });
}

const input = readStdin();
if (cfg.recordPath) appendFileSync(cfg.recordPath, JSON.stringify({ command, request: input }) + '\n');
if (override.sleepMs) await new Promise((r) => setTimeout(r, override.sleepMs));
if (override.hugeOutputBytes) {
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  let left = override.hugeOutputBytes;
  const out = override.hugeStream === 'stderr' ? process.stderr : process.stdout;
  while (left > 0) {
    const n = Math.min(left, chunk.length);
    if (!out.write(chunk.subarray(0, n))) await new Promise((r) => out.once('drain', r));
    left -= n;
  }
  process.exit(override.exitCode ?? 0);
}
if (override.stderr !== undefined || override.stdout !== undefined || override.exitCode !== undefined) {
  if (override.stdout !== undefined) process.stdout.write(override.stdout);
  if (override.stderr !== undefined) process.stderr.write(override.stderr);
  process.exit(override.exitCode ?? 0);
}
if (override.response !== undefined) {
  process.stdout.write(JSON.stringify(override.response));
  process.exit(0);
}

let req;
try {
  req = JSON.parse(input);
} catch {
  fail('VALIDATION_ERROR', 'Input is not a valid JSON');
}
const name = cfg.name ?? basename(process.argv[1]).replace(/^notation-/, '');

switch (command) {
  case 'get-plugin-metadata':
    process.stdout.write(
      JSON.stringify({
        name,
        description: cfg.description ?? 'notation-ts test plugin',
        version: cfg.version ?? '1.0.0',
        url: 'https://example.com/notation-ts-test-plugin',
        supportedContractVersions: cfg.supportedContractVersions ?? ['1.0'],
        capabilities: cfg.capabilities ?? ['SIGNATURE_GENERATOR.RAW'],
      }),
    );
    break;
  case 'describe-key':
    if (req.contractVersion !== '1.0') fail('UNSUPPORTED_CONTRACT_VERSION', `"${req.contractVersion}" is not a supported notary plugin contract version`);
    if (cfg.deniedKeyId && req.keyId === cfg.deniedKeyId) fail('ACCESS_DENIED', `access to key ${req.keyId} denied`);
    process.stdout.write(JSON.stringify({ keyId: cfg.describeKeyId ?? req.keyId, keySpec: cfg.keySpec }));
    break;
  case 'generate-signature': {
    if (cfg.deniedKeyId && req.keyId === cfg.deniedKeyId) fail('ACCESS_DENIED', `access to key ${req.keyId} denied`);
    if (req.keySpec !== cfg.keySpec) fail('VALIDATION_ERROR', `keySpec ${req.keySpec} does not match the key`);
    if (req.hashAlgorithm !== ALG[cfg.keySpec][2]) fail('VALIDATION_ERROR', `hashAlgorithm ${req.hashAlgorithm} does not match the key`);
    const payload = Buffer.from(req.payload, 'base64');
    const signature = primitiveSign(cfg.keySpec, payload, cfg.derSignature);
    process.stdout.write(
      JSON.stringify({
        keyId: cfg.signKeyId ?? req.keyId,
        signature: signature.toString('base64'),
        signingAlgorithm: cfg.signingAlgorithm ?? ALG[cfg.keySpec][0],
        certificateChain: cfg.reverseChain ? derChain().reverse() : derChain(),
      }),
    );
    break;
  }
  case 'generate-envelope': {
    const payload = JSON.parse(Buffer.from(req.payload, 'base64').toString('utf8'));
    const t = payload.targetArtifact;
    const e = cfg.envelope ?? {};
    if (e.dropAnnotation && t.annotations) delete t.annotations[e.dropAnnotation];
    if (e.addAnnotation) t.annotations = { ...(t.annotations ?? {}), ...e.addAnnotation };
    if (e.changeSize) t.size += 1;
    if (e.extraField) t[e.extraField] = 'x';
    if (e.extraTopLevel) payload[e.extraTopLevel] = 'x';
    if (req.signatureEnvelopeType !== 'application/jose+json') fail('VALIDATION_ERROR', `unsupported envelope type ${req.signatureEnvelopeType}`);
    const env = buildJws(Buffer.from(JSON.stringify(payload)), req.expiryDurationInSeconds);
    process.stdout.write(
      JSON.stringify({
        signatureEnvelope: Buffer.from(env).toString('base64'),
        signatureEnvelopeType: e.type ?? req.signatureEnvelopeType,
        ...(e.responseAnnotations ? { annotations: e.responseAnnotations } : {}),
      }),
    );
    break;
  }
  case 'verify-signature': {
    if (cfg.verifyResponse) {
      process.stdout.write(JSON.stringify(cfg.verifyResponse));
      break;
    }
    const results = {};
    for (const cap of req.trustPolicy.signatureVerification) results[cap] = { success: true };
    process.stdout.write(JSON.stringify({ verificationResults: results, processedAttributes: req.signature.unprocessedAttributes ?? [] }));
    break;
  }
  default:
    fail('VALIDATION_ERROR', `Invalid command, valid commands are: <get-plugin-metadata|describe-key|generate-signature|generate-envelope|verify-signature>`);
}
