#!/usr/bin/env node
// Entry point of the notation-ts CLI. Prefers the single-file bundle (`npm run
// build:cli`: start-up loads one module graph instead of hundreds of files),
// else the tsc output in dist/.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/main.js', import.meta.url);
const { run } = await import(existsSync(bundle) ? bundle.href : '../dist/cli/main.js');

const code = await run(process.argv.slice(2), {
  stdout: { write: (s) => process.stdout.write(s) },
  stderr: { write: (s) => process.stderr.write(s) },
  env: process.env,
  cwd: process.cwd(),
  isTTY: !!process.stderr.isTTY,
  readStdin: async () => {
    const chunks = [];
    for await (const c of process.stdin) chunks.push(c);
    return Buffer.concat(chunks).toString('utf8');
  },
});
process.exitCode = code;
