#!/usr/bin/env node
// Entry point of the notation-ts CLI (see load-cli.cjs for how the code is loaded).
'use strict';
const { loadCli, fdWriter, stderrIsTTY } = require('./load-cli.cjs');

async function main() {
  const argv = process.argv.slice(2);
  const { run } = await loadCli(argv);
  process.exitCode = await run(argv, {
    // write(2) on the descriptors; process.stdout/stderr only if a pipe pushes back.
    stdout: { write: fdWriter(1, () => process.stdout) },
    stderr: { write: fdWriter(2, () => process.stderr) },
    env: process.env,
    cwd: process.cwd(),
    // Asked only when a command may draw a progress line.
    get isTTY() {
      return stderrIsTTY();
    },
    readStdin: async () => {
      const chunks = [];
      for await (const c of process.stdin) chunks.push(c);
      return Buffer.concat(chunks).toString('utf8');
    },
  });
}

main();
