#!/usr/bin/env node
// Entry point of the notation-ts CLI (see load-cli.cjs for how the code is loaded).
'use strict';
const { loadCli, stderrIsTTY } = require('./load-cli.cjs');

async function main() {
  const { run } = await loadCli();
  process.exitCode = await run(process.argv.slice(2), {
    stdout: { write: (s) => process.stdout.write(s) },
    // process.stderr is created on first use (a pipe or tty stream costs ~2 ms), so
    // only a run that writes to it pays.
    stderr: { write: (s) => process.stderr.write(s) },
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
