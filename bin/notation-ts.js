#!/usr/bin/env node
// Entry point of the notation-ts CLI (compiled code lives in dist/).
import { createInterface } from 'node:readline';
import { run } from '../dist/cli/main.js';

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
  // Confirmation prompts only when a person can answer them.
  readLine: process.stdin.isTTY
    ? () =>
        new Promise((resolve) => {
          const rl = createInterface({ input: process.stdin });
          let line;
          rl.once('line', (l) => {
            line = l;
            rl.close();
          });
          rl.once('close', () => resolve(line));
        })
    : undefined,
});
process.exitCode = code;
