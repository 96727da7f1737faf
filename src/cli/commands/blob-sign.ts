/**
 * `notation-ts blob sign`: a detached signature `<blob name>.<jws|cose>.sig`
 * (notation v2 cmd/notation/blob/sign.go). The signature goes to
 * `--signature-directory`, by default the blob's own directory. We never prompt:
 * an existing signature file is refused unless `--force`, checked before signing
 * (no TSA round trip for nothing) and again by the atomic write.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import type { CliContext } from '../context.js';
import { SigningError, UsageError } from '../../errors.js';
import { parseFlagMap } from '../args.js';
import { logger } from '../common.js';
import {
  SIGNER_FLAG_GROUPS,
  checkFlagGroups,
  checkTimestampFlagValues,
  expiryFromFlags,
  resolveSigningBackend,
  signatureFormatFromFlags,
  timestamperFromFlags,
} from '../signing.js';
import { signBlob } from '../../signer/sign.js';
import { writeBlobSignature } from '../../signer/blobfile.js';
import { pathExists } from '../../config/fsutil.js';
import { progress } from '../progress.js';

export async function run(ctx: CliContext): Promise<number> {
  const expiryMs = expiryFromFlags(ctx);
  const blobPath = ctx.args[0];
  if (blobPath === '') throw new UsageError('BLOB_PATH_EMPTY', 'blob path cannot be empty');
  // PreRunE checks, then cobra's flag groups.
  let sigDir: string;
  if (ctx.changed.has('signature-directory')) {
    sigDir = ctx.flags['signature-directory'] as string;
    if (!sigDir) throw new UsageError('SIGNATURE_DIRECTORY_EMPTY', 'signature directory cannot be empty');
  } else {
    sigDir = dirname(blobPath);
  }
  checkTimestampFlagValues(ctx, 'blob');
  checkFlagGroups(ctx, SIGNER_FLAG_GROUPS);

  const pluginConfig = parseFlagMap(ctx.flags['plugin-config'] as string[], 'plugin-config');
  const backend = await resolveSigningBackend(ctx, pluginConfig, 'blob');
  if (backend.kind !== 'signer') throw new SigningError('PLUGIN_CAPABILITY_MISSING', 'blob signing requires a plugin with the signature generator capability');
  try {
    const { format, mediaType } = signatureFormatFromFlags(ctx);
    const userMetadata = parseFlagMap(ctx.flags['user-metadata'] as string[], 'user-metadata');
    const timestamper = await timestamperFromFlags(ctx);

    const blobAbs = resolvePath(ctx.cwd, blobPath);
    let st;
    try {
      st = statSync(blobAbs);
    } catch {
      throw new UsageError('BLOB_NOT_FOUND', `open ${blobPath}: no such file or directory`);
    }
    if (st.isDirectory()) throw new UsageError('BLOB_IS_DIRECTORY', `read ${blobPath}: is a directory`);

    // notation's signatureFilepath: filepath.Join(dir, base(blob) + "." + format + ".sig").
    const sigPath = join(sigDir, `${basename(blobPath)}.${format}.sig`);
    const sigDirAbs = resolvePath(ctx.cwd, sigDir);
    const force = !!ctx.flags.force;
    if (!force && pathExists(resolvePath(ctx.cwd, sigPath))) {
      throw new SigningError('SIGNATURE_FILE_EXISTS', `signature file ${sigPath} already exists; use --force to overwrite it`);
    }

    // Hashing a large blob shows progress on a terminal (quiet otherwise).
    const bar = progress(ctx.stderr, ctx.isTTY, `Hashing ${blobPath}`, st.size);
    const blob = (async function* () {
      for await (const chunk of createReadStream(blobAbs)) {
        bar.advance((chunk as Buffer).length);
        yield chunk as Buffer;
      }
      bar.done();
    })();
    const result = await signBlob({
      signer: backend.signer,
      blob,
      mediaType: ctx.flags['media-type'] as string,
      signatureMediaType: mediaType,
      ...(expiryMs !== undefined ? { expiry: expiryMs } : {}),
      userMetadata,
      ...(timestamper ? { timestamper } : {}),
    });
    logger(ctx).info?.(`Writing signature to file ${sigPath}`);
    if (force) ctx.stderr.write('Warning: existing signature file will be overwritten\n');
    writeBlobSignature(sigDirAbs, blobPath, format, result.envelope, { force });
    // notation v2 prints a stray space before the second line; kept for byte-identical output.
    ctx.stdout.write(`Successfully signed ${blobPath}\n Signature file written to ${sigPath}\n`);
    return 0;
  } finally {
    await backend.close?.();
  }
}
