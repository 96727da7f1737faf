/**
 * Where ../shared (the conformance corpus and the notation-made fixtures) is:
 * NOTATION_TS_SHARED, else the `shared` folder beside the repository (as in CI),
 * else the workspace copy, so a fresh clone anywhere still finds it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));

function find(): string {
  const candidates = [process.env.NOTATION_TS_SHARED, join(repo, '..', 'shared'), '/work/shared'].filter((x): x is string => !!x);
  for (const c of candidates) if (existsSync(join(c, 'conformance', 'cases.json'))) return resolve(c);
  throw new Error(`the shared fixtures folder was not found (looked in ${candidates.join(', ')}); set NOTATION_TS_SHARED`);
}

export const SHARED = find();

/** Absolute path of a file or folder inside shared/ (keeps a trailing slash). */
export function sharedPath(rel: string): string {
  const p = join(SHARED, rel);
  return rel.endsWith('/') && !p.endsWith('/') ? p + '/' : p;
}
