/** `notation-ts blob verify`: verify a detached blob signature. */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { CliContext } from '../context.js';
import { UsageError, NotationError, TrustStoreError, CertificateError } from '../../errors.js';
import { parseFlagMap } from '../args.js';
import { reportSuccess, outcomeJson, logger, verifierExtras, configDirOf } from '../common.js';
import { Verifier } from '../../verifier/verifier.js';
import { goStatementString } from '../../verifier/artifact.js';
import { loadBlobTrustPolicy } from '../../trustpolicy/index.js';
import { X509TrustStore } from '../../truststore/index.js';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, NODE_HASH, type HashAlgorithm } from '../../envelope/types.js';
import { MAX_ENVELOPE_SIZE } from '../../oci/types.js';
import { isValidMediaType } from '../mediatype.js';
import { progress } from '../progress.js';

/** Envelope media type from `<name>.<jws|cose>.sig` (notation's parseSignatureMediaType). */
export function signatureMediaTypeFromPath(p: string): string {
  const name = basename(p);
  const dot = name.lastIndexOf('.');
  if (dot < 0 || name.slice(dot).toLowerCase() !== '.sig') throw new UsageError('INVALID_SIGNATURE_FILENAME', `invalid signature filename ${name}. The file extension must be .sig`);
  const parts = name.split('.');
  if (parts.length < 3) throw new UsageError('INVALID_SIGNATURE_FILENAME', `invalid signature filename ${name}. A valid signature file name must contain signature format and .sig file extension`);
  const fmt = parts[parts.length - 2].toLowerCase();
  if (fmt === 'jws') return MEDIA_TYPE_JWS;
  if (fmt === 'cose') return MEDIA_TYPE_COSE;
  throw new UsageError('UNSUPPORTED_SIGNATURE_FORMAT', `signature format "${fmt}" not supported\nSupported signature envelope formats are "jws" and "cose"`);
}


/** Streams a file through the hash (large blobs never sit in memory). */
export async function hashFile(path: string, hash: HashAlgorithm, onBytes?: (n: number) => void): Promise<{ digest: string; size: number }> {
  const h = createHash(NODE_HASH[hash]);
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onBytes?.((chunk as Buffer).length);
  }
  return { digest: `${NODE_HASH[hash]}:${h.digest('hex')}`, size };
}

/**
 * notation v2 (whose blob output this command mirrors) words an untrusted chain as
 * notation-core-go v2 does; the verifier keeps v1.3's text, which the OCI commands print.
 */
function v2Text(e: Error): string {
  return (e as NotationError).code === 'UNTRUSTED_SIGNER' ? 'signature is not produced by a trusted signer' : e.message;
}

export async function run(ctx: CliContext): Promise<number> {
  const sigPath = ctx.flags.signature as string | undefined;
  if (!sigPath) throw new UsageError('MISSING_SIGNATURE', 'required flag(s) "signature" not set');
  const json = ctx.flags.output === 'json';
  if (ctx.flags.output !== 'text' && !json) throw new UsageError('INVALID_OUTPUT', `invalid format type: "${ctx.flags.output}"`);
  const blobPath = ctx.args[0];
  const blobAbs = resolve(ctx.cwd, blobPath);
  const sigAbs = resolve(ctx.cwd, sigPath);
  try {
    if (!statSync(blobAbs).isFile()) throw new Error('not a regular file');
  } catch {
    throw new UsageError('BLOB_NOT_FOUND', `open ${blobPath}: no such file or directory`);
  }
  let sigBytes: Buffer;
  try {
    if (statSync(sigAbs).size > MAX_ENVELOPE_SIZE) throw new UsageError('SIGNATURE_TOO_LARGE', `signature file ${sigPath} exceeds ${MAX_ENVELOPE_SIZE} bytes`);
    sigBytes = readFileSync(sigAbs);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError('SIGNATURE_NOT_FOUND', `open ${sigPath}: no such file or directory`);
  }
  const cfg = configDirOf(ctx);
  const verifier = new Verifier({ blobTrustPolicy: loadBlobTrustPolicy(cfg), trustStore: new X509TrustStore(cfg), logger: logger(ctx), ...(await verifierExtras(ctx)) });
  const pluginConfig = parseFlagMap(ctx.flags['plugin-config'] as string[], 'plugin-config');
  const userMetadata = parseFlagMap(ctx.flags['user-metadata'] as string[], 'user-metadata');
  const mediaType = signatureMediaTypeFromPath(sigPath);
  const contentMediaType = ctx.flags['media-type'] as string | undefined;
  if (sigBytes.length === 0) throw new NotationError('EMPTY_SIGNATURE', 'signature cannot be nil or empty');
  if (contentMediaType && !isValidMediaType(contentMediaType)) throw new UsageError('INVALID_MEDIA_TYPE', `invalid content media-type "${contentMediaType}": mime: no media type`);

  // notation-go's VerifyBlob logs these first; the selection error, if any, is verifyBlob's to report.
  const log = logger(ctx);
  log.debug?.(`Verify signature of media type ${mediaType}`);
  if (ctx.flags.verbose || ctx.flags.debug) {
    try {
      log.info?.(`Trust policy configuration: ${goStatementString(verifier.blobStatement(ctx.flags['policy-name'] as string | undefined), 'blob')}`);
    } catch {
      // reported by verifyBlob below
    }
  }
  let outcome;
  let error: Error | undefined;
  try {
    outcome = await verifier.verifyBlob(
      async (hash) => {
        const bar = progress(ctx.stderr, ctx.isTTY, `Hashing ${blobPath}`, statSync(blobAbs).size);
        try {
          return { mediaType: contentMediaType ?? '', ...(await hashFile(blobAbs, hash, (n) => bar.advance(n))) };
        } finally {
          bar.done();
        }
      },
      sigBytes,
      { signatureMediaType: mediaType, trustPolicyName: ctx.flags['policy-name'] as string | undefined, contentMediaType, pluginConfig, userMetadata },
    );
    error = outcome.error;
  } catch (e) {
    error = e as Error;
  }
  if (json) {
    ctx.stdout.write(JSON.stringify({ reference: blobPath, result: error ? 'failed' : outcome?.verificationLevel.name === 'skip' ? 'skipped' : 'passed', ...(error ? { error: error.message } : {}), verified: outcomeJson(outcome) }, null, 2) + '\n');
    return error ? 1 : 0;
  }
  if (error) {
    if (error instanceof TrustStoreError || error instanceof CertificateError) throw error;
    throw new NotationError((error as NotationError).code ?? 'VERIFICATION_FAILED', `signature verification failed: ${v2Text(error)}`, { cause: error });
  }
  if (outcome!.verificationResults.some((r) => r.error)) {
    for (const r of outcome!.verificationResults) if (r.error) ctx.stderr.write(`Warning: ${r.type} was set to "${r.action}" and failed with error: ${v2Text(r.error)}\n`);
    ctx.stdout.write('\n');
    reportSuccess(ctx, { ...outcome!, verificationResults: [] }, blobPath);
  } else reportSuccess(ctx, outcome!, blobPath);
  return 0;
}
