/**
 * `notation-ts cache crl fetch <cert-chain>` (ours): downloads the CRLs of a
 * certificate chain into notation's CRL cache so verification works offline.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliContext } from '../context.js';
import { cacheDir } from '../context.js';
import { parseCertificates } from '../../x509/certificate.js';
import { prefetchCrls } from '../../revocation/cli.js';
import { logger, downloadFetcher } from '../common.js';
import { UsageError } from '../../errors.js';

export async function run(ctx: CliContext): Promise<number> {
  const path = ctx.args[0];
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(ctx.cwd, path));
  } catch {
    throw new UsageError('CHAIN_NOT_FOUND', `open ${path}: no such file or directory`);
  }
  const chain = parseCertificates(bytes, path);
  const dir = cacheDir(ctx.env);
  const results = await prefetchCrls(chain, { cacheDir: dir, logger: logger(ctx), fetcher: await downloadFetcher(ctx) });
  let failed = 0;
  for (const r of results) {
    if (r.ok) ctx.stdout.write(`Cached CRL ${r.url} for "${r.subject}" (next update ${r.nextUpdate?.toISOString() ?? 'unknown'})\n`);
    else {
      failed++;
      ctx.stderr.write(`Error: CRL ${r.url || '(none)'} for "${r.subject}": ${r.error}\n`);
    }
  }
  if (results.length === 0) ctx.stdout.write('No certificate in the chain has a CRL distribution point; nothing to cache.\n');
  return failed ? 1 : 0;
}
