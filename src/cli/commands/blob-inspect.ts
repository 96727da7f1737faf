/** `notation-ts blob inspect`: one detached blob signature, as notation v2 prints it (tree or json). */
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliContext } from '../context.js';
import { UsageError, EnvelopeError, NotationError } from '../../errors.js';
import { parseEnvelope, MAX_ENVELOPE_SIZE } from '../../envelope/index.js';
import { signatureMediaTypeFromPath } from './blob-verify.js';
import { inspectEnvelope, blobInspectJson, blobInspectTree, localOffsetFromEnv } from '../inspect.js';
import { goErrnoText } from '../../util/goerrno.js';

/** os.ReadFile with Go's error wording (`open <path>: ...`, `read <path>: is a directory`), bounded. */
function readSignatureFile(path: string, abs: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(abs, 'r');
  } catch (e) {
    throw new UsageError('SIGNATURE_READ_FAILED', `failed to read signature file: open ${path}: ${goErrnoText(e)}`, { cause: e });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UsageError('SIGNATURE_READ_FAILED', `failed to read signature file: read ${path}: is a directory`);
    if (st.size > MAX_ENVELOPE_SIZE) throw new EnvelopeError('ENVELOPE_TOO_LARGE', `failed to read signature file: ${path} is ${st.size} bytes, more than the ${MAX_ENVELOPE_SIZE}-byte limit`);
    // Read at most limit + 1 bytes: a file that grows while we read is still caught.
    const buf = Buffer.alloc(Math.min(st.size, MAX_ENVELOPE_SIZE) + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n === buf.length) break;
    }
    if (n > MAX_ENVELOPE_SIZE) throw new EnvelopeError('ENVELOPE_TOO_LARGE', `failed to read signature file: ${path} is more than the ${MAX_ENVELOPE_SIZE}-byte limit`);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export async function run(ctx: CliContext): Promise<number> {
  const format = ctx.flags.output as string;
  // notation creates the display handler first, so a bad format wins over a bad path.
  if (format !== 'tree' && format !== 'json') throw new UsageError('INVALID_OUTPUT_FORMAT', `unrecognized output format ${format}`);
  const sigPath = ctx.args[0];
  const mediaType = signatureMediaTypeFromPath(sigPath);
  const bytes = readSignatureFile(sigPath, resolve(ctx.cwd, sigPath));
  let envelope;
  try {
    envelope = parseEnvelope(mediaType, bytes);
  } catch (e) {
    const err = e as NotationError;
    throw new EnvelopeError(err.code ?? 'MALFORMED_ENVELOPE', `failed to parse signature: ${err.message}`, { cause: e });
  }
  const inspection = inspectEnvelope(envelope, { localOffset: localOffsetFromEnv(ctx.env) });
  ctx.stdout.write(format === 'json' ? blobInspectJson(inspection) : blobInspectTree(sigPath, inspection));
  return 0;
}
